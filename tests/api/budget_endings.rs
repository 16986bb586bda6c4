//! How a council budget ends: an end date (no care booked for after it, no allocation for a
//! period starting after it, a flag when care is still paid for after it), and closing it
//! (bookings end, what is set aside for care not yet given is released, the rest goes back to
//! the council once). Only the council's commissioners; never a self-funder's own account.
use crate::booking_changes::{assert_sound, balance, booked, user, visits_of};
use crate::bookings::{book, funded_budget, next_monday, question_query, weekday_home_care};
use app::{BookingStatus, CloseReason, VisitStatus};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::domain::ledger::Account;
use server::domain::{booking_changes, budget_admin, budget_endings, budgets, recoveries, visits};
use server::entities::{booking, budget, mail_outbox};
use server::error::AppError;
use tests::{TestApp, fixtures};

fn message(result: Result<impl std::fmt::Debug, AppError>) -> String {
    match result {
        Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; "),
        other => panic!("expected a refusal in words, got {other:?}"),
    }
}

#[tokio::test]
async fn closing_a_budget_ends_its_bookings_releases_what_is_set_aside_and_returns_the_rest_once() {
    let app = TestApp::with_stripe().await;
    let council = app.personas.council_id;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    // A weekly booking (8 visits of £26.50) whose first visit has been given, and a request
    // the provider has not answered yet.
    let weekly = booked(&app, &question_query("weekly", next_monday(), "09:00", "60", &[1, 4])).await;
    let staff = user(&app, app.personas.provider.id).await;
    booking_changes::respond(&app.db, &staff, &weekly.reference, true, "", Utc::now()).await.expect("accepted");
    let first = visits_of(&app, weekly.id).await[0].clone();
    visits::check_in(&app.db, &staff, first.id, first.scheduled_start).await.expect("checked in");
    visits::check_out(&app.db, &staff, first.id, "Breakfast made", first.scheduled_start + Duration::minutes(60)).await.expect("checked out");
    let request = booked(&app, &question_query("once", next_monday() + Duration::days(1), "15:00", "60", &[])).await;
    let available = || balance(&app, Account::budget_available(council, budget));
    let set_aside = || balance(&app, Account::budget_committed(council, budget));
    let council_money = || balance(&app, Account::council_funding(council));
    assert_eq!((available().await, set_aside().await), (84_000 - 21_200 - 2_650, 21_200 + 2_650));
    let funding_before = council_money().await;
    let later = first.scheduled_start + Duration::hours(2);

    // Only the council's commissioners close it, and only with a reason; refusals change nothing.
    let commissioner = user(&app, app.personas.commissioner.id).await;
    let other = fixtures::other_council(&app.db).await;
    let other_commissioner = user(&app, other.commissioner.id).await;
    assert!(matches!(budget_endings::close(&app.db, &other_commissioner, budget, "Moved away", later).await, Err(AppError::NotFound)));
    for someone in [app.personas.budget_holder.id, app.personas.provider.id, app.personas.planner.id] {
        let refused = budget_endings::close(&app.db, &user(&app, someone).await, budget, "Moved away", later).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
    }
    assert_eq!(message(budget_endings::close(&app.db, &commissioner, budget, "  ", later).await), "Enter why the budget is closing");
    assert_eq!(available().await, 84_000 - 21_200 - 2_650, "nothing moved");

    // Closed: the 7 visits still to come and the request are released; the visit given stays set
    // aside until the person confirms it; the rest goes back to the council.
    let closed = budget_endings::close(&app.db, &commissioner, budget, "Moved into residential care", later).await.expect("closed");
    assert_eq!(closed, budget_endings::Closed { bookings: 2, returned_pence: 84_000 - 2_650 });
    assert_eq!((available().await, set_aside().await), (0, 2_650));
    assert_eq!(council_money().await, funding_before + 84_000 - 2_650);
    for ended in [&weekly, &request] {
        let now = booking::Entity::find_by_id(ended.id).one(&app.db).await.expect("query").expect("booking");
        assert_eq!((now.status, now.close_code), (BookingStatus::Cancelled, Some(CloseReason::BudgetClosed)), "{}", ended.reference);
    }
    let statuses: Vec<VisitStatus> = visits_of(&app, weekly.id).await.into_iter().map(|v| v.status).collect();
    assert_eq!(statuses, [vec![VisitStatus::Delivered], vec![VisitStatus::Cancelled; 7]].concat());
    assert_sound(&app, "after closing").await;

    // Closing again (a double click) is refused and moves nothing.
    assert_eq!(message(budget_endings::close(&app.db, &commissioner, budget, "Again", later).await), "This budget is already closed");
    assert_eq!(council_money().await, funding_before + 84_000 - 2_650);

    // The person is told why, and so are the providers (without the reason); the statement says it.
    let holder = user(&app, app.personas.budget_holder.id).await;
    let told = server::domain::notifications::messages_for(&app.db, holder.user_id).await.expect("messages");
    assert!(told.iter().any(|m| m.text.contains("because: Moved into residential care") && m.text.contains("£813.50 went back")), "{told:?}");
    let to_provider = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Subject.eq(format!("Booking {} has ended", weekly.reference)))
        .filter(mail_outbox::Column::ToAddress.eq(app.personas.provider.email.as_str()))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(to_provider, 1);
    let statement = budgets::statement(&app.db, &holder, None, None, later).await.expect("statement");
    let last = statement.rows.last().expect("rows");
    assert_eq!((last.details.as_str(), last.money_out_pence), ("Returned to the council when the budget closed", 84_000 - 2_650));
    assert!(!statement.pay_by_card, "nothing more is paid in");

    // Nothing more is booked, paid in, allocated or recovered; the care given is still paid.
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "After closing").await;
    let mut holder_client = app.signed_in(&app.personas.budget_holder).await;
    let (check, _) = book(&mut holder_client, &listing, &question_query("once", next_monday() + Duration::days(14), "10:00", "60", &[]), None).await;
    assert!(check.text().contains("This budget was closed by the council on"), "{}", check.text());
    let top_up = server::domain::card_payments::page(&app.db, &holder, None, later).await;
    assert!(message(top_up).starts_with("This budget was closed by the council on"));
    // The card page says so (it was a server error before it did).
    let pay_page = holder_client.get("/budget/pay").await;
    assert_eq!(pay_page.status, 422);
    assert!(pay_page.text().contains("This budget was closed by the council on"), "{}", pay_page.text());
    budgets::run_allocations(&app.db, Utc::now().date_naive() + Duration::weeks(4), Utc::now()).await.expect("allocation run");
    assert_eq!(available().await, 0, "no allocation for a closed budget");
    let proposal = app::RecoveryForm { budget_id: budget, keep: "1.00".into(), reason: "Unspent".into() };
    let refused = message(recoveries::propose(&app.db, &commissioner, &proposal, later).await);
    assert!(refused.starts_with("This budget is closed"), "{refused}");
    server::domain::visit_confirmation::answer(&app.db, &holder, first.id, server::domain::visit_confirmation::Verdict::Confirm, later)
        .await
        .expect("confirmed");
    assert_eq!(balance(&app, Account::provider_payable(council, app.personas.provider_id)).await, 2_650);
    assert_eq!(set_aside().await, 0);
    assert_sound(&app, "after the last visit was paid").await;

    // A self-funder's own account is never the council's to close.
    let self_funder = fixtures::user(&app.db, council, "self@test.example", app::Role::BudgetHolder, None).await;
    let own = fixtures::budget(&app.db, council, self_funder.id, "direct_payment", 0, Utc::now().date_naive()).await;
    app.execute_sql(&format!("UPDATE budgets SET funding = 'self' WHERE id = {own}")).await;
    assert!(matches!(budget_endings::close(&app.db, &commissioner, own, "No", later).await, Err(AppError::NotFound)));
    assert!(matches!(budget_endings::set_end_date(&app.db, &commissioner, own, "2027-01-01", later).await, Err(AppError::NotFound)));
}

#[tokio::test]
async fn an_end_date_stops_care_and_allocations_after_it_and_care_still_paid_after_it_is_flagged() {
    let app = TestApp::new().await;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let commissioner = user(&app, app.personas.commissioner.id).await;
    let now = Utc::now();
    let starts = budget::Entity::find_by_id(budget).one(&app.db).await.expect("query").expect("budget").starts_on;

    // Bad dates are named and change nothing.
    assert_eq!(message(budget_endings::set_end_date(&app.db, &commissioner, budget, "soon", now).await), "Enter the end date as a date, like 2027-04-01");
    let before_start = (starts - Duration::days(1)).to_string();
    assert!(message(budget_endings::set_end_date(&app.db, &commissioner, budget, &before_start, now).await).contains("cannot be before the budget starts"));
    let holder = user(&app, app.personas.budget_holder.id).await;
    assert!(matches!(budget_endings::set_end_date(&app.db, &holder, budget, "2027-01-01", now).await, Err(AppError::Forbidden)));

    // A weekly booking made before the end date was set runs on: it is flagged once the date is
    // set before its visits.
    let monday = next_monday();
    booked(&app, &question_query("weekly", monday, "09:00", "60", &[1, 4])).await;
    budget_endings::set_end_date(&app.db, &commissioner, budget, &monday.to_string(), now).await.expect("end date set");
    let overview = budget_admin::overview(&app.db, &commissioner, &app::BudgetsFilter::default(), now).await.expect("overview");
    let line = overview.holders.iter().find(|line| line.budget_id == budget).expect("the budget");
    assert_eq!(line.ends_on.as_deref(), Some(monday.to_string().as_str()));
    let flag = format!("Care paid for after the budget's end date ({})", server::domain::uk_time::long_date(monday));
    assert!(line.flags.contains(&flag), "{:?}", line.flags);

    // New care after the end date is refused; up to it, a weekly booking gets visits to the end date only.
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Evening visits").await;
    let mut holder_client = app.signed_in(&app.personas.budget_holder).await;
    let (check, _) = book(&mut holder_client, &listing, &question_query("once", monday + Duration::days(1), "16:00", "60", &[]), None).await;
    assert!(check.text().contains(&format!("Your budget ends on {}: choose a day on or before it", server::domain::uk_time::long_date(monday))));
    let ends = monday + Duration::days(10);
    budget_endings::set_end_date(&app.db, &commissioner, budget, &ends.to_string(), now).await.expect("end date moved");
    let (_, confirmed) = book(&mut holder_client, &listing, &question_query("weekly", monday, "16:00", "60", &[1, 4]), None).await;
    assert!(confirmed.location().is_some_and(|to| to.starts_with("/bookings/")), "{confirmed:?}");
    let evening = crate::booking_changes::booking_by_reference(&app, confirmed.location().expect("booked")).await;
    let days: Vec<_> = visits_of(&app, evening.id).await.iter().map(|v| server::domain::uk_time::to_local(v.scheduled_start).date()).collect();
    // The end date, a Thursday, is the last day of care.
    let on = |days: i64| monday + Duration::days(days);
    assert_eq!(days, [on(0), on(3), on(7), on(10)], "Monday and Thursday visits up to the end date");
    // Nor does the weekly run add any after it.
    visits::extend_horizons(&app.db, now + Duration::days(20)).await.expect("extended");
    assert_eq!(visits_of(&app, evening.id).await.len(), 4);

    // No allocation for a period starting after the end date; clearing the date restores them.
    let available = || balance(&app, Account::budget_available(app.personas.council_id, budget));
    let before = available().await;
    let next_period = budgets::period_start(starts, starts + Duration::days(budgets::PERIOD_DAYS * 2));
    budget_endings::set_end_date(&app.db, &commissioner, budget, &(next_period - Duration::days(1)).to_string(), now).await.expect("end date");
    budgets::run_allocations(&app.db, next_period, now).await.expect("allocation run");
    assert_eq!(available().await, before, "the period starts after the end date");
    budget_endings::set_end_date(&app.db, &commissioner, budget, "", now).await.expect("cleared");
    budgets::run_allocations(&app.db, next_period, now).await.expect("allocation run");
    assert_eq!(available().await, before + 84_000, "paid once the date is gone");
    assert_sound(&app, "after the end dates").await;
}
