//! A personal budget's statement (`/budget/statement`): every payment in and out with the
//! balance after it, as a bank statement shows it, and the same lines as a CSV download. The
//! holder sees their own; a planner they trust, the provider holding the fund, or a
//! commissioner of the council adds `?budget=<id>`.
use crate::api::load_budget_statement;
use crate::components::Loaded;
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn BudgetStatementPage() -> impl IntoView {
    let query = use_query_map();
    let budget = move || query.read().get("budget").and_then(|id| id.parse::<i64>().ok());
    let loaded = Resource::new(budget, load_budget_statement);
    view! {
        <Loaded data=loaded path=budget().map_or_else(|| "/budget/statement".to_string(), |id| format!("/budget/statement?budget={id}"))
            show=|statement, _| view! { <StatementView statement/> }/>
    }
}

#[component]
fn StatementView(statement: BudgetStatement) -> impl IntoView {
    let csv = format!("/budget/statement.csv?budget={}", statement.budget_id);
    view! {
        <Title text=format!("{}: {}", if statement.self_funded { "Account statement" } else { "Budget statement" }, statement.holder)/>
        <h1>{if statement.self_funded { "Account statement" } else { "Budget statement" }}<span class="caption">{statement.holder.clone()}</span></h1>
        <dl class="summary-list">
            <div><dt>"Type of budget"</dt><dd>{if statement.self_funded { "Your own money, paid in by card" } else { statement.budget_type.label() }}</dd></div>
            <div><dt>"Available to spend"</dt><dd>{format_pence(statement.available_pence)}</dd></div>
            <div><dt>"Set aside for booked care"</dt><dd>{format_pence(statement.set_aside_pence)}</dd></div>
            {(!statement.self_funded).then(|| view! { <div><dt>"Budget for every 4 weeks"</dt><dd>{format_pence(statement.four_weekly_pence)}</dd></div> })}
        </dl>
        {statement.surplus.then(|| view! {
            <div class="notice"><p>
                "More than 8 weeks' worth of this budget is unspent. The council will look at it with you, "
                "and may take back money that is not needed."
            </p></div>
        })}
        {if statement.rows.is_empty() {
            view! { <p>"No money has been paid in or out yet."</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <caption class="visually-hidden">"Every payment in and out, oldest first, with the balance after each"</caption>
                    <thead>
                        <tr><th scope="col">"Date"</th><th scope="col">"Details"</th><th scope="col">"Money in"</th>
                            <th scope="col">"Money out"</th><th scope="col">"Available after"</th><th scope="col">"Set aside after"</th></tr>
                    </thead>
                    <tbody>
                        {statement.rows.into_iter().map(|row| view! {
                            <tr>
                                <td data-label="Date">{row.date}</td>
                                <td data-label="Details">{row.details}</td>
                                <td data-label="Money in">{amount(row.money_in_pence)}</td>
                                <td data-label="Money out">{amount(row.money_out_pence)}</td>
                                <td data-label="Available after">{format_pence(row.available_after_pence)}</td>
                                <td data-label="Set aside after">{format_pence(row.set_aside_after_pence)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <p><a href=csv download>"Download this statement (CSV spreadsheet)"</a></p>
        {statement.pay_by_card.then(|| {
            let text = if statement.self_funded { "Pay into your account by card" } else { "Pay your contribution or a top-up by card" };
            view! { <p><a href="/budget/pay">{text}</a></p> }
        })}
    }
}

/// An amount, or nothing for a line that did not move money that way.
fn amount(pence: i64) -> String {
    if pence == 0 { String::new() } else { format_pence(pence) }
}
