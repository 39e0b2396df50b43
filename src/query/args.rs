//! The command line's request as typed → a [`SearchRequest`], once the index is
//! open: every default that depends on the index is taken from it (the order of
//! day and month in slash dates: `--since 4/5/2017` on an index built with
//! `--day-first` is 4 May). The binary only fills [`QueryArgs`]; a script or a
//! server that uses the library gets the same reading.

use super::{FacetKind, Period, SearchRequest, Sort, parse_filter};
use crate::dates::{SlashDates, parse_date_bound};
use crate::error::{Error, Result};
use crate::fields;
use crate::search::Searcher;

/// `newsearch query`'s options, as typed: text stays text until the index says
/// how to read it.
#[allow(clippy::struct_excessive_bools)] // the command line's switches, as typed
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryArgs {
    /// The query text (empty: every article).
    pub query: Option<String>,
    /// Hits per query; `None` for all of them.
    pub limit: Option<usize>,
    /// Hits to skip.
    pub offset: usize,
    /// `--since`, as written.
    pub since: Option<String>,
    /// `--until`, as written.
    pub until: Option<String>,
    /// `--filter FIELD:VALUE`, as written.
    pub filter: Vec<String>,
    /// `--facet`.
    pub facet: Vec<FacetKind>,
    /// `--sort`.
    pub sort: Sort,
    /// `--any`.
    pub any: bool,
    /// `--literal`.
    pub literal: bool,
    /// `--expand`.
    pub expand: bool,
    /// `--keyness`.
    pub keyness: bool,
    /// `--collapse`.
    pub collapse: bool,
    /// `--timeline`.
    pub timeline: Option<Period>,
    /// `--explain`.
    pub explain: bool,
    /// `--snippet-chars`.
    pub snippet_chars: usize,
}

/// The request every query of a run starts from, read as the index at
/// `searcher` reads dates. A date, a filter or a range that cannot be read is
/// a usage error.
pub fn search_request(args: &QueryArgs, searcher: &Searcher) -> Result<SearchRequest> {
    let slash = searcher.store().slash_dates()?.unwrap_or_default();
    request_with(args, slash)
}

/// Reads the options that do not depend on the index, so that one no index could
/// read is a usage error before the index is opened (or found missing): a date
/// that is a date in neither slash order, a `--filter` that is not
/// `source:`, `folder:` or `entity:` with a value. A date such as `13/5/2017`
/// passes, as a day-first index reads it; [`search_request`] then reads it as
/// the index does.
pub fn check_args(args: &QueryArgs) -> Result<()> {
    match request_with(args, SlashDates::MonthFirst) {
        Ok(_) => Ok(()),
        Err(err) => request_with(args, SlashDates::DayFirst).map(|_| ()).map_err(|_| err),
    }
}

/// [`search_request`] with the slash-date order given.
pub fn request_with(args: &QueryArgs, slash: SlashDates) -> Result<SearchRequest> {
    let date = |text: &Option<String>, end: bool, flag: &str| -> Result<_> {
        text.as_deref()
            .map(|t| {
                parse_date_bound(t, slash, end).ok_or_else(|| {
                    Error::Usage(format!(
                        "--{flag} {t:?}: not a date (try 2016-09-04, 2016-09 or 2016)"
                    ))
                })
            })
            .transpose()
    };
    let mut request = SearchRequest::new(args.query.clone().unwrap_or_default());
    request.limit = args.limit;
    request.offset = args.offset;
    request.since = date(&args.since, false, "since")?;
    request.until = date(&args.until, true, "until")?;
    if let (Some(since), Some(until)) = (request.since, request.until)
        && since > until
    {
        return Err(Error::Usage("--since is after --until".into()));
    }
    request.filters = args
        .filter
        .iter()
        .map(|filter| {
            let (field, value) = parse_filter(filter).ok_or_else(|| {
                Error::Usage(format!("--filter {filter:?}: expected FIELD:VALUE, e.g. source:FNA"))
            })?;
            if ![fields::SOURCE, fields::FOLDER, fields::ENTITY, fields::LINEAGE]
                .contains(&field.as_str())
            {
                return Err(Error::Usage(format!(
                    "--filter {field}:{}: filters work on source, folder, entity and lineage",
                    value.trim()
                )));
            }
            Ok((field, value))
        })
        .collect::<Result<_>>()?;
    request.facets.clone_from(&args.facet);
    request.facets.sort();
    request.facets.dedup();
    request.sort = args.sort;
    request.any = args.any;
    request.literal = args.literal;
    request.expand = args.expand;
    request.keyness = args.keyness;
    request.collapse = args.collapse;
    request.timeline = args.timeline;
    request.explain = args.explain;
    request.snippet_chars = args.snippet_chars;
    request.validate()?;
    Ok(request)
}

#[cfg(test)]
mod tests {
    use chrono::Datelike;

    use super::{QueryArgs, check_args, request_with};
    use crate::dates::SlashDates;

    #[test]
    fn slash_dates_are_read_in_the_order_given() {
        let args = QueryArgs { since: Some("4/5/2017".into()), ..QueryArgs::default() };
        let day_first = request_with(&args, SlashDates::DayFirst).unwrap().since.unwrap();
        assert_eq!((day_first.month(), day_first.day()), (5, 4));
        let month_first = request_with(&args, SlashDates::MonthFirst).unwrap().since.unwrap();
        assert_eq!((month_first.month(), month_first.day()), (4, 5));
    }

    #[test]
    fn options_no_index_could_read_are_found_without_one() {
        let day_first_only = QueryArgs { since: Some("13/5/2017".into()), ..QueryArgs::default() };
        assert!(check_args(&day_first_only).is_ok());
        assert!(request_with(&day_first_only, SlashDates::MonthFirst).unwrap_err().is_usage());
        let neither = QueryArgs { since: Some("13/13/2017".into()), ..QueryArgs::default() };
        assert!(check_args(&neither).unwrap_err().is_usage());
        let field = QueryArgs { filter: vec!["colour:red".into()], ..QueryArgs::default() };
        assert!(check_args(&field).unwrap_err().to_string().contains("colour"));
    }

    #[test]
    fn unreadable_options_are_usage_errors() {
        let bad_date = QueryArgs { since: Some("soon".into()), ..QueryArgs::default() };
        assert!(request_with(&bad_date, SlashDates::MonthFirst).unwrap_err().is_usage());
        let bad_filter = QueryArgs { filter: vec!["nocolon".into()], ..QueryArgs::default() };
        assert!(request_with(&bad_filter, SlashDates::MonthFirst).unwrap_err().is_usage());
    }
}
