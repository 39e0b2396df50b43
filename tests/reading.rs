//! Reading the hits (issue 16): highlights that follow the query, keyword-in-
//! context rows, coverage-aware timelines.

use regex::Regex;
use serde_json::Value;

use crate::util::{Workdir, shared};

/// Every hit of `query` (JSON Lines, `--all`), with a long snippet.
fn all_hits(wd: &Workdir, query: &str) -> Vec<Value> {
    let out =
        wd.run(&["query", query, "--all", "--format", "jsonl", "--snippet-chars", "400"]).success();
    out.stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

/// Checks that every highlight of the phrase query `query` lies inside a match
/// of `phrase` (a regular expression for the phrase in any of its forms) in the
/// snippet; returns how many highlights there were.
fn check_phrase_highlights(wd: &Workdir, query: &str, phrase: &str) -> usize {
    let phrase = Regex::new(&format!("(?i){phrase}")).unwrap();
    let mut checked = 0;
    for hit in all_hits(wd, query) {
        let snippet = hit["snippet"].as_str().unwrap();
        let occurrences: Vec<(usize, usize)> =
            phrase.find_iter(snippet).map(|m| (m.start(), m.end())).collect();
        for range in hit["highlights"].as_array().unwrap() {
            let [start, end] = [0, 1].map(|i| range[i].as_u64().unwrap() as usize);
            assert!(
                occurrences.iter().any(|&(from, to)| from <= start && end <= to),
                "{query}: highlight {:?} of {} is not in an occurrence of the phrase: {snippet:?}",
                &snippet[start..end],
                hit["id"]
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn phrase_highlights_lie_inside_the_phrase_on_the_sample_corpus() {
    let wd = Workdir::indexed_sample_corpus();
    for (query, phrase) in [
        ("\"kurdish fighters\"", r"\bkurdish\W+fighter\w*"),
        ("\"forces loyal\"", r"\bforces?\W+loyal\w*"),
        ("\"northern syria\"", r"\bnorthern\W+syria\b"),
    ] {
        let checked = check_phrase_highlights(&wd, query, phrase);
        assert!(checked > 0, "{query}: no highlights to check");
    }
    // A multi-word name is one span, not a span per word; an entity is
    // marked in every spelling.
    let hits = all_hits(&wd, "\"Islamic State\"");
    let spans: Vec<String> = hits
        .iter()
        .flat_map(|hit| {
            let snippet = hit["snippet"].as_str().unwrap().to_owned();
            hit["highlights"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |r| {
                    let [start, end] = [0, 1].map(|i| r[i].as_u64().unwrap() as usize);
                    snippet[start..end].to_owned()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(spans.iter().any(|s| s.starts_with("Islamic State of Iraq")), "{spans:?}");
    assert!(spans.iter().any(|s| s == "Daesh"), "{spans:?}");
    assert!(!spans.iter().any(|s| s == "Islamic" || s == "State"), "{spans:?}");
}

#[test]
fn phrase_highlights_lie_inside_the_phrase_on_fakes() {
    let Some(articles) = shared("corpora/fakes-seedformat/articles") else { return };
    let wd = Workdir::new();
    wd.run(&["index", articles.to_str().unwrap(), "--quiet"]).success();
    let mut checked = 0;
    for (query, phrase) in [
        ("\"barrel bombs\"", r"\bbarrel\w*\W+bomb\w*"),
        ("\"chemical weapons\"", r"\bchemical\w*\W+weapon\w*"),
        ("\"air strikes\"", r"\bair\W+strik\w*"),
        ("\"opposition fighters\"", r"\bopposition\w*\W+fighter\w*"),
    ] {
        checked += check_phrase_highlights(&wd, query, phrase);
    }
    assert!(checked > 20, "only {checked} highlights checked");
}

/// Each article's body as newsearch stores it, by id: `*` has no word to centre
/// a snippet on, so its snippet is the body's lead, here all of it.
fn stored_bodies(wd: &Workdir) -> std::collections::HashMap<String, String> {
    let out = wd
        .run(&["query", "*", "--all", "--format", "jsonl", "--snippet-chars", "100000"])
        .success();
    out.stdout
        .lines()
        .map(|line| {
            let hit: Value = serde_json::from_str(line).unwrap();
            (hit["id"].as_str().unwrap().to_owned(), hit["snippet"].as_str().unwrap().to_owned())
        })
        .collect()
}

fn kwic_validator() -> jsonschema::Validator {
    crate::util::schema_validator("kwic.v1.schema.json")
}

/// The `--kwic` rows of `args`, each checked against the schema.
fn kwic_rows(wd: &Workdir, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["query", "--kwic", "--format", "jsonl"];
    all.extend_from_slice(args);
    let out = wd.run(&all).success();
    let validator = kwic_validator();
    out.stdout
        .lines()
        .map(|line| {
            let row: Value = serde_json::from_str(line).unwrap();
            let errors: Vec<String> = validator.iter_errors(&row).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{errors:?}: {row}");
            row
        })
        .collect()
}

#[test]
fn kwic_all_gives_every_occurrence_of_truce_on_fakes() {
    let Some(articles) = shared("corpora/fakes-seedformat/articles") else { return };
    let wd = Workdir::new();
    wd.run(&["index", articles.to_str().unwrap(), "--quiet"]).success();
    let bodies = stored_bodies(&wd);
    let scan = Regex::new(r"(?i)\btruces?\b").unwrap();
    let expected: usize = bodies.values().map(|body| scan.find_iter(body).count()).sum();
    assert!(expected > 10, "only {expected} occurrences of truce in FA-KES");

    let rows = kwic_rows(&wd, &["truce", "--all"]);
    let mut body_rows = 0;
    for row in &rows {
        let field = row["field"].as_str().unwrap();
        if field != "body" {
            continue;
        }
        body_rows += 1;
        let body = &bodies[row["id"].as_str().unwrap()];
        let [start, end] = ["start", "end"].map(|key| row[key].as_u64().unwrap() as usize);
        assert_eq!(&body[start..end], row["match"].as_str().unwrap(), "{row}");
        assert!(scan.is_match(&body[start..end]), "{row}");
    }
    assert_eq!(body_rows, expected, "--kwic --all body rows against a word scan of the bodies");
    // CSV has the same rows, with a header.
    let csv = wd.run(&["query", "truce", "--kwic", "--all", "--format", "csv"]).success();
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    assert_eq!(reader.records().count(), rows.len());
}

#[test]
fn kwic_rows_name_entities_and_align_on_the_sample_corpus() {
    let wd = Workdir::indexed_sample_corpus();
    let rows = kwic_rows(&wd, &["ISIL", "--all", "--context", "3"]);
    assert!(rows.len() > 3, "{rows:?}");
    for row in &rows {
        assert_eq!(row["entity"], "ISIS", "{row}");
        assert_eq!(row["form"], row["match"], "{row}");
        assert!(row["left"].as_str().unwrap().split_whitespace().count() <= 3, "{row}");
    }
    // Rows follow the hits' order, then position.
    let order: Vec<(u64, String, u64)> = rows
        .iter()
        .map(|r| {
            let field = r["field"].as_str().unwrap();
            (
                r["rank"].as_u64().unwrap(),
                (field != "title").to_string(),
                r["start"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    // People read a concordance: every match starts in the same column.
    let human = wd.run(&["query", "Sirte", "--kwic", "--all", "--color", "never"]).success();
    let columns: Vec<usize> =
        human.stdout.lines().map(|line| line.chars().position(|c| c == '[').unwrap()).collect();
    assert!(columns.len() > 1, "{human}");
    assert!(columns.iter().all(|&c| c == columns[0]), "{human}");
}

#[test]
fn timeline_totals_are_what_star_counts_with_the_same_filters() {
    let wd = Workdir::indexed_sample_corpus();
    let validator = crate::util::schema_validator("query.v1.schema.json");
    for filters in [vec![], vec!["--filter", "source:Sahel Monitor"]] {
        let mut args = vec!["Sirte", "--timeline", "month", "-n", "0"];
        args.extend_from_slice(&filters);
        let report = wd.query_json(&args);
        assert!(validator.is_valid(&report), "{report:#}");
        let timeline = report["timeline"].as_array().unwrap();
        assert!(timeline.len() > 3, "{report:#}");
        let mut gaps = 0;
        for period in timeline {
            let month = period["period"].as_str().unwrap();
            let mut star = vec!["*", "-n", "0", "--since", month, "--until", month];
            star.extend_from_slice(&filters);
            let expected = wd.query_json(&star)["total_hits"].as_u64().unwrap();
            let (count, total) =
                (period["count"].as_u64().unwrap(), period["total"].as_u64().unwrap());
            assert_eq!(total, expected, "{filters:?} {period}");
            if total == 0 {
                gaps += 1;
                assert_eq!(period["gap"], true, "{period}");
                assert!(period.get("share").is_none(), "{period}");
            } else {
                assert_eq!(period["gap"], false, "{period}");
                let share = period["share"].as_f64().unwrap();
                assert!((share - count as f64 / total as f64).abs() < 1e-9, "{period}");
            }
        }
        assert!(gaps > 0, "{filters:?}: the sample corpus has months without articles");
    }
    let human = wd.run(&["query", "Sirte", "--timeline", "year", "--color", "never"]).success();
    assert!(human.stdout.contains(" of ") && human.stdout.contains('%'), "{human}");
}

/// G² of the 2×2 table of documents, computed here from scratch.
fn expected_g2(a: f64, n1: f64, b: f64, n2: f64) -> f64 {
    let total = n1 + n2;
    let cells =
        [(a, n1, a + b), (b, n2, a + b), (n1 - a, n1, total - a - b), (n2 - b, n2, total - a - b)];
    2.0 * cells
        .iter()
        .map(|&(o, row, col)| {
            let e = row * col / total;
            if o > 0.0 { o * (o / e).ln() } else { 0.0 }
        })
        .sum::<f64>()
}

#[test]
fn keyness_on_bbc_agrees_with_document_counts_from_the_files() {
    use std::collections::{HashMap, HashSet};
    let Some(articles) = shared("corpora/bbc/articles") else { return };
    let wd = Workdir::new();
    wd.run(&["index", articles.to_str().unwrap(), "--quiet"]).success();
    // Each file's body words (after the headline line), lowercased, by id.
    let mut words_of: HashMap<String, HashSet<String>> = HashMap::new();
    for folder in std::fs::read_dir(&articles).unwrap() {
        let folder = folder.unwrap().path();
        for file in std::fs::read_dir(&folder).unwrap() {
            let path = file.unwrap().path();
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            let body = text.split_once('\n').map_or("", |(_, rest)| rest);
            let words = body
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            let id = format!(
                "articles/{}/{}",
                folder.file_name().unwrap().to_string_lossy(),
                path.file_name().unwrap().to_string_lossy()
            );
            words_of.insert(id, words);
        }
    }
    let query = "oil";
    let report = wd.query_json(&[query, "--facet", "terms", "-n", "0"]);
    let validator = crate::util::schema_validator("query.v1.schema.json");
    assert!(validator.is_valid(&report), "{report:#}");
    let hits: HashSet<String> = wd.query_ids(&[query]).into_iter().collect();
    assert!(hits.iter().all(|id| words_of.contains_key(id)), "ids are not file paths: {hits:?}");
    let n1 = hits.len() as f64;
    let n2 = words_of.len() as f64 - n1;
    let terms = report["facets"]["terms"].as_array().unwrap();
    assert!(terms.len() >= 20, "{report:#}");
    for term in &terms[..20] {
        let word = term["value"].as_str().unwrap();
        assert_ne!(word, query);
        let a = hits.iter().filter(|id| words_of[*id].contains(word)).count() as f64;
        let df = words_of.values().filter(|words| words.contains(word)).count() as f64;
        let expected = expected_g2(a, n1, df - a, n2);
        let got = term["g2"].as_f64().unwrap();
        assert!(
            (got - expected).abs() <= 1e-6 * expected.max(1.0),
            "{word}: newsearch G² {got} (a={}, df={}), from the files {expected} (a={a}, df={df})",
            term["count"],
            term["corpus_count"]
        );
        let effect = ((a / n1) / ((df - a).max(0.5) / n2)).log2();
        assert!((term["effect"].as_f64().unwrap() - effect).abs() < 1e-6, "{word}: {term}");
    }
}

#[test]
fn provenance_traces_an_export_to_its_query_options_and_index() {
    let wd = Workdir::indexed_sample_corpus();
    let args = ["Sirte", "--filter", "source:FNA", "--since", "2016", "--facet", "terms"];
    let report = wd.query_json(&[&["--all"][..], &args].concat());
    let provenance = &report["provenance"];
    assert_eq!(provenance["query"], "Sirte");
    assert_eq!(provenance["options"]["filters"][0], "source:FNA", "{provenance}");
    assert_eq!(provenance["options"]["facets"][0], "terms", "{provenance}");
    assert_eq!(provenance["documents"], report["index"]["documents"]);
    assert!(provenance["opstamp"].as_u64().unwrap() > 0, "{provenance}");
    assert!(provenance.get("written_at").is_none(), "plain output carries no time");

    let export = |file: &str| {
        let mut all = vec!["query", "--all", "--format", "jsonl", "--provenance", file];
        all.extend_from_slice(&args);
        wd.run(&all).success().stdout
    };
    let (first, second) = (export("first.json"), export("second.json"));
    assert_eq!(first, second, "an export is the same from run to run");
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(wd.join("first.json")).unwrap()).unwrap();
    assert!(written["written_at"].as_str().unwrap().starts_with("20"), "{written}");
    let mut without_time = written.clone();
    without_time.as_object_mut().unwrap().remove("written_at");
    assert_eq!(&without_time, provenance);
}

#[test]
fn entity_keyness_on_fakes_agrees_with_the_hit_sets_of_each_entity() {
    use std::collections::HashSet;
    let Some(corpus) = shared("corpora/fakes-seedformat") else { return };
    let wd = Workdir::new();
    wd.run(&["index", corpus.to_str().unwrap(), "--quiet"]).success();
    let query = "truce";
    let report = wd.query_json(&[query, "--facet", "entity", "--keyness", "-n", "0"]);
    let validator = crate::util::schema_validator("query.v1.schema.json");
    assert!(validator.is_valid(&report), "{report:#}");
    let hits: HashSet<String> = wd.query_ids(&[query]).into_iter().collect();
    let documents = report["index"]["documents"].as_u64().unwrap() as f64;
    let (n1, n2) = (hits.len() as f64, documents - hits.len() as f64);
    let entities = report["facets"]["entity"].as_array().unwrap();
    assert!(entities.len() >= 5, "{report:#}");
    let mut under = 0;
    for value in entities {
        let name = value["value"].as_str().unwrap();
        // Every article that mentions the entity, by a filter of its own.
        let mentioning: HashSet<String> =
            wd.query_ids(&["*", "--filter", &format!("entity:{name}")]).into_iter().collect();
        let (a, df) = (hits.intersection(&mentioning).count(), mentioning.len());
        assert_eq!(value["count"].as_u64().unwrap(), a as u64, "{name}: {value}");
        assert_eq!(value["corpus_count"].as_u64().unwrap(), df as u64, "{name}: {value}");
        let (a, df) = (a as f64, df as f64);
        let expected = expected_g2(a, n1, df - a, n2);
        let got = value["g2"].as_f64().unwrap();
        assert!((got - expected).abs() <= 1e-6 * expected.max(1.0), "{name}: {got} vs {expected}");
        let effect = ((a / n1) / ((df - a).max(0.5) / n2)).log2();
        assert!((value["effect"].as_f64().unwrap() - effect).abs() < 1e-6, "{name}: {value}");
        under += usize::from(effect < 0.0);
    }
    // Keyness runs both ways: entities the hits mention less than the rest do
    // are listed too, with a negative effect.
    assert!(under > 0 || entities.len() < 3, "{report:#}");

    // Without --facet entity, --keyness has nothing to score: a usage error
    // on the command line and in a batch line, which names the fix.
    let out = wd.run(&["query", query, "--keyness"]).code(2);
    assert!(out.stderr.contains("--facet entity"), "{out}");
    let out = wd.run(&["query", query, "--keyness", "--facet", "entity", "--collapse"]).code(2);
    assert!(out.stderr.contains("--collapse"), "{out}");
    wd.write("batch.jsonl", "{\"query\": \"truce\", \"keyness\": true}\n");
    let out = wd.run(&["query", "--batch", "batch.jsonl", "--format", "json"]).code(2);
    assert!(out.stdout.contains("--facet entity"), "{out}");
    wd.write("batch.jsonl", "{\"query\": \"truce\", \"keyness\": true, \"facet\": [\"entity\"]}\n");
    let line =
        wd.run(&["query", "--batch", "batch.jsonl", "--format", "json", "-n", "0"]).success();
    let line: Value = serde_json::from_str(line.stdout.trim()).unwrap();
    assert_eq!(line["facets"]["entity"], report["facets"]["entity"]);

    // People see the same figures in the table.
    let human = wd.run(&["query", query, "--facet", "entity", "--keyness", "-n", "0"]).success();
    assert!(human.stdout.contains("G²") && human.stdout.contains("effect"), "{human}");
}

/// `stats --timeline month` on the index in `wd`: each period's total and each
/// source's count are what `query '*'` (with `--filter source:S`) counts in
/// the period; returns the report.
fn check_stats_coverage(wd: &Workdir) -> Value {
    use std::collections::BTreeMap;
    let stats = wd.run(&["stats", "--timeline", "month", "--format", "json"]).success().json();
    let validator = crate::util::schema_validator("stats.v1.schema.json");
    assert!(validator.is_valid(&stats), "{stats:#}");
    let timeline = stats["timeline"].as_array().unwrap();
    let per_period = |report: &Value| -> BTreeMap<String, u64> {
        let periods = report["timeline"].as_array().unwrap();
        periods
            .iter()
            .map(|p| (p["period"].as_str().unwrap().to_owned(), p["count"].as_u64().unwrap()))
            .collect()
    };
    let all = per_period(&wd.query_json(&["*", "--timeline", "month", "-n", "0"]));
    let periods: Vec<String> =
        timeline.iter().map(|p| p["period"].as_str().unwrap().to_owned()).collect();
    assert_eq!(periods, all.keys().cloned().collect::<Vec<_>>());
    for period in timeline {
        let name = period["period"].as_str().unwrap();
        assert_eq!(period["total"].as_u64().unwrap(), all[name], "{period}");
        assert_eq!(period["gap"].as_bool().unwrap_or(false), all[name] == 0, "{period}");
    }
    let sources: Vec<String> = stats["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["value"].as_str().unwrap().to_owned())
        .collect();
    assert!(!sources.is_empty());
    for source in &sources {
        let filter = format!("source:{source}");
        let own = per_period(&wd.query_json(&[
            "*",
            "--filter",
            &filter,
            "--timeline",
            "month",
            "-n",
            "0",
        ]));
        for period in timeline {
            let name = period["period"].as_str().unwrap();
            let expected = own.get(name).copied().unwrap_or(0);
            assert_eq!(period["sources"][source].as_u64(), Some(expected), "{source} in {period}");
        }
    }
    let dated: u64 = timeline.iter().map(|p| p["total"].as_u64().unwrap()).sum();
    let undated = stats["undated_excluded"].as_u64().unwrap();
    assert_eq!(dated + undated, stats["documents"].as_u64().unwrap());
    stats
}

#[test]
fn stats_timeline_gives_the_coverage_of_each_source_on_the_sample_corpus() {
    let wd = Workdir::indexed_sample_corpus();
    let stats = check_stats_coverage(&wd);
    // A source without articles in a period where others have some: a gap
    // in its collection, which the table shows as `-`.
    let timeline = stats["timeline"].as_array().unwrap();
    let gaps = timeline
        .iter()
        .filter(|p| p["total"].as_u64().unwrap() > 0)
        .flat_map(|p| p["sources"].as_object().unwrap().values())
        .filter(|count| count.as_u64() == Some(0))
        .count();
    assert!(gaps > 0, "{stats:#}");
    let human = wd.run(&["stats", "--timeline", "year"]).success();
    let table = human.stdout.split_once("coverage:").map(|(_, table)| table).unwrap_or_default();
    let gap_cell = table.lines().any(|line| line.split_whitespace().any(|cell| cell == "-"));
    assert!(table.contains("period") && gap_cell, "{human}");
    // Without --timeline the report is as before.
    let plain = wd.run(&["stats", "--format", "json"]).success().json();
    assert!(plain.get("timeline").is_none() && plain.get("undated_excluded").is_none());
}

#[test]
fn stats_timeline_gives_the_coverage_of_each_source_on_fakes() {
    let Some(corpus) = shared("corpora/fakes/fakes.csv") else { return };
    let wd = Workdir::new();
    wd.run(&["index", corpus.to_str().unwrap(), "--quiet"]).success();
    let stats = check_stats_coverage(&wd);
    assert!(stats["sources"].as_array().unwrap().len() >= 5, "{stats:#}");
}
