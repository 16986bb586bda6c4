//! Creating accounts. Providers register their own organisation, and people who pay for their
//! own care (self-funders) open an account, which opens when they follow the link mailed to
//! its address; budget holders and planners are created by the council (see the budgets work).
use super::values::{Email, NewPassword, PhoneNumber, RegulatorId, collect, required_text};
use super::{audit, auth};
use crate::db::Db;
use crate::entities::{budget, council, pending_registration, provider, user};
use crate::error::{AppError, AppResult};
use app::{BudgetType, FieldError, Funding, ProviderRegistration, ProviderStatus, Role, SelfFunderRegistration};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, SqlErr};

/// A person's account about to be created, every field checked. Its address is taken as
/// confirmed: the council entered it, or the person followed a link mailed to it.
pub struct NewUser<'a> {
    pub council_id: i64,
    pub email: &'a Email,
    pub name: &'a str,
    pub role: Role,
    pub provider_id: Option<i64>,
}

/// Creates a person's account (`password_hash` may be `auth::NO_PASSWORD_YET`).
pub async fn insert_user(db: &impl ConnectionTrait, new: NewUser<'_>, password_hash: String, now: DateTime<Utc>) -> AppResult<user::Model> {
    let person = user::Entity::insert(user::ActiveModel {
        council_id: Set(new.council_id),
        email: Set(new.email.as_str().into()),
        display_name: Set(new.name.into()),
        password_hash: Set(password_hash),
        role: Set(new.role.code().into()),
        provider_id: Set(new.provider_id),
        disabled_at: Set(None),
        created_at: Set(now),
        email_confirmed_at: Set(Some(now)),
        ..Default::default()
    })
    .exec_with_returning(db)
    .await?;
    Ok(person)
}

/// How long the link that opens a registered account works.
pub const OPEN_LINK_DAYS: i64 = 7;

/// Registrations (each ends in hashing a password): from one client, and for one address, in an hour.
const REGISTRATION_LIMITS: [(auth::Throttle, u64, i64); 2] = [(auth::Throttle::Address, 10, 60), (auth::Throttle::Account, 3, 60)];

/// Registering answers "check your email" whether or not the address is taken, and costs the
/// same either way (one password hashed), so the form tells nobody who has an account. A new
/// address is mailed a link that opens the account (`open_account`); the owner of a taken one
/// is told that someone tried. `asked` holds what was typed, except the address and password.
async fn ask_to_open(
    db: &Db,
    passwords: &auth::Passwords,
    email: &Email,
    password: &NewPassword,
    mut asked: pending_registration::ActiveModel,
    client_address: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    auth::reserve_hashing(db, "register", email.as_str(), client_address, &REGISTRATION_LIMITS, now).await?;
    // Hashed even for a taken address, which does not need it: both answers take as long.
    let hash = passwords.hash(password.expose().to_string()).await?;
    let token = auth::random_token()?;
    let txn = crate::db::begin_write(db).await?;
    if let Some(owner) = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&txn).await? {
        let letter = super::mail::Letter {
            key: format!("registration-tried:{}:{}", owner.id, auth::digest(&token)),
            subject: "Someone tried to open a CareMarket account with your email address",
            body: "Someone tried to open a new CareMarket account with this email address, which already has one. If it was \
                   you, sign in instead; if you have forgotten your password, you can choose a new one from the sign-in page. \
                   If it was not you, you need not do anything: your account has not changed.",
            link_path: "/sign-in",
            link_text: "Sign in to CareMarket",
        };
        super::mail::queue_account_message(&txn, &owner, letter, now).await?;
    } else {
        asked.token_hash = Set(auth::digest(&token));
        asked.email = Set(email.as_str().into());
        asked.password_hash = Set(hash);
        asked.expires_at = Set(now + chrono::Duration::days(OPEN_LINK_DAYS));
        asked.used_at = Set(None);
        asked.created_at = Set(now);
        pending_registration::Entity::insert(asked).exec_without_returning(&txn).await?;
        let letter = super::mail::Letter {
            key: format!("open-account:{}", auth::digest(&token)),
            subject: "Confirm your email address to open your CareMarket account",
            body: "Someone, we hope you, asked to open a CareMarket account with this email address. Confirm it, and your \
                   account opens. The link works for 7 days. If it was not you, you need not do anything: no account is \
                   opened without this link.",
            link_path: &format!("/account/confirm-email?token={token}"),
            link_text: "Confirm your address and open your account",
        };
        super::mail::queue_to_address(&txn, None, email.as_str(), letter, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Tries at opening an account from its link, from one client in an hour (each checks a password).
const OPENING_LIMITS: [(auth::Throttle, u64, i64); 1] = [(auth::Throttle::Address, 20, 60)];

/// Opens the account a registration asked for when the link mailed to its address is followed
/// and the password chosen at registration is given again (so nobody can get an account opened,
/// with a password of their own choosing, at someone else's address): once, within its time, and
/// only while nobody has an account at that address.
pub async fn open_account(
    db: &Db,
    passwords: &auth::Passwords,
    token: &str,
    password: &str,
    client_address: &str,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let refused =
        || AppError::invalid("token", "This link has run out or has been used already. Register again for a new link, or sign in if your account is open");
    let digest = auth::digest(token.trim());
    let unused = || {
        pending_registration::Entity::find()
            .filter(pending_registration::Column::TokenHash.eq(digest.as_str()))
            .filter(pending_registration::Column::UsedAt.is_null())
            .filter(pending_registration::Column::ExpiresAt.gt(now))
    };
    let asked = unused().one(db).await?.ok_or_else(refused)?;
    auth::reserve_hashing(db, "open-account", &asked.email, client_address, &OPENING_LIMITS, now).await?;
    if !passwords.verify(password.to_string(), Some(asked.password_hash.clone())).await? {
        return Err(AppError::invalid("password", "Enter the password you chose when you registered"));
    }
    let txn = crate::db::begin_write(db).await?;
    let asked = unused().one(&txn).await?.filter(|again| again.id == asked.id).ok_or_else(refused)?;
    let used = pending_registration::Entity::update_many()
        .col_expr(pending_registration::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(pending_registration::Column::Id.eq(asked.id))
        .filter(pending_registration::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if used.rows_affected != 1 {
        return Err(refused());
    }
    if user::Entity::find().filter(user::Column::Email.eq(asked.email.as_str())).one(&txn).await?.is_some() {
        return Err(AppError::invalid("token", "An account with this email address is open already. Sign in to it"));
    }
    let council = council::Entity::find().order_by_asc(council::Column::Id).one(&txn).await?.ok_or_else(|| AppError::internal("no council is set up yet"))?;
    let email = Email::parse("email", &asked.email)?;
    let account = if asked.kind == "provider" {
        open_provider(&txn, council.id, &email, &asked, now).await?
    } else {
        open_self_funder(&txn, council.id, &email, &asked, now).await?
    };
    txn.commit().await?;
    Ok(account)
}

/// A registration whose every field has been checked.
#[derive(Debug)]
pub struct ValidRegistration {
    pub organisation_name: String,
    pub regulator_id: Option<RegulatorId>,
    pub contact_phone: PhoneNumber,
    pub your_name: String,
    pub email: Email,
    pub password: NewPassword,
}

/// Checks every field and reports every problem at once, in the order of the form.
pub fn validate_registration(form: &ProviderRegistration) -> Result<ValidRegistration, AppError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let organisation_name = collect(&mut errors, required_text("organisation_name", &form.organisation_name, "your organisation's name", 120));
    let regulator_id = collect(&mut errors, RegulatorId::parse_optional("regulator_id", &form.regulator_id));
    let contact_phone = collect(&mut errors, PhoneNumber::parse("contact_phone", &form.contact_phone));
    let your_name = collect(&mut errors, required_text("your_name", &form.your_name, "your full name", 100));
    let email = collect(&mut errors, Email::parse("email", &form.email));
    let password = collect(&mut errors, NewPassword::parse("password", &form.password));
    match (organisation_name, regulator_id, contact_phone, your_name, email, password) {
        (Some(organisation_name), Some(regulator_id), Some(contact_phone), Some(your_name), Some(email), Some(password)) if errors.is_empty() => {
            Ok(ValidRegistration { organisation_name, regulator_id, contact_phone, your_name, email, password })
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Creates the organisation and its first staff account together, or neither.
async fn open_provider(
    txn: &impl ConnectionTrait,
    council_id: i64,
    email: &Email,
    asked: &pending_registration::Model,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let rating = if asked.regulator_id.is_some() { "not_yet_rated" } else { "not_regulated" };
    let inserted = provider::Entity::insert(provider::ActiveModel {
        public_id: Set(uuid::Uuid::new_v4().to_string()),
        council_id: Set(council_id),
        name: Set(asked.organisation_name.clone().unwrap_or_default()),
        description: Set(String::new()),
        regulator_id: Set(asked.regulator_id.clone()),
        regulator_rating: Set(rating.into()),
        contact_email: Set(email.as_str().into()),
        contact_phone: Set(asked.contact_phone.clone().unwrap_or_default()),
        website: Set(None),
        languages: Set("English".into()),
        status: Set(ProviderStatus::Active),
        assured_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await;
    let provider_id = match inserted {
        Ok(result) => result.last_insert_id,
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::invalid("token", REGULATOR_ID_TAKEN));
        }
        Err(error) => return Err(error.into()),
    };
    let new = NewUser { council_id, email, name: &asked.your_name, role: Role::Provider, provider_id: Some(provider_id) };
    let account = insert_user(txn, new, asked.password_hash.clone(), now).await?;
    audit::record(txn, now, Some(account.id), Some(account.id), "provider_registered", serde_json::json!({ "provider_id": provider_id })).await?;
    Ok(account)
}

/// A self-funder asks to open an account (see `ask_to_open`).
pub async fn register_self_funder(
    db: &Db,
    passwords: &auth::Passwords,
    form: &SelfFunderRegistration,
    client_address: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut errors: Vec<FieldError> = Vec::new();
    let your_name = collect(&mut errors, required_text("your_name", &form.your_name, "your full name", 100));
    let email = collect(&mut errors, Email::parse("email", &form.email));
    let password = collect(&mut errors, NewPassword::parse("password", &form.password));
    let (Some(your_name), Some(email), Some(password)) = (your_name, email, password) else {
        return Err(AppError::Invalid(errors));
    };
    let asked = pending_registration::ActiveModel { kind: Set("self_funder".into()), your_name: Set(your_name), ..Default::default() };
    ask_to_open(db, passwords, &email, &password, asked, client_address, now).await
}

/// A self-funder's account opens: them, and their CareMarket account (a budget with no
/// council funding, paid into by card, from which they book like anyone with a budget).
async fn open_self_funder(
    txn: &impl ConnectionTrait,
    council_id: i64,
    email: &Email,
    asked: &pending_registration::Model,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let new = NewUser { council_id, email, name: &asked.your_name, role: Role::BudgetHolder, provider_id: None };
    let account = insert_user(txn, new, asked.password_hash.clone(), now).await?;
    // Free choice of any listed provider, as with a direct payment; no allocation.
    budget::Entity::insert(budget::ActiveModel {
        holder_id: Set(account.id),
        council_id: Set(council_id),
        budget_type: Set(BudgetType::DirectPayment),
        isf_provider_id: Set(None),
        four_weekly_allocation_pence: Set(0),
        four_weekly_contribution_pence: Set(0),
        starts_on: Set(super::uk_time::to_local(now).date()),
        funding: Set(Funding::OwnMoney.code().into()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await?;
    audit::record(txn, now, Some(account.id), Some(account.id), "self_funder_registered", serde_json::json!({})).await?;
    Ok(account)
}

const REGULATOR_ID_TAKEN: &str = "An organisation with this CQC location ID is already registered. Ask a colleague to add you";

/// An organisation asks to register (see `ask_to_open`). Its CQC location ID is public, so one
/// already registered is said at once.
pub async fn register_provider(db: &Db, passwords: &auth::Passwords, form: &ProviderRegistration, client_address: &str, now: DateTime<Utc>) -> AppResult<()> {
    let registration = validate_registration(form)?;
    let regulator_id = registration.regulator_id.as_ref().map(|id| id.as_str().to_string());
    if let Some(id) = &regulator_id
        && provider::Entity::find().filter(provider::Column::RegulatorId.eq(id.as_str())).one(db).await?.is_some()
    {
        return Err(AppError::invalid("regulator_id", REGULATOR_ID_TAKEN));
    }
    let asked = pending_registration::ActiveModel {
        kind: Set("provider".into()),
        your_name: Set(registration.your_name),
        organisation_name: Set(Some(registration.organisation_name)),
        regulator_id: Set(regulator_id),
        contact_phone: Set(Some(registration.contact_phone.as_str().into())),
        ..Default::default()
    };
    ask_to_open(db, passwords, &registration.email, &registration.password, asked, client_address, now).await
}

/// How long a link to choose a new password works.
pub const RESET_LINK_MINUTES: i64 = 60;
/// Links asked for one address in an hour, and from one client.
const RESETS_PER_ADDRESS: u64 = 3;
const RESETS_PER_CLIENT: u64 = 20;

/// "Forgotten your password?": when the address has an account, a single-use link to choose a
/// new one (an hour's set-up code) is mailed to it. The answer is the same whether or not it
/// has one; asking is limited per address typed and per client, so nobody can flood an inbox.
pub async fn forgot_password(db: &Db, email: &str, client_address: &str, now: DateTime<Utc>) -> AppResult<()> {
    let email = Email::parse("email", email)?;
    let limits = [(auth::Throttle::Account, RESETS_PER_ADDRESS, 60), (auth::Throttle::Address, RESETS_PER_CLIENT, 60)];
    // Every request counts against the limits (none is marked a success).
    auth::reserve_hashing(db, "reset", email.as_str(), client_address, &limits, now).await?;
    let txn = crate::db::begin_write(db).await?;
    let Some(person) = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&txn).await? else { return Ok(()) };
    let code = super::budget_admin::issue_set_up_code(&txn, person.id, chrono::Duration::minutes(RESET_LINK_MINUTES), now).await?;
    let letter = super::mail::Letter {
        key: format!("password-reset:{}:{}", person.id, auth::digest(&code)),
        subject: "Choose a new password for CareMarket",
        body: "Someone asked to reset the password of your CareMarket account. If it was you, choose a new password \
               with the link below within 1 hour; the link works once. If it was not you, you need not do anything: \
               your password has not changed.",
        link_path: &format!("/account/set-up?reset=1&code={code}"),
        link_text: "Choose a new password",
    };
    super::mail::queue_account_message(&txn, &person, letter, now).await?;
    audit::record(&txn, now, None, Some(person.id), "password_reset_requested", serde_json::json!({})).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_reported_against_its_field() {
        let form = ProviderRegistration { regulator_id: "123".into(), email: "not-an-email".into(), ..Default::default() };
        let Err(AppError::Invalid(errors)) = validate_registration(&form) else { panic!("should be invalid") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["organisation_name", "regulator_id", "contact_phone", "your_name", "email", "password"]);
    }
}
