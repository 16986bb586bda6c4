//! The booking journey over HTTP with JavaScript off: questions, check your answers, confirm.
//! The money for the first 4 weeks is set aside in the same transaction; each refusal says
//! why and changes nothing; a repeated form books once; only the person, someone they let
//! book, and the provider's staff see a booking; racing bookings never overspend.
use chrono::{Datelike, Duration, NaiveDate, Utc};
use server::domain::ledger::{self, Account};
use tests::fixtures::{self, count, insert};
use tests::{Client, Reply, TestApp};

/// A Monday at least two days ahead (UK dates; the tests avoid the small hours).
pub fn next_monday() -> NaiveDate {
    let mut day = Utc::now().date_naive() + Duration::days(2);
    while day.weekday() != chrono::Weekday::Mon {
        day += Duration::days(1);
    }
    day
}

/// A published home care service at £26.50 an hour, open 08:00 to 18:00 Monday to Friday.
pub async fn weekday_home_care(app: &TestApp, provider_id: i64, title: &str) -> (i64, String) {
    let id = fixtures::listing(&app.db, provider_id, title, "published").await;
    // A small integer, as the column and the app's own inserts have it: PostgreSQL connections
    // reuse a statement prepared for the same text, with the types it was first given.
    for weekday in 1..=5_i16 {
        insert(
            &app.db,
            "listing_availability",
            &[("listing_id", id.into()), ("weekday", weekday.into()), ("opens_minute", 480.into()), ("closes_minute", 1080.into())],
        )
        .await;
    }
    (id, public_id(app, id).await)
}

pub async fn public_id(app: &TestApp, listing_id: i64) -> String {
    use sea_orm::EntityTrait;
    server::entities::listing::Entity::find_by_id(listing_id).one(&app.db).await.expect("query").expect("listing").public_id
}

/// A budget for the test budget holder with this much paid in.
pub async fn funded_budget(app: &TestApp, holder_id: i64, budget_type: &str, pence: i64) -> i64 {
    let today = Utc::now().date_naive();
    let budget = fixtures::budget(&app.db, app.personas.council_id, holder_id, budget_type, pence, today).await;
    server::domain::budgets::run_allocations(&app.db, today, Utc::now()).await.expect("allocation run");
    budget
}

/// The question page's answers as its GET form sends them.
pub fn question_query(how_often: &str, date: NaiveDate, time: &str, minutes: &str, weekdays: &[u32]) -> String {
    let mut query = format!("how_often={how_often}&date={date}&time={time}&minutes={minutes}").replace(' ', "+");
    for day in weekdays {
        query.push_str(&format!("&weekdays%5B{}%5D={day}", day - 1));
    }
    query
}

pub fn hidden_value(page: &Reply, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    page.body.split(&marker).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_string()
}

/// Answers the questions, checks the answers page, confirms; returns the confirm reply.
pub async fn book(client: &mut Client, listing: &str, query: &str, person: Option<i64>) -> (Reply, Reply) {
    let person_query = person.map(|p| format!("&for={p}")).unwrap_or_default();
    let check = client.get(&format!("/book/{listing}?{query}{person_query}")).await;
    let mut fields: Vec<(String, String)> = vec![("listing".into(), listing.into()), ("request_key".into(), hidden_value(&check, "request_key"))];
    for name in ["how_often", "date", "time", "minutes", "weekdays", "best_value"] {
        fields.push((format!("answers[{name}]"), hidden_value(&check, &format!("answers[{name}]"))));
    }
    fields.push(("quoted_total".into(), hidden_value(&check, "quoted_total")));
    if let Some(person) = person {
        fields.push(("person".into(), person.to_string()));
    }
    let confirmed = client.post_form("/api/confirm-booking", &fields).await;
    (check, confirmed)
}

pub async fn balances(app: &TestApp, budget: i64) -> (i64, i64) {
    let council = app.personas.council_id;
    let available = ledger::balance(&app.db, &Account::budget_available(council, budget)).await.expect("balance");
    let committed = ledger::balance(&app.db, &Account::budget_committed(council, budget)).await.expect("balance");
    (available, committed)
}

pub async fn assert_sound(app: &TestApp) {
    let soundness = ledger::soundness(&app.db).await.expect("check");
    assert!(soundness.is_sound(), "{soundness:?}");
}

#[tokio::test]
async fn a_budget_holder_books_weekly_care_and_the_first_four_weeks_are_set_aside() {
    let app = TestApp::new().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;

    let questions = holder.get(&format!("/book/{listing}")).await;
    assert_eq!(questions.status, 200);
    assert_eq!(questions.heading().split('<').next(), Some("When do you need care?"));

    let query = question_query("weekly", next_monday(), "09:00", "60", &[1, 4]);
    let (check, confirmed) = book(&mut holder, &listing, &query, None).await;
    let text = check.text();
    assert!(text.contains("Check your answers before booking"), "{text}");
    // 8 visits of an hour at £26.50 in the first 4 weeks: £212.00, leaving £628.00.
    for expected in [
        "Every Monday and Thursday, 09:00 to 10:00",
        "Each visit£26.50",
        "Every 4 weeks£212.00 (8 visits)",
        "In the budget now£840.00",
        "Left after this booking£628.00",
    ] {
        assert!(text.contains(expected), "check page says {expected:?}: {text}");
    }
    assert_eq!(confirmed.status, 302, "{confirmed:?}");
    let location = confirmed.location().expect("goes to the booking").to_string();
    assert!(location.starts_with("/bookings/CM-"), "{location}");

    let page = holder.get(&location).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Booking request sent"), "{}", page.text());
    assert!(page.text().contains("has until"), "says when the provider must answer");
    assert_eq!(balances(&app, budget).await, (84_000 - 21_200, 21_200));
    assert_eq!(count(&app.db, "visits").await, 8);
    assert_sound(&app).await;

    // The same form sent again (a double click): the same booking, nothing more set aside.
    let fields_again = {
        let mut fields: Vec<(String, String)> = vec![("listing".into(), listing.clone()), ("request_key".into(), hidden_value(&check, "request_key"))];
        for name in ["how_often", "date", "time", "minutes", "weekdays"] {
            fields.push((format!("answers[{name}]"), hidden_value(&check, &format!("answers[{name}]"))));
        }
        fields.push(("quoted_total".into(), hidden_value(&check, "quoted_total")));
        fields
    };
    let again = holder.post_form("/api/confirm-booking", &fields_again).await;
    assert_eq!(again.location(), Some(location.as_str()));
    assert_eq!(count(&app.db, "bookings").await, 1);
    assert_eq!(balances(&app, budget).await, (84_000 - 21_200, 21_200));
}

/// The message a refused question page shows, with nothing booked or moved.
async fn refused(app: &TestApp, client: &mut Client, listing: &str, query: &str) -> String {
    let before = (count(&app.db, "bookings").await, count(&app.db, "ledger_transfers").await);
    let page = client.get(&format!("/book/{listing}?{query}")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let text = page.text();
    assert!(text.contains("There is a problem") && text.contains("When do you need care?"), "refused with the questions again: {text}");
    assert_eq!((count(&app.db, "bookings").await, count(&app.db, "ledger_transfers").await), before);
    text
}

#[tokio::test]
async fn each_refusal_says_why_and_books_nothing() {
    let app = TestApp::new().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 10_000).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let monday = next_monday();

    let cases = [
        (question_query("weekly", monday, "09:00", "60", &[1, 4]), "Your budget has £100.00 available, and this needs £212.00 for the first 4 weeks"),
        (question_query("once", monday, "17:30", "60", &[]), "On Mondays Riverside Home Care works 08:00 to 18:00"),
        (question_query("once", monday + Duration::days(5), "10:00", "60", &[]), "Riverside Home Care does not offer this service on Saturdays"),
        (question_query("once", monday, "10:00", "20", &[]), "Home care visits are at least 30 minutes"),
        (question_query("weekly", monday, "10:00", "60", &[]), "Choose the days of the week you need care"),
        (question_query("once", monday - Duration::days(30), "10:00", "60", &[]), "The date must be today or in the future"),
        (question_query("sometimes", monday, "25:00", "an hour", &[]), "Choose whether you need care once or every week"),
    ];
    for (query, message) in cases {
        let text = refused(&app, &mut holder, &listing, &query).await;
        assert!(text.contains(message), "{query}: expected {message:?} in {text}");
    }
    // Several problems at once are all named.
    let text = refused(&app, &mut holder, &listing, &question_query("sometimes", monday, "25:00", "an hour", &[])).await;
    assert!(text.contains("Enter the start time") && text.contains("Enter how long each visit lasts"), "{text}");

    // The slot is taken: an hour booked on Monday at 10:00, then another at 10:30.
    let (_, booked) = book(&mut holder, &listing, &question_query("once", monday, "10:00", "60", &[]), None).await;
    assert_eq!(booked.status, 302, "{booked:?}");
    let text = refused(&app, &mut holder, &listing, &question_query("once", monday, "10:30", "30", &[])).await;
    assert!(text.contains("There is already care booked at 10:00 on Monday"), "{text}");
    // Visits that only touch it are fine: 09:30 to 10:00, and 11:00 to 11:30.
    for time in ["09:30", "11:00"] {
        let (_, next) = book(&mut holder, &listing, &question_query("once", monday, time, "30", &[]), None).await;
        assert_eq!(next.status, 302, "{time}: {next:?}");
    }
    // One that starts earlier and runs into one of them is not.
    let text = refused(&app, &mut holder, &listing, &question_query("once", monday, "09:00", "45", &[])).await;
    assert!(text.contains("There is already care booked at 09:30 on Monday"), "{text}");
    assert_eq!(balances(&app, budget).await, (10_000 - 5_300, 5_300));
    assert_sound(&app).await;
}

/// Books and returns the new booking's reference.
async fn booked_reference(client: &mut Client, listing: &str, query: &str) -> String {
    let (_, confirmed) = book(client, listing, query, None).await;
    assert_eq!(confirmed.status, 302, "{query}: {confirmed:?}");
    confirmed.location().and_then(|l| l.strip_prefix("/bookings/")).expect("goes to the booking").to_string()
}

#[tokio::test]
async fn weekly_care_keeps_its_times_after_the_four_weeks_scheduled_now() {
    let app = TestApp::new().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let monday = next_monday();
    let on = |days: i64| server::domain::uk_time::long_date(monday + Duration::days(days));

    // Every Monday 10:00 to 11:00: four visits are scheduled now, and it goes on after them.
    let mondays = booked_reference(&mut holder, &listing, &question_query("weekly", monday, "10:00", "60", &[1])).await;
    let text = refused(&app, &mut holder, &listing, &question_query("once", monday + Duration::days(42), "10:30", "30", &[])).await;
    assert!(text.contains(&format!("There is already care booked at 10:00 on {} (booking {mondays})", on(42))), "{text}");
    booked_reference(&mut holder, &listing, &question_query("once", monday + Duration::days(42), "11:00", "30", &[])).await;

    // A new weekly booking meets a one-off visit two months on, after its own first 4 weeks.
    let tuesday_visit = booked_reference(&mut holder, &listing, &question_query("once", monday + Duration::days(57), "14:00", "60", &[])).await;
    let text = refused(&app, &mut holder, &listing, &question_query("weekly", monday, "14:30", "30", &[2])).await;
    assert!(text.contains(&format!("There is already care booked at 14:00 on {} (booking {tuesday_visit})", on(57))), "{text}");
    booked_reference(&mut holder, &listing, &question_query("weekly", monday, "15:00", "30", &[2])).await;

    // Two weekly bookings meet where neither has visits scheduled yet.
    let text = refused(&app, &mut holder, &listing, &question_query("weekly", monday + Duration::days(35), "10:30", "30", &[1, 3])).await;
    assert!(text.contains(&format!("There is already care booked at 10:00 on {} (booking {mondays})", on(35))), "{text}");
    booked_reference(&mut holder, &listing, &question_query("weekly", monday + Duration::days(35), "11:30", "30", &[1, 3])).await;

    // 4 Mondays at £26.50, a half hour at £13.25, an hour, 4 Tuesdays and 8 half hours at £13.25.
    let committed = 4 * 2_650 + 1_325 + 2_650 + 4 * 1_325 + 8 * 1_325;
    assert_eq!(balances(&app, budget).await, (84_000 - committed, committed));
    assert_eq!(count(&app.db, "bookings").await, 5);
    assert_sound(&app).await;
}

#[tokio::test]
async fn the_care_plan_sets_the_shortest_home_care_visit_and_only_commissioners_change_it() {
    let app = TestApp::new().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let monday = next_monday();
    let set = |minutes: &'static str| vec![("budget_id".to_string(), budget.to_string()), ("minutes".to_string(), minutes.to_string())];
    // Nobody but a commissioner of the council changes the care plan.
    for persona in [&app.personas.budget_holder, &app.personas.planner, &app.personas.provider] {
        let mut client = app.signed_in(persona).await;
        assert_eq!(client.post_form("/api/set-shortest-visit", &set("15")).await.redirected_error(), Some(app::UiError::Forbidden), "{}", persona.email);
    }
    let text = refused(&app, &mut holder, &listing, &question_query("once", monday, "10:00", "15", &[])).await;
    assert!(text.contains("Home care visits are at least 30 minutes"), "{text}");

    // The plan allows 15-minute visits (a medication prompt): 15 books, 10 does not.
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    for (typed, message) in [("3", "a number from 5 to 240"), ("quarter of an hour", "as a whole number")] {
        match commissioner.post_form("/api/set-shortest-visit", &set(typed)).await.redirected_error() {
            Some(app::UiError::Invalid(errors)) => assert!(errors[0].message.contains(message), "{typed}: {errors:?}"),
            other => panic!("{typed}: expected a refusal, got {other:?}"),
        }
    }
    assert_eq!(
        commissioner.post_form("/api/set-shortest-visit", &set("15")).await.location().map(str::to_string),
        Some(format!("/budgets?shortest=1&budget={budget}"))
    );
    assert!(commissioner.get("/budgets").await.text().contains("Care plan: home care visits of at least 15 minutes"));
    let text = refused(&app, &mut holder, &listing, &question_query("once", monday, "10:00", "10", &[])).await;
    assert!(text.contains("The care plan's home care visits are at least 15 minutes"), "{text}");
    let (check, booked) = book(&mut holder, &listing, &question_query("once", monday, "10:00", "15", &[]), None).await;
    assert!(check.text().contains("15 minutes"), "{}", check.text());
    assert_eq!(booked.status, 302, "{booked:?}");
    // A quarter of £26.50 an hour: £6.63 (half a penny up).
    assert_eq!(balances(&app, budget).await, (84_000 - 663, 663));

    // Back to the usual rule.
    assert_eq!(
        commissioner.post_form("/api/set-shortest-visit", &set("")).await.location().map(str::to_string),
        Some(format!("/budgets?shortest=1&budget={budget}"))
    );
    let text = refused(&app, &mut holder, &listing, &question_query("once", monday, "14:00", "15", &[])).await;
    assert!(text.contains("Home care visits are at least 30 minutes"), "{text}");
    assert_sound(&app).await;
}

#[tokio::test]
async fn budget_types_limit_who_can_be_booked() {
    let app = TestApp::new().await;
    let lot = crate::lots::north_home_care(&app).await;
    // Riverside's framework service (£26.50 an hour, the lot's cap £30.00) and one off the framework.
    let framework_listing = public_id(&app, lot_listing(&app, lot, app.personas.provider_id).await).await;
    app.execute_sql(&format!("INSERT INTO listing_availability (listing_id, weekday, opens_minute, closes_minute) SELECT id, 1, 480, 1080 FROM listings WHERE public_id = '{framework_listing}'")).await;
    let (_, off_framework) = weekday_home_care(&app, app.personas.provider_id, "Evening visits").await;
    funded_budget(&app, app.personas.budget_holder.id, "managed_account", 84_000).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let once = question_query("once", next_monday(), "09:00", "60", &[]);

    let text = refused(&app, &mut holder, &off_framework, &once).await;
    assert!(text.contains("A managed account can only pay for services on the council's framework"), "{text}");
    // Riverside is contracted on the lot at £24.00 an hour (a cap below that is refused when
    // it is set; here it is forced, as if from before that check).
    app.execute_sql(&format!("UPDATE lots SET price_cap_pence = 2300 WHERE id = {lot}")).await;
    let text = refused(&app, &mut holder, &framework_listing, &once).await;
    assert!(text.contains("This service is contracted at £24.00 an hour, over the council's cap of £23.00 an hour"), "{text}");
    app.execute_sql(&format!("UPDATE lots SET price_cap_pence = 3000 WHERE id = {lot}")).await;
    let (_, booked) = book(&mut holder, &framework_listing, &once, None).await;
    assert_eq!(booked.status, 302, "a framework service within the cap: {booked:?}");

    // An individual service fund pays only the provider holding it.
    let fund_holder = fixtures::user(&app.db, app.personas.council_id, "fund@test.example", app::Role::BudgetHolder, None).await;
    insert(
        &app.db,
        "budgets",
        &[
            ("holder_id", fund_holder.id.into()),
            ("council_id", app.personas.council_id.into()),
            ("budget_type", "individual_service_fund".into()),
            ("isf_provider_id", app.personas.other_provider_id.into()),
            ("four_weekly_allocation_pence", 50_000_i64.into()),
            ("four_weekly_contribution_pence", 0_i64.into()),
            ("starts_on", Utc::now().date_naive().into()),
            ("created_at", Utc::now().into()),
        ],
    )
    .await;
    server::domain::budgets::run_allocations(&app.db, Utc::now().date_naive(), Utc::now()).await.expect("allocation run");
    let mut fund = app.signed_in(&fund_holder).await;
    let text = refused(&app, &mut fund, &off_framework, &once).await;
    assert!(text.contains("This individual service fund is held by Hilltop Care"), "{text}");
    assert_sound(&app).await;
}

pub async fn lot_listing(app: &TestApp, lot: i64, provider_id: i64) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use server::entities::accreditation;
    accreditation::Entity::find()
        .filter(accreditation::Column::LotId.eq(lot))
        .filter(accreditation::Column::ProviderId.eq(provider_id))
        .one(&app.db)
        .await
        .expect("query")
        .expect("accredited")
        .listing_id
}

/// A second server instance (its own router and pool) on the same database.
async fn second_server(app: &TestApp) -> axum::Router {
    let db = app.second_connection().await;
    let search = std::sync::Arc::new(server::search::embedded::EmbeddedIndex::in_memory().expect("index"));
    server::http::router(server::AppState::new(db, server::Config::for_tests("unused"), search))
}

/// Signed in as `persona` on the first server instance, or on `second`.
async fn racer(app: &TestApp, persona: &tests::fixtures::Persona, second: Option<&axum::Router>) -> Client {
    match second {
        None => app.signed_in(persona).await,
        Some(router) => {
            let mut client = Client::new(router.clone());
            assert_eq!(client.sign_in(&persona.email, fixtures::PASSWORD).await.status, 302);
            client
        }
    }
}

/// Confirms one visit of an hour straight away, with the racer's own request key (as a form
/// sent at that instant would); true if it was booked, else it must be refused with `refusal`.
async fn race_to_book(mut client: Client, n: u32, listing: String, (day, time): (NaiveDate, String), person: Option<i64>, refusal: &str) -> bool {
    let mut fields: Vec<(String, String)> = vec![
        ("listing".into(), listing),
        ("request_key".into(), format!("{n:064x}")),
        ("answers[how_often]".into(), "once".into()),
        ("answers[date]".into(), day.to_string()),
        ("answers[time]".into(), time),
        ("answers[minutes]".into(), "60".into()),
        ("answers[weekdays]".into(), String::new()),
        // An hour at £26.50, as the check page showed.
        ("quoted_total".into(), "2650".into()),
    ];
    if let Some(person) = person {
        fields.push(("person".into(), person.to_string()));
    }
    let reply = client.post_form("/api/confirm-booking", &fields).await;
    match reply.location() {
        Some(location) if location.starts_with("/bookings/") => true,
        _ => {
            let error = reply.redirected_error();
            assert!(matches!(&error, Some(app::UiError::Invalid(errors)) if errors[0].message.starts_with(refusal)), "racer {n}: {error:?} {reply:?}");
            false
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_person_and_their_planner_booking_the_same_slot_at_once_from_two_servers_book_it_once() {
    let app = TestApp::new().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let holder_id = app.personas.budget_holder.id;
    insert(
        &app.db,
        "delegations",
        &[
            ("holder_id", holder_id.into()),
            ("delegate_id", app.personas.planner.id.into()),
            ("can_view", true.into()),
            ("can_book", true.into()),
            ("can_pay", false.into()),
            ("created_at", Utc::now().into()),
        ],
    )
    .await;
    let second = second_server(&app).await;
    let monday = next_monday();
    let racing = 16;
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(racing));
    let mut racers = Vec::new();
    for n in 0..racing as u32 {
        // Half the person on this server, half their planner on the other, all for Monday 09:00.
        let (client, person) = if n % 2 == 0 {
            (racer(&app, &app.personas.budget_holder, None).await, None)
        } else {
            (racer(&app, &app.personas.planner, Some(&second)).await, Some(holder_id))
        };
        let (listing, start) = (listing.clone(), start.clone());
        racers.push(tokio::spawn(async move {
            start.wait().await;
            race_to_book(client, n, listing, (monday, "09:00".into()), person, "There is already care booked at 09:00").await
        }));
    }
    let mut won = 0;
    for racer in racers {
        won += i64::from(racer.await.expect("racer finished"));
    }
    assert_eq!(won, 1, "one booking for the slot");
    assert_eq!(count(&app.db, "bookings").await, 1);
    assert_eq!(balances(&app, budget).await, (84_000 - 2_650, 2_650));
    assert_sound(&app).await;
}

#[tokio::test]
async fn only_the_person_and_those_they_trust_book_and_see_bookings() {
    let app = TestApp::new().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let person = app.personas.budget_holder.id;
    let once = |hour: u32| question_query("once", next_monday(), &format!("{hour:02}:00"), "60", &[]);

    // A planner the person has not trusted, a provider and a commissioner cannot book for them.
    for persona in [&app.personas.planner, &app.personas.provider, &app.personas.commissioner] {
        let mut client = app.signed_in(persona).await;
        let page = client.get(&format!("/book/{listing}?{}&for={person}", once(9))).await;
        assert_eq!(page.status, 403, "{:?} may not book for the person", persona.role);
    }
    assert_eq!(count(&app.db, "bookings").await, 0);

    // Once the person lets the planner book, the planner can; the booking says who placed it.
    let delegation = insert(
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
    let mut planner = app.signed_in(&app.personas.planner).await;
    let (_, booked) = book(&mut planner, &listing, &once(9), Some(person)).await;
    assert_eq!(booked.status, 302, "{booked:?}");
    let location = booked.location().expect("booking page").to_string();
    use sea_orm::EntityTrait;
    let booking = server::entities::booking::Entity::find().one(&app.db).await.expect("query").expect("booked");
    assert_eq!((booking.person_id, booking.placed_by, booking.channel.as_str()), (person, app.personas.planner.id, "planner"));

    // Who sees the booking.
    let status = |persona: fixtures::Persona| {
        let (app, location) = (&app, location.clone());
        async move { app.signed_in(&persona).await.get(&location).await.status }
    };
    assert_eq!(status(app.personas.budget_holder.clone()).await, 200);
    assert_eq!(status(app.personas.planner.clone()).await, 200);
    assert_eq!(status(app.personas.provider.clone()).await, 200, "the provider's own staff");
    let other_staff = fixtures::user(&app.db, app.personas.council_id, "hilltop@test.example", app::Role::Provider, Some(app.personas.other_provider_id)).await;
    assert_eq!(status(other_staff).await, 403, "another provider's staff");
    let stranger = fixtures::user(&app.db, app.personas.council_id, "stranger@test.example", app::Role::BudgetHolder, None).await;
    assert_eq!(status(stranger).await, 403, "another budget holder");

    // Revoked: refused at once.
    app.execute_sql(&format!("UPDATE delegations SET revoked_at = CURRENT_TIMESTAMP WHERE id = {delegation}")).await;
    let (check, _) = book(&mut planner, &listing, &once(11), Some(person)).await;
    assert_eq!(check.status, 403);
    assert_eq!(status(app.personas.planner.clone()).await, 403);
    assert_eq!(count(&app.db, "bookings").await, 1);
}

/// Two server instances (two routers, two pools) take many bookings at once for one budget;
/// together they ask for more than it holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_bookings_from_two_servers_never_overspend() {
    let app = TestApp::new().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 30_000).await;
    let second = second_server(&app).await;
    let monday = next_monday();
    let mut racers = Vec::new();
    for n in 0..24_u32 {
        let client = racer(&app, &app.personas.budget_holder, (n % 2 == 1).then_some(&second)).await;
        // Each an hour at £26.50, on its own weekday morning slot.
        let day = monday + Duration::days(i64::from(n / 8) * 7 + i64::from(n % 8 / 2));
        let time = format!("{:02}:00", 9 + n % 2 * 2);
        let listing = listing.clone();
        racers.push(tokio::spawn(async move { race_to_book(client, n, listing, (day, time), None, "Your budget has").await }));
    }
    let mut won = 0;
    for racer in racers {
        won += i64::from(racer.await.expect("racer finished"));
    }
    // £300 pays for 11 visits at £26.50 (£291.50), not 12.
    assert_eq!(won, 11);
    assert_eq!(balances(&app, budget).await, (30_000 - 11 * 2_650, 11 * 2_650));
    assert_eq!(count(&app.db, "bookings").await, 11);
    assert_sound(&app).await;
}

#[tokio::test]
async fn framework_care_is_charged_the_contracted_rate_whatever_the_listing_says_now() {
    let app = TestApp::new().await;
    let lot = crate::lots::north_home_care(&app).await;
    // Riverside's service on the lot: £26.50 an hour to the public, £24.00 contracted.
    let framework_listing = lot_listing(&app, lot, app.personas.provider_id).await;
    let listing = public_id(&app, framework_listing).await;
    app.execute_sql(&format!("INSERT INTO listing_availability (listing_id, weekday, opens_minute, closes_minute) SELECT id, 1, 480, 1080 FROM listings WHERE id = {framework_listing}")).await;
    let managed = funded_budget(&app, app.personas.budget_holder.id, "managed_account", 84_000).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    // The provider raises its public price after being admitted: framework care is unmoved.
    app.execute_sql(&format!("UPDATE listings SET price_pence = 4000 WHERE id = {framework_listing}")).await;
    let (check, booked) = book(&mut holder, &listing, &question_query("once", next_monday(), "09:00", "60", &[]), None).await;
    assert!(check.text().contains("Each visit£24.00"), "{}", check.text());
    assert_eq!(booked.status, 302, "{booked:?}");
    assert_eq!(balances(&app, managed).await, (84_000 - 2_400, 2_400));

    // A direct payment asking for best value on the framework is charged the same rate.
    let direct_holder = fixtures::user(&app.db, app.personas.council_id, "direct@test.example", app::Role::BudgetHolder, None).await;
    let direct = funded_budget(&app, direct_holder.id, "direct_payment", 84_000).await;
    let mut client = app.signed_in(&direct_holder).await;
    let query = format!("{}&best_value=yes", question_query("once", next_monday(), "11:00", "60", &[]));
    let (check, booked) = book(&mut client, &listing, &query, None).await;
    assert!(check.text().contains("Each visit£24.00"), "{}", check.text());
    assert_eq!(booked.status, 302, "{booked:?}");
    assert_eq!(balances(&app, direct).await, (84_000 - 2_400, 2_400));
    // Without it, the public price.
    let (check, _) = book(&mut client, &listing, &question_query("once", next_monday(), "14:00", "60", &[]), None).await;
    assert!(check.text().contains("Each visit£40.00"), "{}", check.text());

    // Another council's managed account cannot use this council's framework.
    let other = fixtures::other_council(&app.db).await;
    fixtures::budget(&app.db, other.council_id, other.budget_holder.id, "managed_account", 84_000, Utc::now().date_naive()).await;
    server::domain::budgets::run_allocations(&app.db, Utc::now().date_naive(), Utc::now()).await.expect("allocation run");
    let mut theirs = app.signed_in(&other.budget_holder).await;
    let text = refused(&app, &mut theirs, &listing, &question_query("once", next_monday(), "09:00", "60", &[])).await;
    assert!(text.contains("A managed account can only pay for services on the council's framework"), "{text}");
    assert_sound(&app).await;
}

#[tokio::test]
async fn confirming_is_refused_with_the_new_cost_when_it_changed_after_checking() {
    let app = TestApp::new().await;
    let (listing_id, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let query = question_query("weekly", next_monday(), "09:00", "60", &[1]);
    let check = holder.get(&format!("/book/{listing}?{query}")).await;
    assert!(check.text().contains("Every 4 weeks£106.00 (4 visits)"), "{}", check.text());
    // The provider raises its price while the person reads the check page.
    app.execute_sql(&format!("UPDATE listings SET price_pence = 3000 WHERE id = {listing_id}")).await;
    let mut fields: Vec<(String, String)> = vec![("listing".into(), listing.clone()), ("request_key".into(), hidden_value(&check, "request_key"))];
    for name in ["how_often", "date", "time", "minutes", "weekdays", "best_value"] {
        fields.push((format!("answers[{name}]"), hidden_value(&check, &format!("answers[{name}]"))));
    }
    fields.push(("quoted_total".into(), hidden_value(&check, "quoted_total")));
    let reply = holder.post_form("/api/confirm-booking", &fields).await;
    match reply.redirected_error() {
        Some(app::UiError::Invalid(errors)) => assert_eq!(
            errors[0].message,
            "The cost has changed since you checked it: the first 4 weeks now cost £120.00, not £106.00. Check the new cost, then confirm again"
        ),
        other => panic!("expected the new cost, got {other:?}: {reply:?}"),
    }
    assert_eq!(count(&app.db, "bookings").await, 0);
    assert_eq!(balances(&app, budget).await, (84_000, 0));
    // Without the figure shown, nothing is booked either.
    fields.retain(|(name, _)| name != "quoted_total");
    assert!(matches!(holder.post_form("/api/confirm-booking", &fields).await.redirected_error(), Some(app::UiError::Invalid(_))));
    assert_eq!(count(&app.db, "bookings").await, 0);
}
