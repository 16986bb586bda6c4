//! `POST /stripe/webhook`: Stripe tells us a card payment succeeded or failed. Only a body
//! signed with our webhook secret is believed; anything else is refused and changes nothing.
//! A 500 makes Stripe send it again later, which is safe: settling is once per payment.
use crate::domain::card_payments;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: String) -> (StatusCode, &'static str) {
    let Some(stripe) = &state.stripe else { return (StatusCode::NOT_FOUND, "card payments are not switched on") };
    let Some(signature) = headers.get("stripe-signature").and_then(|value| value.to_str().ok()) else {
        return (StatusCode::BAD_REQUEST, "no Stripe-Signature header");
    };
    let event = match stripe.verify(&body, signature) {
        Ok(Some(event)) => event,
        Ok(None) => return (StatusCode::OK, "not an event we act on"),
        Err(error) => {
            tracing::warn!(%error, "a Stripe webhook refused");
            return (StatusCode::BAD_REQUEST, "the signature does not match");
        }
    };
    match card_payments::settle(&state.db, &event, state.config.clock.now()).await {
        Ok(_) => (StatusCode::OK, "settled"),
        Err(error) => {
            tracing::error!(%error, ?event, "a Stripe webhook could not be settled");
            (StatusCode::INTERNAL_SERVER_ERROR, "try again later")
        }
    }
}
