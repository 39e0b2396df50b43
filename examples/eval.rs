//! Ranking quality on classic retrieval test collections (`../shared/quality`).
//!
//! ```sh
//! cargo run --release --example eval -- ../shared/quality/{cacm,cisi,cran,med}
//! cargo run --release --example eval -- --expand ../shared/quality/cacm
//! ```
//!
//! For each collection folder (`docs.jsonl`, `queries.stop.tsv`, `qrels.txt`),
//! indexes the documents with newsearch's own indexer into a temporary folder,
//! runs every query the way `newsearch query --any --limit 100` does (the
//! library's search, with the defaults of the command line), and prints MAP
//! (at depth 100), nDCG@10, P@10 and Recall@100 with `trec_eval`'s definitions
//! and binary relevance. Means are over every query with judgments; a query
//! without results scores 0.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use newsearch::indexer::{IndexOptions, index_corpus};
use newsearch::query::SearchRequest;
use newsearch::search::Searcher;

/// How deep each run goes, as in the published figures.
const DEPTH: usize = 100;

fn main() -> ExitCode {
    let mut expand = false;
    let mut folders = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.to_str() {
            Some("--expand") => expand = true,
            Some("-h" | "--help") => {
                println!("usage: eval [--expand] COLLECTION_DIR...");
                return ExitCode::SUCCESS;
            }
            _ => folders.push(PathBuf::from(arg)),
        }
    }
    if folders.is_empty() {
        eprintln!("usage: eval [--expand] COLLECTION_DIR...  (e.g. ../shared/quality/cacm)");
        return ExitCode::from(2);
    }
    println!("| collection | queries | MAP | nDCG@10 | P@10 | Recall@100 |");
    println!("|---|---:|---:|---:|---:|---:|");
    for folder in &folders {
        match evaluate(folder, expand) {
            Ok((queries, m)) => println!(
                "| {} | {queries} | {:.4} | {:.4} | {:.4} | {:.4} |",
                folder.file_name().map_or_else(
                    || folder.display().to_string(),
                    |n| n.to_string_lossy().into_owned()
                ),
                m.map,
                m.ndcg10,
                m.p10,
                m.recall100
            ),
            Err(err) => {
                eprintln!("eval: {}: {err}", folder.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

fn evaluate(
    folder: &Path,
    expand: bool,
) -> Result<(usize, metrics::Means), Box<dyn std::error::Error>> {
    let work = tempfile::tempdir()?;
    // The indexer names records by id; a folder of its own keeps the walk to the one file.
    let corpus = work.path().join("corpus");
    std::fs::create_dir(&corpus)?;
    std::fs::copy(folder.join("docs.jsonl"), corpus.join("docs.jsonl"))?;
    let index = work.path().join("index");
    let mut options = IndexOptions::new(vec![corpus], index.clone());
    // One thread each: documents reach the index in file order, so equal
    // scores (ordered by where a document lies) come out the same every run.
    options.writer_threads = 1;
    options.parse_threads = 1;
    index_corpus(&options, &|_| {})?;
    let searcher = Searcher::open(&index)?;

    let qrels = metrics::read_qrels(&std::fs::read_to_string(folder.join("qrels.txt"))?)?;
    let queries = std::fs::read_to_string(folder.join("queries.stop.tsv"))?;
    let mut runs: HashMap<String, Vec<String>> = HashMap::new();
    for line in queries.lines().filter(|l| !l.trim().is_empty()) {
        let (qid, text) = line.split_once('\t').ok_or("queries.stop.tsv: a line without a tab")?;
        let mut request = SearchRequest::new(text);
        request.any = true;
        request.limit = Some(DEPTH);
        request.expand = expand;
        let results = searcher.search(&request)?;
        runs.insert(qid.to_owned(), results.hits.into_iter().map(|hit| hit.id).collect());
    }
    Ok((qrels.len(), metrics::mean(&qrels, &runs)))
}

/// `trec_eval`'s measures with binary relevance.
mod metrics {
    use super::{BTreeMap, DEPTH, HashMap, HashSet};

    /// Per query, the relevant document ids.
    pub type Qrels = BTreeMap<String, HashSet<String>>;

    /// Reads TREC qrels (`qid 0 docid rel`); grades below 1 are not relevant.
    pub fn read_qrels(text: &str) -> Result<Qrels, String> {
        let mut qrels = Qrels::new();
        for (number, line) in text.lines().enumerate() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [qid, _, doc, grade] = fields[..] else {
                if fields.is_empty() {
                    continue;
                }
                return Err(format!("qrels line {}: expected 4 fields", number + 1));
            };
            let grade: i64 =
                grade.parse().map_err(|_| format!("qrels line {}: grade", number + 1))?;
            if grade >= 1 {
                qrels.entry(qid.to_owned()).or_default().insert(doc.to_owned());
            }
        }
        Ok(qrels)
    }

    /// Mean measures over the queries of `qrels`.
    #[derive(Clone, Copy, Debug, Default, PartialEq)]
    pub struct Means {
        pub map: f64,
        pub ndcg10: f64,
        pub p10: f64,
        pub recall100: f64,
    }

    /// The measures of one ranked list against its relevant set.
    pub fn measure(ranked: &[String], relevant: &HashSet<String>) -> Means {
        let ranked = &ranked[..ranked.len().min(DEPTH)];
        let total = relevant.len() as f64;
        if total == 0.0 {
            return Means::default();
        }
        let (mut found, mut precision_sum, mut dcg) = (0.0, 0.0, 0.0);
        let mut in_top10 = 0.0;
        for (i, doc) in ranked.iter().enumerate() {
            if relevant.contains(doc) {
                found += 1.0;
                precision_sum += found / (i + 1) as f64;
                if i < 10 {
                    dcg += 1.0 / ((i + 2) as f64).log2();
                    in_top10 += 1.0;
                }
            }
        }
        let ideal: f64 = (0..relevant.len().min(10)).map(|i| 1.0 / ((i + 2) as f64).log2()).sum();
        Means {
            map: precision_sum / total,
            ndcg10: dcg / ideal,
            p10: in_top10 / 10.0,
            recall100: found / total,
        }
    }

    /// Means over every judged query; one without a run scores 0.
    pub fn mean(qrels: &Qrels, runs: &HashMap<String, Vec<String>>) -> Means {
        let mut sum = Means::default();
        for (qid, relevant) in qrels {
            let m = runs.get(qid).map(|run| measure(run, relevant)).unwrap_or_default();
            sum.map += m.map;
            sum.ndcg10 += m.ndcg10;
            sum.p10 += m.p10;
            sum.recall100 += m.recall100;
        }
        let n = qrels.len().max(1) as f64;
        Means {
            map: sum.map / n,
            ndcg10: sum.ndcg10 / n,
            p10: sum.p10 / n,
            recall100: sum.recall100 / n,
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn ids(list: &[&str]) -> Vec<String> {
            list.iter().map(|s| (*s).to_owned()).collect()
        }

        /// Worked by hand: relevant {a, c, x}; ranked a b c.
        /// AP = (1/1 + 2/3) / 3 = 0.5556; P@10 = 0.2; R@100 = 2/3;
        /// DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) + 1/log2(4) = 2.1309.
        #[test]
        fn measures_match_trec_eval_by_hand() {
            let relevant: HashSet<String> = ids(&["a", "c", "x"]).into_iter().collect();
            let m = measure(&ids(&["a", "b", "c"]), &relevant);
            assert!((m.map - (1.0 + 2.0 / 3.0) / 3.0).abs() < 1e-9, "{m:?}");
            assert!((m.p10 - 0.2).abs() < 1e-9);
            assert!((m.recall100 - 2.0 / 3.0).abs() < 1e-9);
            let idcg = 1.0 + 1.0 / 3f64.log2() + 0.5;
            assert!((m.ndcg10 - 1.5 / idcg).abs() < 1e-9, "{m:?}");
        }

        #[test]
        fn a_query_without_a_run_counts_as_zero_and_grades_below_one_are_not_relevant() {
            let qrels = read_qrels("1 0 a 1\n2 0 b 1\n2 0 c -1\n").unwrap();
            assert_eq!(qrels["2"].len(), 1);
            let runs = HashMap::from([("1".to_owned(), ids(&["a"]))]);
            let m = mean(&qrels, &runs);
            assert!((m.map - 0.5).abs() < 1e-9, "{m:?}");
            assert!(read_qrels("1 0 a").is_err());
        }
    }
}
