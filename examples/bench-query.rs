//! Query latency in one process, for `scripts/bench.sh`: a fixed set of 40
//! queries in 8 kinds against an index of a `gen-corpus` corpus.
//!
//! ```text
//! cargo run --release --example bench-query -- --index DIR [--runs 15] [--json | --tsv] [--collapse]
//! cargo run --release --example bench-query -- --print-queries
//! ```
//!
//! Each query is timed twice per round, as `newsearch query` would run it: the
//! top 10 with snippets, then the same with 3 facets (source, entity, month)
//! counted over every hit. One warm-up round is not counted, then `--runs`
//! rounds go through the whole set in order, so that a slow moment of a
//! shared machine spreads over all kinds instead of hitting one. The figures
//! are the median and p95 (nearest rank) of `Searcher::search` wall time per
//! kind, and the slowest query by its median with facets.
//!
//! The words come from `examples/gen-corpus.rs`: its pseudo-words, places and
//! alias spellings are fixed for every seed, and a smaller corpus is a prefix
//! of a larger one, so every query below has hits from 10,000 articles up.
//! A query without hits is reported on stderr (the vocabulary has drifted).
//!
//! `--print-queries` prints the query texts one per line (dates and `--any`
//! cannot be written in a `--batch` file, so those run without them).
//! Errors print `bench-query: ...` and exit 2.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use clap::Parser;
use newsearch::query::{FacetKind, SearchRequest};
use newsearch::search::Searcher;
use serde_json::json;

/// In-process query latency over a fixed query set.
#[derive(Parser)]
#[command(name = "bench-query")]
#[expect(clippy::struct_excessive_bools, reason = "independent command-line switches")]
struct Args {
    /// Index folder made by `newsearch index` from a gen-corpus corpus.
    #[arg(long, required_unless_present = "print_queries")]
    index: Option<PathBuf>,
    /// Timed rounds over the whole set, after one warm-up round.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    runs: u32,
    /// Print one JSON document instead of the table.
    #[arg(long, conflicts_with = "tsv")]
    json: bool,
    /// Print `kind<TAB>measure<TAB>median_ms<TAB>p95_ms` lines (for shell scripts).
    #[arg(long)]
    tsv: bool,
    /// Print the query texts, one per line, and exit.
    #[arg(long)]
    print_queries: bool,
    /// Ask every query with `--collapse` (one hit per story, facets counting
    /// stories).
    #[arg(long)]
    collapse: bool,
}

/// What a query exercises; the table has one row per kind, in this order.
const KINDS: [&str; 8] =
    ["rare", "common", "and2", "phrase", "alias", "date-range", "five-words", "or-aliases"];

/// One query of the set.
struct Case {
    kind: &'static str,
    text: &'static str,
    /// Inclusive first and last day, `YYYY-MM-DD`.
    dates: Option<(&'static str, &'static str)>,
    /// Match any word (`newsearch query --any`).
    any: bool,
}

const fn case(kind: &'static str, text: &'static str) -> Case {
    Case { kind, text, dates: None, any: false }
}

const fn dated(text: &'static str, since: &'static str, until: &'static str) -> Case {
    Case { kind: "date-range", text, dates: Some((since, until)), any: false }
}

const fn any(text: &'static str) -> Case {
    Case { kind: "or-aliases", text, dates: None, any: true }
}

// Frequencies are per 10,000 generated articles; 100,000 have about ten times
// as many. Pseudo-words are chosen by their Zipf rank in gen-corpus's fixed
// vocabulary: about 10 occurrences is rank ~40,000, ~700 is rank ~700.
const CASES: [Case; 40] = [
    // Low Zipf rank: a handful of articles, so the cost is fixed overhead.
    case("rare", "zutzimtik"),
    case("rare", "sulfunbek"),
    case("rare", "moksanpo"),
    case("rare", "kouzaikran"),
    case("rare", "Arsal"),
    // Words in a third of the articles or more: long posting lists, big facet counts.
    case("common", "said"),
    case("common", "reported"),
    case("common", "lallit"),
    case("common", "wital"),
    case("common", "Aleppo"),
    // Two required words of mid or high frequency: a conjunction of postings.
    case("and2", "Aleppo fitjal"),
    case("and2", "Mosul delmu"),
    case("and2", "lallit wital"),
    case("and2", "reported Sirte"),
    case("and2", "jushan resto"),
    // Positions needed: places that are no entity, a pseudo-word after `the`,
    // and two function words (the expensive kind).
    case("phrase", "\"Eastern Ghouta\""),
    case("phrase", "\"Golan Heights\""),
    case("phrase", "\"Tal Afar\""),
    case("phrase", "\"the sakhel\""),
    case("phrase", "\"according to\""),
    // One spelling stands for every variant of the entity.
    case("alias", "Daesh"),
    case("alias", "Islamic State"),
    case("alias", "ISIL"),
    case("alias", "Hizbollah"),
    case("alias", "Ansarullah"),
    // A date range as `--since/--until`: a range clause on the fast date field.
    dated("Sirte", "2016-09-01", "2016-09-30"),
    dated("ISIS", "2016-01-01", "2016-12-31"),
    dated("Aleppo", "2014-01-01", "2014-06-30"),
    dated("said", "2017-01-01", "2017-12-31"),
    dated("lallit Mosul", "2015-01-01", "2015-12-31"),
    // Five required words, as a researcher narrows a search; the last is five of
    // the most frequent words (nearly every article), the costliest conjunction.
    case("five-words", "said reported lallit wital Aleppo"),
    case("five-words", "said reported the lallit Mosul"),
    case("five-words", "Hezbollah said the reported first"),
    case("five-words", "Aleppo Russia said the first"),
    case("five-words", "said the of to and"),
    // Spellings OR-ed by a user who does not trust alias matching, with `--any`.
    any("ISIS OR ISIL OR Daesh"),
    any("Hezbollah OR Hizbollah"),
    any("Houthis OR Ansarullah"),
    any("al-Qaeda OR \"Al Qaida\""),
    any("FSA OR \"Free Syrian Army\""),
];

/// The facets of the second measurement, as in `--facet source --facet entity --facet month`.
const FACETS: [FacetKind; 3] = [FacetKind::Source, FacetKind::Entity, FacetKind::Month];

/// Timings of one query, in milliseconds.
struct Measured<'a> {
    case: &'a Case,
    hits: usize,
    top10: Vec<f64>,
    facets: Vec<f64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.print_queries {
        for case in &CASES {
            println!("{}", case.text);
        }
        return ExitCode::SUCCESS;
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench-query: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let Some(dir) = &args.index else { return Err("--index DIR is required".into()) };
    // newsearch's errors already name the index folder.
    let searcher = Searcher::open(dir).map_err(|err| newsearch::error::report(&err))?;
    let requests = CASES
        .iter()
        .map(|case| requests(case, args.collapse).map(|pair| (case, pair)))
        .collect::<Result<Vec<_>, String>>()?;

    let search = |request: &SearchRequest| -> Result<(f64, usize), String> {
        let started = Instant::now();
        let results = searcher
            .search(request)
            .map_err(|err| format!("{:?}: {}", request.query, newsearch::error::report(&err)))?;
        Ok((started.elapsed().as_secs_f64() * 1e3, results.total_hits))
    };

    let mut measured = Vec::with_capacity(requests.len());
    for (case, (top10, faceted)) in &requests {
        // Warm-up: first touches of the index's pages and the query parser.
        let (_, hits) = search(top10)?;
        search(faceted)?;
        if hits == 0 {
            eprintln!("bench-query: warning: {:?} has no hits in this index", case.text);
        }
        let runs = args.runs as usize;
        measured.push(Measured {
            case,
            hits,
            top10: Vec::with_capacity(runs),
            facets: Vec::with_capacity(runs),
        });
    }
    for _ in 0..args.runs {
        for ((_, (top10, faceted)), m) in requests.iter().zip(&mut measured) {
            m.top10.push(search(top10)?.0);
            m.facets.push(search(faceted)?.0);
        }
    }

    let documents = searcher.documents();
    if args.json {
        println!("{}", report_json(&measured, documents, args.runs));
    } else if args.tsv {
        print_tsv(&measured);
    } else {
        print_table(&measured, documents, args.runs);
    }
    Ok(())
}

/// The request pair of one case: top 10 with snippets, and the same with facets.
fn requests(case: &Case, collapse: bool) -> Result<(SearchRequest, SearchRequest), String> {
    let mut top10 = SearchRequest::new(case.text);
    top10.any = case.any;
    top10.collapse = collapse;
    if let Some((since, until)) = case.dates {
        top10.since = Some(day_start(since)?);
        // `--until` is inclusive of the whole day.
        top10.until = Some(day_start(until)? + chrono::Duration::seconds(86_399));
    }
    let mut faceted = top10.clone();
    faceted.facets = FACETS.to_vec();
    Ok((top10, faceted))
}

fn day_start(day: &str) -> Result<DateTime<Utc>, String> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|time| time.and_utc())
        .ok_or_else(|| format!("bad date in the query set: {day}"))
}

/// Median and p95 (nearest rank) of `samples`, in ms.
fn summarize(samples: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let mut sorted: Vec<f64> = samples.into_iter().collect();
    if sorted.is_empty() {
        return (0.0, 0.0);
    }
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    let median = if sorted.len() % 2 == 1 {
        sorted[middle]
    } else {
        f64::midpoint(sorted[middle - 1], sorted[middle])
    };
    let rank = (sorted.len() * 95).div_ceil(100).max(1);
    (median, sorted[rank - 1])
}

/// Figures of one row: a kind, or `all`.
struct Row {
    name: &'static str,
    queries: usize,
    top10: (f64, f64),
    facets: (f64, f64),
}

fn rows(measured: &[Measured]) -> Vec<Row> {
    let row = |name: &'static str, of_kind: &dyn Fn(&Measured) -> bool| {
        let chosen: Vec<&Measured> = measured.iter().filter(|m| of_kind(m)).collect();
        Row {
            name,
            queries: chosen.len(),
            top10: summarize(chosen.iter().flat_map(|m| m.top10.iter().copied())),
            facets: summarize(chosen.iter().flat_map(|m| m.facets.iter().copied())),
        }
    };
    let mut rows: Vec<Row> =
        KINDS.iter().map(|&kind| row(kind, &|m| m.case.kind == kind)).collect();
    rows.push(row("all", &|_| true));
    rows
}

/// The query whose median with facets is the highest.
fn worst<'a>(measured: &'a [Measured<'a>]) -> Option<(&'a Measured<'a>, (f64, f64))> {
    measured
        .iter()
        .map(|m| (m, summarize(m.facets.iter().copied())))
        .max_by(|a, b| a.1.0.total_cmp(&b.1.0))
}

fn print_table(measured: &[Measured], documents: u64, runs: u32) {
    println!(
        "query latency in one process: {} queries x {runs} runs, {documents} documents, ms",
        measured.len()
    );
    println!();
    println!(
        "| kind       | queries | top10+snippets median | p95    | with 3 facets median | p95    |"
    );
    println!(
        "|------------|--------:|----------------------:|-------:|---------------------:|-------:|"
    );
    for row in rows(measured) {
        println!(
            "| {:<10} | {:>7} | {:>21.2} | {:>6.2} | {:>20.2} | {:>6.2} |",
            row.name, row.queries, row.top10.0, row.top10.1, row.facets.0, row.facets.1
        );
    }
    if let Some((m, (median, p95))) = worst(measured) {
        println!();
        println!(
            "worst query (with 3 facets): {} [{}] median {median:.2} ms, p95 {p95:.2} ms, {} hits",
            m.case.text, m.case.kind, m.hits
        );
    }
}

fn print_tsv(measured: &[Measured]) {
    for row in rows(measured) {
        println!("{}\ttop10\t{:.3}\t{:.3}", row.name, row.top10.0, row.top10.1);
        println!("{}\tfacets\t{:.3}\t{:.3}", row.name, row.facets.0, row.facets.1);
    }
    if let Some((m, (median, p95))) = worst(measured) {
        // The query text goes last: it may hold spaces and quotes, never tabs.
        println!("worst\tfacets\t{median:.3}\t{p95:.3}\t{}", m.case.text);
    }
}

fn report_json(measured: &[Measured], documents: u64, runs: u32) -> serde_json::Value {
    let pair = |(median, p95): (f64, f64)| json!({ "median_ms": median, "p95_ms": p95 });
    let kinds: Vec<_> = rows(measured)
        .into_iter()
        .map(|row| {
            json!({
                "kind": row.name,
                "queries": row.queries,
                "top10": pair(row.top10),
                "facets": pair(row.facets),
            })
        })
        .collect();
    let queries: Vec<_> = measured
        .iter()
        .map(|m| {
            json!({
                "kind": m.case.kind,
                "query": m.case.text,
                "since": m.case.dates.map(|d| d.0),
                "until": m.case.dates.map(|d| d.1),
                "any": m.case.any,
                "hits": m.hits,
                "top10": pair(summarize(m.top10.iter().copied())),
                "facets": pair(summarize(m.facets.iter().copied())),
            })
        })
        .collect();
    let worst = worst(measured).map(|(m, figures)| {
        json!({ "kind": m.case.kind, "query": m.case.text, "hits": m.hits, "facets": pair(figures) })
    });
    json!({
        "documents": documents,
        "runs": runs,
        "kinds": kinds,
        "worst": worst,
        "queries": queries,
    })
}
