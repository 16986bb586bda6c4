//! The booking journey, as GOV.UK question pages: when (`/book/<service>`), then check your
//! answers with the cost (the same address with the answers in it), then confirm, then the
//! booking's own page (`/bookings/<reference>`). The questions are a plain GET form, so the
//! answers travel in the address: Back and Change links return to them as typed, and every
//! step works without JavaScript. Only the confirm step changes anything.
use super::messages::Conversation;
use super::reviews::BookingReview;
use super::visits::DeliveredVisits;
use crate::api::{AnswerVisit, CancelBooking, ConfirmBooking, SendBookingMessage, StartCardPayment, WriteReview, load_booking, load_listing, quote_booking};
use crate::components::{Choices, CsrfField, ErrorSummary, Loaded, TextInput, form_errors, refusal_view, use_viewer};
use crate::model::*;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// The answers in the address, as the question page's form sent them.
fn answers_from_query(query: &leptos_router::params::ParamsMap) -> BookingAnswers {
    BookingAnswers {
        how_often: query.get("how_often").unwrap_or_default(),
        date: query.get("date").unwrap_or_default(),
        time: query.get("time").unwrap_or_default(),
        minutes: query.get("minutes").unwrap_or_default(),
        weekdays: (0..7).filter_map(|index| query.get(&format!("weekdays[{index}]"))).collect(),
        best_value: query.get("best_value").as_deref() == Some("yes"),
    }
}

/// The address of the question page with these answers filled in (for Back and Change).
fn change_link(listing: &str, person: Option<i64>, answers: &BookingAnswers) -> String {
    answers_link(listing, person, answers, true)
}

/// The address of the question page (`change`) or of "check your answers" with these answers.
fn answers_link(listing: &str, person: Option<i64>, answers: &BookingAnswers, change: bool) -> String {
    let mut pairs = if change { vec![("change".to_string(), "1".to_string())] } else { Vec::new() };
    pairs.extend([
        ("how_often".to_string(), answers.how_often.clone()),
        ("date".to_string(), answers.date.clone()),
        ("time".to_string(), answers.time.clone()),
        ("minutes".to_string(), answers.minutes.clone()),
    ]);
    pairs.extend(answers.weekdays.chars().filter_map(|c| c.to_digit(10)).map(|day| (format!("weekdays[{}]", day - 1), day.to_string())));
    if let Some(person) = person {
        pairs.push(("for".to_string(), person.to_string()));
    }
    if answers.best_value {
        pairs.push(("best_value".to_string(), "yes".to_string()));
    }
    let query: Vec<String> = pairs.into_iter().map(|(key, value)| format!("{}={}", encode_query_value(&key), encode_query_value(&value))).collect();
    format!("/book/{listing}?{}", query.join("&"))
}

#[component]
pub fn BookingPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let listing = move || params.read().get("id").unwrap_or_default();
    let person = move || query.read().get("for").and_then(|id| id.parse::<i64>().ok());
    let answers = move || answers_from_query(&query.read());
    // Answered (and not coming back to change them): price it.
    let answered = move || query.read().get("date").is_some() && query.read().get("change").is_none();
    let viewer = use_viewer();
    if viewer.user.is_none() {
        return refusal_view(UiError::SignInRequired, format!("/book/{}", listing()));
    }
    let token = viewer.csrf_token;
    let details = Resource::new(listing, load_listing);
    let quote = Resource::new(
        move || (listing(), person(), answers(), answered()),
        |(listing, person, answers, answered)| async move { if answered { Some(quote_booking(listing, person, answers).await) } else { None } },
    );
    let confirm = ServerAction::<ConfirmBooking>::new();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new({
                let token = token.clone();
                async move {
                let path = format!("/book/{}", listing());
                let details = match details.await {
                    Ok(details) => details,
                    Err(error) => return refusal_view(error, path),
                };
                match quote.await {
                    None => view! { <Questions details answers=answers() person=person() errors=Vec::new()/> }.into_any(),
                    Some(Err(UiError::Invalid(errors))) => view! { <Questions details answers=answers() person=person() errors/> }.into_any(),
                    Some(Err(error)) => refusal_view(error, path),
                    Some(Ok(quote)) => view! { <CheckAnswers quote answers=answers() person=person() confirm token/> }.into_any(),
                }
            }})}
        </Suspense>
    }
    .into_any()
}

/// "When do you need care?"
#[component]
fn Questions(details: ListingDetails, answers: BookingAnswers, person: Option<i64>, errors: Vec<FieldError>) -> impl IntoView {
    let card = details.card;
    let errors = Signal::stored(errors);
    let how_often = vec![("once".to_string(), "Once".to_string()), ("weekly".to_string(), "Every week, on the same days".to_string())];
    let days: Vec<(String, String)> = WEEKDAYS.iter().enumerate().map(|(index, day)| ((index + 1).to_string(), day.to_string())).collect();
    let chosen_days: Vec<String> = answers.weekdays.chars().map(String::from).collect();
    let minutes_hint = match (card.category.as_str(), details.min_visit_minutes) {
        // The person's care plan can set another shortest visit; the check page applies it.
        ("home_care", listed) if listed <= 30 => "At least 30 minutes, unless your care plan says otherwise".to_string(),
        (_, listed) => format!("At least {} minutes", listed.max(1)),
    };
    let hours: Vec<String> = details.hours.iter().map(|(day, opens, closes)| format!("{day} {opens} to {closes}")).collect();
    let hours_hint = if hours.is_empty() { String::new() } else { format!("{} works: {}.", card.provider_name, hours.join("; ")) };
    view! {
        <Title text=format!("When do you need care? {}", card.title)/>
        <p><a class="back-link" href=format!("/services/{}", card.public_id)>"Back"</a></p>
        <ErrorSummary errors/>
        <form method="get" action=format!("/book/{}", card.public_id) novalidate>
            <h1>"When do you need care?"<span class="caption">{format!("{}, {}", card.title, card.provider_name)}</span></h1>
            {person.map(|person| view! { <input type="hidden" name="for" value=person.to_string()/> })}
            {answers.best_value.then(|| view! { <input type="hidden" name="best_value" value="yes"/> })}
            <Choices id="how_often" name="how_often" legend="How often" options=how_often chosen=vec![answers.how_often.clone()] errors/>
            <TextInput id="date" name="date" label="Date of the first visit" hint="For example, 2026-12-01" input_type="date"
                width="input-narrow" value=answers.date.clone() errors/>
            <TextInput id="time" name="time" label="Start time" hint=format!("UK time, like 09:30. {hours_hint}") input_type="time"
                width="input-narrow" value=answers.time.clone() errors/>
            <TextInput id="minutes" name="minutes" label="How long each visit lasts, in minutes"
                hint=minutes_hint input_type="number" width="input-narrow" value=answers.minutes.clone() errors/>
            <Choices id="weekdays" name="weekdays" legend="If every week: which days" hint="Leave these empty for a single visit"
                options=days chosen=chosen_days multiple=true errors/>
            <button class="button" type="submit">"Continue"</button>
        </form>
    }
}

/// "Check your answers": what it costs and what it leaves, then confirm.
#[component]
fn CheckAnswers(quote: BookingQuote, answers: BookingAnswers, person: Option<i64>, confirm: ServerAction<ConfirmBooking>, token: String) -> impl IntoView {
    let errors = form_errors(confirm);
    let change = change_link(&quote.listing_public_id, person, &answers);
    let change_row = move |label: &'static str, value: String, hidden: &'static str| {
        let change = change.clone();
        view! {
            <div>
                <dt>{label}</dt>
                <dd>{value}</dd>
                <dd class="summary-action"><a href=change>"Change"<span class="visually-hidden">{format!(" {hidden}")}</span></a></dd>
            </div>
        }
    };
    let next_step = if quote.to_pay_by_card_pence > 0 {
        // A self-funder pays the difference by card first, then comes back here to confirm.
        let then = answers_link(&quote.listing_public_id, person, &answers, false);
        view! {
            <h2>"Paying for it"</h2>
            <p>{format!("Pay {} by card, then confirm the booking. You pay only for the care delivered: anything not used stays in your account for next time.",
                format_pence(quote.to_pay_by_card_pence))}</p>
            // A plain form: the card page loads in full, with Stripe's card form.
            <form method="post" action=StartCardPayment::url()>
                <CsrfField token/>
                <input type="hidden" name="request_key" value=quote.request_key.clone()/>
                <input type="hidden" name="form[purpose]" value="self_funded_booking"/>
                <input type="hidden" name="form[amount]" value=pounds_text(quote.to_pay_by_card_pence)/>
                <input type="hidden" name="then" value=then/>
                <button class="button" type="submit">{format!("Pay {} by card", format_pence(quote.to_pay_by_card_pence))}</button>
            </form>
        }
        .into_any()
    } else {
        let (listing, answers, request_key) = (quote.listing_public_id.clone(), answers.clone(), quote.request_key.clone());
        view! {
            <p>"When you confirm, the cost of the first 4 weeks is set aside and the provider is asked to accept. "
               "You pay only for the care delivered; anything not used goes back."</p>
            <ActionForm action=confirm>
                <CsrfField token/>
                <input type="hidden" name="listing" value=listing/>
                {person.map(|person| view! { <input type="hidden" name="person" value=person.to_string()/> })}
                <input type="hidden" name="answers[how_often]" value=answers.how_often.clone()/>
                <input type="hidden" name="answers[date]" value=answers.date.clone()/>
                <input type="hidden" name="answers[time]" value=answers.time.clone()/>
                <input type="hidden" name="answers[minutes]" value=answers.minutes.clone()/>
                <input type="hidden" name="answers[weekdays]" value=answers.weekdays.clone()/>
                <input type="hidden" name="answers[best_value]" value=answers.best_value.to_string()/>
                <input type="hidden" name="request_key" value=request_key/>
                <input type="hidden" name="quoted_total" value=quote.four_weeks_pence.to_string()/>
                <button class="button" type="submit">"Confirm and send the request"</button>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <Title text="Check your answers before booking"/>
        <p><a class="back-link" href=change_link(&quote.listing_public_id, person, &answers)>"Back"</a></p>
        <ErrorSummary errors/>
        <h1>"Check your answers before booking"</h1>
        <dl class="summary-list">
            <div><dt>"Service"</dt><dd>{format!("{}, {}", quote.listing_title, quote.provider)}</dd></div>
            <div><dt>"For"</dt><dd>{quote.person.clone()}</dd></div>
            {answers.best_value.then(|| view! {
                <div><dt>"Best value on the framework"</dt><dd>{format!("If {} cannot take it, it goes to the next provider on the council's framework", quote.provider)}</dd></div>
            })}
            {change_row("When", quote.when.clone(), "when")}
            {change_row("Each visit lasts", quote.duration.clone(), "how long each visit lasts")}
        </dl>
        <h2>"What it costs"</h2>
        <dl class="summary-list">
            <div><dt>"Each visit"</dt><dd>{format_pence(quote.per_visit_pence)}</dd></div>
            <div><dt>"Every 4 weeks"</dt><dd>{format!("{} ({} visits)", format_pence(quote.four_weeks_pence), quote.visits_in_four_weeks)}</dd></div>
            <div><dt>{if quote.self_funded { "In your account now" } else { "In the budget now" }}</dt><dd>{format_pence(quote.available_pence)}</dd></div>
            <div><dt>"Left after this booking"</dt><dd>{format_pence(quote.left_after_pence)}</dd></div>
        </dl>
        {next_step}
    }
}

/// A booking's own page: the confirmation after booking, and where to come back to.
#[component]
pub fn BookingDetailsPage() -> impl IntoView {
    let params = use_params_map();
    let reference = move || params.read().get("reference").unwrap_or_default();
    let cancel = ServerAction::<CancelBooking>::new();
    let answer = ServerAction::<AnswerVisit>::new();
    let write = ServerAction::<WriteReview>::new();
    let send = ServerAction::<SendBookingMessage>::new();
    let changes = move || (cancel.version().get(), answer.version().get(), write.version().get(), send.version().get());
    let loaded = Resource::new(move || (reference(), changes()), |(reference, _)| load_booking(reference));
    let (errors, answer_errors, review_errors, message_errors) = (form_errors(cancel), form_errors(answer), form_errors(write), form_errors(send));
    let reviewed = move || use_query_map().read().get("reviewed").is_some();
    let sent = move || use_query_map().read().get("sent").is_some();
    let answered = move || use_query_map().read().get("answered");
    view! {
        <ErrorSummary errors/>
        <ErrorSummary errors=answer_errors/>
        <ErrorSummary errors=review_errors/>
        <ErrorSummary errors=message_errors/>
        <Show when=sent>
            <div class="notice" role="status"><p>"Your message has been sent. They are told by email."</p></div>
        </Show>
        <Show when=reviewed>
            <div class="notice" role="status"><p>"Thank you for your review. It is published with the month, never your name."</p></div>
        </Show>
        {move || answered().map(|answered| view! {
            <div class="notice" role="status"><p>{if answered == "query" {
                "Thank you. We have told the provider what was wrong; nothing is paid for the visit until it is settled."
            } else {
                "Thank you. The visit is confirmed."
            }}</p></div>
        })}
        <Loaded data=loaded path=format!("/bookings/{}", reference()) show=move |booking, token| view! { <BookingSummary booking cancel answer write send message_errors token/> }/>
    }
}

#[component]
fn BookingSummary(
    booking: BookingView,
    cancel: ServerAction<CancelBooking>,
    answer: ServerAction<AnswerVisit>,
    write: ServerAction<WriteReview>,
    send: ServerAction<SendBookingMessage>,
    message_errors: Signal<Vec<FieldError>>,
    token: String,
) -> impl IntoView {
    let requested = booking.status == BookingStatus::Requested;
    let delivered = booking.delivered.clone();
    let concern_link = format!("/concerns/new?booking={}", booking.reference);
    view! {
        <Title text=format!("Booking {}", booking.reference)/>
        {if requested {
            view! {
                <div class="panel">
                    <h1>"Booking request sent"</h1>
                    <p>"Your reference"<br/><strong>{booking.reference.clone()}</strong></p>
                </div>
            }.into_any()
        } else {
            view! { <h1>{format!("Booking {}", booking.reference)}</h1> }.into_any()
        }}
        <dl class="summary-list">
            <div><dt>"Status"</dt><dd>{booking.status.label()}</dd></div>
            <div><dt>"Service"</dt><dd><a href=format!("/services/{}", booking.listing_public_id)>{booking.listing_title.clone()}</a>{format!(", {}", booking.provider)}</dd></div>
            <div><dt>"For"</dt><dd>{booking.person.clone()}</dd></div>
            <div><dt>"When"</dt><dd>{booking.when.clone()}</dd></div>
            <div><dt>"Each visit lasts"</dt><dd>{booking.duration.clone()}</dd></div>
            <div><dt>"Each visit costs"</dt><dd>{format_pence(booking.per_visit_pence)}</dd></div>
            <div><dt>"Set aside from the budget"</dt><dd>{format_pence(booking.committed_pence)}</dd></div>
        </dl>
        {booking.respond_by.clone().map(|by| view! {
            <h2>"What happens next"</h2>
            <p>{format!("{} has until {by} to accept or decline. If they cannot, the money set aside goes back into the budget.", booking.provider)}</p>
        })}
        <DeliveredVisits visits=delivered reference=booking.reference.clone() answer token=token.clone()/>
        <BookingReview reference=booking.reference.clone() review=booking.review.clone() can_review=booking.can_review write token=token.clone()/>
        {booking.messages.clone().map(|messages| view! { <Conversation reference=booking.reference.clone() messages send errors=message_errors token=token.clone()/> })}
        {booking.can_cancel.then(|| view! {
            <h2>"Cancel this booking"</h2>
            <p>{booking.cancellation_policy.clone()}</p>
            <ActionForm action=cancel>
                <CsrfField token/>
                <input type="hidden" name="reference" value=booking.reference.clone()/>
                <button type="submit" class="button button-warning">"Cancel this booking"</button>
            </ActionForm>
        })}
        <p><a href=concern_link>"Raise a concern or complaint about this booking"</a></p>
        <p><a href="/budget/statement">"See the budget statement"</a></p>
        <p><a href="/">"Find more care and support"</a></p>
    }
}
