//! Keeping the index in step with the database: the documents the directory publishes
//! (`domain::directory::documents`) are handed to the engine, changes arrive through the outbox (written in the same transaction as each change), and a
//! full re-index rebuilds everything. Each index follows the outbox from a cursor of its own,
//! so every server's embedded index sees every change (see `follow_outbox`).
use super::SearchEngine;
use crate::domain::directory::documents;
use crate::domain::outbox::LISTING_TOPIC;
use crate::entities::{listing, outbox, outbox_pruned, search_follower};
use crate::error::{AppError, AppResult};
use app::ListingStatus;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeSet;

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
        .filter(listing::Column::Status.eq(ListingStatus::Published))
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
pub async fn keep_in_step(db: crate::db::Db, engine: std::sync::Arc<dyn SearchEngine>) {
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
