//! Who is looking: roles, the signed-in person, and safe places to send them back to.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    BudgetHolder,
    Planner,
    Provider,
    Commissioner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::BudgetHolder, Role::Planner, Role::Provider, Role::Commissioner];

    /// The code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Role::BudgetHolder => "budget_holder",
            Role::Planner => "planner",
            Role::Provider => "provider",
            Role::Commissioner => "commissioner",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.code() == code)
    }

    /// The last segment of the role's dashboard address.
    pub fn slug(self) -> &'static str {
        match self {
            Role::BudgetHolder => "budget-holder",
            Role::Planner => "planner",
            Role::Provider => "provider",
            Role::Commissioner => "commissioner",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::BudgetHolder => "budget holder",
            Role::Planner => "support planner",
            Role::Provider => "provider",
            Role::Commissioner => "commissioner",
        }
    }

    pub fn dashboard_path(self) -> String {
        format!("/dashboard/{}", self.slug())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub user_id: i64,
    pub display_name: String,
    pub role: Role,
    pub council_id: i64,
    pub provider_id: Option<i64>,
}

/// Who is looking at a page, and the token their forms must carry back (CSRF protection).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Viewer {
    pub user: Option<SignedInUser>,
    pub csrf_token: String,
    /// The person a planner is acting for now (checked against their permission on every request).
    pub acting_for: Option<ActingFor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActingFor {
    pub user_id: i64,
    pub display_name: String,
    pub can_book: bool,
}

/// Percent-encodes a value for a query string.
/// A place on this site to go back to (after signing in, say), parsed as the path and query of
/// one of our own addresses: a single leading `/`, then only the characters an address's path
/// and query may hold (RFC 3986), with every `%` escape well formed. Anything else is refused:
/// another site (`//evil.example`), or a tab, line break or backslash that a browser would drop
/// or read as `/` on its way to somewhere else.
pub fn safe_return_path(next: Option<&str>) -> Option<String> {
    let path = next?;
    let bytes = path.as_bytes();
    let plain = |byte: u8| byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&byte);
    let mut at = 0;
    while at < bytes.len() {
        at += match bytes[at] {
            b'%' if bytes.get(at + 1).is_some_and(u8::is_ascii_hexdigit) && bytes.get(at + 2).is_some_and(u8::is_ascii_hexdigit) => 3,
            byte if plain(byte) => 1,
            _ => return None,
        };
    }
    (path.starts_with('/') && !path.starts_with("//") && path.len() <= 2_000).then(|| path.to_string())
}

/// `/sign-in`, with `next` set to return to `path` afterwards if it is one of ours.
pub fn sign_in_then(path: &str) -> String {
    match safe_return_path(Some(path)) {
        // Escaped just enough to stay one query value; slashes stay readable.
        Some(path) => format!("/sign-in?next={}", path.replace('%', "%25").replace('&', "%26").replace('+', "%2B").replace('=', "%3D").replace('?', "%3F")),
        None => "/sign-in".to_string(),
    }
}

pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
