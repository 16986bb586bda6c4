//! Quoting and making a booking: the checks shared by both, then the write that sets the money
//! for the first 4 weeks aside, once however often the same form is sent.
use super::answers::{Pattern, duration_words};
use super::clashes::not_already_booked;
use super::rules::{Price, available_then, framework_place, fund_allows, price_for_budget};
use super::{HORIZON_DAYS, RESPONSE_HOURS};
use crate::db::Db;
use crate::domain::delegations::{Right, may_act};
use crate::domain::ledger::{self, BudgetAccounts, Transfer};
use crate::domain::notifications::{self, News};
use crate::domain::uk_time;
use crate::domain::{audit, auth};
use crate::entities::{booking, budget, listing, provider, user, visit};
use crate::error::{AppError, AppResult};
use app::{BookingAnswers, BookingQuote, BookingRequest, Funding, ListingStatus, ProviderStatus, Role, SignedInUser};
use app::{BookingStatus, VisitStatus};
use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};

/// Everything a booking needs, read and checked: shared by the quote and the booking itself.
struct Checked {
    listing: listing::Model,
    provider: provider::Model,
    person: Person,
    budget: budget::Model,
    accounts: BudgetAccounts,
    price: Price,
    pattern: Pattern,
    /// UK start times of the visits in the first 4 weeks.
    visits: Vec<chrono::NaiveDateTime>,
    per_visit_pence: i64,
}

impl Checked {
    fn horizon_pence(&self) -> i64 {
        self.per_visit_pence * self.visits.len() as i64
    }
}

/// Who is asking to book which service, for whom, with which answers, and when: what the quote
/// and the booking both check.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    pub viewer: &'a SignedInUser,
    /// The person the care is for; the viewer themself when `None`.
    pub person_id: Option<i64>,
    pub listing_public_id: &'a str,
    pub answers: &'a BookingAnswers,
    pub now: DateTime<Utc>,
}

/// The person a booking is for: the budget holder themself, or someone who gave this user the
/// right to book for them.
struct Person {
    id: i64,
    display_name: String,
}

async fn person_booked_for(db: &impl ConnectionTrait, viewer: &SignedInUser, person_id: Option<i64>, now: DateTime<Utc>) -> AppResult<Person> {
    let person_id = person_id.unwrap_or(viewer.user_id);
    if viewer.role == Role::BudgetHolder && person_id == viewer.user_id {
        // Booking for themself: who they are is already known.
        return Ok(Person { id: viewer.user_id, display_name: viewer.display_name.clone() });
    }
    let allowed = match viewer.role {
        Role::BudgetHolder => person_id == viewer.user_id,
        Role::Planner => may_act(db, person_id, viewer.user_id, Right::Book, now).await?,
        Role::Provider | Role::Commissioner => false,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let person = user::Entity::find_by_id(person_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(Person { id: person.id, display_name: person.display_name })
}

/// What a booking needs checked before it is written. With `lock_budget` (a booking being
/// made on PostgreSQL, in its transaction) the budget is locked as it is read: one booking at
/// a time for each budget, so two made for the same slot at the same instant (the person and
/// their planner, from two servers) cannot both pass the clash check.
async fn check(db: &impl ConnectionTrait, asked: &Asked<'_>, lock_budget: bool) -> AppResult<Checked> {
    let Asked { viewer, person_id, listing_public_id, answers, now } = *asked;
    let person = person_booked_for(db, viewer, person_id, now).await?;
    // The service and its provider in one query.
    let (listing, provider) = listing::Entity::find()
        .filter(listing::Column::PublicId.eq(listing_public_id))
        .filter(listing::Column::Status.eq(ListingStatus::Published))
        .find_also_related(provider::Entity)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let provider = provider.filter(|p| p.status == ProviderStatus::Active).ok_or(AppError::NotFound)?;
    let (budget, accounts) = ledger::budget_with_accounts(db, budget::Entity::find().filter(budget::Column::HolderId.eq(person.id)), lock_budget)
        .await?
        .ok_or_else(|| AppError::invalid("", format!("{} has no personal budget set up yet: the council sets it up", person.display_name)))?;
    let today = uk_time::to_local(now).date();
    let pattern = Pattern::parse(answers, &listing, &budget, today)?;
    let visits = pattern.visits_before(budget.care_until(pattern.first_day + Duration::days(HORIZON_DAYS)));
    if visits.first().is_some_and(|first| uk_time::to_utc(*first) <= now) {
        return Err(AppError::invalid("time", "The first visit must start later than now"));
    }
    let price = price_for_budget(db, &budget, &listing, &provider, answers.best_value).await?;
    available_then(db, &listing, &provider, &pattern).await?;
    let per_visit_pence = price.per_visit(pattern.minutes);
    Ok(Checked { listing, provider, person, budget, accounts, price, pattern, visits, per_visit_pence })
}

/// The "check your answers" figures, with a fresh key for the confirm form.
pub async fn quote(db: &impl ConnectionTrait, asked: &Asked<'_>) -> AppResult<BookingQuote> {
    let checked = check(db, asked, false).await?;
    not_already_booked(db, checked.person.id, &checked.pattern, &checked.visits).await?;
    let per_four_weeks = checked.horizon_pence();
    let available_pence = checked.accounts.available_pence;
    let self_funded = checked.budget.funding() == Funding::OwnMoney;
    // A self-funder pays the difference by card first; a council budget cannot be topped up here.
    if per_four_weeks > available_pence && !self_funded {
        return Err(short_of(per_four_weeks, available_pence, &checked.budget));
    }
    Ok(BookingQuote {
        listing_public_id: checked.listing.public_id.clone(),
        listing_title: checked.listing.title.clone(),
        provider: checked.provider.name.clone(),
        person: checked.person.display_name.clone(),
        when: checked.pattern.in_words(),
        duration: duration_words(checked.pattern.minutes),
        per_visit_pence: checked.per_visit_pence,
        visits_in_four_weeks: u32::try_from(checked.visits.len()).unwrap_or(u32::MAX),
        four_weeks_pence: per_four_weeks,
        available_pence,
        left_after_pence: (available_pence - per_four_weeks).max(0),
        request_key: auth::random_token()?,
        self_funded,
        to_pay_by_card_pence: (per_four_weeks - available_pence).max(0),
    })
}

fn short_of(needed: i64, available: i64, budget: &budget::Model) -> AppError {
    let (needed, available) = (app::format_pence(needed), app::format_pence(available));
    AppError::invalid(
        "",
        if budget.funding() == Funding::OwnMoney {
            format!("Your account has {available}, and this needs {needed} for the first 4 weeks: pay the difference by card first")
        } else {
            format!("Your budget has {available} available, and this needs {needed} for the first 4 weeks: book fewer or shorter visits, or a cheaper service")
        },
    )
}

/// Makes the booking: the request goes to the provider, and the money for every visit in the
/// first 4 weeks is set aside from the budget in the same transaction (so two bookings racing
/// for the last pounds cannot both succeed). Returns the booking's reference. Sending the same
/// `request_key` again returns the first booking's reference and books nothing more. Refused,
/// with the new figure, if the cost is no longer what the person was shown.
pub async fn book(db: &Db, viewer: &SignedInUser, request: &BookingRequest, now: DateTime<Utc>) -> AppResult<String> {
    let request_key = request.request_key.trim();
    let quoted = request.quoted_total.trim().parse::<i64>().ok();
    let (true, Some(quoted)) = (request_key.len() == 64 && request_key.bytes().all(|b| b.is_ascii_hexdigit()), quoted) else {
        return Err(AppError::invalid("", "This form has expired: go back and check your answers again"));
    };
    let request = BookingRequest { request_key: request_key.to_string(), ..request.clone() };
    match crate::db::check_then_write(db, Booking { viewer: viewer.clone(), request, quoted, now }).await {
        // The same form sent twice at the same instant (PostgreSQL): the other one booked.
        Err(AppError::Database(error)) if matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            earlier_answer(db, viewer, request_key).await?.ok_or(AppError::Database(error))
        }
        other => other,
    }
}

/// A booking being made, as the store's checked write: checked, then written.
struct Booking {
    viewer: SignedInUser,
    request: BookingRequest,
    /// The first 4 weeks' cost the person was shown and confirmed.
    quoted: i64,
    now: DateTime<Utc>,
}

impl crate::db::CheckedWrite for Booking {
    type Checked = Checked;
    type Answer = String;
    type Error = AppError;

    /// The checks before a booking is written, and a budget that plainly cannot pay refused
    /// (money spent since this read is still caught when it is set aside), as is a cost that
    /// is no longer the one quoted. A request made already gets its first answer instead, even
    /// one that no longer passes the checks (its time has come). Inside the write (PostgreSQL)
    /// the budget is locked as it is read.
    async fn check<C: ConnectionTrait>(&self, db: &C, in_write: bool) -> Outcome {
        let asked = self.asked();
        let refused = match check(db, &asked, in_write).await {
            Ok(checked) if checked.horizon_pence() != self.quoted => AppError::invalid(
                "",
                format!(
                    "The cost has changed since you checked it: the first 4 weeks now cost {}, not {}. Check the new cost, then confirm again",
                    app::format_pence(checked.horizon_pence()),
                    app::format_pence(self.quoted)
                ),
            ),
            Ok(checked) if checked.accounts.available_pence >= checked.horizon_pence() => return Outcome::Write(checked),
            Ok(checked) => short_of(checked.horizon_pence(), checked.accounts.available_pence, &checked.budget),
            Err(refused) => refused,
        };
        match earlier_answer(db, &self.viewer, &self.request.request_key).await {
            Ok(Some(reference)) => Outcome::Answer(reference),
            Ok(None) => Outcome::Refuse(refused),
            Err(error) => Outcome::Refuse(error),
        }
    }

    /// The atomic part: the clash check, the booking and its money.
    async fn write(&self, txn: &DatabaseTransaction, checked: Checked) -> AppResult<String> {
        let viewer = &self.viewer;
        // The budget is locked (PostgreSQL: it was read with a lock in this transaction; SQLite
        // has one writer at a time), so no other booking for it passes the clash check meanwhile.
        // A repeat of a booking already made clashes with it, and gets its first answer.
        if let Err(clash) = not_already_booked(txn, checked.person.id, &checked.pattern, &checked.visits).await {
            return earlier_answer(txn, viewer, &self.request.request_key).await?.ok_or(clash);
        }
        // Setting the money aside is refused, in this same transaction, if it is no longer there.
        let needed = checked.horizon_pence();
        let channel = if viewer.user_id == checked.person.id { "self" } else { "planner" };
        let new = NewBooking {
            listing: &checked.listing,
            person_id: checked.person.id,
            budget_id: checked.budget.id,
            accounts: &checked.accounts,
            price: &checked.price,
            pattern: &checked.pattern,
            visits: &checked.visits,
            placed_by: viewer.user_id,
            channel,
            best_value: self.request.answers.best_value,
            offered_on_from: None,
            request_key: Some(&self.request.request_key),
        };
        match insert_booking(txn, &new, self.now).await {
            Err(AppError::ShortOfMoney { available_pence }) => Err(short_of(needed, available_pence, &checked.budget)),
            other => other,
        }
    }
}

impl Booking {
    fn asked(&self) -> Asked<'_> {
        Asked { viewer: &self.viewer, person_id: self.request.person, listing_public_id: &self.request.listing, answers: &self.request.answers, now: self.now }
    }
}

/// What became of a booking request once checked: a booking to write, a refusal, or the
/// reference an earlier identical request got.
type Outcome = crate::db::Decision<Checked, String, AppError>;

/// The reference of a booking already made with this key, if it was made by the person asking
/// now; refused if someone else made it.
async fn earlier_answer(db: &impl ConnectionTrait, viewer: &SignedInUser, request_key: &str) -> AppResult<Option<String>> {
    let earlier = booking::Entity::find().filter(booking::Column::RequestKey.eq(request_key)).one(db).await?;
    match earlier {
        Some(earlier) if earlier.placed_by != viewer.user_id => Err(AppError::Forbidden),
        earlier => Ok(earlier.map(|earlier| earlier.reference)),
    }
}

/// A booking about to be written, with everything it needs already checked.
struct NewBooking<'a> {
    listing: &'a listing::Model,
    person_id: i64,
    budget_id: i64,
    accounts: &'a BudgetAccounts,
    price: &'a Price,
    pattern: &'a Pattern,
    /// UK start times of the visits to set money aside for now.
    visits: &'a [chrono::NaiveDateTime],
    placed_by: i64,
    channel: &'a str,
    best_value: bool,
    offered_on_from: Option<i64>,
    request_key: Option<&'a str>,
}

/// Writes the booking and its visits and sets each visit's money aside. `ShortOfMoney` names
/// what the budget held before this booking began.
async fn insert_booking(txn: &impl ConnectionTrait, new: &NewBooking<'_>, now: DateTime<Utc>) -> AppResult<String> {
    let reference = new_reference()?;
    let pattern = new.pattern;
    let per_visit_pence = new.price.per_visit(pattern.minutes);
    let inserted = booking::Entity::insert(booking::ActiveModel {
        reference: Set(reference.clone()),
        listing_id: Set(new.listing.id),
        provider_id: Set(new.listing.provider_id),
        person_id: Set(new.person_id),
        budget_id: Set(Some(new.budget_id)),
        placed_by: Set(new.placed_by),
        channel: Set(new.channel.into()),
        lot_id: Set(new.price.lot_id),
        status: Set(BookingStatus::Requested),
        schedule: Set(if pattern.weekly { "weekly" } else { "one_off" }.into()),
        starts_at: Set(uk_time::to_utc(pattern.first_day.and_time(pattern.start))),
        ends_on: Set(None),
        weekdays: Set(pattern.weekly.then(|| pattern.weekdays.iter().map(u32::to_string).collect())),
        duration_minutes: Set(i32::try_from(pattern.minutes).unwrap_or(i32::MAX)),
        unit_price_pence: Set(new.price.unit_price_pence),
        unit: Set(new.price.unit.clone()),
        committed_pence: Set(per_visit_pence * new.visits.len() as i64),
        paid_by: Set("budget".into()),
        requested_at: Set(now),
        respond_by: Set(Some(now + Duration::hours(RESPONSE_HOURS))),
        confirmed_at: Set(None),
        closed_at: Set(None),
        close_reason: Set(None),
        close_code: Set(None),
        request_key: Set(new.request_key.map(str::to_string)),
        best_value: Set(new.best_value),
        offered_on_from: Set(new.offered_on_from),
        cancellation_notice_hours: Set(new.listing.cancellation_notice_hours),
        late_cancellation_percent: Set(new.listing.late_cancellation_percent),
        billing_increment_minutes: Set(new.listing.billing_increment_minutes),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    let booking_id = inserted.last_insert_id;
    for (index, start) in new.visits.iter().enumerate() {
        let scheduled =
            schedule_visit(txn, (booking_id, new.person_id), new.accounts, (*start, pattern.minutes), per_visit_pence, Some(new.placed_by), now).await;
        if let Err(error) = scheduled {
            return Err(match error {
                AppError::ShortOfMoney { available_pence } => AppError::ShortOfMoney { available_pence: available_pence + index as i64 * per_visit_pence },
                other => other,
            });
        }
    }
    let detail = serde_json::json!({ "booking": reference, "listing": new.listing.public_id, "offered_on_from": new.offered_on_from });
    audit::record(txn, now, Some(new.placed_by), Some(new.person_id), "booking_requested", detail).await?;
    let news = News {
        event: format!("booking:{booking_id}:requested"),
        subject: format!("New request for {}", new.listing.title),
        message: format!(
            "You have a new request for {} (reference {reference}): {}. Accept or decline it by {}, or it lapses.",
            new.listing.title,
            pattern.in_words(),
            super::views::answer_by_words(now + Duration::hours(RESPONSE_HOURS))
        ),
        link_path: "/provider/bookings".into(),
        link_text: "Answer the request",
        kind: app::MailKind::Bookings,
    };
    notifications::mail_provider_staff(txn, new.listing.provider_id, &news, now).await?;
    Ok(reference)
}

/// Adds one visit (its UK start time and length in minutes) to a booking (its id and the
/// person it is for) and sets its money aside from the budget (refused with `ShortOfMoney` if
/// the budget does not hold it).
pub(in crate::domain) async fn schedule_visit(
    db: &impl ConnectionTrait,
    (booking_id, person_id): (i64, i64),
    accounts: &BudgetAccounts,
    (start, minutes): (chrono::NaiveDateTime, u32),
    cost_pence: i64,
    actor_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let visit = visit::Entity::insert(visit::ActiveModel {
        booking_id: Set(booking_id),
        person_id: Set(person_id),
        scheduled_start: Set(uk_time::to_utc(start)),
        scheduled_minutes: Set(i32::try_from(minutes).unwrap_or(i32::MAX)),
        status: Set(VisitStatus::Scheduled),
        ..Default::default()
    })
    .exec(db)
    .await?;
    let set_aside =
        Transfer::new(format!("commit:visit:{}", visit.last_insert_id), accounts.available.clone(), accounts.committed.clone(), cost_pence, "commitment")
            .for_booking(booking_id)
            .for_visit(visit.last_insert_id)
            .by(actor_id);
    ledger::transfer(db, &set_aside, now).await?;
    Ok(())
}

/// Offers a booking that will not go ahead to another provider's service on the same lot, at
/// its contracted rate there, from `pattern`'s first day, for the same person and budget.
/// Refused (`Invalid`) when that service does not work then, the person has other care then,
/// or the budget type does not allow it; `ShortOfMoney` when the budget cannot pay.
pub async fn offer_to(txn: &impl ConnectionTrait, old: &booking::Model, listing: &listing::Model, pattern: &Pattern, now: DateTime<Utc>) -> AppResult<String> {
    let budget_query = budget::Entity::find_by_id(old.budget_id.ok_or(AppError::NotFound)?);
    let (budget, accounts) = ledger::budget_with_accounts(txn, budget_query, false).await?.ok_or(AppError::NotFound)?;
    let provider =
        provider::Entity::find_by_id(listing.provider_id).one(txn).await?.filter(|p| p.status == ProviderStatus::Active).ok_or(AppError::NotFound)?;
    fund_allows(txn, &budget, &provider).await?;
    let (lot, accredited) = framework_place(txn, budget.council_id, listing, old.lot_id).await?.ok_or(AppError::NotFound)?;
    let price = Price::contracted(&lot, &accredited);
    available_then(txn, listing, &provider, pattern).await?;
    let visits = pattern.visits_before(budget.care_until(pattern.first_day + Duration::days(HORIZON_DAYS)));
    not_already_booked(txn, old.person_id, pattern, &visits).await?;
    let new = NewBooking {
        listing,
        person_id: old.person_id,
        budget_id: budget.id,
        accounts: &accounts,
        price: &price,
        pattern,
        visits: &visits,
        placed_by: old.placed_by,
        channel: &old.channel,
        best_value: true,
        offered_on_from: Some(old.id),
        request_key: None,
    };
    insert_booking(txn, &new, now).await
}

/// "CM-7K3Q-XH9P": short enough to read over the phone, no 0/O or 1/I to confuse, and
/// 40 bits, so two bookings sharing one is vanishingly unlikely (the database refuses it anyway).
fn new_reference() -> AppResult<String> {
    Ok(format!("CM-{}", auth::readable_code(2)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_short_and_unambiguous() {
        let reference = new_reference().unwrap_or_default();
        assert_eq!(reference.len(), 12);
        assert!(reference.starts_with("CM-") && reference.as_bytes()[7] == b'-');
        assert!(!reference[3..].contains(['0', 'O', '1', 'I']));
    }
}
