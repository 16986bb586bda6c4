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
async fn a_provider_registers_opens_the_mailed_link_and_is_signed_in_to_their_dashboard() {
    let app = TestApp::new().await;
    let mut client = app.visitor();
    let fields = registration(&[]);
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let reply = app.register_and_open(&mut client, "/api/register-provider", &borrowed, "morgan@northernlights.example").await;
    assert_eq!(reply.location(), Some("/dashboard/provider"), "{reply:?}");
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
        assert_eq!(count(&app.db, "pending_registrations").await, 0, "nor asked for");
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

/// The mail waiting for `address`, oldest first.
async fn outbox_to(app: &TestApp, address: &str) -> Vec<server::entities::mail_outbox::Model> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use server::entities::mail_outbox;
    let found = mail_outbox::Entity::find().filter(mail_outbox::Column::ToAddress.eq(address)).order_by_asc(mail_outbox::Column::Id);
    found.all(&app.db).await.expect("outbox")
}

/// Registering answers "check your email" whoever has the address, so the form tells nobody who
/// has an account: a new address is mailed a link that opens the account, a taken one a note to
/// its owner, and both cost the same (one password hashed). Nothing exists until the link is
/// followed; it opens the account once and signs its owner in.
#[tokio::test]
async fn registering_answers_the_same_whether_or_not_the_address_is_taken() {
    let app = TestApp::new().await;
    let self_funder = |email: &str| {
        vec![
            ("form[your_name]".to_string(), "Sam Okafor".to_string()),
            ("form[email]".into(), email.into()),
            ("form[password]".into(), "a long own password".into()),
        ]
    };
    let provider =
        |email: &str| registration(&[]).into_iter().map(|(k, v)| if k == "form[email]" { (k, email.to_string()) } else { (k, v) }).collect::<Vec<_>>();
    let cases = [
        (
            "/api/register-self-funder",
            self_funder("sam.okafor@mail.test"),
            self_funder(&app.personas.planner.email),
            "/register/person?sent=1",
            "/dashboard/budget-holder",
        ),
        ("/api/register-provider", provider("morgan@mail.test"), provider(&app.personas.budget_holder.email), "/register?sent=1", "/dashboard/provider"),
    ];
    for (path, fresh_fields, taken_fields, answer, dashboard) in cases {
        let post = async |fields: &Vec<(String, String)>| {
            let mut client = app.visitor();
            let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let reply = client.post_form(path, &borrowed).await;
            (reply, client.session().is_some())
        };
        let (hashed, users) = (app.passwords.hashed(), count(&app.db, "users").await);
        let (fresh, fresh_signed_in) = post(&fresh_fields).await;
        let (taken, taken_signed_in) = post(&taken_fields).await;
        assert_eq!((fresh.status, fresh.location()), (302, Some(answer)), "{path}: {fresh:?}");
        assert_eq!((taken.status, taken.location()), (302, Some(answer)), "{path}: the same answer for a taken address: {taken:?}");
        assert!(!fresh_signed_in && !taken_signed_in, "{path}: nobody is signed in before the link is followed");
        assert_eq!(app.passwords.hashed(), hashed + 2, "{path}: each costs one hash");
        assert_eq!(count(&app.db, "users").await, users, "{path}: no account until the link is followed");

        let taken_address = &taken_fields.iter().find(|(k, _)| k == "form[email]").expect("email").1;
        let told = outbox_to(&app, taken_address).await;
        assert_eq!(told.len(), 1, "{path}: the owner of the taken address is told");
        assert_eq!(told[0].subject, "Someone tried to open a CareMarket account with your email address");
        assert!(!told[0].link_path.contains("token="), "{path}: the owner's note opens nothing");

        let fresh_address = &fresh_fields.iter().find(|(k, _)| k == "form[email]").expect("email").1;
        let mailed = outbox_to(&app, fresh_address).await;
        assert_eq!(mailed.len(), 1, "{path}: the new address is sent its link");
        assert_eq!(mailed[0].subject, "Confirm your email address to open your CareMarket account");
        let token = mailed[0].link_path.strip_prefix("/account/confirm-email?token=").expect("the link").to_string();
        let password = &fresh_fields.iter().find(|(k, _)| k == "form[password]").expect("password").1;
        // Only with the password chosen when registering: nobody opens, at someone else's
        // address, an account whose password they chose.
        let guessed = app.visitor().post_form("/api/confirm-email", &[("token", token.as_str()), ("password", "not the one chosen")]).await;
        assert!(matches!(guessed.redirected_error(), Some(UiError::Invalid(_))), "{path}: {guessed:?}");
        assert_eq!(count(&app.db, "users").await, users, "{path}: nothing opened");
        let mut owner = app.visitor();
        let opened = owner.post_form("/api/confirm-email", &[("token", token.as_str()), ("password", password.as_str())]).await;
        assert_eq!(opened.location(), Some(dashboard), "{path}: the link opens the account: {opened:?}");
        assert!(owner.session().is_some(), "{path}: and signs its owner in");
        assert_eq!(count(&app.db, "users").await, users + 1);
        let again = app.visitor().post_form("/api/confirm-email", &[("token", token.as_str()), ("password", password.as_str())]).await;
        assert!(matches!(again.redirected_error(), Some(UiError::Invalid(_))), "{path}: once only: {again:?}");
        assert_eq!(count(&app.db, "users").await, users + 1);
        assert_eq!(app.visitor().sign_in(fresh_address, password).await.status, 302, "{path}: the account signs in with the password chosen");
    }
}
