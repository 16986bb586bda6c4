//! Mail: what a person's dashboard says is also emailed, through an outbox written with the
//! event, to a real SMTP server over STARTTLS; once however often the event's code runs; kept
//! and retried when the server cannot be reached; never to an address nobody has confirmed.
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::domain::mail;
use server::domain::notifications::{self, News};
use server::entities::{booking, mail_outbox};
use tests::TestApp;
use tests::smtp;

const SITE: &str = "http://care.test";

/// Gives the budget holder an address no other test uses (the SMTP server is shared).
pub(crate) async fn unique_address(app: &TestApp, confirmed: bool) -> String {
    let address = format!("holder-{}@mail.test", server::domain::auth::random_token().expect("token")[..12].to_lowercase());
    let confirmed_at = if confirmed { format!("'{}'", Utc::now().format("%Y-%m-%d %H:%M:%S%:z")) } else { "NULL".into() };
    app.execute_sql(&format!("UPDATE users SET email = '{address}', email_confirmed_at = {confirmed_at} WHERE id = {}", app.personas.budget_holder.id)).await;
    address
}

/// A booking for the budget holder, accepted by the provider (which tells the holder, at an
/// address of their own, confirmed or not).
async fn accepted_booking(app: &TestApp, confirmed: bool) -> (booking::Model, String) {
    crate::bookings::funded_budget(app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let (_, listing) = crate::bookings::weekday_home_care(app, app.personas.provider_id, "Mailed visits").await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let query = crate::bookings::question_query("once", crate::bookings::next_monday(), "09:00", "60", &[]);
    let (_, requested) = crate::bookings::book(&mut holder, &listing, &query, None).await;
    let reference = requested.location().expect("the booking page").trim_start_matches("/bookings/").to_string();
    let address = unique_address(app, confirmed).await;
    let staff = server::entities::user::Entity::find_by_id(app.personas.provider.id).one(&app.db).await.expect("query").expect("staff");
    let staff = server::domain::auth::signed_in_user(&staff).expect("signed in");
    server::domain::booking_changes::respond(&app.db, &staff, &reference, true, "", Utc::now()).await.expect("accepted");
    let booking = booking::Entity::find().filter(booking::Column::Reference.eq(reference)).one(&app.db).await.expect("query").expect("booking");
    (booking, address)
}

async fn outbox_to(app: &TestApp, address: &str) -> Vec<mail_outbox::Model> {
    mail_outbox::Entity::find().filter(mail_outbox::Column::ToAddress.eq(address)).all(&app.db).await.expect("outbox")
}

/// Gives the provider's staff member an address no other test uses.
async fn unique_staff_address(app: &TestApp) -> String {
    let address = format!("staff-{}@mail.test", server::domain::auth::random_token().expect("token")[..12].to_lowercase());
    app.execute_sql(&format!("UPDATE users SET email = '{address}' WHERE id = {}", app.personas.provider.id)).await;
    address
}

#[tokio::test]
async fn an_accepted_booking_is_mailed_once_over_starttls_with_a_link_that_works() {
    let app = TestApp::new().await;
    let (booking, address) = accepted_booking(&app, true).await;
    let mailer = server::mail::from_config(&smtp::settings(), &std::env::temp_dir()).expect("a mailer");

    // The provider's staff were told of the request, the person of its acceptance.
    assert_eq!(mail::send_due(&app.db, mailer.as_ref(), SITE, Utc::now()).await.expect("sent"), 2);
    let received = smtp::received_by(&address);
    assert_eq!(received.len(), 1, "{received:?}");
    let mail = &received[0];
    assert!(mail.tls, "sent after STARTTLS");
    assert_eq!(mail.mail_from, "care@caremarket.test");
    assert!(mail.header("Subject").expect("a subject").ends_with("accepted your booking"), "{:?}", mail.header("Subject"));
    let link = format!("{SITE}/bookings/{}", booking.reference);
    assert!(mail.content.contains(&link), "the link to the booking: {}", mail.content);
    assert!(mail.content.contains("multipart/alternative") && mail.content.contains("text/html"), "plain text and HTML");
    // The link leads to the booking, for the person it was sent to.
    let mut holder = app.visitor();
    holder.sign_in(&address, tests::fixtures::PASSWORD).await;
    let page = holder.get(link.trim_start_matches(SITE)).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.contains(&booking.reference));

    // Sending again sends nothing; telling of the same event again queues nothing new.
    assert_eq!(mail::send_due(&app.db, mailer.as_ref(), SITE, Utc::now()).await.expect("sent"), 0);
    let news = News::about_booking(&booking, "accepted", "Again".into(), "Again.".into());
    notifications::tell_person(&app.db, &booking, &news, Utc::now()).await.expect("told");
    assert_eq!(outbox_to(&app, &address).await.len(), 1);
    assert_eq!(mail::send_due(&app.db, mailer.as_ref(), SITE, Utc::now()).await.expect("sent"), 0);
    assert_eq!(smtp::received_by(&address).len(), 1, "not sent twice");
}

#[tokio::test]
async fn two_senders_at_once_send_each_message_once() {
    let app = TestApp::new().await;
    let (_, address) = accepted_booking(&app, true).await;
    let mailer = server::mail::from_config(&smtp::settings(), &std::env::temp_dir()).expect("a mailer");
    // Two servers' mail tasks on the same outbox.
    let now = Utc::now();
    let (first, second) = tokio::join!(mail::send_due(&app.db, mailer.as_ref(), SITE, now), mail::send_due(&app.db, mailer.as_ref(), SITE, now));
    assert_eq!(first.expect("sent") + second.expect("sent"), 2, "each of the two messages counted once");
    assert_eq!(smtp::received_by(&address).len(), 1, "the person's message arrived once");
    let sent = outbox_to(&app, &address).await;
    assert_eq!((sent[0].attempts, sent[0].sent_at.is_some()), (1, true));
}

#[tokio::test]
async fn mail_the_server_cannot_take_waits_and_is_sent_later_and_an_operator_sees_it_waiting() {
    let app = TestApp::new().await;
    let (_, address) = accepted_booking(&app, true).await;
    // Nothing listens on port 9 here: the mail server is down.
    let down = server::mail::MailConfig { smtp_url: Some("smtp://127.0.0.1:9?tls=required".into()), ..smtp::settings() };
    let down = server::mail::from_config(&down, &std::env::temp_dir()).expect("a mailer");
    let now = Utc::now();
    assert_eq!(mail::send_due(&app.db, down.as_ref(), SITE, now).await.expect("tried"), 0);
    let waiting: Vec<_> = mail::unsent(&app.db).await.expect("unsent").into_iter().filter(|mail| mail.to_address == address).collect();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].attempts, 1);
    assert!(waiting[0].last_error.is_some() && waiting[0].failed_at.is_none());
    assert!(waiting[0].next_attempt_at > now, "tried again later, not at once");

    // Not due yet: even a working server gets nothing until the wait is over.
    let up = server::mail::from_config(&smtp::settings(), &std::env::temp_dir()).expect("a mailer");
    assert_eq!(mail::send_due(&app.db, up.as_ref(), SITE, now + Duration::seconds(1)).await.expect("sent"), 0);
    assert_eq!(mail::send_due(&app.db, up.as_ref(), SITE, now + Duration::minutes(5)).await.expect("sent"), 2);
    assert_eq!(smtp::received_by(&address).len(), 1);
    assert!(mail::unsent(&app.db).await.expect("unsent").is_empty());
}

#[tokio::test]
async fn an_address_nobody_has_confirmed_gets_no_mail_but_the_dashboard_still_says_it() {
    let app = TestApp::new().await;
    let (_, address) = accepted_booking(&app, false).await;
    assert!(outbox_to(&app, &address).await.is_empty(), "nothing queued for an unconfirmed address");
    let told = server::domain::notifications::latest(&app.db, app.personas.budget_holder.id, 5).await.expect("messages");
    assert!(told.iter().any(|n| n.message.contains("accepted booking")));
    let mailer = server::mail::from_config(&smtp::settings(), &std::env::temp_dir()).expect("a mailer");
    mail::send_due(&app.db, mailer.as_ref(), SITE, Utc::now()).await.expect("nothing to send");
    assert!(smtp::received_by(&address).is_empty());
}

#[tokio::test]
async fn without_a_mail_server_each_message_is_written_as_a_file_to_open() {
    let app = TestApp::new().await;
    let (booking, address) = accepted_booking(&app, true).await;
    // Only the person's message: the staff's request mail is another test's business.
    app.execute_sql(&format!("DELETE FROM mail_outbox WHERE to_address <> '{address}'")).await;
    let data = std::env::temp_dir().join(format!("caremarket-mail-{}", server::domain::auth::random_token().expect("token")));
    let files = server::mail::from_config(&server::Config::for_tests("sqlite::memory:").mail, &data).expect("a mailer");
    assert_eq!(mail::send_due(&app.db, files.as_ref(), SITE, Utc::now()).await.expect("written"), 1);
    let written: Vec<_> = std::fs::read_dir(data.join("mail")).expect("data/mail").filter_map(Result::ok).map(|entry| entry.path()).collect();
    assert_eq!(written.len(), 1);
    assert!(written[0].extension().is_some_and(|extension| extension == "eml"));
    let message = std::fs::read_to_string(&written[0]).expect("the message");
    assert!(message.contains("accepted your booking") && message.contains(&format!("{SITE}/bookings/{}", booking.reference)));
    std::fs::remove_dir_all(data).expect("clean up");
}

#[tokio::test]
async fn a_provider_is_mailed_each_new_request_at_once_and_reminded_once_before_it_lapses() {
    let app = TestApp::new().await;
    let staff = unique_staff_address(&app).await;
    crate::bookings::funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let (_, listing) = crate::bookings::weekday_home_care(&app, app.personas.provider_id, "Requested visits").await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let query = crate::bookings::question_query("once", crate::bookings::next_monday(), "09:00", "60", &[]);
    let (_, confirmed) = crate::bookings::book(&mut holder, &listing, &query, None).await;
    assert_eq!(confirmed.status, 302, "{confirmed:?}");
    let request = booking::Entity::find().filter(booking::Column::Reference.eq(confirmed.location().expect("page").trim_start_matches("/bookings/")));
    let request = request.one(&app.db).await.expect("query").expect("the request");
    let lapses = request.respond_by.expect("an answer-by time");

    let queued = outbox_to(&app, &staff).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].subject, "New request for Requested visits");
    assert_eq!(queued[0].link_path, "/provider/bookings");
    // Not yet within four hours of lapsing: no reminder. Within them: one, however often it runs.
    let reminder_hours = Duration::hours(server::domain::booking_changes::REMINDER_HOURS);
    server::domain::booking_changes::remind_before_lapse(&app.db, lapses - reminder_hours - Duration::minutes(1)).await.expect("ran");
    assert_eq!(outbox_to(&app, &staff).await.len(), 1);
    for minutes in [239, 120, 1] {
        server::domain::booking_changes::remind_before_lapse(&app.db, lapses - Duration::minutes(minutes)).await.expect("ran");
    }
    let queued = outbox_to(&app, &staff).await;
    assert_eq!(queued.len(), 2);
    assert!(queued[1].subject.starts_with("Reminder: answer request"));

    let mailer = server::mail::from_config(&smtp::settings(), &std::env::temp_dir()).expect("a mailer");
    // Sent when due: the reminder was queued at the (test's) time it was made.
    assert_eq!(mail::send_due(&app.db, mailer.as_ref(), SITE, lapses).await.expect("sent"), 2);
    let received = smtp::received_by(&staff);
    assert_eq!(received.len(), 2);
    assert!(received.iter().all(|mail| mail.tls && mail.content.contains(&format!("{SITE}/provider/bookings"))));
}

/// Sets a password with a code, as the set-up page does without JavaScript.
async fn set_up(app: &TestApp, address: &str, code: &str, password: &str) -> tests::Reply {
    let fields = [("form[email]", address), ("form[code]", code), ("form[password]", password)];
    app.visitor().post_form("/api/set-up-account", &fields).await
}

/// The code in the link of the newest "choose a new password" message to `address`.
fn mailed_reset_code(address: &str) -> String {
    let received = smtp::received_by(address);
    let text = received.last().expect("a message").decoded();
    let start = text.find("/account/set-up?reset=1&code=").expect("the link") + "/account/set-up?reset=1&code=".len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

#[tokio::test]
async fn a_forgotten_password_is_replaced_through_a_single_use_emailed_link_with_the_same_answer_for_any_address() {
    let app = TestApp::new().await;
    let address = unique_address(&app, false).await;
    let nobody = format!("nobody-{address}");
    // Signed in somewhere with the old password: the new one ends that.
    let mut elsewhere = app.visitor();
    assert!(elsewhere.sign_in(&address, tests::fixtures::PASSWORD).await.location().is_some_and(|to| to.starts_with("/dashboard/")));
    let mailer = server::mail::from_config(&smtp::settings(), &std::env::temp_dir()).expect("a mailer");
    let mut visitor = app.visitor();

    // The same answer whether or not the address has an account; mail only for the account.
    let asked = visitor.post_form("/api/forgot-password", &[("email", address.as_str())]).await;
    let asked_for_nobody = visitor.post_form("/api/forgot-password", &[("email", nobody.as_str())]).await;
    assert_eq!(asked.status, 302, "{asked:?}");
    assert_eq!(asked.location(), Some("/account/forgot-password?sent=1"));
    assert_eq!((asked_for_nobody.status, asked_for_nobody.location()), (asked.status, asked.location()));
    mail::send_due(&app.db, mailer.as_ref(), SITE, Utc::now()).await.expect("sent");
    assert!(smtp::received_by(&nobody).is_empty());
    let received = smtp::received_by(&address);
    assert_eq!(received.len(), 1, "an account message goes even to an unconfirmed address");
    assert_eq!(received[0].header("Subject").as_deref(), Some("Choose a new password for CareMarket"));
    let code = mailed_reset_code(&address);
    assert_eq!(code.len(), 14, "{code}");

    // The link's code sets a new password and signs the person in; the address is now confirmed.
    let done = set_up(&app, &address, &code, "a brand new long password").await;
    assert_eq!(done.status, 302, "{done:?}");
    assert!(done.location().is_some_and(|to| to.starts_with("/dashboard/")), "{done:?}");
    let mut again = app.visitor();
    assert!(again.sign_in(&address, "a brand new long password").await.location().is_some_and(|to| to.starts_with("/dashboard/")));
    let person = server::entities::user::Entity::find_by_id(app.personas.budget_holder.id).one(&app.db).await.expect("query").expect("person");
    assert!(person.email_confirmed_at.is_some());
    let signed_out = elsewhere.get("/budget/statement").await;
    assert!(signed_out.location().is_some_and(|to| to.starts_with("/sign-in")), "the old sign-in ended: {signed_out:?}");
    // Once only.
    let reused = set_up(&app, &address, &code, "yet another long password").await;
    assert!(matches!(reused.redirected_error(), Some(app::UiError::Invalid(_))), "{reused:?}");

    // An hour old, the link no longer works.
    let long_ago = Utc::now() - Duration::minutes(server::domain::accounts::RESET_LINK_MINUTES + 1);
    server::domain::accounts::forgot_password(&app.db, &address, "203.0.113.9", long_ago).await.expect("asked");
    mail::send_due(&app.db, mailer.as_ref(), SITE, Utc::now()).await.expect("sent");
    let expired = set_up(&app, &address, &mailed_reset_code(&address), "an expired link password").await;
    assert!(matches!(expired.redirected_error(), Some(app::UiError::Invalid(_))), "{expired:?}");

    // Asking again and again for one address is limited (nobody can flood an inbox).
    for _ in 0..3 {
        visitor.post_form("/api/forgot-password", &[("email", nobody.as_str())]).await;
    }
    let flooding = visitor.post_form("/api/forgot-password", &[("email", nobody.as_str())]).await;
    assert!(matches!(flooding.redirected_error(), Some(app::UiError::Throttled { .. })), "{flooding:?}");
}

#[tokio::test]
async fn a_registration_opens_from_the_link_a_real_mail_server_received_once_and_care_mail_follows() {
    let app = TestApp::new().await;
    let address = format!("self-{}@mail.test", server::domain::auth::random_token().expect("token")[..12].to_lowercase());
    let fields = [("form[your_name]", "Sam Okafor"), ("form[email]", address.as_str()), ("form[password]", "a long enough password")];
    let registered = app.visitor().post_form("/api/register-self-funder", &fields).await;
    assert_eq!(registered.location(), Some("/register/person?sent=1"), "{registered:?}");
    let queued = outbox_to(&app, &address).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].subject, "Confirm your email address to open your CareMarket account");

    let mailer = server::mail::from_config(&smtp::settings(), &std::env::temp_dir()).expect("a mailer");
    mail::send_due(&app.db, mailer.as_ref(), SITE, Utc::now()).await.expect("sent");
    let text = smtp::received_by(&address).last().expect("the link").decoded();
    let start = text.find("/account/confirm-email?token=").expect("the link") + "/account/confirm-email?token=".len();
    let token: String = text[start..].chars().take_while(char::is_ascii_hexdigit).collect();
    assert_eq!(token.len(), 64);

    let wrong = app.visitor().post_form("/api/confirm-email", &[("token", "0".repeat(64).as_str()), ("password", "a long enough password")]).await;
    assert!(matches!(wrong.redirected_error(), Some(app::UiError::Invalid(_))), "{wrong:?}");
    let found = server::entities::user::Entity::find().filter(server::entities::user::Column::Email.eq(address.as_str()));
    assert!(found.clone().one(&app.db).await.expect("query").is_none(), "no account before the link is followed");
    let opened = app.visitor().post_form("/api/confirm-email", &[("token", token.as_str()), ("password", "a long enough password")]).await;
    assert_eq!(opened.location(), Some("/dashboard/budget-holder"), "{opened:?}");
    let person = found.one(&app.db).await.expect("query").expect("the account");
    assert!(person.email_confirmed_at.is_some());
    let again = app.visitor().post_form("/api/confirm-email", &[("token", token.as_str()), ("password", "a long enough password")]).await;
    assert!(matches!(again.redirected_error(), Some(app::UiError::Invalid(_))), "once only: {again:?}");

    let news = News {
        event: "test:after".into(),
        subject: "News".into(),
        message: "Something about your care.".into(),
        link_path: "/dashboard".into(),
        link_text: "Go to your dashboard",
        kind: app::MailKind::Bookings,
    };
    notifications::tell(&app.db, person.id, None, &news, Utc::now()).await.expect("told");
    assert_eq!(outbox_to(&app, &address).await.len(), 2, "care mail goes to the confirmed address");
}

#[tokio::test]
async fn people_choose_what_is_emailed_and_the_dashboard_still_says_everything() {
    let app = TestApp::new().await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let page = holder.get("/account/notifications").await;
    assert!(page.contains("Messages about a booking") && page.contains("Dashboard only"), "{}", page.text());
    let bad = holder.post_form("/api/choose-mail", &[("choices[bookings]", "pigeon")]).await;
    assert!(matches!(bad.redirected_error(), Some(app::UiError::Invalid(_))), "{bad:?}");
    let reply = holder.post_form("/api/choose-mail", &[("choices[bookings]", "dashboard"), ("choices[visits]", "email")]).await;
    assert_eq!(reply.location(), Some("/account/notifications?saved=1"), "{reply:?}");
    let chosen = mail::choices(&app.db, &crate::booking_changes::user(&app, app.personas.budget_holder.id).await).await.expect("choices");
    assert!(chosen.choices.contains(&(app::MailKind::Bookings, false)) && chosen.choices.contains(&(app::MailKind::Visits, true)));

    // A booking accepted: on the dashboard, but not emailed; a password link still is.
    let (_, address) = accepted_booking(&app, true).await;
    assert!(outbox_to(&app, &address).await.is_empty(), "bookings are dashboard only now");
    let told = server::domain::notifications::latest(&app.db, app.personas.budget_holder.id, 5).await.expect("messages");
    assert!(told.iter().any(|n| n.message.contains("accepted booking")));
    server::domain::accounts::forgot_password(&app.db, &address, "198.51.100.7", Utc::now()).await.expect("asked");
    assert_eq!(outbox_to(&app, &address).await.len(), 1, "account messages cannot be switched off");
    // Each person's own: the provider's staff still have everything emailed.
    let staff = crate::booking_changes::user(&app, app.personas.provider.id).await;
    assert!(mail::choices(&app.db, &staff).await.expect("choices").choices.iter().all(|(_, by_email)| *by_email));
}

#[tokio::test]
async fn a_sign_in_from_a_new_place_is_emailed_whatever_the_person_chose() {
    let app = TestApp::new().await;
    let address = unique_address(&app, true).await;
    let persona = tests::fixtures::Persona { email: address.clone(), ..app.personas.budget_holder.clone() };
    // Dashboard only for everything they may choose: this is not one of those.
    let mut first = app.visitor();
    first.address = "198.51.100.20".into();
    first.sign_in(&address, tests::fixtures::PASSWORD).await;
    let choices: Vec<(&str, &str)> = app::MailKind::ALL.iter().map(|kind| (kind.code(), "dashboard")).collect();
    let fields: Vec<(String, &str)> = choices.iter().map(|(code, choice)| (format!("choices[{code}]"), *choice)).collect();
    let fields: Vec<(&str, &str)> = fields.iter().map(|(name, choice)| (name.as_str(), *choice)).collect();
    first.post_form("/api/choose-mail", &fields).await;
    let sign_in_mail = || async { outbox_to(&app, &address).await.into_iter().filter(|mail| mail.subject.starts_with("A new sign-in")).count() };
    assert_eq!(sign_in_mail().await, 0, "the first place an account is used from is not news");
    // Again from the same network: nothing; from another: one message, once.
    let mut again = app.visitor();
    again.address = "198.51.100.20".into();
    again.sign_in(&address, tests::fixtures::PASSWORD).await;
    assert_eq!(sign_in_mail().await, 0);
    for _ in 0..2 {
        let mut elsewhere = app.visitor();
        elsewhere.address = "203.0.113.9".into();
        elsewhere.sign_in(&persona.email, tests::fixtures::PASSWORD).await;
    }
    assert_eq!(sign_in_mail().await, 1);
    let mailed = outbox_to(&app, &address).await.into_iter().find(|mail| mail.subject.starts_with("A new sign-in")).expect("mailed");
    assert_eq!(mailed.link_path, "/account/forgot-password");
    assert!(!mailed.body.contains("203.0.113.9"), "the address itself is never kept or sent");
}
