//! The `ledger_transfers` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_transfers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub idempotency_key: String,
    pub debit_account_id: i64,
    pub credit_account_id: i64,
    pub amount_pence: i64,
    pub kind: String,
    pub booking_id: Option<i64>,
    pub visit_id: Option<i64>,
    pub payment_ref: Option<String>,
    pub actor_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
