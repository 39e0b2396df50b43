//! `newsearch query Q --print-remote quickwit|opensearch` (issue 17): the
//! remote requests answer a query as `newsearch query` answers it.
//!
//! Neither engine runs here. Quickwit is emulated: a plain tantivy index is
//! built from the exported `docs.ndjson` with the field types the generated
//! `index-config.yaml` declares (text fields with Quickwit's `default`
//! tokenizer, `raw` fields as fast strings, the date as a fast date), the
//! printed `query` is parsed by tantivy's `QueryParser` (Quickwit parses user
//! queries with the same grammar; the translator writes only what both
//! share: `field:` terms, phrases with `~slop`, `+`/`-`, OR, parentheses, date
//! ranges, `*`, `^boost`), `start_timestamp`/`end_timestamp` bound the date
//! as Quickwit does (end exclusive), and the printed `aggs` run through
//! tantivy's aggregations (Quickwit's own). Hit sets, facet counts and
//! timeline counts must equal `newsearch query --all`'s. The `OpenSearch`
//! request is read back into the typed mirror structs, and every field it
//! names must be mapped in the exported `index.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Datelike};
use newsearch::export::remote::opensearch;
use serde_json::Value;
use tantivy::aggregation::AggregationCollector;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, RangeQuery};
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer};
use tantivy::{Index, TantivyDocument, Term};

use crate::util::{Workdir, shared};

/// A Quickwit index, emulated (see the module docs).
struct Quickwit {
    index: Index,
    fields: BTreeMap<String, Field>,
    dates: BTreeSet<String>,
}

impl Quickwit {
    fn load(export: &Path) -> Quickwit {
        let config: serde_yaml::Value = serde_yaml::from_str(
            &std::fs::read_to_string(export.join("index-config.yaml")).unwrap(),
        )
        .unwrap();
        let mut builder = Schema::builder();
        let mut fields = BTreeMap::new();
        let mut dates = BTreeSet::new();
        for mapping in config["doc_mapping"]["field_mappings"].as_sequence().unwrap() {
            let name = mapping["name"].as_str().unwrap().to_owned();
            let kind = mapping["type"].as_str().unwrap().trim_start_matches("array<");
            let fast = mapping["fast"].as_bool().unwrap_or(false);
            let field = match (kind.trim_end_matches('>'), mapping["tokenizer"].as_str()) {
                ("text", Some("raw")) => {
                    let options = STRING | STORED;
                    builder
                        .add_text_field(&name, if fast { options.set_fast("raw") } else { options })
                }
                ("text", Some("default")) => {
                    assert_eq!(mapping["record"].as_str(), Some("position"), "{name}");
                    let indexing = TextFieldIndexing::default()
                        .set_tokenizer("quickwit_default")
                        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
                    builder.add_text_field(
                        &name,
                        TextOptions::default().set_indexing_options(indexing),
                    )
                }
                ("datetime", _) => {
                    assert_eq!(mapping["fast_precision"].as_str(), Some("seconds"));
                    dates.insert(name.clone());
                    let options = DateOptions::from(tantivy::schema::INDEXED)
                        .set_fast()
                        .set_precision(DateTimePrecision::Seconds);
                    builder.add_date_field(&name, options)
                }
                // A WARC record's offset: stored, never searched here.
                ("u64", _) => builder.add_u64_field(&name, tantivy::schema::STORED),
                other => panic!("{name}: a field type the emulation does not know: {other:?}"),
            };
            fields.insert(name, field);
        }
        let index = Index::create_in_ram(builder.build());
        // Quickwit's `default`: tantivy's simple tokenizer, tokens of 255
        // bytes or more dropped, lowercased.
        index.tokenizers().register(
            "quickwit_default",
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(255))
                .filter(LowerCaser)
                .build(),
        );
        let mut writer = index.writer(30_000_000).unwrap();
        let text = std::fs::read_to_string(export.join("docs.ndjson")).unwrap();
        for line in text.lines() {
            let json: Value = serde_json::from_str(line).unwrap();
            let mut doc = TantivyDocument::new();
            for (name, value) in json.as_object().unwrap() {
                let field = fields[name];
                let values = match value {
                    Value::Array(values) => values.clone(),
                    other => vec![other.clone()],
                };
                for value in values {
                    if let Some(number) = value.as_u64() {
                        doc.add_u64(field, number);
                        continue;
                    }
                    let value = value.as_str().unwrap();
                    if dates.contains(name) {
                        let date = DateTime::parse_from_rfc3339(value).unwrap();
                        doc.add_date(
                            field,
                            tantivy::DateTime::from_timestamp_secs(date.timestamp()),
                        );
                    } else {
                        doc.add_text(field, value);
                    }
                }
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        Quickwit { index, fields, dates }
    }

    /// Runs a search body: the ids of every hit, and the aggregations' result.
    fn search(&self, body: &Value) -> (Vec<String>, Value) {
        let searcher = self.index.reader().unwrap().searcher();
        let defaults: Vec<Field> = body["search_field"]
            .as_str()
            .unwrap()
            .split(',')
            .map(|name| self.fields[name])
            .collect();
        let parser = QueryParser::for_index(&self.index, defaults);
        let text = body["query"].as_str().unwrap();
        let query = parser.parse_query(text).unwrap_or_else(|err| panic!("{text}: {err}"));
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, query)];
        let timestamp = self.fields[self.dates.first().unwrap()];
        let bound = |key: &str| {
            body[key].as_i64().map(|secs| {
                Term::from_field_date(timestamp, tantivy::DateTime::from_timestamp_secs(secs))
            })
        };
        let (start, end) = (bound("start_timestamp"), bound("end_timestamp"));
        if start.is_some() || end.is_some() {
            use std::ops::Bound;
            let range = RangeQuery::new(
                start.map_or(Bound::Unbounded, Bound::Included),
                end.map_or(Bound::Unbounded, Bound::Excluded),
            );
            clauses.push((Occur::Must, Box::new(range)));
        }
        let query = BooleanQuery::new(clauses);
        let id = self.fields["id"];
        let mut ids: Vec<String> = searcher
            .search(&query, &DocSetCollector)
            .unwrap()
            .into_iter()
            .map(|address| {
                let stored: TantivyDocument = searcher.doc(address).unwrap();
                let value = stored.get_first(id).unwrap();
                tantivy::schema::Value::as_str(&value).unwrap().to_owned()
            })
            .collect();
        ids.sort();
        let aggs: Aggregations = serde_json::from_value(body["aggs"].clone()).unwrap();
        let collector = AggregationCollector::from_aggs(
            aggs,
            tantivy::aggregation::AggContextParams::default(),
        );
        let result = searcher.search(&query, &collector).unwrap();
        (ids, serde_json::to_value(result).unwrap())
    }
}

/// `value → count` of newsearch's facet list, zero counts left out.
fn counts(list: &Value, key: &str) -> BTreeMap<String, u64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|row| (row[key].as_str().unwrap().to_owned(), row["count"].as_u64().unwrap()))
        .filter(|(_, count)| *count > 0)
        .collect()
}

/// `key → doc_count` of an aggregation's buckets, zero counts left out; date
/// buckets (milliseconds) relabelled by `label`.
fn buckets(result: &Value, label: &dyn Fn(&Value) -> String) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for bucket in result["buckets"].as_array().unwrap() {
        let count = bucket["doc_count"].as_u64().unwrap();
        if count > 0 {
            *out.entry(label(&bucket["key"])).or_default() += count;
        }
    }
    out
}

fn day(key: &Value) -> chrono::DateTime<chrono::Utc> {
    let ms = key.as_f64().unwrap() as i64;
    chrono::DateTime::from_timestamp_millis(ms).unwrap()
}

/// Every field an `OpenSearch` query names.
fn query_fields(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if matches!(key.as_str(), "match" | "match_phrase" | "terms" | "range") {
                    out.extend(inner.as_object().unwrap().keys().cloned());
                } else {
                    query_fields(inner, out);
                }
            }
        }
        Value::Array(values) => values.iter().for_each(|v| query_fields(v, out)),
        _ => {}
    }
}

/// Every field an `OpenSearch` request names: in its query, aggregations and sort.
fn named_fields(body: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    query_fields(&body["query"], &mut out);
    for aggregation in body["aggs"].as_object().into_iter().flat_map(|aggs| aggs.values()) {
        for (_, inner) in aggregation.as_object().unwrap() {
            out.insert(inner["field"].as_str().unwrap().to_owned());
        }
    }
    for order in body["sort"].as_array().into_iter().flatten() {
        out.extend(order.as_object().unwrap().keys().cloned());
    }
    out
}

/// Checks every case on the index in `wd`: see the module docs. `facets`
/// are the `--facet`s to compare (FA-KES has no sources).
fn check(wd: &Workdir, cases: &[&[&str]], facets: &[&str]) {
    wd.run(&["export", "--to", "qw", "--target", "quickwit", "--quiet"]).success();
    wd.run(&["export", "--to", "os", "--target", "opensearch", "--quiet"]).success();
    let quickwit = Quickwit::load(&wd.join("qw"));
    let settings: Value =
        serde_json::from_str(&std::fs::read_to_string(wd.join("os/index.json")).unwrap()).unwrap();
    let mapped: BTreeSet<String> =
        settings["mappings"]["properties"].as_object().unwrap().keys().cloned().collect();
    for (i, case) in cases.iter().enumerate() {
        let timeline = if i % 3 == 0 { "week" } else { "month" };
        let mut args: Vec<&str> = case.to_vec();
        for facet in facets {
            args.extend(["--facet", facet]);
        }
        args.extend(["--timeline", timeline, "--all"]);
        let local = wd.query_json(&args);
        let expected = {
            let mut ids: Vec<String> = local["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|hit| hit["id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        };
        assert!(!expected.is_empty(), "{case:?}: no hits to compare");

        let mut remote_args = vec!["query"];
        remote_args.extend(&args);
        remote_args.extend(["--print-remote", "quickwit"]);
        let body = wd.run(&remote_args).success().json();
        let (found, results) = quickwit.search(&body);
        assert_eq!(found, expected, "{case:?} → {}", body["query"]);
        for facet in facets {
            let label = |key: &Value| key.as_str().unwrap().to_owned();
            assert_eq!(
                buckets(&results[facet], &label),
                counts(&local["facets"][facet], "value"),
                "{case:?}: --facet {facet}"
            );
        }
        let by_period = |key: &Value| {
            let date = day(key);
            if timeline == "week" {
                let week = date.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            } else {
                date.format("%Y-%m").to_string()
            }
        };
        assert_eq!(
            buckets(&results["timeline"], &by_period),
            counts(&local["timeline"], "period"),
            "{case:?}: --timeline {timeline}"
        );

        remote_args.pop();
        remote_args.push("opensearch");
        let json = wd.run(&remote_args).success().json();
        let typed: opensearch::SearchBody = serde_json::from_value(json.clone())
            .unwrap_or_else(|err| panic!("{case:?}: {err}: {json}"));
        assert_eq!(serde_json::to_value(&typed).unwrap(), json, "{case:?}: read back whole");
        let named = named_fields(&json);
        assert!(named.contains("body_norm") || case[0] != "ISIS", "{case:?}: {named:?}");
        assert!(named.is_subset(&mapped), "{case:?}: {named:?} vs {mapped:?}");
    }
}

#[test]
fn quickwit_requests_find_what_newsearch_finds_on_the_sample_corpus() {
    let wd = Workdir::indexed_sample_corpus();
    let cases: &[&[&str]] = &[
        &["ISIS"],
        &["ISIL"],
        &["Daesh"],
        &["IS fighters"],
        &["\"Islamic State\""],
        &["Islamic State"],
        &["Islamic State of Iraq and the Levant"],
        &["\"Islamic State of Iraq and the Levant\""],
        &["Sirt"],
        &["Sirte"],
        &["\"al-Qaeda\""],
        &["Nusra"],
        &["fighters"],
        &["fighter"],
        &["strikes"],
        &["\"Islamic State fighters\""],
        &["\"Islamic State militants\""],
        &["Daesh AND Sirte"],
        &["Daesh OR Hezbollah"],
        &["Daesh -Sirte"],
        &["Islamic State AND Sirte"],
        &["(Islamic State OR Nusra) AND -Sirte"],
        &["entity:Daesh"],
        &["entity:\"Islamic State\""],
        &["title:ISIS"],
        &["body:fighters"],
        &["source:fna"],
        &["folder:sample-corpus/FNA"],
        &["date:2016"],
        &["date:[2015-01 TO 2016-06]"],
        &["*", "--filter", "entity:Sirte"],
        &["*", "--filter", "source:FNA", "--filter", "source:Alalam"],
        &["ISIS", "--since", "2016", "--until", "2016-12"],
        &["fighters Sirte", "--any"],
        &["WHAT IS NEXT FOR SIRTE", "--any"],
        &["\"Islamic State\" OR \"al-Qaeda\" -Sirte"],
    ];
    assert!(cases.len() >= 30);
    check(&wd, cases, &["source", "entity", "folder"]);
}

#[test]
fn quickwit_requests_find_what_newsearch_finds_on_fakes() {
    let Some(articles) = shared("corpora/fakes-seedformat/articles") else { return };
    let wd = Workdir::new();
    wd.run(&["index", articles.to_str().unwrap(), "--quiet"]).success();
    let cases: &[&[&str]] = &[
        &["ISIS"],
        &["Daesh"],
        &["ISIL"],
        &["Islamic State"],
        &["\"Islamic State\""],
        &["Islamic State of Iraq and the Levant"],
        &["Jabhat al-Nusra"],
        &["Nusra Front"],
        &["al-Nusra"],
        &["airstrike"],
        &["airstrikes"],
        &["\"barrel bombs\""],
        &["\"barrel bomb\""],
        &["Aleppo"],
        &["Halab"],
        &["entity:Russia"],
        &["Russian jets"],
        &["Free Syrian Army"],
        &["FSA"],
        &["Douma AND Ghouta"],
        &["Aleppo -ISIS"],
        &["Homs OR Hama"],
        &["date:2015"],
        &["date:[2014-01 TO 2015-06]"],
        &["killed civilians"],
        &["\"civilians were killed\""],
        &["\"Syrian Arab Army\""],
        &["SAA"],
        &["Kurdish YPG"],
        &["title:Aleppo"],
        &["*", "--filter", "entity:Raqqa", "--since", "2015", "--until", "2016-06"],
        &["Assad", "--filter", "entity:Hezbollah", "--filter", "entity:ISIS"],
    ];
    assert!(cases.len() >= 30);
    check(&wd, cases, &["entity", "folder"]);
}

#[test]
fn what_cannot_be_translated_is_refused_with_exit_2() {
    let wd = Workdir::indexed_sample_corpus();
    for engine in ["quickwit", "opensearch"] {
        wd.run(&["query", "ISIL", "--literal", "--print-remote", engine])
            .code(2)
            .stderr_has("--literal");
        wd.run(&["query", "ISIL", "--expand", "--print-remote", engine])
            .code(2)
            .stderr_has("--expand");
        wd.run(&["query", "ISIL", "--facet", "entity", "--keyness", "--print-remote", engine])
            .code(2)
            .stderr_has("--keyness");
        wd.run(&["query", "ISIL", "--collapse", "--print-remote", engine])
            .code(2)
            .stderr_has("--collapse");
        wd.run(&["query", "related:Sirte", "--print-remote", engine])
            .code(2)
            .stderr_has("related:");
        wd.run(&["query", "milit*", "--print-remote", engine]).code(2).stderr_has("prefix");
        wd.run(&["query", "\"Sirte fighters\"~3", "--print-remote", engine])
            .code(2)
            .stderr_has("~3");
    }
}

#[test]
fn quickwit_request_pages_sorts_and_bounds_dates_as_asked() {
    let wd = Workdir::indexed_sample_corpus();
    let body = wd
        .run(&[
            "query",
            "ISIS",
            "-n",
            "5",
            "--offset",
            "10",
            "--sort",
            "oldest",
            "--since",
            "2016-09",
            "--until",
            "2016-09",
            "--print-remote",
            "quickwit",
        ])
        .success()
        .json();
    assert_eq!(body["max_hits"], 5);
    assert_eq!(body["start_offset"], 10);
    assert_eq!(body["sort_by"], "-date");
    assert_eq!(body["start_timestamp"], 1_472_688_000, "2016-09-01T00:00:00Z");
    assert_eq!(body["end_timestamp"], 1_475_280_000, "2016-10-01T00:00:00Z, exclusive");
    assert_eq!(body["query"], "(title_norm:nsentisis0^3 OR body_norm:nsentisis0)");
    let os = wd
        .run(&[
            "query",
            "ISIS",
            "--sort",
            "newest",
            "--timeline",
            "month",
            "--print-remote",
            "opensearch",
        ])
        .success()
        .json();
    assert_eq!(os["sort"][0]["date"], "desc");
    assert_eq!(os["aggs"]["timeline"]["date_histogram"]["calendar_interval"], "month");
}
