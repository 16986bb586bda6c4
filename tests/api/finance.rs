//! The finance export: every payment to providers, allocation and recovery of the council's in a
//! period, with the council's codes per kind and each provider's supplier number, as the council's
//! finance system imports it. Commissioners only, their own council's money only.
use crate::booking_changes::user;
use crate::bookings::funded_budget;
use crate::visit_confirmation::delivered;
use chrono::{Duration, Utc};
use server::domain::{finance, payment_runs, recoveries, visit_confirmation};
use server::error::AppError;
use tests::TestApp;

fn codes(pairs: &[(&str, &str)]) -> app::FinanceCodesForm {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[tokio::test]
async fn the_export_lists_each_movement_with_the_councils_codes_and_the_suppliers_number() {
    let app = TestApp::new().await;
    let commissioner = user(&app, app.personas.commissioner.id).await;
    let budget = funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let (_, visit, _) = delivered(&app, false).await;
    let holder = user(&app, app.personas.budget_holder.id).await;
    visit_confirmation::answer(&app.db, &holder, visit.id, visit_confirmation::Verdict::Confirm, Utc::now()).await.expect("confirmed");
    let run = payment_runs::run(&app.db, &commissioner, Utc::now()).await.expect("paid");
    let keep = app::RecoveryForm { budget_id: budget, keep: "100.00".into(), reason: "Unspent".into() };
    let recovery = recoveries::propose(&app.db, &commissioner, &keep, Utc::now()).await.expect("proposed");
    let recovered = recoveries::decide(&app.db, &commissioner, &recovery, true, Utc::now() + Duration::days(15)).await.expect("recovered");
    let (from, to) = ((Utc::now() - Duration::days(1)).date_naive().to_string(), (Utc::now() + Duration::days(20)).date_naive().to_string());

    // Not before every kind has its codes; bad codes are named.
    assert!(matches!(finance::export(&app.db, &commissioner, &from, &to).await, Err(AppError::Invalid(_))));
    let Err(AppError::Invalid(errors)) = finance::set_codes(&app.db, &commissioner, &codes(&[("payment_cost_centre", "<script>")]), Utc::now()).await else {
        panic!("refused")
    };
    assert_eq!(errors.len(), 6, "{errors:?}");
    let good = codes(&[
        ("payment_cost_centre", "ASC100"),
        ("payment_account_code", "5101"),
        ("allocation_cost_centre", "ASC200"),
        ("allocation_account_code", "5102"),
        ("recovery_cost_centre", "ASC200"),
        ("recovery_account_code", "9101"),
    ]);
    finance::set_codes(&app.db, &commissioner, &good, Utc::now()).await.expect("saved");
    let public_id = {
        use sea_orm::EntityTrait;
        server::entities::provider::Entity::find_by_id(app.personas.provider_id).one(&app.db).await.expect("read").expect("provider").public_id
    };
    finance::set_supplier_number(&app.db, &commissioner, &public_id, "SUP-0042", Utc::now()).await.expect("saved");

    let lines = finance::export(&app.db, &commissioner, &from, &to).await.expect("the export");
    let kinds: Vec<&str> = lines.iter().map(|line| line.kind).collect();
    assert_eq!(kinds, ["allocation", "payment", "recovery"], "{lines:?}");
    assert_eq!((lines[0].cost_centre.as_str(), lines[0].account_code.as_str(), lines[0].amount_pence), ("ASC200", "5102", 84_000));
    assert_eq!(lines[0].payee, format!("Personal budget {budget}"));
    assert_eq!((lines[1].reference.as_str(), lines[1].supplier_number.as_str(), lines[1].payee.as_str()), (run.as_str(), "SUP-0042", "Riverside Home Care"));
    assert_eq!((lines[1].amount_pence, lines[1].account_code.as_str()), (2_650, "5101"));
    assert_eq!((lines[2].amount_pence, lines[2].account_code.as_str()), (recovered, "9101"));

    // As a CSV download; a period before any of it is empty; nobody else downloads it.
    let mut council = app.signed_in(&app.personas.commissioner).await;
    let csv = council.get(&format!("/finance/export.csv?from={from}&to={to}")).await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body.lines().next(), Some("Date,Kind,Cost centre,Account code,Amount (GBP),Reference,Supplier number,Payee"));
    assert!(csv.body.lines().any(|line| line.ends_with(&format!(",payment,ASC100,5101,26.50,{run},SUP-0042,Riverside Home Care"))), "{}", csv.body);
    assert_eq!(council.get("/finance/export.csv?from=2020-01-01&to=2020-01-31").await.body.lines().count(), 1);
    assert_eq!(council.get("/finance/export.csv?from=2026-02-01&to=2026-01-01").await.status, 422);
    assert_eq!(council.get("/finance/export.csv?from=-262144-01-01&to=2026-01-01").await.status, 422, "a date out of range is named, not a crash");
    let mut provider = app.signed_in(&app.personas.provider).await;
    assert_eq!(provider.get(&format!("/finance/export.csv?from={from}&to={to}")).await.status, 403);
    let elsewhere = tests::fixtures::other_council(&app.db).await;
    let stranger = user(&app, elsewhere.commissioner.id).await;
    assert!(matches!(finance::set_supplier_number(&app.db, &stranger, &public_id, "X1", Utc::now()).await, Err(AppError::NotFound)));
    finance::set_codes(&app.db, &stranger, &good, Utc::now()).await.expect("their own codes");
    assert!(finance::export(&app.db, &stranger, &from, &to).await.expect("their export").is_empty(), "none of ours");
}
