//! The facets that read more than the collectors count: `form` (articles per
//! spelling of the alias table, read from the hits' stored text by the
//! index's own filter) and `lineage` (the entity facet with each line of
//! renamed groups counted as one: articles mentioning any of its entities).

use std::collections::{BTreeMap, BTreeSet};

use tantivy::collector::{Count, DocSetCollector};
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument};

use super::Searcher;
use super::facets::FacetCount;
use crate::analysis::{EntityFinder, EntityId};
use crate::error::{Error, Result};

impl Searcher {
    /// Articles per table spelling among all hits of `query`: each hit's
    /// title and body are read from the store and run through the entity
    /// finder, so this costs a stored-document read per hit (see the README).
    pub(super) fn form_values(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
    ) -> Result<Vec<FacetCount>> {
        let dir = &self.store.dir;
        let hits = searcher.search(query, &DocSetCollector).map_err(Error::index(dir.clone()))?;
        let mut addresses: Vec<DocAddress> = hits.into_iter().collect();
        // Store order: each block of the doc store is decompressed once.
        addresses.sort_unstable();
        let f = &self.store.fields;
        let mut finder = EntityFinder::new(&self.store.aliases);
        let mut articles: BTreeMap<String, u64> = BTreeMap::new();
        let mut forms = BTreeMap::new();
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address).map_err(Error::index(dir.clone()))?;
            forms.clear();
            for field in [f.title, f.body] {
                if let Some(text) = doc.get_first(field).and_then(|v| v.as_str()) {
                    finder.count_forms(text, &mut forms);
                }
            }
            let spellings: BTreeSet<&String> = forms.keys().map(|(_, form)| form).collect();
            for form in spellings {
                *articles.entry(form.clone()).or_default() += 1;
            }
        }
        let mut values: Vec<FacetCount> =
            articles.into_iter().map(|(value, count)| FacetCount::new(value, count)).collect();
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        Ok(values)
    }

    /// The entity facet's `counts` (per entity, in table order) with every
    /// lineage one value, named by its newest entity and counting the hits
    /// that mention any of its entities (one extra counting pass of `query`
    /// per lineage that has hits).
    pub(super) fn lineage_values(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        counts: &[u64],
    ) -> Result<Vec<FacetCount>> {
        let aliases = &self.store.aliases;
        let mut values = Vec::new();
        for (id, (entity, &count)) in aliases.entities().iter().zip(counts).enumerate() {
            let in_line = EntityId::try_from(id).ok().and_then(|id| aliases.lineage_of(id));
            if count > 0 && in_line.is_none() {
                values.push(FacetCount::new(entity.name.clone(), count));
            }
        }
        for line in aliases.lineages() {
            let any = line.members.iter().any(|&m| counts.get(m as usize).is_some_and(|&c| c > 0));
            if !any {
                continue;
            }
            let both: Vec<(Occur, Box<dyn Query>)> = vec![
                (Occur::Must, query.box_clone()),
                (Occur::Must, crate::query::lineage_query(&self.store, &line.members)),
            ];
            let count = searcher
                .search(&BooleanQuery::new(both), &Count)
                .map_err(Error::index(self.store.dir.clone()))?;
            values.push(FacetCount::new(line.name.clone(), count as u64));
        }
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        Ok(values)
    }
}
