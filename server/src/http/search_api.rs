//! The JSON search API (`GET /api/v1/search`): the same search as the home page, for other
//! apps. Public and read-only, so any site may call it (CORS `*`). Described by
//! `/openapi.json`.
use crate::domain::directory;
use crate::error::{AppError, Edge};
use crate::http::json_refusal;
use crate::search::params;
use crate::state::AppState;
use app::SearchForm;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

pub async fn search(State(state): State<AppState>, Query(form): Query<SearchForm>) -> Response {
    // The public API has no sign-in, so nobody searches "within my budget" through it.
    let answer = match params::search(&state.db, &state.postcodes, None, &form).await {
        Err(error) => json_refusal(error, Edge::Ours, UNAVAILABLE),
        Ok(search) => match search.run(state.search.as_ref()).await {
            Ok(results) => Json(directory::search_page(&form, search, results)).into_response(),
            Err(error) => json_refusal(AppError::internal(error), Edge::Ours, UNAVAILABLE),
        },
    };
    open_to_all(answer)
}

/// The API's description, for people and code generators.
pub async fn openapi() -> Response {
    let document = ([(header::CONTENT_TYPE, "application/json")], include_str!("openapi.json")).into_response();
    open_to_all(document)
}

const UNAVAILABLE: &str = "Search is not available just now";

fn open_to_all(mut response: Response) -> Response {
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}
