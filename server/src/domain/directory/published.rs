//! What a listing publishes to search: one document per findable listing, built from the
//! database (its words, areas and hours, its provider's quality, its best place on a framework
//! lot). Search indexes what it is handed and knows nothing of how it was made.
use crate::domain::lots::{self, latest_monitoring, review_totals};
use crate::domain::provider_listings::possibly_out_of_date;
use crate::domain::ranking::{QualityInputs, Rating, explain, explain_gate, quality};
use crate::entities::{accreditation, listing, listing_area, listing_attribute, listing_availability, lot, postcode_district, provider};
use crate::error::AppResult;
use crate::search::ListingDocument;
use app::{ListingStatus, ProviderStatus};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeSet, HashMap};

/// The centres (latitude, longitude) of these postcode districts, each asked for once.
pub async fn district_centres(db: &impl ConnectionTrait, codes: impl IntoIterator<Item = String>) -> AppResult<HashMap<String, (f64, f64)>> {
    let codes: Vec<String> = codes.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
    Ok(postcode_district::Entity::find()
        .filter(postcode_district::Column::Code.is_in(codes))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.code, (d.latitude, d.longitude)))
        .collect())
}

/// Index documents for these listings, and the ones that must not be found (no longer
/// published, provider withdrawn, or gone).
pub async fn documents(db: &impl ConnectionTrait, listing_ids: &[i64], now: DateTime<Utc>) -> AppResult<(Vec<ListingDocument>, Vec<i64>)> {
    let listings = listing::Entity::find().filter(listing::Column::Id.is_in(listing_ids.to_vec())).all(db).await?;
    let provider_ids: Vec<i64> = listings.iter().map(|l| l.provider_id).collect::<BTreeSet<_>>().into_iter().collect();
    let providers: HashMap<i64, provider::Model> =
        provider::Entity::find().filter(provider::Column::Id.is_in(provider_ids.clone())).all(db).await?.into_iter().map(|p| (p.id, p)).collect();
    let findable: Vec<&listing::Model> = listings
        .iter()
        .filter(|l| l.status == ListingStatus::Published && providers.get(&l.provider_id).is_some_and(|p| p.status == ProviderStatus::Active))
        .collect();
    let removals = listing_ids.iter().copied().filter(|id| !findable.iter().any(|l| l.id == *id)).collect();
    let ids: Vec<i64> = findable.iter().map(|l| l.id).collect();

    let mut areas: HashMap<i64, Vec<String>> = HashMap::new();
    for area in
        listing_area::Entity::find().filter(listing_area::Column::ListingId.is_in(ids.clone())).order_by_asc(listing_area::Column::District).all(db).await?
    {
        areas.entry(area.listing_id).or_default().push(area.district);
    }
    let mut attributes: HashMap<(i64, String), Vec<String>> = HashMap::new();
    for attribute in listing_attribute::Entity::find().filter(listing_attribute::Column::ListingId.is_in(ids.clone())).all(db).await? {
        attributes.entry((attribute.listing_id, attribute.kind)).or_default().push(attribute.value);
    }
    let mut hours: HashMap<i64, Vec<(u8, u16, u16)>> = HashMap::new();
    for window in listing_availability::Entity::find().filter(listing_availability::Column::ListingId.is_in(ids.clone())).all(db).await? {
        let minutes = |m: i32| u16::try_from(m).unwrap_or(0);
        hours.entry(window.listing_id).or_default().push((
            u8::try_from(window.weekday).unwrap_or(0),
            minutes(window.opens_minute),
            minutes(window.closes_minute),
        ));
    }
    let codes = findable.iter().flat_map(|l| areas.get(&l.id).cloned().unwrap_or_default().into_iter().chain(l.base_district.clone()));
    let centres = district_centres(db, codes).await?;
    let framework = framework_places(db, &ids).await?;
    let general_monitoring = latest_monitoring(db, None, &provider_ids).await?;
    let reviews = review_totals(db, &provider_ids).await?;

    let documents = findable
        .into_iter()
        .filter_map(|l| {
            let provider = providers.get(&l.provider_id)?;
            let listing_areas = areas.get(&l.id).cloned().unwrap_or_default();
            let places = listing_areas.iter().chain(l.base_district.as_ref()).filter_map(|code| centres.get(code).copied()).collect();
            let rating = Rating::from_code(&provider.regulator_rating).unwrap_or(Rating::NotYetRated);
            let (review_count, review_stars_total) = reviews.get(&provider.id).copied().unwrap_or_default();
            let general_quality =
                quality(QualityInputs { rating, monitoring: general_monitoring.get(&provider.id).copied(), review_count, review_stars_total });
            let on_framework = framework.get(&l.id);
            let mut languages = attributes.get(&(l.id, "language".to_string())).cloned().unwrap_or_default();
            languages.sort();
            let mut specialisms = attributes.get(&(l.id, "specialism".to_string())).cloned().unwrap_or_default();
            specialisms.sort();
            Some(ListingDocument {
                listing_id: l.id,
                public_id: l.public_id.clone(),
                title: l.title.clone(),
                description: l.description.clone(),
                provider_name: provider.name.clone(),
                provider_public_id: provider.public_id.clone(),
                category: l.category.clone(),
                unit: l.unit.clone(),
                price_pence: l.price_pence,
                carer_gender: l.carer_gender.clone(),
                languages,
                specialisms,
                areas: listing_areas,
                places,
                hours: hours.get(&l.id).cloned().unwrap_or_default(),
                regulator_rating: provider.regulator_rating.clone(),
                quality: on_framework.map_or(general_quality.hundredths(), |place| place.quality),
                framework_score: on_framework.and_then(|place| place.score),
                rank_explanation: on_framework.map(|place| place.explanation.clone()),
                possibly_out_of_date: possibly_out_of_date(l.assured_at, now),
            })
        })
        .collect();
    Ok((documents, removals))
}

/// A listing's best place on a framework lot, or why it is not offered framework work.
#[derive(Clone)]
struct FrameworkPlace {
    /// None when a gate keeps it out (it is still listed, and marked).
    score: Option<u32>,
    quality: u32,
    explanation: String,
}

async fn framework_places(db: &impl ConnectionTrait, listing_ids: &[i64]) -> AppResult<HashMap<i64, FrameworkPlace>> {
    let accreditations = accreditation::Entity::find().filter(accreditation::Column::ListingId.is_in(listing_ids.to_vec())).all(db).await?;
    let lot_ids: Vec<i64> = accreditations.iter().map(|a| a.lot_id).collect::<BTreeSet<_>>().into_iter().collect();
    let mut places: HashMap<i64, FrameworkPlace> = HashMap::new();
    for lot in lot::Entity::find().filter(lot::Column::Id.is_in(lot_ids)).all(db).await? {
        let (ranking, _) = lots::ranking(db, &lot).await?;
        let of = ranking.ranked.len();
        let ranked = ranking.ranked.iter().map(|entry| {
            let place = FrameworkPlace {
                score: Some(entry.framework_score().hundredths()),
                quality: entry.candidate.quality.hundredths(),
                explanation: explain(entry, of, &lot.name, &lot.unit),
            };
            (entry.candidate.provider_id, place)
        });
        let gated = ranking.excluded.iter().map(|(candidate, gate)| {
            (candidate.provider_id, FrameworkPlace { score: None, quality: candidate.quality.hundredths(), explanation: explain_gate(gate) })
        });
        for (provider_id, place) in ranked.chain(gated) {
            for accreditation in accreditations.iter().filter(|a| a.lot_id == lot.id && a.provider_id == provider_id) {
                // The best place wins; a place on one lot beats being gated out of another.
                if places.get(&accreditation.listing_id).is_none_or(|best| place.score > best.score) {
                    places.insert(accreditation.listing_id, place.clone());
                }
            }
        }
    }
    Ok(places)
}
