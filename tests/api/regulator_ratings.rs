//! CQC ratings imported from the CQC's care directory: a newer rating replaces the one recorded,
//! keeps the history, re-ranks the lots at once and says so in their tables; locations that are
//! not the council's providers are counted; unreadable lines are named and nothing changes; the
//! same file twice changes nothing more. Commissioners only, for their own council's providers.
use crate::booking_changes::user;
use chrono::{Duration, Utc};
use server::domain::{lots, regulator_ratings};
use server::error::AppError;
use tests::TestApp;

async fn order(app: &TestApp, lot: i64) -> Vec<String> {
    lots::lot_table(&app.db, lot).await.expect("the lot").ranked.into_iter().map(|row| row.provider).collect()
}

#[tokio::test]
async fn a_newer_rating_re_ranks_the_lot_at_once_and_the_table_says_what_changed() {
    let app = TestApp::new().await;
    let lot = crate::lots::north_home_care(&app).await;
    let commissioner = user(&app, app.personas.commissioner.id).await;
    let before = order(&app, lot).await;
    assert!(before.iter().position(|p| p == "Hilltop Care") < before.iter().position(|p| p == "Riverside Home Care"), "{before:?}");

    let day = (Utc::now() - Duration::days(5)).date_naive();
    let csv = format!(
        "Location ID,Rating,Date\n1-000000001,Outstanding,{day}\n1-000000002,Requires improvement,{}\n1-999999999,Good,{day}\n",
        day.format("%d/%m/%Y")
    );
    let imported = regulator_ratings::import(&app.db, &commissioner, &csv, Utc::now()).await.expect("imported");
    assert_eq!((imported.changed, imported.unchanged, imported.elsewhere), (2, 0, 1));
    let after = order(&app, lot).await;
    assert!(after.iter().position(|p| p == "Riverside Home Care") < after.iter().position(|p| p == "Hilltop Care"), "re-ranked at once: {after:?}");
    let table = lots::lot_table(&app.db, lot).await.expect("the lot");
    let riverside = table.ranked.iter().find(|row| row.provider == "Riverside Home Care").expect("on the lot");
    let said = format!("CQC rating changed from Good to Outstanding on {}", server::domain::uk_time::long_date(day));
    assert!(riverside.explanation.ends_with(&said), "{}", riverside.explanation);

    // The same file again changes nothing; an older rating does not replace a newer one.
    let again = regulator_ratings::import(&app.db, &commissioner, &csv, Utc::now()).await.expect("imported");
    assert_eq!((again.changed, again.unchanged, again.elsewhere), (0, 2, 1));
    let older = format!("location id,rating,date\n1-000000001,Inadequate,{}\n", day - Duration::days(30));
    assert_eq!(regulator_ratings::import(&app.db, &commissioner, &older, Utc::now()).await.expect("imported").changed, 0);
    assert_eq!(order(&app, lot).await, after);
    let page = regulator_ratings::page(&app.db, &commissioner).await.expect("the page");
    assert_eq!(page.changes.len(), 2, "{:?}", page.changes);

    // Unreadable lines are each named, and nothing changes.
    let bad = format!(
        "location id,rating,date\n1-000000001,Excellent,{day}\n1-000000002,Good,yesterday\n1-000000003,Good\n1-000000004,Good,{}\n",
        day + Duration::days(30)
    );
    let Err(AppError::Invalid(problems)) = regulator_ratings::import(&app.db, &commissioner, &bad, Utc::now()).await else { panic!("refused") };
    let problems: Vec<String> = problems.into_iter().map(|p| p.message).collect();
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert!(problems[0].starts_with("Line 2: \"Excellent\" is not a CQC rating") && problems[1].starts_with("Line 3: the date \"yesterday\""), "{problems:?}");
    assert!(problems[2].starts_with("Line 4: expected 3 columns") && problems[3].ends_with("is in the future"), "{problems:?}");
    assert_eq!(order(&app, lot).await, after);

    // Another council's commissioner changes none of ours; nobody else imports.
    let elsewhere = tests::fixtures::other_council(&app.db).await;
    let stranger = user(&app, elsewhere.commissioner.id).await;
    let theirs = format!("location id,rating,date\n1-000000001,Inadequate,{}\n", day + Duration::days(1));
    assert_eq!(regulator_ratings::import(&app.db, &stranger, &theirs, Utc::now()).await.expect("imported").elsewhere, 1);
    assert_eq!(order(&app, lot).await, after);
    for someone in [app.personas.provider.id, app.personas.budget_holder.id] {
        let someone = user(&app, someone).await;
        assert!(matches!(regulator_ratings::import(&app.db, &someone, &csv, Utc::now()).await, Err(AppError::Forbidden)));
    }
    // One location twice in a file, the newer first: the older does not win.
    let twice = format!("location id,rating,date\n1-000000003,Good,{day}\n1-000000003,Inadequate,{}\n", day - Duration::days(60));
    regulator_ratings::import(&app.db, &commissioner, &twice, Utc::now()).await.expect("imported");
    let northgate = lots::lot_table(&app.db, lot).await.expect("the lot").ranked.into_iter().find(|row| row.provider == "Northgate Care");
    assert!(northgate.is_some_and(|row| row.explanation.contains("changed from Inadequate to Good")), "Good stands");
}
