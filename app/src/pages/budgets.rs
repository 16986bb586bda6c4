//! Personal budgets for commissioners (`/budgets`): every budget of the council with what is
//! available, set aside, and a flag for more than 8 weeks' worth unspent; a form that opens a
//! budget and the person's account (showing the one-time code they set up their password
//! with); moving an individual service fund to another provider; opening a helper's account
//! for a support planner, relative or friend; a budget's end date, and closing it. And
//! `/account/set-up`, where the person uses their code.
use crate::api::{CloseBudget, MoveFund, OpenBudget, OpenHelperAccount, SetBudgetEndDate, SetRiskThresholds, SetShortestVisit, SetUpAccount, load_budgets};
use crate::components::{Choices, CsrfField, ErrorSummary, Loaded, Select, SetUpCodePanel, TextInput, form_errors, use_viewer};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PATH: &str = "/budgets";

#[component]
pub fn BudgetsPage() -> impl IntoView {
    let open = ServerAction::<OpenBudget>::new();
    let moved = ServerAction::<MoveFund>::new();
    let shortest = ServerAction::<SetShortestVisit>::new();
    let helper = ServerAction::<OpenHelperAccount>::new();
    let thresholds = ServerAction::<SetRiskThresholds>::new();
    let ending = Ending { ends: ServerAction::<SetBudgetEndDate>::new(), closing: ServerAction::<CloseBudget>::new() };
    let query = use_query_map();
    let filter = move || {
        let query = query.read();
        BudgetsFilter {
            find: query.get("find").unwrap_or_default(),
            budget: query.get("budget").and_then(|id| id.parse().ok()),
            page: query.get("page").and_then(|page| page.parse().ok()),
        }
    };
    let loaded = Resource::new(
        move || {
            (
                filter(),
                open.version().get(),
                moved.version().get(),
                shortest.version().get(),
                thresholds.version().get(),
                ending.ends.version().get(),
                ending.closing.version().get(),
            )
        },
        |(filter, ..)| load_budgets(filter),
    );
    let ends_errors = form_errors(ending.ends);
    let closing_errors = form_errors(ending.closing);
    let threshold_errors = form_errors(thresholds);
    let errors = form_errors(open);
    let helper_errors = form_errors(helper);
    let move_errors = form_errors(moved);
    let shortest_errors = form_errors(shortest);
    view! {
        <Title text="Personal budgets"/>
        <h1>"Personal budgets"</h1>
        <ErrorSummary errors/>
        <ErrorSummary errors=move_errors/>
        <ErrorSummary errors=shortest_errors/>
        <ErrorSummary errors=helper_errors/>
        <ErrorSummary errors=threshold_errors/>
        <ErrorSummary errors=ends_errors/>
        <ErrorSummary errors=closing_errors/>
        {move || query.read().get("code").map(|code| view! { <SetUpCodePanel heading="Budget opened" code/> })}
        {move || query.read().get("helper_code").map(|code| view! { <SetUpCodePanel heading="Helper's account opened" code/> })}
        {move || query.read().get("moved").map(|_| view! { <div class="notice" role="status"><p>"The fund has moved. Its money stays with the person."</p></div> })}
        {move || query.read().get("shortest").map(|_| view! { <div class="notice" role="status"><p>"The care plan's shortest visit is saved. New bookings follow it."</p></div> })}
        {move || query.read().get("ends").map(|_| view! { <div class="notice" role="status"><p>"The end date is saved. No care is booked for after it."</p></div> })}
        {move || query.read().get("closed").map(|pence| view! { <div class="notice" role="status"><p>{
            format!("The budget is closed: its bookings have ended and {} went back to the council. The person has been told.",
                format_pence(pence.parse().unwrap_or(0)))
        }</p></div> })}
        {move || query.read().get("thresholds").map(|_| view! { <div class="notice" role="status"><p>"The thresholds are saved. The flags follow them."</p></div> })}
        <Loaded data=loaded path=PATH show=move |admin, token| {
            let levels = admin.thresholds.clone();
            view! {
                <Budgets admin open moved shortest ending errors token=token.clone()/>
                <NewHelper helper errors=helper_errors token=token.clone()/>
                <Thresholds levels action=thresholds errors=threshold_errors token/>
            }
        }/>
    }
}

/// The two forms that end a budget: its end date, and closing it.
#[derive(Clone, Copy)]
struct Ending {
    ends: ServerAction<SetBudgetEndDate>,
    closing: ServerAction<CloseBudget>,
}

#[component]
fn Budgets(
    admin: BudgetsAdmin,
    open: ServerAction<OpenBudget>,
    moved: ServerAction<MoveFund>,
    shortest: ServerAction<SetShortestVisit>,
    ending: Ending,
    errors: Signal<Vec<FieldError>>,
    token: String,
) -> impl IntoView {
    let types = vec![
        (BudgetType::DirectPayment.code().to_string(), "Direct payment: any listed provider".to_string()),
        (BudgetType::ManagedAccount.code().to_string(), "Managed account: the council holds it; framework providers only".to_string()),
        (BudgetType::IndividualServiceFund.code().to_string(), "Individual service fund: held by one provider".to_string()),
    ];
    let providers = admin.providers.clone();
    let row_token = token.clone();
    let filter = admin.filter.clone();
    view! {
        <FindBudgets admin=admin.clone()/>
        {if admin.holders.is_empty() {
            view! { <p>{if admin.found == 0 && admin.filter == BudgetsFilter::default() { "No personal budgets yet." } else { "No budget matches." }}</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <caption class="visually-hidden">{format!("Personal budgets, oldest first: page {} of {}", admin.page, admin.pages)}</caption>
                    <thead><tr><th scope="col">"Person"</th><th scope="col">"Type"</th><th scope="col">"Every 4 weeks"</th>
                        <th scope="col">"Available"</th><th scope="col">"Set aside"</th><th scope="col">"Statement"</th></tr></thead>
                    <tbody>
                        {admin.holders.into_iter().map(|line| {
                            let token = row_token.clone();
                            let providers = providers.clone();
                            let move_label = format!("Move {}'s fund", line.name);
                            let budget_id = line.budget_id.to_string();
                            let select_id = format!("fund_holder-{}", line.budget_id);
                            let (plan_token, plan_budget_id) = (token.clone(), budget_id.clone());
                            let end_token = token.clone();
                            let minutes_id = format!("shortest_visit-{}", line.budget_id);
                            let shortest_label = format!("Save {}'s shortest visit", line.name);
                            let plan = match line.shortest_visit_minutes {
                                Some(minutes) => format!("Care plan: home care visits of at least {minutes} minutes"),
                                None => "Care plan: the usual 30-minute shortest visit".to_string(),
                            };
                            view! {
                                <tr>
                                    <th scope="row">
                                        {line.name.clone()}
                                        <span class="hint">{line.email.clone()}{(!line.account_set_up).then_some(" (account not set up yet)")}</span>
                                        {line.flags.iter().map(|flag| view! { <span class="tag tag-warning">{flag.clone()}</span> }).collect_view()}
                                        {(line.surplus && line.budget_type != BudgetType::IndividualServiceFund).then(|| view! {
                                            <a href=format!("/recoveries?budget={}", line.budget_id)>"Recover the surplus"<span class="visually-hidden">{format!(" from {}'s budget", line.name)}</span></a>
                                        })}
                                    </th>
                                    <td data-label="Type">
                                        {line.budget_type.label()}
                                        {line.fund_holder.clone().map(|holder| view! {
                                            <span class="hint">{format!("Held by {holder}")}</span>
                                            <details>
                                                <summary>"Move to another provider"</summary>
                                                <ActionForm action=moved>
                                                    <CsrfField token=token.clone()/>
                                                    <input type="hidden" name="budget_id" value=budget_id.clone()/>
                                                    <Select id=select_id.clone() name="fund_holder" label="New provider"
                                                        options=providers.clone() errors=Signal::stored(Vec::new())/>
                                                    <button type="submit" class="button button-secondary">{move_label.clone()}</button>
                                                </ActionForm>
                                            </details>
                                        })}
                                        <span class="hint">{plan}</span>
                                        <details>
                                            <summary>"Change the shortest visit"</summary>
                                            <ActionForm action=shortest attr:novalidate=true>
                                                <CsrfField token=plan_token/>
                                                <input type="hidden" name="budget_id" value=plan_budget_id/>
                                                <TextInput id=minutes_id name="minutes" label="Shortest home care visit in the care plan, in minutes"
                                                    hint="From 5 to 240. Leave empty for the usual 30 minutes" input_type="number" width="input-narrow"
                                                    value=line.shortest_visit_minutes.map(|m| m.to_string()).unwrap_or_default() errors=Signal::stored(Vec::new())/>
                                                <button type="submit" class="button button-secondary">{shortest_label}</button>
                                            </ActionForm>
                                        </details>
                                        <EndOfBudget line=line.clone() ending token=end_token/>
                                    </td>
                                    <td data-label="Every 4 weeks">{format_pence(line.four_weekly_pence)}</td>
                                    <td data-label="Available">{format_pence(line.available_pence)}</td>
                                    <td data-label="Set aside">{format_pence(line.set_aside_pence)}</td>
                                    <td data-label="Statement"><a href=format!("/budget/statement?budget={}", line.budget_id)>
                                        "Statement"<span class="visually-hidden">{format!(" for {}", line.name)}</span></a></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <Pages filter page=admin.page pages=admin.pages/>
            }.into_any()
        }}
        <h2>"Open a personal budget"</h2>
        <ActionForm action=open attr:novalidate=true>
            <CsrfField token/>
            <TextInput id="name" name="form[name]" label="The person's full name" autocomplete="off" errors/>
            <TextInput id="email" name="form[email]" label="Their email address" hint="They sign in with it" input_type="email" autocomplete="off" errors/>
            <Choices id="budget_type" name="form[budget_type]" legend="Type of budget" options=types chosen=Vec::new() errors/>
            <Select id="fund_holder" name="form[fund_holder]" label="Provider holding the fund (individual service funds only)"
                options=admin.providers errors/>
            <TextInput id="allocation" name="form[allocation]" label="Paid in every 4 weeks, in pounds" hint="For example, 840.00"
                width="input-narrow" errors/>
            <TextInput id="contribution" name="form[contribution]" label="The person's assessed contribution every 4 weeks, in pounds"
                hint="Leave empty if they pay nothing" width="input-narrow" errors/>
            <TextInput id="starts_on" name="form[starts_on]" label="Start date" hint="For example, 2026-12-01" input_type="date" width="input-narrow" errors/>
            <TextInput id="shortest_visit" name="form[shortest_visit]" label="Shortest home care visit in the care plan, in minutes (optional)"
                hint="Only if the care plan says otherwise: from 5 to 240. Leave empty for the usual 30 minutes" input_type="number" width="input-narrow" errors/>
            <button type="submit" class="button">"Open the budget"</button>
        </ActionForm>
    }
}

/// Finding a person's budget among thousands: words of their name or email (a plain GET form,
/// so it works without JavaScript), and how many budgets are shown.
#[component]
fn FindBudgets(admin: BudgetsAdmin) -> impl IntoView {
    let filtered = admin.filter.budget.is_some() || !admin.filter.find.trim().is_empty();
    let count = match (admin.filter.budget, admin.found) {
        (Some(_), 1) => "Showing one budget.".to_string(),
        (_, 1) => "1 budget found.".to_string(),
        (_, found) => {
            format!("{} budgets{}.", crate::report::Figure::Count(i64::try_from(found).unwrap_or(i64::MAX)).shown(), if filtered { " found" } else { "" })
        }
    };
    view! {
        <form method="get" action=PATH role="search" class="search-form" novalidate=true>
            <TextInput id="find" name="find" label="Find a person's budget" hint="Part of their name or email address"
                value=admin.filter.find.clone() errors=Signal::stored(Vec::new())/>
            <button type="submit" class="button button-secondary">"Find"</button>
        </form>
        <p role="status">{count}{filtered.then(|| view! { " " <a href=PATH>"Show every budget"</a> })}</p>
    }
}

/// Links to the pages before and after this one.
#[component]
fn Pages(filter: BudgetsFilter, page: u32, pages: u32) -> impl IntoView {
    let previous = (page > 1).then(|| filter.path(page - 1));
    let next = (page < pages).then(|| filter.path(page + 1));
    (previous.is_some() || next.is_some()).then(|| {
        view! {
            <nav class="pagination" aria-label="Pages of budgets">
                {previous.map(|href| view! { <a href=href rel="prev">"Previous page"</a> })}
                <span>{format!("Page {page} of {pages}")}</span>
                {next.map(|href| view! { <a href=href rel="next">"Next page"</a> })}
            </nav>
        }
    })
}

/// Opens an account for someone who helps budget holders. It lets them do nothing until a
/// person asks them to help and they accept.
#[component]
fn NewHelper(helper: ServerAction<OpenHelperAccount>, errors: Signal<Vec<FieldError>>, token: String) -> impl IntoView {
    view! {
        <h2>"Open a helper's account"</h2>
        <p>"For a support planner, or a relative or friend who helps someone with their budget. "
           "Give them the code shown next: they choose their password with it. They can act for someone only once that person asks them and they accept."</p>
        <ActionForm action=helper attr:novalidate=true>
            <CsrfField token/>
            <TextInput id="helper_name" name="form[name]" label="The helper's full name" autocomplete="off" errors/>
            <TextInput id="helper_email" name="form[email]" label="The helper's email address" hint="They sign in with it" input_type="email" autocomplete="off" errors/>
            <button type="submit" class="button">"Open the helper's account"</button>
        </ActionForm>
    }
}

#[component]
pub fn SetUpAccountPage() -> impl IntoView {
    let set_up = ServerAction::<SetUpAccount>::new();
    let errors = form_errors(set_up);
    let token = use_viewer().csrf_token;
    // The same form serves the link mailed to someone who forgot their password (with its code).
    let (code, reset) = {
        let query = use_query_map().read_untracked();
        (query.get("code").unwrap_or_default(), query.get("reset").is_some())
    };
    let (title, lead, button) = if reset {
        ("Choose a new password", "Enter your email address and the new password you want. The code from your email is filled in.", "Save my new password")
    } else {
        ("Set up your account", "Use the code the council gave you when they opened your account.", "Set up my account")
    };
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <p>{lead}</p>
        <ErrorSummary errors/>
        <ActionForm action=set_up attr:novalidate=true>
            <CsrfField token/>
            <TextInput id="email" name="form[email]" label="Email address" input_type="email" autocomplete="email" errors/>
            <TextInput id="code" name="form[code]" label="Your code" hint="For example, K7QX-3M9P-TR2W" autocomplete="one-time-code" value=code errors/>
            <TextInput id="password" name="form[password]" label="Choose a password" hint="At least 12 characters. A few words together is easy to remember."
                input_type="password" autocomplete="new-password" errors/>
            <button type="submit" class="button">{button}</button>
        </ActionForm>
    }
}

/// The council's thresholds for the risk flags on its budgets.
#[component]
fn Thresholds(levels: Vec<(String, String, i64)>, action: ServerAction<SetRiskThresholds>, errors: Signal<Vec<FieldError>>, token: String) -> impl IntoView {
    view! {
        <h2>"When budgets are flagged"</h2>
        <p>"Flags are worked out from each budget's money, bookings, visits and card payments. Individual service funds roll over by design, so they are never flagged for a surplus or unused money."</p>
        <ActionForm action attr:novalidate=true>
            <CsrfField token/>
            {levels.into_iter().map(|(field, label, value)| view! {
                <TextInput id=format!("threshold-{field}") name=format!("thresholds[{field}]") label value=value.to_string() width="input-narrow" errors/>
            }).collect_view()}
            <button type="submit" class="button">"Save the thresholds"</button>
        </ActionForm>
    }
}

/// A budget's end date and closing it, or when it was closed.
#[component]
fn EndOfBudget(line: BudgetHolderLine, ending: Ending, token: String) -> impl IntoView {
    if let Some(day) = line.closed_on {
        return view! { <span class="tag">{format!("Closed on {day}")}</span> }.into_any();
    }
    let id = line.budget_id;
    let ends = match &line.ends_on {
        Some(day) => format!("Ends on {day}"),
        None => "No end date".to_string(),
    };
    let (save, close) = (format!("Save {}'s end date", line.name), format!("Close {}'s budget", line.name));
    let close_token = token.clone();
    view! {
        <span class="hint">{ends}</span>
        <details>
            <summary>"End date, or close the budget"</summary>
            <ActionForm action=ending.ends attr:novalidate=true>
                <CsrfField token=token.clone()/>
                <input type="hidden" name="budget_id" value=id.to_string()/>
                <TextInput id=format!("ends_on-{id}") name="ends_on" label="End date" input_type="date" width="input-narrow"
                    hint="Like 2027-03-31. No care is booked for after it. Leave empty for none"
                    value=line.ends_on.clone().unwrap_or_default() errors=Signal::stored(Vec::new())/>
                <button type="submit" class="button button-secondary">{save}</button>
            </ActionForm>
            <ActionForm action=ending.closing attr:novalidate=true>
                <CsrfField token=close_token/>
                <input type="hidden" name="budget_id" value=id.to_string()/>
                <TextInput id=format!("close_reason-{id}") name="reason" label="Why the budget is closing"
                    hint="The person is told. Their bookings end, money set aside for care not yet given is released, and what is left goes back to the council"
                    errors=Signal::stored(Vec::new())/>
                <button type="submit" class="button button-warning">{close}</button>
            </ActionForm>
        </details>
    }
    .into_any()
}
