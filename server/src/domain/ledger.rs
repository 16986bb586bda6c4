//! The double-entry ledger every movement of money goes through. A transfer moves a positive
//! number of pence from one account (debit) to another (credit) and carries a unique
//! idempotency key, so an operation retried after a crash or a double click never moves money
//! twice. An account's balance is its credits minus its debits, kept in the same transaction
//! as each transfer, so the sum over all accounts is always zero. A person's budget accounts
//! never go below zero: the debit is a guarded update that moves nothing when the money is not
//! there, and the database's CHECK refuses it as well.
//!
//! Every function here runs inside the caller's transaction, which must be a write
//! transaction (`crate::db::begin_write`): on SQLite that serialises writers; on PostgreSQL the
//! guarded update waits for any other transaction holding the row and re-checks the balance.
use crate::entities::{budget, ledger_account, ledger_transfer};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, LockType};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryTrait, Select, Statement, TryInsertResult};

/// The kinds of account (the `kind` column); the two budget kinds may never go negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    BudgetAvailable,
    BudgetCommitted,
    CouncilFunding,
    ProviderPayable,
    ProviderPaid,
    CardClearing,
    Contributions,
}

impl AccountKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::BudgetAvailable => "budget_available",
            Self::BudgetCommitted => "budget_committed",
            Self::CouncilFunding => "council_funding",
            Self::ProviderPayable => "provider_payable",
            Self::ProviderPaid => "provider_paid",
            Self::CardClearing => "card_clearing",
            Self::Contributions => "contributions",
        }
    }

    /// The kind a stored code names.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::BudgetAvailable, Self::BudgetCommitted, Self::CouncilFunding, Self::ProviderPayable, Self::ProviderPaid, Self::CardClearing, Self::Contributions]
            .into_iter()
            .find(|kind| kind.code() == code)
    }

    /// Accounts a transfer may not overdraw: a person's budget, and what a provider is owed
    /// (paying it twice would take it below zero).
    fn never_negative(self) -> bool {
        matches!(self, Self::BudgetAvailable | Self::BudgetCommitted | Self::ProviderPayable)
    }
}

/// One account, named by its unique code; opened the first time money moves through it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub code: String,
    pub kind: AccountKind,
    pub council_id: i64,
    pub budget_id: Option<i64>,
    pub provider_id: Option<i64>,
    /// Its id, when it was read already: a transfer then need not look it up.
    pub id: Option<i64>,
}

impl Account {
    fn new(code: String, kind: AccountKind, council_id: i64, budget_id: Option<i64>, provider_id: Option<i64>) -> Self {
        Self { code, kind, council_id, budget_id, provider_id, id: None }
    }

    /// The money in a personal budget that is free to spend.
    pub fn budget_available(council_id: i64, budget_id: i64) -> Self {
        Self::new(format!("budget:{budget_id}:available"), AccountKind::BudgetAvailable, council_id, Some(budget_id), None)
    }

    /// The money in a personal budget set aside for confirmed bookings.
    pub fn budget_committed(council_id: i64, budget_id: i64) -> Self {
        Self::new(format!("budget:{budget_id}:committed"), AccountKind::BudgetCommitted, council_id, Some(budget_id), None)
    }

    /// Where the council's allocations come from (it runs below zero by what it has paid in).
    pub fn council_funding(council_id: i64) -> Self {
        Self::new(format!("council:{council_id}:funding"), AccountKind::CouncilFunding, council_id, None, None)
    }

    /// What this council owes a provider for care delivered. One per council and provider:
    /// a provider working for two councils is owed, and paid, by each for its own care.
    pub fn provider_payable(council_id: i64, provider_id: i64) -> Self {
        Self::new(format!("council:{council_id}:provider:{provider_id}:payable"), AccountKind::ProviderPayable, council_id, None, Some(provider_id))
    }

    /// What this council has paid a provider.
    pub fn provider_paid(council_id: i64, provider_id: i64) -> Self {
        Self::new(format!("council:{council_id}:provider:{provider_id}:paid"), AccountKind::ProviderPaid, council_id, None, Some(provider_id))
    }

    /// Card payments on their way from Stripe.
    pub fn card_clearing(council_id: i64) -> Self {
        Self::new(format!("council:{council_id}:card_clearing"), AccountKind::CardClearing, council_id, None, None)
    }

    /// People's own contributions paid other than by card.
    pub fn contributions(council_id: i64) -> Self {
        Self::new(format!("council:{council_id}:contributions"), AccountKind::Contributions, council_id, None, None)
    }
}

/// A person's budget accounts, read with the budget (see [`budget_with_accounts`]).
#[derive(Debug, Clone)]
pub struct BudgetAccounts {
    pub available: Account,
    pub committed: Account,
    /// What the budget had free to spend when it was read.
    pub available_pence: i64,
}

/// The budget `query` finds, with its accounts in the same query: their ids (so transfers
/// between them need not look them up) and what is free to spend. A budget no money has
/// moved through yet has no accounts: it has nothing to spend, and its first transfer opens them.
/// With `lock_budget`, the budget's row stays locked until the transaction ends (PostgreSQL;
/// SQLite has one writer at a time already).
pub async fn budget_with_accounts(
    db: &impl ConnectionTrait,
    query: Select<budget::Entity>,
    lock_budget: bool,
) -> AppResult<Option<(budget::Model, BudgetAccounts)>> {
    let mut query = query.find_with_related(ledger_account::Entity);
    if lock_budget {
        // The budget's row only: its accounts are the nullable side of the join.
        QueryTrait::query(&mut query).lock_with_tables(LockType::Update, [budget::Entity]);
    }
    let Some((budget, read)) = query.all(db).await?.into_iter().next() else {
        return Ok(None);
    };
    let as_read = |mut account: Account| {
        let found = read.iter().find(|a| a.code == account.code);
        account.id = found.map(|a| a.id);
        (account, found.map_or(0, |a| a.balance_pence))
    };
    let (available, available_pence) = as_read(Account::budget_available(budget.council_id, budget.id));
    let (committed, _) = as_read(Account::budget_committed(budget.council_id, budget.id));
    Ok(Some((budget, BudgetAccounts { available, committed, available_pence })))
}

/// One movement of money, as an operation asks for it.
#[derive(Debug, Clone)]
pub struct Transfer {
    /// Unique for the operation: the same operation retried gives the same key.
    pub key: String,
    pub from: Account,
    pub to: Account,
    pub amount_pence: i64,
    /// What moved the money ("allocation", "commitment", "settlement", ...).
    pub kind: &'static str,
    pub booking_id: Option<i64>,
    pub visit_id: Option<i64>,
    pub payment_ref: Option<String>,
    pub actor_id: Option<i64>,
}

impl Transfer {
    pub fn new(key: impl Into<String>, from: Account, to: Account, amount_pence: i64, kind: &'static str) -> Self {
        Self { key: key.into(), from, to, amount_pence, kind, booking_id: None, visit_id: None, payment_ref: None, actor_id: None }
    }

    pub fn for_booking(mut self, booking_id: i64) -> Self {
        self.booking_id = Some(booking_id);
        self
    }

    pub fn for_visit(mut self, visit_id: i64) -> Self {
        self.visit_id = Some(visit_id);
        self
    }

    pub fn by(mut self, actor_id: Option<i64>) -> Self {
        self.actor_id = actor_id;
        self
    }

    pub fn paid_with(mut self, payment_ref: impl Into<String>) -> Self {
        self.payment_ref = Some(payment_ref.into());
        self
    }
}

/// What a transfer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    Now,
    /// A transfer with this key was made before: nothing moved this time.
    Already,
}

/// Moves the money, once per key. Refused with `AppError::ShortOfMoney`, moving nothing, when
/// the debit is an account that may not be overdrawn and holds less than the amount.
pub async fn transfer(db: &impl ConnectionTrait, transfer: &Transfer, now: DateTime<Utc>) -> AppResult<Moved> {
    if transfer.amount_pence <= 0 {
        return Err(AppError::internal(format!("transfer {} of {} pence: amounts are positive", transfer.key, transfer.amount_pence)));
    }
    let (debit, credit) = open_both(db, &transfer.from, &transfer.to).await?;
    // The key first: a second transfer with it waits here for the first to commit, then does nothing.
    let recorded = ledger_transfer::Entity::insert(ledger_transfer::ActiveModel {
        idempotency_key: Set(transfer.key.clone()),
        debit_account_id: Set(debit),
        credit_account_id: Set(credit),
        amount_pence: Set(transfer.amount_pence),
        kind: Set(transfer.kind.to_string()),
        booking_id: Set(transfer.booking_id),
        visit_id: Set(transfer.visit_id),
        payment_ref: Set(transfer.payment_ref.clone()),
        actor_id: Set(transfer.actor_id),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([ledger_transfer::Column::IdempotencyKey])
    .exec(db)
    .await?;
    if matches!(recorded, TryInsertResult::Conflicted) {
        return Ok(Moved::Already);
    }
    // Both balances in one statement (PostgreSQL locks the two rows in index order, so two
    // transfers between the same accounts in opposite directions cannot deadlock). A guarded
    // debit only happens if the money is there; if it is not, the credit (which the statement
    // may already have made) and the transfer's row are taken back before refusing, so the
    // caller's transaction holds nothing of it even if the caller carries on.
    let amount = transfer.amount_pence;
    let guard = if transfer.from.kind.never_negative() {
        Expr::col(ledger_account::Column::Id).ne(debit).or(Expr::col(ledger_account::Column::BalancePence).gte(amount))
    } else {
        Expr::value(true)
    };
    let changed = ledger_account::Entity::update_many()
        .col_expr(
            ledger_account::Column::BalancePence,
            Expr::col(ledger_account::Column::BalancePence).add(Expr::case(Expr::col(ledger_account::Column::Id).eq(debit), -amount).finally(amount)),
        )
        .filter(ledger_account::Column::Id.is_in([debit, credit]))
        .filter(guard)
        .exec(db)
        .await?;
    if changed.rows_affected != 2 {
        if changed.rows_affected == 1 {
            ledger_account::Entity::update_many()
                .col_expr(ledger_account::Column::BalancePence, Expr::col(ledger_account::Column::BalancePence).sub(amount))
                .filter(ledger_account::Column::Id.eq(credit))
                .exec(db)
                .await?;
        }
        ledger_transfer::Entity::delete_many().filter(ledger_transfer::Column::IdempotencyKey.eq(transfer.key.as_str())).exec(db).await?;
        let available_pence = balance_of(db, debit).await?;
        return Err(AppError::ShortOfMoney { available_pence });
    }
    super::reports::days::add_transfer(db, transfer, now).await?;
    Ok(Moved::Now)
}

/// Both accounts' ids, read together (the usual case: both already open) unless already known.
async fn open_both(db: &impl ConnectionTrait, from: &Account, to: &Account) -> AppResult<(i64, i64)> {
    if let (Some(from_id), Some(to_id)) = (from.id, to.id) {
        return Ok((from_id, to_id));
    }
    let found = ledger_account::Entity::find().filter(ledger_account::Column::Code.is_in([from.code.as_str(), to.code.as_str()])).all(db).await?;
    let id_of = |account: &Account| found.iter().find(|a| a.code == account.code).map(|a| a.id);
    let from_id = match id_of(from) {
        Some(id) => id,
        None => open(db, from).await?,
    };
    let to_id = match id_of(to) {
        Some(id) => id,
        None => open(db, to).await?,
    };
    Ok((from_id, to_id))
}

/// The account's id, opening it if this is the first money through it.
async fn open(db: &impl ConnectionTrait, account: &Account) -> AppResult<i64> {
    let find = || ledger_account::Entity::find().filter(ledger_account::Column::Code.eq(account.code.as_str())).one(db);
    if let Some(found) = find().await? {
        return Ok(found.id);
    }
    ledger_account::Entity::insert(ledger_account::ActiveModel {
        code: Set(account.code.clone()),
        kind: Set(account.kind.code().to_string()),
        council_id: Set(account.council_id),
        budget_id: Set(account.budget_id),
        provider_id: Set(account.provider_id),
        balance_pence: Set(0),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([ledger_account::Column::Code])
    .exec(db)
    .await?;
    Ok(find().await?.ok_or_else(|| AppError::internal(format!("ledger account {} was not opened", account.code)))?.id)
}

async fn balance_of(db: &impl ConnectionTrait, account_id: i64) -> AppResult<i64> {
    Ok(ledger_account::Entity::find_by_id(account_id).one(db).await?.map_or(0, |account| account.balance_pence))
}

/// The balance of an account by its code (zero if no money has moved through it yet).
pub async fn balance(db: &impl ConnectionTrait, account: &Account) -> AppResult<i64> {
    let found = ledger_account::Entity::find().filter(ledger_account::Column::Code.eq(account.code.as_str())).one(db).await?;
    Ok(found.map_or(0, |account| account.balance_pence))
}

/// What the whole ledger looks like against its rules; `is_sound` when all hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Soundness {
    pub sum_of_balances: i64,
    /// Accounts whose balance is not their credits minus their debits.
    pub balances_not_matching_entries: u64,
    pub negative_budget_accounts: u64,
    /// Days of the reports' totals (`reports::days`) not what the transfers and visits add up to.
    pub report_days_not_matching: u64,
}

impl Soundness {
    pub fn is_sound(&self) -> bool {
        *self == Self { sum_of_balances: 0, balances_not_matching_entries: 0, negative_budget_accounts: 0, report_days_not_matching: 0 }
    }
}

/// Checks the ledger's rules over every account (for tests and `caremarket ledger-check`).
pub async fn soundness(db: &impl ConnectionTrait) -> AppResult<Soundness> {
    #[derive(FromQueryResult)]
    struct Row {
        sum_of_balances: i64,
        not_matching: i64,
        negative: i64,
    }
    // Each account's entries are summed in one pass over the transfers (not a look-up per
    // account, which PostgreSQL without fresh statistics did as a scan per account: minutes on
    // the bench data set).
    let sql = "SELECT \
        CAST(COALESCE((SELECT SUM(balance_pence) FROM ledger_accounts), 0) AS BIGINT) AS sum_of_balances, \
        (SELECT COUNT(*) FROM ledger_accounts a LEFT JOIN ( \
            SELECT account_id, SUM(amount) AS net FROM ( \
                SELECT credit_account_id AS account_id, amount_pence AS amount FROM ledger_transfers \
                UNION ALL SELECT debit_account_id, -amount_pence FROM ledger_transfers \
            ) AS entries GROUP BY account_id \
         ) AS e ON e.account_id = a.id WHERE a.balance_pence <> COALESCE(e.net, 0)) AS not_matching, \
        (SELECT COUNT(*) FROM ledger_accounts WHERE kind IN ('budget_available', 'budget_committed') AND balance_pence < 0) AS negative";
    let row = Row::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("the ledger check returned nothing"))?;
    Ok(Soundness {
        sum_of_balances: row.sum_of_balances,
        balances_not_matching_entries: u64::try_from(row.not_matching).unwrap_or(u64::MAX),
        negative_budget_accounts: u64::try_from(row.negative).unwrap_or(u64::MAX),
        report_days_not_matching: super::reports::days::mismatches(db).await?,
    })
}
