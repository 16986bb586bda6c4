//! The Open Referral UK API: what is published (and what never is), paging, filters, places,
//! and specific errors. The documents themselves are validated against the HSDS 3.0 schemas in
//! tests/browser/open_referral.test.js.
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::Value;
use server::entities::listing;
use tests::{Reply, TestApp, fixtures};

fn json(reply: &Reply) -> Value {
    assert_eq!(reply.headers.get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some("*"), "CORS * on every answer");
    assert!(reply.headers.get("set-cookie").is_none(), "no cookies for open data");
    serde_json::from_str(&reply.body).unwrap_or_else(|_| panic!("JSON, got {}", reply.body))
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]) && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()))
}

/// Every `id` and `*_id` anywhere in the document.
fn ids(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                if (name == "id" || name.ends_with("_id")) && field.is_string() {
                    found.push(field.as_str().unwrap_or_default().to_string());
                }
                ids(field, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| ids(item, found)),
        _ => {}
    }
}

fn names(page: &Value) -> Vec<&str> {
    page["contents"].as_array().expect("contents").iter().filter_map(|item| item["name"].as_str()).collect()
}

async fn row(app: &TestApp, listing: i64) -> listing::Model {
    listing::Entity::find_by_id(listing).one(&app.db).await.expect("query").expect("the listing")
}

#[tokio::test]
async fn services_come_in_standard_pages_and_drafts_and_paused_services_never_appear() {
    let app = TestApp::new().await;
    for title in ["Home care A", "Home care B", "Home care C"] {
        fixtures::listing(&app.db, app.personas.provider_id, title, "published").await;
    }
    let draft = fixtures::listing(&app.db, app.personas.provider_id, "Secret draft", "draft").await;
    fixtures::listing(&app.db, app.personas.provider_id, "Paused for now", "paused").await;
    let mut client = app.visitor();

    let first = json(&client.get("/openreferral/services?per_page=2").await);
    assert_eq!(
        [&first["total_items"], &first["total_pages"], &first["page_number"], &first["size"], &first["first_page"], &first["last_page"], &first["empty"]],
        [&Value::from(3), &Value::from(2), &Value::from(1), &Value::from(2), &Value::from(true), &Value::from(false), &Value::from(false)]
    );
    assert_eq!(names(&first), ["Home care A", "Home care B"]);
    let second = json(&client.get("/openreferral/services?per_page=2&page=2").await);
    assert_eq!((names(&second), &second["last_page"], &second["size"]), (vec!["Home care C"], &Value::from(true), &Value::from(1)));
    let beyond = json(&client.get("/openreferral/services?per_page=2&page=3").await);
    assert_eq!((&beyond["empty"], &beyond["size"]), (&Value::from(true), &Value::from(0)));

    let mut found = Vec::new();
    ids(&first, &mut found);
    assert!(found.len() >= 4 && found.iter().all(|id| is_uuid(id)), "every id is a UUID: {found:?}");

    let draft_id = row(&app, draft).await.public_id;
    let hidden = client.get(&format!("/openreferral/services/{draft_id}")).await;
    assert_eq!(hidden.status, 404, "a draft is not published");
    assert_eq!(json(&hidden)["errors"][0]["field"], "id");
}

#[tokio::test]
async fn a_service_in_full_has_its_price_hours_areas_languages_and_terms() {
    let app = TestApp::new().await;
    let listing = fixtures::listing(&app.db, app.personas.provider_id, "Dementia care at home", "published").await;
    let other = fixtures::listing(&app.db, app.personas.provider_id, "Cleaning and laundry", "published").await;
    let locality = fixtures::insert(&app.db, "localities", &[("council_id", app.personas.council_id.into()), ("name", "Tyneside".into())]).await;
    for statement in [
        format!("INSERT INTO postcode_districts (code, locality_id, latitude, longitude) VALUES ('NE3', {locality}, 55.0048, -1.6177)"),
        format!("UPDATE listings SET base_district = 'NE3', radius_km = 8, assured_at = created_at WHERE id = {listing}"),
        format!("UPDATE listings SET category = 'cleaning_shopping' WHERE id = {other}"),
        format!("INSERT INTO listing_areas (listing_id, district) VALUES ({listing}, 'NE3')"),
        format!("INSERT INTO listing_attributes (listing_id, kind, value) VALUES ({listing}, 'specialism', 'dementia'), ({listing}, 'language', 'Polish')"),
        format!(
            "INSERT INTO listing_availability (listing_id, weekday, opens_minute, closes_minute) VALUES ({listing}, 1, 420, 1320), ({listing}, 2, 420, 1320), ({listing}, 6, 600, 1020)"
        ),
    ] {
        app.execute_sql(&statement).await;
    }
    let id = row(&app, listing).await.public_id;
    let mut client = app.visitor();
    let service = json(&client.get(&format!("/openreferral/services/{id}")).await);

    assert_eq!((&service["name"], &service["status"]), (&Value::from("Dementia care at home"), &Value::from("active")));
    assert_eq!(service["cost_options"][0]["amount"], 26.5, "£26.50 as a number of pounds");
    assert_eq!(service["cost_options"][0]["currency"], "GBP");
    let schedules: Vec<(&str, &str, &str)> = service["schedules"]
        .as_array()
        .expect("schedules")
        .iter()
        .map(|s| (s["byday"].as_str().unwrap_or(""), s["opens_at"].as_str().unwrap_or(""), s["closes_at"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(schedules, [("MO,TU", "07:00:00", "22:00:00"), ("SA", "10:00:00", "17:00:00")]);
    let areas: Vec<&str> = service["service_areas"].as_array().expect("areas").iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(areas, ["NE3", "Within 8 km of NE3"]);
    assert_eq!(service["languages"][0]["name"], "Polish");
    let terms: Vec<&str> = service["attributes"].as_array().expect("attributes").iter().filter_map(|a| a["taxonomy_term"]["name"].as_str()).collect();
    assert_eq!(terms, ["Home care", "Dementia"]);
    let location = &service["service_at_locations"][0]["location"];
    assert_eq!((location["latitude"].as_f64(), location["longitude"].as_f64()), (Some(55.0048), Some(-1.6177)));
    assert!(service["assured_date"].as_str().is_some_and(|date| date.len() == 10));
    assert_eq!(service["organization"]["name"], "Riverside Home Care");

    // The same terms are listed under /taxonomy_terms, and narrow /services.
    let all_terms = json(&client.get("/openreferral/taxonomy_terms?per_page=200").await);
    let dementia = all_terms["contents"].as_array().expect("terms").iter().find(|t| t["name"] == "Dementia").expect("a dementia term");
    assert_eq!(dementia["id"], service["attributes"][1]["taxonomy_term_id"]);
    let with_dementia = json(&client.get(&format!("/openreferral/services?taxonomy_term_id={}", dementia["id"].as_str().unwrap_or(""))).await);
    assert_eq!(names(&with_dementia), ["Dementia care at home"]);
    let cleaning = all_terms["contents"].as_array().expect("terms").iter().find(|t| t["name"] == "Cleaning and shopping").expect("a cleaning term");
    let cleaning_services = json(&client.get(&format!("/openreferral/services?taxonomy_term_id={}", cleaning["id"].as_str().unwrap_or(""))).await);
    assert_eq!(names(&cleaning_services), ["Cleaning and laundry"]);
    let taxonomies = json(&client.get("/openreferral/taxonomies").await);
    assert_eq!(taxonomies["total_items"], 2);
    let nobody = json(&client.get("/openreferral/services?taxonomy_term_id=00000000-0000-4000-8000-000000000000").await);
    assert_eq!((&nobody["total_items"], &nobody["empty"]), (&Value::from(0), &Value::from(true)), "a term nobody has lists nothing");
}

#[tokio::test]
async fn search_and_modified_after_narrow_services_and_organizations() {
    let app = TestApp::new().await;
    fixtures::listing(&app.db, app.personas.provider_id, "Night sitting", "published").await;
    let old = fixtures::listing(&app.db, app.personas.provider_id, "Lunch club", "published").await;
    let mut backdated: listing::ActiveModel = row(&app, old).await.into();
    backdated.updated_at = Set("2025-01-01T09:00:00Z".parse().expect("a time"));
    backdated.update(&app.db).await.expect("backdate");
    app.execute_sql(&format!("UPDATE providers SET updated_at = '2025-01-01 09:00:00+00:00' WHERE id = {}", app.personas.provider_id)).await;
    let mut client = app.visitor();
    assert_eq!(names(&json(&client.get("/openreferral/services?search=NIGHT").await)), ["Night sitting"], "any case");
    assert_eq!(names(&json(&client.get("/openreferral/services?search=lunch+club").await)), ["Lunch club"]);
    assert_eq!(names(&json(&client.get("/openreferral/services?search=lunch+night").await)), Vec::<&str>::new(), "every word must match");
    assert_eq!(names(&json(&client.get("/openreferral/services?modified_after=2026-01-01").await)), ["Night sitting"]);
    assert_eq!(names(&json(&client.get("/openreferral/services?modified_after=2024-12-31T23:00:00Z").await)), ["Night sitting", "Lunch club"]);

    let withdrawn = fixtures::provider(&app.db, app.personas.council_id, "Gone Away Care", "1-000000003").await;
    app.execute_sql(&format!("UPDATE providers SET status = 'withdrawn' WHERE id = {withdrawn}")).await;
    let organizations = json(&client.get("/openreferral/organizations").await);
    assert_eq!(names(&organizations), ["Riverside Home Care", "Hilltop Care"], "withdrawn providers are not published");
    let id = organizations["contents"][0]["id"].as_str().expect("id").to_string();
    let organization = json(&client.get(&format!("/openreferral/organizations/{id}")).await);
    let services: Vec<&str> = organization["services"].as_array().expect("services").iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(services, ["Night sitting", "Lunch club"]);
    assert!(organization["organization_identifiers"][0]["identifier"].is_string(), "the CQC registration");
    assert_eq!(client.get("/openreferral/organizations/5b0c1d52-0000-4000-8000-000000000000").await.status, 404);
}

#[tokio::test]
async fn service_at_locations_near_a_postcode_come_nearest_first_within_the_proximity() {
    let app = TestApp::new().await;
    let locality = fixtures::insert(&app.db, "localities", &[("council_id", app.personas.council_id.into()), ("name", "Tyneside".into())]).await;
    for (code, latitude, longitude, title) in
        [("DH1", 54.7761, -1.5733, "Durham home care"), ("NE2", 54.9836, -1.6003, "Jesmond home care"), ("NE3", 55.0048, -1.6177, "Gosforth home care")]
    {
        let listing = fixtures::listing(&app.db, app.personas.provider_id, title, "published").await;
        app.execute_sql(&format!(
            "INSERT INTO postcode_districts (code, locality_id, latitude, longitude) VALUES ('{code}', {locality}, {latitude}, {longitude})"
        ))
        .await;
        app.execute_sql(&format!("UPDATE listings SET base_district = '{code}' WHERE id = {listing}")).await;
    }
    let mut client = app.visitor();
    let near = json(&client.get("/openreferral/service_at_locations?postcode=NE3+1AB&proximity=5000").await);
    let services: Vec<&str> = near["contents"].as_array().expect("rows").iter().filter_map(|row| row["service"]["name"].as_str()).collect();
    assert_eq!(services, ["Gosforth home care", "Jesmond home care"]);
    assert_eq!(near["total_items"], 2);
    let metres = near["contents"][1]["distance"].as_f64().expect("a distance");
    assert!((metres - 2_600.0).abs() < 100.0, "Jesmond is 2.6 km from Gosforth, got {metres}");
    let everywhere = json(&client.get("/openreferral/service_at_locations?postcode=NE3").await);
    assert_eq!(everywhere["total_items"], 3, "without a proximity, everything, nearest first");
    assert_eq!(everywhere["contents"][2]["service"]["name"], "Durham home care");
    // Paged as ordered: the second page of two holds the farthest.
    let second = json(&client.get("/openreferral/service_at_locations?postcode=NE3&per_page=2&page=2").await);
    assert_eq!((second["total_items"].as_u64(), second["size"].as_u64()), (Some(3), Some(1)));
    assert_eq!(second["contents"][0]["service"]["name"], "Durham home care");
    let unordered = json(&client.get("/openreferral/service_at_locations?per_page=2&page=2").await);
    assert_eq!((unordered["total_items"].as_u64(), unordered["size"].as_u64()), (Some(3), Some(1)));
}

#[tokio::test]
async fn a_search_of_more_than_ten_words_is_refused_not_run() {
    let app = TestApp::new().await;
    let mut client = app.visitor();
    let words = ["a"; 11].join("+");
    for list in ["services", "organizations", "service_at_locations", "taxonomy_terms"] {
        let reply = client.get(&format!("/openreferral/{list}?search={words}")).await;
        assert_eq!((reply.status, json(&reply)["errors"][0]["field"].as_str()), (400, Some("search")), "{list}");
    }
    assert_eq!(client.get(&format!("/openreferral/services?search={}", ["a"; 10].join("+"))).await.status, 200);
}

#[tokio::test]
async fn bad_parameters_are_each_named_and_answered_with_a_400() {
    let app = TestApp::new().await;
    let mut client = app.visitor();
    let reply = client.get("/openreferral/services?page=0&per_page=5000&modified_after=yesterday&taxonomy_term_id=dementia").await;
    assert_eq!(reply.status, 400);
    let fields: Vec<String> = json(&reply)["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str().map(str::to_string)).collect();
    assert_eq!(fields, ["page", "per_page", "modified_after", "taxonomy_term_id"]);
    let reply = client.get("/openreferral/service_at_locations?proximity=1000").await;
    assert_eq!((reply.status, json(&reply)["errors"][0]["field"].as_str()), (400, Some("postcode")));
    let reply = client.get("/openreferral/service_at_locations?postcode=ZZ99").await;
    assert!(reply.body.contains("We do not have ZZ99 on our map yet"), "{}", reply.body);

    let about = json(&client.get("/openreferral/").await);
    assert_eq!(about["version"], "HSDS 3.0");
    // Our own address, not the Host header the caller sent.
    let described = about["openapi_url"].as_str().expect("an address");
    assert!(described.ends_with("/openreferral/openapi.json") && !described.contains("caremarket.test"), "{described}");
    let openapi = json(&client.get("/openreferral/openapi.json").await);
    assert!(openapi["paths"]["/service_at_locations"].is_object());
}

#[tokio::test]
async fn organization_and_taxonomy_ids_narrow_services_and_a_profile_change_counts_as_a_change() {
    let app = TestApp::new().await;
    let ours = fixtures::listing(&app.db, app.personas.provider_id, "Riverside night sitting", "published").await;
    let theirs = fixtures::listing(&app.db, app.personas.other_provider_id, "Hilltop day centre", "published").await;
    app.execute_sql(&format!("INSERT INTO listing_attributes (listing_id, kind, value) VALUES ({theirs}, 'specialism', 'autism')")).await;
    for id in [ours, theirs] {
        let mut backdated: listing::ActiveModel = row(&app, id).await.into();
        backdated.updated_at = Set("2025-01-01T09:00:00Z".parse().expect("a time"));
        backdated.update(&app.db).await.expect("backdate");
    }
    app.execute_sql(&format!("UPDATE providers SET updated_at = '2025-01-01 09:00:00+00:00' WHERE id = {}", app.personas.provider_id)).await;
    let mut client = app.visitor();
    let organizations = json(&client.get("/openreferral/organizations").await);
    let hilltop = organizations["contents"].as_array().expect("rows").iter().find(|o| o["name"] == "Hilltop Care").expect("Hilltop")["id"]
        .as_str()
        .expect("id")
        .to_uppercase();
    assert_eq!(names(&json(&client.get(&format!("/openreferral/services?organization_id={hilltop}")).await)), ["Hilltop day centre"], "any case");
    let taxonomies = json(&client.get("/openreferral/taxonomies").await);
    let specialisms = taxonomies["contents"].as_array().expect("rows").iter().find(|t| t["name"] == "CareMarket specialisms").expect("taxonomy")["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(names(&json(&client.get(&format!("/openreferral/services?taxonomy_id={specialisms}")).await)), ["Hilltop day centre"]);
    let terms = json(&client.get(&format!("/openreferral/taxonomy_terms?taxonomy_id={specialisms}&per_page=100")).await);
    assert_eq!(terms["total_items"], 8, "the specialisms only");
    // Hilltop's details changed just now (its row was created now); Riverside's did not.
    assert_eq!(names(&json(&client.get("/openreferral/services?modified_after=2026-01-01").await)), ["Hilltop day centre"]);
    let service = json(&client.get(&format!("/openreferral/services/{}", row(&app, theirs).await.public_id.to_uppercase())).await);
    assert!(service["last_modified"].as_str().is_some_and(|at| !at.starts_with("2025")), "the organisation's change is the latest");
    assert_eq!(names(&json(&client.get("/openreferral/services?search=100%25").await)), Vec::<&str>::new(), "% is a character, not a wildcard");

    let missing = client.get("/openreferral/nothing/here").await;
    assert_eq!(missing.status, 404);
    assert_eq!(json(&missing)["errors"][0]["field"], "id");
}
