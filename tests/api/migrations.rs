use migrations::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;
use tests::{TestDatabase, fixtures};

async fn table_names(db: &server::db::Db) -> Vec<String> {
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'seaql_migrations' ORDER BY 1",
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations' ORDER BY 1",
    };
    db.query_all_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("list tables")
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("name"))
        .collect()
}

#[tokio::test]
async fn migrations_go_all_the_way_up_down_and_up_again() {
    let database = TestDatabase::fresh().await;
    let db = database.connect().await;
    Migrator::up(db.pool(), None).await.expect("up");
    let tables = table_names(&db).await;
    for table in [
        "councils",
        "users",
        "sessions",
        "providers",
        "listings",
        "lots",
        "accreditations",
        "budgets",
        "ledger_accounts",
        "ledger_transfers",
        "bookings",
        "visits",
        "delegations",
        "audit_log",
        "outbox",
    ] {
        assert!(tables.contains(&table.to_string()), "{table} missing after up: {tables:?}");
    }
    Migrator::down(db.pool(), None).await.expect("down");
    assert!(table_names(&db).await.is_empty(), "every table is dropped by down");
    Migrator::up(db.pool(), None).await.expect("up again");
    assert_eq!(table_names(&db).await, tables);
}

#[tokio::test]
async fn the_database_refuses_a_negative_budget_balance() {
    let database = TestDatabase::fresh().await;
    let db = database.connect().await;
    Migrator::up(db.pool(), None).await.expect("up");
    let personas = fixtures::personas(&db).await;
    let budget = fixtures::insert(
        &db,
        "budgets",
        &[
            ("holder_id", personas.budget_holder.id.into()),
            ("council_id", personas.council_id.into()),
            ("budget_type", "direct_payment".into()),
            ("four_weekly_allocation_pence", 10_000_i64.into()),
            ("four_weekly_contribution_pence", 0_i64.into()),
            ("starts_on", chrono::NaiveDate::from_ymd_opt(2026, 1, 1).into()),
            ("created_at", chrono::Utc::now().into()),
        ],
    )
    .await;
    let account = |kind: &'static str, balance: i64| {
        let db = &db;
        async move {
            fixtures::try_insert(
                db,
                "ledger_accounts",
                &[
                    ("code", format!("budget:{budget}:{kind}:{balance}").into()),
                    ("kind", kind.into()),
                    ("council_id", personas.council_id.into()),
                    ("budget_id", Some(budget).into()),
                    ("balance_pence", balance.into()),
                ],
            )
            .await
        }
    };
    assert!(account("budget_available", 0).await.is_ok());
    assert!(account("budget_available", -1).await.is_err(), "a budget account below zero is refused by the database");
    assert!(
        fixtures::try_insert(
            &db,
            "ledger_accounts",
            &[
                ("code", "council:funding".into()),
                ("kind", "council_funding".into()),
                ("council_id", personas.council_id.into()),
                ("balance_pence", (-500_i64).into()),
            ]
        )
        .await
        .is_ok(),
        "the council's funding account is the other side of allocations and may be negative"
    );
}

#[tokio::test]
async fn the_audit_log_is_append_only_in_the_database() {
    let database = TestDatabase::fresh().await;
    let db = database.connect().await;
    Migrator::up(db.pool(), None).await.expect("up");
    let id = fixtures::insert(&db, "audit_log", &[("at", chrono::Utc::now().into()), ("action", "test".into()), ("detail", "{}".into())]).await;
    assert!(db.execute_unprepared(&format!("UPDATE audit_log SET action = 'changed' WHERE id = {id}")).await.is_err());
    assert!(db.execute_unprepared(&format!("DELETE FROM audit_log WHERE id = {id}")).await.is_err());
    assert_eq!(fixtures::count(&db, "audit_log").await, 1);
}

#[tokio::test]
async fn transfer_idempotency_keys_are_unique() {
    let database = TestDatabase::fresh().await;
    let db = database.connect().await;
    Migrator::up(db.pool(), None).await.expect("up");
    let personas = fixtures::personas(&db).await;
    let a = fixtures::insert(
        &db,
        "ledger_accounts",
        &[("code", "a".into()), ("kind", "council_funding".into()), ("council_id", personas.council_id.into()), ("balance_pence", 0_i64.into())],
    )
    .await;
    let b = fixtures::insert(
        &db,
        "ledger_accounts",
        &[("code", "b".into()), ("kind", "card_clearing".into()), ("council_id", personas.council_id.into()), ("balance_pence", 0_i64.into())],
    )
    .await;
    let transfer = |key: &'static str, amount: i64| {
        let db = &db;
        async move {
            fixtures::try_insert(
                db,
                "ledger_transfers",
                &[
                    ("idempotency_key", key.into()),
                    ("debit_account_id", a.into()),
                    ("credit_account_id", b.into()),
                    ("amount_pence", amount.into()),
                    ("kind", "test".into()),
                    ("created_at", chrono::Utc::now().into()),
                ],
            )
            .await
        }
    };
    assert!(transfer("once", 100).await.is_ok());
    assert!(transfer("once", 100).await.is_err(), "the same key cannot move money twice");
    assert!(transfer("zero", 0).await.is_err(), "transfers move a positive amount");
}

#[tokio::test]
async fn bookings_closed_before_close_codes_are_given_theirs() {
    let database = TestDatabase::fresh().await;
    let db = database.connect().await;
    Migrator::up(db.pool(), None).await.expect("up");
    let people = fixtures::personas(&db).await;
    let listing = fixtures::listing(&db, people.provider_id, "Home care", "published").await;
    let now = chrono::Utc::now();
    let budget = fixtures::budget(&db, people.council_id, people.budget_holder.id, "direct_payment", 100_000, now.date_naive()).await;
    // As the last version wrote them: the reason in words, no code.
    let closed = [
        ("CM-AAAA-0001", "declined", Some("Fully booked")),
        ("CM-AAAA-0002", "lapsed", Some("not answered in time")),
        ("CM-AAAA-0003", "cancelled", Some("cancelled by the person")),
        ("CM-AAAA-0004", "cancelled", Some("cancelled by the provider: no staff on Wednesdays")),
        ("CM-AAAA-0005", "confirmed", None),
    ];
    // Back to just before the close codes' migration, however many came after it.
    let migrations = Migrator::migrations();
    let from_the_end = migrations.iter().rev().position(|m| m.name() == "m20261207_000023_add_booking_close_codes").expect("the close codes' migration");
    Migrator::down(db.pool(), Some(u32::try_from(from_the_end + 1).expect("a few"))).await.expect("down to the version before close codes");
    for (reference, status, reason) in closed {
        let holder = people.budget_holder.id;
        fixtures::insert(
            &db,
            "bookings",
            &[
                ("reference", reference.into()),
                ("listing_id", listing.into()),
                ("provider_id", people.provider_id.into()),
                ("person_id", holder.into()),
                ("budget_id", budget.into()),
                ("placed_by", holder.into()),
                ("channel", "self".into()),
                ("status", status.into()),
                ("schedule", "one_off".into()),
                ("starts_at", now.into()),
                ("duration_minutes", 60.into()),
                ("unit_price_pence", 2_000_i64.into()),
                ("unit", "hour".into()),
                ("committed_pence", 0_i64.into()),
                ("paid_by", "budget".into()),
                ("requested_at", now.into()),
                ("close_reason", reason.map(str::to_string).into()),
            ],
        )
        .await;
    }
    Migrator::up(db.pool(), None).await.expect("up again");
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(db.get_database_backend(), "SELECT close_code FROM bookings ORDER BY reference"))
        .await
        .expect("read the codes");
    let codes: Vec<Option<String>> = rows.iter().map(|row| row.try_get_by_index(0).expect("a code or none")).collect();
    let expected = [Some("declined"), Some("not_answered"), Some("cancelled_by_person"), Some("handed_back"), None];
    assert_eq!(codes, expected.map(|code| code.map(str::to_string)));
}
