//! A labelled near-duplicate set, made at run time from the public corpora in
//! `../shared` (BBC News 2004-05, FA-KES): nothing of theirs is committed.
//!
//! - **Syndicated copies**: for each original, one to three copies under other
//!   outlets' folders, each with the edits agencies make, in turn: punctuation
//!   and whitespace changed; another title and a dateline; the last paragraphs
//!   cut (a third of the article); the first paragraph cut; a sentence added;
//!   another trailer; and a bottom cut with a dateline and a trailer together.
//! - **Briefs**: the first two or three sentences (30 words at least) of other articles, with one
//!   or two edited copies each (dateline, punctuation, a trailer).
//! - **Distinct articles on the same topics**: more BBC articles of the same
//!   categories and FA-KES articles on the same war, which must stay apart.
//!
//! Articles whose title or opening repeats another's (the BBC corpus holds
//! copies of its own) are left out, so that the only copies are the set's.
//! Used by `tests/clusters.rs` and `examples/dupes-eval.rs`.

#![allow(dead_code)] // the tests and the eval each read part of it

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The set as written: the corpus folder and which files are one story.
pub struct LabelledSet {
    /// The corpus root (outlet folders below it).
    pub corpus: PathBuf,
    /// The stories: each a list of ids (paths relative to the corpus root's
    /// parent, as newsearch names them); a distinct article is a story of one.
    pub stories: Vec<Vec<String>>,
    /// Per copy: (original's id, copy's id, edit name), for per-edit recall.
    pub edits: Vec<(String, String, &'static str)>,
}

/// One article: title and paragraphs.
#[derive(Clone)]
struct Article {
    title: String,
    paragraphs: Vec<String>,
}

/// The edits, applied in turn.
pub const EDITS: [&str; 7] = [
    "punctuation",
    "title+dateline",
    "bottom-cut",
    "top-cut",
    "sentence-added",
    "trailer",
    "bottom-cut+dateline+trailer",
];

const OUTLETS: [&str; 5] = ["AFP", "Reuters", "AP", "Guardian", "Xinhua"];

/// Reads a BBC article (title line, then paragraphs).
fn read_bbc(path: &Path) -> Option<Article> {
    let text = fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let title = lines.next()?.trim().to_owned();
    let paragraphs =
        lines.map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect::<Vec<_>>();
    Some(Article { title, paragraphs })
}

/// Reads a FA-KES article in the seed layout (title, blank, title and date
/// lines, blank, paragraphs).
fn read_fakes(path: &Path) -> Option<Article> {
    let text = fs::read_to_string(path).ok()?;
    let mut blocks = text.split("\n\n");
    let title = blocks.next()?.trim().to_owned();
    let _header = blocks.next()?;
    let paragraphs = blocks.map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect();
    Some(Article { title, paragraphs })
}

fn files(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "txt") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn sentences(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for word in paragraph.split(' ') {
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
        if word.ends_with('.') && current.len() > 40 {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Applies edit `kind` to a copy of `article`, published by `outlet`.
fn edit(article: &Article, kind: usize, outlet: &str, filler: &str) -> Article {
    let mut copy = article.clone();
    let dateline = |copy: &mut Article| {
        if let Some(first) = copy.paragraphs.first_mut() {
            *first = format!("DAMASCUS/LONDON ({outlet}) - {first}");
        }
    };
    let trailer = |copy: &mut Article| {
        copy.paragraphs.push(format!(
            "({outlet} reporting by staff correspondents; editing by the world desk. \
             Copyright {outlet} 2015, all rights reserved. Republication or redistribution \
             of {outlet} content is expressly prohibited without prior written consent.)"
        ));
    };
    let bottom_cut = |copy: &mut Article| {
        let keep = (copy.paragraphs.len() * 2).div_ceil(3).max(1);
        copy.paragraphs.truncate(keep);
    };
    match kind % EDITS.len() {
        0 => {
            for paragraph in &mut copy.paragraphs {
                *paragraph = paragraph
                    .replace(", ", " ,  ")
                    .replace(". ", ".\n")
                    .replace('"', "'")
                    .replace(" - ", " -- ");
            }
        }
        1 => {
            copy.title = format!("UPDATE 1-{} ({outlet})", copy.title.to_uppercase());
            dateline(&mut copy);
        }
        2 => bottom_cut(&mut copy),
        3 => {
            if copy.paragraphs.len() > 2 {
                copy.paragraphs.remove(0);
            }
        }
        4 => {
            let at = copy.paragraphs.len() / 2;
            if let Some(paragraph) = copy.paragraphs.get_mut(at) {
                *paragraph = format!("{paragraph} {filler}");
            }
        }
        5 => trailer(&mut copy),
        _ => {
            bottom_cut(&mut copy);
            dateline(&mut copy);
            trailer(&mut copy);
        }
    }
    copy
}

fn write(corpus: &Path, outlet: &str, name: &str, article: &Article) -> String {
    let folder = corpus.join(outlet);
    fs::create_dir_all(&folder).expect("corpus folder");
    let text = format!("{}\n\n{}\n", article.title, article.paragraphs.join("\n\n"));
    fs::write(folder.join(name), text).expect("corpus file");
    let root = corpus.file_name().and_then(|n| n.to_str()).unwrap_or("corpus");
    format!("{root}/{outlet}/{name}")
}

/// Builds the set below `out` (as `out/labelled/`) from `shared` (the
/// `../shared/corpora` folder).
pub fn build(shared: &Path, out: &Path) -> LabelledSet {
    let corpus = out.join("labelled");
    let mut seen_titles = HashSet::new();
    let mut seen_openings = HashSet::new();
    let mut unique = |article: &Article| {
        let opening: String = article.paragraphs.concat().chars().take(120).collect();
        seen_titles.insert(article.title.to_lowercase()) && seen_openings.insert(opening)
    };
    let bbc: Vec<Article> = files(&shared.join("bbc"))
        .iter()
        .filter_map(|p| read_bbc(p))
        .filter(|a| a.paragraphs.len() >= 4)
        .filter(|a| unique(a))
        .collect();
    let fakes: Vec<Article> = files(&shared.join("fakes-seedformat"))
        .iter()
        .filter_map(|p| read_fakes(p))
        .filter(|a| a.paragraphs.len() >= 3)
        .filter(|a| unique(a))
        .collect();

    let mut set = LabelledSet { corpus: corpus.clone(), stories: Vec::new(), edits: Vec::new() };
    // Every 7th BBC article and every 5th FA-KES article is an original; the
    // next ones are briefs and distinct articles.
    let mut originals = Vec::new();
    let mut briefs = Vec::new();
    let mut distinct = Vec::new();
    for (i, article) in bbc.iter().enumerate() {
        match i % 7 {
            0 => originals.push(("bbc", i, article)),
            3 => briefs.push(("bbc", i, article)),
            5 => distinct.push(("bbc", i, article)),
            _ => {}
        }
    }
    for (i, article) in fakes.iter().enumerate() {
        match i % 5 {
            0 => originals.push(("fakes", i, article)),
            2 => briefs.push(("fakes", i, article)),
            4 => distinct.push(("fakes", i, article)),
            _ => {}
        }
    }
    let filler = "Officials declined to comment further on the matter when contacted on Tuesday.";
    let mut edit_turn = 0;
    for (n, (from, i, article)) in originals.iter().enumerate() {
        let original = write(&corpus, "BBC", &format!("{from}-{i}.txt"), article);
        let mut story = vec![original.clone()];
        for copy in 0..=(n % 3) {
            let outlet = OUTLETS[(n + copy) % OUTLETS.len()];
            let edited = edit(article, edit_turn, outlet, filler);
            let id = write(&corpus, outlet, &format!("{from}-{i}-copy{copy}.txt"), &edited);
            set.edits.push((original.clone(), id.clone(), EDITS[edit_turn % EDITS.len()]));
            story.push(id);
            edit_turn += 1;
        }
        set.stories.push(story);
    }
    for (n, (from, i, article)) in briefs.iter().enumerate() {
        // Two or three sentences, and at least 30 words: a one-line fixture
        // (`Murrayfield, Edinburgh Saturday, 26 February 1400 GMT`) is no brief, and
        // its copy would be mostly the outlet's trailer (see the README's limits).
        let all: Vec<String> = article.paragraphs.iter().flat_map(|p| sentences(p)).collect();
        let mut taken: Vec<String> = Vec::new();
        for sentence in all {
            let words: usize = taken.iter().map(|s| s.split(' ').count()).sum();
            if taken.len() >= 2 + n % 2 && words >= 30 {
                break;
            }
            taken.push(sentence);
        }
        let brief = Article { title: article.title.clone(), paragraphs: vec![taken.join(" ")] };
        let original = write(&corpus, "BBC", &format!("{from}-{i}-brief.txt"), &brief);
        let mut story = vec![original.clone()];
        for copy in 0..=(n % 2) {
            let outlet = OUTLETS[(n + copy) % OUTLETS.len()];
            let kind = [0, 1, 5][(n + copy) % 3];
            let edited = edit(&brief, kind, outlet, filler);
            let id = write(&corpus, outlet, &format!("{from}-{i}-brief-copy{copy}.txt"), &edited);
            set.edits.push((original.clone(), id.clone(), "brief"));
            story.push(id);
        }
        set.stories.push(story);
    }
    for (from, i, article) in distinct {
        let id = write(&corpus, "BBC", &format!("{from}-{i}-distinct.txt"), article);
        set.stories.push(vec![id]);
    }
    set
}

/// Pairwise scores of predicted clusters (lists of ids) against the set:
/// (recall, precision, true pairs, predicted pairs).
pub fn pairwise(set: &LabelledSet, predicted: &[Vec<String>]) -> (f64, f64, usize, usize) {
    let pairs = |groups: &[Vec<String>]| {
        let mut pairs = HashSet::new();
        for group in groups {
            let mut ids: Vec<&String> = group.iter().collect();
            ids.sort();
            for (i, a) in ids.iter().enumerate() {
                for b in &ids[i + 1..] {
                    pairs.insert(((*a).clone(), (*b).clone()));
                }
            }
        }
        pairs
    };
    let truth = pairs(&set.stories);
    let found = pairs(predicted);
    let both = truth.intersection(&found).count();
    let recall = if truth.is_empty() { 1.0 } else { both as f64 / truth.len() as f64 };
    let precision = if found.is_empty() { 1.0 } else { both as f64 / found.len() as f64 };
    (recall, precision, truth.len(), found.len())
}
