//! A provider's organisation profile: description, contact details, website, languages and CQC
//! registration, edited by that organisation's staff only. Saving confirms the details (stamps
//! the assured date). The CQC rating is the regulator's, so it is shown but never taken from
//! the form. Every service of the organisation is queued for the search index, since cards
//! show the provider's details.
use super::listings::languages;
use super::provider_listings::organisation_of;
use super::values::{Email, PhoneNumber, RegulatorId, collect, required_text};
use super::{audit, outbox};
use crate::db::Db;
use crate::entities::{listing, provider};
use crate::error::{AppError, AppResult};
use app::{OrganisationProfile, ProfileForm, SignedInUser};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, SqlErr};

pub async fn profile(db: &impl ConnectionTrait, user: &SignedInUser) -> AppResult<OrganisationProfile> {
    let provider = provider::Entity::find_by_id(organisation_of(user)?).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(OrganisationProfile {
        name: provider.name,
        regulator_rating: provider.regulator_rating,
        assured_on: provider.assured_at.map(|at| at.date_naive().to_string()),
        form: ProfileForm {
            description: provider.description,
            contact_email: provider.contact_email,
            contact_phone: provider.contact_phone,
            website: provider.website.unwrap_or_default(),
            languages: provider.languages,
            regulator_id: provider.regulator_id.unwrap_or_default(),
        },
    })
}

struct ValidProfile {
    description: String,
    contact_email: Email,
    contact_phone: PhoneNumber,
    website: Option<String>,
    languages: Vec<String>,
    regulator_id: Option<RegulatorId>,
}

fn validate(form: &ProfileForm) -> AppResult<ValidProfile> {
    let mut errors = Vec::new();
    let description = collect(&mut errors, required_text("description", &form.description, "a description of your organisation", 2_000));
    let contact_email = collect(&mut errors, Email::parse("contact_email", &form.contact_email));
    let contact_phone = collect(&mut errors, PhoneNumber::parse("contact_phone", &form.contact_phone));
    let website = collect(&mut errors, website(&form.website));
    let languages =
        collect(
            &mut errors,
            languages(&form.languages)
                .map_err(|_| AppError::invalid("languages", "Enter the languages your staff speak, separated by commas, like English, Polish"))
                .and_then(|languages| {
                    if languages.is_empty() { Err(AppError::invalid("languages", "Enter at least one language your staff speak")) } else { Ok(languages) }
                }),
        );
    let regulator_id = collect(&mut errors, RegulatorId::parse_optional("regulator_id", &form.regulator_id));
    match (description, contact_email, contact_phone, website, languages, regulator_id) {
        (Some(description), Some(contact_email), Some(contact_phone), Some(website), Some(languages), Some(regulator_id)) if errors.is_empty() => {
            Ok(ValidProfile { description, contact_email, contact_phone, website, languages, regulator_id })
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Empty, or a web address starting https:// (or http://) with a host.
fn website(input: &str) -> AppResult<Option<String>> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let host = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://")).and_then(|rest| rest.split('/').next());
    let valid = host.is_some_and(|host| host.contains('.') && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c)))
        && text.len() <= 200
        && !text.chars().any(char::is_whitespace);
    if valid { Ok(Some(text.to_string())) } else { Err(AppError::invalid("website", "Enter a web address starting https://, like https://www.example.org")) }
}

pub async fn save_profile(db: &Db, user: &SignedInUser, form: &ProfileForm, now: DateTime<Utc>) -> AppResult<()> {
    let provider_id = organisation_of(user)?;
    let valid = validate(form)?;
    let txn = crate::db::begin_write(db).await?;
    let existing = provider::Entity::find_by_id(provider_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let regulator_id = valid.regulator_id.map(|id| id.as_str().to_string());
    // A rating belongs to a registration: a new (or no) registration has none until the
    // council records the CQC's rating for it.
    let rating_stands = existing.regulator_id == regulator_id;
    let mut row: provider::ActiveModel = existing.into();
    if !rating_stands {
        row.regulator_rating = Set(if regulator_id.is_some() { "not_yet_rated" } else { "not_regulated" }.into());
    }
    row.description = Set(valid.description);
    row.contact_email = Set(valid.contact_email.as_str().to_string());
    row.contact_phone = Set(valid.contact_phone.as_str().to_string());
    row.website = Set(valid.website);
    row.languages = Set(valid.languages.join(", "));
    row.regulator_id = Set(regulator_id);
    row.assured_at = Set(Some(now));
    row.updated_at = Set(now);
    match row.update(&txn).await {
        Ok(_) => {}
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::invalid("regulator_id", "Another organisation is registered with this CQC location ID: check it, or ask the council"));
        }
        Err(error) => return Err(error.into()),
    }
    audit::record(&txn, now, Some(user.user_id), None, "provider_profile_updated", serde_json::json!({ "provider": provider_id })).await?;
    let listings: Vec<i64> =
        listing::Entity::find().select_only().column(listing::Column::Id).filter(listing::Column::ProviderId.eq(provider_id)).into_tuple().all(&txn).await?;
    outbox::queue_listings(&txn, listings, now).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_reported_against_its_field() {
        let form = ProfileForm {
            description: " ".into(),
            contact_email: "not an email".into(),
            contact_phone: "12".into(),
            website: "www.example.org".into(),
            languages: "English; Polish".into(),
            regulator_id: "ABC".into(),
        };
        let Err(AppError::Invalid(errors)) = validate(&form) else { panic!("refused") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["description", "contact_email", "contact_phone", "website", "languages", "regulator_id"]);
    }

    #[test]
    fn websites_need_a_scheme_and_a_host() {
        assert_eq!(website("https://care.example.org/about").ok().flatten().as_deref(), Some("https://care.example.org/about"));
        assert!(website("").is_ok_and(|site| site.is_none()));
        for bad in ["care.example.org", "https://", "javascript:alert(1)", "https://exa mple.org"] {
            assert!(website(bad).is_err(), "{bad}");
        }
    }
}
