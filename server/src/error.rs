//! One error type for the server. Expected failures are variants the person can act on;
//! database and other unexpected errors are logged with context and shown as an opaque
//! "something went wrong".
use app::{FieldError, UiError};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("sign-in refused")]
    SignInFailed,
    #[error("too many attempts")]
    Throttled { minutes: u32 },
    /// Too much work waiting (passwords to hash): refused at once rather than queued.
    #[error("too busy")]
    Busy,
    #[error("not signed in")]
    SignInRequired,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A budget account holds less than a transfer asked for; callers say what it was for.
    #[error("not enough money: {available_pence} pence available")]
    ShortOfMoney { available_pence: i64 },
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// Something that should not happen; what caused it is kept, whole, for the log.
    #[error("{0}")]
    Internal(BoxError),
}

/// Any error, kept with its own chain of causes.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    /// An unexpected failure: a sentence saying what went wrong, or the error itself.
    pub fn internal(cause: impl Into<BoxError>) -> Self {
        Self::Internal(cause.into())
    }
}

/// Where a refusal is answered. Our own pages and APIs answer bad input with 422; the Open
/// Referral API answers it with 400, as that standard's clients expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Ours,
    OpenReferral,
}

/// The HTTP status for a refusal: `UiError::status` decides, for every edge, with the one
/// exception `Edge` names.
pub fn status(error: &UiError, edge: Edge) -> axum::http::StatusCode {
    let code = match (error, edge) {
        (UiError::Invalid(_), Edge::OpenReferral) => 400,
        (error, _) => error.status(),
    };
    axum::http::StatusCode::from_u16(code).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR)
}

/// An error and every cause under it, for the log: "a: b: c".
fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}

impl From<AppError> for UiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Invalid(fields) => UiError::Invalid(fields),
            AppError::SignInFailed => UiError::SignInFailed,
            AppError::Throttled { minutes } => UiError::Throttled { minutes },
            AppError::Busy => UiError::Busy,
            AppError::SignInRequired => UiError::SignInRequired,
            AppError::Forbidden => UiError::Forbidden,
            AppError::NotFound => UiError::NotFound,
            AppError::ShortOfMoney { available_pence } => UiError::Invalid(vec![FieldError::new(
                "amount",
                format!("There is not enough money in the budget: {} is available", app::format_pence(available_pence)),
            )]),
            AppError::Database(error) => {
                tracing::error!(error = %with_causes(&error), "database error");
                UiError::Unexpected
            }
            AppError::Internal(error) => {
                tracing::error!(error = %with_causes(error.as_ref()), "internal error");
                UiError::Unexpected
            }
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_is_422_on_our_edges_and_400_on_the_open_referral_api() {
        let invalid = UiError::from(AppError::invalid("postcode", "Enter a postcode"));
        assert_eq!(status(&invalid, Edge::Ours).as_u16(), 422);
        assert_eq!(status(&invalid, Edge::OpenReferral).as_u16(), 400);
        for edge in [Edge::Ours, Edge::OpenReferral] {
            assert_eq!(status(&UiError::Forbidden, edge).as_u16(), 403);
            assert_eq!(status(&UiError::NotFound, edge).as_u16(), 404);
            assert_eq!(status(&UiError::from(AppError::internal("a broken invariant")), edge).as_u16(), 500);
        }
    }

    #[test]
    fn an_internal_error_keeps_its_cause_for_the_log() {
        let cause = std::io::Error::other("disk full");
        let outer = AppError::internal(cause);
        let AppError::Internal(kept) = &outer else { panic!("not internal: {outer:?}") };
        assert!(kept.downcast_ref::<std::io::Error>().is_some(), "the cause's own type is kept");
        let chain = with_causes(&DbErr::Conn(sea_orm::RuntimeErr::Internal("refused".into())));
        assert!(chain.contains("refused"), "{chain}");
    }
}
