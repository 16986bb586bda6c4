//! Verified reviews: only after a confirmed visit, once per booking, by the person or someone
//! they let book; shown with the month and never a name; the provider replies once; a
//! commissioner of the council that paid hides one with a reason, and it stops counting. A
//! review moves the provider on the lot's ranking, and the explanation says why.
use crate::booking_changes::user;
use crate::bookings::funded_budget;
use crate::lots::{north_home_care, rows};
use crate::visit_confirmation::delivered;
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::domain::reviews;
use server::domain::visit_confirmation::{self, Verdict};
use server::entities::{accreditation, provider, review};
use server::error::AppError;
use tests::TestApp;

#[tokio::test]
async fn a_review_after_a_confirmed_visit_is_verified_moves_the_ranking_and_stops_counting_once_hidden() {
    let app = TestApp::new().await;
    let lot = north_home_care(&app).await;
    // Riverside's rate matched to Hilltop's: a tie, which goes to the name (Hilltop first).
    accreditation::Entity::update_many()
        .col_expr(accreditation::Column::ContractedRatePence, sea_orm::sea_query::Expr::value(2_000_i64))
        .filter(accreditation::Column::ProviderId.eq(app.personas.provider_id))
        .exec(&app.db)
        .await
        .expect("rate");
    let order = |page: &tests::Reply| rows(page).iter().map(|row| row[1].clone()).collect::<Vec<_>>();
    let mut visitor = app.visitor();
    assert_eq!(order(&visitor.get(&format!("/lots/{lot}")).await), ["Hilltop Care", "Riverside Home Care"]);

    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let (booking, visit, _) = delivered(&app, false).await;
    let holder = user(&app, app.personas.budget_holder.id).await;
    // Not before a visit is confirmed.
    let early = reviews::write(&app.db, &holder, &booking.reference, "5", "Kind and on time", Utc::now()).await;
    assert!(matches!(early, Err(AppError::Invalid(_))), "{early:?}");
    let mut client = app.signed_in(&app.personas.budget_holder).await;
    assert!(!client.get(&format!("/bookings/{}", booking.reference)).await.text().contains("Review this provider"));
    visit_confirmation::answer(&app.db, &holder, visit.id, Verdict::Confirm, Utc::now()).await.expect("confirmed");
    assert!(client.get(&format!("/bookings/{}", booking.reference)).await.text().contains("Review this provider"));

    // Bad stars change nothing; others may not write it.
    let reply = client.post_form("/api/write-review", &[("reference", booking.reference.as_str()), ("stars", "6"), ("body", "Great")]).await;
    assert!(matches!(reply.redirected_error(), Some(app::UiError::Invalid(_))), "{reply:?}");
    for stranger in [app.personas.planner.id, app.personas.provider.id, app.personas.commissioner.id] {
        let stranger = user(&app, stranger).await;
        let refused = reviews::write(&app.db, &stranger, &booking.reference, "1", "", Utc::now()).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "{:?}: {refused:?}", stranger.role);
    }
    assert_eq!(tests::fixtures::count(&app.db, "reviews").await, 0);

    let reply =
        client.post_form("/api/write-review", &[("reference", booking.reference.as_str()), ("stars", "5"), ("body", "Kind, careful and always on time")]).await;
    assert_eq!(reply.location(), Some(format!("/bookings/{}?reviewed=1", booking.reference).as_str()), "{reply:?}");
    let second = reviews::write(&app.db, &holder, &booking.reference, "1", "Changed my mind", Utc::now()).await;
    assert!(matches!(second, Err(AppError::Invalid(_))), "once per booking: {second:?}");

    // Shown as verified, with the month, never a name; the lot's order and explanation follow.
    let riverside = provider::Entity::find_by_id(app.personas.provider_id).one(&app.db).await.expect("query").expect("provider");
    let page = visitor.get(&format!("/providers/{}", riverside.public_id)).await.text();
    assert!(page.contains("Verified: from someone who booked through CareMarket") && page.contains("Kind, careful and always on time"), "{page}");
    assert!(page.contains("1 review, averaging 5.0 stars out of 5"), "{page}");
    assert!(!page.contains(&holder.display_name), "never the reviewer's name");
    let table = visitor.get(&format!("/lots/{lot}")).await;
    assert_eq!(order(&table), ["Riverside Home Care", "Hilltop Care"], "the review moved Riverside up");
    assert!(rows(&table)[0][2].contains("(1 review averaging 5.0 stars)"), "{:?}", rows(&table)[0]);

    // The provider replies, once; no other provider can.
    let written = review::Entity::find().one(&app.db).await.expect("query").expect("the review");
    let hilltop =
        tests::fixtures::user(&app.db, app.personas.council_id, "staff@hilltop.example", app::Role::Provider, Some(app.personas.other_provider_id)).await;
    let hilltop = user(&app, hilltop.id).await;
    assert!(matches!(reviews::reply(&app.db, &hilltop, written.id, "Thanks", Utc::now()).await, Err(AppError::Forbidden)));
    let mut staff = app.signed_in(&app.personas.provider).await;
    let review_id = written.id.to_string();
    let reply = staff.post_form("/api/reply-to-review", &[("review_id", review_id.as_str()), ("reply", "Thank you: we will pass this on to Sam")]).await;
    assert_eq!(reply.location(), Some("/provider/reviews?replied=1"), "{reply:?}");
    let provider_staff = user(&app, app.personas.provider.id).await;
    assert!(matches!(reviews::reply(&app.db, &provider_staff, written.id, "Again", Utc::now()).await, Err(AppError::Invalid(_))), "once");
    assert!(visitor.get(&format!("/providers/{}", riverside.public_id)).await.text().contains("The provider replied: Thank you: we will pass this on to Sam"));

    // Another council's commissioner cannot hide it; this council's can, with a reason.
    let other = tests::fixtures::other_council(&app.db).await;
    let other = user(&app, other.commissioner.id).await;
    assert!(matches!(reviews::hide(&app.db, &other, written.id, "abusive", Utc::now()).await, Err(AppError::Forbidden)));
    let commissioner = user(&app, app.personas.commissioner.id).await;
    assert!(matches!(reviews::hide(&app.db, &commissioner, written.id, "dislike", Utc::now()).await, Err(AppError::Invalid(_))));
    let mut council = app.signed_in(&app.personas.commissioner).await;
    assert!(council.get("/reviews").await.text().contains("Kind, careful and always on time"));
    let reply = council.post_form("/api/hide-review", &[("review_id", review_id.as_str()), ("reason", "personal_data")]).await;
    assert_eq!(reply.location(), Some("/reviews?hidden=1"), "{reply:?}");
    let page = visitor.get(&format!("/providers/{}", riverside.public_id)).await.text();
    assert!(!page.contains("Kind, careful and always on time") && page.contains("No reviews yet"), "hidden: {page}");
    assert_eq!(order(&visitor.get(&format!("/lots/{lot}")).await), ["Hilltop Care", "Riverside Home Care"], "hidden reviews stop counting");
    let told = server::domain::notifications::latest(&app.db, holder.user_id, 1).await.expect("messages");
    assert!(told[0].message.contains("hid your review") && told[0].message.contains("personal details"), "{}", told[0].message);
    let hidden = server::entities::audit_entry::Entity::find()
        .filter(server::entities::audit_entry::Column::Action.eq("review_hidden"))
        .all(&app.db)
        .await
        .expect("audit");
    assert_eq!(hidden.iter().map(|entry| entry.actor_id).collect::<Vec<_>>(), [Some(commissioner.user_id)], "recorded, with who hid it");
}
