//! Messages about a booking, between the person (and helpers who may see their care) and the
//! provider's staff. Private: the council does not read them. `read_at` is when the other side
//! first saw the message (unread counts on the dashboards).
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let messages = Table::create()
            .table("booking_messages")
            .col(id())
            .col(reference("booking_id"))
            .col(reference("author_id"))
            .col(boolean("from_provider"))
            .col(text("body"))
            .col(created_at())
            .col(moment_null("read_at"))
            .foreign_key(&mut foreign_key("booking_messages", "booking_id", "bookings", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("booking_messages", "author_id", "users", ForeignKeyAction::Restrict))
            .take();
        create_all(manager, vec![messages], vec![index("booking_messages", &["booking_id", "from_provider", "read_at"])]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("booking_messages").to_owned()).await
    }
}
