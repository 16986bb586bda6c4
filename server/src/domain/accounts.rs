//! Creating accounts. Providers register their own organisation, and people who pay for their
//! own care (self-funders) open an account; budget holders and planners are created by the
//! council (see the budgets work).
use super::values::{Email, NewPassword, PhoneNumber, RegulatorId, collect, required_text};
use super::{audit, auth};
use crate::db::Db;
use crate::entities::{budget, council, email_confirmation, provider, user};
use crate::error::{AppError, AppResult};
use app::{BudgetType, FieldError, Funding, ProviderRegistration, ProviderStatus, Role, SelfFunderRegistration};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, SqlErr};

/// A person's account about to be created, every field checked.
pub struct NewUser<'a> {
    pub council_id: i64,
    pub email: &'a Email,
    pub name: &'a str,
    pub role: Role,
    pub provider_id: Option<i64>,
    /// Whether the address is taken as confirmed: true when the council entered it, false when
    /// the person typed it themselves (it is confirmed by a link first).
    pub email_confirmed: bool,
}

/// Creates a person's account (`password_hash` may be `auth::NO_PASSWORD_YET`); an address the
/// person typed themselves is sent a link to confirm it.
pub async fn insert_user(db: &impl ConnectionTrait, new: NewUser<'_>, password_hash: String, now: DateTime<Utc>) -> AppResult<user::Model> {
    let confirmed = new.email_confirmed;
    let person = user::Entity::insert(user::ActiveModel {
        council_id: Set(new.council_id),
        email: Set(new.email.as_str().into()),
        display_name: Set(new.name.into()),
        password_hash: Set(password_hash),
        role: Set(new.role.code().into()),
        provider_id: Set(new.provider_id),
        disabled_at: Set(None),
        created_at: Set(now),
        email_confirmed_at: Set(new.email_confirmed.then_some(now)),
        ..Default::default()
    })
    .exec_with_returning(db)
    .await?;
    if !confirmed {
        ask_to_confirm_email(db, &person, now).await?;
    }
    Ok(person)
}

/// How long a link to confirm an address works.
pub const CONFIRM_LINK_DAYS: i64 = 7;

/// Mails `person` a link that confirms their address (and can do nothing else).
async fn ask_to_confirm_email(db: &impl ConnectionTrait, person: &user::Model, now: DateTime<Utc>) -> AppResult<()> {
    let token = auth::random_token()?;
    email_confirmation::Entity::insert(email_confirmation::ActiveModel {
        user_id: Set(person.id),
        token_hash: Set(auth::digest(&token)),
        email: Set(person.email.clone()),
        expires_at: Set(now + chrono::Duration::days(CONFIRM_LINK_DAYS)),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    let letter = super::mail::Letter {
        key: format!("confirm-email:{}", auth::digest(&token)),
        subject: "Confirm your email address for CareMarket",
        body: "You opened a CareMarket account with this email address. Confirm it, and we can email you about your care \
               and bookings. The link works for 7 days. If you did not open an account, you need not do anything.",
        link_path: &format!("/account/confirm-email?token={token}"),
        link_text: "Confirm your email address",
    };
    super::mail::queue_account_message(db, person, letter, now).await
}

/// Confirms the address a mailed link was sent to: once, within its time, and only while the
/// account still has that address.
pub async fn confirm_email(db: &Db, token: &str, now: DateTime<Utc>) -> AppResult<()> {
    let refused =
        || AppError::invalid("token", "This link has run out or has been used already. If your address is not confirmed yet, sign in and ask for a new link");
    let txn = crate::db::begin_write(db).await?;
    let link = email_confirmation::Entity::find()
        .filter(email_confirmation::Column::TokenHash.eq(auth::digest(token.trim())))
        .filter(email_confirmation::Column::UsedAt.is_null())
        .filter(email_confirmation::Column::ExpiresAt.gt(now))
        .one(&txn)
        .await?
        .ok_or_else(refused)?;
    let person = user::Entity::find_by_id(link.user_id).one(&txn).await?.filter(|person| person.email == link.email).ok_or_else(refused)?;
    let used = email_confirmation::Entity::update_many()
        .col_expr(email_confirmation::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(email_confirmation::Column::Id.eq(link.id))
        .filter(email_confirmation::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if used.rows_affected != 1 {
        return Err(refused());
    }
    if person.email_confirmed_at.is_none() {
        let mut row: user::ActiveModel = person.clone().into();
        row.email_confirmed_at = Set(Some(now));
        row.update(&txn).await?;
    }
    audit::record(&txn, now, Some(person.id), Some(person.id), "email_confirmed", serde_json::json!({})).await?;
    txn.commit().await?;
    Ok(())
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
pub async fn register_provider(db: &Db, registration: ValidRegistration, password_hash: String, now: DateTime<Utc>) -> AppResult<user::Model> {
    let txn = crate::db::begin_write(db).await?;
    let council = council::Entity::find().order_by_asc(council::Column::Id).one(&txn).await?.ok_or_else(|| AppError::internal("no council is set up yet"))?;
    if user::Entity::find().filter(user::Column::Email.eq(registration.email.as_str())).one(&txn).await?.is_some() {
        return Err(AppError::invalid("email", "An account with this email address already exists. Sign in instead"));
    }
    let rating = if registration.regulator_id.is_some() { "not_yet_rated" } else { "not_regulated" };
    let inserted = provider::Entity::insert(provider::ActiveModel {
        public_id: Set(uuid::Uuid::new_v4().to_string()),
        council_id: Set(council.id),
        name: Set(registration.organisation_name.clone()),
        description: Set(String::new()),
        regulator_id: Set(registration.regulator_id.as_ref().map(|id| id.as_str().to_string())),
        regulator_rating: Set(rating.into()),
        contact_email: Set(registration.email.as_str().into()),
        contact_phone: Set(registration.contact_phone.as_str().into()),
        website: Set(None),
        languages: Set("English".into()),
        status: Set(ProviderStatus::Active),
        assured_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await;
    let provider_id = match inserted {
        Ok(result) => result.last_insert_id,
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::invalid("regulator_id", "An organisation with this CQC location ID is already registered. Ask a colleague to add you"));
        }
        Err(error) => return Err(error.into()),
    };
    let new = NewUser {
        council_id: council.id,
        email: &registration.email,
        name: &registration.your_name,
        role: Role::Provider,
        provider_id: Some(provider_id),
        email_confirmed: false,
    };
    let account = insert_user(&txn, new, password_hash, now).await?;
    audit::record(&txn, now, Some(account.id), Some(account.id), "provider_registered", serde_json::json!({ "provider_id": provider_id })).await?;
    txn.commit().await?;
    Ok(account)
}

/// A self-funder opens an account: them, and their CareMarket account (a budget with no
/// council funding, paid into by card, from which they book like anyone with a budget).
pub async fn register_self_funder(
    db: &Db,
    passwords: &auth::Passwords,
    form: &SelfFunderRegistration,
    client_address: &str,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let mut errors: Vec<FieldError> = Vec::new();
    let your_name = collect(&mut errors, required_text("your_name", &form.your_name, "your full name", 100));
    let email = collect(&mut errors, Email::parse("email", &form.email));
    let password = collect(&mut errors, NewPassword::parse("password", &form.password));
    let (Some(your_name), Some(email), Some(password)) = (your_name, email, password) else {
        return Err(AppError::Invalid(errors));
    };
    refuse_taken(db, &email).await?;
    auth::reserve_hashing(db, "register", email.as_str(), client_address, &REGISTRATION_LIMITS, now).await?;
    let hash = passwords.hash(password.expose().to_string()).await?;
    let txn = crate::db::begin_write(db).await?;
    let council = council::Entity::find().order_by_asc(council::Column::Id).one(&txn).await?.ok_or_else(|| AppError::internal("no council is set up yet"))?;
    if user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&txn).await?.is_some() {
        return Err(AppError::invalid("email", "An account with this email address already exists. Sign in instead"));
    }
    let new = NewUser { council_id: council.id, email: &email, name: &your_name, role: Role::BudgetHolder, provider_id: None, email_confirmed: false };
    let account = insert_user(&txn, new, hash, now).await?;
    // Free choice of any listed provider, as with a direct payment; no allocation.
    budget::Entity::insert(budget::ActiveModel {
        holder_id: Set(account.id),
        council_id: Set(council.id),
        budget_type: Set(BudgetType::DirectPayment),
        isf_provider_id: Set(None),
        four_weekly_allocation_pence: Set(0),
        four_weekly_contribution_pence: Set(0),
        starts_on: Set(super::uk_time::to_local(now).date()),
        funding: Set(Funding::OwnMoney.code().into()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(&txn, now, Some(account.id), Some(account.id), "self_funder_registered", serde_json::json!({})).await?;
    txn.commit().await?;
    Ok(account)
}

/// Registrations (each ends in hashing a password) allowed from one address in an hour.
const REGISTRATION_LIMITS: [(auth::Throttle, u64, i64); 1] = [(auth::Throttle::Address, 10, 60)];

/// An address already in use is refused before any password is hashed.
async fn refuse_taken(db: &impl ConnectionTrait, email: &Email) -> AppResult<()> {
    if user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(db).await?.is_some() {
        return Err(AppError::invalid("email", "An account with this email address already exists. Sign in instead"));
    }
    Ok(())
}

/// Registers an organisation from its form: checks, then hashes the password off-thread, then
/// creates. Attempts from one address are limited.
pub async fn register_provider_from_form(
    db: &Db,
    passwords: &auth::Passwords,
    form: &ProviderRegistration,
    client_address: &str,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let registration = validate_registration(form)?;
    refuse_taken(db, &registration.email).await?;
    auth::reserve_hashing(db, "register", registration.email.as_str(), client_address, &REGISTRATION_LIMITS, now).await?;
    let hash = passwords.hash(registration.password.expose().to_string()).await?;
    register_provider(db, registration, hash, now).await
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
