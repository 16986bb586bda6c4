//! What happens to a booking after it is made: the provider accepts or declines it within its
//! response window (or it lapses); either side may cancel. Whenever visits will not happen
//! the money set aside for them goes back into the budget, except a late cancellation by the
//! person, charged only as the service's published policy says. A request for "best value on
//! the framework" that is declined, lapses or is cancelled by the provider is offered on to
//! the next-ranked provider on its lot. The person (and the planner who booked) are told.
use super::bookings::{self, Pattern, visit_cost};
use super::delegations::{Right, may_act};
use super::ledger::{self, Account, Transfer};
use super::notifications::News;
use super::{audit, lots, notifications, placements, uk_time};
use crate::db::Db;
use crate::db::WriteTransaction;
use crate::entities::{accreditation, booking, budget, listing, mail_outbox, provider, visit};
use crate::error::{AppError, AppResult};
use app::{AccreditationStatus, BookingStatus, CloseReason, ListingStatus, VisitStatus};
use app::{Role, SignedInUser};
use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait};

/// The booking, if it belongs to this provider's staff member.
async fn providers_booking(db: &impl ConnectionTrait, viewer: &SignedInUser, reference: &str) -> AppResult<booking::Model> {
    // Locked until commit (PostgreSQL): two changes to one booking take turns, each seeing the other's result.
    let booking = booking::Entity::find().filter(booking::Column::Reference.eq(reference)).lock_exclusive().one(db).await?.ok_or(AppError::NotFound)?;
    if viewer.role != Role::Provider || viewer.provider_id != Some(booking.provider_id) {
        return Err(AppError::Forbidden);
    }
    Ok(booking)
}

/// Carries out what provider staff asked for on a booking or one of its visits.
pub async fn act(db: &Db, viewer: &SignedInUser, reference: &str, action: &app::BookingAction, now: DateTime<Utc>) -> AppResult<()> {
    use app::BookingAction::*;
    let visit_of_booking = |visit_id: i64| async move {
        let booking = providers_booking(db, viewer, reference).await?;
        let visit = visit::Entity::find_by_id(visit_id).one(db).await?.filter(|v| v.booking_id == booking.id).ok_or(AppError::NotFound)?;
        AppResult::Ok(visit.id)
    };
    match action {
        Accept => respond(db, viewer, reference, true, "", now).await,
        Decline { reason } => respond(db, viewer, reference, false, reason, now).await,
        HandBack { reason } => cancel_by_provider(db, viewer, reference, reason, now).await,
        CheckIn { visit_id } => super::visits::check_in(db, viewer, visit_of_booking(*visit_id).await?, now).await,
        CheckOut { visit_id, note } => super::visits::check_out(db, viewer, visit_of_booking(*visit_id).await?, note, now).await.map(|_| ()),
        AnswerQuery { visit_id, minutes, explanation } => {
            super::visit_confirmation::provider_answer(db, viewer, visit_of_booking(*visit_id).await?, minutes.as_deref(), explanation, now).await
        }
        Missed { visit_id } => super::visits::mark_missed(db, viewer, visit_of_booking(*visit_id).await?, now).await,
    }
}

/// The provider accepts (`accept`) or declines a request.
pub async fn respond(db: &Db, viewer: &SignedInUser, reference: &str, accept: bool, reason: &str, now: DateTime<Utc>) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    let booking = providers_booking(&txn, viewer, reference).await?;
    if booking.status != BookingStatus::Requested {
        return Err(AppError::invalid("", format!("This booking is {}: it can no longer be accepted or declined", booking.status.label().to_lowercase())));
    }
    if booking.respond_by.is_some_and(|by| by <= now) {
        return Err(AppError::invalid("", "The time to answer this request has passed"));
    }
    let provider = provider_name(&txn, booking.provider_id).await?;
    if accept {
        let mut row: booking::ActiveModel = booking.clone().into();
        row.status = Set(BookingStatus::Confirmed);
        row.confirmed_at = Set(Some(now));
        let confirmed = row.update(&txn).await?;
        placements::record(&txn, &confirmed, now).await?;
        let message = format!("{provider} accepted booking {}. Care starts {}.", booking.reference, Pattern::of(&booking).in_words());
        let news = News::about_booking(&booking, "accepted", format!("{provider} accepted your booking"), message);
        notifications::tell_person(&txn, &booking, &news, now).await?;
        audit::record(&txn, now, Some(viewer.user_id), Some(booking.person_id), "booking_accepted", serde_json::json!({ "booking": booking.reference }))
            .await?;
    } else {
        let reason = reason.trim();
        if reason.chars().count() > 500 {
            return Err(AppError::invalid("", "The reason must be 500 characters or fewer"));
        }
        let why = if reason.is_empty() { String::new() } else { format!(" They said: \u{201c}{reason}\u{201d}") };
        let said = format!("{provider} could not take booking {}.{why}", booking.reference);
        turn_away(&txn, viewer, &booking, CloseReason::Declined, reason, &said, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// How long before a request lapses its provider's staff are reminded of it.
pub const REMINDER_HOURS: i64 = 4;

/// Reminds providers' staff of requests that lapse within `REMINDER_HOURS` (run every few
/// minutes; each request's reminder is mailed once).
pub async fn remind_before_lapse(db: &Db, now: DateTime<Utc>) -> AppResult<()> {
    let soon = booking::Entity::find()
        .filter(booking::Column::Status.eq(BookingStatus::Requested))
        .filter(booking::Column::RespondBy.gt(now))
        .filter(booking::Column::RespondBy.lte(now + chrono::Duration::hours(REMINDER_HOURS)))
        .all(db)
        .await?;
    for request in soon {
        let Some(by) = request.respond_by else { continue };
        let event = format!("booking:{}:reminder", request.id);
        // Runs every minute: a request already reminded about costs a read, not a write.
        let reminded = mail_outbox::Entity::find().filter(mail_outbox::Column::Key.starts_with(format!("{event}:"))).one(db).await?;
        if reminded.is_some() {
            continue;
        }
        let news = News {
            event,
            subject: format!("Reminder: answer request {}", request.reference),
            message: format!(
                "Request {} lapses if it is not answered by {}. Accept or decline it before then.",
                request.reference,
                crate::domain::bookings::answer_by_words(by)
            ),
            link_path: "/provider/bookings".into(),
            link_text: "Answer the request",
            kind: app::MailKind::Bookings,
        };
        let txn = crate::db::begin_write(db).await?;
        notifications::mail_provider_staff(&txn, request.provider_id, &news, now).await?;
        txn.commit().await?;
    }
    Ok(())
}

/// Requests not answered in time lapse (run every few minutes). Returns how many lapsed.
pub async fn lapse_overdue(db: &Db, now: DateTime<Utc>) -> AppResult<u64> {
    let overdue = booking::Entity::find()
        .filter(booking::Column::Status.eq(BookingStatus::Requested))
        .filter(booking::Column::RespondBy.lte(now))
        .order_by_asc(booking::Column::Id)
        .all(db)
        .await?;
    let mut lapsed = 0;
    for stale in overdue {
        // One request that cannot be lapsed must not hold up the others.
        match lapse(db, stale.id, now).await {
            Ok(true) => lapsed += 1,
            Ok(false) => {}
            Err(error) => tracing::error!(%error, booking = stale.id, "could not lapse an overdue request"),
        }
    }
    Ok(lapsed)
}

async fn lapse(db: &Db, booking_id: i64, now: DateTime<Utc>) -> AppResult<bool> {
    let txn = crate::db::begin_write(db).await?;
    // Read again inside the write transaction: the provider may have answered meanwhile.
    let Some(booking) = booking::Entity::find_by_id(booking_id).lock_exclusive().one(&txn).await?.filter(|b| b.status == BookingStatus::Requested) else {
        return Ok(false);
    };
    let provider = provider_name(&txn, booking.provider_id).await?;
    close(&txn, &booking, CloseReason::NotAnswered, None, now).await?;
    let next = offer_on(&txn, &booking, now).await?;
    let message = format!("{provider} did not answer booking {} in time. {}", booking.reference, what_next(next.as_deref()));
    let news = News::about_booking(&booking, "lapsed", format!("{provider} did not answer your request in time"), message);
    notifications::tell_person(&txn, &booking, &news, now).await?;
    audit::record(&txn, now, None, Some(booking.person_id), "booking_lapsed", serde_json::json!({ "booking": booking.reference, "offered_on": next })).await?;
    txn.commit().await?;
    Ok(true)
}

/// The person (or someone they let book for them) cancels. Visits inside the service's notice
/// period are charged at its published late-cancellation rate if the booking was confirmed.
pub async fn cancel_by_person(db: &Db, viewer: &SignedInUser, reference: &str, now: DateTime<Utc>) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    let booking = booking::Entity::find().filter(booking::Column::Reference.eq(reference)).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    let allowed = match viewer.role {
        Role::BudgetHolder => booking.person_id == viewer.user_id,
        Role::Planner => may_act(&txn, booking.person_id, viewer.user_id, Right::Book, now).await?,
        _ => false,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if !booking.status.is_live() {
        return Err(AppError::invalid("", "This booking has already ended"));
    }
    // Late charges apply only to care the provider had agreed to give, on the terms it was booked on.
    let policy = (booking.status != BookingStatus::Requested).then_some((booking.cancellation_notice_hours, booking.late_cancellation_percent));
    let charged = release_visits(&txn, &booking, policy, now).await?;
    close_row(&txn, &booking, CloseReason::CancelledByPerson, None, now).await?;
    let detail = serde_json::json!({ "booking": booking.reference, "late_charge_pence": charged });
    audit::record(&txn, now, Some(viewer.user_id), Some(booking.person_id), "booking_cancelled", detail).await?;
    txn.commit().await?;
    Ok(())
}

/// The provider hands back a confirmed package; it is offered on where it can be.
pub async fn cancel_by_provider(db: &Db, viewer: &SignedInUser, reference: &str, reason: &str, now: DateTime<Utc>) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    let booking = providers_booking(&txn, viewer, reference).await?;
    if !booking.status.is_under_way() {
        return Err(AppError::invalid("", "Only confirmed care can be handed back; answer a request by accepting or declining it"));
    }
    let reason = super::values::required_text("", reason, "why you cannot continue", 500)?;
    let provider = provider_name(&txn, booking.provider_id).await?;
    let said = format!("{provider} has cancelled booking {}: \u{201c}{reason}\u{201d}", booking.reference);
    turn_away(&txn, viewer, &booking, CloseReason::HandedBack, &reason, &said, now).await?;
    txn.commit().await?;
    Ok(())
}

/// A request declined or care handed back by its provider: the booking closes (with the
/// provider's reason, if given), goes to the next-ranked provider where it can, and the person
/// is told what happened (`said`) and what happens next.
async fn turn_away<T: ConnectionTrait + TransactionTrait + TransactionSession + Send>(
    txn: &WriteTransaction<T>,
    viewer: &SignedInUser,
    booking: &booking::Model,
    because: CloseReason,
    reason: &str,
    said: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    close(txn, booking, because, Some(reason).filter(|r| !r.is_empty()), now).await?;
    let next = offer_on(txn, booking, now).await?;
    let (event, what, subject) = match because {
        CloseReason::HandedBack => ("booking_handed_back", "handed_back", "Your provider has cancelled a booking"),
        _ => ("booking_declined", "declined", "Your provider could not take a booking"),
    };
    let news = News::about_booking(booking, what, subject.to_string(), format!("{said} {}", what_next(next.as_deref())));
    notifications::tell_person(txn, booking, &news, now).await?;
    let detail = serde_json::json!({ "booking": booking.reference, "reason": reason, "offered_on": next });
    audit::record(txn, now, Some(viewer.user_id), Some(booking.person_id), event, detail).await
}

fn what_next(offered_on: Option<&str>) -> String {
    match offered_on {
        Some(reference) => format!("We have asked the next provider on the council's framework instead (booking {reference})."),
        None => "The money set aside for it is back in the budget.".to_string(),
    }
}

/// The provider's name, for what people are told.
pub(super) async fn provider_name(db: &impl ConnectionTrait, provider_id: i64) -> AppResult<String> {
    Ok(provider::Entity::find_by_id(provider_id).one(db).await?.map(|p| p.name).unwrap_or_else(|| "The provider".into()))
}

/// Ends a booking because the council closed the budget paying for it (see `budget_endings`).
pub(super) async fn end_for_closed_budget(db: &impl ConnectionTrait, booking: &booking::Model, now: DateTime<Utc>) -> AppResult<()> {
    close(db, booking, CloseReason::BudgetClosed, None, now).await
}

/// Ends a booking whose visits will not happen: every visit still to come is cancelled and its
/// money released.
async fn close(db: &impl ConnectionTrait, booking: &booking::Model, because: CloseReason, note: Option<&str>, now: DateTime<Utc>) -> AppResult<()> {
    release_visits(db, booking, None, now).await?;
    close_row(db, booking, because, note, now).await
}

/// Closes the booking for `because` (which sets its status), with what was said (`note`).
async fn close_row(db: &impl ConnectionTrait, booking: &booking::Model, because: CloseReason, note: Option<&str>, now: DateTime<Utc>) -> AppResult<()> {
    let status = because.status();
    if status == BookingStatus::Cancelled {
        placements::withdraw(db, booking.id).await?;
    }
    let mut row: booking::ActiveModel = booking.clone().into();
    row.status = Set(status);
    row.closed_at = Set(Some(now));
    row.close_reason = Set(note.map(str::to_string));
    row.close_code = Set(Some(because));
    row.update(db).await?;
    Ok(())
}

/// Cancels every visit still to come and releases what was set aside for it; with a late
/// policy (notice hours, percent), visits starting inside the notice are charged that share
/// to the provider. A visit staff are at now ends now: the care given so far waits for the
/// person to confirm it, the rest is released. Returns the pence charged.
async fn release_visits(db: &impl ConnectionTrait, booking: &booking::Model, late_policy: Option<(i32, i32)>, now: DateTime<Utc>) -> AppResult<i64> {
    let Some(budget_id) = booking.budget_id else { return Ok(0) };
    let under_way =
        visit::Entity::find().filter(visit::Column::BookingId.eq(booking.id)).filter(visit::Column::Status.eq(VisitStatus::InProgress)).all(db).await?;
    for visit in under_way {
        super::visits::end_in_progress(db, booking, visit, super::visits::Ending::BookingEnded, now, now).await?;
    }
    let budget = budget::Entity::find_by_id(budget_id).one(db).await?.ok_or(AppError::NotFound)?;
    let council = budget.council_id;
    let coming = visit::Entity::find().filter(visit::Column::BookingId.eq(booking.id)).filter(visit::Column::Status.eq(VisitStatus::Scheduled)).all(db).await?;
    let mut charged = 0;
    for visit in coming {
        let cost = visit_cost(&booking.unit, booking.unit_price_pence, u32::try_from(visit.scheduled_minutes).unwrap_or(0));
        let late_share = late_policy
            // Only visits still to come, inside the notice period (never one that was due and not given).
            .filter(|(notice_hours, _)| visit.scheduled_start > now && visit.scheduled_start - now < Duration::hours(i64::from(*notice_hours)))
            .map_or(0, |(_, percent)| (cost * i64::from(percent) + 50) / 100);
        let committed = Account::budget_committed(council, budget.id);
        if late_share > 0 {
            let charge = Transfer::new(
                format!("late:visit:{}", visit.id),
                committed.clone(),
                Account::provider_payable(council, booking.provider_id),
                late_share,
                "late_cancellation",
            )
            .for_booking(booking.id)
            .for_visit(visit.id);
            ledger::transfer(db, &charge, now).await?;
            charged += late_share;
        }
        if cost > late_share {
            let release =
                Transfer::new(format!("release:visit:{}", visit.id), committed, Account::budget_available(council, budget.id), cost - late_share, "release")
                    .for_booking(booking.id)
                    .for_visit(visit.id);
            ledger::transfer(db, &release, now).await?;
        }
        let mut row: visit::ActiveModel = visit.into();
        row.status = Set(VisitStatus::Cancelled);
        row.charged_pence = Set(Some(late_share));
        row.update(db).await?;
        booking::Entity::update_many()
            .col_expr(booking::Column::CommittedPence, Expr::col(booking::Column::CommittedPence).sub(cost))
            .filter(booking::Column::Id.eq(booking.id))
            .exec(db)
            .await?;
    }
    Ok(charged)
}

/// Offers a "best value on the framework" booking that will not go ahead to the next-ranked
/// provider on its lot that has not had it yet and works at those times, with the money set
/// aside again at their price. Returns the new booking's reference, or nothing when no one is
/// left, the budget cannot cover it, or the booking was for one chosen provider.
async fn offer_on<T: ConnectionTrait + TransactionTrait + TransactionSession + Send>(
    db: &WriteTransaction<T>,
    booking: &booking::Model,
    now: DateTime<Utc>,
) -> AppResult<Option<String>> {
    let (true, Some(lot_id)) = (booking.best_value, booking.lot_id) else { return Ok(None) };
    let Some(lot) = crate::entities::lot::Entity::find_by_id(lot_id).one(db).await? else { return Ok(None) };
    // Every provider this request has been with already.
    let mut tried = vec![booking.provider_id];
    let mut earlier = booking.offered_on_from;
    while let Some(id) = earlier {
        let Some(previous) = booking::Entity::find_by_id(id).one(db).await? else { break };
        tried.push(previous.provider_id);
        earlier = previous.offered_on_from;
    }
    let (ranking, _) = lots::ranking(db, &lot).await?;
    let mut pattern = Pattern::of(booking);
    let today = uk_time::to_local(now).date();
    if pattern.first_day <= today {
        // A one-off visit whose day has come is not moved to another day nobody asked for;
        // weekly care carries on from tomorrow.
        if !pattern.weekly {
            return Ok(None);
        }
        pattern.first_day = today + Duration::days(1);
    }
    for ranked in ranking.ranked.iter().filter(|r| !tried.contains(&r.candidate.provider_id)) {
        let Some(accredited) = accreditation::Entity::find()
            .filter(accreditation::Column::LotId.eq(lot.id))
            .filter(accreditation::Column::ProviderId.eq(ranked.candidate.provider_id))
            .filter(accreditation::Column::Status.eq(AccreditationStatus::Active))
            .one(db)
            .await?
        else {
            continue;
        };
        let Some(listing) = listing::Entity::find_by_id(accredited.listing_id).one(db).await?.filter(|l| l.status == ListingStatus::Published) else {
            continue;
        };
        // Each offer in a savepoint: one that cannot be made leaves no booking, visit or money behind.
        let attempt = db.savepoint().await?;
        let offered = bookings::offer_to(&attempt, booking, &listing, &pattern, now).await;
        match offered {
            Ok(reference) => {
                attempt.commit().await?;
                return Ok(Some(reference));
            }
            Err(error) => {
                attempt.rollback().await?;
                match error {
                    // Not there then, over the cap, or no longer active: the next one may be.
                    AppError::Invalid(_) | AppError::NotFound => continue,
                    // The budget cannot pay for it at this price: stop, and say the money is back.
                    AppError::ShortOfMoney { .. } => return Ok(None),
                    error => return Err(error),
                }
            }
        }
    }
    Ok(None)
}
