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
