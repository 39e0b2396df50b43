//! `newsearch aliases`: the alias table, or how the analyzer reads a text
//! (`--explain`), as text for people or as JSON (`schema_version` 1) for
//! scripts. The wire structs are kept apart from the analysis types, as the
//! query output's are.

use std::io::{self, Write};
use std::sync::Arc;

use schemars::JsonSchema;
use serde::Serialize;

use super::json::SCHEMA_VERSION;
use crate::analysis::{self, Aliases};

/// `newsearch aliases --format json`: the alias table.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, rename = "AliasTable")]
pub(crate) struct AliasTableV1<'a> {
    /// Always 1.
    #[schemars(extend("const" = 1))]
    schema_version: u32,
    /// Identifies the table; an index records the fingerprint of the table it
    /// was built with.
    fingerprint: &'a str,
    /// The table's entities, in table order.
    entities: Vec<EntityV1<'a>>,
    /// Present when the table has successions: each line of renamed
    /// entities, which lineage:NAME searches as one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    lineages: Vec<LineageV1<'a>>,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, rename = "Lineage")]
struct LineageV1<'a> {
    /// The line's name in the lineage facet: its newest entity's.
    name: &'a str,
    /// Entity names, oldest first.
    #[schemars(length(min = 2))]
    members: Vec<&'a str>,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, rename = "Entity")]
struct EntityV1<'a> {
    /// Canonical name.
    name: &'a str,
    /// What the entity is (`group`, `place`, ...), as the table says.
    kind: &'a str,
    /// Facet path of the entity.
    facet: String,
    /// Spellings matched in any case.
    variants: &'a [String],
    /// Spellings matched in exactly this case.
    acronyms: &'a [String],
    /// Present when the entity was renamed from another: that entity's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    succeeds: Option<&'a str>,
    /// Present with succeeds when the table dates the change: YYYY, YYYY-MM
    /// or YYYY-MM-DD.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"))]
    since: Option<&'a str>,
}

/// `newsearch aliases --explain TEXT --format json`: the analyzer's tokens of a text.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, rename = "Explanation")]
pub(crate) struct ExplanationV1<'a> {
    /// Always 1.
    #[schemars(extend("const" = 1))]
    schema_version: u32,
    /// The text as given.
    text: &'a str,
    /// The tokens, in order.
    tokens: Vec<TokenV1<'a>>,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, rename = "Token")]
struct TokenV1<'a> {
    /// The term as indexed.
    term: &'a str,
    /// Token position.
    position: usize,
    /// [start, end) byte range in text.
    offsets: [usize; 2],
    /// The text as written.
    written: &'a str,
    /// Canonical name of the entity, if the token is an alias.
    entity: Option<&'a str>,
    /// The table's spelling that matched, if the token is an alias.
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
