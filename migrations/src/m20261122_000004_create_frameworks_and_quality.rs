//! Framework contracts, their lots (category × locality, price cap, quality:price weighting),
//! accreditation of providers to lots, and the council's contract-monitoring scores.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["frameworks", "lots", "accreditations", "monitoring_scores"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let frameworks = Table::create()
            .table("frameworks")
            .col(id())
            .col(reference("council_id"))
            .col(string("name"))
            .col(date("starts_on"))
            .col(date("ends_on"))
            .col(created_at())
            .check(Expr::cust("starts_on < ends_on"))
            .foreign_key(&mut foreign_key("frameworks", "council_id", "councils", ForeignKeyAction::Restrict))
            .take();
        // The price weight is 100 - quality_weight, so the two always sum to 100.
        let lots = Table::create()
            .table("lots")
            .col(id())
            .col(reference("framework_id"))
            .col(string("name"))
            .col(string_len("category", 40))
            .col(reference("locality_id"))
            .col(one_of("unit", &["hour", "visit", "session", "day", "week", "item"]))
            .col(pence("price_cap_pence", 1))
            .col(integer("quality_weight").check(Expr::col("quality_weight").between(0, 100)))
            .foreign_key(&mut foreign_key("lots", "framework_id", "frameworks", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("lots", "locality_id", "localities", ForeignKeyAction::Restrict))
            .take();
        let accreditations = Table::create()
            .table("accreditations")
            .col(id())
            .col(reference("lot_id"))
            .col(reference("provider_id"))
            .col(reference("listing_id"))
            .col(pence("contracted_rate_pence", 1))
            .col(one_of("status", &["active", "suspended"]))
            .col(text_null("suspension_reason"))
            .col(created_at())
            .check(Expr::cust("(status = 'suspended') = (suspension_reason IS NOT NULL)"))
            .foreign_key(&mut foreign_key("accreditations", "lot_id", "lots", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("accreditations", "provider_id", "providers", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("accreditations", "listing_id", "listings", ForeignKeyAction::Cascade))
            .take();
        let monitoring_scores = Table::create()
            .table("monitoring_scores")
            .col(id())
            .col(reference("provider_id"))
            .col(reference_null("lot_id"))
            .col(integer("score").check(Expr::col("score").between(0, 100)))
            .col(text("note"))
            .col(reference("recorded_by"))
            .col(moment("recorded_at"))
            .foreign_key(&mut foreign_key("monitoring_scores", "provider_id", "providers", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("monitoring_scores", "lot_id", "lots", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("monitoring_scores", "recorded_by", "users", ForeignKeyAction::Restrict))
            .take();
        create_all(
            manager,
            vec![frameworks, lots, accreditations, monitoring_scores],
            vec![
                unique("lots", &["framework_id", "category", "locality_id"]),
                unique("accreditations", &["lot_id", "provider_id"]),
                index("accreditations", &["provider_id"]),
                index("monitoring_scores", &["provider_id", "recorded_at"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await
    }
}
