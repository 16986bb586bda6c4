//! Bookings as people see them: one booking, a person's list, a provider's work to do.
use super::answers::{Pattern, duration_words, visit_cost};
use crate::domain::booking_messages::{Side, unread_by_booking};
use crate::domain::delegations::{Right, may_act};
use crate::domain::uk_time::{self, long_date};
use crate::entities::{booking, budget, listing, provider, user, visit};
use crate::error::{AppError, AppResult};
use app::{BookingStatus, Funding, VisitStatus};
use app::{BookingView, Role, SignedInUser};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// One booking, for whoever may see it: the person, someone they let view or book for them,
/// the provider's staff, or a commissioner of the council.
pub async fn booking_view(db: &impl ConnectionTrait, viewer: &SignedInUser, reference: &str, now: DateTime<Utc>) -> AppResult<BookingView> {
    let booking = booking::Entity::find().filter(booking::Column::Reference.eq(reference)).one(db).await?.ok_or(AppError::NotFound)?;
    let person = user::Entity::find_by_id(booking.person_id).one(db).await?.ok_or(AppError::NotFound)?;
    let allowed = match viewer.role {
        Role::BudgetHolder => booking.person_id == viewer.user_id,
        Role::Planner => may_act(db, booking.person_id, viewer.user_id, Right::View, now).await?,
        Role::Provider => viewer.provider_id == Some(booking.provider_id),
        // Council staff see care their council funds, never what someone pays for themself.
        Role::Commissioner => match booking.budget_id {
            Some(budget_id) => {
                budget::Entity::find_by_id(budget_id).one(db).await?.is_some_and(|b| b.council_id == viewer.council_id && b.funding() == Funding::Council)
            }
            None => false,
        },
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let listing = listing::Entity::find_by_id(booking.listing_id).one(db).await?.ok_or(AppError::NotFound)?;
    let provider = provider::Entity::find_by_id(booking.provider_id).one(db).await?.ok_or(AppError::NotFound)?;
    let pattern = Pattern::of(&booking);
    let minutes = pattern.minutes;
    let respond_by = respond_by_words(&booking);
    let may_cancel = match viewer.role {
        Role::BudgetHolder => true,
        Role::Planner => may_act(db, booking.person_id, viewer.user_id, Right::Book, now).await?,
        _ => false,
    };
    let late = match booking.late_cancellation_percent {
        0 => "nothing".to_string(),
        100 => "the full price of each visit".to_string(),
        percent => format!("{percent}% of each visit's price"),
    };
    let can_cancel = may_cancel && booking.status.is_live();
    let delivered = crate::domain::visit_confirmation::delivered(db, viewer, &booking, now).await?;
    let (review, can_review) = crate::domain::reviews::for_booking(db, viewer, &booking, now).await?;
    let messages = crate::domain::booking_messages::conversation(db, viewer, &booking, now).await?;
    let cancellation_policy = format!("Free with {} hours' notice. Visits cancelled later than that cost {late}.", booking.cancellation_notice_hours);
    Ok(BookingView {
        reference: booking.reference,
        status: booking.status,
        listing_public_id: listing.public_id,
        listing_title: listing.title,
        provider: provider.name,
        person: person.display_name,
        when: pattern.in_words(),
        duration: duration_words(minutes),
        per_visit_pence: visit_cost(&booking.unit, booking.unit_price_pence, minutes),
        committed_pence: booking.committed_pence,
        respond_by,
        can_cancel,
        cancellation_policy,
        delivered,
        review,
        can_review,
        messages,
    })
}

fn respond_by_words(booking: &booking::Model) -> Option<String> {
    booking.respond_by.filter(|_| booking.status == BookingStatus::Requested).map(answer_by_words)
}

/// "14:30 on Tuesday 1 December 2026", UK time.
pub fn answer_by_words(at: DateTime<Utc>) -> String {
    let local = uk_time::to_local(at);
    format!("{} on {}", local.format("%H:%M"), long_date(local.date()))
}

/// Lines for a list of bookings; `with` names the other side (the person, or the provider).
async fn lines(db: &impl ConnectionTrait, bookings: Vec<booking::Model>, provider_side: bool) -> AppResult<Vec<app::BookingLine>> {
    let listings = listing::Entity::find().filter(listing::Column::Id.is_in(bookings.iter().map(|b| b.listing_id))).all(db).await?;
    let people = user::Entity::find().filter(user::Column::Id.is_in(bookings.iter().map(|b| b.person_id))).all(db).await?;
    let providers = provider::Entity::find().filter(provider::Column::Id.is_in(bookings.iter().map(|b| b.provider_id))).all(db).await?;
    let side = if provider_side { Side::Provider } else { Side::Person };
    let ids: Vec<i64> = bookings.iter().map(|b| b.id).collect();
    let unread = unread_by_booking(db, side, &ids).await?;
    let to_confirm = if provider_side { HashMap::new() } else { crate::domain::visit_confirmation::waiting_by_booking(db, &ids).await? };
    Ok(bookings
        .into_iter()
        .map(|booking| {
            let with = if provider_side {
                people.iter().find(|p| p.id == booking.person_id).map(|p| p.display_name.clone())
            } else {
                providers.iter().find(|p| p.id == booking.provider_id).map(|p| p.name.clone())
            };
            app::BookingLine {
                service: listings.iter().find(|l| l.id == booking.listing_id).map(|l| l.title.clone()).unwrap_or_default(),
                with: with.unwrap_or_default(),
                when: Pattern::of(&booking).in_words(),
                respond_by: respond_by_words(&booking),
                unread_messages: unread.get(&booking.id).copied().unwrap_or(0),
                visits_to_confirm: to_confirm.get(&booking.id).copied().unwrap_or(0),
                reference: booking.reference,
                status: booking.status,
            }
        })
        .collect())
}

/// A person's bookings still going or ended in the last 8 weeks, newest first.
pub async fn person_bookings(db: &impl ConnectionTrait, person_id: i64, now: DateTime<Utc>) -> AppResult<Vec<app::BookingLine>> {
    let bookings = booking::Entity::find()
        .filter(booking::Column::PersonId.eq(person_id))
        .filter(sea_orm::Condition::any().add(booking::Column::ClosedAt.is_null()).add(booking::Column::ClosedAt.gt(now - Duration::weeks(8))))
        .order_by_desc(booking::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    lines(db, bookings, false).await
}

/// What a provider's staff have to do: requests to answer, live care, and the next week's visits.
pub async fn provider_bookings(db: &impl ConnectionTrait, viewer: &SignedInUser, now: DateTime<Utc>) -> AppResult<app::ProviderBookings> {
    let provider_id = crate::domain::auth::providers_organisation(viewer)?;
    let live = booking::Entity::find()
        .filter(booking::Column::ProviderId.eq(provider_id))
        .filter(booking::Column::Status.is_in(BookingStatus::LIVE))
        .order_by_asc(booking::Column::StartsAt)
        .limit(500)
        .all(db)
        .await?;
    let (requests, confirmed): (Vec<_>, Vec<_>) = live.into_iter().partition(|b| b.status == BookingStatus::Requested);
    let booked: Vec<&booking::Model> = confirmed.iter().collect();
    let coming = visit::Entity::find()
        .filter(visit::Column::BookingId.is_in(booked.iter().map(|b| b.id)))
        .filter(visit::Column::ScheduledStart.gte(now - Duration::hours(12)))
        .filter(visit::Column::ScheduledStart.lt(now + Duration::days(7)))
        .order_by_asc(visit::Column::ScheduledStart)
        .all(db)
        .await?;
    let people = user::Entity::find().filter(user::Column::Id.is_in(booked.iter().map(|b| b.person_id))).all(db).await?;
    let visits = coming
        .into_iter()
        .filter_map(|visit| {
            let booking = booked.iter().find(|b| b.id == visit.booking_id)?;
            let local = uk_time::to_local(visit.scheduled_start);
            let due = visit.scheduled_start <= now;
            Some(app::VisitLine {
                id: visit.id,
                reference: booking.reference.clone(),
                person: people.iter().find(|p| p.id == booking.person_id).map(|p| p.display_name.clone()).unwrap_or_default(),
                when: format!("{}, {} ({} minutes)", long_date(local.date()), local.format("%H:%M"), visit.scheduled_minutes),
                can_check_in: visit.status == VisitStatus::Scheduled && visit.scheduled_start - now <= Duration::hours(2),
                can_check_out: visit.status == VisitStatus::InProgress,
                can_mark_missed: due && VisitStatus::AHEAD.contains(&visit.status),
                status: visit.status,
            })
        })
        .collect();
    let queries = crate::domain::visit_confirmation::for_provider(db, provider_id).await?;
    Ok(app::ProviderBookings { requests: lines(db, requests, true).await?, confirmed: lines(db, confirmed, true).await?, visits, queries })
}
