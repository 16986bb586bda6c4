//! Who may do what, for every server function and every route, as a table: each row is a
//! request and what each kind of person must get. `Y`: let through (the request is answered,
//! or refused for its content with 422); `N`: refused for who is asking (401, 403, 404, or a
//! page that sends them to sign in); `E`: refused for its content (422), nothing done, where
//! the check is that what was chosen is theirs to choose; `*`: open to anyone, answered
//! anything but a server error.
//! A route or server function without a row fails the test, so none is added unchecked.
use crate::bookings::{book, funded_budget, hidden_value, next_monday, question_query, weekday_home_care};
use sea_orm::ConnectionTrait;
use std::collections::{BTreeMap, BTreeSet};
use tests::fixtures::{self, Persona};
use tests::{Client, Reply, TestApp};

/// The people asking, in the table's column order.
const WHO: [&str; 11] = [
    "anonymous",
    "holder",
    "other holder",
    "planner (view)",
    "planner (book)",
    "planner (pay)",
    "planner (revoked)",
    "staff",
    "other staff",
    "commissioner",
    "other commissioner",
];

/// route (as registered) | request (with {placeholders}) | form fields | expected per person.
pub(crate) type Row = (&'static str, &'static str, &'static [(&'static str, &'static str)], &'static str);

#[rustfmt::skip]
pub(crate) const TABLE: &[Row] = &[
    //                                                                                                                        anon hold oth  pv   pb   pp   prev staf ostf comm ocom
    ("GET /api/viewer", "GET /api/viewer", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("POST /api/sign-in", "POST /api/sign-in", &[("email", "nobody@test.example"), ("password", "wrong")], "* * * * * * * * * * *"),
    ("POST /api/register-provider", "POST /api/register-provider", &[("form[organisation_name]", "New care"), ("form[regulator_id]", ""), ("form[contact_phone]", "0191 496 0001"), ("form[your_name]", "Ann"), ("form[email]", "{fresh}@example.org"), ("form[password]", "a long new password")], "* * * * * * * * * * *"),
    ("POST /api/register-self-funder", "POST /api/register-self-funder", &[("form[your_name]", "Sam"), ("form[email]", "{fresh}@example.org"), ("form[password]", "a long new password")], "* * * * * * * * * * *"),
    ("POST /api/confirm-email", "POST /api/confirm-email", &[("token", "not-a-token")], "* * * * * * * * * * *"),
    ("GET /api/mail-choices", "GET /api/mail-choices", &[], "N Y Y Y Y Y Y Y Y Y Y"),
    ("POST /api/choose-mail", "POST /api/choose-mail", &[("choices[messages]", "email")], "N Y Y Y Y Y Y Y Y Y Y"),
    ("POST /api/forgot-password", "POST /api/forgot-password", &[("email", "{fresh}@example.org")], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("POST /api/set-up-account", "POST /api/set-up-account", &[("form[email]", "amira@example.org"), ("form[code]", "AAAA-BBBB-CCCC"), ("form[password]", "a long new password")], "* * * * * * * * * * *"),
    ("GET /api/search", "GET /api/search?form[q]=care", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("GET /api/nearest-district", "GET /api/nearest-district?latitude=55.0&longitude=-1.6", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("GET /api/service", "GET /api/service?public_id={listing}", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("GET /api/provider", "GET /api/provider?public_id={provider}", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("GET /api/lots", "GET /api/lots", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("GET /api/lot", "GET /api/lot?lot_id={lot}", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("GET /api/lot-admin", "GET /api/lot-admin?lot_id={lot}", &[], "N N N N N N N N N Y N"),
    ("POST /api/admit-provider", "POST /api/admit-provider", &[("lot_id", "{lot}"), ("listing_id", "{listing}"), ("rate", "20.00")], "N N N N N N N N N Y N"),
    ("POST /api/record-monitoring", "POST /api/record-monitoring", &[("lot_id", "{lot}"), ("provider_id", "{provider}"), ("score", "80"), ("note", "Visit")], "N N N N N N N N N Y N"),
    ("POST /api/suspend-provider", "POST /api/suspend-provider", &[("lot_id", "{lot}"), ("provider_id", "{provider}"), ("reason", "Checks")], "N N N N N N N N N Y N"),
    ("POST /api/reinstate-provider", "POST /api/reinstate-provider", &[("lot_id", "{lot}"), ("provider_id", "{provider}")], "N N N N N N N N N Y N"),
    ("POST /api/set-lot-terms", "POST /api/set-lot-terms", &[("lot_id", "{lot}"), ("price_cap", "30.00"), ("quality_weight", "60")], "N N N N N N N N N Y N"),
    ("GET /api/framework-admin", "GET /api/framework-admin", &[], "N N N N N N N N N Y Y"),
    ("POST /api/create-framework", "POST /api/create-framework", &[("form[name]", "Day care {fresh}"), ("form[starts_on]", "2027-04-01"), ("form[ends_on]", "2030-03-31")], "N N N N N N N N N Y Y"),
    ("POST /api/create-lot", "POST /api/create-lot", &[("form[framework_id]", "{framework}"), ("form[category]", "day_care"), ("form[locality_id]", "{locality}"), ("form[unit]", "day"), ("form[price_cap]", "60.00"), ("form[quality_weight]", "60")], "N N N N N N N N N Y E"),
    ("GET /api/dashboard", "GET /api/dashboard?role={role}", &[], "N Y Y Y Y Y Y Y Y Y Y"),
    ("GET /api/my-listings", "GET /api/my-listings", &[], "N N N N N N N Y Y N N"),
    ("GET /api/listing-form", "GET /api/listing-form?listing_id={listing}", &[], "N N N N N N N Y N N N"),
    ("POST /api/save-listing", "POST /api/save-listing", &[("listing_id", "{listing}"), ("form[category]", "home_care"), ("form[title]", "Morning visits"), ("form[description]", "Visits at home."), ("form[unit]", "hour"), ("form[price]", "26.50"), ("form[min_visit_minutes]", "30"), ("form[billing_increment_minutes]", "15"), ("form[cancellation_notice_hours]", "24"), ("form[late_cancellation_percent]", "50"), ("form[carer_gender]", "any"), ("form[areas]", "NE3"), ("form[base_postcode]", ""), ("form[radius_km]", ""), ("form[hours][0][opens]", "08:00"), ("form[hours][0][closes]", "18:00"), ("form[languages]", "English")], "N N N N N N N Y N N N"),
    ("GET /api/quote-booking", "GET /api/quote-booking?listing={listing}&person={holder_id}&answers[how_often]=once&answers[date]={monday}&answers[time]=15:00&answers[minutes]=60&answers[weekdays]=", &[], "N Y N N Y N N N N N N"),
    ("POST /api/confirm-booking", "POST /api/confirm-booking", &[("listing", "{listing}"), ("person", "{holder_id}"), ("answers[how_often]", "once"), ("answers[date]", "{monday}"), ("answers[time]", "15:00"), ("answers[minutes]", "60"), ("answers[weekdays]", ""), ("request_key", "{key}"), ("quoted_total", "2650")], "N Y N N Y N N N N N N"),
    ("GET /api/booking", "GET /api/booking?reference={booking}", &[], "N Y N Y Y Y N Y N Y N"),
    ("POST /api/cancel-booking", "POST /api/cancel-booking", &[("reference", "{booking_to_cancel}")], "N Y N N Y N N N N N N"),
    ("GET /api/provider-bookings", "GET /api/provider-bookings", &[], "N N N N N N N Y Y N N"),
    ("POST /api/act-on-booking", "POST /api/act-on-booking", &[("reference", "{booking}"), ("action", "check_in"), ("visit_id", "{visit}")], "N N N N N N N Y N N N"),
    ("POST /api/answer-visit", "POST /api/answer-visit", &[("reference", "{booking}"), ("visit_id", "{visit}"), ("answer", "confirm")], "N Y N N Y N N N N N N"),
    ("GET /api/visit-to-confirm", "GET /api/visit-to-confirm?token=not-a-token", &[], "* * * * * * * * * * *"),
    ("POST /api/answer-visit-by-link", "POST /api/answer-visit-by-link", &[("token", "not-a-token"), ("answer", "confirm")], "* * * * * * * * * * *"),
    ("GET /api/visit-queries", "GET /api/visit-queries", &[], "N N N N N N N N N Y Y"),
    ("POST /api/decide-visit-query", "POST /api/decide-visit-query", &[("visit_id", "{visit}"), ("minutes", "30"), ("reason", "The log shows less")], "N N N N N N N N N Y N"),
    ("POST /api/raise-concern", "POST /api/raise-concern", &[("form[provider]", "{provider}"), ("form[kind]", "safeguarding"), ("form[description]", "Worried")], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("GET /api/concern", "GET /api/concern?reference={concern}", &[], "N Y N N N N N N N Y N"),
    ("GET /api/concerns", "GET /api/concerns", &[], "N N N N N N N N N Y Y"),
    ("POST /api/handle-concern", "POST /api/handle-concern", &[("reference", "{concern}"), ("action", "note"), ("text", "Rang them")], "N N N N N N N N N Y N"),
    ("POST /api/send-booking-message", "POST /api/send-booking-message", &[("reference", "{booking}"), ("message", "Hello")], "N Y N Y Y Y N Y N N N"),
    ("POST /api/write-review", "POST /api/write-review", &[("reference", "{booking}"), ("stars", "5"), ("body", "Kind")], "N Y N N Y N N N N N N"),
    ("GET /api/provider-reviews", "GET /api/provider-reviews", &[], "N N N N N N N Y Y N N"),
    ("POST /api/reply-to-review", "POST /api/reply-to-review", &[("review_id", "{review}"), ("reply", "Thank you")], "N N N N N N N Y N N N"),
    ("GET /api/council-reviews", "GET /api/council-reviews", &[], "N N N N N N N N N Y Y"),
    ("POST /api/hide-review", "POST /api/hide-review", &[("review_id", "{review}"), ("reason", "abusive")], "N N N N N N N N N Y N"),
    ("GET /api/payments", "GET /api/payments", &[], "N N N N N N N N N Y Y"),
    ("POST /api/run-payments", "POST /api/run-payments", &[], "N N N N N N N N N Y Y"),
    ("GET /api/provider-payments", "GET /api/provider-payments", &[], "N N N N N N N Y Y N N"),
    ("GET /api/call-monitoring", "GET /api/call-monitoring", &[], "N N N N N N N Y Y Y Y"),
    ("POST /api/import-call-monitoring", "POST /api/import-call-monitoring", &[("csv", "visit,checked in,checked out\nCM-NONE-NONE,2026-01-05 09:00,2026-01-05 10:00"), ("provider", "{provider}")], "N N N N N N N Y Y Y N"),
    ("GET /api/recoveries", "GET /api/recoveries", &[], "N N N N N N N N N Y Y"),
    ("GET /api/ratings", "GET /api/ratings", &[], "N N N N N N N N N Y Y"),
    ("GET /api/finance", "GET /api/finance", &[], "N N N N N N N N N Y Y"),
    ("POST /api/set-risk-thresholds", "POST /api/set-risk-thresholds", &[("thresholds[surplus_weeks]", "8"), ("thresholds[unused_weeks]", "12"), ("thresholds[off_framework_percent]", "50"), ("thresholds[missed_or_queried]", "3"), ("thresholds[top_ups]", "4")], "N N N N N N N N N Y Y"),
    ("POST /api/set-finance-codes", "POST /api/set-finance-codes", &[("codes[payment_cost_centre]", "A1"), ("codes[payment_account_code]", "B1"), ("codes[allocation_cost_centre]", "A2"), ("codes[allocation_account_code]", "B2"), ("codes[recovery_cost_centre]", "A3"), ("codes[recovery_account_code]", "B3")], "N N N N N N N N N Y Y"),
    ("POST /api/set-supplier-number", "POST /api/set-supplier-number", &[("provider", "{provider}"), ("supplier_number", "SUP-1")], "N N N N N N N N N Y N"),
    ("POST /api/import-ratings", "POST /api/import-ratings", &[("csv", "location id,rating,date\n1-999999999,Good,2026-01-05")], "N N N N N N N N N Y Y"),
    ("GET /api/audits", "GET /api/audits", &[], "N N N N N N N N N Y Y"),
    ("GET /api/audit-sample", "GET /api/audit-sample?reference={audit_sample}", &[], "N N N N N N N N N Y N"),
    ("GET /api/audit-case", "GET /api/audit-case?reference={audit_case}", &[], "N Y N N N N N N N Y N"),
    ("POST /api/draw-audit-sample", "POST /api/draw-audit-sample", &[("form[flags][0]", "unused"), ("form[share]", "10")], "N N N N N N N N N Y Y"),
    ("POST /api/redraw-audit-sample", "POST /api/redraw-audit-sample", &[("reference", "{audit_sample}"), ("form[share]", "10"), ("form[reason]", "Again")], "N N N N N N N N N Y N"),
    ("POST /api/ask-audit-question", "POST /api/ask-audit-question", &[("reference", "{audit_case}"), ("form[question]", "Why?"), ("form[due]", "{monday}")], "N N N N N N N N N Y N"),
    ("POST /api/answer-audit-question", "POST /api/answer-audit-question", &[("reference", "{audit_case}"), ("answer", "Because")], "N Y N N N N N N N N N"),
    ("POST /api/decide-audit-case", "POST /api/decide-audit-case", &[("reference", "{audit_case}"), ("outcome", "no_action"), ("note", "")], "N N N N N N N N N Y N"),
    ("GET /api/recovery", "GET /api/recovery?reference={recovery}", &[], "N N Y N N N N N N Y N"),
    ("POST /api/propose-recovery", "POST /api/propose-recovery", &[("form[budget_id]", "{budget}"), ("form[keep]", "1.00"), ("form[reason]", "Unspent")], "N N N N N N N N N Y N"),
    ("POST /api/reply-to-recovery", "POST /api/reply-to-recovery", &[("reference", "{recovery}"), ("reply", "I need it")], "N N Y N N N N N N N N"),
    ("POST /api/decide-recovery", "POST /api/decide-recovery", &[("reference", "{recovery}"), ("decision", "withdraw")], "N N N N N N N N N Y N"),
    ("GET /api/budgets", "GET /api/budgets", &[], "N N N N N N N N N Y Y"),
    ("POST /api/open-budget", "POST /api/open-budget", &[("form[name]", "Amira Shah"), ("form[email]", "{fresh}@example.org"), ("form[budget_type]", "direct_payment"), ("form[allocation]", "840.00"), ("form[starts_on]", "{today}")], "N N N N N N N N N Y Y"),
    ("POST /api/move-fund", "POST /api/move-fund", &[("budget_id", "{budget}"), ("fund_holder", "{provider}")], "N N N N N N N N N Y N"),
    ("POST /api/set-shortest-visit", "POST /api/set-shortest-visit", &[("budget_id", "{budget}"), ("minutes", "30")], "N N N N N N N N N Y N"),
    ("POST /api/set-budget-end-date", "POST /api/set-budget-end-date", &[("budget_id", "{budget}"), ("ends_on", "")], "N N N N N N N N N Y N"),
    ("POST /api/close-budget", "POST /api/close-budget", &[("budget_id", "{budget}"), ("reason", "")], "N N N N N N N N N Y N"),
    ("GET /api/helpers", "GET /api/helpers", &[], "N Y Y N N N N N N N N"),
    ("POST /api/add-helper", "POST /api/add-helper", &[("form[email]", "friend@example.org")], "N Y Y N N N N N N N N"),
    ("POST /api/withdraw-helper-request", "POST /api/withdraw-helper-request", &[("request_id", "{request_to_withdraw}")], "N Y N N N N N N N N N"),
    ("POST /api/answer-help-request", "POST /api/answer-help-request", &[("request_id", "{request_to_answer}"), ("answer", "accept")], "N N N Y N N N N N N N"),
    ("POST /api/open-helper-account", "POST /api/open-helper-account", &[("form[name]", "Rosa Diaz"), ("form[email]", "{fresh}@example.org")], "N N N N N N N N N Y Y"),
    ("POST /api/let-helper", "POST /api/let-helper", &[("request_id", "{request_to_let}"), ("answer", "yes")], "N Y N N N N N N N N N"),
    ("GET /api/help-invitation", "GET /api/help-invitation?token=abc", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("POST /api/join-to-help", "POST /api/join-to-help", &[("token", "not-a-token"), ("your_name", "Ann"), ("password", "a long new password")], "* * * * * * * * * * *"),
    ("POST /api/remove-helper", "POST /api/remove-helper", &[("delegation_id", "{spare_delegation}")], "N Y N N N N N N N N N"),
    ("POST /api/act-for", "POST /api/act-for", &[("person", "{holder_id}")], "N N N Y Y Y N N N N N"),
    ("GET /api/budget-statement", "GET /api/budget-statement?budget={budget}", &[], "N Y N Y Y Y N N N Y N"),
    ("GET /api/monthly-statement", "GET /api/monthly-statement?budget={budget}&month={month}", &[], "N Y N Y Y Y N N N Y N"),
    ("GET /api/card-payments", "GET /api/card-payments", &[], "N Y Y N N Y N N N N N"),
    ("POST /api/start-card-payment", "POST /api/start-card-payment", &[("form[purpose]", "top_up"), ("form[amount]", "5.00"), ("request_key", "{fresh}")], "N Y Y N N Y N N N N N"),
    ("POST /api/refund-card-payment", "POST /api/refund-card-payment", &[("id", "{payment}")], "N Y N N N N N N N N N"),
    ("GET /api/card-payment", "GET /api/card-payment?id={payment}", &[], "N Y N N N Y N N N N N"),
    ("GET /api/organisation-profile", "GET /api/organisation-profile", &[], "N N N N N N N Y Y N N"),
    ("POST /api/save-organisation-profile", "POST /api/save-organisation-profile", &[("form[description]", "We care."), ("form[contact_email]", "hello@example.com"), ("form[contact_phone]", "0191 496 0000"), ("form[website]", ""), ("form[languages]", "English"), ("form[regulator_id]", "")], "N N N N N N N Y Y N N"),
    ("POST /api/change-listing", "POST /api/change-listing", &[("listing_id", "{listing}"), ("change", "Reconfirm")], "N N N N N N N Y N N N"),
    ("GET /api/report", "GET /api/report?slug=placements&query[period]=month", &[], "N N N N N N N N N Y Y"),
    ("GET /api/offline-placements", "GET /api/offline-placements", &[], "N N N N N N N N N Y Y"),
    ("POST /api/record-offline-placement", "POST /api/record-offline-placement", &[("form[placed_on]", "2026-04-01"), ("form[category]", "home_care"), ("form[locality]", ""), ("form[weekly_value]", "350.00")], "N N N N N N N N N Y Y"),
    ("POST /api/import-offline-placements", "POST /api/import-offline-placements", &[("csv", "date,type of care,area,weekly value\n2026-04-01,Home care,,350.00")], "N N N N N N N N N Y Y"),
    // Pages, as a browser with JavaScript off asks for them.
    ("/", "GET /", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/providers/:id", "GET /providers/{provider}", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/services/:id", "GET /services/{listing}", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/sign-in", "GET /sign-in", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/register", "GET /register", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/register/person", "GET /register/person", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/account/set-up", "GET /account/set-up", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/account/forgot-password", "GET /account/forgot-password", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/account/notifications", "GET /account/notifications", &[], "N Y Y Y Y Y Y Y Y Y Y"),
    ("/account/confirm-email", "GET /account/confirm-email?token=abc", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/helping", "GET /helping?token=abc", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/lots", "GET /lots", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/lots/:id", "GET /lots/{lot}", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/dashboard", "GET /dashboard", &[], "N Y Y Y Y Y Y Y Y Y Y"),
    ("/dashboard/:role", "GET /dashboard/{role_slug}", &[], "N Y Y Y Y Y Y Y Y Y Y"),
    ("/budget/statement", "GET /budget/statement", &[], "N Y Y Y Y Y N N N N N"),
    ("/budget/statements/{month}", "GET /budget/statements/{month}?budget={budget}", &[], "N Y N Y Y Y N N N Y N"),
    ("/budget/helpers", "GET /budget/helpers", &[], "N Y Y N N N N N N N N"),
    ("/budget/pay", "GET /budget/pay", &[], "N Y Y N N Y N N N N N"),
    ("/budget/pay/:id", "GET /budget/pay/{payment}", &[], "N Y N N N Y N N N N N"),
    ("/book/:id", "GET /book/{listing}", &[], "N Y Y Y Y Y Y Y Y Y Y"),
    ("/bookings/:reference", "GET /bookings/{booking}", &[], "N Y N Y Y Y N Y N Y N"),
    ("/provider/bookings", "GET /provider/bookings", &[], "N N N N N N N Y Y N N"),
    ("/visit-queries", "GET /visit-queries", &[], "N N N N N N N N N Y Y"),
    ("/concerns", "GET /concerns", &[], "N N N N N N N N N Y Y"),
    ("/concerns/new", "GET /concerns/new?provider={provider}", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/concerns/:reference", "GET /concerns/{concern}", &[], "N Y N N N N N N N Y N"),
    ("/provider/reviews", "GET /provider/reviews", &[], "N N N N N N N Y Y N N"),
    ("/provider/payments", "GET /provider/payments", &[], "N N N N N N N Y Y N N"),
    ("/provider/call-monitoring", "GET /provider/call-monitoring", &[], "N N N N N N N Y Y Y Y"),
    ("/call-monitoring", "GET /call-monitoring", &[], "N N N N N N N Y Y Y Y"),
    ("/reviews", "GET /reviews", &[], "N N N N N N N N N Y Y"),
    ("/visits/confirm", "GET /visits/confirm?token=abc", &[], "* * * * * * * * * * *"),
    ("/payments", "GET /payments", &[], "N N N N N N N N N Y Y"),
    ("/reports", "GET /reports", &[], "N N N N N N N N N Y Y"),
    ("/reports/:slug", "GET /reports/placements", &[], "N N N N N N N N N Y Y"),
    ("/offline-placements", "GET /offline-placements", &[], "N N N N N N N N N Y Y"),
    ("/budgets", "GET /budgets", &[], "N N N N N N N N N Y Y"),
    ("/recoveries", "GET /recoveries", &[], "N N N N N N N N N Y Y"),
    ("/ratings", "GET /ratings", &[], "N N N N N N N N N Y Y"),
    ("/finance", "GET /finance", &[], "N N N N N N N N N Y Y"),
    // Both councils set their codes above, so both may export.
    ("/finance/export.csv", "GET /finance/export.csv?from=2026-01-01&to=2026-01-31", &[], "N N N N N N N N N Y Y"),
    ("/audits", "GET /audits", &[], "N N N N N N N N N Y Y"),
    ("/audits/:reference", "GET /audits/{audit_sample}", &[], "N N N N N N N N N Y N"),
    ("/audits/cases/:reference", "GET /audits/cases/{audit_case}", &[], "N Y N N N N N N N Y N"),
    ("/recoveries/:reference", "GET /recoveries/{recovery}", &[], "N N Y N N N N N N Y N"),
    ("/frameworks", "GET /frameworks", &[], "N N N N N N N N N Y Y"),
    ("/provider/profile", "GET /provider/profile", &[], "N N N N N N N Y Y N N"),
    ("/provider/listings", "GET /provider/listings", &[], "N N N N N N N Y Y N N"),
    ("/provider/listings/new", "GET /provider/listings/new", &[], "N N N N N N N Y Y N N"),
    ("/provider/listings/:id", "GET /provider/listings/{listing}", &[], "N N N N N N N Y N N N"),
    // Downloads, and the routes that are public by design.
    ("/budget/statement.csv", "GET /budget/statement.csv?budget={budget}", &[], "N Y N Y Y Y N N N Y N"),
    ("/budget/statements/{month}/csv", "GET /budget/statements/{month}/csv?budget={budget}", &[], "N Y N Y Y Y N N N Y N"),
    ("/budgets/statements/{month}/csv", "GET /budgets/statements/{month}/csv", &[], "N N N N N N N N N Y Y"),
    ("/payments/{reference}/remittance.csv", "GET /payments/{run}/remittance.csv", &[], "N N N N N N N N N Y N"),
    // The run paid no provider here; a provider's own runs are in `provider_payments.rs`.
    ("/provider/payments/{reference}/visits.csv", "GET /provider/payments/{run}/visits.csv", &[], "N N N N N N N N N N N"),
    ("/reports/{report}/csv", "GET /reports/placements/csv", &[], "N N N N N N N N N Y Y"),
    ("/healthz", "GET /healthz", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/readyz", "GET /readyz", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/api/v1/search", "GET /api/v1/search?q=care", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/openapi.json", "GET /openapi.json", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/stripe/webhook", "POST /stripe/webhook", &[], "* * * * * * * * * * *"),
    ("/openreferral", "GET /openreferral", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/openreferral/", "GET /openreferral/", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/openreferral/openapi.json", "GET /openreferral/openapi.json", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/openreferral/services", "GET /openreferral/services", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/openreferral/services/{id}", "GET /openreferral/services/{listing}", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/openreferral/organizations", "GET /openreferral/organizations", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/openreferral/organizations/{id}", "GET /openreferral/organizations/{provider}", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/openreferral/taxonomies", "GET /openreferral/taxonomies", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/openreferral/taxonomy_terms", "GET /openreferral/taxonomy_terms", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/openreferral/service_at_locations", "GET /openreferral/service_at_locations", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
    ("/openreferral/{*rest}", "GET /openreferral/nothing-here", &[], "* * * * * * * * * * *"),
    ("/pkg/{*file}", "GET /pkg/caremarket.css", &[], "* * * * * * * * * * *"),
    // Last: signing out ends each person's session.
    ("POST /api/sign-out", "POST /api/sign-out", &[], "Y Y Y Y Y Y Y Y Y Y Y"),
];

/// Everything the requests refer to, built once.
pub(crate) struct World {
    pub(crate) values: BTreeMap<&'static str, String>,
    pub(crate) people: Vec<Option<Persona>>,
}

pub(crate) async fn world(app: &TestApp) -> World {
    let council = app.personas.council_id;
    let holder = app.personas.budget_holder.clone();
    let other_holder = fixtures::user(&app.db, council, "other.holder@test.example", app::Role::BudgetHolder, None).await;
    let planner = |email: &'static str| fixtures::user(&app.db, council, email, app::Role::Planner, None);
    let (viewer, booker, payer, revoked) =
        (app.personas.planner.clone(), planner("booker@test.example").await, planner("payer@test.example").await, planner("revoked@test.example").await);
    let spare = planner("spare@test.example").await;
    let other_staff = fixtures::user(&app.db, council, "staff@hilltop.example", app::Role::Provider, Some(app.personas.other_provider_id)).await;
    let elsewhere = fixtures::other_council(&app.db).await;

    let lot = crate::lots::north_home_care(app).await;
    let (_, listing) = weekday_home_care(app, app.personas.provider_id, "Morning visits").await;
    let budget = funded_budget(app, holder.id, "direct_payment", 200_000).await;
    let other_budget = funded_budget(app, other_holder.id, "direct_payment", 50_000).await;
    // A proposal to recover the other holder's surplus.
    let commissioner = crate::booking_changes::user(app, app.personas.commissioner.id).await;
    let proposal = app::RecoveryForm { budget_id: other_budget, keep: "1.00".into(), reason: "Unspent".into() };
    let recovery = server::domain::recoveries::propose(&app.db, &commissioner, &proposal, chrono::Utc::now()).await.expect("proposed");
    for (delegate, book, pay) in [(&viewer, false, false), (&booker, true, false), (&payer, false, true), (&revoked, true, true), (&spare, false, false)] {
        fixtures::insert(
            &app.db,
            "delegations",
            &[
                ("holder_id", holder.id.into()),
                ("delegate_id", delegate.id.into()),
                ("can_view", true.into()),
                ("can_book", book.into()),
                ("can_pay", pay.into()),
                ("created_at", chrono::Utc::now().into()),
            ],
        )
        .await;
    }
    let spare_delegation: i64 = one_number(app, &format!("SELECT id FROM delegations WHERE delegate_id = {}", spare.id)).await;

    // Two bookings: one to act on and read, one to cancel.
    let mut client = app.signed_in(&holder).await;
    let (_, booked) = book(&mut client, &listing, &question_query("once", next_monday(), "09:00", "60", &[]), None).await;
    let booking = booked.location().expect("booked").trim_start_matches("/bookings/").to_string();
    let (_, booked) = book(&mut client, &listing, &question_query("once", next_monday(), "11:00", "60", &[]), None).await;
    let booking_to_cancel = booked.location().expect("booked").trim_start_matches("/bookings/").to_string();
    let mut staff = app.signed_in(&app.personas.provider).await;
    staff.post_form("/api/act-on-booking", &[("reference", booking.as_str()), ("action", "accept")]).await;
    let visit: i64 = one_number(app, &format!("SELECT v.id FROM visits v JOIN bookings b ON b.id = v.booking_id WHERE b.reference = '{booking}'")).await;
    // A card payment the holder started.
    let form = client.get("/budget/pay").await;
    let key = hidden_value(&form, "request_key");
    client.post_form("/api/start-card-payment", &[("request_key", key.as_str()), ("form[purpose]", "top_up"), ("form[amount]", "12.00")]).await;
    let payment: i64 = one_number(app, "SELECT MAX(id) FROM card_payments").await;
    // Requests to help: one to take back, one for the view-only planner to answer.
    client.post_form("/api/add-helper", &[("form[email]", "someone@example.org")]).await;
    client.post_form("/api/add-helper", &[("form[email]", viewer.email.as_str())]).await;
    let request_to_withdraw: i64 = one_number(app, "SELECT id FROM helper_invitations WHERE email = 'someone@example.org'").await;
    let request_to_answer: i64 = one_number(app, &format!("SELECT id FROM helper_invitations WHERE email = '{}'", viewer.email)).await;
    // And one a planner has accepted, for the person to let them help.
    let accepter = planner("accepter@test.example").await;
    client.post_form("/api/add-helper", &[("form[email]", accepter.email.as_str()), ("form[can_book]", "yes")]).await;
    let request_to_let: i64 = one_number(app, "SELECT id FROM helper_invitations WHERE email = 'accepter@test.example'").await;
    app.execute_sql(&format!("UPDATE helper_invitations SET answered_by = {}, answered_at = CURRENT_TIMESTAMP WHERE id = {request_to_let}", accepter.id)).await;
    // A payment run to download.
    let due = format!(
        "INSERT INTO payment_runs (reference, council_id, total_pence, provider_count, run_by, created_at) VALUES ('PR-TEST-1', {council}, 0, 0, {}, CURRENT_TIMESTAMP)",
        app.personas.commissioner.id
    );
    app.execute_sql(&due).await;
    let framework: i64 = one_number(app, "SELECT MIN(id) FROM frameworks").await;
    let locality: i64 = one_number(app, "SELECT MIN(id) FROM localities").await;
    let provider: String = one_text(app, &format!("SELECT public_id FROM providers WHERE id = {}", app.personas.provider_id)).await;
    let booking_id = one_number(app, &format!("SELECT id FROM bookings WHERE reference = '{booking}'")).await;
    let review = fixtures::insert(
        &app.db,
        "reviews",
        &[
            ("booking_id", booking_id.into()),
            ("provider_id", app.personas.provider_id.into()),
            ("author_id", holder.id.into()),
            ("stars", 4_i16.into()),
            ("body", "Kind".into()),
            ("created_at", chrono::Utc::now().into()),
        ],
    )
    .await;

    let concern = "CN-TEST-0001";
    let raised = format!(
        "INSERT INTO concerns (reference, kind, council_id, provider_id, raised_by, description, share_messages, status, due_on, created_at) \
         VALUES ('{concern}', 'complaint', {council}, {}, {}, 'Missed visits', false, 'received', CURRENT_DATE, CURRENT_TIMESTAMP)",
        app.personas.provider_id, holder.id
    );
    app.execute_sql(&raised).await;
    // This month's statements, made early, so there is one to ask for.
    let today = server::domain::uk_time::to_local(chrono::Utc::now()).date();
    let this_month = server::domain::monthly_statements::month_before(today) + chrono::Months::new(1);
    server::domain::monthly_statements::make(&app.db, this_month, chrono::Utc::now()).await.expect("statements");
    // This month's audit sample (every budget) and a question to the holder in their case.
    let everything = app::AuditSampleForm { flags: Vec::new(), share: "100".into(), reason: String::new() };
    let audit_sample = server::domain::audits::draw(&app.db, &commissioner, &everything, chrono::Utc::now()).await.expect("drawn");
    let audit_case = one_text(app, &format!("SELECT reference FROM audit_cases WHERE budget_id = {budget}")).await;
    let question = app::AuditQuestionForm { question: "What is the money for?".into(), due: next_monday().to_string() };
    server::domain::audits::ask(&app.db, &commissioner, &audit_case, &question, chrono::Utc::now()).await.expect("asked");
    let values = BTreeMap::from([
        ("audit_sample", audit_sample),
        ("audit_case", audit_case),
        ("month", server::domain::monthly_statements::month_code(this_month)),
        ("concern", concern.to_string()),
        ("listing", listing),
        ("provider", provider),
        ("lot", lot.to_string()),
        ("framework", framework.to_string()),
        ("locality", locality.to_string()),
        ("holder_id", holder.id.to_string()),
        ("budget", budget.to_string()),
        ("booking", booking),
        ("booking_to_cancel", booking_to_cancel),
        ("visit", visit.to_string()),
        ("review", review.to_string()),
        ("payment", payment.to_string()),
        ("request_to_withdraw", request_to_withdraw.to_string()),
        ("request_to_answer", request_to_answer.to_string()),
        ("request_to_let", request_to_let.to_string()),
        ("recovery", recovery),
        ("spare_delegation", spare_delegation.to_string()),
        ("run", "PR-TEST-1".to_string()),
        ("monday", next_monday().to_string()),
        ("today", chrono::Utc::now().date_naive().to_string()),
    ]);
    let people = vec![
        None,
        Some(holder),
        Some(other_holder),
        Some(viewer),
        Some(booker),
        Some(payer),
        Some(revoked),
        Some(app.personas.provider.clone()),
        Some(other_staff),
        Some(app.personas.commissioner.clone()),
        Some(elsewhere.commissioner),
    ];
    World { values, people }
}

async fn one_number(app: &TestApp, sql: &str) -> i64 {
    let row = app.db.query_one_raw(sea_orm::Statement::from_string(app.db.get_database_backend(), sql.to_string())).await.expect("query").expect("a row");
    row.try_get_by_index::<i64>(0).expect("a number")
}

async fn one_text(app: &TestApp, sql: &str) -> String {
    let row = app.db.query_one_raw(sea_orm::Statement::from_string(app.db.get_database_backend(), sql.to_string())).await.expect("query").expect("a row");
    row.try_get_by_index::<String>(0).expect("text")
}

/// One client per person, signed in (and, for planners, acting for the holder; the revoked
/// planner's permission ends after they began).
pub(crate) async fn clients(app: &TestApp, world: &World) -> Vec<Client> {
    let mut clients: Vec<Client> = Vec::new();
    for (column, person) in world.people.iter().enumerate() {
        let mut client = match person {
            Some(person) => app.signed_in(person).await,
            None => app.visitor(),
        };
        client.address = format!("198.51.100.{column}");
        if (3..=6).contains(&column) {
            client.post_form("/api/act-for", &[("person", world.values["holder_id"].as_str())]).await;
        }
        clients.push(client);
    }
    app.execute_sql(&format!("UPDATE delegations SET revoked_at = CURRENT_TIMESTAMP WHERE delegate_id = {}", world.people[6].as_ref().expect("revoked").id))
        .await;
    clients
}

/// Sends a table row's request as this client: server functions as the hydrated app calls
/// them (real statuses), pages and downloads as a browser without JavaScript.
pub(crate) async fn send(client: &mut Client, method: &str, path: &str, fields: &[(String, String)]) -> Reply {
    match (method, path.starts_with("/api/") && !path.starts_with("/api/v1/")) {
        ("GET", true) => client.api_get(path).await,
        ("GET", false) => client.get(path).await,
        (_, true) => client.api_post(path, fields).await,
        (_, false) => client.post_form(path, fields).await,
    }
}

/// The request's text with its placeholders filled in for this person.
pub(crate) fn fill(text: &str, world: &World, who: Option<&Persona>, fresh: usize) -> String {
    let mut filled = text.replace("{fresh}", &format!("fresh{fresh}")).replace("{key}", &format!("{fresh:064x}"));
    // Anyone not signed in asks for a budget holder's dashboard.
    let role = who.map_or(app::Role::BudgetHolder, |person| person.role);
    filled = filled.replace("{role}", &format!("{role:?}")).replace("{role_slug}", role.slug());
    for (name, value) in &world.values {
        filled = filled.replace(&format!("{{{name}}}"), value);
    }
    filled
}

/// Refused for who is asking: a status that says so, or a page sending them to sign in.
fn refused(reply: &Reply) -> bool {
    matches!(reply.status, 401 | 403 | 404) || reply.location().is_some_and(|to| to.starts_with("/sign-in"))
}

#[tokio::test]
async fn every_route_and_server_function_answers_each_kind_of_person_as_the_table_says() {
    let app = TestApp::with_stripe().await;
    let world = world(&app).await;

    // Every route has its row, and every row a route.
    let mut routes: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths().map(|(path, method)| format!("{method} {path}")).collect();
    routes.extend(
        server::http::page_paths()
            .into_iter()
            .map(|path| path.replace("{id}", ":id").replace("{role}", ":role").replace("{reference}", ":reference").replace("{slug}", ":slug")),
    );
    routes.extend(server::http::plain_route_paths());
    let rows: BTreeSet<String> = TABLE.iter().map(|(route, ..)| route.to_string()).collect();
    let missing: Vec<&String> = routes.difference(&rows).collect();
    let stale: Vec<&String> = rows.difference(&routes).collect();
    assert!(missing.is_empty() && stale.is_empty(), "routes without a row: {missing:?}; rows without a route: {stale:?}");

    let mut clients = clients(&app, &world).await;

    let mut wrong = Vec::new();
    let mut fresh = 0;
    for (route, request, fields, expected) in TABLE {
        let expected: Vec<&str> = expected.split_whitespace().collect();
        assert_eq!(expected.len(), WHO.len(), "{route}: one answer per person");
        for (column, client) in clients.iter_mut().enumerate() {
            fresh += 1;
            let who = world.people[column].as_ref();
            let (method, path) = request.split_once(' ').expect("METHOD path");
            let path = fill(path, &world, who, fresh);
            let fields: Vec<(String, String)> = fields.iter().map(|(name, value)| (name.to_string(), fill(value, &world, who, fresh))).collect();
            let reply = send(client, method, &path, &fields).await;
            let answer = if reply.status >= 500 {
                "5xx"
            } else if expected[column] == "*" {
                "*"
            } else if refused(&reply) {
                "N"
            } else if reply.status == 422 && expected[column] == "E" {
                "E"
            } else {
                "Y"
            };
            if answer != expected[column] {
                wrong.push(format!("{route} as {}: expected {}, got {answer} ({} {:?})", WHO[column], expected[column], reply.status, reply.location()));
            }
        }
    }
    assert!(wrong.is_empty(), "{} answers differ from the table:\n{}", wrong.len(), wrong.join("\n"));
}
