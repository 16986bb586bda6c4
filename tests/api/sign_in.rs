use app::UiError;
use tests::{TestApp, fixtures::PASSWORD};

#[tokio::test]
async fn signing_in_starts_a_session_and_goes_to_the_right_dashboard() {
    let app = TestApp::new().await;
    for persona in app.personas.all() {
        let mut client = app.visitor();
        let reply = client.sign_in(&persona.email, PASSWORD).await;
        assert_eq!(reply.status, 302);
        assert_eq!(reply.location(), Some(persona.role.dashboard_path().as_str()));
        assert!(client.session().is_some(), "a session cookie is set");
        let set_cookie = reply.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
        let page = client.get(&persona.role.dashboard_path()).await;
        assert_eq!(page.status, 200, "{} reaches their dashboard", persona.email);
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_fail_the_same_way() {
    let app = TestApp::new().await;
    let mut client = app.visitor();
    client.get("/sign-in").await;
    let wrong_password = client.sign_in(&app.personas.budget_holder.email, "not the password").await;
    let unknown_email = client.sign_in("nobody@test.example", "not the password").await;
    assert_eq!(wrong_password.redirected_error(), Some(UiError::SignInFailed));
    assert_eq!(unknown_email.redirected_error(), Some(UiError::SignInFailed));
    assert_eq!(wrong_password.status, unknown_email.status);
    assert!(client.session().is_none(), "no session after a failed sign-in");
    // The page they return to says what to do, without saying which part was wrong.
    let back = wrong_password.location().expect("back to the form").trim_start_matches("http://caremarket.test").to_string();
    assert!(back.starts_with("/sign-in?"), "{back}");
    let page = client.get(&back).await;
    assert!(page.contains("There is a problem") && page.contains("Enter the email address and password you registered with"));
}

#[tokio::test]
async fn sign_in_is_throttled_per_account_even_for_the_right_password() {
    let app = TestApp::new().await;
    let mut client = app.visitor();
    for _ in 0..5 {
        assert_eq!(client.sign_in(&app.personas.planner.email, "guess").await.redirected_error(), Some(UiError::SignInFailed));
    }
    let reply = client.sign_in(&app.personas.planner.email, PASSWORD).await;
    assert_eq!(reply.redirected_error(), Some(UiError::Throttled { minutes: 15 }));
    assert!(client.session().is_none());
    // Throttling an address that does not exist says the same, so it reveals nothing.
    for _ in 0..5 {
        client.sign_in("ghost@test.example", "guess").await;
    }
    assert_eq!(client.sign_in("ghost@test.example", "guess").await.redirected_error(), Some(UiError::Throttled { minutes: 15 }));
    // Another account from another address is unaffected.
    let mut other = app.visitor();
    other.address = "198.51.100.7".into();
    assert_eq!(other.sign_in(&app.personas.commissioner.email, PASSWORD).await.status, 302);
    assert!(other.session().is_some());
}

#[tokio::test]
async fn sign_in_is_throttled_per_address_across_accounts() {
    let app = TestApp::new().await;
    let mut client = app.visitor();
    for n in 0..20 {
        client.sign_in(&format!("someone{n}@test.example"), "guess").await;
    }
    let reply = client.sign_in(&app.personas.commissioner.email, PASSWORD).await;
    assert_eq!(reply.redirected_error(), Some(UiError::Throttled { minutes: 15 }));
    let mut elsewhere = app.visitor();
    elsewhere.address = "198.51.100.8".into();
    assert_eq!(elsewhere.sign_in(&app.personas.commissioner.email, PASSWORD).await.status, 302);
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in_and_the_old_one_stops_working() {
    let app = TestApp::new().await;
    let mut client = app.signed_in(&app.personas.budget_holder).await;
    let first = client.session().cloned().expect("a session");
    let reply = client.sign_in(&app.personas.budget_holder.email, PASSWORD).await;
    assert_eq!(reply.status, 302);
    let second = client.session().cloned().expect("a new session");
    assert_ne!(first, second, "a new session id at sign-in");
    let mut attacker = app.visitor();
    attacker.cookies.insert("cm_session".into(), first);
    let page = attacker.get("/dashboard/budget-holder").await;
    assert_ne!(page.status, 200, "the planted or old session gives no access");
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::new().await;
    let mut client = app.signed_in(&app.personas.commissioner).await;
    let token = client.session().cloned().expect("session");
    let reply = client.post_form::<&str, &str>("/api/sign-out", &[]).await;
    assert_eq!(reply.status, 302);
    assert!(client.session().is_none(), "the cookie is cleared");
    let mut replay = app.visitor();
    replay.cookies.insert("cm_session".into(), token);
    assert_ne!(replay.get("/dashboard/commissioner").await.status, 200, "the old token is dead");
    assert_eq!(tests::fixtures::count(&app.db, "sessions").await, 0);
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused_and_change_nothing() {
    let app = TestApp::new().await;
    let mut client = app.visitor();
    client.get("/").await; // has a CSRF cookie, but will not send the token
    let reply = client.post_raw("/api/sign-in", &[("email", &app.personas.planner.email), ("password", PASSWORD)]).await;
    assert_eq!(reply.status, 403);
    assert!(client.session().is_none());
    let wrong = client.post_raw("/api/sign-in", &[("csrf_token", &"0".repeat(64)), ("email", &app.personas.planner.email), ("password", PASSWORD)]).await;
    assert_eq!(wrong.status, 403);
    assert_eq!(tests::fixtures::count(&app.db, "sign_in_attempts").await, 0, "the refused requests never reached sign-in");
    assert_eq!(tests::fixtures::count(&app.db, "sessions").await, 0);
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused_even_with_a_token() {
    let app = TestApp::new().await;
    let mut client = app.signed_in(&app.personas.budget_holder).await;
    let token = client.cookies.get("cm_csrf").cloned().expect("csrf cookie");
    let request = client
        .request("POST", "/api/sign-out")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .body(axum::body::Body::from(format!("csrf_token={token}")))
        .expect("request");
    assert_eq!(client.send(request).await.status, 403);
    assert_eq!(tests::fixtures::count(&app.db, "sessions").await, 1, "still signed in");
}

#[tokio::test]
async fn a_stranger_guessing_a_password_does_not_lock_its_owner_out() {
    let app = TestApp::new().await;
    let mut stranger = app.visitor();
    stranger.address = "192.0.2.66".into();
    for _ in 0..6 {
        stranger.sign_in(&app.personas.planner.email, "guess").await;
    }
    assert_eq!(stranger.sign_in(&app.personas.planner.email, PASSWORD).await.redirected_error(), Some(UiError::Throttled { minutes: 15 }));
    // The owner, from their own connection, signs in as usual.
    let mut owner = app.visitor();
    owner.address = "198.51.100.20".into();
    assert_eq!(owner.sign_in(&app.personas.planner.email, PASSWORD).await.status, 302);
    assert!(owner.session().is_some());
}

#[tokio::test]
async fn attempts_sent_all_at_once_are_each_counted_before_any_is_checked() {
    let app = TestApp::new().await;
    let mut first = app.visitor();
    first.get("/sign-in").await;
    let token = first.cookies.get("cm_csrf").cloned().expect("a token");
    let attempts = (0..12).map(|_| {
        let mut client = app.visitor();
        client.cookies.insert("cm_csrf".into(), token.clone());
        async move { client.sign_in("planner@test.example", "guess").await.redirected_error() }
    });
    let answers = join_all(attempts).await;
    let checked = answers.iter().filter(|answer| **answer == Some(UiError::SignInFailed)).count();
    let throttled = answers.iter().filter(|answer| **answer == Some(UiError::Throttled { minutes: 15 })).count();
    // At most the five allowed were checked (on their own, attempts are counted one by one).
    assert!(checked <= 5 && checked + throttled == 12, "{answers:?}");
}

#[tokio::test]
async fn a_forwarded_for_header_the_client_wrote_does_not_escape_the_address_limit() {
    let app = TestApp::new().await;
    let mut client = app.visitor();
    client.get("/sign-in").await;
    let token = client.cookies.get("cm_csrf").cloned().expect("a token");
    let mut answers = Vec::new();
    for n in 0..21 {
        // The client invents an address on the left; our proxy appends the real one.
        let body =
            serde_urlencoded::to_string([("csrf_token", token.as_str()), ("email", &format!("someone{n}@test.example")), ("password", "guess")]).expect("form");
        let request = axum::http::Request::builder()
            .method("POST")
            .uri("/api/sign-in")
            .header("host", "caremarket.test")
            .header("accept", "text/html")
            .header("cookie", format!("cm_csrf={token}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", format!("10.9.8.{n}, 203.0.113.10"))
            .header("referer", "http://caremarket.test/sign-in")
            .body(axum::body::Body::from(body))
            .expect("request");
        let reply = client.send(request).await;
        answers.push((reply.status, reply.redirected_error()));
    }
    let answers: Vec<_> = answers.into_iter().map(|(status, error)| error.ok_or(status)).collect();
    assert_eq!(answers[19], Ok(UiError::SignInFailed), "{answers:?}");
    assert_eq!(answers[20], Ok(UiError::Throttled { minutes: 15 }), "the 21st from one real address");
}

/// Runs the futures at the same time; their answers in order.
async fn join_all<T: Send + 'static>(futures: impl Iterator<Item = impl std::future::Future<Output = T> + Send + 'static>) -> Vec<T> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut answers = Vec::new();
    for handle in handles {
        answers.push(handle.await.expect("the task ends"));
    }
    answers
}
