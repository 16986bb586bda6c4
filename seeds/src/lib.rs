//! Deterministic data sets for CareMarket: the same size and seed always give the same data.
//!
//! * `demo`: one council, three localities of real Newcastle postcode districts, about 60
//!   providers and 300 listings, two frameworks with lots, about 200 budget holders of all
//!   three budget types, planners, commissioners and some booking history.
//! * `bench`: 2,000 providers, 20,000 listings, 50,000 budget holders and 1,000,000
//!   historical bookings, the last year of them with their care (about a million visits,
//!   the ledger's allocations, settlements and payment runs, queries and recoveries), for
//!   measuring search, bookings and reports.
//!
//! This crate only generates plain values; the server's `seed` command loads them.

mod care;
mod catalogue;
mod places;
mod rng;

pub use care::{CARE_YEAR_DAYS, Outcome, Query, Recovery, Visit, care_year_starts};
use catalogue::{CATEGORIES, Category, FIRST_NAMES, LANGUAGES, LAST_NAMES, NAME_PLACES, SPECIALISMS};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
pub use rng::Rng;

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 2026;
/// Every seeded account signs in with this password (the demo is public; so is this).
pub const DEMO_PASSWORD: &str = "caremarket-demo";
/// The well-known demo accounts, one per role, printed when CareMarket starts.
pub const DEMO_LOGINS: &[(&str, &str)] = &[
    ("Budget holder", "holder@demo.test"),
    ("Support planner", "planner@demo.test"),
    ("Provider staff", "provider@demo.test"),
    ("Commissioner", "commissioner@demo.test"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Demo,
    Bench,
}

impl Size {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "demo" => Some(Self::Demo),
            "bench" => Some(Self::Bench),
            _ => None,
        }
    }

    fn counts(self) -> Counts {
        match self {
            Self::Demo => {
                Counts { providers: 60, listings_per_provider: 5, budget_holders: 200, planners: 8, commissioners: 3, bookings: 3_000, care_year: false }
            }
            Self::Bench => Counts {
                providers: 2_000,
                listings_per_provider: 10,
                budget_holders: 50_000,
                planners: 200,
                commissioners: 10,
                bookings: 1_000_000,
                care_year: true,
            },
        }
    }
}

struct Counts {
    providers: usize,
    listings_per_provider: usize,
    budget_holders: usize,
    planners: usize,
    commissioners: usize,
    bookings: usize,
    care_year: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Council {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Locality {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct District {
    pub code: String,
    /// The everyday name of the area ("Gosforth"), used in listing titles.
    pub area: String,
    pub locality_id: i64,
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    pub id: i64,
    pub public_id: String,
    pub name: String,
    pub description: String,
    pub regulator_id: Option<String>,
    pub regulator_rating: &'static str,
    pub contact_email: String,
    pub contact_phone: String,
    pub website: Option<String>,
    pub languages: String,
    pub locality_id: i64,
    pub assured_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub id: i64,
    pub public_id: String,
    pub provider_id: i64,
    pub category: &'static str,
    pub title: String,
    pub description: String,
    pub unit: &'static str,
    pub price_pence: i64,
    pub min_visit_minutes: i32,
    pub billing_increment_minutes: i32,
    pub cancellation_notice_hours: i32,
    pub late_cancellation_percent: i32,
    pub carer_gender: &'static str,
    pub base_district: Option<String>,
    pub radius_km: Option<i32>,
    pub status: &'static str,
    pub assured_at: DateTime<Utc>,
    pub specialisms: Vec<&'static str>,
    pub languages: Vec<&'static str>,
    pub areas: Vec<String>,
    /// (weekday 1-7, opens minute, closes minute)
    pub availability: Vec<(i16, i32, i32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: &'static str,
    pub provider_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Framework {
    pub id: i64,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lot {
    pub id: i64,
    pub framework_id: i64,
    pub name: String,
    pub category: &'static str,
    pub locality_id: i64,
    pub unit: &'static str,
    pub price_cap_pence: i64,
    pub quality_weight: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Accreditation {
    pub id: i64,
    pub lot_id: i64,
    pub provider_id: i64,
    pub listing_id: i64,
    pub contracted_rate_pence: i64,
    pub suspension_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringScore {
    pub id: i64,
    pub provider_id: i64,
    pub lot_id: i64,
    pub score: i32,
    pub note: String,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub id: i64,
    pub holder_id: i64,
    pub budget_type: &'static str,
    pub isf_provider_id: Option<i64>,
    pub four_weekly_allocation_pence: i64,
    pub four_weekly_contribution_pence: i64,
    pub starts_on: NaiveDate,
}

/// A booking from the history window (before `HISTORY_ENDS`), for reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Booking {
    pub id: i64,
    pub reference: String,
    pub listing_id: i64,
    pub provider_id: i64,
    pub person_id: i64,
    pub budget_id: i64,
    pub placed_by: i64,
    pub channel: &'static str,
    pub lot_id: Option<i64>,
    pub status: &'static str,
    pub weekdays: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub unit_price_pence: i64,
    pub unit: &'static str,
    pub committed_pence: i64,
    pub requested_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub closed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub size: Size,
    pub seed: u64,
    pub council: Council,
    pub localities: Vec<Locality>,
    pub districts: Vec<District>,
    pub providers: Vec<Provider>,
    pub listings: Vec<Listing>,
    pub users: Vec<User>,
    pub frameworks: Vec<Framework>,
    pub lots: Vec<Lot>,
    pub accreditations: Vec<Accreditation>,
    pub monitoring_scores: Vec<MonitoringScore>,
    pub budgets: Vec<Budget>,
    pub booking_count: usize,
    /// Whether the last year of the history has its care: visits, allocations, payment runs
    /// and recoveries (`care`). The demo's budget holders start with no visits.
    pub has_care_year: bool,
}

/// Seeded history ends here, so the data never depends on the day it is generated.
pub fn history_ends() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).single().unwrap_or_default()
}

const HISTORY_DAYS: i64 = 730;

/// Builds the data set of this size from this seed.
pub fn generate(size: Size, seed: u64) -> Dataset {
    let counts = size.counts();
    let root = Rng::new(seed);
    let council = Council { id: 1, name: "Tyneside Demo Council".into(), slug: "tyneside-demo".into() };

    let mut localities = Vec::new();
    let mut districts = Vec::new();
    for (index, (name, places)) in places::LOCALITIES.iter().enumerate() {
        let locality_id = index as i64 + 1;
        localities.push(Locality { id: locality_id, name: (*name).into() });
        for place in *places {
            districts.push(District {
                code: place.district.into(),
                area: place.area.into(),
                locality_id,
                latitude: place.latitude,
                longitude: place.longitude,
            });
        }
    }

    let (providers, listings) = directory(&mut root.fork(1), &counts, &districts);
    let users = people(&mut root.fork(2), &counts, &providers);
    let (frameworks, lots) = frameworks();
    let accreditations = accreditations(&mut root.fork(3), &lots, &providers, &listings);
    let commissioner_id = users.iter().find(|user| user.role == "commissioner").map_or(1, |user| user.id);
    let monitoring_scores = monitoring_scores(&mut root.fork(4), &accreditations, commissioner_id);
    let budgets = budgets(&mut root.fork(5), &users, &providers);

    Dataset {
        size,
        seed,
        council,
        localities,
        districts,
        providers,
        listings,
        users,
        frameworks,
        lots,
        accreditations,
        monitoring_scores,
        budgets,
        booking_count: counts.bookings,
        has_care_year: counts.care_year,
    }
}

fn directory(rng: &mut Rng, counts: &Counts, districts: &[District]) -> (Vec<Provider>, Vec<Listing>) {
    let mut providers = Vec::with_capacity(counts.providers);
    let mut listings = Vec::with_capacity(counts.providers * counts.listings_per_provider);
    let assured_base = history_ends();
    let mut used_names = std::collections::HashSet::new();
    for index in 0..counts.providers {
        let id = index as i64 + 1;
        // The first provider is the demo provider's organisation: a home care agency.
        let category = if index == 0 { &CATEGORIES[0] } else { catalogue::pick_category(rng) };
        let home = rng.pick(districts).clone();
        let place = rng.pick(NAME_PLACES);
        let suffix = rng.pick(category.name_suffixes);
        let mut name = format!("{place} {suffix}");
        if !used_names.insert(name.clone()) {
            name = format!("{place} {suffix} ({})", home.code);
            if !used_names.insert(name.clone()) {
                name = format!("{place} {suffix} {}", index + 1);
                used_names.insert(name.clone());
            }
        }
        let regulated = category.regulated;
        let rating = if regulated {
            *rng.weighted(&[("outstanding", 5), ("good", 74), ("requires_improvement", 15), ("inadequate", 2), ("not_yet_rated", 4)])
        } else {
            "not_regulated"
        };
        let slug: String = name.to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
        let mut provider_languages = vec!["English"];
        if rng.chance(35) {
            provider_languages.push(*rng.pick(&LANGUAGES[1..]));
        }
        providers.push(Provider {
            id,
            public_id: rng.uuid(),
            description: format!("{name} provides {} across {} and nearby areas. {}", category.plural.to_lowercase(), home.code, category.blurb),
            regulator_id: regulated.then(|| format!("1-{:09}", 100_000_000 + id * 7919)),
            regulator_rating: rating,
            contact_email: format!("hello@{slug}.example"),
            contact_phone: format!("0191 {:03} {:04}", rng.between(200, 999), rng.between(0, 9999)),
            website: rng.chance(70).then(|| format!("https://{slug}.example")),
            languages: provider_languages.join(", "),
            locality_id: home.locality_id,
            assured_at: assured_base - Duration::days(rng.between(1, 300)),
            name,
        });
        let provider = &providers[index];
        for offer in 0..counts.listings_per_provider {
            // Most of what a provider lists is its main line of work.
            let category = if offer < 3 || rng.chance(60) { category } else { catalogue::pick_category(rng) };
            listings.push(listing(rng, listings.len() as i64 + 1, provider, category, &home, districts));
        }
    }
    (providers, listings)
}

fn listing(rng: &mut Rng, id: i64, provider: &Provider, category: &Category, home: &District, districts: &[District]) -> Listing {
    let (unit, low, high) = category.price;
    let price_pence = rng.between(low / 10, high / 10) * 10;
    let mut specialisms: Vec<&'static str> = Vec::new();
    for _ in 0..rng.between(0, 3) {
        let specialism = *rng.pick(SPECIALISMS);
        if !specialisms.contains(&specialism) {
            specialisms.push(specialism);
        }
    }
    specialisms.sort_unstable();
    let mut languages = vec!["English"];
    if rng.chance(25) {
        languages.push(*rng.pick(&LANGUAGES[1..]));
    }
    let mut areas: Vec<String> = districts
        .iter()
        .filter(|district| district.locality_id == home.locality_id && (district.code == home.code || rng.chance(60)))
        .map(|district| district.code.clone())
        .collect();
    areas.sort_unstable();
    let radius_km = (category.visits_home && rng.chance(30)).then(|| rng.between(3, 12) as i32);
    let kind = *rng.pick(category.titles);
    let title = format!("{kind} {}", catalogue::area_phrase(rng, home));
    // What the title promises, the listing says (without drawing again, so the data set stays the same).
    if catalogue::DEMENTIA_TITLES.contains(&kind) && !specialisms.contains(&"dementia") {
        specialisms.push("dementia");
        specialisms.sort_unstable();
    }
    let availability = if kind == catalogue::NIGHT_TITLE { catalogue::EVERY_DAY_7_TO_MIDNIGHT.to_vec() } else { category.opening_hours.to_vec() };
    let status = *rng.weighted(&[("published", 92), ("draft", 5), ("paused", 3)]);
    let carer_gender = if category.personal_care { *rng.weighted(&[("any", 80), ("female", 15), ("male", 5)]) } else { "any" };
    Listing {
        id,
        public_id: rng.uuid(),
        provider_id: provider.id,
        category: category.code,
        description: format!("{} {}", category.blurb, catalogue::listing_detail(rng, category)),
        title,
        unit,
        price_pence,
        min_visit_minutes: category.min_visit_minutes,
        billing_increment_minutes: *rng.pick(&[15, 15, 5, 30]),
        cancellation_notice_hours: *rng.pick(&[24, 24, 48, 12]),
        late_cancellation_percent: *rng.pick(&[0, 50, 100]),
        carer_gender,
        base_district: radius_km.map(|_| home.code.clone()),
        radius_km,
        status,
        assured_at: provider.assured_at - Duration::days(rng.between(0, 200)),
        specialisms,
        languages,
        areas,
        availability,
    }
}

fn people(rng: &mut Rng, counts: &Counts, providers: &[Provider]) -> Vec<User> {
    let mut users = Vec::new();
    let mut add = |rng: &mut Rng, email: String, role: &'static str, provider_id: Option<i64>| {
        let display_name = format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
        users.push(User { id: users.len() as i64 + 1, email, display_name, role, provider_id });
    };
    for n in 0..counts.commissioners {
        let email = if n == 0 { "commissioner@demo.test".into() } else { format!("commissioner{n:03}@demo.test") };
        add(rng, email, "commissioner", None);
    }
    for n in 0..counts.planners {
        let email = if n == 0 { "planner@demo.test".into() } else { format!("planner{n:04}@demo.test") };
        add(rng, email, "planner", None);
    }
    for (n, provider) in providers.iter().enumerate() {
        let email = if n == 0 { "provider@demo.test".into() } else { format!("provider{n:05}@demo.test") };
        add(rng, email, "provider", Some(provider.id));
    }
    for n in 0..counts.budget_holders {
        let email = if n == 0 { "holder@demo.test".into() } else { format!("holder{n:06}@demo.test") };
        add(rng, email, "budget_holder", None);
    }
    users
}

fn frameworks() -> (Vec<Framework>, Vec<Lot>) {
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let frameworks = vec![
        Framework { id: 1, name: "Home care 2026 to 2030".into(), starts_on: date(2026, 4, 1), ends_on: date(2030, 3, 31) },
        Framework { id: 2, name: "Day opportunities and short breaks 2025 to 2029".into(), starts_on: date(2025, 4, 1), ends_on: date(2029, 3, 31) },
    ];
    // (framework, category, unit, cap in pence, quality weight)
    let lot_kinds: [(i64, &'static str, &'static str, i64, i32); 3] =
        [(1, "home_care", "hour", 3_000, 60), (2, "day_opportunities", "day", 6_500, 60), (2, "respite", "day", 14_500, 70)];
    let mut lots = Vec::new();
    for (framework_id, category, unit, cap, weight) in lot_kinds {
        let label = CATEGORIES.iter().find(|c| c.code == category).map_or(category, |c| c.plural);
        for (index, (locality, _)) in places::LOCALITIES.iter().enumerate() {
            lots.push(Lot {
                id: lots.len() as i64 + 1,
                framework_id,
                name: format!("{locality} {}", label.to_lowercase()),
                category,
                locality_id: index as i64 + 1,
                unit,
                price_cap_pence: cap,
                quality_weight: weight,
            });
        }
    }
    (frameworks, lots)
}

fn accreditations(rng: &mut Rng, lots: &[Lot], providers: &[Provider], listings: &[Listing]) -> Vec<Accreditation> {
    let mut accreditations = Vec::new();
    for lot in lots {
        for provider in providers.iter().filter(|p| p.locality_id == lot.locality_id) {
            // A provider is accredited on a lot through its cheapest published listing there, if under the cap.
            let offer = listings
                .iter()
                .filter(|l| {
                    l.provider_id == provider.id
                        && l.category == lot.category
                        && l.unit == lot.unit
                        && l.status == "published"
                        && l.price_pence <= lot.price_cap_pence
                })
                .min_by_key(|l| (l.price_pence, l.id));
            let Some(offer) = offer else { continue };
            if !rng.chance(80) {
                continue;
            }
            let suspension_reason = rng.chance(5).then(|| "Suspended after contract monitoring found missed visits; under review.".to_string());
            accreditations.push(Accreditation {
                id: accreditations.len() as i64 + 1,
                lot_id: lot.id,
                provider_id: provider.id,
                listing_id: offer.id,
                contracted_rate_pence: offer.price_pence,
                suspension_reason,
            });
        }
    }
    accreditations
}

fn monitoring_scores(rng: &mut Rng, accreditations: &[Accreditation], commissioner_id: i64) -> Vec<MonitoringScore> {
    accreditations
        .iter()
        .enumerate()
        .map(|(index, accreditation)| MonitoringScore {
            id: index as i64 + 1,
            provider_id: accreditation.provider_id,
            lot_id: accreditation.lot_id,
            score: rng.between(52, 98) as i32,
            note: "Quarterly contract monitoring visit.".into(),
            recorded_by: commissioner_id,
            recorded_at: history_ends() - Duration::days(rng.between(5, 90)),
        })
        .collect()
}

fn budgets(rng: &mut Rng, users: &[User], providers: &[Provider]) -> Vec<Budget> {
    let home_care_providers: Vec<i64> = providers.iter().filter(|p| p.regulator_rating != "not_regulated").map(|p| p.id).collect();
    users
        .iter()
        .filter(|user| user.role == "budget_holder")
        .enumerate()
        .map(|(index, holder)| {
            let budget_type =
                if index == 0 { "direct_payment" } else { *rng.weighted(&[("direct_payment", 55), ("managed_account", 35), ("individual_service_fund", 10)]) };
            // A realistic package: 3 to 25 hours a week at about £28 an hour.
            let weekly_hours = rng.between(3, 25);
            let contribution_weekly = if rng.chance(40) { 0 } else { rng.between(10, 120) * 100 };
            Budget {
                id: index as i64 + 1,
                holder_id: holder.id,
                budget_type,
                isf_provider_id: (budget_type == "individual_service_fund").then(|| *rng.pick(&home_care_providers)),
                four_weekly_allocation_pence: weekly_hours * 2_800 * 4,
                four_weekly_contribution_pence: (contribution_weekly * 4).min(weekly_hours * 2_800 * 4),
                starts_on: (history_ends() - Duration::days(rng.between(30, HISTORY_DAYS))).date_naive(),
            }
        })
        .collect()
}

impl Dataset {
    /// The booking history, generated one at a time so a million bookings never sit in memory.
    pub fn bookings(&self) -> impl Iterator<Item = Booking> + '_ {
        let mut rng = Rng::new(self.seed).fork(6);
        let published: Vec<&Listing> = self.listings.iter().filter(|l| l.status == "published").collect();
        let planners: Vec<i64> = self.users.iter().filter(|u| u.role == "planner").map(|u| u.id).collect();
        let commissioners: Vec<i64> = self.users.iter().filter(|u| u.role == "commissioner").map(|u| u.id).collect();
        let lot_of_listing: std::collections::HashMap<i64, i64> =
            self.accreditations.iter().filter(|a| a.suspension_reason.is_none()).map(|a| (a.listing_id, a.lot_id)).collect();
        let start = history_ends() - Duration::days(HISTORY_DAYS);
        (0..self.booking_count).map(move |index| {
            let id = index as i64 + 1;
            let listing = *rng.pick(&published);
            let budget = rng.pick(&self.budgets);
            let channel = *rng.weighted(&[("self", 50), ("planner", 35), ("council", 15)]);
            let placed_by = match channel {
                "planner" => *rng.pick(&planners),
                "council" => *rng.pick(&commissioners),
                _ => budget.holder_id,
            };
            // History holds closed bookings only; live ones are made through the booking journey.
            let status = *rng.weighted(&[("completed", 75), ("cancelled", 10), ("declined", 9), ("lapsed", 6)]);
            let requested_at = start + Duration::minutes(rng.between(0, HISTORY_DAYS * 24 * 60 - 1));
            let was_confirmed = matches!(status, "completed" | "cancelled");
            let confirmed_at = was_confirmed.then(|| requested_at + Duration::minutes(rng.between(10, 72 * 60)));
            let closed_at = if was_confirmed { requested_at + Duration::days(rng.between(7, 120)) } else { requested_at + Duration::hours(rng.between(1, 24)) };
            let weekly = rng.chance(60);
            let weekdays = weekly.then(|| {
                let days = rng.between(1, 7);
                (1..=days).map(|d| char::from(b'0' + d as u8)).collect::<String>()
            });
            let duration_minutes = match listing.unit {
                "hour" => (rng.between(2, 8) * 15).max(i64::from(listing.min_visit_minutes)) as i32,
                "day" => 360,
                "session" => 180,
                _ => 60,
            };
            let per_visit = if listing.unit == "hour" { listing.price_pence * i64::from(duration_minutes) / 60 } else { listing.price_pence };
            let visits_in_horizon = weekdays.as_ref().map_or(1, |days| days.len() as i64 * 4);
            Booking {
                id,
                reference: format!("CM-H{id:07}"),
                listing_id: listing.id,
                provider_id: listing.provider_id,
                person_id: budget.holder_id,
                budget_id: budget.id,
                placed_by,
                channel,
                lot_id: lot_of_listing.get(&listing.id).copied(),
                status,
                weekdays,
                starts_at: requested_at + Duration::days(rng.between(1, 14)),
                duration_minutes,
                unit_price_pence: listing.price_pence,
                unit: listing.unit,
                committed_pence: if was_confirmed { per_visit * visits_in_horizon } else { 0 },
                requested_at,
                confirmed_at,
                closed_at,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_generates_the_same_data() {
        let first = generate(Size::Demo, 7);
        assert_eq!(first, generate(Size::Demo, 7));
        assert_eq!(first.bookings().take(500).collect::<Vec<_>>(), generate(Size::Demo, 7).bookings().take(500).collect::<Vec<_>>());
        assert_ne!(first.providers, generate(Size::Demo, 8).providers);
    }

    #[test]
    fn demo_has_the_promised_shape() {
        let data = generate(Size::Demo, DEFAULT_SEED);
        assert_eq!(data.providers.len(), 60);
        assert_eq!(data.listings.len(), 300);
        assert_eq!(data.localities.len(), 3);
        assert_eq!(data.frameworks.len(), 2);
        assert_eq!(data.budgets.len(), 200);
        for budget_type in ["direct_payment", "managed_account", "individual_service_fund"] {
            assert!(data.budgets.iter().any(|b| b.budget_type == budget_type), "no {budget_type}");
        }
        for category in CATEGORIES {
            assert!(data.listings.iter().any(|l| l.category == category.code), "no {}", category.code);
        }
        for login in DEMO_LOGINS {
            assert!(data.users.iter().any(|u| u.email == login.1), "missing {}", login.1);
        }
        let home_care: Vec<_> = data.listings.iter().filter(|l| l.category == "home_care").collect();
        assert!(home_care.iter().all(|l| (2_400..=3_600).contains(&l.price_pence) && l.unit == "hour"));
        let regulated: Vec<_> = data.providers.iter().filter(|p| p.regulator_rating != "not_regulated").collect();
        let rated = |rating: &str| regulated.iter().filter(|p| p.regulator_rating == rating).count();
        assert!(rated("good") > regulated.len() / 2, "most regulated providers are rated Good");
        assert!(rated("inadequate") < regulated.len() / 10, "few are rated Inadequate");
    }

    #[test]
    fn names_and_public_ids_are_unique() {
        let data = generate(Size::Demo, DEFAULT_SEED);
        let names: std::collections::HashSet<_> = data.providers.iter().map(|p| &p.name).collect();
        assert_eq!(names.len(), data.providers.len());
        let ids: std::collections::HashSet<_> = data.listings.iter().map(|l| &l.public_id).collect();
        assert_eq!(ids.len(), data.listings.len());
    }

    #[test]
    fn accreditations_are_never_above_the_lot_cap() {
        let data = generate(Size::Demo, DEFAULT_SEED);
        assert!(!data.accreditations.is_empty());
        for accreditation in &data.accreditations {
            let lot = &data.lots[(accreditation.lot_id - 1) as usize];
            assert!(accreditation.contracted_rate_pence <= lot.price_cap_pence);
        }
    }

    #[test]
    fn bench_has_the_promised_counts() {
        let data = generate(Size::Bench, DEFAULT_SEED);
        assert_eq!(data.providers.len(), 2_000);
        assert_eq!(data.listings.len(), 20_000);
        assert_eq!(data.budgets.len(), 50_000);
        assert_eq!(data.booking_count, 1_000_000);
        let names: std::collections::HashSet<_> = data.providers.iter().map(|p| &p.name).collect();
        assert_eq!(names.len(), data.providers.len());
    }

    #[test]
    fn booking_history_is_consistent() {
        let data = generate(Size::Demo, DEFAULT_SEED);
        for booking in data.bookings() {
            assert!(booking.requested_at < history_ends());
            if let Some(confirmed) = booking.confirmed_at {
                assert!(confirmed > booking.requested_at);
            }
            assert_eq!(booking.confirmed_at.is_some(), booking.committed_pence > 0);
        }
    }

    #[test]
    fn a_care_year_is_consistent() {
        let mut data = generate(Size::Demo, DEFAULT_SEED);
        assert_eq!(data.care_year().count(), 0, "the demo's holders start with no visits");
        data.has_care_year = true;
        let mut visits = 0;
        for (booking, booked) in data.care_year() {
            assert_eq!(booking.status, "completed");
            assert!(booked.len() <= 6 && (booking.weekdays.is_some() || booked.len() == 1));
            assert!(booked.windows(2).all(|pair| pair[0].scheduled_start < pair[1].scheduled_start));
            for visit in &booked {
                assert!(visit.scheduled_start >= care_year_starts() && visit.scheduled_start >= booking.starts_at);
                assert!(visit.scheduled_start + Duration::minutes(i64::from(visit.scheduled_minutes)) <= booking.closed_at.min(history_ends()));
                if let Outcome::Delivered { checked_in_at, confirmed_at, query } = &visit.outcome {
                    assert!(confirmed_at.is_none_or(|at| at > *checked_in_at));
                    assert_eq!(confirmed_at.is_none(), query.as_ref().is_some_and(|q| q.answer.is_none()), "only unanswered queries wait");
                }
            }
            visits += booked.len();
        }
        assert!(visits > 300, "{visits} visits");
        // Every budget is paid each 4-week period of the year it had started by, once.
        let mut periods = std::collections::HashSet::new();
        for (budget_id, start, paid_at) in data.allocations() {
            assert!(periods.insert((budget_id, start)));
            assert!(paid_at <= history_ends() && start + Duration::days(28) > care_year_starts().date_naive());
        }
        assert!(periods.len() > data.budgets.len() * 5);
        assert_eq!(data.payment_runs().len(), 11);
        assert!(data.recoveries().len() >= 8);
    }
}
