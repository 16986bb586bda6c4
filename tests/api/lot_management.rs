//! Commissioners manage their lots: suspend and reinstate, record monitoring scores, admit
//! providers at a rate within the cap. Only commissioners of the lot's council may.
use crate::lots::{north_home_care, rows};
use app::{Role, UiError};
use chrono::Utc;
use tests::fixtures::{self, count, insert};
use tests::{Client, Reply, TestApp};

const HILLTOP: &str = "Hilltop Care";

async fn provider_public_id(app: &TestApp, name: &str) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    server::entities::provider::Entity::find()
        .filter(server::entities::provider::Column::Name.eq(name))
        .one(&app.db)
        .await
        .expect("query")
        .expect("provider exists")
        .public_id
}

async fn post(client: &mut Client, endpoint: &str, lot: i64, fields: &[(&str, &str)]) -> Reply {
    let lot = lot.to_string();
    let mut all = vec![("lot_id", lot.as_str())];
    all.extend_from_slice(fields);
    client.post_form(&format!("/api/{endpoint}"), &all).await
}

fn field_errors(reply: &Reply) -> Vec<(String, String)> {
    match reply.redirected_error() {
        Some(UiError::Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected field errors, got {other:?} from {reply:?}"),
    }
}

#[tokio::test]
async fn a_suspended_provider_leaves_the_ranking_until_reinstated() {
    let app = TestApp::new().await;
    let lot = north_home_care(&app).await;
    let hilltop = provider_public_id(&app, HILLTOP).await;
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    let page = commissioner.get(&format!("/lots/{lot}")).await;
    assert!(page.contains("Manage this lot") && page.contains("Suspend provider"));

    let no_reason = post(&mut commissioner, "suspend-provider", lot, &[("provider_id", &hilltop), ("reason", " ")]).await;
    assert_eq!(field_errors(&no_reason), vec![("reason".into(), "Enter why the provider is suspended".into())]);
    assert_eq!(count(&app.db, "outbox").await, 0, "a refused change queues nothing");

    let suspended = post(&mut commissioner, "suspend-provider", lot, &[("provider_id", &hilltop), ("reason", "Late visits under review")]).await;
    assert_eq!(suspended.location(), Some(format!("/lots/{lot}").as_str()));
    let page = app.visitor().get(&format!("/lots/{lot}")).await;
    assert_eq!(rows(&page).iter().map(|row| row[1].clone()).collect::<Vec<_>>(), ["Riverside Home Care"]);
    assert!(page.text().contains("Hilltop Care: Not offered framework work: suspended on this lot (Late visits under review)"));
    assert_eq!(count(&app.db, "outbox").await, 1, "Hilltop's one service is queued for the search index");

    post(&mut commissioner, "reinstate-provider", lot, &[("provider_id", &hilltop)]).await;
    let page = app.visitor().get(&format!("/lots/{lot}")).await;
    assert_eq!(rows(&page)[0][1], HILLTOP, "back in first place");
    assert!(!page.text().contains("suspended on this lot (Late visits"));
}

#[tokio::test]
async fn monitoring_scores_are_checked_then_change_quality_at_once() {
    let app = TestApp::new().await;
    let lot = north_home_care(&app).await;
    let riverside = provider_public_id(&app, "Riverside Home Care").await;
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    let bad = post(&mut commissioner, "record-monitoring", lot, &[("provider_id", "nobody"), ("score", "150"), ("note", "")]).await;
    assert_eq!(
        field_errors(&bad),
        vec![
            ("monitoring_provider".into(), "Choose a provider on this lot".into()),
            ("score".into(), "Enter the monitoring score: a number from 0 to 100".into()),
            ("note".into(), "Enter what the score is based on".into()),
        ]
    );
    let scores_before = count(&app.db, "monitoring_scores").await;
    post(&mut commissioner, "record-monitoring", lot, &[("provider_id", &riverside), ("score", "100"), ("note", "Spot check, 10 files")]).await;
    assert_eq!(count(&app.db, "monitoring_scores").await, scores_before + 1);
    // Riverside: (40 × 80 + 40 × 100 + 20 × 62.50) / 100 = 84.50; 0.6 × 84.50 + 0.4 × 83.33 = 84.03: still 2nd to 88.30.
    let page = app.visitor().get(&format!("/lots/{lot}")).await;
    assert_eq!(rows(&page)[1][3..7], ["84.50", "£24.00 an hour", "83.33", "84.03"].map(String::from));
}

#[tokio::test]
async fn providers_are_admitted_only_at_or_below_the_price_cap() {
    let app = TestApp::new().await;
    let lot = north_home_care(&app).await;
    let westgate = fixtures::provider(&app.db, app.personas.council_id, "Westgate Care", "1-000000005").await;
    let listing = fixtures::listing(&app.db, westgate, "Westgate home care", "published").await;
    let locality: i64 = {
        use sea_orm::EntityTrait;
        server::entities::lot::Entity::find_by_id(lot).one(&app.db).await.expect("query").expect("lot").locality_id
    };
    for statement in [
        format!("INSERT INTO postcode_districts (code, locality_id, latitude, longitude) VALUES ('NE3', {locality}, 55.0, -1.6)"),
        format!("INSERT INTO listing_areas (listing_id, district) VALUES ({listing}, 'NE3')"),
    ] {
        sea_orm::ConnectionTrait::execute_unprepared(&app.db, &statement).await.expect("the service covers the lot's area");
    }
    let listing_id = {
        use sea_orm::EntityTrait;
        server::entities::listing::Entity::find_by_id(listing).one(&app.db).await.expect("query").expect("listing").public_id
    };
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    let page = commissioner.get(&format!("/lots/{lot}")).await;
    assert!(page.contains("Westgate Care: Westgate home care (£26.50 an hour)"), "offered for admission");
    assert!(page.contains("At most £30.00 an hour, the lot&#x27;s price cap") || page.contains("At most £30.00 an hour, the lot's price cap"));

    let too_dear = post(&mut commissioner, "admit-provider", lot, &[("listing_id", &listing_id), ("rate", "30.01")]).await;
    assert_eq!(field_errors(&too_dear), vec![("rate".into(), "The contracted rate must be £30.00 an hour or less: the lot's price cap".into())]);
    assert_eq!(count(&app.db, "accreditations").await, 4);

    let admitted = post(&mut commissioner, "admit-provider", lot, &[("listing_id", &listing_id), ("rate", "30")]).await;
    assert_eq!(admitted.status, 302, "{admitted:?}");
    assert_eq!(count(&app.db, "accreditations").await, 5);
    let page = app.visitor().get(&format!("/lots/{lot}")).await;
    assert!(rows(&page).iter().any(|row| row[1] == "Westgate Care" && row[4] == "£30.00 an hour"));
    let again = post(&mut commissioner, "admit-provider", lot, &[("listing_id", &listing_id), ("rate", "25")]).await;
    assert_eq!(field_errors(&again), vec![("listing_id".into(), "This provider is already on this lot".into())]);
}

#[tokio::test]
async fn only_commissioners_of_the_lots_council_change_it() {
    let app = TestApp::new().await;
    let lot = north_home_care(&app).await;
    let hilltop = provider_public_id(&app, HILLTOP).await;
    let elsewhere = insert(&app.db, "councils", &[("name", "Elsewhere".into()), ("slug", "elsewhere".into()), ("created_at", Utc::now().into())]).await;
    let outsider = fixtures::user(&app.db, elsewhere, "outsider@test.example", Role::Commissioner, None).await;
    let attempts: [(&str, Vec<(&str, &str)>); 3] = [
        ("suspend-provider", vec![("provider_id", &hilltop), ("reason", "Because")]),
        ("record-monitoring", vec![("provider_id", &hilltop), ("score", "0"), ("note", "Because")]),
        ("reinstate-provider", vec![("provider_id", &hilltop)]),
    ];
    for persona in [&app.personas.budget_holder, &app.personas.planner, &app.personas.provider, &outsider] {
        let mut client = app.signed_in(persona).await;
        let page = client.get(&format!("/lots/{lot}")).await;
        assert!(page.contains("Ranked providers") && !page.contains("Manage this lot"), "{}", persona.email);
        for (endpoint, fields) in &attempts {
            let reply = post(&mut client, endpoint, lot, fields).await;
            assert_eq!(reply.redirected_error(), Some(UiError::Forbidden), "{} {endpoint}", persona.email);
        }
        assert_eq!(client.api_get(&format!("/api/lot-admin?lot_id={lot}")).await.status, 403, "{}", persona.email);
    }
    let mut visitor = app.visitor();
    let reply = post(&mut visitor, "suspend-provider", lot, &[("provider_id", &hilltop), ("reason", "Because")]).await;
    assert_eq!(reply.redirected_error(), Some(UiError::SignInRequired));
    assert_eq!(count(&app.db, "monitoring_scores").await, 2, "nothing was recorded");
    assert_eq!(count(&app.db, "outbox").await, 0);
    let page = app.visitor().get(&format!("/lots/{lot}")).await;
    assert_eq!(rows(&page).len(), 2, "nobody was suspended");
}
