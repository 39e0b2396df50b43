//! The JSON Schemas in `schema/` are the ones generated from the wire structs
//! (`newsearch::output::schemas`): a change to what newsearch writes changes
//! its schema, and a hand edit of a generated file is caught here.

use std::collections::BTreeSet;

use newsearch::output::schemas::schema_files;

use crate::util::repo;

/// Frozen: no struct writes version 1 of the index report any more.
const FROZEN: [&str; 1] = ["index.v1.schema.json"];

#[test]
fn committed_schema_files_are_the_generated_ones() {
    // Set to write the files anew after changing a wire struct.
    let write = std::env::var_os("NEWSEARCH_WRITE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for file in schema_files() {
        let path = repo().join("schema").join(file.name);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed == file.text() {
            continue;
        }
        if write {
            std::fs::write(&path, file.text()).unwrap();
        } else {
            stale.push(file.name);
        }
    }
    assert!(
        stale.is_empty(),
        "schema/{stale:?} differ from the wire structs' generated schemas; \
         NEWSEARCH_WRITE_SCHEMAS=1 cargo test --test integration schemas writes them"
    );
}

#[test]
fn every_schema_file_is_generated_or_frozen_and_each_is_a_valid_schema() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(repo().join("schema"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".schema.json"))
        .collect();
    let mut expected: BTreeSet<String> =
        schema_files().iter().map(|file| file.name.to_owned()).collect();
    expected.extend(FROZEN.iter().map(|name| (*name).to_owned()));
    assert_eq!(on_disk, expected, "a schema file that is neither generated nor frozen");
    for file in schema_files() {
        assert!(
            jsonschema::validator_for(&file.schema).is_ok(),
            "{} is not a valid JSON Schema",
            file.name
        );
        assert_eq!(file.schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    }
}
