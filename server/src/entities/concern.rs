//! The `concerns` table: concerns and complaints, each in one council's queue.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "concerns")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// "CN-7K2P-9QXM": what the person quotes.
    pub reference: String,
    pub kind: app::ConcernKind,
    pub council_id: i64,
    pub provider_id: Option<i64>,
    pub booking_id: Option<i64>,
    pub review_id: Option<i64>,
    /// Who raised it, when signed in.
    pub raised_by: Option<i64>,
    /// How to reach someone who raised it without signing in, if they said.
    pub contact: Option<String>,
    pub description: String,
    /// The person let the council read the booking's messages with it.
    pub share_messages: bool,
    pub status: app::ConcernStatus,
    pub outcome: Option<app::ConcernOutcome>,
    pub outcome_text: Option<String>,
    /// Acknowledge by (safeguarding) or answer by (complaint): UK date.
    pub due_on: Date,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
