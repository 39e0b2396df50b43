//! Entities read in context and in other scripts, end to end (issue 14, items
//! 1 and 4), on test corpora of our own in `tests/fixtures/entities`:
//! - `wire/`: wire-style articles with headlines in capitals, capitals with a
//!   lower-case tail, quotes in capitals, tickers and codes, and no mention of
//!   ISIS, the US or the UN at all; `true/`: ordinary sentences that do
//!   mention them;
//! - `mixed/`: ISIS written in Arabic (with and without diacritics, tatweel,
//!   other alef forms, attached prefixes), Persian, French, Russian (case
//!   endings) and English, and control articles that use the same words in
//!   other senses.

use std::collections::BTreeSet;

use crate::util::{Workdir, copy_dir, repo};

/// A workdir with `tests/fixtures/entities/{folders}` copied to `corpus/` and indexed.
fn indexed(folders: &[&str]) -> Workdir {
    let wd = Workdir::new();
    for folder in folders {
        copy_dir(
            &repo().join("tests/fixtures/entities").join(folder),
            &wd.join(&format!("corpus/{folder}")),
        );
    }
    wd.run(&["index", "corpus", "--quiet"]).success();
    wd
}

/// The ids of every hit of `query`, from `query --format json --all`.
fn hit_ids(wd: &Workdir, query: &str) -> BTreeSet<String> {
    let json = wd.query_json(&[query, "--all"]);
    json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_str().unwrap().to_owned())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|id| format!("corpus/{id}")).collect()
}

#[test]
fn capitals_headlines_tails_quotes_and_tickers_give_no_false_entities() {
    let wd = indexed(&["wire", "true"]);
    let isis = set(&["true/2015-06-01-fighters-withdraw.txt"]);
    let us = set(&["true/2015-06-02-envoy-meets-team.txt"]);
    let un =
        set(&["true/2015-06-02-envoy-meets-team.txt", "true/2015-06-03-un-team-visits-camp.txt"]);
    let mut false_matches = 0;
    for (query, expected) in [
        ("entity:ISIS", &isis),
        ("IS", &isis),
        ("ISIS", &isis),
        ("entity:\"United States\"", &us),
        ("US", &us),
        ("entity:\"United Nations\"", &un),
        ("UN", &un),
    ] {
        let got = hit_ids(&wd, query);
        let wrong: Vec<&String> = got.difference(expected).collect();
        false_matches += wrong.len();
        assert!(wrong.is_empty(), "{query}: false matches {wrong:?}");
        assert_eq!(&got, expected, "{query}: true matches missed");
    }
    eprintln!("wire-style corpus: {false_matches} false ISIS, US and UN matches");
    // The entity facet counts the true mentions only.
    let facets = wd.query_json(&["*", "--facet", "entity", "-n", "0"]);
    let count = |name: &str| {
        facets["facets"]["entity"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["value"].as_str().unwrap_or_default().ends_with(name))
            .map_or(0, |e| e["count"].as_u64().unwrap())
    };
    assert_eq!(
        [count("ISIS"), count("United States"), count("United Nations")],
        [1, 1, 2],
        "{facets}"
    );
}

/// Every ISIS article of `mixed/`: all but the controls.
fn mixed_isis(wd: &Workdir) -> BTreeSet<String> {
    let all = hit_ids(wd, "*");
    assert_eq!(all.len(), 13, "{all:?}");
    all.into_iter().filter(|id| !id.contains("/control-")).collect()
}

#[test]
fn every_spelling_in_every_script_finds_every_isis_article() {
    let wd = indexed(&["mixed"]);
    let isis = mixed_isis(&wd);
    for query in [
        "entity:ISIS",
        "ISIS",
        "Daesh",
        "\"Islamic State\"",
        // Arabic: as written, with diacritics, with tatweel, with a prefix,
        // with another alef form or taa marbuta written as haa.
        "داعش",
        "دَاعِش",
        "داعـش",
        "وداعش",
        "الدولة الإسلامية",
        "\"الدولة الإسلامية\"",
        "الدولة الاسلامية",
        "الدوله الاسلاميه",
        "الدَّوْلَةُ الإِسْلَامِيَّةُ",
        "تنظيم الدولة",
        // Persian
        "دولت اسلامی",
        // French
        "État islamique",
        "Etat islamique",
        "EI",
        "Daech",
        // Russian, with and without case endings
        "ИГИЛ",
        "ИГИЛа",
        "ИГ",
        "ДАИШ",
        "Исламское государство",
        "Исламского государства",
        "entity:داعش",
        "entity:ИГИЛ",
    ] {
        assert_eq!(hit_ids(&wd, query), isis, "{query}");
    }
}

#[test]
fn highlights_cover_the_spellings_as_written_in_every_script() {
    let wd = indexed(&["mixed"]);
    let json = wd.query_json(&["ISIS", "--all"]);
    let expected = [
        ("ar-1-withdrawal.txt", vec!["داعش"]),
        ("ar-2-diacritics.txt", vec!["الدَّوْلَةِ الإِسْلَامِيَّةِ"]),
        ("ar-3-prefixes.txt", vec!["وللدولة الاسلامية"]),
        ("ar-4-waw.txt", vec!["وداعـش"]),
        ("ar-5-alef.txt", vec!["تنظيم الدوله الإسلاميه"]),
        ("fa-1-persian.txt", vec!["داعش", "دولت اسلامی"]),
        ("fr-1-french.txt", vec!["État islamique", "EI", "Daech"]),
        ("ru-1-russian.txt", vec!["ИГИЛа", "Исламского государства"]),
        ("ru-2-russian.txt", vec!["ИГ", "ИГИЛом", "ДАИШ"]),
    ];
    for (file, spellings) in expected {
        let hit = json["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|hit| hit["id"].as_str().unwrap().ends_with(file))
            .unwrap_or_else(|| panic!("{file} not found"));
        let snippet = hit["snippet"].as_str().unwrap();
        let highlighted: Vec<&str> = hit["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|range| {
                let [start, end] = [range[0].as_u64().unwrap(), range[1].as_u64().unwrap()];
                &snippet[start as usize..end as usize]
            })
            .collect();
        // The snippet is one passage: it shows some of the file's spellings.
        assert!(
            !highlighted.is_empty() && highlighted.iter().all(|h| spellings.contains(h)),
            "{file}: {highlighted:?} in {snippet}"
        );
    }
}

#[test]
fn the_same_words_in_other_senses_are_no_entity() {
    let wd = indexed(&["mixed"]);
    let controls = hit_ids(&wd, "*")
        .into_iter()
        .filter(|id| id.contains("/control-"))
        .collect::<BTreeSet<_>>();
    assert_eq!(controls.len(), 2);
    let isis = hit_ids(&wd, "entity:ISIS");
    assert!(isis.is_disjoint(&controls), "{isis:?}");
    // The ordinary words are still found, folded as the entities are.
    assert!(hit_ids(&wd, "الدوله").iter().any(|id| id.ends_with("control-ar.txt")));
    assert!(hit_ids(&wd, "الإسلاميَّة").iter().any(|id| id.ends_with("control-ar.txt")));
}
