//! People who sign in, their sessions, and the record of sign-in attempts used for throttling.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["users", "sessions", "sign_in_attempts"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let users = Table::create()
            .table("users")
            .col(id())
            .col(reference("council_id"))
            .col(string_uniq("email"))
            .col(string("display_name"))
            .col(string("password_hash"))
            .col(one_of("role", &["budget_holder", "planner", "provider", "commissioner"]))
            .col(reference_null("provider_id"))
            .col(moment_null("disabled_at"))
            .col(created_at())
            // Provider staff always belong to an organisation; nobody else does.
            .check(Expr::cust("(role = 'provider') = (provider_id IS NOT NULL)"))
            .foreign_key(&mut foreign_key("users", "council_id", "councils", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("users", "provider_id", "providers", ForeignKeyAction::Restrict))
            .take();
        // The cookie carries a random token; only its hash is stored, so a database leak
        // does not hand out live sessions.
        let sessions = Table::create()
            .table("sessions")
            .col(string_len("token_hash", 64).primary_key())
            .col(reference("user_id"))
            .col(created_at())
            .col(moment("expires_at"))
            .foreign_key(&mut foreign_key("sessions", "user_id", "users", ForeignKeyAction::Cascade))
            .take();
        // Keyed by hashes of the normalised email and of the client address: throttling works
        // the same whether or not the account exists, and no address is stored in clear.
        let sign_in_attempts = Table::create()
            .table("sign_in_attempts")
            .col(id())
            .col(string_len("account_key", 64))
            .col(string_len("address_key", 64))
            .col(boolean("succeeded"))
            .col(moment("attempted_at"))
            .take();
        create_all(
            manager,
            vec![users, sessions, sign_in_attempts],
            vec![
                index("users", &["council_id", "role"]),
                index("sessions", &["user_id"]),
                index("sign_in_attempts", &["account_key", "attempted_at"]),
                index("sign_in_attempts", &["address_key", "attempted_at"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await
    }
}
