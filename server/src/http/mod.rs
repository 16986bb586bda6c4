//! The HTTP edge: routes, the per-request context (session, CSRF), health checks,
//! security headers and the last resort for a request that panics. Handlers stay thin; the work happens in `crate::domain`.
pub mod assets;
pub mod cookies;
pub mod csv;
pub mod health;
pub mod open_referral;
pub mod request_context;
pub mod search_api;
pub mod security;
pub mod stripe_webhook;

use crate::backend::CareMarketBackend;
use crate::state::AppState;
use app::port::SharedBackend;
use app::{App, shell};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get};
use axum::{Router, middleware};
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use std::sync::{Arc, LazyLock};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// The app's routes, listed once per process. Listing them renders the app with resource
/// loading switched off by a process-wide flag (leptos-rs/leptos#4773), so listing them again
/// while another router is serving (as parallel tests do) could leave a page waiting forever.
static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

/// The routes that read the session (downloads for signed-in people), besides the app's pages
/// and server functions.
fn session_routes() -> Vec<(String, MethodRouter<AppState>)> {
    vec![
        ("/budget/statement.csv".into(), get(csv::budget_statement)),
        ("/budget/statements/{month}/csv".into(), get(csv::monthly_statement)),
        ("/budgets/statements/{month}/csv".into(), get(csv::council_statements)),
        ("/payments/{reference}/remittance.csv".into(), get(csv::remittance)),
        ("/provider/payments/{reference}/visits.csv".into(), get(csv::provider_run)),
        ("/finance/export.csv".into(), get(csv::finance_export)),
        ("/reports/{report}/csv".into(), get(csv::report)),
    ]
}

/// Public, cookie-free routes: no session is looked up and no cookie is set.
fn public_routes() -> Vec<(String, MethodRouter<AppState>)> {
    let mut routes: Vec<(String, MethodRouter<AppState>)> = vec![
        ("/healthz".into(), get(health::live)),
        ("/readyz".into(), get(health::ready)),
        ("/api/v1/search".into(), get(search_api::search)),
        ("/openapi.json".into(), get(search_api::openapi)),
        // Signed by Stripe rather than sent from a session: no cookies, no CSRF token.
        ("/stripe/webhook".into(), axum::routing::post(stripe_webhook::receive)),
    ];
    routes.extend(open_referral::routes());
    routes
}

/// Every route's path besides the app's pages and server functions (which `page_paths` and
/// Leptos's own registry list), so a test can check each is covered.
pub fn plain_route_paths() -> Vec<String> {
    session_routes().into_iter().chain(public_routes()).map(|(path, _)| path).chain(["/pkg/{*file}".to_string()]).collect()
}

/// The app's pages, as routed.
pub fn page_paths() -> Vec<String> {
    ROUTES.iter().map(|route| route.path().to_string()).collect()
}

/// The whole application as one router, ready to serve or to drive from tests.
pub fn router(state: AppState) -> Router {
    let backend: SharedBackend = Arc::new(CareMarketBackend::new(&state));
    let context = move || {
        provide_context(backend.clone());
        // The nonce our Content-Security-Policy header names, for the scripts Leptos writes inline.
        let nonce = use_context::<axum::http::request::Parts>().and_then(|parts| parts.extensions.get::<security::CspNonce>().cloned());
        if let Some(security::CspNonce(nonce)) = nonce {
            provide_context(leptos::nonce::Nonce::from_value(nonce));
        }
    };
    let policy = security::Policy::new(&state.config);
    let routes = ROUTES.clone();
    let leptos_options = state.leptos_options.clone();
    let server_fns = {
        let context = context.clone();
        move |State(_): State<AppState>, request: Request<Body>| {
            let context = context.clone();
            async move { handle_server_fns_with_context(context, request).await.into_response() }
        }
    };
    let site_root = state.leptos_options.site_root.to_string();
    let with_session = session_routes().into_iter().fold(Router::new(), |router, (path, route)| router.route(&path, route));
    let public = public_routes().into_iter().fold(Router::new(), |router, (path, route)| router.route(&path, route));
    with_session
        .route("/api/{*function}", get(server_fns.clone()).post(server_fns))
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(middleware::map_response(with_error_status))
        .layer(middleware::from_fn_with_state(state.clone(), request_context::request_context))
        .merge(assets::router(&site_root, &state.leptos_options.site_pkg_dir))
        .merge(public)
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(policy, security::headers))
        // A bug that panics ends its own request with an error page, and is logged with an id.
        .layer(CatchPanicLayer::custom(panicked))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        // Same-origin referrers are needed: forms sent without JavaScript return to the page they came from.
        .layer(security_header(header::REFERRER_POLICY, "same-origin"))
        .with_state(state)
}

/// A server function refused before its body ran (its arguments could not be read) is answered
/// 500 by the framework: it gets the status of the refusal it carries instead (422 for input
/// that could not be read), the same as every other refusal (`error::status`).
async fn with_error_status(response: axum::response::Response) -> axum::response::Response {
    // Leptos answers a server function's refusal with 500 and this header, whatever it was.
    if response.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR || !response.headers().contains_key("serverfnerror") {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else { return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response() };
    if let Ok(error) = serde_json::from_slice::<app::UiError>(&bytes) {
        parts.status = crate::error::status(&error, crate::error::Edge::Ours);
    }
    axum::response::Response::from_parts(parts, Body::from(bytes))
}

/// A refusal as JSON, `{"errors": [{"field", "message"}]}`, with the status `error::status`
/// gives at this edge; an unexpected failure is logged and named only as `unavailable`.
pub fn json_refusal(error: crate::error::AppError, edge: crate::error::Edge, unavailable: &str) -> axum::response::Response {
    let error = app::UiError::from(error);
    let errors = match &error {
        app::UiError::Unexpected => vec![app::FieldError::new("", unavailable)],
        refusal => refusal.field_errors(),
    };
    json_refusal_saying(&error, edge, &errors)
}

/// A refusal as JSON in words of the edge's own.
pub fn json_refusal_saying(error: &app::UiError, edge: crate::error::Edge, errors: &[app::FieldError]) -> axum::response::Response {
    (crate::error::status(error, edge), axum::Json(serde_json::json!({ "errors": errors }))).into_response()
}

fn panicked(panic: Box<dyn std::any::Any + Send>) -> axum::response::Response {
    let what = panic.downcast_ref::<&str>().map(|s| (*s).to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
    let id = crate::domain::auth::random_token().map(|token| token[..12].to_string()).unwrap_or_default();
    tracing::error!(panic_id = %id, panic = %what, "a request panicked; it was answered with an error page");
    let page = format!(
        r#"<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sorry, there is a problem with the service – CareMarket</title></head>
<body><main><h1>Sorry, there is a problem with the service</h1>
<p>Try again later. If you contact us about it, quote this reference: {id}.</p>
<p><a href="/">Go back to CareMarket</a></p></main></body></html>"#
    );
    (axum::http::StatusCode::INTERNAL_SERVER_ERROR, axum::response::Html(page)).into_response()
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}
