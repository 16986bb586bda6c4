//! CQC ratings. The CQC publishes its care directory, with each location's latest rating, as a
//! spreadsheet; a commissioner imports it as CSV (`location id,rating,date`). Each line whose
//! location is one of the council's providers updates that provider's rating when it is newer
//! than the one recorded, keeps the history, and re-ranks the lots at once (ranking reads the
//! rating); lines for locations not on CareMarket are counted, not refused. A file with any
//! unreadable line is refused whole, every such line named, since it is probably not the
//! directory. The same file twice changes nothing the second time.
use super::auth::commissioners_council;
use super::offline_placements::split_csv_line;
use super::{audit, outbox, uk_time};
use crate::db::Db;
use crate::entities::{listing, provider, provider_rating};
use crate::error::{AppError, AppResult};
use app::{RATINGS_CSV_HEADER, RatingChange, RatingsPage, SignedInUser, rating_label};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// Lines in one file: the whole directory of England's care locations, with room to spare.
const MOST_ROWS: usize = 100_000;
/// How long the lot tables say a rating changed.
pub const CHANGE_SHOWN_DAYS: i64 = 90;

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Imported {
    pub changed: usize,
    pub unchanged: usize,
    /// Locations that are not the council's providers on CareMarket.
    pub elsewhere: usize,
}

/// A rating as the CQC writes it, or our code for it.
fn rating_code(text: &str) -> Option<&'static str> {
    match text.trim().to_lowercase().replace(['_', '-'], " ").as_str() {
        "outstanding" => Some("outstanding"),
        "good" => Some("good"),
        "requires improvement" => Some("requires_improvement"),
        "inadequate" => Some("inadequate"),
        _ => None,
    }
}

fn rated_on(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y")).ok()
}

pub async fn import(db: &Db, viewer: &SignedInUser, csv: &str, now: DateTime<Utc>) -> AppResult<Imported> {
    let council = commissioners_council(viewer)?;
    let refuse = |message: String| AppError::invalid("csv", message);
    let mut lines = csv.lines().enumerate().map(|(index, line)| (index + 1, line)).filter(|(_, line)| !line.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(refuse("Choose a CSV file or paste its rows: the line naming the columns, then at least one location".into()));
    };
    if split_csv_line(header).iter().map(|cell| cell.trim().to_lowercase()).collect::<Vec<_>>().join(",") != RATINGS_CSV_HEADER {
        return Err(refuse(format!("The first line must name the columns: {RATINGS_CSV_HEADER}")));
    }
    let today = uk_time::to_local(now).date();
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    for (number, line) in lines {
        if rows.len() + problems.len() >= MOST_ROWS {
            return Err(refuse(format!("A file can hold at most {MOST_ROWS} locations: split it into smaller files")));
        }
        let cells = split_csv_line(line);
        let [location, rating, date] = cells.as_slice() else {
            problems.push(format!("Line {number}: expected 3 columns ({RATINGS_CSV_HEADER}), found {}", cells.len()));
            continue;
        };
        match (rating_code(rating), rated_on(date)) {
            (None, _) => {
                problems.push(format!("Line {number}: \"{}\" is not a CQC rating (Outstanding, Good, Requires improvement or Inadequate)", rating.trim()))
            }
            (_, None) => problems.push(format!("Line {number}: the date \"{}\" is not like 2026-12-01", date.trim())),
            (_, Some(day)) if day > today => problems.push(format!("Line {number}: the date {day} is in the future")),
            (Some(code), Some(day)) => rows.push((location.trim().to_string(), code, day)),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems.into_iter().map(|problem| app::FieldError::new("csv", problem)).collect()));
    }
    let txn = crate::db::begin_write(db).await?;
    let providers: HashMap<String, provider::Model> = provider::Entity::find()
        .filter(provider::Column::CouncilId.eq(council))
        .filter(provider::Column::RegulatorId.is_not_null())
        .all(&txn)
        .await?
        .into_iter()
        .filter_map(|provider| Some((provider.regulator_id.clone()?, provider)))
        .collect();
    let mut latest = latest_dates(&txn, providers.values().map(|p| p.id).collect()).await?;
    let mut imported = Imported::default();
    let mut changed_providers = Vec::new();
    for (location, code, day) in rows {
        let Some(provider) = providers.get(&location) else {
            imported.elsewhere += 1;
            continue;
        };
        // Only a newer rating, or a first one, or one that differs on the same day, counts.
        let recorded = latest.get(&provider.id).copied();
        let current = changed_providers.iter().find(|(id, _)| *id == provider.id).map_or(provider.regulator_rating.as_str(), |(_, code)| *code);
        if recorded.is_some_and(|recorded| day < recorded || (day == recorded && current == code)) {
            imported.unchanged += 1;
            continue;
        }
        provider_rating::Entity::insert(provider_rating::ActiveModel {
            provider_id: Set(provider.id),
            rating: Set(code.into()),
            previous: Set((current != code).then(|| current.to_string())),
            rated_on: Set(day),
            recorded_by: Set(viewer.user_id),
            created_at: Set(now),
            ..Default::default()
        })
        .exec_without_returning(&txn)
        .await?;
        // A later line for the same location is weighed against this one.
        latest.insert(provider.id, day);
        if current != code {
            let mut row: provider::ActiveModel = provider.clone().into();
            row.regulator_rating = Set(code.into());
            row.updated_at = Set(now);
            row.update(&txn).await?;
            changed_providers.push((provider.id, code));
            imported.changed += 1;
        } else {
            imported.unchanged += 1;
        }
    }
    // The directory shows ratings too: its entries for these providers' services follow.
    let ids: Vec<i64> = changed_providers.iter().map(|(id, _)| *id).collect();
    let listings: Vec<i64> =
        listing::Entity::find().select_only().column(listing::Column::Id).filter(listing::Column::ProviderId.is_in(ids)).into_tuple().all(&txn).await?;
    outbox::queue_listings(&txn, listings, now).await?;
    let detail = serde_json::json!({ "changed": imported.changed, "unchanged": imported.unchanged, "elsewhere": imported.elsewhere });
    audit::record(&txn, now, Some(viewer.user_id), None, "ratings_imported", detail).await?;
    txn.commit().await?;
    Ok(imported)
}

/// The date of each provider's latest recorded rating.
async fn latest_dates(db: &impl ConnectionTrait, provider_ids: Vec<i64>) -> AppResult<HashMap<i64, NaiveDate>> {
    let rows = provider_rating::Entity::find().filter(provider_rating::Column::ProviderId.is_in(provider_ids)).all(db).await?;
    let mut latest: HashMap<i64, NaiveDate> = HashMap::new();
    for row in rows {
        let day = latest.entry(row.provider_id).or_insert(row.rated_on);
        *day = (*day).max(row.rated_on);
    }
    Ok(latest)
}

/// The latest rating changes of the council's providers, newest first.
pub async fn page(db: &impl ConnectionTrait, viewer: &SignedInUser) -> AppResult<RatingsPage> {
    let council = commissioners_council(viewer)?;
    let providers: HashMap<i64, String> =
        provider::Entity::find().filter(provider::Column::CouncilId.eq(council)).all(db).await?.into_iter().map(|p| (p.id, p.name)).collect();
    let rows = provider_rating::Entity::find()
        .filter(provider_rating::Column::ProviderId.is_in(providers.keys().copied()))
        .order_by_desc(provider_rating::Column::RatedOn)
        .order_by_desc(provider_rating::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    Ok(RatingsPage {
        changes: rows
            .into_iter()
            .map(|row| RatingChange {
                provider: providers.get(&row.provider_id).cloned().unwrap_or_default(),
                previous: row.previous.as_deref().map(|code| rating_label(code).to_string()),
                rating: rating_label(&row.rating).to_string(),
                rated_on: uk_time::long_date(row.rated_on),
            })
            .collect(),
    })
}

/// "CQC rating changed from Good to Outstanding on 1 December 2026", for providers whose rating
/// changed in the last `CHANGE_SHOWN_DAYS`.
pub async fn recent_changes(db: &impl ConnectionTrait, provider_ids: Vec<i64>, now: DateTime<Utc>) -> AppResult<HashMap<i64, String>> {
    let since = uk_time::to_local(now).date() - chrono::Duration::days(CHANGE_SHOWN_DAYS);
    let rows = provider_rating::Entity::find()
        .filter(provider_rating::Column::ProviderId.is_in(provider_ids))
        .filter(provider_rating::Column::Previous.is_not_null())
        .filter(provider_rating::Column::RatedOn.gte(since))
        .order_by_asc(provider_rating::Column::RatedOn)
        .order_by_asc(provider_rating::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let said = format!(
                "CQC rating changed from {} to {} on {}",
                rating_label(row.previous.as_deref()?),
                rating_label(&row.rating),
                uk_time::long_date(row.rated_on)
            );
            Some((row.provider_id, said))
        })
        .collect())
}
