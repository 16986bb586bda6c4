//! The light-touch audit: a commissioner draws the month's sample (every budget with a chosen
//! flag and a random share of the rest, from a seed recorded with it, so the draw can be made
//! again and checked; a redraw keeps the draw it replaces, with the reason); each case asks the
//! holder a question by mail and dashboard, they answer here, and the commissioner records the
//! outcome, which the report counts. Self-funders, closed budgets and other councils' budgets
//! are never drawn; nobody else sees or changes a case.
use crate::booking_changes::user;
use app::{AuditOutcome, AuditQuestionForm, AuditSampleForm, AuditSampleStatus, Role};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::domain::audits;
use server::entities::{audit_case, audit_entry, audit_sample};
use server::error::AppError;
use tests::{TestApp, fixtures};

fn draw_form(flags: &[&str], share: &str) -> AuditSampleForm {
    AuditSampleForm { flags: flags.iter().map(|f| f.to_string()).collect(), share: share.into(), reason: String::new() }
}

fn messages(result: Result<impl std::fmt::Debug, AppError>) -> Vec<String> {
    match result {
        Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.message).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn actions(app: &TestApp, action: &str) -> usize {
    audit_entry::Entity::find().filter(audit_entry::Column::Action.eq(action)).all(&app.db).await.expect("audit log").len()
}

async fn cases_of(app: &TestApp, reference: &str) -> Vec<audit_case::Model> {
    let sample = audit_sample::Entity::find().filter(audit_sample::Column::Reference.eq(reference)).one(&app.db).await.expect("read").expect("the sample");
    audit_case::Entity::find().filter(audit_case::Column::SampleId.eq(sample.id)).all(&app.db).await.expect("cases")
}

/// A budget holder with a council budget that started `days_ago`: over 12 weeks ago and
/// never used, it carries the "no money used" flag.
async fn holder_with_budget(app: &TestApp, council: i64, n: usize, days_ago: i64) -> i64 {
    let holder = fixtures::user(&app.db, council, &format!("holder{n}@test.example"), Role::BudgetHolder, None).await;
    fixtures::budget(&app.db, council, holder.id, "direct_payment", 84_000, Utc::now().date_naive() - Duration::days(days_ago)).await
}

#[tokio::test]
async fn the_sample_draws_every_flagged_budget_and_a_share_of_the_rest_that_its_seed_draws_again() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let commissioner = user(&app, app.personas.commissioner.id).await;
    let now = Utc::now();
    let mut flagged = Vec::new();
    for n in 0..3 {
        flagged.push(holder_with_budget(&app, council, n, 100).await);
    }
    let mut rest = Vec::new();
    for n in 3..23 {
        rest.push(holder_with_budget(&app, council, n, 0).await);
    }
    // Never drawn: a self-funder's account, a closed budget, another council's budget.
    let self_funded = holder_with_budget(&app, council, 90, 100).await;
    app.execute_sql(&format!("UPDATE budgets SET funding = 'self' WHERE id = {self_funded}")).await;
    let closed = holder_with_budget(&app, council, 91, 100).await;
    server::domain::budget_endings::close(&app.db, &commissioner, closed, "Moved away", now).await.expect("closed");
    let elsewhere = fixtures::other_council(&app.db).await;
    let theirs =
        fixtures::budget(&app.db, elsewhere.council_id, elsewhere.budget_holder.id, "direct_payment", 84_000, now.date_naive() - Duration::days(100)).await;

    // Bad forms are named and draw nothing; only commissioners draw.
    assert_eq!(
        messages(audits::draw(&app.db, &commissioner, &draw_form(&[], "0"), now).await),
        vec!["Tick at least one risk flag, or draw a share of the other budgets above 0%"]
    );
    assert_eq!(messages(audits::draw(&app.db, &commissioner, &draw_form(&["unused"], "lots"), now).await).len(), 1);
    assert_eq!(messages(audits::draw(&app.db, &commissioner, &draw_form(&["unused"], "101"), now).await).len(), 1);
    for someone in [app.personas.budget_holder.id, app.personas.provider.id, app.personas.planner.id] {
        let refused = audits::draw(&app.db, &user(&app, someone).await, &draw_form(&["unused"], "25"), now).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
    }
    assert_eq!(fixtures::count(&app.db, "audit_samples").await, 0);

    // Two commissioners drawing at once make one sample.
    let form = draw_form(&["unused"], "25");
    let (one, two) = tokio::join!(audits::draw(&app.db, &commissioner, &form, now), audits::draw(&app.db, &commissioner, &form, now));
    let made: Vec<String> = [one, two].into_iter().filter_map(Result::ok).collect();
    assert_eq!(made.len(), 1, "one sample a month");
    let reference = made[0].clone();
    let again = audits::draw(&app.db, &commissioner, &form, now).await;
    assert!(messages(again)[0].starts_with("This month's sample is drawn already"));

    // Every flagged budget, and a quarter of the rest (rounded up), from the recorded seed.
    let cases = cases_of(&app, &reference).await;
    let drawn: Vec<i64> = cases.iter().map(|case| case.budget_id).collect();
    assert!(flagged.iter().all(|budget| drawn.contains(budget)), "every flagged budget: {drawn:?}");
    for never in [self_funded, closed, theirs] {
        assert!(!drawn.contains(&never), "{never} is never drawn");
    }
    let at_random: Vec<i64> = cases.iter().filter(|case| case.flags == "[]").map(|case| case.budget_id).collect();
    assert!(at_random.iter().all(|budget| rest.contains(budget)));
    let sample = audit_sample::Entity::find().filter(audit_sample::Column::Reference.eq(&reference)).one(&app.db).await.expect("read").expect("sample");
    let pool: Vec<i64> = sample.pool.split(',').map(|id| id.parse().expect("a number")).collect();
    assert!(rest.iter().all(|budget| pool.contains(budget)) && flagged.iter().all(|budget| !pool.contains(budget)));
    assert_eq!(at_random.len(), pool.len().div_ceil(4));
    assert_eq!(audits::draw_from_pool(&sample.seed, &pool, 25), at_random, "the seed draws the same again");
    assert_eq!(sample.seed.len(), 64);
    let shown = audits::sample(&app.db, &commissioner, &reference, now).await.expect("the sample");
    assert!(shown.draw_checks_out && shown.can_redraw);
    assert_eq!(shown.cases.len(), cases.len());
    let stranger = user(&app, elsewhere.commissioner.id).await;
    assert!(matches!(audits::sample(&app.db, &stranger, &reference, now).await, Err(AppError::NotFound)));
    assert_eq!(actions(&app, "audit_sample_drawn").await, 1);

    // Drawing again needs a reason; the draw it replaces is kept, with the reason.
    let mut redraw = draw_form(&["unused"], "50");
    assert_eq!(messages(audits::redraw(&app.db, &commissioner, &reference, &redraw, now).await), vec!["Enter why the sample is drawn again"]);
    redraw.reason = "The share was meant to be a half".into();
    let second = audits::redraw(&app.db, &commissioner, &reference, &redraw, now).await.expect("drawn again");
    let old = audit_sample::Entity::find().filter(audit_sample::Column::Reference.eq(&reference)).one(&app.db).await.expect("read").expect("kept");
    assert_eq!((old.status, old.redraw_reason.as_deref()), (AuditSampleStatus::Redrawn, Some("The share was meant to be a half")));
    assert_eq!(cases_of(&app, &reference).await.len(), cases.len(), "the old draw's cases are kept");
    let new = audit_sample::Entity::find().filter(audit_sample::Column::Reference.eq(&second)).one(&app.db).await.expect("read").expect("new");
    assert_eq!((new.draw, new.share_percent), (2, 50));
    assert_ne!(new.seed, old.seed, "a new seed");
    assert_eq!(cases_of(&app, &second).await.len(), flagged.len() + 10);
    assert!(messages(audits::redraw(&app.db, &commissioner, &reference, &redraw, now).await)[0].contains("redrawn already"));
    assert_eq!(actions(&app, "audit_sample_redrawn").await, 1);
    let page = audits::page(&app.db, &commissioner, now).await.expect("the audit page");
    assert_eq!(page.current.as_deref(), Some(second.as_str()));
    assert_eq!(page.samples.len(), 2);

    // Once a question is asked, the sample stands.
    let case = cases_of(&app, &second).await.remove(0);
    let question = AuditQuestionForm { question: "What is the budget paying for?".into(), due: (now.date_naive() + Duration::days(14)).to_string() };
    audits::ask(&app.db, &commissioner, &case.reference, &question, now).await.expect("asked");
    redraw.reason = "Once more".into();
    assert!(messages(audits::redraw(&app.db, &commissioner, &second, &redraw, now).await)[0].starts_with("Questions have been asked"));
    // A case of the draw that was replaced cannot be worked on.
    let set_aside = cases_of(&app, &reference).await.remove(0);
    assert!(messages(audits::ask(&app.db, &commissioner, &set_aside.reference, &question, now).await)[0].contains("drawn again"));
}

#[tokio::test]
async fn a_case_asks_the_holder_who_answers_once_and_its_outcome_is_recorded_and_reported() {
    let app = TestApp::new().await;
    let council = app.personas.council_id;
    let commissioner = user(&app, app.personas.commissioner.id).await;
    let now = Utc::now();
    fixtures::budget(&app.db, council, app.personas.budget_holder.id, "direct_payment", 84_000, now.date_naive() - Duration::days(100)).await;
    let sample = audits::draw(&app.db, &commissioner, &draw_form(&["unused"], "0"), now).await.expect("drawn");
    let case = cases_of(&app, &sample).await.remove(0);
    let reference = case.reference.clone();
    let path = format!("/audits/cases/{reference}");
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    assert_eq!(holder.get(&path).await.status, 404, "not shown to the holder until asked");

    // A bad question is named field by field; only the council's commissioners ask.
    let bad = AuditQuestionForm { question: " ".into(), due: (now.date_naive() - Duration::days(1)).to_string() };
    assert_eq!(messages(audits::ask(&app.db, &commissioner, &reference, &bad, now).await).len(), 2);
    let late = AuditQuestionForm { question: "Why?".into(), due: (now.date_naive() + Duration::days(120)).to_string() };
    assert!(messages(audits::ask(&app.db, &commissioner, &reference, &late, now).await)[0].contains("90 days"));
    let elsewhere = fixtures::other_council(&app.db).await;
    let good = AuditQuestionForm {
        question: "Your budget has not been used for 12 weeks. How are you getting the care in your plan?".into(),
        due: (now.date_naive() + Duration::days(14)).to_string(),
    };
    assert!(matches!(audits::ask(&app.db, &user(&app, elsewhere.commissioner.id).await, &reference, &good, now).await, Err(AppError::NotFound)));
    assert!(matches!(audits::ask(&app.db, &user(&app, app.personas.provider.id).await, &reference, &good, now).await, Err(AppError::Forbidden)));
    let mut council_client = app.signed_in(&app.personas.commissioner).await;
    let asked = council_client
        .post_form(
            "/api/ask-audit-question",
            &[("reference", reference.as_str()), ("form[question]", good.question.as_str()), ("form[due]", good.due.as_str())],
        )
        .await;
    assert_eq!(asked.location(), Some(format!("{path}?asked=1").as_str()), "{asked:?}");
    assert!(messages(audits::ask(&app.db, &commissioner, &reference, &good, now).await)[0].contains("asked in this case already"));

    // The holder is told on their dashboard and by mail, reads the question and answers once.
    let dashboard = holder.get("/dashboard/budget-holder").await;
    assert!(dashboard.text().contains("The council has a question for you") && dashboard.body.contains(&format!("href=\"{path}\"")), "{}", dashboard.text());
    let mailed = server::entities::mail_outbox::Entity::find()
        .filter(server::entities::mail_outbox::Column::UserId.eq(app.personas.budget_holder.id))
        .all(&app.db)
        .await
        .expect("outbox");
    assert!(mailed.iter().any(|mail| mail.subject == "A question from the council about your budget" && mail.body.contains("How are you getting the care")));
    let page = holder.get(&path).await.text();
    assert!(page.contains("How are you getting the care in your plan?") && page.contains("Your answer to the council"), "{page}");
    assert!(!page.contains("Record the outcome") && !page.contains("No money used"), "the holder sees the question, not the council's notes");
    let other = fixtures::user(&app.db, council, "other@test.example", Role::BudgetHolder, None).await;
    let mut other_client = app.signed_in(&other).await;
    assert_eq!(other_client.get(&path).await.status, 404);
    let meddling = other_client.post_form("/api/answer-audit-question", &[("reference", reference.as_str()), ("answer", "Not mine")]).await;
    assert_eq!(meddling.redirected_error(), Some(app::UiError::NotFound));
    let empty = holder.post_form("/api/answer-audit-question", &[("reference", reference.as_str()), ("answer", "  ")]).await;
    assert!(matches!(empty.redirected_error(), Some(app::UiError::Invalid(_))), "{empty:?}");
    let answered = holder
        .post_form(
            "/api/answer-audit-question",
            &[("reference", reference.as_str()), ("answer", "My daughter has been caring for me; I am booking from next week.")],
        )
        .await;
    assert_eq!(answered.location(), Some(format!("{path}?answered=1").as_str()), "{answered:?}");
    let twice = holder.post_form("/api/answer-audit-question", &[("reference", reference.as_str()), ("answer", "And more")]).await;
    assert!(matches!(twice.redirected_error(), Some(app::UiError::Invalid(_))), "once: {twice:?}");
    assert!(!holder.get("/dashboard/budget-holder").await.text().contains("The council has a question for you"));

    // The outcome: a note for anything but no action; recorded once; the holder is told.
    let later = now + Duration::days(3);
    assert_eq!(messages(audits::decide(&app.db, &commissioner, &reference, "advice_given", " ", later).await).len(), 1);
    assert_eq!(messages(audits::decide(&app.db, &commissioner, &reference, "shrug", "", later).await), vec!["Choose the outcome"]);
    audits::decide(&app.db, &commissioner, &reference, "advice_given", "Talked through booking a regular carer.", later).await.expect("decided");
    assert!(messages(audits::decide(&app.db, &commissioner, &reference, "no_action", "", later).await)[0].contains("closed already"));
    let shown = audits::case(&app.db, &user(&app, app.personas.budget_holder.id).await, &reference, later).await.expect("the case");
    assert_eq!(shown.outcome, Some(AuditOutcome::AdviceGiven));
    assert!(!shown.can_answer && shown.outcome_note.is_none());

    // The report: one case this month, asked, answered, advice given, closed in 3 days.
    let page = audits::page(&app.db, &commissioner, later).await.expect("the audit page");
    let row = &page.report[0];
    assert_eq!((row.cases, row.asked, row.answered, row.open), (1, 1, 1, 0));
    assert_eq!(row.outcomes, vec![0, 1, 0, 0]);
    assert_eq!((row.median_days_to_close, row.median_days_to_answer), (Some(3), Some(0)));
    for action in ["audit_sample_drawn", "audit_question_asked", "audit_question_answered", "audit_case_decided"] {
        assert_eq!(actions(&app, action).await, 1, "{action} is in the audit log");
    }
}
