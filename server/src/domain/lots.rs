//! Framework lots as the public sees them: every accredited provider's quality, price and
//! framework score, ranked as `ranking` says, worked out from the database on each request
//! so that a change to any input shows at once.
use super::ranking::{Candidate, LotRanking, QualityInputs, Rating, Weighting, explain, explain_gate, quality, rank_lot};
use crate::entities::{accreditation, framework, listing, locality, lot, monitoring_score, provider, review};
use crate::error::{AppError, AppResult};
use app::{AccreditationStatus, ListingStatus, LotRow, LotSummary, LotTable, category_label};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// Every lot, grouped by framework then by name.
pub async fn all_lots(db: &impl ConnectionTrait) -> AppResult<Vec<LotSummary>> {
    let frameworks: HashMap<i64, String> = framework::Entity::find().all(db).await?.into_iter().map(|f| (f.id, f.name)).collect();
    let localities: HashMap<i64, String> = locality::Entity::find().all(db).await?.into_iter().map(|l| (l.id, l.name)).collect();
    let mut providers: HashMap<i64, u64> = HashMap::new();
    let accredited: Vec<i64> = accreditation::Entity::find().select_only().column(accreditation::Column::LotId).into_tuple().all(db).await?;
    for lot_id in accredited {
        *providers.entry(lot_id).or_default() += 1;
    }
    let lots = lot::Entity::find().order_by_asc(lot::Column::FrameworkId).order_by_asc(lot::Column::Name).all(db).await?;
    Ok(lots
        .into_iter()
        .map(|lot| LotSummary {
            id: lot.id,
            framework: frameworks.get(&lot.framework_id).cloned().unwrap_or_default(),
            locality: localities.get(&lot.locality_id).cloned().unwrap_or_default(),
            providers: providers.get(&lot.id).copied().unwrap_or(0),
            name: lot.name,
        })
        .collect())
}

/// A lot's ranking, with the providers on it by id.
pub async fn ranking(db: &impl ConnectionTrait, lot: &lot::Model) -> AppResult<(LotRanking, HashMap<i64, provider::Model>)> {
    let accreditations = accreditation::Entity::find().filter(accreditation::Column::LotId.eq(lot.id)).all(db).await?;
    let provider_ids: Vec<i64> = accreditations.iter().map(|a| a.provider_id).collect();
    let providers: HashMap<i64, provider::Model> =
        provider::Entity::find().filter(provider::Column::Id.is_in(provider_ids.clone())).all(db).await?.into_iter().map(|p| (p.id, p)).collect();
    let monitoring = latest_monitoring(db, Some(lot.id), &provider_ids).await?;
    let reviews = review_totals(db, &provider_ids).await?;
    let candidates = accreditations
        .iter()
        .filter_map(|accreditation| {
            let provider = providers.get(&accreditation.provider_id)?;
            let rating = Rating::from_code(&provider.regulator_rating).unwrap_or(Rating::NotYetRated);
            let (review_count, review_stars_total) = reviews.get(&provider.id).copied().unwrap_or_default();
            let inputs = QualityInputs { rating, monitoring: monitoring.get(&provider.id).copied(), review_count, review_stars_total };
            Some(Candidate {
                reviews: (review_count, review_stars_total),
                provider_id: provider.id,
                name: provider.name.clone(),
                price_pence: accreditation.contracted_rate_pence,
                quality: quality(inputs),
                rating,
                suspension: (accreditation.status == AccreditationStatus::Suspended)
                    .then(|| accreditation.suspension_reason.clone().unwrap_or_else(|| "no reason recorded".into())),
            })
        })
        .collect();
    Ok((rank_lot(weighting(lot), candidates), providers))
}

/// The lot's quality:price weighting (the usual 60:40 if the stored one is out of range).
fn weighting(lot: &lot::Model) -> Weighting {
    u32::try_from(lot.quality_weight).ok().and_then(Weighting::new).unwrap_or(Weighting::DEFAULT)
}

/// One lot's full ranked table.
pub async fn lot_table(db: &impl ConnectionTrait, lot_id: i64) -> AppResult<LotTable> {
    let lot = lot::Entity::find_by_id(lot_id).one(db).await?.ok_or(AppError::NotFound)?;
    let framework = framework::Entity::find_by_id(lot.framework_id).one(db).await?.map(|f| f.name).unwrap_or_default();
    let locality = locality::Entity::find_by_id(lot.locality_id).one(db).await?.map(|l| l.name).unwrap_or_default();
    let (ranking, providers) = ranking(db, &lot).await?;
    let of = ranking.ranked.len();
    let rating_changes = super::regulator_ratings::recent_changes(db, providers.keys().copied().collect(), chrono::Utc::now()).await?;
    let public_id = |id: i64| providers.get(&id).map(|p| p.public_id.clone()).unwrap_or_default();
    let best_value_listing = match ranking.ranked.first() {
        Some(best) => {
            let accredited = accreditation::Entity::find()
                .filter(accreditation::Column::LotId.eq(lot.id))
                .filter(accreditation::Column::ProviderId.eq(best.candidate.provider_id))
                .one(db)
                .await?;
            match accredited {
                Some(accredited) => {
                    listing::Entity::find_by_id(accredited.listing_id).one(db).await?.filter(|l| l.status == ListingStatus::Published).map(|l| l.public_id)
                }
                None => None,
            }
        }
        None => None,
    };
    Ok(LotTable {
        best_value_listing,
        ranked: ranking
            .ranked
            .iter()
            .map(|entry| LotRow {
                position: entry.position,
                provider: entry.candidate.name.clone(),
                provider_public_id: public_id(entry.candidate.provider_id),
                quality: entry.candidate.quality.hundredths(),
                price_score: entry.price_score.hundredths(),
                framework_score: entry.framework_score().hundredths(),
                price_pence: entry.candidate.price_pence,
                explanation: match rating_changes.get(&entry.candidate.provider_id) {
                    Some(change) => format!("{}. {change}", explain(entry, of, &lot.name, &lot.unit)),
                    None => explain(entry, of, &lot.name, &lot.unit),
                },
            })
            .collect(),
        not_offered: ranking.excluded.iter().map(|(candidate, gate)| (candidate.name.clone(), explain_gate(gate))).collect(),
        category: category_label(&lot.category).to_string(),
        quality_weight: weighting(&lot).quality(),
        name: lot.name,
        framework,
        locality,
        unit: lot.unit,
        price_cap_pence: lot.price_cap_pence,
    })
}

/// Each provider's latest monitoring score: the one for this lot (if a lot is given and
/// there is one), otherwise its latest general score.
pub async fn latest_monitoring(db: &impl ConnectionTrait, lot_id: Option<i64>, provider_ids: &[i64]) -> AppResult<HashMap<i64, u8>> {
    let scores = monitoring_score::Entity::find()
        .filter(monitoring_score::Column::ProviderId.is_in(provider_ids.to_vec()))
        .order_by_asc(monitoring_score::Column::RecordedAt)
        .order_by_asc(monitoring_score::Column::Id)
        .all(db)
        .await?;
    let mut general = HashMap::new();
    let mut for_lot = HashMap::new();
    for score in scores {
        let points = u8::try_from(score.score.clamp(0, 100)).unwrap_or(0);
        match score.lot_id {
            Some(id) if Some(id) == lot_id => for_lot.insert(score.provider_id, points),
            None => general.insert(score.provider_id, points),
            Some(_) => None,
        };
    }
    general.extend(for_lot);
    Ok(general)
}

/// (how many, stars added up) of each provider's verified reviews.
pub async fn review_totals(db: &impl ConnectionTrait, provider_ids: &[i64]) -> AppResult<HashMap<i64, (u32, u32)>> {
    let mut totals: HashMap<i64, (u32, u32)> = HashMap::new();
    // Hidden reviews no longer count.
    let shown = review::Entity::find().filter(review::Column::ProviderId.is_in(provider_ids.to_vec())).filter(review::Column::HiddenAt.is_null());
    for review in shown.all(db).await? {
        let entry = totals.entry(review.provider_id).or_default();
        entry.0 += 1;
        entry.1 += u32::try_from(review.stars.clamp(1, 5)).unwrap_or(0);
    }
    Ok(totals)
}
