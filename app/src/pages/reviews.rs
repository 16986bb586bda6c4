//! Verified reviews: the list on provider and service pages, the form on a booking's page, the
//! provider's page to read and reply (`/provider/reviews`), and the council's page to hide one
//! with a reason (`/reviews`).
use crate::api::{HideReview, ReplyToReview, WriteReview, load_council_reviews, load_provider_reviews};
use crate::components::{Choices, CsrfField, ErrorSummary, Loaded, form_errors};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// "4 out of 5 stars", with stars drawn for those who see them.
fn stars_view(stars: u8) -> impl IntoView {
    let drawn: String = (1..=5).map(|star| if star <= stars { '★' } else { '☆' }).collect();
    view! {
        <span class="stars" aria-hidden="true">{drawn}</span>
        <span class="visually-hidden">{format!("{stars} out of 5 stars")}</span>
    }
}

fn one_review(review: PublicReview) -> impl IntoView {
    view! {
        <p>{stars_view(review.stars)}" "<span class="hint">{format!("Verified: from someone who booked through CareMarket, {}", review.month)}</span></p>
        {(!review.body.is_empty()).then(|| view! { <p class="pre-line">{review.body.clone()}</p> })}
        {review.reply.clone().map(|reply| view! { <p class="reply"><strong>"The provider replied: "</strong>{reply}</p> })}
    }
}

/// The reviews section of a provider's or a service's page.
#[component]
pub fn ReviewList(reviews: Vec<PublicReview>) -> impl IntoView {
    view! {
        <h2>"Reviews"</h2>
        {match review_summary(&reviews) {
            None => view! { <p>"No reviews yet. Only people who booked through CareMarket and had a visit can review."</p> }.into_any(),
            Some(summary) => view! {
                <p>{summary}</p>
                <ul class="spaced-list">
                    {reviews.into_iter().map(|review| {
                        let report = format!("/concerns/new?review={}", review.id);
                        view! { <li class="card">{one_review(review)}<p><a href=report>"Report this review"</a></p></li> }
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

/// On a booking's page: its review, or the form to write one.
#[component]
pub fn BookingReview(reference: String, review: Option<PublicReview>, can_review: bool, write: ServerAction<WriteReview>, token: String) -> impl IntoView {
    if let Some(review) = review {
        return view! { <h2>"Your review"</h2><div class="card">{one_review(review)}</div> }.into_any();
    }
    if !can_review {
        return ().into_any();
    }
    let stars = [("5", "5 stars: excellent"), ("4", "4 stars: good"), ("3", "3 stars: all right"), ("2", "2 stars: poor"), ("1", "1 star: very poor")];
    let stars = stars.into_iter().map(|(value, label)| (value.to_string(), label.to_string())).collect();
    let errors = form_errors(write);
    view! {
        <h2 id="review">"Review this provider"</h2>
        <p>"Your review is shown with the month, never your name, and counts towards the provider's place on the council's lists. You can review each booking once."</p>
        <ActionForm action=write>
            <CsrfField token/>
            <input type="hidden" name="reference" value=reference/>
            <Choices id="stars" name="stars" legend="How was the care?" options=stars chosen=Vec::new() errors/>
            <div class="form-group">
                <label class="label" for="body">"What would you tell someone choosing care? (optional)"</label>
                <p class="hint" id="body-hint">"Up to 1,000 characters. Please do not include anyone's name or personal details."</p>
                <textarea class="textarea" id="body" name="body" rows="4" maxlength="1000" aria-describedby="body-hint"></textarea>
            </div>
            <button type="submit" class="button">"Send your review"</button>
        </ActionForm>
    }
    .into_any()
}

/// A review with where it came from, for staff and commissioners.
fn managed_heading(review: &ManagedReview) -> impl IntoView + use<> {
    let about = format!("{}, {} (booking {})", review.provider, review.service, review.reference);
    let hidden = review.hidden.clone();
    view! {
        <h3>{about}</h3>
        {hidden.map(|why| view! { <p><strong>{format!("Hidden by the council: {}", why.to_lowercase())}</strong></p> })}
    }
}

/// The provider's reviews, to read and reply to once.
#[component]
pub fn ProviderReviewsPage() -> impl IntoView {
    let reply = ServerAction::<ReplyToReview>::new();
    let loaded = Resource::new(move || reply.version().get(), |_| load_provider_reviews());
    let errors = form_errors(reply);
    let replied = move || use_query_map().read().get("replied").is_some();
    view! {
        <Title text="Your reviews"/>
        <h1>"Your reviews"</h1>
        <ErrorSummary errors/>
        <Show when=replied>
            <div class="notice" role="status"><p>"Your reply is published under the review."</p></div>
        </Show>
        <Loaded data=loaded path="/provider/reviews" show=move |reviews, token| view! { <StaffReviews reviews reply token/> }/>
    }
}

#[component]
fn StaffReviews(reviews: Vec<ManagedReview>, reply: ServerAction<ReplyToReview>, token: String) -> impl IntoView {
    if reviews.is_empty() {
        return view! { <p>"No reviews yet."</p> }.into_any();
    }
    view! {
        <p>"You can reply to each review once. Replies are public: thank the person, or say what you have done; never include personal details."</p>
        <ul class="spaced-list">
            {reviews.into_iter().map(|review| {
                let id = format!("reply-{}", review.review.id);
                let (can_reply, review_id) = (review.can_reply, review.review.id);
                let token = token.clone();
                view! {
                    <li class="card">
                        {managed_heading(&review)}
                        {one_review(review.review)}
                        {can_reply.then(move || view! {
                            <ActionForm action=reply>
                                <CsrfField token/>
                                <input type="hidden" name="review_id" value=review_id.to_string()/>
                                <div class="form-group">
                                    <label class="label" for=id.clone()>"Your reply"</label>
                                    <textarea class="textarea" id=id name="reply" rows="3" maxlength="1000"></textarea>
                                </div>
                                <button type="submit" class="button button-secondary">"Publish your reply"</button>
                            </ActionForm>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Reviews of care the council paid for, each of which a commissioner may hide with a reason.
#[component]
pub fn CouncilReviewsPage() -> impl IntoView {
    let hide = ServerAction::<HideReview>::new();
    let loaded = Resource::new(move || hide.version().get(), |_| load_council_reviews());
    let errors = form_errors(hide);
    let hidden = move || use_query_map().read().get("hidden").is_some();
    view! {
        <Title text="Reviews of care the council paid for"/>
        <h1>"Reviews of care the council paid for"</h1>
        <ErrorSummary errors/>
        <Show when=hidden>
            <div class="notice" role="status"><p>"The review is hidden and no longer counts. The reviewer and the provider have been told why."</p></div>
        </Show>
        <Loaded data=loaded path="/reviews" show=move |reviews, token| view! { <CouncilReviews reviews hide token/> }/>
    }
}

#[component]
fn CouncilReviews(reviews: Vec<ManagedReview>, hide: ServerAction<HideReview>, token: String) -> impl IntoView {
    if reviews.is_empty() {
        return view! { <p>"No reviews of care the council paid for yet."</p> }.into_any();
    }
    view! {
        <p>"Hide a review only if it is abusive, gives someone's personal details, or is not about the care. The reviewer and the provider are told, and it is recorded."</p>
        <ul class="spaced-list">
            {reviews.into_iter().map(|review| {
                let (can_hide, review_id) = (review.can_hide, review.review.id);
                let reasons: Vec<(String, String)> = ReviewHiddenReason::ALL.into_iter().map(|reason| (reason.code().to_string(), reason.label().to_string())).collect();
                let token = token.clone();
                view! {
                    <li class="card">
                        {managed_heading(&review)}
                        {one_review(review.review)}
                        {can_hide.then(move || view! {
                            <details>
                                <summary>"Hide this review"</summary>
                                <ActionForm action=hide>
                                    <CsrfField token/>
                                    <input type="hidden" name="review_id" value=review_id.to_string()/>
                                    <Choices id=format!("reason-{review_id}") name="reason" legend="Why" options=reasons.clone() chosen=Vec::new() errors=Signal::stored(Vec::new())/>
                                    <button type="submit" class="button button-warning">"Hide the review"</button>
                                </ActionForm>
                            </details>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
