//! Concerns and complaints: raised by anyone signed in (and safeguarding by anyone at all),
//! routed to one council's queue with a date due in working days, followed by the person,
//! handled by the council (acknowledged, noted, closed with an outcome), audited, and counted
//! in the provider delivery report. A booking's messages go with a concern only when the person
//! says so.
use crate::booking_changes::booked;
use crate::bookings::{funded_budget, next_monday, question_query};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::domain::{uk_time, working_days};
use server::entities::{audit_entry, concern, mail_outbox, provider};
use tests::TestApp;

async fn concern_by(app: &TestApp, reference: &str) -> concern::Model {
    concern::Entity::find().filter(concern::Column::Reference.eq(reference)).one(&app.db).await.expect("query").expect("the concern")
}

#[tokio::test]
async fn anyone_can_raise_a_safeguarding_concern_about_a_provider_and_the_council_is_told_at_once() {
    let app = TestApp::new().await;
    let riverside = provider::Entity::find_by_id(app.personas.provider_id).one(&app.db).await.expect("query").expect("provider");
    let mut visitor = app.visitor();
    let page = visitor.get(&format!("/providers/{}", riverside.public_id)).await;
    assert!(page.contains("If someone is in danger now, call 999") && page.contains(&format!("/concerns/new?provider={}", riverside.public_id)));
    let form = visitor.get(&format!("/concerns/new?provider={}", riverside.public_id)).await.text();
    assert!(form.contains("If someone is in danger now, call 999"), "{form}");

    // Without signing in: safeguarding only.
    let complaint = [("form[provider]", riverside.public_id.as_str()), ("form[kind]", "complaint"), ("form[description]", "Rude on the phone")];
    let refused = visitor.post_form("/api/raise-concern", &complaint).await;
    assert!(matches!(refused.redirected_error(), Some(app::UiError::Invalid(_))), "{refused:?}");
    let empty = visitor
        .post_form("/api/raise-concern", &[("form[provider]", riverside.public_id.as_str()), ("form[kind]", "safeguarding"), ("form[description]", " ")])
        .await;
    assert!(matches!(empty.redirected_error(), Some(app::UiError::Invalid(_))), "{empty:?}");
    assert_eq!(tests::fixtures::count(&app.db, "concerns").await, 0, "nothing raised");
    let raised = visitor
        .post_form(
            "/api/raise-concern",
            &[
                ("form[provider]", riverside.public_id.as_str()),
                ("form[kind]", "safeguarding"),
                ("form[description]", "My neighbour's carer has not come for three days"),
                ("form[contact]", "07700 900123"),
            ],
        )
        .await;
    let location = raised.location().expect("the thank-you page").to_string();
    let reference = location.trim_start_matches("/concerns/new?raised=").to_string();
    assert!(reference.starts_with("CN-"), "{location}");
    let thanks = visitor.get(&location).await.text();
    assert!(thanks.contains(&reference) && thanks.contains("within one working day"), "{thanks}");

    let stored = concern_by(&app, &reference).await;
    assert_eq!((stored.kind, stored.council_id, stored.raised_by), (app::ConcernKind::Safeguarding, app.personas.council_id, None));
    assert_eq!(stored.due_on, working_days::after(uk_time::to_local(Utc::now()).date(), 1), "acknowledged within one working day");
    assert_eq!(stored.contact.as_deref(), Some("07700 900123"));
    let mailed = mail_outbox::Entity::find().filter(mail_outbox::Column::UserId.eq(app.personas.commissioner.id)).all(&app.db).await.expect("outbox");
    assert!(mailed.iter().any(|mail| mail.subject == format!("Urgent: safeguarding concern {reference}")), "{mailed:?}");
    // Not the public's to read back.
    assert_ne!(visitor.get(&format!("/concerns/{reference}")).await.status, 200);
}

#[tokio::test]
async fn a_complaint_about_a_booking_is_followed_by_the_person_and_handled_by_the_council_that_paid() {
    let app = TestApp::new().await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let booking = booked(&app, &question_query("once", next_monday(), "09:00", "60", &[])).await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    holder.post_form("/api/send-booking-message", &[("reference", booking.reference.as_str()), ("message", "You did not come on Monday")]).await;
    assert!(holder.get(&format!("/bookings/{}", booking.reference)).await.contains(&format!("/concerns/new?booking={}", booking.reference)));
    let raised = holder
        .post_form(
            "/api/raise-concern",
            &[
                ("form[booking]", booking.reference.as_str()),
                ("form[kind]", "complaint"),
                ("form[description]", "Two visits were missed without a word"),
                ("form[share_messages]", "yes"),
            ],
        )
        .await;
    let location = raised.location().expect("the concern's page").to_string();
    assert!(location.ends_with("?raised=1"), "{location}");
    let reference = location.trim_start_matches("/concerns/").trim_end_matches("?raised=1").to_string();
    let stored = concern_by(&app, &reference).await;
    assert_eq!(stored.due_on, working_days::after(uk_time::to_local(Utc::now()).date(), 10), "answered within ten working days");
    assert!(stored.share_messages);

    // The person follows it; nobody else but the council sees it.
    let page = holder.get(&format!("/concerns/{reference}")).await.text();
    assert!(page.contains("Received: waiting for the council") && page.contains("Two visits were missed"), "{page}");
    let mut staff = app.signed_in(&app.personas.provider).await;
    assert_eq!(staff.api_get(&format!("/api/concern?reference={reference}")).await.status, 403);
    let other = tests::fixtures::other_council(&app.db).await;
    let mut elsewhere = app.signed_in(&other.commissioner).await;
    assert_eq!(elsewhere.api_get(&format!("/api/concern?reference={reference}")).await.status, 403);
    assert!(!elsewhere.get("/concerns").await.text().contains(&reference));

    // The council's queue and page: the shared messages, who raised it.
    let mut council = app.signed_in(&app.personas.commissioner).await;
    assert!(council.get("/concerns").await.text().contains(&reference));
    let theirs = council.get(&format!("/concerns/{reference}")).await.text();
    assert!(theirs.contains("You did not come on Monday") && theirs.contains(&app.personas.budget_holder.email), "{theirs}");
    let act = |action: &'static str, text: &'static str, outcome: &'static str| {
        let reference = reference.clone();
        (reference, action, text, outcome)
    };
    for (reference, action, text, outcome) in [
        act("acknowledge", "", ""),
        act("note", "Rang the provider: rota gap", ""),
        act("close", "The visits were missed; the provider has refunded and changed its rota", "upheld"),
    ] {
        let reply =
            council.post_form("/api/handle-concern", &[("reference", reference.as_str()), ("action", action), ("text", text), ("outcome", outcome)]).await;
        assert_eq!(reply.location(), Some(format!("/concerns/{reference}?done={action}").as_str()), "{reply:?}");
    }
    let again = council.post_form("/api/handle-concern", &[("reference", reference.as_str()), ("action", "note"), ("text", "More")]).await;
    assert!(matches!(again.redirected_error(), Some(app::UiError::Invalid(_))), "closed: {again:?}");
    let page = holder.get(&format!("/concerns/{reference}")).await.text();
    assert!(page.contains("Upheld") && page.contains("changed its rota") && !page.contains("rota gap"), "notes are the council's: {page}");
    let told = server::domain::notifications::latest(&app.db, app.personas.budget_holder.id, 1).await.expect("messages");
    assert!(told[0].message.contains("closed your concern"), "{}", told[0].message);
    let audited: Vec<String> = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.starts_with("concern_"))
        .all(&app.db)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(audited, ["concern_raised", "concern_acknowledged", "concern_note", "concern_closed"]);

    // The provider delivery report counts it against the provider.
    let commissioner = crate::booking_changes::user(&app, app.personas.commissioner.id).await;
    let report = server::domain::reports::report(&app.db, &commissioner, "delivery", &app::report::ReportQuery::default(), Utc::now()).await.expect("report");
    let upheld = report.columns.iter().position(|c| c == "Concerns upheld").expect("a column");
    let row = report.rows.iter().find(|row| row[0] == app::report::Figure::Label("Riverside Home Care".into())).expect("Riverside's row");
    assert_eq!(row[upheld], app::report::Figure::Count(1), "{row:?}");
}
