//! Visits and paying for the care actually delivered. Provider staff check in and out (with a
//! short note of what was done); the time delivered is rounded to the service's billing
//! increment and never counts above what was booked; what was not delivered goes back into
//! the budget at once, and what was stays set aside until the person confirms the visit
//! (`visit_confirmation`), when it becomes the provider's. A missed visit releases all of it.
//! Weekly bookings keep 4 weeks of visits (and their money) ahead as the days pass.
use super::bookings::{HORIZON_DAYS, Pattern, schedule_visit, visit_cost};
use super::ledger::{self, Account, Transfer};
use super::notifications::News;
use super::{notifications, uk_time, visit_confirmation};
use crate::db::Db;
use crate::entities::{booking, budget, visit};
use crate::error::{AppError, AppResult};
use app::{BookingStatus, VisitStatus};
use app::{Role, SignedInUser};
use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Staff may check in this long before a visit is due.
const EARLIEST_CHECK_IN_MINUTES: i64 = 120;

/// Minutes delivered, rounded to the nearest billing increment (halves up), never above the
/// minutes booked.
pub fn delivered_minutes(actual_minutes: i64, increment: i32, booked: i32) -> i32 {
    let increment = i64::from(std::cmp::max(increment, 1));
    let rounded = (std::cmp::max(actual_minutes, 0) + increment / 2) / increment * increment;
    i32::try_from(std::cmp::min(rounded, i64::from(booked))).unwrap_or(booked)
}

/// What delivered care costs: by the hour, pro rata; otherwise the unit price if any care was
/// delivered at all.
pub fn delivered_cost(unit: &str, unit_price_pence: i64, minutes: i32) -> i64 {
    match u32::try_from(minutes) {
        Ok(0) | Err(_) => 0,
        Ok(minutes) => visit_cost(unit, unit_price_pence, minutes),
    }
}

/// The provider whose staff the viewer is, if any.
fn staff_of(viewer: &SignedInUser) -> Option<i64> {
    viewer.provider_id.filter(|_| viewer.role == Role::Provider)
}

/// The visit and its booking, if the visit is one of `provider`'s (the viewer's organisation,
/// or the provider a council uploads call monitoring for).
async fn providers_visit(db: &impl ConnectionTrait, provider: Option<i64>, visit_id: i64) -> AppResult<(visit::Model, booking::Model)> {
    // The booking, then the visit, locked until commit (PostgreSQL), in the same order as
    // every other change to a booking, so two changes to one visit take turns.
    let booking_id = visit::Entity::find_by_id(visit_id).one(db).await?.ok_or(AppError::NotFound)?.booking_id;
    let booking = booking::Entity::find_by_id(booking_id).lock_exclusive().one(db).await?.ok_or(AppError::NotFound)?;
    let visit = visit::Entity::find_by_id(visit_id).lock_exclusive().one(db).await?.ok_or(AppError::NotFound)?;
    if provider != Some(booking.provider_id) {
        return Err(AppError::Forbidden);
    }
    Ok((visit, booking))
}

pub async fn check_in(db: &Db, viewer: &SignedInUser, visit_id: i64, now: DateTime<Utc>) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    start(&txn, staff_of(viewer), visit_id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Checks in to a visit at `at`, in the caller's transaction (a call-monitoring import settles
/// a visit's check-in and check-out together).
pub(super) async fn start(txn: &impl ConnectionTrait, provider: Option<i64>, visit_id: i64, at: DateTime<Utc>) -> AppResult<()> {
    let (visit, booking) = providers_visit(txn, provider, visit_id).await?;
    if !booking.status.is_under_way() {
        return Err(AppError::invalid("", "Only confirmed bookings have visits to check in to"));
    }
    if visit.status != VisitStatus::Scheduled {
        return Err(AppError::invalid("", "This visit has already been checked in to, or has ended"));
    }
    if visit.scheduled_start - at > Duration::minutes(EARLIEST_CHECK_IN_MINUTES) {
        return Err(AppError::invalid("", "It is too early to check in to this visit: staff can check in up to 2 hours before it is due"));
    }
    let mut row: visit::ActiveModel = visit.into();
    row.status = Set(VisitStatus::InProgress);
    row.checked_in_at = Set(Some(at));
    row.update(txn).await?;
    if booking.status == BookingStatus::Confirmed {
        let mut row: booking::ActiveModel = booking.into();
        row.status = Set(BookingStatus::InProgress);
        row.update(txn).await?;
    }
    Ok(())
}

/// Ends a visit, with staff's note of what was done; its cost waits for the person to confirm
/// it. Returns the pence charged.
pub async fn check_out(db: &Db, viewer: &SignedInUser, visit_id: i64, note: &str, now: DateTime<Utc>) -> AppResult<i64> {
    let txn = crate::db::begin_write(db).await?;
    let charge = finish(&txn, staff_of(viewer), visit_id, note, now, now).await?;
    txn.commit().await?;
    Ok(charge)
}

/// Checks out of a visit at `at`, in the caller's transaction; returns the pence charged. The
/// person's time to confirm it starts `now`.
pub(super) async fn finish(
    txn: &impl ConnectionTrait,
    provider: Option<i64>,
    visit_id: i64,
    note: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let note = visit_confirmation::checked_note(note)?;
    let (visit, booking) = providers_visit(txn, provider, visit_id).await?;
    if visit.checked_in_at.is_none() || visit.status != VisitStatus::InProgress {
        return Err(AppError::invalid("", "Check in to this visit before checking out"));
    }
    let charge = end_in_progress(txn, &booking, visit, Ending::CheckedOut(note), at, now).await?;
    complete_if_done(txn, &booking, now).await?;
    Ok(charge)
}

/// Why a visit's money moves, which the person's statement says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Ending {
    /// Staff checked out (with their note of what was done), or the visit was missed.
    CheckedOut(Option<String>),
    /// The booking ended (cancelled or handed back) while staff were there.
    BookingEnded,
}

impl Ending {
    /// The ledger kind of the money given back.
    fn released(&self) -> &'static str {
        match self {
            Self::CheckedOut(_) => "release",
            Self::BookingEnded => "closing_release",
        }
    }
}

/// Ends a visit staff are checked in to, at `now`: the care delivered so far (from the later
/// of check-in and the booked start, rounded to the billing increment, never above what was
/// booked) waits for the person to confirm it, the rest is released. Returns the pence charged.
/// `ended` is when staff left (a call-monitoring file may say it was hours ago); `now` starts the
/// person's time to confirm the visit.
pub(super) async fn end_in_progress(
    db: &impl ConnectionTrait,
    booking: &booking::Model,
    visit: visit::Model,
    ending: Ending,
    ended: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let checked_in_at = visit.checked_in_at.ok_or_else(|| AppError::internal(format!("visit {} is under way with no check-in", visit.id)))?;
    // Care is paid from the later of arrival and the booked start: arriving early is not
    // care the person booked.
    let started = Ord::max(checked_in_at, visit.scheduled_start);
    let minutes = delivered_minutes((ended - started).num_minutes(), booking.billing_increment_minutes, visit.scheduled_minutes);
    let charge = delivered_cost(&booking.unit, booking.unit_price_pence, minutes);
    release_unused(db, booking, &visit, charge, &ending, now).await?;
    let mut row: visit::ActiveModel = visit.into();
    if let Ending::CheckedOut(note) = ending {
        row.note = Set(note);
    }
    row.status = Set(VisitStatus::Delivered);
    row.checked_out_at = Set(Some(ended));
    row.delivered_minutes = Set(Some(minutes));
    row.charged_pence = Set(Some(charge));
    let delivered = row.update(db).await?;
    super::reports::days::add_visit(db, booking, delivered.scheduled_start, VisitStatus::Delivered).await?;
    visit_confirmation::ask_person(db, booking, delivered, now).await?;
    Ok(charge)
}

/// The visit did not happen: nothing is charged and its money goes back into the budget.
pub async fn mark_missed(db: &Db, viewer: &SignedInUser, visit_id: i64, now: DateTime<Utc>) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    let (visit, booking) = providers_visit(&txn, staff_of(viewer), visit_id).await?;
    if !VisitStatus::AHEAD.contains(&visit.status) {
        return Err(AppError::invalid("", "This visit has already ended"));
    }
    if visit.scheduled_start > now {
        return Err(AppError::invalid("", "A visit can be marked as missed only once it was due"));
    }
    record_missed(&txn, &booking, visit, now).await?;
    txn.commit().await?;
    Ok(())
}

/// A visit that did not happen: nothing charged, its money back in the budget.
async fn record_missed(db: &impl ConnectionTrait, booking: &booking::Model, visit: visit::Model, now: DateTime<Utc>) -> AppResult<()> {
    release_unused(db, booking, &visit, 0, &Ending::CheckedOut(None), now).await?;
    let mut row: visit::ActiveModel = visit.into();
    row.status = Set(VisitStatus::Missed);
    row.delivered_minutes = Set(Some(0));
    row.charged_pence = Set(Some(0));
    let missed = row.update(db).await?;
    super::reports::days::add_visit(db, booking, missed.scheduled_start, VisitStatus::Missed).await?;
    complete_if_done(db, booking, now).await
}

/// Visits nobody checked in to by a day after they were due did not happen: each is marked
/// missed and its money goes back into the budget (nothing is charged). Returns how many.
pub async fn release_unattended(db: &Db, now: DateTime<Utc>) -> AppResult<u64> {
    let overdue = visit::Entity::find()
        .filter(visit::Column::Status.eq(VisitStatus::Scheduled))
        .filter(visit::Column::ScheduledStart.lt(now - Duration::days(1)))
        .order_by_asc(visit::Column::Id)
        .all(db)
        .await?;
    let mut released = 0;
    for stale in overdue {
        // One visit that cannot be released must not hold up the others.
        match release_one(db, &stale, now).await {
            Ok(true) => released += 1,
            Ok(false) => {}
            Err(error) => tracing::error!(%error, visit = stale.id, "could not release a visit nobody attended; going on with the others"),
        }
    }
    Ok(released)
}

async fn release_one(db: &Db, stale: &visit::Model, now: DateTime<Utc>) -> AppResult<bool> {
    let txn = crate::db::begin_write(db).await?;
    let Some(booking) = booking::Entity::find_by_id(stale.booking_id).lock_exclusive().one(&txn).await? else { return Ok(false) };
    let Some(visit) = visit::Entity::find_by_id(stale.id).lock_exclusive().one(&txn).await?.filter(|v| v.status == VisitStatus::Scheduled) else {
        return Ok(false);
    };
    record_missed(&txn, &booking, visit, now).await?;
    txn.commit().await?;
    Ok(true)
}

/// Gives back what a visit did not use: all but `charge` (which stays set aside until the
/// person confirms the visit) goes back into the budget.
async fn release_unused(
    db: &impl ConnectionTrait,
    booking: &booking::Model,
    visit: &visit::Model,
    charge: i64,
    ending: &Ending,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(budget_id) = booking.budget_id else { return Ok(()) };
    let budget = budget::Entity::find_by_id(budget_id).one(db).await?.ok_or(AppError::NotFound)?;
    let council = budget.council_id;
    let set_aside = visit_cost(&booking.unit, booking.unit_price_pence, u32::try_from(visit.scheduled_minutes).unwrap_or(0));
    let unused = set_aside - charge;
    if unused > 0 {
        let release = Transfer::new(
            format!("release:visit:{}", visit.id),
            Account::budget_committed(council, budget.id),
            Account::budget_available(council, budget.id),
            unused,
            ending.released(),
        )
        .for_booking(booking.id)
        .for_visit(visit.id);
        ledger::transfer(db, &release, now).await?;
        booking::Entity::update_many()
            .col_expr(booking::Column::CommittedPence, Expr::col(booking::Column::CommittedPence).sub(unused))
            .filter(booking::Column::Id.eq(booking.id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// A one-off booking is complete once its visit has ended.
async fn complete_if_done(db: &impl ConnectionTrait, booking: &booking::Model, now: DateTime<Utc>) -> AppResult<()> {
    if booking.schedule != "one_off" {
        return Ok(());
    }
    let open = visit::Entity::find().filter(visit::Column::BookingId.eq(booking.id)).filter(visit::Column::Status.is_in(VisitStatus::AHEAD)).one(db).await?;
    if open.is_none() {
        booking::Entity::update_many()
            .col_expr(booking::Column::Status, Expr::value(BookingStatus::Completed))
            .col_expr(booking::Column::ClosedAt, Expr::value(now))
            .filter(booking::Column::Id.eq(booking.id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Keeps 4 weeks of visits ahead for every live weekly booking, setting their money aside.
/// When the budget cannot cover the next visit, no more are added and the person is told
/// (once). Returns how many visits were added.
pub async fn extend_horizons(db: &Db, now: DateTime<Utc>) -> AppResult<u64> {
    let weekly: Vec<i64> = booking::Entity::find()
        .filter(booking::Column::Schedule.eq("weekly"))
        .filter(booking::Column::Status.is_in(BookingStatus::LIVE))
        .order_by_asc(booking::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    let horizon_end = uk_time::to_local(now).date() + Duration::days(HORIZON_DAYS);
    let mut added = 0;
    for booking_id in weekly {
        match extend_one(db, booking_id, horizon_end, now).await {
            Ok(visits) => added += visits,
            // Another booking took the money at the same instant: the next run looks again.
            Err(AppError::ShortOfMoney { .. }) => {}
            // One booking that cannot be extended must not hold up the others.
            Err(error) => tracing::error!(%error, booking = booking_id, "could not extend a weekly booking; going on with the others"),
        }
    }
    Ok(added)
}

async fn extend_one(db: &Db, booking_id: i64, horizon_end: chrono::NaiveDate, now: DateTime<Utc>) -> AppResult<u64> {
    // Most runs find nothing new inside the horizon: look before taking the write lock.
    let last = visit::Entity::find().filter(visit::Column::BookingId.eq(booking_id)).order_by_desc(visit::Column::ScheduledStart).one(db).await?;
    if last.is_some_and(|last| uk_time::to_local(last.scheduled_start).date() + Duration::days(1) >= horizon_end) {
        return Ok(0);
    }
    let txn = crate::db::begin_write(db).await?;
    let Some(booking) = booking::Entity::find_by_id(booking_id).lock_exclusive().one(&txn).await?.filter(|b| b.status.is_live()) else {
        return Ok(0);
    };
    let Some(budget_id) = booking.budget_id else { return Ok(0) };
    let (budget, accounts) = ledger::budget_with_accounts(&txn, budget::Entity::find_by_id(budget_id), false).await?.ok_or(AppError::NotFound)?;
    let pattern = Pattern::still_to_schedule(&txn, &booking).await?;
    let cost = visit_cost(&booking.unit, booking.unit_price_pence, pattern.minutes);
    let mut added = 0;
    // Nothing is set aside for care after the budget's end date.
    for start in pattern.visits_before(budget.care_until(horizon_end)) {
        if ledger::balance(&txn, &accounts.available).await? < cost {
            tell_short_once(&txn, &booking, start, now).await?;
            break;
        }
        schedule_visit(&txn, (booking.id, booking.person_id), &accounts, (start, pattern.minutes), cost, None, now).await?;
        added += 1;
    }
    booking::Entity::update_many()
        .col_expr(booking::Column::CommittedPence, Expr::col(booking::Column::CommittedPence).add(cost * added as i64))
        .filter(booking::Column::Id.eq(booking.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(added)
}

async fn tell_short_once(db: &impl ConnectionTrait, booking: &booking::Model, start: chrono::NaiveDateTime, now: DateTime<Utc>) -> AppResult<()> {
    let message = format!(
        "There is not enough money in the budget for the visits of booking {} from {}. Nothing more is set aside until there is: the council or your planner can help.",
        booking.reference,
        uk_time::long_date(start.date())
    );
    let already = notifications::latest(db, booking.person_id, 20).await?.iter().any(|n| n.message == message);
    if !already {
        let news = News::about_booking(booking, &format!("short_of_money:{}", start.date()), "Not enough money in the budget for your care".into(), message)
            .of_kind(app::MailKind::Money);
        notifications::tell_person(db, booking, &news, now).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivered_time_rounds_to_the_increment_and_never_exceeds_the_booking() {
        assert_eq!(delivered_minutes(52, 15, 60), 45);
        assert_eq!(delivered_minutes(53, 15, 60), 60); // 52.5 and up rounds to 60
        assert_eq!(delivered_minutes(75, 15, 60), 60, "never more than booked");
        assert_eq!(delivered_minutes(7, 15, 60), 0);
        assert_eq!(delivered_minutes(8, 15, 60), 15);
        assert_eq!(delivered_minutes(-3, 15, 60), 0);
        assert_eq!(delivered_minutes(44, 1, 60), 44);
        assert_eq!(delivered_minutes(31, 30, 45), 30);
    }

    #[test]
    fn only_delivered_care_is_charged() {
        assert_eq!(delivered_cost("hour", 2_400, 45), 1_800);
        assert_eq!(delivered_cost("hour", 2_400, 0), 0);
        assert_eq!(delivered_cost("visit", 3_500, 15), 3_500);
        assert_eq!(delivered_cost("visit", 3_500, 0), 0);
    }
}
