//! Keeping the index in step with the database: documents are built from the database,
//! changes arrive through the outbox (written in the same transaction as each change), and a
//! full re-index rebuilds everything. Each index follows the outbox from a cursor of its own,
//! so every server's embedded index sees every change (see `follow_outbox`).
use super::{ListingDocument, SearchEngine};
use crate::domain::lots::{self, latest_monitoring, review_totals};
use crate::domain::outbox::LISTING_TOPIC;
use crate::domain::provider_listings::possibly_out_of_date;
use crate::domain::ranking::{QualityInputs, Rating, explain, explain_gate, quality};
use crate::entities::{
    accreditation, listing, listing_area, listing_attribute, listing_availability, lot, outbox, outbox_pruned, postcode_district, provider, search_follower,
};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
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
    let findable: Vec<&listing::Model> =
        listings.iter().filter(|l| l.status == "published" && providers.get(&l.provider_id).is_some_and(|p| p.status == "active")).collect();
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

/// Where this index has got to in the outbox, reported in the database by its name.
async fn cursor(db: &impl ConnectionTrait, follower: &str) -> AppResult<Option<i64>> {
    Ok(search_follower::Entity::find_by_id(follower.to_string()).one(db).await?.map(|f| f.last_applied))
}

/// Records how far this index has got (never backwards) and that its server is alive.
async fn report(db: &impl ConnectionTrait, follower: &str, last_applied: i64, now: DateTime<Utc>) -> AppResult<()> {
    search_follower::Entity::insert(search_follower::ActiveModel {
        follower: Set(follower.to_string()),
        last_applied: Set(last_applied),
        reported_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(search_follower::Column::Follower)
            .value(
                search_follower::Column::LastApplied,
                Expr::cust("CASE WHEN excluded.last_applied > search_followers.last_applied THEN excluded.last_applied ELSE search_followers.last_applied END"),
            )
            .update_column(search_follower::Column::ReportedAt)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The highest outbox entry ever removed (0 if none).
async fn pruned_through(db: &impl ConnectionTrait) -> AppResult<i64> {
    Ok(outbox_pruned::Entity::find().one(db).await?.map_or(0, |p| p.through_id))
}

async fn newest_entry(db: &impl ConnectionTrait) -> AppResult<i64> {
    let newest: Option<i64> = outbox::Entity::find().select_only().column_as(outbox::Column::Id.max(), "newest").into_tuple().one(db).await?.flatten();
    Ok(newest.unwrap_or(0).max(pruned_through(db).await?))
}

/// Applies up to `batch` outbox entries this index has not seen yet, oldest first, and moves
/// its cursor past them. An index whose cursor is behind entries already removed (its server
/// was away longer than they were kept) is rebuilt from the database first. Returns how many
/// entries were applied.
pub async fn follow_outbox(db: &impl ConnectionTrait, engine: &dyn SearchEngine, batch: u64, now: DateTime<Utc>) -> AppResult<usize> {
    let follower = engine.follower();
    let mut from = cursor(db, &follower).await?.unwrap_or(0);
    if from < pruned_through(db).await? {
        tracing::warn!(follower, "this search index missed changes removed from the outbox; rebuilding it");
        // Everything up to here is in the database's present state, which the rebuild reads.
        from = newest_entry(db).await?;
        reindex(db, engine, |_, _| {}, now).await?;
        report(db, &follower, from, now).await?;
    }
    let entries = outbox::Entity::find()
        .filter(outbox::Column::Topic.eq(LISTING_TOPIC))
        .filter(outbox::Column::Id.gt(from))
        .order_by_asc(outbox::Column::Id)
        .limit(batch)
        .all(db)
        .await?;
    let Some(last) = entries.last().map(|e| e.id) else { return Ok(0) };
    let listing_ids: Vec<i64> = entries.iter().map(|e| e.entity_id).collect::<BTreeSet<_>>().into_iter().collect();
    let (upserts, removals) = documents(db, &listing_ids, now).await?;
    engine.upsert(upserts).await.map_err(AppError::internal)?;
    engine.remove(removals).await.map_err(AppError::internal)?;
    // Only now: had the process stopped before this line, the entries would be applied again.
    report(db, &follower, last, now).await?;
    Ok(entries.len())
}

/// A server reporting in within this long still counts: its index must see every entry.
const FOLLOWERS_ALIVE_FOR: chrono::Duration = chrono::Duration::minutes(10);
/// Entries are kept at most this long, however far behind a silent server is.
const ENTRIES_KEPT_FOR: chrono::Duration = chrono::Duration::days(7);

/// Removes the outbox entries every index still reporting in has applied, and any older than
/// 7 days. Returns how many were removed.
pub async fn prune_outbox(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<u64> {
    let alive = search_follower::Entity::find().filter(search_follower::Column::ReportedAt.gt(now - FOLLOWERS_ALIVE_FOR)).all(db).await?;
    let applied_by_all = alive.iter().map(|f| f.last_applied).min().unwrap_or(0);
    let week_old: Option<i64> = outbox::Entity::find()
        .select_only()
        .column_as(outbox::Column::Id.max(), "newest")
        .filter(outbox::Column::CreatedAt.lt(now - ENTRIES_KEPT_FOR))
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let through = applied_by_all.max(week_old.unwrap_or(0));
    if through <= 0 {
        return Ok(0);
    }
    let removed = outbox::Entity::delete_many().filter(outbox::Column::Id.lte(through)).exec(db).await?.rows_affected;
    if removed > 0 && through > pruned_through(db).await? {
        let row = outbox_pruned::ActiveModel { id: Set(1), through_id: Set(through) };
        outbox_pruned::Entity::insert(row)
            .on_conflict(OnConflict::column(outbox_pruned::Column::Id).update_column(outbox_pruned::Column::ThroughId).to_owned())
            .exec_without_returning(db)
            .await?;
    }
    Ok(removed)
}

/// Builds an index whole from the database and starts it following the outbox from the newest
/// entry at the moment it began (changes made meanwhile are applied after).
pub async fn rebuild(db: &impl ConnectionTrait, engine: &dyn SearchEngine, progress: impl FnMut(usize, usize), now: DateTime<Utc>) -> AppResult<usize> {
    let from = newest_entry(db).await?;
    let count = reindex(db, engine, progress, now).await?;
    report(db, &engine.follower(), from, now).await?;
    Ok(count)
}

/// Rebuilds the index from the database, reporting (done, total) as it goes.
pub async fn reindex(db: &impl ConnectionTrait, engine: &dyn SearchEngine, mut progress: impl FnMut(usize, usize), now: DateTime<Utc>) -> AppResult<usize> {
    let ids: Vec<i64> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .filter(listing::Column::Status.eq("published"))
        .order_by_asc(listing::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    engine.clear().await.map_err(AppError::internal)?;
    let mut done = 0;
    for chunk in ids.chunks(1_000) {
        let (upserts, _) = documents(db, chunk, now).await?;
        engine.upsert(upserts).await.map_err(AppError::internal)?;
        done += chunk.len();
        progress(done, ids.len());
    }
    Ok(ids.len())
}

/// How long the outbox may wait before its entries reach the index, at most.
const POLL: std::time::Duration = std::time::Duration::from_millis(200);
/// How often an idle server reports in, and prunes what every index has applied.
const TIDY_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs for the life of the server: applies outbox entries to this server's index as they
/// arrive, reports in, and prunes entries every index has applied. A failure is logged and
/// retried; entries stay in the outbox until every live index has them.
pub async fn keep_in_step(db: sea_orm::DatabaseConnection, engine: std::sync::Arc<dyn SearchEngine>) {
    let follower = engine.follower();
    let mut tidied = std::time::Instant::now() - TIDY_EVERY;
    loop {
        let now = Utc::now();
        if tidied.elapsed() >= TIDY_EVERY {
            tidied = std::time::Instant::now();
            let reported = async { report(&db, &follower, cursor(&db, &follower).await?.unwrap_or(0), now).await };
            if let Err(error) = reported.await {
                tracing::warn!(%error, "could not report this search index's place in the outbox");
            }
            if let Err(error) = prune_outbox(&db, now).await {
                tracing::warn!(%error, "could not remove applied outbox entries; will try again");
            }
        }
        match follow_outbox(&db, engine.as_ref(), 500, now).await {
            Ok(0) => tokio::time::sleep(POLL).await,
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "could not update the search index; will try again");
                tokio::time::sleep(POLL * 10).await;
            }
        }
    }
}
