//! Stemmed matching, `--literal`, BM25F explanations and `--expand`, on a
//! small corpus written here, where each answer is known by construction.

use std::sync::OnceLock;

use serde_json::Value;

use crate::util::Workdir;

/// Articles in the seed's layout: title, repeated title, date line, body.
const ARTICLES: [(&str, &str, &str); 7] = [
    (
        "a1",
        "Barrel bombs hit Aleppo suburb",
        "Helicopters dropped barrel bombs on the district overnight.",
    ),
    ("a2", "Market struck in Idlib", "A single barrel bomb struck a crowded market at noon."),
    (
        "a3",
        "Fuel depot fire",
        "A barrel containing fuel caught fire; two bombs were found nearby later.",
    ),
    ("a4", "Truce talks resume", "Negotiators negotiated for hours, and the negotiations went on."),
    (
        "a5",
        "Researchers publish survey",
        "A study of displacement builds on earlier studies of the region.",
    ),
    ("a6", "Party wins seats", "The Hope Party won four seats in the assembly."),
    ("a7", "Residents wait", "Residents hoped for a ceasefire, they said."),
];

/// An alias table with one entity whose name is also an English word (a
/// name is a spelling of its entity, whatever its case).
const TABLE: &str = r#"
version = 1
[[entity]]
name = "Hope"
kind = "organization"
variants = ["Hope Party"]
"#;

fn corpus() -> &'static Workdir {
    static CORPUS: OnceLock<Workdir> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let wd = Workdir::new();
        for (name, title, body) in ARTICLES {
            let text = format!("{title}\n\n{title}\nSun Sep 4, 2016 15:14:55\n\n{body}\n");
            wd.write(&format!("corpus/{name}.txt"), text);
        }
        wd.write("aliases.toml", TABLE);
        wd.run(&["index", "corpus", "--aliases", "aliases.toml", "--quiet"]).success();
        wd
    })
}

/// The article names (`a1`...) of every hit.
fn hits(args: &[&str]) -> Vec<String> {
    corpus()
        .query_ids(args)
        .into_iter()
        .map(|id| id.trim_start_matches("corpus/").trim_end_matches(".txt").to_owned())
        .collect()
}

#[test]
fn words_match_every_indexed_form_of_their_stem() {
    assert_eq!(hits(&["bomb"]), ["a1", "a2", "a3"]);
    assert_eq!(hits(&["bombs"]), ["a1", "a2", "a3"]);
    assert_eq!(hits(&["negotiation"]), ["a4"]);
    // Porter2 stems are not always prefixes: study and studies are `studi`.
    assert_eq!(hits(&["studying"]), ["a5"]);
}

#[test]
fn phrases_match_stemmed_and_in_order() {
    assert_eq!(hits(&["\"barrel bombs\""]), ["a1", "a2"], "a3 has both words apart");
    assert_eq!(hits(&["barrel bombs"]), ["a1", "a2", "a3"]);
    assert_eq!(hits(&["\"bombs barrel\""]), Vec::<String>::new());
    assert_eq!(hits(&["\"barrel bomb\"~6"]), ["a1", "a2", "a3"], "slop lets words stand apart");
}

#[test]
fn literal_matches_the_forms_as_written_in_words_and_phrases() {
    assert_eq!(hits(&["bomb", "--literal"]), ["a2"]);
    assert_eq!(hits(&["bombs", "--literal"]), ["a1", "a3"]);
    assert_eq!(hits(&["\"barrel bombs\"", "--literal"]), ["a1"]);
    assert_eq!(hits(&["studying", "--literal"]), Vec::<String>::new());
}

#[test]
fn field_prefixes_search_that_field_alone_with_stems() {
    assert_eq!(hits(&["title:bomb"]), ["a1"]);
    assert_eq!(hits(&["body:bomb"]), ["a1", "a2", "a3"]);
    assert_eq!(hits(&["title:bomb", "--literal"]), Vec::<String>::new());
}

#[test]
fn no_stem_group_reaches_an_entity_term() {
    // `hoping` stems to `hope`, which is also the entity's name: its group
    // holds the words (`hoped`), never the entity's term.
    assert_eq!(hits(&["hoping"]), ["a7"]);
    assert_eq!(hits(&["hoped"]), ["a7"]);
    assert_eq!(hits(&["hope"]), ["a6"], "the name is a spelling of the entity");
    assert_eq!(hits(&["*", "--filter", "entity:Hope"]), ["a6"]);
    assert_eq!(hits(&["entity:Hope"]), ["a6"]);
}

#[test]
fn highlights_cover_the_forms_the_article_wrote() {
    let report = corpus().query_json(&["bomb", "--all"]);
    for hit in report["hits"].as_array().unwrap() {
        let snippet = hit["snippet"].as_str().unwrap();
        let marked: Vec<&str> = hit["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &snippet[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize])
            .collect();
        assert!(!marked.is_empty(), "{hit}");
        assert!(
            marked
                .iter()
                .all(|m| m.eq_ignore_ascii_case("bomb") || m.eq_ignore_ascii_case("bombs")),
            "{marked:?}"
        );
    }
}

#[test]
fn a_title_occurrence_weighs_more_than_a_body_occurrence() {
    // a1 has `bombs` in title and body; a2 and a3 in the body only.
    let report = corpus().query_json(&["bomb", "--all"]);
    assert_eq!(report["hits"][0]["id"], "corpus/a1.txt", "{report}");
}

/// Every description in an explanation tree.
fn descriptions(explanation: &Value, out: &mut Vec<String>) {
    if let Some(description) = explanation["description"].as_str() {
        out.push(description.to_owned());
    }
    for detail in explanation["details"].as_array().into_iter().flatten() {
        descriptions(detail, out);
    }
}

#[test]
fn explain_shows_stem_groups_and_field_weights() {
    let report = corpus().query_json(&["bombs", "-n", "1", "--explain"]);
    let mut lines = Vec::new();
    descriptions(&report["hits"][0]["explanation"], &mut lines);
    let text = lines.join("\n");
    assert!(text.contains("BM25F, word `bombs`"), "{text}");
    assert!(text.contains("forms matched: bomb bombs"), "{text}");
    assert!(text.contains("field title (weight 3)"), "{text}");
    assert!(text.contains("field body (weight 1)"), "{text}");

    let human =
        corpus().run(&["query", "bombs", "-n", "1", "--explain", "--color", "never"]).success();
    assert!(human.stdout.contains("forms matched: bomb bombs"), "{human}");
}

#[test]
fn expand_adds_weighted_words_only_when_asked() {
    let plain = corpus().query_json(&["bombs"]);
    assert!(plain.get("expansion").is_none(), "{plain}");
    let expanded = corpus().query_json(&["bombs", "--expand"]);
    let terms = expanded["expansion"].as_array().unwrap();
    assert!(!terms.is_empty(), "{expanded}");
    let sum: f64 = terms.iter().map(|t| t["weight"].as_f64().unwrap()).sum();
    assert!((sum - 1.0).abs() < 1e-3, "{sum}");
    assert!(terms.iter().any(|t| t["term"] == "barrel"), "{expanded}");
    // Without --any the hits stay those of the query; only their order may change.
    assert_eq!(hits(&["bombs", "--expand"]), hits(&["bombs"]));
    let human = corpus().run(&["query", "bombs", "--expand"]).success();
    assert!(human.stdout.contains("expanded with: "), "{human}");
}
