//! After a booking is made: the provider accepts or declines (or it lapses), either side
//! cancels, visits are checked in and out and paid for as delivered, and a payment run pays
//! providers. The ledger stays sound after every step and the money always lands where the
//! rules say.
use crate::bookings::{book, funded_budget, lot_listing, next_monday, public_id, question_query, weekday_home_care};
use app::{BookingStatus, CloseReason, VisitStatus};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use server::domain::ledger::{self, Account};
use server::domain::visit_confirmation::{self, Verdict};
use server::domain::{booking_changes, payment_runs, visits};
use server::entities::{booking, notification, visit};
use server::error::AppError;
use tests::TestApp;
use tests::fixtures::{self, count};

pub(crate) async fn user(app: &TestApp, id: i64) -> app::SignedInUser {
    let model = server::entities::user::Entity::find_by_id(id).one(&app.db).await.expect("query").expect("user");
    server::domain::auth::signed_in_user(&model).expect("a signed-in user")
}

pub(crate) async fn booking_by_reference(app: &TestApp, location: &str) -> booking::Model {
    let reference = location.trim_start_matches("/bookings/");
    booking::Entity::find().filter(booking::Column::Reference.eq(reference)).one(&app.db).await.expect("query").expect("booking")
}

pub(crate) async fn visits_of(app: &TestApp, booking_id: i64) -> Vec<visit::Model> {
    visit::Entity::find().filter(visit::Column::BookingId.eq(booking_id)).order_by_asc(visit::Column::ScheduledStart).all(&app.db).await.expect("visits")
}

async fn messages(app: &TestApp, user_id: i64) -> Vec<String> {
    notification::Entity::find().filter(notification::Column::UserId.eq(user_id)).all(&app.db).await.expect("query").into_iter().map(|n| n.message).collect()
}

pub(crate) async fn balance(app: &TestApp, account: Account) -> i64 {
    ledger::balance(&app.db, &account).await.expect("balance")
}

pub(crate) async fn assert_sound(app: &TestApp, when: &str) {
    let soundness = ledger::soundness(&app.db).await.expect("check");
    assert!(soundness.is_sound(), "{when}: {soundness:?}");
}

/// A budget holder's booking of the test listing, made through the pages.
pub(crate) async fn booked(app: &TestApp, query: &str) -> booking::Model {
    let (_, listing) = weekday_home_care(app, app.personas.provider_id, &format!("Visits {}", count(&app.db, "listings").await)).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let (_, confirmed) = book(&mut holder, &listing, query, None).await;
    assert_eq!(confirmed.status, 302, "{confirmed:?}");
    booking_by_reference(app, confirmed.location().expect("booking page")).await
}

#[tokio::test]
async fn accepted_care_is_paid_for_as_delivered_and_a_payment_run_pays_the_provider() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let booking = booked(&app, &question_query("weekly", next_monday(), "09:00", "60", &[1, 4])).await;
    let staff = user(&app, app.personas.provider.id).await;
    let now = Utc::now();

    // Nobody but the provider's staff answers it.
    let holder = user(&app, app.personas.budget_holder.id).await;
    assert!(matches!(booking_changes::respond(&app.db, &holder, &booking.reference, true, "", now).await, Err(AppError::Forbidden)));
    booking_changes::respond(&app.db, &staff, &booking.reference, true, "", now).await.expect("accepted");
    assert!(messages(&app, app.personas.budget_holder.id).await.iter().any(|m| m.contains("accepted booking")));

    let planned = visits_of(&app, booking.id).await;
    assert_eq!(planned.len(), 8);
    // The first visit: checked in 5 minutes early, out 52 minutes later: 45 minutes charged
    // (52 rounds to the nearest 15), £26.50 an hour: £19.88 to the provider, £6.62 back.
    let first = &planned[0];
    let arrived = first.scheduled_start - Duration::minutes(5);
    assert!(visits::check_in(&app.db, &staff, first.id, first.scheduled_start - Duration::hours(3)).await.is_err(), "too early");
    visits::check_in(&app.db, &staff, first.id, arrived).await.expect("checked in");
    let charged = visits::check_out(&app.db, &staff, first.id, "Washed and dressed; lunch made", arrived + Duration::minutes(52)).await.expect("checked out");
    assert_eq!(charged, 1_988);
    // Not owed until the person confirms it: the cost stays set aside, the rest is back.
    assert_eq!(balance(&app, Account::provider_payable(council, app.personas.provider_id)).await, 0);
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, 21_200 - 662);
    assert!(matches!(visit_confirmation::answer(&app.db, &staff, first.id, Verdict::Confirm, now).await, Err(AppError::Forbidden)), "not the provider");
    visit_confirmation::answer(&app.db, &holder, first.id, Verdict::Confirm, now).await.expect("confirmed");
    // The second visit did not happen: all of its money goes back.
    let second = &planned[1];
    visits::mark_missed(&app.db, &staff, second.id, second.scheduled_start + Duration::hours(1)).await.expect("missed");
    assert_eq!(balance(&app, Account::provider_payable(council, app.personas.provider_id)).await, 1_988);
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, 21_200 - 2 * 2_650);
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 84_000 - 21_200 + 662 + 2_650);
    assert_sound(&app, "after the visits").await;
    let booking_now = booking::Entity::find_by_id(booking.id).one(&app.db).await.expect("query").expect("booking");
    assert_eq!((booking_now.status, booking_now.committed_pence), (BookingStatus::InProgress, 21_200 - 2 * 2_650));

    // Only commissioners run payments; the run pays what is owed, once.
    let commissioner = user(&app, app.personas.commissioner.id).await;
    assert!(matches!(payment_runs::run(&app.db, &staff, Utc::now()).await, Err(AppError::Forbidden)));
    let reference = payment_runs::run(&app.db, &commissioner, Utc::now()).await.expect("payment run");
    assert_eq!(balance(&app, Account::provider_payable(council, app.personas.provider_id)).await, 0);
    assert_eq!(balance(&app, Account::provider_paid(council, app.personas.provider_id)).await, 1_988);
    let (_, lines) = payment_runs::remittance(&app.db, &commissioner, &reference).await.expect("remittance");
    assert_eq!(lines.iter().map(|l| (l.provider.as_str(), l.amount_pence)).collect::<Vec<_>>(), [("Riverside Home Care", 1_988)]);
    assert!(matches!(payment_runs::run(&app.db, &commissioner, Utc::now()).await, Err(AppError::Invalid(_))), "nothing more to pay");
    assert_sound(&app, "after the payment run").await;
}

#[tokio::test]
async fn declined_and_lapsed_requests_give_the_money_back_and_say_so() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let staff = user(&app, app.personas.provider.id).await;
    let declined = booked(&app, &question_query("weekly", next_monday(), "09:00", "60", &[1, 4])).await;
    let lapsing = booked(&app, &question_query("once", next_monday(), "14:00", "60", &[])).await;
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 84_000 - 21_200 - 2_650);

    booking_changes::respond(&app.db, &staff, &declined.reference, false, "No carers free on Thursdays", Utc::now()).await.expect("declined");
    assert!(visits_of(&app, declined.id).await.iter().all(|v| v.status == VisitStatus::Cancelled));
    assert!(
        messages(&app, app.personas.budget_holder.id).await.iter().any(|m| m.contains("could not take booking") && m.contains("No carers free on Thursdays"))
    );
    // Not answered within 24 hours: it lapses.
    assert_eq!(booking_changes::lapse_overdue(&app.db, Utc::now() + Duration::hours(23)).await.expect("lapse run"), 0);
    assert_eq!(booking_changes::lapse_overdue(&app.db, Utc::now() + Duration::hours(25)).await.expect("lapse run"), 1);
    let lapsed = booking::Entity::find_by_id(lapsing.id).one(&app.db).await.expect("query").expect("booking");
    assert_eq!((lapsed.status, lapsed.close_code), (BookingStatus::Lapsed, Some(CloseReason::NotAnswered)));
    assert!(booking_changes::respond(&app.db, &staff, &lapsing.reference, true, "", Utc::now()).await.is_err(), "too late to accept");
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 84_000);
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, 0);
    assert_sound(&app, "after declining and lapsing").await;
}

#[tokio::test]
async fn cancelling_late_costs_only_what_the_service_published_when_booked() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let staff = user(&app, app.personas.provider.id).await;
    let holder = user(&app, app.personas.budget_holder.id).await;
    // The test service: 24 hours' notice, then half the price.
    let late = booked(&app, &question_query("once", next_monday(), "09:00", "60", &[])).await;
    let early = booked(&app, &question_query("once", next_monday(), "13:00", "60", &[])).await;
    let unanswered = booked(&app, &question_query("once", next_monday(), "16:00", "60", &[])).await;
    for booking in [&late, &early] {
        booking_changes::respond(&app.db, &staff, &booking.reference, true, "", Utc::now()).await.expect("accepted");
    }
    // Terms changed afterwards apply to new bookings only.
    app.execute_sql("UPDATE listings SET cancellation_notice_hours = 48, late_cancellation_percent = 100, billing_increment_minutes = 60").await;
    let due: DateTime<Utc> = late.starts_at;
    let other = user(&app, fixtures::user(&app.db, council, "x@test.example", app::Role::BudgetHolder, None).await.id).await;
    assert!(matches!(booking_changes::cancel_by_person(&app.db, &other, &late.reference, due).await, Err(AppError::Forbidden)));
    booking_changes::cancel_by_person(&app.db, &holder, &late.reference, due - Duration::hours(2)).await.expect("cancelled late");
    booking_changes::cancel_by_person(&app.db, &holder, &early.reference, early.starts_at - Duration::hours(30)).await.expect("cancelled early");
    booking_changes::cancel_by_person(&app.db, &holder, &unanswered.reference, unanswered.starts_at - Duration::hours(1)).await.expect("cancelled a request");
    // Only the late one is charged: half of £26.50.
    assert_eq!(balance(&app, Account::provider_payable(council, app.personas.provider_id)).await, 1_325);
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 84_000 - 1_325);
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, 0);
    assert!(booking_changes::cancel_by_person(&app.db, &holder, &late.reference, due).await.is_err(), "already ended");
    assert_sound(&app, "after cancelling").await;
}

#[tokio::test]
async fn a_provider_handing_back_care_must_say_why_and_the_person_is_told() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let staff = user(&app, app.personas.provider.id).await;
    let booking = booked(&app, &question_query("weekly", next_monday(), "09:00", "60", &[1])).await;
    assert!(
        booking_changes::cancel_by_provider(&app.db, &staff, &booking.reference, "Short of staff", Utc::now()).await.is_err(),
        "a request is declined, not handed back"
    );
    booking_changes::respond(&app.db, &staff, &booking.reference, true, "", Utc::now()).await.expect("accepted");
    assert!(matches!(booking_changes::cancel_by_provider(&app.db, &staff, &booking.reference, " ", Utc::now()).await, Err(AppError::Invalid(_))));
    booking_changes::cancel_by_provider(&app.db, &staff, &booking.reference, "Short of staff", Utc::now()).await.expect("handed back");
    assert!(messages(&app, app.personas.budget_holder.id).await.iter().any(|m| m.contains("has cancelled booking") && m.contains("Short of staff")));
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 84_000);
    assert_sound(&app, "after the hand-back").await;
}

/// Hilltop's service on the North home care lot (Hilltop ranks first, Riverside second;
/// Northgate is rated Inadequate, Eastfield suspended), booked on Mondays by the budget holder
/// as best value on the framework, from a direct payment holding `pence`.
async fn best_value_at_hilltop(app: &TestApp, pence: i64, how_often: &str) -> (i64, booking::Model) {
    let lot = crate::lots::north_home_care(app).await;
    app.execute_sql("INSERT INTO listing_availability (listing_id, weekday, opens_minute, closes_minute) SELECT listing_id, 1, 480, 1080 FROM accreditations")
        .await;
    let budget = funded_budget(app, app.personas.budget_holder.id, "direct_payment", pence).await;
    let hilltop_listing = public_id(app, lot_listing(app, lot, app.personas.other_provider_id).await).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let weekdays: &[u32] = if how_often == "weekly" { &[1] } else { &[] };
    let query = format!("{}&best_value=yes", question_query(how_often, next_monday(), "09:00", "60", weekdays));
    let (check, confirmed) = book(&mut holder, &hilltop_listing, &query, None).await;
    assert!(check.text().contains("If Hilltop Care cannot take it, it goes to the next provider"), "{}", check.text());
    (budget, booking_by_reference(app, confirmed.location().expect("booked")).await)
}

/// Hilltop's staff, who answer for it.
async fn hilltop_staff(app: &TestApp) -> app::SignedInUser {
    user(app, fixtures::user(&app.db, app.personas.council_id, "staff@hilltop.example", app::Role::Provider, Some(app.personas.other_provider_id)).await.id)
        .await
}

#[tokio::test]
async fn best_value_requests_go_to_the_next_ranked_provider_on_the_lot() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let (budget, first) = best_value_at_hilltop(&app, 84_000, "weekly").await;
    assert!(first.best_value);

    booking_changes::respond(&app.db, &hilltop_staff(&app).await, &first.reference, false, "", Utc::now()).await.expect("declined");
    let second = booking::Entity::find().filter(booking::Column::OfferedOnFrom.eq(first.id)).one(&app.db).await.expect("query").expect("offered on");
    assert_eq!((second.provider_id, second.status), (app.personas.provider_id, BookingStatus::Requested));
    assert!(
        messages(&app, app.personas.budget_holder.id)
            .await
            .iter()
            .any(|m| m.contains(&format!("asked the next provider on the council's framework instead (booking {})", second.reference)))
    );
    assert_eq!(
        balance(&app, Account::budget_committed(council, budget)).await,
        4 * 2_400,
        "the same 4 Mondays, set aside again at Riverside's contracted rate"
    );

    // Riverside cannot either, and nobody else on the lot can be offered work: money back.
    let staff = user(&app, app.personas.provider.id).await;
    booking_changes::respond(&app.db, &staff, &second.reference, false, "", Utc::now()).await.expect("declined");
    assert_eq!(count(&app.db, "bookings").await, 2);
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 84_000);
    assert_sound(&app, "after the offers").await;
}

#[tokio::test]
async fn care_handed_back_or_left_unanswered_goes_on_down_the_ranking_and_the_person_and_planner_are_told() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let person = app.personas.budget_holder.id;
    let lot = crate::lots::north_home_care(&app).await;
    // Hilltop ranks first, Riverside second; Northgate is rated Inadequate, Eastfield suspended.
    app.execute_sql("INSERT INTO listing_availability (listing_id, weekday, opens_minute, closes_minute) SELECT listing_id, 1, 480, 1080 FROM accreditations")
        .await;
    let budget = funded_budget(&app, person, "direct_payment", 84_000).await;
    fixtures::insert(
        &app.db,
        "delegations",
        &[
            ("holder_id", person.into()),
            ("delegate_id", app.personas.planner.id.into()),
            ("can_view", true.into()),
            ("can_book", true.into()),
            ("can_pay", false.into()),
            ("created_at", Utc::now().into()),
        ],
    )
    .await;
    // The planner books Riverside, second on the lot, as best value on the framework.
    let riverside_listing = public_id(&app, lot_listing(&app, lot, app.personas.provider_id).await).await;
    let mut planner = app.signed_in(&app.personas.planner).await;
    let query = format!("{}&best_value=yes", question_query("weekly", next_monday(), "09:00", "60", &[1]));
    let (_, confirmed) = book(&mut planner, &riverside_listing, &query, Some(person)).await;
    let first = booking_by_reference(&app, confirmed.location().expect("booked")).await;
    assert_eq!((first.placed_by, first.channel.as_str()), (app.personas.planner.id, "planner"));
    let riverside = user(&app, app.personas.provider.id).await;
    booking_changes::respond(&app.db, &riverside, &first.reference, true, "", Utc::now()).await.expect("accepted");

    // Riverside hands it back: Hilltop, not yet asked, is offered the same Mondays.
    booking_changes::cancel_by_provider(&app.db, &riverside, &first.reference, "Our carer is leaving", Utc::now()).await.expect("handed back");
    let second = booking::Entity::find().filter(booking::Column::OfferedOnFrom.eq(first.id)).one(&app.db).await.expect("query").expect("offered on");
    assert_eq!((second.provider_id, second.status, second.placed_by), (app.personas.other_provider_id, BookingStatus::Requested, app.personas.planner.id));
    for who in [person, app.personas.planner.id] {
        assert!(
            messages(&app, who).await.iter().any(|m| m.contains("Our carer is leaving") && m.contains(&format!("(booking {})", second.reference))),
            "user {who} is told: {:?}",
            messages(&app, who).await
        );
    }
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, 4 * 2_000, "the same 4 Mondays, set aside again at Hilltop's contracted rate");

    // Hilltop does not answer in time: nobody else on the lot can be offered work, so the money is back.
    assert_eq!(booking_changes::lapse_overdue(&app.db, Utc::now() + Duration::hours(25)).await.expect("lapse run"), 1);
    assert_eq!(booking::Entity::find_by_id(second.id).one(&app.db).await.expect("query").expect("booking").status, BookingStatus::Lapsed);
    assert_eq!(count(&app.db, "bookings").await, 2, "nobody left to ask");
    for who in [person, app.personas.planner.id] {
        assert!(
            messages(&app, who)
                .await
                .iter()
                .any(|m| m.contains(&format!("did not answer booking {} in time", second.reference)) && m.contains("back in the budget")),
            "user {who} is told: {:?}",
            messages(&app, who).await
        );
    }
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 84_000);
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, 0);
    assert_sound(&app, "after the hand-back and the lapse").await;
}

#[tokio::test]
async fn weekly_care_keeps_four_weeks_set_aside_until_the_budget_runs_short() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    // Enough for 10 one-hour visits: 8 now, 2 more, then the person is told.
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 10 * 2_650 + 100).await;
    let booking = booked(&app, &question_query("weekly", next_monday(), "09:00", "60", &[1, 4])).await;
    assert_eq!(visits_of(&app, booking.id).await.len(), 8);
    let a_week_on = booking.starts_at + Duration::days(7);
    assert_eq!(visits::extend_horizons(&app.db, a_week_on).await.expect("extend"), 2);
    assert_eq!(visits::extend_horizons(&app.db, a_week_on + Duration::days(1)).await.expect("extend again"), 0);
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 100);
    let told: Vec<String> = messages(&app, app.personas.budget_holder.id).await.into_iter().filter(|m| m.contains("not enough money")).collect();
    assert_eq!(told.len(), 1, "told once: {told:?}");
    assert_sound(&app, "after extending").await;
}

/// The same changes through the pages' forms, as a browser without JavaScript sends them, and
/// who each page and download is for.
#[tokio::test]
async fn the_pages_answer_cancel_and_pay_with_javascript_off() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let accepted = booked(&app, &question_query("once", next_monday(), "09:00", "60", &[])).await;
    let declined = booked(&app, &question_query("once", next_monday(), "11:00", "60", &[])).await;
    let cancelled = booked(&app, &question_query("once", next_monday(), "14:00", "60", &[])).await;

    let mut staff = app.signed_in(&app.personas.provider).await;
    let page = staff.get("/provider/bookings").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains(&format!("Reference {}", accepted.reference)) && page.text().contains("Answer by"), "{}", page.text());
    let reply = staff.post_form("/api/act-on-booking", &[("reference", accepted.reference.as_str()), ("action", "accept")]).await;
    assert_eq!(reply.location(), Some("/provider/bookings?done=1"), "{reply:?}");
    let reply = staff
        .post_form("/api/act-on-booking", &[("reference", declined.reference.as_str()), ("action", "decline"), ("reason", "Fully booked that morning")])
        .await;
    assert_eq!(reply.location(), Some("/provider/bookings?done=1"), "{reply:?}");
    // Another provider's staff can neither see nor answer them.
    let hilltop = fixtures::user(&app.db, council, "staff@hilltop.example", app::Role::Provider, Some(app.personas.other_provider_id)).await;
    let mut other = app.signed_in(&hilltop).await;
    assert!(!other.get("/provider/bookings").await.text().contains(&cancelled.reference));
    let reply = other.post_form("/api/act-on-booking", &[("reference", cancelled.reference.as_str()), ("action", "accept")]).await;
    assert_eq!(reply.redirected_error(), Some(app::UiError::Forbidden));

    // The person cancels from the booking's page; a stranger cannot.
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let page = holder.get(&format!("/bookings/{}", cancelled.reference)).await;
    assert!(page.text().contains("Free with 24 hours' notice. Visits cancelled later than that cost 50% of each visit's price."), "{}", page.text());
    let stranger = fixtures::user(&app.db, council, "stranger@test.example", app::Role::BudgetHolder, None).await;
    let reply = app.signed_in(&stranger).await.post_form("/api/cancel-booking", &[("reference", cancelled.reference.as_str())]).await;
    assert_eq!(reply.redirected_error(), Some(app::UiError::Forbidden));
    let reply = holder.post_form("/api/cancel-booking", &[("reference", cancelled.reference.as_str())]).await;
    assert_eq!(reply.location(), Some(format!("/bookings/{}?cancelled=1", cancelled.reference).as_str()), "{reply:?}");
    let closed: Vec<(BookingStatus, Option<CloseReason>)> =
        booking::Entity::find().order_by_asc(booking::Column::Id).all(&app.db).await.expect("query").into_iter().map(|b| (b.status, b.close_code)).collect();
    assert_eq!(
        closed,
        [
            (BookingStatus::Confirmed, None),
            (BookingStatus::Declined, Some(CloseReason::Declined)),
            (BookingStatus::Cancelled, Some(CloseReason::CancelledByPerson))
        ]
    );

    // The dashboard lists the bookings and says what happened.
    let dashboard = holder.get("/dashboard/budget-holder").await.text();
    assert!(dashboard.contains("Your bookings") && dashboard.contains("Declined by the provider"), "{dashboard}");
    assert!(dashboard.contains("Fully booked that morning"), "the decline's reason reaches the person: {dashboard}");

    // A visit delivered, then the commissioner pays and downloads the remittance.
    let first = visits_of(&app, accepted.id).await.remove(0);
    let provider_user = user(&app, app.personas.provider.id).await;
    visits::check_in(&app.db, &provider_user, first.id, first.scheduled_start).await.expect("in");
    visits::check_out(&app.db, &provider_user, first.id, "", first.scheduled_start + Duration::minutes(60)).await.expect("out");
    // The person confirms it on the booking's page.
    let page = holder.get(&format!("/bookings/{}", accepted.reference)).await;
    assert!(page.text().contains("Visits delivered") && page.text().contains("Confirm this visit"), "{}", page.text());
    let reply =
        holder.post_form("/api/answer-visit", &[("reference", accepted.reference.as_str()), ("visit_id", &first.id.to_string()), ("answer", "confirm")]).await;
    assert_eq!(reply.location(), Some(format!("/bookings/{}?answered=confirm", accepted.reference).as_str()), "{reply:?}");
    assert_eq!(staff.get("/payments").await.status, 403);
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    let page = commissioner.get("/payments").await;
    assert!(page.text().contains("Riverside Home Care£26.50"), "{}", page.text());
    let reply = commissioner.post_form("/api/run-payments", &[] as &[(&str, &str)]).await;
    let location = reply.location().expect("back to the payments page").to_string();
    let reference = location.trim_start_matches("/payments?run=").to_string();
    assert!(reference.starts_with("PR-"), "{location}");
    let csv = commissioner.get(&format!("/payments/{reference}/remittance.csv")).await;
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.body.lines().nth(1).map(|line| line.split(',').skip(2).collect::<Vec<_>>().join(",")),
        Some("Riverside Home Care,1-000000001,26.50".to_string())
    );
    assert_eq!(staff.get(&format!("/payments/{reference}/remittance.csv")).await.status, 403);
    assert_sound(&app, "after the pages").await;
}

/// Offering on to a dearer provider that the budget cannot pay for leaves nothing behind: no
/// half-made booking, no visits, no money set aside, and the person is told the money is back.
#[tokio::test]
async fn an_offer_the_budget_cannot_cover_leaves_nothing_behind() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    // Hilltop's 4 Mondays cost £80.00 at its contracted rate; Riverside (next) would need £96.00.
    let (budget, first) = best_value_at_hilltop(&app, 9_000, "weekly").await;
    booking_changes::respond(&app.db, &hilltop_staff(&app).await, &first.reference, false, "", Utc::now()).await.expect("declined");

    assert_eq!(count(&app.db, "bookings").await, 1, "no half-made booking");
    assert!(visits_of(&app, first.id).await.iter().all(|v| v.status == VisitStatus::Cancelled));
    assert_eq!(count(&app.db, "visits").await, 4);
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 9_000);
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, 0);
    assert!(messages(&app, app.personas.budget_holder.id).await.iter().any(|m| m.contains("The money set aside for it is back in the budget")));
    assert_sound(&app, "after an offer that could not be made").await;
}

/// A visit nobody checked in to is released a day after it was due: nothing charged, the money
/// back in the budget, the one-off booking ended; one checked in is left for its check-out.
#[tokio::test]
async fn visits_nobody_attended_are_released_a_day_later() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let staff = user(&app, app.personas.provider.id).await;
    let forgotten = booked(&app, &question_query("once", next_monday(), "09:00", "60", &[])).await;
    let attended = booked(&app, &question_query("once", next_monday(), "13:00", "60", &[])).await;
    for booking in [&forgotten, &attended] {
        booking_changes::respond(&app.db, &staff, &booking.reference, true, "", Utc::now()).await.expect("accepted");
    }
    let visit = visits_of(&app, attended.id).await.remove(0);
    visits::check_in(&app.db, &staff, visit.id, visit.scheduled_start).await.expect("checked in");

    assert_eq!(visits::release_unattended(&app.db, forgotten.starts_at + Duration::hours(23)).await.expect("sweep"), 0, "not yet");
    assert_eq!(visits::release_unattended(&app.db, forgotten.starts_at + Duration::hours(25)).await.expect("sweep"), 1);
    assert_eq!(visits_of(&app, forgotten.id).await[0].status, VisitStatus::Missed);
    assert_eq!(visits_of(&app, attended.id).await[0].status, VisitStatus::InProgress);
    let ended = booking::Entity::find_by_id(forgotten.id).one(&app.db).await.expect("query").expect("booking");
    assert_eq!((ended.status, ended.committed_pence), (BookingStatus::Completed, 0));
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 84_000 - 2_650);
    assert_eq!(balance(&app, Account::provider_payable(council, app.personas.provider_id)).await, 0);
    assert_sound(&app, "after the sweep").await;
}

/// A budget of the other council, paid its allocation.
pub(crate) async fn other_councils_budget(app: &TestApp, other: &fixtures::OtherCouncil, pence: i64) -> i64 {
    let today = Utc::now().date_naive();
    let budget = fixtures::budget(&app.db, other.council_id, other.budget_holder.id, "direct_payment", pence, today).await;
    server::domain::budgets::run_allocations(&app.db, today, Utc::now()).await.expect("allocation run");
    budget
}

/// Books the listing through the pages as `persona`, the provider accepts, and the first visit
/// is delivered in full (an hour at £26.50).
async fn delivered_visit(app: &TestApp, persona: &fixtures::Persona, listing: &str, time: &str) {
    let mut client = app.signed_in(persona).await;
    let (_, confirmed) = book(&mut client, listing, &question_query("once", next_monday(), time, "60", &[]), None).await;
    let booking = booking_by_reference(app, confirmed.location().expect("booked")).await;
    let staff = user(app, app.personas.provider.id).await;
    booking_changes::respond(&app.db, &staff, &booking.reference, true, "", Utc::now()).await.expect("accepted");
    let visit = &visits_of(app, booking.id).await[0];
    visits::check_in(&app.db, &staff, visit.id, visit.scheduled_start).await.expect("checked in");
    visits::check_out(&app.db, &staff, visit.id, "", visit.scheduled_start + Duration::minutes(60)).await.expect("checked out");
    // Nobody answered: confirmed automatically after 48 hours.
    let after = visit.scheduled_start + Duration::minutes(60) + Duration::hours(visit_confirmation::CONFIRM_HOURS);
    assert_eq!(visit_confirmation::confirm_unanswered(&app.db, after - Duration::minutes(1)).await.expect("ran"), 0, "not yet");
    assert_eq!(visit_confirmation::confirm_unanswered(&app.db, after).await.expect("ran"), 1);
}

#[tokio::test]
async fn each_council_owes_and_pays_a_shared_provider_only_for_its_own_care() {
    let app = TestApp::new().await;
    let other = fixtures::other_council(&app.db).await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    other_councils_budget(&app, &other, 84_000).await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Shared visits").await;
    delivered_visit(&app, &app.personas.budget_holder, &listing, "09:00").await;
    delivered_visit(&app, &other.budget_holder, &listing, "11:00").await;
    delivered_visit(&app, &other.budget_holder, &listing, "14:00").await;

    let ours = user(&app, app.personas.commissioner.id).await;
    let theirs = user(&app, other.commissioner.id).await;
    let owed = async |commissioner: &app::SignedInUser| -> Vec<(String, i64)> {
        payment_runs::owed(&app.db, commissioner).await.expect("owed").into_iter().map(|line| (line.provider, line.amount_pence)).collect()
    };
    assert_eq!(owed(&ours).await, [("Riverside Home Care".to_string(), 2_650)]);
    assert_eq!(owed(&theirs).await, [("Riverside Home Care".to_string(), 5_300)]);
    // The savings estimate counts the care each council paid for, not the other's.
    for (commissioner, paid) in [(&ours, 2_650), (&theirs, 5_300)] {
        // The visits are next week: the period runs to then.
        let query = app::report::ReportQuery { to: (next_monday() + Duration::days(7)).to_string(), ..Default::default() };
        let report = server::domain::reports::report(&app.db, commissioner, "savings", &query, Utc::now()).await.expect("savings");
        assert_eq!(report.rows[1][2], app::report::Figure::Pence(paid), "{:?}", report.rows[1]);
    }

    // Each council's run pays its own care, and its remittance lists only that.
    let run = payment_runs::run(&app.db, &ours, Utc::now()).await.expect("our run");
    let (_, lines) = payment_runs::remittance(&app.db, &ours, &run).await.expect("remittance");
    assert_eq!(lines.iter().map(|l| l.amount_pence).collect::<Vec<_>>(), [2_650]);
    assert_eq!(owed(&theirs).await, [("Riverside Home Care".to_string(), 5_300)], "the other council still owes its own");
    let run = payment_runs::run(&app.db, &theirs, Utc::now()).await.expect("their run");
    let (_, lines) = payment_runs::remittance(&app.db, &theirs, &run).await.expect("remittance");
    assert_eq!(lines.iter().map(|l| l.amount_pence).collect::<Vec<_>>(), [5_300]);
    assert_eq!(balance(&app, Account::provider_paid(app.personas.council_id, app.personas.provider_id)).await, 2_650);
    assert_eq!(balance(&app, Account::provider_paid(other.council_id, app.personas.provider_id)).await, 5_300);
    assert_sound(&app, "after both runs").await;
}

#[tokio::test]
async fn arriving_early_is_not_paid_as_care_delivered() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let booking = booked(&app, &question_query("once", next_monday(), "09:00", "60", &[])).await;
    let staff = user(&app, app.personas.provider.id).await;
    booking_changes::respond(&app.db, &staff, &booking.reference, true, "", Utc::now()).await.expect("accepted");
    let visit = &visits_of(&app, booking.id).await[0];
    // In an hour and a half early, out 45 minutes after the booked start: 45 minutes delivered.
    visits::check_in(&app.db, &staff, visit.id, visit.scheduled_start - Duration::minutes(90)).await.expect("checked in");
    let charged = visits::check_out(&app.db, &staff, visit.id, "", visit.scheduled_start + Duration::minutes(45)).await.expect("checked out");
    assert_eq!(charged, 1_988, "three quarters of £26.50");
    let holder = user(&app, app.personas.budget_holder.id).await;
    visit_confirmation::answer(&app.db, &holder, visit.id, Verdict::Confirm, Utc::now()).await.expect("confirmed");
    assert_eq!(balance(&app, Account::provider_payable(council, app.personas.provider_id)).await, 1_988);
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 84_000 - 1_988);
    let stored = visit::Entity::find_by_id(visit.id).one(&app.db).await.expect("query").expect("visit");
    assert_eq!(stored.delivered_minutes, Some(45));
    assert_sound(&app, "after the visit").await;
}

/// Sums a report column's counts.
fn column_total(report: &app::report::Report, column: usize) -> i64 {
    report
        .rows
        .iter()
        .filter_map(|row| match row.get(column) {
            Some(app::report::Figure::Count(n)) => Some(*n),
            _ => None,
        })
        .sum()
}

#[tokio::test]
async fn care_a_person_pays_for_themself_never_shows_in_the_councils_figures_or_pages() {
    use server::domain::ledger::Transfer;
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    // Someone paying for their own care, with £100 paid in by card.
    let own = fixtures::user(&app.db, council, "own@test.example", app::Role::BudgetHolder, None).await;
    let own_account = fixtures::insert(
        &app.db,
        "budgets",
        &[
            ("holder_id", own.id.into()),
            ("council_id", council.into()),
            ("budget_type", "direct_payment".into()),
            ("four_weekly_allocation_pence", 0_i64.into()),
            ("four_weekly_contribution_pence", 0_i64.into()),
            ("funding", "self".into()),
            ("starts_on", Utc::now().date_naive().into()),
            ("created_at", Utc::now().into()),
        ],
    )
    .await;
    let paid_in = Transfer::new("card:pi_own", Account::card_clearing(council), Account::budget_available(council, own_account), 10_000, "card_payment");
    ledger::transfer(&app.db, &paid_in, Utc::now()).await.expect("paid in");
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Visits for anyone").await;
    delivered_visit(&app, &app.personas.budget_holder, &listing, "09:00").await;
    delivered_visit(&app, &own, &listing, "11:00").await;
    let own_booking = booking::Entity::find().filter(booking::Column::PersonId.eq(own.id)).one(&app.db).await.expect("query").expect("their booking");

    let commissioner = user(&app, app.personas.commissioner.id).await;
    let mut council_staff = app.signed_in(&app.personas.commissioner).await;
    assert_eq!(council_staff.get(&format!("/bookings/{}", own_booking.reference)).await.status, 403, "not the council's to open");
    let query = app::report::ReportQuery { to: (next_monday() + Duration::days(7)).to_string(), ..Default::default() };
    let report = |slug: &'static str| {
        let (db, commissioner, query) = (app.db.clone(), commissioner.clone(), query.clone());
        async move { server::domain::reports::report(&db, &commissioner, slug, &query, Utc::now()).await.expect(slug) }
    };
    assert_eq!(column_total(&report("placements").await, 1), 1, "only the council-funded placement");
    assert_eq!(column_total(&report("delivery").await, 2), 1, "only the council-funded visit");
    let budgets = report("budgets").await;
    assert_eq!(budgets.rows.last().map(|row| row[1].clone()), Some(app::report::Figure::Count(1)), "one council budget");
    assert_eq!(report("savings").await.rows[1][2], app::report::Figure::Pence(2_650), "care the council paid for");
    let dashboard = council_staff.get("/dashboard/commissioner").await.text();
    assert!(dashboard.contains("Budget holders1"), "{dashboard}");
}

#[tokio::test]
async fn a_booking_that_ends_while_staff_are_there_leaves_only_the_care_given_set_aside_until_it_is_confirmed() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let staff = user(&app, app.personas.provider.id).await;
    let holder = user(&app, app.personas.budget_holder.id).await;
    for (time, by_person) in [("09:00", true), ("13:00", false)] {
        let booking = booked(&app, &question_query("once", next_monday(), time, "60", &[])).await;
        booking_changes::respond(&app.db, &staff, &booking.reference, true, "", Utc::now()).await.expect("accepted");
        let visit = &visits_of(&app, booking.id).await[0];
        visits::check_in(&app.db, &staff, visit.id, visit.scheduled_start).await.expect("checked in");
        // Half an hour in, the person cancels, or the provider hands the care back.
        let at = visit.scheduled_start + Duration::minutes(30);
        if by_person {
            booking_changes::cancel_by_person(&app.db, &holder, &booking.reference, at).await.expect("cancelled");
        } else {
            booking_changes::cancel_by_provider(&app.db, &staff, &booking.reference, "Our carer was taken ill", at).await.expect("handed back");
        }
        let ended = visit::Entity::find_by_id(visit.id).one(&app.db).await.expect("query").expect("visit");
        assert_eq!((ended.status, ended.delivered_minutes, ended.charged_pence), (VisitStatus::Delivered, Some(30), Some(1_325)), "{time}");
    }
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, 2 * 1_325, "the care given, waiting to be confirmed");
    assert_eq!(balance(&app, Account::provider_payable(council, app.personas.provider_id)).await, 0);
    let ended = visit::Entity::find().filter(visit::Column::Status.eq(VisitStatus::Delivered)).all(&app.db).await.expect("visits");
    for visit in ended {
        visit_confirmation::answer(&app.db, &holder, visit.id, Verdict::Confirm, Utc::now()).await.expect("confirmed");
    }
    assert_eq!(balance(&app, Account::budget_committed(council, budget)).await, 0, "nothing stranded");
    assert_eq!(balance(&app, Account::provider_payable(council, app.personas.provider_id)).await, 2 * 1_325);
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 84_000 - 2 * 1_325);
    let mut client = app.signed_in(&app.personas.budget_holder).await;
    let statement = client.get("/budget/statement").await.text();
    assert!(statement.contains("Paid for care delivered") && statement.contains("Released when the booking ended"), "{statement}");
    assert_sound(&app, "after the bookings ended").await;
}

#[tokio::test]
async fn a_one_off_visit_whose_time_has_passed_is_not_offered_on_for_another_day() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let (budget, first) = best_value_at_hilltop(&app, 84_000, "once").await;
    // Nobody answers before the visit's day has come and gone.
    assert_eq!(booking_changes::lapse_overdue(&app.db, first.starts_at + Duration::days(1)).await.expect("lapse run"), 1);
    assert_eq!(count(&app.db, "bookings").await, 1, "not re-booked for a day nobody asked for");
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 84_000);
    assert_sound(&app, "after the lapse").await;
}

#[tokio::test]
async fn care_offered_on_never_clashes_with_care_the_person_already_has() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let person = app.personas.budget_holder.id;
    let (budget, first) = best_value_at_hilltop(&app, 84_000, "once").await;
    // Meanwhile the council arranged a visit at that very hour (recorded straight in the database).
    let listing_id = fixtures::listing(&app.db, app.personas.provider_id, "Council-arranged visit", "published").await;
    let other = fixtures::insert(
        &app.db,
        "bookings",
        &[
            ("reference", "CM-TEST-0001".into()),
            ("listing_id", listing_id.into()),
            ("provider_id", app.personas.provider_id.into()),
            ("person_id", person.into()),
            ("placed_by", app.personas.commissioner.id.into()),
            ("channel", "council".into()),
            ("status", "confirmed".into()),
            ("schedule", "one_off".into()),
            ("starts_at", first.starts_at.into()),
            ("duration_minutes", 60.into()),
            ("unit_price_pence", 2_650_i64.into()),
            ("unit", "hour".into()),
            ("committed_pence", 0_i64.into()),
            ("paid_by", "budget".into()),
            ("budget_id", budget.into()),
            ("requested_at", Utc::now().into()),
            ("best_value", false.into()),
            ("cancellation_notice_hours", 24.into()),
            ("late_cancellation_percent", 0.into()),
            ("billing_increment_minutes", 15.into()),
        ],
    )
    .await;
    fixtures::insert(
        &app.db,
        "visits",
        &[
            ("booking_id", other.into()),
            ("person_id", person.into()),
            ("scheduled_start", first.starts_at.into()),
            ("scheduled_minutes", 60.into()),
            ("status", "scheduled".into()),
        ],
    )
    .await;
    booking_changes::respond(&app.db, &hilltop_staff(&app).await, &first.reference, false, "", Utc::now()).await.expect("declined");
    assert_eq!(count(&app.db, "bookings").await, 2, "Riverside is not asked for a time the person already has care");
    assert_eq!(balance(&app, Account::budget_available(council, budget)).await, 84_000);
    assert_sound(&app, "after the decline").await;
}

#[tokio::test]
async fn one_weekly_booking_that_cannot_be_extended_does_not_stop_the_others() {
    let app = TestApp::new().await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let broken = booked(&app, &question_query("weekly", next_monday(), "09:00", "60", &[1])).await;
    let fine = booked(&app, &question_query("weekly", next_monday(), "13:00", "60", &[1])).await;
    // Something the extension cannot set money aside for: a minute at a penny an hour is nothing.
    app.execute_sql(&format!("UPDATE bookings SET unit_price_pence = 1, duration_minutes = 1 WHERE id = {}", broken.id)).await;
    let added = visits::extend_horizons(&app.db, fine.starts_at + Duration::days(7)).await.expect("the run goes on");
    assert_eq!(added, 1, "the other booking got its next Monday");
    assert_eq!(visits_of(&app, fine.id).await.len(), 5);
    assert_sound(&app, "after extending").await;
}
