//! People type and read UK clock time; the database keeps UTC. UK summer time (BST, UTC+1)
//! runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October.
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next = NaiveDate::from_ymd_opt(year, month + 1, 1).unwrap_or(NaiveDate::MAX);
    let last = first_of_next.pred_opt().unwrap_or(first_of_next);
    last - Duration::days(i64::from(last.weekday().num_days_from_sunday()))
}

fn is_summer_time(utc: DateTime<Utc>) -> bool {
    let year = utc.year();
    let change = |month| last_sunday(year, month).and_hms_opt(1, 0, 0).map(|moment| moment.and_utc());
    matches!((change(3), change(10)), (Some(forward), Some(back)) if utc >= forward && utc < back)
}

/// The years a date typed into CareMarket may fall in: anything outside is a typing slip, and
/// refusing it keeps date arithmetic far from chrono's limits.
pub const FIRST_YEAR: i32 = 2000;
pub const LAST_YEAR: i32 = 2100;

/// A date typed as `YYYY-MM-DD`, from 2000 to 2100; `what` names it in the message.
pub fn parse_date(field: &str, text: &str, what: &str) -> Result<NaiveDate, crate::error::AppError> {
    let invalid = |message: String| crate::error::AppError::invalid(field, message);
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| invalid(format!("Enter {what} as a date, like 2027-04-01")))?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&day.year()) {
        return Err(invalid(format!("Enter {what} between {FIRST_YEAR} and {LAST_YEAR}")));
    }
    Ok(day)
}

/// Whether a date falls in the years CareMarket accepts.
pub fn within_years(day: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&day.year())
}

/// The UK clock time at this instant.
pub fn to_local(utc: DateTime<Utc>) -> NaiveDateTime {
    let local = utc.naive_utc();
    if is_summer_time(utc) { local + Duration::hours(1) } else { local }
}

/// The instant a UK clock shows this time. In the hour the clocks go back (shown twice) it is
/// the first; in the hour they go forward (never shown) it is read as summer time.
pub fn to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    let summer = (local - Duration::hours(1)).and_utc();
    if is_summer_time(summer) { summer } else { local.and_utc() }
}

/// "Tuesday 1 December 2026".
pub fn long_date(date: NaiveDate) -> String {
    format!("{} {} {}", weekday_name(date.weekday()), date.day(), date.format("%B %Y"))
}

pub fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a time")
    }

    #[test]
    fn summer_time_starts_and_ends_on_the_last_sundays() {
        assert_eq!(last_sunday(2026, 3), NaiveDate::from_ymd_opt(2026, 3, 29).unwrap_or_default());
        assert_eq!(last_sunday(2026, 10), NaiveDate::from_ymd_opt(2026, 10, 25).unwrap_or_default());
        // Winter: the clock shows UTC.
        assert_eq!(to_utc(at("2026-12-01 09:00")), at("2026-12-01 09:00").and_utc());
        // Summer: an hour ahead.
        assert_eq!(to_utc(at("2026-07-01 09:00")), at("2026-07-01 08:00").and_utc());
        assert_eq!(to_local(at("2026-07-01 08:00").and_utc()), at("2026-07-01 09:00"));
        // Either side of the changes.
        assert_eq!(to_local(at("2026-03-29 00:59").and_utc()), at("2026-03-29 00:59"));
        assert_eq!(to_local(at("2026-03-29 01:00").and_utc()), at("2026-03-29 02:00"));
        assert_eq!(to_local(at("2026-10-25 00:59").and_utc()), at("2026-10-25 01:59"));
        assert_eq!(to_local(at("2026-10-25 01:00").and_utc()), at("2026-10-25 01:00"));
        for local in ["2026-01-15 10:30", "2026-06-15 10:30", "2026-10-24 23:00"] {
            assert_eq!(to_local(to_utc(at(local))), at(local), "{local} goes there and back");
        }
    }
}
