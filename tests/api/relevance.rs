//! Relevance on a judged query set (tests/relevance/judged_queries.json): for each query a
//! budget holder might type, the services that must come first, judged on the demo data by the
//! rules (exact words before typos, title before description, words close together before
//! words far apart), with framework score deciding among them. Every engine is held to it;
//! with `MEILI_URL` set, Meilisearch runs it too, with our ranking rules and with its own
//! defaults, and the embedded engine must do at least as well as Meilisearch's defaults.
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use server::search::embedded::EmbeddedIndex;
use server::search::meilisearch::{MeilisearchIndex, RankingRules};
use server::search::{SearchEngine, SearchQuery};
use tests::TestDatabase;

#[derive(Deserialize)]
struct Judged {
    queries: Vec<JudgedQuery>,
}

#[derive(Deserialize)]
struct JudgedQuery {
    query: String,
    first: Vec<Expected>,
}

#[derive(Deserialize)]
struct Expected {
    id: String,
    title: String,
}

/// The demo data set, loaded and migrated, with the engines to judge (each indexed from it).
async fn demo_with_engines() -> (TestDatabase, DatabaseConnection, Vec<(String, Box<dyn SearchEngine>)>) {
    let database = TestDatabase::fresh().await;
    let db = database.connect().await;
    server::db::migrate(&db).await.expect("migrate");
    server::seed::load(&db, &seeds::generate(seeds::Size::Demo, seeds::DEFAULT_SEED), &|_, _, _| {}).await.expect("demo data");
    let mut engines: Vec<(String, Box<dyn SearchEngine>)> = vec![("embedded".into(), Box::new(EmbeddedIndex::in_memory().expect("index")))];
    if let Ok(url) = std::env::var("MEILI_URL") {
        let key = std::env::var("MEILI_API_KEY").ok();
        for (name, rules) in [("meilisearch (our rules)", RankingRules::CareMarket), ("meilisearch (default rules)", RankingRules::MeilisearchDefaults)] {
            let uid = format!("relevance_{}", if rules == RankingRules::CareMarket { "ours" } else { "defaults" });
            let engine = MeilisearchIndex::connect(&url, key.as_deref(), &uid, rules).await.expect("Meilisearch is reachable");
            engine.clear().await.expect("a clean index");
            engines.push((name.into(), Box::new(engine)));
        }
    }
    for (_, engine) in &engines {
        server::search::sync::reindex(&db, engine.as_ref(), |_, _| {}, chrono::Utc::now()).await.expect("indexed");
    }
    (database, db, engines)
}

/// Why a query's first results are wrong, or none if they are right.
async fn judge(engine: &dyn SearchEngine, judged: &JudgedQuery) -> Option<String> {
    let query = SearchQuery { text: judged.query.clone(), page: 1, per_page: 20, ..SearchQuery::default() };
    let found = engine.search(&query).await.expect("search");
    let first = &found.hits[..judged.first.len().min(found.hits.len())];
    let mut expected: Vec<&str> = judged.first.iter().map(|e| e.id.as_str()).collect();
    let mut got: Vec<&str> = first.iter().map(|hit| hit.document.public_id.as_str()).collect();
    expected.sort_unstable();
    got.sort_unstable();
    if expected != got {
        let missing: Vec<&str> =
            judged.first.iter().filter(|e| !got.contains(&e.id.as_str())).map(|e| e.title.as_str()).collect();
        let intruders: Vec<&str> = first.iter().filter(|hit| !expected.contains(&hit.document.public_id.as_str())).map(|hit| hit.document.title.as_str()).collect();
        return Some(format!("{:?}: missing {missing:?}, instead {intruders:?}", judged.query));
    }
    // Among equally relevant services, the better framework score first (none last).
    let scores: Vec<i64> = first.iter().map(|hit| hit.document.framework_score.map_or(-1, i64::from)).collect();
    if scores.windows(2).any(|pair| pair[0] < pair[1]) {
        return Some(format!("{:?}: framework scores out of order {scores:?}", judged.query));
    }
    None
}

#[tokio::test]
async fn judged_queries_put_the_right_services_first() {
    let judged: Judged = serde_json::from_str(include_str!("../relevance/judged_queries.json")).expect("the judged set parses");
    assert!(judged.queries.len() >= 30, "at least 30 judged queries");
    let (_database, _db, engines) = demo_with_engines().await;
    let mut scores = Vec::new();
    for (name, engine) in &engines {
        let mut failures = Vec::new();
        for query in &judged.queries {
            if let Some(failure) = judge(engine.as_ref(), query).await {
                failures.push(failure);
            }
        }
        println!("{name}: {} of {} judged queries right", judged.queries.len() - failures.len(), judged.queries.len());
        for failure in &failures {
            println!("  {failure}");
        }
        scores.push((name.clone(), judged.queries.len() - failures.len(), failures));
    }
    let (_, embedded, failures) = &scores[0];
    assert!(failures.is_empty(), "the embedded engine gets every judged query right: {failures:#?}");
    if let Some((_, defaults, _)) = scores.iter().find(|(name, _, _)| name.contains("default")) {
        assert!(embedded >= defaults, "the embedded engine is at least as good as Meilisearch's default rules");
    }
}
