//! Money recovered: a commissioner proposes to take back what a budget holds above an amount it
//! keeps; the holder is told and may reply for 14 days; then the commissioner recovers it (once,
//! however often asked, never touching money set aside for booked care) or withdraws. Only the
//! council's own direct payments and managed accounts; nobody else sees or decides.
use crate::booking_changes::{assert_sound, balance, booked, user};
use crate::bookings::{funded_budget, next_monday, question_query};
use chrono::{Duration, Utc};
use server::domain::ledger::Account;
use server::domain::recoveries;
use tests::TestApp;

fn form(budget_id: i64, keep: &str, reason: &str) -> app::RecoveryForm {
    app::RecoveryForm { budget_id, keep: keep.into(), reason: reason.into() }
}

fn messages(result: Result<impl std::fmt::Debug, server::error::AppError>) -> Vec<String> {
    match result {
        Err(server::error::AppError::Invalid(errors)) => errors.into_iter().map(|e| e.message).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn surplus_above_what_is_kept_goes_back_to_the_council_once_after_the_holder_could_reply() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    booked(&app, &question_query("once", next_monday(), "09:00", "60", &[])).await;
    let (available, set_aside) =
        (balance(&app, Account::budget_available(council, budget)).await, balance(&app, Account::budget_committed(council, budget)).await);
    assert_eq!(set_aside, 2_650);
    let commissioner = user(&app, app.personas.commissioner.id).await;
    let now = Utc::now();

    // Bad forms are named and propose nothing; only commissioners propose.
    assert_eq!(messages(recoveries::propose(&app.db, &commissioner, &form(budget, "lots", " "), now).await).len(), 2);
    let too_much = recoveries::propose(&app.db, &commissioner, &form(budget, &format!("{}.00", available / 100 + 1), "Unspent"), now).await;
    assert!(messages(too_much)[0].starts_with("The budget has £"));
    let holder = user(&app, app.personas.budget_holder.id).await;
    let provider = user(&app, app.personas.provider.id).await;
    for someone in [&holder, &provider] {
        let refused = recoveries::propose(&app.db, someone, &form(budget, "100.00", "Unspent"), now).await;
        assert!(matches!(refused, Err(server::error::AppError::Forbidden)), "{refused:?}");
    }
    assert_eq!(tests::fixtures::count(&app.db, "recoveries").await, 0);

    // The proposal: the holder is told, by dashboard and mail, and may reply.
    // Two commissioners proposing at once make one proposal.
    let proposal = form(budget, "100.00", "More than 8 weeks' worth unspent");
    let (one, two) = tokio::join!(recoveries::propose(&app.db, &commissioner, &proposal, now), recoveries::propose(&app.db, &commissioner, &proposal, now));
    let made: Vec<String> = [one, two].into_iter().filter_map(Result::ok).collect();
    assert_eq!(made.len(), 1, "one open proposal per budget");
    let reference = made[0].clone();
    let again = recoveries::propose(&app.db, &commissioner, &form(budget, "50.00", "Again"), now).await;
    assert!(messages(again)[0].starts_with("Money is already proposed"));
    let mut holder_client = app.signed_in(&app.personas.budget_holder).await;
    let dashboard = holder_client.get("/dashboard/budget-holder").await.text();
    assert!(dashboard.contains(&format!("The council proposes to take back {}", app::format_pence(available - 10_000))), "{dashboard}");
    let page = holder_client.get(&format!("/recoveries/{reference}")).await.text();
    assert!(page.contains("Your reply to the council") && !page.contains("Recover the money"), "{page}");

    // Not yet: the holder has 14 days, unless they reply.
    let early = recoveries::decide(&app.db, &commissioner, &reference, true, now).await;
    assert!(messages(early)[0].starts_with("Wait for the holder's reply"));
    let other = tests::fixtures::user(&app.db, council, "other@test.example", app::Role::BudgetHolder, None).await;
    let mut other_client = app.signed_in(&other).await;
    assert_eq!(other_client.get(&format!("/recoveries/{reference}")).await.status, 404);
    let meddling = other_client.post_form("/api/reply-to-recovery", &[("reference", reference.as_str()), ("reply", "Not mine")]).await;
    assert_eq!(meddling.redirected_error(), Some(app::UiError::NotFound));
    let replied =
        holder_client.post_form("/api/reply-to-recovery", &[("reference", reference.as_str()), ("reply", "I am saving for respite in the summer")]).await;
    assert_eq!(replied.location(), Some(format!("/recoveries/{reference}?replied=1").as_str()), "{replied:?}");
    let twice = holder_client.post_form("/api/reply-to-recovery", &[("reference", reference.as_str()), ("reply", "And more")]).await;
    assert!(matches!(twice.redirected_error(), Some(app::UiError::Invalid(_))), "once: {twice:?}");

    // The next allocation lands meanwhile: it is not surplus the holder was told about.
    server::domain::budgets::run_allocations(&app.db, Utc::now().date_naive() + Duration::weeks(4), Utc::now()).await.expect("allocation");
    let topped_up = balance(&app, Account::budget_available(council, budget)).await;
    assert!(topped_up > available, "money was paid in");
    // Two confirmations at once (a double click) recover once: what was proposed, no more.
    let (first, second) =
        tokio::join!(recoveries::decide(&app.db, &commissioner, &reference, true, now), recoveries::decide(&app.db, &commissioner, &reference, true, now));
    let recovered: Vec<i64> = [first, second].into_iter().filter_map(Result::ok).collect();
    assert_eq!(recovered, vec![available - 10_000], "recovered once, as proposed");
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, topped_up - (available - 10_000));
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, set_aside, "booked care is untouched");
    let statement = holder_client.get("/budget/statement").await.text();
    assert!(statement.contains("Taken back by the council"), "{statement}");
    assert_sound(&app, "after the recovery").await;

    // A withdrawn proposal moves nothing.
    let left = balance(&app, Account::budget_available(council, budget)).await;
    let reference = recoveries::propose(&app.db, &commissioner, &form(budget, "50.00", "Still more than needed"), now).await.expect("proposed");
    recoveries::decide(&app.db, &commissioner, &reference, false, now).await.expect("withdrawn");
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, left);
    let decided = recoveries::decide(&app.db, &commissioner, &reference, true, now + Duration::days(15)).await;
    assert!(messages(decided)[0].contains("decided already"));
}

#[tokio::test]
async fn nothing_is_recovered_from_individual_service_funds_self_funders_or_another_council() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let commissioner = user(&app, app.personas.commissioner.id).await;
    let isf = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let held_by = app.personas.provider_id;
    app.execute_sql(&format!("UPDATE budgets SET budget_type = 'individual_service_fund', isf_provider_id = {held_by} WHERE id = {isf}")).await;
    let refused = recoveries::propose(&app.db, &commissioner, &form(isf, "10.00", "Unspent"), Utc::now()).await;
    assert!(messages(refused)[0].contains("rolls over by design"));
    let self_funder = tests::fixtures::user(&app.db, council, "self@test.example", app::Role::BudgetHolder, None).await;
    let own = tests::fixtures::budget(&app.db, council, self_funder.id, "direct_payment", 0, Utc::now().date_naive()).await;
    app.execute_sql(&format!("UPDATE budgets SET funding = 'self' WHERE id = {own}")).await;
    let refused = recoveries::propose(&app.db, &commissioner, &form(own, "10.00", "Unspent"), Utc::now()).await;
    assert!(matches!(refused, Err(server::error::AppError::NotFound)), "{refused:?}");
    let elsewhere = tests::fixtures::other_council(&app.db).await;
    let stranger = user(&app, elsewhere.commissioner.id).await;
    let refused = recoveries::propose(&app.db, &stranger, &form(isf, "10.00", "Unspent"), Utc::now()).await;
    assert!(matches!(refused, Err(server::error::AppError::NotFound)), "{refused:?}");
    assert_eq!(tests::fixtures::count(&app.db, "recoveries").await, 0);
}
