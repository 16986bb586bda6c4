//! The Open Referral UK API under `/openreferral`: public, keyless, read-only, CORS `*`, no
//! cookies. Query parameters are checked here (a bad one is a 400 naming it); the documents
//! are built in `crate::domain::open_referral`.
use crate::domain::open_referral::{self as oruk, Filters, MAX_PER_PAGE, Paging, Taxonomy, Term};
use crate::error::{AppError, AppResult, Edge};
use crate::http::{json_refusal, json_refusal_saying};
use crate::state::AppState;
use app::{FieldError, UiError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;

pub const BASE: &str = "/openreferral";
/// Each word searched for is a condition on every service: a handful is plenty.
const MAX_SEARCH_WORDS: usize = 10;

/// The API's routes (path, handler).
pub fn routes() -> Vec<(String, MethodRouter<AppState>)> {
    vec![
        (BASE.to_string(), get(about)),
        (format!("{BASE}/"), get(about)),
        (format!("{BASE}/openapi.json"), get(openapi)),
        (format!("{BASE}/services"), get(services)),
        (format!("{BASE}/services/{{id}}"), get(service)),
        (format!("{BASE}/organizations"), get(organizations)),
        (format!("{BASE}/organizations/{{id}}"), get(organization)),
        (format!("{BASE}/taxonomies"), get(taxonomies)),
        (format!("{BASE}/taxonomy_terms"), get(taxonomy_terms)),
        (format!("{BASE}/service_at_locations"), get(service_at_locations)),
        (format!("{BASE}/{{*rest}}"), get(async || respond(Err(AppError::NotFound)))),
    ]
}

/// Every parameter any list takes, as typed (so a bad value gets our message, not a generic one).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    page: String,
    per_page: String,
    search: String,
    taxonomy_term_id: String,
    taxonomy_id: String,
    organization_id: String,
    modified_after: String,
    postcode: String,
    proximity: String,
}

/// A checked list request; `None` filters mean "a term nobody has", so the list is empty.
struct ListRequest {
    filters: Option<Filters>,
    paging: Paging,
}

async fn list_request(state: &AppState, params: &ListParams) -> AppResult<ListRequest> {
    let mut errors = Vec::new();
    let mut number = |field: &str, input: &str, low: u64, high: u64, default: u64| -> u64 {
        match input.trim() {
            "" => default,
            text => match text.parse::<u64>() {
                Ok(n) if (low..=high).contains(&n) => n,
                _ => {
                    errors.push(FieldError::new(field, format!("{field} must be a whole number from {low} to {high}")));
                    default
                }
            },
        }
    };
    let defaults = Paging::default();
    let paging =
        Paging { page: number("page", &params.page, 1, 1_000_000, 1), per_page: number("per_page", &params.per_page, 1, MAX_PER_PAGE, defaults.per_page) };
    let within = match params.proximity.trim() {
        "" => None,
        text => match text.parse::<f64>() {
            Ok(metres) if metres > 0.0 && metres <= 500_000.0 => Some(metres),
            _ => {
                errors.push(FieldError::new("proximity", "proximity must be a distance in metres from 1 to 500000"));
                None
            }
        },
    };
    let modified_after = match params.modified_after.trim() {
        "" => None,
        text => {
            let parsed = DateTime::parse_from_rfc3339(text)
                .map(|at| at.with_timezone(&Utc))
                .ok()
                .or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|day| day.and_hms_opt(0, 0, 0)).map(|at| at.and_utc()));
            let parsed = parsed.filter(|at| crate::domain::uk_time::within_years(at.date_naive()));
            if parsed.is_none() {
                errors.push(FieldError::new(
                    "modified_after",
                    "modified_after must be a date like 2026-11-01 or a time like 2026-11-01T09:30:00Z, from 2000 to 2100",
                ));
            }
            parsed
        }
    };
    let mut unknown_id = false;
    let mut id = |field: &str, input: &str, from: &str| match input.trim() {
        "" => None,
        text => match uuid::Uuid::parse_str(text) {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new(field, format!("{field} must be the id (a UUID) of one of {from}")));
                None
            }
        },
    };
    let term_id = id("taxonomy_term_id", &params.taxonomy_term_id, "/taxonomy_terms");
    let taxonomy_id = id("taxonomy_id", &params.taxonomy_id, "/taxonomies");
    let organization = id("organization_id", &params.organization_id, "/organizations");
    let term = term_id.and_then(Term::find);
    let taxonomy = taxonomy_id.and_then(Taxonomy::find);
    // An id that is a UUID but names nothing we publish matches nothing.
    unknown_id |= term_id.is_some() && term.is_none();
    unknown_id |= taxonomy_id.is_some() && taxonomy.is_none();
    let near = match state.postcodes.locate(&state.db, params.postcode.trim()).await {
        Ok(place) => place.map(|centre| (centre, within)),
        Err(AppError::Invalid(mut problems)) => {
            errors.append(&mut problems);
            None
        }
        Err(error) => return Err(error),
    };
    if near.is_none() && within.is_some() && params.postcode.trim().is_empty() {
        errors.push(FieldError::new("postcode", "Give a postcode to measure proximity from"));
    }
    if params.search.split_whitespace().count() > MAX_SEARCH_WORDS {
        errors.push(FieldError::new("search", format!("search may have at most {MAX_SEARCH_WORDS} words")));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let search = Some(params.search.trim().chars().take(200).collect::<String>()).filter(|words| !words.is_empty());
    let filters = (!unknown_id).then_some(Filters { search, term, taxonomy, organization, modified_after, near });
    Ok(ListRequest { filters, paging })
}

/// What this API is. The address of its description is our configured public address (or the
/// address we listen on), never the request's Host header, which the caller chooses.
async fn about(State(state): State<AppState>) -> Response {
    let site = state.config.public_url.clone().unwrap_or_else(|| format!("http://{}", state.config.address));
    open_to_all(Json(oruk::about(&format!("{site}{BASE}/openapi.json"))).into_response())
}

/// The standard's own description of this API (HSDS 3.0, CC BY-SA 4.0, see server/standards).
async fn openapi() -> Response {
    open_to_all(([(header::CONTENT_TYPE, "application/json")], include_str!("../../standards/hsds-3.0/openapi.json")).into_response())
}

async fn services(State(state): State<AppState>, Query(params): Query<ListParams>) -> Response {
    list(&state, &params, async |filters, paging| oruk::services(&state.db, &filters, paging).await).await
}

async fn organizations(State(state): State<AppState>, Query(params): Query<ListParams>) -> Response {
    list(&state, &params, async |filters, paging| oruk::organizations(&state.db, &filters, paging).await).await
}

async fn service_at_locations(State(state): State<AppState>, Query(params): Query<ListParams>) -> Response {
    list(&state, &params, async |filters, paging| oruk::service_at_locations(&state.db, &filters, paging).await).await
}

async fn taxonomies(State(state): State<AppState>, Query(params): Query<ListParams>) -> Response {
    list(&state, &params, async |filters, paging| Ok(oruk::taxonomies(&filters, paging))).await
}

async fn taxonomy_terms(State(state): State<AppState>, Query(params): Query<ListParams>) -> Response {
    list(&state, &params, async |filters, paging| Ok(oruk::taxonomy_terms(&filters, paging))).await
}

/// Checks the parameters, then builds the list (or an empty page for a term nobody has).
async fn list(state: &AppState, params: &ListParams, build: impl AsyncFnOnce(Filters, Paging) -> AppResult<Value>) -> Response {
    let answer = match list_request(state, params).await {
        Ok(ListRequest { filters: Some(filters), paging }) => build(filters, paging).await,
        Ok(ListRequest { filters: None, paging }) => Ok(oruk::page(paging, 0, Vec::new())),
        Err(error) => Err(error),
    };
    respond(answer)
}

async fn service(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match uuid::Uuid::parse_str(&id) {
        Ok(id) => respond(oruk::service(&state.db, &id.to_string(), state.config.clock.now()).await),
        Err(_) => respond(Err(AppError::NotFound)),
    }
}

async fn organization(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match uuid::Uuid::parse_str(&id) {
        Ok(id) => respond(oruk::organization(&state.db, &id.to_string()).await),
        Err(_) => respond(Err(AppError::NotFound)),
    }
}

fn respond(answer: AppResult<Value>) -> Response {
    let response = match answer {
        Ok(document) => Json(document).into_response(),
        Err(AppError::NotFound) => {
            json_refusal_saying(&UiError::NotFound, Edge::OpenReferral, &[FieldError::new("id", "There is no published service or organization with this id")])
        }
        Err(error) => json_refusal(error, Edge::OpenReferral, "The directory is not available just now"),
    };
    open_to_all(response)
}

pub fn open_to_all(mut response: Response) -> Response {
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}
