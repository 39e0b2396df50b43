//! Part of stage 2 (parse): the bytes of one file → its text as a `String` with `\n` line
//! ends, before any format is chosen.
//!
//! Scraped corpora mix encodings: UTF-8 with or without a BOM, UTF-16 from Windows tools,
//! and Windows-1252 (or Latin-1) from older scrapers. A file that is not valid UTF-8 is
//! still worth indexing, so it is decoded as Windows-1252 with a warning rather than
//! skipped.

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
/// UTF-8 sequence at the very end is dropped instead of making the whole file look like
/// Windows-1252.
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
            // WHATWG's windows-1252 maps the five undefined bytes (0x81, 0x8D, ...) to the C1
            // controls, as Latin-1 does, so no byte is lost or replaced.
            let (text, _had_errors) = WINDOWS_1252.decode_without_bom_handling(bytes);
            Ok(Decoded {
                text: normalize_newlines(&text),
                warning: Some("decoded as windows-1252 (not valid utf-8)".to_owned()),
            })
        }
    }
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

    #[test]
    fn windows_1252_is_decoded_with_a_warning() {
        // 0x93/0x94 are curly quotes, 0xA3 is £ (the BBC sport/199 byte), 0x81 is undefined
        // in windows-1252 and kept as U+0081 (the FA-KES bytes).
        let decoded = decode(b"\x93Daesh\x94 \xA3600m Syria\x81s", false).unwrap();
        assert_eq!(decoded.text, "\u{201C}Daesh\u{201D} £600m Syria\u{81}s");
        assert_eq!(decoded.warning.as_deref(), Some("decoded as windows-1252 (not valid utf-8)"));
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
}
