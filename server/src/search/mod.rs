//! Search for published services. One interface, two engines: an embedded index (the
//! default, no server needed) and Meilisearch (when `MEILI_URL` is set). The index is fed from
//! the outbox (see `sync`), never written directly by a request.
//!
//! What a result card shows lives in the index, so a search never touches the database.
pub mod embedded;
pub mod meilisearch;
pub mod params;
pub mod ranking_rules;
pub mod sync;
pub mod understanding;

use serde::{Deserialize, Serialize};

/// Everything the index holds about one published service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingDocument {
    pub listing_id: i64,
    pub public_id: String,
    pub title: String,
    pub description: String,
    pub provider_name: String,
    pub provider_public_id: String,
    /// Category code, like `home_care`.
    pub category: String,
    pub unit: String,
    pub price_pence: i64,
    /// `any`, `female` or `male`.
    pub carer_gender: String,
    pub languages: Vec<String>,
    /// Specialism codes, like `dementia`.
    pub specialisms: Vec<String>,
    /// Postcode districts served.
    pub areas: Vec<String>,
    /// Where the service is: the centres of its districts and of its base, (latitude, longitude).
    pub places: Vec<(f64, f64)>,
    /// Weekly hours: (weekday 1 = Monday .. 7, opens, closes) in minutes from midnight.
    pub hours: Vec<(u8, u16, u16)>,
    pub regulator_rating: String,
    /// Quality, 0–100, in hundredths.
    pub quality: u32,
    /// The best framework score across the lots it is offered through, in hundredths; none
    /// when it is not on a framework (or is gated out).
    pub framework_score: Option<u32>,
    /// "2nd of 14 on North home care: quality 86 (12 reviews averaging 4.3 stars), price £21.40 an hour"
    pub rank_explanation: Option<String>,
    pub possibly_out_of_date: bool,
}

impl ListingDocument {
    /// The words a searcher may type to find it besides its title and description.
    pub fn extra_words(&self) -> String {
        let specialisms = self.specialisms.iter().map(|code| app::specialism_label(code)).collect::<Vec<_>>().join(" ");
        format!("{} {} {} {}", self.provider_name, app::category_label(&self.category), specialisms, self.languages.join(" "))
    }
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Sort {
    /// Relevance to the words typed, then framework score.
    #[default]
    BestValue,
    LowestPrice,
    HighestQuality,
    /// Needs a place to measure from; without one it is best value.
    Nearest,
}

/// A point and a distance around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    pub latitude: f64,
    pub longitude: f64,
    /// Only services within this distance; none = any distance (still sorted by it if asked).
    pub within_km: Option<f64>,
}

/// One thing the person asked for in words ("short break"), matched by any of its forms.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Concept {
    /// As typed, without filler, to tell the person what was matched.
    pub typed: String,
    /// Each way of saying it, as index words (a form matches when all its words do); the
    /// first is what was typed.
    pub forms: Vec<Vec<String>>,
    /// Services of these types (codes) match it whatever their words.
    pub categories: Vec<String>,
    /// It must match, or the result is a partial one; otherwise it only helps to rank.
    pub required: bool,
    /// The typed form's last word may be unfinished (search as you type).
    pub prefix: bool,
    /// The care vocabulary's group it is (its other forms and types of care are that group's),
    /// by position in the vocabulary: an engine may have worked out which services it matches.
    pub group: Option<usize>,
}

/// A search, already checked: every value here is valid.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchQuery {
    pub text: String,
    /// What the words mean (see `understanding`); none = every typed word must match as typed.
    pub concepts: Option<Vec<Concept>>,
    pub category: Option<String>,
    pub near: Option<Near>,
    pub max_price_pence: Option<i64>,
    /// Available on this weekday (1 = Monday), and at this minute of the day if given.
    pub day: Option<u8>,
    pub time: Option<u16>,
    /// Open before 06:00 or after 22:00 on some day.
    pub at_night: bool,
    /// Open on Saturday or Sunday.
    pub weekend: bool,
    pub carer_gender: Option<String>,
    pub language: Option<String>,
    pub specialism: Option<String>,
    pub framework_only: bool,
    pub sort: Sort,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl SearchQuery {
    /// Whether any filter narrows the services searched (every field is named, so a new
    /// filter cannot be forgotten here).
    pub fn filters(&self) -> bool {
        let SearchQuery {
            text: _,
            concepts: _,
            category,
            near,
            max_price_pence,
            day,
            time,
            at_night,
            weekend,
            carer_gender,
            language,
            specialism,
            framework_only,
            sort: _,
            page: _,
            per_page: _,
        } = self;
        category.is_some()
            || near.is_some()
            || max_price_pence.is_some()
            || day.is_some()
            || time.is_some()
            || *at_night
            || *weekend
            || carer_gender.is_some()
            || language.is_some()
            || specialism.is_some()
            || *framework_only
    }

    /// What must match: the understood concepts, or every typed word as typed.
    pub fn concepts(&self) -> std::borrow::Cow<'_, [Concept]> {
        match &self.concepts {
            Some(concepts) => std::borrow::Cow::Borrowed(concepts),
            None => std::borrow::Cow::Owned(understanding::literal(&self.text)),
        }
    }
}

/// Night: opening before 06:00 or closing after 22:00 (minutes from midnight).
pub const NIGHT_ENDS: u16 = 6 * 60;
pub const NIGHT_STARTS: u16 = 22 * 60;

/// Whether weekly hours (as `ListingDocument::hours`) include some of the night.
pub fn open_at_night(hours: &[(u8, u16, u16)]) -> bool {
    hours.iter().any(|&(_, opens, closes)| opens < NIGHT_ENDS || closes > NIGHT_STARTS)
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub document: ListingDocument,
    pub distance_km: Option<f64>,
}

/// How many results each filter value would have (over the results as filtered).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Facets {
    pub categories: Vec<(String, u64)>,
    pub specialisms: Vec<(String, u64)>,
    pub carer_genders: Vec<(String, u64)>,
    pub on_framework: u64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
    /// Set when no service matched every word that must match, so these match fewer.
    pub partial: Option<PartialMatch>,
}

/// What partial results do match (both empty when the engine cannot tell).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PartialMatch {
    /// Words (as typed) every one of the results matches.
    pub matched_by_all: Vec<String>,
    /// Words some of them match.
    pub matched_by_some: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(String),
}

/// What both engines do. Writes come only from `sync`; reads from anywhere.
#[async_trait::async_trait]
pub trait SearchEngine: Send + Sync + 'static {
    /// Adds or replaces these documents.
    async fn upsert(&self, documents: Vec<ListingDocument>) -> Result<(), SearchError>;
    /// Removes these listings (unknown ids are ignored).
    async fn remove(&self, listing_ids: Vec<i64>) -> Result<(), SearchError>;
    /// Removes everything (before a full re-index).
    async fn clear(&self) -> Result<(), SearchError>;
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError>;
    /// Holds no documents (so the server builds it whole at start).
    async fn is_empty(&self) -> Result<bool, SearchError>;
    /// Whose cursor in the outbox this index follows: an embedded index its own (each server
    /// keeps a copy), Meilisearch's the one every server shares.
    fn follower(&self) -> String;
}

/// The distance to the nearest place the service works, or infinity if it lists none.
pub fn nearest(document: &ListingDocument, from: (f64, f64)) -> f64 {
    document.places.iter().map(|&place| distance_km(from, place)).fold(f64::INFINITY, f64::min)
}

/// Great-circle distance in kilometres.
pub fn distance_km(from: (f64, f64), to: (f64, f64)) -> f64 {
    let (lat1, lat2) = (from.0.to_radians(), to.0.to_radians());
    let (dlat, dlng) = ((to.0 - from.0).to_radians(), (to.1 - from.1).to_radians());
    let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlng / 2.0).sin().powi(2);
    6_371.0 * 2.0 * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_match_known_ones() {
        // Newcastle Central Station to Durham Cathedral: about 21.8 km as the crow flies.
        let km = distance_km((54.9683, -1.6174), (54.7735, -1.5764));
        assert!((km - 21.8).abs() < 0.5, "{km}");
        assert_eq!(distance_km((55.0, -1.6), (55.0, -1.6)), 0.0);
    }
}
