//! Searching through the pages: filters in the address (so every search works without
//! JavaScript), specific errors, pages, suggestions, and the framework rank on a card.
use crate::lots::north_home_care;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use tests::{TestApp, fixtures};

/// Three districts and a service in each: Gosforth (NE3), Jesmond (NE2, 2.6 km away) and
/// Durham (DH1, 25.6 km away).
async fn three_places(app: &TestApp) {
    let locality = fixtures::insert(&app.db, "localities", &[("council_id", app.personas.council_id.into()), ("name", "Tyneside".into())]).await;
    for (code, latitude, longitude, title) in
        [("NE3", 55.0048, -1.6177, "Gosforth home care"), ("NE2", 54.9836, -1.6003, "Jesmond home care"), ("DH1", 54.7761, -1.5733, "Durham home care")]
    {
        let listing = fixtures::listing(&app.db, app.personas.provider_id, title, "published").await;
        for statement in [
            format!("INSERT INTO postcode_districts (code, locality_id, latitude, longitude) VALUES ('{code}', {locality}, {latitude}, {longitude})"),
            format!("INSERT INTO listing_areas (listing_id, district) VALUES ({listing}, '{code}')"),
        ] {
            app.db.execute_unprepared(&statement).await.expect("a place");
        }
    }
    app.sync_search(true).await;
}

fn titles(page: &tests::Reply) -> Vec<String> {
    let titles = page.body.split(r#"<h3 class="card-title">"#).skip(1);
    titles.filter_map(|rest| rest.split("</a>").next()?.rsplit('>').next()).map(str::to_string).collect()
}

#[tokio::test]
async fn a_postcode_and_distance_keep_nearby_services_nearest_first() {
    let app = TestApp::new().await;
    three_places(&app).await;
    let mut visitor = app.visitor();
    let near = visitor.get("/?postcode=ne3+1ab&within=5&sort=nearest").await;
    assert_eq!(near.status, 200);
    assert_eq!(titles(&near), ["Gosforth home care", "Jesmond home care"]);
    assert!(near.contains("0.0 km away") && near.contains("2.6 km away"));
    let everywhere = visitor.get("/?postcode=NE3&sort=nearest").await;
    assert_eq!(titles(&everywhere), ["Gosforth home care", "Jesmond home care", "Durham home care"]);
    assert!(everywhere.contains("25.6 km away"));
}

#[tokio::test]
async fn bad_filters_are_each_reported_against_their_field_and_nothing_is_listed() {
    let app = TestApp::new().await;
    three_places(&app).await;
    let mut visitor = app.visitor();
    let page = visitor.get("/?postcode=XX99+9ZZ&max_price=a+lot&time=25:00&day=2").await;
    assert_eq!(page.status, 200, "the page itself is fine: it explains the problems");
    let text = page.text();
    for (field, message) in [
        ("postcode", "We do not have XX99 on our map yet: try a nearby postcode"),
        ("max_price", "Enter the most you want to pay in pounds and pence, like 24.50"),
        ("time", "Enter a time like 09:00 or 17:30"),
    ] {
        assert!(page.contains(&format!(r##"href="#{field}""##)), "the summary links to {field}");
        assert!(text.contains(message), "{message}");
    }
    assert!(titles(&page).is_empty());
    let api = visitor.api_get("/api/search?form[within]=5").await;
    assert_eq!(api.status, 422, "API callers get a 422");
    assert!(api.body.contains("Enter a postcode to search within a distance of it"));
}

#[tokio::test]
async fn results_come_in_pages_of_twenty_that_link_to_each_other() {
    let app = TestApp::new().await;
    for n in 1..=25 {
        fixtures::listing(&app.db, app.personas.provider_id, &format!("Home care round {n:02}"), "published").await;
    }
    app.sync_search(true).await;
    let mut visitor = app.visitor();
    let first = visitor.get("/?q=round").await;
    assert_eq!(titles(&first).len(), 20);
    assert!(first.text().contains("25 services found, page 1 of 2"));
    assert!(first.contains(r#"href="/?q=round&amp;page=2""#) || first.contains(r#"href="/?q=round&page=2""#), "a next-page link");
    let second = visitor.get("/?q=round&page=2").await;
    assert_eq!(titles(&second).len(), 5);
    let mut all = titles(&first);
    all.extend(titles(&second));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 25, "no service on both pages");
}

#[tokio::test]
async fn an_empty_search_says_what_to_loosen() {
    let app = TestApp::new().await;
    three_places(&app).await;
    let page = app.visitor().get("/?q=home&max_price=10&specialism=autism").await;
    let text = page.text();
    assert!(text.contains("No services found"));
    assert!(text.contains("Raise the most you want to pay") && text.contains("Search without the specialism"));
    assert!(!text.contains("Search further from your postcode"), "only what was asked for is suggested");
}

#[tokio::test]
async fn a_framework_service_shows_its_rank_in_plain_words() {
    let app = TestApp::new().await;
    north_home_care(&app).await;
    app.sync_search(true).await;
    let page = app.visitor().get("/?framework=yes").await;
    let text = page.text();
    assert!(text.contains("Council framework: 1st of 2 on North home care: quality 81 (no reviews yet), price £20.00 an hour"), "{text}");
    assert_eq!(titles(&page).len(), 2, "only the two ranked providers are offered through the framework");
    let everything = app.visitor().get("/").await.text();
    assert!(everything.contains("Council framework: Not offered framework work while the CQC rates it Inadequate"), "gated, but listed and marked");
}

#[tokio::test]
async fn the_json_api_answers_with_results_or_field_errors_and_is_open_to_other_sites() {
    let app = TestApp::new().await;
    three_places(&app).await;
    let mut client = app.visitor();
    let found = client.api_get("/api/v1/search?postcode=NE3&within=5&sort=nearest").await;
    assert_eq!(found.status, 200);
    assert_eq!(found.headers.get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some("*"));
    assert!(found.headers.get("set-cookie").is_none(), "no cookies for API callers");
    let body: serde_json::Value = serde_json::from_str(&found.body).expect("json");
    assert_eq!(body["total"], 2);
    assert_eq!(body["cards"][0]["title"], "Gosforth home care");
    assert_eq!(body["cards"][1]["distance_km"].as_f64().map(|km| (km * 10.0).round() / 10.0), Some(2.6));
    let refused = client.api_get("/api/v1/search?within=500&carer=robot").await;
    assert_eq!(refused.status, 422);
    let problems: serde_json::Value = serde_json::from_str(&refused.body).expect("json");
    let fields: Vec<&str> = problems["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["within", "carer"]);
}

#[tokio::test]
async fn the_openapi_document_describes_every_search_parameter_and_card_field() {
    let app = TestApp::new().await;
    let reply = app.visitor().api_get("/openapi.json").await;
    assert_eq!(reply.status, 200);
    let document: serde_json::Value = serde_json::from_str(&reply.body).expect("the document is JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let described: Vec<&str> =
        document["paths"]["/api/v1/search"]["get"]["parameters"].as_array().expect("parameters").iter().filter_map(|p| p["name"].as_str()).collect();
    let form = serde_json::to_value(app::SearchForm::default()).expect("form");
    // All but "within my budget", which needs a signed-in budget holder: the keyless API
    // refuses it, so its document does not offer it.
    let mut fields: Vec<&str> = form.as_object().expect("object").keys().map(String::as_str).filter(|field| *field != "budget").collect();
    let mut described_sorted = described.clone();
    fields.sort_unstable();
    described_sorted.sort_unstable();
    assert_eq!(described_sorted, fields, "every search parameter the API takes is documented, and nothing else");
    let card = serde_json::to_value(app::ListingCard {
        public_id: String::new(),
        title: String::new(),
        category: String::new(),
        provider_name: String::new(),
        provider_public_id: String::new(),
        price_pence: 0,
        unit: String::new(),
        regulator_rating: String::new(),
        areas: Vec::new(),
        rank_explanation: None,
        distance_km: None,
        possibly_out_of_date: false,
    })
    .expect("card");
    let properties = document["components"]["schemas"]["Card"]["properties"].as_object().expect("card properties");
    for field in card.as_object().expect("object").keys() {
        assert!(properties.contains_key(field), "the card's {field} is documented");
    }
}

#[tokio::test]
async fn near_me_from_the_browser_is_the_nearest_district_and_only_where_we_cover() {
    let app = TestApp::new().await;
    three_places(&app).await;
    let mut client = app.visitor();
    // Between Gosforth and Jesmond, nearer Jesmond; then by Durham's cathedral.
    for ((latitude, longitude), district) in [((54.99, -1.605), "NE2"), ((54.7735, -1.5762), "DH1"), ((55.01, -1.62), "NE3")] {
        let reply = client.api_get(&format!("/api/nearest-district?latitude={latitude}&longitude={longitude}")).await;
        assert_eq!((reply.status, reply.body.as_str()), (200, format!("\"{district}\"").as_str()));
    }
    // London is not covered, and a point off the Earth is not a place.
    for (query, message) in [("latitude=51.5&longitude=-0.12", "We do not cover where you are yet"), ("latitude=95&longitude=0", "not on Earth")] {
        let reply = client.api_get(&format!("/api/nearest-district?{query}")).await;
        assert_eq!(reply.status, 422, "{query}");
        assert!(reply.body.contains(message), "{query}: {}", reply.body);
    }
}

/// Whether the document allows `value` for a parameter: one of its enum, matching its
/// pattern, or (for a number) a whole number in its range.
fn documented(schema: &serde_json::Value, value: &str) -> bool {
    if let Some(options) = schema["anyOf"].as_array() {
        return options.iter().any(|option| documented(option, value));
    }
    if schema["type"] == "integer" {
        let whole = !value.is_empty() && value.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit()) && value.len() < 12;
        let number = || value.parse::<i64>().unwrap_or(i64::MIN);
        return whole && schema["minimum"].as_i64().is_none_or(|low| number() >= low) && schema["maximum"].as_i64().is_none_or(|high| number() <= high);
    }
    if let Some(options) = schema["enum"].as_array() {
        return options.iter().any(|option| option == value);
    }
    schema["pattern"].as_str().is_none_or(|pattern| regex::Regex::new(pattern).expect("the document's pattern compiles").is_match(value))
}

#[tokio::test]
async fn every_search_parameter_is_refused_exactly_when_the_document_refuses_it() {
    let app = TestApp::new().await;
    three_places(&app).await;
    let mut client = app.visitor();
    let document: serde_json::Value = serde_json::from_str(&client.api_get("/openapi.json").await.body).expect("json");
    let parameters = document["paths"]["/api/v1/search"]["get"]["parameters"].as_array().expect("parameters").clone();
    // Padding a person might type or a client might send, and characters that only look like it.
    let around = ["", " ", "\t", "\r\n", "\u{a0}", "\u{85}", "\u{2003}", "\u{feff}"];
    let odd = ["x", "0", "+3", "-1", "007", "1e3", "\u{663}", "5.0", "\0", "YES", "Any"];
    let typed: &[(&str, &[&str])] = &[
        ("postcode", &["NE3", "ne3", "NE3 1AB", "ne31ab", "NE3\t 1AB", "N E3", "NE3 1AB X", "NE31 AB", "NE3AB", "NE3 1A\u{17f}", "3NE", "NE", "DH1 1AA"]),
        ("within", &["1", "100", "101", "05", "5 km"]),
        ("day", &["1", "7", "8", "07"]),
        ("page", &["1", "10000", "10001", "0009"]),
        ("time", &["9:00", "09:00", "24:00", "24:01", "23:59", "7:5", "007:30", "\u{660}7:30"]),
        (
            "max_price",
            &[
                "24.50",
                "£24.50",
                "££24",
                "24.",
                "0.5",
                "0.05",
                "0.00",
                "5000",
                "5000.",
                "5000.00",
                "5000.01",
                "5,000",
                "05000",
                "1,250.50",
                "01,250",
                "12,50",
                "1,2345",
                "0,100",
                "£",
                ".",
                ".50",
                "00.50",
                "4999.99",
                "1 000",
                "24,50.1.2",
                "£ 24",
            ],
        ),
    ];
    let mut checked = 0;
    for parameter in &parameters {
        let name = parameter["name"].as_str().expect("name");
        let schema = &parameter["schema"];
        let mut values: Vec<String> = odd.iter().map(|value| value.to_string()).collect();
        let listed = schema["enum"].as_array().map(|options| options.iter().filter_map(|option| option.as_str()).collect::<Vec<_>>()).unwrap_or_default();
        let examples = typed.iter().find(|(field, _)| *field == name).map(|(_, examples)| examples.to_vec()).unwrap_or_default();
        for value in listed.iter().chain(&examples) {
            values.extend(around.iter().flat_map(|pad| [format!("{pad}{value}"), format!("{value}{pad}")]));
        }
        for value in values {
            // Every other parameter as plainly as it can be: a postcode the map holds, so that a
            // distance or sort by distance has something to be measured from.
            let mut query = vec![(name, value.as_str())];
            if name != "postcode" {
                query.push(("postcode", "NE3"));
            }
            let reply = client.api_get(&format!("/api/v1/search?{}", serde_urlencoded::to_string(&query).expect("query"))).await;
            let refused = matches!(reply.status, 400 | 422);
            assert!(refused || reply.status == 200, "{name}={value:?}: {} {}", reply.status, reply.body);
            if documented(schema, &value) {
                // A well-formed postcode for a district that is not on the map is refused too.
                let off_the_map = name == "postcode" && reply.body.contains("on our map");
                assert!(!refused || off_the_map, "{name}={value:?} is documented, yet refused: {}", reply.body);
            } else {
                assert!(refused, "{name}={value:?} is not documented, yet accepted");
            }
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked} probes");
}

#[tokio::test]
async fn a_service_page_shows_its_policies_hours_and_framework_rank_but_drafts_are_not_found() {
    let app = TestApp::new().await;
    north_home_care(&app).await;
    fixtures::listing(&app.db, app.personas.provider_id, "Riverside draft", "draft").await;
    app.execute_sql(
        "INSERT INTO listing_availability (listing_id, weekday, opens_minute, closes_minute) SELECT id, 2, 480, 1200 FROM listings WHERE title = 'Home care 1'",
    )
    .await;
    app.sync_search(true).await;
    let mut visitor = app.visitor();
    let search = visitor.get("/?q=home+care+1").await;
    let href = search.body.split(r#"<h3 class="card-title"><a href=""#).nth(1).and_then(|rest| rest.split('"').next()).expect("a link to the service");
    let page = visitor.get(href).await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert_eq!(page.heading(), "Home care 1");
    for shown in [
        "Council framework: 2nd of 2 on North home care: quality 81 (no reviews yet), price £24.00 an hour",
        "£26.50 an hour",
        "Free with 24 hours' notice; later, 50% of the price",
        // The hours table's row, its cells run together: Tuesday, from 08:00, until 20:00.
        "Tuesday08:0020:00",
    ] {
        assert!(text.contains(shown), "{shown} in {text}");
    }
    let ids: Vec<String> = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let drafts = server::entities::listing::Entity::find().filter(server::entities::listing::Column::Status.eq(app::ListingStatus::Draft));
        drafts.all(&app.db).await.expect("query").into_iter().map(|l| l.public_id).collect()
    };
    assert_eq!(visitor.get(&format!("/services/{}", ids[0])).await.status, 404, "drafts are not public");
}

#[tokio::test]
async fn within_my_budget_means_what_is_left_in_it_and_for_a_managed_account_framework_providers() {
    let app = TestApp::new().await;
    north_home_care(&app).await;
    for (title, pence) in [("Affordable home care", 1_800_i64), ("Dearer home care", 4_000)] {
        let listing = fixtures::listing(&app.db, app.personas.provider_id, title, "published").await;
        app.execute_sql(&format!("UPDATE listings SET price_pence = {pence} WHERE id = {listing}")).await;
    }
    let budget = fixtures::insert(
        &app.db,
        "budgets",
        &[
            ("holder_id", app.personas.budget_holder.id.into()),
            ("council_id", app.personas.council_id.into()),
            ("budget_type", "direct_payment".into()),
            ("four_weekly_allocation_pence", 40_000_i64.into()),
            ("four_weekly_contribution_pence", 0_i64.into()),
            ("starts_on", chrono::NaiveDate::from_ymd_opt(2026, 1, 1).into()),
            ("created_at", chrono::Utc::now().into()),
        ],
    )
    .await;
    fixtures::insert(
        &app.db,
        "ledger_accounts",
        &[
            ("code", format!("budget:{budget}:available").into()),
            ("kind", "budget_available".into()),
            ("council_id", app.personas.council_id.into()),
            ("budget_id", Some(budget).into()),
            ("balance_pence", 3_000_i64.into()),
        ],
    )
    .await;
    app.sync_search(true).await;

    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let everything = holder.get("/?q=home+care").await;
    assert!(everything.contains(r#"id="budget""#), "budget holders are offered the box");
    let affordable = titles(&holder.get("/?q=home+care&budget=yes").await);
    assert!(affordable.contains(&"Affordable home care".to_string()), "{affordable:?}");
    assert!(!affordable.contains(&"Dearer home care".to_string()), "£30.00 left, so not £40.00 an hour: {affordable:?}");
    // A managed account pays framework providers only (Riverside and Hilltop here, at £26.50).
    app.execute_sql(&format!("UPDATE budgets SET budget_type = 'managed_account' WHERE id = {budget}")).await;
    let managed = titles(&holder.get("/?q=home+care&budget=yes").await);
    assert_eq!(managed.len(), 2, "{managed:?}");
    assert!(managed.iter().all(|title| title.starts_with("Home care ")), "{managed:?}");

    let mut visitor = app.visitor();
    let page = visitor.get("/?q=home+care&budget=yes").await;
    assert!(page.text().contains("Sign in as the person with the personal budget to search within it"));
    assert!(!visitor.get("/?q=home+care").await.contains(r#"id="budget""#), "the box is for budget holders");
    let api = visitor.api_get("/api/v1/search?budget=yes").await;
    assert_eq!(api.status, 422);
}

/// How many services a search through this server's API finds for these words.
async fn found(client: &mut tests::Client, words: &str) -> u64 {
    let reply = client.api_get(&format!("/api/v1/search?q={}", words.replace(' ', "+"))).await;
    serde_json::from_str::<serde_json::Value>(&reply.body).expect("json")["total"].as_u64().expect("a total")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_each_find_a_change_made_through_either_within_two_seconds() {
    use server::search::{SearchEngine, sync};
    let app = TestApp::new().await;
    let titles: Vec<String> = (0..12)
        .map(|n| {
            format!("Wayfarer sitting {}", ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"][n])
        })
        .collect();
    for title in &titles {
        fixtures::listing(&app.db, app.personas.provider_id, title, "published").await;
    }
    let (second_router, second_index) = app.second_server().await;
    let indexes: [std::sync::Arc<dyn SearchEngine>; 2] = [app.search.clone(), second_index];
    for index in &indexes {
        sync::rebuild(&app.db, index.as_ref(), |_, _| {}, chrono::Utc::now()).await.expect("rebuilt");
        tokio::spawn(sync::keep_in_step(app.db.clone(), index.clone()));
    }
    let routers = [app.router.clone(), second_router];
    let mut staff = Vec::new();
    for router in &routers {
        let mut client = tests::Client::new(router.clone());
        assert_eq!(client.sign_in(&app.personas.provider.email, fixtures::PASSWORD).await.status, 302);
        staff.push(client);
    }
    let mut visitors: Vec<tests::Client> = routers.iter().map(|router| tests::Client::new(router.clone())).collect();
    for (n, title) in titles.iter().enumerate() {
        let word = title.rsplit(' ').next().expect("a word");
        let listing = server::entities::listing::Entity::find()
            .filter(server::entities::listing::Column::Title.eq(title.as_str()))
            .one(&app.db)
            .await
            .expect("query")
            .expect("listing");
        // Paused through one server or the other, in turn: gone from both within 2 seconds.
        let reply = staff[n % 2].post_form("/api/change-listing", &[("listing_id", listing.public_id.as_str()), ("change", "Pause")]).await;
        assert_eq!(reply.status, 302, "{:?}", reply.redirected_error());
        let since = std::time::Instant::now();
        loop {
            let on_each = [found(&mut visitors[0], word).await, found(&mut visitors[1], word).await];
            if on_each == [0, 0] {
                break;
            }
            assert!(since.elapsed() < std::time::Duration::from_secs(2), "change {n} ({word}) still found on {on_each:?} after 2 s");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    assert_eq!(found(&mut visitors[0], "wayfarer").await, 0);
    assert_eq!(found(&mut visitors[1], "wayfarer").await, 0);
}

#[tokio::test]
async fn entries_wait_for_every_index_still_reporting_in_and_one_left_behind_rebuilds() {
    use server::search::{SearchEngine, sync};
    let app = TestApp::new().await;
    fixtures::listing(&app.db, app.personas.provider_id, "Wayfarer sitting", "published").await;
    let now = chrono::Utc::now();
    let (_, second) = app.second_server().await;
    for index in [app.search.clone() as std::sync::Arc<dyn SearchEngine>, second.clone()] {
        sync::rebuild(&app.db, index.as_ref(), |_, _| {}, now).await.expect("rebuilt");
    }
    // A change: the first index applies it, the second has not yet.
    let listing = server::entities::listing::Entity::find().one(&app.db).await.expect("query").expect("listing");
    server::domain::outbox::queue_listings(&app.db, [listing.id], now).await.expect("queued");
    assert_eq!(sync::follow_outbox(&app.db, app.search.as_ref(), 500, now).await.expect("follow"), 1);
    assert_eq!(sync::prune_outbox(&app.db, now).await.expect("prune"), 0, "the second index still needs it");
    assert_eq!(sync::follow_outbox(&app.db, second.as_ref(), 500, now).await.expect("follow"), 1);
    assert_eq!(sync::prune_outbox(&app.db, now).await.expect("prune"), 1, "both have it: removed");
    // Another change while the second server is away for longer than entries are kept.
    app.execute_sql(&format!("UPDATE listings SET title = 'Wayfarer night sitting' WHERE id = {}", listing.id)).await;
    server::domain::outbox::queue_listings(&app.db, [listing.id], now).await.expect("queued");
    assert_eq!(sync::prune_outbox(&app.db, now + chrono::Duration::days(8)).await.expect("prune"), 1, "removed after 7 days");
    // Back, it finds itself behind the removal and rebuilds: it has the change all the same.
    sync::follow_outbox(&app.db, second.as_ref(), 500, now + chrono::Duration::days(8)).await.expect("follow");
    let query = server::search::SearchQuery { text: "night".into(), page: 1, per_page: 10, ..Default::default() };
    assert_eq!(second.search(&query).await.expect("search").total, 1);
}
