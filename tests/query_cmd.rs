//! `newsearch query` over an index of `sample-corpus/`, with expected answers
//! computed from the raw files, not from newsearch.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::Value;

use crate::util::{
    IsisTruth, Workdir, repo, run_command, sample_articles, shared, skip, without_trailer,
};

/// One indexed sample corpus shared by the read-only tests of this file.
fn sample() -> &'static Workdir {
    static SAMPLE: OnceLock<Workdir> = OnceLock::new();
    SAMPLE.get_or_init(Workdir::indexed_sample_corpus)
}

/// The id newsearch gives a text article: its path below the corpus root's parent.
fn id_of(path: &std::path::Path) -> String {
    path.strip_prefix(repo()).unwrap().to_string_lossy().replace('\\', "/")
}

fn text_ids(ids: Vec<String>) -> BTreeSet<String> {
    ids.into_iter().filter(|id| id.starts_with("sample-corpus/")).collect()
}

#[test]
fn every_isis_spelling_finds_exactly_the_articles_that_mention_isis() {
    let wd = sample();
    let rule = IsisTruth::of_built_in_table(wd, "");
    let truth: BTreeSet<String> = sample_articles()
        .iter()
        .filter(|(_, text)| rule.mentions(without_trailer(text)))
        .map(|(path, _)| id_of(path))
        .collect();
    assert!(truth.len() >= 15, "the sample corpus mentions ISIS often: {truth:?}");
    let traps = ["2016-09-21-what-is-next-aleppo-truce", "2017-06-24-cholera-spreads-hodeidah"];
    assert!(truth.iter().all(|id| traps.iter().all(|t| !id.contains(t))));

    for query in [
        "ISIS",
        "isis",
        "ISIL",
        "Daesh",
        "Islamic State",
        "\"Islamic State\"",
        "entity:ISIS",
        "IS",
        "Da'esh",
    ] {
        assert_eq!(text_ids(wd.query_ids(&[query])), truth, "query {query}");
    }
    let filtered = wd.query_ids(&["*", "--filter", "entity:ISIS"]);
    assert_eq!(text_ids(filtered), truth, "--filter entity:ISIS");
}

#[test]
fn phrases_see_through_aliases() {
    let wd = sample();
    let phrase = wd.query_ids(&["\"ISIL fighters\""]);
    assert_eq!(phrase, wd.query_ids(&["\"Islamic State fighters\""]));
    assert_eq!(phrase, wd.query_ids(&["\"Daesh fighters\""]));
    let rule = IsisTruth::of_built_in_table(wd, r"[^\p{L}\p{N}]+(?i:fighters)");
    let expected: BTreeSet<String> = sample_articles()
        .iter()
        .filter(|(_, text)| rule.mentions(without_trailer(text)))
        .map(|(path, _)| id_of(path))
        .collect();
    assert_eq!(text_ids(phrase.clone()), expected);
    // Words without quotes match more (or the same) articles than the phrase.
    let words: BTreeSet<String> = wd.query_ids(&["ISIL fighters"]).into_iter().collect();
    assert!(phrase.iter().all(|id| words.contains(id)));
    // A variant inside a longer query works the same way.
    assert_eq!(wd.query_ids(&["Daesh Sirte"]), wd.query_ids(&["Islamic State Sirte"]));
    // ... and next to operators, which tantivy's grammar binds to the one word
    // beside them (`Islamic State AND Sirte` is `Islamic (State AND Sirte)`).
    let both = wd.query_ids(&["Daesh AND Sirte"]);
    assert!(!both.is_empty());
    assert_eq!(both, wd.query_ids(&["Islamic State AND Sirte"]));
    let either = wd.query_ids(&["Daesh OR Misrata"]);
    assert_eq!(either, wd.query_ids(&["Islamic State OR Misrata"]));
    assert!(either.len() > both.len());
}

#[test]
fn a_headline_pasted_in_capitals_finds_its_article_and_in_is_a_word() {
    let wd = sample();
    let article = "sample-corpus/Alalam/2016-09-21-what-is-next-aleppo-truce.txt";
    // In the article's capitals line `IS` is a verb, so the index holds `is`;
    // read word by word, the query would have searched ISIS.
    for query in ["WHAT IS NEXT FOR THE ALEPPO TRUCE", "\"WHAT IS NEXT FOR THE ALEPPO TRUCE\""] {
        assert_eq!(wd.query_ids(&[query]), vec![article.to_owned()], "{query}");
    }
    // `IN` is tantivy's set operator only after a field prefix.
    let fighting = wd.query_ids(&["FIGHTING IN SIRTE"]);
    assert!(!fighting.is_empty());
    assert_eq!(fighting, wd.query_ids(&["fighting in Sirte"]));
}

#[test]
fn a_title_match_outranks_a_newer_body_match() {
    let result = sample().query_json(&["Misrata"]);
    let titles: Vec<&str> =
        result["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 2, "{result}");
    assert!(titles[0].contains("2014-07-20-misrata-brigades-shell-airport"), "{titles:?}");
    assert!(titles[1].contains("2016-09-12-sirte-field-hospitals"), "{titles:?}");
}

/// Dated sample text articles: id → date from the file name (which the corpus
/// README promises equals the date line), for those with a date line.
fn dated_articles() -> BTreeMap<String, String> {
    sample_articles()
        .iter()
        .filter(|(path, _)| !path.to_string_lossy().contains("iraqi-forces-retake-kirkuk"))
        .map(|(path, _)| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (id_of(path), name[..10].to_owned())
        })
        .collect()
}

#[test]
fn date_ranges_are_inclusive_at_both_ends() {
    let wd = sample();
    let dated = dated_articles();
    for (since, until, prefix) in [
        ("2016-09-04", "2016-09-04", "2016-09-04"),
        ("2016-09", "2016-09", "2016-09"),
        ("2015", "2015", "2015"),
    ] {
        let expected: BTreeSet<String> = dated
            .iter()
            .filter(|(_, date)| date.starts_with(prefix))
            .map(|(id, _)| id.clone())
            .collect();
        let got = text_ids(wd.query_ids(&["*", "--since", since, "--until", until]));
        assert_eq!(got, expected, "--since {since} --until {until}");
    }
}

#[test]
fn source_and_folder_values_match_whatever_their_letter_case() {
    let wd = Workdir::new();
    // Two spellings of one source, a source with a slash in its name, and folders.
    wd.write(
        "corpus/Wires/a.jsonl",
        concat!(
            r#"{"title":"One","body":"Sirte port reopens","source":"BBC/World"}"#,
            "\n",
            r#"{"title":"Two","body":"Sirte talks resume","source":"bbc/world"}"#,
            "\n",
            r#"{"title":"Three","body":"Sirte market","source":"Levant Wire"}"#,
            "\n",
        ),
    );
    wd.write("corpus/wires/b.txt", "Four\n\nSirte water supply\n");
    wd.run(&["index", "corpus", "--quiet"]).success();
    let total = |args: &[&str]| wd.query_json(args)["total_hits"].as_u64().unwrap();

    // --filter and the query text read a value the same way.
    assert_eq!(total(&["Sirte", "--filter", "source:BBC/World"]), 2);
    assert_eq!(total(&["Sirte", "--filter", "source:bbc/WORLD"]), 2);
    assert_eq!(total(&["Sirte source:\"bbc/world\""]), 2);
    assert_eq!(total(&["Sirte", "--filter", "source:levant wire"]), 1);
    assert_eq!(total(&["Sirte source:\"LEVANT WIRE\""]), 1);
    assert_eq!(total(&["Sirte -source:\"bbc/world\""]), 2);
    assert_eq!(total(&["Sirte", "--filter", "folder:corpus/WIRES"]), 4);
    assert_eq!(total(&["Sirte folder:/corpus/wires"]), 4);
    assert_eq!(total(&["Sirte", "--filter", "folder:corpus/wires/"]), 4);
    // A value the index does not hold is no error: it matches nothing.
    assert_eq!(total(&["Sirte", "--filter", "source:Alalam"]), 0);
    // Facets count the spellings as one value, as the filter finds them: each
    // count is what filtering on its value gives.
    let facets = wd.query_json(&["Sirte", "--facet", "source", "--facet", "folder"]);
    for name in ["source", "folder"] {
        let values = facets["facets"][name].as_array().unwrap();
        for entry in values {
            let filter = format!("{name}:{}", entry["value"].as_str().unwrap());
            assert_eq!(total(&["Sirte", "--filter", &filter]), entry["count"], "{filter}");
        }
        let shown: BTreeSet<String> =
            values.iter().map(|v| v["value"].as_str().unwrap().to_lowercase()).collect();
        assert_eq!(shown.len(), values.len(), "one entry per value: {facets}");
    }
    // BBC/World (both spellings), Levant Wire, and the text file's folder.
    assert_eq!(facets["facets"]["source"].as_array().unwrap().len(), 3, "{facets}");
}

#[test]
fn filters_and_facets_match_counts_from_the_files() {
    let wd = sample();
    let files = sample_articles();
    let in_folder =
        |folder: &str| files.iter().filter(|(p, _)| id_of(p).starts_with(folder)).count() as u64;
    let total = |args: &[&str]| wd.query_json(args)["total_hits"].as_u64().unwrap();
    assert_eq!(total(&["*", "--filter", "source:FNA"]), in_folder("sample-corpus/FNA/"));
    assert_eq!(
        total(&["*", "--filter", "source:FNA", "--filter", "source:Alalam"]),
        in_folder("sample-corpus/FNA/") + in_folder("sample-corpus/Alalam/")
    );
    assert_eq!(
        total(&["*", "--filter", "folder:/sample-corpus/FNA/2016"]),
        in_folder("sample-corpus/FNA/2016/")
    );
    assert_eq!(
        total(&["*", "--filter", "source:Levant Wire"]),
        in_folder("sample-corpus/Levant Wire/")
    );
    // AND across fields.
    let both = total(&["*", "--filter", "source:FNA", "--filter", "entity:ISIS"]);
    assert!(both > 0 && both < in_folder("sample-corpus/FNA/"));

    let result = wd.query_json(&["*", "--facet", "source", "--facet", "year", "--facet", "folder"]);
    let facet = |name: &str| -> BTreeMap<String, u64> {
        result["facets"][name]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["value"].as_str().unwrap().to_owned(), c["count"].as_u64().unwrap()))
            .collect()
    };
    let mut years: BTreeMap<String, u64> = BTreeMap::new();
    for date in dated_articles().values() {
        *years.entry(date[..4].to_owned()).or_default() += 1;
    }
    let jsonl = std::fs::read_to_string(repo().join("sample-corpus/extra/wire.jsonl")).unwrap();
    for line in jsonl.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        *years.entry(record["date"].as_str().unwrap()[..4].to_owned()).or_default() += 1;
    }
    let mut csv = csv::Reader::from_path(repo().join("sample-corpus/extra/digest.csv")).unwrap();
    for row in csv.records() {
        let date = row.unwrap()[3].to_owned();
        *years.entry(date[date.len() - 4..].to_owned()).or_default() += 1;
    }
    assert_eq!(facet("year"), years);
    assert_eq!(facet("source").get("FNA"), Some(&in_folder("sample-corpus/FNA/")));
    assert_eq!(
        facet("folder").get("/sample-corpus/FNA/2016"),
        Some(&in_folder("sample-corpus/FNA/2016/"))
    );
}

#[test]
fn zero_hits_per_page_gives_the_counts_alone() {
    let wd = sample();
    let args = ["Sirte", "--facet", "source", "--facet", "entity", "--timeline", "month"];
    let full = wd.query_json(&args);
    let counts = wd.query_json(&[&args[..], &["-n", "0"]].concat());
    assert_eq!(counts["hits"].as_array().unwrap().len(), 0);
    assert!(full["total_hits"].as_u64().unwrap() > 0);
    for key in ["total_hits", "facets", "timeline"] {
        assert_eq!(counts[key], full[key], "{key}");
    }
    let human = wd.run(&["query", "Sirte", "-n", "0", "--facet", "source"]).success();
    assert!(human.stdout.contains("Sahel Monitor") && !human.stdout.contains("no hits"), "{human}");
}

#[test]
fn timeline_sums_to_the_dated_hits() {
    let result = sample().query_json(&["ISIS", "--since", "2014", "--timeline", "month"]);
    let sum: u64 =
        result["timeline"].as_array().unwrap().iter().map(|p| p["count"].as_u64().unwrap()).sum();
    assert_eq!(Some(sum), result["total_hits"].as_u64());
    let periods: Vec<&str> = result["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    let mut sorted = periods.clone();
    sorted.sort_unstable();
    assert_eq!(periods, sorted, "timeline is in period order");
    // Every month from the first to the last is there, months without hits as 0.
    let month = |period: &str| -> u32 {
        let (year, month) = period.split_once('-').unwrap();
        year.parse::<u32>().unwrap() * 12 + month.parse::<u32>().unwrap()
    };
    assert!(periods.windows(2).all(|w| month(w[1]) == month(w[0]) + 1), "{periods:?}");
    let zeros = result["timeline"].as_array().unwrap().iter().filter(|p| p["count"] == 0).count();
    assert!(zeros > 0, "the sample's ISIS coverage has quiet months");
}

#[test]
fn pages_are_consistent_and_sorting_by_date_orders_dates() {
    let wd = sample();
    let ids = |args: &[&str]| -> Vec<String> {
        wd.query_json(args)["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut two_pages = ids(&["Sirte", "-n", "4"]);
    two_pages.extend(ids(&["Sirte", "-n", "4", "--offset", "4"]));
    assert_eq!(two_pages, ids(&["Sirte", "-n", "8"]));
    let past_end = wd.query_json(&["Sirte", "--offset", "1000"]);
    assert_eq!(past_end["hits"].as_array().unwrap().len(), 0);
    assert!(past_end["total_hits"].as_u64().unwrap() > 0);

    for (sort, newest_first) in [("newest", true), ("oldest", false)] {
        let result = wd.query_json(&["*", "--since", "2014", "--sort", sort, "-n", "100"]);
        let dates: Vec<&str> = result["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["date"].as_str().unwrap())
            .collect();
        let mut sorted = dates.clone();
        sorted.sort_unstable();
        if newest_first {
            sorted.reverse();
        }
        assert_eq!(dates, sorted, "--sort {sort}");
    }
}

/// (id, score, date) of each hit.
fn scored_hits(wd: &Workdir, args: &[&str]) -> Vec<(String, f64, Option<String>)> {
    wd.query_json(args)["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let id = h["id"].as_str().unwrap().to_owned();
            (id, h["score"].as_f64().unwrap(), h["date"].as_str().map(str::to_owned))
        })
        .collect()
}

#[test]
fn pages_of_equal_scores_hold_the_newest_and_never_overlap() {
    // Every hit of `*`, or of a filter alone, scores the same: far more ties
    // than fit on a page.
    let wd = sample();
    for base in [&["*"][..], &["*", "--filter", "source:FNA"][..]] {
        let all = scored_hits(wd, &[base, &["--all"]].concat());
        assert!(all.len() > 10, "{base:?}: {} hits", all.len());
        assert!(
            all.iter().all(|hit| hit.1.to_bits() == all[0].1.to_bits()),
            "{base:?}: scores differ"
        );
        let dates: Vec<&str> = all.iter().map_while(|(_, _, date)| date.as_deref()).collect();
        assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{base:?}: not newest first: {dates:?}");
        assert!(all[dates.len()..].iter().all(|(_, _, date)| date.is_none()), "undated last");

        let mut paged = Vec::new();
        for offset in (0..all.len()).step_by(3) {
            let offset = offset.to_string();
            paged.extend(scored_hits(wd, &[base, &["-n", "3", "--offset", &offset]].concat()));
        }
        let ids = |hits: &[(String, f64, Option<String>)]| -> Vec<String> {
            hits.iter().map(|(id, _, _)| id.clone()).collect()
        };
        assert_eq!(ids(&paged), ids(&all), "{base:?}: pages of 3 differ from --all");
    }
}

#[test]
fn dates_and_filters_narrow_the_hits_without_changing_their_scores() {
    let wd = sample();
    let unfiltered = scored_hits(wd, &["Sirte", "--all"]);
    for narrowing in [
        &["--filter", "entity:GNA"][..],
        &["--filter", "source:FNA"],
        &["--since", "2016-09", "--until", "2016-12"],
        &["--filter", "entity:ISIS", "--filter", "source:Sahel Monitor", "--since", "2015"],
    ] {
        let narrowed = scored_hits(wd, &[&["Sirte", "--all"][..], narrowing].concat());
        assert!(!narrowed.is_empty() && narrowed.len() < unfiltered.len(), "{narrowing:?}");
        let kept: Vec<_> = unfiltered
            .iter()
            .filter(|hit| narrowed.iter().any(|n| n.0 == hit.0))
            .cloned()
            .collect();
        assert_eq!(narrowed, kept, "{narrowing:?}: scores or order changed");
    }
}

#[test]
fn deeply_nested_queries_fail_alone_instead_of_aborting_the_batch() {
    let wd = sample();
    let parens = format!("{}Sirte{}", "(".repeat(50_000), ")".repeat(50_000));
    let nots = format!("* {}Sirte", "NOT ".repeat(50_000));
    let batch = wd.write("nested.txt", format!("Sirte\n{parens}\n{nots}\n((Mosul))\n"));
    let out = wd.run(&["query", "--batch", batch.to_str().unwrap(), "--format", "json"]).code(2);
    let lines: Vec<Value> = out.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4, "{out}");
    for nested in &lines[1..3] {
        assert!(nested["error"].as_str().unwrap().contains("levels deep"), "{nested}");
    }
    assert!(lines[3]["total_hits"].as_u64().unwrap() > 0, "{}", lines[3]);
}

#[test]
fn batch_runs_every_line_and_reports_a_bad_one_in_place() {
    let wd = sample();
    let batch = wd.write("batch.txt", "Sirte\n\"unbalanced\nDaesh Mosul\n");
    let out = wd.run(&["query", "--batch", batch.to_str().unwrap(), "--format", "json"]).code(2);
    let lines: Vec<Value> = out.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0]["query"], "Sirte");
    assert!(lines[0]["total_hits"].as_u64().unwrap() > 0);
    assert!(lines[1]["error"].as_str().unwrap().contains("syntax error"), "{}", lines[1]);
    assert_eq!(lines[2]["query"], "Daesh Mosul");
    assert!(out.stderr.contains("batch.txt:2:"), "{out}");
}

#[test]
fn batch_lines_in_json_carry_their_own_options() {
    let wd = sample();
    let batch = wd.write(
        "requests.jsonl",
        concat!(
            "Sirte\n",
            "{\"query\": \"Sirte\", \"since\": \"2016\", \"until\": \"2016\", \"facet\": [\"source\"], \"all\": true}\n",
            "{\"query\": \"*\", \"filter\": \"entity:ISIS\", \"limit\": 0}\n",
            "{\"query\": \"Sirte\", \"colour\": \"red\"}\n",
            "{\"since\": \"2016\"}\n",
        ),
    );
    let out = wd
        .run(&["query", "--batch", batch.to_str().unwrap(), "--format", "json", "--facet", "year"])
        .code(2);
    let lines: Vec<Value> = out.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 5, "{out}");
    // A plain line takes the command line's options.
    assert_eq!(
        lines[0].clone().tap_took(),
        wd.query_json(&["Sirte", "--facet", "year"]).tap_took()
    );
    // A JSON line's keys replace them: what the same options on the command line give.
    let expected = wd
        .query_json(&["Sirte", "--since", "2016", "--until", "2016", "--facet", "source", "--all"]);
    assert_eq!(lines[1].clone().tap_took(), expected.tap_took());
    assert_eq!(
        lines[2]["total_hits"],
        wd.query_json(&["*", "--filter", "entity:ISIS", "-n", "0"])["total_hits"]
    );
    // Mistakes are that line's error, echoing the request as given.
    assert!(lines[3]["error"].as_str().unwrap().contains("unknown key \"colour\""), "{}", lines[3]);
    assert_eq!(lines[3]["query"], "{\"query\": \"Sirte\", \"colour\": \"red\"}");
    assert!(lines[4]["error"].as_str().unwrap().contains("needs a \"query\""), "{}", lines[4]);
    assert!(out.stderr.contains("requests.jsonl:4:"), "{out}");
}

/// A query report without its timing, which differs from run to run.
trait TapTook {
    fn tap_took(self) -> Value;
}

impl TapTook for Value {
    fn tap_took(mut self) -> Value {
        if let Some(object) = self.as_object_mut() {
            object.remove("took_ms");
        }
        self
    }
}

#[test]
fn jsonl_and_csv_carry_the_same_hits_as_json() {
    let wd = sample();
    let json = wd.query_json(&["Sirte", "-n", "5"]);
    let ids: Vec<&str> =
        json["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect();
    let jsonl = wd.run(&["query", "Sirte", "-n", "5", "--format", "jsonl"]).success();
    let jsonl_ids: Vec<String> = jsonl
        .stdout
        .lines()
        .map(|l| {
            let hit: Value = serde_json::from_str(l).unwrap();
            assert_eq!(hit["query"], "Sirte");
            hit["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(jsonl_ids, ids);
    let csv_out = wd.run(&["query", "Sirte", "-n", "5", "--format", "csv"]).success();
    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["rank", "score", "id", "path", "title", "date", "source", "url", "entities"]
    );
    let csv_ids: Vec<String> = reader.records().map(|r| r.unwrap()[2].to_owned()).collect();
    assert_eq!(csv_ids, ids);
}

#[test]
fn json_output_validates_against_the_published_schema() {
    let wd = sample();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("schema/query.v1.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for args in [
        vec!["Sirte"],
        vec![
            "Daesh",
            "--facet",
            "source",
            "--facet",
            "entity",
            "--facet",
            "month",
            "--timeline",
            "year",
            "--explain",
        ],
        // Months between the first hit and the last that have none count 0.
        vec!["ISIS", "--timeline", "month", "-n", "0"],
        vec!["nothingmatchesthis"],
    ] {
        let result = wd.query_json(&args);
        let errors: Vec<String> = validator.iter_errors(&result).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{args:?}: {errors:?}");
        if args.windows(2).any(|pair| pair == ["--timeline", "month"]) {
            let counts = result["timeline"].as_array().unwrap().iter().map(|p| &p["count"]);
            assert!(counts.clone().any(|c| c == 0), "the case needs an empty month: {result}");
        }
    }
    let index_schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("schema/index.v2.schema.json")).unwrap(),
    )
    .unwrap();
    let summary = wd.run(&["index", "sample-corpus", "--format", "json"]).success().json();
    assert!(jsonschema::validator_for(&index_schema).unwrap().is_valid(&summary), "{summary}");
    let stats_schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("schema/stats.v1.schema.json")).unwrap(),
    )
    .unwrap();
    let stats = wd.run(&["stats", "--format", "json"]).success().json();
    assert!(jsonschema::validator_for(&stats_schema).unwrap().is_valid(&stats), "{stats}");
}

#[test]
fn query_syntax_errors_exit_2_with_a_position_and_no_hits_exit_0() {
    let wd = sample();
    wd.run(&["query", "title:(Sirte"]).code(2).stderr_has("syntax error at column");
    // The column is the user's, though aliases and entities are rewritten first.
    for query in ["Islamic State AND (Sirte", "entity:ISIS AND (Sirte", "  Sirte AND (Mosul"] {
        let column = format!("at column {}:", query.chars().count() + 1);
        wd.run(&["query", query]).code(2).stderr_has(&column);
    }
    wd.run(&["query", "milit* Sirte"]).code(2).stderr_has("prefix searches (word*) are not");
    wd.run(&["query", "title:*"]).code(2).stderr_has("`*` alone matches every article");
    wd.run(&["query", "nosuchfield:x"]).code(2).stderr_has("nosuchfield");
    wd.run(&["query", ""]).code(2).stderr_has("empty query");
    wd.run(&["query", "Sirte", "--since", "Sun Sep 44"]).code(2).stderr_has("--since");
    wd.run(&["query", "Sirte", "--filter", "colour:red"]).code(2).stderr_has("colour");
    let none = wd.run(&["query", "zzzyzzx"]).success();
    assert!(none.stdout.starts_with("0 hits"), "{none}");
}

#[test]
fn the_seed_snippet_highlights_what_the_article_wrote() {
    let Some(seed) = shared("seeds/000_eb01103cdc812aa0.txt") else { return };
    let wd = Workdir::new();
    wd.run(&["index", seed.to_str().unwrap(), "--quiet"]).success();
    let marked = |args: &str| -> BTreeSet<String> {
        let args: Vec<&str> = args.split(' ').collect();
        let result = wd.query_json(&args);
        let hit = &result["hits"][0];
        let snippet = hit["snippet"].as_str().unwrap();
        hit["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                snippet[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize].to_owned()
            })
            .collect()
    };
    assert_eq!(marked("Sirte"), BTreeSet::from(["Sirte".to_owned()]));
    let isil = marked("ISIL --snippet-chars 600");
    assert!(isil.contains("ISIL") && isil.contains("ISIS"), "{isil:?}");
    let human = wd.run(&["query", "Daesh", "--color", "never"]).success();
    assert!(human.stdout.contains("[ISIL]") || human.stdout.contains("[ISIS]"), "{human}");
}

#[test]
fn the_readme_shell_loop_runs_as_written() {
    if std::process::Command::new("jq").arg("--version").output().is_err() {
        skip("jq is not installed (CI installs it)");
        return;
    }
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let block = readme
        .split("```sh\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|block| block.contains("for entity in"))
        .expect("README has the shell loop");
    let wd = sample();
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_newsearch")).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let output = std::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", block])
        .current_dir(wd.path())
        .env("PATH", path)
        .env("NEWSEARCH_INDEX", wd.join("index"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let rows: Vec<Vec<&str>> = stdout.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 3, "{stdout}");
    let isis_hits = wd.query_json(&["entity:ISIS"])["total_hits"].as_u64().unwrap().to_string();
    assert_eq!(rows[0][..2], ["ISIS", isis_hits.as_str()]);
    assert_eq!(rows[1][0], "al-Qaeda");
}

#[test]
fn human_output_shows_hits_facet_tables_and_a_timeline() {
    let wd = sample();
    let out = wd
        .run(&[
            "query",
            "Daesh",
            "--facet",
            "source",
            "--facet",
            "entity",
            "--timeline",
            "year",
            "--color",
            "never",
        ])
        .success();
    let total = wd.query_json(&["Daesh"])["total_hits"].as_u64().unwrap();
    assert!(out.stdout.starts_with(&format!("{total} hits for \"Daesh\"")), "{out}");
    assert!(out.stdout.contains("  1. "), "{out}");
    // A person sees the ten most frequent entities; JSON lists all of them.
    let entities = wd.query_json(&["Daesh", "--facet", "entity"])["facets"]["entity"]
        .as_array()
        .unwrap()
        .len();
    assert!(entities > 10);
    assert!(out.stdout.contains(&format!("({} more)", entities - 10)), "{out}");
    // Tables come in the order asked for, not alphabetically.
    let table = |name: &str| out.stdout.find(&format!("\n\n{name}")).unwrap();
    assert!(table("source") < table("entity") && table("entity") < table("timeline"), "{out}");
    assert!(out.stdout.contains('█'), "{out}");
    assert!(!out.stdout.contains('\u{1b}'), "no colour codes with --color never");
}

#[test]
fn entity_facet_counts_agree_with_entity_filters_and_hit_entities() {
    let wd = sample();
    for query in ["*", "Sirte", "Daesh", "said"] {
        let facets = wd.query_json(&[query, "--facet", "entity"]);
        let counts = facets["facets"]["entity"].as_array().unwrap();
        assert!(!counts.is_empty(), "{query}");
        for entry in counts {
            let name = entry["value"].as_str().unwrap();
            let filter = format!("entity:{name}");
            let filtered = wd.query_json(&[query, "--filter", &filter, "--limit", "1"]);
            assert_eq!(filtered["total_hits"], entry["count"], "{query} {filter}");
        }
    }
    // The facet path names the entity too, in a filter as in a query.
    let count = |args: &[&str]| wd.query_json(args)["total_hits"].as_u64().unwrap();
    let isis = count(&["*", "--filter", "entity:ISIS"]);
    assert!(isis > 0);
    assert_eq!(count(&["*", "--filter", "entity:/organization/ISIS"]), isis);
    assert_eq!(count(&["entity:/organization/ISIS"]), isis);
    // Every article a search for one spelling finds lists the entity.
    let hits = wd.query_json(&["Daesh", "--all"]);
    let hits = hits["hits"].as_array().unwrap();
    assert!(hits.len() > 3);
    for hit in hits {
        let entities = hit["entities"].as_array().unwrap();
        assert!(entities.iter().any(|e| e == "ISIS"), "{hit}");
    }
}

#[test]
fn human_explain_is_a_tree_led_by_the_hit_score() {
    let wd = sample();
    let json = wd.query_json(&["Daesh Sirte", "-n", "1"]);
    let score = json["hits"][0]["score"].as_f64().unwrap();
    let out =
        wd.run(&["query", "Daesh Sirte", "-n", "1", "--explain", "--color", "never"]).success();
    let tree: Vec<&str> =
        out.stdout.lines().skip_while(|line| !line.contains("[Sirte]")).skip(1).collect();
    assert!(tree[0].starts_with(&format!("     {score:.3}  ")), "{out}");
    // Each step one level deeper than a step above it: the words under the sum.
    assert!(
        tree.iter().any(|line| line.starts_with("       ") && line.contains("BM25F, word `Sirte`")),
        "{out}"
    );
    assert!(tree.iter().all(|line| !line.trim_start().starts_with(['{', '"'])), "{out}");
}

#[test]
fn explain_names_the_filters_that_score_nothing() {
    let wd = sample();
    let out = wd
        .run(&[
            "query",
            "Sirte source:FNA date:[2016 TO 2017}",
            "--since",
            "2016",
            "--filter",
            "source:FNA",
            "--filter",
            "source:Alalam",
            "-n",
            "1",
            "--explain",
            "--color",
            "never",
        ])
        .success();
    assert!(out.stdout.contains("1. "), "a hit to explain\n{out}");
    for line in [
        "0.000  filter --since 2016-01-01T00:00:00Z",
        "0.000  filter --filter source:FNA or source:Alalam",
        "0.000  filter source:FNA",
        "0.000  filter date:[2016 TO 2017}",
    ] {
        assert!(out.stdout.contains(line), "{line}\n{out}");
    }
    assert!(!out.stdout.contains("Const"), "{out}");
}

#[test]
fn colour_is_anstyles_and_follows_color_and_the_environment() {
    let wd = sample();
    let args = ["query", "Sirte", "-n", "1", "--facet", "source"];
    let run = |extra: &[&str], env: &[(&str, &str)]| {
        let all: Vec<&str> = args.iter().chain(extra).copied().collect();
        let mut command = wd.command(&all);
        command.envs(env.iter().copied());
        run_command(&mut command, &all).success()
    };
    // Bold red highlights, a bold title and table header, a dimmed line of
    // details: anstyle's escapes.
    let coloured = run(&["--color", "always"], &[]);
    assert!(coloured.stdout.contains("\u{1b}[1m\u{1b}[31mSirte\u{1b}[0m"), "{coloured}");
    assert!(coloured.stdout.contains("\u{1b}[1msource"), "{coloured}");
    assert!(coloured.stdout.contains("     \u{1b}[2m"), "{coloured}");
    // Not a terminal: plain text with [brackets], unless CLICOLOR_FORCE asks.
    for plain in [run(&[], &[]), run(&["--color", "never"], &[("CLICOLOR_FORCE", "1")])] {
        assert!(!plain.stdout.contains('\u{1b}'), "{plain}");
        assert!(plain.stdout.contains("[Sirte]"), "{plain}");
    }
    let forced = run(&[], &[("CLICOLOR_FORCE", "1")]);
    assert!(forced.stdout.contains("\u{1b}[1m\u{1b}[31mSirte"), "{forced}");
    let no_color = run(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!no_color.stdout.contains('\u{1b}'), "{no_color}");
}

#[test]
fn facet_and_entity_atoms_take_boosts_and_names_of_several_words() {
    let wd = sample();
    let total = |query: &str| wd.query_json(&[query])["total_hits"].as_u64().unwrap();
    let fna = total("source:FNA");
    assert!(fna > 0);
    assert_eq!(total("source:FNA^2"), fna);
    assert_eq!(total("source:\"FNA\"^2"), fna);
    let us = total("entity:\"United States\"");
    assert!(us > 0);
    assert_eq!(total("entity:United States"), us);
    assert_eq!(wd.query_ids(&["Sirte entity:ISIS^3"]), wd.query_ids(&["Sirte entity:ISIS"]));
    assert!(!wd.query_ids(&["Sirte entity:ISIS"]).is_empty());
}

#[test]
fn an_until_in_minutes_keeps_the_whole_minute() {
    let wd = Workdir::new();
    wd.write("corpus/a.txt", "Sirte falls\n\nSun Sep 4, 2016 15:14:55\n\nForces took Sirte.\n");
    wd.run(&["index", "corpus", "--quiet"]).success();
    let total = |args: &[&str]| wd.query_json(args)["total_hits"].as_u64().unwrap();
    assert_eq!(total(&["Sirte", "--until", "2016-09-04 15:14"]), 1);
    assert_eq!(total(&["Sirte", "--until", "2016-09-04 15:13"]), 0);
    assert_eq!(total(&["Sirte", "--since", "2016-09-04 15:14"]), 1);
    assert_eq!(total(&["Sirte", "--since", "2016-09-04 15:15"]), 0);
}

#[test]
fn snippets_keep_the_punctuation_around_their_first_and_last_words() {
    let wd = Workdir::new();
    wd.write("corpus/a.txt", "Quote\n\n“Sirte” fell, officials said.\n");
    wd.run(&["index", "corpus", "--quiet"]).success();
    let hit = wd.query_json(&["Sirte"])["hits"][0].clone();
    let snippet = hit["snippet"].as_str().unwrap();
    assert_eq!(snippet, "“Sirte” fell, officials said.");
    let [start, end] = [0, 1].map(|i| hit["highlights"][0][i].as_u64().unwrap() as usize);
    assert_eq!(&snippet[start..end], "Sirte");
}

#[test]
fn date_ranges_in_the_query_read_dates_as_since_and_until_do() {
    let wd = sample();
    let total = |args: &[&str]| wd.query_json(args)["total_hits"].as_u64().unwrap();
    let pairs: [(&str, &[&str]); 5] = [
        ("date:[2016 TO 2016]", &["*", "--since", "2016", "--until", "2016"]),
        ("date:2016-09", &["*", "--since", "2016-09", "--until", "2016-09"]),
        ("date:[2016-09 TO *]", &["*", "--since", "2016-09"]),
        ("date:[* TO 2016-09-04]", &["*", "--until", "2016-09-04"]),
        ("Sirte date:[2015 TO 2016-06]", &["Sirte", "--since", "2015", "--until", "2016-06"]),
    ];
    for (query, options) in pairs {
        let expected = total(options);
        assert!(expected > 0, "{options:?} finds nothing: the pair tests nothing");
        assert_eq!(total(&[query]), expected, "{query} against {options:?}");
    }
    // Exclusive bounds leave out the whole period they name.
    let inside = total(&["*", "--since", "2016", "--until", "2016"]);
    assert_eq!(total(&["date:{2015 TO 2017}"]), inside);
    wd.run(&["query", "date:[bogus TO 2016]"]).code(2).stderr_has("`bogus` is not a date");
}

#[test]
fn slash_dates_in_since_are_read_in_the_indexs_order() {
    let wd = Workdir::new();
    wd.write("corpus/april.txt", "April report\n\nThu Apr 20, 2017 10:00:00\n\nA zebra story.\n");
    wd.write("corpus/may.txt", "May report\n\nWed May 10, 2017 10:00:00\n\nA zebra story.\n");
    wd.run(&["index", "corpus", "--day-first", "--quiet"]).success();
    // Day first, 4/5/2017 is 4 May: the April article goes (month first, it
    // would be 5 April, and both would stay).
    let titles = |value: &Value| -> Vec<String> {
        let hits = value["hits"].as_array().unwrap();
        hits.iter().map(|hit| hit["title"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(titles(&wd.query_json(&["zebra", "--since", "4/5/2017"])), ["May report"]);
    // So does a JSON batch line.
    wd.write("batch.jsonl", "{\"query\": \"zebra\", \"since\": \"4/5/2017\"}\n");
    let out = wd.run(&["query", "--format", "json", "--batch", "batch.jsonl"]).success();
    assert_eq!(titles(&out.json()), ["May report"]);
}

#[test]
fn options_no_index_could_read_are_reported_before_a_missing_index() {
    let wd = Workdir::new();
    // No index here: a date that is a date in neither slash order and a filter
    // on a field no index has are usage errors (exit 2), said first.
    wd.run(&["query", "zebra", "--since", "13/13/2017"]).code(2).stderr_has("--since");
    wd.run(&["query", "zebra", "--until", "Sun Sep 44"]).code(2).stderr_has("--until");
    wd.run(&["query", "zebra", "--filter", "colour:red"]).code(2).stderr_has("colour");
    wd.run(&["query", "zebra", "--filter", "nocolon"]).code(2).stderr_has("FIELD:VALUE");
    // A date one slash order reads waits for the index: here there is none.
    wd.run(&["query", "zebra", "--since", "13/5/2017"]).code(1).stderr_has("no index at");

    // Day first, 13/5/2017 is 13 May; month first it is no date.
    wd.write("corpus/april.txt", "April report\n\nThu Apr 20, 2017 10:00:00\n\nA zebra story.\n");
    wd.write("corpus/may.txt", "May report\n\nMon May 15, 2017 10:00:00\n\nA zebra story.\n");
    wd.run(&["index", "corpus", "--day-first", "--quiet"]).success();
    let hits = wd.query_json(&["zebra", "--since", "13/5/2017"]);
    assert_eq!(hits["total_hits"], 1, "{hits}");
    assert_eq!(hits["hits"][0]["title"], "May report");
    wd.run(&["index", "corpus", "--month-first", "--rebuild", "--quiet"]).success();
    wd.run(&["query", "zebra", "--since", "13/5/2017"]).code(2).stderr_has("--since");
}
