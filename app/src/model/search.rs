//! Search and what it shows: the form, the results page, a service and its provider.
use super::encode_query_value;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingCard {
    pub public_id: String,
    pub title: String,
    pub category: String,
    pub provider_name: String,
    pub provider_public_id: String,
    pub price_pence: i64,
    pub unit: String,
    pub regulator_rating: String,
    pub areas: Vec<String>,
    /// Its place on a framework lot, in words, when it has one.
    pub rank_explanation: Option<String>,
    /// How far away it is, when the search gave a postcode.
    pub distance_km: Option<f32>,
    /// Not re-confirmed by the provider for six months.
    pub possibly_out_of_date: bool,
}

/// One page of listings and how many match in all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingPage {
    pub total: u64,
    pub cards: Vec<ListingCard>,
}

/// The search form as typed: every field is text from the address bar, checked on the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub postcode: String,
    /// Kilometres from the postcode; empty = any distance.
    #[serde(default)]
    pub within: String,
    /// Pounds, like "25".
    #[serde(default)]
    pub max_price: String,
    /// 1 = Monday .. 7 = Sunday.
    #[serde(default)]
    pub day: String,
    /// "09:00"
    #[serde(default)]
    pub time: String,
    #[serde(default)]
    pub carer: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub specialism: String,
    /// "yes" to show only services on a council framework.
    #[serde(default)]
    pub framework: String,
    /// best, price, quality or nearest.
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: String,
    /// "yes" (signed-in budget holders) for what the money left in their budget can pay for.
    #[serde(default)]
    pub budget: String,
    /// What the words were understood to mean that the person removed (keys like `language`,
    /// comma-separated): their words are then matched as words.
    #[serde(default)]
    pub ignore: String,
    /// "yes" to match exactly the words typed (every one, nothing understood).
    #[serde(default)]
    pub exact: String,
}

impl SearchForm {
    /// Reads the form from the address bar's query, as the server and the browser both see it.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let field = |name: &str| get(name).unwrap_or_default();
        Self {
            q: field("q"),
            category: field("category"),
            postcode: field("postcode"),
            within: field("within"),
            max_price: field("max_price"),
            day: field("day"),
            time: field("time"),
            carer: field("carer"),
            language: field("language"),
            specialism: field("specialism"),
            framework: field("framework"),
            sort: field("sort"),
            page: field("page"),
            budget: field("budget"),
            ignore: field("ignore"),
            exact: field("exact"),
        }
    }

    /// The query string for this form (empty fields left out), for links to other pages.
    pub fn to_query(&self) -> String {
        self.fields().iter().map(|(name, value)| format!("{name}={}", encode_query_value(value))).collect::<Vec<_>>().join("&")
    }

    /// The fields that are filled in, by name.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let fields = [
            ("q", &self.q),
            ("category", &self.category),
            ("postcode", &self.postcode),
            ("within", &self.within),
            ("max_price", &self.max_price),
            ("day", &self.day),
            ("time", &self.time),
            ("carer", &self.carer),
            ("language", &self.language),
            ("specialism", &self.specialism),
            ("framework", &self.framework),
            ("sort", &self.sort),
            ("page", &self.page),
            ("budget", &self.budget),
            ("ignore", &self.ignore),
            ("exact", &self.exact),
        ];
        fields.iter().filter(|(_, value)| !value.trim().is_empty()).map(|(name, value)| (*name, value.trim().to_string())).collect()
    }
}

/// A page of search results, with counts for narrowing it down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    pub total: u64,
    pub cards: Vec<ListingCard>,
    /// 1-based, and how many pages there are.
    pub page: u32,
    pub pages: u32,
    /// (code, label, how many of these results) for each filter with choices.
    pub categories: Vec<(String, String, u64)>,
    pub specialisms: Vec<(String, String, u64)>,
    pub on_framework: u64,
    /// When nothing was found: what could be loosened, in words.
    pub suggestions: Vec<String>,
    /// What the words were understood to mean, each removable.
    pub chips: Vec<Chip>,
    /// When no service matched every word: what these results do match, in a sentence.
    pub partial: Option<String>,
    /// The words asked to search "near me" but no postcode is known.
    pub ask_postcode: bool,
}

/// One thing the words were understood to mean ("Speaks Polish"), and how to remove it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chip {
    pub label: String,
    /// Added to the form's `ignore` field to remove it.
    pub key: String,
}

/// One service's public page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingDetails {
    pub card: ListingCard,
    pub description: String,
    pub min_visit_minutes: i32,
    pub billing_increment_minutes: i32,
    pub cancellation_notice_hours: i32,
    pub late_cancellation_percent: i32,
    pub carer_gender: String,
    pub languages: Vec<String>,
    /// Labels, like "Dementia".
    pub specialisms: Vec<String>,
    /// (day, opens, closes), like ("Monday", "08:00", "20:00").
    pub hours: Vec<(String, String, String)>,
    /// When the provider last confirmed the details (ISO date).
    pub assured_on: Option<String>,
    /// Verified reviews of this service, newest first.
    #[serde(default)]
    pub reviews: Vec<super::PublicReview>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderDetails {
    pub public_id: String,
    pub name: String,
    pub description: String,
    pub regulator_id: Option<String>,
    pub regulator_rating: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub website: Option<String>,
    pub languages: String,
    /// When the provider last confirmed these details (ISO date).
    pub assured_on: Option<String>,
    pub listings: Vec<ListingCard>,
    /// Verified reviews of the provider, newest first.
    #[serde(default)]
    pub reviews: Vec<super::PublicReview>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseloadEntry {
    pub user_id: i64,
    pub display_name: String,
    pub can_book: bool,
}
