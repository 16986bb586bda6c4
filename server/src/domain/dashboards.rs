//! What each role's dashboard shows. Each summary only reads what that person may see.
use super::{bookings, notifications};
use crate::entities::{booking, budget, council, delegation, ledger_account, listing, lot, placement, provider, user};
use crate::error::{AppError, AppResult};
use app::BookingStatus;
use app::{CaseloadEntry, Dashboard, Funding, ListingStatus, Role, SignedInUser};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

pub async fn dashboard(db: &impl ConnectionTrait, viewer: &SignedInUser, now: DateTime<Utc>) -> AppResult<Dashboard> {
    match viewer.role {
        Role::BudgetHolder => budget_holder(db, viewer, now).await,
        Role::Planner => planner(db, viewer, now).await,
        Role::Provider => provider_staff(db, viewer).await,
        Role::Commissioner => commissioner(db, viewer, now).await,
    }
}

async fn budget_holder(db: &impl ConnectionTrait, viewer: &SignedInUser, now: DateTime<Utc>) -> AppResult<Dashboard> {
    let budget = budget::Entity::find().filter(budget::Column::HolderId.eq(viewer.user_id)).one(db).await?;
    let messages = notifications::messages_for(db, viewer.user_id).await?;
    let Some(budget) = budget else {
        return Ok(Dashboard::BudgetHolder {
            budget_type: None,
            available_pence: 0,
            committed_pence: 0,
            four_weekly_allocation_pence: 0,
            active_bookings: 0,
            bookings: Vec::new(),
            messages,
            audit_questions: Vec::new(),
        });
    };
    let accounts = ledger_account::Entity::find().filter(ledger_account::Column::BudgetId.eq(budget.id)).all(db).await?;
    let balance = |kind: &str| accounts.iter().filter(|a| a.kind == kind).map(|a| a.balance_pence).sum::<i64>();
    let active_bookings = booking::Entity::find()
        .filter(booking::Column::PersonId.eq(viewer.user_id))
        .filter(booking::Column::Status.is_in(BookingStatus::LIVE))
        .count(db)
        .await?;
    Ok(Dashboard::BudgetHolder {
        budget_type: Some(budget.budget_type),
        available_pence: balance("budget_available"),
        committed_pence: balance("budget_committed"),
        four_weekly_allocation_pence: budget.four_weekly_allocation_pence,
        active_bookings,
        bookings: bookings::person_bookings(db, viewer.user_id, now).await?,
        messages,
        audit_questions: super::audits::questions_for(db, viewer.user_id).await?,
    })
}

async fn planner(db: &impl ConnectionTrait, viewer: &SignedInUser, now: DateTime<Utc>) -> AppResult<Dashboard> {
    let live = delegation::Entity::find()
        .filter(delegation::Column::DelegateId.eq(viewer.user_id))
        .filter(delegation::Column::RevokedAt.is_null())
        .filter(Condition::any().add(delegation::Column::ExpiresAt.is_null()).add(delegation::Column::ExpiresAt.gt(now)))
        .all(db)
        .await?;
    let holders = user::Entity::find().filter(user::Column::Id.is_in(live.iter().map(|d| d.holder_id))).order_by_asc(user::Column::DisplayName).all(db).await?;
    let caseload = holders
        .into_iter()
        .map(|holder| CaseloadEntry {
            user_id: holder.id,
            can_book: live.iter().any(|d| d.holder_id == holder.id && d.can_book),
            display_name: holder.display_name,
        })
        .collect();
    let requests = super::delegations::requests_for(db, viewer, now).await?;
    Ok(Dashboard::Planner { caseload, requests, messages: notifications::messages_for(db, viewer.user_id).await? })
}

async fn provider_staff(db: &impl ConnectionTrait, viewer: &SignedInUser) -> AppResult<Dashboard> {
    let provider_id = viewer.provider_id.ok_or(AppError::Forbidden)?;
    let organisation = provider::Entity::find_by_id(provider_id).one(db).await?.ok_or(AppError::NotFound)?;
    let listings = || listing::Entity::find().filter(listing::Column::ProviderId.eq(provider_id));
    let published_listings = listings().filter(listing::Column::Status.eq(ListingStatus::Published)).count(db).await?;
    let other_listings = listings().filter(listing::Column::Status.ne(ListingStatus::Published)).count(db).await?;
    let requests_waiting = booking::Entity::find()
        .filter(booking::Column::ProviderId.eq(provider_id))
        .filter(booking::Column::Status.eq(BookingStatus::Requested))
        .count(db)
        .await?;
    Ok(Dashboard::Provider {
        unread_messages: super::booking_messages::unread_for_provider(db, organisation.id).await?,
        organisation: organisation.name,
        organisation_public_id: organisation.public_id,
        published_listings,
        other_listings,
        requests_waiting,
    })
}

async fn commissioner(db: &impl ConnectionTrait, viewer: &SignedInUser, now: DateTime<Utc>) -> AppResult<Dashboard> {
    let council = council::Entity::find_by_id(viewer.council_id).one(db).await?.ok_or(AppError::NotFound)?;
    let providers = provider::Entity::find().filter(provider::Column::CouncilId.eq(council.id)).count(db).await?;
    let published_listings = listing::Entity::find().filter(listing::Column::Status.eq(ListingStatus::Published)).count(db).await?;
    // People with a council-funded budget: a self-funder's account is theirs alone.
    let budget_holders =
        budget::Entity::find().filter(budget::Column::CouncilId.eq(council.id)).filter(budget::Column::Funding.eq(Funding::Council)).count(db).await?;
    let lots = lot::Entity::find().count(db).await?;
    // As the placements report counts them: this council's, by UK date, cancelled ones out.
    let placements_last_28_days = placement::Entity::find()
        .filter(placement::Column::CouncilId.eq(council.id))
        .filter(placement::Column::PlacedOn.gt(super::uk_time::to_local(now).date() - Duration::days(28)))
        .count(db)
        .await?;
    Ok(Dashboard::Commissioner { council: council.name, providers, published_listings, budget_holders, lots, placements_last_28_days })
}
