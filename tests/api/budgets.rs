//! Personal budgets: the allocation run pays each budget once per 4-week period, the
//! statement shows every transfer with its running balance (page and CSV), and only the
//! people who may see a budget can.
use chrono::{Duration, NaiveDate};
use sea_orm::EntityTrait;
use server::domain::budgets::{self, period_start};
use server::domain::ledger::{self, Account};
use tests::{TestApp, fixtures};

fn day(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

#[test]
fn periods_are_four_weeks_from_the_start_date() {
    let starts = day("2026-10-05");
    assert_eq!(period_start(starts, day("2026-10-05")), starts);
    assert_eq!(period_start(starts, day("2026-11-01")), starts);
    assert_eq!(period_start(starts, day("2026-11-02")), day("2026-11-02"));
    assert_eq!(period_start(starts, day("2026-11-29")), day("2026-11-02"));
    assert_eq!(period_start(starts, day("2026-11-30")), day("2026-11-30"));
}

#[tokio::test]
async fn the_allocation_run_pays_each_budget_once_per_period() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let starts = day("2026-10-05");
    let budget = fixtures::budget(&app.db, council, app.personas.budget_holder.id, "direct_payment", 84_000, starts).await;
    let available = || async { ledger::balance(&app.db, &Account::budget_available(council, budget)).await.expect("balance") };
    let run = |on: &'static str| {
        let db = app.db.clone();
        async move { budgets::run_allocations(&db, day(on), chrono::Utc::now()).await.expect("allocation run") }
    };

    assert_eq!(run("2026-10-04").await.paid, 0, "nothing before the budget starts");
    assert_eq!(available().await, 0);
    let first = run("2026-10-05").await;
    assert_eq!((first.paid, first.total_pence), (1, 84_000));
    let again = run("2026-10-20").await;
    assert_eq!((again.paid, again.already_paid), (0, 1), "the same period is not paid twice");
    assert_eq!(available().await, 84_000);
    assert_eq!(run("2026-11-02").await.paid, 1, "the next period is paid");
    assert_eq!(available().await, 168_000);
    let soundness = ledger::soundness(&app.db).await.expect("check");
    assert!(soundness.is_sound(), "{soundness:?}");
}

#[tokio::test]
async fn the_statement_lists_every_transfer_with_the_balance_after_it() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let today = chrono::Utc::now().date_naive();
    let budget = fixtures::budget(&app.db, council, app.personas.budget_holder.id, "direct_payment", 30_000, today - Duration::days(28)).await;
    budgets::run_allocations(&app.db, today - Duration::days(28), chrono::Utc::now()).await.expect("first period");
    budgets::run_allocations(&app.db, today, chrono::Utc::now()).await.expect("second period");
    // Money set aside for care, then some of it released.
    for (key, from, to, amount, kind) in [
        ("set-aside", Account::budget_available(council, budget), Account::budget_committed(council, budget), 12_550, "commitment"),
        ("release", Account::budget_committed(council, budget), Account::budget_available(council, budget), 2_550, "release"),
    ] {
        let txn = server::db::begin_write(&app.db).await.expect("begin");
        ledger::transfer(&txn, &ledger::Transfer::new(key, from, to, amount, kind), chrono::Utc::now()).await.expect("transfer");
        txn.commit().await.expect("commit");
    }

    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let page = holder.get("/budget/statement").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let text = page.text();
    assert!(text.contains("Available to spend£500.00") && text.contains("Set aside for booked care£100.00"), "{text}");
    for expected in ["Council payment for the 4 weeks from", "Set aside for care booked", "Released: no longer needed"] {
        assert!(text.contains(expected), "the statement says {expected:?}: {text}");
    }
    let csv = holder.get(&format!("/budget/statement.csv?budget={budget}")).await;
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"].to_str().unwrap_or_default().starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], "Date,Details,Money in (GBP),Money out (GBP),Available after (GBP),Set aside after (GBP)");
    let balances: Vec<(&str, &str)> = lines[1..]
        .iter()
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (cells[cells.len() - 2], cells[cells.len() - 1])
        })
        .collect();
    assert_eq!(balances, [("300.00", "0.00"), ("600.00", "0.00"), ("474.50", "125.50"), ("500.00", "100.00")]);
    // Own budget without naming it: the same lines.
    assert_eq!(holder.get("/budget/statement.csv").await.body, csv.body);
}

#[tokio::test]
async fn only_the_holder_a_trusted_planner_and_the_council_see_a_budget() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let today = chrono::Utc::now().date_naive();
    let budget = fixtures::budget(&app.db, council, app.personas.budget_holder.id, "direct_payment", 30_000, today).await;
    let other = fixtures::user(&app.db, council, "someone-else@test.example", app::Role::BudgetHolder, None).await;
    fixtures::budget(&app.db, council, other.id, "direct_payment", 10_000, today).await;
    let statement = format!("/budget/statement.csv?budget={budget}");

    let status = |persona: fixtures::Persona| {
        let (app, statement) = (&app, statement.clone());
        async move { app.signed_in(&persona).await.get(&statement).await.status }
    };
    assert_eq!(status(app.personas.budget_holder.clone()).await, 200);
    assert_eq!(status(app.personas.commissioner.clone()).await, 200);
    assert_eq!(status(other.clone()).await, 403, "another budget holder");
    assert_eq!(status(app.personas.provider.clone()).await, 403, "a provider that does not hold the fund");
    assert_eq!(status(app.personas.planner.clone()).await, 403, "a planner without the person's permission");
    assert_eq!(app.visitor().get(&statement).await.status, 303, "a visitor is sent to sign in");

    let delegation = fixtures::insert(
        &app.db,
        "delegations",
        &[
            ("holder_id", app.personas.budget_holder.id.into()),
            ("delegate_id", app.personas.planner.id.into()),
            ("can_view", true.into()),
            ("can_book", false.into()),
            ("can_pay", false.into()),
            ("created_at", chrono::Utc::now().into()),
        ],
    )
    .await;
    assert_eq!(status(app.personas.planner.clone()).await, 200, "a planner the person trusts");
    app.execute_sql(&format!("UPDATE delegations SET revoked_at = CURRENT_TIMESTAMP WHERE id = {delegation}")).await;
    assert_eq!(status(app.personas.planner.clone()).await, 403, "after the person revoked it");

    // The page refuses the same way.
    let mut other_holder = app.signed_in(&other).await;
    let page = other_holder.get(&format!("/budget/statement?budget={budget}")).await;
    assert_eq!((page.status, page.heading()), (403, "You do not have access to this page".to_string()));
    assert!(!page.contains("Council payment"), "nothing of the budget is shown");
}

#[tokio::test]
async fn statement_dates_are_uk_dates() {
    let app = TestApp::new().await;
    let holder = app.personas.budget_holder.id;
    fixtures::budget(&app.db, app.personas.council_id, holder, "direct_payment", 84_000, day("2026-06-01")).await;
    // 23:30 on 1 July in UTC is 00:30 on 2 July in the UK (summer time).
    let late = "2026-07-01T23:30:00Z".parse().expect("a time");
    budgets::run_allocations(&app.db, day("2026-07-01"), late).await.expect("allocation run");
    let viewer =
        server::domain::auth::signed_in_user(&server::entities::user::Entity::find_by_id(holder).one(&app.db).await.expect("read").expect("the holder"))
            .expect("signed in");
    let statement = budgets::statement(&app.db, &viewer, None, None, late).await.expect("statement");
    assert_eq!(statement.rows[0].date, "2026-07-02");
}
