//! Folding words of other scripts, so that a spelling in the alias table
//! matches however it was typed.
//!
//! Every word the analyzer emits is *folded*: lowercased, and Arabic script
//! normalised as search engines for Arabic do (Lucene's `ArabicNormalizer` and
//! `PersianNormalizer`, Elasticsearch's `arabic_normalization`): the alef forms
//! `أ إ آ ٱ` become `ا`, alef maqsura `ى` and Persian yeh `ی` become `ي`, taa
//! marbuta `ة` and the Persian heh forms become `ه`, Persian keheh `ک` becomes
//! `ك`, and tatweel `ـ` and the diacritics (harakat, tanwin, shadda, sukun,
//! superscript alef, Quranic marks) are removed. `دَاعِش`, `داعش` and `داعـش`
//! are one word; so are `الإسلامية` and `الاسلاميه`.
//!
//! Two more steps apply only where a word is compared with the alias table,
//! never to the words the index stores, since they would merge ordinary words:
//! - a Cyrillic word is compared by its stem, without a Russian case ending
//!   ([`key`]): `ИГИЛа`, `ИГИЛом` and `ИГИЛ` are one spelling, as are
//!   `Исламского государства` and `Исламское государство`;
//! - an Arabic word that matches no spelling as written is tried without the
//!   letters that attach to it ([`without_arabic_prefixes`]): the conjunctions
//!   `و` and `ف`, then the prepositions `ب`, `ل`, `ك`, with `لل` read as `ل` +
//!   `ال` (`وداعش`, `بداعش`, `للدولة`, `وبالدولة`).

/// Arabic letters and marks folded as described in the module docs: `None`
/// drops the character.
fn fold_arabic(c: char) -> Option<char> {
    match c {
        // Alef with hamza above / below, with madda, wasla, wavy hamza.
        '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' | '\u{0672}' | '\u{0673}' => {
            Some('\u{0627}')
        }
        // Alef maqsura, Farsi yeh → yeh.
        '\u{0649}' | '\u{06CC}' => Some('\u{064A}'),
        // Taa marbuta, heh with yeh above, heh goal, ae → heh.
        '\u{0629}' | '\u{06C0}' | '\u{06C1}' | '\u{06D5}' => Some('\u{0647}'),
        // Keheh (Persian kaf) → kaf.
        '\u{06A9}' => Some('\u{0643}'),
        // Tatweel; harakat, tanwin, shadda, sukun and the other combining marks;
        // superscript alef; Quranic signs and annotation marks.
        '\u{0640}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{0610}'..='\u{061A}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}' => None,
        other => Some(other),
    }
}

/// Writes `text` folded into `out` (cleared first): lowercased, Arabic script
/// normalised. A word that folds to nothing (a stray mark) is kept lowercased,
/// so the analyzer never emits an empty term.
pub fn fold_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
        return;
    }
    for c in text.chars() {
        if ('\u{0600}'..='\u{06FF}').contains(&c) {
            out.extend(fold_arabic(c));
        } else {
            out.extend(c.to_lowercase());
        }
    }
    if out.is_empty() {
        out.extend(text.chars().flat_map(char::to_lowercase));
    }
}

/// `text` folded, as [`fold_into`] writes it.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// Russian noun and adjective case endings, longest first, so that the
/// longest one is cut. Endings that start with `и` after a stem in `-и` are
/// left out (`ия`, `ие`, `ией`): `Россия`, `России` and `Россией` all keep the
/// stem `росси`.
const RUSSIAN_ENDINGS: &[&str] = &[
    "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "ий", "ая", "яя", "ое", "ее", "ые",
    "ую", "юю", "ой", "ей", "ый", "ым", "им", "ом", "ем", "ых", "их", "ах", "ях", "ам", "ям", "ов",
    "ев", "а", "я", "о", "е", "у", "ю", "ы", "и", "ь",
];

/// Letters a Russian stem keeps at least: `США` and `ИГ` are never cut.
const RUSSIAN_MIN_STEM: usize = 3;

/// The form of a folded word that the alias table is keyed by: the word
/// itself, or for a Cyrillic word its stem without a case ending (`игила` →
/// `игил`, `исламского` → `исламск`).
pub fn key(folded: &str) -> &str {
    let Some(first) = folded.chars().next() else { return folded };
    if !('\u{0400}'..='\u{04FF}').contains(&first) {
        return folded;
    }
    for ending in RUSSIAN_ENDINGS {
        if let Some(stem) = folded.strip_suffix(ending)
            && stem.chars().count() >= RUSSIAN_MIN_STEM
        {
            return stem;
        }
    }
    folded
}

/// Conjunctions that attach to the next word.
const CONJUNCTIONS: [char; 2] = ['\u{0648}', '\u{0641}'];
/// Prepositions that attach to the next word.
const PREPOSITIONS: [char; 3] = ['\u{0628}', '\u{0644}', '\u{0643}'];
/// Letters a word keeps at least once its prefixes are cut.
const ARABIC_MIN_REST: usize = 2;

/// Whether `word` (folded) may carry an attached Arabic prefix: a cheap test
/// before [`without_arabic_prefixes`].
pub fn may_have_arabic_prefix(word: &str) -> bool {
    word.starts_with(CONJUNCTIONS) || word.starts_with(PREPOSITIONS)
}

/// Calls `found` with each reading of the folded Arabic `word` without its
/// attached prefixes (not `word` itself), in order, until it returns `Some`:
/// `وللدولة` is tried as `للدولة`, `الدولة`, `لدولة`. A reading keeps at
/// least two letters.
pub fn without_arabic_prefixes<T>(
    word: &str,
    mut found: impl FnMut(&str) -> Option<T>,
) -> Option<T> {
    let long_enough = |rest: &str| rest.chars().count() >= ARABIC_MIN_REST;
    let after_conjunction = word.strip_prefix(CONJUNCTIONS).filter(|rest| long_enough(rest));
    for base in [Some(word), after_conjunction].into_iter().flatten() {
        if base.len() != word.len()
            && let Some(hit) = found(base)
        {
            return Some(hit);
        }
        // li + al: `للدولة` is `ل` + `الدولة` with the alef dropped.
        if let Some(rest) = base.strip_prefix("\u{0644}\u{0644}")
            && long_enough(rest)
            && let Some(hit) = found(&format!("\u{0627}\u{0644}{rest}"))
        {
            return Some(hit);
        }
        if let Some(rest) = base.strip_prefix(PREPOSITIONS).filter(|rest| long_enough(rest))
            && let Some(hit) = found(rest)
        {
            return Some(hit);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_is_folded_as_search_engines_fold_it() {
        assert_eq!(fold("دَاعِش"), "داعش");
        assert_eq!(fold("داعـــش"), "داعش");
        assert_eq!(fold("الدولة الإسلامية"), fold("الدوله الاسلاميه"));
        assert_eq!(fold("أ إ آ ٱ"), "ا ا ا ا");
        assert_eq!(fold("مصطفى"), "مصطفي");
        assert_eq!(fold("اسلامی"), "اسلامي", "Persian yeh");
        assert_eq!(fold("کرد"), "كرد", "Persian keheh");
        assert_eq!(fold("ISIL"), "isil");
        assert_eq!(fold("État"), "état");
        assert_eq!(fold("\u{064E}"), "\u{064E}", "a lone mark is kept, never empty");
    }

    #[test]
    fn russian_case_endings_are_cut_for_the_key() {
        for form in ["игил", "игила", "игилу", "игилом", "игиле"] {
            assert_eq!(key(form), "игил", "{form}");
        }
        for form in ["исламское", "исламского", "исламскому", "исламским", "исламском"]
        {
            assert_eq!(key(form), "исламск", "{form}");
        }
        for form in ["государство", "государства", "государству", "государством", "государстве"]
        {
            assert_eq!(key(form), "государств", "{form}");
        }
        for form in ["россия", "россии", "россией", "россию"] {
            assert_eq!(key(form), "росси", "{form}");
        }
        assert_eq!(key("сша"), "сша", "short acronyms are kept");
        assert_eq!(key("daesh"), "daesh");
    }

    #[test]
    fn arabic_prefixes_are_tried_off() {
        let readings = |word: &str| {
            let mut all = Vec::new();
            without_arabic_prefixes(word, |reading| {
                all.push(reading.to_owned());
                None::<()>
            });
            all
        };
        assert_eq!(readings("وداعش"), ["داعش"]);
        assert_eq!(readings("بداعش"), ["داعش"]);
        assert_eq!(readings("للدوله"), ["الدوله", "لدوله"]);
        assert_eq!(readings("وللدوله"), ["للدوله", "الدوله", "لدوله"]);
        assert_eq!(readings("بالدوله"), ["الدوله"]);
        assert_eq!(readings("وب"), Vec::<String>::new(), "too short");
        assert!(may_have_arabic_prefix("وداعش") && !may_have_arabic_prefix("داعش"));
    }
}
