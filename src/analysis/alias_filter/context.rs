//! Whether an acronym names its entity where it is written.
//!
//! An acronym of the table (`IS`, `US`, `UN`, `EI`, ...) is a spelling that is
//! also an ordinary word or a common code, so it is matched only in its own
//! case, and then only where its context says it is the name:
//!
//! - **Not on a line in capitals.** A line is in capitals when, leaving out the
//!   acronym itself, at least two of its letters are capitals and capitals
//!   outnumber lower-case letters (letters of scripts without case do not
//!   count). `WHAT IS NEXT FOR LIBYA` and a wire headline with a short
//!   lower-case tail, `MILL SAYS IT IS RAISING PLATE PRICES BY 12 DLRS/short
//!   ton`, are lines in capitals, where `IS` is the verb; `Forces Retake IS
//!   Stronghold` and `US, UK Back SDF Push on Raqqa` are not. A headline is a
//!   line like any other: its acronyms count only when its other words are not
//!   in capitals. Only the [`LINE_WINDOW`] characters on each side of the
//!   acronym are read, so a long paragraph costs no more than a headline.
//! - **Not inside a run of capitals** on a mixed line: when the words right
//!   before and right after it on its line are both words in capitals (two
//!   letters or more, none lower-case), as in a quote in capitals, `"LET US
//!   SEE THE CONTRACT," the union leader said`. `the US, UK and France` still
//!   counts: `the` is not in capitals.
//! - **Not in a ticker or a code.** Right after `<` (`<IS>`, `<IS.N>`) or `$`
//!   (`$IS`), right before `$` (`US$`), glued to a colon and another code in
//!   capitals (`NYSE:IS`, `IS:US`), after the name of a stock exchange and a
//!   colon (`NYSE: IS`, `Nasdaq: US`), alone after a code and a colon in
//!   parentheses (`(TSX: UN)`), or followed by a dot and a one- to
//!   three-letter exchange suffix in capitals (`IS.N`, `US.OQ`): these are
//!   securities and currencies, not the group, the country or the body.
//!   `Islamic State (IS)` is not a code: the acronym is being introduced.

/// How many characters on each side of an acronym, on its line, the
/// capitals rule reads.
const LINE_WINDOW: usize = 160;

/// Stock exchanges whose name before a colon makes the next word a ticker,
/// compared case-insensitively.
const EXCHANGES: &[&str] = &[
    "nyse", "nasdaq", "amex", "arca", "otc", "otcqx", "otcbb", "pink", "lse", "lon", "aim", "tsx",
    "tsxv", "cse", "asx", "nzx", "hkex", "hkse", "sehk", "tse", "tyo", "sgx", "krx", "nse", "bse",
    "sse", "szse", "twse", "set", "idx", "jse", "egx", "tase", "adx", "dfm", "tadawul", "qse",
    "bist", "moex", "wse", "fwb", "fra", "xetra", "etr", "epa", "ebr", "ams", "bit", "bme", "six",
    "swx", "omx", "ose", "bmv", "bvmf", "euronext",
];

/// Whether the acronym at `text[from..to]` names its entity: it is not on a
/// line in capitals and not part of a ticker or code (see the module docs).
pub fn acronym_counts(text: &str, from: usize, to: usize) -> bool {
    !is_code(text, from, to)
        && !in_capitals_line(text, from, to)
        && !in_capitals_run(text, from, to)
}

/// Whether the words right before and right after `text[from..to]`, on its
/// line, are both in capitals: two letters or more, none lower-case.
fn in_capitals_run(text: &str, from: usize, to: usize) -> bool {
    let is_capitals = |word: &mut dyn Iterator<Item = char>| {
        let mut letters = 0;
        for c in word {
            if !c.is_uppercase() {
                return false;
            }
            letters += 1;
        }
        letters >= 2
    };
    let mut before = text.get(..from).unwrap_or_default().chars().rev().peekable();
    let mut after = text.get(to..).unwrap_or_default().chars().peekable();
    while before.next_if(|&c| !c.is_alphanumeric() && c != '\n').is_some() {}
    while after.next_if(|&c| !c.is_alphanumeric() && c != '\n').is_some() {}
    is_capitals(&mut before.take_while(|c| c.is_alphanumeric()))
        && is_capitals(&mut after.take_while(|c| c.is_alphanumeric()))
}

/// Whether the line around `text[from..to]` is written in capitals: leaving
/// out `from..to`, at least two capitals, and more capitals than lower-case
/// letters, within [`LINE_WINDOW`] characters on each side.
pub fn in_capitals_line(text: &str, from: usize, to: usize) -> bool {
    let before = text.get(..from).unwrap_or_default().chars().rev();
    let after = text.get(to..).unwrap_or_default().chars();
    let (mut upper, mut lower) = (0_usize, 0_usize);
    for c in before
        .take_while(|&c| c != '\n')
        .take(LINE_WINDOW)
        .chain(after.take_while(|&c| c != '\n').take(LINE_WINDOW))
    {
        if c.is_uppercase() {
            upper += 1;
        } else if c.is_lowercase() {
            lower += 1;
        }
    }
    upper >= 2 && upper > lower
}

/// Whether `text[from..to]` is (part of) a ticker or code: see the module docs.
fn is_code(text: &str, from: usize, to: usize) -> bool {
    let bytes = text.as_bytes();
    let before = bytes.get(..from).unwrap_or_default();
    let after = bytes.get(to..).unwrap_or_default();
    if matches!(before.last(), Some(b'<' | b'$')) || after.first() == Some(&b'$') {
        return true;
    }
    // `IS.N`, `IS:US`: a dot or colon, then a short code in capitals.
    if let [b'.' | b':', rest @ ..] = after {
        let code = rest.iter().take_while(|b| b.is_ascii_uppercase()).count();
        let max = if after[0] == b'.' { 3 } else { 8 };
        if (1..=max).contains(&code) && rest.get(code).is_none_or(|b| !b.is_ascii_alphanumeric()) {
            return true;
        }
    }
    // `NYSE:IS`, `NYSE: IS`, `(TSX: IS)`.
    let before_spaces = before.iter().rev().take_while(|b| **b == b' ').count();
    let Some((&b':', head)) = before[..before.len() - before_spaces].split_last() else {
        return false;
    };
    let word_len = head.iter().rev().take_while(|b| b.is_ascii_alphanumeric()).count();
    let word = &head[head.len() - word_len..];
    let word_start = &head[..head.len() - word_len];
    if word.is_empty() || word_start.last().is_some_and(u8::is_ascii_alphanumeric) {
        return false;
    }
    let capitals = word.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && word.iter().any(u8::is_ascii_uppercase);
    if before_spaces == 0 && capitals {
        return true;
    }
    if EXCHANGES.iter().any(|exchange| exchange.as_bytes().eq_ignore_ascii_case(word)) {
        return true;
    }
    let opened = word_start.iter().rev().find(|b| **b != b' ') == Some(&b'(');
    let closed = after.iter().find(|b| **b != b' ') == Some(&b')');
    capitals && opened && closed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `acronym_counts` for the first `acronym` in `text`.
    fn counts(text: &str, acronym: &str) -> bool {
        let from = text.find(acronym).unwrap();
        acronym_counts(text, from, from + acronym.len())
    }

    #[test]
    fn lines_mostly_in_capitals_are_headlines() {
        assert!(!counts("WHAT IS NEXT FOR LIBYA", "IS"));
        assert!(!counts("MILL SAYS IT IS RAISING PLATE PRICES BY 12 DLRS/short ton", "IS"));
        assert!(!counts("BROKER SAYS IT IS QUOTING THE STOCK AT 41-1/4 to 42", "IS"));
        assert!(!counts("first line\nUS AND UK TRADE TALKS OPEN\nthird line", "US"));
        assert!(counts("Forces Retake IS Stronghold", "IS"));
        assert!(counts("US, UK Back SDF Push on Raqqa", "US"));
        assert!(counts("fighters of IS fled", "IS"));
        assert!(counts("WHAT NEXT\nIS fighters fled the town", "IS"));
        assert!(counts("IS", "IS"), "a lone acronym has no line around it");
        assert!(!counts(
            "\"LET US SEE THE WHOLE CONTRACT FIRST,\" the union leader told reporters",
            "US"
        ));
        assert!(counts("the US, UK and France said on Monday", "US"));
        assert!(counts("talks with the SDF. US forces said on Monday", "US"));
        assert!(counts("داعش و IS في سوريا", "IS"), "letters without case do not count");
    }

    #[test]
    fn tickers_and_codes_are_not_entities() {
        for (text, acronym) in [
            ("Harbor Trust Corp <IS> said on Monday", "IS"),
            ("shares of Harbor Trust <IS.N> rose", "IS"),
            ("Harbor Trust (NYSE: IS) said", "IS"),
            ("Harbor Trust (NYSE:IS) said", "IS"),
            ("listed as NYSE:IS since", "IS"),
            ("listed on Nasdaq: UN since", "UN"),
            ("Harbor Trust (TSX: UN) said", "UN"),
            ("Harbor Trust IS.N rose", "IS"),
            ("quoted as IS:US in the terminal", "IS"),
            ("quoted as HTC:US in the terminal", "US"),
            ("a loan of US$40 million", "US"),
            ("traders bought $IS on Monday", "IS"),
        ] {
            assert!(!counts(text, acronym), "{text}");
        }
        for (text, acronym) in [
            ("the Islamic State (IS) group", "IS"),
            ("fighters of IS. The town", "IS"),
            ("Source: US officials said", "US"),
            ("BEIRUT: US strikes hit the town, officials said", "US"),
            ("the UN: a body in trouble", "UN"),
            ("IS, the group, said", "IS"),
            ("at 10:US time", "US"),
        ] {
            assert!(counts(text, acronym), "{text}");
        }
    }
}
