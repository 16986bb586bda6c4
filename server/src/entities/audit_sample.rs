//! The `audit_samples` table: a council's draw of budgets to audit for a month, and redraws.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_samples")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// "AS-7K2P-9QXM".
    pub reference: String,
    pub council_id: i64,
    /// The month's first day.
    pub month: Date,
    /// 1 for the month's first draw, 2 for its redraw, and so on.
    pub draw: i32,
    /// The risk flags every budget with is drawn: their codes, comma-separated.
    pub flags: String,
    /// The share of the other budgets drawn at random.
    pub share_percent: i32,
    /// 32 hex digits, drawn by CareMarket.
    pub seed: String,
    /// The other budgets' numbers, comma-separated: what the random share was drawn from.
    pub pool: String,
    /// How many budgets could be drawn.
    pub candidates: i32,
    pub status: app::AuditSampleStatus,
    pub redraw_reason: Option<String>,
    pub drawn_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
