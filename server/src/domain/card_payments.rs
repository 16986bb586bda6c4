//! Paying into a personal budget by card: the assessed contribution, or a top-up. The person
//! (or someone they let pay for them) starts a payment; the card processor takes the card
//! details directly (they never pass through CareMarket); money reaches the budget only when
//! the processor's verified notice says the payment succeeded, once per payment however often
//! or in whatever order notices arrive.
use super::delegations::{Right, may_act};
use super::ledger::{self, Account, Moved, Transfer};
use super::notifications::News;
use super::values::{Pence, collect};
use super::{audit, notifications, uk_time};
use crate::db::Db;
use crate::db::begin_write;
use crate::entities::{budget, card_payment, user};
use crate::error::{AppError, AppResult};
use app::{CardForm, CardPaymentForm, CardPaymentStatus, CardPaymentView, CardPaymentsPage, Funding, Role, SignedInUser};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// The most one card payment may be: a slip of the keyboard should not take £50,000.
const LARGEST_PAYMENT: Pence = Pence::from_pence(500_000);

/// A payment the processor has opened, ready for the card form.
#[derive(Debug, Clone)]
pub struct OpenedPayment {
    pub id: String,
    pub client_secret: String,
}

/// The card processor (Stripe in production, localstripe in tests).
#[async_trait::async_trait]
pub trait CardProcessor: Send + Sync {
    /// Opens a payment. The same `idempotency_key` opens it once, however often it is asked.
    async fn open_payment(&self, idempotency_key: &str, amount_pence: i64, description: &str) -> AppResult<OpenedPayment>;
    /// The secret the card form needs to finish an open payment.
    async fn client_secret(&self, payment_id: &str) -> AppResult<String>;
    /// Gives a payment back to its card, in full. The same `idempotency_key` refunds once.
    async fn refund(&self, idempotency_key: &str, payment_id: &str) -> AppResult<()>;
    /// Stripe.js's publishable key and where the script is loaded from.
    fn card_form(&self, client_secret: String) -> CardForm;
}

/// What a verified notice from the processor says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardEvent {
    Succeeded {
        payment_id: String,
        amount_received_pence: i64,
    },
    Failed {
        payment_id: String,
    },
    /// The payment has been given back to the card.
    Refunded {
        payment_id: String,
    },
}

/// What a notice did here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    Credited,
    /// Told before, or not a payment of ours, or a failure after the money arrived.
    NothingToDo,
    MarkedFailed,
    MarkedRefunded,
}

/// Whether `viewer` may pay into this budget: its holder, or someone they let pay for them.
pub async fn may_pay_into(db: &impl ConnectionTrait, viewer: &SignedInUser, budget: &budget::Model, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(match viewer.role {
        Role::BudgetHolder => budget.holder_id == viewer.user_id,
        Role::Planner => may_act(db, budget.holder_id, viewer.user_id, Right::Pay, now).await?,
        _ => false,
    })
}

/// The budget `viewer` may pay into: their own, or that of `person` who lets them pay.
async fn payable_budget(db: &impl ConnectionTrait, viewer: &SignedInUser, person: Option<i64>, now: DateTime<Utc>) -> AppResult<budget::Model> {
    let holder_id = match viewer.role {
        Role::BudgetHolder => viewer.user_id,
        Role::Planner => person.ok_or(AppError::Forbidden)?,
        _ => return Err(AppError::Forbidden),
    };
    let budget = budget::Entity::find().filter(budget::Column::HolderId.eq(holder_id)).one(db).await?.ok_or(AppError::NotFound)?;
    if !may_pay_into(db, viewer, &budget, now).await? {
        return Err(AppError::Forbidden);
    }
    super::budget_endings::refuse_if_closed(&budget)?;
    Ok(budget)
}

/// The "pay by card" page: the contribution due and the payments made so far.
pub async fn page(db: &impl ConnectionTrait, viewer: &SignedInUser, person: Option<i64>, now: DateTime<Utc>) -> AppResult<CardPaymentsPage> {
    let budget = payable_budget(db, viewer, person, now).await?;
    let holder = holder_name(db, &budget).await?;
    let payments = card_payment::Entity::find()
        .filter(card_payment::Column::BudgetId.eq(budget.id))
        .order_by_desc(card_payment::Column::Id)
        .limit(20)
        .all(db)
        .await?
        .iter()
        .map(|payment| view(payment, &holder, None))
        .collect();
    Ok(CardPaymentsPage {
        holder,
        four_weekly_contribution_pence: budget.four_weekly_contribution_pence,
        self_funded: budget.funding() == Funding::OwnMoney,
        payments,
        request_key: super::auth::readable_code(4)?,
    })
}

/// Opens a card payment into the budget and records it as pending; returns its id. The same
/// `request_key` (one per form shown) opens one payment however often the form is sent.
pub async fn start(
    db: &Db,
    cards: &dyn CardProcessor,
    viewer: &SignedInUser,
    person: Option<i64>,
    form: &CardPaymentForm,
    request_key: &str,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let budget = payable_budget(db, viewer, person, now).await?;
    let mut problems = Vec::new();
    let self_funded = budget.funding() == Funding::OwnMoney;
    let purpose = match form.purpose.as_str() {
        "top_up" => Some(form.purpose.clone()),
        "contribution" if !self_funded => Some(form.purpose.clone()),
        "self_funded_booking" if self_funded => Some(form.purpose.clone()),
        _ if self_funded => {
            problems.push(app::FieldError::new("purpose", "Choose to pay into your account"));
            None
        }
        _ => {
            problems.push(app::FieldError::new("purpose", "Choose whether this is your contribution or a top-up"));
            None
        }
    };
    let amount = collect(&mut problems, Pence::parse_price("amount", &form.amount, "the amount", LARGEST_PAYMENT));
    let (Some(purpose), Some(amount)) = (purpose, amount) else {
        return Err(AppError::Invalid(problems));
    };
    if request_key.is_empty() || request_key.len() > 64 || !request_key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(AppError::invalid("", "This form has expired: open the page again and send it once more"));
    }
    let opened = cards
        .open_payment(
            &format!("card-payment:{}:{request_key}", budget.id),
            amount.pence(),
            &format!("CareMarket budget {}: {}", budget.id, purpose_in_words(&purpose)),
        )
        .await?;
    let txn = begin_write(db).await?;
    card_payment::Entity::insert(card_payment::ActiveModel {
        payment_intent_id: Set(opened.id.clone()),
        purpose: Set(purpose.clone()),
        payer_id: Set(viewer.user_id),
        budget_id: Set(Some(budget.id)),
        booking_id: Set(None),
        amount_pence: Set(amount.pence()),
        status: Set(CardPaymentStatus::Pending),
        created_at: Set(now),
        settled_at: Set(None),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([card_payment::Column::PaymentIntentId])
    .exec_without_returning(&txn)
    .await?;
    let payment = by_processor_id(&txn, &opened.id).await?.ok_or(AppError::NotFound)?;
    audit::record(
        &txn,
        now,
        Some(viewer.user_id),
        Some(budget.holder_id),
        "card_payment_started",
        serde_json::json!({ "card_payment": payment.id, "pence": amount.pence() }),
    )
    .await?;
    txn.commit().await?;
    Ok(payment.id)
}

/// One card payment, for the budget holder or someone who may pay for them now; with the card
/// form while it can still be paid.
pub async fn payment(db: &impl ConnectionTrait, cards: &dyn CardProcessor, viewer: &SignedInUser, id: i64, now: DateTime<Utc>) -> AppResult<CardPaymentView> {
    let payment = card_payment::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let budget = budget::Entity::find_by_id(payment.budget_id.ok_or(AppError::NotFound)?).one(db).await?.ok_or(AppError::NotFound)?;
    // Whoever started it must still be allowed to pay: a helper whose right was taken back
    // gets no card form (and no fresh client secret) for a payment they began before.
    if !may_pay_into(db, viewer, &budget, now).await? {
        return Err(AppError::NotFound);
    }
    let form = if payment.status.can_be_paid() { Some(cards.card_form(cards.client_secret(&payment.payment_intent_id).await?)) } else { None };
    Ok(view(&payment, &holder_name(db, &budget).await?, form))
}

/// Acts on a verified notice from the processor. The money moves in the same transaction as
/// the payment's new status, under a lock on the payment, with the processor's payment id as
/// the transfer's key: a notice delivered twice, or two at once, credits once.
pub async fn settle(db: &Db, event: &CardEvent, now: DateTime<Utc>) -> AppResult<Settled> {
    let payment_id = match event {
        CardEvent::Refunded { payment_id } => return refunded(db, payment_id, now).await,
        CardEvent::Succeeded { payment_id, .. } | CardEvent::Failed { payment_id } => payment_id,
    };
    let txn = begin_write(db).await?;
    let Some(payment) = card_payment::Entity::find().filter(card_payment::Column::PaymentIntentId.eq(payment_id)).lock_exclusive().one(&txn).await? else {
        tracing::warn!(payment_id, "a card payment notice for a payment we did not open");
        return Ok(Settled::NothingToDo);
    };
    let settled = match event {
        // Only a payment still waiting (or retried after a decline) is credited: a late copy of
        // the notice must not turn a refunded payment back into a paid one.
        CardEvent::Succeeded { amount_received_pence, .. } if payment.status.can_be_paid() => {
            let budget = budget::Entity::find_by_id(payment.budget_id.ok_or(AppError::NotFound)?).one(&txn).await?.ok_or(AppError::NotFound)?;
            if *amount_received_pence != payment.amount_pence {
                tracing::error!(
                    payment_id,
                    expected = payment.amount_pence,
                    received = amount_received_pence,
                    "card payment amount differs; crediting what arrived"
                );
            }
            let kind = match payment.purpose.as_str() {
                "contribution" => "contribution",
                "self_funded_booking" => "card_payment",
                _ => "top_up",
            };
            let credit = Transfer::new(
                format!("card:{payment_id}"),
                Account::card_clearing(budget.council_id),
                Account::budget_available(budget.council_id, budget.id),
                *amount_received_pence,
                kind,
            )
            .paid_with(payment_id.clone())
            .by(Some(payment.payer_id));
            let moved = ledger::transfer(&txn, &credit, now).await?;
            mark(&txn, payment.clone(), CardPaymentStatus::Succeeded, Some(now)).await?;
            if moved == Moved::Now {
                let news = News {
                    event: format!("card_payment:{}:received", payment.id),
                    subject: "We received your card payment".into(),
                    message: format!("We received your card payment of {}. It is in your budget now.", app::format_pence(*amount_received_pence)),
                    link_path: "/budget/statement".into(),
                    link_text: "See your budget statement",
                    kind: app::MailKind::Money,
                };
                notifications::tell(&txn, budget.holder_id, None, &news, now).await?;
            }
            Settled::Credited
        }
        CardEvent::Failed { .. } if payment.status == CardPaymentStatus::Pending => {
            mark(&txn, payment.clone(), CardPaymentStatus::Failed, None).await?;
            Settled::MarkedFailed
        }
        _ => Settled::NothingToDo,
    };
    txn.commit().await?;
    Ok(settled)
}

/// How a refund stands once asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refund {
    /// The processor has refunded it.
    Done,
    /// The money has left the account; the processor has not confirmed yet (it is asked again
    /// every minute, and its webhook settles it too).
    UnderWay,
}

/// Gives a self-funder's card payment back to their card, in full, while their account still
/// holds it. First, in one transaction under the payment's lock, the money leaves the account
/// (refused if it has been spent) and the payment is marked as being refunded; only then, with
/// no transaction open, is the processor asked, with a key that makes it refund once however
/// often it is asked. A council budget's contributions are refunded through the council's own
/// finance process.
pub async fn refund(db: &Db, cards: &dyn CardProcessor, viewer: &SignedInUser, id: i64, now: DateTime<Utc>) -> AppResult<Refund> {
    let txn = begin_write(db).await?;
    let payment = card_payment::Entity::find_by_id(id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    let budget = budget::Entity::find_by_id(payment.budget_id.ok_or(AppError::NotFound)?).one(&txn).await?.ok_or(AppError::NotFound)?;
    if viewer.role != Role::BudgetHolder || budget.holder_id != viewer.user_id {
        return Err(AppError::NotFound);
    }
    if budget.funding() != Funding::OwnMoney {
        return Err(AppError::invalid("", "Ask the council to refund a payment into a personal budget"));
    }
    match (payment.status, payment.refund_started_at) {
        (CardPaymentStatus::Refunded, _) => return Ok(Refund::Done),
        // Started before: ask the processor again (it refunds once).
        (CardPaymentStatus::Succeeded, Some(_)) => {}
        (CardPaymentStatus::Succeeded, None) => {
            let back = Transfer::new(
                refund_key(&payment),
                Account::budget_available(budget.council_id, budget.id),
                Account::card_clearing(budget.council_id),
                payment.amount_pence,
                "refund",
            )
            .paid_with(payment.payment_intent_id.clone())
            .by(Some(viewer.user_id));
            if let Err(error) = ledger::transfer(&txn, &back, now).await {
                return Err(match error {
                    AppError::ShortOfMoney { available_pence } => AppError::invalid(
                        "",
                        format!(
                            "Your account has {} not set aside for care, less than this payment of {}: cancel care you no longer need first",
                            app::format_pence(available_pence),
                            app::format_pence(payment.amount_pence)
                        ),
                    ),
                    other => other,
                });
            }
            let mut started: card_payment::ActiveModel = payment.clone().into();
            started.refund_started_at = Set(Some(now));
            started.update(&txn).await?;
            let detail = serde_json::json!({ "card_payment": id, "pence": payment.amount_pence });
            audit::record(&txn, now, Some(viewer.user_id), Some(budget.holder_id), "card_payment_refund_started", detail).await?;
        }
        _ => return Err(AppError::invalid("", "Only a payment that went through can be refunded")),
    }
    txn.commit().await?;
    ask_for_refund(db, cards, &payment, now).await
}

/// The key a payment's refund is made with, in the ledger and at the processor.
fn refund_key(payment: &card_payment::Model) -> String {
    format!("refund:{}", payment.payment_intent_id)
}

/// Asks the processor to refund a payment whose refund has started, and settles it if it says
/// yes. A refusal or no answer leaves it under way, for the next try.
async fn ask_for_refund(db: &Db, cards: &dyn CardProcessor, payment: &card_payment::Model, now: DateTime<Utc>) -> AppResult<Refund> {
    match cards.refund(&refund_key(payment), &payment.payment_intent_id).await {
        Ok(()) => {
            refunded(db, &payment.payment_intent_id, now).await?;
            Ok(Refund::Done)
        }
        Err(error) => {
            tracing::warn!(%error, card_payment = payment.id, "the card processor did not confirm a refund; it will be asked again");
            Ok(Refund::UnderWay)
        }
    }
}

/// The processor has refunded this payment (it said so, or its webhook did): it is marked
/// refunded and the person told, once.
pub async fn refunded(db: &Db, payment_intent_id: &str, now: DateTime<Utc>) -> AppResult<Settled> {
    let txn = begin_write(db).await?;
    let Some(payment) = card_payment::Entity::find()
        .filter(card_payment::Column::PaymentIntentId.eq(payment_intent_id))
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|payment| payment.status == CardPaymentStatus::Succeeded && payment.refund_started_at.is_some())
    else {
        return Ok(Settled::NothingToDo);
    };
    let (amount, id, holder) = (payment.amount_pence, payment.id, payment.payer_id);
    let budget = budget::Entity::find_by_id(payment.budget_id.ok_or(AppError::NotFound)?).one(&txn).await?.ok_or(AppError::NotFound)?;
    mark(&txn, payment, CardPaymentStatus::Refunded, Some(now)).await?;
    audit::record(&txn, now, Some(holder), Some(budget.holder_id), "card_payment_refunded", serde_json::json!({ "card_payment": id, "pence": amount })).await?;
    let news = News {
        event: format!("card_payment:{id}:refunded"),
        subject: "We have refunded your card payment".into(),
        message: format!("We have refunded {} to your card. It can take a few days to show.", app::format_pence(amount)),
        link_path: "/budget/statement".into(),
        link_text: "See your budget statement",
        kind: app::MailKind::Money,
    };
    notifications::tell(&txn, budget.holder_id, None, &news, now).await?;
    txn.commit().await?;
    Ok(Settled::MarkedRefunded)
}

/// Asks the processor again about every refund still under way (run every minute); one that
/// cannot be settled is logged and the rest go on. Returns how many were confirmed.
pub async fn finish_refunds(db: &Db, cards: &dyn CardProcessor, now: DateTime<Utc>) -> AppResult<u64> {
    let under_way = card_payment::Entity::find()
        .filter(card_payment::Column::Status.eq(CardPaymentStatus::Succeeded))
        .filter(card_payment::Column::RefundStartedAt.is_not_null())
        .order_by_asc(card_payment::Column::Id)
        .all(db)
        .await?;
    let mut done = 0;
    for payment in under_way {
        match ask_for_refund(db, cards, &payment, now).await {
            Ok(Refund::Done) => done += 1,
            Ok(Refund::UnderWay) => {}
            Err(error) => tracing::error!(%error, card_payment = payment.id, "could not settle a refund; trying the others"),
        }
    }
    Ok(done)
}

async fn mark(db: &impl ConnectionTrait, payment: card_payment::Model, status: CardPaymentStatus, settled_at: Option<DateTime<Utc>>) -> AppResult<()> {
    let mut changed: card_payment::ActiveModel = payment.into();
    changed.status = Set(status);
    changed.settled_at = Set(settled_at);
    changed.update(db).await?;
    Ok(())
}

async fn by_processor_id(db: &impl ConnectionTrait, payment_id: &str) -> AppResult<Option<card_payment::Model>> {
    Ok(card_payment::Entity::find().filter(card_payment::Column::PaymentIntentId.eq(payment_id)).one(db).await?)
}

async fn holder_name(db: &impl ConnectionTrait, budget: &budget::Model) -> AppResult<String> {
    Ok(user::Entity::find_by_id(budget.holder_id).one(db).await?.map(|u| u.display_name).unwrap_or_default())
}

fn purpose_in_words(purpose: &str) -> &'static str {
    match purpose {
        "contribution" => "Your contribution",
        "self_funded_booking" => "Paying for care you are booking",
        _ => "Top-up",
    }
}

fn view(payment: &card_payment::Model, holder: &str, card_form: Option<CardForm>) -> CardPaymentView {
    CardPaymentView {
        id: payment.id,
        holder: holder.into(),
        purpose: purpose_in_words(&payment.purpose).into(),
        amount_pence: payment.amount_pence,
        status: payment.status,
        refunding: payment.status == CardPaymentStatus::Succeeded && payment.refund_started_at.is_some(),
        started: uk_time::to_local(payment.created_at).format("%Y-%m-%d %H:%M").to_string(),
        card_form,
    }
}
