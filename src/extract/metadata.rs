//! What a page says about itself: title, date, source, url, author, language,
//! from JSON-LD, `<meta>` tags, `<time>`, `<link rel=canonical>` and `<html lang>`.

use chrono::{DateTime, Utc};
use dom_query::{Document, Selection};
use serde_json::Value;

use super::dates;

/// The metadata of one page; each field is `None` where the page does not state it.
#[derive(Debug, Default)]
pub(super) struct Metadata {
    pub title: Option<String>,
    pub date: Option<DateTime<Utc>>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    pub language: Option<String>,
}

impl Metadata {
    pub(super) fn read(html: &str, url_hint: Option<&str>) -> Metadata {
        let document = Document::from(html);
        let json_ld = JsonLd::read(&document);
        let url = canonical_url(&document, url_hint);
        let source = meta(&document, "property", &["og:site_name"])
            .or_else(|| json_ld.publisher.clone())
            .or_else(|| {
                meta(&document, "name", &["application-name", "apple-mobile-web-app-title"])
            })
            .or_else(|| url.as_deref().or(url_hint).and_then(host));
        let title = title(&document, &json_ld, source.as_deref());
        let date = date(&document, &json_ld)
            .or_else(|| url.as_deref().and_then(dates::from_url))
            .or_else(|| url_hint.and_then(dates::from_url));
        let author = json_ld
            .author
            .clone()
            .or_else(|| {
                meta(&document, "name", &["author", "byl", "parsely-author", "sailthru.author"])
            })
            .or_else(|| meta(&document, "property", &["article:author"]).filter(|a| !is_url(a)))
            .map(|author| author.trim_start_matches("By ").trim_start_matches("by ").to_owned());
        let language = attribute(&document, "html", "lang")
            .or_else(|| attribute(&document, "html", "xml:lang"))
            .or_else(|| meta(&document, "http-equiv", &["content-language"]))
            .or_else(|| json_ld.language.clone())
            .or_else(|| meta(&document, "property", &["og:locale"]).map(|l| l.replace('_', "-")));
        Metadata { title, date, source, url, author, language }
    }
}

/// The first non-empty `content` of `<meta KEY="NAME">` for the names in order
/// (names compared without case).
fn meta(document: &Document, key: &str, names: &[&str]) -> Option<String> {
    let tags = document.select("meta");
    names.iter().find_map(|name| {
        tags.iter().find_map(|tag| {
            let matches =
                tag.attr(key).is_some_and(|value| value.trim().eq_ignore_ascii_case(name));
            matches.then(|| tag.attr("content")).flatten().and_then(|content| clean(&content))
        })
    })
}

fn attribute(document: &Document, selector: &str, name: &str) -> Option<String> {
    document.select(selector).iter().find_map(|element| element.attr(name).and_then(|v| clean(&v)))
}

/// Text with its white space runs made one space; `None` when empty.
fn clean(text: &str) -> Option<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

fn is_url(text: &str) -> bool {
    text.starts_with("http://") || text.starts_with("https://") || text.starts_with("//")
}

/// The host of a URL without `www.`.
fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, rest)| rest)?;
    let host = rest.split(['/', '?', '#', ':']).next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// `<link rel=canonical>`, else `og:url`, else the hint; a relative canonical
/// is resolved against the hint's origin.
fn canonical_url(document: &Document, url_hint: Option<&str>) -> Option<String> {
    let canonical = document.select("link[rel]").iter().find_map(|link| {
        let rel = link.attr("rel")?;
        rel.split_whitespace()
            .any(|word| word.eq_ignore_ascii_case("canonical"))
            .then(|| link.attr("href"))
            .flatten()
            .and_then(|href| clean(&href))
    });
    let found = canonical.or_else(|| meta(document, "property", &["og:url"]));
    match found {
        Some(url) if is_url(&url) => {
            Some(if url.starts_with("//") { format!("https:{url}") } else { url })
        }
        Some(path) if path.starts_with('/') => {
            let hint = url_hint?;
            let (scheme, rest) = hint.split_once("://")?;
            let origin = rest.split('/').next()?;
            Some(format!("{scheme}://{origin}{path}"))
        }
        _ => url_hint.map(str::to_owned),
    }
}

/// The headline: JSON-LD `headline`, `og:title`, `twitter:title`, `<title>`,
/// each without the site's name, checked against the main `<h1>`.
fn title(document: &Document, json_ld: &JsonLd, source: Option<&str>) -> Option<String> {
    let h1 = document.select("h1").iter().find_map(|h1| clean(&h1.text()));
    let candidates = [
        json_ld.headline.clone(),
        meta(document, "property", &["og:title"]),
        meta(document, "name", &["twitter:title"]),
        document.select("head title").iter().find_map(|t| clean(&t.text())),
    ];
    let mut fallback = None;
    for candidate in candidates.into_iter().flatten() {
        let stripped = without_site_name(&candidate, source);
        if let Some(h1) = h1.as_deref() {
            if same_words(h1, &stripped) {
                return Some(stripped);
            }
            if same_words(h1, &candidate) {
                return Some(candidate);
            }
            // The headline is one part of a title that also names the site.
            if let Some(part) = title_parts(&candidate).find(|part| same_words(h1, part)) {
                return Some(part.to_owned());
            }
        }
        fallback.get_or_insert(stripped);
    }
    fallback.or(h1)
}

/// What joins a headline to the site's name in a `<title>`.
const SEPARATORS: [&str; 7] = [" | ", " - ", " – ", " — ", " :: ", " · ", " // "];

/// A title without the site name joined to it by ` | `, ` - `, ` – `, ` — `,
/// ` :: ` or ` · `: a part that names the site goes, and of what remains, the
/// longest part stays.
fn without_site_name(title: &str, source: Option<&str>) -> String {
    let Some(separator) = SEPARATORS.iter().find(|separator| title.contains(**separator)) else {
        return title.to_owned();
    };
    let parts: Vec<&str> = title.split(separator).map(str::trim).collect();
    let site = source.map(str::to_lowercase);
    let names_site = |part: &str| {
        let part = part.to_lowercase();
        site.as_deref().is_some_and(|site| {
            part == site
                || part.replace(' ', "") == site.replace(' ', "")
                || site.starts_with(&part)
        })
    };
    let kept: Vec<&str> = parts.iter().copied().filter(|part| !names_site(part)).collect();
    if kept.len() == 1 {
        return kept[0].to_owned();
    }
    if kept.len() < parts.len() {
        return kept.join(separator);
    }
    // No part names the site: a short last part ("Politics", "Example News") is
    // the site or its section; the headline is what precedes it.
    let last = parts.last().copied().unwrap_or_default();
    if parts.len() > 1 && last.split_whitespace().count() <= 4 {
        let head = parts[..parts.len() - 1].join(separator);
        if head.split_whitespace().count() > last.split_whitespace().count() {
            return head;
        }
    }
    title.to_owned()
}

/// The parts of a title split at any of the separators.
fn title_parts(title: &str) -> impl Iterator<Item = &str> {
    SEPARATORS.iter().flat_map(move |separator| title.split(separator)).map(str::trim)
}

/// Whether two texts have the same words, ignoring case and punctuation.
fn same_words(a: &str, b: &str) -> bool {
    let words = |text: &str| {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    let (a, b) = (words(a), words(b));
    !a.is_empty() && a == b
}

/// The publication date, in the order of trust: JSON-LD `datePublished`,
/// `article:published_time`, microdata `datePublished`, `<meta name=date…>`,
/// then `<time datetime>` (one marked as the publication time first, never
/// one marked as an update).
fn date(document: &Document, json_ld: &JsonLd) -> Option<DateTime<Utc>> {
    const PROPERTIES: [&str; 4] = [
        "article:published_time",
        "og:published_time",
        "published_time",
        "og:article:published_time",
    ];
    const NAMES: [&str; 12] = [
        "date",
        "pubdate",
        "publishdate",
        "publish-date",
        "publish_date",
        "dc.date",
        "dc.date.issued",
        "dc.date.created",
        "dcterms.date",
        "dcterms.created",
        "parsely-pub-date",
        "sailthru.date",
    ];
    if let Some(date) = json_ld.date_published.as_deref().and_then(dates::parse) {
        return Some(date);
    }
    let from_meta = |key, names: &[&str]| {
        names.iter().find_map(|name| meta(document, key, &[name]).and_then(|v| dates::parse(&v)))
    };
    from_meta("property", &PROPERTIES)
        .or_else(|| {
            document.select("[itemprop=datePublished]").iter().find_map(|element| {
                ["content", "datetime"]
                    .iter()
                    .find_map(|name| element.attr(name))
                    .map(|value| value.to_string())
                    .or_else(|| clean(&element.text()))
                    .and_then(|value| dates::parse(&value))
            })
        })
        .or_else(|| from_meta("name", &NAMES))
        .or_else(|| from_meta("itemprop", &["datePublished", "dateCreated"]))
        .or_else(|| time_element(document))
}

fn time_element(document: &Document) -> Option<DateTime<Utc>> {
    let times = document.select("time[datetime]");
    let marks = |time: &Selection, words: &[&str]| {
        let class = time.attr("class").unwrap_or_default().to_lowercase();
        let parent_class = time.parent().attr("class").unwrap_or_default().to_lowercase();
        time.has_attr("pubdate")
            || words.iter().any(|word| class.contains(word) || parent_class.contains(word))
    };
    let is_update = |time: &Selection| {
        let class = time.attr("class").unwrap_or_default().to_lowercase();
        ["updated", "modified"].iter().any(|word| class.contains(word))
    };
    let parse = |time: &Selection| time.attr("datetime").and_then(|value| dates::parse(&value));
    times
        .iter()
        .filter(|time| marks(time, &["publish", "pubdate", "posted", "created"]))
        .find_map(|time| parse(&time))
        .or_else(|| times.iter().filter(|time| !is_update(time)).find_map(|time| parse(&time)))
}

/// The fields of a page's JSON-LD that matter here, from its article object
/// (`…Article`, `BlogPosting`, `Report`) when it has one, else the first object
/// that states them.
#[derive(Debug, Default)]
struct JsonLd {
    headline: Option<String>,
    date_published: Option<String>,
    publisher: Option<String>,
    author: Option<String>,
    language: Option<String>,
}

impl JsonLd {
    fn read(document: &Document) -> JsonLd {
        let mut objects = Vec::new();
        for script in document.select("script[type]").iter() {
            let kind = script.attr("type").unwrap_or_default();
            if !kind.trim().eq_ignore_ascii_case("application/ld+json") {
                continue;
            }
            let text = script.text();
            // Some pages wrap their JSON in an HTML comment or CDATA section.
            let text = text
                .trim()
                .trim_start_matches("<!--")
                .trim_end_matches("-->")
                .trim_start_matches("//<![CDATA[")
                .trim_end_matches("//]]>");
            match serde_json::from_str::<Value>(text) {
                Ok(value) => collect_objects(value, &mut objects),
                // Broken JSON (a stray control character, a trailing comma) still
                // states its date: keep the first `"datePublished": "..."`.
                Err(_) => {
                    if let Some(date) = string_after_key(text, "\"datePublished\"") {
                        let mut object = serde_json::Map::new();
                        object.insert("datePublished".into(), Value::String(date));
                        objects.push(object);
                    }
                }
            }
        }
        let is_article = |object: &&serde_json::Map<String, Value>| {
            types(object)
                .iter()
                .any(|kind| kind.ends_with("Article") || kind == "BlogPosting" || kind == "Report")
        };
        let ordered: Vec<&serde_json::Map<String, Value>> = objects
            .iter()
            .filter(is_article)
            .chain(objects.iter().filter(|o| !is_article(o)))
            .collect();
        let first = |read: &dyn Fn(&serde_json::Map<String, Value>) -> Option<String>| {
            ordered.iter().find_map(|object| read(object))
        };
        JsonLd {
            headline: first(&|object| object.get("headline").and_then(text_of)),
            date_published: first(&|object| object.get("datePublished").and_then(text_of)),
            publisher: first(&|object| object.get("publisher").and_then(name_of)),
            author: first(&|object| object.get("author").and_then(names_of)),
            language: first(&|object| object.get("inLanguage").and_then(text_of)),
        }
    }
}

/// The string value that follows `key` and a colon in text that is not valid JSON.
fn string_after_key(text: &str, key: &str) -> Option<String> {
    let rest = &text[text.find(key)? + key.len()..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_owned())
}

/// Every object of a JSON-LD document: top-level arrays and `@graph` unfolded.
fn collect_objects(value: Value, objects: &mut Vec<serde_json::Map<String, Value>>) {
    match value {
        Value::Array(values) => values.into_iter().for_each(|v| collect_objects(v, objects)),
        Value::Object(mut object) => {
            if let Some(graph) = object.remove("@graph") {
                collect_objects(graph, objects);
            }
            objects.push(object);
        }
        _ => {}
    }
}

fn types(object: &serde_json::Map<String, Value>) -> Vec<String> {
    match object.get("@type") {
        Some(Value::String(kind)) => vec![kind.clone()],
        Some(Value::Array(kinds)) => {
            kinds.iter().filter_map(Value::as_str).map(str::to_owned).collect()
        }
        _ => Vec::new(),
    }
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => clean(text),
        Value::Array(values) => values.iter().find_map(text_of),
        _ => None,
    }
}

/// A name: a string, or an object's `name`.
fn name_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => clean(text).filter(|text| !is_url(text)),
        Value::Object(object) => object.get("name").and_then(text_of),
        Value::Array(values) => values.iter().find_map(name_of),
        _ => None,
    }
}

/// All the names of a list of people, joined by `, `.
fn names_of(value: &Value) -> Option<String> {
    match value {
        Value::Array(values) => {
            let names: Vec<String> = values.iter().filter_map(name_of).collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        other => name_of(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(head: &str) -> Metadata {
        Metadata::read(&format!("<html><head>{head}</head><body></body></html>"), None)
    }

    fn day(metadata: &Metadata) -> Option<String> {
        metadata.date.map(|date| date.date_naive().to_string())
    }

    #[test]
    fn each_date_source_is_read() {
        let json_ld = r#"<script type="application/ld+json">{"@context":"https://schema.org",
            "@graph":[{"@type":"WebPage","datePublished":"2001-01-01"},
            {"@type":"NewsArticle","datePublished":"2016-09-04T10:00:00Z"}]}</script>"#;
        assert_eq!(day(&read(json_ld)).as_deref(), Some("2016-09-04"));
        let property = r#"<meta property="article:published_time" content="2016-09-05">"#;
        assert_eq!(day(&read(property)).as_deref(), Some("2016-09-05"));
        let name = r#"<meta name="DC.date.issued" content="2016-09-06">"#;
        assert_eq!(day(&read(name)).as_deref(), Some("2016-09-06"));
        let microdata =
            r#"</head><body><span itemprop="datePublished" content="2016-09-07"></span>"#;
        assert_eq!(day(&read(microdata)).as_deref(), Some("2016-09-07"));
        let times = r#"</head><body><time class="updated" datetime="2017-01-01">1 Jan</time>
            <time datetime="2016-09-08T08:00:00+02:00">8 Sep</time>"#;
        assert_eq!(day(&read(times)).as_deref(), Some("2016-09-08"));
        let placeholder = r#"<script type="application/ld+json">{"@type":"Article",
            "datePublished":"0001-01-01T00:00:00Z"}</script><meta name="date" content="2016-09-09">"#;
        assert_eq!(day(&read(placeholder)).as_deref(), Some("2016-09-09"));
        let url = Metadata::read("<p>x</p>", Some("https://example.org/news/2016/09/10/rain"));
        assert_eq!(day(&url).as_deref(), Some("2016-09-10"));
    }

    #[test]
    fn a_time_with_an_offset_is_kept_in_utc() {
        let late =
            r#"<meta property="article:published_time" content="2016-09-04T22:00:00-05:00">"#;
        assert_eq!(day(&read(late)).as_deref(), Some("2016-09-05"));
    }

    #[test]
    fn the_site_name_is_stripped_from_the_title() {
        let metadata = read(
            r#"<title>Rain returns to the valley | The Daily Example</title>
            <meta property="og:site_name" content="The Daily Example">"#,
        );
        assert_eq!(metadata.title.as_deref(), Some("Rain returns to the valley"));
        assert_eq!(metadata.source.as_deref(), Some("The Daily Example"));
        let unnamed =
            read("<title>Rain returns to the valley after a dry summer - Example News</title>");
        assert_eq!(unnamed.title.as_deref(), Some("Rain returns to the valley after a dry summer"));
        let dash_inside = read(
            "<title>Rain returns - and stays</title></head><body><h1>Rain returns - and stays</h1>",
        );
        assert_eq!(dash_inside.title.as_deref(), Some("Rain returns - and stays"));
        let h1_only = read("</head><body><h1>Rain returns</h1>");
        assert_eq!(h1_only.title.as_deref(), Some("Rain returns"));
    }

    #[test]
    fn url_source_author_and_language() {
        let metadata = Metadata::read(
            r#"<html lang="de-DE"><head><link rel="canonical" href="/2016/rain">
            <meta name="author" content="By Ann Example"></head><body></body></html>"#,
            Some("https://www.example.org/print?id=1"),
        );
        assert_eq!(metadata.url.as_deref(), Some("https://www.example.org/2016/rain"));
        assert_eq!(metadata.source.as_deref(), Some("example.org"));
        assert_eq!(metadata.author.as_deref(), Some("Ann Example"));
        assert_eq!(metadata.language.as_deref(), Some("de-DE"));
        let json_ld = read(
            r#"<script type="application/ld+json">{"@type":"BlogPosting","headline":"Rain",
            "author":[{"@type":"Person","name":"Ann Example"},{"name":"Bo Sample"}],
            "publisher":{"@type":"Organization","name":"Example Weekly"}}</script>"#,
        );
        assert_eq!(json_ld.title.as_deref(), Some("Rain"));
        assert_eq!(json_ld.author.as_deref(), Some("Ann Example, Bo Sample"));
        assert_eq!(json_ld.source.as_deref(), Some("Example Weekly"));
    }
}
