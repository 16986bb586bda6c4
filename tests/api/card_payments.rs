//! Paying into a budget by card, against localstripe on loopback: money reaches the budget
//! only on Stripe's verified `payment_intent.succeeded` webhook, once however often or in
//! whatever order webhooks arrive; bad signatures and bad input change nothing; only the
//! holder (or someone they let pay) pays; without Stripe keys the card option is hidden.
use crate::bookings::{assert_sound, balances, book, funded_budget, hidden_value, next_monday, question_query, weekday_home_care};
use app::CardPaymentStatus;
use sea_orm::{EntityTrait, QueryOrder};
use server::entities::card_payment;
use std::time::Duration;
use tests::fixtures::count;
use tests::localstripe::{self, WEBHOOK_SECRET};
use tests::{Client, Reply, TestApp};

/// Fills in and sends the "pay by card" form; the reply redirects to the card page.
async fn start(client: &mut Client, purpose: &str, amount: &str) -> Reply {
    let form = client.get("/budget/pay").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let key = hidden_value(&form, "request_key");
    client.post_form("/api/start-card-payment", &[("request_key", key.as_str()), ("form[purpose]", purpose), ("form[amount]", amount)]).await
}

async fn only_payment(app: &TestApp) -> card_payment::Model {
    let mut all = card_payment::Entity::find().all(&app.db).await.expect("card payments");
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

/// Waits for the payment to reach `status`: localstripe sends each webhook about a second
/// after the event (and again after 1, 2, 4 and 8 s while it fails), so on a busy machine it
/// can take a while (30 s at most).
async fn wait_for(app: &TestApp, id: i64, status: CardPaymentStatus) -> card_payment::Model {
    let mut payment = card_payment::Entity::find_by_id(id).one(&app.db).await.expect("read").expect("the payment");
    for _ in 0..300 {
        if payment.status == status {
            return payment;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        payment = card_payment::Entity::find_by_id(id).one(&app.db).await.expect("read").expect("the payment");
    }
    let at_stripe = localstripe::payment(&payment.payment_intent_id).await;
    panic!("card payment {id} never became {status:?}: it is {:?} here and {} at Stripe", payment.status, at_stripe["status"]);
}

async fn post_webhook(app: &TestApp, body: &str, signature: &str) -> Reply {
    let request = app
        .visitor()
        .request("POST", "/stripe/webhook")
        .header("stripe-signature", signature)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .expect("a request");
    app.visitor().send(request).await
}

#[tokio::test]
async fn a_card_contribution_reaches_the_budget_once_on_stripes_verified_webhook() {
    let app = TestApp::with_stripe().await;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    assert!(holder.get("/budget/statement").await.contains("Pay your contribution or a top-up by card"));

    let reply = start(&mut holder, "contribution", "45.50").await;
    let payment = only_payment(&app).await;
    assert_eq!(reply.location(), Some(format!("/budget/pay/{}", payment.id).as_str()), "{reply:?}");
    assert_eq!((payment.amount_pence, payment.status, payment.purpose.as_str()), (4_550, CardPaymentStatus::Pending, "contribution"));
    assert_eq!(localstripe::payment(&payment.payment_intent_id).await["amount"], 4_550, "Stripe was asked for the same amount");
    let card_page = holder.get(&format!("/budget/pay/{}", payment.id)).await;
    assert!(card_page.contains("Pay £45.50") && card_page.contains("data-client-secret=\"pi_"), "{}", card_page.body);
    assert_eq!(balances(&app, budget).await.0, 84_000, "nothing is credited before Stripe says so");

    // The card is paid in the browser (Stripe.js); Stripe's webhook brings the money in.
    let (status, _) = localstripe::pay_with(&payment.payment_intent_id, "pm_card_visa").await;
    assert_eq!(status, 200);
    wait_for(&app, payment.id, CardPaymentStatus::Succeeded).await;
    assert_eq!(balances(&app, budget).await.0, 84_000 + 4_550);
    assert!(holder.get("/budget/statement").await.contains("Your contribution"));
    let dashboard = holder.get("/dashboard").await.location().map(str::to_string).unwrap_or_else(|| "/dashboard".into());
    assert!(holder.get(&dashboard).await.contains("We received your card payment of £45.50"));

    // The same event again, twice at once, and a failure notice arriving late: no more money.
    let intent = localstripe::payment(&payment.payment_intent_id).await;
    let (body, signature) = localstripe::signed_event("payment_intent.succeeded", &intent, WEBHOOK_SECRET);
    let (first, second) = tokio::join!(post_webhook(&app, &body, &signature), post_webhook(&app, &body, &signature));
    assert_eq!((first.status, second.status), (200, 200));
    let (body, signature) = localstripe::signed_event("payment_intent.payment_failed", &intent, WEBHOOK_SECRET);
    assert_eq!(post_webhook(&app, &body, &signature).await.status, 200);
    assert_eq!(balances(&app, budget).await.0, 84_000 + 4_550);
    assert_eq!(only_payment(&app).await.status, CardPaymentStatus::Succeeded);
    assert_sound(&app).await;
}

#[tokio::test]
async fn a_forged_or_unsigned_webhook_is_refused_and_changes_nothing() {
    let app = TestApp::with_stripe().await;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    start(&mut holder, "top_up", "20").await;
    let payment = only_payment(&app).await;
    // Claims the payment succeeded, but signed with another secret, or not at all.
    let mut intent = localstripe::payment(&payment.payment_intent_id).await;
    intent["status"] = "succeeded".into();
    intent["amount_received"] = 2_000.into();
    let (body, forged) = localstripe::signed_event("payment_intent.succeeded", &intent, "whsec_not_ours");
    assert_eq!(post_webhook(&app, &body, &forged).await.status, 400);
    let (_, genuine) = localstripe::signed_event("payment_intent.succeeded", &intent, WEBHOOK_SECRET);
    assert_eq!(post_webhook(&app, &body.replace("2000", "200000"), &genuine).await.status, 400, "a body changed after signing");
    let reply = app.visitor().send(app.visitor().request("POST", "/stripe/webhook").body(axum::body::Body::from(body.clone())).expect("a request")).await;
    assert_eq!(reply.status, 400);
    assert_eq!(only_payment(&app).await.status, CardPaymentStatus::Pending);
    assert_eq!(balances(&app, budget).await.0, 84_000);
    assert_eq!(count(&app.db, "ledger_transfers").await, 1, "only the allocation");
}

#[tokio::test]
async fn a_declined_card_moves_no_money_and_the_person_can_try_again() {
    let app = TestApp::with_stripe().await;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    start(&mut holder, "top_up", "30.00").await;
    let payment = only_payment(&app).await;
    let (status, declined) = localstripe::pay_with(&payment.payment_intent_id, "pm_card_visa_chargeDeclined").await;
    assert_eq!((status, declined["error"]["code"].as_str()), (402, Some("card_declined")));
    wait_for(&app, payment.id, CardPaymentStatus::Failed).await;
    assert_eq!(balances(&app, budget).await.0, 84_000);
    assert!(holder.get(&format!("/budget/pay/{}", payment.id)).await.contains("the card was refused; you can try again"));

    let (status, _) = localstripe::pay_with(&payment.payment_intent_id, "pm_card_visa").await;
    assert_eq!(status, 200);
    wait_for(&app, payment.id, CardPaymentStatus::Succeeded).await;
    assert_eq!(balances(&app, budget).await.0, 84_000 + 3_000);
    assert_sound(&app).await;
}

#[tokio::test]
async fn bad_amounts_and_choices_are_named_and_open_no_payment() {
    let app = TestApp::with_stripe().await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    for (purpose, amount, field, message) in [
        ("", "10", "purpose", "Choose whether this is your contribution or a top-up"),
        ("top_up", "", "amount", "Enter the amount"),
        ("top_up", "ten pounds", "amount", "Enter the amount in pounds and pence, like 24.50"),
        ("top_up", "0", "amount", "The amount must be more than £0"),
        ("contribution", "5000.01", "amount", "The amount must be £5,000.00 or less"),
    ] {
        let reply = start(&mut holder, purpose, amount).await;
        match reply.redirected_error() {
            Some(app::UiError::Invalid(errors)) => assert!(errors.iter().any(|e| e.field == field && e.message == message), "{amount}: {errors:?}"),
            other => panic!("{purpose} {amount}: expected a field error, got {other:?}"),
        }
    }
    assert_eq!(count(&app.db, "card_payments").await, 0);
}

#[tokio::test]
async fn only_the_holder_or_someone_they_let_pay_can_pay_or_see_a_card_payment() {
    let app = TestApp::with_stripe().await;
    let person = app.personas.budget_holder.id;
    funded_budget(&app, person, "direct_payment", 84_000).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    start(&mut holder, "top_up", "12.00").await;
    let payment = only_payment(&app).await;
    let page = format!("/budget/pay/{}", payment.id);

    for persona in [&app.personas.provider, &app.personas.commissioner] {
        let mut client = app.signed_in(persona).await;
        assert_eq!(client.get("/budget/pay").await.status, 403, "{}", persona.email);
        assert_eq!(client.get(&page).await.status, 404, "{}", persona.email);
    }
    // A planner needs the person's "pay" permission, and to be acting for them.
    let mut planner = app.signed_in(&app.personas.planner).await;
    assert_eq!(planner.get(&page).await.status, 404);
    app.execute_sql(&format!(
        "INSERT INTO delegations (holder_id, delegate_id, can_view, can_book, can_pay, created_at) VALUES ({person}, {}, true, false, true, CURRENT_TIMESTAMP)",
        app.personas.planner.id
    ))
    .await;
    assert_eq!(planner.get(&page).await.status, 200);
    assert_eq!(planner.get("/budget/pay").await.status, 403, "not acting for anyone yet");
    planner.post_form("/api/act-for", &[("person", person.to_string().as_str())]).await;
    assert_eq!(start(&mut planner, "contribution", "8.00").await.status, 302);
    assert_eq!(count(&app.db, "card_payments").await, 2);
    let entries = count(&app.db, "audit_log").await;
    assert!(entries >= 2, "each start is in the audit log");

    // Permission taken back: the planner's own unfinished payment is closed to them too, and
    // no fresh card form (client secret) is handed out for it.
    let theirs = card_payment::Entity::find().order_by_desc(card_payment::Column::Id).one(&app.db).await.expect("read").expect("the planner's payment");
    assert_eq!(planner.get(&format!("/budget/pay/{}", theirs.id)).await.status, 200);
    app.execute_sql("UPDATE delegations SET revoked_at = CURRENT_TIMESTAMP").await;
    let closed = planner.get(&format!("/budget/pay/{}", theirs.id)).await;
    assert_eq!(closed.status, 404);
    assert!(!closed.contains("data-client-secret"));
    assert_eq!(planner.api_get(&format!("/api/card-payment?id={}", theirs.id)).await.status, 404);
    assert_eq!(holder.get(&format!("/budget/pay/{}", theirs.id)).await.status, 200, "the person still sees it");
}

#[tokio::test]
async fn without_stripe_keys_the_card_option_is_hidden_and_everything_else_works() {
    let app = TestApp::new().await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let statement = holder.get("/budget/statement").await;
    assert_eq!(statement.status, 200);
    assert!(!statement.contains("by card"), "{}", statement.body);
    assert_eq!(holder.get("/budget/pay").await.status, 404);
    assert_eq!(post_webhook(&app, "{}", "t=1,v1=00").await.status, 404);
}

/// Opens a self-funder's account through the form and the link mailed to them, which signs them in.
async fn register_self_funder(app: &TestApp, client: &mut Client, name: &str, email: &str) -> Reply {
    client.get("/register/person").await;
    let fields = [("form[your_name]", name), ("form[email]", email), ("form[password]", "a long enough password")];
    app.register_and_open(client, "/api/register-self-funder", &fields, email).await
}

#[tokio::test]
async fn a_self_funder_opens_an_account_pays_for_a_booking_by_card_and_books_it() {
    let app = TestApp::with_stripe().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    let mut person = app.visitor();
    let reply = register_self_funder(&app, &mut person, "", "not an email").await;
    match reply.redirected_error() {
        Some(app::UiError::Invalid(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["your_name", "email"], "{errors:?}");
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    assert_eq!(count(&app.db, "budgets").await, 0);
    let reply = register_self_funder(&app, &mut person, "Sam Okafor", "sam@test.example").await;
    assert_eq!(reply.status, 302, "{reply:?}");
    let account = server::entities::budget::Entity::find().one(&app.db).await.expect("read").expect("their account");
    assert_eq!((account.funding(), account.four_weekly_allocation_pence), (app::Funding::OwnMoney, 0));

    // An hour on a Monday costs £26.50: the check page asks for it by card, and nothing can be booked yet.
    let answers = question_query("once", next_monday(), "09:00", "60", &[]);
    let check = person.get(&format!("/book/{listing}?{answers}")).await;
    assert!(check.contains("Pay £26.50 by card") && check.contains("In your account now"), "{}", check.body);
    assert!(!check.contains("Confirm and send the request"));
    // As a browser reads the attribute.
    let then = hidden_value(&check, "then").replace("&amp;", "&");
    assert!(then.starts_with(&format!("/book/{listing}?how_often=once")), "{then}");
    let refused = person
        .post_form(
            "/api/confirm-booking",
            &[
                ("listing", listing.as_str()),
                ("answers[how_often]", "once"),
                ("answers[date]", &next_monday().to_string()),
                ("answers[time]", "09:00"),
                ("answers[minutes]", "60"),
                ("answers[weekdays]", ""),
                ("answers[best_value]", "false"),
                ("request_key", &hidden_value(&check, "request_key")),
                ("quoted_total", "2650"),
            ],
        )
        .await;
    match refused.redirected_error() {
        Some(app::UiError::Invalid(errors)) => {
            assert_eq!(errors[0].message, "Your account has £0.00, and this needs £26.50 for the first 4 weeks: pay the difference by card first")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(count(&app.db, "bookings").await, 0);

    // The pay button: a card payment for the difference, then back to the same answers.
    let fields = [
        ("request_key", hidden_value(&check, "request_key")),
        ("form[purpose]", hidden_value(&check, "form[purpose]")),
        ("form[amount]", hidden_value(&check, "form[amount]")),
        ("then", then.clone()),
    ];
    let reply = person.post_form("/api/start-card-payment", &fields).await;
    let payment = only_payment(&app).await;
    assert_eq!((payment.amount_pence, payment.purpose.as_str()), (2_650, "self_funded_booking"));
    let card_page = reply.location().expect("to the card page").to_string();
    assert!(card_page.starts_with(&format!("/budget/pay/{}?then=", payment.id)), "{card_page}");
    assert_eq!(localstripe::pay_with(&payment.payment_intent_id, "pm_card_visa").await.0, 200);
    wait_for(&app, payment.id, CardPaymentStatus::Succeeded).await;
    let paid = person.get(&card_page).await;
    assert!(paid.contains("Continue to your booking"), "{}", paid.body);

    let (check, confirmed) = book(&mut person, &listing, &answers, None).await;
    assert!(!check.contains("by card"), "paid for: {}", check.body);
    assert_eq!(confirmed.status, 302, "{confirmed:?}");
    assert_eq!(balances(&app, account.id).await, (0, 2_650), "the card payment is set aside for the visit");
    assert!(person.get("/budget/statement").await.contains("Paid in by card"));
    assert_sound(&app).await;

    // The council does not see a self-funder's own money.
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    assert!(!commissioner.get("/budgets").await.contains("Sam Okafor"));
    assert_eq!(commissioner.get(&format!("/budget/statement?budget={}", account.id)).await.status, 403);
    // A self-funder has no assessed contribution to pay.
    let reply = start(&mut person, "contribution", "10").await;
    assert!(matches!(reply.redirected_error(), Some(app::UiError::Invalid(errors)) if errors[0].message == "Choose to pay into your account"));
}

#[tokio::test]
async fn without_card_payments_a_self_funder_is_told_it_cannot_be_paid_for_here() {
    let app = TestApp::new().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    let mut person = app.visitor();
    register_self_funder(&app, &mut person, "Sam Okafor", "sam@test.example").await;
    let check = person.get(&format!("/book/{listing}?{}", question_query("once", next_monday(), "09:00", "60", &[]))).await;
    assert!(check.contains("card payments are not available just now"), "{}", check.body);
    assert!(!check.contains("Confirm and send the request"));
}

#[tokio::test]
async fn a_self_funder_takes_unspent_money_back_to_their_card_once_and_never_what_is_spent() {
    let app = TestApp::with_stripe().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    let mut person = app.visitor();
    register_self_funder(&app, &mut person, "Sam Okafor", "sam@test.example").await;
    let account = server::entities::budget::Entity::find().one(&app.db).await.expect("read").expect("their account").id;
    let mut paid = Vec::new();
    for amount in ["40.00", "26.50"] {
        start(&mut person, "top_up", amount).await;
        let payment = card_payment::Entity::find().order_by_desc(card_payment::Column::Id).one(&app.db).await.expect("read").expect("a payment");
        assert_eq!(localstripe::pay_with(&payment.payment_intent_id, "pm_card_visa").await.0, 200);
        paid.push(wait_for(&app, payment.id, CardPaymentStatus::Succeeded).await);
    }
    assert_eq!(balances(&app, account).await, (6_650, 0));
    // £26.50 of it set aside for a visit: £40 can go back, not both.
    let (_, confirmed) = book(&mut person, &listing, &question_query("once", next_monday(), "09:00", "60", &[]), None).await;
    assert_eq!(confirmed.status, 302, "{confirmed:?}");

    // Nobody else can refund it: not another person, not the council.
    for persona in [&app.personas.budget_holder, &app.personas.commissioner] {
        let mut other = app.signed_in(persona).await;
        let reply = other.post_form("/api/refund-card-payment", &[("id", paid[0].id.to_string().as_str())]).await;
        assert_eq!(reply.redirected_error(), Some(app::UiError::NotFound), "{}", persona.email);
    }
    let reply = person.post_form("/api/refund-card-payment", &[("id", paid[0].id.to_string().as_str())]).await;
    assert_eq!(reply.location(), Some("/budget/pay?refunded=1"), "{reply:?}");
    let again = person.post_form("/api/refund-card-payment", &[("id", paid[0].id.to_string().as_str())]).await;
    assert_eq!(again.location(), Some("/budget/pay?refunded=1"), "asking twice refunds once");
    assert_eq!(balances(&app, account).await, (0, 2_650));
    let charge = localstripe::payment(&paid[0].payment_intent_id).await["latest_charge"].as_str().expect("a charge").to_string();
    assert_eq!(localstripe::charge(&charge).await["amount_refunded"], 4_000, "Stripe refunded it, once");
    // Stripe's success notice arriving again after the refund changes nothing.
    let intent = localstripe::payment(&paid[0].payment_intent_id).await;
    let (body, signature) = localstripe::signed_event("payment_intent.succeeded", &intent, WEBHOOK_SECRET);
    assert_eq!(post_webhook(&app, &body, &signature).await.status, 200);
    assert_eq!(balances(&app, account).await, (0, 2_650), "a late notice brings no money back");

    let reply = person.post_form("/api/refund-card-payment", &[("id", paid[1].id.to_string().as_str())]).await;
    match reply.redirected_error() {
        Some(app::UiError::Invalid(errors)) => assert_eq!(
            errors[0].message,
            "Your account has £0.00 not set aside for care, less than this payment of £26.50: cancel care you no longer need first"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let statuses: Vec<CardPaymentStatus> =
        card_payment::Entity::find().order_by_asc(card_payment::Column::Id).all(&app.db).await.expect("read").into_iter().map(|p| p.status).collect();
    assert_eq!(statuses, [CardPaymentStatus::Refunded, CardPaymentStatus::Succeeded]);
    assert_sound(&app).await;
}

/// A card processor that answers slowly, or refuses, as a test needs (Stripe's part in a refund).
#[derive(Default)]
struct SlowCards {
    delay: Duration,
    refuse: std::sync::atomic::AtomicBool,
    refunds: std::sync::atomic::AtomicU32,
}

#[async_trait::async_trait]
impl server::domain::card_payments::CardProcessor for SlowCards {
    async fn open_payment(&self, _: &str, _: i64, _: &str) -> server::error::AppResult<server::domain::card_payments::OpenedPayment> {
        Err(server::error::AppError::Internal("not in this test".into()))
    }
    async fn client_secret(&self, _: &str) -> server::error::AppResult<String> {
        Err(server::error::AppError::Internal("not in this test".into()))
    }
    async fn refund(&self, _: &str, _: &str) -> server::error::AppResult<()> {
        tokio::time::sleep(self.delay).await;
        if self.refuse.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(server::error::AppError::Internal("card payments are not available just now".into()));
        }
        self.refunds.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
    fn card_form(&self, client_secret: String) -> app::CardForm {
        app::CardForm { client_secret, publishable_key: String::new(), script_url: String::new() }
    }
}

/// A self-funder's account with a card payment of `pence` in it, as Stripe's webhook leaves it.
async fn paid_in(app: &TestApp, budget: Option<i64>, intent: &str, pence: i64) -> (i64, i64) {
    use server::domain::ledger::{self, Account, Transfer};
    let council = app.personas.council_id;
    let budget = match budget {
        Some(budget) => budget,
        None => {
            tests::fixtures::insert(
                &app.db,
                "budgets",
                &[
                    ("holder_id", app.personas.budget_holder.id.into()),
                    ("council_id", council.into()),
                    ("budget_type", "direct_payment".into()),
                    ("four_weekly_allocation_pence", 0_i64.into()),
                    ("four_weekly_contribution_pence", 0_i64.into()),
                    ("funding", "self".into()),
                    ("starts_on", chrono::Utc::now().date_naive().into()),
                    ("created_at", chrono::Utc::now().into()),
                ],
            )
            .await
        }
    };
    let credit = Transfer::new(format!("card:{intent}"), Account::card_clearing(council), Account::budget_available(council, budget), pence, "card_payment");
    ledger::transfer(&app.db, &credit, chrono::Utc::now()).await.expect("credit");
    let payment = tests::fixtures::insert(
        &app.db,
        "card_payments",
        &[
            ("payment_intent_id", intent.into()),
            ("purpose", "top_up".into()),
            ("payer_id", app.personas.budget_holder.id.into()),
            ("budget_id", budget.into()),
            ("amount_pence", pence.into()),
            ("status", "succeeded".into()),
            ("created_at", chrono::Utc::now().into()),
        ],
    )
    .await;
    (budget, payment)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_waits_for_stripe_outside_any_transaction_and_refunds_once() {
    use server::domain::{card_payments, ledger};
    let app = TestApp::new().await;
    let (budget, payment) = paid_in(&app, None, "pi_slow", 4_000).await;
    let holder = server::domain::auth::signed_in_user(
        &server::entities::user::Entity::find_by_id(app.personas.budget_holder.id).one(&app.db).await.expect("read").expect("holder"),
    )
    .expect("user");
    let cards = std::sync::Arc::new(SlowCards { delay: Duration::from_secs(3), ..Default::default() });
    let refunding = {
        let (db, cards, holder) = (app.db.clone(), cards.clone(), holder.clone());
        tokio::spawn(async move { card_payments::refund(&db, cards.as_ref(), &holder, payment, chrono::Utc::now()).await.is_ok() })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    // While Stripe thinks, money still moves in and out of the same account.
    let started = std::time::Instant::now();
    let txn = server::db::begin_write(&app.db).await.expect("a write");
    let council = app.personas.council_id;
    let credit = ledger::Transfer::new(
        "card:pi_meanwhile",
        ledger::Account::card_clearing(council),
        ledger::Account::budget_available(council, budget),
        100,
        "card_payment",
    );
    ledger::transfer(&txn, &credit, chrono::Utc::now()).await.expect("credit");
    txn.commit().await.expect("commit");
    assert!(started.elapsed() < Duration::from_millis(1_500), "a write waited {:?} for Stripe", started.elapsed());
    assert!(refunding.await.expect("the refund ends"), "refunded");
    assert_eq!(balances(&app, budget).await, (100, 0), "the £40 left the account; the £1 paid meanwhile is there");
    assert_eq!(card_payment::Entity::find_by_id(payment).one(&app.db).await.expect("read").expect("payment").status, CardPaymentStatus::Refunded);
    // Asked again, nothing more moves and Stripe is not asked twice.
    assert!(card_payments::refund(&app.db, cards.as_ref(), &holder, payment, chrono::Utc::now()).await.is_ok());
    assert_eq!(cards.refunds.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(balances(&app, budget).await, (100, 0));
    assert_sound(&app).await;
}

#[tokio::test]
async fn a_refund_stripe_did_not_confirm_stays_under_way_until_it_does() {
    use server::domain::card_payments;
    let app = TestApp::new().await;
    let (budget, payment) = paid_in(&app, None, "pi_refused", 3_000).await;
    let holder = server::domain::auth::signed_in_user(
        &server::entities::user::Entity::find_by_id(app.personas.budget_holder.id).one(&app.db).await.expect("read").expect("holder"),
    )
    .expect("user");
    let cards = SlowCards { refuse: true.into(), ..Default::default() };
    assert_eq!(card_payments::refund(&app.db, &cards, &holder, payment, chrono::Utc::now()).await.expect("asked"), card_payments::Refund::UnderWay);
    assert_eq!(balances(&app, budget).await, (0, 0), "the money is out of the account, on its way back to the card");
    let page = card_payments::page(&app.db, &holder, None, chrono::Utc::now()).await.expect("page");
    assert_eq!((page.payments[0].status, page.payments[0].refunding), (CardPaymentStatus::Succeeded, true));
    // The minute's run asks again; once Stripe says yes, it is refunded, and said so once.
    assert_eq!(card_payments::finish_refunds(&app.db, &cards, chrono::Utc::now()).await.expect("run"), 0);
    cards.refuse.store(false, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(card_payments::finish_refunds(&app.db, &cards, chrono::Utc::now()).await.expect("run"), 1);
    assert_eq!(card_payments::finish_refunds(&app.db, &cards, chrono::Utc::now()).await.expect("run"), 0);
    assert_eq!(card_payment::Entity::find_by_id(payment).one(&app.db).await.expect("read").expect("payment").status, CardPaymentStatus::Refunded);
    assert_eq!(cards.refunds.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_sound(&app).await;
}
