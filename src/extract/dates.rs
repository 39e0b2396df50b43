//! Publication dates as pages write them (ISO 8601 with or without a time or
//! offset, RFC 2822, compact `20160904`) and as URLs carry them (`/2016/09/04/`).

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Years outside this range are placeholders (`0001-01-01`) or typos, not dates
/// of publication.
const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// The moment a date string names, in UTC; `None` if it does not read as one.
/// A date without a time is midnight UTC; a time without an offset is taken
/// as UTC.
pub(super) fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let parsed = DateTime::parse_from_rfc3339(text)
        .ok()
        .or_else(|| DateTime::parse_from_rfc2822(text).ok())
        .map(|date| date.with_timezone(&Utc))
        .or_else(|| with_offset(text))
        .or_else(|| without_offset(text))
        .or_else(|| leading_date(text).or_else(|| month_day_year(text)).map(midnight))?;
    YEARS.contains(&parsed.year()).then_some(parsed)
}

/// ISO 8601 variants that RFC 3339 refuses: offsets without a colon, no
/// seconds, a space instead of the `T`.
fn with_offset(text: &str) -> Option<DateTime<Utc>> {
    const FORMATS: [&str; 4] = [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M%z",
    ];
    FORMATS
        .iter()
        .find_map(|format| DateTime::parse_from_str(text, format).ok())
        .map(|date| date.with_timezone(&Utc))
}

fn without_offset(text: &str) -> Option<DateTime<Utc>> {
    const FORMATS: [&str; 4] =
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"];
    FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|date| Utc.from_utc_datetime(&date))
}

/// A date at the start of the text (`2016-09-04…`, `2016/09/04…`, `20160904`),
/// whatever follows it.
fn leading_date(text: &str) -> Option<NaiveDate> {
    let digits: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .take(3)
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()?;
    match digits.as_slice() {
        [year, month, day] if text.starts_with(|c: char| c.is_ascii_digit()) => {
            NaiveDate::from_ymd_opt(i32::try_from(*year).ok()?, *month, *day)
        }
        [compact, ..] if *compact > 19_000_000 && *compact < 21_000_000 => {
            NaiveDate::from_ymd_opt((compact / 10_000) as i32, compact / 100 % 100, compact % 100)
        }
        _ => None,
    }
}

/// An English date written out anywhere in the text: `Nov 20, 2019`,
/// `November 20th 2019`, `20 Nov. 2019`.
fn month_day_year(text: &str) -> Option<NaiveDate> {
    const MONTHS: [&str; 12] =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    const FULL_NAMES: [&str; 13] = [
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "sept",
        "october",
        "november",
        "december",
        "may",
    ];
    let tokens: Vec<&str> =
        text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()).collect();
    let day = |token: &str| {
        let digits = token.trim_end_matches(['s', 't', 'n', 'd', 'r', 'h']);
        digits.parse::<u32>().ok().filter(|day| (1..=31).contains(day) && digits.len() <= 2)
    };
    let year = |token: &str| token.parse::<i32>().ok().filter(|_| token.len() == 4);
    for (i, token) in tokens.iter().enumerate() {
        let lower = token.to_ascii_lowercase();
        let Some(month) = MONTHS.iter().position(|month| {
            lower.starts_with(month) && (lower.len() == 3 || FULL_NAMES.contains(&lower.as_str()))
        }) else {
            continue;
        };
        let month = month as u32 + 1;
        let after =
            (tokens.get(i + 1).and_then(|t| day(t)), tokens.get(i + 2).and_then(|t| year(t)));
        let before = (
            i.checked_sub(1).and_then(|j| day(tokens[j])),
            tokens.get(i + 1).and_then(|t| year(t)),
        );
        if let (Some(day), Some(year), _, _) | (_, _, Some(day), Some(year)) =
            (after.0, after.1, before.0, before.1)
        {
            return NaiveDate::from_ymd_opt(year, month, day);
        }
    }
    None
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN))
}

/// A date written in a URL's path as `/2016/09/04/` or `/2016-09-04/` (or
/// `/20160904/`).
pub(super) fn from_url(url: &str) -> Option<DateTime<Utc>> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for (i, segment) in segments.iter().enumerate() {
        let date = if let [year, month, day, ..] = &segments[i..] {
            number_date(year, month, day)
        } else {
            None
        };
        let date = date.or_else(|| {
            let mut parts = segment.split(['-', '_']);
            match (parts.next(), parts.next(), parts.next()) {
                (Some(year), Some(month), Some(day)) => number_date(year, month, day),
                _ => None,
            }
        });
        if let Some(date) = date.filter(|date| YEARS.contains(&date.year())) {
            return Some(midnight(date));
        }
    }
    None
}

fn number_date(year: &str, month: &str, day: &str) -> Option<NaiveDate> {
    let numeric = |part: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let year = i32::try_from(numeric(year, 4..=4)?).ok()?;
    NaiveDate::from_ymd_opt(year, numeric(month, 1..=2)?, numeric(day, 1..=2)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Option<String> {
        parse(text).map(|date| date.format("%Y-%m-%d %H:%M").to_string())
    }

    #[test]
    fn reads_the_usual_forms() {
        assert_eq!(day("2016-09-04T15:14:55Z").as_deref(), Some("2016-09-04 15:14"));
        assert_eq!(day("2016-09-04T22:30:00-05:00").as_deref(), Some("2016-09-05 03:30"));
        assert_eq!(day("2016-09-04T15:14:55.123+0200").as_deref(), Some("2016-09-04 13:14"));
        assert_eq!(day("2016-09-04 15:14").as_deref(), Some("2016-09-04 15:14"));
        assert_eq!(day("2016-09-04").as_deref(), Some("2016-09-04 00:00"));
        assert_eq!(day("20160904").as_deref(), Some("2016-09-04 00:00"));
        assert_eq!(day("Sun, 04 Sep 2016 15:14:55 GMT").as_deref(), Some("2016-09-04 15:14"));
        assert_eq!(day(" 2016/09/04 at noon").as_deref(), Some("2016-09-04 00:00"));
        assert_eq!(day("01:38:07 PM EST Sep 4, 2016").as_deref(), Some("2016-09-04 00:00"));
        assert_eq!(day("Posted September 4th 2016").as_deref(), Some("2016-09-04 00:00"));
        assert_eq!(day("4 Sept. 2016").as_deref(), Some("2016-09-04 00:00"));
    }

    #[test]
    fn refuses_placeholders_and_words() {
        assert_eq!(day("0001-01-01T00:00:00Z"), None);
        assert_eq!(day("yesterday"), None);
        assert_eq!(day("2016-13-40"), None);
        assert_eq!(day(""), None);
    }

    #[test]
    fn finds_dates_in_urls() {
        let date = |url| from_url(url).map(|date| date.date_naive().to_string());
        assert_eq!(date("https://example.com/2016/09/04/rain.html").as_deref(), Some("2016-09-04"));
        assert_eq!(date("https://example.com/news/2016-09-04/rain").as_deref(), Some("2016-09-04"));
        assert_eq!(date("https://example.com/a/2016/9/4").as_deref(), Some("2016-09-04"));
        assert_eq!(date("https://example.com/2016/rain-at-last"), None);
        assert_eq!(date("https://example.com/item/1234/56/78"), None);
    }
}
