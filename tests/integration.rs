//! Integration tests: run the real `newsearch` binary on real files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

mod aliases_cmd;
mod bad_input;
mod cli_extras;
mod cli_output;
mod clusters;
mod crash;
mod encodings;
mod entities_in_context;
mod entity_lineages;
mod export;
mod export_remote;
mod extraction;
mod index_cmd;
mod index_events;
mod promises;
mod query_cmd;
mod query_output;
mod ranking;
mod reading;
mod readonly;
mod schemas;
mod scrape;
