//! What `newsearch` writes to stdout and which code it exits with, in the corners:
//! a reader that stops early, batches with bad lines, hostile article text, a
//! damaged index.

use std::io::Read;
use std::process::Stdio;

use serde_json::Value;

use crate::util::Workdir;

/// A workdir with `count` small articles in `corpus/`, indexed; every article
/// mentions Sirte, and titles are long enough that a few hundred hits make
/// more output than any buffer between newsearch and a pipe holds.
fn indexed_articles(count: usize) -> Workdir {
    let wd = Workdir::new();
    for n in 0..count {
        wd.write(
            &format!("corpus/{n:04}.txt"),
            format!(
                "Fighting near Sirte, report number {n} of a long series of reports\n\n\
                 2016-09-04\n\nForces advanced on Sirte on day {n}.\n"
            ),
        );
    }
    wd.run(&["index", "corpus", "--quiet"]).success();
    wd
}

#[test]
fn every_query_format_exits_0_when_the_reader_closes_the_pipe() {
    let wd = indexed_articles(400);
    for format in ["human", "json", "jsonl", "csv"] {
        let args = ["query", "*", "--all", "--format", format];
        let mut child =
            wd.command(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        // Close the read end before newsearch writes anything: its first write to
        // stdout fails with a broken pipe, as after `| head -1`.
        drop(child.stdout.take());
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "--format {format}: stderr {stderr:?}");
        assert_eq!(stderr, "", "--format {format}");
    }
}

/// A small indexed corpus: two Sirte articles, one Mosul article.
fn small_corpus() -> Workdir {
    let wd = Workdir::new();
    wd.write("corpus/a.txt", "Sirte falls\n\n2016-09-04\n\nForces took Sirte.\n");
    wd.write("corpus/b.txt", "Sirte, again\n\n2016-09-05\n\nSirte was quiet.\n");
    wd.write("corpus/c.txt", "Mosul offensive\n\n2016-10-17\n\nThe push on Mosul began.\n");
    wd.run(&["index", "corpus", "--quiet"]).success();
    wd
}

/// stdout as one JSON value per line.
fn json_lines(out: &crate::util::Output) -> Vec<Value> {
    out.stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line:?}\n{out}"))
        })
        .collect()
}

fn schema_validator(name: &str) -> jsonschema::Validator {
    crate::util::schema_validator(name)
}

#[track_caller]
fn assert_valid(validator: &jsonschema::Validator, value: &Value) {
    let errors: Vec<String> = validator.iter_errors(value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{value}: {errors:?}");
}

#[test]
fn a_batch_line_that_is_not_utf8_is_reported_in_place_and_the_batch_goes_on() {
    let wd = small_corpus();
    wd.write("b.txt", b"Sirte\n\xff\xfe bad\nMosul\n");
    let schema = schema_validator("query.v1.schema.json");

    let out = wd.run(&["query", "--batch", "b.txt", "--format", "json"]).code(2);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0]["query"], "Sirte");
    assert_eq!(lines[0]["total_hits"], 2);
    let error = lines[1]["error"].as_str().unwrap();
    assert!(error.contains("line 2") && error.contains("UTF-8"), "{error}");
    assert_eq!(lines[1]["query"], "\u{fffd}\u{fffd} bad");
    assert_eq!(lines[2]["query"], "Mosul");
    assert_eq!(lines[2]["total_hits"], 1);
    for line in &lines {
        assert_valid(&schema, line);
    }
    assert!(out.stderr.contains("b.txt:2: "), "{out}");
    assert_eq!(out.stderr.lines().count(), 1, "{out}");

    // The same from stdin, and in the other formats: the good lines all run.
    let out = wd
        .command(&["query", "--batch", "-", "--format", "json"])
        .stdin(std::fs::File::open(wd.join("b.txt")).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let queries: Vec<String> = stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["query"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(queries, ["Sirte", "\u{fffd}\u{fffd} bad", "Mosul"], "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("<stdin>:2: "));
    for format in ["human", "csv"] {
        let out = wd.run(&["query", "--batch", "b.txt", "--format", format]).code(2);
        assert!(out.stdout.contains("Mosul"), "{out}");
        assert!(out.stderr.contains("b.txt:2: "), "{out}");
    }
}

#[test]
fn batch_csv_leads_with_the_query_and_batch_jsonl_reports_a_bad_line_in_place() {
    let wd = small_corpus();
    wd.write("batch.txt", "Sirte\n\"unbalanced\nMosul\n");

    let out = wd.run(&["query", "--batch", "batch.txt", "--format", "csv"]).code(2);
    let mut reader = csv::Reader::from_reader(out.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["query", "rank", "score", "id", "path", "title", "date", "source", "url", "entities"],
        "{out}"
    );
    let rows: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[3].to_owned())
        })
        .collect();
    let queries: Vec<&str> = rows.iter().map(|(q, _)| q.as_str()).collect();
    assert_eq!(queries, ["Sirte", "Sirte", "Mosul"], "{out}");
    assert_eq!(rows[2].1, "corpus/c.txt");
    assert!(out.stderr.contains("batch.txt:2: "), "{out}");
    // One query alone keeps the documented header.
    let single = wd.run(&["query", "Sirte", "--format", "csv"]).success();
    assert!(
        single.stdout.starts_with("rank,score,id,path,title,date,source,url,entities\n"),
        "{single}"
    );

    let out = wd.run(&["query", "--batch", "batch.txt", "--format", "jsonl"]).code(2);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[2]["schema_version"], 1);
    assert_eq!(lines[2]["query"], "\"unbalanced");
    assert!(lines[2]["error"].as_str().unwrap().contains("syntax error"), "{out}");
    assert_valid(&schema_validator("query.v1.schema.json"), &lines[2]);
    assert_eq!(lines[3]["query"], "Mosul");
    assert_eq!(lines[3]["id"], "corpus/c.txt");
}

/// Article text that would drive a terminal: a colour, a screen clear, a window
/// title (ended by BEL), a C1 CSI, and a tab and newline inside one-line fields.
const HOSTILE_TITLE: &str = "Sirte \u{1b}[31mred\u{1b}[0m \u{1b}]0;pwned\u{7} title\tend";
const HOSTILE_BODY: &str = "Forces in Sirte \u{1b}[2J cleared \u{9b}6n the port.\nMore.";
const HOSTILE_SOURCE: &str = "Wire\u{1b}[8m hidden";

/// Whether `text` holds a control character other than a newline (a line break
/// of the output itself) or the escape sequences newsearch writes for colour
/// (anstyle's: bold, red, dimmed, reset; bold red is bold then red).
fn has_foreign_control(text: &str) -> bool {
    let mut rest = text.to_owned();
    for own in ["\u{1b}[1m\u{1b}[31m", "\u{1b}[1m", "\u{1b}[2m", "\u{1b}[0m"] {
        rest = rest.replace(own, "");
    }
    rest.chars().any(|c| c.is_control() && c != '\n')
}

#[test]
fn human_output_shows_control_characters_from_articles_instead_of_sending_them() {
    let wd = Workdir::new();
    let record = serde_json::json!({
        "id": "evil-1",
        "title": HOSTILE_TITLE,
        "text": HOSTILE_BODY,
        "date": "not a date at all",
        "source": HOSTILE_SOURCE,
    });
    // The file name carries an escape too: paths are printed.
    wd.write("corpus/evil\u{1b}[2Jname.jsonl", format!("{record}\n"));

    // The end-of-run report names the file (its date is a warning).
    let report = wd.run(&["index", "corpus"]).success();
    assert!(report.stdout.contains("warning"), "{report}");
    assert!(!has_foreign_control(&report.stdout), "{report}");
    assert!(report.stdout.contains("evil\\u{1b}[2Jname.jsonl"), "{report}");

    for color in ["never", "always"] {
        let out = wd
            .run(&["query", "Sirte", "--facet", "source", "--color", color, "--format", "human"])
            .success();
        assert!(out.stdout.contains("1 hit"), "{out}");
        assert!(!has_foreign_control(&out.stdout), "--color {color}\n{out}");
        // Shown, not dropped: a reader sees that the article holds escapes.
        assert!(out.stdout.contains("\\u{1b}[31mred"), "{out}");
        assert!(out.stdout.contains("\\u{1b}]0;pwned\\u{7}"), "{out}");
        assert!(out.stdout.contains("\\u{9b}6n"), "{out}");
        assert!(out.stdout.contains("Wire\\u{1b}[8m hidden"), "{out}");
        assert!(out.stdout.contains("title end"), "a tab becomes a space\n{out}");
    }
    let stats = wd.run(&["stats"]).success();
    assert!(!has_foreign_control(&stats.stdout), "{stats}");
    assert!(stats.stdout.contains("Wire\\u{1b}[8m hidden"), "{stats}");

    // Scripts get the text exactly as the article has it.
    let json = wd.query_json(&["Sirte"]);
    assert_eq!(json["hits"][0]["title"], HOSTILE_TITLE);
    assert_eq!(json["hits"][0]["source"], HOSTILE_SOURCE);
    assert!(json["hits"][0]["path"].as_str().unwrap().contains("evil\u{1b}[2Jname"));
    let csv_out = wd.run(&["query", "Sirte", "--format", "csv"]).success();
    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[4], HOSTILE_TITLE);
}

/// Rewrites the alias table stored in the index's last commit with `edit`.
fn edit_stored_aliases(wd: &Workdir, edit: impl FnOnce(&str) -> String) {
    let meta_path = wd.join("index/meta.json");
    let mut meta: Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    let mut payload: Value = serde_json::from_str(meta["payload"].as_str().unwrap()).unwrap();
    let damaged = edit(payload["aliases"].as_str().unwrap());
    payload["aliases"] = Value::from(damaged);
    meta["payload"] = Value::from(payload.to_string());
    std::fs::write(&meta_path, meta.to_string()).unwrap();
}

#[test]
fn a_damaged_stored_alias_table_is_an_index_failure_that_rebuild_repairs() {
    let wd = small_corpus();
    edit_stored_aliases(&wd, |table| format!("{table}\n[[entity]]\nname = \n"));

    for args in [&["query", "Sirte"][..], &["stats"], &["aliases"]] {
        let out = wd.run(args).code(1).stderr_has("alias table").stderr_has("damaged");
        let out = out.stderr_has("newsearch index --rebuild");
        assert!(!out.stderr.contains("meta.json:"), "names a line of meta.json\n{out}");
        assert_eq!(out.stderr.lines().count(), 1, "{out}");
        assert_eq!(out.stdout, "", "{out}");
    }
    // What the message suggests works.
    wd.run(&["index", "corpus", "--rebuild", "--quiet"]).success();
    assert_eq!(wd.query_json(&["Sirte"])["total_hits"], 2);
}

#[test]
fn aliases_explain_json_is_a_versioned_document_that_follows_its_schema() {
    let wd = Workdir::new();
    let schema = schema_validator("aliases.v1.schema.json");
    let explained =
        wd.run(&["aliases", "--explain", "Daesh left Sirt", "--format", "json"]).success().json();
    assert_eq!(explained["schema_version"], 1, "{explained}");
    assert_eq!(explained["text"], "Daesh left Sirt");
    let tokens = explained["tokens"].as_array().unwrap();
    assert_eq!(tokens[0]["written"], "Daesh");
    assert_eq!(tokens[0]["entity"], "ISIS");
    assert_valid(&schema, &explained);
    let table = wd.run(&["aliases", "--format", "json"]).success().json();
    assert_valid(&schema, &table);
}

#[test]
fn a_batch_file_saved_with_a_byte_order_mark_reads_its_first_line() {
    let wd = small_corpus();
    wd.write("b.txt", b"\xef\xbb\xbftitle:Sirte\r\n\"Mosul offensive\"\r\n");
    let out = wd.run(&["query", "--batch", "b.txt", "--format", "json"]).success();
    let lines = json_lines(&out);
    assert_eq!(lines[0]["query"], "title:Sirte", "{out}");
    assert_eq!(lines[0]["total_hits"], 2, "{out}");
    assert_eq!(lines[1]["total_hits"], 1, "{out}");
}
