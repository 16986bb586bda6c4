//! A provider sees, council by council, what it is owed and has been paid: each payment run's
//! amount (the figure on its line of the council's remittance) with the visits behind it, and
//! what still waits for the person to confirm. Nobody else sees it.
use crate::booking_changes::{assert_sound, user};
use crate::bookings::funded_budget;
use crate::visit_confirmation::delivered;
use server::domain::payment_runs;
use tests::TestApp;

#[tokio::test]
async fn a_provider_sees_each_run_with_the_visits_it_paid_matching_the_remittance_and_what_is_still_awaited() {
    let app = TestApp::new().await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let mut staff = app.signed_in(&app.personas.provider).await;
    assert!(staff.get("/provider/payments").await.text().contains("No council owes you anything yet"));
    let (booking, visit, _) = delivered(&app, false).await;

    let page = staff.get("/provider/payments").await.text();
    assert!(page.contains("Waiting for people to confirm£26.50 (1 visit)") && page.contains("Owed, for the next payment run£0.00"), "{page}");
    assert!(page.contains("has not paid you in a payment run yet"), "{page}");

    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let fields = [("reference", booking.reference.as_str()), ("visit_id", &visit.id.to_string()), ("answer", "confirm")];
    holder.post_form("/api/answer-visit", &fields).await;
    let page = staff.get("/provider/payments").await.text();
    assert!(page.contains("Waiting for people to confirm£0.00 (0 visits)") && page.contains("Owed, for the next payment run£26.50"), "{page}");

    let commissioner = user(&app, app.personas.commissioner.id).await;
    let reference = payment_runs::run(&app.db, &commissioner, chrono::Utc::now()).await.expect("paid");
    let page = staff.get("/provider/payments").await.text();
    assert!(page.contains(&format!("{reference}: £26.50 paid on")) && page.contains("The 1 visit it paid for"), "{page}");
    assert!(page.contains(&booking.reference) && page.contains("Owed, for the next payment run£0.00"), "{page}");

    // The run's CSV lists the visit and adds up to the provider's line of the remittance.
    let csv = staff.get(&format!("/provider/payments/{reference}/visits.csv")).await;
    assert_eq!(csv.status, 200, "{csv:?}");
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], "Payment run,Date paid,Council,Booking,Visit date,Minutes,Amount (GBP)");
    assert!(lines[1].contains(&booking.reference) && lines[1].ends_with(",60,26.50"), "{}", csv.body);
    assert!(lines[2].contains(",Total,") && lines[2].ends_with(",26.50"), "{}", csv.body);
    let mut council = app.signed_in(&app.personas.commissioner).await;
    let remittance = council.get(&format!("/payments/{reference}/remittance.csv")).await;
    assert!(remittance.body.lines().any(|line| line.contains("Riverside Home Care") && line.ends_with(",26.50")), "{}", remittance.body);

    // Another provider, the person and the council see none of it.
    let other =
        tests::fixtures::user(&app.db, app.personas.council_id, "staff@hilltop.example", app::Role::Provider, Some(app.personas.other_provider_id)).await;
    let mut other = app.signed_in(&other).await;
    assert_eq!(other.get(&format!("/provider/payments/{reference}/visits.csv")).await.status, 404);
    assert!(other.get("/provider/payments").await.text().contains("No council owes you anything yet"));
    assert_eq!(holder.get(&format!("/provider/payments/{reference}/visits.csv")).await.status, 403);
    assert_eq!(council.get("/provider/payments").await.status, 403);
    assert_sound(&app, "after the run").await;
}
