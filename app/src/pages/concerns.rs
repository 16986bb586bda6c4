//! Concerns and complaints: raising one (`/concerns/new?provider=…`, `?booking=…` or
//! `?review=…`; safeguarding needs no sign-in), following it (`/concerns/{reference}`), and the
//! council's queue (`/concerns`) where commissioners acknowledge, note and close them.
use crate::api::{HandleConcern, RaiseConcern, load_concern, load_concerns};
use crate::components::{Choices, CsrfField, ErrorSummary, Loaded, TextArea, form_errors, use_viewer};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Said first wherever a concern can be raised.
#[component]
pub fn InDangerNow() -> impl IntoView {
    view! {
        <div class="warning-text">
            <p><strong>"If someone is in danger now, call 999."</strong></p>
        </div>
    }
}

/// The link to raise a concern, on provider, service and booking pages.
#[component]
pub fn RaiseConcernLink(#[prop(into)] query: String, #[prop(into)] about: String) -> impl IntoView {
    view! {
        <h2>"Worried about someone's care or safety?"</h2>
        <InDangerNow/>
        <p><a href=format!("/concerns/new?{query}")>"Raise a concern"<span class="visually-hidden">{format!(" about {about}")}</span></a>
            " with the council. Anyone can raise a safeguarding concern; sign in to make a complaint."</p>
    }
}

#[component]
pub fn RaiseConcernPage() -> impl IntoView {
    let raise = ServerAction::<RaiseConcern>::new();
    let errors = form_errors(raise);
    let query = use_query_map().read_untracked().clone();
    let (provider, booking, review) =
        (query.get("provider").unwrap_or_default(), query.get("booking").unwrap_or_default(), query.get("review").unwrap_or_default());
    let viewer = use_viewer();
    let signed_in = viewer.user.is_some();
    if let Some(reference) = query.get("raised") {
        return view! {
            <Title text="Your concern has been passed on"/>
            <div class="narrow">
                <div class="panel" role="status"><h1>"Your concern has been passed on"</h1><p>"Reference"<br/><strong>{reference}</strong></p></div>
                <p>"The council will look at it within one working day. If you left your details, they will contact you."</p>
                <InDangerNow/>
            </div>
        }
        .into_any();
    }
    let kinds = vec![
        ("complaint".to_string(), "A complaint about the care or the provider".to_string()),
        ("safeguarding".to_string(), "A safeguarding concern: someone may be at risk of harm or neglect (urgent)".to_string()),
    ];
    view! {
        <Title text="Raise a concern"/>
        <div class="narrow">
            <ErrorSummary errors/>
            <h1>"Raise a concern"</h1>
            <InDangerNow/>
            <p>"Your concern goes to the council, which must acknowledge a safeguarding concern within one working day and answer a complaint within ten."</p>
            <ActionForm action=raise>
                <CsrfField token=viewer.csrf_token/>
                <input type="hidden" name="form[provider]" value=provider/>
                <input type="hidden" name="form[booking]" value=booking.clone()/>
                <input type="hidden" name="form[review]" value=review/>
                {if signed_in {
                    view! { <Choices id="kind" name="form[kind]" legend="What is it?" options=kinds chosen=Vec::new() errors/> }.into_any()
                } else {
                    view! {
                        <input type="hidden" name="form[kind]" value="safeguarding"/>
                        <p>"Without signing in you can raise a safeguarding concern. "<a href="/sign-in">"Sign in"</a>" to make a complaint."</p>
                    }.into_any()
                }}
                <TextArea id="description" name="form[description]" label="What happened, or what worries you?" hint="Say who, when and where if you can." errors/>
                {(!signed_in).then(|| view! {
                    <div class="form-group">
                        <label class="label" for="contact">"How can the council reach you? (optional)"</label>
                        <p class="hint" id="contact-hint">"A phone number or email address. You can stay anonymous."</p>
                        <input class="input" id="contact" name="form[contact]" type="text" maxlength="200" autocomplete="email" aria-describedby="contact-hint"/>
                    </div>
                })}
                {(signed_in && !booking.is_empty()).then(|| view! {
                    <div class="choice">
                        <input class="choice-input" type="checkbox" id="share_messages" name="form[share_messages]" value="yes"/>
                        <label class="choice-label" for="share_messages">"Let the council read this booking's messages with the provider"</label>
                    </div>
                })}
                <button type="submit" class="button">"Send to the council"</button>
            </ActionForm>
        </div>
    }
    .into_any()
}

/// The council's queue of concerns.
#[component]
pub fn ConcernsPage() -> impl IntoView {
    let loaded = Resource::new(|| (), |_| load_concerns());
    view! {
        <Title text="Concerns and complaints"/>
        <h1>"Concerns and complaints"</h1>
        <Loaded data=loaded path="/concerns" show=move |lines, _| view! { <ConcernQueue lines/> }/>
    }
}

#[component]
fn ConcernQueue(lines: Vec<ConcernLine>) -> impl IntoView {
    if lines.is_empty() {
        return view! { <p>"No concerns have been raised."</p> }.into_any();
    }
    view! {
        <table class="table">
            <caption class="visually-hidden">"Open concerns, soonest due first, then the last closed"</caption>
            <thead><tr><th scope="col">"Reference"</th><th scope="col">"Kind"</th><th scope="col">"About"</th><th scope="col">"Status"</th><th scope="col">"Due"</th></tr></thead>
            <tbody>
                {lines.into_iter().map(|line| view! {
                    <tr>
                        <th scope="row"><a href=format!("/concerns/{}", line.reference)>{line.reference.clone()}</a></th>
                        <td data-label="Kind">{line.kind.label()}</td>
                        <td data-label="About">{line.about}</td>
                        <td data-label="Status">{line.status.label()}</td>
                        <td data-label="Due">{line.due}{line.overdue.then(|| view! { " "<strong class="tag">"Overdue"</strong> })}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// One concern: for the person who raised it, its status and outcome; for the council, all of it.
#[component]
pub fn ConcernPage() -> impl IntoView {
    let params = use_params_map();
    let reference = move || params.read().get("reference").unwrap_or_default();
    let handle = ServerAction::<HandleConcern>::new();
    let loaded = Resource::new(move || (reference(), handle.version().get()), |(reference, _)| load_concern(reference));
    let errors = form_errors(handle);
    let notice = move || {
        let query = use_query_map().read();
        query
            .get("raised")
            .map(|_| "Your concern has been passed to the council. You can follow it here.")
            .or_else(|| query.get("done").map(|_| "Saved. The person who raised it has been told of any change."))
    };
    view! {
        <ErrorSummary errors/>
        {move || notice().map(|text| view! { <div class="notice" role="status"><p>{text}</p></div> })}
        <Loaded data=loaded path=format!("/concerns/{}", reference()) show=move |concern, token| view! { <Concern concern handle errors token/> }/>
    }
}

#[component]
fn Concern(concern: ConcernView, handle: ServerAction<HandleConcern>, errors: Signal<Vec<FieldError>>, token: String) -> impl IntoView {
    let reference = concern.reference.clone();
    let open = concern.status != ConcernStatus::Closed;
    view! {
        <Title text=format!("Concern {}", concern.reference)/>
        <h1>{format!("Concern {}", concern.reference)}</h1>
        <dl class="summary-list">
            <div><dt>"Kind"</dt><dd>{concern.kind.label()}</dd></div>
            <div><dt>"About"</dt><dd>{concern.about.clone()}</dd></div>
            <div><dt>"Raised"</dt><dd>{concern.raised.clone()}</dd></div>
            <div><dt>"With"</dt><dd>{concern.council.clone()}</dd></div>
            <div><dt>"Status"</dt><dd>{concern.status.label()}</dd></div>
            {open.then(|| view! { <div><dt>{if concern.kind == ConcernKind::Safeguarding { "To be acknowledged by" } else { "To be answered by" }}</dt><dd>{concern.due.clone()}</dd></div> })}
            {concern.outcome.map(|outcome| view! { <div><dt>"Outcome"</dt><dd>{outcome.label()}</dd></div> })}
            {concern.outcome_text.clone().map(|text| view! { <div><dt>"What the council found"</dt><dd class="pre-line">{text}</dd></div> })}
            <div><dt>"What was raised"</dt><dd class="pre-line">{concern.description.clone()}</dd></div>
        </dl>
        {concern.for_council.map(|details| view! { <CouncilTools details reference open status=concern.status handle errors token/> })}
    }
}

#[component]
fn CouncilTools(
    details: CouncilConcernDetails,
    reference: String,
    open: bool,
    status: ConcernStatus,
    handle: ServerAction<HandleConcern>,
    errors: Signal<Vec<FieldError>>,
    token: String,
) -> impl IntoView {
    let outcomes: Vec<(String, String)> = ConcernOutcome::ALL.into_iter().map(|outcome| (outcome.code().to_string(), outcome.label().to_string())).collect();
    let (acknowledge_token, note_token, close_token) = (token.clone(), token.clone(), token);
    let (acknowledge_reference, note_reference, close_reference) = (reference.clone(), reference.clone(), reference);
    view! {
        <h2>"For the council"</h2>
        <dl class="summary-list">
            <div><dt>"Raised by"</dt><dd>{details.raised_by}</dd></div>
            {details.contact.map(|contact| view! { <div><dt>"How to reach them"</dt><dd>{contact}</dd></div> })}
        </dl>
        {(!details.shared_messages.is_empty()).then(|| view! {
            <h3>"The booking's messages, shared by the person"</h3>
            <ol class="messages">
                {details.shared_messages.into_iter().map(|message| view! {
                    <li class="message"><p class="hint"><strong>{message.from}</strong>", "{message.at}</p><p class="pre-line">{message.body}</p></li>
                }).collect_view()}
            </ol>
        })}
        <h3>"Notes"</h3>
        {if details.notes.is_empty() {
            view! { <p>"No notes yet."</p> }.into_any()
        } else {
            view! { <ol class="messages">{details.notes.into_iter().map(|note| view! { <li class="message"><p class="hint">{note.at}</p><p class="pre-line">{note.text}</p></li> }).collect_view()}</ol> }.into_any()
        }}
        {(open && status == ConcernStatus::Received).then(move || view! {
            <ActionForm action=handle attr:class="inline-form">
                <CsrfField token=acknowledge_token/>
                <input type="hidden" name="reference" value=acknowledge_reference/>
                <input type="hidden" name="action" value="acknowledge"/>
                <button type="submit" class="button">"Acknowledge it"</button>
            </ActionForm>
        })}
        {open.then(move || view! {
            <ActionForm action=handle>
                <CsrfField token=note_token/>
                <input type="hidden" name="reference" value=note_reference/>
                <input type="hidden" name="action" value="note"/>
                <TextArea id="note" name="text" label="Add a note (only the council sees notes)" errors/>
                <button type="submit" class="button button-secondary">"Add the note"</button>
            </ActionForm>
            <h3>"Close it"</h3>
            <ActionForm action=handle>
                <CsrfField token=close_token/>
                <input type="hidden" name="reference" value=close_reference/>
                <input type="hidden" name="action" value="close"/>
                <Choices id="outcome" name="outcome" legend="Outcome" options=outcomes chosen=Vec::new() errors/>
                <TextArea id="outcome_text" name="text" label="What the council found and what happens now (the person is told)" errors/>
                <button type="submit" class="button button-warning">"Close the concern"</button>
            </ActionForm>
        })}
    }
}
