//! A booking's conversation on its page: the messages, oldest first, and a form to write one.
use crate::api::SendBookingMessage;
use crate::components::{CsrfField, TextArea};
use crate::model::*;
use leptos::prelude::*;

#[component]
pub fn Conversation(
    reference: String,
    messages: Vec<BookingMessage>,
    send: ServerAction<SendBookingMessage>,
    errors: Signal<Vec<FieldError>>,
    token: String,
) -> impl IntoView {
    view! {
        <h2 id="messages">"Messages"</h2>
        <p>"Between the person, the people helping them, and the provider's staff. The council does not read them."</p>
        {if messages.is_empty() {
            view! { <p>"No messages yet."</p> }.into_any()
        } else {
            view! {
                <ol class="messages">
                    {messages.into_iter().map(|message| view! {
                        <li class=if message.mine { "message message-mine" } else { "message" }>
                            <p class="hint"><strong>{message.from}</strong>", "{message.at}</p>
                            <p class="pre-line">{message.body}</p>
                        </li>
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
        <ActionForm action=send>
            <CsrfField token/>
            <input type="hidden" name="reference" value=reference/>
            <TextArea id="message" name="message" label="Write a message" errors/>
            <button type="submit" class="button button-secondary">"Send the message"</button>
        </ActionForm>
    }
}
