//! Electronic call monitoring: a provider uploads its system's export, and each line settles one
//! of its visits exactly as checking in and out would; lines that cannot be matched are named
//! with the reason, and the same file twice settles once.
use crate::booking_changes::{assert_sound, booked, user, visits_of};
use crate::bookings::{next_monday, question_query};
use chrono::{Duration, Utc};
use sea_orm::EntityTrait;
use server::domain::uk_time;
use server::domain::{booking_changes, call_monitoring};
use server::entities::visit;
use tests::TestApp;

/// Every ledger account's balance, by code.
async fn balances(app: &TestApp) -> Vec<(String, i64)> {
    use sea_orm::{EntityTrait, QueryOrder};
    use server::entities::ledger_account;
    let accounts = ledger_account::Entity::find().order_by_asc(ledger_account::Column::Id).all(&app.db).await.expect("accounts");
    accounts.into_iter().map(|account| (account.code, account.balance_pence)).collect()
}

/// A one-hour visit next Monday, its booking accepted by the provider's staff.
async fn accepted_visit(app: &TestApp) -> (server::entities::booking::Model, app::SignedInUser, visit::Model) {
    crate::bookings::funded_budget(app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let booking = booked(app, &question_query("once", next_monday(), "09:00", "60", &[])).await;
    let staff = user(app, app.personas.provider.id).await;
    booking_changes::respond(&app.db, &staff, &booking.reference, true, "", Utc::now()).await.expect("accepted");
    let planned = visits_of(app, booking.id).await.remove(0);
    (booking, staff, planned)
}

#[tokio::test]
async fn each_line_settles_its_visit_as_checking_in_and_out_would_once_and_bad_lines_are_named() {
    let app = TestApp::new().await;
    let (booking, staff, planned) = accepted_visit(&app).await;
    let at = |minutes: i64| uk_time::to_local(planned.scheduled_start + Duration::minutes(minutes)).format("%Y-%m-%d %H:%M").to_string();
    let reference = &booking.reference;
    let csv = [
        "Visit,Checked in,Checked out".to_string(),
        format!("{reference},{},{}", at(2), at(61)),
        "CM-NOPE-NOPE,2026-12-07 09:00,2026-12-07 10:00".into(),
        format!("{reference},{},{}", at(60), at(0)),
        format!("{reference},at nine,{}", at(60)),
        format!("{reference},{},{}", at(-24 * 60), at(-24 * 60 + 30)),
        format!("{},{},{}", planned.id + 1_000, at(0), at(60)),
        format!("{reference},{}", at(0)),
    ]
    .join("\r\n");
    // Uploaded once the visit is over (a check-out after now is refused too).
    let later = planned.scheduled_start + Duration::hours(3);
    let upload = call_monitoring::import(&app.db, &staff, None, &csv, later).await.expect("uploaded");
    let shown = call_monitoring::page(&app.db, &staff, Some(upload)).await.expect("the page").shown.expect("the upload");
    assert_eq!((shown.settled, shown.already_settled), (1, 0));
    let day_before = uk_time::long_date(uk_time::to_local(planned.scheduled_start).date() - Duration::days(1));
    assert_eq!(
        shown.problems,
        vec![
            "Line 3: no booking \"CM-NOPE-NOPE\" of your organisation".to_string(),
            "Line 4: the check-out time is not after the check-in time".into(),
            "Line 5: the check-in time \"at nine\" is not like 2026-12-07 09:02".into(),
            format!("Line 6: no visit of booking {reference} on {day_before}"),
            format!("Line 7: no visit {} of your organisation", planned.id + 1_000),
            "Line 8: expected 3 columns (visit,checked in,checked out), found 2".into(),
        ]
    );
    // As checking in at 09:02 and out at 10:01 would: 59 minutes rounds to the hour booked, £26.50
    // set aside until the person confirms.
    let settled = visit::Entity::find_by_id(planned.id).one(&app.db).await.expect("read").expect("the visit");
    assert_eq!(settled.checked_in_at, Some(planned.scheduled_start + Duration::minutes(2)));
    assert_eq!((settled.delivered_minutes, settled.charged_pence, settled.confirmation), (Some(60), Some(2_650), Some(app::VisitConfirmation::Awaiting)));
    // The person's 48 hours to confirm start at the upload, not at the check-out it reports.
    assert_eq!(settled.checked_out_at, Some(planned.scheduled_start + Duration::minutes(61)));
    assert_eq!(settled.confirm_by, Some(later + Duration::hours(server::domain::visit_confirmation::CONFIRM_HOURS)));
    assert_sound(&app, "after the upload").await;

    // The same file again settles nothing more.
    let before = balances(&app).await;
    let again = call_monitoring::import(&app.db, &staff, None, &csv, later).await.expect("uploaded");
    let shown = call_monitoring::page(&app.db, &staff, Some(again)).await.expect("the page").shown.expect("the upload");
    assert_eq!((shown.settled, shown.already_settled, shown.problems.len()), (0, 1, 6));
    assert_eq!(balances(&app).await, before);

    // Another provider's staff cannot settle it; people and councils cannot upload.
    let other =
        tests::fixtures::user(&app.db, app.personas.council_id, "staff@hilltop.example", app::Role::Provider, Some(app.personas.other_provider_id)).await;
    let other = user(&app, other.id).await;
    let theirs = call_monitoring::import(&app.db, &other, None, &csv, later).await.expect("uploaded");
    let shown = call_monitoring::page(&app.db, &other, Some(theirs)).await.expect("the page").shown.expect("the upload");
    assert_eq!(shown.settled + shown.already_settled, 0);
    assert!(shown.problems[0].contains(&format!("no booking \"{reference}\" of your organisation")), "{:?}", shown.problems);
    assert!(call_monitoring::page(&app.db, &other, Some(upload)).await.expect("the page").shown.is_none(), "not theirs to see");
    for someone in [app.personas.budget_holder.id, app.personas.planner.id] {
        let someone = user(&app, someone).await;
        assert!(matches!(call_monitoring::import(&app.db, &someone, None, &csv, later).await, Err(server::error::AppError::Forbidden)));
    }
    // A file with the wrong columns is refused whole.
    let wrong = call_monitoring::import(&app.db, &staff, None, "booking,start,end\nX,1,2", later).await;
    assert!(matches!(wrong, Err(server::error::AppError::Invalid(_))), "{wrong:?}");
}

#[tokio::test]
async fn the_council_uploads_for_one_of_its_providers_and_the_visit_settles_as_the_providers_own_upload_would() {
    let app = TestApp::new().await;
    let (booking, staff, planned) = accepted_visit(&app).await;
    let at = |minutes: i64| uk_time::to_local(planned.scheduled_start + Duration::minutes(minutes)).format("%d/%m/%Y %H:%M").to_string();
    let csv = format!("visit,checked in,checked out\n{},{},{}\nCM-NOPE-NOPE,{},{}", booking.reference, at(0), at(45), at(0), at(45));
    let later = planned.scheduled_start + Duration::hours(2);
    let commissioner = user(&app, app.personas.commissioner.id).await;
    let provider: String =
        server::entities::provider::Entity::find_by_id(app.personas.provider_id).one(&app.db).await.expect("read").expect("the provider").public_id;

    // The council names the provider; another council cannot upload for it.
    let unnamed = call_monitoring::import(&app.db, &commissioner, None, &csv, later).await;
    assert!(
        matches!(&unnamed, Err(server::error::AppError::Invalid(problems)) if problems[0].message == "Choose the provider whose visits these are"),
        "{unnamed:?}"
    );
    let elsewhere = tests::fixtures::other_council(&app.db).await;
    let stranger = user(&app, elsewhere.commissioner.id).await;
    assert!(matches!(call_monitoring::import(&app.db, &stranger, Some(&provider), &csv, later).await, Err(server::error::AppError::NotFound)));
    assert_eq!(tests::fixtures::count(&app.db, "call_monitoring_imports").await, 0);

    let upload = call_monitoring::import(&app.db, &commissioner, Some(&provider), &csv, later).await.expect("uploaded");
    let page = call_monitoring::page(&app.db, &commissioner, Some(upload)).await.expect("the council's page");
    let shown = page.shown.expect("the upload");
    assert_eq!((shown.settled, shown.already_settled), (1, 0));
    assert_eq!(shown.problems, vec![format!("Line 3: no booking \"CM-NOPE-NOPE\" of {}", shown.provider)]);
    assert!(page.providers.iter().any(|(id, _)| *id == provider), "the council's providers to upload for");
    // 45 minutes of an hour booked: charged as checking in and out would (the listing's
    // billing increment), awaiting the person's confirmation.
    let settled = visit::Entity::find_by_id(planned.id).one(&app.db).await.expect("read").expect("the visit");
    assert_eq!((settled.delivered_minutes, settled.confirmation), (Some(45), Some(app::VisitConfirmation::Awaiting)));
    assert_sound(&app, "after the council's upload").await;
    // The provider sees it among its uploads; the other council sees nothing.
    assert!(call_monitoring::page(&app.db, &staff, Some(upload)).await.expect("the page").shown.is_some());
    assert!(call_monitoring::page(&app.db, &stranger, Some(upload)).await.expect("their page").shown.is_none());
    // Uploaded again by the provider itself: settled once.
    let again = call_monitoring::import(&app.db, &staff, None, &csv, later).await.expect("uploaded");
    let shown = call_monitoring::page(&app.db, &staff, Some(again)).await.expect("the page").shown.expect("the upload");
    assert_eq!((shown.settled, shown.already_settled), (0, 1));
}
