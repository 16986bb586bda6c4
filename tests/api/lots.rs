//! Framework lots in public: the ranked table matches a hand calculation, the gates keep
//! providers out, and a change to an input shows at once.
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::entities::provider;
use tests::{
    TestApp,
    fixtures::{insert, provider as new_provider},
};

/// "North home care": Riverside (Good, monitoring 90, £24.00) and Hilltop (Outstanding,
/// monitoring 70, £20.00) both have quality 80.50; Northgate is rated Inadequate and the
/// cheapest; Eastfield is suspended. Returns the lot's id.
pub async fn north_home_care(app: &TestApp) -> i64 {
    let council_id = app.personas.council_id;
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
    let framework = insert(
        &app.db,
        "frameworks",
        &[
            ("council_id", council_id.into()),
            ("name", "Home care 2026 to 2030".into()),
            ("starts_on", day(2026, 4, 1).into()),
            ("ends_on", day(2030, 3, 31).into()),
            ("created_at", Utc::now().into()),
        ],
    )
    .await;
    let locality = insert(&app.db, "localities", &[("council_id", council_id.into()), ("name", "North".into())]).await;
    let lot = insert(
        &app.db,
        "lots",
        &[
            ("framework_id", framework.into()),
            ("name", "North home care".into()),
            ("category", "home_care".into()),
            ("locality_id", locality.into()),
            ("unit", "hour".into()),
            ("price_cap_pence", 3_000_i64.into()),
            ("quality_weight", 60.into()),
        ],
    )
    .await;
    let northgate = new_provider(&app.db, council_id, "Northgate Care", "1-000000003").await;
    let eastfield = new_provider(&app.db, council_id, "Eastfield Care", "1-000000004").await;
    provider::Entity::update_many()
        .col_expr(provider::Column::RegulatorRating, Expr::value("outstanding"))
        .filter(provider::Column::Id.eq(app.personas.other_provider_id))
        .exec(&app.db)
        .await
        .expect("rate Hilltop");
    provider::Entity::update_many()
        .col_expr(provider::Column::RegulatorRating, Expr::value("inadequate"))
        .filter(provider::Column::Id.eq(northgate))
        .exec(&app.db)
        .await
        .expect("rate Northgate");
    let entries = [
        (app.personas.provider_id, 2_400_i64, None),
        (app.personas.other_provider_id, 2_000, None),
        (northgate, 1_500, None),
        (eastfield, 1_900, Some("Missed visits under investigation")),
    ];
    for (provider_id, rate, suspension) in entries {
        let listing = tests::fixtures::listing(&app.db, provider_id, &format!("Home care {provider_id}"), "published").await;
        insert(
            &app.db,
            "accreditations",
            &[
                ("lot_id", lot.into()),
                ("provider_id", provider_id.into()),
                ("listing_id", listing.into()),
                ("contracted_rate_pence", rate.into()),
                ("status", if suspension.is_some() { "suspended" } else { "active" }.into()),
                ("suspension_reason", suspension.map(str::to_string).into()),
                ("created_at", Utc::now().into()),
            ],
        )
        .await;
    }
    for (provider_id, score) in [(app.personas.provider_id, 90), (app.personas.other_provider_id, 70)] {
        insert(
            &app.db,
            "monitoring_scores",
            &[
                ("provider_id", provider_id.into()),
                ("lot_id", lot.into()),
                ("score", score.into()),
                ("note", "Annual visit".into()),
                ("recorded_by", app.personas.commissioner.id.into()),
                ("recorded_at", Utc::now().into()),
            ],
        )
        .await;
    }
    lot
}

/// The table's rows as (rank, provider, quality, price score, framework score).
pub fn rows(page: &tests::Reply) -> Vec<Vec<String>> {
    let body = page.body.split("<tbody>").nth(1).and_then(|rest| rest.split("</tbody>").next()).unwrap_or_default();
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let cells: Vec<String> = row
                .split(['<', '>'])
                .enumerate()
                .filter(|(i, _)| i % 2 == 0)
                .map(|(_, text)| text.trim().to_string())
                .filter(|text| !text.is_empty() && !text.starts_with("!--"))
                .collect();
            cells
        })
        .collect()
}

#[tokio::test]
async fn a_lot_ranks_its_providers_as_worked_out_by_hand() {
    let app = TestApp::new().await;
    let lot = north_home_care(&app).await;
    let mut visitor = app.visitor();
    let page = visitor.get(&format!("/lots/{lot}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.heading(), "North home care");
    assert!(page.contains("Quality counts for 60% and price for 40%"));
    // Hilltop: 0.6 × 80.50 + 0.4 × 100 = 88.30. Riverside: price score 100 × 2000 / 2400 = 83.33,
    // so 0.6 × 80.50 + 0.4 × 83.33 = 81.63. Northgate's lower price is not the lowest: it is gated out.
    assert_eq!(
        rows(&page),
        vec![
            vec![
                "1",
                "Hilltop Care",
                "1st of 2 on North home care: quality 81 (no reviews yet), price £20.00 an hour",
                "80.50",
                "£20.00 an hour",
                "100.00",
                "88.30"
            ],
            vec![
                "2",
                "Riverside Home Care",
                "2nd of 2 on North home care: quality 81 (no reviews yet), price £24.00 an hour",
                "80.50",
                "£24.00 an hour",
                "83.33",
                "81.63"
            ],
        ]
    );
    let text = page.text();
    assert!(text.contains("Northgate Care: Not offered framework work while the CQC rates it Inadequate"), "{text}");
    assert!(text.contains("Eastfield Care: Not offered framework work: suspended on this lot (Missed visits under investigation)"));
    let index = visitor.get("/lots").await;
    assert!(index.contains(&format!(r#"href="/lots/{lot}""#)) && index.contains("4 providers"));
}

#[tokio::test]
async fn a_new_input_changes_the_ranking_at_once() {
    let app = TestApp::new().await;
    let lot = north_home_care(&app).await;
    insert(
        &app.db,
        "monitoring_scores",
        &[
            ("provider_id", app.personas.provider_id.into()),
            ("lot_id", lot.into()),
            ("score", 100.into()),
            ("note", "Re-visit".into()),
            ("recorded_by", app.personas.commissioner.id.into()),
            ("recorded_at", (Utc::now() + chrono::Duration::seconds(1)).into()),
        ],
    )
    .await;
    provider::Entity::update_many()
        .col_expr(provider::Column::RegulatorRating, Expr::value("outstanding"))
        .filter(provider::Column::Id.eq(app.personas.provider_id))
        .exec(&app.db)
        .await
        .expect("re-rate Riverside");
    let page = app.visitor().get(&format!("/lots/{lot}")).await;
    // Riverside's quality is now (40 × 100 + 40 × 100 + 20 × 62.50) / 100 = 92.50: 0.6 × 92.50 + 0.4 × 83.33 = 88.83.
    assert_eq!(rows(&page)[0][..2], ["1".to_string(), "Riverside Home Care".to_string()]);
    assert_eq!(rows(&page)[0][6], "88.83");
}

#[tokio::test]
async fn unknown_lots_are_404s() {
    let app = TestApp::new().await;
    let mut visitor = app.visitor();
    assert_eq!(visitor.get("/lots/999").await.status, 404);
    assert_eq!(visitor.get("/lots/not-a-number").await.status, 404);
}
