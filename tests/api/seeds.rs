use sea_orm::{ConnectionTrait, Statement};
use server::db::Db;
use server::seed::{SeedOutcome, load};
use tests::TestDatabase;

const SNAPSHOT: &[(&str, &str, &str)] = &[
    ("providers", "id, public_id, name, regulator_rating, assured_at, contact_phone", "id"),
    ("listings", "id, public_id, provider_id, title, price_pence, unit, status", "id"),
    ("listing_areas", "listing_id, district", "listing_id, district"),
    ("users", "id, email, display_name, role, provider_id, password_hash", "id"),
    ("lots", "id, name, price_cap_pence, quality_weight", "id"),
    ("accreditations", "id, lot_id, provider_id, contracted_rate_pence, status", "id"),
    ("budgets", "id, holder_id, budget_type, four_weekly_allocation_pence, isf_provider_id", "id"),
    ("ledger_accounts", "id, code, balance_pence", "id"),
    ("ledger_transfers", "idempotency_key, debit_account_id, credit_account_id, amount_pence", "idempotency_key"),
    ("bookings", "id, reference, listing_id, person_id, channel, status, requested_at, confirmed_at, committed_pence", "id"),
];

/// Every row of the tables that matter, as text, in a stable order.
async fn snapshot(db: &Db) -> Vec<String> {
    let mut rows = Vec::new();
    for (table, columns, order) in SNAPSHOT {
        let select = columns.split(", ").map(|c| format!("CAST({c} AS TEXT)")).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT {select} FROM {table} ORDER BY {order}");
        for row in db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect("query") {
            let values: Vec<String> =
                (0..columns.split(", ").count()).map(|i| row.try_get_by_index::<Option<String>>(i).expect("text").unwrap_or_else(|| "∅".into())).collect();
            rows.push(format!("{table}: {}", values.join(" | ")));
        }
    }
    rows
}

async fn seeded(seed: u64) -> (TestDatabase, Db) {
    let database = TestDatabase::fresh().await;
    let db = database.connect().await;
    server::db::migrate(&db).await.expect("migrate");
    let data = seeds::generate(seeds::Size::Demo, seed);
    assert_eq!(load(&db, &data, &|_, _, _| {}).await.expect("load"), SeedOutcome::Loaded);
    (database, db)
}

#[tokio::test]
async fn loading_the_demo_data_twice_changes_nothing() {
    let (_database, db) = seeded(seeds::DEFAULT_SEED).await;
    let before = snapshot(&db).await;
    assert!(before.iter().filter(|row| row.starts_with("providers:")).count() == 60);
    let data = seeds::generate(seeds::Size::Demo, seeds::DEFAULT_SEED);
    assert_eq!(load(&db, &data, &|_, _, _| {}).await.expect("second load"), SeedOutcome::AlreadyLoaded);
    assert_eq!(snapshot(&db).await, before);
}

#[tokio::test]
async fn the_same_seed_loads_the_same_data() {
    let (_first, a) = seeded(11).await;
    let (_second, b) = seeded(11).await;
    let (left, right) = (snapshot(&a).await, snapshot(&b).await);
    assert!(left.len() > 5_000, "the snapshot covers the data set ({} rows)", left.len());
    assert_eq!(left, right);
    let (_third, c) = seeded(12).await;
    assert_ne!(snapshot(&c).await, left, "a different seed gives different data");
}

/// A single number a query returns.
async fn number(db: &Db, sql: &str) -> i64 {
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_string())).await.expect("query").expect("row");
    row.try_get_by_index::<Option<i64>>(0).expect("number").unwrap_or(0)
}

#[tokio::test]
async fn seeded_ledger_balances_equal_their_transfers_and_sum_to_zero() {
    let (_database, db) = seeded(seeds::DEFAULT_SEED).await;
    assert_eq!(number(&db, "SELECT CAST(SUM(balance_pence) AS BIGINT) FROM ledger_accounts").await, 0, "the ledger sums to zero");
    let mismatched = number(
        &db,
        "SELECT COUNT(*) FROM ledger_accounts a WHERE a.balance_pence <> \
         COALESCE((SELECT SUM(amount_pence) FROM ledger_transfers t WHERE t.credit_account_id = a.id), 0) - \
         COALESCE((SELECT SUM(amount_pence) FROM ledger_transfers t WHERE t.debit_account_id = a.id), 0)",
    )
    .await;
    assert_eq!(mismatched, 0, "every cached balance equals the sum of its transfers");
    assert!(number(&db, "SELECT COUNT(*) FROM ledger_transfers").await >= 150);
}

/// The bench set's year of care (visits, allocations, settlements, payment runs, queries and
/// recoveries), loaded on the demo's smaller history: the ledger is sound, every figure agrees
/// with the rows behind it, and the provider's payments page splits each run into its visits.
#[tokio::test]
async fn a_year_of_care_loads_as_caremarket_would_have_recorded_it() {
    let database = TestDatabase::fresh().await;
    let db = database.connect().await;
    server::db::migrate(&db).await.expect("migrate");
    let mut data = seeds::generate(seeds::Size::Demo, seeds::DEFAULT_SEED);
    data.has_care_year = true;
    assert_eq!(load(&db, &data, &|_, _, _| {}).await.expect("load"), SeedOutcome::Loaded);

    let soundness = server::domain::ledger::soundness(&db).await.expect("check");
    assert!(soundness.is_sound(), "{soundness:?}");
    let visits = number(&db, "SELECT COUNT(*) FROM visits").await;
    assert!(visits > 300, "a year of visits ({visits})");
    let year_starts = seeds::care_year_starts().format("%Y-%m-%d").to_string();
    let outside = format!(
        "SELECT COUNT(*) FROM visits v JOIN bookings b ON b.id = v.booking_id \
         WHERE b.status <> 'completed' OR v.scheduled_start < '{year_starts}' OR v.scheduled_start < b.starts_at OR v.scheduled_start > b.closed_at"
    );
    assert_eq!(number(&db, &outside).await, 0, "visits only for completed bookings, in the year and while the booking ran");
    // Every visit set aside once; each delivered and confirmed one settled for what it charged,
    // each missed one released; queried ones wait with their money set aside.
    assert_eq!(number(&db, "SELECT COUNT(*) FROM ledger_transfers WHERE kind = 'commitment'").await, visits);
    let settled = "SELECT CAST(SUM(charged_pence) AS BIGINT) FROM visits WHERE confirmation = 'confirmed'";
    assert_eq!(number(&db, settled).await, number(&db, "SELECT CAST(SUM(amount_pence) AS BIGINT) FROM ledger_transfers WHERE kind = 'settlement'").await);
    let missed = number(&db, "SELECT COUNT(*) FROM visits WHERE status = 'missed' AND charged_pence = 0").await;
    assert!(missed > 0, "some visits were missed");
    assert_eq!(missed, number(&db, "SELECT COUNT(*) FROM ledger_transfers WHERE kind = 'release'").await);
    let open_queries = "SELECT CAST(SUM(charged_pence) AS BIGINT) FROM visits WHERE confirmation = 'queried'";
    assert_eq!(
        number(&db, open_queries).await,
        number(&db, "SELECT CAST(SUM(balance_pence) AS BIGINT) FROM ledger_accounts WHERE kind = 'budget_committed'").await,
        "what is still set aside is what the open queries charge"
    );
    assert!(number(&db, "SELECT COUNT(*) FROM visits WHERE query_text IS NOT NULL AND answer_text IS NOT NULL").await > 0, "answered queries");
    // A year of 4-weekly allocations, and monthly payment runs each totalling its payments.
    assert!(number(&db, "SELECT COUNT(*) FROM ledger_transfers WHERE kind = 'allocation'").await > 1_000);
    assert_eq!(number(&db, "SELECT COUNT(*) FROM payment_runs").await, 11, "the first of each month of the year");
    let runs_off = "SELECT COUNT(*) FROM payment_runs r WHERE r.total_pence <> \
        (SELECT SUM(amount_pence) FROM ledger_transfers t WHERE t.payment_ref = r.reference AND t.kind = 'payment')";
    assert_eq!(number(&db, runs_off).await, 0);
    // Recoveries: each made one moved exactly what it says.
    assert!(number(&db, "SELECT COUNT(*) FROM recoveries WHERE status = 'recovered'").await > 0);
    assert_eq!(
        number(&db, "SELECT CAST(SUM(recovered_pence) AS BIGINT) FROM recoveries").await,
        number(&db, "SELECT CAST(SUM(amount_pence) AS BIGINT) FROM ledger_transfers WHERE kind = 'recovery'").await
    );

    // The busiest provider's payments page: each run's amount is its visits' sum.
    let provider = number(
        &db,
        "SELECT b.provider_id FROM visits v JOIN bookings b ON b.id = v.booking_id GROUP BY b.provider_id ORDER BY COUNT(*) DESC, b.provider_id LIMIT 1",
    )
    .await;
    let staff = number(&db, &format!("SELECT MIN(id) FROM users WHERE provider_id = {provider}")).await;
    let viewer = app::SignedInUser { user_id: staff, display_name: "Staff".into(), role: app::Role::Provider, council_id: 1, provider_id: Some(provider) };
    let page = server::domain::provider_payments::page(&db, &viewer).await.expect("payments page");
    let runs = &page.councils[0].runs;
    assert!(runs.len() > 3, "paid in most months ({})", runs.len());
    for run in runs {
        assert_eq!(run.amount_pence, run.visits.iter().map(|visit| visit.amount_pence).sum::<i64>(), "run {}", run.reference);
    }
}

#[tokio::test]
async fn seeds_refuse_a_database_that_holds_other_data() {
    let app = tests::TestApp::new().await; // has a council of its own
    let data = seeds::generate(seeds::Size::Demo, seeds::DEFAULT_SEED);
    let before = tests::fixtures::count(&app.db, "providers").await;
    assert!(load(&app.db, &data, &|_, _, _| {}).await.is_err());
    assert_eq!(tests::fixtures::count(&app.db, "providers").await, before, "nothing was loaded");
}

#[tokio::test]
async fn the_published_demo_sign_ins_are_found_until_each_is_changed() {
    use server::domain::auth::demo_logins_present;
    let (_database, db) = seeded(seeds::DEFAULT_SEED).await;
    assert!(demo_logins_present(&db).await.expect("check"), "the demo data's sign-ins are there");
    // Each one disabled or given another password: none is left to let a stranger in.
    for (_, email) in seeds::DEMO_LOGINS {
        assert!(demo_logins_present(&db).await.expect("check"));
        let hash = server::domain::auth::hash_password("a password nobody has published").expect("hash");
        let sql = format!("UPDATE users SET password_hash = '{hash}' WHERE email = '{email}'");
        db.execute_unprepared(&sql).await.expect("change the password");
    }
    assert!(!demo_logins_present(&db).await.expect("check"));
}
