//! Reports on money: how personal budgets are used, and the savings estimate.
use super::placement_figures::placements_from;
use super::{Answer, Asked, number, rows, text};
use crate::domain::values::{Pence, collect, whole_number};
use crate::error::{AppError, AppResult};
use app::report::{Figure, ReportQuery, share};
use app::{BudgetType, FieldError, Funding, format_pence};
use sea_orm::ConnectionTrait;

/// Allocated and spent in the span (from the ledger's transfers), set aside and unspent now
/// (from its balances), and how many budgets hold more than 8 weeks' worth (the rule of
/// `budgets::is_surplus`, counted in SQL), by budget type.
pub(super) async fn budget_use(db: &impl ConnectionTrait, asked: &Asked) -> AppResult<Answer> {
    let now_sql = "SELECT bu.budget_type AS t, COUNT(*) AS budgets, \
            CAST(SUM(COALESCE(av.balance_pence, 0)) AS BIGINT) AS unspent, CAST(SUM(COALESCE(cm.balance_pence, 0)) AS BIGINT) AS set_aside, \
            SUM(CASE WHEN bu.four_weekly_allocation_pence + bu.four_weekly_contribution_pence > 0 \
                AND COALESCE(av.balance_pence, 0) > 2 * (bu.four_weekly_allocation_pence + bu.four_weekly_contribution_pence) THEN 1 ELSE 0 END) AS surplus \
        FROM budgets bu \
        LEFT JOIN ledger_accounts av ON av.budget_id = bu.id AND av.kind = 'budget_available' \
        LEFT JOIN ledger_accounts cm ON cm.budget_id = bu.id AND cm.kind = 'budget_committed' \
        WHERE bu.council_id = ? AND bu.funding = ? GROUP BY bu.budget_type";
    // Spent: set-aside money that became a provider's (delivered care, late cancellations),
    // day by day (`days`).
    let flows_sql = "SELECT budget_type AS t, CAST(SUM(allocated_pence) AS BIGINT) AS allocated, CAST(SUM(spent_pence) AS BIGINT) AS spent \
        FROM budget_money_days WHERE council_id = ? AND funding = ? AND day >= ? AND day <= ? GROUP BY budget_type";
    let mut answer = Answer::new(
        &["Budget type", "Budgets", "Allocated in the period", "Spent in the period", "Set aside now", "Unspent now", "Holding over 8 weeks' worth"],
        &[2, 3],
    );
    let mut totals = [0_i64; 6];
    // Two independent scans: asked for at once, each on its own pooled connection.
    let (now_rows, flow_rows) = tokio::try_join!(
        rows(db, now_sql, vec![asked.council_id.into(), Funding::Council.into()]),
        rows(db, flows_sql, vec![asked.council_id.into(), Funding::Council.into(), asked.from.into(), asked.to.into()])
    )?;
    for budget_type in BudgetType::ALL {
        let mut figures = [0_i64; 6];
        for row in &now_rows {
            if text(row, "t")?.as_deref() == Some(budget_type.code()) {
                figures[0] = number(row, "budgets")?;
                figures[3] = number(row, "set_aside")?;
                figures[4] = number(row, "unspent")?;
                figures[5] = number(row, "surplus")?;
            }
        }
        for row in &flow_rows {
            if text(row, "t")?.as_deref() == Some(budget_type.code()) {
                figures[1] = number(row, "allocated")?;
                figures[2] = number(row, "spent")?;
            }
        }
        for (total, figure) in totals.iter_mut().zip(figures) {
            *total += figure;
        }
        answer.rows.push(money_row(budget_type.label(), figures));
    }
    answer.rows.push(money_row("All budgets", totals));
    answer.summary = format!(
        "{} was allocated to {} personal budgets {} and {} spent on care. {} is unspent now; {} budgets hold more than 8 weeks' worth.",
        format_pence(totals[1]),
        Figure::Count(totals[0]).shown(),
        asked.span_in_words(),
        format_pence(totals[2]),
        format_pence(totals[4]),
        Figure::Count(totals[5]).shown()
    );
    answer.notes = vec![
        "Allocated and spent count money moved in the period; set aside, unspent and the 8 weeks' count are as they stand now.".into(),
        "Spent is money set aside for care that became the provider's: care delivered, and late cancellations charged under the provider's policy.".into(),
        "8 weeks' worth is twice the 4-weekly allocation and contribution.".into(),
    ];
    Ok(answer)
}

fn money_row(label: &str, [budgets, allocated, spent, set_aside, unspent, surplus]: [i64; 6]) -> Vec<Figure> {
    vec![
        Figure::Label(label.into()),
        Figure::Count(budgets),
        Figure::Pence(allocated),
        Figure::Pence(spent),
        Figure::Pence(set_aside),
        Figure::Pence(unspent),
        Figure::Count(surplus),
    ]
}

/// The assumptions a savings estimate starts from when none are given. They are examples,
/// shown and editable on the page: each council should put in its own.
const MANUAL_COST_PENCE: i64 = 10_000;
const ELECTRONIC_COST_PENCE: i64 = 2_500;

/// Administrative saving: placements through CareMarket × (cost of arranging one by hand −
/// cost through CareMarket). Price saving: what the care paid for in the period (delivered
/// visits and late cancellations) would have cost at baseline prices, less what it cost. Both
/// also as a share of commissioning spend (the money allocated to personal budgets in the
/// period, unless the commissioner gives a figure). And what a week of the care placed costs
/// against the baseline.
pub(super) async fn savings(db: &impl ConnectionTrait, asked: &Asked, query: &ReportQuery) -> AppResult<Answer> {
    let mut errors: Vec<FieldError> = Vec::new();
    let limit = Pence::from_pence(100_000_000_000);
    let mut pounds = |field: &str, input: &str, what: &str| -> Option<i64> {
        if input.trim().is_empty() { None } else { collect(&mut errors, Pence::parse_price(field, input, what, limit)).map(Pence::pence) }
    };
    let manual = pounds("manual_cost", &query.manual_cost, "the cost of arranging a placement by hand").unwrap_or(MANUAL_COST_PENCE);
    let electronic = pounds("electronic_cost", &query.electronic_cost, "the cost of a placement through CareMarket").unwrap_or(ELECTRONIC_COST_PENCE);
    let given_spend = pounds("spend", &query.spend, "the commissioning spend");
    let price_change = if query.price_change.trim().is_empty() {
        0
    } else {
        collect(&mut errors, whole_number("price_change", &query.price_change, "how much lower unit prices are, in percent", 0, 90)).map_or(0, i64::from)
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut values = Vec::new();
    let from = placements_from(asked, &mut values);
    let placed_sql = format!("SELECT COUNT(*) AS n, CAST(SUM(p.weekly_value_pence) AS BIGINT) AS v {from}");
    // The placements; and allocated to budgets and paid for care (set-aside money that became a
    // provider's) in the period. Independent, so asked for at once.
    let (placed, flows) = tokio::try_join!(
        rows(db, &placed_sql, values),
        rows(
            db,
            "SELECT CAST(SUM(allocated_pence) AS BIGINT) AS allocated, CAST(SUM(spent_pence) AS BIGINT) AS paid, CAST(SUM(recovered_pence) AS BIGINT) AS recovered \
             FROM budget_money_days WHERE council_id = ? AND funding = ? AND day >= ? AND day <= ?",
            vec![asked.council_id.into(), Funding::Council.into(), asked.from.into(), asked.to.into()],
        )
    )?;
    let (count, weekly_value) = match placed.first() {
        Some(row) => (number(row, "n")?, number(row, "v")?),
        None => (0, 0),
    };
    let (allocated, paid, recovered) = match flows.first() {
        Some(row) => (number(row, "allocated")?, number(row, "paid")?, number(row, "recovered")?),
        None => (0, 0, 0),
    };
    let spend = given_spend.unwrap_or(allocated);
    let by_hand = count * manual;
    let through_us = count * electronic;
    // Prices `price_change`% lower than the baseline: baseline = cost × 100 / (100 − change).
    let at_baseline = |cost: i64| (cost * 100 + (100 - price_change) / 2) / (100 - price_change);
    let (paid_at_baseline, week_at_baseline) = (at_baseline(paid), at_baseline(weekly_value));
    let mut answer = Answer::new(&["What", "Without CareMarket", "Through CareMarket", "Saving", "Saving as a share of commissioning spend"], &[1, 2]);
    answer.rows = vec![
        vec![
            Figure::Label(format!("Arranging {} placements", Figure::Count(count).shown())),
            Figure::Pence(by_hand),
            Figure::Pence(through_us),
            Figure::Pence(by_hand - through_us),
            share(by_hand - through_us, spend),
        ],
        vec![
            Figure::Label("Care paid for in the period".into()),
            Figure::Pence(paid_at_baseline),
            Figure::Pence(paid),
            Figure::Pence(paid_at_baseline - paid),
            share(paid_at_baseline - paid, spend),
        ],
        vec![
            Figure::Label("Unspent money recovered from budgets".into()),
            Figure::Pence(recovered),
            Figure::Pence(0),
            Figure::Pence(recovered),
            share(recovered, spend),
        ],
        vec![
            Figure::Label("A week of the care placed".into()),
            Figure::Pence(week_at_baseline),
            Figure::Pence(weekly_value),
            Figure::Pence(week_at_baseline - weekly_value),
            Figure::Percent(None),
        ],
    ];
    answer.summary = format!(
        "On these assumptions, arranging the {} placements made {} through CareMarket saved {} ({} of commissioning spend of {}); care paid for in the period cost {} less than at baseline prices ({}), and a week of the care placed costs {} less.",
        Figure::Count(count).shown(),
        asked.span_in_words(),
        format_pence(by_hand - through_us),
        share(by_hand - through_us, spend).shown(),
        format_pence(spend),
        format_pence(paid_at_baseline - paid),
        share(paid_at_baseline - paid, spend).shown(),
        format_pence(week_at_baseline - weekly_value)
    );
    answer.notes = vec![
        format!("Cost of arranging a placement by hand: {} (assumption).", format_pence(manual)),
        format!("Cost of arranging a placement through CareMarket: {} (assumption).", format_pence(electronic)),
        format!("Unit prices lower than the baseline by {price_change}% (assumption; Peterborough reported a 10% reduction in unit costs from its framework)."),
        if given_spend.is_none() {
            format!(
                "Commissioning spend: {}, the money allocated to personal budgets in the period (enter your own figure to replace it).",
                format_pence(spend)
            )
        } else {
            format!("Commissioning spend: {} (as entered).", format_pence(spend))
        },
        format!("Placements through CareMarket in the period: {}, worth {} a week.", Figure::Count(count).shown(), format_pence(weekly_value)),
        format!("Care paid for in the period (visits delivered and late cancellations, from every council-funded budget): {}.", format_pence(paid)),
        format!("Unspent money recovered from budgets in the period (cashable: it goes back to the council): {}.", format_pence(recovered)),
    ];
    Ok(answer)
}
