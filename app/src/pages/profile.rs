//! A provider's organisation profile (`/provider/profile`): what people see about the
//! organisation on its public page, its cards and the open data. Saving confirms the details.
use crate::api::{SaveOrganisationProfile, load_organisation_profile};
use crate::components::{CsrfField, ErrorSummary, Loaded, TextArea, TextInput, form_errors};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PATH: &str = "/provider/profile";

#[component]
pub fn OrganisationProfilePage() -> impl IntoView {
    let save = ServerAction::<SaveOrganisationProfile>::new();
    let loaded = Resource::new(move || save.version().get(), |_| load_organisation_profile());
    let errors = form_errors(save);
    let saved = move || use_query_map().read().get("saved").is_some();
    view! {
        <Loaded data=loaded path=PATH show=move |profile, token| view! {
            <ErrorSummary errors/>
            <Show when=saved>
                <div class="notice" role="status"><p>"Your organisation's details are saved and confirmed."</p></div>
            </Show>
            <ProfileFields save errors profile token/>
        }/>
    }
}

#[component]
fn ProfileFields(save: ServerAction<SaveOrganisationProfile>, errors: Signal<Vec<FieldError>>, profile: OrganisationProfile, token: String) -> impl IntoView {
    let form = profile.form;
    view! {
        <Title text="Your organisation"/>
        <h1>{profile.name}</h1>
        <dl class="summary-list">
            <div>
                <dt>"CQC rating"</dt>
                <dd>{rating_label(&profile.regulator_rating)}" "<span class="hint">"(from the Care Quality Commission; the council updates it)"</span></dd>
            </div>
            <div><dt>"Details confirmed"</dt><dd>{profile.assured_on.unwrap_or_else(|| "Not yet".into())}</dd></div>
        </dl>
        <ActionForm action=save attr:novalidate=true>
            <CsrfField token/>
            <TextArea id="description" name="form[description]" label="About your organisation"
                hint="Who you support and how. This is on your public page." value=form.description errors/>
            <TextInput id="contact_email" name="form[contact_email]" label="Email for enquiries" input_type="email" autocomplete="email"
                value=form.contact_email errors/>
            <TextInput id="contact_phone" name="form[contact_phone]" label="Telephone for enquiries" input_type="tel" autocomplete="tel"
                value=form.contact_phone errors/>
            <TextInput id="website" name="form[website]" label="Website (optional)" hint="Starting https://" input_type="url" autocomplete="url"
                value=form.website errors/>
            <TextInput id="languages" name="form[languages]" label="Languages your staff speak"
                hint="Separate them with commas, like English, Polish, British Sign Language" value=form.languages errors/>
            <TextInput id="regulator_id" name="form[regulator_id]" label="CQC location ID (if registered)" hint="Like 1-123456789"
                width="input-narrow" value=form.regulator_id errors/>
            <p>"Saving also confirms that these details are right today."</p>
            <button type="submit" class="button">"Save and confirm"</button>
        </ActionForm>
        <p><a href="/provider/listings">"Manage your services"</a></p>
    }
}
