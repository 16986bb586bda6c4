//! Commissioners' reports (`/reports`): each report is a page with its filters (a plain GET
//! form, so it works without JavaScript), a chart drawn on the server, the same figures as a
//! table (the chart's accessible version), a text summary, how the figures are counted, and a
//! CSV download of exactly the table. Offline placements are recorded at
//! `/offline-placements`, by form or by pasting a spreadsheet's rows.
use crate::api::{ImportOfflinePlacements, RecordOfflinePlacement, load_offline_placements, load_report};
use crate::chart::{CHART_ROWS, bar_chart};
use crate::components::{CsrfField, CsvInput, ErrorSummary, Loaded, Select, TextInput, form_errors, refusal_view, use_viewer};
use crate::model::*;
use crate::report::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ReportsPage() -> impl IntoView {
    let role = use_viewer().user.map(|user| user.role);
    view! {
        <Title text="Reports"/>
        {match role {
            Some(Role::Commissioner) => view! {
                <h1>"Reports"</h1>
                <p>"Figures for your council's placements, budgets and providers. Each report has a chart, the same figures as a table, and a CSV download. No report identifies a budget holder."</p>
                <ul class="report-list">
                    {REPORTS.iter().map(|report| view! {
                        <li><h2><a href=format!("/reports/{}", report.slug)>{report.title}</a></h2><p>{report.about}</p></li>
                    }).collect_view()}
                </ul>
                <p><a href="/offline-placements">"Record placements made outside CareMarket"</a></p>
            }.into_any(),
            Some(_) => refusal_view(UiError::Forbidden, "/reports".into()),
            None => refusal_view(UiError::SignInRequired, "/reports".into()),
        }}
    }
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let asked = Memo::new(move |_| (params.read().get("slug").unwrap_or_default(), ReportQuery::from_query(|name| query.read().get(name))));
    let loaded = Resource::new(move || asked.get(), |(slug, query)| load_report(slug, query));
    view! {
        <Loaded data=loaded path=format!("/reports/{}", asked.get_untracked().0) show=move |report, _| view! { <ReportView report/> }/>
    }
}

#[component]
fn ReportView(report: Report) -> impl IntoView {
    let info = report_info(&report.slug);
    let errors = Signal::stored(report.errors.clone());
    let has_figures = report.errors.is_empty();
    let csv_href = format!("/reports/{}/csv?{}", report.slug, report.query.to_query());
    let chart = if has_figures { bar_chart(&report) } else { None };
    let more_rows = report.rows.len() > CHART_ROWS;
    view! {
        <Title text=report.title.clone()/>
        <a href="/reports" class="back-link">"All reports"</a>
        <h1>{report.title.clone()}</h1>
        <p>{info.map(|info| info.about)}</p>
        <ErrorSummary errors/>
        <Filters report=report.clone() errors/>
        <h2 id="figures">"Figures"</h2>
        <p class="report-summary">{report.summary.clone()}</p>
        {has_figures.then(|| view! {
            {chart.map(|svg| view! {
                <figure class="report-chart">
                    <div inner_html=svg></div>
                    <figcaption>
                        {if more_rows { format!("The chart shows the first {CHART_ROWS} rows of the table below.") } else { "The table below has the same figures.".to_string() }}
                    </figcaption>
                </figure>
            })}
            <Figures report=report.clone()/>
            <p><a href=csv_href download>"Download these figures (CSV)"</a></p>
            <h2>"How these figures are counted"</h2>
            <ul>{report.notes.clone().into_iter().map(|note| view! { <li>{note}</li> }).collect_view()}</ul>
        })}
    }
}

#[component]
fn Figures(report: Report) -> impl IntoView {
    let caption = format!("{}, {} to {}", report.title, report.query.from, report.query.to);
    let columns = report.columns.clone();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="figures">
            <table class="table report-table">
                <caption>{caption}</caption>
                <thead><tr>{columns.iter().map(|column| view! { <th scope="col">{column.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {report.rows.into_iter().map(|row| {
                        let columns = columns.clone();
                        view! {
                            <tr>{row.into_iter().enumerate().map(|(index, figure)| {
                                if index == 0 {
                                    view! { <th scope="row">{figure.shown()}</th> }.into_any()
                                } else {
                                    let label = columns.get(index).cloned().unwrap_or_default();
                                    view! { <td data-label=label class="numeric">{figure.shown()}</td> }.into_any()
                                }
                            }).collect_view()}</tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(code, label)| ((*code).to_string(), (*label).to_string())).collect()
}

/// The report's filters as a GET form back to the same page.
#[component]
fn Filters(report: Report, errors: Signal<Vec<FieldError>>) -> impl IntoView {
    let takes = |filter: Filter| report_info(&report.slug).is_some_and(|info| info.filters.contains(&filter));
    let query = report.query.clone();
    let choices = report.choices.clone();
    view! {
        <form method="get" action=format!("/reports/{}", report.slug) class="report-filters" novalidate>
            <h2>"Filters"</h2>
            {takes(Filter::Dates).then(|| view! {
                <div class="filter-row">
                    <TextInput id="from" name="from" label="First day" input_type="date" hint="For example, 2026-04-01" value=query.from.clone() width="input-narrow" errors/>
                    <TextInput id="to" name="to" label="Last day" input_type="date" hint="For example, 2027-03-31" value=query.to.clone() width="input-narrow" errors/>
                </div>
            })}
            {takes(Filter::Period).then(|| view! {
                <Select id="period" name="period" label="Show by" options=pairs(PERIODS) value=query.period.clone() errors/>
            })}
            {takes(Filter::BreakDown).then(|| view! {
                <Select id="by" name="by" label="Break down" options=pairs(BREAKDOWNS) value=query.by.clone() errors/>
            })}
            {takes(Filter::Category).then(|| view! {
                <Select id="category" name="category" label="Type of care" options=category_choices() value=query.category.clone() any="All types of care" errors/>
            })}
            {takes(Filter::Lot).then(|| view! {
                <Select id="lot" name="lot" label="Framework lot" options=choices.lots.clone() value=query.lot.clone() any="All lots and off the framework" errors/>
            })}
            {takes(Filter::Locality).then(|| view! {
                <Select id="locality" name="locality" label="Area" options=choices.localities.clone() value=query.locality.clone() any="All areas" errors/>
            })}
            {takes(Filter::Assumptions).then(|| view! {
                <fieldset class="fieldset">
                    <legend>"Assumptions (change them to your council's own figures)"</legend>
                    <TextInput id="manual_cost" name="manual_cost" label="Cost of arranging a placement by hand, in pounds"
                        hint="Staff time to find a provider, agree the package and set up payment. Example: 100.00" value=query.manual_cost.clone() width="input-narrow" errors/>
                    <TextInput id="electronic_cost" name="electronic_cost" label="Cost of arranging a placement through CareMarket, in pounds"
                        hint="Example: 25.00" value=query.electronic_cost.clone() width="input-narrow" errors/>
                    <TextInput id="price_change" name="price_change" label="How much lower unit prices are than the baseline, in percent"
                        hint="A whole number from 0 to 90. Peterborough reported 10 after ranking its framework on quality and price" value=query.price_change.clone() width="input-narrow" errors/>
                    <TextInput id="spend" name="spend" label="Commissioning spend in the period, in pounds (optional)"
                        hint="Leave empty to use the money allocated to personal budgets in the period" value=query.spend.clone() width="input-narrow" errors/>
                </fieldset>
            })}
            <button type="submit" class="button">"Show figures"</button>
        </form>
    }
}

#[component]
pub fn OfflinePlacementsPage() -> impl IntoView {
    let record = ServerAction::<RecordOfflinePlacement>::new();
    let import = ServerAction::<ImportOfflinePlacements>::new();
    let loaded = Resource::new(move || record.version().get() + import.version().get(), |_| load_offline_placements());
    let recorded = move || use_query_map().read().get("recorded");
    view! {
        <Title text="Placements made outside CareMarket"/>
        <a href="/reports" class="back-link">"All reports"</a>
        <h1>"Placements made outside CareMarket"</h1>
        <p>"Record placements your council made by phone, email or paper, so the "<a href="/reports/electronic">"electronic placement report"</a>" can compare them with those made through CareMarket."</p>
        {move || recorded().map(|count| view! {
            <div class="notice" role="status"><p>{match count.as_str() {
                "1" => "1 placement recorded.".to_string(),
                count => format!("{count} placements recorded."),
            }}</p></div>
        })}
        <Loaded data=loaded path="/offline-placements" show=move |page, token| view! { <OfflineForms page record import token/> }/>
    }
}

#[component]
fn OfflineForms(
    page: OfflinePlacements,
    record: ServerAction<RecordOfflinePlacement>,
    import: ServerAction<ImportOfflinePlacements>,
    token: String,
) -> impl IntoView {
    let record_errors = form_errors(record);
    let import_errors = form_errors(import);
    let import_token = token.clone();
    let header = OFFLINE_CSV_HEADER;
    view! {
        <h2>"Record one placement"</h2>
        <ErrorSummary errors=record_errors/>
        <ActionForm action=record attr:novalidate=true>
            <CsrfField token/>
            <TextInput id="placed_on" name="form[placed_on]" label="Date it was made" input_type="date" hint="For example, 2026-04-01" width="input-narrow" errors=record_errors/>
            <Select id="category" name="form[category]" label="Type of care" options=category_choices() errors=record_errors/>
            <Select id="locality" name="form[locality]" label="Area (optional)" options=page.localities.clone() any="Not given" errors=record_errors/>
            <TextInput id="weekly_value" name="form[weekly_value]" label="Weekly value, in pounds" hint="What one week of the care costs. For example, 350.00" width="input-narrow" errors=record_errors/>
            <button type="submit" class="button">"Record placement"</button>
        </ActionForm>
        <h2>"Import from a spreadsheet"</h2>
        <p>"Save the spreadsheet as CSV, then choose the file, or open it in a text editor and paste everything into the box. The first line names the columns: "<code>{header}</code>". Dates are written like 2026-04-01, areas by name (or left empty), values in pounds."</p>
        <p>"If any line has a problem, nothing is imported and each problem is listed with its line number."</p>
        <ErrorSummary errors=import_errors/>
        <ActionForm action=import attr:novalidate=true>
            <CsrfField token=import_token/>
            <CsvInput label="Rows to import" hint=format!("For example: {header} then 2026-04-01,Home care,Gosforth,350.00") errors=import_errors/>
            <button type="submit" class="button">"Import placements"</button>
        </ActionForm>
        <script src="/enhance.js"></script>
        <h2>"Recorded so far"</h2>
        {if page.latest.is_empty() {
            view! { <p>"No placements made outside CareMarket have been recorded yet."</p> }.into_any()
        } else {
            view! {
                <p>{format!("{} recorded in all; the latest are:", page.recorded)}</p>
                <table class="table">
                    <caption class="visually-hidden">"The latest placements made outside CareMarket"</caption>
                    <thead><tr><th scope="col">"Date"</th><th scope="col">"Type of care"</th><th scope="col">"Area"</th><th scope="col">"Weekly value"</th></tr></thead>
                    <tbody>
                        {page.latest.into_iter().map(|line| view! {
                            <tr>
                                <th scope="row">{line.placed_on}</th>
                                <td data-label="Type of care">{line.category}</td>
                                <td data-label="Area">{line.area}</td>
                                <td data-label="Weekly value">{format_pence(line.weekly_value_pence)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}
