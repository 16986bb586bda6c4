//! The light-touch audit. Each month a commissioner draws a sample of the council's budgets:
//! every budget with a chosen risk flag, plus a random share of the rest. The randomness is a
//! seed CareMarket draws and records with the sample, beside the budgets the share was drawn
//! from, so anyone can draw again and get the same cases (`draw_from_pool`); a redraw keeps the
//! draw it replaces, with the reason. Each sampled budget is a case: the commissioner asks the
//! holder a question with a due date (by mail and on their dashboard), the holder answers here,
//! and the commissioner records the outcome. Every step is in the audit log; the report counts
//! cases, time taken and outcomes by month. Self-funders' budgets are never drawn.
use super::auth::{commissioners_council, digest, random_token, readable_code};
use super::ledger::AccountKind;
use super::notifications::{self, News};
use super::risk_flags;
use super::values::{collect, required_text, whole_number};
use super::{audit, uk_time};
use crate::db::Db;
use crate::entities::{audit_case, audit_sample, budget, ledger_account, user};
use crate::error::{AppError, AppResult};
use app::{
    AuditCaseLine, AuditCaseView, AuditOutcome, AuditQuestionForm, AuditQuestionLink, AuditReportRow, AuditSampleForm, AuditSampleLine, AuditSampleStatus,
    AuditSampleView, AuditsAdmin, Funding, MailKind, RiskFlag, Role, SignedInUser,
};
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr};
use std::collections::{HashMap, HashSet};

/// The longest question, answer or note, in characters.
const MOST_CHARACTERS: usize = 4_000;
/// The latest an answer can be due, in days from asking.
const LONGEST_DUE_DAYS: i64 = 90;
/// How many months the report looks back.
const REPORT_MONTHS: u32 = 12;
/// Cases written per statement when a sample is drawn.
const BATCH: usize = 500;

/// The budgets a share of `share_percent` of `pool` draws (rounded up): those whose
/// BLAKE2b-256 of "{seed}:{budget number}", in hex, sorts first, in budget number order.
/// The same seed and pool always draw the same budgets (`b2sum -l 256` checks one by hand).
pub fn draw_from_pool(seed: &str, pool: &[i64], share_percent: u32) -> Vec<i64> {
    let take = (pool.len() * share_percent as usize).div_ceil(100);
    let mut keyed: Vec<(String, i64)> = pool.iter().map(|id| (digest(&format!("{seed}:{id}")), *id)).collect();
    keyed.sort_unstable();
    let mut drawn: Vec<i64> = keyed.into_iter().take(take).map(|(_, id)| id).collect();
    drawn.sort_unstable();
    drawn
}

fn month_of(now: DateTime<Utc>) -> NaiveDate {
    uk_time::to_local(now).date().with_day(1).unwrap_or_default()
}

fn month_words(month: NaiveDate) -> String {
    month.format("%B %Y").to_string()
}

fn moment_words(at: DateTime<Utc>) -> String {
    uk_time::to_local(at).format("%-d %B %Y, %H:%M").to_string()
}

fn flag_codes(flags: &[RiskFlag]) -> String {
    flags.iter().map(|flag| flag.code()).collect::<Vec<_>>().join(",")
}

fn flags_of(codes: &str) -> Vec<RiskFlag> {
    codes.split(',').filter_map(RiskFlag::from_code).collect()
}

fn words_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

fn sample_line(sample: &audit_sample::Model, cases: u64) -> AuditSampleLine {
    AuditSampleLine {
        reference: sample.reference.clone(),
        month: month_words(sample.month),
        draw: sample.draw,
        flags: flags_of(&sample.flags).into_iter().map(|flag| flag.label().to_string()).collect(),
        share_percent: sample.share_percent,
        candidates: sample.candidates,
        cases,
        status: sample.status,
        redraw_reason: sample.redraw_reason.clone(),
        drawn_at: moment_words(sample.created_at),
    }
}

/// The commissioner's audit page: this month's draw, every draw newest first, the report.
pub async fn page(db: &impl ConnectionTrait, viewer: &SignedInUser, now: DateTime<Utc>) -> AppResult<AuditsAdmin> {
    let council = commissioners_council(viewer)?;
    let month = month_of(now);
    let samples = audit_sample::Entity::find()
        .filter(audit_sample::Column::CouncilId.eq(council))
        .order_by_desc(audit_sample::Column::Month)
        .order_by_desc(audit_sample::Column::Draw)
        .limit(120)
        .all(db)
        .await?;
    let counts: HashMap<i64, i64> = audit_case::Entity::find()
        .select_only()
        .column(audit_case::Column::SampleId)
        .column_as(audit_case::Column::Id.count(), "n")
        .filter(audit_case::Column::SampleId.is_in(samples.iter().map(|s| s.id)))
        .group_by(audit_case::Column::SampleId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let current = samples.iter().find(|s| s.month == month && s.status == AuditSampleStatus::Current).map(|s| s.reference.clone());
    Ok(AuditsAdmin {
        month: month_words(month),
        current,
        samples: samples.iter().map(|s| sample_line(s, counts.get(&s.id).copied().unwrap_or(0).unsigned_abs())).collect(),
        report: report(db, council, month).await?,
    })
}

/// The draw form read: the flags ticked and the random share; at least one of them.
fn read_form(form: &AuditSampleForm) -> AppResult<(Vec<RiskFlag>, u32)> {
    let flags: Vec<RiskFlag> = RiskFlag::ALL.into_iter().filter(|flag| form.flags.iter().any(|code| code == flag.code())).collect();
    let share = whole_number("share", &form.share, "a whole percentage from 0 to 100", 0, 100)?;
    if flags.is_empty() && share == 0 {
        return Err(AppError::invalid("share", "Tick at least one risk flag, or draw a share of the other budgets above 0%"));
    }
    Ok((flags, share))
}

/// Draws this month's sample for the commissioner's council; returns its reference.
pub async fn draw(db: &Db, viewer: &SignedInUser, form: &AuditSampleForm, now: DateTime<Utc>) -> AppResult<String> {
    let council = commissioners_council(viewer)?;
    let (flags, share) = read_form(form)?;
    let txn = crate::db::begin_write(db).await?;
    let month = month_of(now);
    let drawn_before =
        audit_sample::Entity::find().filter(audit_sample::Column::CouncilId.eq(council)).filter(audit_sample::Column::Month.eq(month)).one(&txn).await?;
    if drawn_before.is_some() {
        return Err(AppError::invalid("share", "This month's sample is drawn already: open it to redraw it, with a reason"));
    }
    let reference = insert_draw(&txn, viewer, council, month, 1, &flags, share, now).await?;
    txn.commit().await?;
    Ok(reference)
}

/// Redraws a sample no question has been asked in yet, with the reason (kept with the draw it
/// replaces); returns the new draw's reference.
pub async fn redraw(db: &Db, viewer: &SignedInUser, reference: &str, form: &AuditSampleForm, now: DateTime<Utc>) -> AppResult<String> {
    let council = commissioners_council(viewer)?;
    let mut errors = Vec::new();
    let reason = collect(&mut errors, required_text("reason", &form.reason, "why the sample is drawn again", MOST_CHARACTERS));
    let read = collect(&mut errors, read_form(form));
    let (Some(reason), Some((flags, share))) = (reason, read) else { return Err(AppError::Invalid(errors)) };
    let txn = crate::db::begin_write(db).await?;
    let old = audit_sample::Entity::find()
        .filter(audit_sample::Column::Reference.eq(reference))
        .filter(audit_sample::Column::CouncilId.eq(council))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if old.status != AuditSampleStatus::Current {
        return Err(AppError::invalid("reason", "This draw has been redrawn already: redraw the current one"));
    }
    if asked_in(&txn, old.id).await? {
        return Err(AppError::invalid("reason", "Questions have been asked in this sample: it can no longer be drawn again"));
    }
    let replaced = audit_sample::Entity::update_many()
        .col_expr(audit_sample::Column::Status, Expr::value(AuditSampleStatus::Redrawn))
        .col_expr(audit_sample::Column::RedrawReason, Expr::value(reason.clone()))
        .filter(audit_sample::Column::Id.eq(old.id))
        .filter(audit_sample::Column::Status.eq(AuditSampleStatus::Current))
        .exec(&txn)
        .await?;
    if replaced.rows_affected != 1 {
        return Err(AppError::invalid("reason", "This draw has been redrawn already: redraw the current one"));
    }
    let new = insert_draw(&txn, viewer, council, old.month, old.draw + 1, &flags, share, now).await?;
    audit::record(
        &txn,
        now,
        Some(viewer.user_id),
        None,
        "audit_sample_redrawn",
        serde_json::json!({ "replaced": old.reference, "sample": new, "reason": reason }),
    )
    .await?;
    txn.commit().await?;
    Ok(new)
}

async fn asked_in(db: &impl ConnectionTrait, sample_id: i64) -> AppResult<bool> {
    Ok(audit_case::Entity::find().filter(audit_case::Column::SampleId.eq(sample_id)).filter(audit_case::Column::AskedAt.is_not_null()).one(db).await?.is_some())
}

/// The council's budgets that can be drawn: council-funded, started, not closed.
async fn candidates(db: &impl ConnectionTrait, council: i64, now: DateTime<Utc>) -> AppResult<Vec<budget::Model>> {
    Ok(budget::Entity::find()
        .filter(budget::Column::CouncilId.eq(council))
        .filter(budget::Column::Funding.eq(Funding::Council.code()))
        .filter(budget::Column::StartsOn.lte(uk_time::to_local(now).date()))
        .filter(budget::Column::ClosedAt.is_null())
        .order_by_asc(budget::Column::Id)
        .all(db)
        .await?)
}

#[allow(clippy::too_many_arguments)]
async fn insert_draw(
    txn: &impl ConnectionTrait,
    viewer: &SignedInUser,
    council: i64,
    month: NaiveDate,
    draw: i32,
    flags: &[RiskFlag],
    share: u32,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let budgets = candidates(txn, council, now).await?;
    let available: HashMap<i64, i64> = ledger_account::Entity::find()
        .select_only()
        .column(ledger_account::Column::BudgetId)
        .column(ledger_account::Column::BalancePence)
        .filter(ledger_account::Column::CouncilId.eq(council))
        .filter(ledger_account::Column::Kind.eq(AccountKind::BudgetAvailable.code()))
        .into_tuple::<(Option<i64>, i64)>()
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|(budget, balance)| Some((budget?, balance)))
        .collect();
    let thresholds = risk_flags::thresholds(txn, council).await?;
    let all_flags = risk_flags::flags(txn, council, &budgets, &available, thresholds, now).await?;
    let chosen: HashSet<RiskFlag> = flags.iter().copied().collect();
    let mut flagged: Vec<(i64, Vec<String>)> = Vec::new();
    let mut pool = Vec::new();
    for budget in &budgets {
        let words: Vec<String> =
            all_flags.get(&budget.id).into_iter().flatten().filter(|(flag, _)| chosen.contains(flag)).map(|(_, words)| words.clone()).collect();
        if words.is_empty() { pool.push(budget.id) } else { flagged.push((budget.id, words)) }
    }
    let seed = random_token()?;
    let drawn = draw_from_pool(&seed, &pool, share);
    let reference = format!("AS-{}", readable_code(2)?);
    let inserted = audit_sample::Entity::insert(audit_sample::ActiveModel {
        reference: Set(reference.clone()),
        council_id: Set(council),
        month: Set(month),
        draw: Set(draw),
        flags: Set(flag_codes(flags)),
        share_percent: Set(i32::try_from(share).unwrap_or(100)),
        seed: Set(seed),
        pool: Set(pool.iter().map(i64::to_string).collect::<Vec<_>>().join(",")),
        candidates: Set(i32::try_from(budgets.len()).unwrap_or(i32::MAX)),
        status: Set(AuditSampleStatus::Current),
        drawn_by: Set(viewer.user_id),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await;
    let sample_id = match inserted {
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::invalid("share", "This month's sample was drawn a moment ago: open it from the list"));
        }
        other => other?.last_insert_id,
    };
    let cases: Vec<(i64, Vec<String>)> = flagged.into_iter().chain(drawn.into_iter().map(|id| (id, Vec::new()))).collect();
    for batch in cases.chunks(BATCH) {
        let mut rows = Vec::with_capacity(batch.len());
        for (budget_id, words) in batch {
            rows.push(audit_case::ActiveModel {
                reference: Set(format!("AC-{}", readable_code(2)?)),
                sample_id: Set(sample_id),
                council_id: Set(council),
                budget_id: Set(*budget_id),
                flags: Set(serde_json::to_string(words).unwrap_or_default()),
                created_at: Set(now),
                ..Default::default()
            });
        }
        audit_case::Entity::insert_many(rows).exec_without_returning(txn).await?;
    }
    let detail = serde_json::json!({ "sample": reference, "month": month.format("%Y-%m").to_string(), "draw": draw, "flags": flag_codes(flags), "share_percent": share, "cases": cases.len() });
    audit::record(txn, now, Some(viewer.user_id), None, "audit_sample_drawn", detail).await?;
    Ok(reference)
}

/// A sample's page, for the commissioners of its council: its cases, its other draws that
/// month, and whether drawing again from its seed gives the same cases.
pub async fn sample(db: &impl ConnectionTrait, viewer: &SignedInUser, reference: &str, now: DateTime<Utc>) -> AppResult<AuditSampleView> {
    let council = commissioners_council(viewer)?;
    let found = audit_sample::Entity::find()
        .filter(audit_sample::Column::Reference.eq(reference))
        .filter(audit_sample::Column::CouncilId.eq(council))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let cases = audit_case::Entity::find().filter(audit_case::Column::SampleId.eq(found.id)).order_by_asc(audit_case::Column::BudgetId).all(db).await?;
    let pool: Vec<i64> = found.pool.split(',').filter_map(|id| id.parse().ok()).collect();
    let drawn_at_random: Vec<i64> = cases.iter().filter(|case| words_of(&case.flags).is_empty()).map(|case| case.budget_id).collect();
    let draw_checks_out = draw_from_pool(&found.seed, &pool, found.share_percent.unsigned_abs()) == drawn_at_random;
    let others = audit_sample::Entity::find()
        .filter(audit_sample::Column::CouncilId.eq(council))
        .filter(audit_sample::Column::Month.eq(found.month))
        .filter(audit_sample::Column::Id.ne(found.id))
        .order_by_asc(audit_sample::Column::Draw)
        .all(db)
        .await?;
    let can_redraw = found.status == AuditSampleStatus::Current && !cases.iter().any(|case| case.asked_at.is_some());
    let holders = holders_of(db, cases.iter().map(|case| case.budget_id)).await?;
    let redrawn = found.status == AuditSampleStatus::Redrawn;
    Ok(AuditSampleView {
        line: sample_line(&found, cases.len() as u64),
        seed: found.seed.clone(),
        pool: pool.len(),
        draw_checks_out,
        can_redraw,
        other_draws: others.iter().map(|other| sample_line(other, 0)).collect(),
        cases: cases
            .iter()
            .map(|case| AuditCaseLine {
                reference: case.reference.clone(),
                holder: holders.get(&case.budget_id).cloned().unwrap_or_default(),
                budget_id: case.budget_id,
                flags: words_of(&case.flags),
                stage: stage(case, redrawn, now),
            })
            .collect(),
    })
}

/// Each budget's holder's name.
async fn holders_of(db: &impl ConnectionTrait, budget_ids: impl Iterator<Item = i64>) -> AppResult<HashMap<i64, String>> {
    let ids: Vec<i64> = budget_ids.collect();
    let mut names = HashMap::new();
    for batch in ids.chunks(BATCH) {
        let holders: Vec<(i64, i64)> = budget::Entity::find()
            .select_only()
            .columns([budget::Column::Id, budget::Column::HolderId])
            .filter(budget::Column::Id.is_in(batch.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        let people: HashMap<i64, String> = user::Entity::find()
            .select_only()
            .columns([user::Column::Id, user::Column::DisplayName])
            .filter(user::Column::Id.is_in(holders.iter().map(|(_, holder)| *holder)))
            .into_tuple::<(i64, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        names.extend(holders.into_iter().filter_map(|(budget, holder)| Some((budget, people.get(&holder)?.clone()))));
    }
    Ok(names)
}

/// Where a case is, in words.
fn stage(case: &audit_case::Model, redrawn: bool, now: DateTime<Utc>) -> String {
    if let Some(outcome) = case.outcome {
        return format!("Closed: {}", outcome.label().to_lowercase());
    }
    if redrawn {
        return "Set aside: the sample was drawn again".into();
    }
    match (case.due_on, &case.answer) {
        (_, Some(_)) => "Answered: waiting for the outcome".into(),
        (Some(due), None) if uk_time::to_local(now).date() > due => format!("Asked: the answer was due {}", uk_time::long_date(due)),
        (Some(due), None) => format!("Asked: answer due {}", uk_time::long_date(due)),
        (None, None) => "Not asked yet".into(),
    }
}

/// The case and its sample, if the viewer may see it: the council's commissioners, or the
/// holder once they have been asked (anyone else: not found).
async fn visible(db: &impl ConnectionTrait, viewer: &SignedInUser, reference: &str) -> AppResult<(audit_case::Model, audit_sample::Model, budget::Model)> {
    let case = audit_case::Entity::find().filter(audit_case::Column::Reference.eq(reference)).one(db).await?.ok_or(AppError::NotFound)?;
    let budget = budget::Entity::find_by_id(case.budget_id).one(db).await?.ok_or(AppError::NotFound)?;
    let allowed = match viewer.role {
        Role::Commissioner => viewer.council_id == case.council_id,
        Role::BudgetHolder => viewer.user_id == budget.holder_id && case.asked_at.is_some(),
        _ => false,
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    let sample = audit_sample::Entity::find_by_id(case.sample_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok((case, sample, budget))
}

/// One case, for the council's commissioners or the holder it asks.
pub async fn case(db: &impl ConnectionTrait, viewer: &SignedInUser, reference: &str, now: DateTime<Utc>) -> AppResult<AuditCaseView> {
    let (case, sample, budget) = visible(db, viewer, reference).await?;
    let holder = user::Entity::find_by_id(budget.holder_id).one(db).await?.map(|h| h.display_name).unwrap_or_default();
    let redrawn = sample.status == AuditSampleStatus::Redrawn;
    let open = !redrawn && case.outcome.is_none();
    let commissioner = viewer.role == Role::Commissioner;
    Ok(AuditCaseView {
        stage: stage(&case, redrawn, now),
        reference: case.reference,
        sample_reference: if commissioner { sample.reference } else { String::new() },
        month: month_words(sample.month),
        holder,
        budget_id: case.budget_id,
        flags: if commissioner { words_of(&case.flags) } else { Vec::new() },
        can_ask: open && commissioner && case.asked_at.is_none(),
        can_answer: open && viewer.role == Role::BudgetHolder && case.answer.is_none(),
        can_decide: open && commissioner,
        question: case.question,
        due: case.due_on.map(uk_time::long_date),
        answer: case.answer,
        outcome: case.outcome,
        outcome_note: if commissioner { case.outcome_note } else { None },
    })
}

/// An open case of the commissioner's council, locked for the change.
async fn open_case(txn: &impl ConnectionTrait, viewer: &SignedInUser, reference: &str) -> AppResult<(audit_case::Model, budget::Model)> {
    let council = commissioners_council(viewer)?;
    let case = audit_case::Entity::find()
        .filter(audit_case::Column::Reference.eq(reference))
        .filter(audit_case::Column::CouncilId.eq(council))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let sample = audit_sample::Entity::find_by_id(case.sample_id).one(txn).await?.ok_or(AppError::NotFound)?;
    if sample.status == AuditSampleStatus::Redrawn {
        return Err(AppError::invalid("", "This case's sample was drawn again: work on the current draw's cases"));
    }
    if case.outcome.is_some() {
        return Err(AppError::invalid("", "This case is closed already"));
    }
    let budget = budget::Entity::find_by_id(case.budget_id).one(txn).await?.ok_or(AppError::NotFound)?;
    Ok((case, budget))
}

/// Asks the holder the question, answer due by the date given: they are told by mail and on
/// their dashboard. Asked once per case.
pub async fn ask(db: &Db, viewer: &SignedInUser, reference: &str, form: &AuditQuestionForm, now: DateTime<Utc>) -> AppResult<()> {
    commissioners_council(viewer)?;
    let mut errors = Vec::new();
    let question = collect(&mut errors, required_text("question", &form.question, "the question for the person", MOST_CHARACTERS));
    let today = uk_time::to_local(now).date();
    let due = collect(
        &mut errors,
        uk_time::parse_date("due", &form.due, "the date the answer is due").and_then(|due| {
            if due <= today || due > today + Duration::days(LONGEST_DUE_DAYS) {
                Err(AppError::invalid("due", format!("The answer can be due from tomorrow to {LONGEST_DUE_DAYS} days from today")))
            } else {
                Ok(due)
            }
        }),
    );
    let (Some(question), Some(due)) = (question, due) else { return Err(AppError::Invalid(errors)) };
    let txn = crate::db::begin_write(db).await?;
    let (case, budget) = open_case(&txn, viewer, reference).await?;
    if case.asked_at.is_some() {
        return Err(AppError::invalid("question", "A question has been asked in this case already"));
    }
    audit_case::Entity::update_many()
        .col_expr(audit_case::Column::Question, Expr::value(question.clone()))
        .col_expr(audit_case::Column::DueOn, Expr::value(due))
        .col_expr(audit_case::Column::AskedAt, Expr::value(now))
        .col_expr(audit_case::Column::AskedBy, Expr::value(viewer.user_id))
        .filter(audit_case::Column::Id.eq(case.id))
        .exec(&txn)
        .await?;
    let news = News {
        event: format!("audit:{reference}:asked"),
        subject: "A question from the council about your budget".into(),
        message: format!(
            "The council checks a few budgets each month, some at random. It asks about yours: {question} Please answer by {}.",
            uk_time::long_date(due)
        ),
        link_path: format!("/audits/cases/{reference}"),
        link_text: "Read the question and answer",
        kind: MailKind::Money,
    };
    notifications::tell(&txn, budget.holder_id, None, &news, now).await?;
    audit::record(&txn, now, Some(viewer.user_id), Some(budget.holder_id), "audit_question_asked", serde_json::json!({ "case": reference, "due": due }))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The holder answers, once, while the case is open; the council's commissioners are told.
pub async fn answer(db: &Db, viewer: &SignedInUser, reference: &str, text: &str, now: DateTime<Utc>) -> AppResult<()> {
    if viewer.role != Role::BudgetHolder {
        return Err(AppError::Forbidden);
    }
    let text = required_text("answer", text, "your answer", MOST_CHARACTERS)?;
    let txn = crate::db::begin_write(db).await?;
    let (case, sample, budget) = visible(&txn, viewer, reference).await?;
    let answered = audit_case::Entity::update_many()
        .col_expr(audit_case::Column::Answer, Expr::value(text))
        .col_expr(audit_case::Column::AnsweredAt, Expr::value(now))
        .filter(audit_case::Column::Id.eq(case.id))
        .filter(audit_case::Column::Answer.is_null())
        .filter(audit_case::Column::Outcome.is_null())
        .exec(&txn)
        .await?;
    if sample.status == AuditSampleStatus::Redrawn || answered.rows_affected != 1 {
        return Err(AppError::invalid("answer", "This question has been answered or closed already"));
    }
    let news = News {
        event: format!("audit:{reference}:answered"),
        subject: format!("{reference}: the person answered"),
        message: format!("The person answered the audit question in case {reference}."),
        link_path: format!("/audits/cases/{reference}"),
        link_text: "Read the answer",
        kind: MailKind::Money,
    };
    notifications::mail_council_staff(&txn, case.council_id, &news, now).await?;
    audit::record(&txn, now, Some(viewer.user_id), Some(budget.holder_id), "audit_question_answered", serde_json::json!({ "case": reference })).await?;
    txn.commit().await?;
    Ok(())
}

/// Records the case's outcome (a note is needed for all but "no action"); a holder who was
/// asked is told.
pub async fn decide(db: &Db, viewer: &SignedInUser, reference: &str, outcome: &str, note: &str, now: DateTime<Utc>) -> AppResult<()> {
    commissioners_council(viewer)?;
    let mut errors = Vec::new();
    let outcome = collect(&mut errors, AuditOutcome::from_code(outcome).ok_or_else(|| AppError::invalid("outcome", "Choose the outcome")));
    let note = match outcome {
        Some(AuditOutcome::NoAction) | None => Some(note.trim().chars().take(MOST_CHARACTERS).collect::<String>()),
        Some(_) => collect(&mut errors, required_text("note", note, "what was done (the advice, the money, to whom it went)", MOST_CHARACTERS)),
    };
    let (Some(outcome), Some(note)) = (outcome, note) else { return Err(AppError::Invalid(errors)) };
    let txn = crate::db::begin_write(db).await?;
    let (case, budget) = open_case(&txn, viewer, reference).await?;
    audit_case::Entity::update_many()
        .col_expr(audit_case::Column::Outcome, Expr::value(outcome))
        .col_expr(audit_case::Column::OutcomeNote, Expr::value((!note.is_empty()).then_some(note)))
        .col_expr(audit_case::Column::DecidedBy, Expr::value(viewer.user_id))
        .col_expr(audit_case::Column::DecidedAt, Expr::value(now))
        .filter(audit_case::Column::Id.eq(case.id))
        .exec(&txn)
        .await?;
    if case.asked_at.is_some() {
        let news = News {
            event: format!("audit:{reference}:decided"),
            subject: "The council has finished its check of your budget".into(),
            message: format!("The council has finished checking your budget ({reference}): {}.", outcome.label().to_lowercase()),
            link_path: format!("/audits/cases/{reference}"),
            link_text: "See the outcome",
            kind: MailKind::Money,
        };
        notifications::tell(&txn, budget.holder_id, None, &news, now).await?;
    }
    audit::record(
        &txn,
        now,
        Some(viewer.user_id),
        Some(budget.holder_id),
        "audit_case_decided",
        serde_json::json!({ "case": reference, "outcome": outcome.code() }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The holder's open questions, for their dashboard.
pub async fn questions_for(db: &impl ConnectionTrait, holder_id: i64) -> AppResult<Vec<AuditQuestionLink>> {
    let budgets: Vec<i64> =
        budget::Entity::find().select_only().column(budget::Column::Id).filter(budget::Column::HolderId.eq(holder_id)).into_tuple().all(db).await?;
    let open = audit_case::Entity::find()
        .filter(audit_case::Column::BudgetId.is_in(budgets))
        .filter(audit_case::Column::AskedAt.is_not_null())
        .filter(audit_case::Column::Answer.is_null())
        .filter(audit_case::Column::Outcome.is_null())
        .order_by_asc(audit_case::Column::DueOn)
        .all(db)
        .await?;
    Ok(open.into_iter().map(|case| AuditQuestionLink { reference: case.reference, due: case.due_on.map(uk_time::long_date).unwrap_or_default() }).collect())
}

/// The last 12 months' cases of the council's current draws, by month: how many, how far they
/// got, their outcomes, and the days they took (the middle case).
async fn report(db: &impl ConnectionTrait, council: i64, month: NaiveDate) -> AppResult<Vec<AuditReportRow>> {
    let from = month - Months::new(REPORT_MONTHS - 1);
    let samples: HashMap<i64, NaiveDate> = audit_sample::Entity::find()
        .select_only()
        .column(audit_sample::Column::Id)
        .column(audit_sample::Column::Month)
        .filter(audit_sample::Column::CouncilId.eq(council))
        .filter(audit_sample::Column::Status.eq(AuditSampleStatus::Current))
        .filter(audit_sample::Column::Month.gte(from))
        .into_tuple::<(i64, NaiveDate)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    type Times = (i64, DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>, Option<AuditOutcome>, Option<DateTime<Utc>>);
    let cases: Vec<Times> = audit_case::Entity::find()
        .select_only()
        .columns([
            audit_case::Column::SampleId,
            audit_case::Column::CreatedAt,
            audit_case::Column::AskedAt,
            audit_case::Column::AnsweredAt,
            audit_case::Column::Outcome,
            audit_case::Column::DecidedAt,
        ])
        .filter(audit_case::Column::CouncilId.eq(council))
        .filter(audit_case::Column::SampleId.is_in(samples.keys().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let mut months: Vec<NaiveDate> = samples.values().copied().collect::<HashSet<_>>().into_iter().collect();
    months.sort_unstable_by(|a, b| b.cmp(a));
    Ok(months
        .into_iter()
        .map(|month| {
            let of_month: Vec<&Times> = cases.iter().filter(|case| samples.get(&case.0) == Some(&month)).collect();
            let days = |pairs: Vec<(DateTime<Utc>, DateTime<Utc>)>| median(pairs.into_iter().map(|(from, to)| (to - from).num_days()).collect());
            AuditReportRow {
                month: month_words(month),
                cases: of_month.len() as u64,
                asked: of_month.iter().filter(|c| c.2.is_some()).count() as u64,
                answered: of_month.iter().filter(|c| c.3.is_some()).count() as u64,
                outcomes: AuditOutcome::ALL.iter().map(|outcome| of_month.iter().filter(|c| c.4 == Some(*outcome)).count() as u64).collect(),
                open: of_month.iter().filter(|c| c.4.is_none()).count() as u64,
                median_days_to_close: days(of_month.iter().filter_map(|c| Some((c.1, c.5?))).collect()),
                median_days_to_answer: days(of_month.iter().filter_map(|c| Some((c.2?, c.3?))).collect()),
            }
        })
        .collect())
}

/// The middle value (the lower of the two middle ones), if any.
fn median(mut values: Vec<i64>) -> Option<i64> {
    values.sort_unstable();
    values.get(values.len().saturating_sub(1) / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draw_is_the_same_from_the_same_seed_and_takes_the_share_rounded_up() {
        let pool: Vec<i64> = (1..=95).collect();
        let drawn = draw_from_pool("seed-a", &pool, 10);
        assert_eq!(drawn.len(), 10, "10% of 95 is 9.5: rounded up");
        assert_eq!(drawn, draw_from_pool("seed-a", &pool, 10));
        assert!(drawn.windows(2).all(|pair| pair[0] < pair[1]), "in budget number order");
        assert!(drawn.iter().all(|id| pool.contains(id)));
        assert_ne!(drawn, draw_from_pool("seed-b", &pool, 10), "another seed draws others");
        assert_eq!(draw_from_pool("seed-a", &pool, 0), Vec::<i64>::new());
        assert_eq!(draw_from_pool("seed-a", &pool, 100), pool);
        // A larger share from the same seed keeps the smaller one's budgets: the order is the seed's.
        let more = draw_from_pool("seed-a", &pool, 30);
        assert!(drawn.iter().all(|id| more.contains(id)));
    }

    #[test]
    fn the_middle_case_is_the_lower_middle() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5]), Some(5));
        assert_eq!(median(vec![9, 1, 4, 7]), Some(4));
    }
}
