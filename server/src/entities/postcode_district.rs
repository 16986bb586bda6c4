//! The `postcode_districts` table: outward codes ("NE3") with an approximate centre, the
//! locality each lies in, and its everyday name.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "postcode_districts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub locality_id: i64,
    pub latitude: f64,
    pub longitude: f64,
    /// Its everyday name, like "Gosforth".
    pub name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
