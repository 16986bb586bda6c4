//! Meilisearch as the search engine (when `MEILI_URL` is set), behind the same interface and
//! contract as the embedded index.
//!
//! Meilisearch holds one geographic point per document, and a service works in several
//! places, so each service is stored once per place (`{listing_id}-{n}`, the first marked
//! `primary`). A search near a point asks for one hit per service (`distinct` on the listing
//! id); any other search looks only at the primary documents, so counts are exact either way.
//! The ranking rules mirror the embedded engine's: all words must match; then typos, a title
//! hit, the words as typed before their synonyms, words close together; then framework score,
//! quality, price and id. A chosen sort (price, quality, distance) comes right after "all words
//! match". The care vocabulary's groups are synonyms, and each place document carries the
//! vocabulary of its type of care (`care_words`), so an understood search finds a service by
//! its type as the embedded engine does; exact searches do not search those words.
use super::{Facets, ListingDocument, SearchEngine, SearchError, SearchHit, SearchQuery, SearchResults, Sort, understanding};
use meilisearch_sdk::client::Client;
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{MatchingStrategies, Selectors};
use meilisearch_sdk::settings::{FacetingSettings, MinWordSizeForTypos, PaginationSetting, Settings, TypoToleranceSettings};
use meilisearch_sdk::task_info::TaskInfo;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How long a write may take to be applied before the outbox keeps it for another try.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);
const FACETS: [&str; 4] = ["category", "specialisms", "carer_gender", "on_framework"];
/// The attributes with a service's own words (all but its type of care's vocabulary).
const OWN_WORDS: [&str; 3] = ["title", "description", "extra_words"];

/// Which ranking rules the index uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankingRules {
    /// The embedded engine's order (what the application uses).
    CareMarket,
    /// Meilisearch's own defaults plus the sort and tie-breaks, to compare relevance against.
    MeilisearchDefaults,
}

impl RankingRules {
    fn rules(self) -> Vec<&'static str> {
        let tie_breaks = ["framework_score:desc", "quality:desc", "price_pence:asc", "listing_id:asc"];
        let relevance: &[&str] = match self {
            // "exactness" puts the words as typed before their synonyms, as the embedded engine does.
            RankingRules::CareMarket => &["words", "sort", "typo", "attributeRank", "exactness", "proximity"],
            RankingRules::MeilisearchDefaults => &["words", "typo", "proximity", "attributeRank", "sort", "wordPosition", "exactness"],
        };
        relevance.iter().copied().chain(tie_breaks).collect()
    }
}

#[derive(Clone)]
pub struct MeilisearchIndex {
    client: Client,
    index: Index,
}

/// What Meilisearch stores for one place of one service: the fields it filters, sorts and
/// searches on, and the whole document to show.
#[derive(Debug, Serialize, Deserialize)]
struct PlaceDocument {
    id: String,
    listing_id: i64,
    primary: bool,
    title: String,
    description: String,
    extra_words: String,
    /// The care vocabulary's words for its type of care (searched last).
    care_words: String,
    category: String,
    price_pence: i64,
    carer_gender: String,
    languages: Vec<String>,
    specialisms: Vec<String>,
    on_framework: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    framework_score: Option<u32>,
    quality: u32,
    /// Open before 06:00 or after 22:00 on some day.
    at_night: bool,
    /// Open on Saturday or Sunday.
    at_weekend: bool,
    /// Minutes from midnight each weekday opens and closes (one window a day, as the listing form has).
    #[serde(flatten)]
    hours: std::collections::BTreeMap<String, u16>,
    #[serde(rename = "_geo", skip_serializing_if = "Option::is_none")]
    geo: Option<Geo>,
    document: ListingDocument,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Geo {
    lat: f64,
    lng: f64,
}

#[derive(Debug, Deserialize)]
struct Shown {
    document: ListingDocument,
}

fn failed(error: impl std::fmt::Display) -> SearchError {
    SearchError::Index(format!("meilisearch: {error}"))
}

impl MeilisearchIndex {
    /// Connects and sets the index up (creating it if needed): searchable, filterable and
    /// sortable attributes, typo tolerance, ranking rules.
    pub async fn connect(url: &str, api_key: Option<&str>, index_uid: &str, rules: RankingRules) -> Result<Self, SearchError> {
        let client = Client::new(url.trim_end_matches('/'), api_key).map_err(failed)?;
        let index = client.index(index_uid);
        let days = (1..=7).flat_map(|day| [format!("opens_{day}"), format!("closes_{day}")]);
        let filterable: Vec<String> = [
            "id",
            "listing_id",
            "primary",
            "category",
            "price_pence",
            "carer_gender",
            "languages",
            "specialisms",
            "on_framework",
            "at_night",
            "at_weekend",
            "_geo",
        ]
        .into_iter()
        .map(str::to_string)
        .chain(days)
        .collect();
        let settings = Settings::new()
            .with_searchable_attributes(["title", "description", "extra_words", "care_words"])
            .with_displayed_attributes(["document"])
            .with_filterable_attributes(filterable)
            .with_sortable_attributes(["price_pence", "quality", "framework_score", "listing_id", "_geo"])
            .with_ranking_rules(rules.rules())
            // The care vocabulary's groups as synonyms. Its filler is not made stop words: Meilisearch
            // would drop them from the synonyms' phrases too ("day care" would become "care", and
            // "care" would find every "centre"), and filler is never sent as a word to match.
            .with_synonyms(understanding::synonyms())
            .with_stop_words(Vec::<String>::new())
            .with_typo_tolerance(TypoToleranceSettings {
                enabled: Some(true),
                min_word_size_for_typos: Some(MinWordSizeForTypos { one_typo: Some(5), two_typos: Some(9) }),
                disable_on_attributes: Some(Vec::new()),
                disable_on_words: Some(Vec::new()),
                ..TypoToleranceSettings::default()
            })
            .with_pagination(PaginationSetting { max_total_hits: 1_000_000 })
            .with_faceting(FacetingSettings { max_values_per_facet: 100, sort_facet_values_by: None });
        let engine = Self { client, index };
        engine.finish(engine.index.set_settings(&settings).await.map_err(failed)?).await?;
        Ok(engine)
    }

    /// Waits until Meilisearch has applied a write, and reports it if it failed.
    async fn finish(&self, task: TaskInfo) -> Result<(), SearchError> {
        let task = task.wait_for_completion(&self.client, Some(Duration::from_millis(20)), Some(WRITE_TIMEOUT)).await.map_err(failed)?;
        if task.is_failure() {
            return Err(failed(format!("{:?}", task.unwrap_failure())));
        }
        Ok(())
    }

    async fn delete_listings(&self, listing_ids: &[i64]) -> Result<(), SearchError> {
        if listing_ids.is_empty() {
            return Ok(());
        }
        let ids = listing_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let filter = format!("listing_id IN [{ids}]");
        let mut deletion = meilisearch_sdk::documents::DocumentDeletionQuery::new(&self.index);
        deletion.with_filter(&filter);
        self.finish(self.index.delete_documents_with(&deletion).await.map_err(failed)?).await
    }
}

fn place_documents(document: ListingDocument) -> Vec<PlaceDocument> {
    let mut hours = std::collections::BTreeMap::new();
    for &(day, opens, closes) in &document.hours {
        hours.entry(format!("opens_{day}")).or_insert(opens);
        hours.entry(format!("closes_{day}")).or_insert(closes);
    }
    let care_words = understanding::words_for_category(&document.category);
    let places: Vec<Option<Geo>> =
        if document.places.is_empty() { vec![None] } else { document.places.iter().map(|&(lat, lng)| Some(Geo { lat, lng })).collect() };
    places
        .into_iter()
        .enumerate()
        .map(|(n, geo)| PlaceDocument {
            id: format!("{}-{n}", document.listing_id),
            listing_id: document.listing_id,
            primary: n == 0,
            title: document.title.clone(),
            description: document.description.clone(),
            extra_words: document.extra_words(),
            care_words: care_words.clone(),
            category: document.category.clone(),
            price_pence: document.price_pence,
            carer_gender: document.carer_gender.clone(),
            languages: document.languages.clone(),
            specialisms: document.specialisms.clone(),
            on_framework: document.framework_score.is_some(),
            framework_score: document.framework_score,
            quality: document.quality,
            at_night: super::open_at_night(&document.hours),
            at_weekend: document.hours.iter().any(|&(day, _, _)| day >= 6),
            hours: hours.clone(),
            geo,
            document: document.clone(),
        })
        .collect()
}

/// A string value in a filter, quoted and escaped.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

fn filters(query: &SearchQuery) -> Vec<String> {
    let mut filters = Vec::new();
    match query.near {
        Some(near) => {
            if let Some(km) = near.within_km {
                filters.push(format!("_geoRadius({}, {}, {})", near.latitude, near.longitude, (km * 1_000.0).round()));
            }
        }
        None => filters.push("primary = true".to_string()),
    }
    if let Some(category) = &query.category {
        filters.push(format!("category = {}", quoted(category)));
    }
    if let Some(max) = query.max_price_pence {
        filters.push(format!("price_pence <= {max}"));
    }
    match (query.day, query.time) {
        (Some(day), Some(minute)) => filters.push(format!("opens_{day} <= {minute} AND closes_{day} > {minute}")),
        (Some(day), None) => filters.push(format!("opens_{day} EXISTS")),
        // A time without a day: open then on some day.
        (None, Some(minute)) => {
            let any_day: Vec<String> = (1..=7).map(|day| format!("(opens_{day} <= {minute} AND closes_{day} > {minute})")).collect();
            filters.push(format!("({})", any_day.join(" OR ")));
        }
        (None, None) => {}
    }
    if let Some(gender) = &query.carer_gender {
        // A carer gender asked for is met by services that offer it or offer any carer.
        filters.push(format!("carer_gender IN [{}, \"any\"]", quoted(gender)));
    }
    if let Some(language) = &query.language {
        filters.push(format!("languages = {}", quoted(language)));
    }
    if let Some(specialism) = &query.specialism {
        filters.push(format!("specialisms = {}", quoted(specialism)));
    }
    if query.framework_only {
        filters.push("on_framework = true".to_string());
    }
    if query.at_night {
        filters.push("at_night = true".to_string());
    }
    if query.weekend {
        filters.push("at_weekend = true".to_string());
    }
    filters
}

/// What Meilisearch is asked to match, and how: the words that must match, as typed (their
/// synonyms are in the index's settings), every one of them; with none that must, the words
/// that only rank, any of them (a search for "help" lists what offers help); for an exact
/// search, every word typed.
fn words_to_match(query: &SearchQuery) -> (String, MatchingStrategies) {
    let Some(concepts) = &query.concepts else { return (query.text.clone(), MatchingStrategies::ALL) };
    let typed = |required: bool| concepts.iter().filter(|c| c.required == required).map(|c| c.typed.as_str()).collect::<Vec<_>>().join(" ");
    match typed(true) {
        required if required.is_empty() => (typed(false), MatchingStrategies::FREQUENCY),
        required => (required, MatchingStrategies::ALL),
    }
}

fn sort(query: &SearchQuery) -> Vec<String> {
    match (query.sort, query.near) {
        (Sort::LowestPrice, _) => vec!["price_pence:asc".into()],
        (Sort::HighestQuality, _) => vec!["quality:desc".into()],
        (Sort::Nearest, Some(near)) => vec![format!("_geoPoint({}, {}):asc", near.latitude, near.longitude)],
        _ => Vec::new(),
    }
}

fn facet_counts(distribution: Option<&std::collections::HashMap<String, std::collections::HashMap<String, usize>>>) -> Facets {
    let counts = |name: &str| -> Vec<(String, u64)> {
        let mut counts: Vec<(String, u64)> = distribution
            .and_then(|all| all.get(name))
            .map(|values| values.iter().filter(|(_, n)| **n > 0).map(|(value, n)| (value.clone(), *n as u64)).collect())
            .unwrap_or_default();
        counts.sort();
        counts
    };
    Facets {
        categories: counts("category"),
        specialisms: counts("specialisms"),
        carer_genders: counts("carer_gender"),
        on_framework: counts("on_framework").into_iter().find(|(value, _)| value == "true").map_or(0, |(_, n)| n),
    }
}

#[async_trait::async_trait]
impl SearchEngine for MeilisearchIndex {
    async fn upsert(&self, documents: Vec<ListingDocument>) -> Result<(), SearchError> {
        let listing_ids: Vec<String> = documents.iter().map(|d| d.listing_id.to_string()).collect();
        let places: Vec<PlaceDocument> = documents.into_iter().flat_map(place_documents).collect();
        if places.is_empty() {
            return Ok(());
        }
        // Replace first, so the service is never missing; then drop places it no longer has.
        self.finish(self.index.add_or_replace(&places, Some("id")).await.map_err(failed)?).await?;
        let kept: Vec<String> = places.iter().map(|place| quoted(&place.id)).collect();
        let stale = format!("listing_id IN [{}] AND NOT id IN [{}]", listing_ids.join(", "), kept.join(", "));
        let mut deletion = meilisearch_sdk::documents::DocumentDeletionQuery::new(&self.index);
        deletion.with_filter(&stale);
        self.finish(self.index.delete_documents_with(&deletion).await.map_err(failed)?).await
    }

    async fn remove(&self, listing_ids: Vec<i64>) -> Result<(), SearchError> {
        self.delete_listings(&listing_ids).await
    }

    async fn is_empty(&self) -> Result<bool, SearchError> {
        Ok(self.index.get_stats().await.map_err(failed)?.number_of_documents == 0)
    }

    fn follower(&self) -> String {
        format!("meilisearch:{}", self.index.uid)
    }

    async fn clear(&self) -> Result<(), SearchError> {
        self.finish(self.index.delete_all_documents().await.map_err(failed)?).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let filter = filters(query).join(" AND ");
        let sort = sort(query);
        let sort: Vec<&str> = sort.iter().map(String::as_str).collect();
        let (words, strategy) = words_to_match(query);
        let every_word = matches!(strategy, MatchingStrategies::ALL);
        // A type of care's words match only the concepts that must match in an understood search:
        // not the exact words typed, nor a word that only ranks (every home care service has "help").
        let care_words = query.concepts.is_some() && every_word;
        let mut found = self.search_with(query, &filter, &sort, &words, strategy, care_words).await?;
        let mut partial = None;
        if found.total_hits == Some(0) && !words.is_empty() {
            if every_word && query.concepts.iter().flatten().filter(|c| c.required).count() > 1 {
                // No service matched every concept: those matching the most of them (Meilisearch
                // does not say which words each matched).
                found = self.search_with(query, &filter, &sort, &words, MatchingStrategies::FREQUENCY, true).await?;
                partial = Some(super::PartialMatch::default());
            } else if !every_word {
                // Nothing has the words that only rank: everything.
                found = self.search_with(query, &filter, &sort, "", MatchingStrategies::ALL, false).await?;
            }
        }
        let hits = found
            .hits
            .into_iter()
            .map(|hit| {
                let distance_km = query.near.map(|near| super::nearest(&hit.result.document, (near.latitude, near.longitude)));
                SearchHit { document: hit.result.document, distance_km }
            })
            .collect();
        Ok(SearchResults { total: found.total_hits.unwrap_or(0) as u64, hits, facets: facet_counts(found.facet_distribution.as_ref()), partial })
    }
}

impl MeilisearchIndex {
    async fn search_with(
        &self,
        query: &SearchQuery,
        filter: &str,
        sort: &[&str],
        words: &str,
        strategy: MatchingStrategies,
        care_words: bool,
    ) -> Result<meilisearch_sdk::search::SearchResults<Shown>, SearchError> {
        let mut request = self.index.search();
        request
            .with_query(words)
            .with_matching_strategy(strategy)
            .with_facets(Selectors::Some(&FACETS))
            .with_page(query.page as usize)
            .with_hits_per_page(query.per_page as usize);
        if !filter.is_empty() {
            request.with_filter(filter);
        }
        if !sort.is_empty() {
            request.with_sort(sort);
        }
        if query.near.is_some() {
            request.with_distinct("listing_id");
        }
        if !care_words {
            request.with_attributes_to_search_on(&OWN_WORDS);
        }
        request.execute::<Shown>().await.map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Near;

    #[test]
    fn every_filter_becomes_one_meilisearch_condition() {
        let query = SearchQuery {
            category: Some("home_care".into()),
            near: Some(Near { latitude: 55.0048, longitude: -1.6177, within_km: Some(5.0) }),
            max_price_pence: Some(2_500),
            day: Some(2),
            time: Some(570),
            carer_gender: Some("female".into()),
            language: Some("Urdu \"x\"".into()),
            specialism: Some("dementia".into()),
            framework_only: true,
            sort: Sort::Nearest,
            ..SearchQuery::default()
        };
        assert_eq!(
            filters(&query),
            [
                "_geoRadius(55.0048, -1.6177, 5000)",
                "category = \"home_care\"",
                "price_pence <= 2500",
                "opens_2 <= 570 AND closes_2 > 570",
                "carer_gender IN [\"female\", \"any\"]",
                "languages = \"Urdu \\\"x\\\"\"",
                "specialisms = \"dementia\"",
                "on_framework = true",
            ]
        );
        assert_eq!(sort(&query), ["_geoPoint(55.0048, -1.6177):asc"]);
        assert_eq!(filters(&SearchQuery::default()), ["primary = true"], "away from a place, one document per service");
    }

    #[test]
    fn what_must_match_is_sent_every_word_and_what_only_ranks_any_word() {
        let understood = |text: &str| SearchQuery {
            text: text.into(),
            concepts: Some(understanding::understand(text, &Default::default(), &[]).concepts),
            ..SearchQuery::default()
        };
        let (words, strategy) = words_to_match(&understood("short break for my dad"));
        assert_eq!((words.as_str(), matches!(strategy, MatchingStrategies::ALL)), ("short break", true));
        let (words, strategy) = words_to_match(&understood("help"));
        assert_eq!((words.as_str(), matches!(strategy, MatchingStrategies::FREQUENCY)), ("help", true));
        let exact = SearchQuery { text: "short break for my dad".into(), ..SearchQuery::default() };
        assert_eq!(words_to_match(&exact).0, "short break for my dad", "an exact search sends every word typed");
        assert!(understanding::words_for_category("respite").contains("short break"));
    }

    #[test]
    fn a_service_is_stored_once_per_place_with_its_hours() {
        let document = ListingDocument {
            listing_id: 7,
            public_id: String::new(),
            title: "Home care".into(),
            description: String::new(),
            provider_name: String::new(),
            provider_public_id: String::new(),
            category: "home_care".into(),
            unit: "hour".into(),
            price_pence: 2_400,
            carer_gender: "any".into(),
            languages: Vec::new(),
            specialisms: Vec::new(),
            areas: vec!["NE2".into(), "NE3".into()],
            places: vec![(54.98, -1.60), (55.00, -1.62)],
            hours: vec![(1, 420, 1320)],
            regulator_rating: "good".into(),
            quality: 8_000,
            framework_score: None,
            rank_explanation: None,
            possibly_out_of_date: false,
        };
        let places = place_documents(document.clone());
        assert_eq!(places.iter().map(|p| (p.id.as_str(), p.primary)).collect::<Vec<_>>(), [("7-0", true), ("7-1", false)]);
        assert_eq!(places[1].hours.get("opens_1"), Some(&420));
        assert_eq!(places[1].hours.get("closes_1"), Some(&1320));
        assert!(places.iter().all(|p| p.document == document));
        let nowhere = place_documents(ListingDocument { places: Vec::new(), ..document });
        assert_eq!((nowhere.len(), nowhere[0].geo.is_none()), (1, true), "a service with no places is still found by words");
    }
}
