//! The public directory: provider pages with their published listings, and the card every
//! listing is shown as, and (in `published`) the documents listings publish to search.
//! (Searching is `crate::search`.)
mod published;

pub use published::{district_centres, documents};

use crate::entities::{listing, listing_area, provider};
use crate::error::{AppError, AppResult};
use crate::search::params::Search;
use crate::search::{PartialMatch, SearchHit, SearchResults};
use app::{
    ListingCard, ListingDetails, ListingStatus, ProviderDetails, ProviderStatus, SearchForm, SearchPage, WEEKDAYS, category_label, format_clock,
    specialism_label,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// Turns listings into cards, with their provider and areas, in two extra queries.
async fn cards(db: &impl ConnectionTrait, listings: Vec<listing::Model>) -> AppResult<Vec<ListingCard>> {
    let listing_ids: Vec<i64> = listings.iter().map(|l| l.id).collect();
    let provider_ids: Vec<i64> = listings.iter().map(|l| l.provider_id).collect();
    let providers: HashMap<i64, provider::Model> = provider::Entity::find()
        .filter(provider::Column::Id.is_in(provider_ids))
        .filter(provider::Column::Status.eq(ProviderStatus::Active))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut areas: HashMap<i64, Vec<String>> = HashMap::new();
    for area in
        listing_area::Entity::find().filter(listing_area::Column::ListingId.is_in(listing_ids)).order_by_asc(listing_area::Column::District).all(db).await?
    {
        areas.entry(area.listing_id).or_default().push(area.district);
    }
    Ok(listings
        .into_iter()
        .filter_map(|listing| {
            let provider = providers.get(&listing.provider_id)?;
            Some(ListingCard {
                areas: areas.remove(&listing.id).unwrap_or_default(),
                public_id: listing.public_id,
                title: listing.title,
                category: listing.category,
                provider_name: provider.name.clone(),
                provider_public_id: provider.public_id.clone(),
                price_pence: listing.price_pence,
                unit: listing.unit,
                regulator_rating: provider.regulator_rating.clone(),
                rank_explanation: None,
                distance_km: None,
                possibly_out_of_date: crate::domain::provider_listings::possibly_out_of_date(listing.assured_at, chrono::Utc::now()),
            })
        })
        .collect())
}

/// A service's public page: what its card says, and its policies and hours in full.
pub async fn listing_details(db: &impl ConnectionTrait, public_id: &str, now: chrono::DateTime<chrono::Utc>) -> AppResult<ListingDetails> {
    let listing = listing::Entity::find().filter(listing::Column::PublicId.eq(public_id)).one(db).await?.ok_or(AppError::NotFound)?;
    // The same document the search index holds; none if the service is not public.
    let (documents, _) = documents(db, &[listing.id], now).await?;
    let document = documents.into_iter().next().ok_or(AppError::NotFound)?;
    let mut hours = document.hours.clone();
    hours.sort_unstable();
    let reviews = crate::domain::reviews::visible(db, listing.provider_id, Some(listing.id)).await?;
    Ok(ListingDetails {
        reviews,
        description: document.description.clone(),
        carer_gender: document.carer_gender.clone(),
        languages: document.languages.clone(),
        specialisms: document.specialisms.iter().map(|code| specialism_label(code).to_string()).collect(),
        hours: hours
            .into_iter()
            .map(|(day, opens, closes)| {
                let day = WEEKDAYS.get(usize::from(day).saturating_sub(1)).copied().unwrap_or("").to_string();
                (day, format_clock(opens.into()), format_clock(closes.into()))
            })
            .collect(),
        card: card(SearchHit { document, distance_km: None }),
        min_visit_minutes: listing.min_visit_minutes,
        billing_increment_minutes: listing.billing_increment_minutes,
        cancellation_notice_hours: listing.cancellation_notice_hours,
        late_cancellation_percent: listing.late_cancellation_percent,
        assured_on: listing.assured_at.map(|at| at.date_naive().to_string()),
    })
}

/// A provider's public page with its published listings.
pub async fn provider_details(db: &impl ConnectionTrait, public_id: &str) -> AppResult<ProviderDetails> {
    let provider = provider::Entity::find()
        .filter(provider::Column::PublicId.eq(public_id))
        .filter(provider::Column::Status.eq(ProviderStatus::Active))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let listings = listing::Entity::find()
        .filter(listing::Column::ProviderId.eq(provider.id))
        .filter(listing::Column::Status.eq(ListingStatus::Published))
        .order_by_asc(listing::Column::Title)
        .all(db)
        .await?;
    Ok(ProviderDetails {
        listings: cards(db, listings).await?,
        reviews: crate::domain::reviews::visible(db, provider.id, None).await?,
        public_id: provider.public_id,
        name: provider.name,
        description: provider.description,
        regulator_id: provider.regulator_id,
        regulator_rating: provider.regulator_rating,
        contact_email: provider.contact_email,
        contact_phone: provider.contact_phone,
        website: provider.website,
        languages: provider.languages,
        assured_on: provider.assured_at.map(|at| at.format("%-d %B %Y").to_string()),
    })
}

/// A search result as a card.
pub fn card(hit: SearchHit) -> ListingCard {
    let document = hit.document;
    ListingCard {
        public_id: document.public_id,
        title: document.title,
        category: document.category,
        provider_name: document.provider_name,
        provider_public_id: document.provider_public_id,
        price_pence: document.price_pence,
        unit: document.unit,
        regulator_rating: document.regulator_rating,
        areas: document.areas,
        rank_explanation: document.rank_explanation,
        // To the nearest 100 m: finer would be false precision for a district's centre.
        distance_km: hit.distance_km.filter(|km| km.is_finite()).map(|km| (km * 10.0).round() as f32 / 10.0),
        possibly_out_of_date: document.possibly_out_of_date,
    }
}

/// The results page: cards, counts for narrowing down, and what to loosen if nothing matched.
pub fn search_page(form: &SearchForm, search: Search, results: SearchResults) -> SearchPage {
    let query = &search.query;
    let pages = u32::try_from(results.total.div_ceil(u64::from(query.per_page.max(1)))).unwrap_or(u32::MAX).max(1);
    let suggestions = if results.total > 0 {
        Vec::new()
    } else {
        [
            (!form.q.trim().is_empty(), "Use fewer words, or check the spelling"),
            (!form.category.is_empty(), "Search all types of care"),
            (!form.within.is_empty(), "Search further from your postcode"),
            (!form.max_price.is_empty(), "Raise the most you want to pay"),
            (!form.day.is_empty() || !form.time.is_empty(), "Search any day and time"),
            (!form.carer.is_empty() && form.carer != "any", "Let any carer provide the care"),
            (!form.language.is_empty(), "Search without the language"),
            (!form.specialism.is_empty(), "Search without the specialism"),
            (form.framework == "yes", "Include services that are not on a council framework"),
        ]
        .into_iter()
        .filter(|(applies, _)| *applies)
        .map(|(_, suggestion)| suggestion.to_string())
        .collect()
    };
    SearchPage {
        total: results.total,
        page: query.page.min(pages),
        pages,
        categories: results.facets.categories.into_iter().map(|(code, n)| (code.clone(), category_label(&code).to_string(), n)).collect(),
        specialisms: results.facets.specialisms.into_iter().map(|(code, n)| (code.clone(), specialism_label(&code).to_string(), n)).collect(),
        on_framework: results.facets.on_framework,
        cards: results.hits.into_iter().map(card).collect(),
        suggestions,
        chips: search.chips,
        partial: results.partial.map(|partial| partial_sentence(&partial)),
        ask_postcode: search.ask_postcode,
    }
}

/// "No service matched every word; showing services for respite and autism."
fn partial_sentence(partial: &PartialMatch) -> String {
    let listed = |words: &[String], joiner: &str| match words {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {joiner} {last}", rest.join(", ")),
    };
    let matched = if !partial.matched_by_all.is_empty() {
        format!("showing services for {}", listed(&partial.matched_by_all, "and"))
    } else if !partial.matched_by_some.is_empty() {
        format!("showing services for {}", listed(&partial.matched_by_some, "or"))
    } else {
        "showing services that match most of them".to_string()
    };
    format!("No service matched every word; {matched}.")
}
