//! One parsed [`Article`] of a corpus file → the tantivy document the index
//! stores for it: its id, key, text fields, date, source and folder facets,
//! and the file's size and time that the next run compares (see
//! [`super::plan`]).

use tantivy::TantivyDocument;
use tantivy::schema::Facet;

use crate::clusters::Signature;
use crate::corpus::CorpusFile;
use crate::corpus::article::Article;
use crate::fields::Fields;

/// The tantivy document for one article of `file`. Entities need no field of
/// their own: the analyzer writes each mention into title or body as the
/// entity's canonical term, and the entity facet is counted from those terms.
/// `cluster` is the near-duplicate cluster name the article stores (see
/// `crate::clusters`), with its body's `signature`.
pub(super) fn document(
    fields: &Fields,
    file: &CorpusFile,
    article: &Article,
    id: &str,
    cluster: u64,
    signature: Option<&Signature>,
) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(fields.id, id);
    doc.add_text(fields.path, &file.key);
    if let Some(title) = &article.title {
        doc.add_text(fields.title, title);
    }
    doc.add_text(fields.body, &article.body);
    for headline in &article.related {
        doc.add_text(fields.related, headline);
    }
    // A date the index cannot hold (year 3000, a misread) is left out, not wrapped.
    if let Some(date) = article.date.as_ref().and_then(crate::fields::index_date) {
        doc.add_date(fields.date, date);
    }
    // Scrapes are usually kept one folder per outlet, so without a source of its
    // own an article takes the first folder below the corpus root.
    let source = article.source.as_deref().or_else(|| file.folder.get(1).map(String::as_str));
    if let Some(source) = source.map(str::trim).filter(|s| !s.is_empty()) {
        doc.add_facet(fields.source, Facet::from_path([source]));
    }
    if !file.folder.is_empty() {
        doc.add_facet(fields.folder, Facet::from_path(file.folder.iter().map(String::as_str)));
    }
    if let Some(url) = &article.url {
        doc.add_text(fields.url, url);
    }
    if let Some(author) = &article.author {
        doc.add_text(fields.author, author);
    }
    if let Some(language) = &article.language {
        doc.add_text(fields.language, language);
    }
    if let Some(offset) = article.offset {
        doc.add_u64(fields.offset, offset);
    }
    doc.add_u64(fields.cluster, cluster);
    if let Some(signature) = signature {
        doc.add_bytes(fields.signature, &signature.to_bytes());
    }
    doc.add_i64(fields.file_modified, file.modified_ns);
    doc.add_u64(fields.file_len, file.len);
    doc
}

/// The document id of one article of `file`.
pub(super) fn document_id(file: &CorpusFile, article: &Article) -> String {
    // `#LINE.PLACE` only where a line starts several records (a minified JSON array):
    // plain `#LINE` ids, the common case, stay as they were, and the dot keeps the two
    // forms apart (`#1.2` is never a line of its own).
    match (&article.id, article.record, article.place_on_line) {
        (Some(id), _, _) => id.clone(),
        (None, Some(line), Some(place)) => format!("{}#{line}.{place}", file.relative),
        (None, Some(line), None) => format!("{}#{line}", file.relative),
        (None, None, _) => file.relative.clone(),
    }
}
