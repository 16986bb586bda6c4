//! The monthly clean-account statement: every council budget gets one for the month before,
//! with its balances at the month's start and end (as the ledger had them then, whatever moved
//! since), money in and out by kind, and its flags or "No concerns"; made once however often
//! the job runs; none for a self-funder's account; read by the holder, helpers who may see the
//! budget and the council, as a page and as CSV, and by nobody else.
use crate::booking_changes::{booked, user};
use crate::bookings::{next_monday, question_query};
use chrono::{Duration, Months, NaiveDate, Utc};
use server::domain::{budgets, monthly_statements, uk_time};
use server::error::AppError;
use tests::{TestApp, fixtures};

#[tokio::test]
async fn each_council_budget_gets_last_months_statement_once_as_the_ledger_had_it_and_only_its_people_read_it() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let now = Utc::now();
    let month = monthly_statements::month_before(uk_time::to_local(now).date());
    let (code, name) = (monthly_statements::month_code(month), monthly_statements::month_name(month));
    // A budget that started the month before last. Its first allocation was paid then, the
    // second during last month, the third now; and care was booked now: after last month.
    let started = month - Months::new(1);
    let budget = fixtures::budget(&app.db, council, app.personas.budget_holder.id, "direct_payment", 84_000, started).await;
    let at = |day: NaiveDate| uk_time::to_utc(day.and_hms_opt(10, 0, 0).expect("a time"));
    budgets::run_allocations(&app.db, started, at(month - Duration::days(5))).await.expect("first allocation");
    budgets::run_allocations(&app.db, started + Duration::days(28), at(month + Duration::days(3))).await.expect("second allocation");
    budgets::run_allocations(&app.db, uk_time::to_local(now).date(), now).await.expect("this period's allocation");
    let booking = booked(&app, &question_query("once", next_monday(), "09:00", "60", &[])).await;
    // Not for a self-funder's own account, nor a budget that had not started.
    let self_funder = fixtures::user(&app.db, council, "self@test.example", app::Role::BudgetHolder, None).await;
    let own = fixtures::budget(&app.db, council, self_funder.id, "direct_payment", 0, started).await;
    app.execute_sql(&format!("UPDATE budgets SET funding = 'self' WHERE id = {own}")).await;
    let later = fixtures::user(&app.db, council, "later@test.example", app::Role::BudgetHolder, None).await;
    fixtures::budget(&app.db, council, later.id, "direct_payment", 84_000, month + Months::new(1)).await;
    // A budget that started last month and has spent nothing yet: no concerns.
    let quiet_holder = fixtures::user(&app.db, council, "quiet@test.example", app::Role::BudgetHolder, None).await;
    let quiet = fixtures::budget(&app.db, council, quiet_holder.id, "direct_payment", 84_000, month).await;
    budgets::run_allocations(&app.db, month, at(month + Duration::days(1))).await.expect("its first allocation");

    assert_eq!(monthly_statements::make_due(&app.db, now).await.expect("made"), 2, "two council budgets had started");
    assert_eq!(monthly_statements::make_due(&app.db, now).await.expect("made"), 0, "made once however often it runs");

    let holder = user(&app, app.personas.budget_holder.id).await;
    let statement = monthly_statements::one(&app.db, &holder, None, None, &code, now).await.expect("the holder's statement");
    assert_eq!((statement.month_name.as_str(), statement.opening_available_pence, statement.opening_set_aside_pence), (name.as_str(), 84_000, 0));
    assert_eq!(statement.movements, [("Council payments".to_string(), 84_000, 0)]);
    assert_eq!((statement.closing_available_pence, statement.closing_set_aside_pence), (168_000, 0), "what came later is not in it");
    // Its flags as they stand: the care booked is off the framework (a direct payment may).
    assert_eq!(statement.flags, ["Over 50% spent off the framework in 12 weeks"]);
    let quiet_month = monthly_statements::one(&app.db, &user(&app, quiet_holder.id).await, None, None, &code, now).await.expect("statement");
    assert_eq!((quiet_month.opening_available_pence, quiet_month.closing_available_pence, quiet_month.flags.len()), (0, 84_000, 0));

    // Who may read it: the holder, a helper they let see it, the council; nobody else.
    let commissioner = user(&app, app.personas.commissioner.id).await;
    assert!(monthly_statements::one(&app.db, &commissioner, Some(budget), None, &code, now).await.is_ok());
    let other = fixtures::other_council(&app.db).await;
    let elsewhere = user(&app, other.commissioner.id).await;
    for someone in [&elsewhere, &user(&app, app.personas.provider.id).await, &user(&app, self_funder.id).await] {
        let refused = monthly_statements::one(&app.db, someone, Some(budget), None, &code, now).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
    }
    assert!(matches!(monthly_statements::one(&app.db, &holder, None, None, "2026-13", now).await, Err(AppError::NotFound)));
    let own_month = monthly_statements::one(&app.db, &user(&app, self_funder.id).await, None, None, &code, now).await;
    assert!(matches!(own_month, Err(AppError::NotFound)), "no statement for a self-funder: {own_month:?}");

    // The pages: the statement lists the month; the month prints; the CSV adds up.
    let mut client = app.signed_in(&app.personas.budget_holder).await;
    let statement_page = client.get("/budget/statement").await.text();
    assert!(statement_page.contains(&format!("Statement for {name}")), "{statement_page}");
    let page = client.get(&format!("/budget/statements/{code}?budget={budget}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Over 50% spent off the framework") && page.text().contains("£1,680.00"), "{}", page.text());
    let csv = client.get(&format!("/budget/statements/{code}/csv?budget={budget}")).await.body;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "Budget,Month,Line,Money in (GBP),Money out (GBP),Balance (GBP)");
    assert!(lines.contains(&format!("{budget},{code},Council payments,840.00,,").as_str()), "{csv}");
    assert!(lines.contains(&format!("{budget},{code},Available at the end,,,1680.00").as_str()), "{csv}");
    assert!(lines.contains(&format!("{budget},{code},Flags: Over 50% spent off the framework in 12 weeks,,,").as_str()), "{csv}");
    let mut council_client = app.signed_in(&app.personas.commissioner).await;
    let all = council_client.get(&format!("/budgets/statements/{code}/csv")).await.body;
    assert_eq!(all.lines().filter(|line| line.contains("Available at the end")).count(), 2, "{all}");
    assert!(all.contains(&format!("{quiet},{code},Flags: No concerns,,,")), "{all}");
    assert!(!all.contains(&app.personas.budget_holder.email), "budgets by number, never by name");

    // This month so far (made early, by hand): the visit given and confirmed is money out.
    let staff = user(&app, app.personas.provider.id).await;
    server::domain::booking_changes::respond(&app.db, &staff, &booking.reference, true, "", now).await.expect("accepted");
    let visit = crate::booking_changes::visits_of(&app, booking.id).await[0].clone();
    server::domain::visits::check_in(&app.db, &staff, visit.id, visit.scheduled_start).await.expect("checked in");
    server::domain::visits::check_out(&app.db, &staff, visit.id, "Washed and dressed", visit.scheduled_start + Duration::minutes(60)).await.expect("out");
    let confirm = server::domain::visit_confirmation::Verdict::Confirm;
    server::domain::visit_confirmation::answer(&app.db, &holder, visit.id, confirm, Utc::now()).await.expect("confirmed");
    let this_month = month + Months::new(1);
    monthly_statements::make(&app.db, this_month, Utc::now()).await.expect("made");
    let so_far = monthly_statements::one(&app.db, &holder, None, None, &monthly_statements::month_code(this_month), Utc::now()).await.expect("statement");
    let expected = [("Council payments".to_string(), 84_000, 0), ("Paid for care delivered".to_string(), 0, 2_650)];
    assert_eq!(so_far.movements, expected);
    assert_eq!((so_far.opening_available_pence, so_far.closing_available_pence, so_far.closing_set_aside_pence), (168_000, 168_000 + 84_000 - 2_650, 0));
}
