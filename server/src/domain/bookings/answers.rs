//! The booking questions as typed, checked into a `Pattern` of visits: when, how often, how
//! long (within what the service and the person's care plan allow), and what one visit costs.

use crate::domain::uk_time::{self, long_date, weekday_name};
use crate::domain::values::{and_list, collect};
use crate::entities::{booking, budget, listing, visit};
use crate::error::{AppError, AppResult};
use app::{BookingAnswers, FieldError};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// Home care visits are at least this long unless the care plan says otherwise.
const HOME_CARE_MINIMUM: u32 = 30;

pub(super) const LONGEST_VISIT: u32 = 24 * 60;

/// The answers once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub weekly: bool,
    pub first_day: NaiveDate,
    pub start: NaiveTime,
    pub minutes: u32,
    /// Monday = 1; one day for a one-off booking.
    pub weekdays: Vec<u32>,
}

impl Pattern {
    /// Checks the typed answers (each problem against its field), given what the service and
    /// the person's care plan allow.
    pub fn parse(answers: &BookingAnswers, listing: &listing::Model, budget: &budget::Model, today: NaiveDate) -> AppResult<Self> {
        crate::domain::budget_endings::refuse_if_closed(budget)?;
        let mut errors = Vec::new();
        let weekly = match answers.how_often.trim() {
            "once" => Some(false),
            "weekly" => Some(true),
            _ => collect(&mut errors, Err(AppError::invalid("how_often", "Choose whether you need care once or every week"))),
        };
        let first_day = collect(
            &mut errors,
            parse_day(&answers.date, today).and_then(|day| match budget.ends_on {
                Some(last) if day > last => Err(AppError::invalid("date", format!("Your budget ends on {}: choose a day on or before it", long_date(last)))),
                _ => Ok(day),
            }),
        );
        let start = collect(
            &mut errors,
            NaiveTime::parse_from_str(answers.time.trim(), "%H:%M")
                .map_err(|_| AppError::invalid("time", "Enter the start time as hours and minutes, like 09:30")),
        );
        let minutes = collect(&mut errors, visit_minutes(&answers.minutes, listing, budget));
        let mut weekdays: Vec<u32> = answers.weekdays.chars().filter_map(|c| c.to_digit(10)).filter(|d| (1..=7).contains(d)).collect();
        weekdays.sort_unstable();
        weekdays.dedup();
        match (weekly, first_day) {
            (Some(true), _) if weekdays.is_empty() => errors.push(FieldError::new("weekdays", "Choose the days of the week you need care")),
            (Some(true), _) if listing.unit == "week" && weekdays.len() > 1 => {
                errors.push(FieldError::new("weekdays", "This service is priced by the week: choose the one day each week it starts"))
            }
            (Some(false), Some(day)) => weekdays = vec![day.weekday().number_from_monday()],
            _ => {}
        }
        match (weekly, first_day, start, minutes) {
            (Some(weekly), Some(first_day), Some(start), Some(minutes)) if errors.is_empty() => Ok(Self { weekly, first_day, start, minutes, weekdays }),
            _ => Err(AppError::Invalid(errors)),
        }
    }

    /// A booking's pattern, as it was made.
    pub fn of(booking: &booking::Model) -> Self {
        Self::as_booked(booking.starts_at, booking.duration_minutes, booking.weekdays.as_deref())
    }

    /// From a booking's first visit, length and weekdays (none for a one-off booking).
    pub(super) fn as_booked(starts_at: DateTime<Utc>, minutes: i32, weekdays: Option<&str>) -> Self {
        let local = uk_time::to_local(starts_at);
        Self {
            weekly: weekdays.is_some(),
            first_day: local.date(),
            start: local.time(),
            minutes: u32::try_from(minutes).unwrap_or(0),
            weekdays: match weekdays {
                Some(days) => days.chars().filter_map(|c| c.to_digit(10)).collect(),
                None => vec![local.date().weekday().number_from_monday()],
            },
        }
    }

    /// The UK start time of every visit from `first_day` up to (not including) `until`.
    pub fn visits_before(&self, until: NaiveDate) -> Vec<chrono::NaiveDateTime> {
        self.visits_between(self.first_day, until)
    }

    /// The UK start time of every visit on the days from `from` up to (not including) `until`.
    pub fn visits_between(&self, from: NaiveDate, until: NaiveDate) -> Vec<chrono::NaiveDateTime> {
        let from = from.max(self.first_day);
        let until = if self.weekly { until } else { until.min(self.first_day + Duration::days(1)) };
        (0..(until - from).num_days().max(0))
            .map(|offset| from + Duration::days(offset))
            .filter(|day| self.weekdays.contains(&day.weekday().number_from_monday()))
            .map(|day| day.and_time(self.start))
            .collect()
    }

    /// A booking's pattern from the day after its last scheduled visit: the visits it has
    /// yet to schedule (all of them, for a weekly booking whose budget ran short at once).
    pub async fn still_to_schedule(db: &impl ConnectionTrait, booking: &booking::Model) -> AppResult<Self> {
        let last = visit::Entity::find().filter(visit::Column::BookingId.eq(booking.id)).order_by_desc(visit::Column::ScheduledStart).one(db).await?;
        Ok(Self::of(booking).after(last.map(|visit| visit.scheduled_start)))
    }

    /// The rest of the pattern after its last visit scheduled so far (if any).
    pub(super) fn after(mut self, last_scheduled: Option<DateTime<Utc>>) -> Self {
        if let Some(last) = last_scheduled {
            self.first_day = uk_time::to_local(last).date() + Duration::days(1);
        }
        self
    }

    /// "Every Monday and Thursday, 09:00 to 10:00, from Tuesday 1 December 2026".
    pub fn in_words(&self) -> String {
        let end = self.start + Duration::minutes(i64::from(self.minutes));
        let times = format!("{} to {}", self.start.format("%H:%M"), end.format("%H:%M"));
        if self.weekly {
            let days: Vec<&str> = self.weekdays.iter().filter_map(|&d| Weekday::try_from(u8::try_from(d - 1).ok()?).ok()).map(weekday_name).collect();
            format!("Every {}, {times}, from {}", and_list(&days), long_date(self.first_day))
        } else {
            format!("{}, {times}", long_date(self.first_day))
        }
    }
}

fn parse_day(input: &str, today: NaiveDate) -> AppResult<NaiveDate> {
    let day = NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d").map_err(|_| AppError::invalid("date", "Enter the date like 2026-12-01"))?;
    if day < today {
        return Err(AppError::invalid("date", "The date must be today or in the future"));
    }
    if day > today + Duration::days(366) {
        return Err(AppError::invalid("date", "The date must be within the next year"));
    }
    Ok(day)
}

fn visit_minutes(input: &str, listing: &listing::Model, budget: &budget::Model) -> AppResult<u32> {
    let minutes: u32 = input.trim().parse().map_err(|_| AppError::invalid("minutes", "Enter how long each visit lasts in minutes, like 60"))?;
    let listed = u32::try_from(listing.min_visit_minutes).unwrap_or(0);
    let planned = budget.shortest_visit_minutes.and_then(|m| u32::try_from(m).ok());
    let home_care = listing.category == "home_care";
    let rule = if home_care { planned.unwrap_or(HOME_CARE_MINIMUM) } else { 1 };
    // A home care service listed at the usual 30 minutes follows the person's care plan; one
    // that asks for longer visits keeps its own minimum.
    let own = if home_care && listed <= HOME_CARE_MINIMUM { 0 } else { listed };
    let minimum = own.max(rule);
    if minutes < minimum {
        let why = match (home_care && minimum == rule, planned) {
            (true, Some(_)) => "The care plan's home care visits are",
            (true, None) => "Home care visits are",
            (false, _) => "This service's visits are",
        };
        return Err(AppError::invalid("minutes", format!("{why} at least {minimum} minutes")));
    }
    if minutes > LONGEST_VISIT {
        return Err(AppError::invalid("minutes", "A visit can last at most 24 hours (1,440 minutes)"));
    }
    Ok(minutes)
}

/// What one visit costs: by the hour, pro rata to the penny (half a penny up); otherwise the
/// unit price (a visit, a session, a day, a week, an item).
pub fn visit_cost(unit: &str, unit_price_pence: i64, minutes: u32) -> i64 {
    if unit == "hour" { (unit_price_pence * i64::from(minutes) + 30) / 60 } else { unit_price_pence }
}

pub(super) fn duration_words(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} minutes"),
        (1, 0) => "1 hour".into(),
        (h, 0) => format!("{h} hours"),
        (1, m) => format!("1 hour {m} minutes"),
        (h, m) => format!("{h} hours {m} minutes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hourly_visits_cost_their_share_of_the_hour_to_the_penny() {
        assert_eq!(visit_cost("hour", 2_400, 60), 2_400);
        assert_eq!(visit_cost("hour", 2_400, 30), 1_200);
        assert_eq!(visit_cost("hour", 2_150, 45), 1_613); // 1,612.5 rounds up
        assert_eq!(visit_cost("hour", 2_150, 20), 717); // 716.67
        assert_eq!(visit_cost("visit", 3_500, 90), 3_500);
        assert_eq!(visit_cost("day", 6_000, 360), 6_000);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_words(30), "30 minutes");
        assert_eq!(duration_words(60), "1 hour");
        assert_eq!(duration_words(90), "1 hour 30 minutes");
        assert_eq!(duration_words(150), "2 hours 30 minutes");
    }
}
