//! Concerns and complaints. Anyone signed in raises one about a provider, a booking they take
//! part in, or a review: a complaint, or a safeguarding concern (urgent); anyone at all may
//! raise a safeguarding concern about a provider. It goes to one council's queue: the council
//! whose budget paid for the booking, or else the one whose area the provider serves. It is
//! due in working days (safeguarding: acknowledged within 1; complaints: answered within 10),
//! the person follows its status, the council keeps notes and records an outcome, and every
//! step is audited. The booking's messages go with it only if the person says so.
use super::booking_messages::{self, Side};
use super::notifications::{self, News};
use super::uk_time::{self, long_date};
use super::values::written;
use super::{audit, auth, working_days};
use crate::db::Db;
use crate::entities::{booking, budget, concern, concern_note, council, provider, review, user};
use crate::error::{AppError, AppResult};
use app::{ConcernForm, ConcernKind, ConcernLine, ConcernOutcome, ConcernStatus, ConcernView, CouncilConcernDetails, ProviderStatus, SignedInUser};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// The most characters a description, note or outcome may have.
const MOST_CHARACTERS: usize = 4000;

fn words(field: &str, text: &str, when_empty: &str) -> AppResult<String> {
    written(field, text, MOST_CHARACTERS, Some(when_empty))
}

/// What a concern is about, found and checked.
struct About {
    council_id: i64,
    provider_id: Option<i64>,
    booking_id: Option<i64>,
    review_id: Option<i64>,
    /// The booking's messages may go with it (the person's side raised it and said so).
    may_share_messages: bool,
}

/// The council whose budget paid for a booking, else the provider's own council.
async fn council_of(db: &impl ConnectionTrait, booking: &booking::Model) -> AppResult<i64> {
    if let Some(budget_id) = booking.budget_id
        && let Some(budget) = budget::Entity::find_by_id(budget_id).one(db).await?
    {
        return Ok(budget.council_id);
    }
    Ok(provider::Entity::find_by_id(booking.provider_id).one(db).await?.ok_or(AppError::NotFound)?.council_id)
}

async fn about(db: &impl ConnectionTrait, viewer: Option<&SignedInUser>, form: &ConcernForm, now: DateTime<Utc>) -> AppResult<About> {
    let (booking, review_id, provider) = (form.booking.trim(), form.review.trim(), form.provider.trim());
    if !booking.is_empty() {
        let viewer = viewer.ok_or(AppError::SignInRequired)?;
        let booking = booking::Entity::find().filter(booking::Column::Reference.eq(booking)).one(db).await?.ok_or(AppError::NotFound)?;
        // Those who take part in the booking: the person's side and the provider's staff.
        let side = booking_messages::side(db, viewer, &booking, now).await?.ok_or(AppError::Forbidden)?;
        return Ok(About {
            council_id: council_of(db, &booking).await?,
            provider_id: Some(booking.provider_id),
            booking_id: Some(booking.id),
            review_id: None,
            may_share_messages: side == Side::Person,
        });
    }
    if !review_id.is_empty() {
        viewer.ok_or(AppError::SignInRequired)?;
        let review = match review_id.parse::<i64>() {
            Ok(id) => review::Entity::find_by_id(id).one(db).await?.filter(|review| review.hidden_at.is_none()).ok_or(AppError::NotFound)?,
            Err(_) => return Err(AppError::NotFound),
        };
        let booking = booking::Entity::find_by_id(review.booking_id).one(db).await?.ok_or(AppError::NotFound)?;
        return Ok(About {
            council_id: council_of(db, &booking).await?,
            provider_id: Some(review.provider_id),
            booking_id: None,
            review_id: Some(review.id),
            may_share_messages: false,
        });
    }
    if !provider.is_empty() {
        let provider = provider::Entity::find()
            .filter(provider::Column::PublicId.eq(provider))
            .filter(provider::Column::Status.eq(ProviderStatus::Active))
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?;
        return Ok(About { council_id: provider.council_id, provider_id: Some(provider.id), booking_id: None, review_id: None, may_share_messages: false });
    }
    Err(AppError::invalid("description", "Start from the page of the provider, booking or review the concern is about"))
}

/// Raises a concern; returns its reference. Someone not signed in may raise only a safeguarding
/// concern about a provider.
pub async fn raise(db: &Db, viewer: Option<&SignedInUser>, form: &ConcernForm, now: DateTime<Utc>) -> AppResult<String> {
    let kind = match (form.kind.as_str(), viewer) {
        ("safeguarding", _) | ("", None) => ConcernKind::Safeguarding,
        ("complaint", Some(_)) => ConcernKind::Complaint,
        ("complaint", None) => return Err(AppError::invalid("kind", "Sign in to make a complaint; anyone can raise a safeguarding concern")),
        _ => return Err(AppError::invalid("kind", "Choose whether this is a complaint or a safeguarding concern")),
    };
    let description = words("description", &form.description, "Say what happened, or what worries you")?;
    let contact = Some(form.contact.trim()).filter(|contact| viewer.is_none() && !contact.is_empty()).map(str::to_string);
    if contact.as_ref().is_some_and(|contact| contact.chars().count() > 200) {
        return Err(AppError::invalid("contact", "Write 200 characters or fewer"));
    }
    let txn = crate::db::begin_write(db).await?;
    let about = about(&txn, viewer, form, now).await?;
    let working = if kind == ConcernKind::Safeguarding { 1 } else { 10 };
    let due_on = working_days::after(uk_time::to_local(now).date(), working);
    let reference = format!("CN-{}", auth::readable_code(2)?);
    let raised = concern::Entity::insert(concern::ActiveModel {
        reference: Set(reference.clone()),
        kind: Set(kind),
        council_id: Set(about.council_id),
        provider_id: Set(about.provider_id),
        booking_id: Set(about.booking_id),
        review_id: Set(about.review_id),
        raised_by: Set(viewer.map(|viewer| viewer.user_id)),
        contact: Set(contact),
        description: Set(description),
        share_messages: Set(about.may_share_messages && form.share_messages == "yes"),
        status: Set(ConcernStatus::Received),
        outcome: Set(None),
        outcome_text: Set(None),
        due_on: Set(due_on),
        acknowledged_at: Set(None),
        closed_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    let detail = serde_json::json!({ "concern": reference, "kind": kind, "council": about.council_id });
    audit::record(&txn, now, viewer.map(|viewer| viewer.user_id), None, "concern_raised", detail).await?;
    let (subject, due) = match kind {
        ConcernKind::Safeguarding => (format!("Urgent: safeguarding concern {reference}"), "Acknowledge it"),
        ConcernKind::Complaint => (format!("New complaint {reference}"), "Answer it"),
    };
    let news = News {
        event: format!("concern:{}:raised", raised.last_insert_id),
        subject,
        message: format!("{} {reference} has been raised. {due} by {}.", kind.label(), long_date(due_on)),
        link_path: format!("/concerns/{reference}"),
        link_text: "Open it in the queue",
        kind: app::MailKind::Concerns,
    };
    notifications::mail_council_staff(&txn, about.council_id, &news, now).await?;
    if let Some(viewer) = viewer {
        let told = News {
            event: format!("concern:{}:received", raised.last_insert_id),
            subject: format!("We have passed on your concern {reference}"),
            message: format!("Your concern {reference} has gone to the council. You can follow it on CareMarket; we will tell you what it finds."),
            link_path: format!("/concerns/{reference}"),
            link_text: "Follow your concern",
            kind: app::MailKind::Concerns,
        };
        notifications::tell(&txn, viewer.user_id, about.booking_id, &told, now).await?;
    }
    txn.commit().await?;
    Ok(reference)
}

/// The concern, if this viewer raised it or commissions for its council.
async fn visible(db: &impl ConnectionTrait, viewer: &SignedInUser, reference: &str) -> AppResult<(concern::Model, bool)> {
    let found = concern::Entity::find().filter(concern::Column::Reference.eq(reference)).one(db).await?.ok_or(AppError::NotFound)?;
    let council_staff = auth::commissioners_council(viewer).is_ok_and(|council| council == found.council_id);
    if !council_staff && found.raised_by != Some(viewer.user_id) {
        return Err(AppError::Forbidden);
    }
    Ok((found, council_staff))
}

/// What the concern is about, in words.
async fn about_words(db: &impl ConnectionTrait, found: &concern::Model) -> AppResult<String> {
    let provider = match found.provider_id {
        Some(id) => provider::Entity::find_by_id(id).one(db).await?.map(|p| p.name).unwrap_or_default(),
        None => String::new(),
    };
    Ok(match (found.booking_id, found.review_id) {
        (Some(id), _) => {
            let reference = booking::Entity::find_by_id(id).one(db).await?.map(|b| b.reference).unwrap_or_default();
            format!("{provider}, booking {reference}")
        }
        (None, Some(_)) => format!("A review of {provider}"),
        (None, None) => provider,
    })
}

/// One concern, for the person who raised it or the council.
pub async fn view(db: &impl ConnectionTrait, viewer: &SignedInUser, reference: &str) -> AppResult<ConcernView> {
    let (found, council_staff) = visible(db, viewer, reference).await?;
    let for_council = if council_staff { Some(council_details(db, viewer, &found).await?) } else { None };
    let council = council::Entity::find_by_id(found.council_id).one(db).await?.map(|c| c.name).unwrap_or_default();
    let raised = uk_time::to_local(found.created_at);
    Ok(ConcernView {
        about: about_words(db, &found).await?,
        reference: found.reference,
        kind: found.kind,
        council,
        description: found.description,
        status: found.status,
        due: long_date(found.due_on),
        raised: format!("{}, {}", long_date(raised.date()), raised.format("%H:%M")),
        outcome: found.outcome,
        outcome_text: found.outcome_text,
        for_council,
    })
}

async fn council_details(db: &impl ConnectionTrait, viewer: &SignedInUser, found: &concern::Model) -> AppResult<CouncilConcernDetails> {
    let raised_by = match found.raised_by {
        Some(id) => user::Entity::find_by_id(id).one(db).await?.map(|u| format!("{} ({})", u.display_name, u.email)).unwrap_or_default(),
        None => "Someone not signed in".to_string(),
    };
    let notes = concern_note::Entity::find().filter(concern_note::Column::ConcernId.eq(found.id)).order_by_asc(concern_note::Column::Id).all(db).await?;
    let authors = user::Entity::find().filter(user::Column::Id.is_in(notes.iter().map(|n| n.author_id))).all(db).await?;
    let notes = notes
        .into_iter()
        .map(|note| {
            let at = uk_time::to_local(note.created_at);
            let by = authors.iter().find(|a| a.id == note.author_id).map(|a| a.display_name.clone()).unwrap_or_default();
            app::Message { at: format!("{}, {} ({by})", long_date(at.date()), at.format("%H:%M")), text: note.body }
        })
        .collect();
    // The booking's messages only when the person chose to share them with the concern.
    let shared_messages = match (found.share_messages, found.booking_id) {
        (true, Some(id)) => match booking::Entity::find_by_id(id).one(db).await? {
            Some(booking) => booking_messages::shared_with_council(db, viewer, &booking).await?,
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    Ok(CouncilConcernDetails { raised_by, contact: found.contact.clone(), notes, shared_messages })
}

/// The council's queue: open concerns soonest due first, then the last closed.
pub async fn queue(db: &impl ConnectionTrait, viewer: &SignedInUser, now: DateTime<Utc>) -> AppResult<Vec<ConcernLine>> {
    let council = auth::commissioners_council(viewer)?;
    let open = concern::Entity::find()
        .filter(concern::Column::CouncilId.eq(council))
        .filter(concern::Column::Status.ne(ConcernStatus::Closed))
        .order_by_asc(concern::Column::DueOn)
        .order_by_asc(concern::Column::Id)
        .all(db)
        .await?;
    let closed = concern::Entity::find()
        .filter(concern::Column::CouncilId.eq(council))
        .filter(concern::Column::Status.eq(ConcernStatus::Closed))
        .order_by_desc(concern::Column::ClosedAt)
        .limit(20)
        .all(db)
        .await?;
    let today = uk_time::to_local(now).date();
    let mut lines = Vec::new();
    for found in open.into_iter().chain(closed) {
        lines.push(ConcernLine {
            about: about_words(db, &found).await?,
            overdue: found.status != ConcernStatus::Closed && found.due_on < today,
            due: long_date(found.due_on),
            reference: found.reference,
            kind: found.kind,
            status: found.status,
        });
    }
    Ok(lines)
}

/// What a commissioner does with a concern.
pub enum Handling {
    Acknowledge,
    Note(String),
    Close { outcome: String, text: String },
}

/// A commissioner of the concern's council acknowledges it, adds a note, or closes it with an outcome.
pub async fn handle(db: &Db, viewer: &SignedInUser, reference: &str, handling: Handling, now: DateTime<Utc>) -> AppResult<()> {
    let council = auth::commissioners_council(viewer)?;
    let txn = crate::db::begin_write(db).await?;
    let found = concern::Entity::find().filter(concern::Column::Reference.eq(reference)).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    if found.council_id != council {
        return Err(AppError::Forbidden);
    }
    if found.status == ConcernStatus::Closed {
        return Err(AppError::invalid("outcome", "This concern is closed"));
    }
    let (id, raised_by, booking_id) = (found.id, found.raised_by, found.booking_id);
    let told = match handling {
        Handling::Acknowledge => {
            if found.status != ConcernStatus::Received {
                return Err(AppError::invalid("outcome", "This concern has been acknowledged already"));
            }
            let mut row: concern::ActiveModel = found.into();
            row.status = Set(ConcernStatus::Acknowledged);
            row.acknowledged_at = Set(Some(now));
            row.update(&txn).await?;
            audit::record(&txn, now, Some(viewer.user_id), raised_by, "concern_acknowledged", serde_json::json!({ "concern": reference })).await?;
            Some(("acknowledged", format!("The council is looking into your concern {reference}.")))
        }
        Handling::Note(body) => {
            let body = words("note", &body, "Write the note")?;
            concern_note::Entity::insert(concern_note::ActiveModel {
                concern_id: Set(id),
                author_id: Set(viewer.user_id),
                body: Set(body),
                created_at: Set(now),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
            audit::record(&txn, now, Some(viewer.user_id), raised_by, "concern_note", serde_json::json!({ "concern": reference })).await?;
            None
        }
        Handling::Close { outcome, text } => {
            let outcome = ConcernOutcome::from_code(&outcome).ok_or_else(|| AppError::invalid("outcome", "Choose the outcome"))?;
            let text = words("outcome_text", &text, "Say what the council found and what happens now")?;
            let mut row: concern::ActiveModel = found.into();
            row.status = Set(ConcernStatus::Closed);
            row.outcome = Set(Some(outcome));
            row.outcome_text = Set(Some(text.clone()));
            row.closed_at = Set(Some(now));
            row.update(&txn).await?;
            audit::record(&txn, now, Some(viewer.user_id), raised_by, "concern_closed", serde_json::json!({ "concern": reference, "outcome": outcome.code() }))
                .await?;
            Some(("closed", format!("The council has closed your concern {reference}: {}. It said: \u{201c}{text}\u{201d}", outcome.label().to_lowercase())))
        }
    };
    if let (Some((what, message)), Some(person)) = (told, raised_by) {
        let news = News {
            event: format!("concern:{id}:{what}"),
            subject: format!("Your concern {reference}"),
            message,
            link_path: format!("/concerns/{reference}"),
            link_text: "Follow your concern",
            kind: app::MailKind::Concerns,
        };
        notifications::tell(&txn, person, booking_id, &news, now).await?;
    }
    txn.commit().await?;
    Ok(())
}
