//! An article body → its near-duplicate [`Signature`]: one-permutation MinHash
//! over word shingles.
//!
//! Words are the body's runs of alphanumeric characters (where the analyzer's
//! tokenizer cuts them), lowercased, so punctuation, whitespace and case edits
//! change nothing. Every run of [`SHINGLE_WORDS`] words is hashed once, and the
//! hash picks one of [`BINS`] bins (one-permutation MinHash): a bin keeps the
//! smallest hash it was given. Bins no shingle fell into borrow a filled bin's
//! value along a probe sequence both articles share (optimal densification,
//! Shrivastava 2017), so two signatures agree in a bin with probability equal
//! to the two articles' Jaccard similarity, at the cost of one hash per word.

/// Words per shingle. Five words rarely repeat by chance across unrelated
/// articles, while one edited word spoils only five shingles.
pub const SHINGLE_WORDS: usize = 5;

/// MinHash bins per signature.
pub const BINS: usize = 64;

/// Bytes of a stored signature: the shingle count (`u32`), then each bin's
/// 16-bit tag.
pub const SIGNATURE_BYTES: usize = 4 + 2 * BINS;

/// A near-duplicate signature: per bin, a 16-bit tag of its smallest shingle
/// hash, and how many shingles the article has (to turn the Jaccard estimate
/// into containment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Each bin's tag.
    pub bins: [u16; BINS],
    /// Shingles in the article (with repeats).
    pub shingles: u32,
}

/// A 64-bit mixer (the finaliser of `SplitMix64`): every input bit changes
/// about half of the output bits.
pub(super) fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// How 8 bytes of a word enter its hash.
fn add_chunk(hash: u64, chunk: u64) -> u64 {
    (hash ^ chunk).wrapping_mul(0x9fb2_1c65_1e98_df25).rotate_left(29)
}

/// `n` (1 to 8) bytes of `bytes` from `at`, little-endian, zeros past the
/// end. Where 8 bytes are there, one unaligned load and a mask: copying a
/// short word into a buffer first stalls every word on the store.
fn load(bytes: &[u8], at: usize, n: usize) -> u64 {
    let keep = u64::MAX >> (8 * (8 - n.clamp(1, 8)));
    match bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        Some(eight) => u64::from_le_bytes(*eight) & keep,
        None => bytes
            .get(at..)
            .unwrap_or_default()
            .iter()
            .take(n)
            .rev()
            .fold(0, |value, &byte| value << 8 | u64::from(byte)),
    }
}

/// The hash of one lowercased word (`bytes[start..end]`, UTF-8), 8 bytes at
/// a time, mixed once. `ascii_case` lowercases ASCII alphanumerics on the
/// way: setting bit 0x20 turns `A-Z` into `a-z` and leaves digits and `a-z`
/// as they are.
fn word_hash(bytes: &[u8], start: usize, end: usize, ascii_case: bool) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325 ^ (end - start) as u64;
    let mut at = start;
    while at < end {
        let n = (end - at).min(8);
        let mut value = load(bytes, at, n);
        if ascii_case {
            value |= 0x2020_2020_2020_2020 >> (8 * (8 - n));
        }
        hash = add_chunk(hash, value);
        at += n;
    }
    mix(hash)
}

/// Each byte's high bit.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// `byte` in every byte of a word.
const fn every_byte(byte: u8) -> u64 {
    byte as u64 * 0x0101_0101_0101_0101
}

/// The high bit of each of `x`'s eight bytes that is an ASCII letter or
/// digit (bit-parallel: a byte below 0x80 is at least `lo` when adding
/// `0x80 - lo` sets its high bit, and no sum carries into the next byte).
fn alphanumeric_bytes(x: u64) -> u64 {
    let ascii = !x & HIGH_BITS;
    let low = x & !HIGH_BITS;
    let at_least = |value: u64, lo: u8| (value + every_byte(0x80 - lo)) & HIGH_BITS;
    let digit = at_least(low, b'0') & !at_least(low, b'9' + 1);
    // Setting bit 0x20 lowercases letters; digits are told apart above.
    let folded = (x | every_byte(0x20)) & !HIGH_BITS;
    let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    (digit | letter) & ascii
}

/// Calls `on_word` with the hash of each of `text`'s words (runs of
/// alphanumeric characters), lowercased, in order.
///
/// ASCII text is read eight bytes at a time at fixed steps, each block's word
/// starts and ends found bit-parallel: finding each word's end before
/// loading the bytes after it made every word wait on the one before, and
/// testing byte by byte mispredicted the end of nearly every word; both cost
/// more than hashing the words. A block with a byte beyond ASCII is read a
/// word at a time, decoding characters ([`word_beyond_ascii`]).
fn for_each_word(text: &str, mut on_word: impl FnMut(u64)) {
    let bytes = text.as_bytes();
    let mut lowered = String::new();
    // Where the word being read began, while a block ends inside it.
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        // Past the end, `load` gives zero bytes, which end a word.
        let block = load(bytes, i, 8);
        if block & HIGH_BITS != 0 {
            let from = start.take().unwrap_or(i);
            i = word_beyond_ascii(text, from, &mut lowered, &mut on_word);
            continue;
        }
        let alphanumeric = alphanumeric_bytes(block);
        let before = alphanumeric << 8 | if start.is_some() { 0x80 } else { 0 };
        let starts = alphanumeric & !before;
        let mut events = starts | !alphanumeric & before & HIGH_BITS;
        while events != 0 {
            let bit = events.trailing_zeros();
            let at = i + (bit / 8) as usize;
            if starts >> bit & 1 == 1 {
                start = Some(at);
            } else if let Some(from) = start.take() {
                on_word(word_hash(bytes, from, at, true));
            }
            events &= events - 1;
        }
        i += 8;
    }
    if let Some(from) = start {
        on_word(word_hash(bytes, from, bytes.len(), true));
    }
}

/// Reads the first word at or after `from` (skipping what separates words)
/// by characters, gives its hash to `on_word`, and returns where it ends (the
/// end of `text` when no word is left). `from` is at a character boundary.
fn word_beyond_ascii(
    text: &str,
    from: usize,
    lowered: &mut String,
    on_word: &mut impl FnMut(u64),
) -> usize {
    let rest = text.get(from..).unwrap_or_default();
    let Some((start, _)) = rest.char_indices().find(|(_, c)| c.is_alphanumeric()) else {
        return text.len();
    };
    let word = rest.get(start..).unwrap_or_default();
    let end = word.find(|c: char| !c.is_alphanumeric()).unwrap_or(word.len());
    lowered.clear();
    lowered.extend(word.get(..end).unwrap_or_default().chars().flat_map(char::to_lowercase));
    on_word(word_hash(lowered.as_bytes(), 0, lowered.len(), false));
    from + start + end
}

/// The hash of a shingle from the sum of its words (see
/// [`Signature::of_text`]).
fn shingle_hash(sum: u64) -> u64 {
    sum.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (sum >> 29)
}

/// How far each word of a shingle is rotated per place in it.
const ROTATION: u32 = 13;

impl Signature {
    /// The signature of an article body; `None` when it has no words.
    pub fn of_text(body: &str) -> Option<Signature> {
        let mut mins = [u64::MAX; BINS];
        let mut shingles = 0_u32;
        let mut add = |hash: u64| {
            // The top bits choose the bin, the rest rank the shingle in it.
            let bin = (hash >> 58) as usize;
            let rank = hash & ((1 << 58) - 1);
            if let Some(min) = mins.get_mut(bin) {
                *min = (*min).min(rank);
            }
            shingles = shingles.saturating_add(1);
        };
        // A shingle's words, already mixed, are combined as the XOR of each
        // rotated by its place (the oldest not at all), which rolls on as words
        // come: take out the oldest, rotate the rest back a place, add the new
        // word at the last place. `window` remembers the words to take out.
        let mut window = [0_u64; SHINGLE_WORDS];
        let mut words = 0_usize;
        let mut sum = 0_u64;
        let last_place = ROTATION * (SHINGLE_WORDS as u32 - 1);
        for_each_word(body, |word| {
            let slot = words % SHINGLE_WORDS;
            if words < SHINGLE_WORDS {
                sum ^= word.rotate_left(ROTATION * words as u32);
            } else {
                sum = (sum ^ window[slot]).rotate_right(ROTATION) ^ word.rotate_left(last_place);
            }
            window[slot] = word;
            words += 1;
            if words >= SHINGLE_WORDS {
                add(shingle_hash(sum));
            }
        });
        match words {
            0 => return None,
            // A text shorter than a shingle is one shingle of all its words.
            short if short < SHINGLE_WORDS => add(shingle_hash(sum)),
            _ => {}
        }
        let mut bins = [0_u16; BINS];
        for (i, tag) in bins.iter_mut().enumerate() {
            let mut min = mins[i];
            let mut attempt = 0_u64;
            // Densification: both articles probe the same bins in the same
            // order, so an empty bin copies what a random filled bin holds.
            while min == u64::MAX && attempt < 4 * BINS as u64 {
                attempt += 1;
                let probe = (mix((i as u64) << 32 | attempt) % BINS as u64) as usize;
                min = mins[probe];
            }
            // A filled bin is always found within a few probes when any is filled;
            // the scan is the fallback that keeps the loop bounded.
            if min == u64::MAX {
                min = mins.iter().copied().find(|&m| m != u64::MAX).unwrap_or(0);
            }
            // The tag: bits of the hash that did not rank it, so equal minima give
            // equal tags and different ones collide once in 65,536.
            *tag = (mix(min) >> 48) as u16;
        }
        Some(Signature { bins, shingles })
    }

    /// The stored form ([`SIGNATURE_BYTES`] bytes, little-endian).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(SIGNATURE_BYTES);
        bytes.extend_from_slice(&self.shingles.to_le_bytes());
        for bin in self.bins {
            bytes.extend_from_slice(&bin.to_le_bytes());
        }
        bytes
    }

    /// Reads the stored form; `None` if `bytes` is not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<Signature> {
        if bytes.len() != SIGNATURE_BYTES {
            return None;
        }
        let (count, rest) = bytes.split_at(4);
        let shingles = u32::from_le_bytes(count.try_into().ok()?);
        let mut bins = [0_u16; BINS];
        for (bin, pair) in bins.iter_mut().zip(rest.chunks_exact(2)) {
            *bin = u16::from_le_bytes([pair[0], pair[1]]);
        }
        Some(Signature { bins, shingles })
    }

    /// The share of bins two signatures agree on: an estimate of the articles'
    /// Jaccard similarity (shingles in both / shingles in either).
    pub fn jaccard(&self, other: &Signature) -> f64 {
        let same = self.bins.iter().zip(&other.bins).filter(|(a, b)| a == b).count();
        same as f64 / BINS as f64
    }

    /// The estimated share of the shorter article's shingles that the other
    /// holds, from the Jaccard estimate J and the sizes:
    /// C = J·(|A| + |B|) / ((1 + J)·min(|A|, |B|)), at most 1.
    pub fn containment(&self, other: &Signature) -> f64 {
        let jaccard = self.jaccard(other);
        containment_of(jaccard, self.shingles, other.shingles)
    }
}

/// Containment from a Jaccard similarity and the two sizes (see
/// [`Signature::containment`]).
pub fn containment_of(jaccard: f64, a: u32, b: u32) -> f64 {
    let smaller = f64::from(a.min(b).max(1));
    let both = f64::from(a) + f64::from(b);
    (jaccard * both / ((1.0 + jaccard) * smaller)).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::{Signature, containment_of};

    const TEXT: &str = "The ministry said on Tuesday that the convoy reached the town after \
        three days on the road, carrying food and medicine for twelve thousand people who \
        had been cut off since the spring. Aid workers said the supplies would last a month. \
        The governor thanked the agencies and asked for a second convoy before winter.";

    #[test]
    fn punctuation_case_and_spacing_do_not_change_the_signature() {
        let edited = TEXT.to_uppercase().replace(", ", " ,  ").replace(". ", "!\n\n");
        assert_eq!(Signature::of_text(TEXT), Signature::of_text(&edited));
    }

    #[test]
    fn words_beyond_ascii_are_lowercased_and_their_separators_cut() {
        let words = |text: &str| {
            let mut hashes = Vec::new();
            super::for_each_word(text, |hash| hashes.push(hash));
            hashes
        };
        let plain = words("émile's école at Zürich 2016");
        assert_eq!(plain.len(), 6);
        assert_eq!(words("ÉMILE’S ÉCOLE — AT ZÜRICH «2016»"), plain);
        assert_eq!(words("Émile\u{a0}s École at zürich 2016"), plain);
        // Words are told apart by every byte, and by length.
        assert_ne!(words("zurich"), words("zürich"));
        assert_ne!(words("aaaaaaaab"), words("aaaaaaaa"));
        let two = words("ab AB");
        assert_eq!(two[0], two[1]);
    }

    #[test]
    fn words_are_found_as_a_character_by_character_split_finds_them() {
        // Texts drawn from letters, digits, ASCII separators, control bytes and
        // characters beyond ASCII (alphanumeric or not), at every alignment.
        const PIECES: [&str; 16] = [
            "a", "Z", "7", " ", ",", "\n", "\u{0}", "\u{1f}", "@", "[", "`", "{", "é", "Ü", "’",
            "—",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for round in 0..4_000 {
            let mut text = String::new();
            // Half the texts are ASCII only, read a block at a time throughout.
            let pieces = if round % 2 == 0 { 12 } else { 16 };
            for _ in 0..(seed % 90) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(PIECES[(seed % pieces) as usize]);
            }
            let mut found = Vec::new();
            super::for_each_word(&text, |hash| found.push(hash));
            let expected: Vec<u64> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|word| !word.is_empty())
                .map(|word| {
                    let lower: String = word.chars().flat_map(char::to_lowercase).collect();
                    super::word_hash(lower.as_bytes(), 0, lower.len(), false)
                })
                .collect();
            assert_eq!(found, expected, "{text:?}");
        }
    }

    #[test]
    fn a_cut_copy_is_contained_and_other_text_is_not() {
        let original = Signature::of_text(TEXT).unwrap();
        let cut = TEXT.split(" Aid workers").next().unwrap();
        let cut = Signature::of_text(cut).unwrap();
        assert!(original.containment(&cut) > 0.8, "{}", original.containment(&cut));
        let other = Signature::of_text(
            "Parliament voted late on Thursday to extend the emergency powers for another \
             six months, after a debate in which the opposition walked out twice.",
        )
        .unwrap();
        assert!(original.containment(&other) < 0.2);
    }

    #[test]
    fn stored_signatures_read_back() {
        let signature = Signature::of_text(TEXT).unwrap();
        assert_eq!(Signature::from_bytes(&signature.to_bytes()), Some(signature));
        assert_eq!(Signature::from_bytes(&[1, 2, 3]), None);
        assert_eq!(Signature::of_text(" ,.; "), None);
    }

    #[test]
    fn containment_follows_from_jaccard_and_sizes() {
        // B holds all of A (10 shingles), B has 20: J = 0.5, C = 1.
        assert!((containment_of(0.5, 10, 20) - 1.0).abs() < 1e-9);
        assert!(containment_of(0.0, 10, 20).abs() < 1e-9);
    }
}
