//! The ledger's rules, under random sequences of every kind of transfer and under racing
//! transactions: the balances sum to zero, each equals its transfers, no budget account goes
//! below zero, and a transfer replayed with its key changes nothing.
use server::domain::ledger::{self, Account, Moved, Transfer};
use server::error::AppError;
use std::collections::HashMap;
use tests::{TestApp, fixtures};

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Every account's balance, by code.
async fn balances(db: &server::db::Db) -> HashMap<String, i64> {
    use sea_orm::EntityTrait;
    server::entities::ledger_account::Entity::find().all(db).await.expect("accounts").into_iter().map(|a| (a.code, a.balance_pence)).collect()
}

async fn assert_sound(db: &server::db::Db, when: &str) {
    let soundness = ledger::soundness(db).await.expect("check the ledger");
    assert!(soundness.is_sound(), "{when}: {soundness:?}");
}

#[tokio::test]
async fn random_operations_keep_every_rule_and_replays_change_nothing() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let other_holder = fixtures::user(&app.db, council, "second@test.example", app::Role::BudgetHolder, None).await;
    let budgets = [
        fixtures::budget(&app.db, council, app.personas.budget_holder.id, "direct_payment", 100_000, today()).await,
        fixtures::budget(&app.db, council, other_holder.id, "managed_account", 50_000, today()).await,
    ];
    let providers = [app.personas.provider_id, app.personas.other_provider_id];
    let mut rng = seeds::Rng::new(20_261_123);
    let mut expected: HashMap<String, i64> = HashMap::new();
    let mut made: Vec<Transfer> = Vec::new();
    let (mut moved, mut refused, mut replayed) = (0, 0, 0);
    for step in 0..400 {
        let pick = |rng: &mut seeds::Rng, n: usize| rng.between(0, n as i64 - 1) as usize;
        let transfer = if !made.is_empty() && rng.between(0, 7) == 0 {
            made[pick(&mut rng, made.len())].clone()
        } else {
            let budget = budgets[pick(&mut rng, 2)];
            let provider = providers[pick(&mut rng, 2)];
            let (available, committed) = (Account::budget_available(council, budget), Account::budget_committed(council, budget));
            let (from, to, kind) = match rng.between(0, 6) {
                0 => (Account::council_funding(council), available, "allocation"),
                1 => (available, committed, "commitment"),
                2 => (committed, available, "release"),
                3 => (committed, Account::provider_payable(council, provider), "settlement"),
                4 => (Account::provider_payable(council, provider), Account::provider_paid(council, provider), "payment"),
                5 => (Account::card_clearing(council), available, "top_up"),
                _ => (available, Account::card_clearing(council), "refund"),
            };
            Transfer::new(format!("test:{step}"), from, to, rng.between(1, 60_000), kind)
        };
        let txn = server::db::begin_write(&app.db).await.expect("begin");
        let outcome = ledger::transfer(&txn, &transfer, chrono::Utc::now()).await;
        let has = |account: &Account| expected.get(&account.code).copied().unwrap_or(0);
        match outcome {
            Ok(Moved::Now) => {
                txn.commit().await.expect("commit");
                assert!(!made.iter().any(|t| t.key == transfer.key), "step {step}: a replayed key moved money again");
                let guarded = matches!(
                    transfer.from.kind,
                    ledger::AccountKind::BudgetAvailable | ledger::AccountKind::BudgetCommitted | ledger::AccountKind::ProviderPayable
                );
                assert!(!guarded || has(&transfer.from) >= transfer.amount_pence, "step {step}: a budget account went below zero");
                *expected.entry(transfer.from.code.clone()).or_default() -= transfer.amount_pence;
                *expected.entry(transfer.to.code.clone()).or_default() += transfer.amount_pence;
                made.push(transfer);
                moved += 1;
            }
            Ok(Moved::Already) => {
                drop(txn);
                assert!(made.iter().any(|t| t.key == transfer.key), "step {step}: a new key was taken as a replay");
                replayed += 1;
            }
            Err(AppError::ShortOfMoney { available_pence }) => {
                // A caller may carry on and commit: the refused transfer must have left nothing.
                txn.commit().await.expect("commit after a refusal");
                assert_eq!(available_pence, has(&transfer.from), "step {step}: the shortfall names the balance");
                assert!(available_pence < transfer.amount_pence, "step {step}: refused although the money was there");
                refused += 1;
            }
            Err(error) => panic!("step {step}: {error}"),
        }
        for (code, balance) in balances(&app.db).await {
            assert_eq!(balance, expected.get(&code).copied().unwrap_or(0), "step {step}: balance of {code}");
        }
        assert_sound(&app.db, &format!("after step {step}")).await;
    }
    // The sequence really exercised each path.
    assert!(moved > 100 && refused > 10 && replayed > 10, "moved {moved}, refused {refused}, replayed {replayed}");
}

#[tokio::test]
async fn the_ledger_check_finds_balances_their_entries_do_not_explain() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let budget = fixtures::budget(&app.db, council, app.personas.budget_holder.id, "direct_payment", 10_000, today()).await;
    let allocation = Transfer::new("check:allocation", Account::council_funding(council), Account::budget_available(council, budget), 10_000, "allocation");
    let txn = server::db::begin_write(&app.db).await.expect("begin");
    ledger::transfer(&txn, &allocation, chrono::Utc::now()).await.expect("allocated");
    txn.commit().await.expect("commit");
    assert!(ledger::soundness(&app.db).await.expect("check").is_sound());
    // A balance changed behind the ledger's back: the sum is off and one account does not match.
    app.execute_sql(&format!("UPDATE ledger_accounts SET balance_pence = balance_pence + 1 WHERE code = 'budget:{budget}:available'")).await;
    let found = ledger::soundness(&app.db).await.expect("check");
    assert_eq!((found.sum_of_balances, found.balances_not_matching_entries, found.negative_budget_accounts), (1, 1, 0));
    // A transfer's entry lost: two accounts no longer match it, though the sum is still zero.
    app.execute_sql(&format!("UPDATE ledger_accounts SET balance_pence = balance_pence - 1 WHERE code = 'budget:{budget}:available'")).await;
    assert!(ledger::soundness(&app.db).await.expect("check").is_sound(), "put back");
    app.execute_sql("DELETE FROM ledger_transfers WHERE idempotency_key = 'check:allocation'").await;
    let found = ledger::soundness(&app.db).await.expect("check");
    assert_eq!((found.sum_of_balances, found.balances_not_matching_entries), (0, 2));
}

#[tokio::test]
async fn a_zero_or_negative_amount_is_refused_and_moves_nothing() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    for amount in [0, -500] {
        let transfer = Transfer::new(format!("bad:{amount}"), Account::council_funding(council), Account::card_clearing(council), amount, "allocation");
        let txn = server::db::begin_write(&app.db).await.expect("begin");
        assert!(ledger::transfer(&txn, &transfer, chrono::Utc::now()).await.is_err());
    }
    assert_eq!(fixtures::count(&app.db, "ledger_transfers").await, 0);
}

/// A budget holding £100, and two connection pools to it (as two server instances).
async fn a_race_for_100_pounds() -> (TestApp, i64, i64, [server::db::Db; 2]) {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let budget = fixtures::budget(&app.db, council, app.personas.budget_holder.id, "direct_payment", 10_000, today()).await;
    server::domain::budgets::run_allocations(&app.db, today(), chrono::Utc::now()).await.expect("allocate");
    let pools = [app.db.clone(), app.second_connection().await];
    (app, council, budget, pools)
}

/// One racer's claim: £7 of the budget set aside.
fn seven_pounds_set_aside(council: i64, budget: i64, key: String) -> Transfer {
    Transfer::new(key, Account::budget_available(council, budget), Account::budget_committed(council, budget), 700, "commitment")
}

/// Many transactions on two connection pools (as two server instances) set money aside from
/// one budget at once; together they ask for more than it holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_commitments_from_two_pools_never_overdraw() {
    let (app, council, budget, pools) = a_race_for_100_pounds().await;
    let mut racers = Vec::new();
    for n in 0..40 {
        let db = pools[n % 2].clone();
        racers.push(tokio::spawn(async move {
            let transfer = seven_pounds_set_aside(council, budget, format!("race:{n}"));
            let txn = server::db::begin_write(&db).await.expect("begin");
            match ledger::transfer(&txn, &transfer, chrono::Utc::now()).await {
                Ok(Moved::Now) => {
                    txn.commit().await.expect("commit");
                    true
                }
                Err(AppError::ShortOfMoney { .. }) => false,
                other => panic!("racer {n}: {other:?}"),
            }
        }));
    }
    let mut won = 0;
    for racer in racers {
        won += i64::from(racer.await.expect("racer finished"));
    }
    // £100 holds 14 commitments of £7, with £2 left.
    assert_eq!(won, 14);
    assert_eq!(ledger::balance(&app.db, &Account::budget_available(council, budget)).await.expect("balance"), 200);
    assert_eq!(ledger::balance(&app.db, &Account::budget_committed(council, budget)).await.expect("balance"), 9_800);
    assert_sound(&app.db, "after the race").await;
}

/// The same race through `write_grouped`, which on SQLite puts the writes queued at the same
/// moment into one transaction: a write refused after it moved money (every third one here)
/// undoes only itself, and the money it let go of is there for the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_made_together_are_each_kept_or_undone_alone() {
    let (app, council, budget, pools) = a_race_for_100_pounds().await;
    let transfers_before = fixtures::count(&app.db, "ledger_transfers").await;
    let mut racers = Vec::new();
    for n in 0..40 {
        let db = pools[n % 2].clone();
        racers.push(tokio::spawn(async move {
            let written = server::db::write_grouped(&db, move |txn| {
                Box::pin(async move {
                    let transfer = seven_pounds_set_aside(council, budget, format!("grouped:{n}"));
                    ledger::transfer(txn, &transfer, chrono::Utc::now()).await?;
                    if n % 3 == 0 { Err(AppError::invalid("", "refused after moving money")) } else { Ok(()) }
                })
            })
            .await;
            match written {
                Ok(()) => true,
                Err(AppError::ShortOfMoney { .. } | AppError::Invalid(_)) => false,
                Err(other) => panic!("racer {n}: {other:?}"),
            }
        }));
    }
    let mut won = 0;
    for racer in racers {
        won += i64::from(racer.await.expect("racer finished"));
    }
    assert_eq!(won, 14, "£100 holds 14 commitments of £7");
    assert_eq!(fixtures::count(&app.db, "ledger_transfers").await, transfers_before + 14, "nothing of the refused writes is left");
    assert_eq!(ledger::balance(&app.db, &Account::budget_available(council, budget)).await.expect("balance"), 200);
    assert_eq!(ledger::balance(&app.db, &Account::budget_committed(council, budget)).await.expect("balance"), 9_800);
    assert_sound(&app.db, "after the grouped race").await;
}

/// A write that fails by panicking fails alone (on SQLite it is reported as not saved; on
/// PostgreSQL the panic reaches its caller), and the writes after it are made.
#[tokio::test]
async fn a_write_that_panics_fails_alone() {
    let app = TestApp::new().await;
    let db = app.db.clone();
    let panicked = tokio::spawn(async move {
        let written: Result<(), AppError> = server::db::write_grouped(&db, |_| Box::pin(async { panic!("a bug in one write") })).await;
        written
    })
    .await;
    assert!(matches!(panicked, Ok(Err(AppError::Database(_))) | Err(_)), "{panicked:?}");
    let council = app.personas.council_id;
    let budget = fixtures::budget(&app.db, council, app.personas.budget_holder.id, "direct_payment", 10_000, today()).await;
    let written: Result<Moved, AppError> = server::db::write_grouped(&app.db, move |txn| {
        Box::pin(async move {
            let transfer = Transfer::new("after the panic", Account::council_funding(council), Account::budget_available(council, budget), 500, "allocation");
            ledger::transfer(txn, &transfer, chrono::Utc::now()).await
        })
    })
    .await;
    assert_eq!(written.expect("the next write is made"), Moved::Now);
    assert_eq!(ledger::balance(&app.db, &Account::budget_available(council, budget)).await.expect("balance"), 500);
    assert_sound(&app.db, "after a write panicked").await;
}

#[tokio::test]
async fn provider_accounts_once_shared_by_councils_are_split_by_adjustments_once() {
    use ledger::AccountKind::{ProviderPaid, ProviderPayable};
    let app = TestApp::new().await;
    let now = chrono::Utc::now();
    let (ours, provider) = (app.personas.council_id, app.personas.provider_id);
    let other = fixtures::other_council(&app.db).await;
    let budget_ours = fixtures::budget(&app.db, ours, app.personas.budget_holder.id, "direct_payment", 50_000, today()).await;
    let budget_theirs = fixtures::budget(&app.db, other.council_id, other.budget_holder.id, "direct_payment", 50_000, today()).await;
    server::domain::budgets::run_allocations(&app.db, today(), now).await.expect("allocations");
    // As earlier versions kept them: one payable and one paid account for the provider,
    // whichever council's care moved through them.
    let legacy = |suffix: &str, kind| Account {
        code: format!("provider:{provider}:{suffix}"),
        kind,
        council_id: ours,
        budget_id: None,
        provider_id: Some(provider),
        id: None,
    };
    let (payable, paid) = (legacy("payable", ProviderPayable), legacy("paid", ProviderPaid));
    let moves = [
        ("a-commit", Account::budget_available(ours, budget_ours), Account::budget_committed(ours, budget_ours), 3_000),
        ("b-commit", Account::budget_available(other.council_id, budget_theirs), Account::budget_committed(other.council_id, budget_theirs), 5_000),
        ("a-settle", Account::budget_committed(ours, budget_ours), payable.clone(), 3_000),
        ("b-settle", Account::budget_committed(other.council_id, budget_theirs), payable.clone(), 5_000),
    ];
    for (key, from, to, pence) in moves {
        ledger::transfer(&app.db, &Transfer::new(key, from, to, pence, "test"), now).await.expect("transfer");
    }
    // Our council's run paid £60 of the £80 owed: £30 of its own care, and £30 of theirs.
    fixtures::insert(
        &app.db,
        "payment_runs",
        &[
            ("reference", "PR-OLD".into()),
            ("council_id", ours.into()),
            ("total_pence", 6_000_i64.into()),
            ("provider_count", 1.into()),
            ("run_by", app.personas.commissioner.id.into()),
            ("created_at", now.into()),
        ],
    )
    .await;
    ledger::transfer(&app.db, &Transfer::new("old-run", payable.clone(), paid.clone(), 6_000, "payment").paid_with("PR-OLD"), now).await.expect("payment");

    let repaired = server::domain::repairs::run_all(&app.db, now).await.expect("repairs");
    assert_eq!(repaired.provider_accounts_split, 2);
    let balance = async |account: &Account| ledger::balance(&app.db, account).await.expect("balance");
    assert_eq!(balance(&payable).await, 0);
    assert_eq!(balance(&paid).await, 0);
    assert_eq!(balance(&Account::provider_payable(ours, provider)).await, 0, "our council paid all its own care");
    assert_eq!(balance(&Account::provider_payable(other.council_id, provider)).await, 2_000, "theirs, less the £30 our run paid for them");
    assert_eq!(balance(&Account::provider_paid(ours, provider)).await, 6_000);
    assert_eq!(balance(&Account::provider_paid(other.council_id, provider)).await, 0);
    let transfers = fixtures::count(&app.db, "ledger_transfers").await;
    assert_eq!(server::domain::repairs::run_all(&app.db, now).await.expect("again"), Default::default(), "nothing left to put right");
    assert_eq!(fixtures::count(&app.db, "ledger_transfers").await, transfers);
    assert_sound(&app.db, "after splitting").await;
}
