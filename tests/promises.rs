//! README promises that no other file tests: each runs the real binary on files it
//! writes itself or on the sample corpus, and computes what it expects from those
//! files, not from newsearch.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime};
use serde_json::Value;

use crate::crash::{count, signal, stats_documents, wait_for_writer, write_articles};
use crate::util::{Output, Workdir, run_as_nobody, run_command};

/// The summary of `newsearch index ARGS --format json`, which must succeed.
fn index_json(wd: &Workdir, args: &[&str]) -> Value {
    let mut all = vec!["index"];
    all.extend_from_slice(args);
    all.extend(["--format", "json"]);
    wd.run(&all).success().json()
}

/// The ids of the hits of `query` (sorted).
fn ids(wd: &Workdir, query: &str) -> Vec<String> {
    wd.query_ids(&[query])
}

/// The paths of a summary's `skipped` list.
fn skipped_paths(summary: &Value) -> Vec<String> {
    let skipped = summary["skipped"].as_array().unwrap();
    let mut paths: Vec<String> =
        skipped.iter().map(|s| s["path"].as_str().unwrap().to_owned()).collect();
    paths.sort();
    paths
}

fn counts(summary: &Value) -> [u64; 5] {
    ["added", "updated", "removed", "unchanged", "documents"]
        .map(|key| summary[key].as_u64().unwrap_or_else(|| panic!("no {key} in {summary}")))
}

#[test]
fn a_file_that_breaks_after_it_was_indexed_keeps_its_documents_and_is_reported() {
    let wd = Workdir::new();
    wd.write("corpus/a.txt", "Alpha\n\n2016-09-04\n\nFighting near Sirte resumed.\n");
    wd.write("corpus/b.jsonl", "{\"id\":\"r1\",\"title\":\"One\",\"text\":\"Derna port\"}\n{\"id\":\"r2\",\"title\":\"Two\",\"text\":\"Derna hills\"}\n");
    wd.write("corpus/c.txt", "Gamma\n\n2016-09-05\n\nThe Mosul front was quiet.\n");
    wd.write("corpus/d.txt", "Delta\n\n2016-09-06\n\nRaqqa was calm.\n");
    assert_eq!(counts(&index_json(&wd, &["corpus"])), [5, 0, 0, 0, 5]);

    // Garbage (NUL bytes), a JSON Lines file whose every line is broken, an empty file.
    wd.write("corpus/a.txt", b"\x00\x01garbage\x00\xff\xfe".repeat(20));
    wd.write("corpus/b.jsonl", "{not json\n[also not\n");
    wd.write("corpus/c.txt", "");
    let out = wd.run(&["index", "corpus", "--format", "json"]).success();
    let summary = out.json();
    assert_eq!(counts(&summary), [0, 0, 0, 5, 5], "{out}");
    let broken = ["a.txt", "b.jsonl", "c.txt"].map(|name| {
        let path = std::fs::canonicalize(wd.join("corpus").join(name)).unwrap();
        path.to_str().unwrap().to_owned()
    });
    assert_eq!(skipped_paths(&summary), broken, "{out}");
    for path in &broken {
        assert!(out.stderr.contains(&format!("newsearch: skipped {path}: ")), "{path}\n{out}");
    }
    // Their documents answer as before, under their old text.
    assert_eq!(ids(&wd, "Sirte"), ["corpus/a.txt"]);
    assert_eq!(ids(&wd, "Derna"), ["r1", "r2"]);
    assert_eq!(ids(&wd, "Mosul"), ["corpus/c.txt"]);
    assert_eq!(count(&wd), 5);
    // Human output and --quiet say so too.
    wd.run(&["index", "corpus"]).success().stderr_has("newsearch: skipped ");
    wd.run(&["index", "corpus", "--quiet"]).success().stderr_has("3 files skipped");

    // Readable again: the new text replaces the old. Gone: only then the documents go.
    wd.write("corpus/a.txt", "Alpha\n\n2016-09-04\n\nFighting near Benghazi resumed.\n");
    std::fs::remove_file(wd.join("corpus/b.jsonl")).unwrap();
    let summary = index_json(&wd, &["corpus"]);
    assert_eq!(counts(&summary), [0, 1, 2, 2, 3], "{summary}");
    assert_eq!(skipped_paths(&summary), [broken[2].clone()]);
    assert_eq!(ids(&wd, "Sirte"), Vec::<String>::new());
    assert_eq!(ids(&wd, "Benghazi"), ["corpus/a.txt"]);
    assert_eq!(ids(&wd, "Derna"), Vec::<String>::new());
    assert_eq!(ids(&wd, "Mosul"), ["corpus/c.txt"]);
}

#[cfg(unix)]
#[test]
fn a_file_that_becomes_unreadable_keeps_its_documents_and_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let wd = Workdir::new();
    wd.write("corpus/a.txt", "Alpha\n\n2016-09-04\n\nFighting near Sirte resumed.\n");
    wd.write("corpus/b.txt", "Beta\n\n2016-09-05\n\nThe Mosul front was quiet.\n");
    for file in ["a.txt", "b.txt"] {
        let path = wd.join("corpus").join(file);
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    // As root every file is readable: the runs are made as nobody.
    let Some(first) = run_as_nobody(&wd, &["index", "corpus", "--format", "json"]) else {
        return;
    };
    assert_eq!(counts(&first.success().json()), [2, 0, 0, 0, 2]);
    // Changed (so the run must read it again), then closed to its reader.
    let unreadable = wd.write("corpus/a.txt", "Alpha\n\n2016-09-04\n\nNow about Derna.\n");
    std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = run_as_nobody(&wd, &["index", "corpus", "--format", "json"]).unwrap().success();
    let summary = out.json();
    assert_eq!(counts(&summary), [0, 0, 0, 2, 2], "{out}");
    let path = std::fs::canonicalize(&unreadable).unwrap().to_str().unwrap().to_owned();
    assert_eq!(skipped_paths(&summary), std::slice::from_ref(&path), "{out}");
    assert!(out.stderr.contains(&format!("newsearch: skipped {path}: ")), "{out}");
    assert_eq!(ids(&wd, "Sirte"), ["corpus/a.txt"]);
    assert_eq!(count(&wd), 2);
}

/// Whether `status` is that of a process ended by Ctrl-C: killed by SIGINT, or, for
/// a program that catches it to clean up, exit code 130 (128 + SIGINT), which is
/// what a shell reports for either.
#[cfg(unix)]
fn ended_by_ctrl_c(status: std::process::ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(2) || status.code() == Some(130)
}

/// Whether this process ignores SIGINT (bit 2 of `SigIgn` in
/// `/proc/self/status`): a child inherits that, and cannot be interrupted. A
/// non-interactive shell ignores it for the commands it starts with `&`.
fn sigint_ignored() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mask = status.lines().find_map(|line| line.strip_prefix("SigIgn:"));
    mask.and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (2 - 1)) != 0)
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_an_index_run_leaves_the_last_commit_and_the_next_run_finishes() {
    if sigint_ignored() {
        crate::util::skip(
            "this test process ignores SIGINT (started in the background by a \
             non-interactive shell?), so no child of it can be interrupted",
        );
        return;
    }
    let wd = Workdir::new();
    let corpus = wd.join("corpus");
    write_articles(&corpus, 0, 2000);
    wd.run(&["index", "corpus", "--quiet"]).success();
    write_articles(&corpus, 2000, 2000);

    // Interrupted while it holds the lock (paused there, it cannot commit first):
    // a run that adds, then a rebuild.
    for args in [&["corpus"][..], &["corpus", "--rebuild"]] {
        let mut all = vec!["index"];
        all.extend_from_slice(args);
        let mut child = wd
            .command(&all)
            .env(crate::crash::STOP_AT_VAR, "planned")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        wait_for_writer(&wd, &mut child);
        signal(&child, "STOP");
        signal(&child, "INT");
        signal(&child, "CONT");
        let output = child.wait_with_output().unwrap();
        assert!(ended_by_ctrl_c(output.status), "{args:?}: {}", output.status);
        assert!(output.stdout.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&output.stdout));
        assert_eq!(count(&wd), 2000, "{args:?}");
        assert_eq!(stats_documents(&wd), 2000, "{args:?}");
        assert_eq!(ids(&wd, "title:\"Generated Dispatch 1999\"").len(), 1);
        assert_eq!(ids(&wd, "title:\"Generated Dispatch 2000\"").len(), 0);
    }

    // No stale lock: the next run takes it and commits everything.
    let summary = index_json(&wd, &["corpus"]);
    assert_eq!(counts(&summary), [2000, 0, 0, 2000, 4000], "{summary}");
    assert_eq!(count(&wd), 4000);
}

/// The stats of the index in `index`, without what depends on how it was written.
fn comparable_stats(wd: &Workdir, index: &str) -> Value {
    let mut stats = wd.run(&["stats", "--index", index, "--format", "json"]).success().json();
    stats.as_object_mut().unwrap().remove("index_bytes");
    stats
}

/// Every hit of `query` in the index `index`: id to score and date.
fn hits_of(wd: &Workdir, index: &str, query: &str) -> BTreeMap<String, (String, Value)> {
    let out = wd.run(&["query", query, "--index", index, "--all", "--format", "jsonl"]);
    out.success()
        .stdout
        .lines()
        .map(|line| {
            let hit: Value = serde_json::from_str(line).unwrap();
            let score = format!("{:.4}", hit["score"].as_f64().unwrap());
            (hit["id"].as_str().unwrap().to_owned(), (score, hit["date"].clone()))
        })
        .collect()
}

#[test]
fn threads_and_memory_mb_are_accepted_change_nothing_in_the_result_and_bad_values_exit_2() {
    let wd = Workdir::new();
    wd.copy_sample_corpus();
    write_articles(&wd.join("generated"), 0, 300);
    let default = index_json(&wd, &["sample-corpus", "generated", "--index", "default"]);
    let tuned = [
        &["--threads", "1", "--memory-mb", "64"][..],
        &["--threads", "3", "--memory-mb", "200"],
        &["--threads", "8"],
        &["--memory-mb", "1000"],
    ];
    for (n, options) in tuned.iter().enumerate() {
        let index = format!("tuned-{n}");
        let mut args = vec!["sample-corpus", "generated", "--index", &index];
        args.extend_from_slice(options);
        let summary = index_json(&wd, &args);
        for key in ["added", "documents", "skipped", "warnings", "aliases_fingerprint"] {
            assert_eq!(summary[key], default[key], "{options:?}: {key}");
        }
        assert_eq!(comparable_stats(&wd, &index), comparable_stats(&wd, "default"), "{options:?}");
        for query in ["*", "Sirte", "ISIS militants", "Generated Dispatch", "entity:Aleppo"] {
            let hits = hits_of(&wd, &index, query);
            assert!(!hits.is_empty(), "{query}");
            assert_eq!(hits, hits_of(&wd, "default", query), "{options:?}: {query}");
        }
        // Options of a later, incremental run too.
        let again =
            index_json(&wd, &[&args[..4], &["--threads", "2", "--memory-mb", "100"]].concat());
        assert_eq!(counts(&again)[3], default["documents"].as_u64().unwrap(), "{again}");
    }

    for (flag, value) in [
        ("--threads", "0"),
        ("--threads", "-1"),
        ("--threads", "two"),
        ("--threads", ""),
        ("--threads", "99999999999999999999"),
        ("--memory-mb", "0"),
        ("--memory-mb", "-600"),
        ("--memory-mb", "1.5"),
        ("--memory-mb", "lots"),
        ("--memory-mb", "99999999999999999999"),
    ] {
        let arg = format!("{flag}={value}");
        let out = wd.run(&["index", "sample-corpus", "--index", "refused", &arg]).code(2);
        let out = out.stderr_has(flag);
        assert!(out.stdout.is_empty(), "{out}");
        assert!(!wd.join("refused").exists(), "{out}");
        // Nor on an existing index, which is left as it was.
        let out = wd.run(&["index", "sample-corpus", "--index", "default", &arg]);
        out.code(2).stderr_has(flag);
    }
    assert_eq!(comparable_stats(&wd, "default")["documents"], default["documents"]);
}

/// The binary run in `cwd` with `env` and nothing of the caller's `NEWSEARCH_*`
/// (`HOME` a fresh folder, so nothing can come from the caller's home either).
fn run_in(wd: &Workdir, cwd: &Path, env: Option<&Path>, args: &[&str]) -> Output {
    let mut command = wd.command(args);
    command.current_dir(cwd).env_remove("NEWSEARCH_INDEX").env("HOME", wd.join("home"));
    command.env("XDG_DATA_HOME", wd.join("home/data")).env("XDG_CACHE_HOME", wd.join("home/c"));
    if let Some(env) = env {
        command.env("NEWSEARCH_INDEX", env);
    }
    run_command(&mut command, args)
}

#[test]
fn the_index_is_the_index_option_else_newsearch_index_else_newsearch_index_in_the_cwd() {
    let wd = Workdir::new();
    wd.write("corpus/a.txt", "Alpha\n\n2016-09-04\n\nFighting near Sirte resumed.\n");
    wd.write("corpus/b.txt", "Beta\n\n2016-09-05\n\nThe Mosul front was quiet.\n");
    for dir in ["home", "here", "elsewhere"] {
        std::fs::create_dir_all(wd.join(dir)).unwrap();
    }
    let corpus = wd.join("corpus");
    let corpus = corpus.to_str().unwrap();
    let here = wd.join("here");
    let hits = |out: Output| out.success().json()["total_hits"].as_u64().unwrap();

    // Neither: ./newsearch-index, in the folder the command runs in.
    run_in(&wd, &here, None, &["index", corpus, "--quiet"]).success();
    assert!(here.join("newsearch-index/newsearch.json").is_file());
    let listing: Vec<_> =
        std::fs::read_dir(&here).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(listing, ["newsearch-index"]);
    assert!(!wd.join("index").exists() && std::fs::read_dir(wd.join("home")).unwrap().count() == 0);
    assert_eq!(hits(run_in(&wd, &here, None, &["query", "*", "--format", "json"])), 2);
    // From another folder there is none.
    let elsewhere = wd.join("elsewhere");
    let none = run_in(&wd, &elsewhere, None, &["query", "*"]).code(1);
    let expected = elsewhere.join("newsearch-index");
    none.stderr_has("no index at newsearch-index");
    assert!(!expected.exists());

    // $NEWSEARCH_INDEX, wherever the command runs.
    let env_index = wd.join("from-env");
    run_in(&wd, &elsewhere, Some(&env_index), &["index", corpus, "--quiet"]).success();
    assert!(env_index.join("newsearch.json").is_file());
    assert!(!elsewhere.join("newsearch-index").exists());
    std::fs::remove_dir_all(here.join("newsearch-index")).unwrap();
    let json = ["query", "*", "--format", "json"];
    assert_eq!(hits(run_in(&wd, &here, Some(&env_index), &json)), 2);
    assert!(!here.join("newsearch-index").exists());

    // --index before both: with $NEWSEARCH_INDEX set, the option wins.
    wd.write("other/c.txt", "Gamma\n\n2016-09-06\n\nRaqqa was calm.\n");
    let other = wd.join("other");
    let flag_index = wd.join("from-flag");
    let flag = flag_index.to_str().unwrap();
    let args = ["index", other.to_str().unwrap(), "--index", flag, "--quiet"];
    run_in(&wd, &here, Some(&env_index), &args).success();
    let query = ["query", "*", "--index", flag, "--format", "json"];
    assert_eq!(hits(run_in(&wd, &here, Some(&env_index), &query)), 1);
    assert_eq!(hits(run_in(&wd, &here, Some(&env_index), &json)), 2, "the env's is untouched");
    assert!(!here.join("newsearch-index").exists());
}

#[test]
fn an_unknown_entity_is_a_usage_error_that_names_it() {
    let wd = Workdir::indexed_sample_corpus();
    // A known one answers, so the refusal below is about the name.
    assert!(wd.query_json(&["*", "--filter", "entity:Aleppo"])["total_hits"].as_u64() > Some(0));
    for args in [
        &["query", "*", "--filter", "entity:Atlantis"][..],
        &["query", "Sirte", "--filter", "entity:Atlantis", "--format", "json"],
        &["query", "entity:Atlantis"],
        &["query", "Sirte AND entity:Atlantis", "--format", "jsonl"],
        &["export", "--to", "out", "--target", "ndjson", "--filter", "entity:Atlantis"],
    ] {
        let out = wd.run(args).code(2).stderr_has("Atlantis");
        assert!(out.stdout.is_empty(), "{out}");
        assert!(out.stderr.starts_with("newsearch: ") && out.stderr.lines().count() == 1, "{out}");
    }
    // In a batch, the line fails and the batch exits 2.
    wd.write("batch.txt", "Sirte\nentity:Atlantis\n");
    let out = wd.run(&["query", "--batch", "batch.txt", "--format", "json"]).code(2);
    let out = out.stderr_has("batch.txt:2:").stderr_has("Atlantis");
    assert_eq!(out.stdout.lines().count(), 2, "{out}");
}

/// The date of a hit, as the day it falls on (UTC, as the timeline counts).
fn day_of(hit: &Value) -> Option<NaiveDate> {
    let date = hit["date"].as_str()?;
    Some(DateTime::parse_from_rfc3339(date).unwrap().naive_utc().date())
}

fn week_label(day: NaiveDate) -> String {
    let week = day.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

#[test]
fn timeline_by_day_and_by_week_counts_every_dated_hit_in_labelled_periods() {
    let wd = Workdir::indexed_sample_corpus();
    for query in ["*", "ISIS", "Sirte", "Houthis OR Hodeidah"] {
        let all = wd.run(&["query", query, "--all", "--format", "jsonl"]).success();
        let hits: Vec<Value> =
            all.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let days: Vec<NaiveDate> = hits.iter().filter_map(day_of).collect();
        assert!(days.len() >= 2, "{query}");
        let undated = (hits.len() - days.len()) as u64;
        let (first, last) = (*days.iter().min().unwrap(), *days.iter().max().unwrap());

        // Every day from the first hit's to the last's, zeros included.
        let mut by_day = BTreeMap::new();
        let mut day = first;
        while day <= last {
            by_day.insert(day.format("%Y-%m-%d").to_string(), 0u64);
            day += Duration::days(1);
        }
        // Every ISO week (`2016-W36`) from the first hit's to the last's.
        let mut by_week = BTreeMap::new();
        let mut monday = first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
        while monday <= last {
            by_week.insert(week_label(monday), 0u64);
            monday += Duration::days(7);
        }
        for day in &days {
            *by_day.get_mut(&day.format("%Y-%m-%d").to_string()).unwrap() += 1;
            *by_week.get_mut(&week_label(*day)).unwrap() += 1;
        }

        for (period, expected) in [("day", by_day), ("week", by_week)] {
            let result = wd.query_json(&[query, "--timeline", period, "-n", "0"]);
            assert_eq!(result["total_hits"].as_u64(), Some(hits.len() as u64), "{query}");
            assert_eq!(result["undated_excluded"].as_u64(), Some(undated), "{query} {period}");
            let timeline: Vec<(String, u64)> = result["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p["period"].as_str().unwrap().to_owned(), p["count"].as_u64().unwrap()))
                .collect();
            let sum: u64 = timeline.iter().map(|(_, n)| n).sum();
            assert_eq!(sum, days.len() as u64, "{query} by {period}: the dated hits");
            let expected: Vec<(String, u64)> = expected.into_iter().collect();
            assert_eq!(timeline, expected, "{query} by {period}");

            // The chart lists the same periods, oldest first.
            let human = wd.run(&["query", query, "--timeline", period, "-n", "0"]).success();
            let chart =
                human.stdout.split("\ntimeline\n").nth(1).unwrap_or_else(|| panic!("{human}"));
            let labels: Vec<&str> = chart
                .lines()
                .filter_map(|l| l.split_whitespace().next())
                .take(timeline.len())
                .collect();
            let wanted: Vec<&str> = timeline.iter().map(|(p, _)| p.as_str()).collect();
            assert_eq!(labels, wanted, "{query} by {period}\n{human}");
        }
    }
}

#[test]
fn snippet_chars_bounds_every_snippet_in_characters() {
    let wd = Workdir::new();
    wd.copy_sample_corpus();
    // Text in other scripts (several bytes a character), a body with no space to cut
    // at, punctuation right after a match.
    wd.write(
        "corpus/ru.txt",
        "Новости\n\n2016-09-04\n\nБоевики ИГИЛ отступили из Сирта. Жители Сирта вернулись домой, \
         и в городе снова открылись рынки, школы и больницы после долгих месяцев боёв.\n",
    );
    wd.write("corpus/long.txt", format!("Unbroken\n\n2016-09-05\n\n{}\n", "ж".repeat(400)));
    wd.write(
        "corpus/punct.txt",
        "Punct\n\n2016-09-06\n\n(Sirte!!!) ...Sirte... «Sirte» — Islamic State of Iraq and the Levant!!!\n",
    );
    wd.run(&["index", "sample-corpus", "corpus", "--quiet"]).success();
    let queries = [
        "*",
        "Sirte",
        "ISIS",
        "said",
        "\"Islamic State\"",
        "entity:ISIS",
        "Сирта",
        "Unbroken",
        "Punct",
    ];
    for n in [20usize, 21, 37, 60, 150, 220] {
        let mut longest = 0;
        for query in queries {
            let out = wd.run(&[
                "query",
                query,
                "--all",
                "--format",
                "jsonl",
                "--snippet-chars",
                &n.to_string(),
            ]);
            for line in out.success().stdout.lines() {
                let hit: Value = serde_json::from_str(line).unwrap();
                let snippet = hit["snippet"].as_str().unwrap();
                let chars = snippet.chars().count();
                assert!(chars <= n, "{query} {n}: {chars} chars: {snippet:?} ({})", hit["id"]);
                longest = longest.max(chars);
                for range in hit["highlights"].as_array().unwrap() {
                    let [start, end] = [0, 1].map(|i| range[i].as_u64().unwrap() as usize);
                    assert!(start < end && snippet.get(start..end).is_some(), "{query} {n}: {hit}");
                }
            }
        }
        // Bounded, not emptied: some snippet comes near the bound.
        assert!(longest + 15 >= n, "{n}: the longest snippet has {longest} chars");
    }
    // The default is 220.
    for line in wd.run(&["query", "*", "--all", "--format", "jsonl"]).success().stdout.lines() {
        let hit: Value = serde_json::from_str(line).unwrap();
        assert!(hit["snippet"].as_str().unwrap().chars().count() <= 220, "{hit}");
    }
}

/// Sets a file's modification time.
fn set_mtime(path: &Path, time: std::time::SystemTime) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(time).unwrap();
}

#[test]
fn a_change_that_keeps_the_file_size_is_picked_up_by_the_next_run() {
    let wd = Workdir::new();
    let a = wd.write("corpus/a.txt", "Alpha\n\n2016-09-04\n\nFighting near Sirte resumed.\n");
    let b = wd.write("corpus/b.txt", "Beta\n\n2016-09-05\n\nThe Mosul front was quiet.\n");
    wd.write("corpus/c.txt", "Gamma\n\n2016-09-06\n\nRaqqa was calm.\n");
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_500_000_000);
    set_mtime(&b, old);
    assert_eq!(counts(&index_json(&wd, &["corpus"])), [3, 0, 0, 0, 3]);
    let sizes = [&a, &b].map(|path| std::fs::metadata(path).unwrap().len());

    // Same size: an edit (a new time), and a copy that brings an older time with it
    // (`cp -p`, `rsync -t` of an earlier download).
    std::fs::write(&a, "Alpha\n\n2016-09-04\n\nFighting near Derna resumed.\n").unwrap();
    std::fs::write(&b, "Beta\n\n2016-09-05\n\nThe Afrin front was quiet.\n").unwrap();
    set_mtime(&b, old - std::time::Duration::from_secs(86_400));
    assert_eq!([&a, &b].map(|path| std::fs::metadata(path).unwrap().len()), sizes);

    let summary = index_json(&wd, &["corpus"]);
    assert_eq!(counts(&summary), [0, 2, 0, 1, 3], "{summary}");
    assert_eq!(ids(&wd, "Derna"), ["corpus/a.txt"]);
    assert_eq!(ids(&wd, "Afrin"), ["corpus/b.txt"]);
    assert_eq!(ids(&wd, "Sirte"), Vec::<String>::new());
    assert_eq!(ids(&wd, "Mosul"), Vec::<String>::new());
    assert_eq!(counts(&index_json(&wd, &["corpus"])), [0, 0, 0, 3, 3]);
}

#[test]
fn a_bad_alias_table_on_an_existing_index_is_refused_by_file_and_line_and_the_index_answers() {
    let wd = Workdir::indexed_sample_corpus();
    let before_stats = wd.run(&["stats", "--format", "json"]).success().json();
    let before_ids = ids(&wd, "ISIS");
    let meta = std::fs::read(wd.join("index/meta.json")).unwrap();
    let entity = "version = 1\n[[entity]]\nname = \"A\"\nkind = \"place\"\n";
    let tables = [
        // TOML syntax: an array never closed, on line 5.
        (format!("{entity}variants = [\"Zed\"\n"), 5),
        // A key the table does not have, on line 6.
        (format!("{entity}variants = [\"Zed\"]\ncolour = \"red\"\n"), 6),
        // A variant of two entities: the second, on line 9.
        (
            format!(
                "{entity}variants = [\"Zed\"]\n[[entity]]\nname = \"B\"\nkind = \"place\"\nvariants = [\"zed\"]\n"
            ),
            9,
        ),
    ];
    for (table, line) in tables {
        wd.write("bad.toml", &table);
        for rebuild in [false, true] {
            let mut args = vec!["index", "sample-corpus", "--aliases", "bad.toml"];
            args.extend(rebuild.then_some("--rebuild"));
            args.extend(["--format", "json"]);
            let out = wd.run(&args).code(2).stderr_has(&format!("bad.toml:{line}:"));
            assert!(out.stdout.is_empty(), "{out}");
            assert_eq!(out.stderr.lines().count(), 1, "{out}");
            assert_eq!(std::fs::read(wd.join("index/meta.json")).unwrap(), meta, "{out}");
            assert_eq!(wd.run(&["stats", "--format", "json"]).success().json(), before_stats);
            assert_eq!(ids(&wd, "ISIS"), before_ids);
        }
    }
    // The next run, with the index's own table, finds nothing to do.
    let summary = index_json(&wd, &["sample-corpus"]);
    assert_eq!(summary["unchanged"], before_stats["documents"], "{summary}");
}

/// `sample-corpus/` article file names start with their date (`2014-01-04-...`) and
/// their fourth line is the scraper's date line.
fn date_line_of_file_named_first(last: bool) -> NaiveDateTime {
    let articles = crate::util::sample_articles();
    let named = |(path, _): &&(std::path::PathBuf, String)| {
        path.file_name().unwrap().to_str().unwrap().get(..10).unwrap().to_owned()
    };
    let article = if last {
        articles.iter().max_by_key(named).unwrap()
    } else {
        articles.iter().min_by_key(named).unwrap()
    };
    let line = article.1.lines().nth(3).unwrap();
    NaiveDateTime::parse_from_str(line, "%a %b %e, %Y %H:%M:%S")
        .unwrap_or_else(|err| panic!("{}: {line:?}: {err}", article.0.display()))
}

/// The first and last date of the sample corpus, to the second, as `stats` gives
/// them (`2014-01-04T15:44:47Z`), read from the files.
pub(crate) fn sample_date_range() -> [String; 2] {
    let (first, last) = (date_line_of_file_named_first(false), date_line_of_file_named_first(true));
    // The JSON Lines and CSV records of the sample fall between them.
    let extra = crate::util::repo().join("sample-corpus/extra");
    let wire = std::fs::read_to_string(extra.join("wire.jsonl")).unwrap();
    let digest = std::fs::read_to_string(extra.join("digest.csv")).unwrap();
    let mut records = 0;
    for line in wire.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        let date = DateTime::parse_from_rfc3339(record["date"].as_str().unwrap()).unwrap();
        assert!(first < date.naive_utc() && date.naive_utc() < last, "{date}");
        records += 1;
    }
    for row in csv::Reader::from_reader(digest.as_bytes()).records() {
        let date = NaiveDate::parse_from_str(&row.unwrap()[3], "%m/%d/%Y").unwrap();
        assert!(first.date() < date && date < last.date(), "{date}");
        records += 1;
    }
    assert_eq!(records, 12);
    [first, last].map(|date| date.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// The names of the entities of `schema/aliases.toml`, sorted, read as TOML.
pub(crate) fn built_in_entity_names() -> Vec<String> {
    let path = crate::util::repo().join("schema/aliases.toml");
    let table: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    let mut names: Vec<String> = table["entity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn aliases_lists_every_entity_of_the_built_in_table() {
    let names = built_in_entity_names();
    let wd = Workdir::new();
    let listed = wd.run(&["aliases", "--format", "json"]).success().json();
    let mut listed: Vec<String> = listed["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, names);
    // As many as the README says the table holds.
    let readme = std::fs::read_to_string(crate::util::repo().join("README.md")).unwrap();
    let said = format!("maps the spellings of {} entities", names.len());
    assert!(readme.replace('\n', " ").contains(&said), "README does not say {said:?}");
    // And the human listing shows each.
    let human = wd.run(&["aliases"]).success();
    for name in &names {
        assert!(human.stdout.contains(&format!("{name} [")), "{name}\n{human}");
    }
}
