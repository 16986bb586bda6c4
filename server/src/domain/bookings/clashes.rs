//! The clash check: a person is never booked for two things at once. Reads what they have
//! booked in one query, in each database's own date arithmetic.
use super::answers::{LONGEST_VISIT, Pattern};
use crate::domain::uk_time::{self, long_date};
use crate::entities::{booking, visit};
use crate::error::{AppError, AppResult};
use app::{BookingStatus, VisitStatus};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, FromQueryResult};

/// Refused when the person already has care booked that overlaps any of the new visits. A
/// weekly booking goes on after the 4 weeks scheduled now, so its later visits are checked
/// too, and so are the visits the person's other weekly bookings have yet to schedule.
pub(super) async fn not_already_booked(db: &impl ConnectionTrait, person_id: i64, pattern: &Pattern, visits: &[chrono::NaiveDateTime]) -> AppResult<()> {
    let (Some(first), Some(last)) = (visits.first(), visits.last()) else { return Ok(()) };
    let (from, until) = (uk_time::to_utc(*first), uk_time::to_utc(*last) + Duration::minutes(i64::from(pattern.minutes)));
    let after_these = last.date() + Duration::days(1);
    for booked in booked_times(db, person_id, from, (!pattern.weekly).then_some(until)).await? {
        match booked.weekdays.as_deref() {
            None => {
                let day = uk_time::to_local(booked.start).date();
                let later = pattern.visits_between(after_these.max(day - Duration::days(1)), day + Duration::days(2));
                if visits.iter().chain(&later).any(|&new| overlaps((new, pattern.minutes), (booked.start, booked.minutes))) {
                    return Err(already_booked(&booked.reference, booked.start));
                }
            }
            Some(days) if booked.status.is_live() => {
                let theirs = Pattern::as_booked(booked.start, booked.minutes, Some(days)).after(booked.last_visit);
                // Once both have begun, both repeat every week: 8 days show any clash (a visit may
                // run past midnight). A one-off booking needs only its own days.
                let both_begun = theirs.first_day.max(first.date());
                let until_day = if pattern.weekly { both_begun + Duration::days(8) } else { last.date() + Duration::days(2) };
                let ours = pattern.visits_between(both_begun - Duration::days(1), until_day + Duration::days(1));
                for their in theirs.visits_between(first.date() - Duration::days(1), until_day) {
                    let their = (uk_time::to_utc(their), booked.minutes);
                    if ours.iter().any(|&new| overlaps((new, pattern.minutes), their)) {
                        return Err(already_booked(&booked.reference, their.0));
                    }
                }
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Care a person already has, as the clash check reads it: a visit, or a weekly booking (its
/// weekdays, and its last visit scheduled so far: the ones after are not rows yet).
#[derive(Debug, FromQueryResult)]
struct BookedTime {
    reference: String,
    status: BookingStatus,
    start: DateTime<Utc>,
    minutes: i32,
    weekdays: Option<String>,
    last_visit: Option<DateTime<Utc>>,
}

/// In one query however many bookings the person has: their visits of bookings still going
/// that start before `until` (if given; and at most a day before `from`: no visit is longer)
/// and end after `from` (usually none at all), and their weekly bookings, picked by person
/// and schedule only (bookings' statistics say few are live, as most are long done, so asking
/// for the live ones invites PostgreSQL to walk every live booking instead).
async fn booked_times(db: &impl ConnectionTrait, person_id: i64, from: DateTime<Utc>, until: Option<DateTime<Utc>>) -> AppResult<Vec<BookedTime>> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query, UnionType};
    let mut booked = Query::select();
    booked
        .column((booking::Entity, booking::Column::Reference))
        .column((booking::Entity, booking::Column::Status))
        .expr_as(Expr::col((visit::Entity, visit::Column::ScheduledStart)), "start")
        .expr_as(Expr::col((visit::Entity, visit::Column::ScheduledMinutes)), "minutes")
        .expr_as(Expr::cust("NULL"), "weekdays")
        .expr_as(Expr::cust("NULL"), "last_visit")
        .from(visit::Entity)
        .inner_join(booking::Entity, Expr::col((booking::Entity, booking::Column::Id)).equals((visit::Entity, visit::Column::BookingId)))
        .and_where(visit::Column::PersonId.eq(person_id))
        .and_where(visit::Column::ScheduledStart.gt(from - Duration::minutes(i64::from(LONGEST_VISIT))))
        .and_where(ends_after(db.get_database_backend(), from))
        .and_where(visit::Column::Status.is_in(VisitStatus::AHEAD))
        .and_where(booking::Column::Status.is_in(BookingStatus::LIVE));
    if let Some(until) = until {
        booked.and_where(visit::Column::ScheduledStart.lt(until));
    }
    let mut weekly = Query::select();
    weekly
        .column(booking::Column::Reference)
        .column(booking::Column::Status)
        .expr_as(Expr::col(booking::Column::StartsAt), "start")
        .expr_as(Expr::col(booking::Column::DurationMinutes), "minutes")
        .column(booking::Column::Weekdays)
        .expr_as(Expr::cust("(SELECT MAX(visits.scheduled_start) FROM visits WHERE visits.booking_id = bookings.id)"), "last_visit")
        .from(booking::Entity)
        .and_where(booking::Column::PersonId.eq(person_id))
        .and_where(booking::Column::Schedule.eq("weekly"));
    booked.union(UnionType::All, weekly);
    Ok(BookedTime::find_by_statement(db.get_database_backend().build(&booked)).all(db).await?)
}

/// Whether a new visit (UK start, minutes) overlaps a booked one (start, minutes); visits that
/// only touch do not.
fn overlaps((new, minutes): (chrono::NaiveDateTime, u32), (start, booked_minutes): (DateTime<Utc>, i32)) -> bool {
    let new = uk_time::to_utc(new);
    start < new + Duration::minutes(i64::from(minutes)) && new < start + Duration::minutes(i64::from(booked_minutes))
}

fn already_booked(reference: &str, start: DateTime<Utc>) -> AppError {
    let local = uk_time::to_local(start);
    AppError::invalid(
        "time",
        format!("There is already care booked at {} on {} (booking {reference}): choose another time", local.format("%H:%M"), long_date(local.date())),
    )
}

/// "The visit ends after `moment`", in each database's own date arithmetic.
fn ends_after(backend: DbBackend, moment: DateTime<Utc>) -> sea_orm::sea_query::SimpleExpr {
    let sql = match backend {
        DbBackend::Postgres => "visits.scheduled_start + make_interval(mins => visits.scheduled_minutes) > $1",
        _ => "unixepoch(visits.scheduled_start) + 60 * visits.scheduled_minutes > unixepoch(?)",
    };
    sea_orm::sea_query::Expr::cust_with_values(sql, [moment])
}
