//! Messages about a booking: the person's side and the provider's staff write to each other,
//! each side is told (by mail too) and sees what it has not read; the council cannot read them.
use crate::booking_changes::booked;
use crate::bookings::{funded_budget, next_monday, question_query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::entities::mail_outbox;
use tests::TestApp;

#[tokio::test]
async fn the_person_and_the_provider_write_to_each_other_privately_and_see_what_is_unread() {
    let app = TestApp::new().await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let booking = booked(&app, &question_query("once", next_monday(), "09:00", "60", &[])).await;
    let page = format!("/bookings/{}", booking.reference);
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let mut staff = app.signed_in(&app.personas.provider).await;

    let empty = holder.post_form("/api/send-booking-message", &[("reference", booking.reference.as_str()), ("message", "  ")]).await;
    assert!(matches!(empty.redirected_error(), Some(app::UiError::Invalid(_))), "{empty:?}");
    let reply =
        holder.post_form("/api/send-booking-message", &[("reference", booking.reference.as_str()), ("message", "Could the carer use the side door?")]).await;
    assert_eq!(reply.location(), Some(format!("{page}?sent=1#messages").as_str()), "{reply:?}");

    // The staff are mailed a notice (not the words), and see it unread until they open it.
    let mailed = mail_outbox::Entity::find().filter(mail_outbox::Column::UserId.eq(app.personas.provider.id)).all(&app.db).await.expect("outbox");
    let notice = mailed.iter().find(|mail| mail.subject == format!("A message about booking {}", booking.reference)).expect("mailed");
    assert_eq!(notice.link_path, format!("{page}#messages"));
    assert!(!notice.body.contains("side door"), "the words stay on CareMarket");
    assert!(staff.get("/dashboard/provider").await.text().contains("Unread messages about bookings1"));
    assert!(staff.get("/provider/bookings").await.text().contains("1 unread message"));
    let seen = staff.get(&page).await.text();
    assert!(seen.contains("Could the carer use the side door?"), "{seen}");
    assert!(staff.get("/dashboard/provider").await.text().contains("Unread messages about bookings0"), "read once opened");

    // The provider answers; the person is told on the dashboard, where the booking shows it unread.
    staff.post_form("/api/send-booking-message", &[("reference", booking.reference.as_str()), ("message", "Yes, of course.")]).await;
    let dashboard = holder.get("/dashboard/budget-holder").await.text();
    assert!(dashboard.contains("1 unread message") && dashboard.contains("sent you a message about booking"), "{dashboard}");
    let conversation = holder.get(&page).await.text();
    let (asked, answered) = (conversation.find("side door").expect("asked"), conversation.find("Yes, of course.").expect("answered"));
    assert!(asked < answered, "oldest first");
    assert!(!holder.get("/dashboard/budget-holder").await.text().contains("unread message"));

    // Private: the council sees the booking but not the conversation, and cannot write to it;
    // nor can another provider's staff or a planner the person has not let see their care.
    let mut council = app.signed_in(&app.personas.commissioner).await;
    let their_view = council.get(&page).await.text();
    assert!(!their_view.contains("side door") && !their_view.contains("Write a message"), "{their_view}");
    let refused = council.post_form("/api/send-booking-message", &[("reference", booking.reference.as_str()), ("message", "Hello")]).await;
    assert_eq!(refused.redirected_error(), Some(app::UiError::Forbidden));
    let mut planner = app.signed_in(&app.personas.planner).await;
    let refused = planner.post_form("/api/send-booking-message", &[("reference", booking.reference.as_str()), ("message", "Hello")]).await;
    assert_eq!(refused.redirected_error(), Some(app::UiError::Forbidden));
    assert_eq!(tests::fixtures::count(&app.db, "booking_messages").await, 2);
}
