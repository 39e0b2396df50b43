//! Part of stage 2 (parse): the bytes of one file → its text as a `String` with `\n` line
//! ends, before any format is chosen.
//!
//! Scraped corpora mix encodings: UTF-8 with or without a BOM, UTF-16 from Windows tools,
//! and the legacy code page of whoever saved the file: Windows-1252 (or Latin-1) from older
//! English scrapers, Windows-1256 from Arabic- and Persian-language outlets, Windows-1251
//! from Russian ones. A file that is not valid UTF-8 is still worth indexing, so rather
//! than being skipped it is decoded in the encoding that chardetng (Firefox's detector)
//! guesses, with a warning that names it. Where the file has too few letters outside ASCII
//! for a guess to mean anything (English with a stray £ or curly quotes), it is decoded as
//! Windows-1252.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// The text of a file, and what the caller should warn about.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub(crate) text: String,
    pub(crate) warning: Option<String>,
}

/// Why a file's bytes are not text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NotText {
    /// A NUL byte outside UTF-16: images, archives and other binaries have them, text
    /// does not.
    Binary,
}

/// Decodes `bytes`, normalizing CRLF and lone CR to LF.
///
/// `cut_short` says the caller stopped reading at an arbitrary byte; then an incomplete
/// character at the very end (UTF-8, UTF-16 or a multi-byte legacy encoding) is dropped
/// instead of making the whole file look like another encoding or ending in U+FFFD.
pub(crate) fn decode(bytes: &[u8], cut_short: bool) -> Result<Decoded, NotText> {
    if let Some((encoding, _bom_length)) = Encoding::for_bom(bytes)
        && (encoding == UTF_16LE || encoding == UTF_16BE)
    {
        // A cut can split a code unit; its half byte is not the file's fault.
        let bytes = if cut_short && bytes.len() % 2 == 1 {
            bytes.split_last().map_or(bytes, |(_, whole)| whole)
        } else {
            bytes
        };
        // NULs are expected in UTF-16 bytes, so the binary check happens on the text.
        let (text, had_errors) = encoding.decode_with_bom_removal(bytes);
        if text.contains('\0') {
            return Err(NotText::Binary);
        }
        let warning = had_errors.then(|| {
            format!("invalid {} sequences replaced with U+FFFD", encoding.name().to_lowercase())
        });
        return Ok(Decoded { text: normalize_newlines(&text), warning });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(NotText::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Decoded { text: normalize_newlines(text), warning: None }),
        // At most 3 bytes of a character are missing at a cut; more is a real encoding issue.
        Err(error) if cut_short && error.error_len().is_none() => {
            let (valid, _partial) = bytes.split_at(error.valid_up_to());
            let text = String::from_utf8_lossy(valid);
            Ok(Decoded { text: normalize_newlines(&text), warning: None })
        }
        Err(_) => {
            let (encoding, text) = decode_legacy(bytes, cut_short);
            let warning =
                format!("decoded as {} (not valid utf-8)", encoding.name().to_lowercase());
            Ok(Decoded { text: normalize_newlines(&text), warning: Some(warning) })
        }
    }
}

/// Bytes that are not UTF-8, decoded in chardetng's guess at their encoding, or as
/// windows-1252 where the guess has too little to go on; with the encoding used.
///
/// Nothing is replaced with U+FFFD: chardetng rules out every encoding in which the bytes
/// are malformed, and windows-1252, its answer when all are ruled out, has no malformed
/// bytes (WHATWG's windows-1252 maps the five undefined ones, 0x81, 0x8D, ..., to the C1
/// controls, as Latin-1 does).
fn decode_legacy(bytes: &[u8], cut_short: bool) -> (&'static Encoding, String) {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    // After a cut the stream goes on: a multi-byte character split by the cut must not rule
    // out the encoding it belongs to.
    detector.feed(bytes, !cut_short);
    // A file has no top-level domain to hint at a region; `None` is the neutral `.com`.
    let guess = detector.guess(None, Utf8Detection::Deny);
    if guess != WINDOWS_1252 {
        let text = decode_in(guess, bytes, cut_short);
        if has_letters_beyond_ascii(&text) {
            return (guess, text);
        }
    }
    (WINDOWS_1252, decode_in(WINDOWS_1252, bytes, cut_short))
}

/// Whether `text` has enough letters outside ASCII, in words, for the guess that gave it
/// to be about a language rather than about a few stray bytes. chardetng scores pairs of
/// characters, and in English whose only non-ASCII bytes are £ signs, curly quotes or the
/// leftovers of a broken conversion, that is noise: a BBC article's `£20` comes out as
/// `Ł20` in windows-1250, and FA-KES's stray 0x95 0x81 pairs as Cyrillic `ХБ` in IBM866.
/// A letter counts only next to another letter (the `Ł` of `Ł20` stands alone), and the
/// count must be a real share of the letters: all of them in Arabic or Russian, one in ten
/// or so in Polish or Turkish, a handful in a thousand in a file with a stray pair per
/// paragraph.
fn has_letters_beyond_ascii(text: &str) -> bool {
    // Fewer are a word, not a language.
    const AT_LEAST: usize = 8;
    // One letter in 50: English with a stray pair in every paragraph is far below it,
    // and any language written with such letters far above.
    const ONE_IN: usize = 50;
    let (mut letters, mut beyond_ascii) = (0_usize, 0_usize);
    let mut after_letter = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let is_letter = c.is_alphabetic();
        if is_letter {
            letters += 1;
            let in_word = after_letter || chars.peek().is_some_and(|next| next.is_alphabetic());
            beyond_ascii += usize::from(in_word && !c.is_ascii());
        }
        after_letter = is_letter;
    }
    beyond_ascii >= AT_LEAST && beyond_ascii * ONE_IN >= letters
}

/// `bytes` in `encoding`. After a cut an incomplete last character (the encodings of
/// Chinese, Japanese and Korean have multi-byte ones) is left out rather than replaced.
fn decode_in(encoding: &'static Encoding, bytes: &[u8], cut_short: bool) -> String {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    // encoding_rs's own one-call decoding sizes its buffer the same way, and fails the
    // same way for a length that no memory could hold.
    let capacity =
        decoder.max_utf8_buffer_length(bytes.len()).expect("a file in memory is far shorter");
    let mut text = String::with_capacity(capacity);
    // With room for the worst case, the decoder takes all of the input in one call.
    let (_result, _read, _had_errors) = decoder.decode_to_string(bytes, &mut text, !cut_short);
    text
}

/// CRLF (Windows) and lone CR (classic Mac OS) → LF. Each becomes one `\n`, so line numbers
/// in warnings match what an editor shows.
fn normalize_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_owned();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> String {
        decode(bytes, false).unwrap().text
    }

    #[test]
    fn utf8_passes_through_without_bom() {
        let decoded = decode("\u{FEFF}Caf\u{e9} £5".as_bytes(), false).unwrap();
        assert_eq!(decoded.text, "Caf\u{e9} £5");
        assert_eq!(decoded.warning, None);
    }

    #[test]
    fn line_ends_become_lf() {
        assert_eq!(text(b"a\r\nb\rc\n\r\nd"), "a\nb\nc\n\nd");
    }

    /// The bytes of `text` in `encoding`, which must have a byte for every character.
    fn encoded(encoding: &'static Encoding, text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable, "{} cannot write {text:?}", encoding.name());
        bytes.into_owned()
    }

    /// What chardetng alone makes of `bytes`.
    fn detector_guess(bytes: &[u8]) -> &'static Encoding {
        let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        detector.guess(None, Utf8Detection::Deny)
    }

    #[test]
    fn windows_1252_is_decoded_with_a_warning() {
        // 0x93/0x94 are curly quotes, 0xA3 is £ (the BBC sport/199 byte), 0x81 is undefined
        // in windows-1252 and kept as U+0081 (the FA-KES bytes). No letter outside ASCII:
        // nothing for a guess to go on.
        let decoded = decode(b"\x93Daesh\x94 \xA3600m Syria\x81s", false).unwrap();
        assert_eq!(decoded.text, "\u{201C}Daesh\u{201D} £600m Syria\u{81}s");
        assert_eq!(decoded.warning.as_deref(), Some("decoded as windows-1252 (not valid utf-8)"));
    }

    #[test]
    fn western_european_windows_1252_is_detected() {
        let original = "Le marché couvert de la place centrale rouvrira après l’été.\r\n\
            Die Bäckerei gegenüber öffnet schon um fünf Uhr früh.";
        let decoded = decode(&encoded(WINDOWS_1252, original), false).unwrap();
        assert_eq!(decoded.text, original.replace("\r\n", "\n"));
        assert_eq!(decoded.warning.as_deref(), Some("decoded as windows-1252 (not valid utf-8)"));
    }

    #[test]
    fn arabic_and_persian_windows_1256_are_detected() {
        // Persian in windows-1256 writes ye as the Arabic ي (the code page has no ی).
        for original in [
            "افتتحت البلدية حديقة عامة جديدة قرب النهر، وقال المسؤولون إن الأشجار زرعت في الربيع.",
            "شهرداري پارك تازه\u{200C}اي در كنار رودخانه گشود و گفت درختان آن در بهار كاشته شدند.",
        ] {
            let decoded = decode(&encoded(encoding_rs::WINDOWS_1256, original), false).unwrap();
            assert_eq!(decoded.text, original);
            assert_eq!(
                decoded.warning.as_deref(),
                Some("decoded as windows-1256 (not valid utf-8)")
            );
        }
    }

    #[test]
    fn russian_windows_1251_is_detected() {
        let original = "Городской совет одобрил постройку нового моста через реку.\r\n\
            Работы начнутся весной и займут около двух лет.";
        let decoded = decode(&encoded(encoding_rs::WINDOWS_1251, original), false).unwrap();
        assert_eq!(decoded.text, original.replace("\r\n", "\n"));
        assert_eq!(decoded.warning.as_deref(), Some("decoded as windows-1251 (not valid utf-8)"));
    }

    #[test]
    fn english_with_stray_bytes_stays_windows_1252() {
        // The detector alone reads £ figures as Polish Ł, and FA-KES's 0x95 0x81 pairs
        // (• and U+0081 in windows-1252) as Cyrillic letters in IBM866.
        let pounds = "The club paid £20m for the striker, £5m more than its record. \
            Tickets now cost £45, up from £38, and a season pass £610. "
            .repeat(3);
        let pounds = encoded(WINDOWS_1252, &pounds);
        let paragraph: &[u8] = b"Aid convoys reached the besieged town on Sunday after weeks \
            of talks, and officials said more trucks would follow within days if the truce \
            held. Copyright \x95\x81 2018 World Wire.\n\n";
        let stray = paragraph.repeat(6);
        for (bytes, alone) in [(&pounds, encoding_rs::WINDOWS_1250), (&stray, encoding_rs::IBM866)]
        {
            assert_eq!(detector_guess(bytes), alone);
            let decoded = decode(bytes, false).unwrap();
            assert_eq!(decoded.text, WINDOWS_1252.decode_without_bom_handling(bytes).0);
            assert_eq!(
                decoded.warning.as_deref(),
                Some("decoded as windows-1252 (not valid utf-8)")
            );
        }
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut little = vec![0xFF, 0xFE];
        let mut big = vec![0xFE, 0xFF];
        for unit in "Sirte\r\n£".encode_utf16() {
            little.extend(unit.to_le_bytes());
            big.extend(unit.to_be_bytes());
        }
        assert_eq!(text(&little), "Sirte\n£");
        assert_eq!(text(&big), "Sirte\n£");
        // An odd trailing byte is half a code unit.
        little.push(b'x');
        let decoded = decode(&little, false).unwrap();
        assert_eq!(decoded.text, "Sirte\n£\u{FFFD}");
        assert_eq!(
            decoded.warning.as_deref(),
            Some("invalid utf-16le sequences replaced with U+FFFD")
        );
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert_eq!(decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", false).unwrap_err(), NotText::Binary);
        assert_eq!(decode(b"text\0", false).unwrap_err(), NotText::Binary);
        // UTF-16 without a BOM is indistinguishable from binary here.
        assert_eq!(decode(b"a\0b\0", false).unwrap_err(), NotText::Binary);
        assert_eq!(decode(b"\xFF\xFEa\0\0\0", false).unwrap_err(), NotText::Binary);
    }

    #[test]
    fn a_cut_inside_a_character_is_not_an_encoding_error() {
        let bytes = "Libya’s".as_bytes();
        let cut = &bytes[..7]; // inside the three bytes of ’
        let decoded = decode(cut, true).unwrap();
        assert_eq!(decoded.text, "Libya");
        assert_eq!(decoded.warning, None);
        // The same bytes read whole are a broken file.
        assert!(decode(cut, false).unwrap().warning.is_some());
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "Sirte".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        let decoded = decode(&utf16[..utf16.len() - 1], true).unwrap();
        assert_eq!((decoded.text.as_str(), decoded.warning), ("Sirt", None));
    }

    #[test]
    fn a_cut_inside_a_legacy_character_is_dropped() {
        // 。 is two bytes in Shift_JIS; the cut leaves its first.
        let original = "新しい図書館は来月に開館する予定で、市民は本を借りることができる。";
        let bytes = encoded(encoding_rs::SHIFT_JIS, original);
        let decoded = decode(&bytes[..bytes.len() - 1], true).unwrap();
        assert_eq!(decoded.text, original.trim_end_matches('。'));
        assert_eq!(decoded.warning.as_deref(), Some("decoded as shift_jis (not valid utf-8)"));
    }
}
