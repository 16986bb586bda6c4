//! The public directory: provider pages with their published listings, and the card every
//! listing is shown as. (Searching is `crate::search`.)
use crate::entities::{listing, listing_area, provider};
use crate::error::{AppError, AppResult};
use app::{ListingCard, ProviderDetails};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// How many listings the home page shows at most.
pub const PAGE_SIZE: u32 = 30;

/// Turns listings into cards, with their provider and areas, in two extra queries.
async fn cards(db: &impl ConnectionTrait, listings: Vec<listing::Model>) -> AppResult<Vec<ListingCard>> {
    let listing_ids: Vec<i64> = listings.iter().map(|l| l.id).collect();
    let provider_ids: Vec<i64> = listings.iter().map(|l| l.provider_id).collect();
    let providers: HashMap<i64, provider::Model> = provider::Entity::find()
        .filter(provider::Column::Id.is_in(provider_ids))
        .filter(provider::Column::Status.eq("active"))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut areas: HashMap<i64, Vec<String>> = HashMap::new();
    for area in listing_area::Entity::find()
        .filter(listing_area::Column::ListingId.is_in(listing_ids))
        .order_by_asc(listing_area::Column::District)
        .all(db)
        .await?
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
            })
        })
        .collect())
}

/// A provider's public page with its published listings.
pub async fn provider_details(db: &impl ConnectionTrait, public_id: &str) -> AppResult<ProviderDetails> {
    let provider = provider::Entity::find()
        .filter(provider::Column::PublicId.eq(public_id))
        .filter(provider::Column::Status.eq("active"))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let listings = listing::Entity::find()
        .filter(listing::Column::ProviderId.eq(provider.id))
        .filter(listing::Column::Status.eq("published"))
        .order_by_asc(listing::Column::Title)
        .all(db)
        .await?;
    Ok(ProviderDetails {
        listings: cards(db, listings).await?,
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
pub fn card(document: crate::search::ListingDocument) -> ListingCard {
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
    }
}
