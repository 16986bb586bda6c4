//! Money recovered from budgets' surplus: the commissioner's list and the form to propose one
//! (`/recoveries`, `?budget=…` from the budgets page), and one proposal (`/recoveries/{reference}`)
//! where the holder replies and the commissioner recovers the money or withdraws.
use crate::api::{DecideRecovery, ProposeRecovery, ReplyToRecovery, load_recoveries, load_recovery};
use crate::components::{CsrfField, ErrorSummary, Loaded, TextArea, TextInput, form_errors};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn RecoveriesPage() -> impl IntoView {
    let budget = use_query_map().read_untracked().get("budget").and_then(|id| id.parse::<i64>().ok());
    let loaded = Resource::new(|| (), move |_| load_recoveries(budget));
    let propose = ServerAction::<ProposeRecovery>::new();
    let errors = form_errors(propose);
    view! {
        <Title text="Money recovered from budgets"/>
        <h1>"Money recovered from budgets"</h1>
        <ErrorSummary errors/>
        <Loaded data=loaded path="/recoveries" show=move |page, token| view! { <Recoveries page propose errors token/> }/>
    }
}

#[component]
fn Recoveries(page: RecoveriesAdmin, propose: ServerAction<ProposeRecovery>, errors: Signal<Vec<FieldError>>, token: String) -> impl IntoView {
    view! {
        {page.proposing.map(|target| view! {
            <h2>{format!("Recover money from {}'s budget", target.holder)}</h2>
            <dl class="summary-list">
                <div><dt>"Type of budget"</dt><dd>{target.budget_type.label()}</dd></div>
                <div><dt>"Available to spend"</dt><dd>{format_pence(target.available_pence)}</dd></div>
                <div><dt>"Set aside for booked care (never recovered)"</dt><dd>{format_pence(target.set_aside_pence)}</dd></div>
                <div><dt>"Paid in every 4 weeks"</dt><dd>{format_pence(target.four_weekly_pence)}</dd></div>
            </dl>
            <ActionForm action=propose attr:novalidate=true>
                <CsrfField token=token.clone()/>
                <input type="hidden" name="form[budget_id]" value=target.budget_id.to_string()/>
                <TextInput id="keep" name="form[keep]" label="Leave this much available (£)" width="input-narrow"
                    hint="Everything available above this is recovered. For example, 8 weeks' worth is twice the 4-weekly amount." errors/>
                <TextArea id="reason" name="form[reason]" label="Why (the person reads this)" errors/>
                <p>"The person is told and has 14 days to reply before you decide."</p>
                <button type="submit" class="button">"Propose to recover the money"</button>
            </ActionForm>
        })}
        <h2>"Proposals"</h2>
        {if page.recoveries.is_empty() {
            view! { <p>"No money has been proposed for recovery yet. Budgets holding more than 8 weeks' worth are flagged on the budgets page."</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <caption class="visually-hidden">"Proposals to recover money, newest first"</caption>
                    <thead><tr><th scope="col">"Reference"</th><th scope="col">"Person"</th><th scope="col">"Where it is"</th><th scope="col">"Amount"</th></tr></thead>
                    <tbody>
                        {page.recoveries.into_iter().map(|line| view! {
                            <tr>
                                <th scope="row"><a href=format!("/recoveries/{}", line.reference)>{line.reference.clone()}</a></th>
                                <td data-label="Person">{line.holder.clone()}</td>
                                <td data-label="Where it is">{line.status.label()}{line.reply.is_some().then_some(" (replied)")}</td>
                                <td data-label="Amount">{format_pence(line.recovered_pence.unwrap_or(line.surplus_pence))}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

#[component]
pub fn RecoveryPage() -> impl IntoView {
    let reference = use_params_map().read_untracked().get("reference").unwrap_or_default();
    let reply = ServerAction::<ReplyToRecovery>::new();
    let decide = ServerAction::<DecideRecovery>::new();
    let loaded = {
        let reference = reference.clone();
        Resource::new(move || (reply.version().get(), decide.version().get()), move |_| load_recovery(reference.clone()))
    };
    let (reply_errors, decide_errors) = (form_errors(reply), form_errors(decide));
    let notice = move || {
        let query = use_query_map().read_untracked().clone();
        [
            ("proposed", "Proposed: the person has been told."),
            ("replied", "Your reply has been sent to the council."),
            ("decided", "Decided: the person has been told."),
        ]
        .into_iter()
        .find(|(key, _)| query.get(key).is_some())
        .map(|(_, text)| view! { <div class="notice" role="status"><p>{text}</p></div> })
    };
    view! {
        <Title text="Money the council proposes to recover"/>
        <ErrorSummary errors=reply_errors/>
        <ErrorSummary errors=decide_errors/>
        {notice}
        <Loaded data=loaded path=format!("/recoveries/{reference}") show=move |line, token| view! { <Recovery line reply decide reply_errors token/> }/>
    }
}

#[component]
fn Recovery(
    line: RecoveryLine,
    reply: ServerAction<ReplyToRecovery>,
    decide: ServerAction<DecideRecovery>,
    reply_errors: Signal<Vec<FieldError>>,
    token: String,
) -> impl IntoView {
    let reference = line.reference.clone();
    let decision = |value: &'static str, label: String, class: &'static str, token: String, reference: String| {
        view! {
            <ActionForm action=decide attr:class="inline-form">
                <CsrfField token/>
                <input type="hidden" name="reference" value=reference/>
                <input type="hidden" name="decision" value=value/>
                <button type="submit" class=class>{label}</button>
            </ActionForm>
        }
    };
    view! {
        <h1>{format!("Unspent money in {}'s budget", line.holder)}</h1>
        <dl class="summary-list">
            <div><dt>"Reference"</dt><dd>{line.reference.clone()}</dd></div>
            <div><dt>"Where it is"</dt><dd>{line.status.label()}</dd></div>
            <div><dt>"Proposed to recover"</dt><dd>{format!("{} (everything above {})", format_pence(line.surplus_pence), format_pence(line.keep_pence))}</dd></div>
            {line.recovered_pence.map(|pence| view! { <div><dt>"Recovered"</dt><dd>{format_pence(pence)}</dd></div> })}
            <div><dt>"Why"</dt><dd>{line.reason.clone()}</dd></div>
            <div><dt>"Reply by"</dt><dd>{line.reply_by.clone()}</dd></div>
            <div><dt>"Reply"</dt><dd>{line.reply.clone().unwrap_or_else(|| "No reply yet".into())}</dd></div>
        </dl>
        <p>"Money set aside for booked care is never recovered."</p>
        {line.can_reply.then({
            let (token, reference) = (token.clone(), reference.clone());
            move || view! {
            <ActionForm action=reply attr:novalidate=true>
                <CsrfField token/>
                <input type="hidden" name="reference" value=reference/>
                <TextArea id="reply" name="reply" label="Your reply to the council" hint="For example, what the money is for. You can reply once." errors=reply_errors/>
                <button type="submit" class="button">"Send my reply"</button>
            </ActionForm>
        }})}
        {line.can_confirm.then(|| decision("confirm", format!("Recover the money ({})", line.reference), "button", token.clone(), reference.clone()))}
        " "
        {line.can_withdraw.then(|| decision("withdraw", format!("Withdraw the proposal ({})", line.reference), "button button-secondary", token.clone(), reference.clone()))}
        {(line.can_withdraw && !line.can_confirm).then(|| view! { <p>"You can recover the money once the person replies or the reply date has passed."</p> })}
    }
}
