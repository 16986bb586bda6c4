//! The `recoveries` table: proposals to take back a budget's surplus, and what became of them.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "recoveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// "RC-7K2P-9QXM".
    pub reference: String,
    pub council_id: i64,
    pub budget_id: i64,
    /// What the budget keeps available: only money above it is recovered.
    pub keep_pence: i64,
    /// What was above it when proposed (the amount recovered is worked out again on confirming).
    pub surplus_pence: i64,
    pub reason: String,
    pub status: app::RecoveryStatus,
    pub reply_by: DateTimeUtc,
    pub reply_text: Option<String>,
    pub replied_at: Option<DateTimeUtc>,
    pub recovered_pence: Option<i64>,
    pub proposed_by: i64,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
