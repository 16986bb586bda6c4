//! The ledger's rules under random sequences of real operations, through the domain functions
//! the pages call: allocation runs, bookings (once and weekly), providers answering, people
//! cancelling, visits delivered or missed, confirmed (by the person or automatically) or
//! queried, answered by the provider and decided by the council, payment runs, card top-ups
//! settled by webhook and refunds (against localstripe), surplus recovered by the council
//! or the proposal withdrawn, and, three quarters of the way, the council budget closed (what
//! follows runs on a closed budget). After every step: the sum of all balances is zero, each
//! balance equals its transfers, no budget account is negative; and doing any step again
//! (the same key, the same request, the same notice) changes no balance.
use crate::bookings::{next_monday, weekday_home_care};
use app::VisitConfirmation::{Answered, Awaiting, Queried, WithCouncil};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use server::domain::card_payments::{self, CardEvent};
use server::domain::ledger::Account;
use server::domain::visit_confirmation::{self, Verdict};
use server::domain::{booking_changes, bookings, budget_endings, budgets, ledger, payment_runs, recoveries, visits};
use server::entities::{booking, card_payment, ledger_account, visit};
use server::error::AppError;
use std::collections::BTreeMap;
use tests::TestApp;
use tests::localstripe;

async fn user(app: &TestApp, id: i64) -> app::SignedInUser {
    let model = server::entities::user::Entity::find_by_id(id).one(&app.db).await.expect("query").expect("user");
    server::domain::auth::signed_in_user(&model).expect("a signed-in user")
}

/// Every account's balance, by code.
async fn balances(app: &TestApp) -> BTreeMap<String, i64> {
    ledger_account::Entity::find().all(&app.db).await.expect("accounts").into_iter().map(|a| (a.code, a.balance_pence)).collect()
}

/// What each budget has set aside is what its bookings say they hold (visits to come, and
/// delivered visits not yet confirmed).
async fn assert_set_aside_matches_bookings(app: &TestApp, step: usize, kind: &str) {
    let bookings = booking::Entity::find().all(&app.db).await.expect("bookings");
    for account in ledger_account::Entity::find().filter(ledger_account::Column::Kind.eq("budget_committed")).all(&app.db).await.expect("accounts") {
        let held: i64 = bookings.iter().filter(|b| b.budget_id == account.budget_id).map(|b| b.committed_pence).sum();
        assert_eq!(account.balance_pence, held, "step {step} ({kind}): budget {:?} sets aside what its bookings hold", account.budget_id);
    }
}

/// Runs an operation, then the same one again: the second time must move no money.
macro_rules! twice {
    ($app:expr, $step:expr, $what:expr, $operation:expr) => {{
        let first = $operation;
        let after_first = balances($app).await;
        let _ = $operation;
        assert_eq!(balances($app).await, after_first, "step {}: {} again moved money", $step, $what);
        first
    }};
}

/// An expected refusal (bad timing, not enough money, already done) is fine; anything else is not.
fn refused_or_done<T: std::fmt::Debug>(step: usize, what: &str, result: Result<T, AppError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(AppError::Invalid(_) | AppError::NotFound | AppError::ShortOfMoney { .. }) => None,
        Err(error) => panic!("step {step}: {what}: {error}"),
    }
}

/// The step at which the council closes its budget.
const CLOSING_STEP: usize = 300;

#[tokio::test]
async fn random_operations_through_the_domain_keep_the_ledger_sound_and_repeats_move_nothing() {
    let app = TestApp::new().await;
    let stripe = server::stripe::Stripe::new(localstripe::settings()).expect("a Stripe client");
    let council = app.personas.council_id;
    let today = Utc::now().date_naive();
    let council_budget = tests::fixtures::budget(&app.db, council, app.personas.budget_holder.id, "direct_payment", 60_000, today).await;
    let self_funder = tests::fixtures::user(&app.db, council, "self@test.example", app::Role::BudgetHolder, None).await;
    let own_account = tests::fixtures::budget(&app.db, council, self_funder.id, "direct_payment", 0, today).await;
    app.execute_sql(&format!("UPDATE budgets SET funding = 'self' WHERE id = {own_account}")).await;
    let people = [user(&app, app.personas.budget_holder.id).await, user(&app, self_funder.id).await];
    let provider = user(&app, app.personas.provider.id).await;
    let commissioner = user(&app, app.personas.commissioner.id).await;
    let listings = [
        weekday_home_care(&app, app.personas.provider_id, "Morning visits").await.1,
        weekday_home_care(&app, app.personas.provider_id, "Evening visits").await.1,
    ];
    let mut rng = seeds::Rng::new(20_261_123);
    let mut day = today;
    // localstripe outlives a test run: keys must be new to it each run.
    let run = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let mut done: BTreeMap<&str, u32> = BTreeMap::new();
    for step in 0..400 {
        let now = Utc::now();
        // Three quarters of the way, the council closes the budget; the rest runs on the closed budget.
        let kind = if step == CLOSING_STEP {
            "closing"
        } else {
            match rng.between(0, 17) {
                0 => "allocation run",
                1..=3 => "booking",
                4 | 5 => "provider answers",
                6 => "cancellation",
                7..=9 => "visit delivered",
                10 => "visit missed",
                11 => "payment run",
                12 => "card top-up",
                13 | 14 => "visit confirmed or queried",
                15 => "refund",
                _ => "recovery",
            }
        };
        let happened = match kind {
            "closing" => {
                let closed = twice!(&app, step, kind, budget_endings::close(&app.db, &commissioner, council_budget, "Care has ended", now).await);
                assert!(closed.is_ok(), "step {step}: {closed:?}");
                let left = ledger::balance(&app.db, &Account::budget_available(council, council_budget)).await.expect("balance");
                assert_eq!(left, 0, "step {step}: a closed budget keeps nothing available");
                true
            }
            "allocation run" => {
                day += Duration::days(rng.between(0, 12));
                twice!(&app, step, kind, budgets::run_allocations(&app.db, day, now).await.map(|_| ())).is_ok()
            }
            "booking" => {
                let person = rng.pick(&people).clone();
                let weekly = rng.between(0, 3) == 0;
                let date = next_monday() + Duration::days(rng.between(0, 4) + 7 * rng.between(0, 2));
                let answers = app::BookingAnswers {
                    how_often: if weekly { "weekly" } else { "once" }.into(),
                    date: date.to_string(),
                    time: format!("{:02}:{}", rng.between(8, 15), if rng.between(0, 1) == 0 { "00" } else { "30" }),
                    minutes: rng.pick(&["30", "45", "60", "90"]).to_string(),
                    weekdays: if weekly { rng.pick(&["1", "135", "24"]).to_string() } else { String::new() },
                    best_value: false,
                };
                let key = format!("{:016x}{:016x}{:032x}", step, rng.between(0, 1 << 40), 0);
                let listing = rng.pick(&listings).clone();
                // The cost the check page showed (a refused quote's booking is refused too).
                let asked = bookings::Asked { viewer: &person, person_id: None, listing_public_id: &listing, answers: &answers, now };
                let quoted = bookings::quote(&app.db, &asked).await.map_or(0, |quote| quote.four_weeks_pence);
                let request = app::BookingRequest { person: None, listing, answers, request_key: key, quoted_total: quoted.to_string() };
                let result = twice!(&app, step, kind, bookings::book(&app.db, &person, &request, now).await);
                refused_or_done(step, kind, result).is_some()
            }
            "provider answers" => {
                let waiting = booking::Entity::find()
                    .filter(booking::Column::Status.eq(app::BookingStatus::Requested))
                    .order_by_asc(booking::Column::Id)
                    .all(&app.db)
                    .await
                    .expect("bookings");
                match waiting.get(rng.between(0, waiting.len() as i64) as usize) {
                    Some(request) => {
                        let accept = rng.between(0, 3) > 0;
                        let result = twice!(
                            &app,
                            step,
                            kind,
                            booking_changes::respond(&app.db, &provider, &request.reference, accept, "We are full that week", now).await
                        );
                        refused_or_done(step, kind, result).is_some()
                    }
                    None => false,
                }
            }
            "cancellation" => {
                let live = booking::Entity::find()
                    .filter(booking::Column::Status.is_in(["requested", "confirmed", "in_progress"]))
                    .order_by_asc(booking::Column::Id)
                    .all(&app.db)
                    .await
                    .expect("bookings");
                match live.get(rng.between(0, live.len() as i64) as usize) {
                    Some(live) => {
                        let person = people.iter().find(|p| p.user_id == live.person_id).expect("one of ours");
                        let result = twice!(&app, step, kind, booking_changes::cancel_by_person(&app.db, person, &live.reference, now).await);
                        refused_or_done(step, kind, result).is_some()
                    }
                    None => false,
                }
            }
            "visit delivered" | "visit missed" => {
                // Mostly visits of accepted bookings (others are refused, which must change nothing too).
                let accepted =
                    booking::Entity::find().filter(booking::Column::Status.is_in(["confirmed", "in_progress"])).all(&app.db).await.expect("bookings");
                let mut scheduled = visit::Entity::find().filter(visit::Column::Status.eq(app::VisitStatus::Scheduled));
                if rng.between(0, 4) > 0 {
                    scheduled = scheduled.filter(visit::Column::BookingId.is_in(accepted.iter().map(|b| b.id)));
                }
                let scheduled = scheduled.order_by_asc(visit::Column::Id).all(&app.db).await.expect("visits");
                match scheduled.get(rng.between(0, scheduled.len() as i64) as usize) {
                    Some(visit) if kind == "visit delivered" => {
                        // The provider's clock: just before it is due, then however long they stayed.
                        let arrived = visit.scheduled_start - Duration::minutes(5);
                        let left = visit.scheduled_start + Duration::minutes(rng.between(1, 150));
                        let checked_in = refused_or_done(step, kind, visits::check_in(&app.db, &provider, visit.id, arrived).await).is_some();
                        checked_in
                            && refused_or_done(
                                step,
                                kind,
                                twice!(&app, step, kind, visits::check_out(&app.db, &provider, visit.id, "Helped with lunch", left).await),
                            )
                            .is_some()
                    }
                    Some(visit) => {
                        let later = visit.scheduled_start + Duration::minutes(30);
                        refused_or_done(step, kind, twice!(&app, step, kind, visits::mark_missed(&app.db, &provider, visit.id, later).await)).is_some()
                    }
                    None => false,
                }
            }
            "visit confirmed or queried" => {
                // A delivered visit on its way to being confirmed: whoever's turn it is acts.
                let open = visit::Entity::find()
                    .filter(visit::Column::Confirmation.is_in([Awaiting, Queried, Answered, WithCouncil]))
                    .order_by_asc(visit::Column::Id)
                    .all(&app.db)
                    .await
                    .expect("visits");
                match open.get(rng.between(0, open.len() as i64) as usize) {
                    Some(visit) => {
                        let person = people.iter().find(|p| p.user_id == visit.person_id).expect("one of ours");
                        let fewer = rng.between(0, i64::from(visit.delivered_minutes.unwrap_or(0))).to_string();
                        let said = Verdict::Query("She left after twenty minutes".into());
                        let result = match (visit.confirmation, rng.between(0, 2)) {
                            (Some(Awaiting | Answered), 0) => {
                                let by = visit.confirm_by.expect("a time to answer by");
                                twice!(&app, step, kind, visit_confirmation::confirm_unanswered(&app.db, by).await.map(|_| ()))
                            }
                            (Some(Awaiting | Answered), 1) => {
                                twice!(&app, step, kind, visit_confirmation::answer(&app.db, person, visit.id, Verdict::Confirm, now).await)
                            }
                            (Some(Awaiting | Answered), _) => {
                                twice!(&app, step, kind, visit_confirmation::answer(&app.db, person, visit.id, said.clone(), now).await)
                            }
                            (_, choice) if visit.confirmation == Some(Queried) => {
                                let minutes = (choice > 0).then_some(fewer.as_str());
                                twice!(
                                    &app,
                                    step,
                                    kind,
                                    visit_confirmation::provider_answer(&app.db, &provider, visit.id, minutes, "We were there the whole hour", now).await
                                )
                            }
                            _ => twice!(
                                &app,
                                step,
                                kind,
                                visit_confirmation::council_decide(&app.db, &commissioner, visit.id, &fewer, "The visit log shows less", now).await
                            ),
                        };
                        refused_or_done(step, kind, result).is_some()
                    }
                    None => false,
                }
            }
            "payment run" => refused_or_done(step, kind, twice!(&app, step, kind, payment_runs::run(&app.db, &commissioner, now).await)).is_some(),
            "recovery" => {
                // Keep a random amount; the holder had no reply, so decide after their 14 days.
                let keep = format!("{}.{:02}", rng.between(0, 700), rng.between(0, 99));
                let reason = "More than needed".to_string();
                let form = app::RecoveryForm { budget_id: council_budget, keep, reason };
                match refused_or_done(step, kind, recoveries::propose(&app.db, &commissioner, &form, now).await) {
                    Some(reference) => {
                        let confirm = rng.between(0, 3) > 0;
                        let later = now + Duration::days(recoveries::REPLY_DAYS);
                        let decided = twice!(&app, step, kind, recoveries::decide(&app.db, &commissioner, &reference, confirm, later).await);
                        if refused_or_done(step, kind, decided).is_none() {
                            // Spent below the amount kept meanwhile: nothing to recover, so it is withdrawn.
                            recoveries::decide(&app.db, &commissioner, &reference, false, later).await.expect("withdrawn");
                        }
                        true
                    }
                    None => false,
                }
            }
            "card top-up" => {
                let person = rng.pick(&people).clone();
                let form = app::CardPaymentForm { purpose: "top_up".into(), amount: format!("{}.{:02}", rng.between(1, 300), rng.between(0, 99)) };
                let key = format!("run-{run}-step-{step}");
                // Refused only once the council budget is closed.
                let started = twice!(&app, step, kind, card_payments::start(&app.db, &stripe, &person, None, &form, &key, now).await);
                match refused_or_done(step, kind, started) {
                    None => {
                        assert!(step > CLOSING_STEP, "step {step}: a payment into an open budget is refused");
                        false
                    }
                    Some(id) => {
                        let payment = card_payment::Entity::find_by_id(id).one(&app.db).await.expect("read").expect("the payment");
                        let (status, _) = localstripe::pay_with(&payment.payment_intent_id, "pm_card_visa").await;
                        assert_eq!(status, 200, "step {step}: the card is paid");
                        let succeeded = CardEvent::Succeeded { payment_id: payment.payment_intent_id.clone(), amount_received_pence: payment.amount_pence };
                        twice!(&app, step, kind, card_payments::settle(&app.db, &succeeded, now).await.expect("settled"));
                        // A failure notice arriving late changes nothing either.
                        let before = balances(&app).await;
                        card_payments::settle(&app.db, &CardEvent::Failed { payment_id: payment.payment_intent_id }, now).await.expect("settled");
                        assert_eq!(balances(&app).await, before, "step {step}: a late failure notice moved money");
                        true
                    }
                }
            }
            _ => {
                let paid = card_payment::Entity::find()
                    .filter(card_payment::Column::BudgetId.eq(own_account))
                    .filter(card_payment::Column::Status.eq(app::CardPaymentStatus::Succeeded))
                    .order_by_asc(card_payment::Column::Id)
                    .all(&app.db)
                    .await
                    .expect("payments");
                match paid.get(rng.between(0, paid.len() as i64) as usize) {
                    Some(payment) => {
                        refused_or_done(step, kind, twice!(&app, step, kind, card_payments::refund(&app.db, &stripe, &people[1], payment.id, now).await))
                            .is_some()
                    }
                    None => false,
                }
            }
        };
        if happened {
            *done.entry(kind).or_default() += 1;
        }
        let soundness = ledger::soundness(&app.db).await.expect("check");
        assert!(soundness.is_sound(), "step {step} ({kind}): {soundness:?}");
        assert_set_aside_matches_bookings(&app, step, kind).await;
    }
    // The sequence really did each kind of thing.
    assert_eq!(done.get("closing"), Some(&1));
    for kind in [
        "allocation run",
        "booking",
        "provider answers",
        "cancellation",
        "visit delivered",
        "visit missed",
        "visit confirmed or queried",
        "payment run",
        "card top-up",
        "refund",
        "recovery",
    ] {
        assert!(done.get(kind).is_some_and(|n| *n >= 5), "{kind} happened too rarely to count: {done:?}");
    }
}
