//! The council's finance system: for a period, every payment to providers, allocation to
//! personal budgets and recovery from them, as lines it can import (date, cost centre and account
//! code for the kind of movement, amount, reference, and the provider's supplier number), with
//! the codes and supplier numbers the council sets here.
use super::auth::commissioners_council;
use super::uk_time;
use super::values::required_text;
use crate::db::Db;
use crate::entities::{finance_code, provider};
use crate::error::{AppError, AppResult};
use app::{FINANCE_KINDS, FieldError, FinanceCodesForm, FinanceSettings, SignedInUser};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// The longest code or supplier number.
const MOST: usize = 40;

pub async fn settings(db: &impl ConnectionTrait, viewer: &SignedInUser) -> AppResult<FinanceSettings> {
    let council = commissioners_council(viewer)?;
    let codes = finance_code::Entity::find().filter(finance_code::Column::CouncilId.eq(council)).all(db).await?;
    let providers = provider::Entity::find().filter(provider::Column::CouncilId.eq(council)).order_by_asc(provider::Column::Name).all(db).await?;
    Ok(FinanceSettings {
        codes: FINANCE_KINDS
            .iter()
            .map(|(kind, _)| {
                let found = codes.iter().find(|code| code.kind == *kind);
                (kind.to_string(), found.map(|c| c.cost_centre.clone()).unwrap_or_default(), found.map(|c| c.account_code.clone()).unwrap_or_default())
            })
            .collect(),
        providers: providers.into_iter().map(|p| (p.public_id, p.name, p.supplier_number.unwrap_or_default())).collect(),
    })
}

/// A code as finance systems take them: letters, digits, spaces, `-`, `/`, `.`.
fn code(field: &str, typed: &str, what: &str) -> Result<String, AppError> {
    let text = required_text(field, typed, what, MOST)?;
    if text.chars().all(|c| c.is_ascii_alphanumeric() || " -/.".contains(c)) {
        Ok(text)
    } else {
        Err(AppError::invalid(field, format!("Enter {what} in letters, numbers, spaces, hyphens, slashes or full stops")))
    }
}

/// Saves every kind's cost centre and account code (all are needed).
pub async fn set_codes(db: &Db, viewer: &SignedInUser, form: &FinanceCodesForm, now: DateTime<Utc>) -> AppResult<()> {
    let council = commissioners_council(viewer)?;
    let mut errors: Vec<FieldError> = Vec::new();
    let mut rows = Vec::new();
    for (kind, label) in FINANCE_KINDS {
        let typed = |part: &str| form.get(&format!("{kind}_{part}")).cloned().unwrap_or_default();
        let label = label.to_lowercase();
        let cost_centre = code(&format!("{kind}_cost_centre"), &typed("cost_centre"), &format!("the cost centre for {label}"));
        let account = code(&format!("{kind}_account_code"), &typed("account_code"), &format!("the account code for {label}"));
        match (cost_centre, account) {
            (Ok(cost_centre), Ok(account_code)) => rows.push(finance_code::ActiveModel {
                council_id: Set(council),
                kind: Set(kind.into()),
                cost_centre: Set(cost_centre),
                account_code: Set(account_code),
                ..Default::default()
            }),
            (first, second) => {
                for error in [first.err(), second.err()].into_iter().flatten() {
                    if let AppError::Invalid(mut found) = error {
                        errors.append(&mut found);
                    }
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let txn = crate::db::begin_write(db).await?;
    finance_code::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([finance_code::Column::CouncilId, finance_code::Column::Kind])
                .update_columns([finance_code::Column::CostCentre, finance_code::Column::AccountCode])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    super::audit::record(&txn, now, Some(viewer.user_id), None, "finance_codes_set", serde_json::json!(form)).await?;
    txn.commit().await?;
    Ok(())
}

/// Sets (or, empty, clears) one of the council's providers' supplier number.
pub async fn set_supplier_number(db: &Db, viewer: &SignedInUser, provider_public_id: &str, number: &str, now: DateTime<Utc>) -> AppResult<()> {
    let council = commissioners_council(viewer)?;
    let number = match number.trim() {
        "" => None,
        typed => Some(code("supplier_number", typed, "the supplier number")?),
    };
    let txn = crate::db::begin_write(db).await?;
    let found = provider::Entity::find()
        .filter(provider::Column::PublicId.eq(provider_public_id))
        .filter(provider::Column::CouncilId.eq(council))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    provider::Entity::update_many()
        .col_expr(provider::Column::SupplierNumber, sea_orm::sea_query::Expr::value(number.clone()))
        .filter(provider::Column::Id.eq(found.id))
        .exec(&txn)
        .await?;
    super::audit::record(&txn, now, Some(viewer.user_id), None, "supplier_number_set", serde_json::json!({ "provider": found.id, "number": number })).await?;
    txn.commit().await?;
    Ok(())
}

/// One line of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportLine {
    pub date: NaiveDate,
    pub kind: &'static str,
    pub cost_centre: String,
    pub account_code: String,
    pub amount_pence: i64,
    pub reference: String,
    pub supplier_number: String,
    pub payee: String,
}

/// Every payment to providers, allocation and recovery of the council's in `from`..=`to` (UK
/// dates), oldest first. Refused until every kind has its codes.
pub async fn export(db: &impl ConnectionTrait, viewer: &SignedInUser, from: &str, to: &str) -> AppResult<Vec<ExportLine>> {
    let council = commissioners_council(viewer)?;
    let (from, to) = (uk_time::parse_date("from", from, "the first day")?, uk_time::parse_date("to", to, "the last day")?);
    if to < from {
        return Err(AppError::invalid("to", "The end of the period must not be before its start"));
    }
    let codes = finance_code::Entity::find().filter(finance_code::Column::CouncilId.eq(council)).all(db).await?;
    if codes.len() < FINANCE_KINDS.len() {
        return Err(AppError::invalid("", "Set the cost centre and account code for each kind of money first"));
    }
    let start = uk_time::to_utc(from.and_hms_opt(0, 0, 0).unwrap_or_default());
    let end = uk_time::to_utc(to.succ_opt().unwrap_or(to).and_hms_opt(0, 0, 0).unwrap_or_default());
    // Payments: payable to paid; allocations: council funding into a budget; recoveries: back.
    let sql = "SELECT t.created_at, t.kind, t.amount_pence, t.idempotency_key, t.payment_ref, p.supplier_number, p.name AS provider, \
                      COALESCE(c.budget_id, d.budget_id) AS budget_id \
               FROM ledger_transfers t JOIN ledger_accounts c ON c.id = t.credit_account_id JOIN ledger_accounts d ON d.id = t.debit_account_id \
               LEFT JOIN providers p ON p.id = c.provider_id \
               WHERE c.council_id = ? AND t.created_at >= ? AND t.created_at < ? AND ( \
                   (t.kind = 'payment' AND c.kind = 'provider_paid') \
                OR (t.kind = 'allocation' AND d.kind = 'council_funding' AND c.kind = 'budget_available') \
                OR (t.kind = 'recovery' AND c.kind = 'council_funding')) \
               ORDER BY t.created_at, t.id";
    let rows = super::reports::rows(db, sql, vec![council.into(), start.into(), end.into()]).await?;
    let mut lines = Vec::new();
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        let Some((kind, _)) = FINANCE_KINDS.iter().find(|(k, _)| *k == kind) else { continue };
        let code = codes.iter().find(|c| c.kind == *kind);
        let at: DateTime<Utc> = row.try_get("", "created_at")?;
        let budget: Option<i64> = row.try_get("", "budget_id")?;
        let key: String = row.try_get("", "idempotency_key")?;
        let payment_ref: Option<String> = row.try_get("", "payment_ref")?;
        lines.push(ExportLine {
            date: uk_time::to_local(at).date(),
            kind,
            cost_centre: code.map(|c| c.cost_centre.clone()).unwrap_or_default(),
            account_code: code.map(|c| c.account_code.clone()).unwrap_or_default(),
            amount_pence: row.try_get("", "amount_pence")?,
            reference: payment_ref.unwrap_or(key),
            supplier_number: row.try_get::<Option<String>>("", "supplier_number")?.unwrap_or_default(),
            payee: match (row.try_get::<Option<String>>("", "provider")?, budget) {
                (Some(provider), _) => provider,
                (None, Some(budget)) => format!("Personal budget {budget}"),
                (None, None) => String::new(),
            },
        });
    }
    Ok(lines)
}
