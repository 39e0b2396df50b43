//! Stage 2 (parse): the bytes of one corpus file → the articles in it, plus warnings;
//! format detection and dispatch to [`super::formats`].
//!
//! Input is a path (or its bytes, already read); output is a [`ParsedFile`], or a
//! [`ParseError`] when the whole file must be skipped. The steps:
//!
//! 1. decode: UTF-8 (BOM stripped), UTF-16 with a BOM, else Windows-1252 with a warning;
//!    NUL bytes mean a binary file; line ends become `\n`;
//! 2. choose the format: by extension (`.json`, `.jsonl`/`.ndjson`, `.csv`), otherwise by
//!    the first character (`{` or `[` → JSON, anything else → the scraper's text layout);
//! 3. read the articles: the text layout (title, repeated title, dateline, paragraphs,
//!    `string(N) "[...]"` trailer of related headlines), or one record per JSON object or
//!    CSV row with the fields mapped by name.
//!
//! Anything odd that still leaves an article is a [`Warning`], never an error: one stray
//! byte or one broken JSON line should not cost the user a whole file.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::extract::looks_like_html;

use super::article::{Article, ParseError, ParseOptions, ParsedFile, Warning};
use super::compressed::{self, Compression};
use super::decode::{self, NotText};
use super::formats::html::{self, PageError};
use super::formats::{json_message, records, text_layout, truncate, warc};

/// The format a file's extension promises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Declared {
    /// `.json`: an object or an array of objects (or, misnamed, JSON Lines).
    Json,
    /// `.jsonl`, `.ndjson`.
    JsonLines,
    /// `.csv`.
    Csv,
    /// `.html`, `.htm`, `.xhtml`, `.shtml`: a saved web page.
    Html,
    /// `.txt`, no extension, anything else: decided by content.
    Other,
}

impl Declared {
    fn of(path: &Path) -> Self {
        let extension = path.extension().and_then(|extension| extension.to_str());
        match extension.map(str::to_ascii_lowercase).as_deref() {
            Some("json") => Self::Json,
            Some("jsonl" | "ndjson") => Self::JsonLines,
            Some("csv") => Self::Csv,
            Some("html" | "htm" | "xhtml" | "shtml") => Self::Html,
            _ => Self::Other,
        }
    }
}

/// The format chosen for a file's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Json,
    JsonLines,
    Csv,
    Text,
}

/// Reads the file at `path` and parses it (see [`parse_bytes`]).
///
/// Text files are read only up to `options.max_article_bytes + 1` bytes, since anything
/// beyond is cut anyway; a text file that turns out to hold JSON records is then read
/// whole, as `.json`, `.jsonl` and `.csv` files always are.
///
/// A WARC archive (`.warc`, `.warc.gz`) is read one record at a time; any other compressed
/// file (`.gz`, `.bz2`, `.zst`) is unpacked (up to `options.max_unpacked_bytes`) and read
/// as the file inside, whose name (`page.html.gz` → `page.html`) chooses the format.
pub fn parse_file(path: &Path, options: &ParseOptions) -> Result<ParsedFile, ParseError> {
    if let Some(gzipped) = warc::kind(path) {
        return warc::parse_file(path, gzipped, options);
    }
    if let Some(compression) = Compression::of(path) {
        let bytes = compressed::read(path, compression, options)?;
        return parse_named(path, &compressed::inner_name(path), &bytes, options);
    }
    let read_error = |source| ParseError::Io { path: path.to_owned(), source };
    let mut file = File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    if matches!(Declared::of(path), Declared::Other | Declared::Html) {
        let limit = u64::try_from(options.max_article_bytes).unwrap_or(u64::MAX).saturating_add(1);
        (&mut file).take(limit).read_to_end(&mut bytes).map_err(read_error)?;
        if bytes.len() > options.max_article_bytes && starts_like_records(&bytes) {
            file.read_to_end(&mut bytes).map_err(read_error)?;
        }
    } else {
        file.read_to_end(&mut bytes).map_err(read_error)?;
    }
    parse_bytes(path, &bytes, options)
}

/// Parses the bytes of one file. `path` names the file in messages and chooses the format
/// by its extension; nothing is read from it.
pub fn parse_bytes(
    path: &Path,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<ParsedFile, ParseError> {
    parse_named(path, path, bytes, options)
}

/// Parses the bytes of the file at `path`, whose format `name`'s extension declares (the
/// file inside a compressed one).
fn parse_named(
    path: &Path,
    name: &Path,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<ParsedFile, ParseError> {
    let declared = Declared::of(name);
    if declared == Declared::Html || (declared == Declared::Other && looks_like_html(bytes)) {
        return parse_page(path, bytes, options);
    }
    // Only text files are cut short by `parse_file`; JSON and CSV are always whole.
    let cut_short = declared == Declared::Other && bytes.len() > options.max_article_bytes;
    let decoded = decode::decode(bytes, cut_short).map_err(|error| match error {
        NotText::Binary => ParseError::Binary { path: path.to_owned() },
    })?;
    let text = decoded.text;
    if text.trim().is_empty() {
        return Err(ParseError::Empty { path: path.to_owned() });
    }
    let mut warnings: Vec<Warning> = decoded.warning.into_iter().map(Warning::whole_file).collect();
    let format = match declared {
        Declared::Json => json_kind(&text),
        Declared::JsonLines => Format::JsonLines,
        Declared::Csv => Format::Csv,
        // Html went to `parse_page` above.
        Declared::Other | Declared::Html => sniff(&text),
    };
    let articles = match format {
        Format::Text => parse_text(&text, options, &mut warnings),
        Format::Csv => records::parse_csv(path, &text, options, &mut warnings)?,
        Format::Json | Format::JsonLines if declared == Declared::Other => {
            // The format was only a guess from the first character, and a text article
            // may well start with `[` ("[VIDEO] ...") or `{`.
            let mut record_warnings = Vec::new();
            match parse_json_records(path, &text, format, options, &mut record_warnings) {
                Ok(articles) if !articles.is_empty() => {
                    warnings.append(&mut record_warnings);
                    articles
                }
                result => {
                    let why = match result {
                        Err(ParseError::Json { line, column, source, .. }) => {
                            format!("{} at line {line} column {column}", json_message(&source))
                        }
                        _ => "no usable records".to_owned(),
                    };
                    warnings.push(Warning::whole_file(format!(
                        "starts like JSON but is not ({why}); read as a text article"
                    )));
                    parse_text(&text, options, &mut warnings)
                }
            }
        }
        Format::Json | Format::JsonLines => {
            parse_json_records(path, &text, format, options, &mut warnings)?
        }
    };
    if articles.is_empty() {
        let why = warnings.first().map(|first| match warnings.len() - 1 {
            0 => first.to_string(),
            more => format!("{first}; {more} more"),
        });
        return Err(ParseError::NoArticles { path: path.to_owned(), why });
    }
    Ok(ParsedFile { articles, warnings, warc: None })
}

/// A saved web page: one article, or none with the extractor's reason.
fn parse_page(path: &Path, bytes: &[u8], options: &ParseOptions) -> Result<ParsedFile, ParseError> {
    if bytes.trim_ascii().is_empty() {
        return Err(ParseError::Empty { path: path.to_owned() });
    }
    let mut warnings = Vec::new();
    match html::parse(bytes, None, None, options, &mut warnings) {
        Ok(article) => Ok(ParsedFile { articles: vec![article], warnings, warc: None }),
        Err(PageError::Binary) => Err(ParseError::Binary { path: path.to_owned() }),
        Err(PageError::NotAnArticle(reason)) => {
            Err(ParseError::NotAnArticle { path: path.to_owned(), reason: reason.to_owned() })
        }
    }
}

fn parse_json_records(
    path: &Path,
    text: &str,
    format: Format,
    options: &ParseOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Article>, ParseError> {
    if format == Format::JsonLines {
        Ok(records::parse_json_lines(text, options, warnings))
    } else {
        records::parse_json(path, text, options, warnings)
    }
}

/// The one-article text layout, cut to `max_article_bytes` first.
fn parse_text(text: &str, options: &ParseOptions, warnings: &mut Vec<Warning>) -> Vec<Article> {
    let text = match truncate(text, options.max_article_bytes) {
        Some(cut) => {
            warnings.push(Warning::whole_file(format!(
                "article truncated to {}",
                indicatif::HumanBytes(options.max_article_bytes as u64)
            )));
            cut
        }
        None => text,
    };
    text_layout::parse(text, options.slash_dates, warnings).into_iter().collect()
}

/// Chooses the format of a file whose extension does not say.
fn sniff(text: &str) -> Format {
    match text.trim_start().chars().next() {
        Some('{') => json_kind(text),
        Some('[') => Format::Json,
        _ => Format::Text,
    }
}

/// JSON Lines or one JSON document. Pretty-printed JSON starts with a line that is only
/// `{` or `[`, while in JSON Lines the first line is a whole object: that tells them apart
/// even when a later line is broken. Misnamed `.json` files of JSON Lines are common, so
/// `.json` goes through this too.
fn json_kind(text: &str) -> Format {
    let mut lines = text.lines().map(str::trim).filter(|line| !line.is_empty());
    let (Some(first), Some(_second)) = (lines.next(), lines.next()) else {
        return Format::Json;
    };
    let first_is_whole =
        first.starts_with('{') && serde_json::from_str::<serde::de::IgnoredAny>(first).is_ok();
    let all_objects = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .all(|line| line.starts_with('{') && line.trim_end().ends_with('}'));
    if first_is_whole || all_objects { Format::JsonLines } else { Format::Json }
}

/// Whether a file's first bytes look like JSON records rather than a text article.
fn starts_like_records(bytes: &[u8]) -> bool {
    let prefix = bytes.get(..4096).unwrap_or(bytes);
    decode::decode(prefix, true)
        .is_ok_and(|decoded| matches!(decoded.text.trim_start().chars().next(), Some('{' | '[')))
}

#[cfg(test)]
#[allow(clippy::print_stderr)] // tests that need the shared corpora say why they skip
mod tests {
    use std::path::Path;

    use chrono::{DateTime, Utc};

    use std::io;

    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn parse(name: &str, bytes: &[u8]) -> Result<ParsedFile, ParseError> {
        parse_bytes(Path::new(name), bytes, &ParseOptions::default())
    }

    /// Warnings as printed: `line N: message` where the line is known.
    fn messages(parsed: &ParsedFile) -> Vec<String> {
        parsed.warnings.iter().map(ToString::to_string).collect()
    }

    /// The trailer JSON of [`seed_like`]: an escaped and a raw non-ASCII title.
    const TRAILER_JSON: &str = "[{\"id\":\"1\",\"sort\":\"2\",\"title\":\"VIDEO: Aid Convoy Reaches Town\"} ,\
        {\"id\":\"3\",\"pic\":\"/x.jpg\",\"title\":\"Libya\u{2019}s Sirte \\u00e9 Falls\"} ]";

    /// The seed's layout, with an invented article.
    fn seed_like() -> String {
        format!(
            "Rebels Retake Hill Town Near Aleppo\n\
            \n\
            Rebels Retake Hill Town Near Aleppo\n\
            Sun Sep 4, 2016 15:14:55\n\
            \n\
            Rebel groups said on Sunday they had retaken a hill town north of Aleppo.\n\
            \n\
            \"We hold the town,\" a commander said, adding that ISIL fighters had fled east.\n\
            \n\
            \n\
            string({}) \"{TRAILER_JSON}\"",
            TRAILER_JSON.len()
        )
    }

    #[test]
    fn the_seed_layout_gives_title_date_body_and_related_headlines() {
        let parsed = parse("seed.txt", seed_like().as_bytes()).unwrap();
        assert_eq!(parsed.warnings, []);
        let [article] = parsed.articles.as_slice() else { panic!("one article expected") };
        assert_eq!(article.title.as_deref(), Some("Rebels Retake Hill Town Near Aleppo"));
        assert_eq!(article.date, Some(utc("2016-09-04T15:14:55Z")));
        assert_eq!(
            article.body,
            "Rebel groups said on Sunday they had retaken a hill town north of Aleppo.\n\n\
             \"We hold the town,\" a commander said, adding that ISIL fighters had fled east."
        );
        assert!(!article.body.contains("string("));
        assert_eq!(article.related, ["VIDEO: Aid Convoy Reaches Town", "Libya’s Sirte é Falls"]);
        assert_eq!(article.record, None);
        assert_eq!(article.id, None);
    }

    #[test]
    fn crlf_and_bom_read_like_lf() {
        let crlf = seed_like().replace('\n', "\r\n");
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend(crlf.as_bytes());
        let lf = parse("a.txt", seed_like().as_bytes()).unwrap();
        assert_eq!(parse("a.txt", crlf.as_bytes()).unwrap(), lf);
        assert_eq!(parse("a.txt", &with_bom).unwrap(), lf);
    }

    #[test]
    fn windows_1252_articles_are_indexed_with_a_warning() {
        let parsed =
            parse("sport/199.txt", b"Cup final\n\nTickets cost \xA320 at the gate.\n").unwrap();
        assert_eq!(parsed.articles[0].title.as_deref(), Some("Cup final"));
        assert_eq!(parsed.articles[0].body, "Tickets cost £20 at the gate.");
        assert_eq!(messages(&parsed), ["decoded as windows-1252 (not valid utf-8)"]);
        assert_eq!(parsed.warnings[0].line, None);
    }

    #[test]
    fn utf16_articles_are_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Title\r\n\r\nBody text.".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let parsed = parse("a.txt", &bytes).unwrap();
        assert_eq!(parsed.articles[0].title.as_deref(), Some("Title"));
        assert_eq!(parsed.articles[0].body, "Body text.");
        assert_eq!(parsed.warnings, []);
    }

    #[test]
    fn binary_and_empty_files_are_errors_that_lead_with_the_path() {
        let error = parse("photos/a.txt", b"GIF89a\0\0\x01").unwrap_err();
        assert!(matches!(error, ParseError::Binary { .. }));
        assert_eq!(error.to_string(), "photos/a.txt: binary file (NUL bytes), not an article");
        for blank in [&b""[..], b"   \n\r\n\t", b"\xEF\xBB\xBF\n"] {
            let error = parse("a.txt", blank).unwrap_err();
            assert!(matches!(error, ParseError::Empty { .. }), "{blank:?}");
            assert_eq!(error.to_string(), "a.txt: empty file");
        }
        assert!(matches!(parse("a.json", b"\n \n").unwrap_err(), ParseError::Empty { .. }));
    }

    #[test]
    fn malformed_json_names_line_and_column_without_repeating_its_source() {
        let error = parse("x.json", b"{\n  \"title\": \"a\",\n  oops\n}").unwrap_err();
        let ParseError::Json { line, column, .. } = &error else { panic!("{error:?}") };
        assert_eq!((*line, *column), (3, 3));
        assert_eq!(error.to_string(), "x.json:3:3: malformed JSON");
        assert!(std::error::Error::source(&error).is_some());
        assert_eq!(error.path(), Path::new("x.json"));
    }

    #[test]
    fn sniffs_json_in_files_without_a_json_extension() {
        let lines = "{\"title\":\"A\",\"body\":\"one\"}\n{\"title\":\"B\",\"body\":\"two\"}\n";
        let parsed = parse("dump", lines.as_bytes()).unwrap();
        assert_eq!(parsed.articles.len(), 2);
        assert_eq!(parsed.articles[1].record, Some(2));
        let array = "[\n {\"title\":\"A\",\"text\":\"one\"}\n]";
        let parsed = parse("dump.txt", array.as_bytes()).unwrap();
        assert_eq!(parsed.articles[0].body, "one");
        assert_eq!(parsed.articles[0].record, Some(2));
        // A single object is one article, not a record of many.
        let parsed = parse("a.txt", b"{\"title\":\"A\",\"body\":\"one\"}").unwrap();
        assert_eq!(parsed.articles[0].record, None);
    }

    #[test]
    fn text_that_only_starts_like_json_is_read_as_text() {
        let parsed = parse("a.txt", b"[VIDEO] Rebels retake town\n\nBody.").unwrap();
        assert_eq!(parsed.articles[0].title.as_deref(), Some("[VIDEO] Rebels retake town"));
        assert_eq!(parsed.articles[0].body, "Body.");
        assert_eq!(
            messages(&parsed),
            [
                "starts like JSON but is not (expected value at line 1 column 2); read as a text article"
            ]
        );
    }

    #[test]
    fn misnamed_json_lines_in_a_json_file_are_read_as_lines() {
        let text = "{\"title\":\"A\",\"body\":\"one\"}\n{\"title\":\"B\",\"body\":\"two\"}";
        let parsed = parse("a.json", text.as_bytes()).unwrap();
        assert_eq!(parsed.articles.len(), 2);
    }

    #[test]
    fn long_text_articles_are_cut_at_a_character_boundary() {
        let options = ParseOptions { max_article_bytes: 20, ..ParseOptions::default() };
        // `é` is two bytes; the fifth one straddles byte 20.
        let text = "Title\nbody ééééééééé and more";
        let parsed = parse_bytes(Path::new("a.txt"), text.as_bytes(), &options).unwrap();
        assert_eq!(parsed.articles[0].body, "body éééé");
        assert_eq!(messages(&parsed), ["article truncated to 20 B"]);
    }

    #[test]
    fn parse_file_reads_no_more_of_a_text_file_than_it_keeps() {
        let dir = tempfile::tempdir().unwrap();
        let options = ParseOptions { max_article_bytes: 32, ..ParseOptions::default() };
        let text_path = dir.path().join("long.txt");
        let mut text = "Title\n\nLibya’s ".to_owned();
        text.push_str(&"word ".repeat(1000));
        std::fs::write(&text_path, &text).unwrap();
        let parsed = parse_file(&text_path, &options).unwrap();
        assert_eq!(parsed.articles[0].body, "Libya’s word word word");
        assert_eq!(messages(&parsed), ["article truncated to 32 B"]);

        // JSON records in a `.txt` are read whole even past the limit.
        let records_path = dir.path().join("records.txt");
        let line = "{\"title\":\"Libya’s war\",\"body\":\"a long body of text\"}\n";
        std::fs::write(&records_path, line.repeat(10)).unwrap();
        let parsed = parse_file(&records_path, &options).unwrap();
        assert_eq!(parsed.articles.len(), 10);
        assert_eq!(parsed.warnings, []);
    }

    #[test]
    fn parse_file_reports_unreadable_files() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.txt");
        let error = parse_file(&missing, &ParseOptions::default()).unwrap_err();
        assert!(
            matches!(&error, ParseError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
        );
        assert_eq!(error.to_string(), format!("{}: cannot read", missing.display()));
        // A directory opens on Linux but cannot be read.
        let error = parse_file(dir.path(), &ParseOptions::default()).unwrap_err();
        assert!(matches!(error, ParseError::Io { .. }));
    }

    #[test]
    fn a_file_with_nothing_but_a_date_has_no_articles() {
        let error = parse("a.txt", b"Sun Sep 4, 2016 15:14:55\n").unwrap_err();
        assert!(matches!(error, ParseError::NoArticles { .. }));
        assert_eq!(error.to_string(), "a.txt: no articles found");
    }

    #[test]
    fn never_panics_on_awkward_bytes() {
        let inputs: [&[u8]; 10] = [
            b"\xFF\xFE",
            b"\xFE\xFF\x00",
            b"string(5) \"[{",
            b"T\n\nstring(99999999999999999999999) \"[{\"title\":\"x\"}]\"",
            b"{",
            b"[",
            b"\"",
            b"\x80\x81\x82\n\n\xFF",
            b"T\n\nstring(3) \"{\"\\\"\\",
            b"T\nSun\nMon 1\n\n\n\n",
        ];
        for bytes in inputs {
            for name in ["a.txt", "a.json", "a.jsonl", "a.csv"] {
                let _ = parse(name, bytes);
            }
        }
    }

    /// Pieces that steer random input into the parsers' corner cases.
    fn fragments() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            Just("string(12) \"".to_owned()),
            Just("[{\"title\":\"".to_owned()),
            Just("\"} ,{".to_owned()),
            Just("]\"".to_owned()),
            Just("Sun Sep 4, 2016 15:14:55".to_owned()),
            Just("Sun Sep 44, 2016".to_owned()),
            Just("title,body,id,date\n".to_owned()),
            Just("\",\"".to_owned()),
            Just("{\"id\": 1, \"body\": [\"".to_owned()),
            Just("\\u00e9\\".to_owned()),
            Just("\r\n".to_owned()),
            Just("\n\n".to_owned()),
            "[a-z é’{}\\[\\]\",:0-9]{0,12}",
        ];
        proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let options = ParseOptions { max_article_bytes: 100, ..ParseOptions::default() };
            for name in ["a.txt", "a.json", "a.jsonl", "a.csv", "a"] {
                let _ = parse_bytes(Path::new(name), &bytes, &options);
            }
        }

        #[test]
        fn structured_text_never_panics(text in fragments(), limit in 0_usize..200) {
            let options = ParseOptions { max_article_bytes: limit, ..ParseOptions::default() };
            for name in ["a.txt", "a.json", "a.jsonl", "a.csv"] {
                if let Ok(parsed) = parse_bytes(Path::new(name), text.as_bytes(), &options) {
                    proptest::prop_assert!(!parsed.articles.is_empty());
                    if name == "a.txt" {
                        for article in &parsed.articles {
                            proptest::prop_assert!(article.body.len() <= limit);
                        }
                    }
                }
            }
        }
    }

    /// `../shared/corpora` beside the repository, if this machine has it.
    fn corpora() -> Option<std::path::PathBuf> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
        if path.is_dir() {
            Some(path)
        } else {
            // CI always has it: there, a skip would pass without testing.
            assert!(std::env::var_os("CI").is_none(), "CI must have {}", path.display());
            eprintln!("skipped: {} not found", path.display());
            None
        }
    }

    #[test]
    fn the_seed_file_has_six_related_headlines() {
        let Some(corpora) = corpora() else { return };
        let seed = corpora.join("../seeds/000_eb01103cdc812aa0.txt");
        if !seed.is_file() {
            eprintln!("skipped: {} not found", seed.display());
            return;
        }
        let parsed = parse_file(&seed, &ParseOptions::default()).unwrap();
        assert_eq!(parsed.warnings, []);
        let [article] = parsed.articles.as_slice() else { panic!("one article expected") };
        assert_eq!(
            article.title.as_deref(),
            Some("Pro-Government Forces in Libya Attack ISIS Leftovers in Sirte")
        );
        assert_eq!(article.date, Some(utc("2016-09-04T15:14:55Z")));
        assert_eq!(article.related.len(), 6);
        assert_eq!(
            article.related[1],
            "Frontline VIDEO: Islamic State on the Brink of Total Defeat in Libya’s Sirte"
        );
        assert!(article.body.starts_with("Forces loyal to Libya's Government"));
        assert!(article.body.ends_with("FNA reported."));
    }

    #[test]
    fn fa_kes_csv_gives_792_articles_with_dates() {
        let Some(corpora) = corpora() else { return };
        let path = corpora.join("fakes/FA-KES-Dataset.csv");
        let parsed = parse_file(&path, &ParseOptions::default()).unwrap();
        assert_eq!(parsed.articles.len(), 792);
        assert!(parsed.articles.iter().all(|article| article.date.is_some()));
        assert!(parsed.articles.iter().all(|article| article.title.is_some()));
        assert!(parsed.articles.iter().all(|article| !article.body.is_empty()));
        let duplicates =
            messages(&parsed).into_iter().filter(|m| m.contains(" repeats id ")).count();
        assert_eq!(duplicates, 12);
        assert_eq!(messages(&parsed)[0], "decoded as windows-1252 (not valid utf-8)");
        assert_eq!(parsed.warnings.len(), 13, "{:#?}", parsed.warnings);
        let first = &parsed.articles[0];
        assert_eq!(first.id.as_deref(), Some("1914947530"));
        assert_eq!(first.record, Some(2));
        assert_eq!(first.source.as_deref(), Some("nna"));
        assert_eq!(first.date, Some(utc("2017-04-05T00:00:00Z")));
    }

    #[test]
    fn the_seed_format_corpus_parses_cleanly() {
        let Some(corpora) = corpora() else { return };
        let dir = corpora.join("fakes-seedformat/articles");
        let mut trailers = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let parsed = parse_file(&path, &ParseOptions::default()).unwrap();
            assert_eq!(parsed.warnings, [], "{}", path.display());
            let [article] = parsed.articles.as_slice() else { panic!("{}", path.display()) };
            assert!(article.date.is_some(), "{}", path.display());
            assert!(!article.body.contains("string("), "{}", path.display());
            trailers += usize::from(!article.related.is_empty());
        }
        assert_eq!(trailers, 382);
    }
}
