//! Fuzz target: query parsing and execution (stages 5 to 7) over a small index.
//!
//! The index is built once per process, through the library, from a few articles in
//! the scraper's layout. Each input is 12 bytes of request options, then the query
//! text; lines after the first are `--filter FIELD:VALUE`s. Errors (syntax, unknown
//! fields) are expected; a panic is a bug.
#![no_main]

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use newsearch::corpus::article::ParseOptions;
use newsearch::indexer::{IndexOptions, index_corpus};
use newsearch::output::{self, Format, Position, Style};
use newsearch::query::{FacetKind, Period, SearchRequest, Sort};
use newsearch::search::Searcher;

/// Articles in the seed's layout, between them using every ISIS spelling, several
/// sources (folders), years and a related-headlines trailer.
const ARTICLES: [(&str, &str); 5] = [
    (
        "FNA/2016-09-04-sirte.txt",
        "ISIL Leftovers Attacked in Sirte\n\nISIL Leftovers Attacked in Sirte\n\
         Sun Sep 4, 2016 15:14:55\n\nForces loyal to the GNA attacked Daesh positions in Sirte.\n\n\
         The Islamic State of Iraq and the Levant lost ground, a spokesman said.\n\n\n\
         string(60) \"[{\"id\":\"1\",\"title\":\"VIDEO: Aid Reaches Sirte Families\"} ]\"",
    ),
    (
        "FNA/2015-05-21-palmyra.txt",
        "Palmyra Falls to Islamic State\n\nThu May 21, 2015 09:00:00\n\n\
         IS fighters took Palmyra. The UN warned of damage to the ruins.\n",
    ),
    (
        "Alalam/2014-07-05-amran.txt",
        "Houthis Advance Toward Amran\n\n2014-07-05\n\nAnsarullah fighters, the Houthis, \
         took positions near Amran and Sanaa.\n",
    ),
    (
        "Alalam/2017-06-24-aleppo.txt",
        "WHAT IS NEXT FOR ALEPPO\n\n24 June 2017\n\nDa'esh and ISIS remnants left Aleppo; \
         Hezbollah and the SDF moved in. Café owners returned.\n",
    ),
    (
        "Levant Wire/2018-01-25-afrin.txt",
        "Afrin Offensive Enters Sixth Day\n\nJanuary 25, 2018\n\nThe YPG said Turkish \
         strikes hit villages around Afrin; the PKK denied any role.\n",
    ),
];

/// The index (kept alive by its temporary folder) and a searcher over it.
static INDEX: LazyLock<(tempfile::TempDir, Searcher)> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("temporary folder");
    let corpus = dir.path().join("corpus");
    for (name, text) in ARTICLES {
        let path = corpus.join(name);
        std::fs::create_dir_all(path.parent().expect("has a folder")).expect("folder");
        std::fs::write(path, text).expect("article");
    }
    let index_dir = dir.path().join("index");
    let options = IndexOptions {
        corpus: vec![corpus],
        index_dir: index_dir.clone(),
        rebuild: false,
        writer_threads: 1,
        parse_threads: 1,
        memory_bytes: 20_000_000,
        aliases: None,
        parse: ParseOptions::default(),
        slash_dates: None,
        prune: false,
    };
    let summary = index_corpus(&options, &|_| {}).expect("the seed index builds");
    assert_eq!(summary.documents, ARTICLES.len() as u64);
    let searcher = Searcher::open(&index_dir).expect("the seed index opens");
    (dir, searcher)
});

const FACETS: [FacetKind; 5] =
    [FacetKind::Source, FacetKind::Folder, FacetKind::Entity, FacetKind::Year, FacetKind::Month];
const PERIODS: [Option<Period>; 5] =
    [None, Some(Period::Day), Some(Period::Week), Some(Period::Month), Some(Period::Year)];
const SORTS: [Sort; 3] = [Sort::Relevance, Sort::Newest, Sort::Oldest];

/// A date from 4 bytes, anywhere in chrono's range (about ±68,000 years).
fn date(bytes: [u8; 4]) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(i64::from(i32::from_le_bytes(bytes)) * 1000, 0)
}

fuzz_target!(|data: &[u8]| {
    let Some((options, text)) = data.split_first_chunk::<12>() else { return };
    let text = String::from_utf8_lossy(text);
    let mut lines = text.split('\n');
    let mut request = SearchRequest::new(lines.next().unwrap_or_default());
    // The ranges of `newsearch query`'s options (clap enforces them there).
    request.limit = (options[0] != 0).then_some(usize::from(options[0]));
    request.offset = if options[1] == 0xFF {
        10_000_000
    } else {
        usize::from(u16::from_le_bytes([options[1], options[2]]))
    };
    request.sort = SORTS[usize::from(options[3] % 3)];
    request.any = options[3] & 0b100 != 0;
    request.explain = options[3] & 0b1000 != 0;
    request.timeline = PERIODS[usize::from((options[3] >> 4) % 5)];
    request.facets =
        (0..5).filter(|bit| options[4] & (1 << bit) != 0).map(|bit| FACETS[bit]).collect();
    request.snippet_chars = 20 + usize::from(u16::from_le_bytes([options[5], options[6]]));
    if options[7] & 1 != 0 {
        request.since = date([options[8], options[9], options[10], options[11]]);
    }
    if options[7] & 2 != 0 {
        request.until = date([options[11], options[10], options[9], options[8]]);
    }
    request.filters = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(field, value)| (field.to_owned(), value.to_owned()))
        .collect();

    let (_, searcher) = &*INDEX;
    let Ok(results) = searcher.search(&request) else { return };
    assert!(results.hits.len() <= request.limit.unwrap_or(usize::MAX));
    for hit in &results.hits {
        for [start, end] in &hit.highlights {
            assert!(start <= end && *end <= hit.snippet.len(), "highlight outside the snippet");
            assert!(hit.snippet.is_char_boundary(*start) && hit.snippet.is_char_boundary(*end));
        }
    }
    // Rendering is part of answering a query: every format must cope.
    for format in [Format::Human, Format::Json, Format::Jsonl, Format::Csv] {
        let mut out = Vec::new();
        output::write_results(
            &results,
            format,
            Style { color: options[7] & 4 != 0 },
            Position::Single,
            &mut out,
        )
        .expect("writing to a Vec cannot fail");
    }
});
