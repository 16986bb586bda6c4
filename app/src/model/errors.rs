//! Errors as the browser sees them.
use serde::{Deserialize, Serialize};

/// One problem with one field, in words for the person who filled in the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The `id` of the input, so the error summary can link to it.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Errors as the browser sees them: specific, kind, and never database text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum UiError {
    #[error("There is a problem with what was entered")]
    Invalid(Vec<FieldError>),
    #[error("Enter the email address and password you registered with")]
    SignInFailed,
    #[error("Too many attempts. Wait {minutes} minutes, then try again")]
    Throttled { minutes: u32 },
    #[error("CareMarket is very busy just now. Wait a minute, then try again")]
    Busy,
    #[error("Sign in to see this page")]
    SignInRequired,
    #[error("You do not have access to this page")]
    Forbidden,
    #[error("We could not find that page")]
    NotFound,
    #[error("Sorry, something went wrong on our side. Please try again later")]
    Unexpected,
    #[error("We could not reach CareMarket. Check your connection and try again")]
    Transport(String),
}

impl UiError {
    /// The HTTP status this refusal is answered with: the one place that decides it for every
    /// server function.
    pub fn status(&self) -> u16 {
        match self {
            UiError::Invalid(_) => 422,
            UiError::SignInFailed | UiError::SignInRequired => 401,
            UiError::Throttled { .. } => 429,
            UiError::Busy => 503,
            UiError::Forbidden => 403,
            UiError::NotFound => 404,
            UiError::Unexpected | UiError::Transport(_) => 500,
        }
    }

    /// The messages to show against each field, or one general message.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            UiError::Invalid(errors) => errors.clone(),
            other => vec![FieldError::new("", other.to_string())],
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for UiError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr;
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                UiError::Invalid(vec![FieldError::new("", "Some of the form was missing. Fill in every field and try again")])
            }
            // On the server, what could not be read is what was sent: bad input, said so.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Deserialization(_) => {
                UiError::Invalid(vec![FieldError::new("", "Some of what was sent could not be read. Check it and try again")])
            }
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Request(detail) | ServerFnErrorErr::Deserialization(detail) => UiError::Transport(detail),
            _ => UiError::Unexpected,
        }
    }
}
