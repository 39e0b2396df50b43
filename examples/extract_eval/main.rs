//! Article extraction measured on the Zyte benchmark's pages (`../shared/extraction`).
//!
//! ```sh
//! cargo run --release --example extract_eval -- ../shared/extraction [--verbose]
//! ```
//!
//! Extracts every `pages/<key>.html.gz` with [`newsearch::extract::extract_page`]
//! (the URL of `ground-truth.json` as the hint) and prints the benchmark's mean
//! precision, recall and F1 of the body (see `score.rs`), the accuracy, how many
//! of the dates of `dates.json` were found within a day, and pages per second on
//! one core (extraction only, the pages already decompressed). `--verbose` adds
//! each page's scores, worst first, and each date that was missed;
//! `--predictions FILE` writes the bodies in the benchmark's prediction format
//! (`{key: {"articleBody": ...}}`) for comparison with other extractors;
//! `--titles` prints each page's extracted title beside its `<title>` and
//! first `<h1>`, for checking titles by hand.

mod score;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use newsearch::extract::{Page, extract_page};

fn main() -> ExitCode {
    let mut verbose = false;
    let mut titles = false;
    let mut folder = None;
    let mut predictions = None;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--verbose" | "-v") => verbose = true,
            Some("--titles") => titles = true,
            Some("--predictions") => predictions = args.next().map(PathBuf::from),
            Some("-h" | "--help") => {
                println!(
                    "usage: extract_eval [--verbose] [--titles] [--predictions FILE] EXTRACTION_DIR"
                );
                return ExitCode::SUCCESS;
            }
            _ => folder = Some(PathBuf::from(arg)),
        }
    }
    let Some(folder) = folder else {
        eprintln!("extract_eval: give the folder (../shared/extraction)");
        return ExitCode::from(2);
    };
    match run(&folder, verbose, titles, predictions.as_deref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("extract_eval: {error}");
            ExitCode::FAILURE
        }
    }
}

/// One page of the benchmark.
struct Case {
    key: String,
    url: String,
    html: String,
    truth: String,
    date: Option<String>,
}

fn load(folder: &Path) -> Result<Vec<Case>, Box<dyn std::error::Error>> {
    let read_json = |name: &str| -> Result<serde_json::Value, Box<dyn std::error::Error>> {
        let path = folder.join(name);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?)
    };
    let truth = read_json("ground-truth.json")?;
    let dates = read_json("dates.json")?;
    let truth = truth.as_object().ok_or("ground-truth.json: not an object")?;
    let mut cases = Vec::new();
    for (key, entry) in truth {
        let path = folder.join("pages").join(format!("{key}.html.gz"));
        let mut html = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path)?)
            .read_to_string(&mut html)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        cases.push(Case {
            key: key.clone(),
            url: entry["url"].as_str().unwrap_or_default().to_owned(),
            html,
            truth: entry["articleBody"].as_str().unwrap_or_default().to_owned(),
            date: dates[key].as_str().map(str::to_owned),
        });
    }
    Ok(cases)
}

fn run(
    folder: &Path,
    verbose: bool,
    titles: bool,
    predictions: Option<&Path>,
) -> Result<(), Box<dyn std::error::Error>> {
    let cases = load(folder)?;
    let started = Instant::now();
    let pages: Vec<Option<Page>> =
        cases.iter().map(|case| extract_page(&case.html, Some(&case.url)).ok()).collect();
    let seconds = started.elapsed().as_secs_f64();
    let bodies: Vec<&str> =
        pages.iter().map(|page| page.as_ref().map_or("", |page| page.body.as_str())).collect();
    let summary = score::summarize(
        bodies.iter().zip(&cases).map(|(body, case)| (*body, case.truth.as_str())),
    );
    if let Some(path) = predictions {
        let entries: BTreeMap<&str, serde_json::Value> = cases
            .iter()
            .zip(&bodies)
            .map(|(case, body)| (case.key.as_str(), serde_json::json!({ "articleBody": body })))
            .collect();
        std::fs::write(path, serde_json::to_string_pretty(&entries)?)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let dated = cases.iter().filter(|case| case.date.is_some()).count();
    let mut missed = BTreeMap::new();
    for (case, page) in cases.iter().zip(&pages) {
        let Some(want) = &case.date else { continue };
        let got = page.as_ref().and_then(|page| page.date).map(|date| date.date_naive());
        let ok = got.is_some_and(|got| {
            chrono::NaiveDate::parse_from_str(want, "%Y-%m-%d")
                .is_ok_and(|want| (got - want).num_days().abs() <= 1)
        });
        if !ok {
            missed.insert(case.key.clone(), (want.clone(), got));
        }
    }
    println!("pages      {}", cases.len());
    println!("precision  {:.3}", summary.precision);
    println!("recall     {:.3}", summary.recall);
    println!("F1         {:.3}", summary.f1);
    println!("accuracy   {:.3}", summary.accuracy);
    println!("dates      {}/{} within a day", dated - missed.len(), dated);
    println!("not found  {}", pages.iter().filter(|page| page.is_none()).count());
    println!(
        "speed      {:.1} pages/s ({:.1} MB/s) on one core",
        cases.len() as f64 / seconds,
        cases.iter().map(|case| case.html.len()).sum::<usize>() as f64 / 1e6 / seconds
    );
    if verbose {
        let mut scored: Vec<_> = cases
            .iter()
            .zip(&bodies)
            .map(|(case, body)| (score::score_page(body, &case.truth), case))
            .collect();
        scored.sort_by(|a, b| a.0.f1().total_cmp(&b.0.f1()));
        println!("\n  F1     P      R      page");
        for (score, case) in scored {
            println!(
                "{:.3}  {:.3}  {:.3}  {} {}",
                score.f1(),
                score.precision().unwrap_or(0.0),
                score.recall().unwrap_or(0.0),
                &case.key[..12],
                case.url
            );
        }
        for (key, (want, got)) in &missed {
            println!("date missed {}: want {want}, got {got:?}", &key[..12]);
        }
    }
    if titles {
        for (case, page) in cases.iter().zip(&pages) {
            let title = page.as_ref().and_then(|page| page.title.as_deref()).unwrap_or("-");
            println!("\n{}  {}", &case.key[..12], case.url);
            println!("  title    {title}");
            println!("  <title>  {}", element_text(&case.html, "title"));
            println!("  <h1>     {}", element_text(&case.html, "h1"));
        }
    }
    Ok(())
}

/// The text of the first element of that name, white space collapsed.
fn element_text(html: &str, name: &str) -> String {
    let document = dom_query::Document::from(html);
    let text = document.select(name).first().text();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
