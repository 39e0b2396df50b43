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
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Adds one character to a word's hash.
fn add_char(hash: u64, c: char) -> u64 {
    (hash ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3).rotate_left(7)
}

/// The hashes of `text`'s words, lowercased, each mixed once. ASCII bytes
/// are read as bytes; only other characters are decoded.
fn word_hashes(text: &str) -> Vec<u64> {
    const START: u64 = 0xcbf2_9ce4_8422_2325;
    let mut words = Vec::with_capacity(text.len() / 6);
    let mut hash = START;
    let mut in_word = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let (alphanumeric, width) = if byte.is_ascii() {
            let alphanumeric = byte.is_ascii_alphanumeric();
            if alphanumeric {
                hash = add_char(hash, char::from(byte.to_ascii_lowercase()));
            }
            (alphanumeric, 1)
        } else {
            let c = text.get(i..).and_then(|rest| rest.chars().next()).unwrap_or(' ');
            let alphanumeric = c.is_alphanumeric();
            if alphanumeric {
                for lower in c.to_lowercase() {
                    hash = add_char(hash, lower);
                }
            }
            (alphanumeric, c.len_utf8())
        };
        if alphanumeric {
            in_word = true;
        } else if in_word {
            words.push(mix(hash));
            hash = START;
            in_word = false;
        }
        i += width;
    }
    if in_word {
        words.push(mix(hash));
    }
    words
}

impl Signature {
    /// The signature of an article body; `None` when it has no words.
    pub fn of_text(body: &str) -> Option<Signature> {
        let words = word_hashes(body);
        if words.is_empty() {
            return None;
        }
        // A text shorter than a shingle is one shingle of all its words.
        let width = SHINGLE_WORDS.min(words.len());
        let mut mins = [u64::MAX; BINS];
        let mut shingles = 0_u32;
        for window in words.windows(width) {
            // The words are mixed already: rotating them by their place and one
            // multiply make the shingle's hash (one mix per word in all).
            let mut hash = 0_u64;
            for (place, &word) in window.iter().enumerate() {
                hash ^= word.rotate_left(13 * place as u32);
            }
            let hash = hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (hash >> 29);
            // The top bits choose the bin, the rest rank the shingle in it.
            let bin = (hash >> 58) as usize;
            let rank = hash & ((1 << 58) - 1);
            if let Some(min) = mins.get_mut(bin) {
                *min = (*min).min(rank);
            }
            shingles = shingles.saturating_add(1);
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
