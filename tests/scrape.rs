//! Real scrape folders (issue 13): saved web pages, compressed files, WARC archives
//! and crawlers' JSON, indexed by the real binary and read back with `show`.

use std::io::{Read, Write};

use serde_json::Value;

use crate::util::{self, Workdir};

/// A news page of our own, with the metadata a publisher's template carries.
fn page(title: &str, date: &str, paragraphs: &[&str]) -> String {
    let body = paragraphs.join("</p>\n<p>");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title} | Harbour Gazette</title>\
         <meta property=\"og:site_name\" content=\"Harbour Gazette\">\
         <meta name=\"author\" content=\"Mara Lindqvist\">\
         <meta property=\"article:published_time\" content=\"{date}\">\
         <link rel=\"canonical\" href=\"https://harbour.example/news/{slug}\">\
         <script>window.dataLayer=[];gtag('config','x');</script></head>\
         <body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a> cookie settings</nav>\
         <article><h1>{title}</h1>\n<p>{body}</p>\n</article>\
         <footer>Copyright Harbour Gazette. Accept all cookies.</footer></body></html>",
        slug = title.to_lowercase().replace(' ', "-")
    )
}

fn convoy_page() -> String {
    page(
        "Aid convoy reaches Aleppo",
        "2016-09-04T10:00:00+02:00",
        &[
            "An aid convoy of forty trucks reached the eastern districts of Aleppo on Sunday \
             after a week of talks over the road north of the city, officials said.",
            "The trucks carried flour, medicine and fuel for the hospitals, which had run their \
             generators for only a few hours a day since the siege began in July.",
            "Daesh fighters shelled the road twice during the night, a spokesman said, but no \
             vehicle was hit and the drivers returned before dawn.",
        ],
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

/// A WARC record, as warcio and Common Crawl write them.
fn warc_record(kind: &str, id: &str, uri: &str, content_type: &str, content: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{id}>\r\n\
         WARC-Date: 2016-09-06T12:00:00Z\r\nWARC-Target-URI: {uri}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        content.len()
    )
    .into_bytes();
    out.extend_from_slice(content);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn http_response(id: &str, uri: &str, status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut http = format!("HTTP/1.1 {status}\r\n{headers}\r\n").into_bytes();
    http.extend_from_slice(body);
    warc_record("response", id, uri, "application/http; msgtype=response", &http)
}

/// A `.warc.gz`: one gzip member per record.
fn warc_gz(records: &[Vec<u8>]) -> Vec<u8> {
    records.iter().flat_map(|record| gzip(record)).collect()
}

fn show_schema() -> jsonschema::Validator {
    crate::util::schema_validator("show.v1.schema.json")
}

fn index_schema() -> jsonschema::Validator {
    crate::util::schema_validator("index.v2.schema.json")
}

/// `index --format json`, checked against its schema.
fn index_json(wd: &Workdir, args: &[&str]) -> Value {
    let all = [&["index"], args, &["--format", "json"]].concat();
    let summary = wd.run(&all).success().json();
    let errors: Vec<String> = index_schema().iter_errors(&summary).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{summary}: {errors:?}");
    summary
}

/// `show --format json` of `ids`, each line checked against its schema.
fn show_json(wd: &Workdir, ids: &[&str]) -> Vec<Value> {
    let all = [&["show", "--format", "json"], ids].concat();
    let out = wd.run(&all).success();
    let schema = show_schema();
    out.stdout
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).unwrap();
            let errors: Vec<String> = schema.iter_errors(&value).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{value}: {errors:?}");
            value
        })
        .collect()
}

fn skipped_reasons(summary: &Value) -> Vec<(String, String)> {
    summary["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let path = s["path"].as_str().unwrap();
            let name = path.rsplit('/').next().unwrap().to_owned();
            (name, s["reason"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn saved_web_pages_become_articles_without_their_boilerplate() {
    let wd = Workdir::new();
    wd.write("scrape/gazette/convoy.html", convoy_page());
    // No extension, but HTML inside; and a login wall, which holds no article.
    wd.write("scrape/gazette/saved-page", convoy_page().replace("Aid convoy", "Second convoy"));
    wd.write(
        "scrape/gazette/login.htm",
        "<html><head><title>Sign in</title></head><body><nav><a href=/>Home</a></nav>\
         <form><input name=user><input type=password><button>Log in</button></form></body></html>",
    );
    let summary = index_json(&wd, &["scrape"]);
    assert_eq!(summary["added"], 2, "{summary}");
    assert_eq!(
        skipped_reasons(&summary),
        [("login.htm".to_owned(), "no article text found (index page or login wall?)".to_owned())]
    );
    let [article] = show_json(&wd, &["scrape/gazette/convoy.html"]).try_into().unwrap();
    assert_eq!(article["title"], "Aid convoy reaches Aleppo");
    assert_eq!(article["date"], "2016-09-04T08:00:00Z");
    assert_eq!(article["source"], "Harbour Gazette");
    assert_eq!(article["url"], "https://harbour.example/news/aid-convoy-reaches-aleppo");
    assert_eq!(article["author"], "Mara Lindqvist");
    assert_eq!(article["language"], "en");
    assert_eq!(article["offset"], Value::Null);
    let body = article["body"].as_str().unwrap();
    assert!(body.starts_with("An aid convoy of forty trucks"), "{body}");
    assert!(
        body.contains(
            "generators for only a few hours a day since the siege began in July.\n\nDaesh"
        ),
        "{body}"
    );
    for boilerplate in ["dataLayer", "gtag", "cookie", "Copyright", "Home"] {
        assert!(!body.contains(boilerplate), "{boilerplate} in {body}");
    }
    // The markup is not indexed: no page matches its scripts or banners.
    assert_eq!(
        wd.query_ids(&["gtag OR dataLayer OR cookie OR DOCTYPE", "--any"]),
        Vec::<String>::new()
    );
    // Entity aliases work on the extracted text.
    assert_eq!(wd.query_ids(&["ISIS"]).len(), 2);
}

#[test]
fn a_declared_legacy_charset_is_read_as_declared() {
    let wd = Workdir::new();
    let html = convoy_page().replace("charset=\"utf-8\"", "charset=\"windows-1251\"").replace(
        "officials said.",
        "officials said, quoting the governor: \u{201c}Мы ждали эту колонну\u{201d}.",
    );
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&html);
    wd.write("scrape/ru.html", &bytes);
    index_json(&wd, &["scrape"]);
    let [article] = show_json(&wd, &["scrape/ru.html"]).try_into().unwrap();
    assert!(article["body"].as_str().unwrap().contains("Мы ждали эту колонну"), "{article}");
}

#[test]
fn compressed_files_are_read_as_the_file_inside_and_damaged_ones_skipped() {
    let wd = Workdir::new();
    let lines = "{\"title\": \"Port reopens\", \"text\": \"The port of Hodeidah reopened to grain ships.\", \"date\": \"2017-06-24\"}\n\
                 {\"title\": \"Cholera spreads\", \"text\": \"Cases rose in the city for a third week.\", \"date\": \"2017-06-25\"}\n";
    wd.write("scrape/feed/articles.jsonl.gz", gzip(lines.as_bytes()));
    wd.write("scrape/feed/page.html.gz", gzip(convoy_page().as_bytes()));
    wd.write(
        "scrape/feed/story.txt.gz",
        gzip(b"Ceasefire holds in Sirte\n\n2016-09-10\n\nThe ceasefire held for a second day.\n"),
    );
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    bz.write_all(b"Truce talks resume\n\n2016-09-11\n\nEnvoys met in Geneva.\n").unwrap();
    wd.write("scrape/feed/talks.txt.bz2", bz.finish().unwrap());
    wd.write(
        "scrape/feed/notes.txt.zst",
        zstd::encode_all(&b"Road cleared\n\nThe road north was cleared of mines.\n"[..], 3)
            .unwrap(),
    );
    let whole = gzip(convoy_page().as_bytes());
    wd.write("scrape/feed/broken.html.gz", &whole[..whole.len() / 2]);
    wd.write("scrape/feed/backup.tar.gz", gzip(b"not read"));
    let summary = index_json(&wd, &["scrape"]);
    assert_eq!(summary["added"], 6, "{summary}");
    assert_eq!(
        skipped_reasons(&summary),
        [
            ("backup.tar.gz".to_owned(), "not an article: .gz archive".to_owned()),
            (
                "broken.html.gz".to_owned(),
                "damaged gzip file: incomplete deflate stream".to_owned()
            ),
        ]
    );
    let shown = show_json(
        &wd,
        &[
            "scrape/feed/articles.jsonl.gz#2",
            "scrape/feed/page.html.gz",
            "scrape/feed/talks.txt.bz2",
        ],
    );
    assert_eq!(shown[0]["title"], "Cholera spreads");
    assert_eq!(shown[0]["date"], "2017-06-25T00:00:00Z");
    assert_eq!(shown[1]["title"], "Aid convoy reaches Aleppo");
    assert_eq!(shown[2]["body"], "Envoys met in Geneva.");
    assert_eq!(shown[2]["source"], "feed");
}

#[test]
fn a_warc_counts_what_it_skips_and_its_records_show_with_their_offsets() {
    let wd = Workdir::new();
    let uri = "https://harbour.example/news/aid-convoy-reaches-aleppo";
    let records = [
        warc_record("warcinfo", "0", "", "application/warc-fields", b"software: tests\r\n"),
        warc_record(
            "request",
            "1",
            uri,
            "application/http; msgtype=request",
            b"GET / HTTP/1.1\r\n\r\n",
        ),
        http_response(
            "2",
            uri,
            "200 OK",
            "Content-Type: text/html; charset=utf-8\r\n",
            convoy_page().as_bytes(),
        ),
        http_response(
            "3",
            "https://harbour.example/gone",
            "404 Not Found",
            "Content-Type: text/html\r\n",
            b"<html><body>Not found</body></html>",
        ),
        http_response(
            "4",
            "https://harbour.example/old",
            "301 Moved Permanently",
            "Location: /new\r\n",
            b"",
        ),
        http_response(
            "5",
            "https://harbour.example/logo.png",
            "200 OK",
            "Content-Type: image/png\r\n",
            b"\x89PNG",
        ),
    ];
    let archive = warc_gz(&records);
    wd.write("crawl/CC-NEWS-1.warc.gz", &archive);
    let summary = index_json(&wd, &["crawl"]);
    assert_eq!(summary["added"], 1, "{summary}");
    assert_eq!(
        summary["warc"],
        serde_json::json!({"articles": 1, "skipped": 3, "not_html": 1, "redirects": 1, "errors": 1, "no_article": 0, "other_records": 2})
    );
    let [article] = show_json(&wd, &["urn:uuid:2"]).try_into().unwrap();
    assert_eq!(article["url"], uri);
    assert_eq!(article["title"], "Aid convoy reaches Aleppo");
    assert!(article["path"].as_str().unwrap().ends_with("crawl/CC-NEWS-1.warc.gz"), "{article}");
    // The offset is where the record's gzip member starts: it unpacks on its own.
    let offset = usize::try_from(article["offset"].as_u64().unwrap()).unwrap();
    let record = gunzip(&archive[offset..]);
    assert!(String::from_utf8_lossy(&record).contains("WARC-Record-ID: <urn:uuid:2>"));

    // Human summary says the same.
    let human = wd.run(&["index", "crawl", "--rebuild"]).success();
    assert!(
        human.stdout.contains("WARC records: 1 articles; 3 responses skipped (1 not HTML, 1 redirects, 1 errors, 0 without an article); 2 other records"),
        "{human}"
    );

    // Incremental: the archive is one file; unchanged, it is not read again.
    let again = index_json(&wd, &["crawl"]);
    assert_eq!(
        (again["added"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(1)),
        "{again}"
    );
    assert_eq!(again.get("warc"), None, "{again}");
    // Grown by a record, it is read again: its old article is updated, the new one added.
    let more = http_response(
        "6",
        "https://harbour.example/news/second",
        "200 OK",
        "Content-Type: text/html\r\n",
        convoy_page().replace("Aid convoy", "Second convoy").as_bytes(),
    );
    let mut grown = archive.clone();
    grown.extend(gzip(&more));
    wd.write("crawl/CC-NEWS-1.warc.gz", &grown);
    let grew = index_json(&wd, &["crawl"]);
    assert_eq!((grew["added"].as_u64(), grew["updated"].as_u64()), (Some(1), Some(1)), "{grew}");
}

#[test]
fn show_prints_what_it_finds_and_names_unknown_ids() {
    let wd = Workdir::new();
    wd.write("scrape/convoy.html", convoy_page());
    index_json(&wd, &["scrape"]);
    let out = wd
        .run(&["show", "scrape/convoy.html", "no-such-id"])
        .code(1)
        .stderr_has("\"no-such-id\": no article with this id in the index");
    assert!(
        out.stdout
            .starts_with("id        scrape/convoy.html\ntitle     Aid convoy reaches Aleppo\n"),
        "{out}"
    );
    assert!(out.stdout.contains("\nauthor    Mara Lindqvist\nlanguage  en\n"), "{out}");
    assert!(out.stdout.contains("\n\nAn aid convoy of forty trucks"), "{out}");
    let json = wd.run(&["show", "--format", "json", "no-such-id"]).code(1);
    assert_eq!(json.stdout, "");
}

#[test]
fn crawler_json_from_news_please_and_trafilatura_maps() {
    let wd = Workdir::new();
    // As news-please writes one article per file.
    wd.write(
        "crawl/np/harbour.example/0a1b2c.json",
        r#"{
    "authors": ["Mara Lindqvist", "Tomas Berg"],
    "date_download": "2016-09-06 12:00:00",
    "date_modify": null,
    "date_publish": "2016-09-04 10:00:00",
    "description": "Forty trucks reached the city.",
    "filename": "https%3A%2F%2Fharbour.example%2Fnews%2Fconvoy.json",
    "image_url": "https://harbour.example/convoy.jpg",
    "language": "en",
    "localpath": null,
    "maintext": "An aid convoy of forty trucks reached the eastern districts of Aleppo on Sunday.",
    "source_domain": "harbour.example",
    "text": null,
    "title": "Aid convoy reaches Aleppo",
    "title_page": null,
    "title_rss": null,
    "url": "https://harbour.example/news/convoy"
}"#,
    );
    // As `trafilatura --json` writes it: `source` is the URL, `hostname` the domain.
    wd.write(
        "crawl/traf/out.jsonl",
        r#"{"title": "Road north reopens", "author": "Ines Haddad", "hostname": "coast.example", "date": "2016-09-07", "categories": "", "tags": "", "fingerprint": "abc", "id": null, "license": null, "language": "en", "image": null, "pagetype": "article", "filedate": "2016-09-08", "source": "https://coast.example/road", "source-hostname": "Coast Post", "excerpt": "", "text": "The road north of the city reopened after engineers cleared it.", "comments": ""}
"#,
    );
    index_json(&wd, &["crawl"]);
    let shown = show_json(&wd, &["crawl/np/harbour.example/0a1b2c.json", "crawl/traf/out.jsonl#1"]);
    let np = &shown[0];
    assert_eq!(np["title"], "Aid convoy reaches Aleppo");
    assert_eq!(np["date"], "2016-09-04T10:00:00Z");
    assert_eq!(np["source"], "harbour.example");
    assert_eq!(np["url"], "https://harbour.example/news/convoy");
    assert_eq!(np["author"], "Mara Lindqvist; Tomas Berg");
    assert_eq!(np["language"], "en");
    assert!(np["body"].as_str().unwrap().starts_with("An aid convoy"));
    let traf = &shown[1];
    assert_eq!(traf["title"], "Road north reopens");
    assert_eq!(traf["source"], "Coast Post");
    assert_eq!(traf["url"], "https://coast.example/road");
    assert_eq!(traf["author"], "Ines Haddad");
    assert_eq!(traf["date"], "2016-09-07T00:00:00Z");
    assert_eq!(traf["body"], "The road north of the city reopened after engineers cleared it.");
}

/// The benchmark's real pages, saved as files and archived in a WARC (one gzip member
/// per record, with a 404 and a redirect among them), give the same articles.
#[test]
fn a_warc_of_the_benchmark_pages_gives_the_same_articles_as_the_pages() {
    let Some(folder) = util::shared("extraction") else { return };
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("ground-truth.json")).unwrap())
            .unwrap();
    let wd = Workdir::new();
    let mut records = Vec::new();
    let mut keys = Vec::new();
    for (key, entry) in truth.as_object().unwrap() {
        let html =
            gunzip(&std::fs::read(folder.join("pages").join(format!("{key}.html.gz"))).unwrap());
        wd.write(&format!("pages/site/{key}.html"), &html);
        let uri = entry["url"].as_str().unwrap_or("https://example.com/");
        records.push(http_response(key, uri, "200 OK", "Content-Type: text/html\r\n", &html));
        keys.push(key.clone());
    }
    records.push(http_response(
        "gone",
        "https://example.com/gone",
        "404 Not Found",
        "Content-Type: text/html\r\n",
        b"<html>gone</html>",
    ));
    records.push(http_response(
        "moved",
        "https://example.com/moved",
        "302 Found",
        "Location: /x\r\n",
        b"",
    ));
    wd.write("warc/site/pages.warc.gz", warc_gz(&records));

    let pages = index_json(&wd, &["pages"]);
    let archive = index_json(&wd, &["warc"]);
    let page_articles = pages["added"].as_u64().unwrap();
    assert_eq!(archive["added"].as_u64(), Some(page_articles), "{archive}");
    assert_eq!(archive["warc"]["errors"], 1);
    assert_eq!(archive["warc"]["redirects"], 1);
    assert_eq!(archive["warc"]["articles"].as_u64(), Some(page_articles));
    for key in &keys {
        let page_id = format!("pages/site/{key}.html");
        let record_id = format!("urn:uuid:{key}");
        let out = wd.run(&["show", "--format", "json", &page_id, &record_id]);
        let shown: Vec<Value> =
            out.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        if shown.len() < 2 {
            // A page with no article is skipped both ways.
            assert!(shown.is_empty(), "{key}: {out}");
            continue;
        }
        for field in ["title", "body", "author", "language"] {
            assert_eq!(shown[0][field], shown[1][field], "{key}: {field}");
        }
        // What the page does not state, the record's URL may: its host as the source (the
        // saved file takes its folder), its date from the path (else the fetch date).
        if shown[0]["source"] != "site" {
            assert_eq!(shown[0]["source"], shown[1]["source"], "{key}");
        }
        if shown[0]["date"].is_null() {
            assert!(shown[1]["date"].is_string(), "{key}");
        } else {
            assert_eq!(shown[0]["date"], shown[1]["date"], "{key}");
        }
    }
}

#[test]
fn export_carries_a_warc_records_offset_author_and_language() {
    let wd = Workdir::new();
    let uri = "https://harbour.example/news/aid-convoy-reaches-aleppo";
    let records = [
        warc_record("warcinfo", "0", "", "application/warc-fields", b"software: tests\r\n"),
        http_response("2", uri, "200 OK", "Content-Type: text/html\r\n", convoy_page().as_bytes()),
    ];
    let archive = warc_gz(&records);
    wd.write("crawl/a.warc.gz", &archive);
    index_json(&wd, &["crawl"]);
    wd.run(&["export", "--to", "out", "--target", "ndjson", "--quiet"]).success();
    let line = std::fs::read_to_string(wd.join("out/docs.ndjson")).unwrap();
    let doc: Value = serde_json::from_str(line.trim()).unwrap();
    let schema = crate::util::schema_validator("export-doc.v1.schema.json");
    let errors: Vec<String> = schema.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{doc}: {errors:?}");
    assert_eq!(doc["offset"].as_u64(), Some(gzip(&records[0]).len() as u64), "{doc}");
    assert_eq!(doc["author"], "Mara Lindqvist");
    assert_eq!(doc["language"], "en");
}
