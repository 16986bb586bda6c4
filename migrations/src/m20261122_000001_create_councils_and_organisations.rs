//! Councils, their localities and postcode districts, and provider organisations.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["councils", "localities", "postcode_districts", "providers"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let councils = Table::create().table("councils").col(id()).col(string("name")).col(string_len_uniq("slug", 60)).col(created_at()).take();
        let localities = Table::create()
            .table("localities")
            .col(id())
            .col(reference("council_id"))
            .col(string("name"))
            .foreign_key(&mut foreign_key("localities", "council_id", "councils", ForeignKeyAction::Cascade))
            .take();
        // Outward codes ("NE6") with an approximate centroid, for distance search.
        let postcode_districts = Table::create()
            .table("postcode_districts")
            .col(string_len("code", 4).primary_key())
            .col(reference("locality_id"))
            .col(double("latitude").check(Expr::col("latitude").between(-90.0, 90.0)))
            .col(double("longitude").check(Expr::col("longitude").between(-180.0, 180.0)))
            .foreign_key(&mut foreign_key("postcode_districts", "locality_id", "localities", ForeignKeyAction::Cascade))
            .take();
        let providers = Table::create()
            .table("providers")
            .col(id())
            .col(string_len_uniq("public_id", 36))
            .col(reference("council_id"))
            .col(string("name"))
            .col(text("description"))
            .col(string_len_null("regulator_id", 40))
            .col(one_of("regulator_rating", &["outstanding", "good", "requires_improvement", "inadequate", "not_yet_rated", "not_regulated"]))
            .col(string("contact_email"))
            .col(string_len("contact_phone", 40))
            .col(string_null("website"))
            .col(string("languages"))
            .col(one_of("status", &["active", "withdrawn"]))
            .col(moment_null("assured_at"))
            .col(created_at())
            .col(moment("updated_at"))
            .foreign_key(&mut foreign_key("providers", "council_id", "councils", ForeignKeyAction::Restrict))
            .take();
        create_all(
            manager,
            vec![councils, localities, postcode_districts, providers],
            vec![unique("localities", &["council_id", "name"]), unique("providers", &["regulator_id"]), index("providers", &["council_id", "name"])],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await
    }
}
