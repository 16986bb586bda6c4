//! Commissioners' reports on their own council's placements, money and providers. Each report
//! reads the filters it is asked (checked, with defaults), runs a few grouped queries and
//! answers with one table of figures (see `app::report`). Figures are totals and rates over
//! many people: no report names or counts a single budget holder.
//!
//! Placement reports read the `placements` table (see `domain::placements`): a booking a
//! provider confirmed, paid from a council-funded personal budget and not since cancelled,
//! made on its UK date of confirmation. Its **weekly value** is what one week of it costs as
//! booked, comparable with the weekly value commissioners record for offline placements.
pub mod days;
mod delivery;
mod money;
mod placement_figures;

use super::auth::commissioners_council;
use super::uk_time;
use crate::entities::{framework, locality, lot};
use crate::error::{AppError, AppResult};
use app::report::{Filter, ReportChoices, ReportInfo, ReportQuery, report_info};
use app::{CATEGORIES, FieldError, SignedInUser, format_price};
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveTime, Utc};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QueryResult, Statement, Value};

pub use app::report::Report;

/// The longest span a report covers (weekly over this is still a readable table).
const LONGEST_SPAN_DAYS: i64 = 5 * 366;

/// Answers the report at `/reports/<slug>`, for commissioners only.
pub async fn report(db: &impl ConnectionTrait, viewer: &SignedInUser, slug: &str, query: &ReportQuery, now: DateTime<Utc>) -> AppResult<Report> {
    let council_id = commissioners_council(viewer)?;
    let info = report_info(slug).ok_or(AppError::NotFound)?;
    let choices = choices(db, council_id).await?;
    let today = uk_time::to_local(now).date();
    let mut report = Report {
        slug: info.slug.into(),
        title: info.title.into(),
        query: query.clone(),
        errors: Vec::new(),
        choices,
        columns: Vec::new(),
        rows: Vec::new(),
        chart: Vec::new(),
        summary: String::new(),
        notes: Vec::new(),
    };
    let asked = match Asked::read(info, query, &report.choices, council_id, today) {
        Ok(asked) => asked,
        Err(errors) => {
            report.errors = errors;
            report.summary = "Correct the filters to see the figures.".into();
            return Ok(report);
        }
    };
    report.query = asked.as_query(query);
    let answer = match info.slug {
        "placements" => placement_figures::volumes(db, &asked).await,
        "electronic" => placement_figures::electronic_share(db, &asked).await,
        "time-to-place" => placement_figures::time_to_place(db, &asked).await,
        "framework-share" => placement_figures::framework_share(db, &asked).await,
        "prices" => placement_figures::prices(db, &asked).await,
        "budgets" => money::budget_use(db, &asked).await,
        "delivery" => delivery::provider_delivery(db, &asked).await,
        "savings" => money::savings(db, &asked, query).await,
        _ => return Err(AppError::NotFound),
    };
    let answer = match answer {
        Ok(answer) => answer,
        Err(AppError::Invalid(errors)) => {
            report.errors = errors;
            report.summary = "Correct the assumptions to see the estimate.".into();
            return Ok(report);
        }
        Err(error) => return Err(error),
    };
    let Answer { columns, rows, chart, summary, notes } = answer;
    Ok(Report { columns, rows, chart, summary, notes, ..report })
}

/// What one report works out.
#[derive(Debug, Default)]
struct Answer {
    columns: Vec<String>,
    rows: Vec<Vec<app::report::Figure>>,
    chart: Vec<usize>,
    summary: String,
    notes: Vec<String>,
}

impl Answer {
    fn new(columns: &[&str], chart: &[usize]) -> Self {
        Self { columns: columns.iter().map(|c| (*c).to_string()).collect(), chart: chart.to_vec(), ..Default::default() }
    }
}

async fn choices(db: &impl ConnectionTrait, council_id: i64) -> AppResult<ReportChoices> {
    let localities = locality::Entity::find().filter(locality::Column::CouncilId.eq(council_id)).order_by_asc(locality::Column::Name).all(db).await?;
    let frameworks = framework::Entity::find().filter(framework::Column::CouncilId.eq(council_id)).all(db).await?;
    let lots = lot::Entity::find().filter(lot::Column::FrameworkId.is_in(frameworks.iter().map(|f| f.id))).order_by_asc(lot::Column::Name).all(db).await?;
    Ok(ReportChoices {
        lots: lots.into_iter().map(|lot| (lot.id.to_string(), format!("{} (cap {})", lot.name, format_price(lot.price_cap_pence, &lot.unit)))).collect(),
        localities: localities.into_iter().map(|l| (l.id.to_string(), l.name)).collect(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    Month,
    Week,
}

impl Period {
    fn code(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Week => "week",
        }
    }

    /// The SQL for the period a date column falls in, as text: "2026-11" for a month, the
    /// Monday ("2026-11-23") for a week; and the expression to group by. PostgreSQL groups by
    /// the truncated date (comparing dates, not text in the locale's collation, is fast), cast
    /// to a plain timestamp first: truncating a date would convert it to the session's time
    /// zone row by row (a third of the time-to-place report on the bench data).
    fn key_sql(self, backend: DbBackend, column: &str) -> (String, String) {
        match (backend, self) {
            (DbBackend::Postgres, period) => {
                let truncated = format!("date_trunc('{}', {column}::timestamp)", period.code());
                let format = if period == Self::Month { "YYYY-MM" } else { "YYYY-MM-DD" };
                (format!("to_char({truncated}, '{format}')"), truncated)
            }
            (_, Self::Month) => (format!("substr({column}, 1, 7)"), format!("substr({column}, 1, 7)")),
            (_, Self::Week) => (format!("date({column}, '-6 days', 'weekday 1')"), format!("date({column}, '-6 days', 'weekday 1')")),
        }
    }

    /// The key of the period a day ("2026-11-24") falls in, as `key_sql` writes it.
    fn key_of_day(self, day: &str) -> Option<String> {
        let day = NaiveDate::parse_from_str(day.get(..10)?, "%Y-%m-%d").ok()?;
        Some(match self {
            Self::Month => day.format("%Y-%m").to_string(),
            Self::Week => (day - Duration::days(i64::from(day.weekday().num_days_from_monday()))).format("%Y-%m-%d").to_string(),
        })
    }

    /// Every period from `from` to `to`, in order: (key as `key_sql` writes it, label).
    fn all(self, from: NaiveDate, to: NaiveDate) -> Vec<(String, String)> {
        let mut start = match self {
            Self::Month => from.with_day(1).unwrap_or(from),
            Self::Week => from - Duration::days(i64::from(from.weekday().num_days_from_monday())),
        };
        let mut periods = Vec::new();
        while start <= to {
            periods.push(match self {
                Self::Month => (start.format("%Y-%m").to_string(), start.format("%B %Y").to_string()),
                Self::Week => (start.format("%Y-%m-%d").to_string(), format!("Week from {}", start.format("%-d %b %Y"))),
            });
            start = match self {
                Self::Month => start + Months::new(1),
                Self::Week => start + Duration::days(7),
            };
        }
        periods
    }
}

/// A report's filters, checked.
#[derive(Debug, Clone)]
struct Asked {
    council_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    period: Period,
    by: &'static str,
    category: Option<&'static str>,
    lot: Option<i64>,
    locality: Option<i64>,
}

impl Asked {
    /// Reads the filters this report takes (others are ignored). Empty dates mean the last 12
    /// months: from the first of the month 11 months ago to today.
    fn read(info: &ReportInfo, query: &ReportQuery, choices: &ReportChoices, council_id: i64, today: NaiveDate) -> Result<Self, Vec<FieldError>> {
        let takes = |filter: Filter| info.filters.contains(&filter);
        let mut errors = Vec::new();
        let default_from = today.with_day(1).and_then(|first| first.checked_sub_months(Months::new(11))).unwrap_or(today);
        let mut date = |field: &str, input: &str, default: NaiveDate, what: &str| {
            if input.trim().is_empty() {
                return Some(default);
            }
            // Years far away are refused here: counting months out to them overflows.
            match uk_time::parse_date(field, input, &format!("the {what}")) {
                Ok(day) => Some(day),
                Err(AppError::Invalid(mut problems)) => {
                    errors.append(&mut problems);
                    None
                }
                Err(_) => None,
            }
        };
        let from = date("from", &query.from, default_from, "first day");
        let to = date("to", &query.to, today, "last day");
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                errors.push(FieldError::new("to", "The last day must be the same as or after the first day"));
            } else if (to - from).num_days() > LONGEST_SPAN_DAYS {
                errors.push(FieldError::new("from", "Choose at most 5 years"));
            }
        }
        let period = match query.period.trim() {
            "" | "month" => Some(Period::Month),
            "week" => Some(Period::Week),
            _ => {
                errors.push(FieldError::new("period", "Choose months or weeks"));
                None
            }
        };
        let by = app::report::BREAKDOWNS.iter().map(|(code, _)| *code).find(|code| match query.by.trim() {
            "" => *code == "period",
            by => *code == by,
        });
        if by.is_none() && takes(Filter::BreakDown) {
            errors.push(FieldError::new("by", "Choose how to break the figures down"));
        }
        let mut pick = |field: &str, input: &str, options: &[(String, String)], message: &str| -> Option<String> {
            let input = input.trim();
            if input.is_empty() {
                return None;
            }
            let found = options.iter().find(|(value, _)| value == input).map(|(value, _)| value.clone());
            if found.is_none() {
                errors.push(FieldError::new(field, message));
            }
            found
        };
        let category =
            if takes(Filter::Category) { pick("category", &query.category, &app::category_choices(), "Choose a type of care from the list") } else { None };
        let lot = if takes(Filter::Lot) { pick("lot", &query.lot, &choices.lots, "Choose one of your council's framework lots") } else { None };
        let locality =
            if takes(Filter::Locality) { pick("locality", &query.locality, &choices.localities, "Choose one of your council's areas") } else { None };
        let (Some(from), Some(to), Some(period)) = (from, to, period) else { return Err(errors) };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            council_id,
            from,
            to,
            period,
            by: by.unwrap_or("period"),
            category: category.and_then(|code| CATEGORIES.iter().copied().find(|known| *known == code)),
            lot: lot.and_then(|id| id.parse().ok()),
            locality: locality.and_then(|id| id.parse().ok()),
        })
    }

    /// The query as answered: dates and period filled in, the rest as asked.
    fn as_query(&self, asked: &ReportQuery) -> ReportQuery {
        ReportQuery {
            from: self.from.format("%Y-%m-%d").to_string(),
            to: self.to.format("%Y-%m-%d").to_string(),
            period: self.period.code().into(),
            by: self.by.into(),
            ..asked.clone()
        }
    }

    /// The first instant of the first day and the first instant after the last, in UTC.
    fn instants(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = |date: NaiveDate| uk_time::to_utc(date.and_time(NaiveTime::MIN));
        (start(self.from), start(self.to + Duration::days(1)))
    }

    /// "between 1 December 2025 and 30 November 2026"
    fn span_in_words(&self) -> String {
        format!("between {} and {}", self.from.format("%-d %B %Y"), self.to.format("%-d %B %Y"))
    }
}

/// A statement from SQL written with `?` for each value, numbered for PostgreSQL.
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    if backend != DbBackend::Postgres {
        return Statement::from_sql_and_values(backend, sql, values);
    }
    let mut numbered = String::with_capacity(sql.len() + 16);
    let mut count = 0;
    for character in sql.chars() {
        if character == '?' {
            count += 1;
            numbered.push_str(&format!("${count}"));
        } else {
            numbered.push(character);
        }
    }
    Statement::from_sql_and_values(backend, numbered, values)
}

/// Runs SQL written with `?` for each value, on either database.
pub(crate) async fn rows(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> AppResult<Vec<QueryResult>> {
    Ok(db.query_all_raw(statement(db.get_database_backend(), sql, values)).await?)
}

/// Providers' names by id, asked for in chunks within the databases' bind-parameter limits.
async fn provider_names(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<std::collections::HashMap<i64, String>> {
    let mut names = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let providers = crate::entities::provider::Entity::find().filter(crate::entities::provider::Column::Id.is_in(chunk.iter().copied())).all(db).await?;
        names.extend(providers.into_iter().map(|provider| (provider.id, provider.name)));
    }
    Ok(names)
}

/// A state's stored code as an SQL literal, for the CASE columns that count rows by state: the
/// enum says what the code is, so the SQL cannot drift from it.
fn state<S: ActiveEnum<Value = String>>(state: S) -> String {
    format!("'{}'", state.to_value())
}

fn number(row: &QueryResult, column: &str) -> AppResult<i64> {
    Ok(row.try_get::<Option<i64>>("", column)?.unwrap_or(0))
}

fn text(row: &QueryResult, column: &str) -> AppResult<Option<String>> {
    Ok(row.try_get::<Option<String>>("", column)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_cover_the_span_with_partial_ends() {
        let months = Period::Month.all(day("2026-01-31"), day("2026-03-01"));
        assert_eq!(
            months,
            vec![
                ("2026-01".to_string(), "January 2026".to_string()),
                ("2026-02".to_string(), "February 2026".to_string()),
                ("2026-03".to_string(), "March 2026".to_string()),
            ]
        );
        // 2026-11-01 is a Sunday: its week began on Monday 26 October.
        let weeks = Period::Week.all(day("2026-11-01"), day("2026-11-02"));
        assert_eq!(weeks.iter().map(|(key, _)| key.as_str()).collect::<Vec<_>>(), ["2026-10-26", "2026-11-02"]);
        assert_eq!(weeks[1].1, "Week from 2 Nov 2026");
        assert_eq!(Period::Week.key_of_day("2026-11-01").as_deref(), Some("2026-10-26"));
        assert_eq!(Period::Month.key_of_day("2026-11-01").as_deref(), Some("2026-11"));
    }

    #[test]
    fn filters_default_to_the_last_twelve_months_and_refuse_nonsense() {
        let info = report_info("placements").unwrap();
        let choices = ReportChoices { lots: vec![("4".into(), "Lot".into())], ..Default::default() };
        let asked = Asked::read(info, &ReportQuery::default(), &choices, 1, day("2026-11-24")).unwrap();
        assert_eq!((asked.from, asked.to, asked.period, asked.by), (day("2025-12-01"), day("2026-11-24"), Period::Month, "period"));
        let bad = ReportQuery { from: "2026-13-01".into(), lot: "5".into(), period: "fortnight".into(), ..Default::default() };
        let errors = Asked::read(info, &bad, &choices, 1, day("2026-11-24")).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["from", "period", "lot"]);
        let backwards = ReportQuery { from: "2026-05-02".into(), to: "2026-05-01".into(), ..Default::default() };
        assert_eq!(Asked::read(info, &backwards, &choices, 1, day("2026-11-24")).unwrap_err()[0].field, "to");
    }

    #[test]
    fn postgres_gets_numbered_placeholders() {
        let sql = statement(DbBackend::Postgres, "SELECT ? + ?", vec![1_i64.into(), 2_i64.into()]).sql;
        assert_eq!(sql, "SELECT $1 + $2");
    }
}
