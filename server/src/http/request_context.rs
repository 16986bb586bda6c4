//! Runs before every request: works out who is asking (session cookie), gives every visitor
//! a CSRF token, and refuses any state-changing request that did not come from one of our
//! own pages. The result is placed in the request for pages and server functions to read.
use super::cookies;
use crate::domain::{auth, delegations};
use crate::state::AppState;
use app::Viewer;
use app::port::RequestInfo;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use std::net::SocketAddr;

/// The largest form body the CSRF check will read; the upload forms (a spreadsheet of placements)
/// may be larger.
const MAX_FORM_BYTES: usize = 256 * 1024;
const MAX_UPLOAD_BYTES: usize = 4 * 1024 * 1024;
const UPLOAD_ROUTES: [&str; 1] = ["/api/import-offline-placements"];

pub async fn request_context(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let existing_csrf = cookies::read(&parts.headers, cookies::csrf_name(state.config.secure_cookies)).filter(|token| cookies::is_token(token));
    let (csrf_token, new_csrf_cookie) = match existing_csrf {
        Some(token) => (token, None),
        None => match auth::random_token() {
            Ok(token) => {
                let cookie = cookies::csrf(&token, state.config.secure_cookies);
                (token, Some(cookie))
            }
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
    };

    let body = if is_state_changing(&parts.method) {
        let limit = if UPLOAD_ROUTES.contains(&parts.uri.path()) { MAX_UPLOAD_BYTES } else { MAX_FORM_BYTES };
        let bytes = match to_bytes(body, limit).await {
            Ok(bytes) => bytes,
            Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "That form is too large to send.").into_response(),
        };
        if super::security::holds_null(&bytes) {
            return super::security::null_refused();
        }
        if !from_our_pages(&parts, &bytes, new_csrf_cookie.is_none().then_some(csrf_token.as_str()), state.config.public_url.as_deref()) {
            tracing::warn!(path = %parts.uri.path(), "refused a request without a valid CSRF token");
            return csrf_refused();
        }
        Body::from(bytes)
    } else {
        body
    };

    let session_token = cookies::read(&parts.headers, cookies::SESSION).filter(|token| cookies::is_token(token));
    let user = match &session_token {
        Some(token) => match auth::user_for_session(&state.db, token, chrono::Utc::now()).await {
            Ok(user) => user.and_then(|user| auth::signed_in_user(&user).ok()),
            Err(error) => {
                tracing::error!(%error, "could not look up a session");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        },
        None => None,
    };
    // A planner acting for someone: only while that person's permission lasts.
    let acting_for = match (&user, cookies::read(&parts.headers, cookies::ACTING_FOR).and_then(|id| id.parse::<i64>().ok())) {
        (Some(planner), Some(holder_id)) => match delegations::acting_for(&state.db, planner, holder_id, chrono::Utc::now()).await {
            Ok(acting) => acting,
            Err(error) => {
                tracing::error!(%error, "could not check whom a planner acts for");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        },
        _ => None,
    };
    let client_key = client_address(&parts, state.config.trusted_proxies);
    parts.extensions.insert(RequestInfo { viewer: Viewer { user, csrf_token, acting_for }, session_token, client_key });

    let mut response = next.run(Request::from_parts(parts, body)).await;
    if let Some(cookie) = new_csrf_cookie.and_then(|cookie| HeaderValue::from_str(&cookie).ok()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    // Pages show who is signed in: never let a shared cache keep them.
    response.headers_mut().entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// True when the request carries the visitor's CSRF token and no browser header says it
/// came from another site. Without a cookie there is nothing to match, so it fails. The
/// origin a form came from must be our public address when one is configured (a proxy in front
/// may rewrite Host), else the host the request was sent to.
fn from_our_pages(parts: &axum::http::request::Parts, body: &[u8], cookie_token: Option<&str>, public_url: Option<&str>) -> bool {
    let Some(expected) = cookie_token else { return false };
    let header = |name: &str| parts.headers.get(name).and_then(|value| value.to_str().ok());
    if matches!(header("sec-fetch-site"), Some("cross-site" | "same-site")) {
        return false;
    }
    if let Some(origin) = header("origin") {
        let ours = match (public_url, header("host")) {
            (Some(public), _) => origin == public,
            (None, Some(host)) => origin.split_once("://").map_or(origin, |(_, rest)| rest) == host,
            (None, None) => false,
        };
        if !ours {
            return false;
        }
    }
    let submitted = header("x-csrf-token").map(str::to_string).or_else(|| {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).ok()?.into_iter().find(|(name, _)| name == "csrf_token").map(|(_, value)| value)
    });
    submitted.is_some_and(|token| constant_time_equal(token.as_bytes(), expected.as_bytes()))
}

fn constant_time_equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// The client's address. Behind `proxies` proxies of ours, each appended the address it was
/// reached from to `X-Forwarded-For`: the client's is that many from the right. Entries to the
/// left of it were written by the client and are ignored.
fn client_address(parts: &axum::http::request::Parts, proxies: usize) -> String {
    let forwarded = || {
        let chain: Vec<&str> =
            parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(str::trim).collect();
        chain.len().checked_sub(proxies).and_then(|at| chain.get(at)).map(|address| (*address).to_string())
    };
    let from_proxy = if proxies > 0 { forwarded() } else { None };
    from_proxy.or_else(|| parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip().to_string())).unwrap_or_else(|| "unknown".into())
}

fn csrf_refused() -> Response {
    let page = r#"<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your form could not be sent – CareMarket</title></head>
<body><main><h1>Your form could not be sent</h1>
<p>This can happen if the page was open for a long time, or if the form came from another website.</p>
<p><a href="/">Go back to CareMarket</a>, open the page again and send the form from there.</p></main></body></html>"#;
    (StatusCode::FORBIDDEN, Html(page)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_comparison_is_still_a_comparison() {
        assert!(constant_time_equal(b"abc", b"abc"));
        assert!(!constant_time_equal(b"abc", b"abd"));
        assert!(!constant_time_equal(b"abc", b"abcd"));
    }
}
