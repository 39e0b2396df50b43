//! Command-line syntax (clap derive). Parsing only validates; turning arguments
//! into library options happens in `main.rs`.

use std::path::PathBuf;
use std::sync::LazyLock;

use clap::{Args, Parser, Subcommand, ValueEnum};
use newsearch::query::{self, FacetKind, Period, Sort};

/// `newsearch::indexer::DEFAULT_MEMORY_MB`, as clap's type.
const DEFAULT_MEMORY_MB: u32 = newsearch::indexer::DEFAULT_MEMORY_MB as u32;

const EXIT_CODES: &str = "\
Exit codes:
  0  the command did its job (also: a query with no hits, an index run that skipped files)
  1  the run failed: no index, unreadable index, nothing committed; an id show did not find
  2  usage error: bad option, bad query syntax, unknown filter";

/// What `--version` says after the name: the crate's version and the index format
/// this build reads and writes (`newsearch 0.1.0 (index format 3)`), so that a bug
/// report, or someone holding an index built elsewhere, knows both.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    format!("{} (index format {})", env!("CARGO_PKG_VERSION"), newsearch::store::FORMAT)
});

const COMPLETIONS_HELP: &str = "\
Install the script where the shell looks for it, e.g.:
  bash:       newsearch completions bash > ~/.local/share/bash-completion/completions/newsearch
  zsh:        newsearch completions zsh > ~/.zfunc/_newsearch
              (with `fpath+=~/.zfunc` before `compinit` in ~/.zshrc)
  fish:       newsearch completions fish > ~/.config/fish/completions/newsearch.fish
  PowerShell: newsearch completions powershell >> $PROFILE";

const MAN_HELP: &str = "\
Install the pages where man looks for them, e.g.:
  newsearch man > ~/.local/share/man/man1/newsearch.1
  newsearch man index > ~/.local/share/man/man1/newsearch-index.1";

/// Full-text search for scraped news articles, with entity aliases.
///
/// `newsearch index CORPUS` builds an index; `newsearch query QUERY` searches it.
/// ISIL, Daesh and "Islamic State" are one entity (ISIS) in indexing, querying
/// and facets: see `newsearch aliases`.
#[derive(Debug, Parser)]
#[command(name = "newsearch", version = VERSION.as_str(), after_long_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index folders and files of articles (incremental: only new and changed files are read).
    #[command(after_long_help = EXIT_CODES)]
    Index(IndexArgs),
    /// Search the index.
    #[command(after_long_help = EXIT_CODES)]
    Query(QueryArgs),
    /// Show what the index holds.
    #[command(after_long_help = EXIT_CODES)]
    Stats(StatsArgs),
    /// List the alias table, or show how the analyzer reads a text.
    #[command(after_long_help = EXIT_CODES)]
    Aliases(AliasesArgs),
    /// Print the shell completion script for bash, zsh, fish or PowerShell.
    #[command(after_long_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Print the man page (roff) of newsearch, or of one of its commands.
    #[command(after_long_help = MAN_HELP)]
    Man(ManArgs),
    /// Write the index's documents (or a query's hits) for a distributed engine
    /// (the help names them without the backquotes the doc lint wants).
    #[command(
        after_long_help = EXIT_CODES,
        about = "Write the index's documents (or a query's hits) for Quickwit or OpenSearch, normalised as newsearch normalises them"
    )]
    Export(ExportArgs),
    /// Print stored articles by id: the metadata and the whole body as indexed.
    #[command(after_long_help = EXIT_CODES)]
    Show(ShowArgs),
    /// List clusters of near-duplicate articles (copies of one story), largest first.
    #[command(after_long_help = EXIT_CODES)]
    Dupes(DupesArgs),
    /// List the articles most like one article (more like this), with scores.
    #[command(after_long_help = EXIT_CODES)]
    Similar(SimilarArgs),
}

/// `newsearch similar`.
#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// The article's id, as `query` prints it.
    #[arg(value_name = "ID")]
    pub id: String,
    #[command(flatten)]
    pub index: IndexLocation,
    /// Articles to list.
    #[arg(short = 'n', long, default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
    #[command(flatten)]
    pub selection: Selection,
    /// Output format.
    #[arg(long, value_enum, default_value_t = QueryFormat::Human)]
    pub format: QueryFormat,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
}

/// Which articles a command works on, by date and facet: the same options,
/// read the same way, for `query`, `similar` and `export`.
#[derive(Debug, Args)]
pub struct Selection {
    /// Published on or after DATE (2016, 2016-09, 2016-09-04, or any date the indexer reads).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Published on or before DATE (inclusive: 2016-09 means to the end of September).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Keep articles with FIELD:VALUE (source, folder, entity, lineage); repeat to combine:
    /// AND across fields, OR within one.
    #[arg(long, value_name = "FIELD:VALUE")]
    pub filter: Vec<String>,
}

/// `newsearch dupes`.
#[derive(Debug, Args)]
pub struct DupesArgs {
    /// List clusters of at least N articles.
    #[arg(long, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(2..))]
    pub min_size: u32,
    #[command(flatten)]
    pub index: IndexLocation,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
}

/// `newsearch show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Document ids, as `query` prints them.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub index: IndexLocation,
    /// Output format (json: one object per id, one per line).
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
}

/// `newsearch export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Folder to write into (made if missing; must be empty).
    #[arg(long, value_name = "DIR")]
    pub to: PathBuf,
    /// The engine: quickwit (docs.ndjson, index-config.yaml), opensearch
    /// (bulk-NNNN.ndjson, index.json) or ndjson (docs.ndjson).
    #[arg(long, value_enum)]
    pub target: TargetArg,
    #[command(flatten)]
    pub index: IndexLocation,
    /// Export only this query's hits (`newsearch query` syntax) [default: every document].
    #[arg(long, value_name = "QUERY")]
    pub query: Option<String>,
    #[command(flatten)]
    pub selection: Selection,
    /// Name of the remote index.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "newsearch",
        help = "Name of the remote index (Quickwit index id, OpenSearch index)"
    )]
    pub name: String,
    /// Largest bulk file in bytes (tests use small ones).
    #[arg(long, hide = true, value_name = "BYTES", default_value_t = newsearch::export::opensearch::MAX_BULK_BYTES, value_parser = clap::value_parser!(u64).range(1..=newsearch::export::opensearch::MAX_BULK_BYTES))]
    pub bulk_max_bytes: u64,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Engines `newsearch export` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    /// Quickwit 0.9.
    Quickwit,
    /// `OpenSearch` or Elasticsearch.
    #[value(help = "OpenSearch or Elasticsearch")]
    Opensearch,
    /// Documents only.
    Ndjson,
}

/// Where the index lives.
#[derive(Debug, Args)]
pub struct IndexLocation {
    /// Index folder.
    #[arg(
        long = "index",
        value_name = "DIR",
        env = "NEWSEARCH_INDEX",
        default_value = "newsearch-index"
    )]
    pub dir: PathBuf,
}

/// `newsearch index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Folders and files to index: the seed text layout (.txt), JSON, JSON Lines, CSV.
    #[arg(required = true, value_name = "CORPUS")]
    pub corpus: Vec<PathBuf>,
    #[command(flatten)]
    pub index: IndexLocation,
    /// Drop every document and index everything again (atomic: the old index
    /// stays queryable until the new one is committed).
    #[arg(long)]
    pub rebuild: bool,
    /// Index writer threads [default: the number of cores, at most 8]; files are
    /// parsed on one thread per core whatever this says.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: Option<u16>,
    /// Memory budget of the index writer, in MB; bigger buffers mean fewer,
    /// larger segments.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MEMORY_MB, value_parser = clap::value_parser!(u32).range(64..=16_384))]
    pub memory_mb: u32,
    /// Alias table to index with (TOML, see schema/aliases.toml) [default: the
    /// index's own table, or the built-in one for a new index].
    #[arg(long, value_name = "FILE")]
    pub aliases: Option<PathBuf>,
    /// Also remove the documents of files that are gone from outside the
    /// folders given (a corpus moved or deleted). Without it they stay, and the
    /// run warns about them: the folder may only be out of reach for now.
    #[arg(long)]
    pub prune: bool,
    #[command(flatten)]
    pub slash_dates: SlashDateArgs,
    /// No progress bar and no end-of-run report (errors are still printed).
    #[arg(long, short)]
    pub quiet: bool,
    /// Format of the end-of-run report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
}

/// Formats of reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Text.
    Human,
    /// One JSON document (schema/*.v1.schema.json).
    Json,
}

/// Formats of query output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    /// Text with highlighted snippets, facet tables and a timeline chart.
    Human,
    /// One JSON document per query (schema/query.v1.schema.json).
    Json,
    /// One JSON object per hit, with a `query` key (with --batch, an error
    /// object for a line that cannot run).
    Jsonl,
    /// One row per hit: rank,score,id,path,title,date,source,url,entities
    /// (with --batch, a leading query column).
    Csv,
}

/// Orders of hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    /// BM25 over title (boosted) and body; ties newest first.
    Relevance,
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
}

/// Timeline periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    /// Days.
    Day,
    /// ISO weeks.
    Week,
    /// Months.
    Month,
    /// Years.
    Year,
}

impl PeriodArg {
    /// The library's period.
    pub fn period(self) -> Period {
        match self {
            PeriodArg::Day => Period::Day,
            PeriodArg::Week => Period::Week,
            PeriodArg::Month => Period::Month,
            PeriodArg::Year => Period::Year,
        }
    }
}

/// When to colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// When stdout is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// `newsearch query`.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // each bool is an independent command-line switch
pub struct QueryArgs {
    /// The query: words (all must match), "phrases", AND/OR/NOT, +/-, field:
    /// prefixes (title, body, related, source, folder, entity, lineage), ranges, boosts
    /// (^2), `*` for every article. Alias spellings are one entity.
    #[arg(value_name = "QUERY", required_unless_present = "batch", conflicts_with = "batch")]
    pub query: Option<String>,
    #[command(flatten)]
    pub index: IndexLocation,
    /// Run one query per line of FILE (`-` for stdin), opening the index once.
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// Hits per query; 0 for only the count, facets and timeline.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub limit: u32,
    /// Hits to skip (for paging).
    #[arg(long, value_name = "K", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=10_000_000))]
    pub offset: u32,
    /// Every hit, no limit (for exports with --format jsonl or csv).
    #[arg(long, conflicts_with_all = ["limit", "offset"])]
    pub all: bool,
    #[command(flatten)]
    pub selection: Selection,
    /// Count hits per value of FIELD over all hits; repeatable.
    #[arg(long, value_enum, value_name = "FIELD")]
    pub facet: Vec<FacetKind>,
    /// Order of hits.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// Match any word instead of all.
    #[arg(long)]
    pub any: bool,
    /// Match words as written: no stemming (`strike` does not find
    /// `strikes`), and one-word alias spellings as themselves (`ISIL` finds
    /// articles that say ISIL, not those that say Daesh).
    #[arg(long)]
    pub literal: bool,
    /// Add ten words from the top ten hits to the query and search again
    /// (pseudo-relevance feedback, RM3); `--explain` and JSON list them.
    #[arg(long)]
    pub expand: bool,
    /// With --facet entity: how over-represented each entity is in the hits
    /// against the whole index (log-likelihood G² and log ratio; JSON
    /// `corpus_count`, `g2`, `effect`).
    #[arg(long)]
    pub keyness: bool,
    /// One hit per story: copies of one article (near-duplicates, see
    /// `newsearch dupes`) are shown once, as their best-ranked copy with the
    /// others listed; totals, facets and the timeline count stories, each
    /// dated by its earliest copy among the hits.
    #[arg(long)]
    pub collapse: bool,
    /// Count hits per period over all hits.
    #[arg(long, value_enum, value_name = "PERIOD")]
    pub timeline: Option<PeriodArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = QueryFormat::Human)]
    pub format: QueryFormat,
    /// Add each hit's score breakdown.
    #[arg(long)]
    pub explain: bool,
    /// Longest snippet, in characters.
    #[arg(long, value_name = "N", default_value_t = 220, value_parser = clap::value_parser!(u32).range(20..=100_000))]
    pub snippet_chars: u32,
    /// Colour in human output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Print the request that asks ENGINE, loaded with `newsearch export`,
    /// for the same hits, facets and timeline, and exit without searching.
    #[arg(long, value_enum, value_name = "ENGINE", conflicts_with = "batch")]
    pub print_remote: Option<RemoteArg>,
    /// Keyword in context: one row per occurrence of a matched word, phrase
    /// or entity in the hits (title and body), with the words around it
    /// (schema/kwic.v1.schema.json); with --all, every occurrence in the corpus.
    #[arg(long, conflicts_with = "batch")]
    pub kwic: bool,
    /// Write the provenance of the results (query and options as run, the
    /// index's documents and commit, alias fingerprint, version, the time) as
    /// JSON to FILE, beside an export.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["batch", "kwic"])]
    pub provenance: Option<PathBuf>,
    /// Words of context on each side of a --kwic match.
    #[arg(long, value_name = "N", requires = "kwic", default_value_t = 8, value_parser = clap::value_parser!(u32).range(0..=1000))]
    pub context: u32,
}

/// A remote engine `--print-remote` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RemoteArg {
    /// Quickwit 0.9's search API.
    Quickwit,
    /// `OpenSearch`'s (and Elasticsearch's) `_search`.
    #[value(help = "OpenSearch's (and Elasticsearch's) _search")]
    Opensearch,
}

/// `newsearch stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub index: IndexLocation,
    /// Also the articles the index holds per period, in all and per source:
    /// the collection's own coverage (a 0 where other sources have articles
    /// is a gap in that source's).
    #[arg(long, value_enum, value_name = "PERIOD")]
    pub timeline: Option<PeriodArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
}

/// `newsearch aliases`.
#[derive(Debug, Args)]
pub struct AliasesArgs {
    /// Alias table to show [default: the index's own table if there is an index, else the built-in one].
    #[arg(long, value_name = "FILE")]
    pub aliases: Option<PathBuf>,
    #[command(flatten)]
    pub index: IndexLocation,
    /// Show the tokens the analyzer makes of TEXT, and which variant each alias came from.
    #[arg(long, value_name = "TEXT")]
    pub explain: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
}

/// How slash dates such as 4/5/2017 are read.
#[derive(Args, Debug)]
#[group(multiple = false)]
pub struct SlashDateArgs {
    /// Read slash dates such as 4/5/2017 as day/month/year. The index keeps
    /// the order it was built with; changing it needs --rebuild [default: the
    /// index's order, month/day/year for a new index].
    #[arg(long)]
    pub day_first: bool,
    /// Read slash dates as month/day/year (the default for a new index).
    #[arg(long)]
    pub month_first: bool,
}

/// `newsearch completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: ShellArg,
}

/// Shells that `newsearch completions` writes a script for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    /// Bash (with the bash-completion package).
    Bash,
    /// Z shell.
    Zsh,
    /// Fish.
    Fish,
    /// `PowerShell` (the help shows the name without the backquotes that Rust's
    /// doc lint wants).
    #[value(help = "PowerShell")]
    Powershell,
}

/// `newsearch man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The page of one command (`newsearch man index` prints newsearch-index(1))
    /// [default: newsearch(1), which lists the commands].
    #[arg(value_enum, value_name = "COMMAND")]
    pub command: Option<ManPage>,
}

/// The commands with a man page of their own: every subcommand (a unit test holds
/// this list to the subcommands `Command` declares).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ManPage {
    /// newsearch-index(1).
    Index,
    /// newsearch-query(1).
    Query,
    /// newsearch-stats(1).
    Stats,
    /// newsearch-aliases(1).
    Aliases,
    /// newsearch-completions(1).
    Completions,
    /// newsearch-man(1).
    Man,
    /// newsearch-export(1).
    Export,
    /// newsearch-show(1).
    Show,
    /// newsearch-dupes(1).
    Dupes,
    /// newsearch-similar(1).
    Similar,
}

impl ManPage {
    /// The subcommand whose page this is.
    pub fn command_name(self) -> &'static str {
        match self {
            ManPage::Index => "index",
            ManPage::Query => "query",
            ManPage::Stats => "stats",
            ManPage::Aliases => "aliases",
            ManPage::Completions => "completions",
            ManPage::Man => "man",
            ManPage::Export => "export",
            ManPage::Show => "show",
            ManPage::Dupes => "dupes",
            ManPage::Similar => "similar",
        }
    }
}

impl QueryArgs {
    /// The options as typed, for the library to read once the index is open.
    pub fn query_args(&self) -> query::QueryArgs {
        query::QueryArgs {
            query: self.query.clone(),
            limit: (!self.all).then_some(self.limit as usize),
            offset: self.offset as usize,
            since: self.selection.since.clone(),
            until: self.selection.until.clone(),
            filter: self.selection.filter.clone(),
            facet: self.facet.clone(),
            sort: match self.sort {
                SortArg::Relevance => Sort::Relevance,
                SortArg::Newest => Sort::Newest,
                SortArg::Oldest => Sort::Oldest,
            },
            any: self.any,
            literal: self.literal,
            expand: self.expand,
            keyness: self.keyness,
            collapse: self.collapse,
            timeline: self.timeline.map(PeriodArg::period),
            explain: self.explain,
            snippet_chars: self.snippet_chars as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::{Cli, ManPage, VERSION};
    use clap::ValueEnum;

    /// Clap's own consistency checks of the declared command line (conflicting
    /// names, defaults outside their parser's range, ...), which it makes only in
    /// debug builds when that argument is used.
    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// `newsearch man COMMAND` offers exactly the subcommands, each under its own name.
    #[test]
    fn every_subcommand_has_a_man_page() {
        let mut subcommands: Vec<String> =
            Cli::command().get_subcommands().map(|c| c.get_name().to_owned()).collect();
        let mut pages: Vec<String> =
            ManPage::value_variants().iter().map(|p| p.command_name().to_owned()).collect();
        subcommands.sort();
        pages.sort();
        assert_eq!(pages, subcommands);
        for page in ManPage::value_variants() {
            let value = page.to_possible_value().expect("no page is skipped");
            assert_eq!(value.get_name(), page.command_name());
        }
    }

    /// `--version` names the index format from the library, not a copy of it.
    #[test]
    fn version_names_the_index_format() {
        assert_eq!(
            *VERSION,
            format!("{} (index format {})", env!("CARGO_PKG_VERSION"), newsearch::store::FORMAT)
        );
        assert_eq!(Cli::command().get_version(), Some(VERSION.as_str()));
    }
}
