//! Booking care from a personal budget: the questions checked and priced ("check your
//! answers"), then the booking made in one write transaction that sets the money aside for
//! every visit in the next 4 weeks. Refused, with a message that says why, when the budget is
//! short, the budget type does not allow the provider or its price, the provider does not
//! work then, or the person already has care booked at that time.
use super::budgets::{self, Right};
use super::ledger::{self, BudgetAccounts, Transfer};
use super::uk_time::{self, long_date, weekday_name};
use super::values::{and_list, collect};
use super::{audit, auth};
use crate::entities::{accreditation, booking, budget, framework, listing, listing_availability, lot, provider, user, visit};
use crate::error::{AppError, AppResult};
use app::{BookingAnswers, BookingQuote, BookingRequest, BookingView, FieldError, ListingStatus, Role, SignedInUser};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};

/// Money is set aside for the visits in this many days ahead (a rolling horizon).
pub const HORIZON_DAYS: i64 = 28;
/// How long a provider has to accept or decline a request.
pub const RESPONSE_HOURS: i64 = 24;
/// Home care visits are at least this long unless the care plan says otherwise.
const HOME_CARE_MINIMUM: u32 = 30;
const LONGEST_VISIT: u32 = 24 * 60;
/// A booking in one of these still has care to come.
pub const LIVE: [&str; 3] = ["requested", "confirmed", "in_progress"];

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
        let mut errors = Vec::new();
        let weekly = match answers.how_often.trim() {
            "once" => Some(false),
            "weekly" => Some(true),
            _ => collect(&mut errors, Err(AppError::invalid("how_often", "Choose whether you need care once or every week"))),
        };
        let first_day = collect(&mut errors, parse_day(&answers.date, today));
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
    fn as_booked(starts_at: DateTime<Utc>, minutes: i32, weekdays: Option<&str>) -> Self {
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
    fn after(mut self, last_scheduled: Option<DateTime<Utc>>) -> Self {
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

/// What a booking is charged: the listing's public price, or, for care placed through a
/// framework lot, the rate the council contracted on that lot (whatever the listing says now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    pub unit_price_pence: i64,
    pub unit: String,
    /// The lot the care is placed through, if it is.
    pub lot_id: Option<i64>,
}

impl Price {
    fn public(listing: &listing::Model) -> Self {
        Self { unit_price_pence: listing.price_pence, unit: listing.unit.clone(), lot_id: None }
    }

    fn contracted(lot: &lot::Model, accredited: &accreditation::Model) -> Self {
        Self { unit_price_pence: accredited.contracted_rate_pence, unit: lot.unit.clone(), lot_id: Some(lot.id) }
    }

    fn per_visit(&self, minutes: u32) -> i64 {
        visit_cost(&self.unit, self.unit_price_pence, minutes)
    }
}

impl Checked {
    fn horizon_pence(&self) -> i64 {
        self.per_visit_pence * self.visits.len() as i64
    }
}

/// The person a booking is for: the budget holder themself, or someone who gave this user the
/// right to book for them.
/// Who the care is for.
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
        Role::Planner => budgets::may_act(db, person_id, viewer.user_id, Right::Book, now).await?,
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
async fn check(
    db: &impl ConnectionTrait,
    viewer: &SignedInUser,
    person_id: Option<i64>,
    listing_public_id: &str,
    answers: &BookingAnswers,
    now: DateTime<Utc>,
    lock_budget: bool,
) -> AppResult<Checked> {
    let person = person_booked_for(db, viewer, person_id, now).await?;
    // The service and its provider in one query.
    let (listing, provider) = listing::Entity::find()
        .filter(listing::Column::PublicId.eq(listing_public_id))
        .filter(listing::Column::Status.eq(ListingStatus::Published.code()))
        .find_also_related(provider::Entity)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let provider = provider.filter(|p| p.status == "active").ok_or(AppError::NotFound)?;
    let (budget, accounts) = ledger::budget_with_accounts(db, budget::Entity::find().filter(budget::Column::HolderId.eq(person.id)), lock_budget)
        .await?
        .ok_or_else(|| AppError::invalid("", format!("{} has no personal budget set up yet: the council sets it up", person.display_name)))?;
    let today = uk_time::to_local(now).date();
    let pattern = Pattern::parse(answers, &listing, &budget, today)?;
    let visits = pattern.visits_before(pattern.first_day + Duration::days(HORIZON_DAYS));
    if visits.first().is_some_and(|first| uk_time::to_utc(*first) <= now) {
        return Err(AppError::invalid("time", "The first visit must start later than now"));
    }
    let price = price_for_budget(db, &budget, &listing, &provider, answers.best_value).await?;
    available_then(db, &listing, &provider, &pattern).await?;
    let per_visit_pence = price.per_visit(pattern.minutes);
    Ok(Checked { listing, provider, person, budget, accounts, price, pattern, visits, per_visit_pence })
}

/// What this budget pays for this service, refused where its type does not allow it. Care
/// placed through the council's framework (a managed account always; anyone asking for "best
/// value on the framework") is charged the contracted rate on a lot of the budget's own
/// council; other care the listing's public price.
async fn price_for_budget(
    db: &impl ConnectionTrait,
    budget: &budget::Model,
    listing: &listing::Model,
    provider: &provider::Model,
    best_value: bool,
) -> AppResult<Price> {
    fund_allows(db, budget, provider).await?;
    let through_framework = budget.budget_type == "managed_account" || best_value;
    if !through_framework {
        return Ok(Price::public(listing));
    }
    let placed = framework_place(db, budget.council_id, listing, None).await?;
    let gated = super::ranking::Rating::from_code(&provider.regulator_rating) == Some(super::ranking::Rating::Inadequate);
    match placed {
        Some((lot, accredited)) if !gated => {
            if accredited.contracted_rate_pence > lot.price_cap_pence {
                return Err(AppError::invalid(
                    "",
                    format!(
                        "This service is contracted at {}, over the council's cap of {}: it cannot be booked through the framework",
                        app::format_price(accredited.contracted_rate_pence, &lot.unit),
                        app::format_price(lot.price_cap_pence, &lot.unit)
                    ),
                ));
            }
            Ok(Price::contracted(&lot, &accredited))
        }
        _ if budget.budget_type == "managed_account" => Err(AppError::invalid(
            "",
            "A managed account can only pay for services on the council's framework: choose one marked \"On the council's framework\"",
        )),
        _ => Err(AppError::invalid("", "This service is not on the council's framework: choose it as a service of your own choice instead")),
    }
}

/// An individual service fund pays only the provider holding it.
async fn fund_allows(db: &impl ConnectionTrait, budget: &budget::Model, provider: &provider::Model) -> AppResult<()> {
    if budget.budget_type != "individual_service_fund" || budget.isf_provider_id == Some(provider.id) {
        return Ok(());
    }
    let holder = match budget.isf_provider_id {
        Some(id) => provider::Entity::find_by_id(id).one(db).await?.map_or_else(|| "another provider".to_string(), |p| p.name),
        None => "another provider".to_string(),
    };
    Err(AppError::invalid("", format!("This individual service fund is held by {holder}: only their services can be booked from it")))
}

/// The lot (of one of this council's frameworks; `only_lot` if given) this service is actively
/// contracted on, with its accreditation, the lowest rate first.
async fn framework_place(
    db: &impl ConnectionTrait,
    council_id: i64,
    listing: &listing::Model,
    only_lot: Option<i64>,
) -> AppResult<Option<(lot::Model, accreditation::Model)>> {
    let mut accredited = accreditation::Entity::find()
        .filter(accreditation::Column::ListingId.eq(listing.id))
        .filter(accreditation::Column::Status.eq("active"))
        .order_by_asc(accreditation::Column::ContractedRatePence);
    if let Some(lot_id) = only_lot {
        accredited = accredited.filter(accreditation::Column::LotId.eq(lot_id));
    }
    let accredited = accredited.all(db).await?;
    let councils_lots = lot::Entity::find()
        .filter(lot::Column::Id.is_in(accredited.iter().map(|a| a.lot_id)))
        .filter(
            lot::Column::FrameworkId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(framework::Column::Id)
                    .from(framework::Entity)
                    .and_where(framework::Column::CouncilId.eq(council_id))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?;
    Ok(accredited.into_iter().find_map(|a| councils_lots.iter().find(|lot| lot.id == a.lot_id).map(|lot| (lot.clone(), a))))
}

/// Refused unless every visit fits inside the service's published hours for its day.
async fn available_then(db: &impl ConnectionTrait, listing: &listing::Model, provider: &provider::Model, pattern: &Pattern) -> AppResult<()> {
    let hours = listing_availability::Entity::find().filter(listing_availability::Column::ListingId.eq(listing.id)).all(db).await?;
    let start = minute_of_day(pattern.start);
    let end = start + i64::from(pattern.minutes);
    for &day in &pattern.weekdays {
        let windows: Vec<&listing_availability::Model> = hours.iter().filter(|h| u32::try_from(h.weekday).ok() == Some(day)).collect();
        let name = Weekday::try_from(u8::try_from(day - 1).unwrap_or(0)).map(weekday_name).unwrap_or("that day");
        if windows.is_empty() {
            return Err(AppError::invalid("date", format!("{} does not offer this service on {name}s", provider.name)));
        }
        if !windows.iter().any(|w| i64::from(w.opens_minute) <= start && end <= i64::from(w.closes_minute)) {
            let open: Vec<String> = windows.iter().map(|w| format!("{} to {}", clock(w.opens_minute), clock(w.closes_minute))).collect();
            return Err(AppError::invalid(
                "time",
                format!(
                    "On {name}s {} works {}: choose a time inside those hours",
                    provider.name,
                    and_list(&open.iter().map(String::as_str).collect::<Vec<_>>())
                ),
            ));
        }
    }
    Ok(())
}

fn minute_of_day(time: NaiveTime) -> i64 {
    use chrono::Timelike;
    i64::from(time.hour() * 60 + time.minute())
}

fn clock(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Refused when the person already has care booked that overlaps any of the new visits. A
/// weekly booking goes on after the 4 weeks scheduled now, so its later visits are checked
/// too, and so are the visits the person's other weekly bookings have yet to schedule.
async fn not_already_booked(db: &impl ConnectionTrait, person_id: i64, pattern: &Pattern, visits: &[chrono::NaiveDateTime]) -> AppResult<()> {
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
            Some(days) if LIVE.contains(&booked.status.as_str()) => {
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
    status: String,
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
        .and_where(visit::Column::Status.is_in(["scheduled", "in_progress"]))
        .and_where(booking::Column::Status.is_in(LIVE));
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

/// The "check your answers" figures, with a fresh key for the confirm form.
pub async fn quote(
    db: &impl ConnectionTrait,
    viewer: &SignedInUser,
    person_id: Option<i64>,
    listing_public_id: &str,
    answers: &BookingAnswers,
    now: DateTime<Utc>,
) -> AppResult<BookingQuote> {
    let checked = check(db, viewer, person_id, listing_public_id, answers, now, false).await?;
    not_already_booked(db, checked.person.id, &checked.pattern, &checked.visits).await?;
    let per_four_weeks = checked.horizon_pence();
    let available_pence = checked.accounts.available_pence;
    let self_funded = checked.budget.funding == "self";
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
        if budget.funding == "self" {
            format!("Your account has {available}, and this needs {needed} for the first 4 weeks: pay the difference by card first")
        } else {
            format!("Your budget has {available} available, and this needs {needed} for the first 4 weeks: book fewer or shorter visits, or a cheaper service")
        },
    )
}

fn duration_words(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} minutes"),
        (1, 0) => "1 hour".into(),
        (h, 0) => format!("{h} hours"),
        (1, m) => format!("1 hour {m} minutes"),
        (h, m) => format!("{h} hours {m} minutes"),
    }
}

/// Makes the booking: the request goes to the provider, and the money for every visit in the
/// first 4 weeks is set aside from the budget in the same transaction (so two bookings racing
/// for the last pounds cannot both succeed). Returns the booking's reference. Sending the same
/// `request_key` again returns the first booking's reference and books nothing more. Refused,
/// with the new figure, if the cost is no longer what the person was shown.
pub async fn book(db: &DatabaseConnection, viewer: &SignedInUser, request: &BookingRequest, now: DateTime<Utc>) -> AppResult<String> {
    let request_key = request.request_key.trim();
    let quoted = request.quoted_total.trim().parse::<i64>().ok();
    let (true, Some(quoted)) = (request_key.len() == 64 && request_key.bytes().all(|b| b.is_ascii_hexdigit()), quoted) else {
        return Err(AppError::invalid("", "This form has expired: go back and check your answers again"));
    };
    let request = BookingRequest { request_key: request_key.to_string(), ..request.clone() };
    let written = if db.get_database_backend() == DbBackend::Postgres {
        // The checks and the write in one transaction on one connection: each statement that
        // takes its own connection from the pool costs PostgreSQL a round trip more.
        let (viewer, request) = (viewer.clone(), request.clone());
        crate::db::write_grouped(db, move |txn| {
            Box::pin(async move {
                match check_for_booking(txn, &viewer, &request, quoted, now).await {
                    Ok(checked) => write_booking(txn, &viewer, checked, &request.request_key, request.answers.best_value, now).await,
                    Err(answer) => answer,
                }
            })
        })
        .await
    } else {
        // What does not change from one booking to the next is checked before the write, so
        // SQLite's one write lock is held only for what must be atomic: the clash check, the
        // booking and its money.
        let checked = match check_for_booking(db, viewer, &request, quoted, now).await {
            Ok(checked) => checked,
            Err(answer) => return answer,
        };
        let (viewer, request_key, best_value) = (viewer.clone(), request.request_key.clone(), request.answers.best_value);
        crate::db::write_grouped(db, move |txn| Box::pin(async move { write_booking(txn, &viewer, checked, &request_key, best_value, now).await })).await
    };
    match written {
        // The same form sent twice at the same instant (PostgreSQL): the other one booked.
        Err(AppError::Database(error)) if matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            earlier_answer(db, viewer, request_key).await?.unwrap_or(Err(AppError::Database(error)))
        }
        other => other,
    }
}

/// The checks before a booking is written, and a budget that plainly cannot pay refused
/// (money spent since this read is still caught when it is set aside), as is a cost that is no
/// longer `quoted`. A request made already gets its first answer instead, even one that no
/// longer passes the checks (its time has come). On PostgreSQL this runs in the booking's
/// transaction (see [`book`]), so the budget is locked as it is read.
async fn check_for_booking(
    db: &impl ConnectionTrait,
    viewer: &SignedInUser,
    request: &BookingRequest,
    quoted: i64,
    now: DateTime<Utc>,
) -> Result<Checked, AppResult<String>> {
    let lock_budget = db.get_database_backend() == DbBackend::Postgres;
    let refused = match check(db, viewer, request.person, &request.listing, &request.answers, now, lock_budget).await {
        Ok(checked) if checked.horizon_pence() != quoted => AppError::invalid(
            "",
            format!(
                "The cost has changed since you checked it: the first 4 weeks now cost {}, not {}. Check the new cost, then confirm again",
                app::format_pence(checked.horizon_pence()),
                app::format_pence(quoted)
            ),
        ),
        Ok(checked) if checked.accounts.available_pence >= checked.horizon_pence() => return Ok(checked),
        Ok(checked) => short_of(checked.horizon_pence(), checked.accounts.available_pence, &checked.budget),
        Err(refused) => refused,
    };
    Err(earlier_answer(db, viewer, &request.request_key).await.and_then(|earlier| earlier.unwrap_or(Err(refused))))
}

/// The atomic part of [`book`]: the clash check, the booking and its money.
async fn write_booking(
    txn: &DatabaseTransaction,
    viewer: &SignedInUser,
    checked: Checked,
    request_key: &str,
    best_value: bool,
    now: DateTime<Utc>,
) -> AppResult<String> {
    // The budget is locked (PostgreSQL: it was read with a lock in this transaction; SQLite
    // has one writer at a time), so no other booking for it passes the clash check meanwhile.
    // A repeat of a booking already made clashes with it, and gets its first answer.
    if let Err(clash) = not_already_booked(txn, checked.person.id, &checked.pattern, &checked.visits).await {
        return earlier_answer(txn, viewer, request_key).await?.unwrap_or(Err(clash));
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
        best_value,
        offered_on_from: None,
        request_key: Some(request_key),
    };
    match insert_booking(txn, &new, now).await {
        Err(AppError::ShortOfMoney { available_pence }) => Err(short_of(needed, available_pence, &checked.budget)),
        other => other,
    }
}

/// The answer to a request already made with this key: its reference for the person who made
/// it, refused to anyone else.
async fn earlier_answer(db: &impl ConnectionTrait, viewer: &SignedInUser, request_key: &str) -> AppResult<Option<AppResult<String>>> {
    let earlier = booking::Entity::find().filter(booking::Column::RequestKey.eq(request_key)).one(db).await?;
    Ok(earlier.map(|earlier| if earlier.placed_by == viewer.user_id { Ok(earlier.reference) } else { Err(AppError::Forbidden) }))
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
        status: Set("requested".into()),
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
    Ok(reference)
}

/// Adds one visit (its UK start time and length in minutes) to a booking (its id and the
/// person it is for) and sets its money aside from the budget (refused with `ShortOfMoney` if
/// the budget does not hold it).
pub(super) async fn schedule_visit(
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
        status: Set("scheduled".into()),
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
    let provider = provider::Entity::find_by_id(listing.provider_id).one(txn).await?.filter(|p| p.status == "active").ok_or(AppError::NotFound)?;
    fund_allows(txn, &budget, &provider).await?;
    let (lot, accredited) = framework_place(txn, budget.council_id, listing, old.lot_id).await?.ok_or(AppError::NotFound)?;
    let price = Price::contracted(&lot, &accredited);
    available_then(txn, listing, &provider, pattern).await?;
    let visits = pattern.visits_before(pattern.first_day + Duration::days(HORIZON_DAYS));
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

/// One booking, for whoever may see it: the person, someone they let view or book for them,
/// the provider's staff, or a commissioner of the council.
pub async fn booking_view(db: &impl ConnectionTrait, viewer: &SignedInUser, reference: &str, now: DateTime<Utc>) -> AppResult<BookingView> {
    let booking = booking::Entity::find().filter(booking::Column::Reference.eq(reference)).one(db).await?.ok_or(AppError::NotFound)?;
    let person = user::Entity::find_by_id(booking.person_id).one(db).await?.ok_or(AppError::NotFound)?;
    let allowed = match viewer.role {
        Role::BudgetHolder => booking.person_id == viewer.user_id,
        Role::Planner => budgets::may_act(db, booking.person_id, viewer.user_id, Right::View, now).await?,
        Role::Provider => viewer.provider_id == Some(booking.provider_id),
        // Council staff see care their council funds, never what someone pays for themself.
        Role::Commissioner => match booking.budget_id {
            Some(budget_id) => {
                budget::Entity::find_by_id(budget_id).one(db).await?.is_some_and(|b| b.council_id == viewer.council_id && b.funding == "council")
            }
            None => false,
        },
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let listing = listing::Entity::find_by_id(booking.listing_id).one(db).await?.ok_or(AppError::NotFound)?;
    let provider = provider::Entity::find_by_id(booking.provider_id).one(db).await?.ok_or(AppError::NotFound)?;
    let pattern = Pattern::of(&booking);
    let minutes = pattern.minutes;
    let respond_by = respond_by_words(&booking);
    let may_cancel = match viewer.role {
        Role::BudgetHolder => true,
        Role::Planner => budgets::may_act(db, booking.person_id, viewer.user_id, Right::Book, now).await?,
        _ => false,
    };
    let late = match booking.late_cancellation_percent {
        0 => "nothing".to_string(),
        100 => "the full price of each visit".to_string(),
        percent => format!("{percent}% of each visit's price"),
    };
    let can_cancel = may_cancel && matches!(booking.status.as_str(), "requested" | "confirmed" | "in_progress");
    let cancellation_policy = format!("Free with {} hours' notice. Visits cancelled later than that cost {late}.", booking.cancellation_notice_hours);
    Ok(BookingView {
        reference: booking.reference,
        status: booking.status,
        listing_public_id: listing.public_id,
        listing_title: listing.title,
        provider: provider.name,
        person: person.display_name,
        when: pattern.in_words(),
        duration: duration_words(minutes),
        per_visit_pence: visit_cost(&booking.unit, booking.unit_price_pence, minutes),
        committed_pence: booking.committed_pence,
        respond_by,
        can_cancel,
        cancellation_policy,
    })
}

fn respond_by_words(booking: &booking::Model) -> Option<String> {
    booking.respond_by.filter(|_| booking.status == "requested").map(|at| {
        let local = uk_time::to_local(at);
        format!("{} on {}", local.format("%H:%M"), long_date(local.date()))
    })
}

/// Lines for a list of bookings; `with` names the other side (the person, or the provider).
async fn lines(db: &impl ConnectionTrait, bookings: Vec<booking::Model>, provider_side: bool) -> AppResult<Vec<app::BookingLine>> {
    let listings = listing::Entity::find().filter(listing::Column::Id.is_in(bookings.iter().map(|b| b.listing_id))).all(db).await?;
    let people = user::Entity::find().filter(user::Column::Id.is_in(bookings.iter().map(|b| b.person_id))).all(db).await?;
    let providers = provider::Entity::find().filter(provider::Column::Id.is_in(bookings.iter().map(|b| b.provider_id))).all(db).await?;
    Ok(bookings
        .into_iter()
        .map(|booking| {
            let with = if provider_side {
                people.iter().find(|p| p.id == booking.person_id).map(|p| p.display_name.clone())
            } else {
                providers.iter().find(|p| p.id == booking.provider_id).map(|p| p.name.clone())
            };
            app::BookingLine {
                service: listings.iter().find(|l| l.id == booking.listing_id).map(|l| l.title.clone()).unwrap_or_default(),
                with: with.unwrap_or_default(),
                when: Pattern::of(&booking).in_words(),
                respond_by: respond_by_words(&booking),
                reference: booking.reference,
                status: booking.status,
            }
        })
        .collect())
}

/// A person's bookings still going or ended in the last 8 weeks, newest first.
pub async fn person_bookings(db: &impl ConnectionTrait, person_id: i64, now: DateTime<Utc>) -> AppResult<Vec<app::BookingLine>> {
    let bookings = booking::Entity::find()
        .filter(booking::Column::PersonId.eq(person_id))
        .filter(sea_orm::Condition::any().add(booking::Column::ClosedAt.is_null()).add(booking::Column::ClosedAt.gt(now - Duration::weeks(8))))
        .order_by_desc(booking::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    lines(db, bookings, false).await
}

/// What a provider's staff have to do: requests to answer, live care, and the next week's visits.
pub async fn provider_bookings(db: &impl ConnectionTrait, viewer: &SignedInUser, now: DateTime<Utc>) -> AppResult<app::ProviderBookings> {
    let provider_id = viewer.provider_id.filter(|_| viewer.role == Role::Provider).ok_or(AppError::Forbidden)?;
    let live = booking::Entity::find()
        .filter(booking::Column::ProviderId.eq(provider_id))
        .filter(booking::Column::Status.is_in(LIVE))
        .order_by_asc(booking::Column::StartsAt)
        .limit(500)
        .all(db)
        .await?;
    let (requests, confirmed): (Vec<_>, Vec<_>) = live.into_iter().partition(|b| b.status == "requested");
    let booked: Vec<&booking::Model> = confirmed.iter().collect();
    let coming = visit::Entity::find()
        .filter(visit::Column::BookingId.is_in(booked.iter().map(|b| b.id)))
        .filter(visit::Column::ScheduledStart.gte(now - Duration::hours(12)))
        .filter(visit::Column::ScheduledStart.lt(now + Duration::days(7)))
        .order_by_asc(visit::Column::ScheduledStart)
        .all(db)
        .await?;
    let people = user::Entity::find().filter(user::Column::Id.is_in(booked.iter().map(|b| b.person_id))).all(db).await?;
    let visits = coming
        .into_iter()
        .filter_map(|visit| {
            let booking = booked.iter().find(|b| b.id == visit.booking_id)?;
            let local = uk_time::to_local(visit.scheduled_start);
            let due = visit.scheduled_start <= now;
            Some(app::VisitLine {
                id: visit.id,
                reference: booking.reference.clone(),
                person: people.iter().find(|p| p.id == booking.person_id).map(|p| p.display_name.clone()).unwrap_or_default(),
                when: format!("{}, {} ({} minutes)", long_date(local.date()), local.format("%H:%M"), visit.scheduled_minutes),
                can_check_in: visit.status == "scheduled" && visit.scheduled_start - now <= Duration::hours(2),
                can_check_out: visit.status == "in_progress",
                can_mark_missed: due && matches!(visit.status.as_str(), "scheduled" | "in_progress"),
                status: visit.status,
            })
        })
        .collect();
    Ok(app::ProviderBookings { requests: lines(db, requests, true).await?, confirmed: lines(db, confirmed, true).await?, visits })
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

    #[test]
    fn references_are_short_and_unambiguous() {
        let reference = new_reference().unwrap_or_default();
        assert_eq!(reference.len(), 12);
        assert!(reference.starts_with("CM-") && reference.as_bytes()[7] == b'-');
        assert!(!reference[3..].contains(['0', 'O', '1', 'I']));
    }
}
