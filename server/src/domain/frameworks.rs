//! Commissioners set up their council's frameworks and the lots on them (a type of care in
//! one area, with a price cap per unit and a quality:price weighting, 60:40 unless they choose
//! otherwise). Providers are then admitted to lots (see `lot_management`).
use super::audit;
use super::auth::commissioners_council;
use super::values::{Pence, collect, required_text, whole_number};
use crate::db::Db;
use crate::entities::{framework, locality, lot};
use crate::error::{AppError, AppResult};
use app::{CATEGORIES, FrameworkAdmin, FrameworkForm, FrameworkRow, LotForm, SignedInUser, UNITS, category_label, format_price};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// Far above any real unit price (Shared Lives is about £600 a week), so a typo is caught.
pub const PRICE_CAP_LIMIT: Pence = Pence::from_pence(1_000_000);

fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

pub async fn framework_admin(db: &impl ConnectionTrait, user: &SignedInUser) -> AppResult<FrameworkAdmin> {
    let council_id = commissioners_council(user)?;
    let frameworks = framework::Entity::find().filter(framework::Column::CouncilId.eq(council_id)).order_by_desc(framework::Column::StartsOn).all(db).await?;
    let localities = locality::Entity::find().filter(locality::Column::CouncilId.eq(council_id)).order_by_asc(locality::Column::Name).all(db).await?;
    let lots = lot::Entity::find()
        .filter(lot::Column::FrameworkId.is_in(frameworks.iter().map(|f| f.id).collect::<Vec<_>>()))
        .order_by_asc(lot::Column::Name)
        .all(db)
        .await?;
    Ok(FrameworkAdmin {
        frameworks: frameworks
            .into_iter()
            .map(|f| FrameworkRow {
                lots: lots
                    .iter()
                    .filter(|lot| lot.framework_id == f.id)
                    .map(|lot| {
                        let terms = format!("cap {}, quality {}%", format_price(lot.price_cap_pence, &lot.unit), lot.quality_weight);
                        (lot.id, format!("{}: {terms}", lot.name))
                    })
                    .collect(),
                period: format!("{} to {}", long_date(f.starts_on), long_date(f.ends_on)),
                id: f.id,
                name: f.name,
            })
            .collect(),
        localities: localities.into_iter().map(|l| (l.id.to_string(), l.name)).collect(),
    })
}

fn date(field: &str, input: &str, what: &str) -> AppResult<NaiveDate> {
    super::uk_time::parse_date(field, input, what)
}

/// Starts a framework; returns its id.
pub async fn create_framework(db: &Db, user: &SignedInUser, form: &FrameworkForm, now: DateTime<Utc>) -> AppResult<i64> {
    let council_id = commissioners_council(user)?;
    let mut errors = Vec::new();
    let name = collect(&mut errors, required_text("name", &form.name, "the framework's name", 120));
    let starts_on = collect(&mut errors, date("starts_on", &form.starts_on, "the start date"));
    let ends_on = collect(&mut errors, date("ends_on", &form.ends_on, "the end date"));
    if let (Some(starts), Some(ends)) = (starts_on, ends_on)
        && ends <= starts
    {
        errors.push(app::FieldError::new("ends_on", "The end date must be after the start date"));
    }
    let (Some(name), Some(starts_on), Some(ends_on)) = (name, starts_on, ends_on) else { return Err(AppError::Invalid(errors)) };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let txn = crate::db::begin_write(db).await?;
    let taken =
        framework::Entity::find().filter(framework::Column::CouncilId.eq(council_id)).filter(framework::Column::Name.eq(name.as_str())).one(&txn).await?;
    if taken.is_some() {
        return Err(AppError::invalid("name", "Your council already has a framework with this name"));
    }
    let inserted = framework::Entity::insert(framework::ActiveModel {
        council_id: Set(council_id),
        name: Set(name.clone()),
        starts_on: Set(starts_on),
        ends_on: Set(ends_on),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    audit::record(&txn, now, Some(user.user_id), None, "framework_created", serde_json::json!({ "framework": inserted.last_insert_id, "name": name })).await?;
    txn.commit().await?;
    Ok(inserted.last_insert_id)
}

/// Adds a lot (a type of care in one of the council's areas) to one of its frameworks;
/// returns the lot's id.
pub async fn create_lot(db: &Db, user: &SignedInUser, form: &LotForm, now: DateTime<Utc>) -> AppResult<i64> {
    let council_id = commissioners_council(user)?;
    let txn = crate::db::begin_write(db).await?;
    let mut errors = Vec::new();
    let framework = match form.framework_id.trim().parse::<i64>() {
        Ok(id) => framework::Entity::find_by_id(id).one(&txn).await?.filter(|f| f.council_id == council_id),
        Err(_) => None,
    };
    if framework.is_none() {
        errors.push(app::FieldError::new("framework_id", "Choose one of your council's frameworks"));
    }
    let locality = match form.locality_id.trim().parse::<i64>() {
        Ok(id) => locality::Entity::find_by_id(id).one(&txn).await?.filter(|l| l.council_id == council_id),
        Err(_) => None,
    };
    if locality.is_none() {
        errors.push(app::FieldError::new("locality_id", "Choose one of your council's areas"));
    }
    let category = CATEGORIES.iter().find(|code| **code == form.category.trim());
    if category.is_none() {
        errors.push(app::FieldError::new("category", "Choose a type of care from the list"));
    }
    let unit = UNITS.iter().find(|unit| **unit == form.unit.trim());
    if unit.is_none() {
        errors.push(app::FieldError::new("unit", "Choose what the price cap is for"));
    }
    let cap = collect(&mut errors, Pence::parse_price("price_cap", &form.price_cap, "the price cap", PRICE_CAP_LIMIT));
    let weight = if form.quality_weight.trim().is_empty() {
        Some(60)
    } else {
        collect(&mut errors, whole_number("quality_weight", &form.quality_weight, "the weight given to quality", 0, 100))
    };
    let (Some(framework), Some(locality), Some(category), Some(unit), Some(cap), Some(weight)) = (framework, locality, category, unit, cap, weight) else {
        return Err(AppError::Invalid(errors));
    };
    let existing = lot::Entity::find()
        .filter(lot::Column::FrameworkId.eq(framework.id))
        .filter(lot::Column::Category.eq(*category))
        .filter(lot::Column::LocalityId.eq(locality.id))
        .one(&txn)
        .await?;
    if existing.is_some() {
        return Err(AppError::invalid(
            "category",
            format!("{} already has a lot for {} in {}", framework.name, category_label(category).to_lowercase(), locality.name),
        ));
    }
    let name = format!("{} {}", locality.name, category_label(category).to_lowercase());
    let inserted = lot::Entity::insert(lot::ActiveModel {
        framework_id: Set(framework.id),
        name: Set(name.clone()),
        category: Set(category.to_string()),
        locality_id: Set(locality.id),
        unit: Set(unit.to_string()),
        price_cap_pence: Set(cap.pence()),
        quality_weight: Set(i32::try_from(weight).unwrap_or(60)),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    audit::record(&txn, now, Some(user.user_id), None, "lot_created", serde_json::json!({ "lot": inserted.last_insert_id, "name": name })).await?;
    txn.commit().await?;
    Ok(inserted.last_insert_id)
}
