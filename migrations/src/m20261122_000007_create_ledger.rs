//! The double-entry ledger that every movement of money goes through, and card payments.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["ledger_accounts", "ledger_transfers", "card_payments"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // `code` names the account ("budget:12:available", "provider:3:payable", "council:1:funding").
        // The cached balance must always equal credits minus debits of its transfers; a
        // person's budget accounts can never go below zero, whatever the application does.
        let ledger_accounts = Table::create()
            .table("ledger_accounts")
            .col(id())
            .col(string_len_uniq("code", 80))
            .col(one_of(
                "kind",
                &[
                    "budget_available",
                    "budget_committed",
                    "council_funding",
                    "provider_payable",
                    "provider_paid",
                    "card_clearing",
                    "contributions",
                    "self_funder",
                ],
            ))
            .col(reference("council_id"))
            .col(reference_null("budget_id"))
            .col(reference_null("provider_id"))
            .col(big_integer("balance_pence").default(0))
            .check(Expr::cust("kind NOT IN ('budget_available', 'budget_committed') OR balance_pence >= 0"))
            .check(Expr::cust("(kind IN ('budget_available', 'budget_committed')) = (budget_id IS NOT NULL)"))
            .foreign_key(&mut foreign_key("ledger_accounts", "council_id", "councils", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("ledger_accounts", "budget_id", "budgets", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("ledger_accounts", "provider_id", "providers", ForeignKeyAction::Restrict))
            .take();
        // One debit, one credit, a positive amount; the idempotency key makes a retried
        // operation unable to move money twice.
        let ledger_transfers = Table::create()
            .table("ledger_transfers")
            .col(id())
            .col(string_len_uniq("idempotency_key", 120))
            .col(reference("debit_account_id"))
            .col(reference("credit_account_id"))
            .col(pence("amount_pence", 1))
            .col(string_len("kind", 40))
            .col(reference_null("booking_id"))
            .col(reference_null("visit_id"))
            .col(string_len_null("payment_ref", 120))
            .col(reference_null("actor_id"))
            .col(created_at())
            .check(Expr::cust("debit_account_id <> credit_account_id"))
            .foreign_key(&mut foreign_key("ledger_transfers", "debit_account_id", "ledger_accounts", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("ledger_transfers", "credit_account_id", "ledger_accounts", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("ledger_transfers", "actor_id", "users", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("ledger_transfers", "booking_id", "bookings", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("ledger_transfers", "visit_id", "visits", ForeignKeyAction::Restrict))
            .take();
        // A card payment is recorded when it is created; money moves only when Stripe's
        // verified webhook says it succeeded, once per payment intent.
        let card_payments = Table::create()
            .table("card_payments")
            .col(id())
            .col(string_len_uniq("payment_intent_id", 120))
            .col(one_of("purpose", &["contribution", "top_up", "self_funded_booking"]))
            .col(reference("payer_id"))
            .col(reference_null("budget_id"))
            .col(reference_null("booking_id"))
            .col(pence("amount_pence", 1))
            .col(one_of("status", &["pending", "succeeded", "failed", "refunded"]))
            .col(created_at())
            .col(moment_null("settled_at"))
            .foreign_key(&mut foreign_key("card_payments", "payer_id", "users", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("card_payments", "budget_id", "budgets", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("card_payments", "booking_id", "bookings", ForeignKeyAction::Restrict))
            .take();
        create_all(
            manager,
            vec![ledger_accounts, ledger_transfers, card_payments],
            vec![
                index("ledger_accounts", &["budget_id"]),
                index("ledger_transfers", &["debit_account_id", "created_at"]),
                index("ledger_transfers", &["credit_account_id", "created_at"]),
                index("ledger_transfers", &["booking_id"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await
    }
}
