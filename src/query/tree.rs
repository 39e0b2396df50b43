//! Query text → tantivy's grammar tree, read the way the analyzer reads an
//! article.
//!
//! tantivy's grammar (`tantivy::query_grammar`) parses the text; everything
//! after that works on its tree, never on the text:
//!
//! - **Words the strict grammar refuses.** News text has apostrophes inside
//!   words (`Da'esh`, `Hay'at`, `ISIL's`), where the grammar would open a
//!   quote, and a bare `IN` (`FIGHTING IN SIRTE`), which it reads as the set
//!   operator. For such a query the grammar's lenient reading is taken, when it
//!   reports no error and leaves no `AND`, `OR` or `NOT` dangling as a word.
//! - **Multi-word spellings.** The grammar splits unquoted words, so
//!   `Islamic State` would reach the analyzer as two unrelated words. Words that
//!   stand in a row in one clause are analyzed together, with the index's
//!   analyzer, and the words a multi-word spelling covers become one phrase.
//! - **Headlines in capitals.** The analyzer sees one leaf at a time, so it
//!   cannot see that a pasted headline is written in capitals, where `IS` is a
//!   verb and not an acronym. The rule is applied to the query's words taken
//!   together, and the words of such a line are lowercased, which the analyzer
//!   reads as ordinary words, as it read them in the article. A query is a
//!   headline only if it has at least [`HEADLINE_WORDS`] words that are not
//!   acronyms: `US AND ISIS` or `ISIL OR IS` are acronyms typed in capitals,
//!   `WHAT IS NEXT FOR SIRTE` is a headline.
//!
//! Values of `entity:`, `source:` and `folder:` are names, resolved where the
//! query is built ([`super::build`](mod@super::build)).

use std::ops::Range;

use tantivy::query_grammar::{Delimiter, Occur, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{Aliases, ENTITY_PREFIX, alias_filter};

/// The grammar tree of `text`, or `None` when it is not a query (the caller
/// describes the syntax error).
pub fn parse(text: &str) -> Option<UserInputAst> {
    if let Ok(ast) = tantivy::query_grammar::parse_query(text) {
        return Some(ast);
    }
    let (ast, errors) = tantivy::query_grammar::parse_query_lenient(text);
    (errors.is_empty() && !has_dangling_operator(&ast)).then_some(ast)
}

/// Reads `ast` as the analyzer reads articles (see the module docs).
/// `analyzer` is the index's analyzer emitting canonical entity terms.
pub fn normalize(ast: &mut UserInputAst, aliases: &Aliases, analyzer: &mut TextAnalyzer) {
    lowercase_headline(ast, aliases);
    join_spellings(ast, analyzer);
}

/// A query of at least this many words that are not acronyms may be a
/// headline (see the module docs).
pub const HEADLINE_WORDS: usize = 3;

/// The lenient grammar keeps `a AND` as the words `a` and `AND`; the user
/// wrote an operator and forgot its other side.
fn has_dangling_operator(ast: &UserInputAst) -> bool {
    match ast {
        UserInputAst::Clause(children) => {
            children.iter().any(|(_, child)| has_dangling_operator(child))
        }
        UserInputAst::Boost(inner, _) => has_dangling_operator(inner),
        UserInputAst::Leaf(leaf) => match &**leaf {
            UserInputLeaf::Literal(literal) => {
                literal.delimiter == Delimiter::None
                    && matches!(literal.phrase.as_str(), "AND" | "OR" | "NOT" | "&&" | "||")
            }
            _ => false,
        },
    }
}

/// A word as typed: no quotes, slop, prefix or other syntax; it may still
/// carry a field.
fn plain_word(ast: &UserInputAst) -> Option<&UserInputLiteral> {
    let UserInputAst::Leaf(leaf) = ast else { return None };
    let UserInputLeaf::Literal(literal) = &**leaf else { return None };
    let is_word = literal.delimiter == Delimiter::None
        && literal.slop == 0
        && !literal.prefix
        && !literal.phrase.is_empty()
        && literal.phrase.chars().all(|c| c.is_alphanumeric() || "'’-.,&".contains(c));
    is_word.then_some(literal)
}

fn plain_word_mut(ast: &mut UserInputAst) -> Option<&mut UserInputLiteral> {
    plain_word(ast)?;
    let UserInputAst::Leaf(leaf) = ast else { return None };
    match &mut **leaf {
        UserInputLeaf::Literal(literal) => Some(literal),
        _ => None,
    }
}

/// The query's plain words in the order written, fielded ones included (the
/// value of `title:US` is a word of the line).
fn plain_words<'a>(ast: &'a mut UserInputAst, words: &mut Vec<&'a mut UserInputLiteral>) {
    if plain_word(ast).is_some() {
        if let Some(literal) = plain_word_mut(ast) {
            words.push(literal);
        }
        return;
    }
    match ast {
        UserInputAst::Clause(children) => {
            for (_, child) in children {
                plain_words(child, words);
            }
        }
        UserInputAst::Boost(inner, _) => plain_words(inner, words),
        UserInputAst::Leaf(_) => {}
    }
}

/// Lowercases the words of a query that is a headline in capitals.
fn lowercase_headline(ast: &mut UserInputAst, aliases: &Aliases) {
    let mut words = Vec::new();
    plain_words(ast, &mut words);
    // An acronym matches only in its own case (`US`, `IS`).
    let is_acronym = |word: &str| {
        aliases.resolve(word).is_some() && aliases.resolve(&word.to_lowercase()).is_none()
    };
    if words.iter().filter(|word| !is_acronym(&word.phrase)).count() < HEADLINE_WORDS {
        return;
    }
    let mut line = String::new();
    let mut spans: Vec<Range<usize>> = Vec::with_capacity(words.len());
    for word in &words {
        if !line.is_empty() {
            line.push(' ');
        }
        let start = line.len();
        line.push_str(&word.phrase);
        spans.push(start..line.len());
    }
    for (word, span) in words.into_iter().zip(spans) {
        // Values of fields are names (`source:BBC`) or searched in one field
        // only; they are words of the line but keep their case.
        if word.field_name.is_none() && alias_filter::in_capitals_line(&line, span.start, span.end)
        {
            word.phrase = word.phrase.to_lowercase();
        }
    }
}

/// Joins the words of multi-word spellings into phrases, clause by clause.
/// A run of words starts at any plain word (it may carry a sign or a field,
/// which the phrase keeps: `-title:Islamic State`) and goes on over words
/// without either; `Islamic AND State` is two words.
fn join_spellings(ast: &mut UserInputAst, analyzer: &mut TextAnalyzer) {
    match ast {
        UserInputAst::Clause(children) => {
            for (_, child) in children.iter_mut() {
                join_spellings(child, analyzer);
            }
            join_across_and(children, analyzer);
            let groups = spelling_groups(children, analyzer);
            for (first, last) in groups.into_iter().rev() {
                let words: Vec<String> = children[first..=last]
                    .iter()
                    .filter_map(|(_, child)| plain_word(child).map(|w| w.phrase.clone()))
                    .collect();
                let (head_occur, head) = &children[first];
                let occur = head_occur.or(children[last].0);
                let field_name = plain_word(head).and_then(|w| w.field_name.clone());
                let joined = (occur, phrase_leaf(field_name, words.join(" ")));
                children.splice(first..=last, [joined]);
            }
        }
        UserInputAst::Boost(inner, _) => join_spellings(inner, analyzer),
        UserInputAst::Leaf(_) => {}
    }
}

/// `AND` binds the word before it: tantivy reads `Islamic State AND Sirte`
/// as `Islamic (State AND Sirte)`. A spelling that ends on the first word of
/// such an `AND` group takes the words before the group with it:
/// `("Islamic State" AND Sirte)`.
fn join_across_and(children: &mut Vec<(Option<Occur>, UserInputAst)>, analyzer: &mut TextAnalyzer) {
    let mut at = 1;
    while at < children.len() {
        let (occur, child) = &children[at];
        let and_head = match (occur, child) {
            (Some(Occur::Should), UserInputAst::Clause(group)) => {
                group.first().and_then(|(o, w)| {
                    (*o == Some(Occur::Must)).then_some(())?;
                    plain_word(w).filter(|w| w.field_name.is_none()).map(|w| w.phrase.clone())
                })
            }
            _ => None,
        };
        let Some(head) = and_head else {
            at += 1;
            continue;
        };
        // The words without operators right before the group.
        let mut start = at;
        while start > 0
            && children[start - 1].0.is_none()
            && plain_word(&children[start - 1].1).is_some_and(|w| w.field_name.is_none())
        {
            start -= 1;
        }
        let mut run: Vec<(Option<Occur>, UserInputAst)> = children[start..at].to_vec();
        let last = run.len();
        run.push((None, word_leaf(head)));
        let spans_group = groups_in_run(&run, analyzer).find(|&(_, end)| end == last);
        if let Some((first, _)) = spans_group {
            let words: Vec<String> = run[first..]
                .iter()
                .filter_map(|(_, w)| plain_word(w).map(|w| w.phrase.clone()))
                .collect();
            if let (_, UserInputAst::Clause(group)) = &mut children[at] {
                group[0].1 = phrase_leaf(None, words.join(" "));
            }
            children.drain(start + first..at);
            at = start + first;
        }
        at += 1;
    }
}

fn word_leaf(word: String) -> UserInputAst {
    UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(UserInputLiteral {
        field_name: None,
        phrase: word,
        delimiter: Delimiter::None,
        slop: 0,
        prefix: false,
    })))
}

fn phrase_leaf(field_name: Option<String>, phrase: String) -> UserInputAst {
    UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(UserInputLiteral {
        field_name,
        phrase,
        delimiter: Delimiter::DoubleQuotes,
        slop: 0,
        prefix: false,
    })))
}

/// `(first, last)` child positions of each multi-word spelling in a clause.
fn spelling_groups(
    children: &[(Option<Occur>, UserInputAst)],
    analyzer: &mut TextAnalyzer,
) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut start = 0;
    while start < children.len() {
        if plain_word(&children[start].1).is_none() {
            start += 1;
            continue;
        }
        let mut end = start + 1;
        while end < children.len() && continues_run(children, end) {
            end += 1;
            // `OR` binds the word after it: `Islamic State OR Nusra` is read
            // `Islamic (State OR Nusra)`; the run ends at that word.
            if children[end - 1].0.is_some() {
                break;
            }
        }
        if end - start > 1 {
            groups.extend(
                groups_in_run(&children[start..end], analyzer).map(|(a, b)| (start + a, start + b)),
            );
        }
        start = end;
    }
    groups
}

/// Whether child `at` goes on the run of words before it: a word without a
/// field, written next to the one before, or after an `OR` that follows a
/// word without an operator of its own.
fn continues_run(children: &[(Option<Occur>, UserInputAst)], at: usize) -> bool {
    let is_word = plain_word(&children[at].1).is_some_and(|w| w.field_name.is_none());
    is_word
        && match children[at].0 {
            None => true,
            Some(Occur::Should) => children[at - 1].0.is_none(),
            Some(_) => false,
        }
}

/// The spellings of more than one word in a run of plain words.
fn groups_in_run(
    run: &[(Option<Occur>, UserInputAst)],
    analyzer: &mut TextAnalyzer,
) -> impl Iterator<Item = (usize, usize)> {
    let mut text = String::new();
    let mut spans: Vec<Range<usize>> = Vec::with_capacity(run.len());
    for (_, child) in run {
        let word = plain_word(child).map_or("", |w| w.phrase.as_str());
        if !text.is_empty() {
            text.push(' ');
        }
        let start = text.len();
        text.push_str(word);
        spans.push(start..text.len());
    }
    let mut groups = Vec::new();
    let mut stream = analyzer.token_stream(&text);
    while let Some(token) = stream.next() {
        if !token.text.starts_with(ENTITY_PREFIX) {
            continue;
        }
        let covered = spans
            .iter()
            .enumerate()
            .filter(|(_, span)| span.start < token.offset_to && token.offset_from < span.end)
            .map(|(at, _)| at);
        let (first, last) = covered.fold((usize::MAX, 0), |(lo, hi), at| (lo.min(at), hi.max(at)));
        if first < last {
            groups.push((first, last));
        }
    }
    groups.into_iter()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::analysis;

    /// The normalized tree of `query`, printed as tantivy prints it.
    fn read(query: &str) -> String {
        let aliases = Arc::new(Aliases::built_in().unwrap());
        let mut analyzer = analysis::query_analyzer(&aliases, false);
        let mut ast = parse(query).unwrap();
        normalize(&mut ast, &aliases, &mut analyzer);
        format!("{ast:?}")
    }

    #[test]
    fn multi_word_spellings_become_phrases() {
        assert_eq!(read("Islamic State"), r#"(*"Islamic State")"#);
        assert_eq!(read("Islamic State Sirte hotel"), r#"(*"Islamic State" *Sirte *hotel)"#);
        assert_eq!(
            read(r#""Islamic State fighters" Sirte"#),
            r#"(*"Islamic State fighters" *Sirte)"#
        );
        assert_eq!(read("title:Islamic State"), r#"(*"title":"Islamic State")"#);
        assert_eq!(read("-Islamic State Sirte"), r#"(-"Islamic State" *Sirte)"#);
        assert_eq!(read("Islamic AND State"), "(+Islamic +State)");
        assert_eq!(read("Daesh Sirte"), "(*Daesh *Sirte)");
        assert_eq!(
            read("Islamic State of Iraq and the Levant"),
            r#"(*"Islamic State of Iraq and the Levant")"#
        );
        assert_eq!(read("(Islamic State OR Nusra)"), r#"(?"Islamic State" ?Nusra)"#);
        assert_eq!(read("Islamic State AND Sirte"), r#"(?(+"Islamic State" +Sirte))"#);
        assert_eq!(read("Mosul Islamic State AND Sirte"), r#"(*Mosul ?(+"Islamic State" +Sirte))"#);
        assert_eq!(read("Islamic State OR Nusra"), r#"(?"Islamic State" ?Nusra)"#);
        assert_eq!(read("Islamic OR State"), "(?Islamic ?State)");
        assert_eq!(read("entity:Islamic State"), r#"(*"entity":"Islamic State")"#);
    }

    #[test]
    fn a_headline_in_capitals_is_read_as_the_index_read_it() {
        assert_eq!(read("WHAT IS NEXT FOR SIRTE"), "(*what *is *next *for *sirte)");
        assert_eq!(read("IS fighters"), "(*IS *fighters)", "lowercase around: an acronym");
        assert_eq!(read("US AND ISIS OR IS"), "(?(+US +ISIS) ?IS)", "acronyms typed in capitals");
        assert_eq!(read("title:US FIGHTERS NEAR SIRTE"), r#"(*"title":US *fighters *near *sirte)"#);
        assert_eq!(read("ISIL FIGHTERS NEAR SIRTE"), "(*isil *fighters *near *sirte)");
        assert_eq!(
            read("ISLAMIC STATE FIGHTERS NEAR SIRTE"),
            r#"(*"islamic state" *fighters *near *sirte)"#
        );
    }

    #[test]
    fn words_the_strict_grammar_refuses_are_read_as_words() {
        assert_eq!(read("Da'esh"), "Da'esh");
        assert_eq!(read("ISIL's fighters"), "(*ISIL's *fighters)");
        assert_eq!(read("fighting IN Sirte"), "(*fighting *IN *Sirte)");
        assert_eq!(read("title: IN [sirte mosul]"), r#""title": IN ["sirte" "mosul"]"#);
        for broken in ["a AND", "a OR", "NOT", "\"unclosed", "(a b", "title:", "a -"] {
            assert!(parse(broken).is_none(), "{broken}");
        }
    }
}
