//! `newsearch query Q --print-remote quickwit|opensearch` (issue 17): the
//! request a remote engine needs to answer a query as `newsearch query` does,
//! over the files `newsearch export` wrote.
//!
//! The query is read exactly as `query` reads it: tantivy's grammar tree,
//! normalised by [`query::tree`] (multi-word spellings, headlines in
//! capitals), each word or phrase analysed by the one analyzer and expanded
//! by [`Builder::forms`] into the indexed forms of its stem group. The
//! translation walks that same tree into an [`Expr`] with tantivy's boolean
//! semantics, which [`quickwit`] and [`opensearch`] write out:
//!
//! - words and phrases search `title_norm` and `body_norm` (or the one field
//!   named), each position holding any of its forms; entity terms become their
//!   remote tokens ([`Normalizer::token_of_term`]). A phrase whose positions
//!   hold several forms becomes the alternatives of its phrases (at most
//!   [`MAX_PHRASES`]), since neither query language has a multi-form phrase.
//! - `entity:`, `--filter entity:` search the entity token; `source:` and
//!   `folder:` the raw keyword values the export wrote (a folder with every
//!   folder under it, as newsearch's folder facet matches them).
//! - dates and date ranges become inclusive ranges of seconds.
//! - BM25F over title and body has no remote twin: title clauses get a boost
//!   of [`TITLE_WEIGHT`] (the hits are the same; their order is an
//!   approximation). Optional clauses beside required ones change only the
//!   order in newsearch and are left out.
//!
//! Refused, with a message that says why: `--keyness` (an aggregation counts
//! hits, not keyness), `--literal` (the export keeps no
//! literal spellings), `--expand` (its words come from newsearch's own top
//! hits), `related:` (written as is, not normalised), ranges over text, and
//! phrases with `~N` (newsearch's slop is the words' extra distance in all,
//! in order; Lucene's and tantivy's is counted otherwise and allows swaps).

pub mod opensearch;
pub mod quickwit;

use std::path::Path;

use chrono::{DateTime, Utc};
use tantivy::query::Occur;
use tantivy::query_grammar::{
    Delimiter, UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral,
};
use tantivy::schema::{Facet, Field};

use super::document::{self, Normalizer, entity_token};
use crate::analysis::{ENTITY_PREFIX, stems::StemTable};
use crate::dates::{SlashDates, parse_date_bound};
use crate::error::{Error, Result};
use crate::fields;
use crate::query::bm25f::TITLE_WEIGHT;
use crate::query::build::{Builder, FacetSpellings};
use crate::query::{
    self, FacetKind, Period, QueryArgs, QueryTokenizers, SearchRequest, Sort, facet_spellings,
    requested_facet,
};
use crate::store::{self, Store};

/// The remote engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Quickwit 0.9's search API.
    Quickwit,
    /// `OpenSearch`'s (and Elasticsearch's) `_search`.
    OpenSearch,
}

/// Most phrases one quoted phrase may become (the product of its positions'
/// form counts).
pub const MAX_PHRASES: usize = 64;

/// A query in tantivy's boolean semantics, over the exported fields.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// Every document.
    All,
    /// No document.
    Nothing,
    /// A word (one position) or a phrase: per position the tokens it matches,
    /// in any of the fields (name, boost).
    Text {
        /// `title_norm` and `body_norm`, or one of them, with boosts.
        fields: Vec<(&'static str, f32)>,
        /// Per position, its forms.
        slots: Vec<Vec<String>>,
        /// Positions a phrase's words may stand apart.
        slop: u32,
    },
    /// Any of these exact values of a keyword field.
    Keyword {
        /// The field.
        field: &'static str,
        /// The values.
        values: Vec<String>,
    },
    /// Dates between the bounds, inclusive.
    Dates {
        /// First second.
        from: Option<DateTime<Utc>>,
        /// Last second.
        to: Option<DateTime<Utc>>,
    },
    /// tantivy's boolean query: every `must`, at least one `should` when
    /// there is no `must`, no `must_not`.
    Bool {
        /// Required.
        must: Vec<Expr>,
        /// Optional (one required when `must` is empty).
        should: Vec<Expr>,
        /// Excluded.
        must_not: Vec<Expr>,
    },
    /// A weighted clause.
    Boost(Box<Expr>, f32),
}

impl Expr {
    /// The phrases (or words) of a text clause: every combination of forms.
    pub fn phrases(slots: &[Vec<String>]) -> Vec<Vec<&str>> {
        let mut phrases: Vec<Vec<&str>> = vec![Vec::new()];
        for slot in slots {
            let mut next = Vec::with_capacity(phrases.len() * slot.len());
            for phrase in &phrases {
                for form in slot {
                    let mut longer = phrase.clone();
                    longer.push(form.as_str());
                    next.push(longer);
                }
            }
            phrases = next;
        }
        phrases
    }
}

/// A query translated: what the remote request is made from.
#[derive(Clone, Debug)]
pub struct Translation {
    /// The query with its filters (not `--since`/`--until`).
    pub query: Expr,
    /// `--since`.
    pub since: Option<DateTime<Utc>>,
    /// `--until`.
    pub until: Option<DateTime<Utc>>,
    /// Hits to return (`--all`: every document of the index).
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
    /// Order of hits.
    pub sort: Sort,
    /// Facets to count.
    pub facets: Vec<FacetKind>,
    /// Timeline buckets.
    pub timeline: Option<Period>,
}

/// The request for `target`, as JSON, and notes for the user (what the
/// remote request approximates).
pub fn print_remote(
    dir: &Path,
    args: &QueryArgs,
    target: Target,
) -> Result<(serde_json::Value, Vec<String>)> {
    let translation = translate(dir, args)?;
    let to_json = |err: serde_json::Error| Error::Usage(format!("cannot write the request: {err}"));
    Ok(match target {
        Target::Quickwit => {
            let (body, notes) = quickwit::search_body(&translation)?;
            (serde_json::to_value(body).map_err(to_json)?, notes)
        }
        Target::OpenSearch => {
            let (body, notes) = opensearch::search_body(&translation)?;
            (serde_json::to_value(body).map_err(to_json)?, notes)
        }
    })
}

/// Reads `args` against the index at `dir` as `newsearch query` would, and
/// translates it (see the module docs).
pub fn translate(dir: &Path, args: &QueryArgs) -> Result<Translation> {
    if args.literal {
        return Err(Error::Usage(
            "--print-remote cannot translate --literal: the export writes every alias spelling \
             as its entity's token and keeps no literal spellings to match"
                .into(),
        ));
    }
    if args.collapse {
        return Err(Error::Usage(
            "--print-remote cannot translate --collapse: a remote engine can collapse hits on the \
             exported `cluster` field, but its totals and aggregations count articles, not stories"
                .into(),
        ));
    }
    if args.keyness {
        return Err(Error::Usage(
            "--print-remote cannot translate --keyness: a terms aggregation counts the hits, \
             not how over-represented each entity is against the whole index"
                .into(),
        ));
    }
    if args.expand {
        return Err(Error::Usage(
            "--print-remote cannot translate --expand: its words come from newsearch's own top \
             hits; run `newsearch query --expand --format json`, and add the words it lists"
                .into(),
        ));
    }
    let store = store::open(dir)?;
    let slash = store.slash_dates()?.unwrap_or_default();
    let mut request = query::request_with(args, slash)?;
    // The export keeps entities, not the spelling each article used or the
    // table's lineages: a remote engine has nothing to count them by.
    if let Some(kind) = request
        .facets
        .iter()
        .find(|kind| matches!(kind, FacetKind::Form | FacetKind::Lineage | FacetKind::Terms))
    {
        return Err(Error::Usage(format!(
            "--print-remote cannot translate --facet {}: the export holds each article's \
             entities, not its spellings, the alias table's lineages or newsearch's keyness",
            kind.name()
        )));
    }
    if request.query.trim().is_empty() {
        "*".clone_into(&mut request.query);
    }
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let tokenizers = QueryTokenizers::new(&store);
    // The same checks, and the same messages, as `newsearch query`.
    query::build(&store, &searcher, &tokenizers, &request, &[])?;
    let query = Translator::new(&store, &searcher, &tokenizers, &request, slash)
        .request(&request)
        .map_err(|message| Error::Usage(format!("--print-remote: {message}")))?;
    Ok(Translation {
        query,
        since: request.since,
        until: request.until,
        limit: request
            .limit
            .unwrap_or_else(|| usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX)),
        offset: request.offset,
        sort: request.sort,
        facets: request.facets.clone(),
        timeline: request.timeline,
    })
}

struct Translator<'a> {
    store: &'a Store,
    searcher: &'a tantivy::Searcher,
    stems: Vec<StemTable>,
    tokenizers: &'a QueryTokenizers,
    normalizer: Normalizer,
    default_occur: Occur,
    slash: SlashDates,
}

impl<'a> Translator<'a> {
    fn new(
        store: &'a Store,
        searcher: &'a tantivy::Searcher,
        tokenizers: &'a QueryTokenizers,
        request: &SearchRequest,
        slash: SlashDates,
    ) -> Translator<'a> {
        Translator {
            store,
            searcher,
            stems: searcher.segment_readers().iter().filter_map(StemTable::of_segment).collect(),
            tokenizers,
            normalizer: Normalizer::new(&store.aliases),
            default_occur: if request.any { Occur::Should } else { Occur::Must },
            slash,
        }
    }

    /// The main query and the `--filter`s, all required.
    fn request(&mut self, request: &SearchRequest) -> std::result::Result<Expr, String> {
        let text = request.query.trim();
        let main = if text == "*" {
            Expr::All
        } else {
            let mut ast = query::tree::parse(text).ok_or("the query does not parse")?;
            query::tree::normalize(
                &mut ast,
                &self.store.aliases,
                &mut self.tokenizers.analyzer(false),
            );
            self.node(&ast)?.unwrap_or(Expr::Nothing)
        };
        let mut must = vec![main];
        // AND across fields, OR within one, in the order fields first appear.
        let mut groups: Vec<(&str, Vec<Expr>)> = Vec::new();
        for (field, value) in &request.filters {
            let value = value.trim();
            let expr = match field.as_str() {
                fields::ENTITY => self.entity(value)?,
                fields::SOURCE | fields::FOLDER => self.facet(field, value)?,
                other => return Err(format!("--filter {other}: not a filter field")),
            };
            match groups.iter_mut().find(|(name, _)| name == field) {
                Some((_, alternatives)) => alternatives.push(expr),
                None => groups.push((field, vec![expr])),
            }
        }
        for (_, mut alternatives) in groups {
            must.push(if alternatives.len() == 1 {
                alternatives.remove(0)
            } else {
                Expr::Bool { must: Vec::new(), should: alternatives, must_not: Vec::new() }
            });
        }
        Ok(if must.len() == 1 {
            must.remove(0)
        } else {
            Expr::Bool { must, should: Vec::new(), must_not: Vec::new() }
        })
    }

    /// As [`Builder::build`] reads the tree.
    fn node(&mut self, ast: &UserInputAst) -> std::result::Result<Option<Expr>, String> {
        match ast {
            UserInputAst::Clause(children) => {
                let (mut must, mut should, mut must_not) = (Vec::new(), Vec::new(), Vec::new());
                for (occur, child) in children {
                    let Some(expr) = self.node(child)? else { continue };
                    match occur.unwrap_or(self.default_occur) {
                        Occur::Must => must.push(expr),
                        Occur::Should => should.push(expr),
                        Occur::MustNot => must_not.push(expr),
                    }
                }
                if must.is_empty() && should.is_empty() {
                    if must_not.is_empty() {
                        return Ok(None);
                    }
                    should.push(Expr::All);
                }
                if must_not.is_empty() && must.len() + should.len() == 1 {
                    return Ok(must.pop().or_else(|| should.pop()));
                }
                Ok(Some(Expr::Bool { must, should, must_not }))
            }
            UserInputAst::Boost(inner, boost) => {
                Ok(self.node(inner)?.map(|expr| Expr::Boost(Box::new(expr), boost.0 as f32)))
            }
            UserInputAst::Leaf(leaf) => self.leaf(leaf),
        }
    }

    fn leaf(&mut self, leaf: &UserInputLeaf) -> std::result::Result<Option<Expr>, String> {
        match leaf {
            UserInputLeaf::Literal(literal) => self.literal(literal),
            UserInputLeaf::All => Ok(Some(Expr::All)),
            UserInputLeaf::Range { field, lower, upper } => {
                if field.as_deref() != Some(fields::DATE) {
                    return Err(format!(
                        "`{}:[..]`: only date ranges are translated",
                        field.as_deref().unwrap_or_default()
                    ));
                }
                let second = chrono::Duration::seconds(1);
                let bound = |text: &str, end: bool| {
                    parse_date_bound(text, self.slash, end)
                        .ok_or_else(|| format!("`{text}` is not a date"))
                };
                let from = match lower {
                    UserInputBound::Inclusive(text) => Some(bound(text, false)?),
                    UserInputBound::Exclusive(text) => Some(bound(text, true)? + second),
                    UserInputBound::Unbounded => None,
                };
                let to = match upper {
                    UserInputBound::Inclusive(text) => Some(bound(text, true)?),
                    UserInputBound::Exclusive(text) => Some(bound(text, false)? - second),
                    UserInputBound::Unbounded => None,
                };
                Ok(Some(Expr::Dates { from, to }))
            }
            UserInputLeaf::Set { field, elements } => {
                let mut should = Vec::new();
                for element in elements {
                    let literal = UserInputLiteral {
                        field_name: field.clone(),
                        phrase: element.clone(),
                        delimiter: Delimiter::None,
                        slop: 0,
                        prefix: false,
                    };
                    should.extend(self.literal(&literal)?);
                }
                Ok((!should.is_empty()).then(|| Expr::Bool {
                    must: Vec::new(),
                    should,
                    must_not: Vec::new(),
                }))
            }
            UserInputLeaf::Exists { field } => Err(format!("`{field}:*` is not supported")),
            UserInputLeaf::Regex { .. } => Err("regular expressions are not supported".into()),
        }
    }

    fn literal(&mut self, literal: &UserInputLiteral) -> std::result::Result<Option<Expr>, String> {
        let text = literal.phrase.as_str();
        let field = literal.field_name.as_deref();
        match field {
            Some(name @ (fields::SOURCE | fields::FOLDER)) => {
                return self.facet(name, text).map(Some);
            }
            Some(fields::ID) => return Ok(Some(keyword(document::ID, text))),
            Some(fields::URL) => return Ok(Some(keyword(document::URL, text))),
            Some(fields::PATH) => return Ok(Some(keyword(document::PATH, text))),
            Some(fields::DATE) => {
                let bound = |end| {
                    parse_date_bound(text, self.slash, end)
                        .ok_or_else(|| format!("`{text}` is not a date"))
                };
                return Ok(Some(Expr::Dates { from: Some(bound(false)?), to: Some(bound(true)?) }));
            }
            Some(fields::ENTITY) => return self.entity(text).map(Some),
            Some(fields::RELATED) => {
                return Err(
                    "`related:` is not translated: the export keeps related headlines as written, \
                     not normalised"
                        .into(),
                );
            }
            _ => {}
        }
        let remote = remote_fields(field)?;
        let mut builder = self.builder();
        let weighted = builder.text_fields(field).ok_or("unknown field")?;
        let words = builder.analyze(text);
        if words.is_empty() {
            return Ok(None);
        }
        let mut slots = Vec::with_capacity(words.len());
        for word in &words {
            let mut forms: Vec<String> = builder
                .forms(word, &weighted)
                .iter()
                .filter_map(|form| self.remote_token(form))
                .collect();
            forms.dedup();
            if forms.is_empty() {
                forms.push(NOTHING_TOKEN.to_owned());
            }
            slots.push(forms);
        }
        let phrases: usize = slots.iter().map(Vec::len).product();
        if phrases > MAX_PHRASES {
            return Err(format!(
                "\"{text}\": its words' stem groups make {phrases} phrases (at most {MAX_PHRASES} \
                 are written); quote fewer words, or write them as newsearch should match them"
            ));
        }
        let slop = if literal.delimiter == Delimiter::None { 0 } else { literal.slop };
        if slop > 0 && slots.len() > 1 {
            return Err(format!(
                "\"{text}\"~{slop}: newsearch lets a phrase's words stand {slop} positions apart \
                 in all and in order; the remote engines count slop per pair of words and let \
                 them swap places, so the hits would differ: write the phrase without ~{slop}"
            ));
        }
        Ok(Some(Expr::Text { fields: remote, slots, slop }))
    }

    /// A builder over the index, for its analyzer and stem groups.
    fn builder(&self) -> Builder<'_> {
        Builder {
            fields: &self.store.fields,
            searcher: self.searcher,
            stems: &self.stems,
            analyzer: self.tokenizers.analyzer(false),
            literal: false,
            default_occur: self.default_occur,
            repeats: std::collections::HashMap::new(),
            slash_dates: self.slash,
            aliases: &self.store.aliases,
            facet_spellings: &no_spellings as &FacetSpellings<'_>,
            groups: Vec::new(),
        }
    }

    /// The token the export writes for an indexed form, or `None` for a form
    /// it never writes (literal copies of spellings).
    fn remote_token(&self, form: &str) -> Option<String> {
        if form.starts_with(ENTITY_PREFIX) {
            return Some(
                self.normalizer
                    .token_of_term(form)
                    .map_or_else(|| entity_token(form), str::to_owned),
            );
        }
        form.chars().all(char::is_alphanumeric).then(|| form.to_owned())
    }

    /// Articles that mention the entity `name` (any spelling).
    fn entity(&self, name: &str) -> std::result::Result<Expr, String> {
        let aliases = &self.store.aliases;
        let id = aliases.resolve(name).ok_or_else(|| format!("`{name}` is not an entity"))?;
        let term = &aliases.entity(id).term;
        let token = self.remote_token(term).unwrap_or_else(|| entity_token(term));
        Ok(Expr::Text { fields: remote_fields(None)?, slots: vec![vec![token]], slop: 0 })
    }

    /// `source:` or `folder:` `value`: the exported values it names, found in
    /// the index as newsearch finds them (letter case aside; a folder with the
    /// folders under it).
    fn facet(&self, field: &str, value: &str) -> std::result::Result<Expr, String> {
        let f = &self.store.fields;
        let (handle, remote) = if field == fields::SOURCE {
            (f.source, document::SOURCE)
        } else {
            (f.folder, document::FOLDER)
        };
        let wanted = requested_facet(field, value)?;
        let found = facet_spellings(self.searcher, handle, wanted).map_err(|e| e.to_string())?;
        let mut values = Vec::new();
        for facet in found {
            if field == fields::SOURCE {
                values.extend(facet.to_path().last().map(|s| (*s).to_owned()));
            } else {
                values.extend(self.folders_under(handle, &facet).map_err(|e| e.to_string())?);
            }
        }
        values.sort();
        values.dedup();
        Ok(Expr::Keyword { field: remote, values })
    }

    /// `facet` and every folder under it, as the export writes folders.
    fn folders_under(&self, handle: Field, facet: &Facet) -> tantivy::Result<Vec<String>> {
        let key = facet.encoded_str();
        let mut found = vec![facet.to_path_string()];
        for segment in self.searcher.segment_readers() {
            let terms = segment.inverted_index(handle)?;
            let mut stream = terms.terms().stream()?;
            while stream.advance() {
                if let Ok(encoded) = std::str::from_utf8(stream.key())
                    && encoded.len() > key.len()
                    && encoded.starts_with(key)
                    && encoded.as_bytes()[key.len()] == 0
                    && let Ok(child) = Facet::from_encoded(encoded.as_bytes().to_vec())
                {
                    found.push(child.to_path_string());
                }
            }
        }
        Ok(found)
    }
}

/// `source:` and `folder:` are translated here, not by the builder.
fn no_spellings(_: &str, _: &str) -> std::result::Result<Vec<Facet>, String> {
    Err("not used".to_owned())
}

/// No exported document holds this token: it stands for a word the index
/// does not hold (which matches nothing in newsearch either).
pub const NOTHING_TOKEN: &str = "nsnone0";

fn keyword(field: &'static str, value: &str) -> Expr {
    Expr::Keyword { field, values: vec![value.to_owned()] }
}

/// The normalised fields a word searches, with their boosts.
fn remote_fields(field: Option<&str>) -> std::result::Result<Vec<(&'static str, f32)>, String> {
    Ok(match field {
        None | Some(fields::ENTITY) => {
            vec![(document::TITLE_NORM, TITLE_WEIGHT), (document::BODY_NORM, 1.0)]
        }
        Some(fields::TITLE) => vec![(document::TITLE_NORM, 1.0)],
        Some(fields::BODY) => vec![(document::BODY_NORM, 1.0)],
        Some(other) => return Err(format!("`{other}:` is not a field the export searches")),
    })
}
