//! The article-extraction benchmark's score (Zyte's `evaluate.py`, as
//! `../shared/extraction/README.md` describes it): F1 of bags of 4-token
//! shingles, tokens being runs of word characters (`\w+`, Unicode, case kept).

use std::collections::HashMap;

/// The counts of one page, each divided by their sum so that every page weighs
/// the same.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageScore {
    pub tp: f64,
    pub fp: f64,
    pub fn_: f64,
}

impl PageScore {
    /// TP/(TP+FP), `None` for an empty prediction.
    pub fn precision(self) -> Option<f64> {
        let predicted = self.tp + self.fp;
        (predicted > 0.0).then(|| self.tp / predicted)
    }

    /// TP/(TP+FN), `None` for an empty truth.
    pub fn recall(self) -> Option<f64> {
        let truth = self.tp + self.fn_;
        (truth > 0.0).then(|| self.tp / truth)
    }

    /// The page's own F1 (for sorting pages; the benchmark's F1 is not a mean of these).
    pub fn f1(self) -> f64 {
        let (p, r) = (self.precision().unwrap_or(0.0), self.recall().unwrap_or(0.0));
        if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 }
    }
}

/// The tokens of a text: runs of Unicode word characters.
pub fn tokens(text: &str) -> Vec<&str> {
    // `\w` of Python's `re` is `str.isalnum()` or `_`; Rust's `char::is_alphanumeric`
    // is the same Unicode classes (L*, N*).
    text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|t| !t.is_empty()).collect()
}

/// Every run of 4 consecutive tokens; a shorter text is one shingle, an empty one none.
fn shingles<'a>(tokens: &[&'a str]) -> HashMap<Vec<&'a str>, usize> {
    let mut bag = HashMap::new();
    if tokens.is_empty() {
        return bag;
    }
    if tokens.len() < 4 {
        bag.insert(tokens.to_vec(), 1);
        return bag;
    }
    for window in tokens.windows(4) {
        *bag.entry(window.to_vec()).or_insert(0) += 1;
    }
    bag
}

/// One page's normalized counts.
pub fn score_page(predicted: &str, truth: &str) -> PageScore {
    let predicted = shingles(&tokens(predicted));
    let truth = shingles(&tokens(truth));
    let mut tp = 0;
    for (shingle, &count) in &predicted {
        tp += count.min(truth.get(shingle).copied().unwrap_or(0));
    }
    let fp = predicted.values().sum::<usize>() - tp;
    let fn_ = truth.values().sum::<usize>() - tp;
    let sum = (tp + fp + fn_) as f64;
    if sum == 0.0 {
        return PageScore { tp: 0.0, fp: 0.0, fn_: 0.0 };
    }
    PageScore { tp: tp as f64 / sum, fp: fp as f64 / sum, fn_: fn_ as f64 / sum }
}

/// Mean precision, mean recall, the F1 of those two means, and accuracy (the
/// share of pages whose token sequences are equal).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub accuracy: f64,
}

/// Scores pairs of (predicted, true) bodies.
pub fn summarize<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Summary {
    let (mut precisions, mut recalls, mut exact, mut pages) = (Vec::new(), Vec::new(), 0, 0);
    for (predicted, truth) in pairs {
        pages += 1;
        let score = score_page(predicted, truth);
        precisions.extend(score.precision());
        recalls.extend(score.recall());
        if tokens(predicted) == tokens(truth) {
            exact += 1;
        }
    }
    let mean = |values: &[f64]| {
        if values.is_empty() { 0.0 } else { values.iter().sum::<f64>() / values.len() as f64 }
    };
    let (precision, recall) = (mean(&precisions), mean(&recalls));
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let accuracy = if pages == 0 { 0.0 } else { f64::from(exact) / f64::from(pages) };
    Summary { precision, recall, f1, accuracy }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_drop_punctuation_and_keep_case() {
        assert_eq!(tokens("The cat's  hat, the_end!"), ["The", "cat", "s", "hat", "the_end"]);
        assert_eq!(tokens("Café naïve 東京"), ["Café", "naïve", "東京"]);
    }

    #[test]
    fn a_hand_made_page() {
        // Truth: 6 tokens → 3 shingles. Prediction: the same words and a caption
        // of 2 tokens after them → 5 shingles, 3 of them true.
        let truth = "one two three. four five six";
        let predicted = "one two three four five six\n\nphoto credit";
        let score = score_page(predicted, truth);
        assert!((score.tp - 3.0 / 5.0).abs() < 1e-12, "{score:?}");
        assert!((score.fp - 2.0 / 5.0).abs() < 1e-12);
        assert!(score.fn_.abs() < 1e-12);
        assert_eq!((score.precision(), score.recall()), (Some(0.6), Some(1.0)));
        // Case counts: every true shingle holds "four", so none matches "Four".
        let shouted = score_page("one two three Four five six", truth);
        assert_eq!((shouted.precision(), shouted.recall()), (Some(0.0), Some(0.0)));
    }

    #[test]
    fn short_and_empty_texts() {
        assert_eq!(score_page("a b", "a b").precision(), Some(1.0));
        assert_eq!(score_page("", "a b c d").precision(), None);
        assert_eq!(score_page("", "a b c d").recall(), Some(0.0));
        // An empty prediction lowers recall only; the F1 is of the two means.
        let summary = summarize([("a b c d", "a b c d"), ("", "e f g h")]);
        assert_eq!((summary.precision, summary.recall, summary.accuracy), (1.0, 0.5, 0.5));
        assert!((summary.f1 - 2.0 / 3.0).abs() < 1e-12);
    }
}
