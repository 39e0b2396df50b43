//! Query text → tantivy query, built on tantivy's own grammar tree
//! (`tantivy::query_grammar`), not by re-writing text for its query parser.
//!
//! Each word or quoted phrase goes through the one analyzer (so alias
//! spellings become their entity's term), then each of its words becomes the
//! group of indexed forms with the same stem ([`super::bm25f::GroupQuery`]):
//! `strike` matches `strikes`, and `"barrel bombs"` matches "barrel bomb".
//! Entity terms and `--literal` words are matched exactly. Words without a
//! field search title and body as one text (BM25F); `title:`, `body:` and
//! `related:` search that field alone.

use std::collections::HashMap;
use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::query_grammar::{
    Delimiter, UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral,
};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DateTime as TantivyDate, Term};

use super::Filter;
use super::bm25f::{GroupQuery, TITLE_WEIGHT, WeightedField};
use super::expand::{ExpansionTerm, ORIGINAL_WEIGHT};
use crate::analysis::Aliases;
use crate::analysis::stems::{self, StemTable};
use crate::dates;
use crate::dates::SlashDates;
use crate::fields::{self, Fields};

/// What a query is built against.
pub struct Builder<'a> {
    /// The index's fields.
    pub fields: &'a Fields,
    /// For which forms are indexed.
    pub searcher: &'a tantivy::Searcher,
    /// The stem tables of the searcher's segments.
    pub stems: &'a [StemTable],
    /// The query analyzer (canonical or literal spellings).
    pub analyzer: TextAnalyzer,
    /// Match words as written: no stem groups.
    pub literal: bool,
    /// How clauses without `+`, `-`, AND or OR combine.
    pub default_occur: Occur,
    /// How often each word of a plain list of words was written (see
    /// [`word_repeats`]); empty for other queries.
    pub repeats: HashMap<String, u32>,
    /// How the index reads `4/5/2017`, for dates in the query.
    pub slash_dates: SlashDates,
    /// The alias table, which `entity:` values name.
    pub aliases: &'a Aliases,
    /// The facets in the index that a `source:` or `folder:` value names
    /// (`source:fna` → `/FNA`; at least one), or why it names none.
    pub facet_spellings: &'a FacetSpellings<'a>,
    /// The word and phrase groups the query searches for (not those it
    /// excludes), in the order written: what highlights and KWIC rows show.
    pub groups: Vec<GroupQuery>,
}

/// See [`Builder::facet_spellings`]: `(field, value)` → facets.
pub type FacetSpellings<'a> = dyn Fn(&str, &str) -> Result<Vec<Facet>, String> + 'a;

/// How often each word or quoted phrase stands in `query`, when `ast` is a
/// plain list of them (no operators, fields or groups): tantivy's grammar
/// keeps one leaf of each, and a long pasted query's repeats say what it is
/// about. Empty for any other query.
pub fn word_repeats(query: &str, ast: &UserInputAst) -> HashMap<String, u32> {
    let UserInputAst::Clause(children) = ast else { return HashMap::new() };
    let plain = children.iter().all(|(occur, child)| {
        occur.is_none()
            && matches!(child, UserInputAst::Leaf(leaf) if matches!(&**leaf,
                UserInputLeaf::Literal(l) if l.field_name.is_none() && l.slop == 0 && !l.prefix))
    });
    let mut counts = HashMap::new();
    if !plain {
        return counts;
    }
    let mut rest = query.trim_start();
    while !rest.is_empty() {
        let (word, after) = match rest.strip_prefix('"') {
            Some(quoted) => quoted.split_once('"').unwrap_or((quoted, "")),
            None => rest.split_once(char::is_whitespace).unwrap_or((rest, "")),
        };
        *counts.entry(word.to_owned()).or_default() += 1;
        rest = after.trim_start();
    }
    counts
}

/// How a word repeated in a query counts: `n` times it weighs `n^0.7`. Long
/// queries (a pasted paragraph) repeat their topic's words; counting each
/// repeat fully let them drown the rest, and counting them once lost the hint
/// (measured on the test collections: README, "Ranking quality").
pub const QUERY_REPEAT_EXPONENT: f32 = 0.7;

/// A query, or why it cannot be built (said to the user as it is).
type Built = Result<Option<Box<dyn Query>>, String>;

impl Builder<'_> {
    /// The query for a grammar tree; an empty query for a tree that holds no
    /// searchable word (`&&`).
    pub fn build(&mut self, ast: &UserInputAst) -> Result<Box<dyn Query>, String> {
        Ok(self.node(ast)?.unwrap_or_else(|| Box::new(EmptyQuery)))
    }

    fn node(&mut self, ast: &UserInputAst) -> Built {
        match ast {
            UserInputAst::Clause(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                // A word repeated in a clause (`program ... programs`, one stem
                // group) counts `n^QUERY_REPEAT_EXPONENT` times, not `n`.
                let mut repeats: Vec<u32> = Vec::new();
                for (occur, child) in children {
                    let searched = self.groups.len();
                    let Some(query) = self.node(child)? else { continue };
                    let occur = occur.unwrap_or(self.default_occur);
                    if occur == Occur::MustNot {
                        // An excluded word is in none of the hits: nothing to show.
                        self.groups.truncate(searched);
                    }
                    let written = match child {
                        UserInputAst::Leaf(leaf) => match &**leaf {
                            UserInputLeaf::Literal(literal) => {
                                self.repeats.get(&literal.phrase).copied().unwrap_or(1)
                            }
                            _ => 1,
                        },
                        _ => 1,
                    };
                    let same = query.downcast_ref::<GroupQuery>().and_then(|group| {
                        clauses.iter().position(|(o, q)| {
                            *o == occur && q.downcast_ref::<GroupQuery>() == Some(group)
                        })
                    });
                    match same {
                        Some(at) if occur != Occur::MustNot => repeats[at] += written,
                        _ => {
                            clauses.push((occur, query));
                            repeats.push(written);
                        }
                    }
                }
                for ((_, query), &count) in clauses.iter_mut().zip(&repeats) {
                    if count > 1 {
                        let boost = (count as f32).powf(QUERY_REPEAT_EXPONENT);
                        *query = Box::new(BoostQuery::new(query.box_clone(), boost));
                    }
                }
                if clauses.is_empty() {
                    return Ok(None);
                }
                // As tantivy's parser does: only exclusions means everything but them.
                if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
                    clauses.push((Occur::Should, Box::new(AllQuery)));
                }
                if clauses.len() == 1 && clauses[0].0 != Occur::MustNot {
                    return Ok(clauses.pop().map(|(_, query)| query));
                }
                Ok(Some(Box::new(BooleanQuery::new(clauses))))
            }
            UserInputAst::Boost(inner, boost) => Ok(self
                .node(inner)?
                .map(|query| Box::new(BoostQuery::new(query, boost.0 as f32)) as Box<dyn Query>)),
            UserInputAst::Leaf(leaf) => self.leaf(leaf),
        }
    }

    fn leaf(&mut self, leaf: &UserInputLeaf) -> Built {
        match leaf {
            UserInputLeaf::Literal(literal) => self.literal(literal),
            UserInputLeaf::All => Ok(Some(Box::new(AllQuery))),
            UserInputLeaf::Range { field, lower, upper } => {
                self.range(field.as_deref(), lower, upper)
            }
            UserInputLeaf::Set { field, elements } => {
                let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for element in elements {
                    let literal = UserInputLiteral {
                        field_name: field.clone(),
                        phrase: element.clone(),
                        delimiter: Delimiter::None,
                        slop: 0,
                        prefix: false,
                    };
                    if let Some(query) = self.literal(&literal)? {
                        alternatives.push((Occur::Should, query));
                    }
                }
                Ok((!alternatives.is_empty())
                    .then(|| Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>))
            }
            UserInputLeaf::Exists { field } => {
                Err(format!("`{field}:*` is not supported: `*` alone matches every article"))
            }
            UserInputLeaf::Regex { .. } => Err("regular expressions are not supported".into()),
        }
    }

    /// The fields a word searches: title and body as one text, or the one named.
    pub fn text_fields(&self, field: Option<&str>) -> Option<Vec<WeightedField>> {
        let f = self.fields;
        let one = |field, name| vec![WeightedField { field, name, weight: 1.0 }];
        Some(match field {
            None | Some(fields::ENTITY | fields::LINEAGE) => vec![
                WeightedField { field: f.title, name: fields::TITLE, weight: TITLE_WEIGHT },
                WeightedField { field: f.body, name: fields::BODY, weight: 1.0 },
            ],
            Some(fields::TITLE) => one(f.title, fields::TITLE),
            Some(fields::BODY) => one(f.body, fields::BODY),
            Some(fields::RELATED) => one(f.related, fields::RELATED),
            Some(_) => return None,
        })
    }

    /// `entity:NAME`, the entity's canonical term, or `lineage:NAME`, the
    /// terms of every entity of its line as one word with alternative forms
    /// (an article counts once however many of the line's names it uses).
    /// Every spelling of an entity is indexed as its canonical term, searched
    /// as it is; --literal writes one-word spellings as themselves, so it
    /// cannot search that term.
    fn entity_terms(&mut self, field: &str, text: &str, weighted: Vec<WeightedField>) -> Built {
        if self.literal {
            return Err(format!(
                "`{field}:` matches every spelling, which --literal does not search; use \
                 --filter {field}:{text}"
            ));
        }
        let unknown = || format!("`{text}` is not an entity of the alias table");
        let members = if field == fields::LINEAGE {
            self.aliases.resolve_lineage(text).ok_or_else(unknown)?
        } else {
            vec![self.aliases.resolve(text).ok_or_else(unknown)?]
        };
        let terms = members.iter().map(|&id| self.aliases.entity(id).term.clone()).collect();
        let group = GroupQuery::new(text.to_owned(), vec![terms], weighted, 0);
        self.groups.push(group.clone());
        Ok(Some(Box::new(group)))
    }

    fn literal(&mut self, literal: &UserInputLiteral) -> Built {
        let field = literal.field_name.as_deref();
        let text = literal.phrase.as_str();
        let written = |text: &str| match field {
            Some(field) => format!("{field}:{text}"),
            None => text.to_owned(),
        };
        // tantivy reads `word~N` as a fuzzy term, which it would search here
        // as the word itself.
        if literal.delimiter == Delimiter::None && (literal.slop > 0 || text.contains('~')) {
            return Err(format!(
                "`{}~`: fuzzy search (word~N) is not supported; ~N after a \"quoted phrase\" \
                 lets its words stand N apart",
                written(text.trim_end_matches('~'))
            ));
        }
        let names_a_value = matches!(
            field,
            Some(fields::ENTITY | fields::LINEAGE | fields::SOURCE | fields::FOLDER)
        );
        // The grammar reads `milit*` alone as a prefix, but leaves the `*` in
        // the word when other words follow (`milit* Sirte`).
        if literal.prefix || (literal.delimiter == Delimiter::None && text.ends_with('*')) {
            let text = text.trim_end_matches('*');
            return Err(if names_a_value {
                format!(
                    "`{}*`: prefix searches are not supported; write the whole name",
                    written(text)
                )
            } else {
                format!(
                    "`{}*`: prefix searches (word*) are not supported; write whole words",
                    written(text)
                )
            });
        }
        if names_a_value && text.trim().is_empty() {
            let field = field.unwrap_or_default();
            return Err(format!(
                "`{field}:` needs a name right after the colon: {field}:NAME, or {field}:\"two words\""
            ));
        }
        let f = self.fields;
        // Values that name something, matched as they are and scoring nothing:
        // a filter scored by BM25 would rank by how rare a source is.
        let exact = |term: Term| -> Built {
            let query = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
            Ok(Some(Box::new(Filter::new(query, format!("{}:{text}", field.unwrap_or_default())))))
        };
        match field {
            Some(name @ (fields::SOURCE | fields::FOLDER)) => {
                let handle = if name == fields::SOURCE { f.source } else { f.folder };
                let facets = (self.facet_spellings)(name, text)?;
                let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for facet in facets {
                    if let Some(query) = exact(Term::from_facet(handle, &facet))? {
                        alternatives.push((Occur::Should, query));
                    }
                }
                return Ok(match alternatives.len() {
                    1 => alternatives.pop().map(|(_, query)| query),
                    _ => Some(Box::new(BooleanQuery::new(alternatives))),
                });
            }
            Some(fields::ID) => return exact(Term::from_field_text(f.id, text)),
            Some(fields::URL) => return exact(Term::from_field_text(f.url, text)),
            Some(fields::PATH) => return exact(Term::from_field_text(f.path, text)),
            // A date names a period: `date:2016-09` is September 2016.
            Some(fields::DATE) => {
                let range = RangeQuery::new(
                    Bound::Included(self.date_term(text, false)?),
                    Bound::Included(self.date_term(text, true)?),
                );
                return Ok(Some(Box::new(Filter::new(Box::new(range), format!("date:{text}")))));
            }
            _ => {}
        }
        let Some(weighted) = self.text_fields(field) else {
            return Err(unknown_field(field.unwrap_or_default()));
        };
        if let Some(name @ (fields::ENTITY | fields::LINEAGE)) = field {
            return self.entity_terms(name, text, weighted);
        }
        let words = self.analyze(text);
        if words.is_empty() {
            return Ok(None);
        }
        let slots: Vec<Vec<String>> =
            words.iter().map(|word| self.forms(word, &weighted)).collect();
        let slop = if literal.delimiter == Delimiter::None { 0 } else { literal.slop };
        let group = GroupQuery::new(text.to_owned(), slots, weighted, slop);
        self.groups.push(group.clone());
        Ok(Some(Box::new(group)))
    }

    /// The index's date term for the first (or, with `end`, the last)
    /// instant of the period `text` names, read as `--since` and `--until`
    /// read it: `2016`, `2016-09`, `Sep 4, 2016`, `4/9/2016`, RFC 3339.
    fn date_term(&self, text: &str, end: bool) -> Result<Term, String> {
        let date = dates::parse_date_bound(text, self.slash_dates, end).ok_or_else(|| {
            format!(
                "`{text}` is not a date: write it as --since takes it (2016, 2016-09, \
                 2016-09-04, Sep 4 2016, 2016-09-04T15:14:55Z)"
            )
        })?;
        let stored = fields::index_date(&date).unwrap_or(if date.timestamp() < 0 {
            TantivyDate::MIN
        } else {
            TantivyDate::MAX
        });
        Ok(Term::from_field_date(self.fields.date, stored))
    }

    /// `main` with `--expand`'s words added (see [`super::expand`]): the query
    /// as written keeps its share of the weight, spread over its words as
    /// RM3 spreads it; each added word searches its stem group.
    pub fn expanded(
        &mut self,
        main: Box<dyn Query>,
        text: &str,
        expansion: &[ExpansionTerm],
    ) -> Box<dyn Query> {
        let words = self.analyze(text).len().max(1);
        let original = BoostQuery::new(main, ORIGINAL_WEIGHT / words as f32);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(self.default_occur, Box::new(original))];
        let Some(fields) = self.text_fields(None) else { return clauses.remove(0).1 };
        for term in expansion {
            let forms = self.forms(&term.term, &fields);
            let group = GroupQuery::new(term.term.clone(), vec![forms], fields.clone(), 0);
            let weight = (1.0 - ORIGINAL_WEIGHT) * term.weight;
            clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(group), weight))));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// The analyzer's terms for `text`, one per position (a one-word spelling
    /// and its literal copy share one; the query analyzer emits one of them).
    pub fn analyze(&mut self, text: &str) -> Vec<String> {
        let mut stream = self.analyzer.token_stream(text);
        let mut words = Vec::new();
        while let Some(token) = stream.next() {
            words.push(token.text.clone());
        }
        words
    }

    /// The indexed forms a query word matches: its stem group, or itself
    /// where it is an entity term, a literal spelling or `--literal`. Forms
    /// that none of `fields` holds are left out, so that explanations list
    /// what matched; a word with none keeps itself (and matches nothing).
    pub fn forms(&self, word: &str, fields: &[WeightedField]) -> Vec<String> {
        if self.literal || !stems::is_stemmable(word) {
            return vec![word.to_owned()];
        }
        let stem = stems::stem(word);
        let mut forms = vec![stem.to_string(), word.to_owned()];
        for table in self.stems {
            table.forms(&stem, &mut forms);
        }
        forms.sort_unstable();
        forms.dedup();
        forms.retain(|form| {
            fields.iter().any(|f| {
                self.searcher.doc_freq(&Term::from_field_text(f.field, form)).unwrap_or(0) > 0
            })
        });
        if forms.is_empty() {
            forms.push(word.to_owned());
        }
        forms
    }

    fn range(
        &mut self,
        field: Option<&str>,
        lower: &UserInputBound,
        upper: &UserInputBound,
    ) -> Built {
        let f = self.fields;
        if field.is_none() {
            return Err("a range needs a field: date:[2016-01-01T00:00:00Z TO *]".to_owned());
        }
        let term = |text: &str, end: bool| -> Result<Term, String> {
            match field {
                Some(fields::DATE) => self.date_term(text, end),
                Some(fields::TITLE | fields::BODY | fields::RELATED) => {
                    let handle = self.text_fields(field).map_or(f.body, |w| w[0].field);
                    Ok(Term::from_field_text(handle, &text.to_lowercase()))
                }
                Some(fields::ID | fields::URL | fields::PATH) => {
                    let handle = match field {
                        Some(fields::ID) => f.id,
                        Some(fields::URL) => f.url,
                        _ => f.path,
                    };
                    Ok(Term::from_field_text(handle, text))
                }
                None => Err("a range needs a field".to_owned()),
                Some(other) => Err(if self.text_fields(Some(other)).is_some() {
                    format!("`{other}:` takes no ranges")
                } else {
                    unknown_field(other)
                }),
            }
        };
        // Named in explanations as written: `date:[2016 TO 2017}`.
        let name = format!(
            "{}:{} TO {}",
            field.unwrap_or_default(),
            match lower {
                UserInputBound::Inclusive(text) => format!("[{text}"),
                UserInputBound::Exclusive(text) => format!("{{{text}"),
                UserInputBound::Unbounded => "[*".to_owned(),
            },
            match upper {
                UserInputBound::Inclusive(text) => format!("{text}]"),
                UserInputBound::Exclusive(text) => format!("{text}}}"),
                UserInputBound::Unbounded => "*]".to_owned(),
            }
        );
        // A bound names a period (`2016`, `2016-09`): an inclusive lower
        // bound is its first instant, an exclusive one its last; an inclusive
        // upper bound its last, an exclusive one its first.
        let lower = match lower {
            UserInputBound::Inclusive(text) => Bound::Included(term(text, false)?),
            UserInputBound::Exclusive(text) => Bound::Excluded(term(text, true)?),
            UserInputBound::Unbounded => Bound::Unbounded,
        };
        let upper = match upper {
            UserInputBound::Inclusive(text) => Bound::Included(term(text, true)?),
            UserInputBound::Exclusive(text) => Bound::Excluded(term(text, false)?),
            UserInputBound::Unbounded => Bound::Unbounded,
        };
        let range: Box<dyn Query> = Box::new(RangeQuery::new(lower, upper));
        Ok(Some(Box::new(Filter::new(range, name))))
    }
}

fn unknown_field(field: &str) -> String {
    format!(
        "field does not exist: '{field}' (the fields are title, body, related, source, folder, \
         entity, lineage and date; to search `{field}:` as a word, quote the text or write `{field}\\:`)"
    )
}

#[cfg(test)]
mod tests {
    use super::word_repeats;

    #[test]
    fn repeats_are_counted_in_plain_word_lists_only() {
        let count = |q: &str| {
            let ast = tantivy::query_grammar::parse_query(q).unwrap();
            let mut counts: Vec<(String, u32)> = word_repeats(q, &ast).into_iter().collect();
            counts.sort();
            counts
        };
        assert_eq!(
            count("medlars system medlars \"Islamic State\" medlars \"Islamic State\""),
            [("Islamic State".to_owned(), 2), ("medlars".to_owned(), 3), ("system".to_owned(), 1)]
        );
        assert!(count("medlars AND medlars").is_empty());
        assert!(count("title:a a").is_empty());
    }
}
