//! `newsearch similar ID`: the articles most like one article (more like
//! this): the article's 25 most distinctive body words (frequency in the
//! article × inverse document frequency, stop words and entity spellings'
//! literal forms left out) become a query of any of them, scored by BM25F as
//! any query, with the request's dates and filters. The article itself is left
//! out of the hits.

use std::collections::HashMap;

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::tokenizer::TokenStream;
use tantivy::{TantivyDocument, Term};

use super::{SearchResults, Searcher};
use crate::analysis::{ENTITY_PREFIX, LITERAL_PREFIX, stop_words};
use crate::error::{Error, Result};
use crate::query::SearchRequest;

/// Words of the article the query is made of.
pub const SIMILAR_WORDS: usize = 25;

impl Searcher {
    /// The articles most like the article `id`, with `request`'s limit, dates,
    /// filters and options (its query text is replaced).
    pub fn similar(&self, id: &str, request: &SearchRequest) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let f = &self.store.fields;
        let dir = &self.store.dir;
        let query = TermQuery::new(Term::from_field_text(f.id, id), IndexRecordOption::Basic);
        let found = searcher.search(&query, &DocSetCollector).map_err(Error::index(dir.clone()))?;
        let Some(&address) = found.iter().min() else {
            return Err(Error::UnknownId { id: id.to_owned() });
        };
        let doc: TantivyDocument = searcher.doc(address).map_err(Error::index(dir.clone()))?;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default();
        let mut counts: HashMap<String, u32> = HashMap::new();
        let mut analyzer = crate::analysis::analyzer(&self.store.aliases);
        for field_text in [text(f.title), text(f.body)] {
            let mut stream = analyzer.token_stream(field_text);
            while stream.advance() {
                let word = &stream.token().text;
                // Entity terms are searched through their spellings; literal forms
                // only with --literal; numbers and stop words say little.
                let skip = word.starts_with(ENTITY_PREFIX)
                    || word.starts_with(LITERAL_PREFIX)
                    || word.len() < 3
                    || word.bytes().all(|b| b.is_ascii_digit())
                    || stop_words::is_stop_word(word, &[]);
                if !skip {
                    *counts.entry(word.clone()).or_default() += 1;
                }
            }
        }
        let documents = searcher.num_docs().max(1) as f64;
        let mut weighted: Vec<(f64, String)> = counts
            .into_iter()
            .filter_map(|(word, count)| {
                let frequency = searcher.doc_freq(&Term::from_field_text(f.body, &word)).ok()?;
                // A word no other article holds finds nothing.
                (frequency > 1).then(|| {
                    let idf = (documents / frequency as f64).ln();
                    (f64::from(count) * idf, word)
                })
            })
            .collect();
        weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let words: Vec<String> =
            weighted.into_iter().take(SIMILAR_WORDS).map(|(_, word)| word).collect();
        let mut like = request.clone();
        like.query = words.join(" ");
        like.any = true;
        like.expand = false;
        // One more, in case the article itself is on the page.
        like.limit = request.limit.map(|limit| limit + 1);
        let mut results = self.search(&like)?;
        // The article matches all of its own words: it is always a hit.
        results.total_hits = results.total_hits.saturating_sub(1);
        if let Some(at) = results.hits.iter().position(|hit| hit.id == id) {
            results.hits.remove(at);
            for hit in results.hits.iter_mut().skip(at) {
                hit.rank -= 1;
            }
        }
        if let Some(limit) = request.limit {
            results.hits.truncate(limit);
        }
        Ok(results)
    }
}
