//! Part of stage 2 (parse): compressed corpus files (`page.html.gz`,
//! `articles.jsonl.bz2`, `story.txt.zst`) → their unpacked bytes and the inner file
//! name, whose extension then chooses the format as for any file.
//!
//! What a file unpacks to is capped (`ParseOptions::max_unpacked_bytes`): the
//! decompressor is read through a `take`, so a zip bomb costs at most the cap in memory
//! and is skipped with its reason. A damaged or cut archive is a skipped file too.
//! Gzip files of several members (as `cat a.gz b.gz` or a WARC writer makes them) are
//! read through every member.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use super::article::{ParseError, ParseOptions};

/// The compressions newsearch reads through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compression {
    /// `.gz`, `.gzip`.
    Gzip,
    /// `.bz2`.
    Bzip2,
    /// `.zst`, `.zstd`.
    Zstd,
}

impl Compression {
    /// The compression `path`'s extension names, if any.
    pub(crate) fn of(path: &Path) -> Option<Compression> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "gz" | "gzip" => Some(Compression::Gzip),
            "bz2" => Some(Compression::Bzip2),
            "zst" | "zstd" => Some(Compression::Zstd),
            _ => None,
        }
    }

    /// How messages name a damaged file of this kind.
    pub(crate) fn what(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip file",
            Compression::Bzip2 => "bzip2 file",
            Compression::Zstd => "zstd file",
        }
    }
}

/// The name of the file inside: `page.html.gz` → `page.html`.
pub(crate) fn inner_name(path: &Path) -> PathBuf {
    path.with_extension("")
}

/// A reader of the unpacked bytes of `file`.
pub(crate) fn unpacking_reader(
    file: impl Read + 'static,
    compression: Compression,
) -> io::Result<Box<dyn Read>> {
    let file = BufReader::new(file);
    Ok(match compression {
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(file)),
        Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(file)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(file)?),
    })
}

/// The unpacked bytes of the compressed file at `path`, at most
/// `options.max_unpacked_bytes` of them.
pub(crate) fn read(
    path: &Path,
    compression: Compression,
    options: &ParseOptions,
) -> Result<Vec<u8>, ParseError> {
    let file =
        File::open(path).map_err(|source| ParseError::Io { path: path.to_owned(), source })?;
    let damaged =
        |source| ParseError::Damaged { path: path.to_owned(), what: compression.what(), source };
    let reader = unpacking_reader(file, compression).map_err(damaged)?;
    let limit = u64::try_from(options.max_unpacked_bytes).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(damaged)?;
    if bytes.len() > options.max_unpacked_bytes {
        return Err(ParseError::TooLarge {
            path: path.to_owned(),
            limit: indicatif::HumanBytes(options.max_unpacked_bytes as u64).to_string(),
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn every_compression_reads_back_and_names_its_inner_file() {
        let dir = tempfile::tempdir().unwrap();
        let text = b"Title\n\nBody of the story.\n";
        let gz = dir.path().join("story.txt.gz");
        std::fs::write(&gz, [gzip(&text[..6]), gzip(&text[6..])].concat()).unwrap();
        let bz = dir.path().join("story.txt.bz2");
        let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        encoder.write_all(text).unwrap();
        std::fs::write(&bz, encoder.finish().unwrap()).unwrap();
        let zst = dir.path().join("story.txt.zst");
        std::fs::write(&zst, zstd::encode_all(&text[..], 1).unwrap()).unwrap();
        for path in [gz, bz, zst] {
            let compression = Compression::of(&path).unwrap();
            let bytes = read(&path, compression, &ParseOptions::default()).unwrap();
            assert_eq!(bytes, text, "{}", path.display());
            assert_eq!(inner_name(&path).file_name().unwrap(), "story.txt");
        }
    }

    #[test]
    fn a_bomb_stops_at_the_cap_and_a_cut_file_is_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let bomb = dir.path().join("bomb.txt.gz");
        std::fs::write(&bomb, gzip(&vec![b'a'; 1 << 20])).unwrap();
        let options = ParseOptions { max_unpacked_bytes: 1000, ..ParseOptions::default() };
        let error = read(&bomb, Compression::Gzip, &options).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: decompresses to more than 1000 B; skipped (unpack it to index it)",
                bomb.display()
            )
        );
        let cut = dir.path().join("cut.txt.gz");
        let whole = gzip(b"some text that is long enough to be cut in the middle");
        std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
        let error = read(&cut, Compression::Gzip, &ParseOptions::default()).unwrap_err();
        assert!(matches!(error, ParseError::Damaged { what: "gzip file", .. }), "{error:?}");
        assert_eq!(error.to_string(), format!("{}: damaged gzip file", cut.display()));
    }
}
