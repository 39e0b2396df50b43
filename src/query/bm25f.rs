//! One score per article: BM25F over title and body, with a query word's stem
//! group scored as one term.
//!
//! A [`GroupQuery`] is one query word (or quoted phrase) after analysis: for
//! each of its words, the indexed forms it matches (a stem group such as
//! `strike strikes striking`, or one entity term, or one literal spelling),
//! searched in a set of weighted fields. Per article, the frequencies of every
//! form in every field are added *before* BM25's saturation, each field's
//! normalised by that field's length and weighted ([`TITLE_WEIGHT`]), with one
//! IDF for the group (BM25F as Robertson, Zaragoza and Taylor define it, with
//! per-field length normalisation). A headline repeated in the first sentence
//! therefore counts as more occurrences of its words, not as a second,
//! independent score; and `strike` plus `strikes` in one article is two
//! occurrences of one term, not two terms.
//!
//! The group's document frequency is the number of articles that hold any of
//! its forms in any of its fields (exact, but for the commonest words: see
//! [`GroupQuery`]'s `union_doc_freq`). The largest form's, as Lucene's
//! `SynonymQuery` takes it, under-counts a group such as `cell cells` and cost
//! 0.002-0.009 MAP on the test collections.
//!
//! The parameters were chosen once, on four test collections together (see
//! the README's "Ranking quality"): [`K1`] 2.2, [`B`] 0.75, [`TITLE_WEIGHT`] 3.
//!
//! tantivy's block-max WAND needs per-block score bounds that only its own
//! term scorer has; these scorers visit every matching article instead. The
//! benchmark (`scripts/bench.sh`) shows that latency still holds.

use std::fmt;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// BM25's term-frequency saturation, chosen on four test collections together
/// (README, "Ranking quality").
pub const K1: f32 = 2.2;
/// BM25's length normalisation (of each field by its own mean length), chosen with [`K1`].
pub const B: f32 = 0.75;
/// How much a title occurrence weighs against a body occurrence.
pub const TITLE_WEIGHT: f32 = 3.0;

/// A field searched by a group, with its weight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeightedField {
    /// The field.
    pub field: Field,
    /// Its name, for explanations.
    pub name: &'static str,
    /// Weight of one occurrence in this field.
    pub weight: f32,
}

/// One word or phrase of a query, analyzed: see the module docs.
#[derive(Clone)]
pub struct GroupQuery {
    /// What the user wrote, for explanations.
    label: String,
    /// Per phrase word (one for a single word): the indexed forms it matches.
    slots: Vec<Vec<String>>,
    fields: Vec<WeightedField>,
    /// Words a phrase's words may stand apart, in all.
    slop: u32,
    /// `terms[field][slot]`: the forms as terms of each field.
    terms: Vec<Vec<Vec<Term>>>,
}

impl fmt::Debug for GroupQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupQuery")
            .field("label", &self.label)
            .field("slots", &self.slots)
            .field("slop", &self.slop)
            .finish_non_exhaustive()
    }
}

/// Two groups are the same search when they match the same forms in the same
/// fields the same way (their labels may differ: `program`, `programs`).
impl PartialEq for GroupQuery {
    fn eq(&self, other: &GroupQuery) -> bool {
        self.slots == other.slots && self.fields == other.fields && self.slop == other.slop
    }
}

impl GroupQuery {
    /// A group for `slots` (the forms of each word, in order) in `fields`.
    pub fn new(
        label: String,
        slots: Vec<Vec<String>>,
        fields: Vec<WeightedField>,
        slop: u32,
    ) -> GroupQuery {
        let terms = fields
            .iter()
            .map(|f| {
                slots
                    .iter()
                    .map(|forms| {
                        forms.iter().map(|form| Term::from_field_text(f.field, form)).collect()
                    })
                    .collect()
            })
            .collect();
        GroupQuery { label, slots, fields, slop, terms }
    }

    /// The forms of each word.
    pub fn slots(&self) -> &[Vec<String>] {
        &self.slots
    }

    /// What the user wrote.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The fields searched.
    pub fn fields(&self) -> &[WeightedField] {
        &self.fields
    }

    /// Words a phrase's words may stand apart, in all.
    pub fn slop(&self) -> u32 {
        self.slop
    }

    fn is_phrase(&self) -> bool {
        self.slots.len() > 1
    }

    /// Articles holding any form of word `slot` in any of the fields. One
    /// posting list needs no reading. Several are counted per segment as the
    /// largest list's length plus, for each smaller list in turn, its
    /// articles that no larger list holds, found by seeking in the larger
    /// ones: a word's title list and its rarer inflections are short, so this
    /// reads far less than a walk of the union. Where the smaller lists are
    /// long (the commonest words, whose IDF is near its floor anyway), the
    /// union is estimated from the index-wide document frequencies as if the
    /// forms occurred independently, so that a query of common words does not
    /// read every posting twice. Both depend on the index's documents only,
    /// not on how they fall into segments: a search ranks the same way
    /// however the index was written.
    fn union_doc_freq(&self, searcher: &tantivy::Searcher, slot: usize) -> tantivy::Result<u64> {
        let terms: Vec<(Field, &Term)> = self
            .fields
            .iter()
            .zip(&self.terms)
            .flat_map(|(f, field_terms)| field_terms[slot].iter().map(move |t| (f.field, t)))
            .collect();
        if let [(_, term)] = terms[..] {
            return searcher.doc_freq(term);
        }
        let mut doc_freqs = Vec::with_capacity(terms.len());
        for &(_, term) in &terms {
            doc_freqs.push(searcher.doc_freq(term)?);
        }
        doc_freqs.sort_unstable_by(|a, b| b.cmp(a));
        let docs = searcher.num_docs().max(1);
        let seeks: u64 = doc_freqs.iter().skip(1).sum();
        if seeks > EXACT_UNION_SEEKS.max(docs / 16) {
            let docs = docs as f64;
            let none: f64 = doc_freqs.iter().map(|&n| 1.0 - (n as f64).min(docs) / docs).product();
            let estimate = (docs * (1.0 - none)).round() as u64;
            return Ok(estimate.max(doc_freqs[0]));
        }
        let mut total = 0;
        for reader in searcher.segment_readers() {
            let mut lists: Vec<SegmentPostings> = Vec::with_capacity(terms.len());
            for &(field, term) in &terms {
                let inverted = reader.inverted_index(field)?;
                if let Some(postings) = inverted.read_postings(term, IndexRecordOption::Basic)? {
                    lists.push(postings);
                }
            }
            lists.sort_by_key(|postings| std::cmp::Reverse(postings.size_hint()));
            total += union_in_segment(&mut lists);
        }
        Ok(total)
    }
}

/// Seeks an exact union count may spend: this many, or one for every
/// sixteenth article of the index if that is more (about a millisecond).
const EXACT_UNION_SEEKS: u64 = 4096;

/// The articles of a segment in any of `lists` (longest first): the longest
/// list's length, plus every article of the others, walked once in order, that
/// the longest does not hold. (Each list is walked once: checking a list
/// against lists already walked to their end counted every article again.)
fn union_in_segment(lists: &mut [SegmentPostings]) -> u64 {
    let Some((longest, rest)) = lists.split_first_mut() else { return 0 };
    let mut total = u64::from(longest.size_hint());
    loop {
        let doc = rest.iter().map(DocSet::doc).min().unwrap_or(TERMINATED);
        if doc == TERMINATED {
            return total;
        }
        if longest.doc() < doc {
            longest.seek(doc);
        }
        if longest.doc() != doc {
            total += 1;
        }
        for list in rest.iter_mut() {
            if list.doc() == doc {
                list.advance();
            }
        }
    }
}

impl Query for GroupQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let stats = match scoring {
            EnableScoring::Enabled { statistics_provider, searcher } => {
                let docs = statistics_provider.total_num_docs()?.max(1);
                let mut average_lengths = Vec::with_capacity(self.fields.len());
                for f in &self.fields {
                    let tokens = statistics_provider.total_num_tokens(f.field)?;
                    average_lengths.push((tokens as f32 / docs as f32).max(f32::EPSILON));
                }
                let mut idf = 0.0;
                let mut slot_idfs = Vec::with_capacity(self.slots.len());
                for slot in 0..self.slots.len() {
                    let doc_freq = self.union_doc_freq(searcher, slot)?;
                    let slot_idf = bm25_idf(doc_freq, docs);
                    slot_idfs.push((doc_freq, slot_idf));
                    idf += slot_idf;
                }
                let field_factors = self
                    .fields
                    .iter()
                    .zip(&average_lengths)
                    .map(|(f, &mean)| length_factors(f.weight, mean))
                    .collect();
                Some(Stats { idf, slot_idfs, average_lengths, field_factors })
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(GroupWeight { query: self.clone(), stats }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for field_terms in &self.terms {
            for slot in field_terms {
                for term in slot {
                    visitor(term, self.is_phrase());
                }
            }
        }
    }
}

/// `ln(1 + (N - n + 0.5) / (n + 0.5))`: BM25's IDF, never negative.
fn bm25_idf(doc_freq: u64, docs: u64) -> f32 {
    let n = doc_freq.min(docs) as f32;
    let docs = docs as f32;
    (1.0 + (docs - n + 0.5) / (n + 0.5)).ln()
}

#[derive(Clone, Debug)]
struct Stats {
    /// Sum of the words' IDFs (one word: its group's).
    idf: f32,
    /// Per word: document frequency and IDF, for explanations.
    slot_idfs: Vec<(u64, f32)>,
    /// Mean length of each field.
    average_lengths: Vec<f32>,
    /// Per field, per stored length code: the field's weight over its length
    /// normalisation, so that scoring an article takes a lookup, not a division.
    field_factors: Vec<[f32; 256]>,
}

/// `weight / (1 - b + b * length / mean)` for each of tantivy's 256 length
/// codes (field norms are stored as one byte).
fn length_factors(weight: f32, mean: f32) -> [f32; 256] {
    let mut factors = [0.0; 256];
    for (code, factor) in (0..=u8::MAX).zip(factors.iter_mut()) {
        let length = FieldNormReader::id_to_fieldnorm(code) as f32;
        *factor = weight / (1.0 - B + B * length / mean);
    }
    factors
}

struct GroupWeight {
    query: GroupQuery,
    stats: Option<Stats>,
}

impl GroupWeight {
    fn group_scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<GroupScorer> {
        let record = if self.query.is_phrase() {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        let mut slots: Vec<Union> = (0..self.query.slots.len()).map(|_| Union::default()).collect();
        let mut norms = Vec::with_capacity(self.query.fields.len());
        for (field_index, f) in self.query.fields.iter().enumerate() {
            let inverted = reader.inverted_index(f.field)?;
            for (slot, terms) in self.query.terms[field_index].iter().enumerate() {
                for term in terms {
                    if let Some(postings) = inverted.read_postings(term, record)? {
                        slots[slot].members.push(Member { field: field_index, postings });
                    }
                }
            }
            norms.push(reader.get_fieldnorms_reader(f.field)?);
        }
        let mut scorer = GroupScorer {
            slots,
            norms,
            stats: self.stats.clone(),
            boost,
            slop: self.query.slop,
            doc: TERMINATED,
            frequencies: vec![0.0; self.query.fields.len()],
            positions: Vec::new(),
            buffer: Vec::new(),
        };
        for slot in &mut scorer.slots {
            slot.reset();
        }
        if scorer.slots.iter().any(|slot| slot.members.is_empty()) {
            return Ok(scorer);
        }
        scorer.doc = scorer.slots[0].doc;
        scorer.find_match();
        Ok(scorer)
    }
}

impl Weight for GroupWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.group_scorer(reader, boost)?))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.group_scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match {}",
                self.query.label
            )));
        }
        let score = scorer.score();
        let q = &self.query;
        let kind = if q.is_phrase() { "phrase" } else { "word" };
        let mut explanation =
            Explanation::new_with_string(format!("BM25F, {kind} `{}`", q.label), score);
        let stats = self.stats.as_ref();
        for (slot, forms) in q.slots.iter().enumerate() {
            let (doc_freq, idf) =
                stats.and_then(|s| s.slot_idfs.get(slot)).copied().unwrap_or_default();
            let mut word = Explanation::new_with_string(
                format!("idf, forms matched: {}", forms.join(" ")),
                idf,
            );
            word.add_const("articles with any form", doc_freq as f32);
            explanation.add_detail(word);
        }
        for (i, f) in q.fields.iter().enumerate() {
            let field_length = scorer.norms[i].fieldnorm(doc) as f32;
            let mean = stats.and_then(|s| s.average_lengths.get(i)).copied().unwrap_or_default();
            let mut field = Explanation::new_with_string(
                format!("field {} (weight {}): occurrences", f.name, f.weight),
                scorer.frequencies[i],
            );
            field.add_const("field length", field_length);
            field.add_const("mean field length", mean);
            explanation.add_detail(field);
        }
        explanation
            .add_const("weighted, length-normalised frequency", scorer.normalised_frequency());
        explanation.add_const("k1", K1);
        explanation.add_const("b", B);
        Ok(explanation)
    }
}

/// A posting list of one form in one field.
struct Member {
    /// Index into the group's fields.
    field: usize,
    postings: SegmentPostings,
}

/// The articles where any of a word's forms occurs, in any field.
#[derive(Default)]
struct Union {
    members: Vec<Member>,
    doc: DocId,
}

impl Union {
    fn reset(&mut self) {
        self.doc = self.members.iter().map(|m| m.postings.doc()).min().unwrap_or(TERMINATED);
    }

    fn advance(&mut self) -> DocId {
        let current = self.doc;
        for member in &mut self.members {
            if member.postings.doc() == current {
                member.postings.advance();
            }
        }
        self.reset();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for member in &mut self.members {
            if member.postings.doc() < target {
                member.postings.seek(target);
            }
        }
        self.reset();
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.members.iter().map(|m| m.postings.size_hint()).sum()
    }
}

struct GroupScorer {
    /// One union per word; the scorer is on the articles where all meet (and,
    /// for a phrase, stand in order in one field).
    slots: Vec<Union>,
    norms: Vec<FieldNormReader>,
    stats: Option<Stats>,
    boost: Score,
    slop: u32,
    doc: DocId,
    /// Occurrences per field at `doc`.
    frequencies: Vec<f32>,
    positions: Vec<Vec<u32>>,
    buffer: Vec<u32>,
}

impl GroupScorer {
    /// From `self.doc` (a candidate of the first word) on, the first article
    /// where every word occurs and, for a phrase, the phrase occurs; fills
    /// `frequencies` for it.
    fn find_match(&mut self) {
        loop {
            let mut candidate = self.slots[0].doc;
            // Leapfrog until every word's union stands on one article.
            'align: loop {
                if candidate == TERMINATED {
                    self.doc = TERMINATED;
                    return;
                }
                for slot in &mut self.slots {
                    let at = slot.seek(candidate);
                    if at != candidate {
                        candidate = at;
                        continue 'align;
                    }
                }
                break;
            }
            self.doc = candidate;
            self.count_occurrences();
            if self.frequencies.iter().any(|&f| f > 0.0) {
                return;
            }
            self.slots[0].advance();
        }
    }

    /// Occurrences of the word (summed over its forms) or of the phrase in each field.
    fn count_occurrences(&mut self) {
        let doc = self.doc;
        for f in &mut self.frequencies {
            *f = 0.0;
        }
        if self.slots.len() == 1 {
            for member in &self.slots[0].members {
                if member.postings.doc() == doc {
                    self.frequencies[member.field] += member.postings.term_freq() as f32;
                }
            }
            return;
        }
        for field in 0..self.frequencies.len() {
            self.positions.resize_with(self.slots.len(), Vec::new);
            let mut present = true;
            for (slot, union) in self.slots.iter_mut().enumerate() {
                let positions = &mut self.positions[slot];
                positions.clear();
                for member in &mut union.members {
                    if member.field == field && member.postings.doc() == doc {
                        member.postings.positions(&mut self.buffer);
                        positions.extend_from_slice(&self.buffer);
                    }
                }
                positions.sort_unstable();
                present &= !positions.is_empty();
            }
            if present {
                self.frequencies[field] = phrase_count(&self.positions, self.slop) as f32;
            }
        }
    }

    /// BM25F's pseudo-frequency: each field's occurrences, normalised by
    /// its length against its mean, weighted, added.
    fn normalised_frequency(&self) -> f32 {
        let Some(stats) = &self.stats else { return 0.0 };
        let mut total = 0.0;
        for (i, &frequency) in self.frequencies.iter().enumerate() {
            if frequency > 0.0 {
                let code = self.norms[i].fieldnorm_id(self.doc);
                total += frequency * stats.field_factors[i][usize::from(code)];
            }
        }
        total
    }
}

/// How many times the words stand in order, at most `slop` extra positions
/// apart in all: counted once per position of the first word.
fn phrase_count(positions: &[Vec<u32>], slop: u32) -> u32 {
    let Some((first, rest)) = positions.split_first() else { return 0 };
    let mut count = 0;
    'start: for &start in first {
        let mut previous = start;
        for word in rest {
            // The nearest position after the previous word's keeps the span shortest.
            let at = word.partition_point(|&p| p <= previous);
            let Some(&next) = word.get(at) else { break 'start };
            previous = next;
        }
        let span = previous - start;
        if span <= slop + rest.len() as u32 {
            count += 1;
        }
    }
    count
}

impl DocSet for GroupScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.slots[0].advance();
        self.find_match();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.slots[0].seek(target);
        self.find_match();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.slots.iter().map(Union::size_hint).min().unwrap_or(0)
    }
}

impl Scorer for GroupScorer {
    fn score(&mut self) -> Score {
        let Some(stats) = &self.stats else { return 0.0 };
        let frequency = self.normalised_frequency();
        self.boost * stats.idf * frequency * (K1 + 1.0) / (frequency + K1)
    }
}

#[cfg(test)]
mod tests {
    use super::phrase_count;

    #[test]
    fn phrases_count_each_start_and_respect_slop() {
        assert_eq!(phrase_count(&[vec![1, 7], vec![2, 9]], 0), 1);
        assert_eq!(phrase_count(&[vec![1, 7], vec![2, 9]], 1), 2);
        assert_eq!(phrase_count(&[vec![3], vec![1]], 5), 0, "order matters");
        assert_eq!(phrase_count(&[vec![0], vec![1], vec![2]], 0), 1);
        assert_eq!(phrase_count(&[vec![0], vec![2], vec![3]], 0), 0);
    }
}
