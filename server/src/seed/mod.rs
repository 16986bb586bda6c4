//! Loads a generated data set (`seeds` crate) into the database, in one transaction: either
//! all of it arrives or none of it. Loading the same set again changes nothing.
use crate::db::Db;
use crate::domain::{auth, budgets};
use crate::error::{AppError, AppResult};
use argon2::password_hash::SaltString;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DbBackend};
use seeds::Dataset;

/// A row of values for `insert`.
macro_rules! row {
    ($($value:expr),* $(,)?) => { vec![$(SimpleExpr::from($value)),*] };
}

mod care_year;

/// Rows per INSERT: well under the bind-parameter limits of SQLite and PostgreSQL.
const BATCH_ROWS: usize = 500;

#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    Loaded,
    AlreadyLoaded,
}

/// Called as rows go in: (what, done, total).
pub type Progress<'a> = &'a (dyn Fn(&str, usize, usize) + Sync);

pub async fn load(db: &Db, data: &Dataset, progress: Progress<'_>) -> AppResult<SeedOutcome> {
    let marker = Query::select().expr(Expr::col("slug")).from("councils").and_where(Expr::col("slug").eq(data.council.slug.as_str())).to_owned();
    if db.query_one(&marker).await?.is_some() {
        return Ok(SeedOutcome::AlreadyLoaded);
    }
    let any_council = Query::select().expr(Expr::col("id")).from("councils").limit(1).to_owned();
    if db.query_one(&any_council).await?.is_some() {
        return Err(AppError::internal("the database already holds other data; seed data loads only into an empty database"));
    }
    // The same salt for the same seed keeps the loaded data reproducible; every seeded account
    // shares the published demo password anyway.
    let salt_bytes = [data.seed.to_le_bytes(), (!data.seed).to_le_bytes()].concat();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(AppError::internal)?;
    let password_hash = auth::hash_with_salt(seeds::DEMO_PASSWORD, &salt)?;

    let txn = crate::db::begin_write(db).await?;
    let created = seeds::history_ends();
    let c = &data.council;
    insert(&txn, "councils", &["id", "name", "slug", "created_at"], [row![c.id, c.name.clone(), c.slug.clone(), created]], progress).await?;
    insert(&txn, "localities", &["id", "council_id", "name"], data.localities.iter().map(|l| row![l.id, c.id, l.name.clone()]), progress).await?;
    insert(
        &txn,
        "postcode_districts",
        &["code", "locality_id", "latitude", "longitude", "name"],
        data.districts.iter().map(|d| row![d.code.clone(), d.locality_id, d.latitude, d.longitude, Some(d.area.clone())]),
        progress,
    )
    .await?;
    insert(
        &txn,
        "providers",
        &[
            "id",
            "public_id",
            "council_id",
            "name",
            "description",
            "regulator_id",
            "regulator_rating",
            "contact_email",
            "contact_phone",
            "website",
            "languages",
            "status",
            "assured_at",
            "created_at",
            "updated_at",
        ],
        data.providers.iter().map(|p| {
            row![
                p.id,
                p.public_id.clone(),
                c.id,
                p.name.clone(),
                p.description.clone(),
                p.regulator_id.clone(),
                p.regulator_rating,
                p.contact_email.clone(),
                p.contact_phone.clone(),
                p.website.clone(),
                p.languages.clone(),
                app::ProviderStatus::Active,
                Some(p.assured_at),
                created,
                created
            ]
        }),
        progress,
    )
    .await?;
    insert(
        &txn,
        "listings",
        &[
            "id",
            "public_id",
            "provider_id",
            "category",
            "title",
            "description",
            "unit",
            "price_pence",
            "min_visit_minutes",
            "billing_increment_minutes",
            "cancellation_notice_hours",
            "late_cancellation_percent",
            "carer_gender",
            "base_district",
            "radius_km",
            "status",
            "assured_at",
            "created_at",
            "updated_at",
        ],
        data.listings.iter().map(|l| {
            row![
                l.id,
                l.public_id.clone(),
                l.provider_id,
                l.category,
                l.title.clone(),
                l.description.clone(),
                l.unit,
                l.price_pence,
                l.min_visit_minutes,
                l.billing_increment_minutes,
                l.cancellation_notice_hours,
                l.late_cancellation_percent,
                l.carer_gender,
                l.base_district.clone(),
                l.radius_km,
                l.status,
                Some(l.assured_at),
                created,
                created
            ]
        }),
        progress,
    )
    .await?;
    let attributes = data.listings.iter().flat_map(|l| {
        let specialisms = l.specialisms.iter().map(move |s| row![l.id, "specialism", *s]);
        let languages = l.languages.iter().map(move |s| row![l.id, "language", *s]);
        specialisms.chain(languages)
    });
    insert(&txn, "listing_attributes", &["listing_id", "kind", "value"], attributes, progress).await?;
    let areas = data.listings.iter().flat_map(|l| l.areas.iter().map(move |d| row![l.id, d.clone()]));
    insert(&txn, "listing_areas", &["listing_id", "district"], areas, progress).await?;
    let availability = data.listings.iter().flat_map(|l| l.availability.iter().map(move |&(day, opens, closes)| row![l.id, day, opens, closes]));
    insert(&txn, "listing_availability", &["listing_id", "weekday", "opens_minute", "closes_minute"], availability, progress).await?;
    insert(
        &txn,
        "users",
        // The demo's people were entered by the council: their addresses are taken as confirmed.
        &["id", "council_id", "email", "display_name", "password_hash", "role", "provider_id", "created_at", "email_confirmed_at"],
        data.users.iter().map(|u| row![u.id, c.id, u.email.clone(), u.display_name.clone(), password_hash.clone(), u.role, u.provider_id, created, created]),
        progress,
    )
    .await?;
    insert(
        &txn,
        "frameworks",
        &["id", "council_id", "name", "starts_on", "ends_on", "created_at"],
        data.frameworks.iter().map(|f| row![f.id, c.id, f.name.clone(), f.starts_on, f.ends_on, created]),
        progress,
    )
    .await?;
    insert(
        &txn,
        "lots",
        &["id", "framework_id", "name", "category", "locality_id", "unit", "price_cap_pence", "quality_weight"],
        data.lots.iter().map(|l| row![l.id, l.framework_id, l.name.clone(), l.category, l.locality_id, l.unit, l.price_cap_pence, l.quality_weight]),
        progress,
    )
    .await?;
    insert(
        &txn,
        "accreditations",
        &["id", "lot_id", "provider_id", "listing_id", "contracted_rate_pence", "status", "suspension_reason", "created_at"],
        data.accreditations.iter().map(|a| {
            let status = if a.suspension_reason.is_some() { app::AccreditationStatus::Suspended } else { app::AccreditationStatus::Active };
            row![a.id, a.lot_id, a.provider_id, a.listing_id, a.contracted_rate_pence, status, a.suspension_reason.clone(), created]
        }),
        progress,
    )
    .await?;
    insert(
        &txn,
        "monitoring_scores",
        &["id", "provider_id", "lot_id", "score", "note", "recorded_by", "recorded_at"],
        data.monitoring_scores.iter().map(|m| row![m.id, m.provider_id, m.lot_id, m.score, m.note.clone(), m.recorded_by, m.recorded_at]),
        progress,
    )
    .await?;
    insert(
        &txn,
        "budgets",
        &[
            "id",
            "holder_id",
            "council_id",
            "budget_type",
            "isf_provider_id",
            "four_weekly_allocation_pence",
            "four_weekly_contribution_pence",
            "starts_on",
            "created_at",
        ],
        data.budgets.iter().map(|b| {
            row![
                b.id,
                b.holder_id,
                c.id,
                b.budget_type,
                b.isf_provider_id,
                b.four_weekly_allocation_pence,
                b.four_weekly_contribution_pence,
                b.starts_on,
                created
            ]
        }),
        progress,
    )
    .await?;
    let ids = AccountIds::new(data);
    let plan = care_year::Plan::new(data, &ids);
    load_ledger(&txn, data, &ids, &plan, progress).await?;
    // Each booking keeps the terms of its service.
    let terms: std::collections::HashMap<i64, &seeds::Listing> = data.listings.iter().map(|l| (l.id, l)).collect();
    let bookings = data.bookings().map(|b| {
        let listing = terms[&b.listing_id];
        row![
            b.id,
            b.reference,
            b.listing_id,
            b.provider_id,
            b.person_id,
            Some(b.budget_id),
            b.placed_by,
            b.channel,
            b.lot_id,
            b.status,
            if b.weekdays.is_some() { "weekly" } else { "one_off" },
            b.starts_at,
            b.weekdays,
            b.duration_minutes,
            b.unit_price_pence,
            b.unit,
            b.committed_pence,
            "budget",
            b.requested_at,
            b.confirmed_at,
            Some(b.closed_at),
            close_code(b.status),
            listing.cancellation_notice_hours,
            listing.late_cancellation_percent,
            listing.billing_increment_minutes
        ]
    });
    insert(
        &txn,
        "bookings",
        &[
            "id",
            "reference",
            "listing_id",
            "provider_id",
            "person_id",
            "budget_id",
            "placed_by",
            "channel",
            "lot_id",
            "status",
            "schedule",
            "starts_at",
            "weekdays",
            "duration_minutes",
            "unit_price_pence",
            "unit",
            "committed_pence",
            "paid_by",
            "requested_at",
            "confirmed_at",
            "closed_at",
            "close_code",
            "cancellation_notice_hours",
            "late_cancellation_percent",
            "billing_increment_minutes",
        ],
        bookings,
        progress,
    )
    .await?;
    care_year::load(&txn, data, &plan, &ids, progress).await?;
    load_placements(&txn, data, progress).await?;
    crate::domain::reports::days::rebuild(&txn).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        reset_sequences(&txn).await?;
    }
    txn.commit().await?;
    Ok(SeedOutcome::Loaded)
}

/// The ledger's account ids, given when loading: 1 is the council's funding; budget n has 2n
/// (available) and 2n + 1 (committed); then each provider its payable and paid accounts.
struct AccountIds {
    first_provider_account: i64,
    provider_index: std::collections::HashMap<i64, i64>,
}

impl AccountIds {
    fn new(data: &Dataset) -> Self {
        let provider_index = data.providers.iter().zip(0..).map(|(provider, index)| (provider.id, index)).collect();
        Self { first_provider_account: 2 + data.budgets.len() as i64 * 2, provider_index }
    }

    fn funding(&self) -> i64 {
        1
    }

    fn available(&self, budget_id: i64) -> i64 {
        budget_id * 2
    }

    fn committed(&self, budget_id: i64) -> i64 {
        budget_id * 2 + 1
    }

    fn payable(&self, provider_id: i64) -> i64 {
        self.first_provider_account + self.provider_index[&provider_id] * 2
    }

    fn paid(&self, provider_id: i64) -> i64 {
        self.payable(provider_id) + 1
    }
}

/// Ledger accounts for the council, each budget and each provider, with the balances the
/// allocations (and the bench set's year of care) leave in them, and the allocations, written
/// as balanced transfers keyed as the allocation run keys them, so running it again in a period
/// pays nothing twice.
async fn load_ledger(db: &impl ConnectionTrait, data: &Dataset, ids: &AccountIds, plan: &care_year::Plan, progress: Progress<'_>) -> AppResult<()> {
    let council_id = data.council.id;
    let balance = |id: i64| plan.balances.get(&id).copied().unwrap_or(0);
    let mut accounts =
        vec![row![ids.funding(), format!("council:{council_id}:funding"), "council_funding", council_id, None::<i64>, None::<i64>, balance(ids.funding())]];
    for budget in &data.budgets {
        let (available, committed) = (ids.available(budget.id), ids.committed(budget.id));
        accounts.push(row![
            available,
            format!("budget:{}:available", budget.id),
            "budget_available",
            council_id,
            Some(budget.id),
            None::<i64>,
            balance(available)
        ]);
        accounts.push(row![
            committed,
            format!("budget:{}:committed", budget.id),
            "budget_committed",
            council_id,
            Some(budget.id),
            None::<i64>,
            balance(committed)
        ]);
    }
    for provider in &data.providers {
        let (payable, paid) = (ids.payable(provider.id), ids.paid(provider.id));
        let code = |kind: &str| format!("council:{council_id}:provider:{}:{kind}", provider.id);
        accounts.push(row![payable, code("payable"), "provider_payable", council_id, None::<i64>, Some(provider.id), balance(payable)]);
        accounts.push(row![paid, code("paid"), "provider_paid", council_id, None::<i64>, Some(provider.id), balance(paid)]);
    }
    insert(db, "ledger_accounts", &["id", "code", "kind", "council_id", "budget_id", "provider_id", "balance_pence"], accounts, progress).await?;
    let amounts: std::collections::HashMap<i64, i64> = data.budgets.iter().map(|b| (b.id, b.four_weekly_allocation_pence)).collect();
    let transfers = data.allocations().map(|(budget_id, period_start, paid_at)| {
        row![budgets::allocation_key(budget_id, period_start), ids.funding(), ids.available(budget_id), amounts[&budget_id], "allocation", paid_at]
    });
    insert(db, "ledger_transfers", &["idempotency_key", "debit_account_id", "credit_account_id", "amount_pence", "kind", "created_at"], transfers, progress)
        .await
}

/// The history's placements (confirmed and not cancelled), as `domain::placements` records
/// them when a provider confirms.
async fn load_placements(db: &impl ConnectionTrait, data: &Dataset, progress: Progress<'_>) -> AppResult<()> {
    use crate::domain::{placements, uk_time};
    let listings: std::collections::HashMap<i64, &seeds::Listing> = data.listings.iter().map(|l| (l.id, l)).collect();
    let lot_areas: std::collections::HashMap<i64, i64> = data.lots.iter().map(|lot| (lot.id, lot.locality_id)).collect();
    let district_areas: std::collections::HashMap<&str, i64> = data.districts.iter().map(|d| (d.code.as_str(), d.locality_id)).collect();
    let rows = data.bookings().filter(|b| b.status != "cancelled").filter_map(|b| {
        let confirmed_at = b.confirmed_at?;
        let listing = listings[&b.listing_id];
        let area =
            b.lot_id.and_then(|lot| lot_areas.get(&lot).copied()).or_else(|| listing.base_district.as_deref().and_then(|d| district_areas.get(d).copied()));
        Some(row![
            b.id,
            data.council.id,
            uk_time::to_local(confirmed_at).date(),
            listing.category,
            b.lot_id,
            b.provider_id,
            area,
            b.channel,
            placements::weekly_value(b.unit, b.unit_price_pence, b.duration_minutes, b.weekdays.as_deref()),
            b.unit_price_pence,
            b.unit,
            placements::minutes_to_place(b.requested_at, confirmed_at)
        ])
    });
    insert(
        db,
        "placements",
        &[
            "booking_id",
            "council_id",
            "placed_on",
            "category",
            "lot_id",
            "provider_id",
            "locality_id",
            "channel",
            "weekly_value_pence",
            "unit_price_pence",
            "unit",
            "minutes_to_place",
        ],
        rows,
        progress,
    )
    .await
}

/// After loading explicit ids, PostgreSQL's sequences must start above them.
async fn reset_sequences(db: &impl ConnectionTrait) -> AppResult<()> {
    for table in [
        "councils",
        "localities",
        "providers",
        "listings",
        "listing_availability",
        "users",
        "frameworks",
        "lots",
        "accreditations",
        "monitoring_scores",
        "budgets",
        "ledger_accounts",
        "ledger_transfers",
        "bookings",
        "visits",
        "payment_runs",
        "recoveries",
    ] {
        db.execute_unprepared(&format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))")).await?;
    }
    Ok(())
}

/// Inserts rows in batches, reporting progress.
/// Why a generated booking closed, by its status: the generator's cancellations are the
/// person's own.
fn close_code(status: &str) -> Option<app::CloseReason> {
    match status {
        "declined" => Some(app::CloseReason::Declined),
        "lapsed" => Some(app::CloseReason::NotAnswered),
        "cancelled" => Some(app::CloseReason::CancelledByPerson),
        _ => None,
    }
}

async fn insert(
    db: &impl ConnectionTrait,
    table: &'static str,
    columns: &[&'static str],
    rows: impl IntoIterator<Item = Vec<SimpleExpr>>,
    progress: Progress<'_>,
) -> AppResult<()> {
    let rows = rows.into_iter();
    let total = rows.size_hint().1.unwrap_or(0);
    let mut done = 0;
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        batch.extend(rows.by_ref().take(BATCH_ROWS));
        let mut statement = Query::insert();
        statement.into_table(table).columns(columns.iter().copied());
        for row in batch.drain(..) {
            statement.values(row).map_err(|error| AppError::internal(format!("seed row for {table}: {error}")))?;
        }
        db.execute(&statement).await?;
        done += BATCH_ROWS;
        progress(table, done.min(total.max(done)), total.max(done));
    }
    Ok(())
}
