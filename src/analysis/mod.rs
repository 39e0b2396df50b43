//! Stage 3 (analyze): text → normalized terms. The one place where alias
//! normalization happens; indexing, query parsing and snippet highlighting all
//! use the analyzer built here, under the name [`ANALYZER`].
//!
//! The chain is: split at every non-alphanumeric character → drop absurdly long
//! tokens → [`AliasFilter`] (variants → canonical entity terms; other words
//! lowercased).

pub mod alias_filter;
pub mod aliases;
pub mod stems;
pub mod stop_words;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;
use tantivy::tokenizer::{
    RemoveLongFilter, SimpleTokenizer, TextAnalyzer, TokenFilter, TokenStream, Tokenizer,
};

pub use alias_filter::{AliasFilter, ENTITY_PREFIX, LITERAL_PREFIX, Spellings};
pub use aliases::{Aliases, Entity, EntityId, Lineage, VariantMatch};

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
    TextAnalyzer::from(chain(AliasFilter::new(Arc::clone(aliases), spellings)))
}

/// The words every chain starts from: tantivy's `SimpleTokenizer`, with
/// overlong tokens dropped.
type Words = <RemoveLongFilter as TokenFilter>::Tokenizer<SimpleTokenizer>;

/// The analyzer chain as a tokenizer.
pub type Chain = alias_filter::AliasFilterWrapper<Words>;

/// The analyzer chain, assembled here and nowhere else: words
/// (`SimpleTokenizer`), tokens over [`MAX_TOKEN_BYTES`] dropped, then `aliases`
/// (an [`AliasFilter`] set for indexing, querying or finding entities). Indexing,
/// querying, highlighting, `aliases --explain` and the entity finder all run
/// this one chain, so they cannot drift apart.
pub fn chain(aliases: AliasFilter) -> Chain {
    aliases
        .transform(RemoveLongFilter::limit(MAX_TOKEN_BYTES).transform(SimpleTokenizer::default()))
}

/// Finds the entities a text mentions (a hit's `entities`). It runs the same
/// filter as the index, so it finds exactly the entities whose canonical terms
/// the index holds for that text, which the `entity` facet counts.
pub struct EntityFinder {
    aliases: Arc<Aliases>,
    tokenizer: Chain,
}

impl EntityFinder {
    /// A finder for this table.
    pub fn new(aliases: &Arc<Aliases>) -> EntityFinder {
        EntityFinder {
            aliases: Arc::clone(aliases),
            tokenizer: chain(AliasFilter::entities_only(Arc::clone(aliases))),
        }
    }

    /// Adds the entities `text` mentions to `found`.
    ///
    /// Most words start no alias, and telling so needs no tokenizer: a byte scan
    /// finds the next word that might (`next_candidate`), and only there does
    /// the filter run, for one token, over the rest of the text.
    pub fn find(&mut self, text: &str, found: &mut BTreeSet<EntityId>) {
        self.each_match(text, |matched| {
            found.insert(matched.entity);
        });
    }

    /// Counts, per entity and spelling of the table (a [`VariantMatch`]'s
    /// `variant`, as `aliases --explain` names it), the mentions in `text`:
    /// what a hit's `matches` and the `form` facet report.
    pub fn count_forms(&mut self, text: &str, counts: &mut BTreeMap<(EntityId, String), u64>) {
        self.each_match(text, |matched| {
            let key = (matched.entity, matched.variant.clone());
            *counts.entry(key).or_default() += 1;
        });
    }

    /// Calls `found` with the table spelling of every entity mention in
    /// `text`, in order.
    fn each_match(&mut self, text: &str, mut found: impl FnMut(&VariantMatch)) {
        let mut from = 0;
        while let Some(start) = next_candidate(&self.aliases, text, from) {
            let Some(rest) = text.get(start..) else { return };
            let mut stream = self.tokenizer.token_stream(rest).within(text, start);
            // The stream's first token is the word at `start` (or, if the
            // filter drops that word, the next word that might start an
            // alias): an entity spanning one or more words, or a word that
            // starts none. Either way the scan goes on after it.
            if !stream.advance() {
                return;
            }
            if let Some(matched) = stream.matched_variant() {
                found(matched);
            }
            from = start + stream.token().offset_to;
        }
    }
}

/// The byte offset of the first word at or after `from` that may start an
/// alias, or that the byte scan cannot judge (it touches non-ASCII text, where
/// only the tokenizer knows word boundaries). `from` must be a word boundary;
/// so is the result. ASCII words are cut exactly where `SimpleTokenizer` cuts
/// them (at every non-alphanumeric character), so skipping one is the same as
/// the filter skipping it.
fn next_candidate(aliases: &Aliases, text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while let Some(&byte) = bytes.get(i) {
        if byte.is_ascii_alphanumeric() {
            let start = i;
            let word_len = bytes[start..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            i = start + word_len;
            match bytes.get(i) {
                Some(next) if !next.is_ascii() => return Some(start),
                _ => {}
            }
            if text.get(start..i).is_some_and(|word| may_start_alias(aliases, word)) {
                return Some(start);
            }
        } else if !byte.is_ascii() {
            return Some(i);
        }
        // A separator, or the one that ended the word.
        i += 1;
    }
    None
}

/// Whether the ASCII word `word`, as written, may be the first word of an
/// alias spelling: first the bitmap test that rules out most words for a few
/// instructions, then, for the words it lets through (`a`, `is`, `Syria`,
/// and words that only share its bits), the trie, under the same rule as the
/// filter's (an acronym's first word only in its own case).
fn may_start_alias(aliases: &Aliases, word: &str) -> bool {
    if !aliases.may_start_ascii_any_case(word) {
        return false;
    }
    let mut lower = [0_u8; MAX_TOKEN_BYTES];
    let Some(buffer) = lower.get_mut(..word.len()) else {
        // The analyzer drops a word this long: it starts nothing.
        return false;
    };
    buffer.copy_from_slice(word.as_bytes());
    buffer.make_ascii_lowercase();
    std::str::from_utf8(buffer).is_ok_and(|lower| aliases.may_start_with(word, lower))
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
    let mut tokenizer =
        chain(AliasFilter::new(Arc::clone(aliases), Spellings::CanonicalAndLiteral));
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

    /// What assembling an analyzer chain takes. Only [`chain`], in this file, may
    /// write it; tests elsewhere may build a chain of their own (a filter tried
    /// alone, a remote engine's stock analyzer), production code may not.
    const CHAIN_PARTS: [&str; 6] = [
        "TextAnalyzer::builder(",
        "TextAnalyzer::from(",
        "SimpleTokenizer",
        "RemoveLongFilter",
        "LowerCaser",
        ".transform(",
    ];

    /// The production part of a source file: the lines before its test module.
    fn production_code(text: &str) -> Vec<&str> {
        let lines: Vec<&str> = text.lines().collect();
        let test_module = lines.windows(2).position(|pair| {
            pair[0].trim() == "#[cfg(test)]"
                && ["mod ", "pub mod ", "pub(crate) mod "]
                    .iter()
                    .any(|start| pair[1].trim_start().starts_with(start))
        });
        lines[..test_module.unwrap_or(lines.len())].to_vec()
    }

    fn rust_files(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }

    #[test]
    fn no_code_but_chain_assembles_the_analyzer_chain() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["src", "examples", "fuzz/fuzz_targets"] {
            rust_files(&root.join(dir), &mut files);
        }
        assert!(files.len() > 20, "{files:?}");
        let builder = root.join("src/analysis/mod.rs");
        let mut offenders = Vec::new();
        for path in files.iter().filter(|path| **path != builder) {
            let text = std::fs::read_to_string(path).unwrap();
            for (number, line) in production_code(&text).into_iter().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                if CHAIN_PARTS.iter().any(|part| code.contains(part)) {
                    offenders.push(format!("{}:{}: {}", path.display(), number + 1, line.trim()));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "an analyzer chain assembled outside analysis::chain:\n{}",
            offenders.join("\n")
        );
    }

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

    /// The entities of a text as the index's own analyzer sees them.
    fn entities_by_analyzer(aliases: &Arc<Aliases>, text: &str) -> BTreeSet<EntityId> {
        let mut tokenizer = chain(AliasFilter::new(Arc::clone(aliases), Spellings::Canonical));
        let mut stream = tokenizer.token_stream(text);
        let mut found = BTreeSet::new();
        while stream.advance() {
            found.extend(stream.entity());
        }
        found
    }

    /// Pieces that steer random text into alias spellings, capitals lines,
    /// non-ASCII words and long tokens.
    fn alias_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            Just("Islamic State".to_owned()),
            Just("Islamic State of Iraq and the Levant".to_owned()),
            Just("ISIL".to_owned()),
            Just("IS".to_owned()),
            Just("Da’esh".to_owned()),
            Just("al-Qaeda".to_owned()),
            Just("U.S.".to_owned()),
            Just("Sirt".to_owned()),
            Just("WHAT IS NEXT".to_owned()),
            Just("x".repeat(70)),
            Just("é".to_owned()),
            Just("\n".to_owned()),
            "[a-zA-Z .,’'\n-]{0,10}",
        ];
        proptest::collection::vec(piece, 0..16).prop_map(|pieces| pieces.join(" "))
    }

    proptest::proptest! {
        #[test]
        fn entity_finder_agrees_with_the_analyzer(text in alias_text()) {
            let aliases = Arc::new(Aliases::built_in().unwrap());
            let mut found = BTreeSet::new();
            EntityFinder::new(&aliases).find(&text, &mut found);
            proptest::prop_assert_eq!(found, entities_by_analyzer(&aliases, &text));
        }
    }

    #[test]
    fn entity_finder_agrees_with_the_analyzer_on_the_sample_corpus() {
        let aliases = Arc::new(Aliases::built_in().unwrap());
        let mut finder = EntityFinder::new(&aliases);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-corpus");
        let mut checked = 0;
        for entry in walkdir::WalkDir::new(root) {
            let entry = entry.unwrap();
            if !entry.file_type().is_file() {
                continue;
            }
            let text = String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()).into_owned();
            let mut found = BTreeSet::new();
            finder.find(&text, &mut found);
            assert_eq!(found, entities_by_analyzer(&aliases, &text), "{}", entry.path().display());
            checked += 1;
        }
        assert!(checked > 40, "{checked} files");
    }

    #[test]
    fn explain_reports_variant_and_offsets() {
        let aliases = Arc::new(Aliases::built_in().unwrap());
        let explained = explain(&aliases, "Islamic State fighters");
        assert_eq!(explained[0].term, "#isis");
        assert_eq!(explained[0].offsets, [0, 13]);
        assert_eq!(explained[0].written, "Islamic State");
        assert_eq!(explained[0].entity.as_deref(), Some("ISIS"));
        assert_eq!(explained[1].entity, None);
    }
}
