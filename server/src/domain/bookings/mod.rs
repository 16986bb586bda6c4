//! Booking care from a personal budget: the questions checked and priced ("check your
//! answers"), then the booking made in one write transaction that sets the money aside for
//! every visit in the next 4 weeks. Refused, with a message that says why, when the budget is
//! short, the budget type does not allow the provider or its price, the provider does not
//! work then, or the person already has care booked at that time.
//!
//! `answers` reads the questions, `rules` says what a budget may pay for and at what price,
//! `clashes` keeps a person from being booked twice at once, `making` quotes and books, and
//! `views` shows bookings to the people who may see them.
mod answers;
mod clashes;
mod making;
mod rules;
mod views;

pub use answers::{Pattern, visit_cost};
pub(in crate::domain) use making::schedule_visit;
pub use making::{Asked, book, offer_to, quote};
pub use rules::Price;
pub use views::{answer_by_words, booking_view, person_bookings, provider_bookings};

/// Money is set aside for the visits in this many days ahead (a rolling horizon).
pub const HORIZON_DAYS: i64 = 28;
/// How long a provider has to accept or decline a request.
pub const RESPONSE_HOURS: i64 = 24;
