//! Placements made outside CareMarket, recorded by commissioners one at a time or imported
//! from a spreadsheet (CSV), so reports can show the share placed electronically. An import is
//! all or nothing: any bad row is named by its line number and nothing is saved.
use super::audit;
use super::auth::commissioners_council;
use super::values::{Pence, collect};
use crate::db::Db;
use crate::entities::{locality, offline_placement};
use crate::error::{AppError, AppResult};
use app::report::{OFFLINE_CSV_HEADER, OfflinePlacementForm, OfflinePlacementLine, OfflinePlacements};
use app::{CATEGORIES, FieldError, SignedInUser, category_label};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

/// Far above a real week of care (residential care is about £1,500), so a typo is caught.
const WEEKLY_VALUE_LIMIT: Pence = Pence::from_pence(2_000_000);
/// Rows in one import: a year of a large council's placements.
const MOST_ROWS: usize = 20_000;
/// Rows inserted per statement: under the bind-parameter limits of SQLite and PostgreSQL.
const BATCH: usize = 500;

pub async fn page(db: &impl ConnectionTrait, user: &SignedInUser) -> AppResult<OfflinePlacements> {
    let council_id = commissioners_council(user)?;
    let localities = localities(db, council_id).await?;
    let of_council = offline_placement::Entity::find().filter(offline_placement::Column::CouncilId.eq(council_id));
    let recorded = of_council.clone().count(db).await?;
    let latest = of_council
        .order_by_desc(offline_placement::Column::PlacedOn)
        .order_by_desc(offline_placement::Column::Id)
        .limit(20)
        .all(db)
        .await?
        .into_iter()
        .map(|row| OfflinePlacementLine {
            placed_on: row.placed_on.format("%-d %B %Y").to_string(),
            category: category_label(&row.category).into(),
            area: row.locality_id.and_then(|id| localities.iter().find(|l| l.id == id)).map_or_else(|| "Not given".into(), |l| l.name.clone()),
            weekly_value_pence: row.weekly_value_pence,
        })
        .collect();
    Ok(OfflinePlacements {
        localities: localities.into_iter().map(|l| (l.id.to_string(), l.name)).collect(),
        recorded: i64::try_from(recorded).unwrap_or(i64::MAX),
        latest,
    })
}

async fn localities(db: &impl ConnectionTrait, council_id: i64) -> AppResult<Vec<locality::Model>> {
    Ok(locality::Entity::find().filter(locality::Column::CouncilId.eq(council_id)).order_by_asc(locality::Column::Name).all(db).await?)
}

/// Records one offline placement from the form.
pub async fn record(db: &Db, user: &SignedInUser, form: &OfflinePlacementForm, now: DateTime<Utc>) -> AppResult<()> {
    let council_id = commissioners_council(user)?;
    let areas = localities(db, council_id).await?;
    let placement = read(form, &areas, |area| areas.iter().find(|l| l.id.to_string() == area.trim()), uk_today(now))
        .map_err(|errors| AppError::Invalid(errors.into_iter().map(|(field, message)| FieldError::new(field, message)).collect()))?;
    let txn = crate::db::begin_write(db).await?;
    insert(&txn, council_id, user.user_id, std::slice::from_ref(&placement), now).await?;
    audit::record(&txn, now, Some(user.user_id), None, "offline_placement_recorded", serde_json::json!({ "placed_on": placement.placed_on })).await?;
    txn.commit().await?;
    Ok(())
}

/// Imports a CSV file (with `OFFLINE_CSV_HEADER` as its first line); returns the rows imported.
/// Every bad row is reported as "Line n: ..." and then nothing is imported.
pub async fn import(db: &Db, user: &SignedInUser, csv: &str, now: DateTime<Utc>) -> AppResult<usize> {
    let council_id = commissioners_council(user)?;
    let areas = localities(db, council_id).await?;
    let today = uk_today(now);
    let refuse = |message: String| AppError::invalid("csv", message);
    let mut lines = csv.lines().enumerate().map(|(index, line)| (index + 1, line)).filter(|(_, line)| !line.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(refuse("Choose a CSV file or paste its rows: the line naming the columns, then at least one placement".into()));
    };
    if split_csv_line(header).iter().map(|cell| cell.trim().to_lowercase()).collect::<Vec<_>>().join(",") != OFFLINE_CSV_HEADER {
        return Err(refuse(format!("The first line must name the columns: {OFFLINE_CSV_HEADER}")));
    }
    let mut placements = Vec::new();
    let mut errors = Vec::new();
    for (number, line) in lines {
        let cells = split_csv_line(line);
        if cells.len() != 4 {
            errors.push(FieldError::new("csv", format!("Line {number}: expected 4 values (date, type of care, area, weekly value) but found {}", cells.len())));
            continue;
        }
        let form = OfflinePlacementForm { placed_on: cells[0].clone(), category: cells[1].clone(), locality: cells[2].clone(), weekly_value: cells[3].clone() };
        let by_name = |area: &str| areas.iter().find(|l| l.name.eq_ignore_ascii_case(area.trim()));
        match read(&form, &areas, by_name, today) {
            Ok(placement) => placements.push(placement),
            Err(problems) => errors.extend(problems.into_iter().map(|(_, message)| FieldError::new("csv", format!("Line {number}: {message}")))),
        }
    }
    if placements.is_empty() && errors.is_empty() {
        return Err(refuse("There are no placements after the first line".into()));
    }
    if placements.len() + errors.len() > MOST_ROWS {
        return Err(refuse(format!("Import at most {MOST_ROWS} placements at a time")));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let txn = crate::db::begin_write(db).await?;
    insert(&txn, council_id, user.user_id, &placements, now).await?;
    audit::record(&txn, now, Some(user.user_id), None, "offline_placements_imported", serde_json::json!({ "rows": placements.len() })).await?;
    txn.commit().await?;
    Ok(placements.len())
}

/// One offline placement, checked.
struct Placement {
    placed_on: NaiveDate,
    category: &'static str,
    locality_id: Option<i64>,
    weekly_value_pence: i64,
}

/// Checks one placement; the problems are (field, message).
fn read<'a>(
    form: &OfflinePlacementForm,
    areas: &'a [locality::Model],
    find_area: impl Fn(&str) -> Option<&'a locality::Model>,
    today: NaiveDate,
) -> Result<Placement, Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    let placed_on = match NaiveDate::parse_from_str(form.placed_on.trim(), "%Y-%m-%d") {
        Ok(date) if date > today => {
            problems.push(("placed_on", "The date cannot be in the future".to_string()));
            None
        }
        Ok(date) if !super::uk_time::within_years(date) => {
            problems.push(("placed_on", format!("Enter a date from {} onwards", super::uk_time::FIRST_YEAR)));
            None
        }
        Ok(date) => Some(date),
        Err(_) => {
            problems.push(("placed_on", format!("Enter the date the placement was made, like {}", today.format("%Y-%m-%d"))));
            None
        }
    };
    let wanted = form.category.trim();
    let category = CATEGORIES.iter().copied().find(|code| *code == wanted || category_label(code).eq_ignore_ascii_case(wanted));
    if category.is_none() {
        problems.push(("category", format!("Choose a type of care from the list (\u{201c}{wanted}\u{201d} is not one)")));
    }
    let locality_id = if form.locality.trim().is_empty() {
        Some(None)
    } else {
        let found = find_area(&form.locality).map(|area| Some(area.id));
        if found.is_none() {
            let names: Vec<&str> = areas.iter().map(|area| area.name.as_str()).collect();
            problems.push(("locality", format!("Choose one of your council's areas ({}), or leave the area empty", names.join(", "))));
        }
        found
    };
    let mut errors = Vec::new();
    let value = collect(&mut errors, Pence::parse_price("weekly_value", &form.weekly_value, "the weekly value", WEEKLY_VALUE_LIMIT));
    problems.extend(errors.into_iter().map(|error| ("weekly_value", error.message)));
    match (placed_on, category, locality_id, value) {
        (Some(placed_on), Some(category), Some(locality_id), Some(value)) if problems.is_empty() => {
            Ok(Placement { placed_on, category, locality_id, weekly_value_pence: value.pence() })
        }
        _ => Err(problems),
    }
}

async fn insert(db: &impl ConnectionTrait, council_id: i64, recorded_by: i64, placements: &[Placement], now: DateTime<Utc>) -> AppResult<()> {
    for batch in placements.chunks(BATCH) {
        let rows = batch.iter().map(|placement| offline_placement::ActiveModel {
            council_id: Set(council_id),
            placed_on: Set(placement.placed_on),
            category: Set(placement.category.into()),
            locality_id: Set(placement.locality_id),
            weekly_value_pence: Set(placement.weekly_value_pence),
            recorded_by: Set(recorded_by),
            created_at: Set(now),
            ..Default::default()
        });
        offline_placement::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

fn uk_today(now: DateTime<Utc>) -> NaiveDate {
    super::uk_time::to_local(now).date()
}

/// The values of one CSV line: commas separate them; a value in double quotes may hold commas
/// and doubled quotes ("").
pub(super) fn split_csv_line(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut characters = line.trim_end_matches('\r').chars().peekable();
    while let Some(character) = characters.next() {
        match (character, quoted) {
            ('"', true) if characters.peek() == Some(&'"') => {
                characters.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (character, _) => cell.push(character),
        }
    }
    cells.push(cell);
    cells
}

#[cfg(test)]
mod tests {
    use super::split_csv_line;

    #[test]
    fn csv_lines_split_on_commas_outside_quotes() {
        assert_eq!(split_csv_line("2026-04-01,Home care,,350.00"), ["2026-04-01", "Home care", "", "350.00"]);
        assert_eq!(
            split_csv_line("2026-04-01,\"Respite, short breaks\",\"Say \"\"hi\"\"\",\"1,050.00\"\r"),
            ["2026-04-01", "Respite, short breaks", "Say \"hi\"", "1,050.00"]
        );
    }
}
