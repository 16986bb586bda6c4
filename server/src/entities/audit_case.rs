//! The `audit_cases` table: a budget drawn for audit, the question asked, the answer, the outcome.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// "AC-7K2P-9QXM".
    pub reference: String,
    pub sample_id: i64,
    pub council_id: i64,
    pub budget_id: i64,
    /// JSON `["flag in words", ...]` when drawn; empty: drawn at random.
    pub flags: String,
    pub question: Option<String>,
    pub due_on: Option<Date>,
    pub asked_at: Option<DateTimeUtc>,
    pub asked_by: Option<i64>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTimeUtc>,
    pub outcome: Option<app::AuditOutcome>,
    pub outcome_note: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
