//! The public directory: published listings of active providers, and provider pages.
//! (Ranked, typo-tolerant search arrives with the search engine; this is the plain list.)
use crate::entities::{listing, listing_area, provider};
use crate::error::{AppError, AppResult};
use app::{ListingCard, ListingPage, ProviderDetails};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// How many listings the home page shows at most.
pub const PAGE_SIZE: u64 = 30;

/// Published listings whose title, description, category or provider name contains every
/// word typed (case-insensitive): the first page, and how many match in all.
pub async fn published_listings(db: &impl ConnectionTrait, query: &str) -> AppResult<ListingPage> {
    let mut select = listing::Entity::find()
        .filter(listing::Column::Status.eq("published"))
        .filter(listing::Column::ProviderId.in_subquery(
            sea_orm::sea_query::Query::select()
                .column(provider::Column::Id)
                .from(provider::Entity)
                .and_where(provider::Column::Status.eq("active"))
                .to_owned(),
        ));
    let words: Vec<String> = query.split_whitespace().take(8).map(str::to_lowercase).collect();
    if !words.is_empty() {
        let matching_providers: Vec<i64> = {
            let mut condition = Condition::all();
            for word in &words {
                condition = condition.add(contains(provider::Column::Name, word));
            }
            provider::Entity::find().select_only().column(provider::Column::Id).filter(condition).into_tuple().all(db).await?
        };
        let mut condition = Condition::all();
        for word in &words {
            condition = condition.add(
                Condition::any()
                    .add(contains(listing::Column::Title, word))
                    .add(contains(listing::Column::Description, word))
                    .add(contains(listing::Column::Category, &word.replace(' ', "_"))),
            );
        }
        select = select.filter(Condition::any().add(condition).add(listing::Column::ProviderId.is_in(matching_providers)));
    }
    let total = select.clone().count(db).await?;
    let listings = select.order_by_asc(listing::Column::Title).order_by_asc(listing::Column::Id).limit(PAGE_SIZE).all(db).await?;
    Ok(ListingPage { total, cards: cards(db, listings).await? })
}

/// `LOWER(column) LIKE '%word%'`, with the word's own wildcards escaped.
fn contains(column: impl ColumnTrait, word: &str) -> sea_orm::sea_query::SimpleExpr {
    let escaped = word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

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
