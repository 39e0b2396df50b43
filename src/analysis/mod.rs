//! Stage 3 (analyze): text → normalized terms. The one place where alias
//! normalization happens; indexing, query parsing and snippet highlighting all
//! use the analyzer built here, under the name [`ANALYZER`].
//!
//! The chain is: split at every non-alphanumeric character → drop absurdly long
//! tokens → [`AliasFilter`] (variants → canonical entity terms; other words
//! lowercased).

pub mod alias_filter;
pub mod aliases;
pub mod query_text;

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;
use tantivy::tokenizer::{
    RemoveLongFilter, SimpleTokenizer, TextAnalyzer, TokenFilter, TokenStream, Tokenizer,
};

pub use alias_filter::{AliasFilter, LITERAL_PREFIX, Spellings};
pub use aliases::{Aliases, Entity, EntityId};

/// The name the analyzer is registered under in every index newsearch opens.
pub const ANALYZER: &str = "newsearch";

/// Tokens longer than this many bytes are dropped: they are base64 blobs and
/// URLs glued together, never words anyone searches for.
pub const MAX_TOKEN_BYTES: usize = 64;

/// The analyzer for title, body and related headlines as the index stores
/// them: one-word alias spellings also keep their literal form (`=isil`).
pub fn analyzer(aliases: &Arc<Aliases>) -> TextAnalyzer {
    analyzer_with(aliases, Spellings::CanonicalAndLiteral)
}

/// The analyzer for query text: the same chain, emitting canonical terms
/// (or, with `literal`, the spellings as written).
pub fn query_analyzer(aliases: &Arc<Aliases>, literal: bool) -> TextAnalyzer {
    analyzer_with(aliases, if literal { Spellings::Literal } else { Spellings::Canonical })
}

fn analyzer_with(aliases: &Arc<Aliases>, spellings: Spellings) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(AliasFilter::new(Arc::clone(aliases), spellings))
        .build()
}

/// Finds the entities that texts mention, for the `entity` facet. It runs the
/// same filter as the index, so the facet and a search for the entity agree.
pub struct EntityFinder {
    tokenizer: alias_filter::AliasFilterWrapper<
        <RemoveLongFilter as TokenFilter>::Tokenizer<SimpleTokenizer>,
    >,
}

impl EntityFinder {
    /// A finder for this table.
    pub fn new(aliases: &Arc<Aliases>) -> EntityFinder {
        EntityFinder {
            tokenizer: AliasFilter::entities_only(Arc::clone(aliases)).transform(
                RemoveLongFilter::limit(MAX_TOKEN_BYTES).transform(SimpleTokenizer::default()),
            ),
        }
    }

    /// Adds the entities `text` mentions to `found`.
    pub fn find(&mut self, text: &str, found: &mut BTreeSet<EntityId>) {
        let mut stream = self.tokenizer.token_stream(text);
        while stream.advance() {
            if let Some(entity) = stream.entity() {
                found.insert(entity);
            }
        }
    }
}

/// One token of [`explain`]: what `newsearch aliases --explain` prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExplainedToken {
    /// The term as indexed.
    pub term: String,
    /// Position in the token stream.
    pub position: usize,
    /// Byte range in the text.
    pub offsets: [usize; 2],
    /// The text as written.
    pub written: String,
    /// The entity's canonical name, if this token is an alias.
    pub entity: Option<String>,
    /// The table's spelling that matched, if this token is an alias.
    pub variant: Option<String>,
}

/// The analyzer's tokens for `text`, with where each alias came from.
pub fn explain(aliases: &Arc<Aliases>, text: &str) -> Vec<ExplainedToken> {
    let mut tokenizer = AliasFilter::new(Arc::clone(aliases), Spellings::CanonicalAndLiteral)
        .transform(RemoveLongFilter::limit(MAX_TOKEN_BYTES).transform(SimpleTokenizer::default()));
    let mut stream = tokenizer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let token = stream.token();
        let matched = stream.matched_variant();
        out.push(ExplainedToken {
            term: token.text.clone(),
            position: token.position,
            offsets: [token.offset_from, token.offset_to],
            written: text.get(token.offset_from..token.offset_to).unwrap_or_default().to_owned(),
            entity: matched.map(|m| aliases.entity(m.entity).name.clone()),
            variant: matched.map(|m| m.variant.clone()),
        });
    }
    out
}

/// Splits text into words exactly as the analyzer does before normalizing:
/// used to turn alias spellings into word sequences.
pub fn split_words(text: &str) -> Vec<String> {
    let mut tokenizer = SimpleTokenizer::default();
    let mut stream = tokenizer.token_stream(text);
    let mut words = Vec::new();
    while stream.advance() {
        words.push(stream.token().text.clone());
    }
    words
}

#[cfg(test)]
pub(crate) mod tests {
    use tantivy::tokenizer::Token;

    use super::*;

    /// Tokens as queries see them (canonical terms only).
    pub(crate) fn tokens(aliases: &Arc<Aliases>, text: &str) -> Vec<Token> {
        let mut analyzer = query_analyzer(aliases, false);
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().clone());
        }
        out
    }

    pub(crate) fn terms(aliases: &Arc<Aliases>, text: &str) -> Vec<String> {
        tokens(aliases, text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn entity_finder_sees_every_spelling_but_not_the_verb() {
        let aliases = Arc::new(Aliases::built_in().unwrap());
        let mut finder = EntityFinder::new(&aliases);
        let mut found = BTreeSet::new();
        finder.find("What is next? Daesh fighters left Sirt.", &mut found);
        let names: Vec<&str> = found.iter().map(|&id| aliases.entity(id).name.as_str()).collect();
        assert!(names.contains(&"ISIS"), "{names:?}");
        assert!(names.contains(&"Sirte"), "{names:?}");
        let mut none = BTreeSet::new();
        finder.find("WHAT IS NEXT FOR THE TRUCE", &mut none);
        assert!(none.is_empty(), "{none:?}");
    }

    #[test]
    fn explain_reports_variant_and_offsets() {
        let aliases = Arc::new(Aliases::built_in().unwrap());
        let explained = explain(&aliases, "Islamic State fighters");
        assert_eq!(explained[0].term, "isis");
        assert_eq!(explained[0].offsets, [0, 13]);
        assert_eq!(explained[0].written, "Islamic State");
        assert_eq!(explained[0].entity.as_deref(), Some("ISIS"));
        assert_eq!(explained[1].entity, None);
    }
}
