//! `newsearch export` (issue 17): what it writes for Quickwit, `OpenSearch` and
//! plain ndjson, checked the way the engines would read it, and its exit codes.
//! Neither engine runs here: the Quickwit side is emulated with a plain tantivy
//! index built from `docs.ndjson` with Quickwit's `default` tokenizer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::util::{Workdir, repo};

fn read_lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.ends_with('\n'), "{} lacks its final newline", path.display());
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}")))
        .collect()
}

fn doc_schema() -> jsonschema::Validator {
    crate::util::schema_validator("export-doc.v1.schema.json")
}

fn schema_fields() -> BTreeSet<String> {
    let text = std::fs::read_to_string(repo().join("schema/export-doc.v1.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    schema["properties"].as_object().unwrap().keys().cloned().collect()
}

fn keys(docs: &[Value]) -> BTreeSet<String> {
    docs.iter().flat_map(|doc| doc.as_object().unwrap().keys().cloned()).collect()
}

fn ids(docs: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = docs.iter().map(|d| d["id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

#[test]
fn quickwit_export_writes_every_document_normalised_with_a_config_naming_its_fields() {
    let wd = Workdir::indexed_sample_corpus();
    let out = wd.run(&["export", "--to", "qw", "--target", "quickwit"]).success();
    assert!(out.stdout.contains("quickwit index ingest --index newsearch"), "{out}");
    let docs = read_lines(&wd.join("qw/docs.ndjson"));
    let validator = doc_schema();
    for doc in &docs {
        let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{doc}: {errors:?}");
    }
    assert_eq!(ids(&docs), wd.query_ids(&["*"]), "every document, once");
    assert!(out.stdout.contains(&format!("exported {} documents", docs.len())), "{out}");

    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(wd.join("qw/index-config.yaml")).unwrap())
            .unwrap();
    assert_eq!(yaml["version"].as_f64(), Some(0.9));
    let mapping = &yaml["doc_mapping"];
    let named: BTreeSet<String> = mapping["field_mappings"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    // The config names only what the lines may hold, and every key they hold.
    assert!(named.is_subset(&schema_fields()), "{named:?}");
    assert!(keys(&docs).is_subset(&named), "{:?} vs {named:?}", keys(&docs));
    let timestamp = mapping["timestamp_field"].as_str().unwrap();
    assert!(named.contains(timestamp));
    for field in yaml["search_settings"]["default_search_fields"].as_sequence().unwrap() {
        assert!(named.contains(field.as_str().unwrap()), "{field:?}");
    }
}

#[test]
fn daesh_and_islamic_state_hold_the_same_entity_token() {
    let wd = Workdir::indexed_sample_corpus();
    wd.run(&["export", "--to", "out", "--target", "ndjson", "--quiet"]).success();
    let docs = read_lines(&wd.join("out/docs.ndjson"));
    let body = |doc: &Value| doc["body"].as_str().unwrap().to_owned();
    let norm = |doc: &Value| doc["body_norm"].as_str().unwrap().to_owned();
    let daesh = docs.iter().find(|d| body(d).contains("Daesh")).expect("a Daesh article");
    let state = docs
        .iter()
        .find(|d| body(d).contains("Islamic State") && !body(d).contains("Daesh"))
        .expect("an Islamic State article");
    for doc in [daesh, state] {
        let tokens: Vec<String> = norm(doc).split(' ').map(str::to_owned).collect();
        assert!(tokens.contains(&"nsentisis0".to_owned()), "{}", norm(doc));
        assert!(!tokens.contains(&"daesh".to_owned()), "{}", norm(doc));
        assert!(doc["entities"].as_array().unwrap().contains(&Value::from("ISIS")), "{doc}");
    }
    assert!(daesh["forms"].as_array().unwrap().contains(&Value::from("Daesh")), "{daesh}");
}

#[test]
fn opensearch_bulk_files_pair_actions_with_sources_within_their_size() {
    let wd = Workdir::indexed_sample_corpus();
    let limit = 20_000_u64;
    wd.run(&[
        "export",
        "--to",
        "os",
        "--target",
        "opensearch",
        "--name",
        "news",
        "--bulk-max-bytes",
        &limit.to_string(),
    ])
    .success();
    let mut bulk_files: Vec<_> = std::fs::read_dir(wd.join("os"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with("bulk-"))
        .collect();
    bulk_files.sort();
    assert!(bulk_files.len() > 1, "{bulk_files:?}: the sample should need several files");
    let mut sources = Vec::new();
    for (i, name) in bulk_files.iter().enumerate() {
        assert_eq!(name, &format!("bulk-{:04}.ndjson", i + 1));
        let path = wd.join(&format!("os/{name}"));
        let lines = read_lines(&path);
        assert!(lines.len().is_multiple_of(2), "{name}: odd number of lines");
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size <= limit || lines.len() == 2, "{name}: {size} bytes");
        for pair in lines.chunks(2) {
            let action = &pair[0]["index"];
            assert_eq!(action["_index"], "news");
            assert_eq!(action["_id"], pair[1]["id"], "{name}");
            sources.push(pair[1].clone());
        }
    }
    assert_eq!(ids(&sources), wd.query_ids(&["*"]));

    let settings: Value =
        serde_json::from_str(&std::fs::read_to_string(wd.join("os/index.json")).unwrap()).unwrap();
    let properties = settings["mappings"]["properties"].as_object().unwrap();
    let mapped: BTreeSet<String> = properties.keys().cloned().collect();
    assert!(mapped.is_subset(&schema_fields()), "{mapped:?}");
    assert!(keys(&sources).is_subset(&mapped));
    let analyzer = properties["body_norm"]["analyzer"].as_str().unwrap();
    let chain = &settings["settings"]["analysis"]["analyzer"][analyzer];
    assert_eq!(chain["tokenizer"], "whitespace");
    let filters = &settings["settings"]["analysis"]["filter"];
    let stems = chain["filter"].as_array().unwrap().iter().any(|name| {
        let filter = &filters[name.as_str().unwrap()];
        filter["type"] == "snowball" && filter["language"] == "English"
    });
    assert!(stems, "{chain}");
    for facet in ["entities", "source", "folder"] {
        assert_eq!(properties[facet]["type"], "keyword", "{facet}");
    }
    assert_eq!(properties["date"]["type"], "date");
}

#[test]
fn a_query_export_holds_exactly_the_query_hits() {
    let wd = Workdir::indexed_sample_corpus();
    let cases: [&[&str]; 3] = [
        &["--query", "ISIL"],
        &["--query", "\"Islamic State fighters\""],
        &["--filter", "entity:Daesh", "--since", "2016", "--until", "2016-12"],
    ];
    for (i, args) in cases.iter().enumerate() {
        let to = format!("q{i}");
        let mut all = vec!["export", "--to", &to, "--target", "ndjson"];
        all.extend_from_slice(args);
        wd.run(&all).success();
        let exported = ids(&read_lines(&wd.join(&format!("{to}/docs.ndjson"))));
        let mut query: Vec<&str> = match args.first() {
            Some(&"--query") => vec![args[1]],
            _ => vec!["*"],
        };
        query.extend(args.iter().skip(if args[0] == "--query" { 2 } else { 0 }));
        let expected = wd.query_ids(&query);
        assert!(!expected.is_empty(), "{args:?}");
        assert_eq!(exported, expected, "{args:?}");
    }
}

#[test]
fn bad_arguments_exit_2_and_a_missing_index_exits_1() {
    let wd = Workdir::indexed_sample_corpus();
    wd.run(&["export", "--to", "x", "--target", "solr"]).code(2);
    wd.run(&["export", "--target", "ndjson"]).code(2);
    wd.run(&["export", "--to", "x", "--target", "ndjson", "--since", "soon"])
        .code(2)
        .stderr_has("--since");
    wd.run(&["export", "--to", "x", "--target", "ndjson", "--query", "\"open"]).code(2);
    wd.run(&["export", "--to", "x", "--target", "ndjson", "--filter", "entity:Nobody"]).code(2);
    // The options read as `newsearch query` reads them, with its messages.
    wd.run(&["export", "--to", "x", "--target", "ndjson", "--filter", "date:2016"])
        .code(2)
        .stderr_has("filters work on source, folder, entity and lineage");
    wd.run(&["export", "--to", "x", "--target", "ndjson", "--since", "2017", "--until", "2016"])
        .code(2)
        .stderr_has("--since is after --until");
    wd.run(&["export", "--to", "x", "--target", "quickwit", "--name", "Bad Name"]).code(2);
    wd.write("full/keep.txt", "mine");
    wd.run(&["export", "--to", "full", "--target", "ndjson"]).code(2).stderr_has("not empty");
    assert_eq!(std::fs::read_to_string(wd.join("full/keep.txt")).unwrap(), "mine");
    wd.run(&["export", "--to", "y", "--target", "ndjson", "--index", "nowhere"])
        .code(1)
        .stderr_has("no index");
    assert!(!wd.join("y").exists(), "a failed export leaves no folder behind");
}

/// Quickwit's side, emulated: a tantivy index of `docs.ndjson` whose
/// normalised fields use Quickwit's `default` tokenizer (tantivy's simple
/// tokenizer, lowercased, tokens of 255 bytes or more dropped), searched with
/// the entity tokens a translated query holds. Only entity queries are
/// compared here; `tests/export_remote.rs` runs the requests `--print-remote`
/// writes, stem groups, facets and timelines included.
#[test]
fn quickwit_default_tokenizer_finds_what_newsearch_finds_for_entities() {
    use tantivy::collector::DocSetCollector;
    use tantivy::query::QueryParser;
    use tantivy::schema::{
        IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
    };
    use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer};
    use tantivy::{Index, TantivyDocument, doc};

    let wd = Workdir::indexed_sample_corpus();
    wd.run(&["export", "--to", "qw", "--target", "quickwit", "--quiet"]).success();
    let mut builder = Schema::builder();
    let norm = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("quickwit_default")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let id = builder.add_text_field("id", STRING | STORED);
    let title = builder.add_text_field("title_norm", norm.clone());
    let body = builder.add_text_field("body_norm", norm);
    let index = Index::create_in_ram(builder.build());
    index.tokenizers().register(
        "quickwit_default",
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(255))
            .filter(LowerCaser)
            .build(),
    );
    let mut writer = index.writer(15_000_000).unwrap();
    for line in read_lines(&wd.join("qw/docs.ndjson")) {
        writer
            .add_document(doc!(
                id => line["id"].as_str().unwrap(),
                title => line["title_norm"].as_str().unwrap_or_default(),
                body => line["body_norm"].as_str().unwrap(),
            ))
            .unwrap();
    }
    writer.commit().unwrap();
    let searcher = index.reader().unwrap().searcher();
    let parser = QueryParser::for_index(&index, vec![title, body]);
    let remote_ids = |query: &str| -> Vec<String> {
        let query = parser.parse_query(query).unwrap();
        let mut found: Vec<String> = searcher
            .search(&query, &DocSetCollector)
            .unwrap()
            .into_iter()
            .map(|address| {
                let stored: TantivyDocument = searcher.doc(address).unwrap();
                let value = stored.get_first(id).unwrap();
                tantivy::schema::Value::as_str(&value).unwrap().to_owned()
            })
            .collect();
        found.sort();
        found
    };
    // newsearch query → the remote query a translation gives.
    let cases: BTreeMap<&str, &str> = [
        ("ISIS", "nsentisis0"),
        ("ISIL", "nsentisis0"),
        ("Daesh", "nsentisis0"),
        ("\"Islamic State\"", "nsentisis0"),
        ("\"Islamic State of Iraq and the Levant\"", "nsentisis0"),
        ("Sirt", "nsentsirte0"),
        ("\"al-Qaeda\"", "nsentalqaeda0"),
        ("Daesh AND Sirte", "nsentisis0 AND nsentsirte0"),
        ("Daesh OR Hezbollah", "nsentisis0 OR nsenthezbollah0"),
        ("Daesh -Sirte", "nsentisis0 -nsentsirte0"),
    ]
    .into_iter()
    .collect();
    for (query, remote) in cases {
        let expected = wd.query_ids(&[query]);
        assert!(!expected.is_empty(), "{query}: no hits to compare");
        assert_eq!(remote_ids(remote), expected, "{query} → {remote}");
    }
}
