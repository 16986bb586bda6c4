//! Paying providers: a commissioner's payment run moves everything the council owes each
//! provider (their payable account) to paid, under one run reference, and the remittance file
//! lists what each provider is paid, for the council's finance system.
use super::audit;
use super::auth::commissioners_council;
use super::ledger::{self, Account, AccountKind, Transfer};
use crate::db::Db;
use crate::entities::{ledger_account, ledger_transfer, payment_run, provider};
use crate::error::{AppError, AppResult};
use app::SignedInUser;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// One line of a remittance: what one provider is paid in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remittance {
    pub provider: String,
    pub regulator_id: Option<String>,
    pub amount_pence: i64,
}

/// What the council owes each provider now, largest first.
pub async fn owed(db: &impl ConnectionTrait, viewer: &SignedInUser) -> AppResult<Vec<Remittance>> {
    let council = commissioners_council(viewer)?;
    let accounts = ledger_account::Entity::find()
        .filter(ledger_account::Column::CouncilId.eq(council))
        .filter(ledger_account::Column::Kind.eq(AccountKind::ProviderPayable.code()))
        .filter(ledger_account::Column::BalancePence.gt(0))
        .all(db)
        .await?;
    lines(db, accounts.iter().filter_map(|a| Some((a.provider_id?, a.balance_pence))).collect()).await
}

async fn lines(db: &impl ConnectionTrait, amounts: Vec<(i64, i64)>) -> AppResult<Vec<Remittance>> {
    let providers = provider::Entity::find().filter(provider::Column::Id.is_in(amounts.iter().map(|(id, _)| *id))).all(db).await?;
    let mut lines: Vec<Remittance> = amounts
        .into_iter()
        .filter_map(|(id, amount_pence)| {
            let provider = providers.iter().find(|p| p.id == id)?;
            Some(Remittance { provider: provider.name.clone(), regulator_id: provider.regulator_id.clone(), amount_pence })
        })
        .collect();
    lines.sort_by(|a, b| b.amount_pence.cmp(&a.amount_pence).then_with(|| a.provider.cmp(&b.provider)));
    Ok(lines)
}

/// Pays every provider what it is owed; returns the run's reference. Refused when nothing is owed.
pub async fn run(db: &Db, viewer: &SignedInUser, now: DateTime<Utc>) -> AppResult<String> {
    let council = commissioners_council(viewer)?;
    let txn = crate::db::begin_write(db).await?;
    let accounts = ledger_account::Entity::find()
        .filter(ledger_account::Column::CouncilId.eq(council))
        .filter(ledger_account::Column::Kind.eq(AccountKind::ProviderPayable.code()))
        .filter(ledger_account::Column::BalancePence.gt(0))
        .order_by_asc(ledger_account::Column::Id)
        // Locked until commit: a second run at the same moment waits, then finds nothing owed.
        .lock_exclusive()
        .all(&txn)
        .await?;
    if accounts.is_empty() {
        return Err(AppError::invalid("", "No provider is owed anything: there is nothing to pay"));
    }
    let reference = format!("PR-{}-{}", now.format("%Y%m%d"), &super::auth::random_token()?[..6].to_uppercase());
    let mut total = 0;
    for account in &accounts {
        let Some(provider_id) = account.provider_id else { continue };
        let payment = Transfer::new(
            format!("payment:{reference}:provider:{provider_id}"),
            Account::provider_payable(council, provider_id),
            Account::provider_paid(council, provider_id),
            account.balance_pence,
            "payment",
        )
        .paid_with(reference.clone())
        .by(Some(viewer.user_id));
        ledger::transfer(&txn, &payment, now).await?;
        total += account.balance_pence;
    }
    payment_run::Entity::insert(payment_run::ActiveModel {
        reference: Set(reference.clone()),
        council_id: Set(council),
        total_pence: Set(total),
        provider_count: Set(i32::try_from(accounts.len()).unwrap_or(i32::MAX)),
        run_by: Set(viewer.user_id),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    audit::record(&txn, now, Some(viewer.user_id), None, "payment_run", serde_json::json!({ "run": reference, "total_pence": total })).await?;
    txn.commit().await?;
    Ok(reference)
}

/// The council's payment runs, newest first.
pub async fn runs(db: &impl ConnectionTrait, viewer: &SignedInUser) -> AppResult<Vec<payment_run::Model>> {
    let council = commissioners_council(viewer)?;
    Ok(payment_run::Entity::find().filter(payment_run::Column::CouncilId.eq(council)).order_by_desc(payment_run::Column::Id).all(db).await?)
}

/// What each provider was paid in a run.
pub async fn remittance(db: &impl ConnectionTrait, viewer: &SignedInUser, reference: &str) -> AppResult<(payment_run::Model, Vec<Remittance>)> {
    let council = commissioners_council(viewer)?;
    let run = payment_run::Entity::find()
        .filter(payment_run::Column::Reference.eq(reference))
        .filter(payment_run::Column::CouncilId.eq(council))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let payments = ledger_transfer::Entity::find().filter(ledger_transfer::Column::PaymentRef.eq(reference)).all(db).await?;
    let accounts = ledger_account::Entity::find().filter(ledger_account::Column::Id.is_in(payments.iter().map(|p| p.credit_account_id))).all(db).await?;
    let amounts =
        payments.iter().filter_map(|payment| Some((accounts.iter().find(|a| a.id == payment.credit_account_id)?.provider_id?, payment.amount_pence))).collect();
    Ok((run, lines(db, amounts).await?))
}

/// The payments page: what is owed now and the runs so far.
pub async fn admin(db: &impl ConnectionTrait, viewer: &SignedInUser) -> AppResult<app::PaymentsAdmin> {
    let owed = owed(db, viewer).await?.into_iter().map(|line| (line.provider, line.amount_pence)).collect();
    let runs = runs(db, viewer)
        .await?
        .into_iter()
        .map(|run| app::PaymentRunLine {
            date: super::uk_time::to_local(run.created_at).format("%-d %B %Y").to_string(),
            reference: run.reference,
            total_pence: run.total_pence,
            providers: run.provider_count,
        })
        .collect();
    Ok(app::PaymentsAdmin { owed, runs })
}
