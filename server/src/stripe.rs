//! The card processor in production: Stripe, through async-stripe. Card details go from the
//! person's browser straight to Stripe (Stripe.js); we open payments, and learn they succeeded
//! only from Stripe's signed webhooks.
use crate::config::StripeConfig;
use crate::domain::card_payments::{CardEvent, CardProcessor, OpenedPayment};
use crate::error::{AppError, AppResult};
use app::CardForm;
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_core::PaymentIntent;
use stripe_core::payment_intent::{CreatePaymentIntent, RetrievePaymentIntent};
use stripe_core::refund::CreateRefund;
use stripe_types::Currency;
use stripe_webhook::{EventObject, Webhook};

pub struct Stripe {
    client: Client,
    config: StripeConfig,
}

impl Stripe {
    pub fn new(config: StripeConfig) -> Result<Self, String> {
        let mut builder = ClientBuilder::new(config.secret_key.clone());
        if let Some(base) = &config.api_base {
            builder = builder.url(base.as_str());
        }
        let client = builder.build().map_err(|error| format!("STRIPE_API_BASE: {error}"))?;
        Ok(Self { client, config })
    }

    /// The payment event in a webhook, if its signature is Stripe's (made with our secret in
    /// the last five minutes); `Ok(None)` for events we do not act on.
    pub fn verify(&self, body: &str, signature: &str) -> Result<Option<CardEvent>, String> {
        let event = Webhook::construct_event(body, signature, &self.config.webhook_secret).map_err(|error| error.to_string())?;
        Ok(match event.data.object {
            EventObject::PaymentIntentSucceeded(intent) => {
                Some(CardEvent::Succeeded { payment_id: intent.id.to_string(), amount_received_pence: intent.amount_received })
            }
            EventObject::PaymentIntentPaymentFailed(intent) => Some(CardEvent::Failed { payment_id: intent.id.to_string() }),
            EventObject::ChargeRefunded(charge) => charge.payment_intent.as_ref().map(|intent| CardEvent::Refunded { payment_id: intent.id().to_string() }),
            _ => None,
        })
    }
}

/// Sends a request with our own key, so a retried call is done once by Stripe.
fn idempotent(key: &str) -> AppResult<RequestStrategy> {
    Ok(RequestStrategy::Idempotent(IdempotencyKey::new(key).map_err(AppError::internal)?))
}

fn client_secret(intent: PaymentIntent) -> AppResult<String> {
    intent.client_secret.ok_or_else(|| AppError::internal("Stripe gave no client secret"))
}

fn unavailable(error: stripe::StripeError) -> AppError {
    tracing::error!(%error, "Stripe");
    AppError::internal("card payments are not available just now")
}

/// How long a call to Stripe may take before we stop waiting: a request holding a person's
/// page must not hang on it (a refund not answered in time is asked again later).
const STRIPE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

async fn in_time<T>(call: impl Future<Output = Result<T, stripe::StripeError>>) -> AppResult<T> {
    match tokio::time::timeout(STRIPE_TIMEOUT, call).await {
        Ok(answer) => answer.map_err(unavailable),
        Err(_) => {
            tracing::error!("Stripe did not answer within {} seconds", STRIPE_TIMEOUT.as_secs());
            Err(AppError::internal("card payments are not available just now"))
        }
    }
}

#[async_trait::async_trait]
impl CardProcessor for Stripe {
    async fn open_payment(&self, idempotency_key: &str, amount_pence: i64, description: &str) -> AppResult<OpenedPayment> {
        let create = CreatePaymentIntent::new(amount_pence, Currency::GBP).description(description).customize().request_strategy(idempotent(idempotency_key)?);
        let intent = in_time(create.send(&self.client)).await?;
        Ok(OpenedPayment { id: intent.id.to_string(), client_secret: client_secret(intent)? })
    }

    async fn client_secret(&self, payment_id: &str) -> AppResult<String> {
        client_secret(in_time(RetrievePaymentIntent::new(payment_id).send(&self.client)).await?)
    }

    async fn refund(&self, idempotency_key: &str, payment_id: &str) -> AppResult<()> {
        let create = CreateRefund::new().payment_intent(payment_id).customize().request_strategy(idempotent(idempotency_key)?);
        in_time(create.send(&self.client)).await?;
        Ok(())
    }

    fn card_form(&self, client_secret: String) -> CardForm {
        CardForm { client_secret, publishable_key: self.config.publishable_key.clone(), script_url: self.config.script_url.clone() }
    }
}
