//! Placements: a booking a provider confirmed, paid from a council-funded personal budget, and
//! not since cancelled (a self-funder's care is never one). Each is written down as it is confirmed, with what reports count it by
//! and add up (`entities::placement`), and taken out again if it is cancelled.
use super::bookings::visit_cost;
use super::uk_time;
use crate::entities::{booking, budget, listing, lot, placement, postcode_district};
use crate::error::AppResult;
use app::Funding;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, EntityTrait};

/// What one week of a booking costs as booked: a visit's cost times its visits a week (a
/// one-off booking: its one visit).
pub fn weekly_value(unit: &str, unit_price_pence: i64, minutes: i32, weekdays: Option<&str>) -> i64 {
    let visits = weekdays.map_or(1, |days| days.len() as i64);
    visit_cost(unit, unit_price_pence, u32::try_from(minutes).unwrap_or(0)) * visits
}

/// Whole minutes from request to confirmation (to the nearest).
pub fn minutes_to_place(requested_at: DateTime<Utc>, confirmed_at: DateTime<Utc>) -> i32 {
    let seconds = (confirmed_at - requested_at).num_seconds().max(0);
    i32::try_from((seconds + 30) / 60).unwrap_or(i32::MAX)
}

/// Records a booking confirmed at `confirmed_at` as a placement (nothing for a self-funder's).
pub async fn record(db: &impl ConnectionTrait, booking: &booking::Model, confirmed_at: DateTime<Utc>) -> AppResult<()> {
    let Some(budget_id) = booking.budget_id else { return Ok(()) };
    // Care a person pays for themself is theirs alone: the council's figures never count it.
    let Some(budget) = budget::Entity::find_by_id(budget_id).one(db).await?.filter(|budget| budget.funding() == Funding::Council) else { return Ok(()) };
    let Some(listing) = listing::Entity::find_by_id(booking.listing_id).one(db).await? else { return Ok(()) };
    let lot_area = match booking.lot_id {
        Some(lot_id) => lot::Entity::find_by_id(lot_id).one(db).await?.map(|lot| lot.locality_id),
        None => None,
    };
    let area = match (lot_area, &listing.base_district) {
        (Some(area), _) => Some(area),
        (None, Some(district)) => postcode_district::Entity::find_by_id(district.clone()).one(db).await?.map(|d| d.locality_id),
        (None, None) => None,
    };
    let row = placement::ActiveModel {
        booking_id: Set(booking.id),
        council_id: Set(budget.council_id),
        placed_on: Set(uk_time::to_local(confirmed_at).date()),
        category: Set(listing.category),
        lot_id: Set(booking.lot_id),
        provider_id: Set(booking.provider_id),
        locality_id: Set(area),
        channel: Set(booking.channel.clone()),
        weekly_value_pence: Set(weekly_value(&booking.unit, booking.unit_price_pence, booking.duration_minutes, booking.weekdays.as_deref())),
        unit_price_pence: Set(booking.unit_price_pence),
        unit: Set(booking.unit.clone()),
        minutes_to_place: Set(minutes_to_place(booking.requested_at, confirmed_at)),
    };
    placement::Entity::insert(row).on_conflict_do_nothing_on([placement::Column::BookingId]).exec(db).await?;
    Ok(())
}

/// A cancelled booking is no longer a placement.
pub async fn withdraw(db: &impl ConnectionTrait, booking_id: i64) -> AppResult<()> {
    placement::Entity::delete_by_id(booking_id).exec(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_week_is_a_visit_times_the_visits_a_week() {
        assert_eq!(weekly_value("hour", 2_000, 60, Some("135")), 6_000);
        assert_eq!(weekly_value("hour", 2_200, 30, None), 1_100);
        assert_eq!(weekly_value("session", 4_500, 180, Some("12")), 9_000);
    }

    #[test]
    fn time_to_place_is_rounded_to_the_minute() {
        let at = |h, m, s| Utc.with_ymd_and_hms(2026, 3, 10, h, m, s).single().unwrap();
        assert_eq!(minutes_to_place(at(9, 0, 0), at(10, 30, 29)), 90);
        assert_eq!(minutes_to_place(at(9, 0, 0), at(10, 30, 30)), 91);
    }
}
