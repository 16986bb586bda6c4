//! Verified reviews. After at least one confirmed visit, the person (or someone they let book
//! for them) may review the booking's provider, once per booking: 1 to 5 stars and up to 1,000
//! characters, shown with the month and never a name. The provider may reply once. A
//! commissioner of the council whose budget paid may hide a review with a reason (audited; the
//! reviewer and the provider told); hidden reviews stop counting towards quality. A review
//! changes the provider's quality, so its services are queued to be indexed again.
use super::booking_changes::provider_name;
use super::notifications::{self, News};
use super::values::written;
use super::visit_confirmation::{answers_for_person, councils_budget};
use super::{audit, auth, outbox, uk_time};
use crate::db::Db;
use crate::entities::{booking, listing, provider, review, visit};
use crate::error::{AppError, AppResult};
use app::{MailKind, ManagedReview, PublicReview, REVIEW_CHARACTERS, ReviewHiddenReason, Role, SignedInUser, VisitConfirmation};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Query;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// How many reviews a page shows.
const SHOWN: u64 = 20;

/// Whether the booking has a visit its person confirmed (or that was confirmed for them).
async fn has_confirmed_visit(db: &impl ConnectionTrait, booking_id: i64) -> AppResult<bool> {
    Ok(visit::Entity::find()
        .filter(visit::Column::BookingId.eq(booking_id))
        .filter(visit::Column::Confirmation.eq(VisitConfirmation::Confirmed))
        .filter(visit::Column::DeliveredMinutes.gt(0))
        .one(db)
        .await?
        .is_some())
}

/// The booking's review, and whether this viewer may write one now.
pub async fn for_booking(
    db: &impl ConnectionTrait,
    viewer: &SignedInUser,
    booking: &booking::Model,
    now: DateTime<Utc>,
) -> AppResult<(Option<PublicReview>, bool)> {
    let written = review::Entity::find().filter(review::Column::BookingId.eq(booking.id)).one(db).await?;
    let can_write = written.is_none() && answers_for_person(db, viewer, booking, now).await? && has_confirmed_visit(db, booking.id).await?;
    Ok((written.filter(|review| review.hidden_at.is_none()).map(public), can_write))
}

/// The person (or a helper with the booking right) reviews a booking's provider.
pub async fn write(db: &Db, viewer: &SignedInUser, reference: &str, stars: &str, body: &str, now: DateTime<Utc>) -> AppResult<()> {
    let stars = match stars.trim().parse::<i16>() {
        Ok(stars) if (1..=5).contains(&stars) => stars,
        _ => return Err(AppError::invalid("stars", "Choose from 1 to 5 stars")),
    };
    let body = written("body", body, REVIEW_CHARACTERS, None)?;
    let txn = crate::db::begin_write(db).await?;
    let booking = booking::Entity::find().filter(booking::Column::Reference.eq(reference)).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    if !answers_for_person(&txn, viewer, &booking, now).await? {
        return Err(AppError::Forbidden);
    }
    if !has_confirmed_visit(&txn, booking.id).await? {
        return Err(AppError::invalid("stars", "You can review a booking once a visit has been confirmed"));
    }
    if review::Entity::find().filter(review::Column::BookingId.eq(booking.id)).one(&txn).await?.is_some() {
        return Err(AppError::invalid("stars", "This booking has been reviewed already: each booking is reviewed once"));
    }
    let written = review::Entity::insert(review::ActiveModel {
        booking_id: Set(booking.id),
        provider_id: Set(booking.provider_id),
        author_id: Set(viewer.user_id),
        stars: Set(stars),
        body: Set(body),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    reindex_provider(&txn, booking.provider_id, now).await?;
    audit::record(
        &txn,
        now,
        Some(viewer.user_id),
        Some(booking.person_id),
        "review_written",
        serde_json::json!({ "review": written.last_insert_id, "stars": stars }),
    )
    .await?;
    let news = News {
        event: format!("review:{}:written", written.last_insert_id),
        subject: format!("A new {stars}-star review"),
        message: format!("Someone who booked through CareMarket reviewed your care ({stars} stars out of 5). You can reply once."),
        link_path: "/provider/reviews".into(),
        link_text: "Read and reply",
        kind: app::MailKind::Reviews,
    };
    notifications::mail_provider_staff(&txn, booking.provider_id, &news, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The provider's staff reply to a review, once.
pub async fn reply(db: &Db, viewer: &SignedInUser, review_id: i64, text: &str, now: DateTime<Utc>) -> AppResult<()> {
    let text = written("reply", text, REVIEW_CHARACTERS, Some("Write your reply"))?;
    let txn = crate::db::begin_write(db).await?;
    let found = review::Entity::find_by_id(review_id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    if viewer.role != Role::Provider || viewer.provider_id != Some(found.provider_id) {
        return Err(AppError::Forbidden);
    }
    if found.reply_text.is_some() {
        return Err(AppError::invalid("reply", "You have replied to this review already"));
    }
    let (author, booking_id) = (found.author_id, found.booking_id);
    let mut row: review::ActiveModel = found.into();
    row.reply_text = Set(Some(text));
    row.replied_at = Set(Some(now));
    row.update(&txn).await?;
    audit::record(&txn, now, Some(viewer.user_id), Some(author), "review_replied", serde_json::json!({ "review": review_id })).await?;
    let booking = booking::Entity::find_by_id(booking_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let news = News::about_booking(
        &booking,
        &format!("review:{review_id}:replied"),
        "The provider replied to your review".into(),
        format!("{} replied to your review of booking {}.", provider_name(&txn, booking.provider_id).await?, booking.reference),
    )
    .of_kind(MailKind::Reviews);
    notifications::tell(&txn, author, Some(booking.id), &news, now).await?;
    txn.commit().await?;
    Ok(())
}

/// A commissioner of the council whose budget paid hides a review, with a reason.
pub async fn hide(db: &Db, viewer: &SignedInUser, review_id: i64, reason: &str, now: DateTime<Utc>) -> AppResult<()> {
    let council = auth::commissioners_council(viewer)?;
    let reason = ReviewHiddenReason::from_code(reason).ok_or_else(|| AppError::invalid("reason", "Choose why the review is hidden"))?;
    let txn = crate::db::begin_write(db).await?;
    let found = review::Entity::find_by_id(review_id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    let booking = booking::Entity::find_by_id(found.booking_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if councils_budget(&txn, &booking).await? != Some(council) {
        return Err(AppError::Forbidden);
    }
    if found.hidden_at.is_some() {
        return Err(AppError::invalid("reason", "This review is hidden already"));
    }
    let (author, provider_id) = (found.author_id, found.provider_id);
    let mut row: review::ActiveModel = found.into();
    row.hidden_at = Set(Some(now));
    row.hidden_reason = Set(Some(reason));
    row.hidden_by = Set(Some(viewer.user_id));
    row.update(&txn).await?;
    reindex_provider(&txn, provider_id, now).await?;
    audit::record(&txn, now, Some(viewer.user_id), Some(author), "review_hidden", serde_json::json!({ "review": review_id, "reason": reason.code() })).await?;
    let why = reason.label().to_lowercase();
    let news = News::about_booking(
        &booking,
        &format!("review:{review_id}:hidden"),
        "Your review has been hidden".into(),
        format!("The council hid your review of booking {}: {why}. It is no longer shown or counted.", booking.reference),
    )
    .of_kind(MailKind::Reviews);
    notifications::tell(&txn, author, Some(booking.id), &news, now).await?;
    let for_provider = News {
        event: format!("review:{review_id}:hidden_for_provider"),
        subject: "A review of your care has been hidden".into(),
        message: format!("The council hid a review of your care: {why}. It is no longer shown or counted."),
        link_path: "/provider/reviews".into(),
        link_text: "See your reviews",
        kind: app::MailKind::Reviews,
    };
    notifications::mail_provider_staff(&txn, provider_id, &for_provider, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The provider's services rank on its quality, which reviews are part of: index them again.
async fn reindex_provider(db: &impl ConnectionTrait, provider_id: i64, now: DateTime<Utc>) -> AppResult<()> {
    let listing_ids: Vec<i64> =
        listing::Entity::find().select_only().column(listing::Column::Id).filter(listing::Column::ProviderId.eq(provider_id)).into_tuple().all(db).await?;
    outbox::queue_listings(db, listing_ids, now).await
}

fn public(review: review::Model) -> PublicReview {
    PublicReview {
        id: review.id,
        stars: u8::try_from(review.stars.clamp(1, 5)).unwrap_or(1),
        month: uk_time::to_local(review.created_at).format("%B %Y").to_string(),
        body: review.body,
        reply: review.reply_text,
    }
}

/// Visible reviews, newest first: of a provider, or of the bookings of one service.
pub async fn visible(db: &impl ConnectionTrait, provider_id: i64, listing_id: Option<i64>) -> AppResult<Vec<PublicReview>> {
    let mut select = review::Entity::find().filter(review::Column::ProviderId.eq(provider_id)).filter(review::Column::HiddenAt.is_null());
    if let Some(listing_id) = listing_id {
        let bookings = Query::select().column(booking::Column::Id).from(booking::Entity).and_where(booking::Column::ListingId.eq(listing_id)).to_owned();
        select = select.filter(review::Column::BookingId.in_subquery(bookings));
    }
    Ok(select.order_by_desc(review::Column::Id).limit(SHOWN).all(db).await?.into_iter().map(public).collect())
}

/// A provider's reviews for its staff, hidden ones included, each with a reply form until replied.
pub async fn for_provider_staff(db: &impl ConnectionTrait, viewer: &SignedInUser) -> AppResult<Vec<ManagedReview>> {
    let provider_id = crate::domain::auth::providers_organisation(viewer)?;
    let reviews = review::Entity::find().filter(review::Column::ProviderId.eq(provider_id)).order_by_desc(review::Column::Id).limit(100).all(db).await?;
    managed(db, reviews, |review| review.reply_text.is_none() && review.hidden_at.is_none(), |_| false).await
}

/// Reviews of care a commissioner's council paid for, newest first, each hideable until hidden.
pub async fn for_council(db: &impl ConnectionTrait, viewer: &SignedInUser) -> AppResult<Vec<ManagedReview>> {
    let council = auth::commissioners_council(viewer)?;
    let budgets = Query::select()
        .column(crate::entities::budget::Column::Id)
        .from(crate::entities::budget::Entity)
        .and_where(crate::entities::budget::Column::CouncilId.eq(council))
        .and_where(crate::entities::budget::Column::Funding.eq(app::Funding::Council.code()))
        .to_owned();
    let bookings = Query::select().column(booking::Column::Id).from(booking::Entity).and_where(booking::Column::BudgetId.in_subquery(budgets)).to_owned();
    let reviews = review::Entity::find().filter(review::Column::BookingId.in_subquery(bookings)).order_by_desc(review::Column::Id).limit(100).all(db).await?;
    managed(db, reviews, |_| false, |review| review.hidden_at.is_none()).await
}

async fn managed(
    db: &impl ConnectionTrait,
    reviews: Vec<review::Model>,
    can_reply: impl Fn(&review::Model) -> bool,
    can_hide: impl Fn(&review::Model) -> bool,
) -> AppResult<Vec<ManagedReview>> {
    let bookings = booking::Entity::find().filter(booking::Column::Id.is_in(reviews.iter().map(|r| r.booking_id))).all(db).await?;
    let listings = listing::Entity::find().filter(listing::Column::Id.is_in(bookings.iter().map(|b| b.listing_id))).all(db).await?;
    let providers = provider::Entity::find().filter(provider::Column::Id.is_in(reviews.iter().map(|r| r.provider_id))).all(db).await?;
    Ok(reviews
        .into_iter()
        .map(|review| {
            let booking = bookings.iter().find(|b| b.id == review.booking_id);
            ManagedReview {
                provider: providers.iter().find(|p| p.id == review.provider_id).map(|p| p.name.clone()).unwrap_or_default(),
                service: booking.and_then(|b| listings.iter().find(|l| l.id == b.listing_id)).map(|l| l.title.clone()).unwrap_or_default(),
                reference: booking.map(|b| b.reference.clone()).unwrap_or_default(),
                hidden: review.hidden_reason.map(|reason| reason.label().to_string()),
                can_reply: can_reply(&review),
                can_hide: can_hide(&review),
                review: public(review),
            }
        })
        .collect())
}
