//! A personal budget's statement (`/budget/statement`): every payment in and out with the
//! balance after it, as a bank statement shows it, and the same lines as a CSV download. The
//! holder sees their own; a planner they trust, the provider holding the fund, or a
//! commissioner of the council adds `?budget=<id>`. Each council budget's monthly statement is
//! at `/budget/statements/<month>` (printable), with its CSV beside it.
use crate::api::{load_budget_statement, load_monthly_statement};
use crate::components::Loaded;
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

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
        {(!statement.months.is_empty()).then(|| {
            let budget_id = statement.budget_id;
            view! {
                <h2>"Monthly statements"</h2>
                <ul>
                    {statement.months.iter().map(|(code, name)| view! {
                        <li><a href=format!("/budget/statements/{code}?budget={budget_id}")>{format!("Statement for {name}")}</a></li>
                    }).collect_view()}
                </ul>
            }
        })}
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

/// `/budget/statements/<month>`: one month of a council budget, to read or print.
#[component]
pub fn MonthlyStatementPage() -> impl IntoView {
    let month = use_params_map().read_untracked().get("month").unwrap_or_default();
    let budget = use_query_map().read_untracked().get("budget").and_then(|id| id.parse::<i64>().ok());
    let path = format!("/budget/statements/{month}{}", budget.map(|id| format!("?budget={id}")).unwrap_or_default());
    let loaded = Resource::new(move || (), move |_| load_monthly_statement(budget, month.clone()));
    view! { <Loaded data=loaded path show=|statement, _| view! { <MonthView statement/> }/> }
}

#[component]
fn MonthView(statement: MonthlyStatement) -> impl IntoView {
    let csv = format!("/budget/statements/{}/csv?budget={}", statement.month, statement.budget_id);
    let total = |available: i64, set_aside: i64| format_pence(available + set_aside);
    view! {
        <Title text=format!("Statement for {}: {}", statement.month_name, statement.holder)/>
        <h1>{format!("Statement for {}", statement.month_name)}<span class="caption">{statement.holder.clone()}</span></h1>
        <p>{format!("{}. Made on {}.", statement.budget_type.label(), statement.made_on)}</p>
        <h2>"Concerns"</h2>
        {if statement.flags.is_empty() {
            view! { <p>"No concerns."</p> }.into_any()
        } else {
            view! { <ul>{statement.flags.iter().map(|flag| view! { <li>{flag.clone()}</li> }).collect_view()}</ul> }.into_any()
        }}
        <table class="table">
            <caption>"Money in the budget at the start and end of the month"</caption>
            <thead><tr><th scope="col">"When"</th><th scope="col">"Available to spend"</th><th scope="col">"Set aside for booked care"</th><th scope="col">"In all"</th></tr></thead>
            <tbody>
                <tr><th scope="row">"Start of the month"</th>
                    <td data-label="Available to spend">{format_pence(statement.opening_available_pence)}</td>
                    <td data-label="Set aside for booked care">{format_pence(statement.opening_set_aside_pence)}</td>
                    <td data-label="In all">{total(statement.opening_available_pence, statement.opening_set_aside_pence)}</td></tr>
                <tr><th scope="row">"End of the month"</th>
                    <td data-label="Available to spend">{format_pence(statement.closing_available_pence)}</td>
                    <td data-label="Set aside for booked care">{format_pence(statement.closing_set_aside_pence)}</td>
                    <td data-label="In all">{total(statement.closing_available_pence, statement.closing_set_aside_pence)}</td></tr>
            </tbody>
        </table>
        {if statement.movements.is_empty() {
            view! { <p>"No money came in or went out this month."</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <caption>"Money in and out during the month"</caption>
                    <thead><tr><th scope="col">"What"</th><th scope="col">"Money in"</th><th scope="col">"Money out"</th></tr></thead>
                    <tbody>
                        {statement.movements.into_iter().map(|(what, into, out)| view! {
                            <tr><th scope="row">{what}</th><td data-label="Money in">{amount(into)}</td><td data-label="Money out">{amount(out)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <p class="no-print"><a href=csv download>"Download this month (CSV spreadsheet)"</a></p>
    }
}
