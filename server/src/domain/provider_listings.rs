//! A provider's own listings: create, edit, publish, pause and re-confirm. Staff of one
//! organisation can see and change only that organisation's listings; anyone else's listing
//! is "not found" to them, so drafts do not leak. Every change also queues the listing for the
//! search index in the outbox, in the same transaction.
use super::listings::{ValidListing, validate_listing};
use super::{audit, outbox};
use crate::db::Db;
use crate::entities::{listing, listing_area, listing_attribute, listing_availability};
use crate::error::{AppError, AppResult};
use app::{DayHours, ListingChange, ListingForm, ListingStatus, OwnListing, Role, SignedInUser, category_label, format_clock, format_price};
use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TryIntoModel};

/// Listings not re-confirmed for this long are shown as possibly out of date.
pub const CONFIRM_EVERY: Duration = Duration::days(183);

/// The organisation a user may manage listings for: provider staff only.
pub fn organisation_of(user: &SignedInUser) -> AppResult<i64> {
    match (user.role, user.provider_id) {
        (Role::Provider, Some(provider_id)) => Ok(provider_id),
        _ => Err(AppError::Forbidden),
    }
}

/// One of this organisation's listings, or "not found" whether it is missing or someone else's.
async fn own_listing(db: &impl ConnectionTrait, provider_id: i64, public_id: &str) -> AppResult<listing::Model> {
    listing::Entity::find()
        .filter(listing::Column::PublicId.eq(public_id))
        .filter(listing::Column::ProviderId.eq(provider_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub fn possibly_out_of_date(assured_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    assured_at.is_none_or(|at| now - at > CONFIRM_EVERY)
}

/// The "Your listings" table, newest first.
pub async fn own_listings(db: &impl ConnectionTrait, user: &SignedInUser, now: DateTime<Utc>) -> AppResult<Vec<OwnListing>> {
    let provider_id = organisation_of(user)?;
    let listings = listing::Entity::find()
        .filter(listing::Column::ProviderId.eq(provider_id))
        .order_by_desc(listing::Column::UpdatedAt)
        .order_by_desc(listing::Column::Id)
        .all(db)
        .await?;
    Ok(listings
        .into_iter()
        .map(|listing| OwnListing {
            status: listing.status,
            category: category_label(&listing.category).to_string(),
            price: format_price(listing.price_pence, &listing.unit),
            assured_on: listing.assured_at.map(|at| at.date_naive().to_string()),
            possibly_out_of_date: possibly_out_of_date(listing.assured_at, now),
            public_id: listing.public_id,
            title: listing.title,
        })
        .collect())
}

/// A listing as its edit form shows it.
pub async fn listing_form(db: &impl ConnectionTrait, user: &SignedInUser, public_id: &str) -> AppResult<ListingForm> {
    let listing = own_listing(db, organisation_of(user)?, public_id).await?;
    let areas =
        listing_area::Entity::find().filter(listing_area::Column::ListingId.eq(listing.id)).order_by_asc(listing_area::Column::District).all(db).await?;
    let attributes = listing_attribute::Entity::find()
        .filter(listing_attribute::Column::ListingId.eq(listing.id))
        .order_by_asc(listing_attribute::Column::Value)
        .all(db)
        .await?;
    let windows = listing_availability::Entity::find().filter(listing_availability::Column::ListingId.eq(listing.id)).all(db).await?;
    let of_kind = |kind: &str| attributes.iter().filter(|a| a.kind == kind).map(|a| a.value.clone()).collect::<Vec<_>>();
    let mut hours = vec![DayHours::default(); 7];
    for window in windows {
        if let Some(day) = usize::try_from(window.weekday - 1).ok().and_then(|index| hours.get_mut(index)) {
            let clock = |minutes: i32| format_clock(u32::try_from(minutes).unwrap_or(0));
            *day = DayHours { opens: clock(window.opens_minute), closes: clock(window.closes_minute) };
        }
    }
    Ok(ListingForm {
        category: listing.category,
        title: listing.title,
        description: listing.description,
        unit: listing.unit,
        price: app::pounds_text(listing.price_pence),
        min_visit_minutes: listing.min_visit_minutes.to_string(),
        billing_increment_minutes: listing.billing_increment_minutes.to_string(),
        cancellation_notice_hours: listing.cancellation_notice_hours.to_string(),
        late_cancellation_percent: listing.late_cancellation_percent.to_string(),
        carer_gender: listing.carer_gender,
        areas: areas.into_iter().map(|area| area.district).collect::<Vec<_>>().join(", "),
        base_postcode: listing.base_district.unwrap_or_default(),
        radius_km: listing.radius_km.map(|km| km.to_string()).unwrap_or_default(),
        hours,
        languages: of_kind("language").join(", "),
        specialisms: of_kind("specialism"),
    })
}

/// Creates a listing (as a draft) or replaces an existing one's details. Saving is also
/// confirming that the details are right, so it stamps the assured date. Returns the public id.
pub async fn save_listing(db: &Db, user: &SignedInUser, public_id: Option<&str>, form: &ListingForm, now: DateTime<Utc>) -> AppResult<String> {
    let provider_id = organisation_of(user)?;
    let valid = validate_listing(form)?;
    let txn = crate::db::begin_write(db).await?;
    let existing = match public_id {
        Some(public_id) => Some(own_listing(&txn, provider_id, public_id).await?),
        None => None,
    };
    let mut row: listing::ActiveModel = match &existing {
        Some(listing) => listing.clone().into(),
        None => listing::ActiveModel {
            public_id: Set(uuid::Uuid::new_v4().to_string()),
            provider_id: Set(provider_id),
            status: Set(ListingStatus::Draft),
            created_at: Set(now),
            ..Default::default()
        },
    };
    fill(&mut row, &valid, now);
    let saved = row.save(&txn).await?.try_into_model()?;
    let (id, public_id) = (saved.id, saved.public_id);
    replace_details(&txn, id, &valid).await?;
    let action = if existing.is_some() { "listing_updated" } else { "listing_created" };
    audit::record(&txn, now, Some(user.user_id), None, action, serde_json::json!({ "listing": public_id })).await?;
    outbox::queue_listings(&txn, [id], now).await?;
    txn.commit().await?;
    Ok(public_id)
}

fn fill(row: &mut listing::ActiveModel, valid: &ValidListing, now: DateTime<Utc>) {
    let minutes = |value: u32| i32::try_from(value).unwrap_or(i32::MAX);
    row.category = Set(valid.category.clone());
    row.title = Set(valid.title.clone());
    row.description = Set(valid.description.clone());
    row.unit = Set(valid.unit.clone());
    row.price_pence = Set(valid.price.pence());
    row.min_visit_minutes = Set(minutes(valid.min_visit_minutes));
    row.billing_increment_minutes = Set(minutes(valid.billing_increment_minutes));
    row.cancellation_notice_hours = Set(minutes(valid.cancellation_notice_hours));
    row.late_cancellation_percent = Set(minutes(valid.late_cancellation_percent));
    row.carer_gender = Set(valid.carer_gender.clone());
    row.base_district = Set(valid.base.as_ref().map(|(district, _)| district.as_str().to_string()));
    row.radius_km = Set(valid.base.as_ref().map(|(_, km)| minutes(*km)));
    row.assured_at = Set(Some(now));
    row.updated_at = Set(now);
}

/// Areas, languages, specialisms and opening hours: replaced whole on every save.
async fn replace_details(db: &impl ConnectionTrait, listing_id: i64, valid: &ValidListing) -> AppResult<()> {
    listing_area::Entity::delete_many().filter(listing_area::Column::ListingId.eq(listing_id)).exec(db).await?;
    listing_attribute::Entity::delete_many().filter(listing_attribute::Column::ListingId.eq(listing_id)).exec(db).await?;
    listing_availability::Entity::delete_many().filter(listing_availability::Column::ListingId.eq(listing_id)).exec(db).await?;
    let areas = valid.areas.iter().map(|district| listing_area::ActiveModel { listing_id: Set(listing_id), district: Set(district.as_str().to_string()) });
    listing_area::Entity::insert_many(areas).exec(db).await?;
    let attributes = valid
        .languages
        .iter()
        .map(|language| ("language", language))
        .chain(valid.specialisms.iter().map(|specialism| ("specialism", specialism)))
        .map(|(kind, value)| listing_attribute::ActiveModel { listing_id: Set(listing_id), kind: Set(kind.into()), value: Set(value.clone()) });
    listing_attribute::Entity::insert_many(attributes).exec(db).await?;
    let windows = valid.hours.iter().map(|&(weekday, opens, closes)| listing_availability::ActiveModel {
        listing_id: Set(listing_id),
        weekday: Set(i16::from(weekday)),
        opens_minute: Set(i32::from(opens)),
        closes_minute: Set(i32::from(closes)),
        ..Default::default()
    });
    listing_availability::Entity::insert_many(windows).exec(db).await?;
    Ok(())
}

/// Publishes, pauses or re-confirms one of the organisation's listings.
pub async fn change_listing(db: &Db, user: &SignedInUser, public_id: &str, change: ListingChange, now: DateTime<Utc>) -> AppResult<()> {
    let provider_id = organisation_of(user)?;
    let txn = crate::db::begin_write(db).await?;
    let listing = own_listing(&txn, provider_id, public_id).await?;
    let id = listing.id;
    let mut row: listing::ActiveModel = listing.into();
    let action = match change {
        ListingChange::Publish => {
            row.status = Set(ListingStatus::Published);
            "listing_published"
        }
        ListingChange::Pause => {
            row.status = Set(ListingStatus::Paused);
            "listing_paused"
        }
        ListingChange::Reconfirm => {
            row.assured_at = Set(Some(now));
            "listing_reconfirmed"
        }
    };
    row.updated_at = Set(now);
    row.update(&txn).await?;
    audit::record(&txn, now, Some(user.user_id), None, action, serde_json::json!({ "listing": public_id })).await?;
    outbox::queue_listings(&txn, [id], now).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_unconfirmed_for_six_months_may_be_out_of_date() {
        let now = Utc::now();
        assert!(possibly_out_of_date(None, now));
        assert!(!possibly_out_of_date(Some(now - Duration::days(182)), now));
        assert!(possibly_out_of_date(Some(now - Duration::days(184)), now));
    }

    #[test]
    fn times_are_shown_on_the_twenty_four_hour_clock() {
        assert_eq!(format_clock(0), "00:00");
        assert_eq!(format_clock(510), "08:30");
        assert_eq!(format_clock(1440), "24:00");
    }
}
