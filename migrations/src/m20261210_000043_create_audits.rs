//! The light-touch audit: each month's sample of a council's budgets (every budget with a chosen
//! risk flag plus a random share of the rest, drawn from a seed CareMarket records; a redraw
//! keeps the draw it replaces, with the reason) and the audit cases drawn into it: the question
//! asked and its due date, the holder's answer, and the outcome.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let samples = Table::create()
            .table("audit_samples")
            .col(id())
            .col(string_len_uniq("reference", 20))
            .col(reference("council_id"))
            .col(date("month"))
            // 1 for the first draw of the month, 2 for its redraw, and so on.
            .col(integer("draw"))
            .col(text("flags"))
            .col(integer("share_percent").check(Expr::col("share_percent").between(0, 100)))
            .col(string_len("seed", 64))
            // The budgets not flagged that the random share was drawn from, by number: with the
            // seed, anyone can draw again and get the same cases.
            .col(text("pool"))
            .col(integer("candidates"))
            .col(one_of("status", &["current", "redrawn"]))
            .col(text_null("redraw_reason"))
            .col(reference("drawn_by"))
            .col(created_at())
            .foreign_key(&mut foreign_key("audit_samples", "council_id", "councils", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("audit_samples", "drawn_by", "users", ForeignKeyAction::Restrict))
            .take();
        let cases = Table::create()
            .table("audit_cases")
            .col(id())
            .col(string_len_uniq("reference", 20))
            .col(reference("sample_id"))
            .col(reference("council_id"))
            .col(reference("budget_id"))
            // Its flags when drawn (a JSON list of words); empty: drawn at random.
            .col(text("flags"))
            .col(text_null("question"))
            .col(date_null("due_on"))
            .col(moment_null("asked_at"))
            .col(reference_null("asked_by"))
            .col(text_null("answer"))
            .col(moment_null("answered_at"))
            .col(string_len_null("outcome", 40).check(Expr::col("outcome").is_in(["no_action", "advice_given", "money_recovered", "escalated"])).take())
            .col(text_null("outcome_note"))
            .col(reference_null("decided_by"))
            .col(moment_null("decided_at"))
            .col(created_at())
            .foreign_key(&mut foreign_key("audit_cases", "sample_id", "audit_samples", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("audit_cases", "council_id", "councils", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("audit_cases", "budget_id", "budgets", ForeignKeyAction::Restrict))
            .take();
        create_all(
            manager,
            vec![samples, cases],
            vec![
                unique("audit_samples", &["council_id", "month", "draw"]),
                index("audit_cases", &["sample_id"]),
                index("audit_cases", &["budget_id"]),
                index("audit_cases", &["council_id", "decided_at"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["audit_samples", "audit_cases"]).await
    }
}
