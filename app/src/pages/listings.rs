//! A provider's own services: the "Your services" table with its publish, pause and
//! re-confirm buttons, and the form that adds or edits one service.
use crate::api::{ChangeListing, SaveListing, load_listing_form, load_own_listings};
use crate::components::{Choices, CsrfField, ErrorSummary, Loaded, Select, TextArea, TextInput, form_errors};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

const LIST_PATH: &str = "/provider/listings";

#[component]
pub fn OwnListingsPage() -> impl IntoView {
    let change = ServerAction::<ChangeListing>::new();
    let listings = Resource::new(move || change.version().get(), |_| load_own_listings());
    let saved = move || use_query_map().read().get("saved").is_some();
    view! {
        <Title text="Your services"/>
        <h1>"Your services"</h1>
        <Show when=saved>
            <div class="notice" role="status"><p>"Your service is saved. Publish it when you want people to find it."</p></div>
        </Show>
        <p><a href=format!("{LIST_PATH}/new") class="button">"Add a service"</a></p>
        <Loaded data=listings path=LIST_PATH show={move |rows: Vec<_>, token| if rows.is_empty() {
            view! { <p>"You have no services yet. Add one to be found by people with a personal budget."</p> }.into_any()
        } else {
            view! { <ListingsTable rows change token/> }.into_any()
        }}/>
    }
}

#[component]
fn ListingsTable(rows: Vec<OwnListing>, change: ServerAction<ChangeListing>, token: String) -> impl IntoView {
    view! {
        <table class="table">
            <caption class="visually-hidden">"Your services, newest first"</caption>
            <thead>
                <tr><th scope="col">"Service"</th><th scope="col">"Status"</th><th scope="col">"Price"</th>
                    <th scope="col">"Details last confirmed"</th><th scope="col">"Actions"</th></tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let status_change = if row.status == ListingStatus::Published {
                        (ListingChange::Pause, "Pause")
                    } else {
                        (ListingChange::Publish, "Publish")
                    };
                    view! {
                        <tr>
                            <th scope="row">
                                <a href=format!("{LIST_PATH}/{}", row.public_id)>{row.title.clone()}</a>
                                <span class="hint">{row.category.clone()}</span>
                            </th>
                            <td data-label="Status"><span class=format!("tag tag-{}", row.status.code())>{row.status.label()}</span></td>
                            <td data-label="Price">{row.price.clone()}</td>
                            <td data-label="Details last confirmed">
                                {row.assured_on.clone().unwrap_or_else(|| "Never".into())}
                                {row.possibly_out_of_date.then(|| view! { <span class="tag tag-warning">"Possibly out of date"</span> })}
                            </td>
                            <td class="actions">
                                <ChangeButton change token=token.clone() row=row.clone() what=status_change.0 label=status_change.1/>
                                <ChangeButton change token=token.clone() row=row.clone() what=ListingChange::Reconfirm label="Confirm details"/>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// One button in its own small form, so it works without JavaScript.
#[component]
fn ChangeButton(change: ServerAction<ChangeListing>, token: String, row: OwnListing, what: ListingChange, label: &'static str) -> impl IntoView {
    let value = format!("{what:?}");
    view! {
        <ActionForm action=change attr:class="inline-form">
            <CsrfField token/>
            <input type="hidden" name="listing_id" value=row.public_id/>
            <input type="hidden" name="change" value=value/>
            // The name says which service: a screen reader's list of buttons has one per row.
            <button type="submit" class="button button-secondary" aria-label=format!("{label}: {}", row.title)>{label}</button>
        </ActionForm>
    }
}

/// `/provider/listings/new` and `/provider/listings/:id`.
#[component]
pub fn ListingEditorPage() -> impl IntoView {
    let params = use_params_map();
    let listing_id = move || params.read().get("id");
    let loaded = Resource::new(listing_id, load_listing_form);
    let save = ServerAction::<SaveListing>::new();
    let errors = form_errors(save);
    let id = listing_id();
    view! {
        <ErrorSummary errors/>
        <Loaded data=loaded path=id.as_ref().map_or_else(|| format!("{LIST_PATH}/new"), |id| format!("{LIST_PATH}/{id}"))
            show=move |form, token| view! { <ListingFields save errors form token listing_id=id.clone()/> }/>
    }
}

fn options(pairs: impl IntoIterator<Item = (&'static str, &'static str)>) -> Vec<(String, String)> {
    pairs.into_iter().map(|(code, label)| (code.to_string(), label.to_string())).collect()
}

#[component]
fn ListingFields(
    save: ServerAction<SaveListing>,
    errors: Signal<Vec<FieldError>>,
    form: ListingForm,
    token: String,
    listing_id: Option<String>,
) -> impl IntoView {
    let heading = if listing_id.is_some() { format!("Edit {}", form.title) } else { "Add a service".to_string() };
    let categories = options(CATEGORIES.iter().map(|&code| (code, category_label(code))));
    let units =
        options([("hour", "An hour"), ("visit", "A visit"), ("session", "A session"), ("day", "A day"), ("week", "A week"), ("item", "An item (equipment)")]);
    let increments = options([
        ("1", "To the minute"),
        ("5", "To the nearest 5 minutes"),
        ("10", "To the nearest 10 minutes"),
        ("15", "To the nearest 15 minutes"),
        ("30", "To the nearest 30 minutes"),
        ("60", "To the nearest hour"),
    ]);
    let genders = options([("any", "Any carer"), ("female", "Women carers only"), ("male", "Men carers only")]);
    let mut hours = form.hours.clone();
    hours.resize(7, DayHours::default());
    view! {
        <Title text=heading.clone()/>
        <h1>{heading}</h1>
        <p><a href=LIST_PATH>"Back to your services"</a></p>
        <ActionForm action=save attr:novalidate=true>
            <CsrfField token/>
            {listing_id.map(|id| view! { <input type="hidden" name="listing_id" value=id/> })}
            <h2>"About the service"</h2>
            <Select id="category" name="form[category]" label="Type of care and support" options=categories value=form.category errors/>
            <TextInput id="title" name="form[title]" label="Title" hint="What people will see first, like \"Morning and evening home care in Gosforth\"" value=form.title errors/>
            <TextArea id="description" name="form[description]" label="Description"
                hint="What you do, who for, and what makes your service good. Plain words work best." value=form.description errors/>
            <h2>"Price"</h2>
            <Select id="unit" name="form[unit]" label="What the price is for" options=units value=form.unit errors/>
            <TextInput id="price" name="form[price]" label="Price in pounds" hint="Like 24.50" width="input-narrow" value=form.price errors/>
            <TextInput id="min_visit_minutes" name="form[min_visit_minutes]" label="Shortest visit, in minutes"
                hint="Home care visits are at least 30 minutes. Enter 0 if this does not apply." width="input-narrow" value=form.min_visit_minutes errors/>
            <Select id="billing_increment_minutes" name="form[billing_increment_minutes]" label="How delivered time is rounded"
                options=increments value=form.billing_increment_minutes errors/>
            <h2>"Cancelling"</h2>
            <TextInput id="cancellation_notice_hours" name="form[cancellation_notice_hours]" label="Hours of notice needed to cancel free of charge"
                width="input-narrow" value=form.cancellation_notice_hours errors/>
            <TextInput id="late_cancellation_percent" name="form[late_cancellation_percent]" label="Percentage charged for a later cancellation"
                hint="From 0 to 100" width="input-narrow" value=form.late_cancellation_percent errors/>
            <h2>"Who and where"</h2>
            <Choices id="carer_gender" name="form[carer_gender]" legend="Who provides the care" options=genders chosen=vec![form.carer_gender] errors/>
            <TextInput id="areas" name="form[areas]" label="Postcode districts you cover"
                hint="Separate them with commas, like NE3, NE4, NE5" value=form.areas errors/>
            <TextInput id="base_postcode" name="form[base_postcode]" label="Or: the postcode you travel from"
                hint="Like NE3 1AB. Use this with the distance below." width="input-narrow" value=form.base_postcode errors/>
            <TextInput id="radius_km" name="form[radius_km]" label="How far you travel from it, in kilometres"
                width="input-narrow" value=form.radius_km errors/>
            <h2>"When you are available"</h2>
            <p class="hint">"Use the 24-hour clock, like 08:00 and 20:00. Leave both times empty on days you are closed."</p>
            {hours.into_iter().enumerate().map(|(index, day)| view! {
                <fieldset class="fieldset day-hours">
                    <legend class="legend">{WEEKDAYS[index]}</legend>
                    <TextInput id=format!("hours-{index}-opens") name=format!("form[hours][{index}][opens]") label="From"
                        width="input-narrow" autocomplete="off" value=day.opens errors/>
                    <TextInput id=format!("hours-{index}-closes") name=format!("form[hours][{index}][closes]") label="Until"
                        width="input-narrow" autocomplete="off" value=day.closes errors/>
                </fieldset>
            }).collect_view()}
            <h2>"People and specialisms"</h2>
            <TextInput id="languages" name="form[languages]" label="Languages your carers speak"
                hint="Separate them with commas, like English, Polish, British Sign Language" value=form.languages errors/>
            <Choices id="specialisms" name="form[specialisms]" legend="Specialisms" hint="Choose all that your staff are trained for"
                options=options(SPECIALISMS.iter().copied()) chosen=form.specialisms multiple=true errors/>
            <button type="submit" class="button">"Save"</button>
        </ActionForm>
    }
}
