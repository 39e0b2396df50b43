//! Part of stage 2 (parse): a WARC archive (`.warc`, or `.warc.gz` with one gzip member
//! per record, as Common Crawl, the Internet Archive, browsertrix and `wget --warc-file`
//! write them) → one article per HTTP response that holds a web page.
//!
//! A record is a `WARC/1.x` line, header lines up to a blank line, `Content-Length`
//! bytes of content and a blank line. Only `response` (and `resource`) records can hold
//! a page; a response's content is the HTTP message as received: status line, headers,
//! body (de-chunked and unzipped here if the crawler kept it so). An article's id is the
//! record's `WARC-Record-ID` without its angle brackets, its url the `WARC-Target-URI`,
//! its date the page's own, else the `WARC-Date` (when it was fetched, which for news is
//! usually within a day of publication), and its `offset` where the record (its gzip
//! member) starts in the archive, so `dd`/`zcat` or a WARC tool can find it again.
//!
//! The archive is read one record at a time (memory stays at a batch of pages, not the
//! archive), and the pages of each batch are extracted on `ParseOptions::warc_threads`
//! threads: one large archive keeps every core busy. Records that are not pages are
//! counted by kind ([`WarcCounts`]); a damaged record ends the reading with a warning,
//! and the articles before it are kept.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use chrono::{DateTime, Utc};

use super::html::{self, PageError};
use crate::corpus::article::{Article, ParseError, ParseOptions, ParsedFile, WarcCounts, Warning};
use crate::extract::looks_like_html;

/// Pages extracted together; enough for every thread to have work, few enough that
/// memory stays small.
const BATCH_PAGES: usize = 64;

/// Whether `path` names a WARC archive, and whether it is gzipped.
pub(crate) fn kind(path: &Path) -> Option<bool> {
    let is = |path: &Path, extension: &str| {
        path.extension().is_some_and(|found| found.eq_ignore_ascii_case(extension))
    };
    if is(path, "warc") {
        Some(false)
    } else if (is(path, "gz") || is(path, "gzip")) && is(Path::new(path.file_stem()?), "warc") {
        Some(true)
    } else {
        None
    }
}

/// Reads the WARC archive at `path`.
pub(crate) fn parse_file(
    path: &Path,
    gzipped: bool,
    options: &ParseOptions,
) -> Result<ParsedFile, ParseError> {
    let file =
        File::open(path).map_err(|source| ParseError::Io { path: path.to_owned(), source })?;
    let mut archive = Counting { inner: BufReader::with_capacity(1 << 16, file), position: 0 };
    let mut reader = Reader { options, counts: WarcCounts::default(), pending: Vec::new() };
    let mut parsed = ParsedFile::default();
    let result = if gzipped {
        read_gzip_members(&mut archive, &mut reader, &mut parsed)
    } else {
        read_records(&mut archive, None, &mut reader, &mut parsed)
    };
    reader.flush(&mut parsed);
    if let Err((offset, source)) = result {
        if parsed.articles.is_empty() && reader.counts == WarcCounts::default() {
            return Err(ParseError::Damaged {
                path: path.to_owned(),
                what: "WARC archive",
                source,
            });
        }
        parsed.warnings.push(Warning::whole_file(format!(
            "damaged at byte {offset} ({source}); the records after it are not read"
        )));
    }
    reader.counts.articles = parsed.articles.len() as u64;
    if parsed.articles.is_empty() {
        let counts = reader.counts;
        return Err(ParseError::NoArticles {
            path: path.to_owned(),
            why: Some(format!(
                "no web page with an article among its records: {} not HTML, {} redirects, \
                 {} errors, {} pages without an article, {} other records",
                counts.not_html,
                counts.redirects,
                counts.errors,
                counts.no_article,
                counts.other_records
            )),
        });
    }
    parsed.warc = Some(reader.counts);
    Ok(parsed)
}

/// A damaged archive: where, and what was wrong.
type Damage = (u64, io::Error);

/// Each gzip member in turn, each read for the records it holds (one, as Common Crawl
/// writes them, or several).
fn read_gzip_members(
    archive: &mut Counting<BufReader<File>>,
    reader: &mut Reader<'_>,
    parsed: &mut ParsedFile,
) -> Result<(), Damage> {
    loop {
        let start = archive.position;
        let at_end = archive.fill_buf().map_err(|error| (start, error))?.is_empty();
        if at_end {
            return Ok(());
        }
        let member = BufReader::new(flate2::bufread::GzDecoder::new(&mut *archive));
        let mut member = Counting { inner: member, position: 0 };
        read_records(&mut member, Some(start), reader, parsed)?;
        // The decoder stops at its member's end; a member whose data ends early leaves
        // the archive where it was, which must not loop for ever.
        if archive.position == start {
            return Err((start, io::Error::new(io::ErrorKind::InvalidData, "not gzip data")));
        }
    }
}

/// The records of `input`. `member` is where `input`'s gzip member starts in the archive
/// (every record in it is found at that offset); `None` for a plain `.warc`, whose
/// records are found at their own positions.
fn read_records(
    input: &mut Counting<impl BufRead>,
    member: Option<u64>,
    reader: &mut Reader<'_>,
    parsed: &mut ParsedFile,
) -> Result<(), Damage> {
    loop {
        // The blank lines that end the previous record are not part of this one.
        skip_line_ends(input).map_err(|error| (member.unwrap_or(input.position), error))?;
        let offset = member.unwrap_or(input.position);
        let record = match read_record(input, reader.options.max_unpacked_bytes) {
            Ok(Some(record)) => record,
            Ok(None) => return Ok(()),
            Err(error) => return Err((offset, error)),
        };
        reader.take(record, offset, parsed);
    }
}

/// Consumes the line ends at the reader's position.
fn skip_line_ends(input: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buffer = input.fill_buf()?;
        let ends = buffer.iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
        if ends == 0 {
            return Ok(());
        }
        input.consume(ends);
    }
}

/// One record's headers and content.
struct Record {
    headers: Vec<(String, String)>,
    /// `None` when the content was longer than the cap (skipped over).
    content: Option<Vec<u8>>,
}

impl Record {
    fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
}

/// The next record, or `None` at the end of the input.
fn read_record(input: &mut impl BufRead, max: usize) -> io::Result<Option<Record>> {
    let mut line = Vec::new();
    // Blank lines end the previous record (two of them); a stray one more is harmless.
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        if !line.trim_ascii().is_empty() {
            break;
        }
    }
    if !line.starts_with(b"WARC/") {
        return Err(invalid("expected a `WARC/1.0` line"));
    }
    let headers = read_headers(input)?;
    let length = header(&headers, "Content-Length")
        .and_then(|length| length.trim().parse::<u64>().ok())
        .ok_or_else(|| invalid("record without a Content-Length"))?;
    let mut content = input.take(length);
    let content = if usize::try_from(length).is_ok_and(|length| length <= max) {
        let mut bytes = Vec::new();
        content.read_to_end(&mut bytes)?;
        Some(bytes)
    } else {
        io::copy(&mut content, &mut io::sink())?;
        None
    };
    if content.as_ref().is_some_and(|bytes| (bytes.len() as u64) < length) {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "record cut short"));
    }
    Ok(Some(Record { headers, content }))
}

/// `Name: value` lines up to a blank line (continuation lines are joined on).
fn read_headers(input: &mut impl BufRead) -> io::Result<Vec<(String, String)>> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "headers cut short"));
        }
        let text = String::from_utf8_lossy(&line);
        if text.trim().is_empty() {
            return Ok(headers);
        }
        if text.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(text.trim());
            }
            continue;
        }
        if let Some((name, value)) = text.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

/// A page waiting in the batch.
struct Pending {
    offset: u64,
    id: Option<String>,
    url: Option<String>,
    fetched: Option<DateTime<Utc>>,
    charset: Option<String>,
    body: Vec<u8>,
}

/// Sorts records, and extracts the pages in batches.
struct Reader<'o> {
    options: &'o ParseOptions,
    counts: WarcCounts,
    pending: Vec<Pending>,
}

impl Reader<'_> {
    /// Counts `record`, or queues its page.
    fn take(&mut self, record: Record, offset: u64, parsed: &mut ParsedFile) {
        let kind = record.header("WARC-Type").unwrap_or_default().to_ascii_lowercase();
        let id = record
            .header("WARC-Record-ID")
            .map(|id| id.trim().trim_start_matches('<').trim_end_matches('>').to_owned());
        let url =
            record.header("WARC-Target-URI").map(|url| url.trim_matches(['<', '>']).to_owned());
        let fetched = record
            .header("WARC-Date")
            .and_then(|date| DateTime::parse_from_rfc3339(date.trim()).ok())
            .map(|date| date.with_timezone(&Utc));
        let record_type = record.header("Content-Type").unwrap_or_default().to_ascii_lowercase();
        let Some(content) = record.content else {
            // Longer than any page newsearch reads: a video, a dump.
            self.counts.not_html += u64::from(kind == "response" || kind == "resource");
            self.counts.other_records += u64::from(kind != "response" && kind != "resource");
            return;
        };
        let (body, charset) = match kind.as_str() {
            // Some writers leave the record's Content-Type out; the message says what it is.
            "response"
                if record_type.starts_with("application/http") || content.starts_with(b"HTTP/") =>
            {
                match http_page(&content, self.options.max_unpacked_bytes) {
                    Ok(page) => page,
                    Err(Passed::NotHtml) => {
                        self.counts.not_html += 1;
                        return;
                    }
                    Err(Passed::Redirect) => {
                        self.counts.redirects += 1;
                        return;
                    }
                    Err(Passed::Error) => {
                        self.counts.errors += 1;
                        return;
                    }
                }
            }
            // A page archived as it is (browsertrix, `warcit`), without HTTP around it.
            "resource" | "response" if is_html_type(&record_type) || looks_like_html(&content) => {
                (content, charset_of(&record_type))
            }
            "resource" | "response" => {
                self.counts.not_html += 1;
                return;
            }
            _ => {
                self.counts.other_records += 1;
                return;
            }
        };
        self.pending.push(Pending { offset, id, url, fetched, charset, body });
        if self.pending.len() >= BATCH_PAGES {
            self.flush(parsed);
        }
    }

    /// Extracts the queued pages, on several threads, into articles in archive order.
    fn flush(&mut self, parsed: &mut ParsedFile) {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() {
            return;
        }
        let options = self.options;
        let threads = options.warc_threads.clamp(1, pending.len());
        let chunk = pending.len().div_ceil(threads);
        let results: Vec<(Result<Article, PageError>, Vec<Warning>, u64)> =
            std::thread::scope(|scope| {
                let handles: Vec<_> = pending
                    .chunks(chunk)
                    .map(|pages| {
                        scope.spawn(move || {
                            pages.iter().map(|page| extract(page, options)).collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|handle| {
                        // A panic in the extractor is a bug; the pages of that thread are
                        // lost, not the archive.
                        handle.join().unwrap_or_default()
                    })
                    .collect()
            });
        for (result, warnings, offset) in results {
            for warning in warnings {
                parsed
                    .warnings
                    .push(Warning::whole_file(format!("record at byte {offset}: {warning}")));
            }
            match result {
                Ok(article) => parsed.articles.push(article),
                Err(PageError::NotAnArticle(_) | PageError::Binary) => self.counts.no_article += 1,
            }
        }
    }
}

/// One page of the batch → its article (with the record's id, url, date and offset).
fn extract(
    page: &Pending,
    options: &ParseOptions,
) -> (Result<Article, PageError>, Vec<Warning>, u64) {
    let mut warnings = Vec::new();
    let result = html::parse(
        &page.body,
        page.charset.as_deref(),
        page.url.as_deref(),
        options,
        &mut warnings,
    )
    .map(|article| Article {
        id: page.id.clone(),
        url: page.url.clone().or(article.url),
        date: article.date.or(page.fetched),
        offset: Some(page.offset),
        ..article
    });
    (result, warnings, page.offset)
}

/// Why an HTTP response gave no page.
enum Passed {
    NotHtml,
    Redirect,
    Error,
}

/// The body of an HTTP response and the charset its headers name, if it is a page.
fn http_page(content: &[u8], max: usize) -> Result<(Vec<u8>, Option<String>), Passed> {
    let mut input = content;
    let mut status_line = Vec::new();
    input.read_until(b'\n', &mut status_line).map_err(|_| Passed::Error)?;
    let status = String::from_utf8_lossy(&status_line);
    let code = status.split_whitespace().nth(1).and_then(|code| code.parse::<u16>().ok());
    let headers = read_headers(&mut input).map_err(|_| Passed::Error)?;
    match code {
        Some(200..=299) => {}
        Some(300..=399) => return Err(Passed::Redirect),
        _ => return Err(Passed::Error),
    }
    let content_type = header(&headers, "Content-Type").unwrap_or_default().to_ascii_lowercase();
    let mut body = input.to_vec();
    if header(&headers, "Transfer-Encoding").is_some_and(|te| te.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body);
    }
    if let Some(encoding) = header(&headers, "Content-Encoding") {
        let encoding = encoding.trim().to_ascii_lowercase();
        if encoding == "gzip" || encoding == "x-gzip" {
            let mut unpacked = Vec::new();
            let limit = u64::try_from(max).unwrap_or(u64::MAX);
            flate2::read::MultiGzDecoder::new(&body[..])
                .take(limit)
                .read_to_end(&mut unpacked)
                .map_err(|_| Passed::Error)?;
            body = unpacked;
        } else if encoding != "identity" {
            // Brotli, deflate: not what crawlers keep; not read.
            return Err(Passed::NotHtml);
        }
    }
    let html =
        if content_type.is_empty() { looks_like_html(&body) } else { is_html_type(&content_type) };
    if !html {
        return Err(Passed::NotHtml);
    }
    Ok((body, charset_of(&content_type)))
}

fn is_html_type(content_type: &str) -> bool {
    content_type.starts_with("text/html") || content_type.starts_with("application/xhtml")
}

/// `charset=...` of a `Content-Type` value.
fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').find_map(|part| {
        let (name, value) = part.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']).to_owned())
    })
}

/// A chunked HTTP body, joined; a malformed chunk ends it.
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let mut size_line = Vec::new();
        if body.read_until(b'\n', &mut size_line).unwrap_or(0) == 0 {
            return out;
        }
        let size_text = String::from_utf8_lossy(&size_line);
        let size_text = size_text.trim().split(';').next().unwrap_or_default();
        let Ok(size) = usize::from_str_radix(size_text, 16) else { return out };
        if size == 0 || size > body.len() {
            out.extend_from_slice(&body[..size.min(body.len())]);
            return out;
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size..];
        body = body.strip_prefix(b"\r\n").or_else(|| body.strip_prefix(b"\n")).unwrap_or(body);
    }
}

/// A `BufRead` that counts the bytes its user consumed: where in the archive the next
/// gzip member (or record) starts.
struct Counting<R> {
    inner: R,
    position: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.position += read as u64;
        Ok(read)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.position += amount as u64;
        self.inner.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const PAGE: &str = "<html lang=en><head><title>Convoy reaches Aleppo - Example News</title>\
        <meta property=\"article:published_time\" content=\"2016-09-04T10:00:00Z\"></head><body>\
        <nav><a href=/>Home</a></nav><article><h1>Convoy reaches Aleppo</h1>\
        <p>An aid convoy of forty trucks reached the eastern districts of Aleppo on Sunday \
        after a week of talks over the road north of the city, officials said.</p>\
        <p>The trucks carried flour, medicine and fuel for the hospitals, which had run \
        their generators for only a few hours a day since the siege began.</p></article>\
        </body></html>";

    fn record(kind: &str, id: &str, content_type: &str, content: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{id}>\r\n\
             WARC-Date: 2016-09-05T08:00:00Z\r\nWARC-Target-URI: https://example.com/{id}\r\n\
             Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            content.len()
        )
        .into_bytes();
        out.extend_from_slice(content);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    fn response(id: &str, status: &str, content_type: &str, body: &str) -> Vec<u8> {
        let http = format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n\r\n{body}");
        record("response", id, "application/http; msgtype=response", http.as_bytes())
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn records() -> Vec<Vec<u8>> {
        vec![
            record("warcinfo", "0", "application/warc-fields", b"software: test\r\n"),
            record("request", "1", "application/http; msgtype=request", b"GET / HTTP/1.1\r\n\r\n"),
            response("2", "200 OK", "text/html; charset=utf-8", PAGE),
            response("3", "404 Not Found", "text/html", "<html><body>gone</body></html>"),
            response("4", "301 Moved Permanently", "text/html", ""),
            response("5", "200 OK", "image/png", "PNG"),
        ]
    }

    #[test]
    fn plain_and_gzipped_archives_give_the_same_article_at_their_offsets() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("crawl.warc");
        std::fs::write(&plain, records().concat()).unwrap();
        let gzipped = dir.path().join("crawl.warc.gz");
        let members: Vec<Vec<u8>> = records().iter().map(|r| gzip(r)).collect();
        std::fs::write(&gzipped, members.concat()).unwrap();
        let options = ParseOptions::default();
        for (path, is_gz) in [(&plain, false), (&gzipped, true)] {
            assert_eq!(kind(path), Some(is_gz));
            let parsed = parse_file(path, is_gz, &options).unwrap();
            let [article] = parsed.articles.as_slice() else { panic!("{parsed:?}") };
            assert_eq!(article.id.as_deref(), Some("urn:uuid:2"));
            assert_eq!(article.url.as_deref(), Some("https://example.com/2"));
            assert_eq!(article.title.as_deref(), Some("Convoy reaches Aleppo"));
            assert_eq!(article.date.unwrap().to_rfc3339(), "2016-09-04T10:00:00+00:00");
            let offset = article.offset.unwrap() as usize;
            let expected = if is_gz {
                members[..2].iter().map(Vec::len).sum::<usize>()
            } else {
                records()[..2].iter().map(Vec::len).sum::<usize>()
            };
            assert_eq!(offset, expected);
            assert_eq!(
                parsed.warc,
                Some(WarcCounts {
                    articles: 1,
                    not_html: 1,
                    redirects: 1,
                    errors: 1,
                    no_article: 0,
                    other_records: 2
                })
            );
        }
    }

    #[test]
    fn a_page_without_its_own_date_takes_the_fetch_date() {
        let page = PAGE.replace("article:published_time", "x");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.warc");
        std::fs::write(&path, response("9", "200 OK", "text/html", &page)).unwrap();
        let parsed = parse_file(&path, false, &ParseOptions::default()).unwrap();
        assert_eq!(parsed.articles[0].date.unwrap().to_rfc3339(), "2016-09-05T08:00:00+00:00");
    }

    #[test]
    fn damage_keeps_what_came_before_and_an_archive_of_no_pages_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.warc.gz");
        let mut bytes = gzip(&response("2", "200 OK", "text/html", PAGE));
        let second = gzip(&response("3", "200 OK", "text/html", PAGE));
        bytes.extend_from_slice(&second[..second.len() / 2]);
        std::fs::write(&path, &bytes).unwrap();
        let parsed = parse_file(&path, true, &ParseOptions::default()).unwrap();
        assert_eq!(parsed.articles.len(), 1);
        assert!(
            parsed.warnings[0].message.starts_with("damaged at byte "),
            "{:?}",
            parsed.warnings
        );

        let garbage = dir.path().join("garbage.warc");
        std::fs::write(&garbage, b"not a warc at all\n").unwrap();
        let error = parse_file(&garbage, false, &ParseOptions::default()).unwrap_err();
        assert_eq!(error.to_string(), format!("{}: damaged WARC archive", garbage.display()));

        let errors_only = dir.path().join("errors.warc");
        std::fs::write(&errors_only, response("3", "404 Not Found", "text/html", "x")).unwrap();
        let error = parse_file(&errors_only, false, &ParseOptions::default()).unwrap_err();
        assert!(error.to_string().contains("1 errors"), "{error}");
    }

    #[test]
    fn a_response_without_a_record_content_type_is_read_as_http() {
        let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{PAGE}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bare.warc");
        let record = record("response", "7", "", http.as_bytes()).into_iter().collect::<Vec<u8>>();
        let record = String::from_utf8(record).unwrap().replace("Content-Type: \r\n", "");
        std::fs::write(&path, record).unwrap();
        let parsed = parse_file(&path, false, &ParseOptions::default()).unwrap();
        assert_eq!(parsed.articles[0].title.as_deref(), Some("Convoy reaches Aleppo"));
    }

    #[test]
    fn chunked_and_gzipped_bodies_are_read() {
        let body = gzip(PAGE.as_bytes());
        let mut http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\
            Transfer-Encoding: chunked\r\n\r\n"
            .to_vec();
        let (a, b) = body.split_at(10);
        for part in [a, b] {
            http.extend(format!("{:x}\r\n", part.len()).bytes());
            http.extend_from_slice(part);
            http.extend_from_slice(b"\r\n");
        }
        http.extend_from_slice(b"0\r\n\r\n");
        let (page, charset) = http_page(&http, 1 << 20).ok().unwrap();
        assert_eq!(page, PAGE.as_bytes());
        assert_eq!(charset, None);
    }
}
