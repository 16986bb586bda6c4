//! The fake Stripe API the test script starts (`tests/stripe/localstripe_server.py`, on
//! loopback, its URL in `CAREMARKET_TEST_STRIPE`), and a small HTTP/1.1 client for doing
//! what Stripe.js and Stripe's servers would: confirm a payment with a test card, read a
//! payment back, and sign webhooks.
use server::config::StripeConfig;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const SECRET_KEY: &str = "sk_test_caremarket";
pub const WEBHOOK_SECRET: &str = "whsec_test_caremarket";

/// localstripe's base URL. The card payment tests need it: they test against a real
/// (fake) Stripe server, never a mock in the process.
pub fn base_url() -> String {
    std::env::var("CAREMARKET_TEST_STRIPE").ok().filter(|url| !url.is_empty()).expect(
        "card payment tests need localstripe: run .ci/test, or start tests/stripe/localstripe_server.py --port 0 \
         (from tests/stripe/.venv after .ci/setup --test) and set CAREMARKET_TEST_STRIPE to the URL it prints",
    )
}

pub fn settings() -> StripeConfig {
    let base = base_url();
    StripeConfig {
        secret_key: SECRET_KEY.into(),
        webhook_secret: WEBHOOK_SECRET.into(),
        publishable_key: "pk_test_caremarket".into(),
        script_url: format!("{base}/js.stripe.com/v3/"),
        api_base: Some(base),
    }
}

/// Registers a webhook endpoint (each test app its own) for every event.
pub async fn deliver_webhooks_to(url: &str) {
    static ENDPOINTS: AtomicUsize = AtomicUsize::new(0);
    let id = format!("caremarket_{}_{}", std::process::id(), ENDPOINTS.fetch_add(1, Ordering::SeqCst));
    let (status, body) = send("POST", &format!("/_config/webhooks/{id}"), &[("url", url), ("secret", WEBHOOK_SECRET)]).await;
    assert_eq!(status, 200, "register a webhook with localstripe: {body}");
}

/// Pays an open payment with a test card, as Stripe.js does in the browser
/// (`pm_card_visa` succeeds, `pm_card_visa_chargeDeclined` is declined).
pub async fn pay_with(payment_id: &str, card: &str) -> (u16, serde_json::Value) {
    let (status, body) = send("POST", &format!("/v1/payment_intents/{payment_id}/confirm"), &[("payment_method", card)]).await;
    (status, serde_json::from_str(&body).unwrap_or_default())
}

/// A payment as Stripe holds it.
pub async fn payment(payment_id: &str) -> serde_json::Value {
    let (status, body) = send("GET", &format!("/v1/payment_intents/{payment_id}"), &[]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("a payment intent")
}

/// A charge as Stripe holds it (how much of it was refunded).
pub async fn charge(charge_id: &str) -> serde_json::Value {
    let (status, body) = send("GET", &format!("/v1/charges/{charge_id}"), &[]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("a charge")
}

/// A webhook body for `event_type` about this payment, as Stripe would send it, and its
/// `Stripe-Signature` header made with `secret`.
pub fn signed_event(event_type: &str, payment: &serde_json::Value, secret: &str) -> (String, String) {
    static EVENTS: AtomicUsize = AtomicUsize::new(0);
    let body = serde_json::json!({
        "id": format!("evt_test_{}_{}", std::process::id(), EVENTS.fetch_add(1, Ordering::SeqCst)),
        "object": "event",
        "api_version": "2026-09-30.endive",
        "created": chrono::Utc::now().timestamp(),
        "livemode": false,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": event_type,
        "data": { "object": payment },
    })
    .to_string();
    let signature = stripe_webhook::Webhook::generate_test_header(&body, secret, None);
    (body, signature)
}

/// One request to localstripe, form-encoded, with the test secret key.
async fn send(method: &str, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let base = base_url();
    let address = base.trim_start_matches("http://").trim_end_matches('/');
    let body = serde_urlencoded::to_string(form).expect("a form");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {SECRET_KEY}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(address).await.expect("localstripe is listening");
    stream.write_all(request.as_bytes()).await.expect("send to localstripe");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await.expect("read from localstripe");
    let reply = String::from_utf8_lossy(&reply).into_owned();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
    let status = head.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    // localstripe answers with a length, never chunked, so the rest is the body.
    (status, body.to_string())
}
