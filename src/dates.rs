//! Dates as the index reads them: part of the index contract, shared by stage 2 (parse)
//! and stage 5 (query). A date as news sites and datasets write it → a UTC instant, and
//! the slash-date order ([`SlashDates`]) an index records and every reader must follow.
//!
//! Input is one string that should be a date and nothing else (a dateline, a JSON or CSV
//! field, a `--since` argument); output is a [`DateTime<Utc>`], or `None` when the string is
//! not a date we understand. The query side reuses [`parse_date_bound`] for `--since` and
//! `--until`, so articles and queries agree on what a date means.
//!
//! Everything goes through chrono's format strings. A little normalizing comes first
//! (weekday dropped, commas and `at` removed, `4th` → `4`, a trailing zone split off) so that
//! one short table of formats covers the many spellings.

use chrono::{
    DateTime, Datelike, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc,
};

/// The order of day and month in slash dates such as `4/5/2017`.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SlashDates {
    /// `4/5/2017` is April 5 (US order; FA-KES and most English scrapers).
    #[default]
    MonthFirst,
    /// `4/5/2017` is 4 May (European order).
    DayFirst,
}

/// Longer strings are prose, not dates; refusing them early keeps the format table cheap
/// when parse is handed a whole paragraph.
const MAX_DATE_CHARS: usize = 100;

/// Dates and times, zone already split off. `%B` also accepts abbreviations (and is
/// case-insensitive), so it covers `Sep`, `SEP` and `September`. `%.f` is optional.
const DATE_TIME_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S%.f",
    "%Y/%m/%d %H:%M",
    "%B %d %Y %H:%M:%S%.f",
    "%B %d %Y %H:%M",
    "%B %d %Y %I:%M:%S %p",
    "%B %d %Y %I:%M %p",
    "%d %B %Y %H:%M:%S%.f",
    "%d %B %Y %H:%M",
    "%d %B %Y %I:%M:%S %p",
    "%d %B %Y %I:%M %p",
    // Reuters-21578: `26-FEB-1987 15:01:01.79`.
    "%d-%B-%Y %H:%M:%S%.f",
    "%d-%B-%Y %H:%M",
    // C's asctime, as `date` prints it: `Sep 4 15:14:55 2016` once the weekday is gone.
    "%B %d %H:%M:%S %Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
];

/// Words a site writes before its dateline: `Updated: Sep 4, 2016`, `Last
/// updated 4 September 2016`, `Published on ...` (`on` goes in [`normalize`]).
const DATE_LABELS: &[&str] =
    &["updated", "published", "posted", "modified", "date", "dated", "last", "first"];

/// Calendar days without a time (midnight is assumed).
const DATE_FORMATS: &[&str] =
    &["%Y-%m-%d", "%Y/%m/%d", "%B %d %Y", "%d %B %Y", "%d-%B-%Y", "%d.%m.%Y", "%Y%m%d"];

/// Slash dates, month first. `%y` comes before `%Y` in each pair: `%Y` would read `17` as the
/// year 17, while `%y` fails on `2017` (too long) and lets `%Y` take it.
const SLASH_MONTH_FIRST: &[&str] = &[
    "%m/%d/%y %H:%M:%S%.f",
    "%m/%d/%Y %H:%M:%S%.f",
    "%m/%d/%y %H:%M",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%Y %I:%M %p",
];
const SLASH_DAY_FIRST: &[&str] = &[
    "%d/%m/%y %H:%M:%S%.f",
    "%d/%m/%Y %H:%M:%S%.f",
    "%d/%m/%y %H:%M",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %I:%M:%S %p",
    "%d/%m/%Y %I:%M:%S %p",
    "%d/%m/%y %I:%M %p",
    "%d/%m/%Y %I:%M %p",
];
const SLASH_DATE_MONTH_FIRST: &[&str] = &["%m/%d/%y", "%m/%d/%Y"];
const SLASH_DATE_DAY_FIRST: &[&str] = &["%d/%m/%y", "%d/%m/%Y"];

/// Offsets written as zone names. Only unambiguous ones: `IST` or `AST` name different
/// zones in different countries, and guessing wrong would shift an article by hours.
const ZONES: &[(&str, i32)] = &[
    ("utc", 0),
    ("gmt", 0),
    ("ut", 0),
    ("z", 0),
    ("wet", 0),
    ("west", 1),
    ("bst", 1),
    ("cet", 1),
    ("cest", 2),
    ("eet", 2),
    ("eest", 3),
    ("msk", 3),
    ("est", -5),
    ("edt", -4),
    ("cst", -6),
    ("cdt", -5),
    ("mst", -7),
    ("mdt", -6),
    ("pst", -8),
    ("pdt", -7),
];

const WEEKDAYS: &[&str] = &[
    "mon",
    "monday",
    "tue",
    "tues",
    "tuesday",
    "wed",
    "weds",
    "wednesday",
    "thu",
    "thur",
    "thurs",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
    "sun",
    "sunday",
];

const MONTHS: &[&str] = &[
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
];

/// How much of the calendar a parsed string pins down; a bound covers all of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Precision {
    Year,
    Month,
    Day,
    /// A time without seconds (`15:14`): `--until` keeps the whole minute.
    Minute,
    Instant,
}

/// A parsed date before it becomes UTC: local wall time, its offset, and its precision.
#[derive(Clone, Copy, Debug)]
struct LocalDate {
    local: NaiveDateTime,
    offset: FixedOffset,
    precision: Precision,
}

impl LocalDate {
    fn start(self) -> Option<DateTime<Utc>> {
        to_utc(self.local, self.offset)
    }

    /// The last nanosecond the string still covers: `2016-09` ends at
    /// `2016-09-30T23:59:59.999999999`.
    fn end(self) -> Option<DateTime<Utc>> {
        let next = match self.precision {
            Precision::Instant => return self.start(),
            Precision::Minute => self.local.checked_add_signed(TimeDelta::minutes(1))?,
            Precision::Day => self.local.checked_add_signed(TimeDelta::days(1))?,
            Precision::Month => self.local.checked_add_months(Months::new(1))?,
            Precision::Year => self.local.checked_add_months(Months::new(12))?,
        };
        to_utc(next.checked_sub_signed(TimeDelta::nanoseconds(1))?, self.offset)
    }
}

/// Parses a string that is entirely a date, such as `Sun Sep 4, 2016 15:14:55`,
/// `2016-09-04T15:14:55Z`, `Sun, 04 Sep 2016 15:14:55 +0000`, `4 September 2016`,
/// `26-FEB-1987 15:01:01.79` or `4/5/2017` (day and month order from `slash`).
///
/// Surrounding whitespace is ignored, and so is a leading weekday (it is redundant, and
/// scrapers get it wrong). A time without a zone is taken as UTC; a date without a time is
/// midnight. Returns `None` for anything else, including impossible dates (`Sep 44`) and
/// years outside 1000–9999, which are always a misread (`4/5/17` as the year 17).
pub fn parse_date(text: &str, slash: SlashDates) -> Option<DateTime<Utc>> {
    parse_local(text, slash, false)?.start()
}

/// Parses one end of a date range, for `--since` and `--until`.
///
/// Accepts everything [`parse_date`] does, plus a year (`2016`), a month (`2016-09`,
/// `2016/09`, `Sep 2016`, `September 2016`). With `end == false` the result is the first
/// instant the text covers; with `end == true` the last (the inclusive upper bound), so
/// `--until 2016-09` keeps everything published in September 2016. A full timestamp is its
/// own start and end.
pub fn parse_date_bound(text: &str, slash: SlashDates, end: bool) -> Option<DateTime<Utc>> {
    let date = parse_local(text, slash, true)?;
    if end { date.end() } else { date.start() }
}

fn to_utc(local: NaiveDateTime, offset: FixedOffset) -> Option<DateTime<Utc>> {
    let utc = local.checked_sub_offset(offset)?;
    Some(utc.and_utc())
}

fn parse_local(text: &str, slash: SlashDates, bounds: bool) -> Option<LocalDate> {
    let text = without_label(text.trim());
    if text.is_empty() || text.chars().count() > MAX_DATE_CHARS {
        return None;
    }
    parse_strict(text).or_else(|| parse_normalized(text, slash, bounds))
}

/// Years outside 1000–9999 are always a misread: `%Y` happily takes `4/5/17` as the year 4
/// or 17, so each format's result is checked before it is accepted.
fn plausible(local: NaiveDateTime) -> bool {
    (1000..=9999).contains(&local.year())
}

/// The standard formats, tried on the text as given: RFC 2822 needs its commas, and
/// chrono's RFC 3339 parser is stricter than the table.
fn parse_strict(text: &str) -> Option<LocalDate> {
    let parsed =
        DateTime::parse_from_rfc3339(text).or_else(|_| DateTime::parse_from_rfc2822(text)).ok()?;
    plausible(parsed.naive_local()).then_some(LocalDate {
        local: parsed.naive_local(),
        offset: *parsed.offset(),
        precision: Precision::Instant,
    })
}

fn parse_normalized(text: &str, slash: SlashDates, bounds: bool) -> Option<LocalDate> {
    let normalized = normalize(text);
    let (rest, offset) = split_zone(&normalized);
    let offset = offset.unwrap_or(FixedOffset::east_opt(0)?);
    let local =
        |local, precision| plausible(local).then_some(LocalDate { local, offset, precision });

    // ISO 8601 with the offset glued to the time (`+0200`, `+02:00`), which the zone split
    // cannot see as a separate word.
    // `%#z` also takes an offset of hours alone (`+03`).
    for format in ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z"] {
        if let Ok(parsed) = DateTime::parse_from_str(rest, format)
            && plausible(parsed.naive_local())
        {
            return Some(LocalDate {
                local: parsed.naive_local(),
                offset: *parsed.offset(),
                precision: Precision::Instant,
            });
        }
    }

    let (slash_times, slash_dates) = match slash {
        SlashDates::MonthFirst => (SLASH_MONTH_FIRST, SLASH_DATE_MONTH_FIRST),
        SlashDates::DayFirst => (SLASH_DAY_FIRST, SLASH_DATE_DAY_FIRST),
    };
    for format in DATE_TIME_FORMATS.iter().chain(slash_times) {
        if let Ok(parsed) = NaiveDateTime::parse_from_str(rest, format)
            && plausible(parsed)
        {
            let precision =
                if format.contains("%S") { Precision::Instant } else { Precision::Minute };
            return local(parsed, precision);
        }
    }
    for format in DATE_FORMATS.iter().chain(slash_dates) {
        if let Ok(parsed) = NaiveDate::parse_from_str(rest, format)
            && let Some(found) = local(parsed.and_time(NaiveTime::MIN), Precision::Day)
        {
            return Some(found);
        }
    }
    if !bounds {
        return None;
    }
    // A month or a year: complete it to its first day so chrono's date formats apply.
    let month_formats = [
        (format!("{rest}-01"), "%Y-%m-%d"),
        (format!("{rest}/01"), "%Y/%m/%d"),
        (format!("1 {rest}"), "%d %B %Y"),
    ];
    for (completed, format) in &month_formats {
        if let Ok(parsed) = NaiveDate::parse_from_str(completed, format)
            && let Some(found) = local(parsed.and_time(NaiveTime::MIN), Precision::Month)
        {
            return Some(found);
        }
    }
    // Only four digits: `%Y` alone would also take `16` or `123456`.
    if rest.len() == 4 && rest.bytes().all(|byte| byte.is_ascii_digit()) {
        let parsed = NaiveDate::parse_from_str(&format!("{rest}-01-01"), "%Y-%m-%d").ok()?;
        return local(parsed.and_time(NaiveTime::MIN), Precision::Year);
    }
    None
}

/// Rewrites the many ways of writing one date toward the table's spelling:
/// `Sunday, September 4th, 2016 at 3:14 PM` → `September 4 2016 3:14 PM`.
fn normalize(text: &str) -> String {
    let spaced = text.replace(',', " ");
    let mut words: Vec<&str> = Vec::new();
    for word in spaced.split_whitespace() {
        let bare = word.trim_end_matches('.');
        if words.is_empty() && is_one_of(bare, WEEKDAYS) {
            continue;
        }
        if bare.eq_ignore_ascii_case("at") || bare.eq_ignore_ascii_case("on") {
            continue;
        }
        // chrono knows `Sep` and `September` but not the common `Sept`.
        if bare.eq_ignore_ascii_case("sept") {
            words.push("Sep");
            continue;
        }
        // AP style abbreviates with a point: `Sep. 4, 2016`.
        if bare.len() < word.len() && is_one_of(bare, MONTHS) {
            words.push(bare);
            continue;
        }
        words.push(strip_ordinal(word));
    }
    words.join(" ")
}

/// `4th` → `4`, `21st` → `21`; anything else unchanged.
fn strip_ordinal(word: &str) -> &str {
    for suffix in ["st", "nd", "rd", "th", "ST", "ND", "RD", "TH"] {
        if let Some(number) = word.strip_suffix(suffix)
            && !number.is_empty()
            && number.bytes().all(|byte| byte.is_ascii_digit())
        {
            return number;
        }
    }
    word
}

/// Splits a trailing zone word (`UTC`, `EDT`, `+0200`, `-05:00`) from the rest.
fn split_zone(text: &str) -> (&str, Option<FixedOffset>) {
    let Some((rest, last)) = text.rsplit_once(' ') else {
        return (text, None);
    };
    if let Some(&(_, hours)) = ZONES.iter().find(|(name, _)| last.eq_ignore_ascii_case(name)) {
        return (rest, FixedOffset::east_opt(hours * 3600));
    }
    if last.starts_with(['+', '-'])
        && let Ok(offset) =
            DateTime::parse_from_str(&format!("2000-01-01 00:00 {last}"), "%Y-%m-%d %H:%M %z")
    {
        return (rest, Some(*offset.offset()));
    }
    (text, None)
}

/// `text` without the label words a site may put before a date, and their colon:
/// `Last updated: Sep 4, 2016` → `Sep 4, 2016`.
fn without_label(text: &str) -> &str {
    let mut rest = text;
    loop {
        let end = rest.find(|c: char| !c.is_alphabetic()).unwrap_or(rest.len());
        let (word, after) = rest.split_at(end);
        if word.is_empty() || !is_one_of(word, DATE_LABELS) {
            return rest;
        }
        rest = after.trim_start_matches(|c: char| c == ':' || c.is_whitespace());
    }
}

fn is_one_of(word: &str, names: &[&str]) -> bool {
    names.iter().any(|name| word.eq_ignore_ascii_case(name))
}

/// Whether a line was probably meant as a date even though [`parse_date`] refused it, as
/// with `Sun Sep 44, 2016 15:14:55`: it starts with a weekday or month name, has a year or
/// a time, and has no words other than date words. The text layout warns about such lines
/// instead of silently keeping them as body text.
///
/// A year or time is required because BBC sport pages carry yearless sub-datelines
/// (`Tuesday, 1 March`): nothing can be done about those, so a warning would be noise.
pub(crate) fn looks_like_date(line: &str) -> bool {
    let line = without_label(line.trim());
    if line.chars().count() > MAX_DATE_CHARS {
        return false;
    }
    let numbers: Vec<&str> =
        line.split(|c: char| !c.is_ascii_digit()).filter(|digits| !digits.is_empty()).collect();
    let has_year = numbers.iter().any(|digits| digits.len() == 4);
    // Only numbers and date punctuation, a year among at least three numbers:
    // `13/25/2016`, `2016-13-45`, `32.10.2016`.
    if line.chars().all(|c| c.is_ascii_digit() || "/-.:T ".contains(c)) {
        return has_year && numbers.len() >= 3;
    }
    if !has_year && !line.contains(':') {
        return false;
    }
    let mut words = line.split(|c: char| !c.is_alphabetic()).filter(|word| !word.is_empty());
    let Some(first) = words.next() else {
        return false;
    };
    if !line.starts_with(first) || !(is_one_of(first, WEEKDAYS) || is_one_of(first, MONTHS)) {
        return false;
    }
    words.all(|word| {
        is_one_of(word, WEEKDAYS)
            || is_one_of(word, MONTHS)
            || is_one_of(word, &["at", "on", "am", "pm", "st", "nd", "rd", "th", "t"])
            || ZONES.iter().any(|(zone, _)| word.eq_ignore_ascii_case(zone))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn month_first(text: &str) -> Option<DateTime<Utc>> {
        parse_date(text, SlashDates::MonthFirst)
    }

    #[test]
    fn parses_the_seed_dateline_with_and_without_weekday() {
        let expected = utc("2016-09-04T15:14:55Z");
        assert_eq!(month_first("Sun Sep 4, 2016 15:14:55"), Some(expected));
        assert_eq!(month_first("Sep 4, 2016 15:14:55"), Some(expected));
        assert_eq!(month_first("  Sun Sep 04, 2016 15:14:55\t"), Some(expected));
        assert_eq!(month_first("Fri Nov 18, 2016 15:01:49"), Some(utc("2016-11-18T15:01:49Z")));
        // A wrong weekday is ignored rather than rejecting a good date.
        assert_eq!(month_first("Mon Sep 4, 2016 15:14:55"), Some(expected));
    }

    #[test]
    fn parses_iso_8601_and_rfc_3339() {
        let expected = utc("2016-09-04T15:14:55Z");
        assert_eq!(month_first("2016-09-04T15:14:55Z"), Some(expected));
        assert_eq!(month_first("2016-09-04T15:14:55"), Some(expected));
        assert_eq!(month_first("2016-09-04T17:14:55+02:00"), Some(expected));
        assert_eq!(month_first("2016-09-04T17:14:55+0200"), Some(expected));
        assert_eq!(month_first("2016-09-04T15:14:55.250Z"), Some(utc("2016-09-04T15:14:55.25Z")));
        assert_eq!(
            month_first("2016-09-04T15:14:55.123456"),
            Some(utc("2016-09-04T15:14:55.123456Z"))
        );
        assert_eq!(month_first("2016-09-04 15:14:55"), Some(expected));
        assert_eq!(month_first("2016-09-04 15:14:55 UTC"), Some(expected));
        assert_eq!(month_first("2016-09-04 11:14:55 EDT"), Some(expected));
        assert_eq!(month_first("2016-09-04"), Some(utc("2016-09-04T00:00:00Z")));
        assert_eq!(month_first("20160904"), Some(utc("2016-09-04T00:00:00Z")));
    }

    #[test]
    fn parses_rfc_2822() {
        let expected = utc("2016-09-04T15:14:55Z");
        assert_eq!(month_first("Sun, 04 Sep 2016 15:14:55 +0000"), Some(expected));
        assert_eq!(month_first("Sun, 04 Sep 2016 17:14:55 +0200"), Some(expected));
        assert_eq!(month_first("04 Sep 2016 15:14:55 GMT"), Some(expected));
        // chrono rejects the weekday mismatch; the table still reads the date.
        assert_eq!(month_first("Mon, 04 Sep 2016 15:14:55 +0000"), Some(expected));
    }

    #[test]
    fn reads_ap_style_months_and_hour_offsets() {
        let seed = utc("2016-09-04T15:14:55Z");
        assert_eq!(month_first("Sep. 4, 2016 15:14:55"), Some(seed));
        assert_eq!(month_first("Sept. 4, 2016 15:14:55"), Some(seed));
        assert_eq!(month_first("2016-09-04 18:14:55+03"), Some(seed));
        assert_eq!(month_first("2016-09-04T18:14:55+03"), Some(seed));
        assert_eq!(month_first("2016-09-04T18:14:55+03:00"), Some(seed));
    }

    #[test]
    fn reads_past_a_label_before_the_date() {
        let seed = utc("2016-09-04T15:14:55Z");
        assert_eq!(month_first("Updated: Sun Sep 4, 2016 15:14:55"), Some(seed));
        assert_eq!(month_first("Last updated: Sep 4, 2016 15:14:55"), Some(seed));
        assert_eq!(month_first("Published on September 4, 2016 at 15:14:55"), Some(seed));
        assert_eq!(month_first("posted 2016-09-04T15:14:55Z"), Some(seed));
        assert_eq!(month_first("Updated: the talks"), None);
        assert_eq!(month_first("Updated:"), None);
    }

    #[test]
    fn parses_month_names_in_both_orders() {
        let day = Some(utc("2016-09-04T00:00:00Z"));
        for text in [
            "September 4, 2016",
            "Sep 4, 2016",
            "SEP 4 2016",
            "Sept. 4, 2016",
            "September 4th, 2016",
            "Sunday, September 4, 2016",
            "4 September 2016",
            "04 Sep 2016",
            "4 SEPTEMBER 2016",
        ] {
            assert_eq!(month_first(text), day, "{text}");
        }
        assert_eq!(month_first("September 4, 2016 at 3:14 PM"), Some(utc("2016-09-04T15:14:00Z")));
        assert_eq!(month_first("Sun Sep  4 15:14:55 2016"), Some(utc("2016-09-04T15:14:55Z")));
    }

    #[test]
    fn parses_reuters_dates_with_any_month_case() {
        let expected = Some(utc("1987-02-26T15:01:01.79Z"));
        assert_eq!(month_first("26-FEB-1987 15:01:01.79"), expected);
        assert_eq!(month_first("26-Feb-1987 15:01:01.79"), expected);
        assert_eq!(month_first("26-feb-1987"), Some(utc("1987-02-26T00:00:00Z")));
    }

    #[test]
    fn slash_dates_follow_the_option() {
        assert_eq!(month_first("4/5/2017"), Some(utc("2017-04-05T00:00:00Z")));
        assert_eq!(month_first("4/5/17"), Some(utc("2017-04-05T00:00:00Z")));
        assert_eq!(month_first("12/31/2016 23:59"), Some(utc("2016-12-31T23:59:00Z")));
        let day_first = |text| parse_date(text, SlashDates::DayFirst);
        assert_eq!(day_first("4/5/2017"), Some(utc("2017-05-04T00:00:00Z")));
        assert_eq!(day_first("4/5/17"), Some(utc("2017-05-04T00:00:00Z")));
        // 13 cannot be a month: each order refuses what it cannot read.
        assert_eq!(month_first("13/5/2017"), None);
        assert_eq!(day_first("13/5/2017"), Some(utc("2017-05-13T00:00:00Z")));
        assert_eq!(SlashDates::default(), SlashDates::MonthFirst);
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for text in [
            "",
            "   ",
            "Sun Sep 44, 2016 15:14:55",
            "2016-02-30",
            "hello world",
            "42",
            "Pro-Government Forces in Libya Attack ISIS Leftovers in Sirte",
            "4/5",
            "0016-09-04",
            "2016",
        ] {
            assert_eq!(month_first(text), None, "{text:?}");
        }
        assert_eq!(month_first(&"9".repeat(10_000)), None);
    }

    #[test]
    fn bounds_cover_a_whole_year_month_or_day() {
        let bound = |text, end| parse_date_bound(text, SlashDates::MonthFirst, end);
        assert_eq!(bound("2016", false), Some(utc("2016-01-01T00:00:00Z")));
        assert_eq!(bound("2016", true), Some(utc("2016-12-31T23:59:59.999999999Z")));
        assert_eq!(bound("2016-02", false), Some(utc("2016-02-01T00:00:00Z")));
        assert_eq!(bound("2016-02", true), Some(utc("2016-02-29T23:59:59.999999999Z")));
        assert_eq!(bound("2016/09", true), Some(utc("2016-09-30T23:59:59.999999999Z")));
        assert_eq!(bound("Sep 2016", false), Some(utc("2016-09-01T00:00:00Z")));
        assert_eq!(bound("September 2016", true), Some(utc("2016-09-30T23:59:59.999999999Z")));
        assert_eq!(bound("2016-09-04", false), Some(utc("2016-09-04T00:00:00Z")));
        assert_eq!(bound("2016-09-04", true), Some(utc("2016-09-04T23:59:59.999999999Z")));
        assert_eq!(bound("12/31/2016", true), Some(utc("2016-12-31T23:59:59.999999999Z")));
        assert_eq!(bound("2016-09-04T15:14:55Z", true), Some(utc("2016-09-04T15:14:55Z")));
        // A time in minutes covers its minute, as a day covers its day.
        assert_eq!(bound("2016-09-04 15:14", false), Some(utc("2016-09-04T15:14:00Z")));
        assert_eq!(bound("2016-09-04 15:14", true), Some(utc("2016-09-04T15:14:59.999999999Z")));
        assert_eq!(bound("Sep 4 2016 3:14 PM", true), Some(utc("2016-09-04T15:14:59.999999999Z")));
        assert_eq!(bound("9999", true), Some(utc("9999-12-31T23:59:59.999999999Z")));
        assert_eq!(bound("201", false), None);
        assert_eq!(bound("someday", true), None);
    }

    proptest::proptest! {
        #[test]
        fn any_string_is_a_date_or_not_without_panicking(text in "[A-Za-z0-9 ,.:/+-]{0,40}") {
            for slash in [SlashDates::MonthFirst, SlashDates::DayFirst] {
                let _ = parse_date(&text, slash);
                let start = parse_date_bound(&text, slash, false);
                let end = parse_date_bound(&text, slash, true);
                proptest::prop_assert_eq!(start.is_some(), end.is_some());
                proptest::prop_assert!(start <= end);
            }
        }
    }

    #[test]
    fn recognizes_broken_datelines_but_not_prose() {
        assert!(looks_like_date("Sun Sep 44, 2016 15:14:55"));
        assert!(looks_like_date("September 31st 2016"));
        assert!(looks_like_date("Sun Sep 4 25:14"));
        assert!(!looks_like_date("Tuesday, 1 March"));
        assert!(!looks_like_date("Sunday's attack killed 12 people"));
        assert!(!looks_like_date("March 2016 saw the heaviest fighting"));
        assert!(!looks_like_date("Sun Sep"));
        assert!(!looks_like_date("Forces loyal to the GNA, 2016"));
        assert!(looks_like_date("13/25/2016"));
        assert!(looks_like_date("2016-13-45 10:00"));
        assert!(looks_like_date("32.10.2016"));
        assert!(looks_like_date("Updated: Sep 44, 2016"));
        assert!(!looks_like_date("2015-2016"));
        assert!(!looks_like_date("12.5"));
        assert!(!looks_like_date("Updated"));
    }
}
