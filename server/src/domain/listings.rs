//! What providers publish. This part checks a listing form; every problem is reported against
//! its field, in the order of the form, and nothing is saved unless all of it is right.
use super::values::{Pence, Postcode, PostcodeDistrict, collect, required_text, whole_number};
use crate::error::AppError;
use app::{CATEGORIES, FieldError, ListingForm, SPECIALISMS, UNITS, WEEKDAYS};

/// The most a listing may charge for one unit: far above any real price, so a typo is caught.
pub const PRICE_CAP: Pence = Pence::from_pence(500_000); // £5,000
/// Home care visits are at least this long (DESIGN.md: unless a care plan says otherwise).
pub const SHORTEST_HOME_CARE_VISIT: u32 = 30;
/// How delivered time may be rounded, in minutes.
pub const BILLING_INCREMENTS: &[u32] = &[1, 5, 10, 15, 30, 60];

/// A listing whose every field has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidListing {
    pub category: String,
    pub title: String,
    pub description: String,
    pub unit: String,
    pub price: Pence,
    pub min_visit_minutes: u32,
    pub billing_increment_minutes: u32,
    pub cancellation_notice_hours: u32,
    pub late_cancellation_percent: u32,
    pub carer_gender: String,
    pub areas: Vec<PostcodeDistrict>,
    /// Distances are measured from the centre of the base postcode's district: the
    /// finest location the directory holds.
    pub base: Option<(PostcodeDistrict, u32)>,
    /// (weekday 1 = Monday .. 7, opens, closes) in minutes from midnight.
    pub hours: Vec<(u8, u16, u16)>,
    pub languages: Vec<String>,
    pub specialisms: Vec<String>,
}

/// Checks every field of a listing form.
pub fn validate_listing(form: &ListingForm) -> Result<ValidListing, AppError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let category = collect(&mut errors, one_of("category", &form.category, CATEGORIES, "Choose the type of care and support"));
    let title = collect(&mut errors, required_text("title", &form.title, "a title", 120));
    let description = collect(&mut errors, required_text("description", &form.description, "a description", 2_000));
    let unit = collect(&mut errors, one_of("unit", &form.unit, UNITS, "Choose what the price is for"));
    let price = collect(&mut errors, Pence::parse_price("price", &form.price, "the price", PRICE_CAP));
    let min_visit = collect(&mut errors, whole_number("min_visit_minutes", &form.min_visit_minutes, "the shortest visit, in minutes", 0, 720));
    if let (Some(minutes), Some("home_care")) = (min_visit, category.as_deref())
        && minutes < SHORTEST_HOME_CARE_VISIT
    {
        errors.push(FieldError::new("min_visit_minutes", format!("Home care visits must be at least {SHORTEST_HOME_CARE_VISIT} minutes")));
    }
    let increment = collect(&mut errors, billing_increment(&form.billing_increment_minutes));
    let notice =
        collect(&mut errors, whole_number("cancellation_notice_hours", &form.cancellation_notice_hours, "how many hours' notice you need to cancel", 0, 168));
    let late_percent = collect(
        &mut errors,
        whole_number("late_cancellation_percent", &form.late_cancellation_percent, "what percentage you charge for a late cancellation", 0, 100),
    );
    let carer_gender = collect(&mut errors, one_of("carer_gender", &form.carer_gender, &["any", "female", "male"], "Choose who can provide the care"));
    let (areas, base) = collect(&mut errors, areas_served(form)).unzip();
    let hours = collect(&mut errors, weekly_hours(&form.hours, unit.as_deref() == Some("item")));
    let languages = collect(&mut errors, languages(&form.languages));
    let specialisms = collect(&mut errors, specialisms(&form.specialisms));
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    match (category, title, description, unit, price, min_visit, increment, notice, late_percent, carer_gender, areas, base, hours, languages, specialisms) {
        (
            Some(category),
            Some(title),
            Some(description),
            Some(unit),
            Some(price),
            Some(min_visit_minutes),
            Some(billing_increment_minutes),
            Some(cancellation_notice_hours),
            Some(late_cancellation_percent),
            Some(carer_gender),
            Some(areas),
            Some(base),
            Some(hours),
            Some(languages),
            Some(specialisms),
        ) => Ok(ValidListing {
            category,
            title,
            description,
            unit,
            price,
            min_visit_minutes,
            billing_increment_minutes,
            cancellation_notice_hours,
            late_cancellation_percent,
            carer_gender,
            areas,
            base,
            hours,
            languages,
            specialisms,
        }),
        _ => Err(AppError::internal("a listing field was neither valid nor reported")),
    }
}

fn one_of(field: &str, input: &str, allowed: &[&str], message: &str) -> Result<String, AppError> {
    let value = input.trim();
    if allowed.contains(&value) { Ok(value.to_string()) } else { Err(AppError::invalid(field, message)) }
}

fn billing_increment(input: &str) -> Result<u32, AppError> {
    let message = "Choose how delivered time is rounded: to the nearest 1, 5, 10, 15, 30 or 60 minutes";
    input.trim().parse().ok().filter(|minutes| BILLING_INCREMENTS.contains(minutes)).ok_or_else(|| AppError::invalid("billing_increment_minutes", message))
}

/// Districts listed, and a base district with how far from it, in kilometres.
type AreasServed = (Vec<PostcodeDistrict>, Option<(PostcodeDistrict, u32)>);

/// Districts and/or a base postcode with a radius; at least one of the two.
fn areas_served(form: &ListingForm) -> Result<AreasServed, AppError> {
    let mut districts = Vec::new();
    for word in form.areas.split([',', ' ', ';']).filter(|word| !word.trim().is_empty()) {
        let district = PostcodeDistrict::parse("areas", word)
            .map_err(|_| AppError::invalid("areas", format!("{} is not a postcode district: enter districts like NE3, NE4", word.trim())))?;
        if !districts.contains(&district) {
            districts.push(district);
        }
    }
    let (postcode, radius) = (form.base_postcode.trim(), form.radius_km.trim());
    let base = match (postcode.is_empty(), radius.is_empty()) {
        (true, true) => None,
        (false, true) => return Err(AppError::invalid("radius_km", "Enter how far from your base postcode you travel, in kilometres")),
        (true, false) => return Err(AppError::invalid("base_postcode", "Enter the postcode you travel from")),
        (false, false) => Some((base_district(postcode)?, whole_number("radius_km", radius, "how far you travel, in kilometres", 1, 200)?)),
    };
    if districts.is_empty() && base.is_none() {
        return Err(AppError::invalid("areas", "Enter the postcode districts you cover, or a base postcode and how far you travel"));
    }
    Ok((districts, base))
}

/// A full postcode ("NE3 1AB") or just its district ("NE3").
fn base_district(input: &str) -> Result<PostcodeDistrict, AppError> {
    Postcode::parse("base_postcode", input)
        .map(|postcode| postcode.district())
        .or_else(|_| PostcodeDistrict::parse("base_postcode", input))
        .map_err(|_| AppError::invalid("base_postcode", "Enter the postcode you travel from, like NE3 1AB or NE3"))
}

/// Seven days of opening hours. Items (equipment) need none; everything else needs at least one day.
fn weekly_hours(days: &[app::DayHours], hours_optional: bool) -> Result<Vec<(u8, u16, u16)>, AppError> {
    let mut errors = Vec::new();
    let mut windows = Vec::new();
    for (index, day) in days.iter().take(7).enumerate() {
        let name = WEEKDAYS[index];
        let field = format!("hours-{index}-opens");
        match (day.opens.trim(), day.closes.trim()) {
            ("", "") => {}
            ("", _) | (_, "") => errors.push(FieldError::new(&field, format!("Enter both the opening and the closing time for {name}"))),
            (opens, closes) => match (time_of_day(opens), time_of_day(closes)) {
                (Some(opens), Some(closes)) if opens < closes => windows.push((index as u8 + 1, opens, closes)),
                (Some(_), Some(_)) => errors.push(FieldError::new(&field, format!("{name}'s closing time must be after its opening time"))),
                _ => errors.push(FieldError::new(&field, format!("Enter {name}'s times like 08:00 or 17:30"))),
            },
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if windows.is_empty() && !hours_optional {
        return Err(AppError::invalid("hours-0-opens", "Enter the hours you are available on at least one day"));
    }
    Ok(windows)
}

/// "08:00" → 480; "24:00" → 1440 (closing at midnight).
pub fn time_of_day(text: &str) -> Option<u16> {
    let (hours, minutes) = text.split_once(':')?;
    let digits = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit());
    let two_digit_minutes = digits(hours) && digits(minutes) && minutes.len() == 2;
    let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
    let valid = two_digit_minutes && text.len() <= 5 && minutes < 60 && (hours < 24 || (hours == 24 && minutes == 0));
    valid.then_some(hours * 60 + minutes)
}

pub fn languages(input: &str) -> Result<Vec<String>, AppError> {
    let mut languages: Vec<String> = Vec::new();
    for language in input.split(',').map(str::trim).filter(|language| !language.is_empty()) {
        if language.chars().count() > 40 || !language.chars().all(|c| c.is_alphabetic() || " -'".contains(c)) {
            return Err(AppError::invalid("languages", format!("\"{language}\" is not a language name: separate languages with commas")));
        }
        if !languages.iter().any(|known| known.eq_ignore_ascii_case(language)) {
            languages.push(language.to_string());
        }
    }
    if languages.len() > 12 {
        return Err(AppError::invalid("languages", "List at most 12 languages"));
    }
    Ok(languages)
}

fn specialisms(codes: &[String]) -> Result<Vec<String>, AppError> {
    let mut chosen: Vec<String> = Vec::new();
    for code in codes {
        if !SPECIALISMS.iter().any(|(known, _)| known == code) {
            return Err(AppError::invalid("specialisms", "Choose specialisms from the list"));
        }
        if !chosen.contains(code) {
            chosen.push(code.clone());
        }
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::DayHours;

    fn good_form() -> ListingForm {
        let mut hours = vec![DayHours::default(); 7];
        hours[0] = DayHours { opens: "07:00".into(), closes: "22:00".into() };
        hours[5] = DayHours { opens: "09:00".into(), closes: "17:30".into() };
        ListingForm {
            category: "home_care".into(),
            title: "Home care in Gosforth".into(),
            description: "Help at home with washing, dressing and meals.".into(),
            unit: "hour".into(),
            price: "£24.50".into(),
            min_visit_minutes: "30".into(),
            billing_increment_minutes: "15".into(),
            cancellation_notice_hours: "24".into(),
            late_cancellation_percent: "50".into(),
            carer_gender: "any".into(),
            areas: "ne3, NE4 ne3".into(),
            base_postcode: String::new(),
            radius_km: String::new(),
            hours,
            languages: "English, Polish, english".into(),
            specialisms: vec!["dementia".into(), "stroke".into(), "dementia".into()],
        }
    }

    fn problems(form: &ListingForm) -> Vec<(String, String)> {
        match validate_listing(form) {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_form_becomes_a_listing_with_pence_minutes_and_districts() {
        let listing = validate_listing(&good_form()).unwrap();
        assert_eq!(listing.price.pence(), 2_450);
        assert_eq!(listing.areas.iter().map(PostcodeDistrict::as_str).collect::<Vec<_>>(), ["NE3", "NE4"]);
        assert_eq!(listing.hours, [(1, 420, 1_320), (6, 540, 1_050)]);
        assert_eq!(listing.languages, ["English", "Polish"]);
        assert_eq!(listing.specialisms, ["dementia", "stroke"]);
        assert_eq!(listing.base, None);
    }

    #[test]
    fn every_bad_field_is_reported_against_its_field_in_form_order() {
        let mut form = good_form();
        form.category = "surgery".into();
        form.title = " ".into();
        form.price = "24.505".into();
        form.min_visit_minutes = "15".into();
        form.billing_increment_minutes = "7".into();
        form.late_cancellation_percent = "150".into();
        form.areas = "NE3, Gosforth".into();
        form.hours[2] = DayHours { opens: "17:00".into(), closes: "09:00".into() };
        form.hours[3] = DayHours { opens: "9am".into(), closes: "5pm".into() };
        form.hours[4] = DayHours { opens: "09:00".into(), closes: String::new() };
        form.specialisms.push("astrology".into());
        assert_eq!(
            problems(&form),
            [
                ("category", "Choose the type of care and support"),
                ("title", "Enter a title"),
                ("price", "Enter the price in pounds and pence, like 24.50"),
                ("billing_increment_minutes", "Choose how delivered time is rounded: to the nearest 1, 5, 10, 15, 30 or 60 minutes"),
                ("late_cancellation_percent", "Enter what percentage you charge for a late cancellation: a number from 0 to 100"),
                ("areas", "Gosforth is not a postcode district: enter districts like NE3, NE4"),
                ("hours-2-opens", "Wednesday's closing time must be after its opening time"),
                ("hours-3-opens", "Enter Thursday's times like 08:00 or 17:30"),
                ("hours-4-opens", "Enter both the opening and the closing time for Friday"),
                ("specialisms", "Choose specialisms from the list"),
            ]
            .map(|(field, message)| (field.to_string(), message.to_string()))
        );
    }

    #[test]
    fn home_care_visits_are_at_least_thirty_minutes_but_other_services_may_be_shorter() {
        let mut form = good_form();
        form.min_visit_minutes = "15".into();
        assert_eq!(problems(&form), [("min_visit_minutes".to_string(), "Home care visits must be at least 30 minutes".to_string())]);
        form.category = "cleaning_shopping".into();
        assert_eq!(validate_listing(&form).unwrap().min_visit_minutes, 15);
    }

    #[test]
    fn areas_can_be_a_radius_from_a_base_postcode_but_need_both_halves() {
        let mut form = good_form();
        form.areas.clear();
        assert_eq!(problems(&form)[0].1, "Enter the postcode districts you cover, or a base postcode and how far you travel");
        form.base_postcode = "ne3 1ab".into();
        assert_eq!(problems(&form)[0], ("radius_km".into(), "Enter how far from your base postcode you travel, in kilometres".into()));
        form.radius_km = "8".into();
        let listing = validate_listing(&form).unwrap();
        let (district, radius) = listing.base.unwrap();
        assert_eq!((district.as_str(), radius), ("NE3", 8));
        form.base_postcode = "ne3".into();
        assert_eq!(validate_listing(&form).unwrap().base.unwrap().0.as_str(), "NE3");
        form.base_postcode = "newcastle".into();
        assert_eq!(problems(&form)[0].1, "Enter the postcode you travel from, like NE3 1AB or NE3");
        form.base_postcode = "NE3 1AB".into();
        form.radius_km = "500".into();
        assert_eq!(problems(&form)[0].1, "Enter how far you travel, in kilometres: a number from 1 to 200");
    }

    #[test]
    fn equipment_needs_no_opening_hours_but_care_does() {
        let mut form = good_form();
        form.hours = vec![DayHours::default(); 7];
        assert_eq!(problems(&form), [("hours-0-opens".to_string(), "Enter the hours you are available on at least one day".to_string())]);
        form.category = "equipment_telecare".into();
        form.unit = "item".into();
        assert!(validate_listing(&form).unwrap().hours.is_empty());
    }

    #[test]
    fn times_of_day_are_twenty_four_hour_clock_times() {
        assert_eq!(time_of_day("08:00"), Some(480));
        assert_eq!(time_of_day("8:05"), Some(485));
        assert_eq!(time_of_day("24:00"), Some(1_440));
        for bad in ["24:01", "12:60", "8", "8:5", "08:000", "noon", "-1:00", "08:5x", "+8:00"] {
            assert_eq!(time_of_day(bad), None, "{bad}");
        }
    }
}
