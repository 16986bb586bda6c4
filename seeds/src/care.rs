//! The last year of the history's care (the bench set): the visits of the bookings delivered in
//! it, every 4-weekly allocation paid into budgets in it, the council's monthly payment runs,
//! and some surplus recoveries. Plain values only: the loader prices the visits with the
//! server's own rules and writes the ledger's transfers and balances from them.
use super::{Booking, Dataset, Rng, history_ends};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

/// Thirteen 4-week periods: a year.
pub const CARE_YEAR_DAYS: i64 = 364;
/// Visits generated per booking at most, so a year stays about a million visits.
const VISITS_PER_BOOKING: usize = 6;
/// A budget's allocation period, as `domain::budgets` counts them.
const PERIOD_DAYS: i64 = 28;
/// Queries younger than this are still waiting for the provider's answer.
const OPEN_QUERY_DAYS: i64 = 14;

pub fn care_year_starts() -> DateTime<Utc> {
    history_ends() - Duration::days(CARE_YEAR_DAYS)
}

/// One visit: booked for `scheduled_start`, and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub scheduled_start: DateTime<Utc>,
    pub scheduled_minutes: i32,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nobody came, or the person was not in: nothing to pay.
    Missed,
    /// Given in full from `checked_in_at`. `confirmed_at` is when the person confirmed it (or
    /// accepted the provider's answer to their query); none while a query waits for an answer.
    Delivered { checked_in_at: DateTime<Utc>, confirmed_at: Option<DateTime<Utc>>, query: Option<Query> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub text: &'static str,
    pub answer: Option<&'static str>,
}

/// A council's proposal to take back a budget's surplus above 8 weeks' worth.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovery {
    pub reference: String,
    pub budget_id: i64,
    pub proposed_at: DateTime<Utc>,
    /// None while the holder's 14 days to reply run; else whether the money was recovered.
    pub recovered: Option<bool>,
    pub reply: Option<&'static str>,
}

const QUERIES: &[(&str, &str)] = &[
    (
        "The carer arrived 40 minutes late and left early.",
        "Our carer was held up by an emergency at the visit before; we have spoken to the team about letting you know.",
    ),
    ("Nobody helped with lunch as the care plan says.", "The carer's notes say you had eaten already; we will check with you first next time."),
    ("I was charged for an hour but the visit was shorter.", "The call monitoring shows the full hour; the carer finished the shopping after leaving."),
];
const REPLIES: &[&str] = &["I am saving for a short break in the spring, agreed with my social worker.", "My care was paused while I was in hospital."];

impl Dataset {
    /// The completed bookings that began in the care year, after their budget started, each
    /// with its visits (up to six: the first weeks' worth), about a million for the bench set.
    /// Empty for the demo set.
    pub fn care_year(&self) -> impl Iterator<Item = (Booking, Vec<Visit>)> + '_ {
        let starts = care_year_starts();
        let budget_starts: Vec<NaiveDate> = self.budgets.iter().map(|b| b.starts_on).collect();
        let root = Rng::new(self.seed).fork(7);
        self.bookings()
            .filter(move |b| self.has_care_year && b.status == "completed" && b.starts_at >= starts && b.starts_at < history_ends())
            .filter(move |b| budget_starts[(b.budget_id - 1) as usize] <= b.starts_at.date_naive())
            .map(move |booking| {
                let mut rng = root.fork(booking.id as u64);
                let visits: Vec<Visit> = visit_times(&booking).into_iter().map(|start| visit(&mut rng, start, booking.duration_minutes)).collect();
                (booking, visits)
            })
            .filter(|(_, visits)| !visits.is_empty())
    }

    /// Every allocation: (budget, period start, paid at). The care year's periods for the bench
    /// set; the period the history ends in for the demo. Paid on the period's first morning,
    /// except the period the history ends in, paid when it ends.
    pub fn allocations(&self) -> impl Iterator<Item = (i64, NaiveDate, DateTime<Utc>)> + '_ {
        let last_day = history_ends().date_naive();
        let first_day = if self.has_care_year { care_year_starts().date_naive() } else { last_day };
        self.budgets.iter().filter(|b| b.four_weekly_allocation_pence > 0).flat_map(move |budget| {
            let current = (last_day - budget.starts_on).num_days().div_euclid(PERIOD_DAYS);
            let first = (first_day - budget.starts_on).num_days().div_euclid(PERIOD_DAYS).max(0);
            (first..=current).map(move |period| {
                let start = budget.starts_on + Duration::days(period * PERIOD_DAYS);
                let paid_at = if period == current { history_ends() } else { morning(start) };
                (budget.id, start, paid_at)
            })
        })
    }

    /// The council's payment runs: the first of each month of the care year, mid-morning.
    pub fn payment_runs(&self) -> Vec<DateTime<Utc>> {
        let mut runs = Vec::new();
        if !self.has_care_year {
            return runs;
        }
        let mut month = care_year_starts().date_naive().with_day(1).unwrap_or_default();
        while let Some(next) = month.checked_add_months(chrono::Months::new(1)) {
            month = next;
            let at = morning(month) + Duration::hours(4);
            if at >= history_ends() {
                break;
            }
            runs.push(at);
        }
        runs
    }

    /// Surplus recoveries proposed in the care year: one budget in 250, at least ten (never an
    /// individual service fund, which rolls over by design).
    pub fn recoveries(&self) -> Vec<Recovery> {
        if !self.has_care_year {
            return Vec::new();
        }
        let mut rng = Rng::new(self.seed).fork(8);
        let step = (self.budgets.len() / (self.budgets.len() / 250).max(10)).max(1) as i64;
        self.budgets
            .iter()
            .filter(|b| b.id % step == 0 && b.budget_type != "individual_service_fund")
            .map(|budget| {
                let days_ago = rng.between(1, CARE_YEAR_DAYS - 30);
                Recovery {
                    reference: format!("RC-{:04}-{:04}", budget.id / 10_000, budget.id % 10_000),
                    budget_id: budget.id,
                    proposed_at: history_ends() - Duration::days(days_ago) + Duration::hours(rng.between(1, 10)),
                    recovered: (days_ago > 14).then(|| rng.chance(75)),
                    reply: rng.chance(40).then(|| *rng.pick(REPLIES)),
                }
            })
            .collect()
    }
}

fn morning(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(6, 0, 0).unwrap_or_default())
}

/// When the booking's visits were due: its first day, or its weekdays from then, until it
/// closed or the history ended, at most `VISITS_PER_BOOKING`.
fn visit_times(booking: &Booking) -> Vec<DateTime<Utc>> {
    let ends = booking.closed_at.min(history_ends()) - Duration::minutes(i64::from(booking.duration_minutes));
    let Some(weekdays) = &booking.weekdays else {
        return if booking.starts_at < ends { vec![booking.starts_at] } else { Vec::new() };
    };
    (0..)
        .map(|day| booking.starts_at + Duration::days(day))
        .take_while(|start| *start < ends)
        .filter(|start| weekdays.contains(char::from(b'0' + start.weekday().number_from_monday() as u8)))
        .take(VISITS_PER_BOOKING)
        .collect()
}

fn visit(rng: &mut Rng, start: DateTime<Utc>, minutes: i32) -> Visit {
    let outcome = if rng.chance(3) {
        Outcome::Missed
    } else {
        let checked_in_at = start + Duration::minutes(rng.between(-5, 10));
        let ends = checked_in_at + Duration::minutes(i64::from(minutes));
        let query = rng.chance(2).then(|| {
            let (text, answer) = *rng.pick(QUERIES);
            Query { text, answer: (ends < history_ends() - Duration::days(OPEN_QUERY_DAYS)).then_some(answer) }
        });
        // Confirmed within the 48 hours (automatically at the end of them), or, when queried,
        // on accepting the provider's answer a few days later.
        let confirmed_at = match &query {
            Some(Query { answer: None, .. }) => None,
            Some(_) => Some(ends + Duration::hours(rng.between(72, 240))),
            None => Some(ends + Duration::minutes(rng.between(30, 48 * 60))),
        };
        Outcome::Delivered { checked_in_at, confirmed_at, query }
    };
    Visit { scheduled_start: start, scheduled_minutes: minutes, outcome }
}
