//! One exported article: the `docs.ndjson` line (and an `OpenSearch` bulk source
//! line), and the normalised text (`title_norm`, `body_norm`) that lets a
//! remote engine's stock tokenizer match as newsearch matches.
//!
//! The normalised text is the one analyzer's own token stream, written out
//! with one space between tokens: words as the analyzer emits them
//! (lowercased, tokens over [`analysis::MAX_TOKEN_BYTES`] already dropped),
//! and every entity term (`#isis`, which any remote tokenizer would cut at
//! `#` into the word `isis`) replaced by its [`entity_token`] (`nsentisis0`),
//! which a stock tokenizer keeps whole: letters and digits only, lowercase,
//! and ending in a digit, so that no stemmer (Snowball English strips letter
//! suffixes only) changes it. A multi-word spelling ("Islamic State of Iraq
//! and the Levant") is one token at one position in newsearch, and so one
//! entity token here: phrases across it agree. Should the analyzer ever leave
//! a position empty, [`GAP_TOKEN`] fills it, so that phrases do not match
//! across the gap remotely either (today it numbers positions anew: a dropped
//! overlong word leaves none).
//!
//! Token length: every token written here is at most
//! [`analysis::MAX_TOKEN_BYTES`] (64) bytes, under the remote tokenizers'
//! limits (Quickwit's `default` drops tokens of 255 bytes or more; `OpenSearch`'s
//! `whitespace` tokenizer splits tokens longer than 255 characters), so no
//! remote limit ever applies, and an overlong word is dropped on both sides
//! because newsearch's analyzer dropped it before it was written.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use schemars::JsonSchema;
use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{self, Aliases, ENTITY_PREFIX};

/// Starts every entity token: "newsearch entity".
pub const ENTITY_TOKEN_PREFIX: &str = "nsent";

/// Ends every entity token: a digit, which no Snowball English rule removes.
pub const ENTITY_TOKEN_SUFFIX: char = '0';

/// Fills a position the analyzer left empty (a dropped overlong token).
pub const GAP_TOKEN: &str = "nsgap0";

/// The fields of a `docs.ndjson` line, in the order they are written: the
/// only place their names are spelled (the Quickwit and `OpenSearch` mappings
/// are made from this list).
pub const FIELDS: [(&str, FieldKind); 17] = [
    (ID, FieldKind::Keyword),
    (PATH, FieldKind::Keyword),
    (URL, FieldKind::Keyword),
    (OFFSET, FieldKind::Integer),
    (AUTHOR, FieldKind::Keyword),
    (LANGUAGE, FieldKind::Keyword),
    (TITLE, FieldKind::Text),
    (BODY, FieldKind::Text),
    (TITLE_NORM, FieldKind::Normalized),
    (BODY_NORM, FieldKind::Normalized),
    (ENTITIES, FieldKind::Facet),
    (FORMS, FieldKind::Keywords),
    (SOURCE, FieldKind::Facet),
    (FOLDER, FieldKind::Facet),
    (DATE, FieldKind::Date),
    (RELATED, FieldKind::Texts),
    (CLUSTER, FieldKind::Facet),
];

/// The article's near-duplicate cluster (16 hex digits, as `newsearch dupes`
/// names it): copies of one story share it, so a remote engine can collapse
/// on it.
pub const CLUSTER: &str = "cluster";

/// `id`: see `fields::ID`.
pub const ID: &str = "id";
/// `path`: see `fields::PATH`.
pub const PATH: &str = "path";
/// `url`, where the record had one.
pub const URL: &str = "url";
/// For a WARC record: its byte offset in the archive (`path`).
pub const OFFSET: &str = "offset";
/// The author(s), where the page or record names them.
pub const AUTHOR: &str = "author";
/// The language tag the page or record declares.
pub const LANGUAGE: &str = "language";
/// The headline as written.
pub const TITLE: &str = "title";
/// The article text as written.
pub const BODY: &str = "body";
/// The headline as the analyzer normalises it.
pub const TITLE_NORM: &str = "title_norm";
/// The article text as the analyzer normalises it.
pub const BODY_NORM: &str = "body_norm";
/// Canonical names of the entities title and body mention.
pub const ENTITIES: &str = "entities";
/// The alias spellings as the article wrote them.
pub const FORMS: &str = "forms";
/// The outlet.
pub const SOURCE: &str = "source";
/// The folder, as a path from the corpus root's parent.
pub const FOLDER: &str = "folder";
/// Publication date, RFC 3339, UTC.
pub const DATE: &str = "date";
/// Related headlines left by the scraper.
pub const RELATED: &str = "related";

/// How a remote engine should index a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// One exact string.
    Keyword,
    /// Several exact strings.
    Keywords,
    /// One exact string or several, counted by aggregations (facets).
    Facet,
    /// Text as written, for display and plain full-text search.
    Text,
    /// Several texts as written.
    Texts,
    /// Normalised text: whitespace-separated tokens to stem, never to split.
    Normalized,
    /// A date.
    Date,
    /// A non-negative whole number.
    Integer,
}

/// One `docs.ndjson` line (`schema/export-doc.v1.schema.json`), and the
/// source line of a bulk pair. The lines carry no `schema_version`: each
/// would become a field of every remote document; the schema file's name
/// versions the layout. `title_norm` and `body_norm` hold the analyzer's
/// tokens separated by single spaces: lowercased words, and every entity
/// spelling as `nsent<canonical term>0` (ISIL, Daesh, Islamic State ->
/// `nsentisis0`). `cluster` names the article's near-duplicate cluster
/// (copies of one story share it), as `newsearch dupes` does.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, rename = "ExportDocument")]
pub struct DocumentV1<'a> {
    /// The document id, as `newsearch query` prints it.
    pub id: &'a str,
    /// The file the article came from.
    pub path: &'a str,
    /// Link to the article, where the record had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
    /// For a WARC record: the byte offset of the record (its gzip member) in
    /// the archive named by path. Optional, added within version 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Author(s), where the page or record names them. Optional, added within
    /// version 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<&'a str>,
    /// Language tag the page or record declares. Optional, added within
    /// version 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<&'a str>,
    /// Headline, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    /// Article text, as written.
    pub body: &'a str,
    /// The headline as the analyzer normalises it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([^\s]{1,64}( [^\s]{1,64})*)?$"))]
    pub title_norm: Option<&'a str>,
    /// The body as the analyzer normalises it.
    #[schemars(regex(pattern = r"^([^\s]{1,64}( [^\s]{1,64})*)?$"))]
    pub body_norm: &'a str,
    /// Canonical names of the entities the article mentions.
    pub entities: &'a BTreeSet<String>,
    /// The entity spellings as the article wrote them.
    pub forms: &'a BTreeSet<String>,
    /// Outlet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'a str>,
    /// The file's folder below the corpus root's parent, as a facet path.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^/"))]
    pub folder: Option<&'a str>,
    /// Publication date, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time", "pattern" = "Z$"))]
    pub date: Option<&'a str>,
    /// Headlines of related articles from the scraper trailer.
    pub related: &'a [&'a str],
    /// The near-duplicate cluster: 16 hex digits, shared by copies of one story.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^[0-9a-f]{16}$"))]
    pub cluster: Option<String>,
}

/// The token a remote engine holds for an entity term (`#isis` →
/// `nsentisis0`): see the module's documentation. A term too long for
/// [`analysis::MAX_TOKEN_BYTES`] keeps its start and gets a hash of the
/// whole, so two long names stay two tokens.
pub fn entity_token(term: &str) -> String {
    const HASH_CHARS: usize = 16;
    let core = term.strip_prefix(ENTITY_PREFIX).unwrap_or(term);
    let fixed = ENTITY_TOKEN_PREFIX.len() + ENTITY_TOKEN_SUFFIX.len_utf8();
    if core.len() + fixed <= analysis::MAX_TOKEN_BYTES {
        return format!("{ENTITY_TOKEN_PREFIX}{core}{ENTITY_TOKEN_SUFFIX}");
    }
    let hash = blake3::hash(core.as_bytes()).to_hex();
    let mut cut = analysis::MAX_TOKEN_BYTES - fixed - HASH_CHARS;
    while !core.is_char_boundary(cut) {
        cut -= 1;
    }
    let kept = core.get(..cut).unwrap_or_default();
    format!("{ENTITY_TOKEN_PREFIX}{kept}{}{ENTITY_TOKEN_SUFFIX}", &hash.as_str()[..HASH_CHARS])
}

/// What the normaliser found in the texts of one article.
#[derive(Debug, Default)]
pub struct Mentions {
    /// Canonical names.
    pub entities: BTreeSet<String>,
    /// Spellings as written.
    pub forms: BTreeSet<String>,
}

impl Mentions {
    /// Forgets the last article's mentions, keeping the allocations.
    pub fn clear(&mut self) {
        self.entities.clear();
        self.forms.clear();
    }
}

/// Writes texts as the one analyzer normalises them (see the module docs).
pub struct Normalizer {
    analyzer: TextAnalyzer,
    /// Entity term (`#isis`) → (canonical name, remote token).
    entities: HashMap<String, (String, String)>,
}

impl Normalizer {
    /// A normaliser for an index's alias table. It runs the analyzer queries
    /// are read with (canonical terms only): the index's stream minus the
    /// literal copies (`=isil`), which the export keeps no field for.
    pub fn new(aliases: &Arc<Aliases>) -> Normalizer {
        let entities = aliases
            .entities()
            .iter()
            .map(|e| (e.term.clone(), (e.name.clone(), entity_token(&e.term))))
            .collect();
        Normalizer { analyzer: analysis::query_analyzer(aliases, false), entities }
    }

    /// The remote token of an entity term (`#isis`), if the table has it.
    pub fn token_of_term(&self, term: &str) -> Option<&str> {
        self.entities.get(term).map(|(_, token)| token.as_str())
    }

    /// Writes the normalised form of `text` to `out` (cleared first), and
    /// adds the entities it mentions, with their spellings, to `mentions`.
    pub fn normalize(&mut self, text: &str, out: &mut String, mentions: &mut Mentions) {
        out.clear();
        let mut stream = self.analyzer.token_stream(text);
        let mut next_position = 0;
        while stream.advance() {
            let token = stream.token();
            // A position the analyzer skipped stays a position remotely.
            for _ in next_position..token.position {
                push_token(out, GAP_TOKEN);
            }
            next_position = token.position + 1;
            match self.entities.get(&token.text) {
                Some((name, remote)) => {
                    push_token(out, remote);
                    if !mentions.entities.contains(name) {
                        mentions.entities.insert(name.clone());
                    }
                    if let Some(written) = text.get(token.offset_from..token.offset_to) {
                        mentions.forms.insert(written.to_owned());
                    }
                }
                None => push_token(out, &token.text),
            }
        }
    }
}

fn push_token(out: &mut String, token: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(token);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(text: &str) -> (String, Mentions) {
        let aliases = Arc::new(Aliases::built_in().unwrap());
        let mut normalizer = Normalizer::new(&aliases);
        let (mut out, mut mentions) = (String::new(), Mentions::default());
        normalizer.normalize(text, &mut out, &mut mentions);
        (out, mentions)
    }

    #[test]
    fn every_spelling_becomes_one_entity_token() {
        let (daesh, found) = normalized("Daesh fighters left Sirt");
        let (state, _) = normalized("Islamic State fighters left Sirte");
        let (long, _) = normalized("Islamic State of Iraq and the Levant fighters left Sirte");
        assert_eq!(daesh, "nsentisis0 fighters left nsentsirte0");
        assert_eq!(daesh, state);
        assert_eq!(daesh, long);
        assert!(found.entities.contains("ISIS"), "{:?}", found.entities);
        assert!(found.forms.contains("Daesh") && found.forms.contains("Sirt"), "{:?}", found.forms);
    }

    #[test]
    fn a_dropped_overlong_word_goes_as_in_the_index() {
        // The alias filter numbers positions anew, so in newsearch's index the
        // phrase "barrel bombs" matches across the dropped word: remotely too.
        let (text, _) = normalized(&format!("barrel {} bombs", "x".repeat(70)));
        assert_eq!(text, "barrel bombs");
    }

    #[test]
    fn entity_tokens_survive_the_remote_tokenizer_and_stemmer() {
        let aliases = Aliases::built_in().unwrap();
        let mut stock = tantivy::tokenizer::TextAnalyzer::builder(
            tantivy::tokenizer::SimpleTokenizer::default(),
        )
        .filter(tantivy::tokenizer::LowerCaser)
        .filter(tantivy::tokenizer::Stemmer::new(tantivy::tokenizer::Language::English))
        .build();
        let mut tokens = BTreeSet::new();
        for entity in aliases.entities() {
            let token = entity_token(&entity.term);
            assert!(token.len() <= analysis::MAX_TOKEN_BYTES, "{token}");
            let mut stream = stock.token_stream(&token);
            assert!(stream.advance(), "{token}");
            assert_eq!(stream.token().text, token, "split or stemmed");
            assert!(!stream.advance(), "{token} is more than one token");
            assert!(tokens.insert(token.clone()), "{token} twice");
        }
    }

    #[test]
    fn long_entity_terms_stay_distinct_and_short() {
        let a = entity_token(&format!("#{}a", "x".repeat(80)));
        let b = entity_token(&format!("#{}b", "x".repeat(80)));
        assert_ne!(a, b);
        assert_eq!(a.len(), analysis::MAX_TOKEN_BYTES);
        assert!(a.ends_with(ENTITY_TOKEN_SUFFIX) && a.starts_with(ENTITY_TOKEN_PREFIX));
    }
}
