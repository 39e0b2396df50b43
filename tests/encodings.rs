//! Articles saved in a legacy code page rather than UTF-8 (Windows-1256 from Arabic-
//! and Persian-language outlets, Windows-1251 from Russian ones): the encoding is
//! detected and named in the index warnings, and the article is stored as written and
//! found by a word in its own script. Each file is made here from UTF-8 text with
//! `encoding_rs`, so the expected text is the original, not newsearch's reading of it.

use encoding_rs::Encoding;
use serde_json::Value;

use crate::util::Workdir;

/// An article in the seed layout, and the code page its file is saved in.
struct Legacy {
    path: &'static str,
    encoding: &'static Encoding,
    title: &'static str,
    paragraphs: &'static [&'static str],
    /// A body word in the article's own script, as the analyzer keeps it.
    word: &'static str,
}

impl Legacy {
    /// The file: title, blank line, title again, date line, blank line, paragraphs, with
    /// the CRLF line ends of the Windows tools that write these code pages.
    fn bytes(&self) -> Vec<u8> {
        let text = format!(
            "{title}\r\n\r\n{title}\r\nSun Sep 4, 2016 15:14:55\r\n\r\n{}\r\n",
            self.paragraphs.join("\r\n\r\n"),
            title = self.title,
        );
        let (bytes, _, unmappable) = self.encoding.encode(&text);
        assert!(!unmappable, "{} cannot write {}", self.encoding.name(), self.path);
        assert!(std::str::from_utf8(&bytes).is_err(), "{} is UTF-8 as well", self.path);
        bytes.into_owned()
    }

    /// The body as the index stores it: paragraphs apart by a blank line.
    fn body(&self) -> String {
        self.paragraphs.join("\n\n")
    }

    /// The warning its file should get.
    fn warning(&self) -> String {
        format!("decoded as {} (not valid utf-8)", self.encoding.name().to_lowercase())
    }
}

const ARABIC: Legacy = Legacy {
    path: "corpus/Sahara Daily/park.txt",
    encoding: encoding_rs::WINDOWS_1256,
    title: "البلدية تفتتح حديقة عامة قرب النهر",
    paragraphs: &[
        "افتتحت البلدية صباح الأحد حديقة عامة جديدة على ضفة النهر، بعد عامين من أعمال البناء.",
        "وقال رئيس البلدية إن الحديقة تضم ملعبا للأطفال ومسارا للدراجات، وإن الدخول إليها مجاني.",
        "وزرع المتطوعون مئات الأشجار في الربيع الماضي، ويأمل السكان أن تجمع الحديقة العائلات.",
    ],
    word: "المتطوعون",
};

const RUSSIAN: Legacy = Legacy {
    path: "corpus/Volga Herald/bridge.txt",
    encoding: encoding_rs::WINDOWS_1251,
    title: "Городской совет одобрил постройку нового моста",
    paragraphs: &[
        "Городской совет в воскресенье одобрил постройку нового моста через реку.",
        "Работы начнутся весной и займут около двух лет, сообщили в администрации.",
        "Жители давно просили второй мост: по старому в часы пик машины стоят в пробках.",
    ],
    word: "пробках",
};

/// A workdir with both articles indexed, and the index run's JSON summary.
fn indexed() -> (Workdir, Value) {
    let wd = Workdir::new();
    for article in [&ARABIC, &RUSSIAN] {
        wd.write(article.path, article.bytes());
    }
    let summary = wd.run(&["index", "corpus", "--format", "json"]).success().json();
    (wd, summary)
}

/// The hit whose path ends with `path`.
fn hit_for<'a>(hits: &'a [Value], path: &str) -> &'a Value {
    hits.iter()
        .find(|hit| hit["path"].as_str().unwrap().ends_with(path))
        .unwrap_or_else(|| panic!("no hit for {path} in {hits:#?}"))
}

#[test]
fn the_warning_names_the_detected_encoding() {
    let (wd, summary) = indexed();
    assert_eq!(summary["added"], 2, "{summary:#}");
    assert_eq!(summary["skipped"], Value::Array(Vec::new()), "{summary:#}");
    let warnings = summary["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "{summary:#}");
    for article in [&ARABIC, &RUSSIAN] {
        let warning = hit_for(warnings, article.path);
        assert_eq!(warning["message"].as_str(), Some(article.warning().as_str()), "{summary:#}");
        assert_eq!(warning["line"], Value::Null);
    }
    // The human summary lists them too, each after its file.
    let human = wd.run(&["index", "corpus", "--rebuild"]).success();
    for article in [&ARABIC, &RUSSIAN] {
        let line = format!("{}: {}", article.path, article.warning());
        assert!(human.stdout.lines().any(|l| l.ends_with(&line)), "no {line:?}\n{human}");
    }
}

#[test]
fn the_stored_title_and_body_are_the_original_text() {
    let (wd, _) = indexed();
    // `*` has no words to centre a snippet on, so each gets its body's lead: all of it.
    let all = wd.run(&["query", "*", "--all", "--format", "jsonl", "--snippet-chars", "5000"]);
    let hits: Vec<Value> =
        all.success().stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(hits.len(), 2, "{hits:#?}");
    for article in [&ARABIC, &RUSSIAN] {
        let hit = hit_for(&hits, article.path);
        assert_eq!(hit["title"].as_str(), Some(article.title), "{}", article.path);
        assert_eq!(hit["snippet"].as_str(), Some(article.body().as_str()), "{}", article.path);
        assert_eq!(hit["date"].as_str(), Some("2016-09-04T15:14:55Z"), "{}", article.path);
    }
}

#[test]
fn each_article_is_found_by_a_word_in_its_own_script() {
    let (wd, _) = indexed();
    for article in [&ARABIC, &RUSSIAN] {
        let result = wd.query_json(&[article.word]);
        assert_eq!(result["total_hits"], 1, "{}: {result:#}", article.word);
        let hit = &result["hits"][0];
        assert!(hit["path"].as_str().unwrap().ends_with(article.path), "{result:#}");
        // The snippet is the article's own text, with the word marked as written.
        let snippet = hit["snippet"].as_str().unwrap();
        assert!(article.body().contains(snippet), "{snippet:?} is not from {}", article.path);
        let marked: Vec<&str> = hit["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|range| {
                let at = |i: usize| usize::try_from(range[i].as_u64().unwrap()).unwrap();
                &snippet[at(0)..at(1)]
            })
            .collect();
        assert_eq!(marked, [article.word], "{result:#}");
    }
}
