//! Electronic call monitoring. A provider (or the council for it) uploads its call-monitoring
//! system's export (CSV: the visit, staff check-in and check-out times, UK time); each line is
//! matched to one of the provider's visits and settled exactly as checking in and out on
//! CareMarket would (the same rounding, rules and money), in one transaction per line. Lines
//! that cannot be matched or settled are named with the reason, and the rest still settle; a
//! line whose visit it settled already is counted, not settled again, so the same file twice
//! settles once.
use super::offline_placements::split_csv_line;
use super::{audit, uk_time, visits};
use crate::db::Db;
use crate::entities::{booking, call_monitoring_import, provider, visit};
use crate::error::{AppError, AppResult};
use app::{CALL_MONITORING_HEADER, CallMonitoringResult, CallMonitoringUploads, ProviderStatus, Role, SignedInUser, VisitStatus};
use chrono::{DateTime, NaiveDateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// Lines in one file: a month of a large provider's visits.
const MOST_ROWS: usize = 20_000;
/// Uploads listed on the page.
const SHOWN: u64 = 10;

/// What one line came to.
enum Settled {
    Now,
    Already,
}

/// Whose visits an upload settles: the staff member's own organisation, or the provider of
/// its council a commissioner chose (`provider`, its public id); with how lines name it.
async fn uploading_for(db: &impl ConnectionTrait, viewer: &SignedInUser, provider: Option<&str>) -> AppResult<(i64, String)> {
    if viewer.role != Role::Commissioner {
        return Ok((super::auth::providers_organisation(viewer)?, "your organisation".into()));
    }
    let chosen =
        provider.map(str::trim).filter(|id| !id.is_empty()).ok_or_else(|| AppError::invalid("provider", "Choose the provider whose visits these are"))?;
    let found = provider::Entity::find()
        .filter(provider::Column::PublicId.eq(chosen))
        .filter(provider::Column::CouncilId.eq(viewer.council_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((found.id, found.name))
}

/// Imports a file (with `CALL_MONITORING_HEADER` first) for the viewer's organisation, or (a
/// commissioner) for `provider` of their council; returns the upload's id, whose result the
/// page shows. Only a file that cannot be read at all is refused whole.
pub async fn import(db: &Db, viewer: &SignedInUser, provider: Option<&str>, csv: &str, now: DateTime<Utc>) -> AppResult<i64> {
    let (provider_id, whose) = uploading_for(db, viewer, provider).await?;
    let refuse = |message: String| AppError::invalid("csv", message);
    let mut lines = csv.lines().enumerate().map(|(index, line)| (index + 1, line)).filter(|(_, line)| !line.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(refuse("Choose a CSV file or paste its rows: the line naming the columns, then at least one visit".into()));
    };
    if split_csv_line(header).iter().map(|cell| cell.trim().to_lowercase()).collect::<Vec<_>>().join(",") != CALL_MONITORING_HEADER {
        return Err(refuse(format!("The first line must name the columns: {CALL_MONITORING_HEADER}")));
    }
    let rows: Vec<(usize, &str)> = lines.collect();
    if rows.is_empty() {
        return Err(refuse("The file has no visits after the line naming the columns".into()));
    }
    if rows.len() > MOST_ROWS {
        return Err(refuse(format!("A file can hold at most {MOST_ROWS} visits: split it into smaller files")));
    }
    let (mut settled, mut already, mut problems) = (0, 0, Vec::new());
    for (number, line) in rows {
        match settle_line(db, provider_id, &whose, &split_csv_line(line), now).await {
            Ok(Settled::Now) => settled += 1,
            Ok(Settled::Already) => already += 1,
            Err(why) => problems.push(format!("Line {number}: {why}")),
        }
    }
    let txn = crate::db::begin_write(db).await?;
    let inserted = call_monitoring_import::Entity::insert(call_monitoring_import::ActiveModel {
        provider_id: Set(provider_id),
        uploaded_by: Set(viewer.user_id),
        settled: Set(settled),
        already_settled: Set(already),
        problems: Set(serde_json::to_string(&problems).map_err(AppError::internal)?),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    let detail = serde_json::json!({ "provider": provider_id, "settled": settled, "already": already, "problems": problems.len() });
    audit::record(&txn, now, Some(viewer.user_id), None, "call_monitoring_imported", detail).await?;
    txn.commit().await?;
    Ok(inserted.last_insert_id)
}

/// A UK time as call-monitoring systems write it: `2026-12-07 09:02` or `07/12/2026 09:02`.
fn uk_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(uk_time::to_utc)
}

/// Matches one line to a visit of the provider's and settles it, or says why not.
async fn settle_line(db: &Db, provider_id: i64, whose: &str, cells: &[String], now: DateTime<Utc>) -> Result<Settled, String> {
    let [which, checked_in, checked_out] = cells else {
        return Err(format!("expected 3 columns ({CALL_MONITORING_HEADER}), found {}", cells.len()));
    };
    let when = |text: &str, what: &str| uk_instant(text).ok_or_else(|| format!("the {what} time \"{}\" is not like 2026-12-07 09:02", text.trim()));
    let (checked_in, checked_out) = (when(checked_in, "check-in")?, when(checked_out, "check-out")?);
    if checked_out <= checked_in {
        return Err("the check-out time is not after the check-in time".into());
    }
    if checked_out > now {
        return Err("the check-out time is in the future".into());
    }
    let visit = find_visit(db, provider_id, whose, which.trim(), checked_in).await.map_err(|error| error.to_string())??;
    if visit.status != VisitStatus::Scheduled {
        return if visit.checked_in_at == Some(checked_in) && visit.checked_out_at == Some(checked_out) {
            Ok(Settled::Already)
        } else {
            Err(format!("visit {} was checked in to, missed or ended already, at other times", visit.id))
        };
    }
    let settle = async {
        let txn = crate::db::begin_write(db).await?;
        visits::start(&txn, Some(provider_id), visit.id, checked_in).await?;
        // The person's 48 hours to confirm start now, not when the file says staff left.
        visits::finish(&txn, Some(provider_id), visit.id, "", checked_out, now).await?;
        txn.commit().await?;
        Ok::<(), AppError>(())
    };
    settle.await.map(|()| Settled::Now).map_err(|error| match error {
        AppError::Invalid(problems) => problems.into_iter().map(|problem| problem.message).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    })
}

/// The visit a line names: a visit number, or a booking reference and the day of the check-in
/// (the visit that day whose start is nearest the check-in).
async fn find_visit(
    db: &impl ConnectionTrait,
    provider_id: i64,
    whose: &str,
    which: &str,
    checked_in: DateTime<Utc>,
) -> AppResult<Result<visit::Model, String>> {
    let day = uk_time::to_local(checked_in).date();
    if let Ok(id) = which.parse::<i64>() {
        let found = visit::Entity::find_by_id(id).one(db).await?;
        let booking = match &found {
            Some(visit) => booking::Entity::find_by_id(visit.booking_id).one(db).await?,
            None => None,
        };
        return Ok(match (found, booking) {
            (Some(visit), Some(booking)) if booking.provider_id == provider_id => Ok(visit),
            _ => Err(format!("no visit {id} of {whose}")),
        });
    }
    let Some(booking) =
        booking::Entity::find().filter(booking::Column::Reference.eq(which)).filter(booking::Column::ProviderId.eq(provider_id)).one(db).await?
    else {
        return Ok(Err(format!("no booking \"{which}\" of {whose}")));
    };
    let that_day = visit::Entity::find()
        .filter(visit::Column::BookingId.eq(booking.id))
        .filter(visit::Column::ScheduledStart.gte(uk_time::to_utc(day.and_hms_opt(0, 0, 0).unwrap_or_default())))
        .filter(visit::Column::ScheduledStart.lt(uk_time::to_utc(day.succ_opt().unwrap_or(day).and_hms_opt(0, 0, 0).unwrap_or_default())))
        .all(db)
        .await?;
    Ok(that_day
        .into_iter()
        .min_by_key(|visit| (visit.scheduled_start - checked_in).num_seconds().abs())
        .ok_or_else(|| format!("no visit of booking {which} on {}", uk_time::long_date(day))))
}

/// The uploads the viewer may see: a provider's own, or (a commissioner) those for every
/// provider of the council, with the providers to upload for; `shown` is the one just made.
pub async fn page(db: &impl ConnectionTrait, viewer: &SignedInUser, shown: Option<i64>) -> AppResult<CallMonitoringUploads> {
    let providers: Vec<provider::Model> = if viewer.role == Role::Commissioner {
        provider::Entity::find()
            .filter(provider::Column::CouncilId.eq(viewer.council_id))
            .filter(provider::Column::Status.eq(ProviderStatus::Active))
            .order_by_asc(provider::Column::Name)
            .all(db)
            .await?
    } else {
        let own = super::auth::providers_organisation(viewer)?;
        provider::Entity::find_by_id(own).all(db).await?
    };
    let names: HashMap<i64, String> = providers.iter().map(|p| (p.id, p.name.clone())).collect();
    let whose = || call_monitoring_import::Column::ProviderId.is_in(providers.iter().map(|p| p.id));
    let uploads = call_monitoring_import::Entity::find().filter(whose()).order_by_desc(call_monitoring_import::Column::Id).limit(SHOWN).all(db).await?;
    let result = |row: call_monitoring_import::Model| {
        let local = uk_time::to_local(row.created_at);
        CallMonitoringResult {
            id: row.id,
            uploaded: format!("{}, {}", uk_time::long_date(local.date()), local.format("%H:%M")),
            provider: names.get(&row.provider_id).cloned().unwrap_or_default(),
            settled: row.settled,
            already_settled: row.already_settled,
            problems: serde_json::from_str(&row.problems).unwrap_or_default(),
        }
    };
    let shown = match shown {
        Some(id) => call_monitoring_import::Entity::find_by_id(id).filter(whose()).one(db).await?.map(result),
        None => None,
    };
    let choices = if viewer.role == Role::Commissioner { providers.iter().map(|p| (p.public_id.clone(), p.name.clone())).collect() } else { Vec::new() };
    Ok(CallMonitoringUploads { shown, latest: uploads.into_iter().map(result).collect(), providers: choices })
}
