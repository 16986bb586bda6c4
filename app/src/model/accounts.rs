//! Accounts: registering, setting one up with a code, and a provider's profile.
use serde::{Deserialize, Serialize};

/// Someone who pays for their own care opens an account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SelfFunderRegistration {
    pub your_name: String,
    pub email: String,
    pub password: String,
}

/// A person setting up the account the council opened for them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SetUpForm {
    pub email: String,
    pub code: String,
    pub password: String,
}

/// Registration of a provider organisation and its first staff account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderRegistration {
    pub organisation_name: String,
    pub regulator_id: String,
    pub contact_phone: String,
    pub your_name: String,
    pub email: String,
    pub password: String,
}

/// A provider's own organisation profile, as its edit form shows it. The CQC rating is not
/// the provider's to set: it is shown, not edited.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OrganisationProfile {
    pub name: String,
    pub regulator_rating: String,
    /// When the details were last confirmed (ISO date).
    pub assured_on: Option<String>,
    pub form: ProfileForm,
}

/// The fields of the organisation profile form, as typed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub description: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub website: String,
    pub languages: String,
    pub regulator_id: String,
}

stored_state! {
    /// The kinds of message people choose to have emailed, or only shown on their dashboard.
    /// Messages about the account itself (codes, links to choose a password, confirming an
    /// address) are always emailed.
    pub enum MailKind {
        Bookings,
        Visits,
        Messages,
        Reviews,
        Concerns,
        Money,
    }
}

impl MailKind {
    pub const ALL: [Self; 6] = [Self::Bookings, Self::Visits, Self::Messages, Self::Reviews, Self::Concerns, Self::Money];

    pub fn code(self) -> &'static str {
        match self {
            Self::Bookings => "bookings",
            Self::Visits => "visits",
            Self::Messages => "messages",
            Self::Reviews => "reviews",
            Self::Concerns => "concerns",
            Self::Money => "money",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Bookings => "Bookings: requests, answers, reminders and changes",
            Self::Visits => "Visits to confirm, and queries about them",
            Self::Messages => "Messages about a booking",
            Self::Reviews => "Reviews and replies",
            Self::Concerns => "Concerns and complaints",
            Self::Money => "Money: card payments, refunds, a budget running short",
        }
    }
}

/// Each kind of message and whether it is emailed (else dashboard only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailChoices {
    pub choices: Vec<(MailKind, bool)>,
}
