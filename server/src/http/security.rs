//! What every response tells the browser it may do. The Content-Security-Policy lets a page run
//! only our own scripts: files from this site, the one inline script that starts the app
//! (carrying this response's nonce), and the app's WebAssembly; Stripe.js only on the card
//! payment page. HSTS when the site is served over HTTPS; Permissions-Policy turns off what
//! CareMarket never uses.
use crate::config::Config;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// This response's nonce, for Leptos to put on the scripts it writes inline.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// The policy's parts that do not change from one request to the next.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Stripe's origins for the card page: (script and frames, frames, API).
    stripe: Option<(String, String, String)>,
    hsts: bool,
}

impl Policy {
    pub fn new(config: &Config) -> Arc<Self> {
        let stripe = config.stripe.as_ref().and_then(|stripe| {
            let script = origin(&stripe.script_url)?;
            let api = stripe.api_base.as_deref().and_then(origin).unwrap_or_else(|| "https://api.stripe.com".into());
            // Stripe's own card fields are frames from js.stripe.com; 3-D Secure checks from hooks.stripe.com.
            let frames = if script == "https://js.stripe.com" { format!("{script} https://hooks.stripe.com") } else { script.clone() };
            Some((script, frames, api))
        });
        Arc::new(Self { stripe, hsts: config.secure_cookies })
    }

    fn content_security_policy(&self, nonce: &str, card_page: bool) -> String {
        let (mut scripts, mut frames, mut connect) = (format!("'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"), "'none'".to_string(), "'self'".to_string());
        if let (true, Some((script, stripe_frames, api))) = (card_page, &self.stripe) {
            scripts = format!("{scripts} {script}");
            frames = stripe_frames.clone();
            connect = format!("{connect} {api}");
        }
        format!(
            "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src {connect}; \
             frame-src {frames}; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'"
        )
    }
}

/// A null character has no place in anything a person types, and PostgreSQL refuses it in
/// text: a request whose address holds one is refused here, at once, with a clear answer.
/// (Form bodies are checked where they are read, in `request_context`.)
pub fn holds_null(text: &[u8]) -> bool {
    // Decoded as often as anything downstream might decode it (the router decodes a page's
    // address again): "%2500" is a null too.
    let mut text = text.to_vec();
    for _ in 0..3 {
        if text.contains(&0) {
            return true;
        }
        let decoded = percent_decoded(&text);
        if decoded == text {
            return false;
        }
        text = decoded;
    }
    text.contains(&0)
}

fn percent_decoded(text: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    while at < text.len() {
        match (text[at], text.get(at + 1).copied().and_then(hex), text.get(at + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push(high * 16 + low);
                at += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                at += 1;
            }
        }
    }
    out
}

pub fn null_refused() -> Response {
    (axum::http::StatusCode::BAD_REQUEST, "This request holds a null character, which cannot be used. Check what was typed and try again.").into_response()
}

pub async fn headers(State(policy): State<Arc<Policy>>, mut request: Request, next: Next) -> Response {
    if request.uri().path_and_query().is_some_and(|target| holds_null(target.as_str().as_bytes())) {
        return null_refused();
    }
    let nonce = crate::domain::auth::random_token().map(|token| token[..32].to_string()).unwrap_or_default();
    let card_page = is_card_page(request.uri().path());
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(header::CONTENT_SECURITY_POLICY, &policy.content_security_policy(&nonce, card_page));
    set(HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), usb=(), serial=(), payment=(self), geolocation=(self)");
    if policy.hsts {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
    response
}

/// `/budget/pay/<id>`: the only page that loads Stripe.js.
fn is_card_page(path: &str) -> bool {
    path.strip_prefix("/budget/pay/").is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// `scheme://host[:port]` of an address.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next().filter(|host| !host.is_empty())?;
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_is_allowed_on_the_card_page_only() {
        let mut config = Config::for_tests("sqlite::memory:");
        config.stripe = Some(crate::config::StripeConfig {
            secret_key: "sk".into(),
            webhook_secret: "wh".into(),
            publishable_key: "pk".into(),
            api_base: None,
            script_url: "https://js.stripe.com/v3/".into(),
        });
        let policy = Policy::new(&config);
        let card = policy.content_security_policy("abc", true);
        assert!(card.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval' https://js.stripe.com;"), "{card}");
        assert!(
            card.contains("frame-src https://js.stripe.com https://hooks.stripe.com;") && card.contains("connect-src 'self' https://api.stripe.com;"),
            "{card}"
        );
        let other = policy.content_security_policy("abc", false);
        assert!(!other.contains("stripe") && other.contains("frame-src 'none'"), "{other}");
        assert!(is_card_page("/budget/pay/12") && !is_card_page("/budget/pay") && !is_card_page("/budget/pay/12/x"));
        assert_eq!(origin("http://127.0.0.1:4242/js.stripe.com/v3/").as_deref(), Some("http://127.0.0.1:4242"));
        assert!(holds_null(b"/bookings/%00") && holds_null(b"a\0b") && holds_null(b"/x/%2500") && !holds_null(b"/bookings/%0A%100") && !holds_null(b"q=50%25"));
    }
}
