//! Paying into a budget by card (`/budget/pay`, then `/budget/pay/{id}`): the person's
//! assessed contribution or a top-up. The amount is chosen here; the card details go from the
//! browser straight to Stripe (Stripe.js), so CareMarket never sees them. The money shows in
//! the budget when Stripe confirms the payment to our server.
use crate::api::{RefundCardPayment, StartCardPayment, load_card_payment, load_card_payments};
use crate::components::{Choices, CsrfField, ErrorSummary, Loaded, TextInput, form_errors};
use crate::model::*;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn PayByCardPage() -> impl IntoView {
    let start = ServerAction::<StartCardPayment>::new();
    let errors = form_errors(start);
    let refund = ServerAction::<RefundCardPayment>::new();
    let refund_errors = form_errors(refund);
    let loaded = Resource::new(move || refund.version().get(), |_| load_card_payments());
    let query = use_query_map();
    view! {
        <ErrorSummary errors=refund_errors/>
        {move || query.read().get("refunded").map(|_| view! {
            <div class="notice" role="status"><p>"Refunded to your card. It can take a few days to show."</p></div>
        })}
        {move || query.read().get("refunding").map(|_| view! {
            <div class="notice" role="status"><p>"Your refund is under way: the money has left your account and reaches your card once our card processor confirms it."</p></div>
        })}
        <Loaded data=loaded path="/budget/pay" show=move |page, token| view! { <PayForm page errors refund token/> }/>
    }
}

#[component]
fn PayForm(page: CardPaymentsPage, errors: Signal<Vec<FieldError>>, refund: ServerAction<RefundCardPayment>, token: String) -> impl IntoView {
    let self_funded = page.self_funded;
    let row_token = token.clone();
    let purposes = if page.self_funded {
        vec![("top_up".to_string(), "Money for care I will book".to_string())]
    } else {
        vec![("contribution".to_string(), "My contribution".to_string()), ("top_up".to_string(), "A top-up to my budget".to_string())]
    };
    let contribution = (page.four_weekly_contribution_pence > 0).then(|| pounds_text(page.four_weekly_contribution_pence));
    view! {
        <Title text="Pay by card"/>
        <h1>{if page.self_funded { "Pay into your account by card" } else { "Pay into your budget by card" }}<span class="caption">{page.holder.clone()}</span></h1>
        <ErrorSummary errors/>
        {(page.four_weekly_contribution_pence > 0).then(|| view! {
            <p>{format!("Your assessed contribution is {} every 4 weeks.", format_pence(page.four_weekly_contribution_pence))}</p>
        })}
        // A plain form: the card page loads in full, with Stripe's card form.
        <form method="post" action=StartCardPayment::url() novalidate>
            <CsrfField token/>
            <input type="hidden" name="request_key" value=page.request_key.clone()/>
            <Choices id="purpose" name="form[purpose]" legend="What is this payment for?" options=purposes chosen=vec![] errors/>
            <TextInput id="amount" name="form[amount]" label="Amount, in pounds" hint="For example, 45.00" value=contribution.unwrap_or_default()
                width="input-narrow" errors/>
            <button type="submit" class="button">"Continue to card details"</button>
        </form>
        {(!page.payments.is_empty()).then(|| view! {
            <h2>"Your card payments"</h2>
            <table class="table">
                <thead><tr><th scope="col">"Started"</th><th scope="col">"For"</th><th scope="col">"Amount"</th><th scope="col">"Status"</th></tr></thead>
                <tbody>
                    {page.payments.into_iter().map(|payment| {
                        let token = row_token.clone();
                        let refundable = self_funded && payment.status == CardPaymentStatus::Succeeded && !payment.refunding;
                        view! {
                        <tr>
                            <td data-label="Started"><a href=format!("/budget/pay/{}", payment.id)>{payment.started.clone()}</a></td>
                            <td data-label="For">{payment.purpose.clone()}</td>
                            <td data-label="Amount">{format_pence(payment.amount_pence)}</td>
                            <td data-label="Status">{payment.status_in_words()}
                                {refundable.then(|| view! {
                                    <ActionForm action=refund>
                                        <CsrfField token/>
                                        <input type="hidden" name="id" value=payment.id.to_string()/>
                                        <button type="submit" class="button button-secondary">
                                            {format!("Refund {} to my card", format_pence(payment.amount_pence))}
                                            <span class="visually-hidden">{format!(", paid {}", payment.started)}</span>
                                        </button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }}).collect_view()}
                </tbody>
            </table>
        })}
    }
}

#[component]
pub fn CardPaymentPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or_default();
    // A booking's "check your answers" page to go back to once paid (a self-funder's booking).
    let then = move || query.read().get("then").filter(|path| path.starts_with("/book/") && !path.contains("//"));
    let loaded = Resource::new(id, load_card_payment);
    view! {
        <Loaded data=loaded path=format!("/budget/pay/{}", id()) show=move |payment, _| view! { <PaymentView payment then=then()/> }/>
    }
}

#[component]
fn PaymentView(payment: CardPaymentView, then: Option<String>) -> impl IntoView {
    let page = match &then {
        Some(then) => format!("/budget/pay/{}?then={}", payment.id, encode_query_value(then)),
        None => format!("/budget/pay/{}", payment.id),
    };
    let paid = payment.status == CardPaymentStatus::Succeeded;
    view! {
        <Title text=format!("Card payment of {}", format_pence(payment.amount_pence))/>
        <h1>{format!("Pay {} by card", format_pence(payment.amount_pence))}<span class="caption">{payment.holder.clone()}</span></h1>
        <dl class="summary-list">
            <div><dt>"For"</dt><dd>{payment.purpose.clone()}</dd></div>
            <div><dt>"Status"</dt><dd>{payment.status_in_words()}</dd></div>
        </dl>
        {match payment.card_form {
            Some(form) => view! {
                <noscript>
                    <div class="notice"><p>
                        "Card details go straight to our card processor, Stripe, and never through CareMarket. "
                        "Stripe's card form needs JavaScript. If you cannot use it, ask the council to take your "
                        "payment by phone or bank transfer; everything else on CareMarket works without it."
                    </p></div>
                </noscript>
                <form id="card-form" hidden data-client-secret=form.client_secret data-publishable-key=form.publishable_key data-done=page.clone()
                    data-stripe-js=form.script_url>
                    <div class="form-group">
                        <label class="label" for="card-element">"Card details"</label>
                        <div id="card-element" class="input"></div>
                        <p id="card-message" class="error-message" role="alert"></p>
                    </div>
                    <button type="submit" class="button">{format!("Pay {}", format_pence(payment.amount_pence))}</button>
                </form>
                <script src="/enhance.js"></script>
            }.into_any(),
            None => view! {
                <p>"The money is in the budget once the payment has succeeded. "
                    <a href="/budget/statement">"See the budget statement"</a></p>
            }.into_any(),
        }}
        {then.filter(|_| paid).map(|then| view! { <p><a class="button" href=then>"Continue to your booking"</a></p> })}
        <p><a href="/budget/pay">"Back to card payments"</a></p>
    }
}
