//! Measures near-duplicate clustering on a labelled set made from the public
//! corpora in `../shared` (see `tests/util/labelled.rs`): pairwise recall and
//! precision of `newsearch dupes`, recall per kind of edit, and how decision
//! rules on the signatures (containment against plain Jaccard thresholds)
//! would score on every pair of the set.
//!
//! `cargo run --release --example dupes-eval`
#![allow(clippy::print_stdout, clippy::expect_used, clippy::unwrap_used)]

#[path = "../tests/util/labelled.rs"]
mod labelled;

use std::collections::HashMap;
use std::error::Error;
use std::path::PathBuf;

use newsearch::clusters::{self, Signature};
use newsearch::indexer::{IndexOptions, index_corpus};

fn main() -> Result<(), Box<dyn Error>> {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    if !shared.join("bbc").is_dir() || !shared.join("fakes-seedformat").is_dir() {
        return Err(format!("{}: the BBC and FA-KES corpora are needed", shared.display()).into());
    }
    let dir = tempfile::tempdir()?;
    let set = labelled::build(&shared, dir.path());
    let documents: usize = set.stories.iter().map(Vec::len).sum();
    let copies = set.stories.iter().filter(|s| s.len() > 1).count();
    println!(
        "labelled set: {documents} articles, {copies} stories with copies, {} distinct articles",
        set.stories.len() - copies
    );

    let index = dir.path().join("index");
    index_corpus(&IndexOptions::new(vec![set.corpus.clone()], index.clone()), &|_| {})?;
    let found = newsearch::dupes::dupes(&index, 2)?;
    let predicted: Vec<Vec<String>> =
        found.clusters.iter().map(|c| c.members.iter().map(|m| m.id.clone()).collect()).collect();
    let (recall, precision, truth, pairs) = labelled::pairwise(&set, &predicted);
    println!(
        "newsearch dupes: pairwise recall {recall:.4}, precision {precision:.4} \
         ({truth} true pairs, {pairs} pairs found)"
    );

    // Clusters that join articles of different stories, for a look.
    let story_of: HashMap<&str, usize> = set
        .stories
        .iter()
        .enumerate()
        .flat_map(|(i, ids)| ids.iter().map(move |id| (id.as_str(), i)))
        .collect();
    let mixed: Vec<&Vec<String>> = predicted
        .iter()
        .filter(|ids| {
            let first = story_of.get(ids[0].as_str());
            ids.iter().any(|id| story_of.get(id.as_str()) != first)
        })
        .collect();
    println!("clusters mixing stories: {}", mixed.len());
    for ids in mixed.iter().take(8) {
        println!("  {}", ids.join(" "));
    }
    let cluster_of: HashMap<&str, usize> = predicted
        .iter()
        .enumerate()
        .flat_map(|(i, ids)| ids.iter().map(move |id| (id.as_str(), i)))
        .collect();
    let mut by_edit: HashMap<&str, (usize, usize)> = HashMap::new();
    for (original, copy, edit) in &set.edits {
        let joined = cluster_of
            .get(original.as_str())
            .is_some_and(|c| cluster_of.get(copy.as_str()) == Some(c));
        let entry = by_edit.entry(edit).or_default();
        entry.0 += usize::from(joined);
        entry.1 += 1;
    }
    let mut edits: Vec<_> = by_edit.into_iter().collect();
    edits.sort_unstable();
    for (edit, (joined, total)) in edits {
        println!("  copy joins its original, {edit:<28} {joined}/{total}");
    }

    let root = set.corpus.parent().expect("corpus parent");
    if std::env::var_os("DUPES_EVAL_DEBUG").is_some() {
        print_false_pairs(root, &mixed, &story_of);
    }
    compare_rules(&set, root)
}

/// With `DUPES_EVAL_DEBUG`: the pairs of different stories that clusters
/// joined, with their estimates and texts.
fn print_false_pairs(
    root: &std::path::Path,
    mixed: &[&Vec<String>],
    story_of: &HashMap<&str, usize>,
) {
    for ids in mixed {
        let signature = |id: &String| {
            let text = std::fs::read_to_string(root.join(id)).unwrap();
            Signature::of_text(text.split_once("\n\n").map_or("", |(_, b)| b)).unwrap()
        };
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                let (x, y) = (signature(a), signature(b));
                if clusters::is_copy(&x, &y) && story_of.get(a.as_str()) != story_of.get(b.as_str())
                {
                    println!(
                        "    {a} {b} J {:.3} C {:.3} sizes {} {}",
                        x.jaccard(&y),
                        x.containment(&y),
                        x.shingles,
                        y.shingles
                    );
                    println!("      {:?}", std::fs::read_to_string(root.join(a)).unwrap());
                    println!("      {:?}", std::fs::read_to_string(root.join(b)).unwrap());
                }
            }
        }
    }
}

/// A decision rule on two signatures.
type Rule<'a> = (&'a str, &'a dyn Fn(&Signature, &Signature) -> bool);

/// Decision rules on every pair of the set, from the signatures alone.
fn compare_rules(
    set: &labelled::LabelledSet,
    root: &std::path::Path,
) -> Result<(), Box<dyn Error>> {
    // Decision rules on every pair, from the signatures alone (no LSH).
    let mut signatures = Vec::new();
    for (story, ids) in set.stories.iter().enumerate() {
        for id in ids {
            let text = std::fs::read_to_string(root.join(id))?;
            let body = text.split_once("\n\n").map_or("", |(_, body)| body);
            signatures.push((story, Signature::of_text(body).expect("a body")));
        }
    }
    let rules: [Rule; 8] = [
        ("newsearch (clusters::is_copy)", &clusters::is_copy),
        ("containment >= 0.8 alone", &|a, b| a.containment(b) >= 0.8),
        ("containment >= 0.8, Jaccard >= 0.2", &|a, b| {
            a.containment(b) >= 0.8 && a.jaccard(b) >= 0.2
        }),
        ("containment >= 0.8, Jaccard >= 0.3", &|a, b| {
            a.containment(b) >= 0.8 && a.jaccard(b) >= 0.3
        }),
        ("containment >= 0.8, Jaccard >= 0.4", &|a, b| {
            a.containment(b) >= 0.8 && a.jaccard(b) >= 0.4
        }),
        ("Jaccard >= 0.5", &|a, b| a.jaccard(b) >= 0.5),
        ("Jaccard >= 0.4", &|a, b| a.jaccard(b) >= 0.4),
        ("Jaccard >= 0.3", &|a, b| a.jaccard(b) >= 0.3),
    ];
    println!("decision rules over all {} pairs:", signatures.len() * (signatures.len() - 1) / 2);
    for (name, rule) in rules {
        let (mut tp, mut fp, mut fn_) = (0_u64, 0_u64, 0_u64);
        for (i, (story_a, a)) in signatures.iter().enumerate() {
            for (story_b, b) in &signatures[i + 1..] {
                match (story_a == story_b, rule(a, b)) {
                    (true, true) => tp += 1,
                    (false, true) => fp += 1,
                    (true, false) => fn_ += 1,
                    (false, false) => {}
                }
            }
        }
        let recall = tp as f64 / (tp + fn_).max(1) as f64;
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        println!("  {name:<48} recall {recall:.4}, precision {precision:.4}");
    }
    Ok(())
}
