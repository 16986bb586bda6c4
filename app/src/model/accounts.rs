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
