//! Stage 5 (query): a [`SearchRequest`] → a tantivy `Query`.
//!
//! tantivy's grammar parses the user's text; [`tree`] reads the grammar tree
//! as the analyzer reads articles (multi-word alias spellings, headlines in
//! capitals), and [`build`](mod@build) makes the query from it, with stem groups, names
//! resolved and BM25F scoring ([`bm25f`]). Dates and `--filter`s are
//! added as required clauses that do not score. [`search_request`] turns the
//! command line (a [`QueryArgs`]) into the request once the index is open, and
//! [`batch::run`] runs `--batch`.

mod args;
pub mod batch;
pub mod bm25f;
pub mod build;
pub mod expand;
mod filter;
pub mod tree;

use std::collections::BTreeSet;
use std::ops::Bound;

use chrono::{DateTime, SecondsFormat, Utc};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DateTime as TantivyDate, Term};

use crate::analysis::{self, stems::StemTable};
use crate::dates::SlashDates;
use crate::error::{Error, Result};

use crate::fields;
use crate::store::Store;
pub use args::{QueryArgs, check_args, request_with, search_request};
pub(crate) use filter::Filter;

/// How hits are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// BM25, title boosted; ties newest first.
    #[default]
    Relevance,
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
}

/// A facet a request can count: one typed kind from the command line (clap's
/// `ValueEnum`; the doc comments are `--help`'s) through the collectors to the
/// output, which alone turns it into its [`name`](FacetKind::name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum FacetKind {
    /// Outlet.
    Source,
    /// Folder.
    Folder,
    /// Canonical entity.
    Entity,
    /// Spelling of an entity, as the alias table lists it.
    Form,
    /// Line of renamed entities, counted as one.
    Lineage,
    /// Publication year.
    Year,
    /// Publication month.
    Month,
    /// The words most over-represented in the hits against the rest of the
    /// index (log-likelihood G², with the log ratio).
    Terms,
}

impl FacetKind {
    /// The kind a name in requests names (`source`, ..., `month`).
    pub fn from_name(name: &str) -> Option<FacetKind> {
        [
            FacetKind::Source,
            FacetKind::Folder,
            FacetKind::Entity,
            FacetKind::Form,
            FacetKind::Lineage,
            FacetKind::Year,
            FacetKind::Month,
            FacetKind::Terms,
        ]
        .into_iter()
        .find(|kind| kind.name() == name)
    }

    /// The facet field that holds it, for the kinds counted from facet paths
    /// (sources, folders); the others are counted from terms and dates.
    pub fn facet_field(self) -> Option<&'static str> {
        match self {
            FacetKind::Source => Some(fields::SOURCE),
            FacetKind::Folder => Some(fields::FOLDER),
            FacetKind::Entity
            | FacetKind::Form
            | FacetKind::Lineage
            | FacetKind::Year
            | FacetKind::Month
            | FacetKind::Terms => None,
        }
    }

    /// Its name in requests and output.
    pub fn name(self) -> &'static str {
        match self {
            FacetKind::Source => fields::SOURCE,
            FacetKind::Folder => fields::FOLDER,
            FacetKind::Entity => fields::ENTITY,
            FacetKind::Form => fields::FORM,
            FacetKind::Lineage => fields::LINEAGE,
            FacetKind::Year => "year",
            FacetKind::Month => "month",
            FacetKind::Terms => "terms",
        }
    }
}

/// Buckets of a timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// Calendar days.
    Day,
    /// ISO weeks.
    Week,
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

/// Everything a search needs.
// Each flag is one independent option of `newsearch query`.
#[allow(clippy::struct_excessive_bools)]
#[derive(Clone, Debug)]
pub struct SearchRequest {
    /// The query in tantivy's syntax, aliases welcome.
    pub query: String,
    /// Hits to return; `None` returns every hit.
    pub limit: Option<usize>,
    /// Hits to skip.
    pub offset: usize,
    /// Earliest publication date, inclusive.
    pub since: Option<DateTime<Utc>>,
    /// Latest publication date, inclusive.
    pub until: Option<DateTime<Utc>>,
    /// `(field, value)` filters: AND across fields, OR within one.
    pub filters: Vec<(String, String)>,
    /// Facets to count over all hits.
    pub facets: Vec<FacetKind>,
    /// Order of hits.
    pub sort: Sort,
    /// Match any word instead of all.
    pub any: bool,
    /// Hits per period over all hits.
    pub timeline: Option<Period>,
    /// Attach tantivy's score explanation to each hit.
    pub explain: bool,
    /// Longest snippet, in characters.
    pub snippet_chars: usize,
    /// Match alias spellings as written (`ISIL` finds only `ISIL`), not as
    /// their entity. Applies to one-word spellings.
    pub literal: bool,
    /// Add words from the top hits to the query (pseudo-relevance feedback,
    /// RM3) and search again.
    pub expand: bool,
    /// Give each value of the entity facet its keyness against the whole
    /// index (G² and log ratio); needs [`FacetKind::Entity`] in `facets`.
    pub keyness: bool,
    /// One hit per story (near-duplicate cluster): its best-ranked member,
    /// with the other members among the hits as its copies; counts and facets
    /// count stories.
    pub collapse: bool,
}

impl SearchRequest {
    /// A request for `query` with the defaults of `newsearch query`.
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            limit: Some(10),
            offset: 0,
            since: None,
            until: None,
            filters: Vec::new(),
            facets: Vec::new(),
            sort: Sort::Relevance,
            any: false,
            timeline: None,
            explain: false,
            snippet_chars: DEFAULT_SNIPPET_CHARS,
            literal: false,
            expand: false,
            keyness: false,
            collapse: false,
        }
    }

    /// Options that make no sense together are a usage error.
    pub fn validate(&self) -> Result<()> {
        if self.keyness && !self.facets.contains(&FacetKind::Entity) {
            return Err(Error::Usage(
                "--keyness gives the values of --facet entity their G²: add --facet entity \
                 (--facet terms always has it)"
                    .into(),
            ));
        }
        if self.keyness && self.collapse {
            // The facet would count stories against a corpus counted in articles.
            return Err(Error::Usage(
                "--keyness compares articles with articles; with --collapse the entity facet \
                 counts stories: leave out one of them"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// A `FIELD:VALUE` filter as `--filter` and batch requests write it, or
/// `None` when either side is empty.
pub fn parse_filter(filter: &str) -> Option<(String, String)> {
    filter
        .split_once(':')
        .map(|(field, value)| (field.trim().to_owned(), value.to_owned()))
        .filter(|(field, value)| !field.is_empty() && !value.trim().is_empty())
}

/// Snippet length unless a request says otherwise, in characters.
pub const DEFAULT_SNIPPET_CHARS: usize = 220;

/// The analyzers query text is read with: the index's analyzer chain, but
/// emitting canonical terms (or literal spellings) where the index stores both.
#[derive(Clone)]
pub struct QueryTokenizers {
    canonical: TextAnalyzer,
    literal: TextAnalyzer,
}

impl QueryTokenizers {
    /// A copy of the canonical (or `literal`) query analyzer.
    pub fn analyzer(&self, literal: bool) -> TextAnalyzer {
        if literal { self.literal.clone() } else { self.canonical.clone() }
    }

    /// Analyzers for `store`'s alias table.
    pub fn new(store: &Store) -> QueryTokenizers {
        QueryTokenizers {
            canonical: analysis::query_analyzer(&store.aliases, false),
            literal: analysis::query_analyzer(&store.aliases, true),
        }
    }
}

/// Builds the tantivy query for `request` against `store`.
pub fn build(
    store: &Store,
    searcher: &tantivy::Searcher,
    tokenizers: &QueryTokenizers,
    request: &SearchRequest,
    expansion: &[expand::ExpansionTerm],
) -> Result<Box<dyn Query>> {
    build_searched(store, searcher, tokenizers, request, expansion).map(|(query, _)| query)
}

/// [`build()`], and the words and phrases the query searches for as written
/// (not `--expand`'s, nor those it excludes): what highlights and keyword-in-
/// context rows show.
pub fn build_searched(
    store: &Store,
    searcher: &tantivy::Searcher,
    tokenizers: &QueryTokenizers,
    request: &SearchRequest,
    expansion: &[expand::ExpansionTerm],
) -> Result<(Box<dyn Query>, Vec<bm25f::GroupQuery>)> {
    let query_error = |message: String| Error::Query { query: request.query.clone(), message };
    let text = request.query.trim();
    if text.is_empty() {
        return Err(query_error("empty query: write `*` to match every article".into()));
    }
    // A control character is a paste or encoding accident; searching without it would
    // answer a query the user did not write.
    if let Some((column, c)) =
        request.query.chars().enumerate().find(|(_, c)| c.is_control() && !c.is_whitespace())
    {
        let code = u32::from(c);
        return Err(query_error(format!(
            "control character U+{code:04X} at column {}",
            column + 1
        )));
    }
    let depth = nesting_depth(text);
    if depth > MAX_NESTING {
        return Err(query_error(format!(
            "nested {depth} levels deep (parentheses and NOT, - or + in a row); \
             at most {MAX_NESTING} are read"
        )));
    }
    let f = &store.fields;
    let mut groups = Vec::new();
    let main: Box<dyn Query> = if text == "*" {
        Box::new(AllQuery)
    } else {
        let spellings = |field: &str, value: &str| {
            let handle = if field == fields::SOURCE { f.source } else { f.folder };
            let wanted = requested_facet(field, value)?;
            facet_spellings(searcher, handle, wanted).map_err(|err| err.to_string())
        };
        let mut ast =
            tree::parse(text).ok_or_else(|| query_error(describe_syntax_error(&request.query)))?;
        tree::normalize(&mut ast, &store.aliases, &mut tokenizers.analyzer(false));
        let stems: Vec<StemTable> =
            searcher.segment_readers().iter().filter_map(StemTable::of_segment).collect();
        let analyzer = if request.literal { &tokenizers.literal } else { &tokenizers.canonical };
        let mut builder = build::Builder {
            fields: f,
            searcher,
            stems: &stems,
            analyzer: analyzer.clone(),
            literal: request.literal,
            default_occur: if request.any { Occur::Should } else { Occur::Must },
            repeats: build::word_repeats(text, &ast),
            // Read from the commit only when the query holds a date.
            slash_dates: if text.contains("date:") {
                store.slash_dates()?.unwrap_or_default()
            } else {
                SlashDates::default()
            },
            aliases: &store.aliases,
            facet_spellings: &spellings,
            groups: Vec::new(),
        };
        let main = builder.build(&ast).map_err(query_error)?;
        groups = std::mem::take(&mut builder.groups);
        if expansion.is_empty() { main } else { builder.expanded(main, text, expansion) }
    };

    // Dates and filters narrow the hits and add nothing to their scores: a filter
    // scored by BM25 would rank the hits by how short they are, or by how often
    // they name the filtered entity.
    // Each is named in explanations by the options that asked for it.
    let narrow = |query: Box<dyn Query>, name: String| -> (Occur, Box<dyn Query>) {
        (Occur::Must, Box::new(Filter::new(query, name)))
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, main)];
    if request.since.is_some() || request.until.is_some() {
        let bound = |date: Option<DateTime<Utc>>| match date {
            // Beyond what the index holds (`--until 9999`), the bound is its end.
            Some(date) => Bound::Included(Term::from_field_date(
                f.date,
                fields::index_date(&date).unwrap_or(if date.timestamp() < 0 {
                    TantivyDate::MIN
                } else {
                    TantivyDate::MAX
                }),
            )),
            None => Bound::Unbounded,
        };
        let named = |option: &str, date: Option<DateTime<Utc>>| {
            date.map(|date| format!("{option} {}", date.to_rfc3339_opts(SecondsFormat::Secs, true)))
        };
        let name = [named("--since", request.since), named("--until", request.until)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let range = RangeQuery::new(bound(request.since), bound(request.until));
        clauses.push(narrow(Box::new(range), name));
    }
    for group in filter_groups(store, searcher, &request.filters)? {
        let alternatives: Vec<(Occur, Box<dyn Query>)> =
            group.queries.into_iter().map(|query| (Occur::Should, query)).collect();
        clauses.push(narrow(Box::new(BooleanQuery::new(alternatives)), group.name));
    }
    let query: Box<dyn Query> =
        if clauses.len() == 1 { clauses.remove(0).1 } else { Box::new(BooleanQuery::new(clauses)) };
    Ok((query, groups))
}

/// The queries of one field's filters (any of them matches), named by them
/// (`--filter source:BBC or source:AP`).
struct FilterGroup {
    field: String,
    name: String,
    queries: Vec<Box<dyn Query>>,
}

/// Filter queries grouped by field, in the order fields first appear.
fn filter_groups(
    store: &Store,
    searcher: &tantivy::Searcher,
    filters: &[(String, String)],
) -> Result<Vec<FilterGroup>> {
    let f = &store.fields;
    let mut groups: Vec<FilterGroup> = Vec::new();
    for (field, value) in filters {
        let value = value.trim();
        let facet_query = |handle: Field| -> Result<Box<dyn Query>> {
            let wanted = requested_facet(field, value)
                .map_err(|err| Error::Usage(format!("--filter {field}:{value}: {err}")))?;
            let found =
                facet_spellings(searcher, handle, wanted).map_err(Error::index(&store.dir))?;
            let term_query = |facet: &Facet| -> (Occur, Box<dyn Query>) {
                let term = Term::from_facet(handle, facet);
                (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic)))
            };
            Ok(Box::new(BooleanQuery::new(found.iter().map(term_query).collect())))
        };
        let query = match field.as_str() {
            fields::SOURCE => facet_query(f.source)?,
            fields::FOLDER => facet_query(f.folder)?,
            fields::ENTITY => {
                let id = store.aliases.resolve(value).ok_or_else(|| {
                    Error::Usage(format!("--filter entity:{value}: not an entity of the index's alias table (see `newsearch aliases`)"))
                })?;
                entity_query(f, &store.aliases.entity(id).term)
            }
            fields::LINEAGE => {
                let members = store.aliases.resolve_lineage(value).ok_or_else(|| {
                    Error::Usage(format!("--filter lineage:{value}: not an entity of the index's alias table (see `newsearch aliases`)"))
                })?;
                lineage_query(store, &members)
            }
            other => {
                return Err(Error::Usage(format!(
                    "--filter {other}:{value}: filters work on source, folder, entity and lineage"
                )));
            }
        };
        match groups.iter_mut().find(|group| group.field == *field) {
            Some(group) => {
                group.name = format!("{} or {field}:{value}", group.name);
                group.queries.push(query);
            }
            None => groups.push(FilterGroup {
                field: field.clone(),
                name: format!("--filter {field}:{value}"),
                queries: vec![query],
            }),
        }
    }
    Ok(groups)
}

/// Articles that mention an entity: its canonical term in title or body, which
/// the analyzer writes for every spelling. The term is used as it is, not
/// analyzed again, so `--literal` does not change what a filter means.
fn entity_query(f: &fields::Fields, term: &str) -> Box<dyn Query> {
    let in_field = |field: Field| -> (Occur, Box<dyn Query>) {
        let term = Term::from_field_text(field, term);
        (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic)))
    };
    Box::new(BooleanQuery::new(f.entity_search().into_iter().map(in_field).collect()))
}

/// Articles that mention any entity of a lineage (`members`, as
/// [`analysis::Aliases::resolve_lineage`] gives them): the union of their
/// `entity` filters.
pub(crate) fn lineage_query(store: &Store, members: &[analysis::EntityId]) -> Box<dyn Query> {
    let f = &store.fields;
    let alternatives = members
        .iter()
        .map(|&id| (Occur::Should, entity_query(f, &store.aliases.entity(id).term)))
        .collect();
    Box::new(BooleanQuery::new(alternatives))
}

/// What a `source:` or `folder:` value names. A folder is a path (`bbc/business`
/// or `/bbc/business`, as the folder facet prints it: folder names hold no
/// `/`, so nothing in it is escaped); a source is one name, slashes and all
/// (`BBC/World`), unless written as a path from the root (`/FNA`).
pub fn requested_facet(field: &str, value: &str) -> std::result::Result<Facet, String> {
    if field == fields::SOURCE {
        return if value.starts_with('/') {
            Facet::from_text(value).map_err(|err| err.to_string())
        } else {
            Ok(Facet::from_path([value]))
        };
    }
    // `corpus/FNA/`, as a shell completes a folder, is the folder `corpus/FNA`.
    let steps = value.trim_matches('/');
    if steps.is_empty() {
        return Ok(Facet::root());
    }
    Ok(Facet::from_path(steps.split('/')))
}

/// The facets of `field` in the index that are `wanted` but for letter case,
/// or `wanted` itself (which matches nothing) when there are none. Sources and
/// folders are written as the scraper or the file system had them (`FNA`,
/// `Sahel Monitor`), and a researcher types `fna`: an exact match only would
/// answer "no hits" for a value the index holds. The facet dictionaries hold
/// one term per source or folder, so reading them is cheap.
pub fn facet_spellings(
    searcher: &tantivy::Searcher,
    field: Field,
    wanted: Facet,
) -> tantivy::Result<Vec<Facet>> {
    let key = fold_case(wanted.encoded_str());
    let mut found = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let terms = segment.inverted_index(field)?;
        let mut stream = terms.terms().stream()?;
        while stream.advance() {
            if let Ok(encoded) = std::str::from_utf8(stream.key())
                && fold_case(encoded) == key
            {
                found.insert(encoded.to_owned());
            }
        }
    }
    if found.is_empty() {
        return Ok(vec![wanted]);
    }
    Ok(found
        .into_iter()
        .filter_map(|encoded| Facet::from_encoded(encoded.into_bytes()).ok())
        .collect())
}

/// `text` as `source:` and `folder:` compare it, and as their facets merge it:
/// letter case aside.
pub fn fold_case(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// Deepest nesting a query may have. tantivy's parser recurses once a level, and
/// some thousands of levels overflow the stack, which aborts the process (a
/// whole `--batch` with it) instead of failing the one query.
const MAX_NESTING: usize = 100;

/// How deeply `text` nests, counted generously: open parentheses plus the
/// unary operators (`NOT`, a leading `-` or `+`) stacked before the next word.
/// Quoted phrases are words.
fn nesting_depth(text: &str) -> usize {
    let (mut deepest, mut open, mut unary) = (0, 0_usize, 0);
    let mut in_phrase = false;
    let mut word_start = true;
    let mut word = String::new();
    let end_word = |word: &mut String, unary: &mut usize| {
        if word == "NOT" {
            *unary += 1;
        } else if !word.is_empty() {
            *unary = 0;
        }
        word.clear();
    };
    for c in text.chars() {
        if in_phrase {
            in_phrase = c != '"';
            continue;
        }
        match c {
            '"' => {
                in_phrase = true;
                unary = 0;
            }
            '(' => {
                end_word(&mut word, &mut unary);
                open += 1;
            }
            ')' => {
                end_word(&mut word, &mut unary);
                open = open.saturating_sub(1);
                unary = 0;
            }
            '-' | '+' if word_start => unary += 1,
            c if c.is_whitespace() => end_word(&mut word, &mut unary),
            c => word.push(c),
        }
        word_start = c.is_whitespace() || matches!(c, '(' | '-' | '+');
        deepest = deepest.max(open + unary);
    }
    deepest
}

/// tantivy's grammar says only "syntax error"; its lenient reading knows where.
fn describe_syntax_error(text: &str) -> String {
    let (_, errors) = tantivy::query_grammar::parse_query_lenient(text);
    if let Some(first) = errors.first() {
        let before = text.get(..first.pos).unwrap_or_default().trim_end();
        if let Some(field) = fields::NAME_FACETS
            .iter()
            .chain([&fields::ENTITY, &fields::LINEAGE])
            .find(|field| before.ends_with(&format!("{field}:")))
        {
            return format!(
                "`{field}:` needs a name right after the colon: {field}:NAME, or \
                 {field}:\"two words\""
            );
        }
        let column = text.get(..first.pos).map_or(first.pos, |s| s.chars().count()) + 1;
        return format!("syntax error at column {column}: {}", first.message.to_lowercase());
    }
    "syntax error".to_owned()
}

#[cfg(test)]
mod tests {
    use super::nesting_depth;

    #[test]
    fn nesting_counts_parentheses_and_stacked_unary_operators() {
        assert_eq!(nesting_depth("Sirte"), 0);
        assert_eq!(nesting_depth("al-Qaeda AND (Sirte OR Mosul) -Raqqa"), 1);
        assert_eq!(nesting_depth("(((Sirte)))"), 3);
        assert_eq!(nesting_depth("* NOT NOT NOT Sirte"), 3);
        assert_eq!(nesting_depth("-(-(Sirte))"), 4);
        assert_eq!(nesting_depth("(a) (b) (c)"), 1, "siblings do not nest");
        assert_eq!(nesting_depth("NOT a NOT b NOT c"), 1, "a word ends a run of NOTs");
        assert_eq!(nesting_depth("\"((( NOT NOT\" x"), 0, "a phrase is a word");
    }
}
