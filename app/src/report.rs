//! Commissioners' reports: which there are, what each is asked (filters and assumptions, as
//! typed in the address bar) and what it answers: one table of figures, which the chart
//! draws, the text summary describes and the CSV download repeats.
use crate::FieldError;
use serde::{Deserialize, Serialize};

/// A report's address (`/reports/<slug>`), name, what it shows, and the filters it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportInfo {
    pub slug: &'static str,
    pub title: &'static str,
    pub about: &'static str,
    pub filters: &'static [Filter],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Dates,
    Period,
    BreakDown,
    Category,
    Lot,
    Locality,
    Assumptions,
}

use Filter::*;

pub const REPORTS: &[ReportInfo] = &[
    ReportInfo {
        slug: "placements",
        title: "Placements through CareMarket",
        about: "How many care packages were placed through CareMarket and their weekly value, over time or by type of care, lot, provider, area or who placed them.",
        filters: &[Dates, Period, BreakDown, Category, Lot, Locality],
    },
    ReportInfo {
        slug: "electronic",
        title: "Placed through CareMarket or offline",
        about: "The share of placements made through CareMarket, against those recorded as made outside it.",
        filters: &[Dates, Period, Category, Locality],
    },
    ReportInfo {
        slug: "time-to-place",
        title: "Time to place",
        about: "How long from a request to the provider confirming it: the median and the 90th percentile.",
        filters: &[Dates, Period, Category, Lot, Locality],
    },
    ReportInfo {
        slug: "framework-share",
        title: "Framework share",
        about: "The weekly value of placements with providers on a framework lot, and off the framework.",
        filters: &[Dates, Period, Category, Locality],
    },
    ReportInfo {
        slug: "prices",
        title: "Prices against the cap",
        about: "The average unit price of placements on each framework lot, against the lot's price cap.",
        filters: &[Dates, Category, Lot, Locality],
    },
    ReportInfo {
        slug: "budgets",
        title: "Budget use",
        about: "Personal budgets by type: allocated and spent in the period, set aside and unspent now, and how many hold more than 8 weeks' worth.",
        filters: &[Dates],
    },
    ReportInfo {
        slug: "delivery",
        title: "Provider delivery",
        about: "Visits delivered against visits due, requests declined or not answered, and care handed back, for each provider.",
        filters: &[Dates, Category],
    },
    ReportInfo {
        slug: "savings",
        title: "Savings estimate",
        about: "An estimate of what placing care through CareMarket saves, from assumptions you can change.",
        filters: &[Dates, Assumptions],
    },
];

pub fn report_info(slug: &str) -> Option<&'static ReportInfo> {
    REPORTS.iter().find(|report| report.slug == slug)
}

/// Ways to break the placements report down ("period" is over time).
pub const BREAKDOWNS: &[(&str, &str)] = &[
    ("period", "Over time"),
    ("category", "Type of care"),
    ("lot", "Framework lot"),
    ("provider", "Provider"),
    ("locality", "Area"),
    ("channel", "Who placed it"),
];

pub const PERIODS: &[(&str, &str)] = &[("month", "Month"), ("week", "Week")];

/// Who placed a booking, in words.
pub fn channel_label(code: &str) -> &'static str {
    match code {
        "self" => "The person themselves",
        "planner" => "A support planner or family member",
        "council" => "Council staff",
        _ => "Someone else",
    }
}

/// What a report is asked, as typed (every field may be empty: the report fills in defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportQuery {
    /// First and last UK dates, "2026-04-01".
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// month or week.
    #[serde(default)]
    pub period: String,
    /// One of `BREAKDOWNS`.
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub lot: String,
    #[serde(default)]
    pub locality: String,
    /// Savings assumptions, in pounds and percent.
    #[serde(default)]
    pub manual_cost: String,
    #[serde(default)]
    pub electronic_cost: String,
    #[serde(default)]
    pub price_change: String,
    #[serde(default)]
    pub spend: String,
}

impl ReportQuery {
    const NAMES: [&'static str; 11] = ["from", "to", "period", "by", "category", "lot", "locality", "manual_cost", "electronic_cost", "price_change", "spend"];

    fn values(&self) -> [&String; 11] {
        [
            &self.from,
            &self.to,
            &self.period,
            &self.by,
            &self.category,
            &self.lot,
            &self.locality,
            &self.manual_cost,
            &self.electronic_cost,
            &self.price_change,
            &self.spend,
        ]
    }

    /// Reads the query from the address bar, as the server and the browser both see it.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let [from, to, period, by, category, lot, locality, manual_cost, electronic_cost, price_change, spend] =
            Self::NAMES.map(|name| get(name).unwrap_or_default());
        Self { from, to, period, by, category, lot, locality, manual_cost, electronic_cost, price_change, spend }
    }

    /// The query string (empty fields left out), for the CSV link and the breakdown links.
    pub fn to_query(&self) -> String {
        Self::NAMES
            .iter()
            .zip(self.values())
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(name, value)| format!("{name}={}", crate::encode_query_value(value.trim())))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// One cell of a report's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Figure {
    Label(String),
    Count(i64),
    Pence(i64),
    /// Hundredths of a percent (1234 is 12.34%); none when there is nothing to divide by.
    Percent(Option<i64>),
    /// Whole minutes; none when there is nothing to measure.
    Minutes(Option<i64>),
}

impl Figure {
    /// For reading on the page: "£1,234.50", "12.3%", "2 h 5 min", "–" for none.
    pub fn shown(&self) -> String {
        match self {
            Self::Label(text) => text.clone(),
            Self::Count(count) => format!("{}{}", if *count < 0 { "-" } else { "" }, crate::group_thousands(count.unsigned_abs())),
            Self::Pence(pence) => crate::format_pence(*pence),
            Self::Percent(Some(hundredths)) => format!("{}%", percent_in_tenths(*hundredths)),
            Self::Minutes(Some(minutes)) => match (minutes / 60, minutes % 60) {
                (0, minutes) => format!("{minutes} min"),
                (hours, 0) => format!("{hours} h"),
                (hours, minutes) => format!("{hours} h {minutes} min"),
            },
            Self::Percent(None) | Self::Minutes(None) => "–".into(),
        }
    }

    /// For a spreadsheet: the same figures as the page, as plain numbers (pounds as "1234.50",
    /// percent as "12.3", minutes), empty for none.
    pub fn csv(&self) -> String {
        match self {
            Self::Label(text) => text.clone(),
            Self::Count(count) => count.to_string(),
            Self::Pence(pence) => crate::pounds_text(*pence),
            Self::Percent(Some(hundredths)) => percent_in_tenths(*hundredths),
            Self::Minutes(Some(minutes)) => minutes.to_string(),
            Self::Percent(None) | Self::Minutes(None) => String::new(),
        }
    }

    /// The number a chart draws (pence, hundredths of a percent, minutes, a count).
    pub fn number(&self) -> Option<i64> {
        match self {
            Self::Label(_) => None,
            Self::Count(value) | Self::Pence(value) => Some(*value),
            Self::Percent(value) | Self::Minutes(value) => *value,
        }
    }
}

/// `part` as a share of `whole`, in hundredths of a percent, rounded half up.
/// "12.3" for 1,234 hundredths of a percent (half a tenth away from zero).
fn percent_in_tenths(hundredths: i64) -> String {
    let tenths = (hundredths.abs() + 5) / 10 * hundredths.signum();
    format!("{}{}.{}", if tenths < 0 { "-" } else { "" }, tenths.abs() / 10, tenths.abs() % 10)
}

pub fn share(part: i64, whole: i64) -> Figure {
    Figure::Percent((whole != 0).then(|| (part * 10_000 + whole / 2).div_euclid(whole)))
}

/// The council's own choices a report's filters offer, (value, label); types of care are
/// the same everywhere (`category_choices`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportChoices {
    pub lots: Vec<(String, String)>,
    pub localities: Vec<(String, String)>,
}

/// A report's answer. `rows[n][0]` labels the row; `chart` names the columns drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub slug: String,
    pub title: String,
    /// What was asked, with the defaults filled in.
    pub query: ReportQuery,
    /// Problems with the filters; when there are any there are no figures.
    pub errors: Vec<FieldError>,
    pub choices: ReportChoices,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Figure>>,
    /// The columns the chart draws, one bar each per row.
    pub chart: Vec<usize>,
    /// The chart in words.
    pub summary: String,
    /// How the figures are counted.
    pub notes: Vec<String>,
}

/// The first line of an offline placements import: the columns, in order.
pub const OFFLINE_CSV_HEADER: &str = "date,type of care,area,weekly value";

/// A placement made outside CareMarket, as typed into the form (or one row of an import).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflinePlacementForm {
    /// "2026-04-01"
    #[serde(default)]
    pub placed_on: String,
    /// A type of care's code or name.
    #[serde(default)]
    pub category: String,
    /// An area's id (the form) or name (an import); may be empty.
    #[serde(default)]
    pub locality: String,
    /// Pounds, like "350.00".
    #[serde(default)]
    pub weekly_value: String,
}

/// The offline placements page: what can be chosen and the latest recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflinePlacements {
    /// The council's areas: (id, name).
    pub localities: Vec<(String, String)>,
    pub recorded: i64,
    pub latest: Vec<OfflinePlacementLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflinePlacementLine {
    pub placed_on: String,
    pub category: String,
    pub area: String,
    pub weekly_value_pence: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_well_and_export_plainly() {
        assert_eq!(Figure::Count(1_234_567).shown(), "1,234,567");
        assert_eq!(Figure::Percent(Some(1_234)).shown(), "12.3%");
        assert_eq!(Figure::Percent(Some(-1_250)).shown(), "-12.5%");
        assert_eq!(Figure::Percent(Some(1_234)).csv(), "12.3", "the CSV holds the figure the page shows");
        assert_eq!(Figure::Percent(Some(-1_250)).csv(), "-12.5");
        assert_eq!(Figure::Minutes(Some(125)).shown(), "2 h 5 min");
        assert_eq!(Figure::Minutes(Some(45)).shown(), "45 min");
        assert_eq!(Figure::Minutes(None).shown(), "–");
        assert_eq!(Figure::Minutes(None).csv(), "");
        assert_eq!(Figure::Pence(123_450).csv(), "1234.50");
        assert_eq!(share(1, 3), Figure::Percent(Some(3_333)));
        assert_eq!(share(2, 3), Figure::Percent(Some(6_667)));
        assert_eq!(share(1, 0), Figure::Percent(None));
    }

    #[test]
    fn a_query_survives_the_address_bar() {
        let query = ReportQuery { from: "2026-01-01".into(), by: "lot".into(), manual_cost: "120.50".into(), ..Default::default() };
        let text = query.to_query();
        assert_eq!(text, "from=2026-01-01&by=lot&manual_cost=120.50");
        let pairs: Vec<(String, String)> = text.split('&').map(|pair| pair.split_once('=').map(|(k, v)| (k.into(), v.into())).unwrap_or_default()).collect();
        let read = ReportQuery::from_query(|name| pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone()));
        assert_eq!(read, query);
    }
}
