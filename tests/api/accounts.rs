use app::UiError;
use tests::{TestApp, fixtures::count};

fn registration<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(String, String)> {
    let mut fields = vec![
        ("organisation_name", "Northern Lights Care"),
        ("regulator_id", "1-555666777"),
        ("contact_phone", "0191 496 0123"),
        ("your_name", "Morgan Reed"),
        ("email", "morgan@northernlights.example"),
        ("password", "three long words together"),
    ];
    for (name, value) in overrides {
        if let Some(field) = fields.iter_mut().find(|(field, _)| field == name) {
            field.1 = value;
        }
    }
    fields.into_iter().map(|(name, value)| (format!("form[{name}]"), value.to_string())).collect()
}

async fn register(client: &mut tests::Client, fields: &[(String, String)]) -> tests::Reply {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    client.post_form("/api/register-provider", &borrowed).await
}

#[tokio::test]
async fn a_provider_registers_and_is_signed_in_to_their_dashboard() {
    let app = TestApp::new().await;
    let mut client = app.visitor();
    let reply = register(&mut client, &registration(&[])).await;
    assert_eq!(reply.status, 302, "{reply:?}");
    assert_eq!(reply.location(), Some("/dashboard/provider"));
    let page = client.get("/dashboard/provider").await;
    assert_eq!(page.heading(), "Northern Lights Care");
    assert_eq!(count(&app.db, "providers").await, 3);
    assert_eq!(count(&app.db, "audit_log").await, 1, "the registration is in the audit log");
    // The new account signs in with its password.
    let mut again = app.visitor();
    assert_eq!(again.sign_in("Morgan@NorthernLights.example", "three long words together").await.status, 302);
}

#[tokio::test]
async fn each_bad_field_gets_its_own_message_and_nothing_is_created() {
    let app = TestApp::new().await;
    let cases: &[(&str, &str, &str)] = &[
        ("organisation_name", "  ", "Enter your organisation's name"),
        ("regulator_id", "12345", "Enter a CQC location ID in the correct format, like 1-123456789"),
        ("contact_phone", "call me", "Enter a telephone number, like 0191 496 0000 or +44 191 496 0000"),
        ("your_name", "", "Enter your full name"),
        ("email", "morgan at example", "Enter an email address in the correct format, like name@example.com"),
        ("password", "short", "Your password must be at least 12 characters"),
        ("email", "holder@test.example", "An account with this email address already exists. Sign in instead"),
        ("regulator_id", "1-000000001", "An organisation with this CQC location ID is already registered. Ask a colleague to add you"),
    ];
    for (field, value, message) in cases {
        let mut client = app.visitor();
        let reply = register(&mut client, &registration(&[(field, value)])).await;
        let Some(UiError::Invalid(errors)) = reply.redirected_error() else { panic!("{field}={value:?} should be refused: {reply:?}") };
        assert_eq!(errors.len(), 1, "only {field} is wrong: {errors:?}");
        assert_eq!(errors[0].field, *field);
        assert_eq!(errors[0].message, *message);
        assert!(client.session().is_none());
        assert_eq!(count(&app.db, "providers").await, 2, "no organisation was created for {field}={value:?}");
        assert_eq!(count(&app.db, "users").await, 4, "no account was created for {field}={value:?}");
    }
}

#[tokio::test]
async fn the_form_page_links_each_error_to_its_field() {
    let app = TestApp::new().await;
    let mut client = app.visitor();
    client.get("/register").await;
    let reply = register(&mut client, &registration(&[("email", "nope"), ("password", "x")])).await;
    let back = reply.location().expect("redirect back").trim_start_matches("http://caremarket.test").to_string();
    let page = client.get(&back).await;
    assert!(page.contains("There is a problem"));
    assert!(page.contains(r##"<a href="#email">Enter an email address in the correct format, like name@example.com</a>"##));
    assert!(page.contains(r##"<a href="#password">Your password must be at least 12 characters</a>"##));
    assert!(page.contains(r#"aria-invalid="true""#));
}
