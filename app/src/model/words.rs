//! Money, prices, times and codes written as people read them.
use super::{CATEGORIES, SPECIALISMS};

/// Pounds as plain decimal text, like "-1234.50": for forms and files, not for reading.
pub fn pounds_text(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", pence.unsigned_abs() / 100, pence.unsigned_abs() % 100)
}

/// "£1,234.50" from pence. Money is always whole pence; this is only for display.
pub fn format_pence(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let pence = pence.unsigned_abs();
    format!("{sign}£{}.{:02}", group_thousands(pence / 100), pence % 100)
}

/// "1,234,567"
pub fn group_thousands(number: u64) -> String {
    let digits = number.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// "£24.50 an hour"
pub fn format_price(pence: i64, unit: &str) -> String {
    let per = match unit {
        "hour" => "an hour",
        "visit" => "a visit",
        "session" => "a session",
        "day" => "a day",
        "week" => "a week",
        _ => "each",
    };
    format!("{} {per}", format_pence(pence))
}

/// Every type of care as (code, name), for a select's options.
pub fn category_choices() -> Vec<(String, String)> {
    CATEGORIES.iter().map(|code| ((*code).to_string(), category_label(code).to_string())).collect()
}

pub fn category_label(code: &str) -> &'static str {
    match code {
        "home_care" => "Home care",
        "personal_assistant" => "Personal assistant",
        "day_opportunities" => "Day opportunities",
        "respite" => "Respite and short breaks",
        "shared_lives" => "Shared Lives",
        "community_activities" => "Community activities",
        "cleaning_shopping" => "Cleaning and shopping",
        "equipment_telecare" => "Equipment and telecare",
        _ => "Other support",
    }
}

/// "Dementia" for `dementia`; an unknown code is shown as it is.
pub fn specialism_label(code: &str) -> &str {
    SPECIALISMS.iter().find(|(c, _)| *c == code).map_or(code, |(_, label)| label)
}

/// "08:30" from minutes after midnight (1440 is "24:00", closing at midnight).
pub fn format_clock(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

pub fn rating_label(code: &str) -> &'static str {
    match code {
        "outstanding" => "Outstanding",
        "good" => "Good",
        "requires_improvement" => "Requires improvement",
        "inadequate" => "Inadequate",
        "not_yet_rated" => "Not yet rated",
        _ => "Not regulated by the CQC",
    }
}

/// Text made safe to put inside HTML or SVG, in an element or a quoted attribute.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
