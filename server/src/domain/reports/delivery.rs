//! Provider delivery: visits delivered against visits due, requests and care a provider turned
//! away, and concerns about it (open now, and upheld in the period), for each provider the
//! council's budget holders booked or people raised concerns about with the council.
use super::{Answer, Asked, number, provider_names, rows, state};
use crate::error::AppResult;
use app::report::{Figure, share};
use app::{BookingStatus, CloseReason, ConcernOutcome, ConcernStatus, Funding};
use sea_orm::{ConnectionTrait, Value};
use std::collections::BTreeMap;

#[derive(Default, Clone, Copy)]
struct Tally {
    delivered: i64,
    missed: i64,
    declined: i64,
    lapsed: i64,
    handed_back: i64,
    open_concerns: i64,
    upheld_concerns: i64,
}

pub(super) async fn provider_delivery(db: &impl ConnectionTrait, asked: &Asked) -> AppResult<Answer> {
    let (start, end) = asked.instants();
    let (category_sql, category_value): (&str, Vec<Value>) = match asked.category {
        Some(category) => (" AND l.category = ?", vec![category.into()]),
        None => ("", Vec::new()),
    };
    let base = |extra: &str| {
        format!(
            "FROM bookings b JOIN budgets bu ON bu.id = b.budget_id JOIN listings l ON l.id = b.listing_id {extra} WHERE bu.council_id = ? AND bu.funding = ?{category_sql}"
        )
    };
    let parameters = |mut values: Vec<Value>| {
        let mut all: Vec<Value> = vec![asked.council_id.into(), Funding::Council.into()];
        all.extend(category_value.clone());
        all.append(&mut values);
        all
    };
    // Visits due in the period: those delivered or missed (a visit still to come is not due),
    // day by day (`days`).
    let visits_sql = format!(
        "SELECT provider_id AS p, CAST(SUM(delivered) AS BIGINT) AS delivered, CAST(SUM(missed) AS BIGINT) AS missed FROM visit_days \
         WHERE council_id = ? AND funding = ?{} AND day >= ? AND day <= ? GROUP BY provider_id",
        category_sql.replace("l.category", "category")
    );
    let (declined, lapsed, cancelled) = (state(BookingStatus::Declined), state(BookingStatus::Lapsed), state(BookingStatus::Cancelled));
    let handed_back = state(CloseReason::HandedBack);
    // Requests answered no or not at all, and care handed back, when that happened.
    let turned_away_sql = format!(
        "SELECT b.provider_id AS p, SUM(CASE WHEN b.status = {declined} THEN 1 ELSE 0 END) AS declined, \
         SUM(CASE WHEN b.status = {lapsed} THEN 1 ELSE 0 END) AS lapsed, \
         SUM(CASE WHEN b.close_code = {handed_back} THEN 1 ELSE 0 END) AS handed_back {} \
         AND b.closed_at >= ? AND b.closed_at < ? AND b.status IN ({declined}, {lapsed}, {cancelled}) GROUP BY b.provider_id",
        base("")
    );
    let mut tallies: BTreeMap<i64, Tally> = BTreeMap::new();
    for row in rows(db, &visits_sql, parameters(vec![asked.from.into(), asked.to.into()])).await? {
        let tally = tallies.entry(number(&row, "p")?).or_default();
        tally.delivered = number(&row, "delivered")?;
        tally.missed = number(&row, "missed")?;
    }
    for row in rows(db, &turned_away_sql, parameters(vec![start.into(), end.into()])).await? {
        let tally = tallies.entry(number(&row, "p")?).or_default();
        tally.declined = number(&row, "declined")?;
        tally.lapsed = number(&row, "lapsed")?;
        tally.handed_back = number(&row, "handed_back")?;
    }
    // Concerns about a provider in this council's queue: open now, and upheld in the period.
    let (closed, upheld, partly) = (state(ConcernStatus::Closed), state(ConcernOutcome::Upheld), state(ConcernOutcome::PartlyUpheld));
    let concerns_sql = format!(
        "SELECT provider_id AS p, SUM(CASE WHEN status <> {closed} THEN 1 ELSE 0 END) AS open, \
         SUM(CASE WHEN outcome IN ({upheld}, {partly}) AND closed_at >= ? AND closed_at < ? THEN 1 ELSE 0 END) AS upheld \
         FROM concerns WHERE council_id = ? AND provider_id IS NOT NULL GROUP BY provider_id"
    );
    for row in rows(db, &concerns_sql, vec![start.into(), end.into(), asked.council_id.into()]).await? {
        let provider = number(&row, "p")?;
        // A report for one kind of care lists only the providers booked for it.
        if asked.category.is_some() && !tallies.contains_key(&provider) {
            continue;
        }
        let tally = tallies.entry(provider).or_default();
        tally.open_concerns = number(&row, "open")?;
        tally.upheld_concerns = number(&row, "upheld")?;
    }
    let mut names = provider_names(db, &tallies.keys().copied().collect::<Vec<_>>()).await?;
    let mut lines: Vec<(String, Tally)> =
        tallies.into_iter().map(|(id, tally)| (names.remove(&id).unwrap_or_else(|| format!("Provider {id}")), tally)).collect();
    // Busiest first: the chart shows the providers most of the care comes from.
    lines.sort_by(|(a_name, a), (b_name, b)| (b.delivered + b.missed).cmp(&(a.delivered + a.missed)).then(a_name.cmp(b_name)));
    let mut answer = Answer::new(
        &[
            "Provider",
            "Visits due",
            "Delivered",
            "Delivery rate",
            "Requests declined",
            "Requests not answered in time",
            "Care handed back",
            "Concerns open",
            "Concerns upheld",
        ],
        &[3],
    );
    let mut total = Tally::default();
    for (name, tally) in lines {
        total.delivered += tally.delivered;
        total.missed += tally.missed;
        total.declined += tally.declined;
        total.lapsed += tally.lapsed;
        total.handed_back += tally.handed_back;
        total.open_concerns += tally.open_concerns;
        total.upheld_concerns += tally.upheld_concerns;
        let due = tally.delivered + tally.missed;
        answer.rows.push(vec![
            Figure::Label(name),
            Figure::Count(due),
            Figure::Count(tally.delivered),
            share(tally.delivered, due),
            Figure::Count(tally.declined),
            Figure::Count(tally.lapsed),
            Figure::Count(tally.handed_back),
            Figure::Count(tally.open_concerns),
            Figure::Count(tally.upheld_concerns),
        ]);
    }
    let due = total.delivered + total.missed;
    answer.summary = format!(
        "Providers delivered {} of {} visits due {} ({}). {} requests were declined, {} not answered in time, and {} packages of care were handed back.",
        Figure::Count(total.delivered).shown(),
        Figure::Count(due).shown(),
        asked.span_in_words(),
        share(total.delivered, due).shown(),
        Figure::Count(total.declined).shown(),
        Figure::Count(total.lapsed).shown(),
        Figure::Count(total.handed_back).shown()
    );
    answer.notes = vec![
        "Visits due are those delivered or missed in the period. Delivery rate is delivered as a share of due.".into(),
        "Declined and unanswered requests, and care handed back (a provider cancelling confirmed care), are counted when they happened.".into(),
        "Concerns open are those in the council's queue now; concerns upheld (fully or partly) are those closed so in the period.".into(),
        format!("The chart shows the {} providers with the most visits due; the table has them all.", app::chart::CHART_ROWS),
    ];
    Ok(answer)
}
