//! Relevance on a judged query set (tests/relevance/judged_queries.json): for each query a
//! budget holder might type, the services that must come first, judged on the demo data by the
//! rules (exact words before typos, title before description, words close together before
//! words far apart), with framework score deciding among them. Every engine is held to it;
//! with `MEILI_URL` set, Meilisearch runs it too, with our ranking rules and with its own
//! defaults, and the embedded engine must do at least as well as Meilisearch's defaults.
use serde::Deserialize;
use server::db::Db;
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
async fn demo_with_engines() -> (TestDatabase, Db, Vec<(String, Box<dyn SearchEngine>)>) {
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
        let missing: Vec<&str> = judged.first.iter().filter(|e| !got.contains(&e.id.as_str())).map(|e| e.title.as_str()).collect();
        let intruders: Vec<&str> =
            first.iter().filter(|hit| !expected.contains(&hit.document.public_id.as_str())).map(|hit| hit.document.title.as_str()).collect();
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

/// The natural judged set (tests/relevance/natural_queries.json): searches in people's own
/// words, each with a rule for a good first result.
#[derive(Deserialize)]
struct Natural {
    queries: Vec<NaturalQuery>,
}

#[derive(Deserialize)]
struct NaturalQuery {
    query: String,
    good: GoodFirst,
}

/// What a good first result is: of one of these types of care, with what the words ask for.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GoodFirst {
    #[serde(default)]
    categories: Vec<String>,
    specialism: Option<String>,
    language: Option<String>,
    /// A carer of this gender (a service offering any carer can send one).
    carer: Option<String>,
    #[serde(default)]
    at_night: bool,
    #[serde(default)]
    weekend: bool,
    day: Option<u8>,
}

impl GoodFirst {
    /// Why this service is not a good first result, or none if it is.
    fn fault(&self, document: &server::search::ListingDocument) -> Option<String> {
        let open_on = |days: &[u8]| document.hours.iter().any(|(day, _, _)| days.contains(day));
        let faults = [
            (!self.categories.is_empty() && !self.categories.contains(&document.category), format!("a {} service", document.category)),
            (self.specialism.as_ref().is_some_and(|s| !document.specialisms.contains(s)), format!("specialisms {:?}", document.specialisms)),
            (self.language.as_ref().is_some_and(|l| !document.languages.contains(l)), format!("languages {:?}", document.languages)),
            (self.carer.as_ref().is_some_and(|c| *c != document.carer_gender && document.carer_gender != "any"), format!("carer {}", document.carer_gender)),
            (self.at_night && !server::search::open_at_night(&document.hours), "not open at night".to_string()),
            (self.weekend && !open_on(&[6, 7]), "not open at the weekend".to_string()),
            (self.day.is_some_and(|day| !open_on(&[day])), "not open that day".to_string()),
        ];
        let faults: Vec<String> = faults.into_iter().filter(|(fault, _)| *fault).map(|(_, why)| why).collect();
        (!faults.is_empty()).then(|| faults.join(", "))
    }
}

#[tokio::test]
async fn natural_searches_find_the_care_people_mean() {
    let natural: Natural = serde_json::from_str(include_str!("../relevance/natural_queries.json")).expect("the natural set parses");
    assert!(natural.queries.len() >= 150, "at least 150 natural searches");
    let (_database, db, engines) = demo_with_engines().await;
    let postcodes = server::search::params::PostcodeCentres::default();
    for (name, engine) in &engines {
        let (mut empty, mut poor) = (Vec::new(), Vec::new());
        for natural in &natural.queries {
            let form = app::SearchForm { q: natural.query.clone(), ..app::SearchForm::default() };
            let search = server::search::params::search(&db, &postcodes, None, &form).await.expect("a valid search");
            let found = search.run(engine.as_ref()).await.expect("search");
            match found.hits.first() {
                None => empty.push(natural.query.clone()),
                Some(first) => {
                    if let Some(fault) = natural.good.fault(&first.document) {
                        poor.push(format!("{:?}: first {:?}, {fault}", natural.query, first.document.title));
                    }
                }
            }
        }
        let total = natural.queries.len();
        let good = total - empty.len() - poor.len();
        println!("{name}: {good} of {total} natural searches have a good first result; {} find nothing", empty.len());
        for query in &empty {
            println!("  nothing for {query:?}");
        }
        for failure in &poor {
            println!("  {failure}");
        }
        if name == "embedded" {
            assert!(empty.len() * 100 <= total * 3, "at most 3% find nothing: {empty:#?}");
            assert!(good * 100 >= total * 90, "a good first result for at least 90%: {good} of {total}");
        }
    }
}

/// The embedded engine works out at indexing which services each group of the vocabulary
/// matches; a search must find what looking up every phrase of the group would.
#[tokio::test]
async fn a_group_worked_out_at_indexing_finds_what_its_phrases_do() {
    let natural: Natural = serde_json::from_str(include_str!("../relevance/natural_queries.json")).expect("the natural set parses");
    let (_database, db, engines) = demo_with_engines().await;
    let engine = &engines[0].1;
    let postcodes = server::search::params::PostcodeCentres::default();
    let (mut grouped, mut reordered) = (0, 0);
    for natural in &natural.queries {
        let form = app::SearchForm { q: natural.query.clone(), ..app::SearchForm::default() };
        let search = server::search::params::search(&db, &postcodes, None, &form).await.expect("a valid search");
        let mut query = SearchQuery { per_page: 100, ..search.query.clone() };
        let found = engine.search(&query).await.expect("search");
        let concepts = query.concepts.iter_mut().flatten();
        grouped += concepts.filter(|c| c.group.is_some()).map(|c| c.group = None).count();
        let phrase_by_phrase = engine.search(&query).await.expect("search");
        // The same services (the order may differ a little where a phrase was found more than once:
        // the list keeps more of its places for measuring how close words are).
        let ids = |results: &server::search::SearchResults| {
            let mut ids: Vec<i64> = results.hits.iter().map(|h| h.document.listing_id).collect();
            ids.sort_unstable();
            ids
        };
        assert_eq!((found.total, ids(&found)), (phrase_by_phrase.total, ids(&phrase_by_phrase)), "{:?}", natural.query);
        reordered += usize::from(found.hits.first().map(|h| h.document.listing_id) != phrase_by_phrase.hits.first().map(|h| h.document.listing_id));
    }
    assert!(grouped > 100, "most natural searches name a group ({grouped})");
    assert!(reordered * 10 <= natural.queries.len(), "the first result is rarely another: {reordered}");
}
