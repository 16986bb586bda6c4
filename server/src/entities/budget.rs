//! The `budgets` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "budgets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub holder_id: i64,
    pub council_id: i64,
    pub budget_type: app::BudgetType,
    pub isf_provider_id: Option<i64>,
    pub four_weekly_allocation_pence: i64,
    pub four_weekly_contribution_pence: i64,
    pub starts_on: Date,
    /// Read it as [`Model::funding`].
    pub funding: String,
    /// The care plan's shortest home care visit, when it differs from the usual 30 minutes.
    pub shortest_visit_minutes: Option<i32>,
    pub created_at: DateTimeUtc,
    /// The last day care may be booked for; no allocation for a period starting after it.
    pub ends_on: Option<Date>,
    /// When the council closed the budget: nothing more is booked, paid in or allocated.
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::ledger_account::Entity")]
    LedgerAccount,
}

impl Related<super::ledger_account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::LedgerAccount.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// Whose money this budget holds.
    pub fn funding(&self) -> app::Funding {
        app::Funding::from_code(&self.funding)
    }

    /// The first day at or after `until` (exclusive) that care may not be booked for: the day
    /// after the budget's end date when that comes sooner.
    pub fn care_until(&self, until: Date) -> Date {
        self.ends_on.map_or(until, |last| until.min(last + chrono::Duration::days(1)))
    }
}
