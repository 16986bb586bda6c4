//! Server functions: the browser's only way in. Each is a public HTTP endpoint, so each one
//! checks who is asking before it calls the backend. Reads use GET; everything that changes
//! state is a POST whose `csrf_token` argument (the form's hidden field) must match the
//! visitor's token: checked by the middleware and again here.
use crate::model::*;
use crate::report::{OfflinePlacementForm, OfflinePlacements, Report, ReportQuery};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
mod guard {
    use crate::model::*;
    use crate::port::{RequestInfo, SharedBackend};
    use leptos::prelude::*;

    pub fn backend() -> Result<SharedBackend, UiError> {
        use_context::<SharedBackend>().ok_or(UiError::Unexpected)
    }

    pub fn request() -> Result<RequestInfo, UiError> {
        use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<RequestInfo>().cloned()).ok_or(UiError::Unexpected)
    }

    /// State-changing calls carry the CSRF token they were served with. The middleware has
    /// already refused a wrong one; checking again here keeps each function safe on its own.
    pub fn verify_csrf(submitted: &str) -> Result<RequestInfo, UiError> {
        let request = request()?;
        if submitted.is_empty() || submitted != request.viewer.csrf_token {
            return Err(UiError::Forbidden);
        }
        Ok(request)
    }

    /// A signed-in person's change, the shape of most POSTs: check the form's token and who is
    /// asking, make the change, then go to the page it names (a plain form post follows the
    /// redirect; with JavaScript, the router does).
    pub async fn change<Change>(csrf_token: &str, change: impl FnOnce(SharedBackend, RequestInfo, SignedInUser) -> Change + Send) -> Result<(), UiError>
    where
        Change: Future<Output = Result<String, UiError>> + Send,
    {
        run(async move {
            let request = verify_csrf(csrf_token)?;
            let user = request.viewer.user.clone().ok_or(UiError::SignInRequired)?;
            let destination = change(backend()?, request, user).await?;
            leptos_axum::redirect(&destination);
            Ok(())
        })
        .await
    }

    pub fn signed_in() -> Result<(RequestInfo, SignedInUser), UiError> {
        let request = request()?;
        let user = request.viewer.user.clone().ok_or(UiError::SignInRequired)?;
        Ok((request, user))
    }

    /// Runs a server function's body: a panic inside it (a bug) is caught and logged with an
    /// id, and the call fails like any unexpected error, instead of leaving the page waiting
    /// for an answer that never comes. Then gives the result its HTTP status.
    pub async fn run<T>(body: impl Future<Output = Result<T, UiError>> + Send) -> Result<T, UiError> {
        let mut body = Box::pin(body);
        let caught = std::future::poll_fn(move |cx| match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body.as_mut().poll(cx))) {
            Ok(std::task::Poll::Ready(result)) => std::task::Poll::Ready(Ok(result)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(panic) => std::task::Poll::Ready(Err(panic)),
        })
        .await;
        with_status(caught.unwrap_or_else(|panic| {
            let what = panic.downcast_ref::<&str>().map(|s| (*s).to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
            let id = format!("{:08x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |t| t.subsec_nanos()));
            tracing::error!(panic_id = %id, panic = %what, "a server function panicked; the request fails with an error page");
            Err(UiError::Unexpected)
        }))
    }

    /// Gives a failed call its HTTP status (403, 422 ...) for API clients. Plain form posts
    /// (JavaScript off) keep the redirect back to their page, which shows the error.
    pub fn with_status<T>(result: Result<T, UiError>) -> Result<T, UiError> {
        if let Err(error) = &result {
            let plain_form = use_context::<http::request::Parts>()
                .is_some_and(|parts| parts.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html")));
            if let (false, Some(response), Ok(status)) = (plain_form, use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(error.status()))
            {
                response.set_status(status);
            }
        }
        result
    }

    pub fn set_cookies(cookies: Vec<String>) {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            for cookie in cookies {
                if let Ok(value) = http::HeaderValue::from_str(&cookie) {
                    response.append_header(http::header::SET_COOKIE, value);
                }
            }
        }
    }
}

/// Who is asking, for a page being drawn: nobody when the request carries no session.
#[cfg(feature = "ssr")]
pub fn request_viewer() -> Viewer {
    guard::request().map(|request| request.viewer).unwrap_or_default()
}

#[server(prefix = "/api", endpoint = "viewer", input = GetUrl)]
pub async fn current_viewer() -> Result<Viewer, UiError> {
    guard::run(async move { Ok(guard::request()?.viewer) }).await
}

#[server(prefix = "/api", endpoint = "sign-in")]
pub async fn sign_in(csrf_token: String, email: String, password: String, next: Option<String>) -> Result<(), UiError> {
    guard::run(async move {
        let request = guard::verify_csrf(&csrf_token)?;
        let session = guard::backend()?.sign_in(&request, &email, &password).await?;
        guard::set_cookies(session.set_cookies);
        let destination = safe_return_path(next.as_deref()).unwrap_or_else(|| session.user.role.dashboard_path());
        leptos_axum::redirect(&destination);
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "sign-out")]
pub async fn sign_out(csrf_token: String) -> Result<(), UiError> {
    guard::run(async move {
        let request = guard::verify_csrf(&csrf_token)?;
        let cookies = guard::backend()?.sign_out(&request).await?;
        guard::set_cookies(cookies);
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "register-provider")]
pub async fn register_provider(csrf_token: String, form: ProviderRegistration) -> Result<(), UiError> {
    guard::run(async move {
        let request = guard::verify_csrf(&csrf_token)?;
        if request.viewer.user.is_some() {
            return Err(UiError::Invalid(vec![FieldError::new("", "Sign out before registering a new organisation")]));
        }
        guard::backend()?.register_provider(&request, form).await?;
        leptos_axum::redirect("/register?sent=1");
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "register-self-funder")]
pub async fn register_self_funder(csrf_token: String, form: SelfFunderRegistration) -> Result<(), UiError> {
    guard::run(async move {
        let request = guard::verify_csrf(&csrf_token)?;
        if request.viewer.user.is_some() {
            return Err(UiError::Invalid(vec![FieldError::new("", "Sign out before opening a new account")]));
        }
        guard::backend()?.register_self_funder(&request, form).await?;
        leptos_axum::redirect("/register/person?sent=1");
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "search", input = GetUrl)]
pub async fn search_services(form: SearchForm) -> Result<SearchPage, UiError> {
    guard::run(async move {
        let viewer = guard::request()?.viewer.user;
        guard::backend()?.search(viewer.as_ref(), form).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "nearest-district", input = GetUrl)]
pub async fn nearest_district(latitude: f64, longitude: f64) -> Result<String, UiError> {
    guard::run(async move { guard::backend()?.nearest_district(latitude, longitude).await }).await
}

#[server(prefix = "/api", endpoint = "service", input = GetUrl)]
pub async fn load_listing(public_id: String) -> Result<ListingDetails, UiError> {
    guard::run(async move { guard::backend()?.listing_details(&public_id).await }).await
}

#[server(prefix = "/api", endpoint = "provider", input = GetUrl)]
pub async fn load_provider(public_id: String) -> Result<ProviderDetails, UiError> {
    guard::run(async move { guard::backend()?.provider_details(&public_id).await }).await
}

#[server(prefix = "/api", endpoint = "lots", input = GetUrl)]
pub async fn load_lots() -> Result<Vec<LotSummary>, UiError> {
    guard::run(async move { guard::backend()?.all_lots().await }).await
}

#[server(prefix = "/api", endpoint = "lot", input = GetUrl)]
pub async fn load_lot(lot_id: i64) -> Result<LotTable, UiError> {
    guard::run(async move { guard::backend()?.lot_table(lot_id).await }).await
}

#[server(prefix = "/api", endpoint = "lot-admin", input = GetUrl)]
pub async fn load_lot_admin(lot_id: i64) -> Result<LotAdmin, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.lot_admin(&user, lot_id).await
    })
    .await
}

/// The lot changes below share this: check the token and who is asking, apply, go back.
#[cfg(feature = "ssr")]
async fn change_lot(csrf_token: &str, lot_id: i64, change: LotChange) -> Result<(), UiError> {
    guard::change(csrf_token, move |backend, _, user| async move {
        backend.change_lot(&user, lot_id, change).await?;
        Ok(format!("/lots/{lot_id}"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "admit-provider")]
pub async fn admit_provider(csrf_token: String, lot_id: i64, listing_id: String, rate: String) -> Result<(), UiError> {
    change_lot(&csrf_token, lot_id, LotChange::Admit { listing_id, rate }).await
}

#[server(prefix = "/api", endpoint = "record-monitoring")]
pub async fn record_monitoring(csrf_token: String, lot_id: i64, provider_id: String, score: String, note: String) -> Result<(), UiError> {
    change_lot(&csrf_token, lot_id, LotChange::RecordMonitoring { provider_id, score, note }).await
}

#[server(prefix = "/api", endpoint = "suspend-provider")]
pub async fn suspend_provider(csrf_token: String, lot_id: i64, provider_id: String, reason: String) -> Result<(), UiError> {
    change_lot(&csrf_token, lot_id, LotChange::Suspend { provider_id, reason }).await
}

#[server(prefix = "/api", endpoint = "reinstate-provider")]
pub async fn reinstate_provider(csrf_token: String, lot_id: i64, provider_id: String) -> Result<(), UiError> {
    change_lot(&csrf_token, lot_id, LotChange::Reinstate { provider_id }).await
}

#[server(prefix = "/api", endpoint = "set-lot-terms")]
pub async fn set_lot_terms(csrf_token: String, lot_id: i64, price_cap: String, quality_weight: String) -> Result<(), UiError> {
    change_lot(&csrf_token, lot_id, LotChange::Terms { price_cap, quality_weight }).await
}

#[server(prefix = "/api", endpoint = "framework-admin", input = GetUrl)]
pub async fn load_framework_admin() -> Result<FrameworkAdmin, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.framework_admin(&user).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "create-framework")]
pub async fn create_framework(csrf_token: String, form: FrameworkForm) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.create_framework(&user, &form).await?;
        Ok("/frameworks?created=framework".into())
    })
    .await
}

#[server(prefix = "/api", endpoint = "create-lot")]
pub async fn create_lot(csrf_token: String, form: LotForm) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let lot_id = backend.create_lot(&user, &form).await?;
        Ok(format!("/lots/{lot_id}"))
    })
    .await
}

/// A dashboard is only for the role it belongs to.
#[server(prefix = "/api", endpoint = "dashboard", input = GetUrl)]
pub async fn load_dashboard(role: Role) -> Result<Dashboard, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        if user.role != role {
            return Err(UiError::Forbidden);
        }
        guard::backend()?.dashboard(&user).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "my-listings", input = GetUrl)]
pub async fn load_own_listings() -> Result<Vec<OwnListing>, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.own_listings(&user).await
    })
    .await
}

/// An empty form for a new listing (no id), or an existing listing's details to edit.
#[server(prefix = "/api", endpoint = "listing-form", input = GetUrl)]
pub async fn load_listing_form(listing_id: Option<String>) -> Result<ListingForm, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        if user.role != Role::Provider {
            return Err(UiError::Forbidden);
        }
        match listing_id {
            Some(public_id) => guard::backend()?.listing_form(&user, &public_id).await,
            None => Ok(ListingForm::new_listing()),
        }
    })
    .await
}

#[server(prefix = "/api", endpoint = "save-listing")]
pub async fn save_listing(csrf_token: String, listing_id: Option<String>, form: ListingForm) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let listing_id = listing_id.filter(|id| !id.is_empty());
        let public_id = backend.save_listing(&user, listing_id.as_deref(), &form).await?;
        Ok(format!("/provider/listings?saved={public_id}"))
    })
    .await
}

/// What a booking would cost ("check your answers"); refused with the reason it cannot be made.
#[server(prefix = "/api", endpoint = "quote-booking", input = GetUrl)]
pub async fn quote_booking(listing: String, person: Option<i64>, answers: BookingAnswers) -> Result<BookingQuote, UiError> {
    guard::run(async move {
        let (request, user) = guard::signed_in()?;
        let person = person.or(request.viewer.acting_for.map(|acting| acting.user_id));
        guard::backend()?.quote_booking(&user, person, &listing, &answers).await
    })
    .await
}

/// Makes the booking and goes to its confirmation page.
#[server(prefix = "/api", endpoint = "confirm-booking")]
pub async fn confirm_booking(
    csrf_token: String,
    listing: String,
    person: Option<i64>,
    answers: BookingAnswers,
    request_key: String,
    quoted_total: Option<String>,
) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, request, user| async move {
        let person = person.or(request.viewer.acting_for.map(|acting| acting.user_id));
        let booking = BookingRequest { person, listing, answers, request_key, quoted_total: quoted_total.unwrap_or_default() };
        let reference = backend.book(&user, &booking).await?;
        Ok(format!("/bookings/{reference}"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "booking", input = GetUrl)]
pub async fn load_booking(reference: String) -> Result<BookingView, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.booking(&user, &reference).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "cancel-booking")]
pub async fn cancel_booking(csrf_token: String, reference: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.cancel_booking(&user, &reference).await?;
        Ok(format!("/bookings/{reference}?cancelled=1"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "provider-bookings", input = GetUrl)]
pub async fn load_provider_bookings() -> Result<ProviderBookings, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.provider_bookings(&user).await
    })
    .await
}

/// A provider's answer to a booking (`accept`, `decline`, `hand_back`), what happened on one
/// of its visits (`check_in`, `check_out` with a `note`, `missed`, with `visit_id`), or its
/// answer to a query about a visit (`answer_query`: `minutes` corrected, or none, and the
/// `reason`). Plain fields, so each is a small form that works without JavaScript.
#[server(prefix = "/api", endpoint = "act-on-booking")]
pub async fn act_on_booking(
    csrf_token: String,
    reference: String,
    action: String,
    visit_id: Option<i64>,
    reason: Option<String>,
    note: Option<String>,
    minutes: Option<String>,
) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let reason = reason.unwrap_or_default();
        let visit = || visit_id.ok_or(UiError::NotFound);
        let action = match action.as_str() {
            "accept" => BookingAction::Accept,
            "decline" => BookingAction::Decline { reason },
            "hand_back" => BookingAction::HandBack { reason },
            "check_in" => BookingAction::CheckIn { visit_id: visit()? },
            "check_out" => BookingAction::CheckOut { visit_id: visit()?, note: note.unwrap_or_default() },
            "missed" => BookingAction::Missed { visit_id: visit()? },
            "answer_query" => BookingAction::AnswerQuery { visit_id: visit()?, minutes, explanation: reason },
            _ => return Err(UiError::NotFound),
        };
        backend.act_on_booking(&user, &reference, &action).await?;
        Ok("/provider/bookings?done=1".into())
    })
    .await
}

/// The person (or someone they let book for them) confirms a delivered visit or queries it,
/// from the booking's page.
#[server(prefix = "/api", endpoint = "answer-visit")]
pub async fn answer_visit(csrf_token: String, reference: String, visit_id: i64, answer: String, what_was_wrong: Option<String>) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.answer_visit(&user, visit_id, &answer, &what_was_wrong.unwrap_or_default()).await?;
        Ok(format!("/bookings/{}?answered={}", encode_query_value(&reference), encode_query_value(&answer)))
    })
    .await
}

/// The visit an emailed link is for (no sign-in: the token is the permission).
#[server(prefix = "/api", endpoint = "visit-to-confirm", input = GetUrl)]
pub async fn load_visit_to_confirm(token: String) -> Result<VisitToConfirm, UiError> {
    guard::run(async move { guard::backend()?.visit_to_confirm(&token).await }).await
}

/// The answer from the emailed link's page (a POST: mail scanners follow links).
#[server(prefix = "/api", endpoint = "answer-visit-by-link")]
pub async fn answer_visit_by_link(csrf_token: String, token: String, answer: String, what_was_wrong: Option<String>) -> Result<(), UiError> {
    guard::run(async move {
        guard::verify_csrf(&csrf_token)?;
        guard::backend()?.answer_visit_by_link(&token, &answer, &what_was_wrong.unwrap_or_default()).await?;
        leptos_axum::redirect(&format!("/visits/confirm?done={}", encode_query_value(&answer)));
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "visit-queries", input = GetUrl)]
pub async fn load_visit_queries() -> Result<Vec<VisitQuery>, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.visit_queries(&user).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "decide-visit-query")]
pub async fn decide_visit_query(csrf_token: String, visit_id: i64, minutes: String, reason: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.decide_visit_query(&user, visit_id, &minutes, &reason).await?;
        Ok("/visit-queries?decided=1".into())
    })
    .await
}

/// Raises a concern. Anyone may raise a safeguarding concern about a provider without signing in.
#[server(prefix = "/api", endpoint = "raise-concern")]
pub async fn raise_concern(csrf_token: String, form: ConcernForm) -> Result<(), UiError> {
    guard::run(async move {
        let request = guard::verify_csrf(&csrf_token)?;
        let reference = guard::backend()?.raise_concern(&request, &form).await?;
        let next = if request.viewer.user.is_some() { format!("/concerns/{reference}?raised=1") } else { format!("/concerns/new?raised={reference}") };
        leptos_axum::redirect(&next);
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "concern", input = GetUrl)]
pub async fn load_concern(reference: String) -> Result<ConcernView, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.concern(&user, &reference).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "concerns", input = GetUrl)]
pub async fn load_concerns() -> Result<Vec<ConcernLine>, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.concern_queue(&user).await
    })
    .await
}

/// A commissioner acknowledges (`acknowledge`), notes (`note`, with `text`) or closes (`close`,
/// with `outcome` and `text`) a concern.
#[server(prefix = "/api", endpoint = "handle-concern")]
pub async fn handle_concern(csrf_token: String, reference: String, action: String, text: Option<String>, outcome: Option<String>) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.handle_concern(&user, &reference, &action, &text.unwrap_or_default(), &outcome.unwrap_or_default()).await?;
        Ok(format!("/concerns/{}?done={}", encode_query_value(&reference), encode_query_value(&action)))
    })
    .await
}

/// A message about a booking, from the person's side or the provider's.
#[server(prefix = "/api", endpoint = "send-booking-message")]
pub async fn send_booking_message(csrf_token: String, reference: String, message: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.send_booking_message(&user, &reference, &message).await?;
        Ok(format!("/bookings/{}?sent=1#messages", encode_query_value(&reference)))
    })
    .await
}

/// The person (or a helper who may book for them) reviews a booking's provider.
#[server(prefix = "/api", endpoint = "write-review")]
pub async fn write_review(csrf_token: String, reference: String, stars: Option<String>, body: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.write_review(&user, &reference, &stars.unwrap_or_default(), &body).await?;
        Ok(format!("/bookings/{}?reviewed=1", encode_query_value(&reference)))
    })
    .await
}

#[server(prefix = "/api", endpoint = "provider-reviews", input = GetUrl)]
pub async fn load_provider_reviews() -> Result<Vec<ManagedReview>, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.provider_reviews(&user).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "reply-to-review")]
pub async fn reply_to_review(csrf_token: String, review_id: i64, reply: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.reply_to_review(&user, review_id, &reply).await?;
        Ok("/provider/reviews?replied=1".into())
    })
    .await
}

#[server(prefix = "/api", endpoint = "council-reviews", input = GetUrl)]
pub async fn load_council_reviews() -> Result<Vec<ManagedReview>, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.council_reviews(&user).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "hide-review")]
pub async fn hide_review(csrf_token: String, review_id: i64, reason: Option<String>) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.hide_review(&user, review_id, &reason.unwrap_or_default()).await?;
        Ok("/reviews?hidden=1".into())
    })
    .await
}

#[server(prefix = "/api", endpoint = "payments", input = GetUrl)]
pub async fn load_payments() -> Result<PaymentsAdmin, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.payments(&user).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "audits", input = GetUrl)]
pub async fn load_audits() -> Result<AuditsAdmin, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.audits(&user).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "audit-sample", input = GetUrl)]
pub async fn load_audit_sample(reference: String) -> Result<AuditSampleView, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.audit_sample(&user, &reference).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "audit-case", input = GetUrl)]
pub async fn load_audit_case(reference: String) -> Result<AuditCaseView, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.audit_case(&user, &reference).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "draw-audit-sample")]
pub async fn draw_audit_sample(csrf_token: String, form: AuditSampleForm) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let reference = backend.draw_audit_sample(&user, &form).await?;
        Ok(format!("/audits/{reference}?drawn=1"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "redraw-audit-sample")]
pub async fn redraw_audit_sample(csrf_token: String, reference: String, form: AuditSampleForm) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let new = backend.redraw_audit_sample(&user, &reference, &form).await?;
        Ok(format!("/audits/{new}?drawn=1"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "ask-audit-question")]
pub async fn ask_audit_question(csrf_token: String, reference: String, form: AuditQuestionForm) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.ask_audit_question(&user, &reference, &form).await?;
        Ok(format!("/audits/cases/{reference}?asked=1"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "answer-audit-question")]
pub async fn answer_audit_question(csrf_token: String, reference: String, answer: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.answer_audit_question(&user, &reference, &answer).await?;
        Ok(format!("/audits/cases/{reference}?answered=1"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "decide-audit-case")]
pub async fn decide_audit_case(csrf_token: String, reference: String, outcome: String, note: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.decide_audit_case(&user, &reference, &outcome, &note).await?;
        Ok(format!("/audits/cases/{reference}?decided=1"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "recoveries", input = GetUrl)]
pub async fn load_recoveries(budget: Option<i64>) -> Result<RecoveriesAdmin, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.recoveries(&user, budget).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "recovery", input = GetUrl)]
pub async fn load_recovery(reference: String) -> Result<RecoveryLine, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.recovery(&user, &reference).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "propose-recovery")]
pub async fn propose_recovery(csrf_token: String, form: RecoveryForm) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let reference = backend.propose_recovery(&user, &form).await?;
        Ok(format!("/recoveries/{reference}?proposed=1"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "reply-to-recovery")]
pub async fn reply_to_recovery(csrf_token: String, reference: String, reply: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.reply_to_recovery(&user, &reference, &reply).await?;
        Ok(format!("/recoveries/{reference}?replied=1"))
    })
    .await
}

/// A commissioner's decision: `decision` is `confirm` or `withdraw`.
#[server(prefix = "/api", endpoint = "decide-recovery")]
pub async fn decide_recovery(csrf_token: String, reference: String, decision: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let confirm = match decision.as_str() {
            "confirm" => true,
            "withdraw" => false,
            _ => return Err(UiError::Invalid(vec![FieldError::new("", "Choose to recover the money or withdraw the proposal")])),
        };
        backend.decide_recovery(&user, &reference, confirm).await?;
        Ok(format!("/recoveries/{reference}?decided=1"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "finance", input = GetUrl)]
pub async fn load_finance() -> Result<FinanceSettings, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.finance(&user).await
    })
    .await
}

/// Each kind's codes: `codes[payment_cost_centre]`, `codes[payment_account_code]`, ...
#[server(prefix = "/api", endpoint = "set-finance-codes")]
pub async fn set_finance_codes(csrf_token: String, codes: FinanceCodesForm) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.set_finance_codes(&user, &codes).await?;
        Ok("/finance?saved=codes".into())
    })
    .await
}

#[server(prefix = "/api", endpoint = "set-supplier-number")]
pub async fn set_supplier_number(csrf_token: String, provider: String, supplier_number: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.set_supplier_number(&user, &provider, &supplier_number).await?;
        Ok("/finance?saved=supplier".into())
    })
    .await
}

#[server(prefix = "/api", endpoint = "ratings", input = GetUrl)]
pub async fn load_ratings() -> Result<RatingsPage, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.ratings(&user).await
    })
    .await
}

/// Imports the CQC's care directory (CSV); the page then says what changed.
#[server(prefix = "/api", endpoint = "import-ratings")]
pub async fn import_ratings(csrf_token: String, csv: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let (changed, unchanged, elsewhere) = backend.import_ratings(&user, &csv).await?;
        Ok(format!("/ratings?changed={changed}&unchanged={unchanged}&elsewhere={elsewhere}"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "call-monitoring", input = GetUrl)]
pub async fn load_call_monitoring(upload: Option<i64>) -> Result<CallMonitoringUploads, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.call_monitoring(&user, upload).await
    })
    .await
}

/// Settles visits from a call-monitoring file pasted or chosen; the page then shows what came of
/// each line.
#[server(prefix = "/api", endpoint = "import-call-monitoring")]
pub async fn import_call_monitoring(csrf_token: String, csv: String, provider: Option<String>) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let upload = backend.import_call_monitoring(&user, provider.as_deref(), &csv).await?;
        Ok(format!("{}?upload={upload}", crate::model::call_monitoring_path(user.role)))
    })
    .await
}

#[server(prefix = "/api", endpoint = "provider-payments", input = GetUrl)]
pub async fn load_provider_payments() -> Result<ProviderPayments, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.provider_payments(&user).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "run-payments")]
pub async fn run_payments(csrf_token: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let reference = backend.run_payments(&user).await?;
        Ok(format!("/payments?run={reference}"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "budgets", input = GetUrl)]
pub async fn load_budgets(#[server(default)] filter: BudgetsFilter) -> Result<BudgetsAdmin, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.budgets_admin(&user, &filter).await
    })
    .await
}

/// Opens a budget; the page then shows the person's set-up code once (it is in the address
/// only for that page, which no cache keeps).
#[server(prefix = "/api", endpoint = "open-budget")]
pub async fn open_budget(csrf_token: String, form: NewBudgetForm) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let code = backend.open_budget(&user, &form).await?;
        Ok(format!("/budgets?code={code}&find={}", encode_query_value(form.email.trim())))
    })
    .await
}

#[server(prefix = "/api", endpoint = "move-fund")]
pub async fn move_fund(csrf_token: String, budget_id: i64, fund_holder: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.move_fund(&user, budget_id, &fund_holder).await?;
        Ok(format!("/budgets?moved=1&budget={budget_id}"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "set-shortest-visit")]
pub async fn set_shortest_visit(csrf_token: String, budget_id: i64, minutes: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.set_shortest_visit(&user, budget_id, &minutes).await?;
        Ok(format!("/budgets?shortest=1&budget={budget_id}"))
    })
    .await
}

/// A budget's end date as typed (empty clears it).
#[server(prefix = "/api", endpoint = "set-budget-end-date")]
pub async fn set_budget_end_date(csrf_token: String, budget_id: i64, ends_on: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.set_budget_end_date(&user, budget_id, &ends_on).await?;
        Ok(format!("/budgets?ends=1&budget={budget_id}"))
    })
    .await
}

/// Closes a budget; the page then says what went back to the council (in pence).
#[server(prefix = "/api", endpoint = "close-budget")]
pub async fn close_budget(csrf_token: String, budget_id: i64, reason: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let returned = backend.close_budget(&user, budget_id, &reason).await?;
        Ok(format!("/budgets?closed={returned}&budget={budget_id}"))
    })
    .await
}

/// Each threshold (`thresholds[surplus_weeks]`, ...), as typed.
#[server(prefix = "/api", endpoint = "set-risk-thresholds")]
pub async fn set_risk_thresholds(csrf_token: String, thresholds: RiskThresholdsForm) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.set_risk_thresholds(&user, &thresholds).await?;
        Ok("/budgets?thresholds=1".into())
    })
    .await
}

#[server(prefix = "/api", endpoint = "forgot-password")]
pub async fn forgot_password(csrf_token: String, email: String) -> Result<(), UiError> {
    guard::run(async move {
        let request = guard::verify_csrf(&csrf_token)?;
        guard::backend()?.forgot_password(&request, &email).await?;
        leptos_axum::redirect("/account/forgot-password?sent=1");
        Ok(())
    })
    .await
}

/// Opens a registered account by the token of the link mailed to its address (a POST: mail
/// scanners follow links), and signs its owner in.
#[server(prefix = "/api", endpoint = "confirm-email")]
pub async fn confirm_email(csrf_token: String, token: String, password: String) -> Result<(), UiError> {
    guard::run(async move {
        let request = guard::verify_csrf(&csrf_token)?;
        let session = guard::backend()?.open_account(&request, &token, &password).await?;
        guard::set_cookies(session.set_cookies);
        leptos_axum::redirect(&session.user.role.dashboard_path());
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "mail-choices", input = GetUrl)]
pub async fn load_mail_choices() -> Result<MailChoices, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.mail_choices(&user).await
    })
    .await
}

/// Each kind of message (`choices[bookings]`, …): `email` or `dashboard`.
#[server(prefix = "/api", endpoint = "choose-mail")]
pub async fn choose_mail(csrf_token: String, choices: std::collections::BTreeMap<String, String>) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.choose_mail(&user, &choices).await?;
        Ok("/account/notifications?saved=1".into())
    })
    .await
}

#[server(prefix = "/api", endpoint = "set-up-account")]
pub async fn set_up_account(csrf_token: String, form: SetUpForm) -> Result<(), UiError> {
    guard::run(async move {
        let request = guard::verify_csrf(&csrf_token)?;
        let session = guard::backend()?.set_up_account(&request, form).await?;
        guard::set_cookies(session.set_cookies);
        leptos_axum::redirect(&session.user.role.dashboard_path());
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "helpers", input = GetUrl)]
pub async fn load_helpers() -> Result<HelpersPage, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.helpers(&user).await
    })
    .await
}

/// Asks someone to help; the answer is the same whether or not they have an account.
#[server(prefix = "/api", endpoint = "add-helper")]
pub async fn add_helper(csrf_token: String, form: HelperForm) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.add_helper(&user, &form).await?;
        Ok("/budget/helpers?asked=1".into())
    })
    .await
}

#[server(prefix = "/api", endpoint = "withdraw-helper-request")]
pub async fn withdraw_helper_request(csrf_token: String, request_id: i64) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.withdraw_helper_request(&user, request_id).await?;
        Ok("/budget/helpers?withdrawn=1".into())
    })
    .await
}

/// A helper answers a request to help someone: `answer` is `accept` (with the further rights
/// ticked, `can_book` and `can_pay` "yes") or `decline`.
#[server(prefix = "/api", endpoint = "answer-help-request")]
pub async fn answer_help_request(
    csrf_token: String,
    request_id: i64,
    answer: String,
    can_book: Option<String>,
    can_pay: Option<String>,
) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let ticked = |right: &Option<String>| right.as_deref() == Some("yes");
        let answer = match answer.as_str() {
            "accept" => HelpAnswer::Accept { book: ticked(&can_book), pay: ticked(&can_pay) },
            "decline" => HelpAnswer::Decline,
            _ => return Err(UiError::Invalid(vec![FieldError::new("", "Choose whether to help them")])),
        };
        backend.answer_help_request(&user, request_id, answer).await?;
        Ok((if answer == HelpAnswer::Decline { "/dashboard/planner?declined=1" } else { "/dashboard/planner?accepted=1" }).into())
    })
    .await
}

/// The person lets the helper who accepted their request help them (`answer` `yes`), or not (`no`).
#[server(prefix = "/api", endpoint = "let-helper")]
pub async fn let_helper(csrf_token: String, request_id: i64, answer: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let yes = match answer.as_str() {
            "yes" => true,
            "no" => false,
            _ => return Err(UiError::Invalid(vec![FieldError::new("", "Choose whether to let them help you")])),
        };
        backend.let_help(&user, request_id, yes).await?;
        Ok((if yes { "/budget/helpers?let=1" } else { "/budget/helpers?not_let=1" }).into())
    })
    .await
}

/// The request to help a mailed link opens; no sign-in needed (the link is the key).
#[server(prefix = "/api", endpoint = "help-invitation", input = GetUrl)]
pub async fn load_help_invitation(token: String) -> Result<HelpInvitation, UiError> {
    guard::run(async move { guard::backend()?.help_invitation(&token).await }).await
}

/// Someone asked to help opens a helper's account from the mailed link, and is signed in to
/// answer the request on their caseload.
#[server(prefix = "/api", endpoint = "join-to-help")]
pub async fn join_to_help(csrf_token: String, token: String, your_name: String, password: String) -> Result<(), UiError> {
    guard::run(async move {
        let request = guard::verify_csrf(&csrf_token)?;
        if request.viewer.user.is_some() {
            return Err(UiError::Invalid(vec![FieldError::new("", "Sign out before opening a helper's account")]));
        }
        let session = guard::backend()?.join_to_help(&request, &token, &your_name, &password).await?;
        guard::set_cookies(session.set_cookies);
        leptos_axum::redirect("/dashboard/planner?joined=1");
        Ok(())
    })
    .await
}

/// Opens a helper's account; the page then shows its set-up code once, for the council to
/// hand over (as for a budget holder's).
#[server(prefix = "/api", endpoint = "open-helper-account")]
pub async fn open_helper_account(csrf_token: String, form: NewHelperForm) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let code = backend.open_helper_account(&user, &form).await?;
        Ok(format!("/budgets?helper_code={code}"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "remove-helper")]
pub async fn remove_helper(csrf_token: String, delegation_id: i64) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.remove_helper(&user, delegation_id).await?;
        Ok("/budget/helpers?removed=1".into())
    })
    .await
}

/// A planner starts acting for someone (`person`) or stops (no `person`).
#[server(prefix = "/api", endpoint = "act-for")]
pub async fn act_for(csrf_token: String, person: Option<i64>) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let cookies = backend.act_for(&user, person).await?;
        guard::set_cookies(cookies);
        Ok((if person.is_some() { "/" } else { "/dashboard/planner" }).into())
    })
    .await
}

/// A budget's statement: the signed-in holder's own without `budget`, else one they may see.
#[server(prefix = "/api", endpoint = "budget-statement", input = GetUrl)]
pub async fn load_budget_statement(budget: Option<i64>) -> Result<BudgetStatement, UiError> {
    guard::run(async move {
        let (request, user) = guard::signed_in()?;
        let person = request.viewer.acting_for.map(|acting| acting.user_id);
        guard::backend()?.budget_statement(&user, budget, person).await
    })
    .await
}

/// One month's statement of a budget (`month` like "2026-11"); `budget` as above.
#[server(prefix = "/api", endpoint = "monthly-statement", input = GetUrl)]
pub async fn load_monthly_statement(budget: Option<i64>, month: String) -> Result<MonthlyStatement, UiError> {
    guard::run(async move {
        let (request, user) = guard::signed_in()?;
        let person = request.viewer.acting_for.map(|acting| acting.user_id);
        guard::backend()?.monthly_statement(&user, budget, person, &month).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "card-payments", input = GetUrl)]
pub async fn load_card_payments() -> Result<CardPaymentsPage, UiError> {
    guard::run(async move {
        let (request, user) = guard::signed_in()?;
        let person = request.viewer.acting_for.map(|acting| acting.user_id);
        guard::backend()?.card_payments(&user, person).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "start-card-payment")]
pub async fn start_card_payment(csrf_token: String, form: CardPaymentForm, request_key: String, then: Option<String>) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, request, user| async move {
        let person = request.viewer.acting_for.map(|acting| acting.user_id);
        let id = backend.start_card_payment(&user, person, &form, &request_key).await?;
        // Where to carry on once paid: only a booking's check page of ours.
        let then = then.as_deref().and_then(|path| safe_return_path(Some(path))).filter(|path| path.starts_with("/book/"));
        Ok(match then {
            Some(then) => format!("/budget/pay/{id}?then={}", encode_query_value(&then)),
            None => format!("/budget/pay/{id}"),
        })
    })
    .await
}

#[server(prefix = "/api", endpoint = "refund-card-payment")]
pub async fn refund_card_payment(csrf_token: String, id: i64) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let done = backend.refund_card_payment(&user, id).await?;
        Ok((if done { "/budget/pay?refunded=1" } else { "/budget/pay?refunding=1" }).into())
    })
    .await
}

#[server(prefix = "/api", endpoint = "card-payment", input = GetUrl)]
pub async fn load_card_payment(id: i64) -> Result<CardPaymentView, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.card_payment(&user, id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "organisation-profile", input = GetUrl)]
pub async fn load_organisation_profile() -> Result<OrganisationProfile, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.organisation_profile(&user).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "save-organisation-profile")]
pub async fn save_organisation_profile(csrf_token: String, form: ProfileForm) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.save_organisation_profile(&user, &form).await?;
        Ok("/provider/profile?saved=1".into())
    })
    .await
}

#[server(prefix = "/api", endpoint = "change-listing")]
pub async fn change_listing(csrf_token: String, listing_id: String, change: ListingChange) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.change_listing(&user, &listing_id, change).await?;
        Ok("/provider/listings".into())
    })
    .await
}

/// A commissioner's report (`/reports/<slug>`), asked with the filters in the address bar.
#[server(prefix = "/api", endpoint = "report", input = GetUrl)]
pub async fn load_report(slug: String, query: ReportQuery) -> Result<Report, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.report(&user, &slug, &query).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "offline-placements", input = GetUrl)]
pub async fn load_offline_placements() -> Result<OfflinePlacements, UiError> {
    guard::run(async move {
        let (_, user) = guard::signed_in()?;
        guard::backend()?.offline_placements(&user).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "record-offline-placement")]
pub async fn record_offline_placement(csrf_token: String, form: OfflinePlacementForm) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        backend.record_offline_placement(&user, &form).await?;
        Ok("/offline-placements?recorded=1".into())
    })
    .await
}

/// Imports offline placements pasted from a spreadsheet saved as CSV: all rows or none.
#[server(prefix = "/api", endpoint = "import-offline-placements")]
pub async fn import_offline_placements(csrf_token: String, csv: String) -> Result<(), UiError> {
    guard::change(&csrf_token, move |backend, _, user| async move {
        let imported = backend.import_offline_placements(&user, &csv).await?;
        Ok(format!("/offline-placements?recorded={imported}"))
    })
    .await
}
