//! Validated values. Each `parse` says, in plain words, what is wrong with bad input.
use crate::error::AppError;
use app::FieldError;

/// A normalised (trimmed, lower-case) email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, input: &str) -> Result<Self, AppError> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err(AppError::invalid(field, "Enter your email address"));
        }
        let valid = email.len() <= 254
            && !email.chars().any(char::is_whitespace)
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && !domain.contains('@') && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
            });
        if valid { Ok(Self(email)) } else { Err(AppError::invalid(field, "Enter an email address in the correct format, like name@example.com")) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: long enough to be strong, short enough to hash quickly.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(field: &str, input: &str) -> Result<Self, AppError> {
        let chars = input.chars().count();
        if chars == 0 {
            Err(AppError::invalid(field, "Create a password"))
        } else if chars < Self::MIN_CHARS {
            Err(AppError::invalid(field, format!("Your password must be at least {} characters", Self::MIN_CHARS)))
        } else if chars > Self::MAX_CHARS {
            Err(AppError::invalid(field, format!("Your password must be {} characters or fewer", Self::MAX_CHARS)))
        } else {
            Ok(Self(input.to_string()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

/// Required free text with a length limit, trimmed.
pub fn required_text(field: &str, input: &str, what: &str, max_chars: usize) -> Result<String, AppError> {
    let text = input.trim();
    if text.is_empty() {
        Err(AppError::invalid(field, format!("Enter {what}")))
    } else if text.chars().count() > max_chars {
        Err(AppError::invalid(field, format!("{} must be {max_chars} characters or fewer", capitalise(what))))
    } else {
        Ok(text.to_string())
    }
}

/// Words someone wrote (a note, a review, a message): trimmed, at most `max_chars`; with
/// `when_empty`, some are needed and that is what an empty answer is told.
pub fn written(field: &str, input: &str, max_chars: usize, when_empty: Option<&str>) -> Result<String, AppError> {
    let text = input.trim();
    match when_empty {
        Some(message) if text.is_empty() => Err(AppError::invalid(field, message)),
        _ if text.chars().count() > max_chars => Err(AppError::invalid(field, format!("Write {max_chars} characters or fewer"))),
        _ => Ok(text.to_string()),
    }
}

pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// "Monday, Wednesday and Friday".
pub fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A UK telephone number: 10 or 11 digits (or +44 and 10 digits), spaces allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(field: &str, input: &str) -> Result<Self, AppError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(AppError::invalid(field, "Enter a telephone number"));
        }
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let allowed = text.chars().all(|c| c.is_ascii_digit() || " +()-".contains(c));
        let national = (digits.starts_with('0') && (10..=11).contains(&digits.len())) || (text.starts_with("+44") && digits.len() == 12);
        if allowed && national {
            Ok(Self(text.to_string()))
        } else {
            Err(AppError::invalid(field, "Enter a telephone number, like 0191 496 0000 or +44 191 496 0000"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A CQC location ID, like 1-123456789.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegulatorId(String);

impl RegulatorId {
    /// Empty input means "not registered with the CQC".
    pub fn parse_optional(field: &str, input: &str) -> Result<Option<Self>, AppError> {
        let text = input.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let valid = text.strip_prefix("1-").is_some_and(|digits| (9..=11).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()));
        if valid { Ok(Some(Self(text.to_string()))) } else { Err(AppError::invalid(field, "Enter a CQC location ID in the correct format, like 1-123456789")) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The characters around a typed value that are not part of it: spaces, tabs and line breaks.
/// Exactly these, so that a published document can say what is accepted.
pub const PADDING: [char; 4] = [' ', '\t', '\n', '\r'];

/// What was typed, without the padding around it.
pub fn typed(input: &str) -> &str {
    input.trim_matches(PADDING)
}

/// A whole number from `low` to `high`, in digits; `what` names it in messages ("the score").
pub fn whole_number(field: &str, input: &str, what: &str, low: u32, high: u32) -> Result<u32, AppError> {
    let text = typed(input);
    if text.is_empty() {
        return Err(AppError::invalid(field, format!("Enter {what}")));
    }
    // Digits only (`parse` would also take a "+"), so a number that does not parse is too large.
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::invalid(field, format!("Enter {what} as a whole number, like {}", low.max(1) * 15)));
    }
    match text.parse::<u32>() {
        Ok(number) if (low..=high).contains(&number) => Ok(number),
        _ => Err(AppError::invalid(field, format!("Enter {what}: a number from {low} to {high}"))),
    }
}

/// Keeps a field's value, or adds its problems to the list.
pub fn collect<T>(errors: &mut Vec<FieldError>, result: Result<T, AppError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(AppError::Invalid(fields)) => {
            errors.extend(fields);
            None
        }
        Err(other) => {
            errors.push(FieldError::new("", app::UiError::from(other).to_string()));
            None
        }
    }
}

/// An amount of money typed by a person ("24.50", "£1,234", "24.5"), held as whole pence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pence(i64);

impl Pence {
    /// A price: more than nothing and at most `max`. `what` names it in messages ("the price").
    pub fn parse_price(field: &str, input: &str, what: &str, max: Pence) -> Result<Self, AppError> {
        let text = typed(input);
        let text = text.strip_prefix('£').unwrap_or(text);
        if text.is_empty() {
            return Err(AppError::invalid(field, format!("Enter {what}")));
        }
        let (pounds, pennies) = text.split_once('.').unwrap_or((text, ""));
        let digits_only = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        // Commas may mark thousands (1,250), and only thousands.
        let grouped = pounds
            .split(',')
            .enumerate()
            .all(|(index, group)| digits_only(group) && if index == 0 { (1..=3).contains(&group.len()) && !group.starts_with('0') } else { group.len() == 3 });
        let pounds = if pounds.contains(',') && grouped { pounds.replace(',', "") } else { pounds.to_string() };
        let pounds = pounds.trim_start_matches('0');
        let well_formed = (!pounds.is_empty() || text.starts_with('0')) && digits_only(pounds) && digits_only(pennies) && pennies.len() <= 2;
        if !well_formed || pounds.len() > 9 {
            return Err(AppError::invalid(field, format!("Enter {what} in pounds and pence, like 24.50")));
        }
        let pounds: i64 = pounds.parse().unwrap_or(0);
        let pennies: i64 = format!("{pennies:0<2}").parse().unwrap_or(0);
        let amount = Self(pounds * 100 + pennies);
        if amount.0 == 0 {
            Err(AppError::invalid(field, format!("{} must be more than £0", capitalise(what))))
        } else if amount > max {
            Err(AppError::invalid(field, format!("{} must be {} or less", capitalise(what), app::format_pence(max.0))))
        } else {
            Ok(amount)
        }
    }

    pub const fn from_pence(pence: i64) -> Self {
        Self(pence)
    }

    pub fn pence(self) -> i64 {
        self.0
    }
}

/// A UK postcode district (the outward code), like NE3 or NE99: how areas served are listed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PostcodeDistrict(String);

impl PostcodeDistrict {
    pub fn parse(field: &str, input: &str) -> Result<Self, AppError> {
        let text = input.trim().to_uppercase();
        if text.is_empty() {
            return Err(AppError::invalid(field, "Enter a postcode district, like NE3"));
        }
        if is_outward_code(&text) {
            Ok(Self(text))
        } else {
            Err(AppError::invalid(field, format!("Enter a postcode district in the correct format, like NE3 (not {text})")))
        }
    }

    /// The district of a postcode as a person types it in a search, in full ("ne3 1ab", "NE31AB")
    /// or its first half ("NE3"), with nothing else: padding only around it and between halves.
    pub fn of_typed(input: &str) -> Option<Self> {
        let text = typed(input).to_ascii_uppercase();
        let (outward, inward) = match text.split_once(PADDING) {
            Some((outward, inward)) => (outward, Some(typed(inward))),
            // The second half is always three characters, so a full postcode needs no space.
            None if text.len() >= 5 && text.is_ascii() => (&text[..text.len() - 3], Some(&text[text.len() - 3..])),
            None => (text.as_str(), None),
        };
        (is_outward_code(outward) && inward.is_none_or(is_inward_code)).then(|| Self(outward.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A full UK postcode, normalised to capitals with one space: "ne3 1ab" → "NE3 1AB".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(field: &str, input: &str) -> Result<Self, AppError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        if compact.is_empty() {
            return Err(AppError::invalid(field, "Enter a postcode"));
        }
        // ASCII first: the split below counts bytes.
        let valid = compact.len() >= 5 && compact.is_ascii() && {
            let (outward, inward) = compact.split_at(compact.len() - 3);
            is_outward_code(outward) && is_inward_code(inward)
        };
        if valid {
            let (outward, inward) = compact.split_at(compact.len() - 3);
            Ok(Self(format!("{outward} {inward}")))
        } else {
            Err(AppError::invalid(field, "Enter a full postcode, like NE3 1AB"))
        }
    }

    pub fn district(&self) -> PostcodeDistrict {
        PostcodeDistrict(self.0.split(' ').next().unwrap_or_default().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The inward code: a digit and two letters (1AB).
fn is_inward_code(text: &str) -> bool {
    let mut chars = text.chars();
    text.len() == 3 && chars.next().is_some_and(|c| c.is_ascii_digit()) && chars.all(|c| c.is_ascii_uppercase())
}

/// The outward code: one or two letters, a digit, then an optional letter or digit (NE3, SW1A, M1).
fn is_outward_code(text: &str) -> bool {
    let letters = text.chars().take_while(char::is_ascii_uppercase).count();
    let rest = &text[letters..];
    let mut rest_chars = rest.chars();
    (1..=2).contains(&letters)
        && rest_chars.next().is_some_and(|c| c.is_ascii_digit())
        && rest.len() <= 2
        && rest_chars.all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(error: AppError) -> String {
        match error {
            AppError::Invalid(fields) => fields[0].message.clone(),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("email", "  Sam@Example.COM ").map(|e| e.0).ok(), Some("sam@example.com".into()));
        for bad in ["sam", "sam@", "@example.com", "sam@example", "sam@@example.com", "sam smith@example.com", "sam@.com"] {
            assert!(message(Email::parse("email", bad).unwrap_err()).contains("correct format"), "{bad}");
        }
        assert_eq!(message(Email::parse("email", " ").unwrap_err()), "Enter your email address");
    }

    #[test]
    fn passwords_need_twelve_characters() {
        assert!(NewPassword::parse("password", "correct horse battery").is_ok());
        assert_eq!(message(NewPassword::parse("password", "short").unwrap_err()), "Your password must be at least 12 characters");
        assert_eq!(format!("{:?}", NewPassword::parse("p", "a secret phrase").ok()), "Some(NewPassword(..))");
    }

    #[test]
    fn phone_numbers_are_uk_numbers() {
        assert!(PhoneNumber::parse("phone", "0191 496 0000").is_ok());
        assert!(PhoneNumber::parse("phone", "+44 191 496 0000").is_ok());
        assert!(PhoneNumber::parse("phone", "123").is_err());
        assert!(PhoneNumber::parse("phone", "0191 CALL NOW").is_err());
    }

    #[test]
    fn regulator_ids_look_like_cqc_location_ids() {
        assert!(RegulatorId::parse_optional("r", "").unwrap().is_none());
        assert!(RegulatorId::parse_optional("r", "1-123456789").unwrap().is_some());
        assert!(RegulatorId::parse_optional("r", "123456789").is_err());
        assert!(RegulatorId::parse_optional("r", "1-12345").is_err());
    }

    #[test]
    fn required_text_has_limits() {
        // Surrounding spaces are trimmed before the length is checked.
        assert_eq!(required_text("n", "  Tyne Care  ", "your organisation's name", 9).ok().as_deref(), Some("Tyne Care"));
        assert_eq!(
            message(required_text("n", "Tyne Care Ltd", "your organisation's name", 9).unwrap_err()),
            "Your organisation's name must be 9 characters or fewer"
        );
        assert_eq!(required_text("n", " Tyne ", "your organisation's name", 10).ok().as_deref(), Some("Tyne"));
        assert_eq!(message(required_text("n", "", "your name", 10).unwrap_err()), "Enter your name");
    }

    #[test]
    fn prices_are_typed_in_pounds_and_held_in_pence() {
        let cap = Pence::from_pence(1_000_000);
        let price = |input: &str| Pence::parse_price("price", input, "the price", cap).map(Pence::pence);
        assert_eq!(price("24.50").ok(), Some(2_450));
        assert_eq!(price(" £24.5 ").ok(), Some(2_450));
        assert_eq!(price("24").ok(), Some(2_400));
        assert_eq!(price("£1,234.05").ok(), Some(123_405));
        assert_eq!(message(price("").unwrap_err()), "Enter the price");
        for bad in ["24.505", "twenty", "-5", "24.-5", ".50", "1e3", "24,50.1.2"] {
            assert_eq!(message(price(bad).unwrap_err()), "Enter the price in pounds and pence, like 24.50", "{bad}");
        }
        assert_eq!(message(price("0.00").unwrap_err()), "The price must be more than £0");
        assert_eq!(message(price("10000.01").unwrap_err()), "The price must be £10,000.00 or less");
        assert_eq!(price("10000").ok(), Some(1_000_000));
        // Commas mark thousands, and only thousands; one pound sign.
        assert_eq!(price("1,250.5").ok(), Some(125_050));
        assert_eq!(price("0.05").ok(), Some(5));
        for bad in ["12,50", "01,250", "1,2345", "££24", "£ 24", "1 000"] {
            assert_eq!(message(price(bad).unwrap_err()), "Enter the price in pounds and pence, like 24.50", "{bad}");
        }
    }

    #[test]
    fn postcode_districts_are_outward_codes() {
        for (input, district) in [("ne3", "NE3"), (" NE99 ", "NE99"), ("M1", "M1"), ("SW1A", "SW1A")] {
            assert_eq!(PostcodeDistrict::parse("d", input).unwrap().as_str(), district);
        }
        for bad in ["3NE", "NE", "NEW12", "NE3 1AB", "N£3"] {
            assert!(PostcodeDistrict::parse("d", bad).is_err(), "{bad}");
        }
        assert_eq!(message(PostcodeDistrict::parse("d", "").unwrap_err()), "Enter a postcode district, like NE3");
    }

    #[test]
    fn a_typed_postcode_gives_its_district_and_nothing_else_does() {
        for (input, district) in [("ne3", "NE3"), (" NE3 1AB\r\n", "NE3"), ("ne31ab", "NE3"), ("SW1A\t 1AA", "SW1A"), ("M11AE", "M1")] {
            assert_eq!(PostcodeDistrict::of_typed(input).map(|district| district.0).as_deref(), Some(district), "{input:?}");
        }
        // Only spaces, tabs and line breaks are padding, and only around the halves.
        for bad in ["N E3", "NE3 1AB X", "NE31 AB", "NE3AB", "NE3 1A\u{17f}", "\u{a0}NE3", "NE3\u{2003}1AB", "", "3NE"] {
            assert!(PostcodeDistrict::of_typed(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn whole_numbers_are_digits() {
        assert_eq!(whole_number("n", " 007\t", "a day", 1, 7).ok(), Some(7));
        for bad in ["+3", "-1", "3.0", "\u{663}", "\u{a0}3"] {
            assert_eq!(message(whole_number("n", bad, "a day", 1, 7).unwrap_err()), "Enter a day as a whole number, like 15", "{bad:?}");
        }
        assert_eq!(message(whole_number("n", "99999999999", "a day", 1, 7).unwrap_err()), "Enter a day: a number from 1 to 7");
    }

    #[test]
    fn postcodes_are_normalised_and_know_their_district() {
        let postcode = Postcode::parse("p", " ne3  1ab ").unwrap();
        assert_eq!(postcode.as_str(), "NE3 1AB");
        assert_eq!(postcode.district().as_str(), "NE3");
        assert_eq!(Postcode::parse("p", "sw1a1aa").unwrap().as_str(), "SW1A 1AA");
        for bad in ["NE3", "NE3 1A", "NE3 AAB", "123 4AB", "NE3 1AB X", "aa\u{e9}\u{e9}", "\u{e9}\u{e9}\u{e9}"] {
            assert_eq!(message(Postcode::parse("p", bad).unwrap_err()), "Enter a full postcode, like NE3 1AB", "{bad}");
        }
    }
}
