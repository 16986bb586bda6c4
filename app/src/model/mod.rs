//! Values shared by the server and the browser: who is looking, what pages show, and errors
//! written for the person reading them. One file per feature; everything is re-exported here.

/// A state kept in a text column as its snake_case code (`InProgress` is `in_progress`): serde
/// and, on the server, SeaORM (`DeriveActiveEnum`) read and write the same code, so a column
/// typed with it holds nothing else.
macro_rules! stored_state {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$variant_meta:meta])* $variant:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
        #[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case"))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$variant_meta])* $variant),* }
    };
}

mod accounts;
mod audits;
mod bookings;
mod budgets;
mod concerns;
mod dashboards;
mod errors;
mod helpers;
mod listings;
mod lots;
mod payments;
mod reviews;
mod search;
mod viewer;
mod words;

pub use accounts::*;
pub use audits::*;
pub use bookings::*;
pub use budgets::*;
pub use concerns::*;
pub use dashboards::*;
pub use errors::*;
pub use helpers::*;
pub use listings::*;
pub use lots::*;
pub use payments::*;
pub use reviews::*;
pub use search::*;
pub use viewer::*;
pub use words::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pence_are_shown_as_pounds_with_separators() {
        assert_eq!(format_pence(0), "£0.00");
        assert_eq!(format_pence(5), "£0.05");
        assert_eq!(format_pence(2_450), "£24.50");
        assert_eq!(format_pence(123_456_789), "£1,234,567.89");
        assert_eq!(format_pence(-100_000), "-£1,000.00");
    }

    #[test]
    fn roles_round_trip_through_codes_and_slugs() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
            assert_eq!(Role::from_slug(role.slug()), Some(role));
        }
        assert_eq!(Role::from_code("admin"), None);
    }

    #[test]
    fn only_our_own_paths_are_places_to_return_to() {
        for ours in ["/", "/bookings/CM-7K3Q-XH9P", "/book/abc?how_often=once&date=2026-12-07&time=09%3A00", "/%2F%2Fstill-ours"] {
            assert_eq!(safe_return_path(Some(ours)).as_deref(), Some(ours), "{ours:?}");
        }
        for theirs in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "https://evil.example",
            "evil.example",
            "/bookings/\n",
            "/a b",
            "/%zz",
            "/%4",
            "/caf\u{e9}",
            "/#top",
            "",
        ] {
            assert_eq!(safe_return_path(Some(theirs)), None, "{theirs:?}");
        }
        assert_eq!(sign_in_then("/dashboard/planner"), "/sign-in?next=/dashboard/planner");
        assert_eq!(sign_in_then("/book/x?a=1&b=2"), "/sign-in?next=/book/x%3Fa%3D1%26b%3D2");
        assert_eq!(sign_in_then("/bookings/\n"), "/sign-in");
    }
}
