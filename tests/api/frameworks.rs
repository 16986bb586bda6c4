//! Commissioners set up frameworks and lots, and change a lot's price cap and weighting; the
//! ranking follows at once. Only commissioners, and only for their own council.
use crate::lots::{north_home_care, rows};
use app::UiError;
use sea_orm::EntityTrait;
use tests::fixtures::{self, count, insert};
use tests::{Client, Reply, TestApp};

fn field_errors(reply: &Reply) -> Vec<(String, String)> {
    match reply.redirected_error() {
        Some(UiError::Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected field errors, got {other:?} from {reply:?}"),
    }
}

async fn new_framework(client: &mut Client, name: &str, starts: &str, ends: &str) -> Reply {
    client.post_form("/api/create-framework", &[("form[name]", name), ("form[starts_on]", starts), ("form[ends_on]", ends)]).await
}

async fn new_lot(client: &mut Client, fields: &[(&str, &str)]) -> Reply {
    let named: Vec<(String, String)> = fields.iter().map(|(name, value)| (format!("form[{name}]"), value.to_string())).collect();
    client.post_form("/api/create-lot", &named).await
}

async fn locality(app: &TestApp, council_id: i64, name: &str) -> i64 {
    insert(&app.db, "localities", &[("council_id", council_id.into()), ("name", name.into())]).await
}

#[tokio::test]
async fn a_commissioner_starts_a_framework_and_adds_a_lot_people_can_see() {
    let app = TestApp::new().await;
    let west = locality(&app, app.personas.council_id, "West").await.to_string();
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    assert_eq!(commissioner.get("/frameworks").await.status, 200);
    let started = new_framework(&mut commissioner, "Day opportunities 2027 to 2031", "2027-04-01", "2031-03-31").await;
    assert_eq!(started.location(), Some("/frameworks?created=framework"), "{started:?}");
    let page = commissioner.get("/frameworks").await;
    assert!(page.text().contains("Day opportunities 2027 to 2031") && page.text().contains("1 April 2027 to 31 March 2031"));
    let framework = server::entities::framework::Entity::find().one(&app.db).await.expect("query").expect("the framework");
    assert!(page.contains(&format!(r#"<option value="{}">Day opportunities 2027 to 2031</option>"#, framework.id)), "offered for a new lot");
    let framework_id = framework.id.to_string();

    let added = new_lot(
        &mut commissioner,
        &[
            ("framework_id", &framework_id),
            ("category", "day_opportunities"),
            ("locality_id", &west),
            ("unit", "day"),
            ("price_cap", "65"),
            ("quality_weight", "70"),
        ],
    )
    .await;
    let location = added.location().expect("to the new lot").to_string();
    assert!(location.starts_with("/lots/"), "{added:?}");
    let lot = app.visitor().get(&location).await;
    assert_eq!(lot.heading(), "West day opportunities");
    assert!(lot.contains("Quality counts for 70% and price for 30%"), "{}", lot.text());
    assert!(app.visitor().get("/lots").await.contains(&format!(r#"href="{location}""#)));
    assert_eq!(count(&app.db, "audit_log").await, 2);

    let again = new_lot(
        &mut commissioner,
        &[("framework_id", &framework_id), ("category", "day_opportunities"), ("locality_id", &west), ("unit", "day"), ("price_cap", "60")],
    )
    .await;
    assert_eq!(field_errors(&again), [("category".to_string(), "Day opportunities 2027 to 2031 already has a lot for day opportunities in West".to_string())]);
}

#[tokio::test]
async fn every_bad_field_is_named_and_nothing_is_created() {
    let app = TestApp::new().await;
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    let reply = new_framework(&mut commissioner, " ", "1st April", "2020-01-01").await;
    assert_eq!(
        field_errors(&reply),
        [
            ("name".to_string(), "Enter the framework's name".to_string()),
            ("starts_on".to_string(), "Enter the start date as a date, like 2027-04-01".to_string()),
        ]
    );
    let backwards = new_framework(&mut commissioner, "Backwards", "2027-04-01", "2027-03-31").await;
    assert_eq!(field_errors(&backwards), [("ends_on".to_string(), "The end date must be after the start date".to_string())]);
    let reply = new_lot(
        &mut commissioner,
        &[("framework_id", "999"), ("category", "knitting"), ("locality_id", "x"), ("unit", "fortnight"), ("price_cap", "lots"), ("quality_weight", "120")],
    )
    .await;
    let fields: Vec<String> = field_errors(&reply).into_iter().map(|(field, _)| field).collect();
    assert_eq!(fields, ["framework_id", "locality_id", "category", "unit", "price_cap", "quality_weight"]);
    assert_eq!((count(&app.db, "frameworks").await, count(&app.db, "lots").await, count(&app.db, "audit_log").await), (0, 0, 0));
}

#[tokio::test]
async fn only_commissioners_set_up_frameworks_and_only_for_their_council() {
    let app = TestApp::new().await;
    let lot = north_home_care(&app).await;
    let frameworks_before = count(&app.db, "frameworks").await;
    for persona in [&app.personas.budget_holder, &app.personas.planner, &app.personas.provider] {
        let mut client = app.signed_in(persona).await;
        assert_eq!(client.get("/frameworks").await.status, 403, "{:?}", persona.role);
        let refused = new_framework(&mut client, "Mine", "2027-04-01", "2028-03-31").await;
        assert_eq!(refused.redirected_error(), Some(UiError::Forbidden), "{:?}", persona.role);
        let terms = client.post_form("/api/set-lot-terms", &[("lot_id", lot.to_string().as_str()), ("price_cap", "50"), ("quality_weight", "10")]).await;
        assert_eq!(terms.redirected_error(), Some(UiError::Forbidden), "{:?}", persona.role);
    }
    // A commissioner of another council cannot add a lot to this council's framework, or use its areas.
    let other_council =
        insert(&app.db, "councils", &[("name", "Other Council".into()), ("slug", "other".into()), ("created_at", chrono::Utc::now().into())]).await;
    let outsider = fixtures::user(&app.db, other_council, "outsider@test.example", app::Role::Commissioner, None).await;
    let mut outsider = app.signed_in(&outsider).await;
    let framework: i64 = 1;
    let ours = locality(&app, app.personas.council_id, "South").await.to_string();
    let reply = new_lot(
        &mut outsider,
        &[("framework_id", &framework.to_string()), ("category", "home_care"), ("locality_id", &ours), ("unit", "hour"), ("price_cap", "30")],
    )
    .await;
    let fields: Vec<String> = field_errors(&reply).into_iter().map(|(field, _)| field).collect();
    assert_eq!(fields, ["framework_id", "locality_id"]);
    let terms = outsider.post_form("/api/set-lot-terms", &[("lot_id", lot.to_string().as_str()), ("price_cap", "50"), ("quality_weight", "10")]).await;
    assert_eq!(terms.redirected_error(), Some(UiError::Forbidden));
    let mut visitor = app.visitor();
    let page = visitor.get("/frameworks").await;
    assert_eq!((page.status, page.location()), (302, Some("/sign-in?next=/frameworks")));
    assert_eq!((count(&app.db, "frameworks").await, count(&app.db, "lots").await), (frameworks_before, 1));
}

#[tokio::test]
async fn new_terms_re_rank_the_lot_at_once_but_a_cap_below_a_contract_is_refused() {
    let app = TestApp::new().await;
    let lot = north_home_care(&app).await;
    let lot_id = lot.to_string();
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    let terms = |cap: &'static str, weight: &'static str| [("lot_id", lot_id.clone()), ("price_cap", cap.to_string()), ("quality_weight", weight.to_string())];

    // Riverside is contracted at £24.00, so the cap cannot go below it.
    let refused = commissioner.post_form("/api/set-lot-terms", &terms("23.00", "60")).await;
    assert_eq!(
        field_errors(&refused),
        [("price_cap".to_string(), "1 provider is contracted above £23.00 an hour: the cap cannot be lower than a contracted rate".to_string())]
    );
    let refused = commissioner.post_form("/api/set-lot-terms", &terms("30.00", "101")).await;
    assert_eq!(field_errors(&refused)[0].0, "quality_weight");
    assert_eq!(count(&app.db, "outbox").await, 0);

    // Quality only: both score their quality, 80.50; the tie goes to the lower price (Hilltop).
    let changed = commissioner.post_form("/api/set-lot-terms", &terms("28.00", "100")).await;
    assert_eq!(changed.location(), Some(format!("/lots/{lot}").as_str()));
    let page = app.visitor().get(&format!("/lots/{lot}")).await;
    assert!(page.contains("Quality counts for 100% and price for 0%"));
    let scores: Vec<(String, String)> = rows(&page).into_iter().map(|row| (row[1].clone(), row[6].clone())).collect();
    assert_eq!(scores, [("Hilltop Care".to_string(), "80.50".to_string()), ("Riverside Home Care".to_string(), "80.50".to_string())]);
    assert_eq!(count(&app.db, "outbox").await, 4, "every accredited provider's service is queued for the index");
}
