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
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
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
                tracing::error!(%error, "database error");
                UiError::Unexpected
            }
            AppError::Internal(error) => {
                tracing::error!(%error, "internal error");
                UiError::Unexpected
            }
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
