//! A provider's listings: the form, the states, and the vocabulary a listing uses.
use serde::{Deserialize, Serialize};

stored_state! {
    /// Where a listing is in its life: only published listings appear in search. On the server it
    /// is also the `listings.status` column's type.
    pub enum ListingStatus {
        Draft,
        Published,
        Paused,
    }
}

impl ListingStatus {
    /// Its code, for the page's tag style.
    pub fn code(self) -> &'static str {
        match self {
            ListingStatus::Draft => "draft",
            ListingStatus::Published => "published",
            ListingStatus::Paused => "paused",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ListingStatus::Draft => "Draft",
            ListingStatus::Published => "Published",
            ListingStatus::Paused => "Paused",
        }
    }
}

/// What a provider can do to one of their listings from its row in "Your listings".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListingChange {
    Publish,
    Pause,
    /// "These details are still right": stamps today's date as the assured date.
    Reconfirm,
}

/// A row of a provider's "Your listings" page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnListing {
    pub public_id: String,
    pub title: String,
    pub category: String,
    pub price: String,
    pub status: ListingStatus,
    /// When the details were last confirmed (ISO date).
    pub assured_on: Option<String>,
    /// Not confirmed for six months: shown to searchers as possibly out of date.
    pub possibly_out_of_date: bool,
}

/// A provider's listing as typed into its form: every field is text, checked on the server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListingForm {
    pub category: String,
    pub title: String,
    pub description: String,
    pub unit: String,
    /// Pounds and pence, like "24.50".
    pub price: String,
    pub min_visit_minutes: String,
    pub billing_increment_minutes: String,
    pub cancellation_notice_hours: String,
    pub late_cancellation_percent: String,
    pub carer_gender: String,
    /// Postcode districts served, separated by commas or spaces ("NE3, NE4").
    pub areas: String,
    /// A base postcode and how far carers travel from it, as well as or instead of `areas`.
    pub base_postcode: String,
    pub radius_km: String,
    /// Opening and closing times for Monday to Sunday ("08:00", "20:00"); both empty = closed.
    #[serde(default)]
    pub hours: Vec<DayHours>,
    /// Languages spoken, separated by commas.
    pub languages: String,
    /// Codes from `SPECIALISMS`.
    #[serde(default)]
    pub specialisms: Vec<String>,
}

impl ListingForm {
    /// What a new listing's form starts with: the common choices already made.
    pub fn new_listing() -> Self {
        Self {
            unit: "hour".into(),
            min_visit_minutes: "30".into(),
            billing_increment_minutes: "15".into(),
            cancellation_notice_hours: "24".into(),
            late_cancellation_percent: "100".into(),
            carer_gender: "any".into(),
            hours: vec![DayHours::default(); 7],
            languages: "English".into(),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DayHours {
    pub opens: String,
    pub closes: String,
}

pub const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// What a listing can say it specialises in: (code, label).
pub const SPECIALISMS: &[(&str, &str)] = &[
    ("dementia", "Dementia"),
    ("autism", "Autism"),
    ("learning_disability", "Learning disability"),
    ("mental_health", "Mental health"),
    ("physical_disability", "Physical disability"),
    ("end_of_life", "End of life care"),
    ("sensory_impairment", "Sight or hearing loss"),
    ("stroke", "Life after a stroke"),
];

pub const CATEGORIES: &[&str] =
    &["home_care", "personal_assistant", "day_opportunities", "respite", "shared_lives", "community_activities", "cleaning_shopping", "equipment_telecare"];

pub const UNITS: &[&str] = &["hour", "visit", "session", "day", "week", "item"];
