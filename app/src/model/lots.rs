//! Frameworks and lots: the ranked tables and how commissioners manage them.
use serde::{Deserialize, Serialize};

stored_state! {
    /// Whether a provider is on CareMarket: the `providers.status` column's type.
    pub enum ProviderStatus {
        Active,
        Withdrawn,
    }
}

stored_state! {
    /// Whether a provider's place on a lot may take framework work: the `accreditations.status`
    /// column's type. A suspension always has its reason beside it.
    pub enum AccreditationStatus {
        Active,
        Suspended,
    }
}

/// A framework lot in the list of all lots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotSummary {
    pub id: i64,
    pub name: String,
    pub framework: String,
    pub locality: String,
    pub providers: u64,
}

/// A lot's public page: how its providers rank, and why (transparent choice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotTable {
    pub name: String,
    pub framework: String,
    pub locality: String,
    pub category: String,
    pub unit: String,
    pub price_cap_pence: i64,
    pub quality_weight: u32,
    pub ranked: Vec<LotRow>,
    /// Accredited providers the gates keep from framework work, with the reason.
    pub not_offered: Vec<(String, String)>,
    /// The top-ranked provider's service on the lot, to book as "best value on the framework".
    pub best_value_listing: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotRow {
    pub position: usize,
    pub provider: String,
    pub provider_public_id: String,
    /// Scores in hundredths of a point.
    pub quality: u32,
    pub price_score: u32,
    pub framework_score: u32,
    pub price_pence: i64,
    /// "2nd of 4 on North home care: quality 80 (no reviews yet), price £24.00 an hour"
    pub explanation: String,
}

/// What a commissioner sees to manage a lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotAdmin {
    pub accreditations: Vec<AccreditationRow>,
    /// Published services of the lot's kind in its area whose providers are not on it yet:
    /// (listing public id, "Provider: title (price)").
    pub could_admit: Vec<(String, String)>,
    /// "£30.00 an hour"
    pub price_cap: String,
    /// "30.00", for the terms form.
    pub price_cap_pounds: String,
    pub quality_weight: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccreditationRow {
    pub provider_public_id: String,
    pub provider: String,
    /// The contracted rate, like "£24.00 an hour".
    pub rate: String,
    /// Why the provider is suspended, when it is.
    pub suspension: Option<String>,
}

/// A commissioner's view of their council's frameworks, with what the "add a lot" form offers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FrameworkAdmin {
    pub frameworks: Vec<FrameworkRow>,
    /// (locality id, name) of the council's areas.
    pub localities: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkRow {
    pub id: i64,
    pub name: String,
    /// "1 April 2026 to 31 March 2030"
    pub period: String,
    /// (lot id, "North home care: cap £30.00 an hour, quality 60%")
    pub lots: Vec<(i64, String)>,
}

/// A new framework, as typed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FrameworkForm {
    pub name: String,
    /// `YYYY-MM-DD` (a date input).
    pub starts_on: String,
    pub ends_on: String,
}

/// A new lot on a framework, as typed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LotForm {
    pub framework_id: String,
    pub category: String,
    pub locality_id: String,
    pub unit: String,
    pub price_cap: String,
    pub quality_weight: String,
}

/// A commissioner's change to a lot. Providers are named by public id; every text is checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LotChange {
    Admit {
        listing_id: String,
        rate: String,
    },
    RecordMonitoring {
        provider_id: String,
        score: String,
        note: String,
    },
    Suspend {
        provider_id: String,
        reason: String,
    },
    Reinstate {
        provider_id: String,
    },
    /// A new price cap (pounds, as typed) and quality weighting (percent, as typed).
    Terms {
        price_cap: String,
        quality_weight: String,
    },
}

/// "86.25" from hundredths of a point.
pub fn format_score(hundredths: u32) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// The first line of a CQC ratings import: the columns, in order.
pub const RATINGS_CSV_HEADER: &str = "location id,rating,date";

/// The CQC ratings page (`/ratings`, commissioners): what the last import did, when just made,
/// and the latest rating changes of the council's providers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingsPage {
    pub changes: Vec<RatingChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingChange {
    pub provider: String,
    /// "Good", or none for the first rating recorded.
    pub previous: Option<String>,
    pub rating: String,
    /// "1 December 2026".
    pub rated_on: String,
}
