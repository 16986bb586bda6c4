//! Mail waits in an outbox written in the same transaction as the event that causes it, so no
//! message is lost if the process stops before sending, and `key` (the event and the person)
//! makes a second write of the same message a no-op. Addresses people typed themselves are
//! confirmed before care is mailed to them; those the council or a provider entered are taken as
//! given (`email_confirmed_at` is set for every account that exists today).
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mail = Table::create()
            .table("mail_outbox")
            .col(id())
            .col(string_len_uniq("key", 200))
            .col(reference_null("user_id"))
            .col(string_len("to_address", 320))
            .col(string_len("subject", 200))
            .col(text("body"))
            .col(string_len("link_path", 300))
            .col(string_len("link_text", 120))
            .col(created_at())
            .col(integer("attempts").default(0))
            .col(moment("next_attempt_at"))
            .col(moment_null("sent_at"))
            .col(moment_null("failed_at"))
            .col(text_null("last_error"))
            .foreign_key(&mut foreign_key("mail_outbox", "user_id", "users", ForeignKeyAction::Cascade))
            .take();
        manager.create_table(mail).await?;
        manager.create_index(index("mail_outbox", &["sent_at", "failed_at", "next_attempt_at"]).to_owned()).await?;
        manager.alter_table(Table::alter().table("users").add_column(moment_null("email_confirmed_at")).to_owned()).await?;
        manager.exec_stmt(Query::update().table("users").value("email_confirmed_at", Expr::col("created_at")).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("users").drop_column("email_confirmed_at").to_owned()).await?;
        manager.drop_table(Table::drop().table("mail_outbox").to_owned()).await
    }
}
