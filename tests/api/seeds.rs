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

#[tokio::test]
async fn seeded_ledger_balances_equal_their_transfers_and_sum_to_zero() {
    let (_database, db) = seeded(seeds::DEFAULT_SEED).await;
    let one = |sql: &str| {
        let db = &db;
        let sql = sql.to_string();
        async move {
            let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect("query").expect("row");
            row.try_get_by_index::<Option<i64>>(0).expect("number").unwrap_or(0)
        }
    };
    assert_eq!(one("SELECT CAST(SUM(balance_pence) AS BIGINT) FROM ledger_accounts").await, 0, "the ledger sums to zero");
    let mismatched = one("SELECT COUNT(*) FROM ledger_accounts a WHERE a.balance_pence <> \
         COALESCE((SELECT SUM(amount_pence) FROM ledger_transfers t WHERE t.credit_account_id = a.id), 0) - \
         COALESCE((SELECT SUM(amount_pence) FROM ledger_transfers t WHERE t.debit_account_id = a.id), 0)")
    .await;
    assert_eq!(mismatched, 0, "every cached balance equals the sum of its transfers");
    assert!(one("SELECT COUNT(*) FROM ledger_transfers").await >= 150);
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
