//! Commissioners manage their council's framework lots: admit a provider's service at a
//! contracted rate (never above the lot's price cap), record contract-monitoring scores, and
//! suspend or reinstate a provider with a reason. Nobody else may; every change is audited and
//! queues the provider's services for the search index, whose framework scores it changes.
use super::frameworks::PRICE_CAP_LIMIT;
use super::values::{Pence, collect, required_text, whole_number};
use super::{audit, outbox};
use crate::db::Db;
use crate::entities::{accreditation, framework, listing, listing_area, lot, monitoring_score, postcode_district, provider};
use crate::error::{AppError, AppResult};
use app::{AccreditationRow, AccreditationStatus, ListingStatus, LotAdmin, LotChange, Role, SignedInUser, format_price};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// The lot, if this user commissions for the council that runs it.
async fn managed_lot(db: &impl ConnectionTrait, user: &SignedInUser, lot_id: i64) -> AppResult<lot::Model> {
    if user.role != Role::Commissioner {
        return Err(AppError::Forbidden);
    }
    let lot = lot::Entity::find_by_id(lot_id).one(db).await?.ok_or(AppError::NotFound)?;
    let framework = framework::Entity::find_by_id(lot.framework_id).one(db).await?.ok_or(AppError::NotFound)?;
    if framework.council_id != user.council_id {
        return Err(AppError::Forbidden);
    }
    Ok(lot)
}

/// What a commissioner sees to manage a lot: its accreditations, and the published services
/// of the right kind in its area that could still be admitted.
pub async fn lot_admin(db: &impl ConnectionTrait, user: &SignedInUser, lot_id: i64) -> AppResult<LotAdmin> {
    let lot = managed_lot(db, user, lot_id).await?;
    let accreditations = accreditation::Entity::find().filter(accreditation::Column::LotId.eq(lot.id)).all(db).await?;
    let names = provider_names(db, accreditations.iter().map(|a| a.provider_id).collect()).await?;
    let mut rows: Vec<AccreditationRow> = accreditations
        .iter()
        .map(|a| AccreditationRow {
            provider_public_id: names.get(&a.provider_id).map(|(id, _)| id.clone()).unwrap_or_default(),
            provider: names.get(&a.provider_id).map(|(_, name)| name.clone()).unwrap_or_default(),
            rate: format_price(a.contracted_rate_pence, &lot.unit),
            suspension: a.suspension_reason.clone(),
        })
        .collect();
    rows.sort_by(|a, b| a.provider.cmp(&b.provider));
    let districts: Vec<String> = postcode_district::Entity::find()
        .select_only()
        .column(postcode_district::Column::Code)
        .filter(postcode_district::Column::LocalityId.eq(lot.locality_id))
        .into_tuple()
        .all(db)
        .await?;
    let in_area: Vec<i64> = listing_area::Entity::find()
        .select_only()
        .column(listing_area::Column::ListingId)
        .filter(listing_area::Column::District.is_in(districts))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let admitted: Vec<i64> = accreditations.iter().map(|a| a.provider_id).collect();
    let candidates = listing::Entity::find()
        .filter(listing::Column::Id.is_in(in_area))
        .filter(listing::Column::Category.eq(lot.category.as_str()))
        .filter(listing::Column::Status.eq(ListingStatus::Published))
        .filter(listing::Column::ProviderId.is_not_in(admitted))
        .order_by_asc(listing::Column::Title)
        .limit(200)
        .all(db)
        .await?;
    let candidate_names = provider_names(db, candidates.iter().map(|l| l.provider_id).collect()).await?;
    Ok(LotAdmin {
        accreditations: rows,
        could_admit: candidates
            .into_iter()
            .map(|l| {
                let provider = candidate_names.get(&l.provider_id).map(|(_, name)| name.as_str()).unwrap_or_default();
                (l.public_id, format!("{provider}: {} ({})", l.title, format_price(l.price_pence, &l.unit)))
            })
            .collect(),
        price_cap: format_price(lot.price_cap_pence, &lot.unit),
        price_cap_pounds: app::pounds_text(lot.price_cap_pence),
        quality_weight: u32::try_from(lot.quality_weight).unwrap_or(60),
    })
}

/// provider id → (public id, name)
async fn provider_names(db: &impl ConnectionTrait, ids: Vec<i64>) -> AppResult<HashMap<i64, (String, String)>> {
    Ok(provider::Entity::find().filter(provider::Column::Id.is_in(ids)).all(db).await?.into_iter().map(|p| (p.id, (p.public_id, p.name))).collect())
}

/// Applies one commissioner's change to a lot.
pub async fn change_lot(db: &Db, user: &SignedInUser, lot_id: i64, change: &LotChange, now: DateTime<Utc>) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    managed_lot(&txn, user, lot_id).await?;
    // Held until commit (PostgreSQL; SQLite's write lock already is): a change of terms and an
    // admission at the same instant must not pass each other's checks against the cap.
    let lot = lot::Entity::find_by_id(lot_id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    let (action, provider_ids) = match change {
        LotChange::Admit { listing_id, rate } => ("provider_accredited", vec![admit(&txn, &lot, listing_id, rate, now).await?]),
        LotChange::RecordMonitoring { provider_id, score, note } => {
            let mut errors = Vec::new();
            let accreditation = collect(&mut errors, accredited(&txn, &lot, "monitoring_provider", provider_id).await);
            let score = collect(&mut errors, whole_number("score", score, "the monitoring score", 0, 100));
            let note = collect(&mut errors, required_text("note", note, "what the score is based on", 500));
            let (Some(accreditation), Some(score), Some(note)) = (accreditation, score, note) else { return Err(AppError::Invalid(errors)) };
            let provider_id = accreditation.provider_id;
            monitoring_score::Entity::insert(monitoring_score::ActiveModel {
                provider_id: Set(provider_id),
                lot_id: Set(Some(lot.id)),
                score: Set(i32::try_from(score).unwrap_or(0)),
                note: Set(note),
                recorded_by: Set(user.user_id),
                recorded_at: Set(now),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
            ("monitoring_recorded", vec![provider_id])
        }
        LotChange::Suspend { provider_id, reason } => {
            let mut errors = Vec::new();
            let accreditation = collect(&mut errors, accredited(&txn, &lot, "suspended_provider", provider_id).await);
            let reason = collect(&mut errors, required_text("reason", reason, "why the provider is suspended", 500));
            let (Some(accreditation), Some(reason)) = (accreditation, reason) else { return Err(AppError::Invalid(errors)) };
            let mut row: accreditation::ActiveModel = accreditation.into();
            row.status = Set(AccreditationStatus::Suspended);
            row.suspension_reason = Set(Some(reason));
            let row = row.update(&txn).await?;
            ("provider_suspended", vec![row.provider_id])
        }
        LotChange::Reinstate { provider_id } => {
            let mut row: accreditation::ActiveModel = accredited(&txn, &lot, "reinstated_provider", provider_id).await?.into();
            row.status = Set(AccreditationStatus::Active);
            row.suspension_reason = Set(None);
            let row = row.update(&txn).await?;
            ("provider_reinstated", vec![row.provider_id])
        }
        LotChange::Terms { price_cap, quality_weight } => ("lot_terms_changed", change_terms(&txn, lot.clone(), price_cap, quality_weight).await?),
    };
    let before = serde_json::json!({ "price_cap_pence": lot.price_cap_pence, "quality_weight": lot.quality_weight });
    let detail = serde_json::json!({ "lot": lot.id, "providers": provider_ids, "change": change, "terms_before": before });
    audit::record(&txn, now, Some(user.user_id), None, action, detail).await?;
    // These providers' framework scores moved, so each of their services ranks differently in search.
    let listing_ids: Vec<i64> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .filter(listing::Column::ProviderId.is_in(provider_ids))
        .into_tuple()
        .all(&txn)
        .await?;
    outbox::queue_listings(&txn, listing_ids, now).await?;
    txn.commit().await?;
    Ok(())
}

/// A new price cap and quality weighting. A cap below a rate already contracted is refused:
/// those contracts would break it. Returns every provider on the lot (all of them re-rank).
async fn change_terms(db: &impl ConnectionTrait, lot: lot::Model, price_cap: &str, quality_weight: &str) -> AppResult<Vec<i64>> {
    let mut errors = Vec::new();
    let cap = collect(&mut errors, Pence::parse_price("price_cap", price_cap, "the price cap", PRICE_CAP_LIMIT));
    let weight = collect(&mut errors, whole_number("quality_weight", quality_weight, "the weight given to quality", 0, 100));
    let (Some(cap), Some(weight)) = (cap, weight) else { return Err(AppError::Invalid(errors)) };
    let accreditations = accreditation::Entity::find().filter(accreditation::Column::LotId.eq(lot.id)).all(db).await?;
    let above = accreditations.iter().filter(|a| a.contracted_rate_pence > cap.pence()).count();
    if above > 0 {
        let providers = if above == 1 { "1 provider is".to_string() } else { format!("{above} providers are") };
        return Err(AppError::invalid(
            "price_cap",
            format!("{providers} contracted above {}: the cap cannot be lower than a contracted rate", format_price(cap.pence(), &lot.unit)),
        ));
    }
    let mut row: lot::ActiveModel = lot.into();
    row.price_cap_pence = Set(cap.pence());
    row.quality_weight = Set(i32::try_from(weight).unwrap_or(60));
    row.update(db).await?;
    Ok(accreditations.into_iter().map(|a| a.provider_id).collect())
}

/// The lot's accreditation of this provider (by public id), or a field error.
async fn accredited(db: &impl ConnectionTrait, lot: &lot::Model, field: &str, provider_public_id: &str) -> AppResult<accreditation::Model> {
    let not_on_lot = || AppError::invalid(field, "Choose a provider on this lot");
    let provider = provider::Entity::find().filter(provider::Column::PublicId.eq(provider_public_id)).one(db).await?.ok_or_else(not_on_lot)?;
    accreditation::Entity::find()
        .filter(accreditation::Column::LotId.eq(lot.id))
        .filter(accreditation::Column::ProviderId.eq(provider.id))
        .one(db)
        .await?
        .ok_or_else(not_on_lot)
}

/// Admits a published service of the lot's kind at a contracted rate no higher than the cap.
async fn admit(db: &impl ConnectionTrait, lot: &lot::Model, listing_public_id: &str, rate: &str, now: DateTime<Utc>) -> AppResult<i64> {
    let listing = listing::Entity::find()
        .filter(listing::Column::PublicId.eq(listing_public_id))
        .filter(listing::Column::Status.eq(ListingStatus::Published))
        .one(db)
        .await?
        .filter(|listing| listing.category == lot.category)
        .ok_or_else(|| AppError::invalid("listing_id", "Choose a published service of this lot's kind"))?;
    let cap = Pence::from_pence(lot.price_cap_pence);
    let rate = Pence::parse_price("rate", rate, "the contracted rate", Pence::from_pence(i64::MAX)).and_then(|rate| {
        if rate > cap {
            Err(AppError::invalid("rate", format!("The contracted rate must be {} or less: the lot's price cap", format_price(cap.pence(), &lot.unit))))
        } else {
            Ok(rate)
        }
    })?;
    let already = accreditation::Entity::find()
        .filter(accreditation::Column::LotId.eq(lot.id))
        .filter(accreditation::Column::ProviderId.eq(listing.provider_id))
        .one(db)
        .await?;
    if already.is_some() {
        return Err(AppError::invalid("listing_id", "This provider is already on this lot"));
    }
    accreditation::Entity::insert(accreditation::ActiveModel {
        lot_id: Set(lot.id),
        provider_id: Set(listing.provider_id),
        listing_id: Set(listing.id),
        contracted_rate_pence: Set(rate.pence()),
        status: Set(AccreditationStatus::Active),
        suspension_reason: Set(None),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(listing.provider_id)
}
