//! The contract every search engine keeps. The same tests run against the embedded index and,
//! when `MEILI_URL` is set, against Meilisearch.
use server::search::embedded::EmbeddedIndex;
use server::search::meilisearch::{MeilisearchIndex, RankingRules};
use server::search::{ListingDocument, Near, SearchEngine, SearchQuery, Sort};

/// The engines to hold to the contract, each empty: the embedded index, and Meilisearch when
/// `MEILI_URL` (and `MEILI_API_KEY`) name a server (each test gets an index of its own).
async fn engines() -> Vec<(&'static str, Box<dyn SearchEngine>)> {
    let mut engines: Vec<(&'static str, Box<dyn SearchEngine>)> = vec![("embedded", Box::new(EmbeddedIndex::in_memory().expect("an in-memory index")))];
    if let Ok(url) = std::env::var("MEILI_URL") {
        let key = std::env::var("MEILI_API_KEY").ok();
        let uid = format!(
            "contract_{}",
            server::domain::auth::digest(&format!("{:?}{:?}", std::time::SystemTime::now(), std::thread::current().id())).get(..16).unwrap_or("x")
        );
        let meili = MeilisearchIndex::connect(&url, key.as_deref(), &uid, RankingRules::CareMarket).await.expect("Meilisearch is reachable");
        engines.push(("meilisearch", Box::new(meili)));
    }
    engines
}

// Places (latitude, longitude): Gosforth; Jesmond, 2.61 km away; Durham, 25.59 km away (haversine, worked out separately).
const GOSFORTH: (f64, f64) = (55.0048, -1.6177);
const JESMOND: (f64, f64) = (54.9836, -1.6003);
const DURHAM: (f64, f64) = (54.7761, -1.5733);

fn listing(id: i64, title: &str, description: &str) -> ListingDocument {
    ListingDocument {
        listing_id: id,
        public_id: format!("00000000-0000-4000-8000-{id:012}"),
        title: title.into(),
        description: description.into(),
        provider_name: format!("Provider {id}"),
        provider_public_id: format!("10000000-0000-4000-8000-{id:012}"),
        category: "home_care".into(),
        unit: "hour".into(),
        price_pence: 2_000 + id * 10,
        carer_gender: "any".into(),
        languages: vec!["English".into()],
        specialisms: Vec::new(),
        areas: vec!["NE3".into()],
        places: vec![GOSFORTH],
        hours: vec![(1, 8 * 60, 20 * 60)],
        regulator_rating: "good".into(),
        quality: 7_000,
        framework_score: None,
        rank_explanation: None,
        possibly_out_of_date: false,
    }
}

fn query(text: &str) -> SearchQuery {
    SearchQuery { text: text.into(), page: 1, per_page: 20, ..SearchQuery::default() }
}

async fn ids(engine: &dyn SearchEngine, query: &SearchQuery) -> Vec<i64> {
    engine.search(query).await.expect("search").hits.iter().map(|hit| hit.document.listing_id).collect()
}

#[tokio::test]
async fn a_typo_still_finds_what_was_meant_but_exact_words_come_first() {
    for (name, engine) in engines().await {
        let mut dementia = listing(1, "Dementia care at home", "Visits from carers trained in dementia.");
        dementia.specialisms = vec!["dementia".into()];
        let demented = listing(2, "Dementa cafe", "A place to meet (the title has a typo).");
        engine.upsert(vec![dementia, demented, listing(3, "Cleaning and shopping", "Help around the house.")]).await.expect("upsert");
        assert_eq!(ids(&*engine, &query("dementa")).await, [2, 1], "{name}: the exact word first, then the typo");
        assert_eq!(ids(&*engine, &query("dementia")).await, [1, 2], "{name}");
        assert_eq!(ids(&*engine, &query("demen")).await, [1, 2], "{name}: a word being typed matches as a prefix");
        assert_eq!(ids(&*engine, &query("dementia shopping")).await, Vec::<i64>::new(), "{name}: every word must match");
    }
}

#[tokio::test]
async fn filters_combine_with_and() {
    for (name, engine) in engines().await {
        let mut a = listing(1, "Home care", "");
        a.carer_gender = "female".into();
        a.specialisms = vec!["dementia".into()];
        let mut b = listing(2, "Home care", "");
        b.specialisms = vec!["dementia".into()];
        b.price_pence = 3_500;
        let mut c = listing(3, "Home care", "");
        c.carer_gender = "male".into();
        c.specialisms = vec!["dementia".into()];
        let mut d = listing(4, "Day centre", "");
        d.category = "day_opportunities".into();
        d.framework_score = Some(8_000);
        engine.upsert(vec![a, b, c, d]).await.expect("upsert");
        let filtered = SearchQuery { specialism: Some("dementia".into()), carer_gender: Some("female".into()), max_price_pence: Some(3_000), ..query("") };
        // Female carers are offered by 1 (female only) and 2 (any carer), but 2 costs too much.
        assert_eq!(ids(&*engine, &filtered).await, [1], "{name}");
        let framework = SearchQuery { framework_only: true, ..query("") };
        assert_eq!(ids(&*engine, &framework).await, [4], "{name}");
        let monday_evening = SearchQuery { day: Some(1), time: Some(19 * 60 + 30), ..query("care") };
        assert_eq!(ids(&*engine, &monday_evening).await.len(), 3, "{name}");
        let tuesday = SearchQuery { day: Some(2), ..query("") };
        assert!(ids(&*engine, &tuesday).await.is_empty(), "{name}: nobody works on Tuesdays here");
        let results = engine.search(&query("")).await.expect("search");
        assert_eq!(results.facets.categories, vec![("day_opportunities".to_string(), 1), ("home_care".to_string(), 3)], "{name}");
        assert_eq!(results.facets.on_framework, 1, "{name}");
    }
}

#[tokio::test]
async fn distance_is_measured_from_the_postcode_and_sorts_nearest_first() {
    for (name, engine) in engines().await {
        let mut durham = listing(1, "Home care", "");
        durham.places = vec![DURHAM];
        let mut jesmond = listing(2, "Home care", "");
        jesmond.places = vec![JESMOND, DURHAM];
        let gosforth = listing(3, "Home care", "");
        engine.upsert(vec![durham, jesmond, gosforth]).await.expect("upsert");
        let near = |within_km| Near { latitude: GOSFORTH.0, longitude: GOSFORTH.1, within_km };
        let nearest = SearchQuery { near: Some(near(None)), sort: Sort::Nearest, ..query("") };
        let results = engine.search(&nearest).await.expect("search");
        let distances: Vec<(i64, f64)> = results.hits.iter().map(|h| (h.document.listing_id, h.distance_km.expect("a distance"))).collect();
        assert_eq!(distances.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [3, 2, 1], "{name}");
        // Within 100 m of the true distances.
        assert!(distances[0].1 < 0.1, "{name}: {distances:?}");
        assert!((distances[1].1 - 2.61).abs() < 0.1, "{name}: {distances:?}");
        assert!((distances[2].1 - 25.59).abs() < 0.1, "{name}: {distances:?}");
        let within = SearchQuery { near: Some(near(Some(5.0))), ..query("") };
        let mut close = ids(&*engine, &within).await;
        close.sort();
        assert_eq!(close, [2, 3], "{name}");
        // A service working in two places is one result and counted once.
        let anywhere_near = engine.search(&SearchQuery { near: Some(near(Some(50.0))), ..query("") }).await.expect("search");
        assert_eq!((anywhere_near.total, anywhere_near.hits.len()), (3, 3), "{name}");
        assert_eq!(anywhere_near.facets.categories, vec![("home_care".to_string(), 3)], "{name}");
    }
}

#[tokio::test]
async fn each_sort_order_is_kept_and_pages_never_overlap() {
    for (name, engine) in engines().await {
        let documents: Vec<ListingDocument> = (1..=45)
            .map(|id| {
                let mut document = listing(id, "Home care", "");
                document.price_pence = 5_000 - id * 37 % 1_000;
                document.quality = u32::try_from(id * 53 % 100).unwrap_or(0) * 100;
                document.framework_score = (id % 3 == 0).then(|| u32::try_from(id * 71 % 100).unwrap_or(0) * 100);
                document
            })
            .collect();
        engine.upsert(documents.clone()).await.expect("upsert");
        for sort in [Sort::BestValue, Sort::LowestPrice, Sort::HighestQuality] {
            let mut seen = Vec::new();
            for page in 1..=3 {
                let results = engine.search(&SearchQuery { sort, page, ..query("") }).await.expect("search");
                assert_eq!(results.total, 45, "{name}");
                seen.extend(results.hits.into_iter().map(|hit| hit.document));
            }
            assert_eq!(seen.len(), 45, "{name} {sort:?}: three pages hold everything once");
            let ordered = seen.windows(2).all(|pair| match sort {
                Sort::LowestPrice => pair[0].price_pence <= pair[1].price_pence,
                Sort::HighestQuality => pair[0].quality >= pair[1].quality,
                _ => pair[0].framework_score.unwrap_or(0) >= pair[1].framework_score.unwrap_or(0),
            });
            assert!(ordered, "{name} {sort:?}");
        }
    }
}

#[tokio::test]
async fn an_edit_replaces_the_old_words_and_a_removal_disappears() {
    for (name, engine) in engines().await {
        engine.upsert(vec![listing(1, "Morning calls", ""), listing(2, "Evening calls", "")]).await.expect("upsert");
        engine.upsert(vec![listing(1, "Night sitting", "")]).await.expect("edit");
        assert_eq!(ids(&*engine, &query("morning")).await, Vec::<i64>::new(), "{name}");
        assert_eq!(ids(&*engine, &query("night")).await, [1], "{name}");
        engine.remove(vec![2, 99]).await.expect("remove");
        assert_eq!(ids(&*engine, &query("")).await, [1], "{name}");
    }
}

/// The query as the search page makes it from these words (no places known).
fn understood(text: &str) -> SearchQuery {
    let understanding = server::search::understanding::understand(text, &Default::default(), &[]);
    SearchQuery { concepts: Some(understanding.concepts), ..query(text) }
}

#[tokio::test]
async fn words_match_by_their_synonyms_and_type_of_care_and_the_best_partial_matches_say_what_they_match() {
    for (name, engine) in engines().await {
        let mut respite = listing(1, "Holiday stays", "A week away with care around the clock.");
        respite.category = "respite".into();
        let mut breaks = listing(2, "Short breaks by the sea", "Stays for people with autism.");
        breaks.category = "respite".into();
        let mut cleaning = listing(3, "Cleaning and shopping", "Help around the house.");
        cleaning.category = "cleaning_shopping".into();
        engine.upsert(vec![respite, breaks, cleaning]).await.expect("upsert");
        // "Respite" is in neither: the synonym and the type of care find both, the words as typed first.
        assert_eq!(ids(&*engine, &understood("short break for my dad")).await, [2, 1], "{name}: filler need not match");
        let mut respite = ids(&*engine, &understood("respite")).await;
        respite.sort_unstable();
        assert_eq!(respite, [1, 2], "{name}: by its synonyms (holiday, short break)");
        let partial = engine.search(&understood("respite zorbing")).await.expect("search");
        assert_eq!(partial.hits.len(), 2, "{name}: the services matching most of the words come");
        assert!(partial.partial.is_some(), "{name}: and the results say they are partial");
        if name == "embedded" {
            assert_eq!(partial.partial.unwrap().matched_by_all, ["respite"], "{name}: what they match");
        }
        assert_eq!(ids(&*engine, &query("respite zorbing")).await, Vec::<i64>::new(), "{name}: exactly the words typed: every one must match");
        assert_eq!(ids(&*engine, &understood("help")).await, [3], "{name}: a search of only a word that need not match lists what has it");
        assert_eq!(engine.search(&understood("for my dad")).await.expect("search").total, 3, "{name}: and of only filler, everything");
        let help = engine.search(&understood("help with holiday")).await.expect("search");
        assert_eq!(
            help.hits.iter().map(|h| h.document.listing_id).collect::<Vec<_>>(),
            [1, 2],
            "{name}: a word that need not match does not widen a search (the cleaning service that offers help is not in it)"
        );
    }
}
