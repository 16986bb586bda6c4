//! What a provider is owed and has been paid, council by council (`/provider/payments`): each
//! payment run's amount to this provider (the figure on its line of the council's remittance)
//! with the confirmed visits behind it, and what is owed but not paid yet: visits the person
//! has still to confirm, and confirmed visits waiting for the council's next payment run.
use super::ledger::AccountKind;
use super::uk_time;
use crate::entities::{booking, budget, council, ledger_account, ledger_transfer, payment_run, visit};
use crate::error::{AppError, AppResult};
use app::{CouncilPayments, PaidVisit, ProviderPayments, ProviderRunLine, SignedInUser, VisitConfirmation};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;

/// Payment runs shown per council (the newest).
const RUNS_SHOWN: usize = 24;

pub async fn page(db: &impl ConnectionTrait, viewer: &SignedInUser) -> AppResult<ProviderPayments> {
    let provider_id = super::auth::providers_organisation(viewer)?;
    let accounts = ledger_account::Entity::find()
        .filter(ledger_account::Column::ProviderId.eq(provider_id))
        .filter(ledger_account::Column::Kind.is_in([AccountKind::ProviderPayable.code(), AccountKind::ProviderPaid.code()]))
        .all(db)
        .await?;
    let awaiting = awaiting_by_council(db, provider_id).await?;
    let mut council_ids: Vec<i64> = accounts.iter().map(|account| account.council_id).chain(awaiting.keys().copied()).collect();
    council_ids.sort_unstable();
    council_ids.dedup();
    let names = council::Entity::find().filter(council::Column::Id.is_in(council_ids.clone())).all(db).await?;
    let mut councils = Vec::new();
    for council_id in council_ids {
        let payable = accounts.iter().find(|a| a.council_id == council_id && a.kind == AccountKind::ProviderPayable.code());
        let runs = match payable {
            Some(payable) => runs(db, payable.id).await?,
            None => Vec::new(),
        };
        let (awaiting_visits, awaiting_pence) = awaiting.get(&council_id).copied().unwrap_or_default();
        councils.push(CouncilPayments {
            council: names.iter().find(|c| c.id == council_id).map(|c| c.name.clone()).unwrap_or_default(),
            awaiting_visits,
            awaiting_pence,
            owed_pence: payable.map_or(0, |account| account.balance_pence),
            runs,
        });
    }
    Ok(ProviderPayments { councils })
}

/// One payment run's line for this provider, with its visits (for the run's CSV).
pub async fn run(db: &impl ConnectionTrait, viewer: &SignedInUser, reference: &str) -> AppResult<(String, ProviderRunLine)> {
    let page = page(db, viewer).await?;
    page.councils
        .into_iter()
        .find_map(|council| council.runs.into_iter().find(|run| run.reference == reference).map(|run| (council.council.clone(), run)))
        .ok_or(AppError::NotFound)
}

/// (visits, pence) delivered for this provider and not yet confirmed, by the council whose
/// budget pays for them.
async fn awaiting_by_council(db: &impl ConnectionTrait, provider_id: i64) -> AppResult<BTreeMap<i64, (u32, i64)>> {
    let bookings = Query::select().column(booking::Column::Id).from(booking::Entity).and_where(booking::Column::ProviderId.eq(provider_id)).to_owned();
    let waiting = [VisitConfirmation::Awaiting, VisitConfirmation::Queried, VisitConfirmation::Answered, VisitConfirmation::WithCouncil];
    let visits = visit::Entity::find()
        .filter(visit::Column::BookingId.in_subquery(bookings))
        .filter(visit::Column::Confirmation.is_in(waiting))
        .filter(visit::Column::ChargedPence.gt(0))
        .all(db)
        .await?;
    let bookings = booking::Entity::find().filter(booking::Column::Id.is_in(visits.iter().map(|v| v.booking_id))).all(db).await?;
    let budgets = budget::Entity::find().filter(budget::Column::Id.is_in(bookings.iter().filter_map(|b| b.budget_id))).all(db).await?;
    let mut by_council: BTreeMap<i64, (u32, i64)> = BTreeMap::new();
    for visit in &visits {
        let council = bookings
            .iter()
            .find(|b| b.id == visit.booking_id)
            .and_then(|b| b.budget_id)
            .and_then(|budget_id| budgets.iter().find(|budget| budget.id == budget_id))
            .map(|budget| budget.council_id);
        if let Some(council) = council {
            let line = by_council.entry(council).or_default();
            line.0 += 1;
            line.1 += visit.charged_pence.unwrap_or(0);
        }
    }
    Ok(by_council)
}

/// The runs that paid out of this payable account, newest first, each with the visits settled
/// into the account since the run before it (a run pays the whole balance).
async fn runs(db: &impl ConnectionTrait, payable_id: i64) -> AppResult<Vec<ProviderRunLine>> {
    let transfers = ledger_transfer::Entity::find()
        .filter(Condition::any().add(ledger_transfer::Column::CreditAccountId.eq(payable_id)).add(ledger_transfer::Column::DebitAccountId.eq(payable_id)))
        // In the order the money moved (loaded history is not written in that order).
        .order_by_asc(ledger_transfer::Column::CreatedAt)
        .order_by_asc(ledger_transfer::Column::Id)
        .all(db)
        .await?;
    let references: Vec<String> = transfers.iter().filter_map(|t| t.payment_ref.clone()).collect();
    let payment_runs = payment_run::Entity::find().filter(payment_run::Column::Reference.is_in(references)).all(db).await?;
    let visits = visit::Entity::find().filter(visit::Column::Id.is_in(transfers.iter().filter_map(|t| t.visit_id))).all(db).await?;
    let bookings = booking::Entity::find().filter(booking::Column::Id.is_in(visits.iter().map(|v| v.booking_id))).all(db).await?;
    let mut runs = Vec::new();
    let mut settled: Vec<PaidVisit> = Vec::new();
    for transfer in transfers {
        match (&transfer.payment_ref, transfer.credit_account_id == payable_id) {
            (Some(reference), false) => {
                let date = payment_runs.iter().find(|run| &run.reference == reference).map_or(transfer.created_at, |run| run.created_at);
                runs.push(ProviderRunLine {
                    reference: reference.clone(),
                    date: uk_time::long_date(uk_time::to_local(date).date()),
                    amount_pence: transfer.amount_pence,
                    visits: std::mem::take(&mut settled),
                });
            }
            (_, true) => {
                let visit = visits.iter().find(|v| Some(v.id) == transfer.visit_id);
                settled.push(PaidVisit {
                    booking: bookings.iter().find(|b| Some(b.id) == transfer.booking_id).map(|b| b.reference.clone()).unwrap_or_default(),
                    day: visit.map(|v| uk_time::long_date(uk_time::to_local(v.scheduled_start).date())).unwrap_or_default(),
                    minutes: visit.and_then(|v| v.delivered_minutes).unwrap_or(0),
                    amount_pence: transfer.amount_pence,
                });
            }
            // Nothing else moves money out of a payable account.
            (None, false) => {}
        }
    }
    runs.reverse();
    runs.truncate(RUNS_SHOWN);
    Ok(runs)
}
