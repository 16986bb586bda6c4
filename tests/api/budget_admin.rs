//! Commissioners open personal budgets (the person sets their own password with a one-time
//! code), see every budget with a surplus flag, and move an individual service fund. Nobody
//! else can.
use server::domain::ledger::{self, Account};
use tests::fixtures::{self, count};
use tests::{Client, TestApp};

fn form(overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    let today = chrono::Utc::now().date_naive().to_string();
    let defaults = [
        ("name", "Amira Shah"),
        ("email", "amira@example.org"),
        ("budget_type", "direct_payment"),
        ("fund_holder", ""),
        ("allocation", "840.00"),
        ("contribution", "40"),
        ("starts_on", today.as_str()),
        ("shortest_visit", ""),
    ];
    fixtures::form_fields(&defaults, overrides)
}

fn field_messages(reply: &tests::Reply) -> Vec<(String, String)> {
    match reply.redirected_error() {
        Some(app::UiError::Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected field errors, got {other:?} from {reply:?}"),
    }
}

async fn set_up(client: &mut Client, email: &str, code: &str, password: &str) -> tests::Reply {
    let fields = fixtures::form_fields(&[("email", email), ("code", code), ("password", password)], &[]);
    client.post_form("/api/set-up-account", &fields).await
}

#[tokio::test]
async fn a_commissioner_opens_a_budget_and_the_person_sets_up_their_account() {
    let app = TestApp::new().await;
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    let reply = commissioner.post_form("/api/open-budget", &form(&[])).await;
    let location = reply.location().expect("back to the budgets page").to_string();
    let code = location.split("code=").nth(1).and_then(|rest| rest.split('&').next()).expect("the set-up code").to_string();
    assert_eq!(code.len(), 14, "{code}");
    let page = commissioner.get(&location).await;
    assert!(page.text().contains(&code) && page.text().contains("Amira Shah"), "{}", page.text());
    assert!(page.text().contains("(account not set up yet)"));

    // This period's allocation is paid at once; the ledger balances.
    use sea_orm::EntityTrait;
    let budget = server::entities::budget::Entity::find().one(&app.db).await.expect("query").expect("budget");
    assert_eq!(
        (budget.budget_type, budget.four_weekly_allocation_pence, budget.four_weekly_contribution_pence),
        (app::BudgetType::DirectPayment, 84_000, 4_000)
    );
    assert_eq!(ledger::balance(&app.db, &Account::budget_available(app.personas.council_id, budget.id)).await.expect("balance"), 84_000);
    assert!(ledger::soundness(&app.db).await.expect("check").is_sound());

    // No password works until the person chooses one with the code.
    let mut person = app.visitor();
    assert_ne!(person.sign_in("amira@example.org", "!not-set-up").await.location(), Some("/dashboard/budget-holder"));
    let wrong = set_up(&mut person, "amira@example.org", "AAAA-BBBB-CCCC", "a long new password").await;
    assert!(field_messages(&wrong)[0].1.starts_with("The email address or the code is not right"));
    let short = set_up(&mut person, "amira@example.org", &code, "short").await;
    assert_eq!(field_messages(&short)[0].0, "password");
    let reply = set_up(&mut person, "amira@example.org", &code.to_lowercase().replace('-', " "), "a long new password").await;
    assert_eq!(reply.location(), Some("/dashboard/budget-holder"), "{reply:?}");
    assert!(person.get("/dashboard/budget-holder").await.text().contains("Available to spend£840.00"));
    // The code works once.
    let again = set_up(&mut app.visitor(), "amira@example.org", &code, "another long password").await;
    assert!(again.redirected_error().is_some());
    assert_eq!(app.visitor().sign_in("amira@example.org", "a long new password").await.location(), Some("/dashboard/budget-holder"));
}

#[tokio::test]
async fn each_problem_with_a_new_budget_is_named_and_nothing_is_opened() {
    let app = TestApp::new().await;
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    let reply = commissioner
        .post_form(
            "/api/open-budget",
            &form(&[
                ("name", " "),
                ("email", "holder@test.example"),
                ("budget_type", "cash"),
                ("allocation", "0"),
                ("contribution", "lots"),
                ("starts_on", "soon"),
                ("shortest_visit", "3"),
            ]),
        )
        .await;
    let fields: Vec<String> = field_messages(&reply).into_iter().map(|(field, _)| field).collect();
    assert_eq!(fields, ["name", "email", "budget_type", "allocation", "contribution", "starts_on", "shortest_visit"]);
    let reply = commissioner.post_form("/api/open-budget", &form(&[("budget_type", "individual_service_fund")])).await;
    assert_eq!(field_messages(&reply), [("fund_holder".to_string(), "Choose the provider who will hold the fund".to_string())]);
    assert_eq!((count(&app.db, "budgets").await, count(&app.db, "users").await), (0, 4));

    // Only commissioners open budgets or see them.
    for persona in [&app.personas.budget_holder, &app.personas.planner, &app.personas.provider] {
        let mut client = app.signed_in(persona).await;
        assert_eq!(client.get("/budgets").await.status, 403);
        assert_eq!(client.post_form("/api/open-budget", &form(&[])).await.redirected_error(), Some(app::UiError::Forbidden));
    }
    assert_eq!(count(&app.db, "budgets").await, 0);
}

#[tokio::test]
async fn a_fund_moves_to_another_provider_and_rolls_over_unflagged() {
    let app = TestApp::new().await;
    let provider_public_id = |id: i64| {
        let db = app.db.clone();
        async move {
            use sea_orm::EntityTrait;
            server::entities::provider::Entity::find_by_id(id).one(&db).await.expect("query").expect("provider").public_id
        }
    };
    let riverside = provider_public_id(app.personas.provider_id).await;
    let hilltop = provider_public_id(app.personas.other_provider_id).await;
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    let reply = commissioner.post_form("/api/open-budget", &form(&[("budget_type", "individual_service_fund"), ("fund_holder", riverside.as_str())])).await;
    assert!(reply.location().is_some_and(|l| l.starts_with("/budgets?code=") && l.ends_with("&find=amira%40example.org")), "{reply:?}");
    use sea_orm::EntityTrait;
    let budget = server::entities::budget::Entity::find().one(&app.db).await.expect("query").expect("budget");
    assert_eq!(budget.isf_provider_id, Some(app.personas.provider_id));

    let reply = commissioner.post_form("/api/move-fund", &[("budget_id", budget.id.to_string().as_str()), ("fund_holder", hilltop.as_str())]).await;
    assert_eq!(reply.location().map(str::to_string), Some(format!("/budgets?moved=1&budget={}", budget.id)));
    let moved = server::entities::budget::Entity::find_by_id(budget.id).one(&app.db).await.expect("query").expect("budget");
    assert_eq!(moved.isf_provider_id, Some(app.personas.other_provider_id));
    assert_eq!(ledger::balance(&app.db, &Account::budget_available(app.personas.council_id, budget.id)).await.expect("balance"), 84_000, "the money stays");
    assert!(commissioner.get("/budgets").await.text().contains("Held by Hilltop Care"));
    let again = commissioner.post_form("/api/move-fund", &[("budget_id", budget.id.to_string().as_str()), ("fund_holder", hilltop.as_str())]).await;
    assert_eq!(field_messages(&again), [(String::new(), "Hilltop Care already holds this fund".to_string())]);

    // Unspent money piles up, but an individual service fund rolls over by design: no surplus flag.
    let today = chrono::Utc::now().date_naive();
    for weeks in [4, 8] {
        server::domain::budgets::run_allocations(&app.db, today + chrono::Duration::weeks(weeks), chrono::Utc::now()).await.expect("allocation");
    }
    let page = commissioner.get("/budgets").await.text();
    assert!(!page.contains("Surplus: more than 8 weeks' worth unspent") && !page.contains("Recover the surplus"), "{page}");
    let mut provider = app.signed_in(&app.personas.provider).await;
    assert_eq!(
        provider.post_form("/api/move-fund", &[("budget_id", budget.id.to_string().as_str()), ("fund_holder", riverside.as_str())]).await.redirected_error(),
        Some(app::UiError::Forbidden)
    );
}

/// Each council budget's risk flags, from its money, bookings, visits and card payments.
#[tokio::test]
async fn risk_flags_name_surplus_idle_money_off_framework_spending_missed_visits_and_frequent_top_ups() {
    use crate::bookings::{funded_budget, next_monday, question_query};
    use chrono::{Duration, Utc};
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let commissioner = crate::booking_changes::user(&app, app.personas.commissioner.id).await;
    let flags_of = async |budget: i64| {
        let one = app::BudgetsFilter { budget: Some(budget), ..Default::default() };
        let page = server::domain::budget_admin::overview(&app.db, &commissioner, &one, Utc::now()).await.expect("the overview");
        page.holders.into_iter().find(|line| line.budget_id == budget).map(|line| line.flags).expect("listed")
    };
    // Spends off the framework (its provider is on no lot), with missed visits and top-ups.
    let holder = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    assert!(flags_of(holder).await.is_empty(), "nothing yet");
    let booking = crate::booking_changes::booked(&app, &question_query("weekly", next_monday(), "09:00", "60", &[1])).await;
    for (n, visit) in crate::booking_changes::visits_of(&app, booking.id).await.iter().take(3).enumerate() {
        let missed_at = (Utc::now() - Duration::weeks(1) - Duration::hours(n as i64)).format("%Y-%m-%d %H:%M:%S");
        app.execute_sql(&format!("UPDATE visits SET status = 'missed', scheduled_start = '{missed_at}' WHERE id = {}", visit.id)).await;
    }
    for n in 0..4 {
        fixtures::insert(
            &app.db,
            "card_payments",
            &[
                ("payment_intent_id", format!("pi_flags_{n}").into()),
                ("purpose", "top_up".into()),
                ("payer_id", app.personas.budget_holder.id.into()),
                ("budget_id", holder.into()),
                ("amount_pence", 1_000_i64.into()),
                ("status", "succeeded".into()),
                ("created_at", (Utc::now() - Duration::days(n)).into()),
            ],
        )
        .await;
    }
    assert_eq!(
        flags_of(holder).await,
        ["Over 50% spent off the framework in 12 weeks", "3 visits missed or queried in 12 weeks", "4 card top-ups in 12 weeks"]
    );
    // Idle since it started five months ago, and holding a surplus; an individual service fund
    // in the same state is flagged for neither; a self-funder's account is not looked at.
    let idle_holder = fixtures::user(&app.db, council, "idle@test.example", app::Role::BudgetHolder, None).await;
    let idle = fixtures::budget(&app.db, council, idle_holder.id, "direct_payment", 40_000, (Utc::now() - Duration::weeks(20)).date_naive()).await;
    let isf_holder = fixtures::user(&app.db, council, "isf@test.example", app::Role::BudgetHolder, None).await;
    let isf = fixtures::budget(&app.db, council, isf_holder.id, "direct_payment", 40_000, (Utc::now() - Duration::weeks(20)).date_naive()).await;
    app.execute_sql(&format!("UPDATE budgets SET budget_type = 'individual_service_fund', isf_provider_id = {} WHERE id = {isf}", app.personas.provider_id))
        .await;
    for weeks in [0, 4, 8] {
        server::domain::budgets::run_allocations(&app.db, Utc::now().date_naive() + Duration::weeks(weeks), Utc::now()).await.expect("allocations");
    }
    assert_eq!(flags_of(idle).await, ["Surplus: more than 8 weeks' worth unspent", "No money used for 12 weeks"]);
    assert!(flags_of(isf).await.is_empty());

    // The council sets its own thresholds: five top-ups, not four, before a flag.
    let form = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<app::RiskThresholdsForm>();
    let mine = [("surplus_weeks", "8"), ("unused_weeks", "12"), ("off_framework_percent", "50"), ("missed_or_queried", "3"), ("top_ups", "5")];
    let Err(server::error::AppError::Invalid(errors)) =
        server::domain::risk_flags::set_thresholds(&app.db, &commissioner, &form(&[("surplus_weeks", "0"), ("top_ups", "lots")]), Utc::now()).await
    else {
        panic!("refused")
    };
    assert_eq!(errors.len(), 5, "each threshold is needed, in its range: {errors:?}");
    let provider = crate::booking_changes::user(&app, app.personas.provider.id).await;
    assert!(matches!(server::domain::risk_flags::set_thresholds(&app.db, &provider, &form(&mine), Utc::now()).await, Err(server::error::AppError::Forbidden)));
    server::domain::risk_flags::set_thresholds(&app.db, &commissioner, &form(&mine), Utc::now()).await.expect("saved");
    // (Its money has piled up meanwhile too.)
    let expected = ["Surplus: more than 8 weeks' worth unspent", "Over 50% spent off the framework in 12 weeks", "3 visits missed or queried in 12 weeks"];
    assert_eq!(flags_of(holder).await, expected);
}

/// Thousands of budgets: `/budgets` shows 50 at a time, oldest first, finds a person by words of
/// their name or email (taken literally, any case), and shows one budget after acting on it.
#[tokio::test]
async fn the_budgets_page_pages_and_finds_a_person() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let today = chrono::Utc::now().date_naive();
    let mut budgets = Vec::new();
    for n in 1..=60 {
        let holder = fixtures::user(&app.db, council, &format!("person{n:02}@example.org"), app::Role::BudgetHolder, None).await;
        app.execute_sql(&format!("UPDATE users SET display_name = 'Person {n:02} Jones_{}' WHERE id = {}", if n == 7 { "100%" } else { "" }, holder.id)).await;
        budgets.push(fixtures::budget(&app.db, council, holder.id, "direct_payment", 84_000, today).await);
    }
    let other = fixtures::other_council(&app.db).await;
    let theirs = fixtures::budget(&app.db, other.council_id, other.budget_holder.id, "direct_payment", 84_000, today).await;
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    let rows = |page: &tests::Reply| page.body.matches("<th scope=\"row\">").count();

    let first = commissioner.get("/budgets").await;
    assert_eq!(rows(&first), 50, "a page of 50");
    assert!(first.text().contains("Page 1 of 2") && first.body.contains("href=\"/budgets?page=2\""));
    assert!(first.text().contains("person01@example.org") && !first.text().contains("person60@example.org"), "oldest first");
    let second = commissioner.get("/budgets?page=2").await;
    assert!(second.text().contains("person60@example.org") && second.text().contains("Page 2 of 2"));
    assert_eq!(rows(&commissioner.get("/budgets?page=99").await), rows(&second), "past the end: the last page");

    // Words of the name or the email, in any case; wildcards are only characters.
    let found = commissioner.get("/budgets?find=PERSON+07").await;
    assert_eq!(rows(&found), 1, "{}", found.text());
    assert!(found.text().contains("person07@example.org") && found.text().contains("1 budget found."));
    assert_eq!(rows(&commissioner.get("/budgets?find=jones_100%25").await), 1);
    assert_eq!(rows(&commissioner.get("/budgets?find=jones%25").await), 0, "% is not a wildcard");
    assert_eq!(rows(&commissioner.get("/budgets?find=n_0").await), 0, "_ is not a wildcard");
    assert_eq!(rows(&commissioner.get("/budgets?find=example.org").await), 50, "60 found, a page shown");
    let nobody = commissioner.get("/budgets?find=nobody+here").await;
    assert!(nobody.text().contains("No budget matches.") && nobody.text().contains("Show every budget"));

    // One budget, as a row's forms go back to it; never another council's.
    let one = commissioner.get(&format!("/budgets?budget={}", budgets[41])).await;
    assert_eq!(rows(&one), 1);
    assert!(one.text().contains("person42@example.org") && one.text().contains("Showing one budget."));
    assert_eq!(rows(&commissioner.get(&format!("/budgets?budget={theirs}")).await), 0);
    let reply = commissioner.post_form("/api/set-shortest-visit", &[("budget_id", budgets[41].to_string().as_str()), ("minutes", "45")]).await;
    assert_eq!(reply.location().map(str::to_string), Some(format!("/budgets?shortest=1&budget={}", budgets[41])));
}
