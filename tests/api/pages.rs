use tests::{TestApp, fixtures};

#[tokio::test]
async fn the_home_page_lists_published_services_only() {
    let app = TestApp::new().await;
    fixtures::listing(&app.db, app.personas.provider_id, "Morning calls in Gosforth", "published").await;
    fixtures::listing(&app.db, app.personas.provider_id, "Secret draft service", "draft").await;
    fixtures::listing(&app.db, app.personas.other_provider_id, "Paused night sitting", "paused").await;
    app.sync_search(true).await;
    let mut client = app.visitor();
    let page = client.get("/").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.heading(), "Find care and support");
    assert!(page.contains("Morning calls in Gosforth"));
    assert!(page.contains("£26.50 an hour"));
    assert!(!page.contains("Secret draft service"));
    assert!(!page.contains("Paused night sitting"));
    assert!(page.contains("1 services found") || page.contains("1 service"));
}

#[tokio::test]
async fn searching_the_home_page_narrows_the_list() {
    let app = TestApp::new().await;
    fixtures::listing(&app.db, app.personas.provider_id, "Morning calls in Gosforth", "published").await;
    fixtures::listing(&app.db, app.personas.other_provider_id, "Night sitting in Jesmond", "published").await;
    app.sync_search(true).await;
    let mut client = app.visitor();
    let page = client.get("/?q=gosforth").await;
    assert!(page.contains("Morning calls in Gosforth") && !page.contains("Night sitting in Jesmond"));
    let by_provider = client.get("/?q=hilltop").await;
    assert!(by_provider.contains("Night sitting in Jesmond") && !by_provider.contains("Morning calls"));
    let typo = client.get("/?q=gosfroth").await;
    assert!(typo.contains("Morning calls in Gosforth"), "a typo still finds it");
    let nothing = client.get("/?q=zzzz").await;
    assert!(nothing.contains("No services found"));
    let punctuation = client.get("/?q=%25%25").await;
    assert!(punctuation.contains("2 services found"), "no words to match: everything is shown");
}

#[tokio::test]
async fn a_provider_page_shows_its_published_services() {
    let app = TestApp::new().await;
    fixtures::listing(&app.db, app.personas.provider_id, "Morning calls in Gosforth", "published").await;
    fixtures::listing(&app.db, app.personas.provider_id, "Secret draft service", "draft").await;
    app.sync_search(true).await;
    let mut client = app.visitor();
    let home = client.get("/").await;
    let href = home.body.split("href=\"/providers/").nth(1).and_then(|rest| rest.split('"').next()).expect("a provider link");
    let page = client.get(&format!("/providers/{href}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.heading(), "Riverside Home Care");
    assert!(page.contains("Morning calls in Gosforth") && !page.contains("Secret draft service"));
    assert!(page.contains("1-000000001"));
}

#[tokio::test]
async fn unknown_pages_and_providers_are_404s() {
    let app = TestApp::new().await;
    let mut client = app.visitor();
    assert_eq!(client.get("/providers/00000000-0000-4000-8000-000000000000").await.status, 404);
    let missing = client.get("/no/such/page").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.heading(), "Page not found");
}

#[tokio::test]
async fn every_page_has_one_h1_a_skip_link_and_a_main_landmark() {
    let app = TestApp::new().await;
    let mut client = app.visitor();
    for path in ["/", "/sign-in", "/register", "/no/such/page"] {
        let page = client.get(path).await;
        assert_eq!(page.body.matches("<h1").count(), 1, "{path} has one h1");
        assert!(page.contains(r##"<a href="#main-content" class="skip-link">"##), "{path} has a skip link");
        assert!(page.contains(r#"<main id="main-content""#), "{path} has a main landmark");
        assert!(page.contains(r#"<html lang="en-GB""#), "{path} declares its language");
    }
}

#[tokio::test]
async fn health_checks_answer() {
    let app = TestApp::new().await;
    let mut client = app.visitor();
    assert_eq!(client.get("/healthz").await.body, "ok");
    let ready = client.get("/readyz").await;
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready"));
}
