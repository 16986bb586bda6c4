//! The bench set's year of care (`seeds::Dataset::care_year`), loaded as CareMarket would have
//! recorded it: each visit priced by the booking's own rule (`bookings::visit_cost`) and set
//! aside when booked, settled to the provider when confirmed (released when missed), paid out by
//! the council's monthly runs, and surplus recovered. A booking whose budget's allocations could
//! not pay for its visits gets none, so no budget is overdrawn. Worked out in a first pass
//! (`Plan`), so the accounts can be written with their final balances before the transfers.
use super::{AccountIds, Progress, insert};
use crate::domain::bookings::visit_cost;
use crate::error::AppResult;
use app::{RecoveryStatus, VisitConfirmation, VisitStatus};
use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::SimpleExpr;
use seeds::{Booking, Dataset, Outcome, Visit};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Days a holder has to reply to a recovery, and when the commissioner decided after it.
const REPLY_DAYS: i64 = 14;

/// What the year adds up to, before anything is written.
pub(super) struct Plan {
    /// The bookings whose budgets paid for their visits.
    paid_for: HashSet<i64>,
    /// Each account's balance at the end (accounts not named hold nothing).
    pub(super) balances: HashMap<i64, i64>,
    /// Each payment run's amount to each provider.
    payments: Vec<BTreeMap<i64, i64>>,
    /// Each recovery with the surplus it was proposed for and, if made, what was recovered.
    recoveries: Vec<(seeds::Recovery, i64, Option<i64>)>,
}

impl Plan {
    pub(super) fn new(data: &Dataset, ids: &AccountIds) -> Self {
        let budget = |id: i64| &data.budgets[(id - 1) as usize];
        let mut balances: HashMap<i64, i64> = HashMap::new();
        let mut allocated: HashMap<i64, i64> = HashMap::new();
        for (budget_id, _, _) in data.allocations() {
            let amount = budget(budget_id).four_weekly_allocation_pence;
            *allocated.entry(budget_id).or_default() += amount;
            *balances.entry(ids.available(budget_id)).or_default() += amount;
            *balances.entry(ids.funding()).or_default() -= amount;
        }
        let runs = data.payment_runs();
        let mut payments = vec![BTreeMap::new(); runs.len()];
        let mut spent: HashMap<i64, i64> = HashMap::new();
        let mut paid_for = HashSet::new();
        for (booking, visits) in data.care_year() {
            let total: i64 = visits.iter().map(|visit| cost(&booking, visit)).sum();
            let spent = spent.entry(booking.budget_id).or_default();
            if total == 0 || *spent + total > allocated.get(&booking.budget_id).copied().unwrap_or(0) {
                continue;
            }
            *spent += total;
            paid_for.insert(booking.id);
            let (available, committed) = (ids.available(booking.budget_id), ids.committed(booking.budget_id));
            for visit in &visits {
                let cost = cost(&booking, visit);
                *balances.entry(available).or_default() -= cost;
                match &visit.outcome {
                    Outcome::Missed => *balances.entry(available).or_default() += cost,
                    Outcome::Delivered { confirmed_at: Some(at), .. } => {
                        *balances.entry(ids.payable(booking.provider_id)).or_default() += cost;
                        if let Some(run) = runs.iter().position(|run| run > at) {
                            *payments[run].entry(booking.provider_id).or_default() += cost;
                        }
                    }
                    Outcome::Delivered { confirmed_at: None, .. } => *balances.entry(committed).or_default() += cost,
                }
            }
        }
        for (provider, amount) in payments.iter().flatten() {
            *balances.entry(ids.payable(*provider)).or_default() -= amount;
            *balances.entry(ids.paid(*provider)).or_default() += amount;
        }
        let mut recoveries = Vec::new();
        for recovery in data.recoveries() {
            let keep = surplus_keep(data, recovery.budget_id);
            let available = balances.get(&ids.available(recovery.budget_id)).copied().unwrap_or(0);
            if available <= keep {
                continue;
            }
            let recovered = (recovery.recovered == Some(true)).then_some(available - keep);
            if let Some(amount) = recovered {
                *balances.entry(ids.available(recovery.budget_id)).or_default() -= amount;
                *balances.entry(ids.funding()).or_default() += amount;
            }
            recoveries.push((recovery, available - keep, recovered));
        }
        Self { paid_for, balances, payments, recoveries }
    }

    /// Every visit of the bookings paid for, numbered from 1 in the order they are written.
    fn visits<'a>(&'a self, data: &'a Dataset) -> impl Iterator<Item = (i64, Booking, Visit)> + 'a {
        data.care_year()
            .filter(|(booking, _)| self.paid_for.contains(&booking.id))
            .flat_map(|(booking, visits)| visits.into_iter().map(move |visit| (booking.clone(), visit)))
            .zip(1..)
            .map(|((booking, visit), id)| (id, booking, visit))
    }
}

fn cost(booking: &Booking, visit: &Visit) -> i64 {
    visit_cost(booking.unit, booking.unit_price_pence, u32::try_from(visit.scheduled_minutes).unwrap_or(0))
}

/// Writes the year: visits, their money, the payment runs and the recoveries. The accounts
/// already hold `plan.balances`.
pub(super) async fn load(db: &impl ConnectionTrait, data: &Dataset, plan: &Plan, ids: &AccountIds, progress: Progress<'_>) -> AppResult<()> {
    let visits = plan.visits(data).map(|(id, booking, visit)| {
        let ends = |from: DateTime<Utc>| from + Duration::minutes(i64::from(visit.scheduled_minutes));
        let (status, checked_in, minutes, charged, confirmation, confirmed_at, query) = match &visit.outcome {
            Outcome::Missed => (VisitStatus::Missed, None, 0, 0, None, None, None),
            Outcome::Delivered { checked_in_at, confirmed_at, query } => {
                let confirmation = if confirmed_at.is_some() { VisitConfirmation::Confirmed } else { VisitConfirmation::Queried };
                (
                    VisitStatus::Delivered,
                    Some(*checked_in_at),
                    visit.scheduled_minutes,
                    cost(&booking, &visit),
                    Some(confirmation),
                    *confirmed_at,
                    query.clone(),
                )
            }
        };
        row![
            id,
            booking.id,
            booking.person_id,
            visit.scheduled_start,
            visit.scheduled_minutes,
            status,
            checked_in,
            checked_in.map(ends),
            Some(minutes),
            Some(charged),
            confirmation,
            confirmed_at,
            query.as_ref().map(|q| q.text),
            query.and_then(|q| q.answer)
        ]
    });
    insert(
        db,
        "visits",
        &[
            "id",
            "booking_id",
            "person_id",
            "scheduled_start",
            "scheduled_minutes",
            "status",
            "checked_in_at",
            "checked_out_at",
            "delivered_minutes",
            "charged_pence",
            "confirmation",
            "confirmed_at",
            "query_text",
            "answer_text",
        ],
        visits,
        progress,
    )
    .await?;
    // Set aside when booked; then settled to the provider, or released when missed.
    let money = plan.visits(data).flat_map(|(id, booking, visit)| {
        let cost = cost(&booking, &visit);
        let (available, committed) = (ids.available(booking.budget_id), ids.committed(booking.budget_id));
        let moved = |key: String, from: i64, to: i64, kind: &'static str, at: DateTime<Utc>| {
            row![key, from, to, cost, kind, booking.id, id, None::<String>, None::<i64>, at]
        };
        let booked_at = booking.confirmed_at.unwrap_or(booking.requested_at);
        let mut rows = vec![moved(format!("commit:visit:{id}"), available, committed, "commitment", booked_at)];
        match visit.outcome {
            Outcome::Missed => {
                let noticed = visit.scheduled_start + Duration::days(1);
                rows.push(moved(format!("release:visit:{id}"), committed, available, "release", noticed));
            }
            Outcome::Delivered { confirmed_at: Some(at), .. } => {
                rows.push(moved(format!("settle:visit:{id}"), committed, ids.payable(booking.provider_id), "settlement", at));
            }
            Outcome::Delivered { confirmed_at: None, .. } => {}
        }
        rows
    });
    insert(db, "ledger_transfers", TRANSFER_COLUMNS, money, progress).await?;

    let commissioner = data.users.iter().find(|user| user.role == "commissioner").map_or(1, |user| user.id);
    let runs = data.payment_runs();
    let references: Vec<String> = runs.iter().zip(1..).map(|(at, n): (&DateTime<Utc>, i64)| format!("PR-{}-SEED{n:02}", at.format("%Y%m%d"))).collect();
    insert(
        db,
        "payment_runs",
        &["id", "reference", "council_id", "total_pence", "provider_count", "run_by", "created_at"],
        runs.iter().zip(&plan.payments).zip(&references).zip(1_i64..).map(|(((at, paid), reference), id)| {
            let count = i32::try_from(paid.len()).unwrap_or(i32::MAX);
            row![id, reference.clone(), data.council.id, paid.values().sum::<i64>(), count, commissioner, *at]
        }),
        progress,
    )
    .await?;
    let payments = runs.iter().zip(&plan.payments).zip(&references).flat_map(|((at, paid), reference)| {
        paid.iter().map(move |(provider, amount)| {
            let key = format!("payment:{reference}:provider:{provider}");
            row![
                key,
                ids.payable(*provider),
                ids.paid(*provider),
                *amount,
                "payment",
                None::<i64>,
                None::<i64>,
                Some(reference.clone()),
                Some(commissioner),
                *at
            ]
        })
    });
    insert(db, "ledger_transfers", TRANSFER_COLUMNS, payments, progress).await?;

    let recoveries = plan.recoveries.iter().zip(1_i64..).map(|((recovery, surplus, recovered), id)| {
        let reply_by = recovery.proposed_at + Duration::days(REPLY_DAYS);
        let decided_at = recovery.recovered.map(|_| reply_by + Duration::hours(2));
        let status = match recovery.recovered {
            None => RecoveryStatus::Proposed,
            Some(true) => RecoveryStatus::Recovered,
            Some(false) => RecoveryStatus::Withdrawn,
        };
        row![
            id,
            recovery.reference.clone(),
            data.council.id,
            recovery.budget_id,
            surplus_keep(data, recovery.budget_id),
            *surplus,
            "The budget has held more than 8 weeks' worth for several months.",
            status,
            reply_by,
            recovery.reply,
            recovery.reply.map(|_| recovery.proposed_at + Duration::days(3)),
            *recovered,
            commissioner,
            decided_at.map(|_| commissioner),
            decided_at,
            recovery.proposed_at
        ]
    });
    insert(
        db,
        "recoveries",
        &[
            "id",
            "reference",
            "council_id",
            "budget_id",
            "keep_pence",
            "surplus_pence",
            "reason",
            "status",
            "reply_by",
            "reply_text",
            "replied_at",
            "recovered_pence",
            "proposed_by",
            "decided_by",
            "decided_at",
            "created_at",
        ],
        recoveries,
        progress,
    )
    .await?;
    let recovered = plan.recoveries.iter().zip(1_i64..).filter_map(|((recovery, _, recovered), id)| {
        let at = recovery.proposed_at + Duration::days(REPLY_DAYS) + Duration::hours(2);
        let available = ids.available(recovery.budget_id);
        Some(row![
            format!("recovery:{id}"),
            available,
            ids.funding(),
            (*recovered)?,
            "recovery",
            None::<i64>,
            None::<i64>,
            None::<String>,
            Some(commissioner),
            at
        ])
    });
    insert(db, "ledger_transfers", TRANSFER_COLUMNS, recovered, progress).await
}

const TRANSFER_COLUMNS: &[&str] =
    &["idempotency_key", "debit_account_id", "credit_account_id", "amount_pence", "kind", "booking_id", "visit_id", "payment_ref", "actor_id", "created_at"];

/// What a recovery leaves in the budget: 8 weeks' worth.
fn surplus_keep(data: &Dataset, budget_id: i64) -> i64 {
    let budget = &data.budgets[(budget_id - 1) as usize];
    2 * (budget.four_weekly_allocation_pence + budget.four_weekly_contribution_pence)
}
