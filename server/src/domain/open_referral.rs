//! The directory as open data: Open Referral UK (HSDS 3.0, UK profile), read-only and public.
//!
//! Provider = organization, published listing = service, the district a service is based in =
//! location, price = cost_option, weekly hours = schedule, districts served = service_area,
//! type of care and specialisms = taxonomy terms. Drafts, paused listings and withdrawn
//! providers are never published. Every id is a UUID: our own public ids for organizations and
//! services, and name-based (version 5) UUIDs derived from them for everything else, so an id
//! never changes between requests.
use super::directory::{district_centres, documents};
use crate::entities::{listing, listing_attribute, postcode_district, provider};
use crate::error::{AppError, AppResult};
use crate::search::ListingDocument;
use app::{CATEGORIES, ListingStatus, ProviderStatus, SPECIALISMS, WEEKDAYS, category_label, format_clock, format_price};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

pub const HSDS_VERSION: &str = "HSDS 3.0";
pub const UK_PROFILE: &str = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md";
pub const MAX_PER_PAGE: u64 = 200;
const DEFAULT_PER_PAGE: u64 = 50;

/// Names the ids of things we do not store as rows (taxonomies and their terms).
const NAMESPACE: Uuid = Uuid::from_u128(0x6b1f_3c2e_0a5d_4e7b_9c41_2d8e_5f60_a713);

/// Which page of a list, already checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paging {
    pub page: u64,
    pub per_page: u64,
}

impl Default for Paging {
    fn default() -> Self {
        Self { page: 1, per_page: DEFAULT_PER_PAGE }
    }
}

/// A taxonomy term we publish: a type of care or a specialism.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Term {
    Category(&'static str),
    Specialism(&'static str),
}

impl Term {
    fn all() -> impl Iterator<Item = Term> {
        CATEGORIES.iter().map(|code| Term::Category(code)).chain(SPECIALISMS.iter().map(|(code, _)| Term::Specialism(code)))
    }

    pub fn id(self) -> Uuid {
        match self {
            Term::Category(code) => Uuid::new_v5(&NAMESPACE, format!("taxonomy_term/care_type/{code}").as_bytes()),
            Term::Specialism(code) => Uuid::new_v5(&NAMESPACE, format!("taxonomy_term/specialism/{code}").as_bytes()),
        }
    }

    pub fn find(id: Uuid) -> Option<Term> {
        Term::all().find(|term| term.id() == id)
    }

    fn taxonomy(self) -> Taxonomy {
        match self {
            Term::Category(_) => Taxonomy::CareTypes,
            Term::Specialism(_) => Taxonomy::Specialisms,
        }
    }

    fn json(self) -> Value {
        let (code, name, description) = match self {
            Term::Category(code) => (code, category_label(code), format!("Services of this type of care and support: {}", category_label(code))),
            Term::Specialism(code) => {
                let label = app::specialism_label(code);
                (code, label, format!("Services whose staff are trained and experienced in supporting people with: {label}"))
            }
        };
        let taxonomy = self.taxonomy();
        json!({
            "id": self.id(),
            "code": code,
            "name": name,
            "description": description,
            "taxonomy": taxonomy.name(),
            "taxonomy_id": taxonomy.id(),
            "taxonomy_detail": taxonomy.json(),
            "language": "en",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Taxonomy {
    CareTypes,
    Specialisms,
}

impl Taxonomy {
    const ALL: [Taxonomy; 2] = [Taxonomy::CareTypes, Taxonomy::Specialisms];

    pub fn find(id: Uuid) -> Option<Taxonomy> {
        Taxonomy::ALL.into_iter().find(|taxonomy| taxonomy.id() == id)
    }

    fn id(self) -> Uuid {
        Uuid::new_v5(&NAMESPACE, format!("taxonomy/{}", self.name()).as_bytes())
    }

    fn name(self) -> &'static str {
        match self {
            Taxonomy::CareTypes => "CareMarket types of care",
            Taxonomy::Specialisms => "CareMarket specialisms",
        }
    }

    fn json(self) -> Value {
        let description = match self {
            Taxonomy::CareTypes => "The type of care and support a service offers: home care, day opportunities, respite and so on.",
            Taxonomy::Specialisms => "Conditions and needs a service's staff are trained and experienced in supporting.",
        };
        json!({ "id": self.id(), "name": self.name(), "description": description, "version": "1" })
    }
}

/// What a list may be narrowed by (each optional; they combine with AND).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// Words that must appear in the name or description.
    pub search: Option<String>,
    pub term: Option<Term>,
    pub taxonomy: Option<Taxonomy>,
    /// An organization's public id: only its services.
    pub organization: Option<Uuid>,
    pub modified_after: Option<DateTime<Utc>>,
    /// Measure from here (the centre of a postcode's district), and keep only those within
    /// this many metres if given.
    pub near: Option<((f64, f64), Option<f64>)>,
}

/// A page of a list in the standard envelope.
pub fn page(paging: Paging, total_items: u64, contents: Vec<Value>) -> Value {
    let total_pages = total_items.div_ceil(paging.per_page);
    json!({
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": paging.page,
        "size": contents.len(),
        "first_page": paging.page == 1,
        "last_page": paging.page >= total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

fn offset(paging: Paging) -> u64 {
    (paging.page - 1) * paging.per_page
}

/// Every word somewhere in one of these columns, ignoring case (on both databases). `%`
/// and `_` typed are matched as themselves.
fn contains_words<C: ColumnTrait>(columns: &[C], words: &str) -> Condition {
    words.split_whitespace().fold(Condition::all(), |all, word| {
        let escaped = word.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let pattern = LikeExpr::new(format!("%{escaped}%")).escape('\\');
        all.add(columns.iter().fold(Condition::any(), |any, column| any.add(Expr::expr(Func::lower(Expr::col(*column))).like(pattern.clone()))))
    })
}

/// Providers (by id) matching a condition on their own columns.
fn providers_where(condition: Condition) -> sea_orm::sea_query::SelectStatement {
    Query::select().column(provider::Column::Id).from(provider::Entity).cond_where(condition).to_owned()
}

/// Published services of active providers, narrowed by the filters (all but distance).
fn public_listings(filters: &Filters) -> sea_orm::Select<listing::Entity> {
    let mut select = listing::Entity::find()
        .filter(listing::Column::Status.eq(ListingStatus::Published))
        .filter(listing::Column::ProviderId.in_subquery(providers_where(Condition::all().add(provider::Column::Status.eq(ProviderStatus::Active)))));
    if let Some(organization) = filters.organization {
        let theirs = Condition::all().add(provider::Column::PublicId.eq(organization.to_string()));
        select = select.filter(listing::Column::ProviderId.in_subquery(providers_where(theirs)));
    }
    let with_specialism = |code: Option<&str>| {
        let mut attributes = Query::select()
            .column(listing_attribute::Column::ListingId)
            .from(listing_attribute::Entity)
            .and_where(listing_attribute::Column::Kind.eq("specialism"))
            .to_owned();
        if let Some(code) = code {
            attributes.and_where(listing_attribute::Column::Value.eq(code));
        }
        listing::Column::Id.in_subquery(attributes)
    };
    if filters.taxonomy == Some(Taxonomy::Specialisms) {
        select = select.filter(with_specialism(None));
    }
    if let Some(words) = &filters.search {
        select = select.filter(contains_words(&[listing::Column::Title, listing::Column::Description], words));
    }
    match filters.term {
        Some(Term::Category(code)) => select = select.filter(listing::Column::Category.eq(code)),
        Some(Term::Specialism(code)) => select = select.filter(with_specialism(Some(code))),
        None => {}
    }
    if let Some(after) = filters.modified_after {
        // A service shows its organisation's details too, so a change to either counts.
        let provider_changed = listing::Column::ProviderId.in_subquery(providers_where(Condition::all().add(provider::Column::UpdatedAt.gt(after))));
        select = select.filter(Condition::any().add(listing::Column::UpdatedAt.gt(after)).add(provider_changed));
    }
    select
}

/// `GET /`: what this API is.
pub fn about(openapi_url: &str) -> Value {
    json!({ "version": HSDS_VERSION, "profile": UK_PROFILE, "openapi_url": openapi_url })
}

/// `GET /services`
pub async fn services(db: &impl ConnectionTrait, filters: &Filters, paging: Paging) -> AppResult<Value> {
    let select = public_listings(filters).order_by_asc(listing::Column::Id);
    let total = select.clone().count(db).await?;
    let listings = select.offset(offset(paging)).limit(paging.per_page).all(db).await?;
    let providers = providers_of(db, &listings).await?;
    let contents = listings.iter().filter_map(|l| providers.get(&l.provider_id).map(|p| service_summary(l, p))).collect();
    Ok(page(paging, total, contents))
}

/// `GET /services/{id}`: the service in full.
pub async fn service(db: &impl ConnectionTrait, id: &str, now: DateTime<Utc>) -> AppResult<Value> {
    let listing = public_listings(&Filters::default()).filter(listing::Column::PublicId.eq(id)).one(db).await?.ok_or(AppError::NotFound)?;
    let provider = provider::Entity::find_by_id(listing.provider_id).one(db).await?.ok_or(AppError::NotFound)?;
    let (documents, _) = documents(db, &[listing.id], now).await?;
    let document = documents.into_iter().next().ok_or(AppError::NotFound)?;
    let centre = district_centres(db, listing.base_district.clone()).await?.into_values().next();
    Ok(service_full(&listing, &provider, &document, centre))
}

/// `GET /organizations`
pub async fn organizations(db: &impl ConnectionTrait, filters: &Filters, paging: Paging) -> AppResult<Value> {
    let mut select = provider::Entity::find().filter(provider::Column::Status.eq(ProviderStatus::Active));
    if let Some(words) = &filters.search {
        select = select.filter(contains_words(&[provider::Column::Name, provider::Column::Description], words));
    }
    if let Some(after) = filters.modified_after {
        select = select.filter(provider::Column::UpdatedAt.gt(after));
    }
    let select = select.order_by_asc(provider::Column::Id);
    let total = select.clone().count(db).await?;
    let providers = select.offset(offset(paging)).limit(paging.per_page).all(db).await?;
    Ok(page(paging, total, providers.iter().map(organization_summary).collect()))
}

/// `GET /organizations/{id}`: the organisation with its published services.
pub async fn organization(db: &impl ConnectionTrait, id: &str) -> AppResult<Value> {
    let provider = provider::Entity::find()
        .filter(provider::Column::PublicId.eq(id))
        .filter(provider::Column::Status.eq(ProviderStatus::Active))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let listings = public_listings(&Filters::default()).filter(listing::Column::ProviderId.eq(provider.id)).order_by_asc(listing::Column::Id).all(db).await?;
    let mut organization = organization_summary(&provider);
    organization["contacts"] = json!([contact(&provider)]);
    organization["services"] = listings.iter().map(|l| service_summary(l, &provider)).collect();
    if let Some(regulator_id) = &provider.regulator_id {
        organization["organization_identifiers"] = json!([{
            "id": derived_id(&provider.public_id, "identifier/cqc"),
            "organization_id": provider.public_id,
            "identifier_scheme": "GB-CQC",
            "identifier_type": "Care Quality Commission location or provider id",
            "identifier": regulator_id,
        }]);
    }
    Ok(organization)
}

/// `GET /taxonomies`
pub fn taxonomies(filters: &Filters, paging: Paging) -> Value {
    let all: Vec<Value> = Taxonomy::ALL.iter().map(|t| t.json()).filter(|t| matches_words(t, filters)).collect();
    page_of(all, paging)
}

/// `GET /taxonomy_terms`
pub fn taxonomy_terms(filters: &Filters, paging: Paging) -> Value {
    let all: Vec<Value> = Term::all()
        .filter(|term| filters.taxonomy.is_none_or(|taxonomy| term.taxonomy() == taxonomy))
        .map(Term::json)
        .filter(|t| matches_words(t, filters))
        .collect();
    page_of(all, paging)
}

/// `GET /service_at_locations`: where each service is based, nearest first when a postcode is
/// given. Filtered, ordered and paged in the database: a page reads its own rows only.
pub async fn service_at_locations(db: &impl ConnectionTrait, filters: &Filters, paging: Paging) -> AppResult<Value> {
    let with_centre = Query::select().column(postcode_district::Column::Code).from(postcode_district::Entity).to_owned();
    let mut select = public_listings(filters).filter(listing::Column::BaseDistrict.in_subquery(with_centre));
    match filters.near {
        Some((from, within)) => {
            let distance = flat_distance_sql(from);
            if let Some(metres) = within {
                let limit = metres / 1000.0 / KM_PER_DEGREE;
                select = select.filter(Expr::cust(format!("{distance} <= {:.12}", limit * limit)));
            }
            select = select.order_by(Expr::cust(distance), sea_orm::Order::Asc).order_by_asc(listing::Column::Id);
        }
        None => select = select.order_by_asc(listing::Column::Id),
    }
    let total = select.clone().count(db).await?;
    let listings = select.offset(offset(paging)).limit(paging.per_page).all(db).await?;
    let centres = district_centres(db, listings.iter().filter_map(|l| l.base_district.clone())).await?;
    let providers = providers_of(db, &listings).await?;
    let contents = listings
        .iter()
        .filter_map(|l| {
            let centre = *centres.get(l.base_district.as_deref()?)?;
            let provider = providers.get(&l.provider_id)?;
            let mut row = service_at_location(l, provider, centre);
            if let Some((from, _)) = filters.near {
                row["distance"] = json!((flat_km(from, centre) * 1000.0).round());
            }
            Some(row)
        })
        .collect();
    Ok(page(paging, total, contents))
}

/// Kilometres in a degree of latitude.
const KM_PER_DEGREE: f64 = 111.32;

/// The squared distance from `from` to a listing's district centre, in degrees of latitude, as
/// SQL both databases run: a flat map with longitude shrunk for the latitude, within a fraction
/// of a percent over the distances of one country. The numbers are our own postcode table's,
/// never typed text.
fn flat_distance_sql((latitude, longitude): (f64, f64)) -> String {
    let shrink = latitude.to_radians().cos().powi(2);
    format!(
        "(SELECT (pd.latitude - ({latitude:.6})) * (pd.latitude - ({latitude:.6})) + (pd.longitude - ({longitude:.6})) * (pd.longitude - ({longitude:.6})) * {shrink:.9} \
         FROM postcode_districts pd WHERE pd.code = listings.base_district)"
    )
}

/// The same distance in kilometres.
fn flat_km(from: (f64, f64), to: (f64, f64)) -> f64 {
    let shrink = from.0.to_radians().cos();
    ((to.0 - from.0).powi(2) + ((to.1 - from.1) * shrink).powi(2)).sqrt() * KM_PER_DEGREE
}

async fn providers_of(db: &impl ConnectionTrait, listings: &[listing::Model]) -> AppResult<HashMap<i64, provider::Model>> {
    let ids: Vec<i64> = listings.iter().map(|l| l.provider_id).collect();
    Ok(provider::Entity::find().filter(provider::Column::Id.is_in(ids)).all(db).await?.into_iter().map(|p| (p.id, p)).collect())
}

fn page_of(all: Vec<Value>, paging: Paging) -> Value {
    let total = all.len() as u64;
    let contents = all.into_iter().skip(usize::try_from(offset(paging)).unwrap_or(usize::MAX)).take(usize::try_from(paging.per_page).unwrap_or(0)).collect();
    page(paging, total, contents)
}

fn matches_words(item: &Value, filters: &Filters) -> bool {
    let Some(words) = &filters.search else { return true };
    let text = format!("{} {}", item["name"].as_str().unwrap_or(""), item["description"].as_str().unwrap_or("")).to_lowercase();
    words.split_whitespace().all(|word| text.contains(&word.to_lowercase()))
}

/// A stable id for something that belongs to `owner` (a UUID) and has no row of its own.
fn derived_id(owner: &str, what: &str) -> Uuid {
    let owner = Uuid::parse_str(owner).unwrap_or(NAMESPACE);
    Uuid::new_v5(&owner, what.as_bytes())
}

fn organization_summary(provider: &provider::Model) -> Value {
    let mut organization = json!({
        "id": provider.public_id,
        "name": provider.name,
        "description": provider.description,
        "email": provider.contact_email,
    });
    if let Some(website) = provider.website.as_ref().filter(|site| site.starts_with("https://") || site.starts_with("http://")) {
        organization["website"] = json!(website);
    }
    organization
}

fn contact(provider: &provider::Model) -> Value {
    json!({
        "id": derived_id(&provider.public_id, "contact"),
        "organization_id": provider.public_id,
        "name": provider.name,
        "email": provider.contact_email,
        "phones": [{
            "id": derived_id(&provider.public_id, "phone"),
            "organization_id": provider.public_id,
            "number": provider.contact_phone,
            "type": "voice",
        }],
    })
}

/// A service as lists show it.
fn service_summary(listing: &listing::Model, provider: &provider::Model) -> Value {
    let mut service = json!({
        "id": listing.public_id,
        "organization_id": provider.public_id,
        "name": listing.title,
        "description": listing.description,
        "status": "active",
        "email": provider.contact_email,
        "fees_description": format_price(listing.price_pence, &listing.unit),
        "last_modified": Ord::max(listing.updated_at, provider.updated_at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "organization": organization_summary(provider),
    });
    if let Some(assured) = listing.assured_at {
        service["assured_date"] = json!(assured.date_naive().to_string());
    }
    service
}

/// A service in full: prices, hours, areas, languages, specialisms, contact and location.
fn service_full(listing: &listing::Model, provider: &provider::Model, document: &ListingDocument, centre: Option<(f64, f64)>) -> Value {
    let id = &listing.public_id;
    let mut service = service_summary(listing, provider);
    service["cost_options"] = json!([{
        "id": derived_id(id, "cost_option"),
        "service_id": id,
        "option": format!("Price per {}", listing.unit),
        "amount": pounds(listing.price_pence),
        "currency": "GBP",
        "amount_description": format_price(listing.price_pence, &listing.unit),
    }]);
    service["schedules"] = schedules(id, &document.hours).into();
    let mut areas: Vec<Value> = document
        .areas
        .iter()
        .map(|district| json!({ "id": derived_id(id, &format!("service_area/{district}")), "service_id": id, "name": district, "description": format!("The {district} postcode district") }))
        .collect();
    if let (Some(base), Some(radius)) = (&listing.base_district, listing.radius_km) {
        areas.push(json!({ "id": derived_id(id, "service_area/radius"), "service_id": id, "name": format!("Within {radius} km of {base}"), "description": format!("Anywhere within {radius} km of the centre of {base}") }));
    }
    service["service_areas"] = areas.into();
    service["languages"] = document
        .languages
        .iter()
        .map(|language| json!({ "id": derived_id(id, &format!("language/{language}")), "service_id": id, "name": language }))
        .collect();
    let terms = CATEGORIES
        .iter()
        .filter(|code| **code == listing.category)
        .map(|code| Term::Category(code))
        .chain(SPECIALISMS.iter().filter(|(code, _)| document.specialisms.iter().any(|s| s == code)).map(|(code, _)| Term::Specialism(code)));
    service["attributes"] = terms
        .map(|term| {
            json!({
                "id": derived_id(id, &format!("attribute/{}", term.id())),
                "link_id": id,
                "link_type": "service",
                "link_entity": "service",
                "taxonomy_term_id": term.id(),
                "taxonomy_term": term.json(),
            })
        })
        .collect();
    service["contacts"] = json!([contact(provider)]);
    if let Some(centre) = centre {
        let mut at = service_at_location(listing, provider, centre);
        if let Some(object) = at.as_object_mut() {
            object.remove("service");
        }
        service["service_at_locations"] = json!([at]);
    }
    service
}

/// The service at the district it is based in. We hold districts, not street addresses, so the
/// location is the district's centre.
fn service_at_location(listing: &listing::Model, provider: &provider::Model, centre: (f64, f64)) -> Value {
    let id = &listing.public_id;
    let district = listing.base_district.clone().unwrap_or_default();
    let location_id = derived_id(id, "location");
    json!({
        "id": derived_id(id, "service_at_location"),
        "service_id": id,
        "location_id": location_id,
        "description": format!("{} from {}", listing.title, district),
        "location": {
            "id": location_id,
            "location_type": "physical",
            "organization_id": provider.public_id,
            "name": format!("{} ({district})", provider.name),
            "description": format!("Based in the {district} postcode district; the position is the district's centre"),
            "latitude": centre.0,
            "longitude": centre.1,
        },
        "service": service_summary(listing, provider),
    })
}

/// Weekly hours as schedules: days with the same hours share one.
fn schedules(service_id: &str, hours: &[(u8, u16, u16)]) -> Vec<Value> {
    let mut by_hours: Vec<((u16, u16), Vec<u8>)> = Vec::new();
    let mut sorted = hours.to_vec();
    sorted.sort_unstable();
    for (day, opens, closes) in sorted {
        match by_hours.iter_mut().find(|(window, _)| *window == (opens, closes)) {
            Some((_, days)) => days.push(day),
            None => by_hours.push(((opens, closes), vec![day])),
        }
    }
    by_hours
        .into_iter()
        .map(|((opens, closes), days)| {
            let byday = days
                .iter()
                .filter_map(|day| ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].get(usize::from(*day).wrapping_sub(1)))
                .copied()
                .collect::<Vec<_>>()
                .join(",");
            let names = days.iter().filter_map(|day| WEEKDAYS.get(usize::from(*day).wrapping_sub(1))).copied().collect::<Vec<_>>().join(", ");
            json!({
                "id": derived_id(service_id, &format!("schedule/{byday}/{opens}-{closes}")),
                "service_id": service_id,
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": byday,
                "opens_at": clock_with_seconds(opens),
                "closes_at": clock_with_seconds(closes),
                "description": format!("{names}: {} to {}", format_clock(opens.into()), format_clock(closes.into())),
            })
        })
        .collect()
}

/// "24:00" is how the day's end is written in our hours; schedules want `HH:MM:SS`.
fn clock_with_seconds(minute: u16) -> String {
    if minute >= 24 * 60 { "23:59:59".to_string() } else { format!("{:02}:{:02}:00", minute / 60, minute % 60) }
}

/// Pence as a decimal number of pounds (the standard's `amount` is a number), written from
/// its exact decimal text rather than by dividing a float.
fn pounds(pence: i64) -> Value {
    serde_json::from_str(&app::pounds_text(pence)).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_ids_are_stable_uuids_and_found_again() {
        let term = Term::Specialism("dementia");
        assert_eq!(term.id(), Term::Specialism("dementia").id());
        assert_eq!(term.id().get_version_num(), 5);
        assert_eq!(Term::find(term.id()), Some(term));
        assert_ne!(Term::Category("home_care").id(), term.id());
        assert_eq!(Term::find(NAMESPACE), None);
    }

    #[test]
    fn days_with_the_same_hours_share_a_schedule() {
        let hours = [(2, 420, 1320), (1, 420, 1320), (6, 600, 1020), (7, 0, 1440)];
        let schedules = schedules("ac148810-d857-441c-9679-408f346de14b", &hours);
        let summary: Vec<(&str, &str, &str)> = schedules
            .iter()
            .map(|s| (s["byday"].as_str().unwrap_or(""), s["opens_at"].as_str().unwrap_or(""), s["closes_at"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(summary, [("MO,TU", "07:00:00", "22:00:00"), ("SA", "10:00:00", "17:00:00"), ("SU", "00:00:00", "23:59:59")]);
    }

    #[test]
    fn flat_distances_match_the_great_circle_within_a_fraction_of_a_percent() {
        let newcastle = (54.9783, -1.6178);
        for to in [(54.9, -1.5), (55.2, -2.0), (53.48, -2.24), (51.5, -0.12)] {
            let (flat, round) = (flat_km(newcastle, to), crate::search::distance_km(newcastle, to));
            assert!((flat - round).abs() / round < 0.01, "{to:?}: {flat} against {round}");
        }
    }

    #[test]
    fn pages_say_where_they_are() {
        let paging = Paging { page: 2, per_page: 2 };
        let middle = page(paging, 5, vec![json!(1), json!(2)]);
        assert_eq!((middle["total_pages"].as_u64(), middle["first_page"].as_bool(), middle["last_page"].as_bool()), (Some(3), Some(false), Some(false)));
        let past_the_end = page(Paging { page: 9, per_page: 2 }, 5, vec![]);
        assert_eq!((past_the_end["empty"].as_bool(), past_the_end["last_page"].as_bool(), past_the_end["size"].as_u64()), (Some(true), Some(true), Some(0)));
        assert_eq!(pounds(2199), json!(21.99));
    }
}
