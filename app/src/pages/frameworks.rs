//! Commissioners set up frameworks and their lots (`/frameworks`): each lot is a type of care
//! in one of the council's areas, with a price cap and a quality:price weighting.
use crate::api::{CreateFramework, CreateLot, load_framework_admin};
use crate::components::{CsrfField, ErrorSummary, Loaded, Select, TextInput, form_errors};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PATH: &str = "/frameworks";

#[component]
pub fn FrameworksPage() -> impl IntoView {
    let new_framework = ServerAction::<CreateFramework>::new();
    let new_lot = ServerAction::<CreateLot>::new();
    let admin = Resource::new(move || new_framework.version().get() + new_lot.version().get(), |_| load_framework_admin());
    let created = move || use_query_map().read().get("created").is_some();
    view! {
        <Title text="Frameworks and lots"/>
        <h1>"Frameworks and lots"</h1>
        <Show when=created>
            <div class="notice" role="status"><p>"The framework is set up. Add its lots below."</p></div>
        </Show>
        <Loaded data=admin path=PATH show=move |admin, token| view! { <FrameworkForms admin new_framework new_lot token/> }/>
    }
}

fn choices(pairs: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    pairs.into_iter().collect()
}

#[component]
fn FrameworkForms(admin: FrameworkAdmin, new_framework: ServerAction<CreateFramework>, new_lot: ServerAction<CreateLot>, token: String) -> impl IntoView {
    let framework_errors = form_errors(new_framework);
    let lot_errors = form_errors(new_lot);
    let lot_token = token.clone();
    let frameworks = choices(admin.frameworks.iter().map(|f| (f.id.to_string(), f.name.clone())));
    let categories = category_choices();
    let units = choices(UNITS.iter().map(|unit| (unit.to_string(), format!("Per {unit}"))));
    let listed = admin
        .frameworks
        .into_iter()
        .map(|framework| {
            view! {
                <li>
                    <h3>{framework.name}</h3>
                    <p class="hint">{framework.period}</p>
                    {if framework.lots.is_empty() {
                        view! { <p>"No lots yet."</p> }.into_any()
                    } else {
                        view! {
                            <ul>{framework.lots.into_iter().map(|(id, label)| view! { <li><a href=format!("/lots/{id}")>{label}</a></li> }).collect_view()}</ul>
                        }.into_any()
                    }}
                </li>
            }
        })
        .collect_view();
    let has_frameworks = !frameworks.is_empty();
    let can_add_lot = has_frameworks && !admin.localities.is_empty();
    view! {
        <h2>"Your council's frameworks"</h2>
        {if has_frameworks {
            view! { <ul class="plain-list spaced-list">{listed}</ul> }.into_any()
        } else {
            view! { <p>"Your council has no frameworks yet. Start one below."</p> }.into_any()
        }}

        <h2>"Start a framework"</h2>
        <ErrorSummary errors=framework_errors/>
        <ActionForm action=new_framework attr:novalidate=true>
            <CsrfField token/>
            <TextInput id="name" name="form[name]" label="Name" hint="Like \"Domiciliary care 2027 to 2031\"" errors=framework_errors/>
            <TextInput id="starts_on" name="form[starts_on]" label="Starts on" hint="Like 2027-04-01" input_type="date" width="input-narrow" errors=framework_errors/>
            <TextInput id="ends_on" name="form[ends_on]" label="Ends on" hint="Like 2031-03-31" input_type="date" width="input-narrow" errors=framework_errors/>
            <button type="submit" class="button">"Start framework"</button>
        </ActionForm>

        <h2>"Add a lot"</h2>
        <p>"A lot is one type of care in one area. Providers are ranked within it on quality and price, weighted as you choose."</p>
        {if can_add_lot {
            view! {
                <ErrorSummary errors=lot_errors/>
                <ActionForm action=new_lot attr:novalidate=true>
                    <CsrfField token=lot_token/>
                    <Select id="framework_id" name="form[framework_id]" label="Framework" options=frameworks errors=lot_errors/>
                    <Select id="category" name="form[category]" label="Type of care" options=categories errors=lot_errors/>
                    <Select id="locality_id" name="form[locality_id]" label="Area" options=admin.localities errors=lot_errors/>
                    <Select id="unit" name="form[unit]" label="What the price cap is for" options=units errors=lot_errors/>
                    <TextInput id="price_cap" name="form[price_cap]" label="Price cap in pounds" hint="The most the council pays per unit, like 30.00"
                        width="input-narrow" errors=lot_errors/>
                    <TextInput id="quality_weight" name="form[quality_weight]" label="Weight given to quality, in percent"
                        hint="From 0 to 100; price gets the rest. Usually 60." width="input-narrow" value="60" errors=lot_errors/>
                    <button type="submit" class="button">"Add lot"</button>
                </ActionForm>
            }.into_any()
        } else {
            view! { <p>"Start a framework first: lots are added to a framework, in one of your council's areas."</p> }.into_any()
        }}
    }
}
