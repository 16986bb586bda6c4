//! Hostile input to every form, server function and page, as every kind of person: random and
//! malicious values (control characters, huge and negative numbers, dates centuries away, very
//! long text, markup, SQL, wrong types, missing fields). Nothing may answer with a server error,
//! a refusal (4xx) must change nothing, and the ledger must hold its rules at the end. Bounded
//! in time (`CAREMARKET_HOSTILE_SECONDS`, 45 by default) so the suite stays quick.
use crate::authorisation::{TABLE, clients, fill, send, world};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sea_orm::ConnectionTrait;
use std::time::{Duration, Instant};
use tests::TestApp;

/// What a request might carry instead of what the form asks for.
fn hostile() -> impl Strategy<Value = String> {
    let awkward = prop_oneof![
        Just(String::new()),
        Just(" ".into()),
        Just("\0".into()),
        Just("\t\r\n".into()),
        Just("\u{202e}\u{feff}😀".into()),
        Just("99999999999999999999999".into()),
        Just("-1".into()),
        Just("-9223372036854775808".into()),
        Just("1e308".into()),
        Just("NaN".into()),
        Just("0.001".into()),
        Just("1,000,000.00".into()),
        Just("+262142-12-31".into()),
        Just("-0001-01-01".into()),
        Just("0000-00-00".into()),
        Just("2101-01-01".into()),
        Just("1999-12-31".into()),
        Just("25:61".into()),
        Just("x".repeat(10_000)),
        Just("<script>alert(1)</script>".into()),
        Just("'; DROP TABLE users; --".into()),
        Just("%00%0A%0D".into()),
        Just("../../etc/passwd".into()),
        Just("//evil.example".into()),
        Just("true".into()),
        Just("[]".into()),
    ];
    let random = proptest::collection::vec(any::<char>(), 0..40).prop_map(String::from_iter);
    let controls = proptest::collection::vec(0u8..32, 1..8).prop_map(|bytes| bytes.into_iter().map(char::from).collect::<String>());
    prop_oneof![4 => awkward, 2 => random, 1 => controls]
}

/// One attack: which row, as whom, and for each field (query values included) either its
/// proper value, a hostile one, or nothing at all.
#[derive(Debug, Clone)]
struct Attack {
    row: usize,
    person: usize,
    changes: Vec<(u8, String)>,
}

fn attack() -> impl Strategy<Value = Attack> {
    let rows = TABLE.len();
    (0..rows, 0..11_usize, proptest::collection::vec((0u8..6, hostile()), 12)).prop_map(|(row, person, changes)| Attack { row, person, changes })
}

/// The field's value as this attack sends it: `None` to leave it out.
fn changed(original: String, change: &(u8, String)) -> Option<String> {
    match change.0 {
        0 => None,
        1 | 2 => Some(change.1.clone()),
        3 => Some(format!("{original}{}", change.1)),
        _ => Some(original),
    }
}

/// Every row of the tables a request could change, summed up: a refusal must leave it alone.
/// (Sign-in attempts and sessions are left out: counting a failed sign-in is its job.)
const FINGERPRINT: &[&str] = &[
    "SELECT COUNT(*) FROM users",
    "SELECT SUM(LENGTH(password_hash) + LENGTH(display_name)) FROM users",
    "SELECT COUNT(*) FROM budgets",
    "SELECT SUM(four_weekly_allocation_pence + COALESCE(isf_provider_id, 0) + COALESCE(shortest_visit_minutes, 0)) FROM budgets",
    "SELECT COUNT(*) FROM bookings",
    "SELECT SUM(LENGTH(status) + committed_pence) FROM bookings",
    "SELECT COUNT(*) FROM visits",
    "SELECT SUM(LENGTH(status)) FROM visits",
    "SELECT COUNT(*) FROM ledger_transfers",
    "SELECT SUM(ABS(balance_pence)) FROM ledger_accounts",
    "SELECT COUNT(*) FROM listings",
    "SELECT SUM(price_pence + LENGTH(title) + LENGTH(description) + LENGTH(status)) FROM listings",
    "SELECT COUNT(*) FROM listing_areas",
    "SELECT COUNT(*) FROM listing_attributes",
    "SELECT COUNT(*) FROM listing_availability",
    "SELECT COUNT(*) FROM delegations",
    "SELECT SUM(CASE WHEN revoked_at IS NULL THEN 1 ELSE 0 END) FROM delegations",
    "SELECT COUNT(*) FROM helper_invitations",
    "SELECT SUM(LENGTH(status)) FROM helper_invitations",
    "SELECT COUNT(*) FROM card_payments",
    "SELECT SUM(LENGTH(status)) FROM card_payments",
    "SELECT COUNT(*) FROM offline_placements",
    "SELECT COUNT(*) FROM frameworks",
    "SELECT COUNT(*) FROM lots",
    "SELECT SUM(price_cap_pence + quality_weight) FROM lots",
    "SELECT COUNT(*) FROM accreditations",
    "SELECT SUM(contracted_rate_pence + LENGTH(status)) FROM accreditations",
    "SELECT COUNT(*) FROM monitoring_scores",
    "SELECT COUNT(*) FROM providers",
    "SELECT SUM(LENGTH(description) + LENGTH(contact_phone) + LENGTH(status)) FROM providers",
    "SELECT COUNT(*) FROM payment_runs",
    "SELECT COUNT(*) FROM notifications",
    "SELECT COUNT(*) FROM placements",
    "SELECT COUNT(*) FROM account_setup_codes",
    "SELECT COUNT(*) FROM outbox",
    "SELECT COUNT(*) FROM audit_log",
];

async fn fingerprint(app: &TestApp) -> Vec<i64> {
    let select: Vec<String> = FINGERPRINT.iter().enumerate().map(|(n, sql)| format!("CAST(COALESCE(({sql}), 0) AS BIGINT) AS f{n}")).collect();
    let sql = format!("SELECT {}", select.join(", "));
    let row = app.db.query_one_raw(sea_orm::Statement::from_string(app.db.get_database_backend(), sql)).await.expect("fingerprint").expect("a row");
    (0..FINGERPRINT.len()).map(|n| row.try_get_by_index::<i64>(n).expect("a number")).collect()
}

/// Percent-encodes everything but letters and digits.
fn encoded(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[test]
fn hostile_input_never_breaks_the_server_and_a_refusal_changes_nothing() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    let seconds = std::env::var("CAREMARKET_HOSTILE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(45);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (app, world, mut people) = runtime.block_on(async {
        let app = TestApp::with_stripe().await;
        let world = world(&app).await;
        let people = clients(&app, &world).await;
        (app, world, people)
    });
    // Cases are drawn until the time is up (each changes the database, so none is shrunk:
    // a failure names the request in full instead).
    let mut runner = TestRunner::new(Config { failure_persistence: None, ..Config::default() });
    let strategy = attack();
    let mut tried = 0_usize;
    let mut run = |attack: Attack| -> Result<(), TestCaseError> {
        tried += 1;
        let (route, request, fields, _) = TABLE[attack.row];
        // Signing out would leave the rest of the run signed out.
        if route == "POST /api/sign-out" {
            return Ok(());
        }
        let who = world.people[attack.person].as_ref();
        let (method, path) = request.split_once(' ').expect("METHOD path");
        let filled = fill(path, &world, who, tried);
        let (path, query) = filled.split_once('?').map_or((filled.clone(), String::new()), |(p, q)| (p.to_string(), q.to_string()));
        let mut changes = attack.changes.iter().cycle();
        // A path's last segment (an id) may be hostile too.
        let path = match (changes.next(), path.rsplit_once('/')) {
            (Some((1, text)), Some((start, _))) if !path.starts_with("/api/") => format!("{start}/{}", encoded(text)),
            _ => path,
        };
        let mut query_pairs = Vec::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if let Some(value) = changed(value.to_string(), changes.next().expect("cycles")) {
                query_pairs.push(format!("{name}={}", encoded(&value)));
            }
        }
        let target = if query_pairs.is_empty() { path } else { format!("{path}?{}", query_pairs.join("&")) };
        let form: Vec<(String, String)> = fields
            .iter()
            .filter_map(|(name, value)| changed(fill(value, &world, who, tried), changes.next().expect("cycles")).map(|value| (name.to_string(), value)))
            .collect();
        runtime.block_on(async {
            let before = fingerprint(&app).await;
            let reply = send(&mut people[attack.person], method, &target, &form).await;
            prop_assert!(reply.status < 500, "{route} as person {}: {} for {target} {form:?}", attack.person, reply.status);
            if (400..500).contains(&reply.status) {
                let after = fingerprint(&app).await;
                let moved: Vec<&str> = FINGERPRINT.iter().zip(before.iter().zip(&after)).filter(|(_, (b, a))| b != a).map(|(sql, _)| *sql).collect();
                prop_assert!(moved.is_empty(), "{route} as person {} refused ({}) yet changed: {moved:?}", attack.person, reply.status);
            }
            Ok::<(), TestCaseError>(())
        })
    };
    while Instant::now() < deadline {
        let attack = strategy.new_tree(&mut runner).expect("an attack").current();
        if let Err(failure) = run(attack) {
            panic!("{failure}");
        }
    }
    runtime.block_on(async {
        let soundness = server::domain::ledger::soundness(&app.db).await.expect("ledger check");
        assert!(soundness.is_sound(), "{soundness:?}");
    });
    assert!(tried > 50, "only {tried} attacks in {seconds} s");
    eprintln!("hostile input: {tried} requests in {seconds} s, none broke anything");
}
