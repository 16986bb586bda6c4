//! The cookies CareMarket sets: the session, the CSRF token its forms echo back, and whom a
//! planner is acting for.
use axum::http::{HeaderMap, header};

pub const SESSION: &str = "cm_session";
/// The CSRF cookie's name; behind HTTPS the `__Host-` prefix, which browsers accept only from
/// this exact host, over HTTPS, for the whole site: no subdomain can plant one.
pub fn csrf_name(secure: bool) -> &'static str {
    if secure { "__Host-cm_csrf" } else { "cm_csrf" }
}
/// Whom a planner is acting for (a user id; checked against their permission on every request).
pub const ACTING_FOR: &str = "cm_acting_for";

/// The value of one cookie from the request, if present.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// Our tokens are 64 hex characters; anything else is ignored.
pub fn is_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

fn cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}")
}

pub fn session(token: &str, max_age_seconds: i64, secure: bool) -> String {
    cookie(SESSION, token, max_age_seconds, secure)
}

pub fn clear_session(secure: bool) -> String {
    cookie(SESSION, "", 0, secure)
}

/// Acting for someone lasts the browser session (no Max-Age); `None` stops it.
pub fn acting_for(holder_id: Option<i64>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match holder_id {
        Some(id) => format!("{ACTING_FOR}={id}; Path=/; HttpOnly; SameSite=Lax{secure}"),
        None => format!("{ACTING_FOR}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

pub fn csrf(token: &str, secure: bool) -> String {
    cookie(csrf_name(secure), token, 60 * 60 * 24 * 365, secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; cm_session=abc; b=2".parse().unwrap());
        assert_eq!(read(&headers, SESSION).as_deref(), Some("abc"));
        assert_eq!(read(&headers, csrf_name(false)), None);
    }

    #[test]
    fn cookies_are_http_only_and_same_site() {
        let value = session("t", 60, true);
        assert!(value.contains("HttpOnly") && value.contains("SameSite=Lax") && value.ends_with("; Secure"));
        assert!(clear_session(false).contains("Max-Age=0"));
        assert!(csrf("t", true).starts_with("__Host-cm_csrf=t; Path=/;") && csrf("t", true).ends_with("; Secure"));
    }
}
