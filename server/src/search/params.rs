//! The search form, checked: each problem is reported against its field, and a postcode is
//! turned into a place (the centre of its district).
use super::understanding::{self, Meaning, Places};
use super::{Near, PartialMatch, SearchEngine, SearchError, SearchQuery, SearchResults, Sort, distance_km};
use crate::domain::listings::time_of_day;
use crate::domain::values::{Pence, PostcodeDistrict, collect, typed, whole_number};
use crate::entities::postcode_district;
use crate::entities::{budget, ledger_account};
use crate::error::{AppError, AppResult};
use app::{BudgetType, CATEGORIES, Chip, FieldError, Role, SPECIALISMS, SearchForm, SignedInUser};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub const PER_PAGE: u32 = 20;
/// Far above any real hourly or daily price, so that a typo is caught.
const PRICE_LIMIT: Pence = Pence::from_pence(500_000);

/// Words that qualify a place's name: "High Heaton" is in Heaton.
const QUALIFIERS: &[&str] = &["high", "low", "upper", "lower", "north", "south", "east", "west", "old", "new", "great", "little"];

/// The farthest a person can be from a district's centre for it to be theirs.
const YOUR_DISTRICT_KM: f64 = 15.0;

/// Services within this distance of a place the words name (a district is a few kilometres across).
const NEAR_A_PLACE_KM: f64 = 5.0;

/// A search ready to run, and what its words were understood to mean.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub query: SearchQuery,
    /// What the words added, each removable.
    pub chips: Vec<Chip>,
    /// The words asked for services near the person, whose postcode is not known.
    pub ask_postcode: bool,
    /// The words behind the chips, as typed ("polish", "at weekends").
    pub chip_words: Vec<String>,
}

impl Search {
    /// Runs the search. When the filters the words named leave no service that also matches
    /// the other words, the services those filters find come instead (the other words only
    /// ranking them), and the page says so: "polish carer at weekends" with no Polish carer
    /// open at weekends still shows what is open at weekends in Polish.
    pub async fn run(&self, engine: &dyn SearchEngine) -> Result<SearchResults, SearchError> {
        let results = engine.search(&self.query).await?;
        let must_match = self.query.concepts.iter().flatten().any(|concept| concept.required);
        if results.total > 0 || self.chips.is_empty() || !must_match {
            return Ok(results);
        }
        let mut looser = self.query.clone();
        for concept in looser.concepts.iter_mut().flatten() {
            concept.required = false;
        }
        let mut results = engine.search(&looser).await?;
        if results.total > 0 {
            results.partial = Some(PartialMatch { matched_by_all: self.chip_words.clone(), matched_by_some: Vec::new() });
        }
        Ok(results)
    }
}

/// The search form, checked, with what its words mean applied where the form leaves it open
/// (a filter chosen on the form wins over one understood from the words).
pub async fn search(db: &impl ConnectionTrait, postcodes: &PostcodeCentres, viewer: Option<&SignedInUser>, form: &SearchForm) -> AppResult<Search> {
    let mut query = search_query(db, postcodes, viewer, form).await?;
    let exact = form.exact.trim() == "yes" || form.q.contains('"');
    if exact || form.q.trim().is_empty() {
        return Ok(Search { query, ..Search::default() });
    }
    let ignored: Vec<&str> = form.ignore.split(',').map(str::trim).filter(|key| !key.is_empty()).collect();
    let places = postcodes.places(db).await?;
    let understanding = understanding::understand(&query.text, &places, &ignored);
    let mut search = Search::default();
    for (meaning, typed) in &understanding.meanings {
        let applied = match meaning {
            Meaning::Language(language) => query.language.is_none().then(|| query.language = Some((*language).to_string())).is_some(),
            Meaning::Carer(gender) => query.carer_gender.is_none().then(|| query.carer_gender = Some((*gender).to_string())).is_some(),
            Meaning::Specialism(code) => query.specialism.is_none().then(|| query.specialism = Some((*code).to_string())).is_some(),
            Meaning::Cheapest => form.sort.trim().is_empty().then(|| query.sort = Sort::LowestPrice).is_some(),
            Meaning::AtNight => !std::mem::replace(&mut query.at_night, true),
            Meaning::Weekend => query.day.is_none().then(|| query.weekend = true).is_some(),
            Meaning::Day(day) => (query.day.is_none() && !query.weekend).then(|| query.day = Some(*day)).is_some(),
            Meaning::NearMe => {
                search.ask_postcode = query.near.is_none();
                if let Some(near) = &mut query.near {
                    near.within_km.get_or_insert(NEAR_A_PLACE_KM);
                }
                false
            }
            Meaning::Near { district, .. } => match query.near {
                Some(_) => false,
                None => match postcodes.locate(db, district).await? {
                    Some((latitude, longitude)) => {
                        query.near = Some(Near { latitude, longitude, within_km: Some(NEAR_A_PLACE_KM) });
                        true
                    }
                    None => false,
                },
            },
        };
        if applied {
            search.chips.push(Chip { label: meaning.label(), key: meaning.key().to_string() });
            search.chip_words.push(typed.clone());
        }
    }
    query.concepts = Some(understanding.concepts);
    search.query = query;
    Ok(search)
}

pub async fn search_query(db: &impl ConnectionTrait, postcodes: &PostcodeCentres, viewer: Option<&SignedInUser>, form: &SearchForm) -> AppResult<SearchQuery> {
    let mut errors: Vec<FieldError> = Vec::new();
    let category = collect(&mut errors, listed("category", &form.category, CATEGORIES, "Choose a type of care from the list"));
    let specialism = collect(
        &mut errors,
        listed("specialism", &form.specialism, &SPECIALISMS.iter().map(|(code, _)| *code).collect::<Vec<_>>(), "Choose a specialism from the list"),
    );
    let place = collect(&mut errors, postcodes.locate(db, &form.postcode).await);
    let within = if typed(&form.within).is_empty() {
        None
    } else {
        collect(&mut errors, whole_number("within", &form.within, "how many kilometres away", 1, 100)).map(f64::from)
    };
    let max_price = if typed(&form.max_price).is_empty() {
        None
    } else {
        collect(&mut errors, Pence::parse_price("max_price", &form.max_price, "the most you want to pay", PRICE_LIMIT))
    };
    let day = if typed(&form.day).is_empty() {
        None
    } else {
        collect(&mut errors, whole_number("day", &form.day, "a day", 1, 7)).and_then(|day| u8::try_from(day).ok())
    };
    let time = match typed(&form.time) {
        "" => None,
        text => {
            // Without a day, the time means on any day.
            let minute = time_of_day(text);
            if minute.is_none() {
                errors.push(FieldError::new("time", "Enter a time like 09:00 or 17:30"));
            }
            minute
        }
    };
    let carer = collect(&mut errors, listed("carer", &form.carer, &["any", "female", "male"], "Choose who you would like to provide care"));
    // A choice is one of its values exactly, as the page's controls send them.
    let sort = match form.sort.as_str() {
        "" | "best" => Sort::BestValue,
        "price" => Sort::LowestPrice,
        "quality" => Sort::HighestQuality,
        "nearest" => Sort::Nearest,
        _ => {
            errors.push(FieldError::new("sort", "Choose how to sort the results"));
            Sort::BestValue
        }
    };
    let framework_only = match form.framework.as_str() {
        "" => false,
        "yes" => true,
        _ => {
            errors.push(FieldError::new("framework", "Tick the box for framework services only, or leave it empty"));
            false
        }
    };
    if !matches!(form.exact.as_str(), "" | "yes") {
        errors.push(FieldError::new("exact", "Tick the box to search for exactly these words, or leave it empty"));
    }
    let page = if typed(&form.page).is_empty() { Some(1) } else { collect(&mut errors, whole_number("page", &form.page, "the page", 1, 10_000)) };
    let budget = match form.budget.as_str() {
        "" => None,
        "yes" => collect(&mut errors, within_budget(db, viewer).await),
        _ => {
            errors.push(FieldError::new("budget", "Tick the box to search within your budget, or leave it empty"));
            None
        }
    };
    let place = place.flatten();
    if place.is_none() && typed(&form.postcode).is_empty() {
        if within.is_some() {
            errors.push(FieldError::new("postcode", "Enter a postcode to search within a distance of it"));
        } else if sort == Sort::Nearest {
            errors.push(FieldError::new("postcode", "Enter a postcode to sort by distance"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(SearchQuery {
        text: form.q.chars().take(200).collect(),
        concepts: None,
        at_night: false,
        weekend: false,
        category: category.flatten(),
        near: place.map(|(latitude, longitude)| Near { latitude, longitude, within_km: within }),
        // Within the budget: no dearer than the money left in it, whatever the typed maximum.
        max_price_pence: match (max_price.map(Pence::pence), budget.map(|b| b.available_pence)) {
            (Some(typed), Some(available)) => Some(typed.min(available)),
            (typed, available) => typed.or(available),
        },
        day,
        time,
        carer_gender: carer.flatten().filter(|gender| gender != "any"),
        language: Some(form.language.trim().chars().take(40).collect::<String>()).filter(|language| !language.is_empty()),
        specialism: specialism.flatten(),
        // A managed account pays framework providers only.
        framework_only: framework_only || budget.is_some_and(|b| b.framework_only),
        sort,
        page: page.unwrap_or(1),
        per_page: PER_PAGE,
    })
}

/// What "within my budget" means for the person searching.
#[derive(Debug, Clone, Copy)]
struct BudgetLimits {
    available_pence: i64,
    framework_only: bool,
}

async fn within_budget(db: &impl ConnectionTrait, viewer: Option<&SignedInUser>) -> AppResult<BudgetLimits> {
    let Some(viewer) = viewer.filter(|viewer| viewer.role == Role::BudgetHolder) else {
        return Err(AppError::invalid("budget", "Sign in as the person with the personal budget to search within it"));
    };
    let budget = budget::Entity::find().filter(budget::Column::HolderId.eq(viewer.user_id)).one(db).await?;
    let Some(budget) = budget else {
        return Err(AppError::invalid("budget", "Your personal budget is not set up yet: ask the council"));
    };
    let available: i64 = ledger_account::Entity::find()
        .filter(ledger_account::Column::BudgetId.eq(budget.id))
        .filter(ledger_account::Column::Kind.eq("budget_available"))
        .all(db)
        .await?
        .iter()
        .map(|account| account.balance_pence)
        .sum();
    Ok(BudgetLimits { available_pence: available, framework_only: budget.budget_type == BudgetType::ManagedAccount })
}

/// Empty, or one of the allowed codes.
fn listed(field: &str, input: &str, allowed: &[&str], message: &str) -> Result<Option<String>, AppError> {
    match input {
        "" => Ok(None),
        value if allowed.contains(&value) => Ok(Some(value.to_string())),
        _ => Err(AppError::invalid(field, message)),
    }
}

/// Where postcode districts are: each centre is read from the database once and then kept
/// (centres do not move while the server runs), so a search near a postcode does not wait
/// for the database.
#[derive(Clone, Default)]
pub struct PostcodeCentres {
    known: Arc<RwLock<HashMap<String, (f64, f64)>>>,
    places: Arc<RwLock<Option<Arc<Places>>>>,
}

impl PostcodeCentres {
    /// The districts and place names a search's words may name, read once.
    pub async fn places(&self, db: &impl ConnectionTrait) -> AppResult<Arc<Places>> {
        if let Some(places) = self.places.read().ok().and_then(|places| places.clone()) {
            return Ok(places);
        }
        let mut places = Places::default();
        for district in postcode_district::Entity::find().all(db).await? {
            if let Some(name) = district.name.as_deref() {
                // "Byker and Walker" is also each of its parts, and "High Heaton" is also "Heaton".
                let unqualified = name.split_once(' ').filter(|(first, _)| QUALIFIERS.contains(&first.to_lowercase().as_str())).map(|(_, rest)| rest);
                for key in std::iter::once(name).chain(name.split(" and ")).chain(unqualified) {
                    let key = key.trim().to_lowercase();
                    if !key.is_empty() {
                        places.names.entry(key).or_insert_with(|| (district.code.clone(), name.to_string()));
                    }
                }
            }
            places.districts.insert(district.code.to_uppercase());
        }
        let places = Arc::new(places);
        if let Ok(mut kept) = self.places.write() {
            *kept = Some(places.clone());
        }
        Ok(places)
    }

    /// The centre of a postcode's district, or none if no postcode was given.
    pub async fn locate(&self, db: &impl ConnectionTrait, input: &str) -> AppResult<Option<(f64, f64)>> {
        let input = typed(input);
        if input.is_empty() {
            return Ok(None);
        }
        let district =
            PostcodeDistrict::of_typed(input).ok_or_else(|| AppError::invalid("postcode", "Enter a postcode like NE3 1AB, or its first half, like NE3"))?;
        if let Some(centre) = self.known.read().ok().and_then(|known| known.get(district.as_str()).copied()) {
            return Ok(Some(centre));
        }
        let found = postcode_district::Entity::find_by_id(district.as_str().to_string()).one(db).await?;
        let centre = found
            .map(|d| (d.latitude, d.longitude))
            .ok_or_else(|| AppError::invalid("postcode", format!("We do not have {} on our map yet: try a nearby postcode", district.as_str())))?;
        if let Ok(mut known) = self.known.write() {
            known.insert(district.as_str().to_string(), centre);
        }
        Ok(Some(centre))
    }

    /// The district whose centre is nearest a point (where a person's browser says they are,
    /// with their permission), if one is near enough to be theirs. The point is not kept.
    pub async fn nearest(&self, db: &impl ConnectionTrait, latitude: f64, longitude: f64) -> AppResult<String> {
        if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
            return Err(AppError::invalid("postcode", "Your browser gave a location that is not on Earth: enter your postcode instead"));
        }
        let districts = postcode_district::Entity::find().all(db).await?;
        let nearest = districts
            .into_iter()
            .map(|district| (distance_km((latitude, longitude), (district.latitude, district.longitude)), district.code))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        match nearest {
            Some((km, code)) if km <= YOUR_DISTRICT_KM => Ok(code),
            _ => Err(AppError::invalid("postcode", "We do not cover where you are yet: enter a postcode to search near it")),
        }
    }
}
