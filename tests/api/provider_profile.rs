//! Providers keep their organisation's profile up to date: only their own, never the CQC
//! rating, every bad field reported, and the search index told (cards show provider details).
use app::UiError;
use sea_orm::EntityTrait;
use server::entities::provider;
use tests::{Client, Reply, TestApp, fixtures, fixtures::count};

fn profile_form(overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    fixtures::form_fields(
        &[
            ("description", "Home care across north Newcastle since 2009."),
            ("contact_email", "care@riverside.example"),
            ("contact_phone", "0191 496 0123"),
            ("website", "https://riverside.example/care"),
            ("languages", "English, Polish, urdu"),
            ("regulator_id", "1-000000001"),
        ],
        overrides,
    )
}

async fn save(client: &mut Client, form: Vec<(String, String)>) -> Reply {
    client.post_form("/api/save-organisation-profile", &form).await
}

async fn ours(app: &TestApp) -> provider::Model {
    provider::Entity::find_by_id(app.personas.provider_id).one(&app.db).await.expect("query").expect("provider")
}

#[tokio::test]
async fn staff_update_their_organisation_and_the_public_page_and_index_follow() {
    let app = TestApp::new().await;
    fixtures::listing(&app.db, app.personas.provider_id, "Riverside evening calls", "published").await;
    let mut staff = app.signed_in(&app.personas.provider).await;
    let page = staff.get("/provider/profile").await;
    assert_eq!(page.status, 200);
    assert!(page.contains(r#"value="0191 496 0000""#), "the form shows what is saved");
    // A rating sent with the form is ignored: it is the regulator's.
    let reply = save(&mut staff, profile_form(&[("regulator_rating", "outstanding")])).await;
    assert_eq!((reply.status, reply.location()), (302, Some("/provider/profile?saved=1")), "{reply:?}");

    let saved = ours(&app).await;
    assert_eq!(saved.description, "Home care across north Newcastle since 2009.");
    assert_eq!((saved.contact_email.as_str(), saved.contact_phone.as_str()), ("care@riverside.example", "0191 496 0123"));
    assert_eq!((saved.website.as_deref(), saved.languages.as_str()), (Some("https://riverside.example/care"), "English, Polish, urdu"));
    assert_eq!(saved.regulator_id.as_deref(), Some("1-000000001"));
    assert_eq!(saved.regulator_rating, "good", "the rating did not change");
    assert!(saved.assured_at.is_some_and(|at| chrono::Utc::now() - at < chrono::Duration::minutes(1)), "saving confirms");
    assert_eq!(count(&app.db, "outbox").await, 1, "its service is queued for the index");
    assert_eq!(count(&app.db, "audit_log").await, 1);
    let public = app.visitor().get(&format!("/providers/{}", saved.public_id)).await;
    assert!(public.contains("Home care across north Newcastle since 2009.") && public.contains("0191 496 0123"));

    // Another organisation's registration is refused; a new one of its own has no rating yet.
    let taken = save(&mut staff, profile_form(&[("regulator_id", "1-000000002")])).await;
    let Some(UiError::Invalid(errors)) = taken.redirected_error() else { panic!("refused: {taken:?}") };
    assert_eq!(errors[0].message, "Another organisation is registered with this CQC location ID: check it, or ask the council");
    assert_eq!(ours(&app).await.regulator_id.as_deref(), Some("1-000000001"));
    assert_eq!(save(&mut staff, profile_form(&[("regulator_id", "1-234567890")])).await.status, 302);
    assert_eq!(ours(&app).await.regulator_rating, "not_yet_rated", "a rating belongs to its registration");
}

#[tokio::test]
async fn every_bad_field_is_reported_and_nothing_changes() {
    let app = TestApp::new().await;
    let before = ours(&app).await;
    let mut staff = app.signed_in(&app.personas.provider).await;
    let cases: &[(&str, &str, &str)] = &[
        ("description", "", "Enter a description of your organisation"),
        ("contact_email", "care at riverside", "Enter an email address in the correct format, like name@example.com"),
        ("contact_phone", "call us", "Enter a telephone number, like 0191 496 0000 or +44 191 496 0000"),
        ("website", "riverside.example", "Enter a web address starting https://, like https://www.example.org"),
        ("languages", "", "Enter at least one language your staff speak"),
        ("regulator_id", "CQC123", "Enter a CQC location ID in the correct format, like 1-123456789"),
    ];
    for (field, value, message) in cases {
        let reply = save(&mut staff, profile_form(&[(field, value)])).await;
        let Some(UiError::Invalid(errors)) = reply.redirected_error() else { panic!("{field}={value:?} should be refused: {reply:?}") };
        assert_eq!(errors.len(), 1, "only {field} is wrong: {errors:?}");
        assert_eq!((errors[0].field.as_str(), errors[0].message.as_str()), (*field, *message));
    }
    assert_eq!(ours(&app).await, before);
    assert_eq!(count(&app.db, "outbox").await, 0);
    assert_eq!(count(&app.db, "audit_log").await, 0);
}

#[tokio::test]
async fn only_provider_staff_edit_a_profile_and_only_their_own() {
    let app = TestApp::new().await;
    let theirs = provider::Entity::find_by_id(app.personas.other_provider_id).one(&app.db).await.expect("query").expect("provider");
    let mut staff = app.signed_in(&app.personas.provider).await;
    assert_eq!(save(&mut staff, profile_form(&[])).await.status, 302);
    let untouched = provider::Entity::find_by_id(app.personas.other_provider_id).one(&app.db).await.expect("query").expect("provider");
    assert_eq!(untouched, theirs, "staff save their own organisation; there is no way to name another");
    for persona in [&app.personas.budget_holder, &app.personas.planner, &app.personas.commissioner] {
        let mut client = app.signed_in(persona).await;
        assert_eq!(client.get("/provider/profile").await.status, 403, "{:?}", persona.role);
        assert_eq!(save(&mut client, profile_form(&[])).await.redirected_error(), Some(UiError::Forbidden), "{:?}", persona.role);
    }
    let mut visitor = app.visitor();
    let page = visitor.get("/provider/profile").await;
    assert_eq!((page.status, page.location()), (302, Some("/sign-in?next=/provider/profile")));
}
