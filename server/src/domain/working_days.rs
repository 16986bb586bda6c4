//! Working days in England and Wales: Monday to Friday, except bank holidays, which are kept as
//! data (`data/bank_holidays_england_and_wales.txt`) rather than worked out.
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::BTreeSet;
use std::sync::LazyLock;

static BANK_HOLIDAYS: LazyLock<BTreeSet<NaiveDate>> = LazyLock::new(|| {
    include_str!("data/bank_holidays_england_and_wales.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| NaiveDate::parse_from_str(line, "%Y-%m-%d").expect("the bank holidays file holds ISO dates"))
        .collect()
});

pub fn is_working_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !BANK_HOLIDAYS.contains(&day)
}

/// The `count`th working day after `from` (`from` itself never counts: something received on
/// a Friday afternoon is due one working day later on Monday).
pub fn after(from: NaiveDate, count: u32) -> NaiveDate {
    let mut day = from;
    let mut left = count;
    while left > 0 {
        day += Duration::days(1);
        if is_working_day(day) {
            left -= 1;
        }
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn weekends_and_bank_holidays_do_not_count() {
        // Friday 4 December 2026: the next working day is Monday 7th.
        assert_eq!(after(day("2026-12-04"), 1), day("2026-12-07"));
        // Thursday 24 December 2026: Christmas Day and the substitute Boxing Day (Monday 28th) do not count.
        assert_eq!(after(day("2026-12-24"), 1), day("2026-12-29"));
        // Ten working days from Friday 11 December 2026, over Christmas: 14–18, 21–24, 29th.
        assert_eq!(after(day("2026-12-11"), 10), day("2026-12-29"));
        // Easter 2027: Good Friday 26 March and Easter Monday 29 March.
        assert_eq!(after(day("2027-03-25"), 1), day("2027-03-30"));
        assert!(!is_working_day(day("2028-01-03")), "New Year's Day 2028 is a Saturday: Monday is the holiday");
        assert!(is_working_day(day("2026-12-07")));
    }
}
