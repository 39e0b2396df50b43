//! The alias table: `schema/aliases.toml` → [`Aliases`], the lookup structure the
//! analyzer walks to turn every spelling of an entity into one canonical term.
//!
//! Variants are split into words with the same tokenizer that splits article text
//! (see [`super::split_words`]), so `Da'esh`, `al-Qaeda` and `Islamic State` are
//! matched as word sequences and punctuation between the words never matters.
//! Words are compared folded ([`script`]): lowercased, Arabic script normalised,
//! Cyrillic words by their stem, Arabic first words also without attached
//! prefixes.

mod lineage;
pub mod script;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use toml::Spanned;

use super::ENTITY_PREFIX;
use crate::error::{Error, Result};
pub use lineage::Lineage;

/// The table shipped with newsearch, compiled into the binary.
pub const BUILT_IN_TABLE: &str = include_str!("../../schema/aliases.toml");

/// What `Error` messages call the built-in table.
pub const BUILT_IN_NAME: &str = "schema/aliases.toml (built in)";

/// The version of the rules by which text is matched against the table, part
/// of every [`Aliases::fingerprint`]. 2: acronyms read by their context
/// (lines mostly in capitals, tickers and codes), words of other scripts folded.
pub const MATCHING_RULES: u32 = 2;

/// Index of an entity in [`Aliases::entities`].
pub type EntityId = u32;

/// One canonical entity and the spellings that stand for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity {
    /// Canonical name, as shown in facets (`ISIS`).
    pub name: String,
    /// Kind, the first level of the entity facet (`organization`).
    pub kind: String,
    /// The term the index holds for every mention (`isis`).
    pub term: String,
    /// Spellings matched whatever their case.
    pub variants: Vec<String>,
    /// Spellings matched only with exactly this capitalisation, outside all-caps lines.
    pub acronyms: Vec<String>,
    /// The entity this one succeeds (renamed from): `succeeds` in the table.
    pub succeeds: Option<EntityId>,
    /// When the change from its predecessor took place (`2016-07`), as the
    /// table writes it: `since` in the table.
    pub since: Option<String>,
}

impl Entity {
    /// The facet path of this entity: `/organization/ISIS`.
    pub fn facet_path(&self) -> String {
        format!("/{}/{}", self.kind, self.name)
    }
}

/// A variant as the trie stores it at the node where its last word ends.
#[derive(Clone, Debug)]
pub struct VariantMatch {
    /// The entity this spelling stands for.
    pub entity: EntityId,
    /// The spelling as written in the table.
    pub variant: String,
    /// `Some(words)` for acronyms: the words must appear with exactly this case.
    pub exact_words: Option<Vec<String>>,
}

#[derive(Debug, Default)]
struct TrieNode {
    children: FxHashMap<String, u32>,
    terminal: Option<VariantMatch>,
    /// For a first word: some variant starting here matches in any case.
    starts_any_case: bool,
    /// For a first word: how acronyms starting here write it (`IS`), when
    /// only acronyms start here.
    starts_as: Vec<String>,
}

/// A parsed and validated alias table.
#[derive(Debug)]
pub struct Aliases {
    entities: Vec<Entity>,
    nodes: Vec<TrieNode>,
    first_words: FirstWordFilter,
    fingerprint: String,
    source_text: String,
    lineages: Vec<Lineage>,
    /// Per entity: its index in `lineages`, if it is in one.
    lineage_of: Vec<Option<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    version: Spanned<u32>,
    #[serde(default)]
    entity: Vec<EntityEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityEntry {
    name: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    variants: Vec<Spanned<String>>,
    #[serde(default)]
    acronyms: Vec<Spanned<String>>,
    #[serde(default)]
    succeeds: Option<Spanned<String>>,
    #[serde(default)]
    since: Option<Spanned<String>>,
}

impl Aliases {
    /// The table compiled into newsearch.
    pub fn built_in() -> Result<Aliases> {
        Aliases::parse(BUILT_IN_TABLE, Path::new(BUILT_IN_NAME))
    }

    /// Reads and validates a table file.
    pub fn from_path(path: &Path) -> Result<Aliases> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        Aliases::parse(&text, path)
    }

    /// Parses and validates table text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Aliases> {
        let file: TableFile = toml::from_str(text).map_err(|err| {
            let line = err.span().map_or(1, |span| line_of(text, span.start));
            table_error(origin, line, err.message().trim_end_matches('.').to_owned())
        })?;
        if *file.version.get_ref() != 1 {
            return Err(table_error(
                origin,
                line_of(text, file.version.span().start),
                format!("unsupported table version {}, expected 1", file.version.get_ref()),
            ));
        }
        let mut table = Aliases {
            entities: Vec::with_capacity(file.entity.len()),
            nodes: vec![TrieNode::default()],
            first_words: FirstWordFilter::default(),
            fingerprint: String::new(),
            source_text: text.to_owned(),
            lineages: Vec::new(),
            lineage_of: Vec::new(),
        };
        let mut claims = Claims::default();
        for entry in &file.entity {
            table.add_entity(entry, text, origin, &mut claims)?;
        }
        table.link_successions(&file.entity, text, origin)?;
        table.fingerprint = table.compute_fingerprint();
        Ok(table)
    }

    /// Validates one `[[entity]]` and adds its spellings to the trie.
    fn add_entity(
        &mut self,
        entry: &EntityEntry,
        text: &str,
        origin: &Path,
        claims: &mut Claims,
    ) -> Result<()> {
        let name = entry.name.get_ref().trim();
        // Errors carry byte offsets until one is reported: counting lines for
        // every spelling made opening a large table quadratic.
        let entry_line = entry.name.span().start;
        let invalid = |offset: usize, message: String| {
            table_error(origin, line_of(text, offset), format!("entity `{name}`: {message}"))
        };
        if name.is_empty() || name.contains('/') {
            return Err(invalid(entry_line, "a name must be non-empty and without `/`".into()));
        }
        let kind = entry.kind.get_ref().trim();
        if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
            return Err(invalid(
                entry.kind.span().start,
                format!("kind {kind:?} must be one lowercase word such as `organization`"),
            ));
        }
        let term = canonical_term(name);
        if term.len() == ENTITY_PREFIX.len_utf8() {
            return Err(invalid(entry_line, "a name needs at least one letter or digit".into()));
        }
        if let Some(other) = claims.terms.insert(term.clone(), name.to_owned()) {
            return Err(invalid(
                entry_line,
                format!("its index term `{term}` is also `{other}`'s"),
            ));
        }
        let id = EntityId::try_from(self.entities.len())
            .map_err(|_| invalid(entry_line, "too many entities".into()))?;

        // The name is always a spelling of its entity; it is case-insensitive
        // unless the table lists it as an acronym.
        let name_is_acronym =
            entry.acronyms.iter().any(|a| lowercase_words(a.get_ref()) == lowercase_words(name));
        let name_spanned = Spanned::new(entry.name.span(), name.to_owned());
        let mut spellings: Vec<(&Spanned<String>, bool)> = Vec::new();
        if !name_is_acronym {
            spellings.push((&name_spanned, false));
        }
        spellings.extend(entry.variants.iter().map(|v| (v, false)));
        spellings.extend(entry.acronyms.iter().map(|a| (a, true)));

        for (spelling, exact) in spellings {
            let line = spelling.span().start;
            let words = super::split_words(spelling.get_ref());
            if words.is_empty() {
                return Err(invalid(line, format!("empty variant {:?}", spelling.get_ref())));
            }
            let key: Vec<String> =
                words.iter().map(|w| script::key(&script::fold(w)).to_owned()).collect();
            match claims.owners.get(&key) {
                // The same entity may list a spelling twice (as name and as
                // variant); the case-insensitive one is kept.
                Some((owner, _)) if owner == name && exact => continue,
                Some((owner, _)) if owner == name => {}
                Some((owner, owner_offset)) => {
                    return Err(invalid(
                        line,
                        format!(
                            "variant {:?} also belongs to `{owner}` (line {})",
                            spelling.get_ref(),
                            line_of(text, *owner_offset)
                        ),
                    ));
                }
                None => {
                    claims.owners.insert(key.clone(), (name.to_owned(), line));
                }
            }
            let exact_words = exact.then_some(words);
            self.insert(
                &key,
                VariantMatch { entity: id, variant: spelling.get_ref().clone(), exact_words },
            );
        }
        self.entities.push(Entity {
            name: name.to_owned(),
            kind: kind.to_owned(),
            term,
            variants: entry.variants.iter().map(|v| v.get_ref().clone()).collect(),
            acronyms: entry.acronyms.iter().map(|a| a.get_ref().clone()).collect(),
            succeeds: None,
            since: None,
        });
        Ok(())
    }

    fn insert(&mut self, key: &[String], found: VariantMatch) {
        if let Some(first) = key.first() {
            self.first_words.insert(first);
        }
        let mut node = 0usize;
        for (depth, word) in key.iter().enumerate() {
            let next = if let Some(&child) = self.nodes[node].children.get(word) {
                child as usize
            } else {
                let child = self.nodes.len();
                self.nodes.push(TrieNode::default());
                self.nodes[node].children.insert(word.clone(), child as u32);
                child
            };
            node = next;
            if depth == 0 {
                let first = &mut self.nodes[node];
                match found.exact_words.as_ref().and_then(|words| words.first()) {
                    Some(written) if !first.starts_as.contains(written) => {
                        first.starts_as.push(written.clone());
                    }
                    Some(_) => {}
                    None => first.starts_any_case = true,
                }
            }
        }
        // A case-insensitive spelling wins over an acronym with the same words.
        let replace = match &self.nodes[node].terminal {
            None => true,
            Some(existing) => existing.exact_words.is_some() && found.exact_words.is_none(),
        };
        if replace {
            self.nodes[node].terminal = Some(found);
        }
    }

    /// The root of the variant trie.
    pub(crate) const ROOT: u32 = 0;

    /// Whether some variant may start with the ASCII `word`, in any case: a
    /// cheap test (no hashing, no lowercasing) that rules out nearly every
    /// ordinary word. `true` may be a false positive; `false` is certain.
    #[inline]
    pub(crate) fn may_start_ascii_any_case(&self, word: &str) -> bool {
        self.first_words.may_contain(word)
    }

    /// Whether some variant may start with the word written `written`,
    /// `lower` when lowercased: its first word is `lower`, in any case for a
    /// variant and exactly as written for an acronym (`IS`, not `is`).
    pub(crate) fn may_start_with(&self, written: &str, lower: &str) -> bool {
        self.step(Aliases::ROOT, lower).is_some_and(|node| {
            let first = &self.nodes[node as usize];
            first.starts_any_case || first.starts_as.iter().any(|w| w == written)
        })
    }

    /// The trie node reached from `node` by the folded word `word` (see
    /// [`script::fold_into`]; a Cyrillic word is looked up by its stem).
    pub(crate) fn step(&self, node: u32, word: &str) -> Option<u32> {
        self.nodes[node as usize].children.get(script::key(word)).copied()
    }

    /// The trie node reached from the root by the folded word `word`, as
    /// written or, for an Arabic word, without the conjunctions and
    /// prepositions attached to it (`وداعش`, `للدولة`).
    pub(crate) fn step_first(&self, word: &str) -> Option<u32> {
        self.step(Self::ROOT, word).or_else(|| {
            if word.is_ascii() || !script::may_have_arabic_prefix(word) {
                return None;
            }
            script::without_arabic_prefixes(word, |reading| self.step(Self::ROOT, reading))
        })
    }

    /// The variant that ends at `node`, if any.
    pub(crate) fn terminal(&self, node: u32) -> Option<&VariantMatch> {
        self.nodes[node as usize].terminal.as_ref()
    }

    /// Whether any variant continues past `node`.
    pub(crate) fn has_children(&self, node: u32) -> bool {
        !self.nodes[node as usize].children.is_empty()
    }

    /// All entities, in table order; an [`EntityId`] indexes this slice.
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// The entity with this id.
    pub fn entity(&self, id: EntityId) -> &Entity {
        &self.entities[id as usize]
    }

    /// The entity a whole text names: its canonical name (any case), exactly one
    /// of its spellings, e.g. `isis`, `Islamic State` or `IS`, or its facet path as
    /// the `entity` facet prints it (`/organization/ISIS`).
    pub fn resolve(&self, text: &str) -> Option<EntityId> {
        let text = text.trim();
        let text = match text.strip_prefix('/') {
            Some(path) => path.rsplit('/').next().unwrap_or(path),
            None => text,
        };
        if let Some(id) = self.entities.iter().position(|e| e.name.eq_ignore_ascii_case(text)) {
            return EntityId::try_from(id).ok();
        }
        let words = super::split_words(text);
        let (first, rest) = words.split_first()?;
        let mut node = self.step_first(&script::fold(first))?;
        for word in rest {
            node = self.step(node, &script::fold(word))?;
        }
        let found = self.terminal(node)?;
        match &found.exact_words {
            Some(exact) if *exact != words => None,
            _ => Some(found.entity),
        }
    }

    /// The canonical name of the entity a text names, if it names one.
    pub fn canonical(&self, text: &str) -> Option<&str> {
        self.resolve(text).map(|id| self.entity(id).name.as_str())
    }

    /// A short hash of the table's meaning (not its comments or layout) and of
    /// the analyzer's matching rules ([`MATCHING_RULES`]): two tables with the
    /// same fingerprint analyze text identically, and an index analyzed under
    /// older rules asks for `--rebuild` rather than mixing the two readings.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The table's text as it was read, so that an index can keep its own copy.
    pub fn source_text(&self) -> &str {
        &self.source_text
    }

    fn compute_fingerprint(&self) -> String {
        let mut canonical = format!("rules {MATCHING_RULES}\n");
        for entity in &self.entities {
            let _ = writeln!(
                canonical,
                "{}\u{1f}{}\u{1f}{}\u{1f}{}",
                entity.name,
                entity.kind,
                entity.variants.join("\u{1e}"),
                entity.acronyms.join("\u{1e}")
            );
            // Successions change what `lineage:` finds, not how text is read;
            // a table without any keeps the fingerprint it had before them.
            if let Some(predecessor) = entity.succeeds {
                let _ = writeln!(
                    canonical,
                    "succeeds\u{1f}{}\u{1f}{}",
                    self.entity(predecessor).name,
                    entity.since.as_deref().unwrap_or_default()
                );
            }
        }
        blake3::hash(canonical.as_bytes()).to_hex()[..16].to_owned()
    }
}

/// A bitmap keyed by (first byte, second byte, last byte, length) of the first
/// words of all variants, hashed into 64k bits. Testing a word costs a few
/// shifts and one load from 8 KB (L1 cache), and rules out about 93% of the
/// words of news text; the analyzer asks it for every word of every article.
/// Bytes are folded to their low five bits, so ASCII `A` and `a` share a slot:
/// the test works on words in any case.
#[derive(Debug, Clone)]
struct FirstWordFilter {
    bits: Vec<u64>,
}

impl Default for FirstWordFilter {
    fn default() -> FirstWordFilter {
        FirstWordFilter { bits: vec![0; FirstWordFilter::SLOTS / 64] }
    }
}

impl FirstWordFilter {
    const SLOT_BITS: u32 = 16;
    const SLOTS: usize = 1 << Self::SLOT_BITS;

    fn slot(word: &str) -> usize {
        let bytes = word.as_bytes();
        let fold = |byte: Option<&u8>| u32::from(byte.copied().unwrap_or(0) & 31);
        let key = fold(bytes.first())
            | fold(bytes.get(1)) << 5
            | fold(bytes.last()) << 10
            | (bytes.len().min(31) as u32) << 15;
        // Fibonacci hashing: spreads the 20-bit key over the table's bits.
        (key.wrapping_mul(0x9E37_79B9) >> (32 - Self::SLOT_BITS)) as usize
    }

    fn insert(&mut self, word: &str) {
        let slot = Self::slot(word);
        self.bits[slot / 64] |= 1 << (slot % 64);
    }

    #[inline]
    fn may_contain(&self, word: &str) -> bool {
        let slot = Self::slot(word);
        self.bits[slot / 64] & (1 << (slot % 64)) != 0
    }
}

/// Spellings and index terms already claimed, to reject a spelling or term
/// that two entities share.
#[derive(Default)]
struct Claims {
    /// Folded word sequence → (entity name, byte offset) of its first owner.
    owners: BTreeMap<Vec<String>, (String, usize)>,
    /// Index term → entity name.
    terms: BTreeMap<String, String>,
}

fn table_error(origin: &Path, line: usize, message: String) -> Error {
    Error::AliasTable { path: origin.to_path_buf(), line, message }
}

/// The index term for an entity name: [`ENTITY_PREFIX`], then lowercase letters
/// and digits only, so that `al-Qaeda` becomes `#alqaeda`. The prefix keeps entity
/// terms apart from words: the country `Turkey` is never the word `turkey`, and
/// no stem group of ordinary words can reach an entity.
fn canonical_term(name: &str) -> String {
    std::iter::once(ENTITY_PREFIX)
        .chain(name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase))
        .collect()
}

fn lowercase_words(text: &str) -> Vec<String> {
    super::split_words(text).iter().map(|w| w.to_lowercase()).collect()
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Result<Aliases> {
        Aliases::parse(text, Path::new("test.toml"))
    }

    const SMALL: &str = r#"
version = 1

[[entity]]
name = "ISIS"
kind = "organization"
variants = ["ISIL", "Daesh", "Da'esh", "Islamic State", "Islamic State of Iraq and the Levant"]
acronyms = ["IS", "IS group"]

[[entity]]
name = "United States"
kind = "country"
variants = ["USA"]
acronyms = ["US", "U.S."]
"#;

    #[test]
    fn resolves_names_variants_and_acronyms() {
        let aliases = table(SMALL).unwrap();
        assert_eq!(aliases.canonical("isis"), Some("ISIS"));
        assert_eq!(aliases.canonical("islamic state"), Some("ISIS"));
        assert_eq!(aliases.canonical("Da’esh"), Some("ISIS"));
        assert_eq!(aliases.canonical("IS"), Some("ISIS"));
        assert_eq!(aliases.canonical("is"), None, "acronyms keep their case");
        assert_eq!(aliases.canonical("U.S."), Some("United States"));
        assert_eq!(aliases.canonical("Islamic"), None);
        assert_eq!(aliases.entity(0).term, "#isis");
        assert_eq!(aliases.entity(1).term, "#unitedstates");
        assert_eq!(aliases.entity(0).facet_path(), "/organization/ISIS");
        assert_eq!(aliases.canonical("/organization/ISIS"), Some("ISIS"), "a facet path");
        assert_eq!(aliases.canonical(" /country/U.S."), Some("United States"));
    }

    #[test]
    fn first_words_of_acronyms_start_variants_only_in_their_own_case() {
        let aliases = table(SMALL).unwrap();
        let starts = |written: &str| aliases.may_start_with(written, &written.to_lowercase());
        for written in ["IS", "US", "U", "Islamic", "ISLAMIC", "islamic", "Da", "da", "usa"] {
            assert!(starts(written), "{written}");
        }
        for written in ["is", "Is", "us", "u", "state", "group", "the"] {
            assert!(!starts(written), "{written}");
        }
    }

    #[test]
    fn a_variant_of_two_entities_is_an_error_naming_both_and_the_line() {
        let text = format!(
            "{SMALL}\n[[entity]]\nname = \"Iceland\"\nkind = \"country\"\nvariants = [\"Daesh\"]\n"
        );
        let err = table(&text).unwrap_err().to_string();
        assert!(err.starts_with("test.toml:19:"), "{err}");
        assert!(err.contains("`Iceland`") && err.contains("`ISIS`"), "{err}");
    }

    #[test]
    fn empty_variant_and_bad_toml_are_errors_with_lines() {
        let empty =
            "version = 1\n[[entity]]\nname = \"X\"\nkind = \"place\"\nvariants = [\"--\"]\n";
        let err = table(empty).unwrap_err().to_string();
        assert!(err.starts_with("test.toml:5: entity `X`: empty variant"), "{err}");
        let err = table("version = 1\n[[entity]\n").unwrap_err().to_string();
        assert!(err.starts_with("test.toml:2:"), "{err}");
        let err = table("version = 1\n[[entity]]\nname = \"X\"\nkind = \"Place\"\n").unwrap_err();
        assert!(err.to_string().contains("kind"), "{err}");
        let err = table("version = 2\n").unwrap_err().to_string();
        assert!(err.contains("version 2"), "{err}");
    }

    #[test]
    fn fingerprint_ignores_comments_but_not_meaning() {
        let a = table(SMALL).unwrap();
        let b = table(&format!("# a comment\n{SMALL}")).unwrap();
        let c = table(&SMALL.replace("\"USA\"", "\"USA\", \"America\"")).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
    }

    #[test]
    fn the_built_in_table_loads() {
        let aliases = Aliases::built_in().unwrap();
        assert!(aliases.entities().len() >= 26);
        for spelling in [
            "ISIS",
            "ISIL",
            "IS",
            "Daesh",
            "Da'esh",
            "Daish",
            "Islamic State",
            "Islamic State of Iraq and Syria",
            "Islamic State of Iraq and the Levant",
            "IS group",
        ] {
            assert_eq!(aliases.canonical(spelling), Some("ISIS"), "{spelling}");
        }
    }
}
