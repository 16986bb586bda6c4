//! The light-touch audit: the commissioner's page (`/audits`: this month's draw or the form to
//! make it, every draw, the report), one draw (`/audits/{reference}`: its cases, how it was
//! drawn, redrawing it) and one case (`/audits/cases/{reference}`: the question, the holder's
//! answer, the outcome).
use crate::api::{AnswerAuditQuestion, AskAuditQuestion, DecideAuditCase, DrawAuditSample, RedrawAuditSample, load_audit_case, load_audit_sample, load_audits};
use crate::components::{Choices, CsrfField, ErrorSummary, Loaded, TextArea, TextInput, form_errors};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A notice for the change the page was sent back to after, if any (`?drawn=1` ...).
fn notice(notices: &'static [(&'static str, &'static str)]) -> impl IntoView {
    let query = use_query_map().read_untracked().clone();
    notices.iter().find(|(key, _)| query.get(key).is_some()).map(|(_, text)| view! { <div class="notice" role="status"><p>{*text}</p></div> })
}

fn flag_options() -> Vec<(String, String)> {
    RiskFlag::ALL.into_iter().map(|flag| (flag.code().to_string(), flag.label().to_string())).collect()
}

/// The flags and share fields, shared by drawing and drawing again.
#[component]
fn DrawFields(errors: Signal<Vec<FieldError>>) -> impl IntoView {
    view! {
        <Choices id="flags" name="form[flags]" legend="Draw every budget with any of these flags" options=flag_options() chosen=Vec::new() multiple=true errors/>
        <TextInput id="share" name="form[share]" label="And this share of the other budgets, at random (%)" width="input-narrow" input_type="number"
            hint="A whole number from 0 to 100. CareMarket draws the seed and records it with the sample." errors/>
    }
}

#[component]
pub fn AuditsPage() -> impl IntoView {
    let loaded = Resource::new(|| (), |_| load_audits());
    let draw = ServerAction::<DrawAuditSample>::new();
    let errors = form_errors(draw);
    view! {
        <Title text="Budget audits"/>
        <h1>"Budget audits"</h1>
        <ErrorSummary errors/>
        <Loaded data=loaded path="/audits" show=move |page, token| view! { <Audits page draw errors token/> }/>
    }
}

#[component]
fn Audits(page: AuditsAdmin, draw: ServerAction<DrawAuditSample>, errors: Signal<Vec<FieldError>>, token: String) -> impl IntoView {
    view! {
        <h2>{format!("This month: {}", page.month)}</h2>
        {match page.current {
            Some(reference) => view! { <p><a href=format!("/audits/{reference}")>{format!("Open this month's sample ({reference})")}</a></p> }.into_any(),
            None => view! {
                <p>"Draw this month's sample: every budget with the flags you tick, and a random share of the rest. Each budget drawn becomes a case you can ask the person about."</p>
                <ActionForm action=draw attr:novalidate=true>
                    <CsrfField token/>
                    <DrawFields errors/>
                    <button type="submit" class="button">"Draw the sample"</button>
                </ActionForm>
            }.into_any(),
        }}
        <h2>"Report"</h2>
        {if page.report.is_empty() {
            view! { <p>"No cases in the last 12 months."</p> }.into_any()
        } else {
            view! { <AuditReport rows=page.report/> }.into_any()
        }}
        <h2>"Every draw"</h2>
        {if page.samples.is_empty() {
            view! { <p>"No sample has been drawn yet."</p> }.into_any()
        } else {
            view! { <DrawTable samples=page.samples caption="Every draw, newest first"/> }.into_any()
        }}
    }
}

#[component]
fn AuditReport(rows: Vec<AuditReportRow>) -> impl IntoView {
    let days = |value: Option<i64>| value.map_or_else(|| "–".to_string(), |days| if days == 1 { "1 day".into() } else { format!("{days} days") });
    view! {
        <table class="table">
            <caption class="visually-hidden">"Audit cases by month: how far they got, their outcomes and the time they took"</caption>
            <thead>
                <tr>
                    <th scope="col">"Month"</th><th scope="col">"Cases"</th><th scope="col">"Asked"</th><th scope="col">"Answered"</th>
                    {AuditOutcome::ALL.into_iter().map(|outcome| view! { <th scope="col">{outcome.label()}</th> }).collect_view()}
                    <th scope="col">"Still open"</th><th scope="col">"Time to close (middle case)"</th><th scope="col">"Time to answer (middle case)"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr>
                        <th scope="row">{row.month}</th>
                        <td data-label="Cases">{row.cases}</td>
                        <td data-label="Asked">{row.asked}</td>
                        <td data-label="Answered">{row.answered}</td>
                        {AuditOutcome::ALL.into_iter().zip(row.outcomes).map(|(outcome, n)| view! { <td data-label=outcome.label()>{n}</td> }).collect_view()}
                        <td data-label="Still open">{row.open}</td>
                        <td data-label="Time to close">{days(row.median_days_to_close)}</td>
                        <td data-label="Time to answer">{days(row.median_days_to_answer)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn DrawTable(samples: Vec<AuditSampleLine>, caption: &'static str) -> impl IntoView {
    view! {
        <table class="table">
            <caption class="visually-hidden">{caption}</caption>
            <thead><tr><th scope="col">"Sample"</th><th scope="col">"Month"</th><th scope="col">"Drawn"</th><th scope="col">"Cases"</th><th scope="col">"Where it is"</th></tr></thead>
            <tbody>
                {samples.into_iter().map(|line| view! {
                    <tr>
                        <th scope="row"><a href=format!("/audits/{}", line.reference)>{line.reference.clone()}</a></th>
                        <td data-label="Month">{format!("{} (draw {})", line.month, line.draw)}</td>
                        <td data-label="Drawn">{line.drawn_at.clone()}</td>
                        <td data-label="Cases">{line.cases}</td>
                        <td data-label="Where it is">{match (line.status, line.redraw_reason) {
                            (AuditSampleStatus::Redrawn, Some(reason)) => format!("Drawn again: {reason}"),
                            (AuditSampleStatus::Redrawn, None) => "Drawn again".to_string(),
                            (AuditSampleStatus::Current, _) => "Current".to_string(),
                        }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn AuditSamplePage() -> impl IntoView {
    let reference = use_params_map().read_untracked().get("reference").unwrap_or_default();
    let loaded = {
        let reference = reference.clone();
        Resource::new(|| (), move |_| load_audit_sample(reference.clone()))
    };
    let redraw = ServerAction::<RedrawAuditSample>::new();
    let errors = form_errors(redraw);
    view! {
        <Title text="Audit sample"/>
        <ErrorSummary errors/>
        {notice(&[("drawn", "Drawn. The draw is recorded with its seed.")])}
        <Loaded data=loaded path=format!("/audits/{reference}") show=move |view, token| view! { <Sample view redraw errors token/> }/>
    }
}

#[component]
fn Sample(view: AuditSampleView, redraw: ServerAction<RedrawAuditSample>, errors: Signal<Vec<FieldError>>, token: String) -> impl IntoView {
    let line = view.line;
    let how = format!(
        "{}{}% of the other {} at random",
        if line.flags.is_empty() { String::new() } else { format!("Every budget with: {}; and ", line.flags.join(", ").to_lowercase()) },
        line.share_percent,
        view.pool
    );
    view! {
        <h1>{format!("Audit sample {}: {}", line.reference, line.month)}</h1>
        <dl class="summary-list">
            <div><dt>"Drawn"</dt><dd>{format!("{} (draw {} of the month)", line.drawn_at, line.draw)}</dd></div>
            <div><dt>"How"</dt><dd>{how}</dd></div>
            <div><dt>"Budgets that could be drawn"</dt><dd>{line.candidates}</dd></div>
            <div><dt>"Seed"</dt><dd><code class="seed">{view.seed}</code></dd></div>
            <div><dt>"Checked"</dt><dd>{if view.draw_checks_out {
                "Drawing again from this seed gives exactly these cases."
            } else {
                "Drawing again from this seed does not give these cases: tell the people who run CareMarket."
            }}</dd></div>
            {line.redraw_reason.map(|reason| view! { <div><dt>"Drawn again because"</dt><dd>{reason}</dd></div> })}
        </dl>
        <h2>{format!("Cases ({})", view.cases.len())}</h2>
        {if view.cases.is_empty() {
            view! { <p>"No budget was drawn."</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <caption class="visually-hidden">"The budgets drawn, by budget number"</caption>
                    <thead><tr><th scope="col">"Case"</th><th scope="col">"Person"</th><th scope="col">"Why drawn"</th><th scope="col">"Where it is"</th></tr></thead>
                    <tbody>
                        {view.cases.into_iter().map(|case| view! {
                            <tr>
                                <th scope="row"><a href=format!("/audits/cases/{}", case.reference)>{case.reference.clone()}</a></th>
                                <td data-label="Person">{format!("{} (budget {})", case.holder, case.budget_id)}</td>
                                <td data-label="Why drawn">{if case.flags.is_empty() { "At random".to_string() } else { case.flags.join("; ") }}</td>
                                <td data-label="Where it is">{case.stage}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        {(!view.other_draws.is_empty()).then(|| view! {
            <h2>"The month's other draws"</h2>
            <DrawTable samples=view.other_draws caption="The month's other draws"/>
        })}
        {view.can_redraw.then(|| view! {
            <h2>"Draw again"</h2>
            <p>"Until a question is asked, the sample can be drawn again with a new seed. This draw is kept, with your reason."</p>
            <ActionForm action=redraw attr:novalidate=true>
                <CsrfField token/>
                <input type="hidden" name="reference" value=line.reference.clone()/>
                <DrawFields errors/>
                <TextArea id="reason" name="form[reason]" label="Why draw again" errors/>
                <button type="submit" class="button button-secondary">"Draw again"</button>
            </ActionForm>
        })}
        <p><a href="/audits">"Back to budget audits"</a></p>
    }
}

#[component]
pub fn AuditCasePage() -> impl IntoView {
    let reference = use_params_map().read_untracked().get("reference").unwrap_or_default();
    let ask = ServerAction::<AskAuditQuestion>::new();
    let answer = ServerAction::<AnswerAuditQuestion>::new();
    let decide = ServerAction::<DecideAuditCase>::new();
    let loaded = {
        let reference = reference.clone();
        Resource::new(move || (ask.version().get(), answer.version().get(), decide.version().get()), move |_| load_audit_case(reference.clone()))
    };
    let (ask_errors, answer_errors, decide_errors) = (form_errors(ask), form_errors(answer), form_errors(decide));
    view! {
        <Title text="A question about a budget"/>
        <ErrorSummary errors=ask_errors/>
        <ErrorSummary errors=answer_errors/>
        <ErrorSummary errors=decide_errors/>
        {notice(&[
            ("asked", "Asked: the person has been told by email and on their dashboard."),
            ("answered", "Thank you: your answer has been sent to the council."),
            ("decided", "The outcome is recorded."),
        ])}
        <Loaded data=loaded path=format!("/audits/cases/{reference}") show=move |case, token| view! {
            <Case case ask answer decide ask_errors answer_errors decide_errors token/>
        }/>
    }
}

#[component]
#[allow(clippy::too_many_arguments)]
fn Case(
    case: AuditCaseView,
    ask: ServerAction<AskAuditQuestion>,
    answer: ServerAction<AnswerAuditQuestion>,
    decide: ServerAction<DecideAuditCase>,
    ask_errors: Signal<Vec<FieldError>>,
    answer_errors: Signal<Vec<FieldError>>,
    decide_errors: Signal<Vec<FieldError>>,
    token: String,
) -> impl IntoView {
    let reference = case.reference.clone();
    let outcomes: Vec<(String, String)> = AuditOutcome::ALL.into_iter().map(|o| (o.code().to_string(), o.label().to_string())).collect();
    view! {
        <h1>{format!("{}'s budget: a check by the council ({})", case.holder, case.month)}</h1>
        <dl class="summary-list">
            <div><dt>"Case"</dt><dd>{case.reference.clone()}</dd></div>
            {(!case.sample_reference.is_empty()).then(|| view! {
                <div><dt>"Sample"</dt><dd><a href=format!("/audits/{}", case.sample_reference)>{case.sample_reference.clone()}</a></dd></div>
                <div><dt>"Budget"</dt><dd><a href=format!("/budget/statement?budget={}", case.budget_id)>{format!("Budget {}: its statement", case.budget_id)}</a></dd></div>
                <div><dt>"Why drawn"</dt><dd>{if case.flags.is_empty() { "At random".to_string() } else { case.flags.join("; ") }}</dd></div>
            })}
            <div><dt>"Where it is"</dt><dd>{case.stage.clone()}</dd></div>
            {case.question.clone().map(|question| view! { <div><dt>"The council's question"</dt><dd>{question}</dd></div> })}
            {case.due.clone().map(|due| view! { <div><dt>"Answer by"</dt><dd>{due}</dd></div> })}
            {case.question.is_some().then(|| view! { <div><dt>"Answer"</dt><dd>{case.answer.clone().unwrap_or_else(|| "Not answered yet".into())}</dd></div> })}
            {case.outcome.map(|outcome| view! { <div><dt>"Outcome"</dt><dd>{outcome.label()}</dd></div> })}
            {case.outcome_note.clone().map(|note| view! { <div><dt>"What was done"</dt><dd>{note}</dd></div> })}
        </dl>
        {case.can_ask.then({
            let (token, reference) = (token.clone(), reference.clone());
            move || view! {
                <h2>"Ask the person"</h2>
                <ActionForm action=ask attr:novalidate=true>
                    <CsrfField token/>
                    <input type="hidden" name="reference" value=reference/>
                    <TextArea id="question" name="form[question]" label="Your question (the person reads this)"
                        hint="For example, what the unspent money is being kept for." errors=ask_errors/>
                    <TextInput id="due" name="form[due]" label="Answer due by" hint="From tomorrow to 90 days from today, like 2027-01-05" input_type="date" width="input-narrow" errors=ask_errors/>
                    <button type="submit" class="button">"Ask"</button>
                </ActionForm>
            }
        })}
        {case.can_answer.then({
            let (token, reference) = (token.clone(), reference.clone());
            move || view! {
                <h2>"Your answer"</h2>
                <p>"The council checks a few budgets each month, some at random. Answering helps it see the money is working for you."</p>
                <ActionForm action=answer attr:novalidate=true>
                    <CsrfField token/>
                    <input type="hidden" name="reference" value=reference/>
                    <TextArea id="answer" name="answer" label="Your answer to the council" hint="You can answer once." errors=answer_errors/>
                    <button type="submit" class="button">"Send my answer"</button>
                </ActionForm>
            }
        })}
        {case.can_decide.then({
            let (token, reference) = (token.clone(), reference.clone());
            move || view! {
                <h2>"Record the outcome"</h2>
                <p>"To take back unspent money, propose it first: "<a href=format!("/recoveries?budget={}", case.budget_id)>"recover money from this budget"</a>"."</p>
                <ActionForm action=decide attr:novalidate=true>
                    <CsrfField token/>
                    <input type="hidden" name="reference" value=reference/>
                    <Choices id="outcome" name="outcome" legend="Outcome" options=outcomes chosen=Vec::new() errors=decide_errors/>
                    <TextArea id="note" name="note" label="What was done" hint="Needed for every outcome but no action: the advice, the money, to whom it went." errors=decide_errors/>
                    <button type="submit" class="button">"Record the outcome"</button>
                </ActionForm>
            }
        })}
    }
}
