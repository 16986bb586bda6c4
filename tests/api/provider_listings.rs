//! Providers manage their own services: add as a draft, publish, pause, edit and re-confirm,
//! and never see or touch another organisation's.
use app::{ListingStatus, UiError};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::entities::listing;
use tests::{Client, Reply, TestApp, fixtures, fixtures::count};

/// A complete, valid listing form as the page posts it, with some fields replaced.
fn listing_form(overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    fixtures::form_fields(
        &[
            ("category", "home_care"),
            ("title", "Evening calls in Gosforth"),
            ("description", "Help with meals, medicines and getting ready for bed."),
            ("unit", "hour"),
            ("price", "24.50"),
            ("min_visit_minutes", "30"),
            ("billing_increment_minutes", "15"),
            ("cancellation_notice_hours", "24"),
            ("late_cancellation_percent", "50"),
            ("carer_gender", "female"),
            ("areas", "ne3, NE4"),
            ("base_postcode", ""),
            ("radius_km", ""),
            ("hours][0][opens", "17:00"),
            ("hours][0][closes", "22:00"),
            ("hours][5][opens", "09:00"),
            ("hours][5][closes", "12:30"),
            ("languages", "English, Polish"),
            // Checkboxes: only ticked ones are sent, keeping their place in the list.
            ("specialisms][0", "dementia"),
            ("specialisms][5", "end_of_life"),
        ],
        overrides,
    )
}

async fn save(client: &mut Client, listing_id: Option<&str>, form: Vec<(String, String)>) -> Reply {
    let mut fields = form;
    if let Some(id) = listing_id {
        fields.push(("listing_id".into(), id.into()));
    }
    client.post_form("/api/save-listing", &fields).await
}

async fn change(client: &mut Client, listing_id: &str, what: &str) -> Reply {
    client.post_form("/api/change-listing", &[("listing_id", listing_id), ("change", what)]).await
}

async fn listing_titled(app: &TestApp, title: &str) -> listing::Model {
    listing::Entity::find().filter(listing::Column::Title.eq(title)).one(&app.db).await.expect("query").expect("listing exists")
}

#[tokio::test]
async fn a_provider_adds_a_draft_publishes_it_and_people_can_find_it() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in(&app.personas.provider).await;
    staff.get("/provider/listings/new").await;
    let reply = save(&mut staff, None, listing_form(&[])).await;
    assert_eq!(reply.status, 302, "{reply:?}");
    let saved = listing_titled(&app, "Evening calls in Gosforth").await;
    assert_eq!(reply.location(), Some(format!("/provider/listings?saved={}", saved.public_id).as_str()));
    assert_eq!((saved.status, saved.price_pence, saved.carer_gender.as_str()), (ListingStatus::Draft, 2450, "female"));
    assert_eq!(saved.provider_id, app.personas.provider_id);
    assert!(saved.assured_at.is_some(), "saving confirms the details");
    assert_eq!(count(&app.db, "listing_areas").await, 2);
    assert_eq!(count(&app.db, "listing_attributes").await, 4, "two languages and two specialisms");
    assert_eq!(count(&app.db, "listing_availability").await, 2);
    assert_eq!(count(&app.db, "outbox").await, 1, "the search index is told in the same transaction");

    let list = staff.get(reply.location().expect("sent back to the list")).await;
    assert_eq!(list.status, 200);
    assert!(list.contains("Your service is saved") && list.contains("Evening calls in Gosforth") && list.contains("Draft"));
    assert!(!app.visitor().get("/").await.contains("Evening calls in Gosforth"), "drafts are not public");

    assert_eq!(change(&mut staff, &saved.public_id, "Publish").await.location(), Some("/provider/listings"));
    assert_eq!(count(&app.db, "outbox").await, 2);
    app.sync_search(false).await;
    assert_eq!(count(&app.db, "outbox").await, 0, "the index has taken every change");
    assert!(app.visitor().get("/?q=evening").await.contains("Evening calls in Gosforth"), "found once the outbox drains");

    change(&mut staff, &saved.public_id, "Pause").await;
    app.sync_search(false).await;
    assert_eq!(listing_titled(&app, "Evening calls in Gosforth").await.status, ListingStatus::Paused);
    assert!(!app.visitor().get("/").await.contains("Evening calls in Gosforth"), "paused services are not offered");
}

#[tokio::test]
async fn the_edit_form_shows_what_was_saved_and_saving_it_again_changes_only_what_was_edited() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in(&app.personas.provider).await;
    save(&mut staff, None, listing_form(&[("base_postcode", "ne3 1ab"), ("radius_km", "8")])).await;
    let saved = listing_titled(&app, "Evening calls in Gosforth").await;
    let page = staff.get(&format!("/provider/listings/{}", saved.public_id)).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.heading(), "Edit Evening calls in Gosforth");
    for shown in [r#"value="24.50""#, r#"value="NE3, NE4""#, r#"value="NE3""#, r#"value="17:00""#, r#"value="12:30""#, r#"value="English, Polish""#] {
        assert!(page.contains(shown), "the form shows {shown}");
    }
    assert!(page.contains(r#"value="dementia" checked"#) && !page.contains(r#"value="autism" checked"#));

    let reply = save(&mut staff, Some(&saved.public_id), listing_form(&[("price", "26"), ("hours][5][opens", ""), ("hours][5][closes", "")])).await;
    assert_eq!(reply.status, 302, "{reply:?}");
    let edited = listing_titled(&app, "Evening calls in Gosforth").await;
    assert_eq!((edited.id, edited.price_pence, edited.status), (saved.id, 2600, ListingStatus::Draft));
    assert_eq!(count(&app.db, "listings").await, 1, "an edit is not a new listing");
    assert_eq!(count(&app.db, "listing_availability").await, 1, "Saturday's hours are gone");
}

#[tokio::test]
async fn every_bad_field_is_reported_and_nothing_is_saved() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in(&app.personas.provider).await;
    let cases: &[(&str, &str, &str, &str)] = &[
        ("price", "twenty", "price", "Enter the price in pounds and pence, like 24.50"),
        ("min_visit_minutes", "15", "min_visit_minutes", "Home care visits must be at least 30 minutes"),
        ("areas", "Gosforth", "areas", "Gosforth is not a postcode district: enter districts like NE3, NE4"),
        ("hours][0][closes", "16:00", "hours-0-opens", "Monday's closing time must be after its opening time"),
        ("carer_gender", "robot", "carer_gender", "Choose who can provide the care"),
    ];
    for (field, value, error_field, message) in cases {
        let reply = save(&mut staff, None, listing_form(&[(field, value)])).await;
        let Some(UiError::Invalid(errors)) = reply.redirected_error() else { panic!("{field}={value:?} should be refused: {reply:?}") };
        assert_eq!(errors.len(), 1, "only {field} is wrong: {errors:?}");
        assert_eq!((errors[0].field.as_str(), errors[0].message.as_str()), (*error_field, *message));
    }
    assert_eq!(count(&app.db, "listings").await, 0);
    assert_eq!(count(&app.db, "outbox").await, 0);
    assert_eq!(count(&app.db, "audit_log").await, 0);
}

#[tokio::test]
async fn providers_cannot_see_or_change_another_organisations_listings() {
    let app = TestApp::new().await;
    fixtures::listing(&app.db, app.personas.other_provider_id, "Hilltop secret draft", "draft").await;
    let theirs = listing_titled(&app, "Hilltop secret draft").await;
    let mut staff = app.signed_in(&app.personas.provider).await;

    let page = staff.get(&format!("/provider/listings/{}", theirs.public_id)).await;
    assert_eq!(page.status, 404);
    assert!(!page.contains("Hilltop secret draft"));
    let api = staff.api_get(&format!("/api/listing-form?listing_id={}", theirs.public_id)).await;
    assert_eq!(api.status, 404);
    assert!(!staff.get("/provider/listings").await.contains("Hilltop secret draft"));

    let edit = save(&mut staff, Some(&theirs.public_id), listing_form(&[("title", "Taken over")])).await;
    assert_eq!(edit.redirected_error(), Some(UiError::NotFound));
    let publish = change(&mut staff, &theirs.public_id, "Publish").await;
    assert_eq!(publish.redirected_error(), Some(UiError::NotFound));
    let unchanged = listing_titled(&app, "Hilltop secret draft").await;
    assert_eq!(unchanged, theirs, "nothing about it changed");
    assert_eq!(count(&app.db, "outbox").await, 0);
}

#[tokio::test]
async fn only_provider_staff_manage_listings() {
    let app = TestApp::new().await;
    fixtures::listing(&app.db, app.personas.provider_id, "Riverside day centre", "draft").await;
    let ours = listing_titled(&app, "Riverside day centre").await;
    for persona in [&app.personas.budget_holder, &app.personas.planner, &app.personas.commissioner] {
        let mut client = app.signed_in(persona).await;
        assert_eq!(client.get("/provider/listings").await.status, 403, "{:?}", persona.role);
        assert_eq!(client.get("/provider/listings/new").await.status, 403, "{:?}", persona.role);
        let saved = save(&mut client, None, listing_form(&[])).await;
        assert_eq!(saved.redirected_error(), Some(UiError::Forbidden), "{:?}", persona.role);
        let published = change(&mut client, &ours.public_id, "Publish").await;
        assert_eq!(published.redirected_error(), Some(UiError::Forbidden), "{:?}", persona.role);
    }
    let mut visitor = app.visitor();
    let page = visitor.get("/provider/listings").await;
    assert_eq!((page.status, page.location()), (302, Some("/sign-in?next=/provider/listings")));
    assert_eq!(save(&mut visitor, None, listing_form(&[])).await.redirected_error(), Some(UiError::SignInRequired));
    assert_eq!(count(&app.db, "listings").await, 1);
    assert_eq!(listing_titled(&app, "Riverside day centre").await.status, ListingStatus::Draft);
}

#[tokio::test]
async fn listings_not_confirmed_for_six_months_are_flagged_until_confirmed() {
    let app = TestApp::new().await;
    fixtures::listing(&app.db, app.personas.provider_id, "Riverside day centre", "published").await;
    let ours = listing_titled(&app, "Riverside day centre").await;
    let mut stale: listing::ActiveModel = ours.clone().into();
    stale.assured_at = sea_orm::ActiveValue::Set(Some(chrono::Utc::now() - chrono::Duration::days(200)));
    sea_orm::ActiveModelTrait::update(stale, &app.db).await.expect("backdate");
    let mut staff = app.signed_in(&app.personas.provider).await;
    assert!(staff.get("/provider/listings").await.contains("Possibly out of date"));
    assert_eq!(change(&mut staff, &ours.public_id, "Reconfirm").await.status, 302);
    let confirmed = listing_titled(&app, "Riverside day centre").await;
    assert!(confirmed.assured_at.is_some_and(|at| chrono::Utc::now() - at < chrono::Duration::minutes(1)));
    assert!(!staff.get("/provider/listings").await.contains("Possibly out of date"));
}

#[tokio::test]
async fn changes_succeed_while_the_search_index_drains_the_outbox() {
    let app = TestApp::new().await;
    fixtures::listing(&app.db, app.personas.provider_id, "Riverside day centre", "draft").await;
    let ours = listing_titled(&app, "Riverside day centre").await;
    // The server's background task, writing (its place in the outbox, and removing what every
    // index has applied) as changes arrive.
    let (db, search) = (app.db.clone(), app.search.clone());
    let drain = tokio::spawn(async move {
        loop {
            server::search::sync::follow_outbox(&db, search.as_ref(), 500, chrono::Utc::now()).await.expect("follow");
            server::search::sync::prune_outbox(&db, chrono::Utc::now()).await.expect("prune");
            tokio::task::yield_now().await;
        }
    });
    let mut staff = app.signed_in(&app.personas.provider).await;
    for round in 0..40 {
        let what = if round % 2 == 0 { "Publish" } else { "Pause" };
        let reply = change(&mut staff, &ours.public_id, what).await;
        assert_eq!((reply.status, reply.location()), (302, Some("/provider/listings")), "round {round}: {:?}", reply.redirected_error());
    }
    drain.abort();
    assert_eq!(listing_titled(&app, "Riverside day centre").await.status, ListingStatus::Paused);
}
