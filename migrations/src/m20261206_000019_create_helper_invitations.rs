//! A person asks someone, by email, to help them; the right works only once that person has
//! accepted it from their own account. Invitations are kept (answered or not) so the person
//! can see who accepted, and when.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["helper_invitations"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let invitations = Table::create()
            .table("helper_invitations")
            .col(id())
            .col(reference("holder_id"))
            .col(string_len("email", 254))
            .col(boolean("can_book"))
            .col(boolean("can_pay"))
            .col(moment_null("expires_at"))
            .col(one_of("status", &["waiting", "accepted", "declined", "withdrawn"]))
            .col(created_at())
            .col(moment_null("answered_at"))
            .col(reference_null("answered_by"))
            .col(reference_null("delegation_id"))
            .foreign_key(&mut foreign_key("helper_invitations", "holder_id", "users", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("helper_invitations", "answered_by", "users", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("helper_invitations", "delegation_id", "delegations", ForeignKeyAction::Cascade))
            .take();
        create_all(manager, vec![invitations], vec![index("helper_invitations", &["email", "status"]), index("helper_invitations", &["holder_id"])]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await
    }
}
