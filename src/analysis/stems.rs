//! Stemmed matching without stemming the index: words are indexed as written,
//! and a query word is expanded to every indexed word with the same Snowball
//! English (Porter2) stem (`strike` → `strike`, `strikes`, `striking`).
//!
//! Stemming every token at indexing time cost a fifth of indexing throughput
//! and would lose the forms as written, which `--literal` searches. Expanding
//! at query time needs to know which indexed words share a stem; Porter2 stems
//! are not always prefixes of their words (`study` → `studi`), so scanning the
//! term dictionary by prefix would miss some. Instead each segment carries a
//! stem-to-forms table, written by [`StemsPlugin`] when tantivy writes or
//! merges the segment, so it commits (and is rolled back) with the segment.
//!
//! The table holds only words whose stem differs from themselves; a word that
//! is its own stem is found in the term dictionary. Entity terms (`#isis`) and
//! literal spellings (`=isil`) are never stemmed, and since no stem starts
//! with `#` or `=`, no stem group can reach one.

use std::borrow::Cow;
use std::io::Write as _;
use std::sync::Arc;

use tantivy::directory::{CompositeFile, FileSlice, OwnedBytes, TerminatingWrite};
use tantivy::index::{Segment, SegmentComponent};
use tantivy::indexer::doc_id_mapping::DocIdMapping;
use tantivy::plugin::{PluginMergeContext, PluginWriter, PluginWriterContext, SegmentPlugin};
use tantivy::schema::Field;
use tantivy::termdict::TermDictionary;
use tantivy_fst::{IntoStreamer, Map, MapBuilder, Streamer};

use super::{ENTITY_PREFIX, LITERAL_PREFIX};

/// The file extension of a segment's stem table.
pub const EXTENSION: &str = "stems";

/// Separates a stem from a form in the table's keys: no term holds it.
const SEPARATOR: u8 = 0;

/// The Snowball English stem of a lowercase word.
pub fn stem(word: &str) -> Cow<'_, str> {
    frostem::Stemmer::new(frostem::Algorithm::English).stem(word)
}

/// Whether a term is an ordinary word that stemming may group: not an entity
/// term, not a literal spelling.
pub fn is_stemmable(term: &str) -> bool {
    !term.starts_with(ENTITY_PREFIX) && !term.starts_with(LITERAL_PREFIX)
}

/// One segment's stem-to-forms table.
pub struct StemTable {
    map: Map<OwnedBytes>,
}

impl StemTable {
    /// Reads a table written by [`StemsPlugin`].
    pub fn open(bytes: OwnedBytes) -> std::io::Result<StemTable> {
        let map = Map::from(
            tantivy_fst::raw::Fst::new(bytes)
                .map_err(|err| std::io::Error::new(std::io::ErrorKind::InvalidData, err))?,
        );
        Ok(StemTable { map })
    }

    /// Reads the table of a segment, if it has one.
    pub fn of_segment(segment: &tantivy::SegmentReader) -> Option<StemTable> {
        let file = segment.open_read(SegmentComponent::Custom(EXTENSION.to_owned())).ok()?;
        StemTable::open(file.read_bytes().ok()?).ok()
    }

    /// Adds to `out` the indexed words whose stem is `stem` and differs from
    /// them (the stem itself, if indexed, is in the term dictionary).
    pub fn forms(&self, stem: &str, out: &mut Vec<String>) {
        let mut from = stem.as_bytes().to_vec();
        from.push(SEPARATOR);
        let mut to = stem.as_bytes().to_vec();
        to.push(SEPARATOR + 1);
        let mut stream = self.map.range().ge(&from).lt(&to).into_stream();
        while let Some((key, _)) = stream.next() {
            if let Ok(form) = std::str::from_utf8(&key[from.len()..]) {
                out.push(form.to_owned());
            }
        }
    }
}

/// Builds a table from the words of some term dictionaries: the keys are
/// `stem \0 form` for every word whose stem is not itself.
fn build_table(dictionaries: &[TermDictionary]) -> std::io::Result<Vec<u8>> {
    let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
    let mut keys: Vec<Vec<u8>> = Vec::new();
    for dictionary in dictionaries {
        let mut terms = dictionary.stream()?;
        while terms.advance() {
            let Ok(word) = std::str::from_utf8(terms.key()) else { continue };
            // Digits and non-Latin words have no English stem: skip the
            // stemmer for them, which is most of a corpus's distinct terms.
            if !is_stemmable(word) || !word.bytes().any(|b| b.is_ascii_lowercase()) {
                continue;
            }
            let its_stem = stemmer.stem(word);
            if its_stem != word {
                let mut key = Vec::with_capacity(its_stem.len() + 1 + word.len());
                key.extend_from_slice(its_stem.as_bytes());
                key.push(SEPARATOR);
                key.extend_from_slice(word.as_bytes());
                keys.push(key);
            }
        }
    }
    keys.sort_unstable();
    keys.dedup();
    let mut builder = MapBuilder::memory();
    for key in &keys {
        builder.insert(key, 0).map_err(std::io::Error::other)?;
    }
    builder.into_inner().map_err(std::io::Error::other)
}

/// Writes the stem table of every segment tantivy writes or merges.
pub struct StemsPlugin {
    /// The text fields whose words are grouped.
    fields: Vec<Field>,
}

impl StemsPlugin {
    /// A plugin for the words of `fields`.
    pub fn new(fields: Vec<Field>) -> Arc<StemsPlugin> {
        Arc::new(StemsPlugin { fields })
    }

    /// Reads the segment's term dictionaries back and writes its table.
    fn write_table(&self, segment: &Segment) -> tantivy::Result<()> {
        let terms: FileSlice = segment.open_read(SegmentComponent::Terms)?;
        let composite = CompositeFile::open(&terms)?;
        let mut dictionaries = Vec::new();
        for &field in &self.fields {
            if let Some(slice) = composite.open_read(field) {
                dictionaries.push(TermDictionary::open(slice)?);
            }
        }
        let table = build_table(&dictionaries)?;
        let mut write = segment.open_write(SegmentComponent::Custom(EXTENSION.to_owned()))?;
        write.write_all(&table)?;
        write.terminate()?;
        Ok(())
    }
}

impl SegmentPlugin for StemsPlugin {
    fn extensions(&self) -> &[&str] {
        &[EXTENSION]
    }

    fn create_writer(&self, _: &PluginWriterContext) -> tantivy::Result<Box<dyn PluginWriter>> {
        Ok(Box::new(StemsWriter { fields: self.fields.clone() }))
    }

    fn merge(&self, ctx: PluginMergeContext) -> tantivy::Result<()> {
        // The merged postings are on disk by now (custom plugins run after
        // the built-in ones): read the merged dictionaries, as for a new segment.
        self.write_table(ctx.target_segment)
    }
}

/// Collects nothing while documents are added: the table is made from the
/// segment's own term dictionaries once they are written.
struct StemsWriter {
    fields: Vec<Field>,
}

impl PluginWriter for StemsWriter {
    fn serialize(
        self: Box<Self>,
        segment: &Segment,
        _: Option<&DocIdMapping>,
    ) -> tantivy::Result<()> {
        StemsPlugin { fields: self.fields }.write_table(segment)
    }

    fn mem_usage(&self) -> usize {
        0
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_group_inflections_that_are_not_prefixes() {
        assert_eq!(stem("study"), "studi");
        assert_eq!(stem("studies"), "studi");
        assert_eq!(stem("suppressing"), stem("suppressed"));
        assert_eq!(stem("strikes"), "strike");
    }

    #[test]
    fn a_table_lists_the_forms_of_a_stem_and_nothing_reserved() {
        use tantivy::schema::{Schema, TEXT};
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = tantivy::Index::builder()
            .schema(schema.build())
            .register_plugin(StemsPlugin::new(vec![body]))
            .create_in_ram()
            .unwrap();
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        writer
            .add_document(tantivy::doc!(body => "a study of studies: strikes struck, striking"))
            .unwrap();
        writer.commit().unwrap();
        let reader = index.reader().unwrap();
        let searcher = reader.searcher();
        let table = StemTable::of_segment(searcher.segment_reader(0)).unwrap();
        let mut forms = Vec::new();
        table.forms("studi", &mut forms);
        assert_eq!(forms, ["studies", "study"]);
        forms.clear();
        table.forms("strike", &mut forms);
        assert_eq!(forms, ["strikes", "striking"], "`strike` itself is its own stem");
        assert!(is_stemmable("strikes"));
        assert!(!is_stemmable("#isis"));
        assert!(!is_stemmable("=isil"));
    }
}
