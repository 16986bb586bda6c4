//! The person confirms the care they received: a delivered visit's cost stays set aside until
//! they confirm it (on the booking's page, through the emailed link, or automatically after
//! 48 hours); a query holds it while the provider answers and, for council money, the council
//! decides. Payment runs pay only confirmed visits. The ledger stays sound at every step.
use crate::booking_changes::{assert_sound, balance, booked, user, visits_of};
use crate::bookings::{funded_budget, next_monday, question_query};
use chrono::{Duration, Utc};
use sea_orm::EntityTrait;
use server::domain::ledger::Account;
use server::domain::visit_confirmation::{self, CONFIRM_HOURS, Verdict};
use server::domain::{booking_changes, mail, payment_runs, visits};
use server::entities::{booking, visit};
use server::error::AppError;
use tests::TestApp;
use tests::smtp;

const SITE: &str = "http://care.test";

/// An hour's visit booked by the budget holder (£26.50), accepted, checked in on time and out
/// an hour later with a note. With `mailbox`, the person's own confirmed address is set once
/// they have booked (signing in uses the usual one). Returns the booking, visit and address.
pub(crate) async fn delivered(app: &TestApp, mailbox: bool) -> (booking::Model, visit::Model, Option<String>) {
    let booking = booked(app, &question_query("once", next_monday(), "09:00", "60", &[])).await;
    let address = if mailbox { Some(crate::mail::unique_address(app, true).await) } else { None };
    let staff = user(app, app.personas.provider.id).await;
    booking_changes::respond(&app.db, &staff, &booking.reference, true, "", Utc::now()).await.expect("accepted");
    let visit = visits_of(app, booking.id).await.remove(0);
    visits::check_in(&app.db, &staff, visit.id, visit.scheduled_start).await.expect("checked in");
    let left = visit.scheduled_start + Duration::minutes(60);
    visits::check_out(&app.db, &staff, visit.id, "Helped with a bath and made lunch", left).await.expect("checked out");
    (booking, reload(app, visit.id).await, address)
}

fn payable(app: &TestApp) -> Account {
    Account::provider_payable(app.personas.council_id, app.personas.provider_id)
}

async fn reload(app: &TestApp, id: i64) -> visit::Model {
    visit::Entity::find_by_id(id).one(&app.db).await.expect("query").expect("visit")
}

#[tokio::test]
async fn the_person_confirms_a_visit_through_the_emailed_link_once_and_only_then_is_it_owed() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let (booking, visit, address) = delivered(&app, true).await;
    let address = address.expect("an address");
    assert_eq!(visit.note.as_deref(), Some("Helped with a bath and made lunch"));
    assert_eq!(visit.confirmation, Some(app::VisitConfirmation::Awaiting));
    assert_eq!(balance(&app, payable(&app)).await, 0, "not owed before the person confirms");
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, 2_650, "still set aside");
    // A payment run pays nothing yet.
    let commissioner = user(&app, app.personas.commissioner.id).await;
    assert!(matches!(payment_runs::run(&app.db, &commissioner, Utc::now()).await, Err(AppError::Invalid(_))), "nothing confirmed to pay");

    // The person is mailed a link that needs no sign-in.
    let mailer = server::mail::from_config(&smtp::settings(), &std::env::temp_dir()).expect("a mailer");
    // Sent when due: the test's check-out was at the visit's (later) time.
    mail::send_due(&app.db, mailer.as_ref(), SITE, visit.checked_out_at.expect("checked out")).await.expect("sent");
    let received = smtp::received_by(&address);
    let confirming = received.iter().find(|mail| mail.header("Subject").is_some_and(|s| s.starts_with("Please confirm your visit"))).expect("the visit's mail");
    let body = confirming.decoded();
    let start = body.find(&format!("{SITE}/visits/confirm?token=")).expect("the link");
    let link: String = body[start + SITE.len()..].chars().take_while(|c| c.is_ascii_alphanumeric() || "/?=&-_".contains(*c)).collect();
    let token = link.rsplit('=').next().expect("a token").to_string();

    let mut visitor = app.visitor();
    let page = visitor.get(&link).await;
    assert_eq!(page.status, 200);
    assert!(page.contains("Helped with a bath and made lunch") && page.contains("60 minutes, £26.50"), "{}", page.text());
    // Only the button confirms: a GET (a mail scanner) changed nothing.
    assert_eq!(reload(&app, visit.id).await.confirmation, Some(app::VisitConfirmation::Awaiting));
    let reply = visitor.post_form("/api/answer-visit-by-link", &[("token", token.as_str()), ("answer", "confirm")]).await;
    assert_eq!(reply.location(), Some("/visits/confirm?done=confirm"), "{reply:?}");
    assert_eq!(balance(&app, payable(&app)).await, 2_650);
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, 0);
    let stored = booking::Entity::find_by_id(booking.id).one(&app.db).await.expect("query").expect("booking");
    assert_eq!(stored.committed_pence, 0);

    // The link does its one thing once.
    let again = visitor.post_form("/api/answer-visit-by-link", &[("token", token.as_str()), ("answer", "query"), ("what_was_wrong", "Late")]).await;
    assert!(matches!(again.redirected_error(), Some(app::UiError::Invalid(_))), "{again:?}");
    assert_eq!(reload(&app, visit.id).await.confirmation, Some(app::VisitConfirmation::Confirmed));
    assert_eq!(balance(&app, payable(&app)).await, 2_650, "nothing moved");
    payment_runs::run(&app.db, &commissioner, Utc::now()).await.expect("the confirmed visit is paid");
    assert_sound(&app, "after the run").await;
}

#[tokio::test]
async fn only_the_person_or_someone_they_let_book_answers_and_the_link_dies_when_the_visit_is_confirmed_automatically() {
    let app = TestApp::new().await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let (_, visit, _) = delivered(&app, false).await;
    let staff = user(&app, app.personas.provider.id).await;
    let planner = user(&app, app.personas.planner.id).await;
    let commissioner = user(&app, app.personas.commissioner.id).await;
    for stranger in [&staff, &planner, &commissioner] {
        let refused = visit_confirmation::answer(&app.db, stranger, visit.id, Verdict::Confirm, Utc::now()).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "{:?}: {refused:?}", stranger.role);
    }
    // Over HTTP too: a planner with no right from the person.
    let mut client = app.signed_in(&app.personas.planner).await;
    let reply = client.post_form("/api/answer-visit", &[("reference", "x"), ("visit_id", &visit.id.to_string()), ("answer", "confirm")]).await;
    assert_eq!(reply.redirected_error(), Some(app::UiError::Forbidden));
    assert_eq!(balance(&app, payable(&app)).await, 0);

    // The person's dashboard shows it waiting for them.
    let mut dashboard = app.signed_in(&app.personas.budget_holder).await;
    assert!(dashboard.get("/dashboard/budget-holder").await.text().contains("1 visit to confirm"));

    // Nobody answers: 48 hours after check-out it is confirmed, and the token is spent.
    let by = visit.confirm_by.expect("a time to answer by");
    assert_eq!(by, visit.checked_out_at.expect("checked out") + Duration::hours(CONFIRM_HOURS));
    assert_eq!(visit_confirmation::confirm_unanswered(&app.db, by - Duration::seconds(1)).await.expect("ran"), 0);
    assert_eq!(visit_confirmation::confirm_unanswered(&app.db, by).await.expect("ran"), 1);
    assert_eq!(visit_confirmation::confirm_unanswered(&app.db, by).await.expect("ran"), 0, "once");
    let stored = reload(&app, visit.id).await;
    assert_eq!((stored.confirmation, stored.confirm_token_hash), (Some(app::VisitConfirmation::Confirmed), None));
    assert_eq!(balance(&app, payable(&app)).await, 2_650);
    assert!(!dashboard.get("/dashboard/budget-holder").await.text().contains("visit to confirm"));
    let holder = user(&app, app.personas.budget_holder.id).await;
    let late = visit_confirmation::answer(&app.db, &holder, visit.id, Verdict::Query("Too late".into()), Utc::now()).await;
    assert!(matches!(late, Err(AppError::Invalid(_))), "{late:?}");
    assert_sound(&app, "after it was confirmed automatically").await;
}

#[tokio::test]
async fn a_query_is_answered_by_the_provider_and_decided_by_the_council_whose_budget_paid() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let (booking, visit, _) = delivered(&app, false).await;
    let holder = user(&app, app.personas.budget_holder.id).await;
    let staff = user(&app, app.personas.provider.id).await;
    let now = Utc::now();

    // The person says something was wrong, on the booking's page.
    let mut client = app.signed_in(&app.personas.budget_holder).await;
    let empty =
        client.post_form("/api/answer-visit", &[("reference", booking.reference.as_str()), ("visit_id", &visit.id.to_string()), ("answer", "query")]).await;
    assert!(matches!(empty.redirected_error(), Some(app::UiError::Invalid(_))), "say what was wrong: {empty:?}");
    let reply = client
        .post_form(
            "/api/answer-visit",
            &[
                ("reference", booking.reference.as_str()),
                ("visit_id", &visit.id.to_string()),
                ("answer", "query"),
                ("what_was_wrong", "She left after 30 minutes"),
            ],
        )
        .await;
    assert_eq!(reply.location(), Some(format!("/bookings/{}?answered=query", booking.reference).as_str()), "{reply:?}");
    assert_eq!(reload(&app, visit.id).await.confirmation, Some(app::VisitConfirmation::Queried));
    // Held: the automatic confirmation passes it by.
    assert_eq!(visit_confirmation::confirm_unanswered(&app.db, now + Duration::days(30)).await.expect("ran"), 0);
    assert_eq!(balance(&app, payable(&app)).await, 0);

    // The provider's page lists it; another provider cannot answer; more minutes are refused.
    let mut staff_client = app.signed_in(&app.personas.provider).await;
    assert!(staff_client.get("/provider/bookings").await.text().contains("She left after 30 minutes"));
    let hilltop = tests::fixtures::user(&app.db, council, "staff@hilltop.example", app::Role::Provider, Some(app.personas.other_provider_id)).await;
    let hilltop = user(&app, hilltop.id).await;
    assert!(matches!(visit_confirmation::provider_answer(&app.db, &hilltop, visit.id, None, "Not us", now).await, Err(AppError::Forbidden)));
    let more = visit_confirmation::provider_answer(&app.db, &staff, visit.id, Some("90"), "Longer", now).await;
    assert!(matches!(more, Err(AppError::Invalid(_))), "{more:?}");
    // It corrects the visit to 45 minutes: a quarter of £26.50 goes back into the budget.
    let reply = staff_client
        .post_form(
            "/api/act-on-booking",
            &[
                ("reference", booking.reference.as_str()),
                ("action", "answer_query"),
                ("visit_id", &visit.id.to_string()),
                ("minutes", "45"),
                ("reason", "Our log shows 45 minutes; sorry"),
            ],
        )
        .await;
    assert_eq!(reply.location(), Some("/provider/bookings?done=1"), "{reply:?}");
    let answered = reload(&app, visit.id).await;
    assert_eq!((answered.confirmation, answered.delivered_minutes, answered.charged_pence), (Some(app::VisitConfirmation::Answered), Some(45), Some(1_988)));
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 84_000 - 1_988);
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, 1_988);
    assert_sound(&app, "after the correction").await;

    // The person still disagrees: it goes to the council's queue, not another council's.
    visit_confirmation::answer(&app.db, &holder, visit.id, Verdict::Query("It was 30 minutes".into()), now).await.expect("to the council");
    assert_eq!(reload(&app, visit.id).await.confirmation, Some(app::VisitConfirmation::WithCouncil));
    let commissioner = user(&app, app.personas.commissioner.id).await;
    let queue = visit_confirmation::for_council(&app.db, &commissioner).await.expect("queue");
    assert_eq!(queue.iter().map(|q| (q.visit_id, q.minutes)).collect::<Vec<_>>(), [(visit.id, 45)]);
    assert!(queue[0].query.contains("She left after 30 minutes") && queue[0].answer.as_deref() == Some("Our log shows 45 minutes; sorry"));
    let other = tests::fixtures::other_council(&app.db).await;
    let other = user(&app, other.commissioner.id).await;
    assert!(visit_confirmation::for_council(&app.db, &other).await.expect("their queue").is_empty());
    assert!(matches!(visit_confirmation::council_decide(&app.db, &other, visit.id, "30", "No", now).await, Err(AppError::Forbidden)));
    assert!(matches!(visit_confirmation::council_decide(&app.db, &staff, visit.id, "30", "No", now).await, Err(AppError::Forbidden)));

    // The commissioner decides 30 minutes, over HTTP: paid at that, the rest back.
    let mut council_client = app.signed_in(&app.personas.commissioner).await;
    assert!(council_client.get("/visit-queries").await.text().contains("It was 30 minutes"));
    let visit_id = visit.id.to_string();
    let reply =
        council_client.post_form("/api/decide-visit-query", &[("visit_id", visit_id.as_str()), ("minutes", "30"), ("reason", "The rota shows 30")]).await;
    assert_eq!(reply.location(), Some("/visit-queries?decided=1"), "{reply:?}");
    let decided = reload(&app, visit.id).await;
    assert_eq!((decided.confirmation, decided.charged_pence), (Some(app::VisitConfirmation::Confirmed), Some(1_325)));
    assert_eq!(balance(&app, payable(&app)).await, 1_325);
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 84_000 - 1_325);
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, 0);
    let page = client.get(&format!("/bookings/{}", booking.reference)).await.text();
    assert!(page.contains("The rota shows 30") && page.contains("Confirmed"), "{page}");
    let statement = client.get("/budget/statement").await.text();
    assert_eq!(statement.matches("Given back: a visit was shorter than recorded").count(), 2, "the provider's correction and the council's: {statement}");
    assert_sound(&app, "after the decision").await;
}

#[tokio::test]
async fn someone_paying_for_themself_has_the_providers_answer_as_the_last_word() {
    let app = TestApp::new().await;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    app.execute_sql(&format!("UPDATE budgets SET funding = 'self' WHERE id = {budget}")).await;
    // A budget's funding never changes in service: its allocation is counted again as a self-funder's.
    server::domain::reports::days::rebuild(&app.db).await.expect("the reports' days");
    let (_, visit, _) = delivered(&app, false).await;
    let holder = user(&app, app.personas.budget_holder.id).await;
    let staff = user(&app, app.personas.provider.id).await;
    visit_confirmation::answer(&app.db, &holder, visit.id, Verdict::Query("Late".into()), Utc::now()).await.expect("queried");
    visit_confirmation::provider_answer(&app.db, &staff, visit.id, None, "The bus was late; we stayed the full hour", Utc::now()).await.expect("answered");
    let settled = reload(&app, visit.id).await;
    assert_eq!((settled.confirmation, settled.charged_pence), (Some(app::VisitConfirmation::Confirmed), Some(2_650)));
    assert_eq!(balance(&app, payable(&app)).await, 2_650);
    let told = server::domain::notifications::latest(&app.db, holder.user_id, 1).await.expect("messages");
    assert!(told[0].message.contains("raise a concern"), "{}", told[0].message);
    let commissioner = user(&app, app.personas.commissioner.id).await;
    assert!(visit_confirmation::for_council(&app.db, &commissioner).await.expect("queue").is_empty(), "never the council's");
    assert_sound(&app, "after the answer").await;
}

#[tokio::test]
async fn the_link_the_page_and_the_clock_confirming_at_once_pay_the_provider_once() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let (_, visit, _) = delivered(&app, false).await;
    let mailed = server::entities::mail_outbox::Entity::find().all(&app.db).await.expect("outbox");
    let link = mailed.iter().find_map(|mail| mail.link_path.strip_prefix("/visits/confirm?token=")).expect("the person's link");
    let holder = user(&app, app.personas.budget_holder.id).await;
    let by = visit.confirm_by.expect("a time to answer by");
    let (by_link, on_page, by_clock) = tokio::join!(
        visit_confirmation::answer_by_link(&app.db, link, Verdict::Confirm, by - Duration::minutes(1)),
        visit_confirmation::answer(&app.db, &holder, visit.id, Verdict::Confirm, by - Duration::minutes(1)),
        visit_confirmation::confirm_unanswered(&app.db, by)
    );
    let confirmed = [by_link.is_ok(), on_page.is_ok(), by_clock.as_ref().is_ok_and(|n| *n == 1)];
    assert_eq!(confirmed.iter().filter(|done| **done).count(), 1, "one of them confirmed it: {by_link:?} {on_page:?} {by_clock:?}");
    assert_eq!(balance(&app, payable(&app)).await, 2_650, "paid once");
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, 0);
    assert_sound(&app, "after three confirmations at once").await;
}
