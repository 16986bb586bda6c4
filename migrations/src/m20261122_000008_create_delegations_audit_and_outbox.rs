//! Who may act for whom, the append-only audit log of everything done, and the outbox that
//! carries changes to the search index in the same transaction as the change itself.
use crate::helpers::*;
use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["delegations", "audit_log", "outbox"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let delegations = Table::create()
            .table("delegations")
            .col(id())
            .col(reference("holder_id"))
            .col(reference("delegate_id"))
            .col(boolean("can_view"))
            .col(boolean("can_book"))
            .col(boolean("can_pay"))
            .col(moment_null("expires_at"))
            .col(created_at())
            .col(moment_null("revoked_at"))
            .check(Expr::cust("holder_id <> delegate_id"))
            .foreign_key(&mut foreign_key("delegations", "holder_id", "users", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("delegations", "delegate_id", "users", ForeignKeyAction::Cascade))
            .take();
        let audit_log = Table::create()
            .table("audit_log")
            .col(id())
            .col(moment("at"))
            .col(reference_null("actor_id"))
            .col(reference_null("subject_id"))
            .col(string_len("action", 60))
            .col(text("detail"))
            .take();
        let outbox =
            Table::create().table("outbox").col(id()).col(string_len("topic", 40)).col(big_integer("entity_id")).col(text("payload")).col(created_at()).take();
        create_all(
            manager,
            vec![delegations, audit_log, outbox],
            vec![
                index("delegations", &["delegate_id"]),
                index("delegations", &["holder_id"]),
                index("audit_log", &["subject_id", "at"]),
                index("outbox", &["topic", "id"]),
            ],
        )
        .await?;
        // The audit log is append-only in the database itself, not just by convention.
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER audit_log_no_{op} BEFORE {op} ON audit_log \
                         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                    ))
                    .await?;
                }
            }
            _ => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS \
                     $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$; \
                     CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE \
                     ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager.get_connection().execute_unprepared("DROP FUNCTION IF EXISTS audit_log_append_only()").await?;
        }
        Ok(())
    }
}
