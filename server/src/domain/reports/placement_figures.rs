//! Reports counted from placements: volumes and value, the share placed electronically, time
//! to place, framework share and prices against the cap.
use super::{Answer, Asked, number, provider_names, rows, text};
use crate::entities::{locality, lot};
use crate::error::AppResult;
use app::report::{Figure, channel_label, share};
use app::{category_label, format_pence};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Value};
use std::collections::HashMap;

/// The council's placements made in the span, with the filters asked; `values` gets the
/// parameters in order.
pub(super) fn placements_from(asked: &Asked, values: &mut Vec<Value>) -> String {
    let mut sql = String::from("FROM placements p WHERE p.council_id = ? AND p.placed_on >= ? AND p.placed_on <= ?");
    values.extend([asked.council_id.into(), asked.from.into(), asked.to.into()]);
    for (column, value) in
        [("p.category", asked.category.map(Value::from)), ("p.lot_id", asked.lot.map(Value::from)), ("p.locality_id", asked.locality.map(Value::from))]
    {
        if let Some(value) = value {
            sql.push_str(&format!(" AND {column} = ?"));
            values.push(value);
        }
    }
    sql
}

/// Placements grouped by one key (as text; none where the key is unknown).
#[derive(Default)]
struct Group {
    key: Option<String>,
    placements: i64,
    weekly_value: i64,
    on_framework_value: i64,
}

async fn grouped(db: &impl ConnectionTrait, asked: &Asked, key: &str) -> AppResult<Vec<Group>> {
    let mut values = Vec::new();
    let from = placements_from(asked, &mut values);
    let sql = format!(
        "SELECT CAST({key} AS TEXT) AS k, COUNT(*) AS n, CAST(SUM(p.weekly_value_pence) AS BIGINT) AS v, \
         CAST(SUM(CASE WHEN p.lot_id IS NOT NULL THEN p.weekly_value_pence ELSE 0 END) AS BIGINT) AS f {from} GROUP BY {key}"
    );
    rows(db, &sql, values)
        .await?
        .iter()
        .map(|row| Ok(Group { key: text(row, "k")?, placements: number(row, "n")?, weekly_value: number(row, "v")?, on_framework_value: number(row, "f")? }))
        .collect()
}

/// Groups by period, one for every period in the span (empty ones too), in order. The
/// database groups by day (in date order, straight from the index); days become weeks or
/// months here.
async fn by_period(db: &impl ConnectionTrait, asked: &Asked) -> AppResult<Vec<(String, Group)>> {
    let mut found: HashMap<String, Group> = HashMap::new();
    for day in grouped(db, asked, "p.placed_on").await? {
        let Some(key) = day.key.as_deref().and_then(|text| asked.period.key_of_day(text)) else { continue };
        let group = found.entry(key).or_default();
        group.placements += day.placements;
        group.weekly_value += day.weekly_value;
        group.on_framework_value += day.on_framework_value;
    }
    Ok(asked
        .period
        .all(asked.from, asked.to)
        .into_iter()
        .map(|(key, label)| {
            let mut group = found.remove(&key).unwrap_or_default();
            group.key = Some(key);
            (label, group)
        })
        .collect())
}

pub(super) async fn volumes(db: &impl ConnectionTrait, asked: &Asked) -> AppResult<Answer> {
    let (heading, labelled) = match asked.by {
        "period" => (if asked.period == super::Period::Week { "Week" } else { "Month" }, by_period(db, asked).await?),
        by => {
            let (heading, key) = match by {
                "category" => ("Type of care", "p.category"),
                "lot" => ("Framework lot", "p.lot_id"),
                "provider" => ("Provider", "p.provider_id"),
                "locality" => ("Area", "p.locality_id"),
                _ => ("Who placed it", "p.channel"),
            };
            let mut groups = grouped(db, asked, key).await?;
            groups.sort_by(|a, b| b.placements.cmp(&a.placements).then(a.key.cmp(&b.key)));
            let names = names(db, asked.council_id, by, &groups).await?;
            (heading, groups.into_iter().map(|group| (name_of(by, &group.key, &names), group)).collect())
        }
    };
    let mut answer = Answer::new(&[heading, "Placements", "Weekly value"], &[1]);
    let total: i64 = labelled.iter().map(|(_, group)| group.placements).sum();
    let value: i64 = labelled.iter().map(|(_, group)| group.weekly_value).sum();
    let busiest = labelled.iter().filter(|(_, group)| group.placements > 0).max_by_key(|(_, group)| group.placements);
    answer.summary = match busiest {
        None => format!("No placements were made through CareMarket {}.", asked.span_in_words()),
        Some((label, group)) => format!(
            "{} placements worth {} a week were made through CareMarket {}. The most were in {label}: {}.",
            Figure::Count(total).shown(),
            format_pence(value),
            asked.span_in_words(),
            Figure::Count(group.placements).shown()
        ),
    };
    answer.rows =
        labelled.into_iter().map(|(label, group)| vec![Figure::Label(label), Figure::Count(group.placements), Figure::Pence(group.weekly_value)]).collect();
    answer.notes = vec![
        "A placement is a booking a provider confirmed, paid from a personal budget the council funds, and not since cancelled. It is counted on the day it was confirmed.".into(),
        "Weekly value is what one week of the care costs as booked; for a one-off booking, its cost.".into(),
    ];
    if asked.by == "locality" {
        answer.notes.push("A placement's area is its framework lot's area, or else the area its service was based in when it was placed.".into());
    }
    Ok(answer)
}

/// Names for the keys of a breakdown: lots, providers and areas by id.
async fn names(db: &impl ConnectionTrait, council_id: i64, by: &str, groups: &[Group]) -> AppResult<HashMap<String, String>> {
    let ids: Vec<i64> = groups.iter().filter_map(|group| group.key.as_deref()?.parse().ok()).collect();
    Ok(match by {
        "lot" => lot::Entity::find().filter(lot::Column::Id.is_in(ids)).all(db).await?.into_iter().map(|lot| (lot.id.to_string(), lot.name)).collect(),
        "provider" => provider_names(db, &ids).await?.into_iter().map(|(id, name)| (id.to_string(), name)).collect(),
        "locality" => {
            locality::Entity::find().filter(locality::Column::CouncilId.eq(council_id)).all(db).await?.into_iter().map(|l| (l.id.to_string(), l.name)).collect()
        }
        _ => HashMap::new(),
    })
}

fn name_of(by: &str, key: &Option<String>, names: &HashMap<String, String>) -> String {
    match (by, key.as_deref()) {
        ("category", Some(code)) => category_label(code).into(),
        ("channel", Some(code)) => channel_label(code).into(),
        ("lot", None) => "Not on a framework".into(),
        ("locality", None) => "Area not known".into(),
        (_, Some(id)) => names.get(id).cloned().unwrap_or_else(|| format!("Number {id}")),
        (_, None) => "Not known".into(),
    }
}

pub(super) async fn electronic_share(db: &impl ConnectionTrait, asked: &Asked) -> AppResult<Answer> {
    let electronic = by_period(db, asked).await?;
    let mut sql =
        "SELECT CAST(o.placed_on AS TEXT) AS k, COUNT(*) AS n FROM offline_placements o WHERE o.council_id = ? AND o.placed_on >= ? AND o.placed_on <= ?"
            .to_string();
    let mut values: Vec<Value> = vec![asked.council_id.into(), asked.from.into(), asked.to.into()];
    if let Some(category) = asked.category {
        sql.push_str(" AND o.category = ?");
        values.push(category.into());
    }
    if let Some(locality) = asked.locality {
        sql.push_str(" AND o.locality_id = ?");
        values.push(locality.into());
    }
    sql.push_str(" GROUP BY o.placed_on");
    let mut offline = HashMap::new();
    for row in rows(db, &sql, values).await? {
        if let Some(key) = text(&row, "k")?.and_then(|day| asked.period.key_of_day(&day)) {
            *offline.entry(Some(key)).or_insert(0) += number(&row, "n")?;
        }
    }
    let mut answer = Answer::new(&["Period", "Through CareMarket", "Recorded offline", "Share through CareMarket"], &[1, 2]);
    let (mut total_electronic, mut total_offline) = (0, 0);
    for (label, group) in electronic {
        let outside = offline.get(&group.key).copied().unwrap_or(0);
        total_electronic += group.placements;
        total_offline += outside;
        answer.rows.push(vec![
            Figure::Label(label),
            Figure::Count(group.placements),
            Figure::Count(outside),
            share(group.placements, group.placements + outside),
        ]);
    }
    answer.summary = format!(
        "Of {} placements {}, {} were made through CareMarket ({}) and {} were recorded as made offline.",
        Figure::Count(total_electronic + total_offline).shown(),
        asked.span_in_words(),
        Figure::Count(total_electronic).shown(),
        share(total_electronic, total_electronic + total_offline).shown(),
        Figure::Count(total_offline).shown()
    );
    answer.notes = vec![
        "Offline placements are those commissioners record as made outside CareMarket; they are counted only here.".into(),
        "Offline placements have no framework lot, so this report has no lot filter.".into(),
    ];
    Ok(answer)
}

/// Median and 90th percentile by nearest rank: the times at positions ceil(n/2) and
/// ceil(9n/10) when each period's times are put in order. PostgreSQL has this built in
/// (`percentile_disc`), asked one period at a time: each reads its days from the report index
/// in order and sorts only its own times (grouping a year at once sorted all its rows by
/// period first, on disk: twice the time). SQLite numbers the rows of each period and picks
/// those two.
pub(super) async fn time_to_place(db: &impl ConnectionTrait, asked: &Asked) -> AppResult<Answer> {
    let backend = db.get_database_backend();
    let mut found: HashMap<String, (i64, Option<i64>, Option<i64>)> = HashMap::new();
    if backend == DbBackend::Postgres {
        let (period, (key, _)) = (asked.period.code(), asked.period.key_sql(backend, "period.start"));
        let mut values: Vec<Value> = vec![asked.from.into(), asked.to.into()];
        let from = placements_from(asked, &mut values);
        let sql = format!(
            "SELECT {key} AS k, placed.n, placed.times \
             FROM generate_series(date_trunc('{period}', CAST(? AS date)::timestamp), CAST(? AS date)::timestamp, interval '1 {period}') AS period(start) \
             CROSS JOIN LATERAL (SELECT COUNT(*) AS n, percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY p.minutes_to_place) AS times \
               {from} AND p.placed_on >= CAST(period.start AS date) AND p.placed_on < CAST(period.start + interval '1 {period}' AS date)) AS placed"
        );
        for row in rows(db, &sql, values).await? {
            let times: Option<Vec<i32>> = row.try_get("", "times")?;
            let time = |index: usize| times.as_ref().and_then(|times| times.get(index)).map(|minutes| i64::from(*minutes));
            found.insert(text(&row, "k")?.unwrap_or_default(), (number(&row, "n")?, time(0), time(1)));
        }
    } else {
        let mut values = Vec::new();
        let from = placements_from(asked, &mut values);
        let (key, _) = asked.period.key_sql(backend, "p.placed_on");
        let sql = format!(
            "SELECT k, n, position, minutes FROM ( \
               SELECT k, minutes, ROW_NUMBER() OVER (PARTITION BY k ORDER BY minutes) AS position, COUNT(*) OVER (PARTITION BY k) AS n \
               FROM (SELECT {key} AS k, p.minutes_to_place AS minutes {from}) AS placed \
             ) AS ranked WHERE position = (n + 1) / 2 OR position = (9 * n + 9) / 10"
        );
        for row in rows(db, &sql, values).await? {
            let (n, position, minutes) = (number(&row, "n")?, number(&row, "position")?, number(&row, "minutes")?);
            let entry = found.entry(text(&row, "k")?.unwrap_or_default()).or_insert((n, None, None));
            if position == (n + 1) / 2 {
                entry.1 = Some(minutes);
            }
            if position == (9 * n + 9) / 10 {
                entry.2 = Some(minutes);
            }
        }
    }
    let mut answer = Answer::new(&["Period", "Placements", "Median time to place", "90th percentile"], &[2, 3]);
    for (key, label) in asked.period.all(asked.from, asked.to) {
        let (n, median, ninetieth) = found.get(&key).copied().unwrap_or((0, None, None));
        answer.rows.push(vec![Figure::Label(label), Figure::Count(n), Figure::Minutes(median), Figure::Minutes(ninetieth)]);
    }
    let slowest = answer.rows.iter().filter_map(|row| Some((row[0].shown(), row[3].number()?))).max_by_key(|(_, minutes)| *minutes);
    answer.summary = match slowest {
        None => format!("No placements were made through CareMarket {}.", asked.span_in_words()),
        Some((label, minutes)) => format!(
            "Time from request to confirmation, {}. The slowest 90th percentile was in {label}: {}.",
            asked.span_in_words(),
            Figure::Minutes(Some(minutes)).shown()
        ),
    };
    answer.notes = vec![
        "Time to place runs from the request to the provider confirming it, to the nearest minute.".into(),
        "Half of placements were confirmed within the median time, and nine in ten within the 90th percentile (by nearest rank).".into(),
    ];
    Ok(answer)
}

pub(super) async fn framework_share(db: &impl ConnectionTrait, asked: &Asked) -> AppResult<Answer> {
    let mut answer = Answer::new(&["Period", "On a framework lot", "Off the framework", "Share on the framework"], &[1, 2]);
    let (mut on, mut all) = (0, 0);
    for (label, group) in by_period(db, asked).await? {
        on += group.on_framework_value;
        all += group.weekly_value;
        let off = group.weekly_value - group.on_framework_value;
        answer.rows.push(vec![
            Figure::Label(label),
            Figure::Pence(group.on_framework_value),
            Figure::Pence(off),
            share(group.on_framework_value, group.weekly_value),
        ]);
    }
    answer.summary = format!(
        "{} of the weekly value of placements made {} was with providers on a framework lot ({} of {}).",
        share(on, all).shown(),
        asked.span_in_words(),
        format_pence(on),
        format_pence(all)
    );
    answer.notes = vec!["Spend here is the weekly value of the placements made in each period: what one week of the care costs as booked.".into()];
    Ok(answer)
}

pub(super) async fn prices(db: &impl ConnectionTrait, asked: &Asked) -> AppResult<Answer> {
    let mut values = Vec::new();
    let from = placements_from(asked, &mut values);
    let sql = format!(
        "SELECT p.lot_id AS lot, p.unit AS unit, COUNT(*) AS n, CAST(SUM(p.unit_price_pence) AS BIGINT) AS total {from} AND p.lot_id IS NOT NULL GROUP BY p.lot_id, p.unit"
    );
    let mut found = HashMap::new();
    for row in rows(db, &sql, values).await? {
        found.insert((number(&row, "lot")?, text(&row, "unit")?.unwrap_or_default()), (number(&row, "n")?, number(&row, "total")?));
    }
    let lots = lot::Entity::find().filter(lot::Column::Id.is_in(found.keys().map(|(lot, _)| *lot))).all(db).await?;
    let mut answer = Answer::new(&["Lot", "Placements", "Average unit price", "Price cap", "Against the cap"], &[2, 3]);
    let mut lines: Vec<_> = lots
        .into_iter()
        .filter_map(|lot| {
            // Only prices in the lot's own unit compare with its cap.
            let (n, total) = found.get(&(lot.id, lot.unit.clone())).copied()?;
            let average = (total + n / 2) / n.max(1);
            Some((lot.name.clone(), n, average, lot.price_cap_pence, lot.unit))
        })
        .collect();
    lines.sort();
    let over = lines.iter().filter(|(_, _, average, cap, _)| average > cap).count();
    for (name, n, average, cap, unit) in lines {
        answer.rows.push(vec![
            Figure::Label(format!("{name} (per {unit})")),
            Figure::Count(n),
            Figure::Pence(average),
            Figure::Pence(cap),
            share(average - cap, cap),
        ]);
    }
    answer.summary = format!(
        "Average unit prices of placements on {} framework lots {}; {} averaged above its cap.",
        answer.rows.len(),
        asked.span_in_words(),
        match over {
            0 => "none".to_string(),
            1 => "one".to_string(),
            n => n.to_string(),
        }
    );
    answer.notes = vec![
        "Only placements on a framework lot, priced in the lot's unit, are counted. Lots with no placements in the period are left out.".into(),
        "Against the cap: how far the average is above (or, negative, below) the lot's price cap.".into(),
    ];
    Ok(answer)
}
