//! Builders for test data: a council, two provider organisations, and a person in every role.
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Asterisk, Expr, Func, Query};
use server::db::Db;
use std::sync::LazyLock;

/// Every persona's password.
pub const PASSWORD: &str = "a long test password";

/// Hashed once per test run: argon2 is slow on purpose.
static PASSWORD_HASH: LazyLock<String> = LazyLock::new(|| server::domain::auth::hash_password(PASSWORD).expect("hash the test password"));

#[derive(Debug, Clone)]
pub struct Persona {
    pub id: i64,
    pub email: String,
    pub role: app::Role,
}

#[derive(Debug, Clone)]
pub struct Personas {
    pub council_id: i64,
    /// Provider organisation of `provider`; `other_provider_id` belongs to nobody here.
    pub provider_id: i64,
    pub other_provider_id: i64,
    pub budget_holder: Persona,
    pub planner: Persona,
    pub provider: Persona,
    pub commissioner: Persona,
}

impl Personas {
    pub fn all(&self) -> [&Persona; 4] {
        [&self.budget_holder, &self.planner, &self.provider, &self.commissioner]
    }
}

pub async fn personas(db: &Db) -> Personas {
    let now = chrono::Utc::now();
    let council_id = insert(db, "councils", &[("name", "Test Council".into()), ("slug", "test".into()), ("created_at", now.into())]).await;
    let provider_id = provider(db, council_id, "Riverside Home Care", "1-000000001").await;
    let other_provider_id = provider(db, council_id, "Hilltop Care", "1-000000002").await;
    let budget_holder = user(db, council_id, "holder@test.example", app::Role::BudgetHolder, None).await;
    let planner = user(db, council_id, "planner@test.example", app::Role::Planner, None).await;
    let provider = user(db, council_id, "staff@test.example", app::Role::Provider, Some(provider_id)).await;
    let commissioner = user(db, council_id, "commissioner@test.example", app::Role::Commissioner, None).await;
    Personas { council_id, provider_id, other_provider_id, budget_holder, planner, provider, commissioner }
}

/// A person who signs in with `PASSWORD`.
pub async fn user(db: &Db, council_id: i64, email: &str, role: app::Role, provider: Option<i64>) -> Persona {
    let id = insert(
        db,
        "users",
        &[
            ("council_id", council_id.into()),
            ("email", email.into()),
            ("display_name", format!("Test {}", role.label()).into()),
            ("password_hash", PASSWORD_HASH.as_str().into()),
            ("role", role.code().into()),
            ("provider_id", provider.into()),
            ("created_at", chrono::Utc::now().into()),
            // Entered by the council: mail may go to it.
            ("email_confirmed_at", chrono::Utc::now().into()),
        ],
    )
    .await;
    Persona { id, email: email.into(), role }
}

pub async fn provider(db: &Db, council_id: i64, name: &str, regulator_id: &str) -> i64 {
    let now = chrono::Utc::now();
    insert(
        db,
        "providers",
        &[
            ("public_id", uuid_like(name).into()),
            ("council_id", council_id.into()),
            ("name", name.into()),
            ("description", format!("{name} supports people at home.").into()),
            ("regulator_id", regulator_id.into()),
            ("regulator_rating", "good".into()),
            ("contact_email", "hello@example.com".into()),
            ("contact_phone", "0191 496 0000".into()),
            ("languages", "English".into()),
            ("status", "active".into()),
            ("created_at", now.into()),
            ("updated_at", now.into()),
        ],
    )
    .await
}

/// A listing with sensible defaults; `status` is draft, published or paused.
pub async fn listing(db: &Db, provider_id: i64, title: &str, status: &str) -> i64 {
    let now = chrono::Utc::now();
    insert(
        db,
        "listings",
        &[
            ("public_id", uuid_like(title).into()),
            ("provider_id", provider_id.into()),
            ("category", "home_care".into()),
            ("title", title.into()),
            ("description", "Visits at home.".into()),
            ("unit", "hour".into()),
            ("price_pence", 2_650_i64.into()),
            ("min_visit_minutes", 30.into()),
            ("billing_increment_minutes", 15.into()),
            ("cancellation_notice_hours", 24.into()),
            ("late_cancellation_percent", 50.into()),
            ("carer_gender", "any".into()),
            ("status", status.into()),
            ("created_at", now.into()),
            ("updated_at", now.into()),
        ],
    )
    .await
}

/// A stable UUID-shaped id derived from a name (unique enough for tests).
fn uuid_like(name: &str) -> String {
    let hash = server::domain::auth::digest(name);
    format!("{}-{}-4{}-8{}-{}", &hash[0..8], &hash[8..12], &hash[13..16], &hash[17..20], &hash[20..32])
}

pub async fn insert(db: &Db, table: &'static str, values: &[(&'static str, sea_orm::Value)]) -> i64 {
    try_insert(db, table, values).await.expect("insert")
}

/// Inserts a row and returns its id, or the database's refusal.
pub async fn try_insert(db: &Db, table: &'static str, values: &[(&'static str, sea_orm::Value)]) -> Result<i64, sea_orm::DbErr> {
    let mut statement = Query::insert();
    statement
        .into_table(table)
        .columns(values.iter().map(|(column, _)| *column))
        .values_panic(values.iter().map(|(_, value)| Expr::val(value.clone())))
        .returning_col("id");
    let row = db.query_one(&statement).await?.ok_or_else(|| sea_orm::DbErr::Custom("no id returned".into()))?;
    row.try_get_by_index::<i64>(0)
}

/// Counts the rows of a table.
pub async fn count(db: &Db, table: &'static str) -> i64 {
    let statement = Query::select().expr(Func::count(Expr::col(Asterisk))).from(table).to_owned();
    let row = db.query_one(&statement).await.expect("count").expect("a row");
    row.try_get_by_index::<i64>(0).expect("count")
}

/// A form's fields as a page posts them (`form[name]`): the defaults, with some values
/// replaced or added.
pub fn form_fields(defaults: &[(&str, &str)], overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = defaults.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect();
    for (name, value) in overrides {
        match fields.iter_mut().find(|(field, _)| field == name) {
            Some(field) => field.1 = value.to_string(),
            None => fields.push((name.to_string(), value.to_string())),
        }
    }
    fields.into_iter().map(|(name, value)| (format!("form[{name}]"), value)).collect()
}

/// A personal budget for `holder_id` (no money in it until an allocation run pays it).
pub async fn budget(db: &Db, council_id: i64, holder_id: i64, budget_type: &str, allocation_pence: i64, starts_on: chrono::NaiveDate) -> i64 {
    insert(
        db,
        "budgets",
        &[
            ("holder_id", holder_id.into()),
            ("council_id", council_id.into()),
            ("budget_type", budget_type.into()),
            ("four_weekly_allocation_pence", allocation_pence.into()),
            ("four_weekly_contribution_pence", 0_i64.into()),
            ("starts_on", starts_on.into()),
            ("created_at", chrono::Utc::now().into()),
        ],
    )
    .await
}

/// A second council with a budget holder and a commissioner of its own, for tests of what
/// one council may see and pay of another's.
#[derive(Debug, Clone)]
pub struct OtherCouncil {
    pub council_id: i64,
    pub budget_holder: Persona,
    pub commissioner: Persona,
}

pub async fn other_council(db: &Db) -> OtherCouncil {
    let council_id = insert(db, "councils", &[("name", "Other Council".into()), ("slug", "other".into()), ("created_at", chrono::Utc::now().into())]).await;
    let budget_holder = user(db, council_id, "holder@other.example", app::Role::BudgetHolder, None).await;
    let commissioner = user(db, council_id, "commissioner@other.example", app::Role::Commissioner, None).await;
    OtherCouncil { council_id, budget_holder, commissioner }
}

/// The path of the newest link mailed to `address` to open the account registered there.
pub async fn open_account_link(db: &Db, address: &str) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use server::entities::mail_outbox;
    let mailed = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddress.eq(address))
        .filter(mail_outbox::Column::LinkPath.starts_with("/account/confirm-email?token="))
        .order_by_desc(mail_outbox::Column::Id)
        .one(db)
        .await
        .expect("outbox");
    mailed.unwrap_or_else(|| panic!("no link to open an account was mailed to {address}")).link_path
}
