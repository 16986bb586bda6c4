//! Small column builders so each migration reads as a list of what the table holds.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

/// A 64-bit auto-incrementing primary key called `id`.
pub fn id() -> ColumnDef {
    schema::big_pk_auto("id")
}

/// A mandatory reference to another table's `id`.
pub fn reference(name: &'static str) -> ColumnDef {
    schema::big_integer(name)
}

/// An optional reference to another table's `id`.
pub fn reference_null(name: &'static str) -> ColumnDef {
    schema::big_integer_null(name)
}

/// Money is always integer pence; `floor` is the smallest amount the column accepts.
pub fn pence(name: &'static str, floor: i64) -> ColumnDef {
    schema::big_integer(name).check(Expr::col(name).gte(floor)).take()
}

/// A text column that only holds one of `allowed` (a closed vocabulary).
pub fn one_of(name: &'static str, allowed: &[&str]) -> ColumnDef {
    schema::string_len(name, 40).check(Expr::col(name).is_in(allowed.iter().copied())).take()
}

pub fn moment(name: &'static str) -> ColumnDef {
    schema::timestamp_with_time_zone(name)
}

pub fn moment_null(name: &'static str) -> ColumnDef {
    schema::timestamp_with_time_zone_null(name)
}

pub fn created_at() -> ColumnDef {
    schema::timestamp_with_time_zone("created_at")
}

pub fn foreign_key(table: &'static str, column: &'static str, to: &'static str, on_delete: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(format!("fk_{table}_{column}")).from(table, column).to(to, "id").on_delete(on_delete).take()
}

pub fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("ix_{table}_{}", columns.join("_"))).table(table);
    for column in columns {
        index.col(*column);
    }
    index
}

pub fn unique(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = index(table, columns);
    index.name(format!("ux_{table}_{}", columns.join("_"))).unique();
    index
}

/// Creates the tables in order (later ones may refer to earlier ones) with their indexes.
pub async fn create_all(manager: &SchemaManager<'_>, tables: Vec<TableCreateStatement>, indexes: Vec<IndexCreateStatement>) -> Result<(), DbErr> {
    for table in tables {
        manager.create_table(table).await?;
    }
    for index in indexes {
        manager.create_index(index).await?;
    }
    Ok(())
}

/// Drops the tables in reverse order of creation.
pub async fn drop_all(manager: &SchemaManager<'_>, tables: &[&'static str]) -> Result<(), DbErr> {
    for table in tables.iter().rev() {
        manager.drop_table(Table::drop().table(*table).to_owned()).await?;
    }
    Ok(())
}
