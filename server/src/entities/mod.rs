//! SeaORM entities, one per table, matching the migrations column for column.
//! Behaviour lives in `crate::domain`, not here.
pub mod account_setup_code;
pub mod accreditation;
pub mod audit_case;
pub mod audit_entry;
pub mod audit_sample;
pub mod booking;
pub mod booking_message;
pub mod budget;
pub mod call_monitoring_import;
pub mod card_payment;
pub mod concern;
pub mod concern_note;
pub mod council;
pub mod delegation;
pub mod finance_code;
pub mod framework;
pub mod helper_invitation;
pub mod ledger_account;
pub mod ledger_transfer;
pub mod listing;
pub mod listing_area;
pub mod listing_attribute;
pub mod listing_availability;
pub mod locality;
pub mod lot;
pub mod mail_choice;
pub mod mail_outbox;
pub mod monitoring_score;
pub mod monthly_statement;
pub mod notification;
pub mod offline_placement;
pub mod outbox;
pub mod outbox_pruned;
pub mod payment_run;
pub mod pending_registration;
pub mod placement;
pub mod postcode_district;
pub mod provider;
pub mod provider_rating;
pub mod recovery;
pub mod review;
pub mod risk_threshold;
pub mod search_follower;
pub mod session;
pub mod sign_in_attempt;
pub mod sign_in_place;
pub mod user;
pub mod visit;

#[cfg(test)]
mod tests {
    use app::{BudgetType, ListingStatus};
    use sea_orm::{ActiveEnum, Iterable};

    /// Pages and forms use `code()` (the browser has no SeaORM): it must be what is stored.
    #[test]
    fn the_codes_pages_use_are_the_codes_stored() {
        for budget_type in BudgetType::iter() {
            assert_eq!(budget_type.to_value(), budget_type.code());
            assert_eq!(BudgetType::from_code(budget_type.code()), Some(budget_type));
        }
        for status in ListingStatus::iter() {
            assert_eq!(status.to_value(), status.code());
        }
    }
}
