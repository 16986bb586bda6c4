//! Concerns and complaints: raised about a provider, a booking or a review, by anyone signed in
//! or (safeguarding only) by anyone at all; each goes to one council's queue with a date it is
//! due by (working days), a status the person can follow, the council's notes, and an outcome.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 2] = ["concern_notes", "concerns"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let concerns = Table::create()
            .table("concerns")
            .col(id())
            .col(string_len_uniq("reference", 20))
            .col(one_of("kind", &["complaint", "safeguarding"]))
            .col(reference("council_id"))
            .col(reference_null("provider_id"))
            .col(reference_null("booking_id"))
            .col(reference_null("review_id"))
            .col(reference_null("raised_by"))
            .col(text_null("contact"))
            .col(text("description"))
            .col(boolean("share_messages").default(false))
            .col(one_of("status", &["received", "acknowledged", "closed"]))
            .col(
                ColumnDef::new("outcome").string_len(20).null().check(Expr::col("outcome").is_in(["upheld", "partly_upheld", "not_upheld", "referred"])).take(),
            )
            .col(text_null("outcome_text"))
            .col(date("due_on"))
            .col(moment_null("acknowledged_at"))
            .col(moment_null("closed_at"))
            .col(created_at())
            .foreign_key(&mut foreign_key("concerns", "council_id", "councils", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("concerns", "provider_id", "providers", ForeignKeyAction::SetNull))
            .foreign_key(&mut foreign_key("concerns", "booking_id", "bookings", ForeignKeyAction::SetNull))
            .foreign_key(&mut foreign_key("concerns", "review_id", "reviews", ForeignKeyAction::SetNull))
            .foreign_key(&mut foreign_key("concerns", "raised_by", "users", ForeignKeyAction::SetNull))
            .take();
        let notes = Table::create()
            .table("concern_notes")
            .col(id())
            .col(reference("concern_id"))
            .col(reference("author_id"))
            .col(text("body"))
            .col(created_at())
            .foreign_key(&mut foreign_key("concern_notes", "concern_id", "concerns", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("concern_notes", "author_id", "users", ForeignKeyAction::Restrict))
            .take();
        let indexes = vec![
            index("concerns", &["council_id", "status", "due_on"]),
            index("concerns", &["provider_id", "outcome"]),
            index("concern_notes", &["concern_id"]),
        ];
        create_all(manager, vec![concerns, notes], indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
