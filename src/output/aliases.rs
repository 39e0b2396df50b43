//! `newsearch aliases`: the alias table, or how the analyzer reads a text
//! (`--explain`), as text for people or as JSON (`schema_version` 1) for
//! scripts. The wire structs are kept apart from the analysis types, as the
//! query output's are.

use std::io::{self, Write};
use std::sync::Arc;

use serde::Serialize;

use super::json::SCHEMA_VERSION;
use crate::analysis::{self, Aliases};

/// `newsearch aliases --format json`.
#[derive(Serialize)]
struct AliasTableV1<'a> {
    schema_version: u32,
    fingerprint: &'a str,
    entities: Vec<EntityV1<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    lineages: Vec<LineageV1<'a>>,
}

#[derive(Serialize)]
struct LineageV1<'a> {
    name: &'a str,
    members: Vec<&'a str>,
}

#[derive(Serialize)]
struct EntityV1<'a> {
    name: &'a str,
    kind: &'a str,
    facet: String,
    variants: &'a [String],
    acronyms: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    succeeds: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    since: Option<&'a str>,
}

/// `newsearch aliases --explain TEXT --format json`.
#[derive(Serialize)]
struct ExplanationV1<'a> {
    schema_version: u32,
    text: &'a str,
    tokens: Vec<TokenV1<'a>>,
}

#[derive(Serialize)]
struct TokenV1<'a> {
    term: &'a str,
    position: usize,
    offsets: [usize; 2],
    written: &'a str,
    entity: Option<&'a str>,
    variant: Option<&'a str>,
}

/// Writes the alias table: its entities with their spellings, or (`json`)
/// the whole table as one JSON document.
pub fn write_table(aliases: &Aliases, json: bool, out: &mut impl Write) -> io::Result<()> {
    if json {
        let table = AliasTableV1 {
            schema_version: SCHEMA_VERSION,
            fingerprint: aliases.fingerprint(),
            entities: aliases
                .entities()
                .iter()
                .map(|e| EntityV1 {
                    name: &e.name,
                    kind: &e.kind,
                    facet: e.facet_path(),
                    variants: &e.variants,
                    acronyms: &e.acronyms,
                    succeeds: e.succeeds.map(|id| aliases.entity(id).name.as_str()),
                    since: e.since.as_deref(),
                })
                .collect(),
            lineages: aliases
                .lineages()
                .iter()
                .map(|line| LineageV1 {
                    name: &line.name,
                    members: line
                        .members
                        .iter()
                        .map(|&id| aliases.entity(id).name.as_str())
                        .collect(),
                })
                .collect(),
        };
        serde_json::to_writer(&mut *out, &table)?;
        return writeln!(out);
    }
    writeln!(out, "{} entities, fingerprint {}", aliases.entities().len(), aliases.fingerprint())?;
    for entity in aliases.entities() {
        let mut spellings = entity.variants.clone();
        spellings.extend(entity.acronyms.iter().map(|a| format!("{a} (exact case)")));
        writeln!(out, "{} [{}]: {}", entity.name, entity.kind, spellings.join(", "))?;
        if let Some(predecessor) = entity.succeeds {
            let since = entity.since.as_deref().map(|d| format!(" in {d}")).unwrap_or_default();
            writeln!(out, "  succeeds {}{since}", aliases.entity(predecessor).name)?;
        }
    }
    if !aliases.lineages().is_empty() {
        writeln!(
            out,
            "\n{} lineages (lineage:NAME finds every entity of the line):",
            aliases.lineages().len()
        )?;
    }
    for line in aliases.lineages() {
        let mut steps = Vec::new();
        for &id in &line.members {
            let entity = aliases.entity(id);
            steps.push(match (&entity.since, entity.succeeds) {
                (Some(since), Some(_)) => format!("{} ({since})", entity.name),
                _ => entity.name.clone(),
            });
        }
        writeln!(out, "{}: {}", line.name, steps.join(" → "))?;
    }
    Ok(())
}

/// Writes the tokens the analyzer makes of `text` under `aliases`, one line
/// each (or, `json`, one JSON document), with the alias each one came from.
pub fn write_explanation(
    aliases: &Arc<Aliases>,
    text: &str,
    json: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    let tokens = analysis::explain(aliases, text);
    if json {
        let explanation = ExplanationV1 {
            schema_version: SCHEMA_VERSION,
            text,
            tokens: tokens
                .iter()
                .map(|t| TokenV1 {
                    term: &t.term,
                    position: t.position,
                    offsets: t.offsets,
                    written: &t.written,
                    entity: t.entity.as_deref(),
                    variant: t.variant.as_deref(),
                })
                .collect(),
        };
        serde_json::to_writer(&mut *out, &explanation)?;
        return writeln!(out);
    }
    for token in &tokens {
        let alias = match (&token.entity, &token.variant) {
            (Some(entity), Some(variant)) => format!("  <- {entity} (variant {variant:?})"),
            _ => String::new(),
        };
        writeln!(
            out,
            "{:>4}  {:>5}..{:<5} {:<20} {:?}{alias}",
            token.position, token.offsets[0], token.offsets[1], token.term, token.written
        )?;
    }
    Ok(())
}
