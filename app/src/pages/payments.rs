//! Paying providers (`/payments`, commissioners): what the council owes each provider for care
//! delivered, a button that pays them all in one run, and each run's remittance file (CSV) for
//! the council's finance system.
use crate::api::{RunPayments, load_payments};
use crate::components::{CsrfField, ErrorSummary, Loaded, form_errors};
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
