//! Paying providers (`/payments`, commissioners): what the council owes each provider for care
//! delivered, a button that pays them all in one run, and each run's remittance file (CSV) for
//! the council's finance system.
use crate::api::{
    ImportCallMonitoring, RunPayments, SetFinanceCodes, SetSupplierNumber, load_call_monitoring, load_finance, load_payments, load_provider_payments,
};
use crate::components::{CsrfField, CsvInput, ErrorSummary, Loaded, Select, TextInput, form_errors, use_viewer};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PATH: &str = "/payments";

#[component]
pub fn PaymentsPage() -> impl IntoView {
    let run = ServerAction::<RunPayments>::new();
    let loaded = Resource::new(move || run.version().get(), |_| load_payments());
    let errors = form_errors(run);
    let finished = move || use_query_map().read().get("run");
    view! {
        <Title text="Paying providers"/>
        <h1>"Paying providers"</h1>
        <ErrorSummary errors/>
        {move || finished().map(|reference| view! {
            <div class="notice" role="status"><p>{format!("Payment run {reference} is done. Download its remittance file below.")}</p></div>
        })}
        <Loaded data=loaded path=PATH show=move |admin, token| view! { <Payments admin run token/> }/>
    }
}

#[component]
fn Payments(admin: PaymentsAdmin, run: ServerAction<RunPayments>, token: String) -> impl IntoView {
    let total: i64 = admin.owed.iter().map(|(_, pence)| pence).sum();
    view! {
        <h2>"Owed for care delivered"</h2>
        {if admin.owed.is_empty() {
            view! { <p>"No provider is owed anything at the moment."</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <caption class="visually-hidden">"What each provider is owed, largest first"</caption>
                    <thead><tr><th scope="col">"Provider"</th><th scope="col">"Owed"</th></tr></thead>
                    <tbody>
                        {admin.owed.into_iter().map(|(provider, pence)| view! {
                            <tr><th scope="row">{provider}</th><td data-label="Owed">{format_pence(pence)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <ActionForm action=run>
                    <CsrfField token/>
                    <button type="submit" class="button">{format!("Pay providers {} now", format_pence(total))}</button>
                </ActionForm>
            }.into_any()
        }}
        <h2>"Payment runs"</h2>
        {if admin.runs.is_empty() {
            view! { <p>"There have been no payment runs yet."</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <caption class="visually-hidden">"Payment runs, newest first"</caption>
                    <thead><tr><th scope="col">"Run"</th><th scope="col">"Date"</th><th scope="col">"Providers"</th><th scope="col">"Total"</th><th scope="col">"Remittance"</th></tr></thead>
                    <tbody>
                        {admin.runs.into_iter().map(|line| view! {
                            <tr>
                                <th scope="row">{line.reference.clone()}</th>
                                <td data-label="Date">{line.date}</td>
                                <td data-label="Providers">{line.providers}</td>
                                <td data-label="Total">{format_pence(line.total_pence)}</td>
                                <td data-label="Remittance"><a href=format!("/payments/{}/remittance.csv", line.reference) download>
                                    "Download (CSV)"<span class="visually-hidden">{format!(" for {}", line.reference)}</span></a></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

/// A provider's money (`/provider/payments`, its staff): for each council, what is waiting for the
/// person to confirm, what is owed for the next payment run, and each run with the visits it paid.
#[component]
pub fn ProviderPaymentsPage() -> impl IntoView {
    let loaded = Resource::new(|| (), |_| load_provider_payments());
    view! {
        <Title text="Payments to you"/>
        <h1>"Payments to you"</h1>
        <Loaded data=loaded path="/provider/payments" show=move |payments, _| view! { <ProviderPaymentsView payments/> }/>
    }
}

#[component]
fn ProviderPaymentsView(payments: ProviderPayments) -> impl IntoView {
    if payments.councils.is_empty() {
        return view! { <p>"No council owes you anything yet. Money for a visit is owed once the person confirms it (or 48 hours pass)."</p> }.into_any();
    }
    payments
        .councils
        .into_iter()
        .map(|council| {
            let heading = council.council.clone();
            view! {
                <h2>{heading}</h2>
                <dl class="summary-list">
                    <div><dt>"Waiting for people to confirm"</dt>
                        <dd>{format!("{} ({} {})", format_pence(council.awaiting_pence), council.awaiting_visits, if council.awaiting_visits == 1 { "visit" } else { "visits" })}</dd></div>
                    <div><dt>"Owed, for the next payment run"</dt><dd>{format_pence(council.owed_pence)}</dd></div>
                </dl>
                {if council.runs.is_empty() {
                    view! { <p>"This council has not paid you in a payment run yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="spaced-list">
                            {council.runs.into_iter().map(|run| view! { <RunPaid run/> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            }
        })
        .collect_view()
        .into_any()
}

/// One payment run to the provider, with the visits it paid for.
#[component]
fn RunPaid(run: ProviderRunLine) -> impl IntoView {
    let count = run.visits.len();
    view! {
        <li class="card">
            <h3 class="card-title">{format!("{}: {} paid on {}", run.reference, format_pence(run.amount_pence), run.date)}</h3>
            <details>
                <summary>{format!("The {count} {} it paid for", if count == 1 { "visit" } else { "visits" })}</summary>
                <table class="table">
                    <caption class="visually-hidden">{format!("Visits paid for in {}", run.reference)}</caption>
                    <thead><tr><th scope="col">"Booking"</th><th scope="col">"Visit date"</th><th scope="col">"Minutes"</th><th scope="col">"Amount"</th></tr></thead>
                    <tbody>
                        {run.visits.into_iter().map(|visit| view! {
                            <tr>
                                <th scope="row"><a href=format!("/bookings/{}", visit.booking)>{visit.booking.clone()}</a></th>
                                <td data-label="Visit date">{visit.day}</td>
                                <td data-label="Minutes">{visit.minutes}</td>
                                <td data-label="Amount">{format_pence(visit.amount_pence)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
            <p><a href=format!("/provider/payments/{}/visits.csv", run.reference) download>
                "Download the visits (CSV)"<span class="visually-hidden">{format!(" for {}", run.reference)}</span></a></p>
        </li>
    }
}

/// A provider's electronic call monitoring (`/provider/call-monitoring`, its staff): upload the
/// call-monitoring system's export to settle visits as checking in and out would, and see what
/// came of each line.
#[component]
pub fn CallMonitoringPage() -> impl IntoView {
    let import = ServerAction::<ImportCallMonitoring>::new();
    let upload = use_query_map().read_untracked().get("upload").and_then(|id| id.parse::<i64>().ok());
    let loaded = Resource::new(move || import.version().get(), move |_| load_call_monitoring(upload));
    let errors = form_errors(import);
    let header = CALL_MONITORING_HEADER;
    let path = use_viewer().user.map_or("/provider/call-monitoring", |user| call_monitoring_path(user.role));
    view! {
        <Title text="Call monitoring"/>
        <h1>"Call monitoring"</h1>
        <p>"Upload a call-monitoring system's export to record visits checked in and out there. Each line settles one visit "
           "exactly as checking in and out here would. A line naming a visit already settled with the same times is counted, not settled again."</p>
        <p>"Save the export as CSV, then choose the file, or paste its lines into the box. The first line names the columns: "<code>{header}</code>
           ". Each visit is a booking reference (the visit that day nearest the check-in) or a visit number; times are UK time, like 2026-12-07 09:02."</p>
        <ErrorSummary errors/>
        <Loaded data=loaded path=path show=move |page, token| view! { <CallMonitoring page import errors token path/> }/>
    }
}

#[component]
fn CallMonitoring(
    page: CallMonitoringUploads,
    import: ServerAction<ImportCallMonitoring>,
    errors: Signal<Vec<FieldError>>,
    token: String,
    path: &'static str,
) -> impl IntoView {
    let for_council = !page.providers.is_empty();
    view! {
        {page.shown.map(|result| view! {
            <div class="panel" role="status">
                <h2>"Your file is uploaded"</h2>
                <p>{format!("{} settled now; {} settled already.", visits_word(result.settled), visits_word(result.already_settled))}</p>
            </div>
            {(!result.problems.is_empty()).then(|| view! {
                <h2>{format!("{} not settled", match result.problems.len() { 1 => "1 line".to_string(), n => format!("{n} lines") })}</h2>
                <ul class="list-bullet">{result.problems.into_iter().map(|problem| view! { <li>{problem}</li> }).collect_view()}</ul>
            })}
        })}
        <ActionForm action=import attr:novalidate=true>
            <CsrfField token/>
            {for_council.then(|| view! {
                <Select id="provider" name="provider" label="Whose visits these are" options=page.providers.clone() value=String::new() any="Choose the provider" errors/>
            })}
            <CsvInput label="Lines to upload" hint=format!("For example: {CALL_MONITORING_HEADER} then CM-7K2P-9QXM,2026-12-07 09:02,2026-12-07 10:01") errors/>
            <button type="submit" class="button">"Upload and settle visits"</button>
        </ActionForm>
        <script src="/enhance.js"></script>
        <h2>{if for_council { "Latest uploads for the council's providers" } else { "Your latest uploads" }}</h2>
        {if page.latest.is_empty() {
            view! { <p>"Nothing has been uploaded yet."</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <caption class="visually-hidden">"Call-monitoring uploads, newest first"</caption>
                    <thead><tr><th scope="col">"Uploaded"</th><th scope="col">"Provider"</th><th scope="col">"Settled"</th><th scope="col">"Settled already"</th><th scope="col">"Not settled"</th></tr></thead>
                    <tbody>
                        {page.latest.into_iter().map(|line| view! {
                            <tr>
                                <th scope="row"><a href=format!("{path}?upload={}", line.id)>{line.uploaded}</a></th>
                                <td data-label="Provider">{line.provider}</td>
                                <td data-label="Settled">{line.settled}</td>
                                <td data-label="Settled already">{line.already_settled}</td>
                                <td data-label="Not settled">{line.problems.len()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

fn visits_word(count: i32) -> String {
    if count == 1 { "1 visit".into() } else { format!("{count} visits") }
}

/// The council's finance system (`/finance`, commissioners): the cost centre and account code for
/// each kind of money, each provider's supplier number, and the export for a period.
#[component]
pub fn FinancePage() -> impl IntoView {
    let codes = ServerAction::<SetFinanceCodes>::new();
    let supplier = ServerAction::<SetSupplierNumber>::new();
    let loaded = Resource::new(move || (codes.version().get(), supplier.version().get()), |_| load_finance());
    let (code_errors, supplier_errors) = (form_errors(codes), form_errors(supplier));
    let saved = use_query_map().read_untracked().get("saved").is_some();
    view! {
        <Title text="Finance export"/>
        <h1>"Finance export"</h1>
        {saved.then(|| view! { <div class="notice" role="status"><p>"Saved."</p></div> })}
        <ErrorSummary errors=code_errors/>
        <ErrorSummary errors=supplier_errors/>
        <Loaded data=loaded path="/finance" show=move |settings, token| view! { <Finance settings codes supplier code_errors supplier_errors token/> }/>
    }
}

#[component]
fn Finance(
    settings: FinanceSettings,
    codes: ServerAction<SetFinanceCodes>,
    supplier: ServerAction<SetSupplierNumber>,
    code_errors: Signal<Vec<FieldError>>,
    supplier_errors: Signal<Vec<FieldError>>,
    token: String,
) -> impl IntoView {
    let supplier_token = token.clone();
    view! {
        <h2>"Download the council's money for a period"</h2>
        <p>"Every payment to providers, allocation to personal budgets and money recovered, one line each: date, kind, cost centre, account code, amount, reference, the provider's supplier number and the payee."</p>
        <form method="get" action="/finance/export.csv">
            <TextInput id="from" name="from" label="From" input_type="date" hint="For example, 2026-11-01" width="input-narrow" errors=Signal::stored(Vec::new())/>
            <TextInput id="to" name="to" label="To (including this day)" input_type="date" hint="For example, 2026-11-30" width="input-narrow" errors=Signal::stored(Vec::new())/>
            <button type="submit" class="button">"Download (CSV)"</button>
        </form>
        <h2>"Codes in your finance system"</h2>
        <ActionForm action=codes attr:novalidate=true>
            <CsrfField token/>
            {settings.codes.into_iter().map(|(kind, cost_centre, account_code)| {
                let label = FINANCE_KINDS.iter().find(|(k, _)| *k == kind).map(|(_, label)| *label).unwrap_or_default();
                view! {
                    <fieldset class="fieldset">
                        <legend class="legend">{label}</legend>
                        <TextInput id=format!("{kind}_cost_centre") name=format!("codes[{kind}_cost_centre]") label="Cost centre" value=cost_centre width="input-narrow" errors=code_errors/>
                        <TextInput id=format!("{kind}_account_code") name=format!("codes[{kind}_account_code]") label="Account code" value=account_code width="input-narrow" errors=code_errors/>
                    </fieldset>
                }
            }).collect_view()}
            <button type="submit" class="button">"Save the codes"</button>
        </ActionForm>
        <h2>"Providers' supplier numbers"</h2>
        <ul class="spaced-list">
            {settings.providers.into_iter().map(|(public_id, name, number)| {
                let id = format!("supplier-{public_id}");
                let token = supplier_token.clone();
                view! {
                    <li>
                        <ActionForm action=supplier attr:novalidate=true>
                            <CsrfField token/>
                            <input type="hidden" name="provider" value=public_id.clone()/>
                            <TextInput id=id name="supplier_number" label=format!("{name}'s supplier number") value=number width="input-narrow" errors=supplier_errors/>
                            <button type="submit" class="button button-secondary">{format!("Save {name}'s supplier number")}</button>
                        </ActionForm>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
