//! The person confirms the care they received. When staff check out, the visit's cost stays
//! set aside from the person's budget (the rest goes back at once), not yet owed to the
//! provider. The person, or someone they let book for them, confirms it or says something was
//! wrong, on the booking's page or through an emailed link that needs no sign-in; with no
//! answer in 48 hours it is confirmed automatically. Confirming makes the cost owed (so a
//! payment run pays only confirmed visits). A query holds the money: the provider answers it
//! by correcting the minutes (the difference goes back into the budget) or by explaining; if
//! the person still disagrees, the council whose budget paid decides. Someone paying for
//! themself has the provider's answer as the last word (they may raise a concern).
use super::booking_changes::provider_name;
use super::delegations::{Right, may_act};
use super::ledger::{self, Account, Transfer};
use super::notifications::{self, News};
use super::uk_time::{self, long_date};
use super::values::written;
use super::visits::delivered_cost;
use super::{audit, auth};
use crate::db::Db;
use crate::entities::{booking, budget, listing, provider, user, visit};
use crate::error::{AppError, AppResult};
use app::{Funding, MailKind, Role, SignedInUser, VisitConfirmation};
use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// How long the person has to confirm or query a visit (and to answer the provider's answer)
/// before it is confirmed automatically.
pub const CONFIRM_HOURS: i64 = 48;
/// The most characters a note, query, answer or decision may have.
const MOST_CHARACTERS: usize = 500;

/// What the person says about a delivered visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Confirm,
    /// Something was wrong, in their words.
    Query(String),
}

impl Verdict {
    /// The form's answer (`confirm` or `query`) with what was wrong.
    pub fn from_form(answer: &str, what_was_wrong: &str) -> AppResult<Self> {
        match answer {
            "confirm" => Ok(Self::Confirm),
            "query" => Ok(Self::Query(checked_text("what_was_wrong", what_was_wrong, "Say what was wrong with the visit")?)),
            _ => Err(AppError::invalid("answer", "Choose whether the visit was right")),
        }
    }
}

fn checked_text(field: &str, text: &str, when_empty: &str) -> AppResult<String> {
    written(field, text, MOST_CHARACTERS, Some(when_empty))
}

/// A care worker's note at check-out: optional, at most `MOST_CHARACTERS`.
pub fn checked_note(note: &str) -> AppResult<Option<String>> {
    Ok(Some(written("note", note, MOST_CHARACTERS, None)?).filter(|note| !note.is_empty()))
}

/// Right after check-out (in its transaction): a visit that cost something waits for the
/// person, who is told, with a link only they are mailed; one that cost nothing is confirmed.
pub(super) async fn ask_person(db: &impl ConnectionTrait, booking: &booking::Model, visit: visit::Model, now: DateTime<Utc>) -> AppResult<()> {
    let charge = visit.charged_pence.unwrap_or(0);
    let mut row: visit::ActiveModel = visit.clone().into();
    if charge == 0 {
        row.confirmation = Set(Some(VisitConfirmation::Confirmed));
        row.confirmed_at = Set(Some(now));
        row.update(db).await?;
        return Ok(());
    }
    let token = auth::random_token()?;
    let by = now + Duration::hours(CONFIRM_HOURS);
    row.confirmation = Set(Some(VisitConfirmation::Awaiting));
    row.confirm_by = Set(Some(by));
    row.confirm_token_hash = Set(Some(auth::digest(&token)));
    row.update(db).await?;
    let provider = provider_name(db, booking.provider_id).await?;
    let message = format!(
        "{provider} recorded a visit on {} for booking {}: {} minutes, {}. Confirm it, or tell us if something was wrong, by {}. If you do not answer, it is confirmed then and {provider} is paid.",
        visit_words(&visit),
        booking.reference,
        visit.delivered_minutes.unwrap_or(0),
        app::format_pence(charge),
        super::bookings::answer_by_words(by)
    );
    let subject = format!("Please confirm your visit from {provider}");
    // The person gets the link that confirms without signing in; whoever booked for them,
    // the booking's page.
    let news = News::about_booking(booking, &format!("visit:{}:delivered", visit.id), subject, message).of_kind(MailKind::Visits);
    let by_link = News { link_path: format!("/visits/confirm?token={token}"), link_text: "Confirm the visit or tell us what was wrong", ..news };
    notifications::tell(db, booking.person_id, Some(booking.id), &by_link, now).await?;
    let for_placer =
        News::about_booking(booking, &format!("visit:{}:delivered", visit.id), by_link.subject.clone(), by_link.message.clone()).of_kind(MailKind::Visits);
    tell_placer(db, booking, &for_placer, now).await
}

/// The planner who booked, while the person still lets them see their care.
async fn tell_placer(db: &impl ConnectionTrait, booking: &booking::Model, news: &News, now: DateTime<Utc>) -> AppResult<()> {
    if booking.placed_by != booking.person_id && may_act(db, booking.person_id, booking.placed_by, Right::View, now).await? {
        notifications::tell(db, booking.placed_by, Some(booking.id), news, now).await?;
    }
    Ok(())
}

/// The visit and its booking, locked in the same order as every other change to a booking.
async fn locked(db: &impl ConnectionTrait, visit_id: i64) -> AppResult<(visit::Model, booking::Model)> {
    let booking_id = visit::Entity::find_by_id(visit_id).one(db).await?.ok_or(AppError::NotFound)?.booking_id;
    let booking = booking::Entity::find_by_id(booking_id).lock_exclusive().one(db).await?.ok_or(AppError::NotFound)?;
    let visit = visit::Entity::find_by_id(visit_id).lock_exclusive().one(db).await?.ok_or(AppError::NotFound)?;
    Ok((visit, booking))
}

/// Whether this viewer answers for the person: the person, or someone they let book for them.
pub(super) async fn answers_for_person(db: &impl ConnectionTrait, viewer: &SignedInUser, booking: &booking::Model, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(match viewer.role {
        Role::BudgetHolder if viewer.user_id == booking.person_id => true,
        Role::BudgetHolder | Role::Planner => may_act(db, booking.person_id, viewer.user_id, Right::Book, now).await?,
        Role::Provider | Role::Commissioner => false,
    })
}

/// The person (or a helper with the booking right) confirms a visit or says what was wrong:
/// first (while it waits for them), or after the provider answered their query.
pub async fn answer(db: &Db, viewer: &SignedInUser, visit_id: i64, verdict: Verdict, now: DateTime<Utc>) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    let (visit, booking) = locked(&txn, visit_id).await?;
    if !answers_for_person(&txn, viewer, &booking, now).await? {
        return Err(AppError::Forbidden);
    }
    hear(&txn, &booking, visit, verdict, viewer.user_id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The visit a link's token is for, while it may still be answered (nothing else: the token
/// does this one thing, once, until the visit is confirmed).
async fn by_token(db: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> AppResult<visit::Model> {
    visit::Entity::find()
        .filter(visit::Column::ConfirmTokenHash.eq(auth::digest(token.trim())))
        .filter(visit::Column::Confirmation.eq(VisitConfirmation::Awaiting))
        .filter(visit::Column::ConfirmBy.gt(now))
        .one(db)
        .await?
        .ok_or_else(|| AppError::invalid("token", "This link has been used already or has run out. Sign in to see the visit on your booking's page"))
}

/// What the emailed link's page shows.
pub async fn to_confirm(db: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> AppResult<app::VisitToConfirm> {
    let visit = by_token(db, token, now).await?;
    let booking = booking::Entity::find_by_id(visit.booking_id).one(db).await?.ok_or(AppError::NotFound)?;
    let listing = listing::Entity::find_by_id(booking.listing_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(app::VisitToConfirm {
        provider: provider_name(db, booking.provider_id).await?,
        service: listing.title,
        when: visit_words(&visit),
        minutes: visit.delivered_minutes.unwrap_or(0),
        cost_pence: visit.charged_pence.unwrap_or(0),
        answer_by: visit.confirm_by.map(super::bookings::answer_by_words).unwrap_or_default(),
        note: visit.note,
    })
}

/// The answer sent from the emailed link's page.
pub async fn answer_by_link(db: &Db, token: &str, verdict: Verdict, now: DateTime<Utc>) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    let found = by_token(&txn, token, now).await?;
    let (visit, booking) = locked(&txn, found.id).await?;
    // Read again under the lock: a second press of the button finds the token spent.
    if visit.confirm_token_hash != found.confirm_token_hash || visit.confirmation != Some(VisitConfirmation::Awaiting) {
        return Err(AppError::invalid("token", "This link has been used already"));
    }
    hear(&txn, &booking, visit, verdict, booking.person_id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// What the person said, in the state the visit is in.
async fn hear(db: &impl ConnectionTrait, booking: &booking::Model, visit: visit::Model, verdict: Verdict, actor: i64, now: DateTime<Utc>) -> AppResult<()> {
    let state = visit.confirmation;
    let council_funded = paid_by_council(db, booking).await?;
    let provider = provider_name(db, booking.provider_id).await?;
    match (state, verdict) {
        (Some(VisitConfirmation::Awaiting | VisitConfirmation::Answered), Verdict::Confirm) => {
            audit::record(db, now, Some(actor), Some(booking.person_id), "visit_confirmed", serde_json::json!({ "visit": visit.id })).await?;
            confirm(db, booking, visit, now).await
        }
        (Some(VisitConfirmation::Awaiting), Verdict::Query(what)) => {
            let mut row: visit::ActiveModel = visit.clone().into();
            row.confirmation = Set(Some(VisitConfirmation::Queried));
            row.confirm_by = Set(None);
            row.confirm_token_hash = Set(None);
            row.query_text = Set(Some(what.clone()));
            row.update(db).await?;
            audit::record(db, now, Some(actor), Some(booking.person_id), "visit_queried", serde_json::json!({ "visit": visit.id })).await?;
            let news = News {
                event: format!("visit:{}:queried", visit.id),
                subject: format!("A visit for booking {} was queried", booking.reference),
                message: format!(
                    "The person says something was wrong with the visit on {}: \u{201c}{what}\u{201d} It is not paid until you answer: correct the minutes or explain.",
                    visit_words(&visit)
                ),
                link_path: "/provider/bookings#queries".into(),
                link_text: "Answer the query",
                kind: app::MailKind::Visits,
            };
            notifications::mail_provider_staff(db, booking.provider_id, &news, now).await?;
            let told =
                format!("We have told {provider} what was wrong with the visit on {}. Nothing is paid for it until this is settled.", visit_words(&visit));
            let news =
                News::about_booking(booking, &format!("visit:{}:query_sent", visit.id), "Your query has been sent".into(), told).of_kind(MailKind::Visits);
            notifications::tell_person(db, booking, &news, now).await
        }
        (Some(VisitConfirmation::Answered), Verdict::Query(what)) if council_funded => {
            let mut row: visit::ActiveModel = visit.clone().into();
            row.confirmation = Set(Some(VisitConfirmation::WithCouncil));
            row.confirm_by = Set(None);
            row.query_text = Set(Some(format!("{}\n\nAfter {provider}'s answer: {what}", visit.query_text.clone().unwrap_or_default())));
            row.update(db).await?;
            audit::record(db, now, Some(actor), Some(booking.person_id), "visit_query_to_council", serde_json::json!({ "visit": visit.id })).await?;
            let message = format!("The council will look at the visit on {} and decide what is paid. We will tell you its decision.", visit_words(&visit));
            let news = News::about_booking(booking, &format!("visit:{}:with_council", visit.id), "Your query has gone to the council".into(), message)
                .of_kind(MailKind::Visits);
            notifications::tell_person(db, booking, &news, now).await
        }
        _ => Err(AppError::invalid("answer", "This visit is not waiting for your answer")),
    }
}

/// The provider answers a query: fewer minutes (the difference goes back into the budget), or
/// an explanation; both say why. Someone paying for themself has this as the last word.
pub async fn provider_answer(db: &Db, viewer: &SignedInUser, visit_id: i64, minutes: Option<&str>, explanation: &str, now: DateTime<Utc>) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    let (visit, booking) = locked(&txn, visit_id).await?;
    if viewer.role != Role::Provider || viewer.provider_id != Some(booking.provider_id) {
        return Err(AppError::Forbidden);
    }
    if visit.confirmation != Some(VisitConfirmation::Queried) {
        return Err(AppError::invalid("", "This visit has no query waiting for your answer"));
    }
    let explanation = checked_text("explanation", explanation, "Say what happened, or why the minutes are corrected")?;
    let minutes = corrected_minutes(&visit, minutes)?;
    let visit = correct(&txn, &booking, visit, minutes, "provider", now).await?;
    let council_funded = paid_by_council(&txn, &booking).await?;
    let provider = provider_name(&txn, booking.provider_id).await?;
    let mut row: visit::ActiveModel = visit.clone().into();
    row.answer_text = Set(Some(explanation.clone()));
    let said = format!(
        "{provider} answered your query about the visit on {}: \u{201c}{explanation}\u{201d} The visit is now {} minutes, {}.",
        visit_words(&visit),
        visit.delivered_minutes.unwrap_or(0),
        app::format_pence(visit.charged_pence.unwrap_or(0))
    );
    let next = if council_funded {
        let by = now + Duration::hours(CONFIRM_HOURS);
        row.confirmation = Set(Some(VisitConfirmation::Answered));
        row.confirm_by = Set(Some(by));
        row.update(&txn).await?;
        format!(
            " Accept the answer, or ask the council to decide, by {}. If you do not answer, the answer is accepted then.",
            super::bookings::answer_by_words(by)
        )
    } else {
        row.update(&txn).await?;
        confirm(&txn, &booking, visit.clone(), now).await?;
        " If you are still unhappy, you can raise a concern with the council.".to_string()
    };
    audit::record(
        &txn,
        now,
        Some(viewer.user_id),
        Some(booking.person_id),
        "visit_query_answered",
        serde_json::json!({ "visit": visit.id, "minutes": minutes }),
    )
    .await?;
    let news = News::about_booking(&booking, &format!("visit:{}:answered", visit.id), format!("{provider} answered your query"), format!("{said}{next}"))
        .of_kind(MailKind::Visits);
    notifications::tell_person(&txn, &booking, &news, now).await?;
    txn.commit().await?;
    Ok(())
}

/// A commissioner of the council whose budget paid decides a query: the minutes to pay for
/// (no more than recorded) and why. The visit is then confirmed at that.
pub async fn council_decide(db: &Db, viewer: &SignedInUser, visit_id: i64, minutes: &str, reason: &str, now: DateTime<Utc>) -> AppResult<()> {
    let council = auth::commissioners_council(viewer)?;
    let txn = crate::db::begin_write(db).await?;
    let (visit, booking) = locked(&txn, visit_id).await?;
    if councils_budget(&txn, &booking).await? != Some(council) {
        return Err(AppError::Forbidden);
    }
    if visit.confirmation != Some(VisitConfirmation::WithCouncil) {
        return Err(AppError::invalid("", "This visit is not waiting for the council's decision"));
    }
    let reason = checked_text("reason", reason, "Say why you decided this")?;
    let minutes = corrected_minutes(&visit, Some(minutes))?.ok_or_else(|| AppError::invalid("minutes", "Enter the minutes to pay for"))?;
    let mut visit = correct(&txn, &booking, visit, Some(minutes), "council", now).await?;
    visit.decision_text = Some(reason.clone());
    let mut row: visit::ActiveModel = visit.clone().into();
    row.decision_text = Set(Some(reason.clone()));
    row.update(&txn).await?;
    confirm(&txn, &booking, visit.clone(), now).await?;
    audit::record(
        &txn,
        now,
        Some(viewer.user_id),
        Some(booking.person_id),
        "visit_query_decided",
        serde_json::json!({ "visit": visit.id, "minutes": minutes }),
    )
    .await?;
    let decided = format!(
        "The council decided the query about the visit on {} for booking {}: {} minutes are paid, {}. It said: \u{201c}{reason}\u{201d}",
        visit_words(&visit),
        booking.reference,
        minutes,
        app::format_pence(visit.charged_pence.unwrap_or(0))
    );
    let news = News::about_booking(&booking, &format!("visit:{}:decided", visit.id), "The council has decided your query".into(), decided.clone())
        .of_kind(MailKind::Visits);
    notifications::tell_person(&txn, &booking, &news, now).await?;
    let for_provider = News { link_path: "/provider/bookings".into(), link_text: "See your bookings", ..news };
    notifications::mail_provider_staff(&txn, booking.provider_id, &for_provider, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The minutes a provider or the council set: none (unchanged), or a whole number no more
/// than recorded.
fn corrected_minutes(visit: &visit::Model, minutes: Option<&str>) -> AppResult<Option<i32>> {
    let recorded = visit.delivered_minutes.unwrap_or(0);
    let Some(typed) = minutes.map(str::trim).filter(|typed| !typed.is_empty()) else { return Ok(None) };
    match typed.parse::<i32>() {
        Ok(minutes) if (0..=recorded).contains(&minutes) => Ok(Some(minutes)),
        _ => Err(AppError::invalid("minutes", format!("Enter the minutes of care given, a whole number from 0 to {recorded}"))),
    }
}

/// Sets the visit to `minutes` (fewer than recorded), giving the difference in cost back to
/// the budget. Returns the visit as it now is.
async fn correct(
    db: &impl ConnectionTrait,
    booking: &booking::Model,
    visit: visit::Model,
    minutes: Option<i32>,
    by: &str,
    now: DateTime<Utc>,
) -> AppResult<visit::Model> {
    let Some(minutes) = minutes.filter(|minutes| Some(*minutes) != visit.delivered_minutes) else { return Ok(visit) };
    let was = visit.charged_pence.unwrap_or(0);
    let charge = delivered_cost(&booking.unit, booking.unit_price_pence, minutes);
    if was > charge
        && let Some((council, budget_id)) = budget_of(db, booking).await?
    {
        let back = Transfer::new(
            format!("correct:visit:{}:{by}", visit.id),
            Account::budget_committed(council, budget_id),
            Account::budget_available(council, budget_id),
            was - charge,
            "correction",
        )
        .for_booking(booking.id)
        .for_visit(visit.id);
        ledger::transfer(db, &back, now).await?;
        set_aside_less(db, booking, was - charge).await?;
    }
    let mut row: visit::ActiveModel = visit.into();
    row.delivered_minutes = Set(Some(minutes));
    row.charged_pence = Set(Some(charge));
    Ok(row.update(db).await?)
}

/// The visit's cost becomes the provider's: owed, for the next payment run.
async fn confirm(db: &impl ConnectionTrait, booking: &booking::Model, visit: visit::Model, now: DateTime<Utc>) -> AppResult<()> {
    let charge = visit.charged_pence.unwrap_or(0);
    if charge > 0
        && let Some((council, budget_id)) = budget_of(db, booking).await?
    {
        let pay = Transfer::new(
            format!("settle:visit:{}", visit.id),
            Account::budget_committed(council, budget_id),
            Account::provider_payable(council, booking.provider_id),
            charge,
            "settlement",
        )
        .for_booking(booking.id)
        .for_visit(visit.id);
        ledger::transfer(db, &pay, now).await?;
        set_aside_less(db, booking, charge).await?;
    }
    let mut row: visit::ActiveModel = visit.into();
    row.confirmation = Set(Some(VisitConfirmation::Confirmed));
    row.confirmed_at = Set(Some(now));
    row.confirm_by = Set(None);
    row.confirm_token_hash = Set(None);
    row.update(db).await?;
    Ok(())
}

async fn set_aside_less(db: &impl ConnectionTrait, booking: &booking::Model, pence: i64) -> AppResult<()> {
    booking::Entity::update_many()
        .col_expr(booking::Column::CommittedPence, Expr::col(booking::Column::CommittedPence).sub(pence))
        .filter(booking::Column::Id.eq(booking.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Visits nobody answered for in time are confirmed (run every minute). Returns how many.
pub async fn confirm_unanswered(db: &Db, now: DateTime<Utc>) -> AppResult<u64> {
    let due = visit::Entity::find()
        .filter(visit::Column::Confirmation.is_in([VisitConfirmation::Awaiting, VisitConfirmation::Answered]))
        .filter(visit::Column::ConfirmBy.lte(now))
        .order_by_asc(visit::Column::Id)
        .all(db)
        .await?;
    let mut confirmed = 0;
    for stale in due {
        let txn = crate::db::begin_write(db).await?;
        let (visit, booking) = locked(&txn, stale.id).await?;
        // Answered meanwhile: nothing to do.
        if visit.confirmation != stale.confirmation || visit.confirm_by.is_none_or(|by| by > now) {
            continue;
        }
        audit::record(&txn, now, None, Some(booking.person_id), "visit_confirmed_automatically", serde_json::json!({ "visit": visit.id })).await?;
        confirm(&txn, &booking, visit, now).await?;
        txn.commit().await?;
        confirmed += 1;
    }
    Ok(confirmed)
}

/// Delivered visits of a booking, newest first, for its page.
pub async fn delivered(db: &impl ConnectionTrait, viewer: &SignedInUser, booking: &booking::Model, now: DateTime<Utc>) -> AppResult<Vec<app::DeliveredVisit>> {
    let may_answer = answers_for_person(db, viewer, booking, now).await?;
    let visits = visit::Entity::find()
        .filter(visit::Column::BookingId.eq(booking.id))
        .filter(visit::Column::Confirmation.is_not_null())
        .order_by_desc(visit::Column::ScheduledStart)
        .limit(20)
        .all(db)
        .await?;
    Ok(visits
        .into_iter()
        .filter_map(|visit| {
            let confirmation = visit.confirmation?;
            let waiting = matches!(confirmation, VisitConfirmation::Awaiting | VisitConfirmation::Answered);
            Some(app::DeliveredVisit {
                id: visit.id,
                when: visit_words(&visit),
                minutes: visit.delivered_minutes.unwrap_or(0),
                cost_pence: visit.charged_pence.unwrap_or(0),
                confirmation,
                answer_by: visit.confirm_by.filter(|_| waiting).map(super::bookings::answer_by_words),
                can_answer: may_answer && waiting,
                note: visit.note,
                query: visit.query_text,
                answer: visit.answer_text,
                decision: visit.decision_text,
            })
        })
        .collect())
}

/// Delivered visits waiting for the person's answer, by booking.
pub async fn waiting_by_booking(db: &impl ConnectionTrait, booking_ids: &[i64]) -> AppResult<std::collections::HashMap<i64, u32>> {
    let waiting: Vec<i64> = visit::Entity::find()
        .select_only()
        .column(visit::Column::BookingId)
        .filter(visit::Column::BookingId.is_in(booking_ids.to_vec()))
        .filter(visit::Column::Confirmation.is_in([VisitConfirmation::Awaiting, VisitConfirmation::Answered]))
        .into_tuple()
        .all(db)
        .await?;
    let mut counts = std::collections::HashMap::new();
    for id in waiting {
        *counts.entry(id).or_default() += 1;
    }
    Ok(counts)
}

/// Queried visits of a provider, waiting for its answer.
pub async fn for_provider(db: &impl ConnectionTrait, provider_id: i64) -> AppResult<Vec<app::VisitQuery>> {
    let theirs = Query::select().column(booking::Column::Id).from(booking::Entity).and_where(booking::Column::ProviderId.eq(provider_id)).to_owned();
    let queried = visit::Entity::find()
        .filter(visit::Column::Confirmation.eq(VisitConfirmation::Queried))
        .filter(visit::Column::BookingId.in_subquery(theirs))
        .order_by_asc(visit::Column::ScheduledStart)
        .all(db)
        .await?;
    queries(db, queried).await
}

/// Queries waiting for a commissioner's council to decide.
pub async fn for_council(db: &impl ConnectionTrait, viewer: &SignedInUser) -> AppResult<Vec<app::VisitQuery>> {
    let council = auth::commissioners_council(viewer)?;
    let budgets = Query::select()
        .column(budget::Column::Id)
        .from(budget::Entity)
        .and_where(budget::Column::CouncilId.eq(council))
        .and_where(budget::Column::Funding.eq(Funding::Council.code()))
        .to_owned();
    let bookings = Query::select().column(booking::Column::Id).from(booking::Entity).and_where(booking::Column::BudgetId.in_subquery(budgets)).to_owned();
    let waiting = visit::Entity::find()
        .filter(visit::Column::Confirmation.eq(VisitConfirmation::WithCouncil))
        .filter(visit::Column::BookingId.in_subquery(bookings))
        .order_by_asc(visit::Column::ScheduledStart)
        .all(db)
        .await?;
    queries(db, waiting).await
}

async fn queries(db: &impl ConnectionTrait, visits: Vec<visit::Model>) -> AppResult<Vec<app::VisitQuery>> {
    let bookings = booking::Entity::find().filter(booking::Column::Id.is_in(visits.iter().map(|v| v.booking_id))).all(db).await?;
    let listings = listing::Entity::find().filter(listing::Column::Id.is_in(bookings.iter().map(|b| b.listing_id))).all(db).await?;
    let people = user::Entity::find().filter(user::Column::Id.is_in(bookings.iter().map(|b| b.person_id))).all(db).await?;
    let providers = provider::Entity::find().filter(provider::Column::Id.is_in(bookings.iter().map(|b| b.provider_id))).all(db).await?;
    Ok(visits
        .into_iter()
        .filter_map(|visit| {
            let booking = bookings.iter().find(|b| b.id == visit.booking_id)?;
            Some(app::VisitQuery {
                visit_id: visit.id,
                reference: booking.reference.clone(),
                service: listings.iter().find(|l| l.id == booking.listing_id).map(|l| l.title.clone()).unwrap_or_default(),
                person: people.iter().find(|p| p.id == booking.person_id).map(|p| p.display_name.clone()).unwrap_or_default(),
                provider: providers.iter().find(|p| p.id == booking.provider_id).map(|p| p.name.clone()).unwrap_or_default(),
                when: visit_words(&visit),
                minutes: visit.delivered_minutes.unwrap_or(0),
                booked_minutes: visit.scheduled_minutes,
                cost_pence: visit.charged_pence.unwrap_or(0),
                note: visit.note,
                query: visit.query_text.unwrap_or_default(),
                answer: visit.answer_text,
            })
        })
        .collect())
}

/// "Monday 1 December 2026 at 09:00", UK time.
fn visit_words(visit: &visit::Model) -> String {
    let local = uk_time::to_local(visit.scheduled_start);
    format!("{} at {}", long_date(local.date()), local.format("%H:%M"))
}

/// The council and budget the booking is paid from, if any.
async fn budget_of(db: &impl ConnectionTrait, booking: &booking::Model) -> AppResult<Option<(i64, i64)>> {
    let Some(budget_id) = booking.budget_id else { return Ok(None) };
    let budget = budget::Entity::find_by_id(budget_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(Some((budget.council_id, budget.id)))
}

/// The council whose money (not the person's own) paid for the booking.
pub(super) async fn councils_budget(db: &impl ConnectionTrait, booking: &booking::Model) -> AppResult<Option<i64>> {
    let Some(budget_id) = booking.budget_id else { return Ok(None) };
    let budget = budget::Entity::find_by_id(budget_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok((budget.funding() == Funding::Council).then_some(budget.council_id))
}

async fn paid_by_council(db: &impl ConnectionTrait, booking: &booking::Model) -> AppResult<bool> {
    Ok(councils_budget(db, booking).await?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_needs_its_words_and_no_more_than_500_characters() {
        assert_eq!(Verdict::from_form("confirm", "").expect("fine"), Verdict::Confirm);
        assert_eq!(Verdict::from_form("query", "  Came 20 minutes late ").expect("fine"), Verdict::Query("Came 20 minutes late".into()));
        assert!(Verdict::from_form("query", "  ").is_err(), "say what was wrong");
        assert!(Verdict::from_form("query", &"x".repeat(501)).is_err());
        assert!(Verdict::from_form("pay double", "").is_err());
        assert_eq!(checked_note(" ").expect("fine"), None);
        assert!(checked_note(&"y".repeat(501)).is_err());
    }

    #[test]
    fn corrections_only_lower_the_minutes() {
        let visit = visit::Model {
            id: 1,
            booking_id: 1,
            person_id: 1,
            scheduled_start: Utc::now(),
            scheduled_minutes: 60,
            status: app::VisitStatus::Delivered,
            checked_in_at: None,
            checked_out_at: None,
            delivered_minutes: Some(45),
            charged_pence: Some(1_800),
            note: None,
            confirmation: Some(VisitConfirmation::Queried),
            confirm_by: None,
            confirmed_at: None,
            confirm_token_hash: None,
            query_text: None,
            answer_text: None,
            decision_text: None,
        };
        assert_eq!(corrected_minutes(&visit, None).expect("fine"), None);
        assert_eq!(corrected_minutes(&visit, Some(" ")).expect("fine"), None);
        assert_eq!(corrected_minutes(&visit, Some("30")).expect("fine"), Some(30));
        assert_eq!(corrected_minutes(&visit, Some("0")).expect("fine"), Some(0));
        assert!(corrected_minutes(&visit, Some("46")).is_err(), "never more than recorded");
        assert!(corrected_minutes(&visit, Some("-5")).is_err());
        assert!(corrected_minutes(&visit, Some("half an hour")).is_err());
    }
}
