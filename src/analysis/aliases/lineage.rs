//! Lineages: entities that are one group under successive names (Jabhat
//! al-Nusra → Jabhat Fateh al-Sham → Hay'at Tahrir al-Sham). The table says
//! that an entity `succeeds` another, and `since` when; each entity keeps its
//! own term, so `entity:` stays exact, and `lineage:` searches the terms of
//! the whole line.

use std::path::Path;

use super::{Aliases, EntityEntry, EntityId, line_of, table_error};
use crate::error::Result;

/// Entities linked by `succeeds`, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lineage {
    /// The line's name as facets show it: its newest member's.
    pub name: String,
    /// Its members: the first without a predecessor, then each successor
    /// after the entity it succeeds (by `since`, then table order).
    pub members: Vec<EntityId>,
}

impl Aliases {
    /// Reads every entry's `succeeds` and `since` once all entities are
    /// known: names that are no entity, a `since` without `succeeds`, dates
    /// that are not dates and cycles are errors at their line.
    pub(super) fn link_successions(
        &mut self,
        entries: &[EntityEntry],
        text: &str,
        origin: &Path,
    ) -> Result<()> {
        for (id, entry) in entries.iter().enumerate() {
            let name = self.entities[id].name.clone();
            let invalid = |offset: usize, message: String| {
                table_error(origin, line_of(text, offset), format!("entity `{name}`: {message}"))
            };
            if let Some(since) = &entry.since {
                if entry.succeeds.is_none() {
                    return Err(invalid(
                        since.span().start,
                        "`since` dates a succession: it needs `succeeds`".into(),
                    ));
                }
                if !is_date(since.get_ref()) {
                    return Err(invalid(
                        since.span().start,
                        format!(
                            "`since = {:?}` is not a date: write YYYY, YYYY-MM or YYYY-MM-DD",
                            since.get_ref()
                        ),
                    ));
                }
            }
            let Some(succeeds) = &entry.succeeds else { continue };
            let predecessor = self.resolve(succeeds.get_ref()).ok_or_else(|| {
                invalid(
                    succeeds.span().start,
                    format!(
                        "succeeds {:?}, which is not an entity of the table",
                        succeeds.get_ref()
                    ),
                )
            })?;
            self.entities[id].succeeds = Some(predecessor);
            self.entities[id].since = entry.since.as_ref().map(|s| s.get_ref().clone());
        }
        for (id, entry) in entries.iter().enumerate() {
            let Some(succeeds) = &entry.succeeds else { continue };
            let start = EntityId::try_from(id).unwrap_or(EntityId::MAX);
            let mut chain = vec![start];
            let mut at = start;
            while let Some(previous) = self.entity(at).succeeds {
                chain.push(previous);
                if previous == start {
                    let names: Vec<&str> =
                        chain.iter().rev().map(|&e| self.entity(e).name.as_str()).collect();
                    return Err(table_error(
                        origin,
                        line_of(text, succeeds.span().start),
                        format!(
                            "entity `{}`: successions make a cycle: {}",
                            self.entity(start).name,
                            names.join(" → ")
                        ),
                    ));
                }
                if chain.len() > self.entities.len() {
                    // A cycle that does not pass through `start`: reported at
                    // one of its own entries.
                    break;
                }
                at = previous;
            }
        }
        self.build_lineages();
        Ok(())
    }

    fn build_lineages(&mut self) {
        let count = self.entities.len();
        let mut successors: Vec<Vec<EntityId>> = vec![Vec::new(); count];
        for (id, entity) in self.entities.iter().enumerate() {
            if let Some(previous) = entity.succeeds {
                successors[previous as usize].push(EntityId::try_from(id).unwrap_or_default());
            }
        }
        for list in &mut successors {
            list.sort_by(|&a, &b| {
                let since = |e: EntityId| self.entities[e as usize].since.clone();
                since(a).cmp(&since(b)).then(a.cmp(&b))
            });
        }
        self.lineage_of = vec![None; count];
        for (root, entity) in self.entities.iter().enumerate() {
            if entity.succeeds.is_some() || successors[root].is_empty() {
                continue;
            }
            let mut members = Vec::new();
            let mut stack = vec![EntityId::try_from(root).unwrap_or_default()];
            while let Some(member) = stack.pop() {
                members.push(member);
                stack.extend(successors[member as usize].iter().rev());
            }
            let line = u32::try_from(self.lineages.len()).unwrap_or(u32::MAX);
            for &member in &members {
                self.lineage_of[member as usize] = Some(line);
            }
            let newest = members.last().map_or(root, |&m| m as usize);
            self.lineages.push(Lineage { name: self.entities[newest].name.clone(), members });
        }
    }

    /// Every lineage of the table, in the table order of their oldest members.
    pub fn lineages(&self) -> &[Lineage] {
        &self.lineages
    }

    /// The lineage `id` belongs to, if any.
    pub fn lineage_of(&self, id: EntityId) -> Option<&Lineage> {
        let line = self.lineage_of.get(id as usize).copied().flatten()?;
        self.lineages.get(line as usize)
    }

    /// The entities a `lineage:` value names: the whole line of the entity
    /// it names (any of its spellings, or the line's name), or that entity
    /// alone when it has neither predecessor nor successor.
    pub fn resolve_lineage(&self, text: &str) -> Option<Vec<EntityId>> {
        let id = self.resolve(text)?;
        Some(self.lineage_of(id).map_or_else(|| vec![id], |line| line.members.clone()))
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, with a month and day that exist.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let number = |part: &str, digits: usize| {
        (part.len() == digits && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    match parts.as_slice() {
        [year] => number(year, 4).is_some(),
        [year, month] => {
            number(year, 4).is_some() && number(month, 2).is_some_and(|m| (1..=12).contains(&m))
        }
        [year, month, day] => {
            chrono::NaiveDate::parse_from_str(&format!("{year}-{month}-{day}"), "%Y-%m-%d").is_ok()
                && number(year, 4).is_some()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn table(text: &str) -> Result<Aliases> {
        Aliases::parse(text, Path::new("test.toml"))
    }

    const LINE: &str = r#"version = 1
[[entity]]
name = "Old Front"
kind = "organization"
[[entity]]
name = "Middle Front"
kind = "organization"
variants = ["MF"]
succeeds = "Old Front"
since = "2016-07"
[[entity]]
name = "New Front"
kind = "organization"
succeeds = "MF"
since = "2017-01-28"
[[entity]]
name = "Elsewhere"
kind = "place"
"#;

    #[test]
    fn a_line_is_its_members_oldest_first_named_by_the_newest() {
        let aliases = table(LINE).unwrap();
        assert_eq!(aliases.lineages().len(), 1);
        let line = &aliases.lineages()[0];
        assert_eq!(line.name, "New Front");
        assert_eq!(line.members, [0, 1, 2]);
        assert_eq!(aliases.entity(2).succeeds, Some(1));
        assert_eq!(aliases.entity(1).since.as_deref(), Some("2016-07"));
        assert_eq!(aliases.resolve_lineage("mf"), Some(vec![0, 1, 2]));
        assert_eq!(aliases.resolve_lineage("Elsewhere"), Some(vec![3]));
        assert_eq!(aliases.lineage_of(3), None);
        assert_eq!(aliases.resolve_lineage("nowhere"), None);
    }

    #[test]
    fn unknown_names_cycles_and_bad_dates_are_errors_at_their_line() {
        let unknown = LINE.replace("succeeds = \"MF\"", "succeeds = \"Nobody\"");
        let err = table(&unknown).unwrap_err().to_string();
        assert!(err.starts_with("test.toml:14: entity `New Front`:"), "{err}");
        assert!(err.contains("\"Nobody\""), "{err}");
        let cycle = LINE.replace(
            "name = \"Old Front\"\nkind = \"organization\"\n",
            "name = \"Old Front\"\nkind = \"organization\"\nsucceeds = \"New Front\"\n",
        );
        let err = table(&cycle).unwrap_err().to_string();
        assert!(
            err.starts_with("test.toml:5: entity `Old Front`: successions make a cycle"),
            "{err}"
        );
        assert!(err.contains("Old Front → Middle Front → New Front → Old Front"), "{err}");
        let own = LINE.replace("succeeds = \"MF\"", "succeeds = \"New Front\"");
        assert!(table(&own).unwrap_err().to_string().contains("cycle"));
        let date = LINE.replace("2016-07", "July 2016");
        assert!(table(&date).unwrap_err().to_string().starts_with("test.toml:10:"));
        let lone = LINE.replace("succeeds = \"Old Front\"\n", "");
        assert!(table(&lone).unwrap_err().to_string().contains("needs `succeeds`"));
    }

    #[test]
    fn successions_change_the_fingerprint() {
        let with = table(LINE).unwrap();
        let without =
            table(&LINE.replace("succeeds = \"MF\"\nsince = \"2017-01-28\"\n", "")).unwrap();
        assert_ne!(with.fingerprint(), without.fingerprint());
        assert_eq!(without.lineages()[0].name, "Middle Front");
    }

    #[test]
    fn dates() {
        for good in ["2016", "2016-07", "2017-01-28"] {
            assert!(is_date(good), "{good}");
        }
        for bad in ["16", "2016-13", "2016-7", "2017-02-30", "July", ""] {
            assert!(!is_date(bad), "{bad}");
        }
    }
}
