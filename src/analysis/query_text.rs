//! Query text → query text that tantivy's parser reads the way the analyzer reads
//! articles.
//!
//! The parser splits unquoted words before analysis, so a multi-word variant
//! such as `Islamic State` would reach the analyzer as two unrelated words. This
//! module finds such variants in the raw text (outside quotes and field values),
//! with the same alias table and tokenizer as the index, and quotes them. It also
//! quotes words with an inner apostrophe (`Da'esh`), since `'` starts a phrase in
//! tantivy's grammar, and expands facet values: `source:FNA` becomes
//! `source:"/FNA"`, and `entity:Daesh` becomes `entity:"#isis"`, the term the
//! analyzer writes for every spelling of the entity, which the query builder
//! searches as it is.
//!
//! The parser also hands the analyzer one word at a time, so the analyzer
//! cannot see that a pasted headline is written in capitals, where `IS` is a
//! verb and not an acronym. This module applies that rule to the whole query
//! (its operators left out) and writes such words in lowercase, which the
//! analyzer reads as ordinary words, as it read them in the article. A query is
//! a headline only if it has at least three words that are not acronyms: `US
//! AND ISIS` or `ISIL OR IS` are acronyms typed in capitals, `WHAT IS NEXT FOR
//! SIRTE` is a headline. A bare
//! `IN` is a word too (`FIGHTING IN SIRTE`): tantivy's `IN [..]` set follows a
//! field prefix, and only there is it kept as the operator.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;

use tantivy::tokenizer::{RemoveLongFilter, SimpleTokenizer, TokenFilter, TokenStream, Tokenizer};

use super::{AliasFilter, Aliases, MAX_TOKEN_BYTES, Spellings, alias_filter};

/// The facet paths in the index that a `field:value` names (`source:fna` →
/// `["/FNA"]`; at least one), or why the value cannot name one.
pub type FacetSpellings<'a> = dyn Fn(&str, &str) -> Result<Vec<String>, String> + 'a;

/// How a query names facet fields, so their values can be expanded to paths.
#[derive(Clone, Copy)]
pub struct FacetFields<'a> {
    /// Facet fields whose values are plain names (`source:FNA` → `/FNA`).
    pub plain: &'a [&'a str],
    /// Their values' paths as the index writes them.
    pub spellings: &'a FacetSpellings<'a>,
    /// The entity filter's name: its values are resolved through the alias
    /// table to the entity's canonical term (`entity:Daesh` → `entity:"#isis"`),
    /// which the query builder searches as it is.
    pub entity: &'a str,
    /// The query is read `--literal`: its analyzer writes one-word spellings
    /// as themselves, so it cannot search a canonical term, and an `entity:`
    /// atom is refused (a `--filter entity:` works).
    pub literal: bool,
}

/// A piece of the query: whitespace and parentheses are kept as they are.
#[derive(Debug)]
enum Piece<'q> {
    Verbatim(&'q str),
    /// A quoted phrase, quotes included.
    Phrase(&'q str),
    Atom(Atom<'q>),
}

/// A whitespace-separated word of the query: `+title:Daesh^2`.
#[derive(Debug)]
struct Atom<'q> {
    /// Byte offset of `value` in the query.
    at: usize,
    /// `+`, `-` or empty.
    sign: &'q str,
    /// The field name without its colon, if any.
    field: Option<&'q str>,
    /// What follows the field prefix.
    value: &'q str,
    /// The phrase that follows `field:` directly (`entity:"Islamic State"`).
    phrase: Option<&'q str>,
}

impl Atom<'_> {
    /// A bare word that may be part of a multi-word variant: no syntax at all
    /// except a sign or field prefix (allowed only on the first word of a run).
    fn is_plain(&self) -> bool {
        self.phrase.is_none()
            && !self.value.is_empty()
            && !self.is_operator()
            && self.value.chars().all(|c| c.is_alphanumeric() || "'’-.,&".contains(c))
    }

    fn is_operator(&self) -> bool {
        matches!(self.value, "AND" | "OR" | "NOT" | "IN")
    }

    /// A field prefix with nothing after it (`title:` in `title: IN [a b]`).
    fn is_bare_field(&self) -> bool {
        self.field.is_some() && self.value.is_empty() && self.phrase.is_none()
    }

    fn prefix(&self) -> String {
        match self.field {
            Some(field) => format!("{}{field}:", self.sign),
            None => self.sign.to_owned(),
        }
    }
}

/// Rewrites `query` as described in the module docs. Errors name an entity the
/// table does not know.
pub fn rewrite(
    aliases: &Arc<Aliases>,
    query: &str,
    facets: FacetFields<'_>,
) -> Result<String, String> {
    let pieces = lex(query);
    let quoted = variant_groups(aliases, &pieces);
    let line = without_operators(query, &pieces);
    let headline = is_headline(aliases, &pieces);
    let mut out = String::with_capacity(query.len() + 16);
    let mut index = 0;
    let mut after_bare_field = false;
    while index < pieces.len() {
        let piece = &pieces[index];
        match piece {
            Piece::Verbatim(text) if text.chars().all(char::is_whitespace) => out.push_str(text),
            Piece::Verbatim(text) | Piece::Phrase(text) => {
                out.push_str(text);
                after_bare_field = false;
            }
            Piece::Atom(atom)
                if atom.value == "IN" && atom.field.is_none() && !after_bare_field =>
            {
                let _ = write!(out, "{}in", atom.sign);
            }
            Piece::Atom(atom) => {
                if let Some(&end) = quoted.get(&index) {
                    // A multi-word variant: quote its words as one phrase.
                    let words: Vec<&str> = pieces[index..=end]
                        .iter()
                        .filter_map(|p| match p {
                            Piece::Atom(a) => Some(a.value),
                            _ => None,
                        })
                        .collect();
                    let phrase = format!("\"{}\"", words.join(" "));
                    // `entity:United States` names the entity, as its quoted form does.
                    let names_a_value = atom.field.is_some_and(|field| {
                        field == facets.entity || facets.plain.contains(&field)
                    });
                    if names_a_value {
                        let quoted_atom = Atom { phrase: Some(&phrase), value: "", ..*atom };
                        write_atom(aliases, &quoted_atom, facets, false, &mut out)?;
                    } else {
                        out.push_str(&atom.prefix());
                        out.push_str(&phrase);
                    }
                    index = end + 1;
                    continue;
                }
                let end = atom.at + atom.value.len();
                let in_capitals = headline
                    && atom.field.is_none()
                    && atom.is_plain()
                    && alias_filter::in_capitals_line(&line, atom.at, end);
                write_atom(aliases, atom, facets, in_capitals, &mut out)?;
            }
        }
        if let Piece::Atom(atom) = piece {
            after_bare_field = atom.is_bare_field();
        }
        index += 1;
    }
    Ok(out)
}

/// Whether the query's words could be a headline: at least [`HEADLINE_WORDS`]
/// plain words that are not acronyms (spellings that match only in their own
/// case, such as `US` or `IS`).
fn is_headline(aliases: &Aliases, pieces: &[Piece<'_>]) -> bool {
    let is_acronym = |word: &str| {
        aliases.resolve(word).is_some() && aliases.resolve(&word.to_lowercase()).is_none()
    };
    let words = pieces.iter().filter(|piece| match piece {
        Piece::Atom(atom) => atom.is_plain() && !is_acronym(atom.value),
        _ => false,
    });
    words.count() >= HEADLINE_WORDS
}

/// See [`is_headline`].
const HEADLINE_WORDS: usize = 3;

/// `query` with its syntax blanked out, for the capitals-line rule: `AND` and
/// the `title:` in `title:US` are not words of the line.
fn without_operators(query: &str, pieces: &[Piece<'_>]) -> String {
    let mut line = query.to_owned();
    let mut blank = |range: std::ops::Range<usize>| {
        let spaces = " ".repeat(range.len());
        line.replace_range(range, &spaces);
    };
    for piece in pieces {
        if let Piece::Atom(atom) = piece {
            let value = atom.at..atom.at + atom.value.len();
            if atom.is_operator() {
                blank(value);
            } else if atom.field.is_some() {
                // The field name and its colon (and a sign) come before the value.
                let prefix = atom.prefix().len();
                blank(atom.at.saturating_sub(prefix)..atom.at);
            }
        }
    }
    line
}

/// Writes one atom; `in_capitals` says it stands on a line written in capitals.
fn write_atom(
    aliases: &Aliases,
    atom: &Atom<'_>,
    facets: FacetFields<'_>,
    in_capitals: bool,
    out: &mut String,
) -> Result<(), String> {
    // tantivy reads `~` only after a quoted phrase (`"a b"~2`); in a word it is
    // punctuation, and `Sirte~1` would search the phrase `sirte 1`.
    if atom.phrase.is_none() && atom.value.contains('~') && !atom.value.starts_with('~') {
        return Err(format!(
            "`{}{}`: fuzzy search (word~N) is not supported; ~N after a \"quoted phrase\" \
             lets its words stand N apart",
            atom.prefix(),
            atom.value
        ));
    }
    let value = atom.phrase.map_or(atom.value, |p| p.trim_matches('"'));
    // A facet or entity value is a name, not analyzed text: its boost is split
    // off to follow the expansion, and a missing name or a `*` is refused
    // rather than searched for as a name no article has.
    let (value, boost) = match atom.field {
        Some(field) if field == facets.entity || facets.plain.contains(&field) => {
            let (name, boost) =
                if atom.phrase.is_some() { (value, "") } else { split_boost(value) };
            if name.is_empty() {
                return Err(format!(
                    "`{field}:` needs a name right after the colon: {field}:NAME, or \
                     {field}:\"two words\""
                ));
            }
            if name.ends_with('*') {
                return Err(format!(
                    "`{field}:{name}`: prefix searches are not supported; write the whole name"
                ));
            }
            (name, boost)
        }
        _ => (value, ""),
    };
    match atom.field {
        Some(field) if field == facets.entity => {
            if facets.literal {
                return Err(format!(
                    "`{field}:` matches every spelling, which --literal does not search; \
                     use --filter {field}:{value}"
                ));
            }
            let id = aliases
                .resolve(value)
                .ok_or_else(|| format!("`{value}` is not an entity of the alias table"))?;
            let term = &aliases.entity(id).term;
            let _ = write!(out, "{}{field}:\"{term}\"{boost}", atom.sign);
        }
        Some(field) if facets.plain.contains(&field) => {
            let paths = (facets.spellings)(field, value)?;
            // tantivy drops a backslash in a quoted phrase and keeps the character
            // after it: a path's own escapes (`/BBC\/World`) must survive that.
            let escaped = |path: &String| path.replace('\\', "\\\\").replace('"', "\\\"");
            let alternatives: Vec<String> =
                paths.iter().map(|path| format!("{field}:\"{}\"", escaped(path))).collect();
            match alternatives.as_slice() {
                [one] => {
                    let _ = write!(out, "{}{one}{boost}", atom.sign);
                }
                _ => {
                    let _ = write!(out, "{}({}){boost}", atom.sign, alternatives.join(" OR "));
                }
            }
        }
        // tantivy reads `title:*` as "has a value in a fast field", which text fields
        // are not, and drops the `*` of `milit*` without a word: the search would
        // quietly be for `milit`.
        // (`date:[* TO 2016]` opens a range with an open end: no prefix.)
        _ if atom.phrase.is_none()
            && atom.value.ends_with('*')
            && atom.value != "*"
            && !atom.value.starts_with(['[', '{']) =>
        {
            return Err(format!(
                "`{}{}`: prefix searches (word*) are not supported; write whole words",
                atom.prefix(),
                atom.value
            ));
        }
        Some(field) if atom.value == "*" => {
            return Err(format!("`{field}:*` is not supported: `*` alone matches every article"));
        }
        _ => {
            out.push_str(&atom.prefix());
            if let Some(phrase) = atom.phrase {
                out.push_str(phrase);
            } else if atom.value.contains(['\'', '’']) && atom.is_plain() {
                let _ = write!(out, "\"{}\"", atom.value);
            } else if in_capitals {
                out.push_str(&atom.value.to_lowercase());
            } else {
                out.push_str(atom.value);
            }
        }
    }
    Ok(())
}

/// `ISIS^2` → (`ISIS`, `^2`); a value without a boost → (value, "").
fn split_boost(value: &str) -> (&str, &str) {
    match value.rfind('^') {
        // Digits and a point only, as tantivy's grammar reads a boost (Rust's
        // float parser also takes `inf` and `1e3`).
        Some(at)
            if at > 0
                && value[at + 1..].chars().all(|c| c.is_ascii_digit() || c == '.')
                && value[at + 1..].parse::<f32>().is_ok() =>
        {
            value.split_at(at)
        }
        _ => (value, ""),
    }
}

/// Finds runs of plain atoms in which a variant spans several atoms; returns
/// first atom's piece index → last atom's piece index for each one.
fn variant_groups(
    aliases: &Arc<Aliases>,
    pieces: &[Piece<'_>],
) -> std::collections::BTreeMap<usize, usize> {
    let mut groups = std::collections::BTreeMap::new();
    let mut tokenizer = AliasFilter::new(Arc::clone(aliases), Spellings::Canonical)
        .transform(RemoveLongFilter::limit(MAX_TOKEN_BYTES).transform(SimpleTokenizer::default()));
    let mut run: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
    let mut text = String::new();
    let mut flush = |run: &mut Vec<(usize, std::ops::Range<usize>)>, text: &mut String| {
        if run.len() > 1 {
            let mut stream = tokenizer.token_stream(text);
            while stream.advance() {
                if stream.entity().is_none() {
                    continue;
                }
                let token = stream.token();
                let covered: BTreeSet<usize> = run
                    .iter()
                    .filter(|(_, range)| {
                        range.start < token.offset_to && token.offset_from < range.end
                    })
                    .map(|(piece, _)| *piece)
                    .collect();
                if let (Some(&first), Some(&last)) = (covered.first(), covered.last())
                    && first != last
                {
                    groups.insert(first, last);
                }
            }
        }
        run.clear();
        text.clear();
    };
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Atom(atom)
                if atom.is_plain()
                    && (run.is_empty() || (atom.sign.is_empty() && atom.field.is_none())) =>
            {
                if !text.is_empty() {
                    text.push(' ');
                }
                let start = text.len();
                text.push_str(atom.value);
                run.push((index, start..text.len()));
            }
            Piece::Verbatim(space) if space.chars().all(char::is_whitespace) => {}
            Piece::Atom(atom) if atom.is_plain() => {
                // A sign or field prefix starts a new run.
                flush(&mut run, &mut text);
                text.push_str(atom.value);
                run.push((index, 0..text.len()));
            }
            _ => flush(&mut run, &mut text),
        }
    }
    flush(&mut run, &mut text);
    groups
}

/// Splits a query into whitespace, parentheses, phrases and atoms.
fn lex(query: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let bytes = query.as_bytes();
    let mut i = 0;
    while i < query.len() {
        let start = i;
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            while i < query.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            pieces.push(Piece::Verbatim(&query[start..i]));
        } else if c == b'(' || c == b')' {
            i += 1;
            pieces.push(Piece::Verbatim(&query[start..i]));
        } else if c == b'"' {
            i = phrase_end(query, i);
            pieces.push(Piece::Phrase(&query[start..i]));
        } else {
            while i < query.len()
                && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'(' | b')' | b'"')
            {
                i += 1;
            }
            let word = &query[start..i];
            let (sign, rest) = match word.as_bytes().first() {
                Some(b'+' | b'-') => word.split_at(1),
                _ => ("", word),
            };
            let (field, value) = match rest.split_once(':') {
                Some((field, value))
                    if !field.is_empty()
                        && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                {
                    (Some(field), value)
                }
                _ => (None, rest),
            };
            let mut phrase = None;
            if field.is_some() && value.is_empty() && i < query.len() && bytes[i] == b'"' {
                let end = phrase_end(query, i);
                phrase = Some(&query[i..end]);
                i = end;
            }
            let at = start + sign.len() + field.map_or(0, |f| f.len() + 1);
            pieces.push(Piece::Atom(Atom { at, sign, field, value, phrase }));
        }
    }
    pieces
}

/// The byte after the phrase that starts at `start` (a `"`), honouring `\"`; the
/// end of the query if the quote is never closed (the parser reports that).
fn phrase_end(query: &str, start: usize) -> usize {
    let bytes = query.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    query.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value names one path, as written; two for `Mixed` (as an index
    /// with `/Mixed` and `/mixed` has); `Bad` none.
    fn spellings(_field: &str, value: &str) -> Result<Vec<String>, String> {
        if value == "Bad" {
            return Err("not a facet".into());
        }
        let path = if value.starts_with('/') { value.to_owned() } else { format!("/{value}") };
        Ok(if value == "Mixed" { vec![path.clone(), path.to_lowercase()] } else { vec![path] })
    }

    const FACETS: FacetFields<'static> = FacetFields {
        plain: &["source", "folder"],
        spellings: &spellings,
        entity: "entity",
        literal: false,
    };

    fn rw(query: &str) -> String {
        let aliases = Arc::new(Aliases::built_in().unwrap());
        rewrite(&aliases, query, FACETS).unwrap()
    }

    #[test]
    fn multi_word_variants_are_quoted_outside_phrases() {
        assert_eq!(rw("Islamic State"), "\"Islamic State\"");
        assert_eq!(rw("Islamic State Sirte hotel"), "\"Islamic State\" Sirte hotel");
        assert_eq!(rw("\"Islamic State fighters\" Sirte"), "\"Islamic State fighters\" Sirte");
        assert_eq!(rw("title:Islamic State"), "title:\"Islamic State\"");
        assert_eq!(rw("Islamic AND State"), "Islamic AND State");
        assert_eq!(rw("Daesh Sirte"), "Daesh Sirte");
        assert_eq!(
            rw("Islamic State of Iraq and the Levant"),
            "\"Islamic State of Iraq and the Levant\""
        );
        assert_eq!(rw("(Islamic State OR Nusra)"), "(\"Islamic State\" OR Nusra)");
    }

    #[test]
    fn a_headline_in_capitals_is_read_as_the_index_read_it() {
        assert_eq!(rw("WHAT IS NEXT FOR SIRTE"), "what is next for sirte");
        assert_eq!(
            rw("WHAT IS NEXT FOR SIRTE AND (US OR UN)"),
            "what is next for sirte AND (us OR un)"
        );
        assert_eq!(rw("IS fighters"), "IS fighters", "lowercase around: an acronym");
        assert_eq!(rw("IS FIGHTERS IN SIRTE"), "IS FIGHTERS in SIRTE", "two words are no headline");
        assert_eq!(rw("US AND ISIS OR IS"), "US AND ISIS OR IS", "acronyms typed in capitals");
        assert_eq!(rw("title:US FIGHTERS NEAR SIRTE"), "title:US fighters near sirte");
        assert_eq!(rw("ISIL FIGHTERS NEAR SIRTE"), "isil fighters near sirte", "names still match");
    }

    #[test]
    fn a_bare_in_is_a_word_and_in_after_a_field_is_the_set_operator() {
        assert_eq!(rw("FIGHTING IN SIRTE"), "FIGHTING in SIRTE");
        assert_eq!(rw("fighting IN Sirte"), "fighting in Sirte");
        assert_eq!(rw("title: IN [sirte mosul]"), "title: IN [sirte mosul]");
        assert_eq!(rw("title:IN [sirte mosul]"), "title:IN [sirte mosul]");
    }

    #[test]
    fn prefixes_and_field_wildcards_are_refused_rather_than_dropped() {
        let aliases = Arc::new(Aliases::built_in().unwrap());
        let error = |query| rewrite(&aliases, query, FACETS).unwrap_err();
        assert!(error("milit* Sirte").contains("`milit*`: prefix searches"));
        assert!(error("-title:Sir*").contains("`-title:Sir*`"));
        assert!(error("title:*").contains("`title:*` is not supported"));
        assert_eq!(rw("* -Sirte"), "* -Sirte", "`*` alone is every article");
    }

    #[test]
    fn apostrophes_are_quoted_because_tantivy_reads_them_as_phrases() {
        assert_eq!(rw("Da'esh"), "\"Da'esh\"");
        assert_eq!(rw("ISIL's"), "\"ISIL's\"");
    }

    #[test]
    fn facet_values_become_paths() {
        assert_eq!(rw("entity:Daesh"), "entity:\"#isis\"");
        assert_eq!(rw("-entity:\"Islamic State\" Sirte"), "-entity:\"#isis\" Sirte");
        assert_eq!(rw("entity:/organization/ISIS"), "entity:\"#isis\"");
        assert_eq!(rw("entity:al-Qaeda"), "entity:\"#alqaeda\"");
        assert_eq!(rw("source:FNA"), "source:\"/FNA\"");
        assert_eq!(rw("folder:/bbc/business"), "folder:\"/bbc/business\"");
        assert_eq!(rw("-source:Mixed"), "-(source:\"/Mixed\" OR source:\"/mixed\")");
        // A boost follows the expansion; a name of several words needs no quotes.
        assert_eq!(rw("source:FNA^2"), "source:\"/FNA\"^2");
        assert_eq!(rw("source:Mixed^1.5"), "(source:\"/Mixed\" OR source:\"/mixed\")^1.5");
        assert_eq!(rw("entity:Daesh^2"), "entity:\"#isis\"^2");
        assert_eq!(rw("entity:\"Islamic State\"^2"), "entity:\"#isis\"^2");
        assert_eq!(rw("Sirte -entity:Islamic State"), "Sirte -entity:\"#isis\"");
        assert_eq!(rw("\"Sirte siege\"~3"), "\"Sirte siege\"~3");
        let aliases = Arc::new(Aliases::built_in().unwrap());
        assert_eq!(rewrite(&aliases, "Sirte source:Bad", FACETS), Err("not a facet".into()));
        let aliases = Arc::new(Aliases::built_in().unwrap());
        assert!(rewrite(&aliases, "entity:Atlantis", FACETS).unwrap_err().contains("Atlantis"));
        let literal = FacetFields { literal: true, ..FACETS };
        assert!(
            rewrite(&aliases, "entity:ISIS", literal).unwrap_err().contains("--filter entity:ISIS")
        );
    }

    #[test]
    fn syntax_is_left_alone() {
        assert_eq!(
            rw("date:[2016-01-01T00:00:00Z TO 2017-01-01T00:00:00Z]"),
            "date:[2016-01-01T00:00:00Z TO 2017-01-01T00:00:00Z]"
        );
        assert_eq!(rw("+Sirte -Misrata hotel^2 \"unclosed"), "+Sirte -Misrata hotel^2 \"unclosed");
    }
}
