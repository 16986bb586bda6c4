//! Commissioners open personal budgets: the person's account (they choose their own password
//! with a one-time code the council gives them), the budget's type, its 4-weekly allocation
//! and assessed contribution, and, for an individual service fund, the provider holding it
//! (which can be moved to another provider; unspent money stays with the person's budget).
//! The overview flags budgets holding more than 8 weeks' worth.
use super::auth::commissioners_council;
use super::budgets::{self, allocation_key, period_start};
use super::ledger::{self, Account, AccountKind, Transfer};
use super::values::{Email, NewPassword, Pence, collect, required_text, whole_number};
use super::{audit, auth, uk_time};
use crate::db::Db;
use crate::entities::{account_setup_code, budget, ledger_account, provider, session, user};
use crate::error::{AppError, AppResult};
use app::{BudgetHolderLine, BudgetType, BudgetsAdmin, BudgetsFilter, Funding, NewBudgetForm, NewHelperForm, ProviderStatus, Role, SetUpForm, SignedInUser};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

/// Budgets listed on a page of `/budgets`.
const BUDGETS_PER_PAGE: u64 = 50;
/// How long a set-up code works.
const CODE_DAYS: i64 = 14;
/// Wrong set-up codes allowed from one address in 15 minutes.
const SET_UP_ATTEMPTS: u64 = 20;
/// The most a 4-weekly allocation or contribution can be (a typo guard, not a policy).
const MOST_PER_FOUR_WEEKS: Pence = Pence::from_pence(2_000_000);
/// The range a care plan's shortest home care visit can be set in (the database checks it too).
const SHORTEST_VISIT_RANGE: (u32, u32) = (5, 240);

/// A page of the council's budgets (those the filter finds, oldest first), with their balances
/// and risk flags.
pub async fn overview(db: &impl ConnectionTrait, viewer: &SignedInUser, filter: &BudgetsFilter, now: DateTime<Utc>) -> AppResult<BudgetsAdmin> {
    let council = commissioners_council(viewer)?;
    let mut found = budget::Entity::find().filter(budget::Column::CouncilId.eq(council)).filter(budget::Column::Funding.eq(Funding::Council));
    if let Some(budget_id) = filter.budget {
        found = found.filter(budget::Column::Id.eq(budget_id));
    }
    let words = filter.find.trim().to_lowercase();
    if !words.is_empty() {
        // Words anywhere in the name or email, taken literally (no wildcards of the person's own).
        let pattern = format!("%{}%", words.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let like = |column: user::Column| Expr::expr(Func::lower(Expr::col((user::Entity, column)))).like(LikeExpr::new(pattern.clone()).escape('\\'));
        let holders = Query::select()
            .column(user::Column::Id)
            .from(user::Entity)
            .cond_where(Condition::any().add(like(user::Column::DisplayName)).add(like(user::Column::Email)))
            .to_owned();
        found = found.filter(budget::Column::HolderId.in_subquery(holders));
    }
    let count = found.clone().count(db).await?;
    let pages = u32::try_from(Ord::max(count.div_ceil(BUDGETS_PER_PAGE), 1)).unwrap_or(u32::MAX);
    let page = filter.page.unwrap_or(1).clamp(1, pages);
    let budgets = found.order_by_asc(budget::Column::Id).offset(u64::from(page - 1) * BUDGETS_PER_PAGE).limit(BUDGETS_PER_PAGE).all(db).await?;
    let holders = user::Entity::find().filter(user::Column::Id.is_in(budgets.iter().map(|b| b.holder_id))).all(db).await?;
    let accounts = ledger_account::Entity::find().filter(ledger_account::Column::BudgetId.is_in(budgets.iter().map(|b| b.id))).all(db).await?;
    let providers = provider::Entity::find()
        .filter(provider::Column::CouncilId.eq(council))
        .filter(provider::Column::Status.eq(ProviderStatus::Active))
        .order_by_asc(provider::Column::Name)
        .all(db)
        .await?;
    let balance = |budget_id: i64, kind: AccountKind| {
        accounts.iter().filter(|a| a.budget_id == Some(budget_id) && a.kind == kind.code()).map(|a| a.balance_pence).sum::<i64>()
    };
    let available = budgets.iter().map(|b| (b.id, balance(b.id, AccountKind::BudgetAvailable))).collect();
    let thresholds = super::risk_flags::thresholds(db, council).await?;
    let mut flags = super::risk_flags::flags(db, council, &budgets, &available, thresholds, now).await?;
    let holders = budgets
        .iter()
        .filter_map(|budget| {
            let holder = holders.iter().find(|h| h.id == budget.holder_id)?;
            let available_pence = balance(budget.id, AccountKind::BudgetAvailable);
            Some(BudgetHolderLine {
                budget_id: budget.id,
                name: holder.display_name.clone(),
                email: holder.email.clone(),
                budget_type: budget.budget_type,
                four_weekly_pence: budget.four_weekly_allocation_pence + budget.four_weekly_contribution_pence,
                available_pence,
                set_aside_pence: balance(budget.id, AccountKind::BudgetCommitted),
                surplus: budgets::is_surplus(budget, available_pence),
                flags: super::risk_flags::words(flags.remove(&budget.id)),
                fund_holder: budget.isf_provider_id.and_then(|id| providers.iter().find(|p| p.id == id)).map(|p| p.name.clone()),
                account_set_up: holder.password_hash != auth::NO_PASSWORD_YET,
                shortest_visit_minutes: budget.shortest_visit_minutes,
                ends_on: budget.ends_on.map(|day| day.to_string()),
                closed_on: budget.closed_at.map(|at| uk_time::long_date(uk_time::to_local(at).date())),
            })
        })
        .collect();
    Ok(BudgetsAdmin {
        holders,
        filter: filter.clone(),
        found: count,
        page,
        pages,
        thresholds: thresholds.fields().into_iter().map(|(field, label, _, value)| (field.to_string(), label.to_string(), value)).collect(),
        providers: providers.into_iter().map(|p| (p.public_id, p.name)).collect(),
    })
}

/// The checked form.
struct NewBudget {
    name: String,
    email: Email,
    budget_type: BudgetType,
    fund_holder: Option<i64>,
    allocation: i64,
    contribution: i64,
    starts_on: NaiveDate,
    shortest_visit: Option<i32>,
}

/// The care plan's shortest home care visit as typed; empty means the usual 30 minutes.
fn shortest_visit(field: &str, typed: &str) -> AppResult<Option<i32>> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    let (low, high) = SHORTEST_VISIT_RANGE;
    let minutes = whole_number(field, typed, "the care plan's shortest home care visit in minutes", low, high)?;
    Ok(i32::try_from(minutes).ok())
}

async fn check(db: &impl ConnectionTrait, council: i64, form: &NewBudgetForm, today: NaiveDate) -> AppResult<NewBudget> {
    let mut errors = Vec::new();
    let name = collect(&mut errors, required_text("name", &form.name, "the person's full name", 120));
    let email = if form.email.trim().is_empty() {
        errors.push(app::FieldError::new("email", "Enter the person's email address"));
        None
    } else {
        collect(&mut errors, Email::parse("email", &form.email))
    };
    if let Some(email) = &email
        && user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(db).await?.is_some()
    {
        errors.push(app::FieldError::new("email", "Someone already has an account with this email address"));
    }
    let budget_type =
        collect(&mut errors, BudgetType::from_code(&form.budget_type).ok_or_else(|| AppError::invalid("budget_type", "Choose the type of budget")));
    let fund_holder = match (budget_type, form.fund_holder.trim()) {
        (Some(BudgetType::IndividualServiceFund), "") => {
            collect(&mut errors, Err(AppError::invalid("fund_holder", "Choose the provider who will hold the fund")))
        }
        (Some(BudgetType::IndividualServiceFund), public_id) => {
            let found = provider::Entity::find()
                .filter(provider::Column::PublicId.eq(public_id))
                .filter(provider::Column::CouncilId.eq(council))
                .filter(provider::Column::Status.eq(ProviderStatus::Active))
                .one(db)
                .await?;
            collect(&mut errors, found.map(|p| p.id).ok_or_else(|| AppError::invalid("fund_holder", "Choose one of the providers listed")))
        }
        _ => None,
    };
    let allocation = collect(&mut errors, Pence::parse_price("allocation", &form.allocation, "the allocation for 4 weeks", MOST_PER_FOUR_WEEKS));
    let contribution = match form.contribution.trim() {
        "" | "0" | "0.00" => Some(Pence::from_pence(0)),
        typed => collect(&mut errors, Pence::parse_price("contribution", typed, "the person's contribution for 4 weeks", MOST_PER_FOUR_WEEKS)),
    };
    let starts_on = collect(
        &mut errors,
        NaiveDate::parse_from_str(form.starts_on.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::invalid("starts_on", "Enter the start date like 2026-12-01"))
            .and_then(|day| {
                if day < today - Duration::days(366) || day > today + Duration::days(366) {
                    Err(AppError::invalid("starts_on", "The start date must be within a year of today"))
                } else {
                    Ok(day)
                }
            }),
    );
    let shortest_visit = collect(&mut errors, shortest_visit("shortest_visit", &form.shortest_visit));
    match (name, email, budget_type, allocation, contribution, starts_on, shortest_visit) {
        (Some(name), Some(email), Some(budget_type), Some(allocation), Some(contribution), Some(starts_on), Some(shortest_visit)) if errors.is_empty() => {
            Ok(NewBudget {
                name,
                email,
                budget_type,
                fund_holder,
                allocation: allocation.pence(),
                contribution: contribution.pence(),
                starts_on,
                shortest_visit,
            })
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Opens the person's account and budget (paying this period's allocation if it has started)
/// and returns the one-time code they set up their account with.
pub async fn open_budget(db: &Db, viewer: &SignedInUser, form: &NewBudgetForm, now: DateTime<Utc>) -> AppResult<String> {
    let council = commissioners_council(viewer)?;
    let today = uk_time::to_local(now).date();
    let txn = crate::db::begin_write(db).await?;
    let new = check(&txn, council, form, today).await?;
    let new_user = super::accounts::NewUser { council_id: council, email: &new.email, name: &new.name, role: Role::BudgetHolder, provider_id: None };
    let person = super::accounts::insert_user(&txn, new_user, auth::NO_PASSWORD_YET.into(), now).await?.id;
    let budget_id = budget::Entity::insert(budget::ActiveModel {
        holder_id: Set(person),
        council_id: Set(council),
        budget_type: Set(new.budget_type),
        isf_provider_id: Set(new.fund_holder),
        four_weekly_allocation_pence: Set(new.allocation),
        four_weekly_contribution_pence: Set(new.contribution),
        funding: Set(Funding::Council.code().into()),
        starts_on: Set(new.starts_on),
        shortest_visit_minutes: Set(new.shortest_visit),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    if new.starts_on <= today {
        let first = Transfer::new(
            allocation_key(budget_id, period_start(new.starts_on, today)),
            Account::council_funding(council),
            Account::budget_available(council, budget_id),
            new.allocation,
            "allocation",
        )
        .by(Some(viewer.user_id));
        ledger::transfer(&txn, &first, now).await?;
    }
    let code = issue_set_up_code(&txn, person, Duration::days(CODE_DAYS), now).await?;
    let detail =
        serde_json::json!({ "budget": budget_id, "type": new.budget_type.code(), "allocation_pence": new.allocation, "contribution_pence": new.contribution });
    audit::record(&txn, now, Some(viewer.user_id), Some(person), "budget_opened", detail).await?;
    txn.commit().await?;
    Ok(code)
}

/// Opens an account for someone who helps budget holders (a support planner, a relative or a
/// friend) and returns its one-time set-up code, for the council to hand over. Nobody can act
/// for anyone with it until a budget holder asks them and they accept.
pub async fn open_helper_account(db: &Db, viewer: &SignedInUser, form: &NewHelperForm, now: DateTime<Utc>) -> AppResult<String> {
    let council = commissioners_council(viewer)?;
    let mut errors = Vec::new();
    let name = collect(&mut errors, required_text("helper_name", &form.name, "their full name", 120));
    let email = if form.email.trim().is_empty() {
        errors.push(app::FieldError::new("helper_email", "Enter their email address"));
        None
    } else {
        collect(&mut errors, Email::parse("helper_email", &form.email))
    };
    let (Some(name), Some(email)) = (name, email) else { return Err(AppError::Invalid(errors)) };
    let txn = crate::db::begin_write(db).await?;
    if user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&txn).await?.is_some() {
        return Err(AppError::invalid("helper_email", "Someone already has an account with this email address"));
    }
    let new_user = super::accounts::NewUser { council_id: council, email: &email, name: &name, role: Role::Planner, provider_id: None };
    let helper = super::accounts::insert_user(&txn, new_user, auth::NO_PASSWORD_YET.into(), now).await?;
    let code = issue_set_up_code(&txn, helper.id, Duration::days(CODE_DAYS), now).await?;
    audit::record(&txn, now, Some(viewer.user_id), Some(helper.id), "helper_account_opened", serde_json::json!({})).await?;
    txn.commit().await?;
    Ok(code)
}

/// A one-time code, usable for `lasting`, with which the person chooses the password of an
/// account someone else opened for them (14 days), or a new one when they have forgotten theirs
/// (an hour); only its digest is kept.
pub async fn issue_set_up_code(db: &impl ConnectionTrait, user_id: i64, lasting: Duration, now: DateTime<Utc>) -> AppResult<String> {
    let code = new_code()?;
    account_setup_code::Entity::insert(account_setup_code::ActiveModel {
        user_id: Set(user_id),
        code_hash: Set(auth::digest(&normalise_code(&code))),
        expires_at: Set(now + lasting),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(code)
}

/// "K7QX-3M9P-TR2W": easy to read out and type, no 0/O or 1/I.
fn new_code() -> AppResult<String> {
    auth::readable_code(3)
}

/// The code as typed, with spaces and dashes gone and in capitals.
fn normalise_code(typed: &str) -> String {
    typed.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// Moves an individual service fund to another provider; its money stays with the budget.
pub async fn move_fund(db: &Db, viewer: &SignedInUser, budget_id: i64, provider_public_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let council = commissioners_council(viewer)?;
    let txn = crate::db::begin_write(db).await?;
    let found = budget::Entity::find_by_id(budget_id).one(&txn).await?.filter(|b| b.council_id == council).ok_or(AppError::NotFound)?;
    if found.budget_type != BudgetType::IndividualServiceFund {
        return Err(AppError::invalid("", "Only an individual service fund is held by a provider"));
    }
    let to = provider::Entity::find()
        .filter(provider::Column::PublicId.eq(provider_public_id))
        .filter(provider::Column::CouncilId.eq(council))
        .filter(provider::Column::Status.eq(ProviderStatus::Active))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::invalid("", "Choose one of the providers listed"))?;
    if found.isf_provider_id == Some(to.id) {
        return Err(AppError::invalid("", format!("{} already holds this fund", to.name)));
    }
    let (holder, from) = (found.holder_id, found.isf_provider_id);
    let mut row: budget::ActiveModel = found.into();
    row.isf_provider_id = Set(Some(to.id));
    row.update(&txn).await?;
    audit::record(&txn, now, Some(viewer.user_id), Some(holder), "fund_moved", serde_json::json!({ "budget": budget_id, "from": from, "to": to.id })).await?;
    txn.commit().await?;
    Ok(())
}

/// Records the care plan's shortest home care visit for a budget of the council (empty: the
/// usual 30 minutes). Bookings made from now on follow it.
pub async fn set_shortest_visit(db: &Db, viewer: &SignedInUser, budget_id: i64, typed: &str, now: DateTime<Utc>) -> AppResult<()> {
    let council = commissioners_council(viewer)?;
    // The error names no field: the form is one of many on the page, one per budget.
    let minutes = shortest_visit("", typed)?;
    let txn = crate::db::begin_write(db).await?;
    let found = budget::Entity::find_by_id(budget_id)
        .one(&txn)
        .await?
        .filter(|b| b.council_id == council && b.funding() == Funding::Council)
        .ok_or(AppError::NotFound)?;
    let (holder, before) = (found.holder_id, found.shortest_visit_minutes);
    let mut row: budget::ActiveModel = found.into();
    row.shortest_visit_minutes = Set(minutes);
    row.update(&txn).await?;
    audit::record(
        &txn,
        now,
        Some(viewer.user_id),
        Some(holder),
        "shortest_visit_set",
        serde_json::json!({ "budget": budget_id, "from": before, "to": minutes }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The person sets their password with the council's code; returns their account, to sign in.
/// The code is checked before the password is hashed, and attempts from one address are
/// limited, so wrong codes cost the server nothing much.
pub async fn set_up_account(db: &Db, passwords: &auth::Passwords, form: &SetUpForm, client_address: &str, now: DateTime<Utc>) -> AppResult<user::Model> {
    let refused = || AppError::invalid("code", "The email address or the code is not right, or the code has run out: check them, or ask for a new code");
    let mut errors = Vec::new();
    let email = collect(&mut errors, Email::parse("email", &form.email));
    let password = collect(&mut errors, NewPassword::parse("password", &form.password));
    if normalise_code(&form.code).is_empty() {
        errors.push(app::FieldError::new("code", "Enter the code you were given"));
    }
    let (Some(email), Some(password)) = (email, password) else { return Err(AppError::Invalid(errors)) };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    // By address only: a stranger's wrong guesses must not stop the person setting up.
    let limits = [(auth::Throttle::Address, SET_UP_ATTEMPTS, 15)];
    let attempt = auth::reserve_hashing(db, "set-up", email.as_str(), client_address, &limits, now).await?;
    let code_hash = auth::digest(&normalise_code(&form.code));
    let usable_code = |person_id: i64| {
        account_setup_code::Entity::find()
            .filter(account_setup_code::Column::UserId.eq(person_id))
            .filter(account_setup_code::Column::CodeHash.eq(code_hash.as_str()))
            .filter(account_setup_code::Column::UsedAt.is_null())
            .filter(account_setup_code::Column::ExpiresAt.gt(now))
    };
    let person = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(db).await?.ok_or_else(refused)?;
    usable_code(person.id).one(db).await?.ok_or_else(refused)?;
    attempt.succeeded(db).await?;
    let hash = passwords.hash(password.expose().to_string()).await?;
    let txn = crate::db::begin_write(db).await?;
    let code = usable_code(person.id).one(&txn).await?.ok_or_else(refused)?;
    // Marked used only if still unused: the same code sent twice at once sets up the account once.
    let marked = account_setup_code::Entity::update_many()
        .col_expr(account_setup_code::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(account_setup_code::Column::Id.eq(code.id))
        .filter(account_setup_code::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if marked.rows_affected != 1 {
        return Err(refused());
    }
    let confirmed = person.email_confirmed_at.is_some();
    let mut account: user::ActiveModel = person.into();
    account.password_hash = Set(hash);
    // A code that came by email proves the address.
    if !confirmed {
        account.email_confirmed_at = Set(Some(now));
    }
    let person = account.update(&txn).await?;
    // A new password ends every sign-in made with the old one (the person is signed in afresh).
    session::Entity::delete_many().filter(session::Column::UserId.eq(person.id)).exec(&txn).await?;
    audit::record(&txn, now, Some(person.id), Some(person.id), "account_set_up", serde_json::json!({})).await?;
    txn.commit().await?;
    Ok(person)
}
