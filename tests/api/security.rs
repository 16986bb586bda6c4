//! What keeps an attacker out at the edge: return addresses are ours or nothing, a request that
//! would panic ends with an error instead of hanging, far-away dates are refused, passwords are
//! hashed only for requests that earn it, and every page tells the browser to run only our own
//! scripts.
use tests::fixtures::{count, form_fields};
use tests::{Client, TestApp};

#[tokio::test]
async fn after_signing_in_people_return_only_to_a_page_of_ours() {
    let app = TestApp::new().await;
    let dashboard = app.personas.budget_holder.role.dashboard_path();
    // A tab or line break a browser would drop, a backslash it would read as a slash, another site.
    for next in ["/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/", "/%zz"] {
        let mut client = app.visitor();
        let reply = client
            .post_form("/api/sign-in", &[("email", app.personas.budget_holder.email.as_str()), ("password", tests::fixtures::PASSWORD), ("next", next)])
            .await;
        assert_eq!((reply.status, reply.location()), (302, Some(dashboard.as_str())), "next = {next:?}");
    }
    let mut client = app.visitor();
    let reply = client
        .post_form(
            "/api/sign-in",
            &[("email", app.personas.budget_holder.email.as_str()), ("password", tests::fixtures::PASSWORD), ("next", "/budget/statement")],
        )
        .await;
    assert_eq!(reply.location(), Some("/budget/statement"));
}

#[tokio::test]
async fn control_characters_in_an_address_get_an_answer_not_a_crash() {
    let app = TestApp::new().await;
    let mut visitor = app.visitor();
    // Signed out, each of these would be sent to sign in and back: here, without a way back.
    for path in ["/bookings/%0A", "/bookings/%09x", "/book/%0D%0Aevil", "/lots/%00"] {
        let reply = visitor.get(path).await;
        assert!(reply.status < 500, "{path}: {reply:?}");
        if reply.status == 302 {
            assert_eq!(reply.location(), Some("/sign-in"), "{path}");
        }
    }
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    for path in ["/bookings/%0A", "/services/%0A", "/providers/%0A%0D"] {
        assert!(holder.get(path).await.status < 500, "{path}");
    }
}

#[tokio::test]
async fn report_dates_centuries_away_are_refused_at_once() {
    let app = TestApp::new().await;
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    let started = std::time::Instant::now();
    let page = commissioner.get("/reports/placements?from=%2B262142-01-01&to=%2B262142-12-31").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Enter the first day between 2000 and 2100"), "{}", page.text());
    let csv = commissioner.get("/reports/placements/csv?from=1999-12-31&to=%2B262142-12-31").await;
    assert_eq!(csv.status, 422);
    assert!(csv.body.contains("between 2000 and 2100"), "{}", csv.body);
    let api = commissioner.api_get("/api/report?slug=budgets&query[from]=2026-01-01&query[to]=-9999-01-01").await;
    assert!(api.status < 500, "{api:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "answered at once, not after a long sum");
}

/// A commissioner opens a budget; returns the person's email and set-up code.
async fn opened_budget(app: &TestApp) -> (String, String) {
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    let fields = form_fields(
        &[
            ("name", "Amira Shah"),
            ("email", "amira@example.org"),
            ("budget_type", "direct_payment"),
            ("allocation", "840.00"),
            ("starts_on", &chrono::Utc::now().date_naive().to_string()),
        ],
        &[],
    );
    let reply = commissioner.post_form("/api/open-budget", &fields).await;
    let code = reply.location().and_then(|l| l.split("code=").nth(1)).and_then(|rest| rest.split('&').next()).expect("a code").to_string();
    ("amira@example.org".into(), code)
}

#[tokio::test]
async fn wrong_set_up_codes_are_refused_before_any_password_is_hashed() {
    let app = TestApp::new().await;
    let (email, code) = opened_budget(&app).await;
    let hashed = app.passwords.hashed();
    for n in 0..12 {
        let mut stranger = app.visitor();
        stranger.address = format!("198.51.100.{n}");
        let fields = form_fields(&[("email", email.as_str()), ("code", "AAAA-BBBB-CCCC"), ("password", "a long new password")], &[]);
        let reply = stranger.post_form("/api/set-up-account", &fields).await;
        assert!(matches!(reply.redirected_error(), Some(app::UiError::Invalid(ref errors)) if errors[0].field == "code"), "{reply:?}");
    }
    assert_eq!(app.passwords.hashed(), hashed, "no password was hashed for a wrong code");
    // From one address, wrong codes stop being checked at all after 20.
    let mut guesser = app.visitor();
    for _ in 0..20 {
        guesser
            .post_form("/api/set-up-account", &form_fields(&[("email", email.as_str()), ("code", "AAAA-BBBB-CCCC"), ("password", "a long new password")], &[]))
            .await;
    }
    let throttled = guesser
        .post_form("/api/set-up-account", &form_fields(&[("email", email.as_str()), ("code", code.as_str()), ("password", "a long new password")], &[]))
        .await;
    assert!(matches!(throttled.redirected_error(), Some(app::UiError::Throttled { .. })), "{throttled:?}");
    // The right code, from the person's own connection: one hash, and they are in.
    let mut person = app.visitor();
    person.address = "203.0.113.77".into();
    let reply = person
        .post_form("/api/set-up-account", &form_fields(&[("email", email.as_str()), ("code", code.as_str()), ("password", "a long new password")], &[]))
        .await;
    assert_eq!(reply.location(), Some("/dashboard/budget-holder"), "{reply:?}");
    assert_eq!(app.passwords.hashed(), hashed + 1);
}

#[tokio::test]
async fn registering_costs_the_same_for_a_taken_address_and_is_limited_per_address_and_per_client() {
    let app = TestApp::new().await;
    let register = async |email: &str| {
        let fields = form_fields(&[("your_name", "Sam Okafor"), ("email", email), ("password", "a long own password")], &[]);
        app.visitor().post_form("/api/register-self-funder", &fields).await
    };
    let hashed = app.passwords.hashed();
    let taken = register(&app.personas.planner.email).await;
    assert_eq!(taken.location(), Some("/register/person?sent=1"), "{taken:?}");
    assert_eq!(app.passwords.hashed(), hashed + 1, "hashed like any other, so it takes as long");
    // One address is asked for three times in an hour at most (nobody can flood an inbox)...
    for _ in 0..3 {
        assert_eq!(register("person@example.org").await.location(), Some("/register/person?sent=1"));
    }
    let flooding = register("person@example.org").await;
    assert!(matches!(flooding.redirected_error(), Some(app::UiError::Throttled { .. })), "{flooding:?}");
    // ...and one client registers ten times in an hour at most (four so far).
    for n in 0..6 {
        assert_eq!(register(&format!("person{n}@example.org")).await.location(), Some("/register/person?sent=1"));
    }
    let eleventh = register("person10@example.org").await;
    assert!(matches!(eleventh.redirected_error(), Some(app::UiError::Throttled { .. })), "{eleventh:?}");
    assert_eq!(count(&app.db, "pending_registrations").await, 9, "the refused ones asked for nothing");
    assert_eq!(app.passwords.hashed(), hashed + 10);
}

#[tokio::test]
async fn pages_run_only_our_own_scripts_and_say_so() {
    let app = TestApp::new().await;
    let mut visitor = app.visitor();
    let page = visitor.get("/").await;
    let policy = page.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).expect("a policy").to_string();
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce").to_string();
    assert!(policy.contains("script-src 'self' 'nonce-") && policy.contains("'wasm-unsafe-eval'") && !policy.contains("unsafe-inline"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'") && policy.contains("object-src 'none'") && !policy.contains("stripe"), "{policy}");
    // Every inline script carries this response's nonce; the next response has another.
    let inline = page.body.matches("<script").filter(|tag| !tag.contains("src=")).count();
    assert!(page.body.contains(&format!("nonce=\"{nonce}\"")) && inline > 0, "{}", page.body);
    for script in page.body.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap_or_default();
        assert!(tag.contains("src=\"/") || tag.contains(&format!("nonce=\"{nonce}\"")), "a script of ours: {tag}");
    }
    let again = visitor.get("/").await;
    assert!(!again.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().contains(&nonce));
    assert!(page.headers.get("permissions-policy").is_some_and(|v| v.to_str().unwrap_or_default().contains("camera=()")));
    assert!(page.headers.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    // The API's document names our address, whatever Host a caller sends.
    let request = visitor.request("GET", "/openreferral/").header("host", "evil.example").body(axum::body::Body::empty()).expect("request");
    let about = visitor.send(request).await;
    assert!(!about.body.contains("evil.example"), "{}", about.body);
}

#[tokio::test]
async fn behind_https_cookies_are_host_bound_and_a_rewriting_proxy_is_understood() {
    let app = TestApp::configured(|config| {
        config.secure_cookies = true;
        config.public_url = Some("https://care.example.org".into());
    })
    .await;
    let mut client = app.visitor();
    let page = client.get("/sign-in").await;
    assert!(page.headers.get("strict-transport-security").is_some_and(|v| v.to_str().unwrap_or_default().starts_with("max-age=")));
    let token = client.cookies.get("__Host-cm_csrf").cloned().expect("the CSRF cookie, bound to this host");
    assert!(!client.cookies.contains_key("cm_csrf"));
    // The proxy rewrote Host; the browser's Origin is the public address: accepted.
    let sign_in = |client: &Client, origin: &'static str| {
        let body = serde_urlencoded::to_string([
            ("csrf_token", token.as_str()),
            ("email", app.personas.planner.email.as_str()),
            ("password", tests::fixtures::PASSWORD),
        ])
        .expect("form");
        client
            .request("POST", "/api/sign-in")
            .header("host", "caremarket-internal:3000")
            .header("origin", origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("__Host-cm_csrf={token}"))
            .body(axum::body::Body::from(body))
            .expect("request")
    };
    let refused = sign_in(&client, "https://evil.example");
    assert_eq!(client.send(refused).await.status, 403);
    let accepted = sign_in(&client, "https://care.example.org");
    let reply = client.send(accepted).await;
    assert_eq!(reply.status, 302, "{reply:?}");
    // A new CSRF token once signed in: one learned before is no use after.
    let rotated = client.cookies.get("__Host-cm_csrf").cloned().expect("a CSRF cookie");
    assert_ne!(rotated, token);
    let about = client.get("/openreferral/").await;
    assert!(about.body.contains("https://care.example.org/openreferral/openapi.json"), "{}", about.body);
}

#[tokio::test]
async fn a_year_of_offline_placements_imports_in_one_file() {
    let app = TestApp::new().await;
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    let mut csv = String::from("date,type of care,area,weekly value\n");
    for n in 0..20_000 {
        csv.push_str(&format!("2025-{:02}-{:02},Home care,,{}.00\n", n % 12 + 1, n % 28 + 1, 100 + n % 400));
    }
    let reply = commissioner.post_form("/api/import-offline-placements", &[("csv", csv.as_str())]).await;
    assert_eq!(reply.location(), Some("/offline-placements?recorded=20000"), "status {}", reply.status);
    assert_eq!(count(&app.db, "offline_placements").await, 20_000);
    // Anything else as large is refused before it is read.
    let reply = commissioner.post_form("/api/sign-out", &[("padding", csv.as_str())]).await;
    assert_eq!(reply.status, 413);
}
