//! CSV downloads: the same figures a page shows, for spreadsheets and finance systems.
//! A budget statement is at `/budget/statement.csv` (`?budget=<id>` for someone else's); a
//! payment run's remittance at `/payments/<run>/remittance.csv`, and the visits it paid one
//! provider at `/provider/payments/<run>/visits.csv`; a report's figures at
//! `/reports/<report>/csv` with the report page's filters. A budget's monthly statement is at
//! `/budget/statements/<month>/csv` (`?budget=<id>`), and every budget's of the council for a
//! month at `/budgets/statements/<month>/csv` (commissioners).
use crate::domain::{budgets, finance, monthly_statements, payment_runs, provider_payments, reports};
use crate::error::{self, AppError, Edge};
use crate::state::AppState;
use app::port::RequestInfo;
use app::{UiError, pounds_text};
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(serde::Deserialize)]
pub struct Which {
    budget: Option<i64>,
}

pub async fn budget_statement(State(state): State<AppState>, Extension(request): Extension<RequestInfo>, Query(which): Query<Which>) -> Response {
    let Some(user) = request.viewer.user else {
        return Redirect::to("/sign-in?next=/budget/statement").into_response();
    };
    let person = request.viewer.acting_for.map(|acting| acting.user_id);
    let statement = match budgets::statement(&state.db, &user, which.budget, person, state.config.clock.now()).await {
        Ok(statement) => statement,
        Err(error) => return refused(error),
    };
    let mut lines = vec![row(&["Date", "Details", "Money in (GBP)", "Money out (GBP)", "Available after (GBP)", "Set aside after (GBP)"])];
    for line in &statement.rows {
        let amount = |pence: i64| if pence == 0 { String::new() } else { pounds_text(pence) };
        lines.push(row(&[
            &line.date,
            &line.details,
            &amount(line.money_in_pence),
            &amount(line.money_out_pence),
            &pounds_text(line.available_after_pence),
            &pounds_text(line.set_aside_after_pence),
        ]));
    }
    download(&format!("budget-statement-{}.csv", statement.budget_id), lines.concat())
}

/// `/budget/statements/<month>/csv`: one month's statement of a budget the viewer may see.
pub async fn monthly_statement(
    State(state): State<AppState>,
    Extension(request): Extension<RequestInfo>,
    axum::extract::Path(month): axum::extract::Path<String>,
    Query(which): Query<Which>,
) -> Response {
    let Some(user) = request.viewer.user else {
        return Redirect::to("/sign-in?next=/budget/statement").into_response();
    };
    let person = request.viewer.acting_for.map(|acting| acting.user_id);
    match monthly_statements::one(&state.db, &user, which.budget, person, &month, state.config.clock.now()).await {
        Ok(statement) => statement_csv(&format!("statement-{}-{}.csv", statement.budget_id, statement.month), &[statement]),
        Err(error) => refused(error),
    }
}

/// `/budgets/statements/<month>/csv`: every budget's statement of the commissioner's council.
pub async fn council_statements(
    State(state): State<AppState>,
    Extension(request): Extension<RequestInfo>,
    axum::extract::Path(month): axum::extract::Path<String>,
) -> Response {
    let Some(user) = request.viewer.user else {
        return Redirect::to("/sign-in?next=/budgets").into_response();
    };
    match monthly_statements::council_month(&state.db, &user, &month).await {
        Ok(statements) => statement_csv(&format!("statements-{month}.csv"), &statements),
        Err(error) => refused(error),
    }
}

/// Statements one after another under one header line.
fn statement_csv(filename: &str, statements: &[app::MonthlyStatement]) -> Response {
    let mut body = String::with_capacity(256 + statements.len() * 512);
    if statements.is_empty() {
        push_row(&mut body, &monthly_statements::CSV_HEADER);
    }
    for (index, statement) in statements.iter().enumerate() {
        monthly_statements::csv_rows(statement, index == 0, |cells| push_row(&mut body, cells));
    }
    download(filename, body)
}

/// `/payments/<run>/remittance.csv`: what each provider was paid in a run (commissioners).
pub async fn remittance(
    State(state): State<AppState>,
    Extension(request): Extension<RequestInfo>,
    axum::extract::Path(reference): axum::extract::Path<String>,
) -> Response {
    let Some(user) = request.viewer.user else {
        return Redirect::to("/sign-in?next=/payments").into_response();
    };
    let (run, lines) = match payment_runs::remittance(&state.db, &user, &reference).await {
        Ok(found) => found,
        Err(error) => return refused(error),
    };
    let date = crate::domain::uk_time::to_local(run.created_at).format("%Y-%m-%d").to_string();
    let mut rows = vec![row(&["Payment run", "Date", "Provider", "CQC registration", "Amount (GBP)"])];
    for line in &lines {
        rows.push(row(&[&run.reference, &date, &line.provider, line.regulator_id.as_deref().unwrap_or_default(), &pounds_text(line.amount_pence)]));
    }
    download(&format!("remittance-{}.csv", run.reference), rows.concat())
}

/// `/provider/payments/<run>/visits.csv`: what a payment run paid the provider's organisation,
/// visit by visit (its staff).
pub async fn provider_run(
    State(state): State<AppState>,
    Extension(request): Extension<RequestInfo>,
    axum::extract::Path(reference): axum::extract::Path<String>,
) -> Response {
    let Some(user) = request.viewer.user else {
        return Redirect::to("/sign-in?next=/provider/payments").into_response();
    };
    let (council, run) = match provider_payments::run(&state.db, &user, &reference).await {
        Ok(found) => found,
        Err(error) => return refused(error),
    };
    let mut rows = vec![row(&["Payment run", "Date paid", "Council", "Booking", "Visit date", "Minutes", "Amount (GBP)"])];
    for visit in &run.visits {
        rows.push(row(&[&run.reference, &run.date, &council, &visit.booking, &visit.day, &visit.minutes.to_string(), &pounds_text(visit.amount_pence)]));
    }
    rows.push(row(&[&run.reference, &run.date, &council, "Total", "", "", &pounds_text(run.amount_pence)]));
    download(&format!("payment-{}.csv", run.reference), rows.concat())
}

#[derive(serde::Deserialize)]
pub struct Period {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `/finance/export.csv?from=…&to=…`: the council's money for its finance system (commissioners).
pub async fn finance_export(State(state): State<AppState>, Extension(request): Extension<RequestInfo>, Query(period): Query<Period>) -> Response {
    let Some(user) = request.viewer.user else {
        return Redirect::to("/sign-in?next=/finance").into_response();
    };
    let lines = match finance::export(&state.db, &user, &period.from, &period.to).await {
        Ok(lines) => lines,
        Err(error) => return refused(error),
    };
    let mut rows = vec![row(&["Date", "Kind", "Cost centre", "Account code", "Amount (GBP)", "Reference", "Supplier number", "Payee"])];
    for line in &lines {
        let date = line.date.format("%Y-%m-%d").to_string();
        let amount = pounds_text(line.amount_pence);
        rows.push(row(&[&date, line.kind, &line.cost_centre, &line.account_code, &amount, &line.reference, &line.supplier_number, &line.payee]));
    }
    download(&format!("finance-{}-to-{}.csv", period.from.trim(), period.to.trim()), rows.concat())
}

/// `/reports/<report>/csv?<filters>`: exactly the table the report page shows (commissioners).
pub async fn report(
    State(state): State<AppState>,
    Extension(request): Extension<RequestInfo>,
    axum::extract::Path(slug): axum::extract::Path<String>,
    Query(query): Query<app::report::ReportQuery>,
) -> Response {
    let Some(user) = request.viewer.user else {
        return Redirect::to(&format!("/sign-in?next=/reports/{}", app::encode_query_value(&slug))).into_response();
    };
    let report = match reports::report(&state.reports_db, &user, &slug, &query, state.config.clock.now()).await {
        Ok(report) => report,
        Err(error) => return refused(error),
    };
    if !report.errors.is_empty() {
        return refused(AppError::Invalid(report.errors));
    }
    let columns: Vec<&str> = report.columns.iter().map(String::as_str).collect();
    let mut lines = vec![row(&columns)];
    for figures in &report.rows {
        let cells: Vec<String> = figures.iter().map(|figure| figure.csv()).collect();
        lines.push(row(&cells.iter().map(String::as_str).collect::<Vec<_>>()));
    }
    download(&format!("{}-{}-to-{}.csv", report.slug, report.query.from, report.query.to), lines.concat())
}

/// A download refused, in words for a download, with the status every refusal gets.
fn refused(error: AppError) -> Response {
    let error = UiError::from(error);
    let words = match &error {
        UiError::Invalid(problems) => {
            let problems: Vec<&str> = problems.iter().map(|problem| problem.message.as_str()).collect();
            format!("There is a problem with the filters: {}.", problems.join("; "))
        }
        UiError::Forbidden => "You do not have permission to download this.".into(),
        UiError::NotFound => "There is nothing here to download.".into(),
        UiError::Unexpected => "Something went wrong. Try again later.".into(),
        other => other.to_string(),
    };
    (error::status(&error, Edge::Ours), words).into_response()
}

fn download(filename: &str, body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\""))], body)
        .into_response()
}

/// One CSV line (RFC 4180, CRLF). A cell a spreadsheet would run as a formula is written
/// with a leading apostrophe; cells with commas, quotes or line breaks are quoted.
pub fn row(cells: &[&str]) -> String {
    let mut line = String::new();
    push_row(&mut line, cells);
    line
}

/// `row`, written onto the end of `out`.
pub fn push_row(out: &mut String, cells: &[&str]) {
    for (index, cell) in cells.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        let formula = cell.starts_with(['=', '+', '@', '\t', '\r']) || (cell.starts_with('-') && cell.parse::<f64>().is_err());
        let quoted = cell.contains([',', '"', '\n', '\r']);
        if quoted {
            out.push('"');
        }
        if formula {
            out.push('\'');
        }
        if quoted {
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::row;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(row(&["a", "b, c", "say \"hi\""]), "a,\"b, c\",\"say \"\"hi\"\"\"\r\n");
        assert_eq!(row(&["=SUM(A1)", "-12.50", "-x", "+1"]), "'=SUM(A1),-12.50,'-x,'+1\r\n");
    }
}
