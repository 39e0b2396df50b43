//! What `newsearch query` tells a reader beyond the hits: undated articles that a
//! date range or a timeline left out, a hint where a page does not show every
//! hit, long queries echoed cut short, and file names that hold line breaks.

use serde_json::Value;

use crate::util::Workdir;

fn query_schema() -> jsonschema::Validator {
    crate::util::schema_validator("query.v1.schema.json")
}

#[track_caller]
fn assert_valid(validator: &jsonschema::Validator, value: &Value) {
    let errors: Vec<String> = validator.iter_errors(value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{value}: {errors:?}");
}

/// Two dated Sirte articles (2016 and 2017), three undated ones and an undated
/// Mosul article, as a BBC-like scrape without dates gives them.
fn partly_dated_corpus() -> Workdir {
    let wd = Workdir::new();
    wd.write("corpus/a.txt", "Sirte falls\n\n2016-09-04\n\nForces took Sirte.\n");
    wd.write("corpus/b.txt", "Sirte rebuilds\n\n2017-01-02\n\nSirte began to rebuild.\n");
    let undated = [
        ("u1", "Sirte port reopens", "Ships docked at Sirte."),
        ("u2", "Sirte schools", "Schools in Sirte reopened."),
        ("u3", "Sirte market", "The market of Sirte was busy."),
        ("u4", "Mosul offensive", "The push on Mosul began."),
    ];
    let lines: Vec<String> = undated
        .iter()
        .map(|(id, title, text)| serde_json::json!({"id": id, "title": title, "text": text}))
        .map(|record| record.to_string())
        .collect();
    wd.write("corpus/undated.jsonl", lines.join("\n") + "\n");
    wd.run(&["index", "corpus", "--quiet"]).success();
    wd
}

#[test]
fn undated_articles_left_out_by_a_date_range_or_a_timeline_are_counted() {
    let wd = partly_dated_corpus();
    let schema = query_schema();
    // Every way a page is collected: a relevance page, counts only, by date, all.
    for page in [&[][..], &["-n", "0"], &["--sort", "newest"], &["--all"]] {
        let json = |args: &[&str]| {
            let mut all = args.to_vec();
            all.extend_from_slice(page);
            let result = wd.query_json(&all);
            assert_valid(&schema, &result);
            result
        };
        let result = json(&["Sirte", "--since", "2016"]);
        assert_eq!(result["total_hits"], 2, "{page:?}: {result}");
        assert_eq!(result["undated_excluded"], 3, "{page:?}: {result}");
        let result = json(&["Sirte", "--until", "2016-12", "--facet", "source"]);
        assert_eq!(result["total_hits"], 1, "{page:?}: {result}");
        assert_eq!(result["undated_excluded"], 3, "{page:?}: {result}");
        // The BBC case: every match is undated, so no hits, and the count says why.
        let result = json(&["Mosul", "--since", "2016"]);
        assert_eq!((&result["total_hits"], &result["undated_excluded"]), (&0.into(), &1.into()));
        // A timeline without a date range: the undated are hits in no period.
        let result = json(&["Sirte", "--timeline", "year"]);
        assert_eq!(result["total_hits"], 5, "{page:?}: {result}");
        let periods = result["timeline"].as_array().unwrap();
        assert_eq!(periods.iter().map(|p| p["count"].as_u64().unwrap()).sum::<u64>(), 2);
        assert_eq!(result["undated_excluded"], 3, "{page:?}: {result}");
        // Both: the undated matches are left out by the range, not hits.
        let result = json(&["Sirte", "--since", "2017", "--timeline", "year"]);
        assert_eq!(result["total_hits"], 1, "{page:?}: {result}");
        assert_eq!(result["undated_excluded"], 3, "{page:?}: {result}");
        // Neither: the key is absent.
        let result = json(&["Sirte"]);
        assert!(result.get("undated_excluded").is_none(), "{page:?}: {result}");
    }

    let out = wd.run(&["query", "Sirte", "--since", "2016"]).success();
    assert!(out.stdout.contains("\n3 undated articles left out by --since/--until\n"), "{out}");
    let out = wd.run(&["query", "Mosul", "--since", "2016"]).success();
    assert!(out.stdout.starts_with("0 hits for \"Mosul\""), "{out}");
    assert!(out.stdout.contains("\n1 undated article left out by --since/--until\n"), "{out}");
    let out = wd.run(&["query", "Sirte", "--timeline", "year"]).success();
    assert!(out.stdout.ends_with("\n3 undated hits not in the timeline\n"), "{out}");
    let out = wd.run(&["query", "Sirte"]).success();
    assert!(!out.stdout.contains("undated a") && !out.stdout.contains("undated h"), "{out}");
}

#[test]
fn an_index_where_every_article_has_a_date_leaves_none_out() {
    let wd = Workdir::new();
    wd.write("corpus/a.txt", "Sirte falls\n\n2016-09-04\n\nForces took Sirte.\n");
    wd.write("corpus/b.txt", "Sirte rebuilds\n\n2017-01-02\n\nSirte began to rebuild.\n");
    wd.run(&["index", "corpus", "--quiet"]).success();
    let result = wd.query_json(&["Sirte", "--since", "2017"]);
    assert_eq!((&result["total_hits"], &result["undated_excluded"]), (&1.into(), &0.into()));
    let result = wd.query_json(&["Sirte", "--timeline", "month"]);
    assert_eq!(result["undated_excluded"], 0, "{result}");
    let out = wd.run(&["query", "Sirte", "--since", "2017", "--timeline", "month"]).success();
    assert!(!out.stdout.contains("undated"), "no line for none\n{out}");
}

/// `count` indexed articles that all mention Sirte, dated a day apart.
fn sirte_articles(count: usize) -> Workdir {
    let wd = Workdir::new();
    for n in 0..count {
        wd.write(
            &format!("corpus/{n:02}.txt"),
            format!("Sirte report {n}\n\n2016-09-{:02}\n\nForces in Sirte, day {n}.\n", n + 1),
        );
    }
    wd.run(&["index", "corpus", "--quiet"]).success();
    wd
}

/// The hint line of human output, if any.
fn hint(stdout: &str) -> Option<&str> {
    stdout.lines().find(|line| line.starts_with("showing "))
}

#[test]
fn a_page_that_shows_some_hits_ends_with_how_to_see_the_rest() {
    let wd = sirte_articles(16);
    let out = wd.run(&["query", "Sirte"]).success();
    assert!(out.stdout.starts_with("16 hits for \"Sirte\""), "{out}");
    let expected =
        "showing 1-10 of 16: -n N for more, --offset 10 for the next page, --all for every hit";
    assert_eq!(hint(&out.stdout), Some(expected), "{out}");
    // It ends the page: after the last hit, before a facet table.
    assert!(out.stdout.ends_with(&format!("\n\n{expected}\n")), "{out}");
    let out = wd.run(&["query", "Sirte", "--facet", "source"]).success();
    let at_hint = out.stdout.find(expected).unwrap();
    assert!(out.stdout[..at_hint].contains(" 10. "), "{out}");
    assert!(out.stdout[at_hint..].contains("source"), "{out}");

    // What the hint says works: the next page starts at 11 and is the last.
    let out = wd.run(&["query", "Sirte", "--offset", "10"]).success();
    assert!(out.stdout.contains(" 11. ") && out.stdout.contains(" 16. "), "{out}");
    assert_eq!(
        hint(&out.stdout),
        Some("showing 11-16 of 16: --offset 0 for the first page, --all for every hit"),
        "{out}"
    );
    let out = wd.run(&["query", "Sirte", "-n", "1", "--offset", "3"]).success();
    let expected =
        "showing 4 of 16: -n N for more, --offset 4 for the next page, --all for every hit";
    assert_eq!(hint(&out.stdout), Some(expected), "{out}");

    // No hint when the page shows every hit, or none.
    for args in [&["--all"][..], &["-n", "16"], &["-n", "0"], &["--offset", "20"]] {
        let mut all = vec!["query", "Sirte"];
        all.extend_from_slice(args);
        let out = wd.run(&all).success();
        assert_eq!(hint(&out.stdout), None, "{out}");
    }
    // Scripts read total_hits and offset: no hint in JSON.
    let out = wd.run(&["query", "Sirte", "--format", "json"]).success();
    assert!(!out.stdout.contains("showing"), "{out}");
}

#[test]
fn long_queries_are_echoed_cut_short_in_human_output_and_errors_but_whole_in_json() {
    let wd = sirte_articles(2);
    let long = "Sirte ".repeat(1700);
    let long = long.trim_end();
    assert!(long.chars().count() > 10_000);
    let out = wd.run(&["query", long]).success();
    let header = out.stdout.lines().next().unwrap();
    assert!(header.starts_with("2 hits for \"Sirte Sirte"), "{header}");
    assert!(header.contains("…\" ("), "{header}");
    assert!(header.chars().count() < 260, "{} characters: {header}", header.chars().count());
    let result = wd.query_json(&[long]);
    assert_eq!(result["query"], long);
    assert_eq!(result["total_hits"], 2);

    // Nested 20,000 levels: the error is one short line that still says why.
    let deep = format!("{}Sirte{}", "(".repeat(20_000), ")".repeat(20_000));
    let out = wd.run(&["query", &deep]).code(2).stderr_has("nested").stderr_has("…");
    assert_eq!(out.stderr.lines().count(), 1, "{out}");
    assert!(out.stderr.len() < 600, "{} bytes: {}", out.stderr.len(), out.stderr);
    assert!(out.stderr.contains("query \"((((("), "{out}");

    // In a batch, the error object keeps the line whole; its message and stderr do not.
    wd.write("batch.txt", format!("{deep}\nSirte\n"));
    let out = wd.run(&["query", "--batch", "batch.txt", "--format", "json"]).code(2);
    let lines: Vec<Value> =
        out.stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0]["query"], deep.as_str());
    let error = lines[0]["error"].as_str().unwrap();
    assert!(error.starts_with("line 1: ") && error.contains("nested"), "{error}");
    assert!(error.len() < 600, "{} bytes: {error}", error.len());
    assert!(out.stderr.len() < 600, "{} bytes: {}", out.stderr.len(), out.stderr);
    assert_eq!(lines[1]["total_hits"], 2);

    // A short query is echoed as it is.
    let out = wd.run(&["query", "title:(Sirte"]).code(2);
    assert!(out.stderr.contains("query \"title:(Sirte\": "), "{out}");
    assert!(!out.stderr.contains('…'), "{out}");
}

#[cfg(unix)]
#[test]
fn line_breaks_and_tabs_in_file_names_are_shown_as_escapes() {
    let wd = Workdir::new();
    wd.write("corpus/line\nbreak.txt", "Sirte falls\n\n2016-09-04\n\nForces took Sirte.\n");
    wd.write("corpus/tab\tfolder/a.txt", "Sirte again\n\n2016-09-05\n\nSirte was quiet.\n");
    // A record whose date cannot be read: the end-of-run report names its file.
    let record =
        serde_json::json!({"id": "w1", "title": "Mosul", "text": "Mosul.", "date": "soon"});
    wd.write("corpus/warn\nfile.jsonl", format!("{record}\n"));

    let report = wd.run(&["index", "corpus"]).success();
    assert!(report.stdout.contains("/corpus/warn\\nfile.jsonl:1: "), "{report}");
    assert!(!report.stdout.lines().any(|line| line.starts_with("file.jsonl")), "{report}");

    let out = wd.run(&["query", "Sirte", "--facet", "folder"]).success();
    assert!(out.stdout.contains("/corpus/line\\nbreak.txt\n"), "{out}");
    assert!(out.stdout.contains("/corpus/tab\\tfolder/a.txt\n"), "{out}");
    assert!(!out.stdout.lines().any(|line| line.starts_with("break.txt")), "{out}");
    assert!(out.stdout.contains("/corpus/tab\\tfolder "), "the folder facet\n{out}");
    // Scripts get the path exactly.
    let result = wd.query_json(&["Sirte", "--sort", "oldest"]);
    let path = result["hits"][0]["path"].as_str().unwrap();
    assert!(path.ends_with("/corpus/line\nbreak.txt"), "{result}");
}
