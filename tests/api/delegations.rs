//! Acting on someone's behalf: the person asks a planner to help (by email, with chosen rights,
//! optionally until a date), the planner accepts, and the person can take it back at once; the
//! planner acts for them with a banner on every page; whatever the planner does is recorded
//! with both names and shown to the person. Asking never creates an account or reveals one.
use crate::bookings::{book, funded_budget, next_monday, question_query, weekday_home_care};
use sea_orm::EntityTrait;
use tests::fixtures::count;
use tests::{Client, TestApp};

async fn add_helper(holder: &mut Client, fields: &[(&str, &str)]) -> tests::Reply {
    let fields: Vec<(String, String)> = fields.iter().map(|(name, value)| (format!("form[{name}]"), value.to_string())).collect();
    holder.post_form("/api/add-helper", &fields).await
}

/// The ids of the requests in a page's forms, once each.
fn request_ids(page: &tests::Reply) -> Vec<String> {
    let mut ids: Vec<String> = page.body.split("name=\"request_id\" value=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_string).collect();
    ids.dedup();
    ids
}

/// The helper accepts every request waiting for them, from their caseload page, with every right
/// asked for; the person sees who accepted and lets each help.
async fn accept_requests(helper: &mut Client, holder: &mut Client) -> usize {
    let ids = request_ids(&helper.get("/dashboard/planner").await);
    for id in &ids {
        let fields = [("request_id", id.as_str()), ("answer", "accept"), ("can_book", "yes"), ("can_pay", "yes")];
        let reply = helper.post_form("/api/answer-help-request", &fields).await;
        assert_eq!(reply.location(), Some("/dashboard/planner?accepted=1"), "{reply:?}");
    }
    for id in &ids {
        let reply = holder.post_form("/api/let-helper", &[("request_id", id.as_str()), ("answer", "yes")]).await;
        assert_eq!(reply.location(), Some("/budget/helpers?let=1"), "{reply:?}");
    }
    ids.len()
}

fn field_messages(reply: &tests::Reply) -> Vec<String> {
    match reply.redirected_error() {
        Some(app::UiError::Invalid(errors)) => errors.into_iter().map(|e| e.message).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn a_planner_the_person_trusts_acts_for_them_until_it_is_taken_back() {
    let app = TestApp::new().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let person = app.personas.budget_holder.id;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;

    // Problems are named and nothing is asked.
    let reply = add_helper(&mut holder, &[("email", "nobody@test.example"), ("until", "2020-01-01")]).await;
    let messages = field_messages(&reply);
    assert!(messages.iter().any(|m| m == "The end date must be in the future"), "{messages:?}");
    let reply = add_helper(&mut holder, &[("email", "not an email")]).await;
    assert_eq!(field_messages(&reply), ["Enter an email address in the correct format, like name@example.com"]);
    assert_eq!(count(&app.db, "helper_invitations").await, 0);
    // Only the person gives permission for themself.
    let mut provider = app.signed_in(&app.personas.provider).await;
    let reply = add_helper(&mut provider, &[("email", "planner@test.example"), ("can_book", "yes")]).await;
    assert_eq!(reply.redirected_error(), Some(app::UiError::Forbidden));

    let reply = add_helper(&mut holder, &[("email", "planner@test.example"), ("can_book", "yes")]).await;
    assert_eq!(reply.location(), Some("/budget/helpers?asked=1"), "{reply:?}");
    let page = holder.get("/budget/helpers").await.text();
    assert!(page.contains("Waiting for an answer") && page.contains("Asked to see your budget and book and cancel care"), "{page}");

    // Nothing works until the planner accepts.
    let mut planner = app.signed_in(&app.personas.planner).await;
    let reply = planner.post_form("/api/act-for", &[("person", person.to_string().as_str())]).await;
    assert_eq!(reply.redirected_error(), Some(app::UiError::Forbidden), "not before accepting");
    let caseload = planner.get("/dashboard/planner").await.text();
    assert!(caseload.contains("People asking for your help") && caseload.contains("Asks you to: see their budget and book and cancel care"), "{caseload}");
    assert_eq!(accept_requests(&mut planner, &mut holder).await, 1);
    let page = holder.get("/budget/helpers").await.text();
    assert!(page.contains("Can see your budget and book and cancel care") && page.contains("Accepted by Test support planner on"), "{page}");
    assert!(!page.contains("Waiting for an answer"), "{page}");
    assert!(page.contains("Accepted your request to help you"), "the person sees who accepted: {page}");

    // The planner chooses to act for the person: a banner on every page, their statement.
    let caseload = planner.get("/dashboard/planner").await;
    assert!(caseload.text().contains("Act for Test budget holder"), "{}", caseload.text());
    let reply = planner.post_form("/api/act-for", &[("person", person.to_string().as_str())]).await;
    assert_eq!(reply.location(), Some("/"));
    assert!(planner.get("/").await.text().contains("You are acting for Test budget holder"));
    assert_eq!(planner.get("/budget/statement").await.status, 200);
    // Booking while acting for them books for them, as the planner.
    let (check, confirmed) = book(&mut planner, &listing, &question_query("once", next_monday(), "09:00", "60", &[]), None).await;
    assert!(check.text().contains("ForTest budget holder"), "{}", check.text());
    assert_eq!(confirmed.status, 302, "{confirmed:?}");
    let done = holder.get("/budget/helpers").await.text();
    assert!(done.contains("Done on your behalf") && done.contains("Test support planner") && done.contains("Asked for care (booking CM-"), "{done}");

    // Taken back: at once, the planner can no longer see or book.
    let page = holder.get("/budget/helpers").await;
    let delegation = page.body.split("name=\"delegation_id\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a helper to remove").to_string();
    let reply = holder.post_form("/api/remove-helper", &[("delegation_id", delegation.as_str())]).await;
    assert_eq!(reply.location(), Some("/budget/helpers?removed=1"));
    assert!(!planner.get("/").await.text().contains("You are acting for"), "the banner goes");
    assert_ne!(planner.get("/budget/statement").await.status, 200);
    let (check, _) = book(&mut planner, &listing, &question_query("once", next_monday(), "11:00", "60", &[]), Some(person)).await;
    assert_eq!(check.status, 403);
    assert_eq!(count(&app.db, "bookings").await, 1);
}

#[tokio::test]
async fn asking_for_help_answers_alike_for_any_address_and_opens_no_account() {
    let app = TestApp::new().await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let person = app.personas.budget_holder.id;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let (users, codes) = (count(&app.db, "users").await, count(&app.db, "account_setup_codes").await);
    // A planner's, nobody's (even with a name, as the old form took), a provider's and a
    // commissioner's address: the same answer each time, and no account or code made.
    let addresses = ["planner@test.example", "squatted@family.example", app.personas.provider.email.as_str(), app.personas.commissioner.email.as_str()];
    for email in addresses {
        let reply = add_helper(&mut holder, &[("email", email), ("name", "Rosa Diaz"), ("can_book", "yes")]).await;
        assert_eq!((reply.status, reply.location()), (302, Some("/budget/helpers?asked=1")), "{email}: {reply:?}");
        let page = holder.get("/budget/helpers?asked=1").await.text();
        assert!(page.contains("We have emailed them") && !page.contains("Give them this code"), "{email}: {page}");
    }
    assert_eq!((count(&app.db, "users").await, count(&app.db, "account_setup_codes").await), (users, codes));
    // Each address is mailed the request, under the same subject: the helper's account to
    // answer on its caseload, the others with a link that says what they can do.
    let mailed: Vec<(String, bool)> = {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        use server::entities::mail_outbox;
        let asked = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::Subject.eq("Someone asked you to help them on CareMarket"))
            .order_by_asc(mail_outbox::Column::Id);
        asked.all(&app.db).await.expect("outbox").into_iter().map(|mail| (mail.to_address, mail.link_path.starts_with("/helping?token="))).collect()
    };
    let expected: Vec<(String, bool)> = addresses.iter().map(|address| (address.to_string(), *address != "planner@test.example")).collect();
    assert_eq!(mailed, expected);

    // Someone who registers themself with the address asked for is a budget holder, not a
    // helper: they see no request and cannot accept one.
    let mut squatter = app.visitor();
    let fields =
        tests::fixtures::form_fields(&[("your_name", "Not Rosa"), ("email", "squatted@family.example"), ("password", "a long squatter password")], &[]);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let opened = app.register_and_open(&mut squatter, "/api/register-self-funder", &fields, "squatted@family.example").await;
    assert_eq!(opened.location(), Some("/dashboard/budget-holder"), "{opened:?}");
    let request: i64 = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let found =
            server::entities::helper_invitation::Entity::find().filter(server::entities::helper_invitation::Column::Email.eq("squatted@family.example"));
        found.one(&app.db).await.expect("query").expect("the request").id
    };
    let reply = squatter.post_form("/api/answer-help-request", &[("request_id", request.to_string().as_str()), ("answer", "accept")]).await;
    assert_eq!(reply.redirected_error(), Some(app::UiError::Forbidden));
    assert_eq!(squatter.post_form("/api/act-for", &[("person", person.to_string().as_str())]).await.redirected_error(), Some(app::UiError::Forbidden));
    assert_eq!(count(&app.db, "delegations").await, 0, "nobody can act for the person yet");

    // Ten requests a day at most: the form cannot be used to mail strangers in bulk.
    for n in 0..6 {
        let reply = add_helper(&mut holder, &[("email", format!("friend{n}@family.example").as_str())]).await;
        assert_eq!(reply.location(), Some("/budget/helpers?asked=1"), "{reply:?}");
    }
    let eleventh = add_helper(&mut holder, &[("email", "friend6@family.example")]).await;
    assert_eq!(field_messages(&eleventh), ["You have asked 10 people in the last day. Try again tomorrow"]);
}

#[tokio::test]
async fn permission_ends_on_its_date_and_view_only_helpers_cannot_book() {
    let app = TestApp::new().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let person = app.personas.budget_holder.id;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let reply = add_helper(&mut holder, &[("email", "planner@test.example")]).await;
    assert_eq!(reply.location(), Some("/budget/helpers?asked=1"));

    let mut planner = app.signed_in(&app.personas.planner).await;
    assert_eq!(accept_requests(&mut planner, &mut holder).await, 1);
    planner.post_form("/api/act-for", &[("person", person.to_string().as_str())]).await;
    assert_eq!(planner.get("/budget/statement").await.status, 200, "can see");
    let (check, _) = book(&mut planner, &listing, &question_query("once", next_monday(), "09:00", "60", &[]), None).await;
    assert_eq!(check.status, 403, "cannot book");

    // The permission ran out yesterday.
    app.execute_sql("UPDATE delegations SET expires_at = CURRENT_TIMESTAMP").await;
    assert_ne!(planner.get("/budget/statement").await.status, 200);
    assert!(!planner.get("/dashboard/planner").await.text().contains("Act for"));
    // Another person's permission cannot be claimed.
    let reply = planner.post_form("/api/act-for", &[("person", person.to_string().as_str())]).await;
    assert_eq!(reply.redirected_error(), Some(app::UiError::Forbidden));
}

#[tokio::test]
async fn a_family_member_gets_a_helpers_account_from_the_council_and_helps_only_whoever_asks() {
    let app = TestApp::new().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    // Someone else with a budget, who has not asked Rosa to help.
    let other = tests::fixtures::user(&app.db, app.personas.council_id, "someone@test.example", app::Role::BudgetHolder, None).await;
    funded_budget(&app, other.id, "direct_payment", 84_000).await;
    let users_before = count(&app.db, "users").await;

    // Only a commissioner opens a helper's account; the code is shown once, to hand over.
    let rosa_form = tests::fixtures::form_fields(&[("name", "Rosa Diaz"), ("email", "rosa@family.example")], &[]);
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    assert_eq!(holder.post_form("/api/open-helper-account", &rosa_form).await.redirected_error(), Some(app::UiError::Forbidden));
    let mut council = app.signed_in(&app.personas.commissioner).await;
    let reply = council.post_form("/api/open-helper-account", &rosa_form).await;
    let location = reply.location().expect("back to the budgets page").to_string();
    let code = location.split("helper_code=").nth(1).expect("a set-up code for Rosa").to_string();
    let page = council.get(&location).await.text();
    assert!(page.contains("Helper's account opened") && page.contains(&code), "{page}");
    assert_eq!(count(&app.db, "users").await, users_before + 1);
    let again = council.post_form("/api/open-helper-account", &rosa_form).await;
    assert_eq!(field_messages(&again), ["Someone already has an account with this email address"]);

    // Rosa chooses her password with the code; nobody's care is hers to see yet.
    let mut rosa = app.visitor();
    let fields = tests::fixtures::form_fields(&[("email", "rosa@family.example"), ("code", code.as_str()), ("password", "a long family password")], &[]);
    let reply = rosa.post_form("/api/set-up-account", &fields).await;
    assert_eq!(reply.location(), Some("/dashboard/planner"), "{reply:?}");
    assert!(rosa.get("/dashboard/planner").await.text().contains("Nobody has asked you to act for them yet"));

    // The person asks her; she accepts, and acts for the person who asked her, only.
    assert_eq!(add_helper(&mut holder, &[("email", "rosa@family.example"), ("can_book", "yes")]).await.location(), Some("/budget/helpers?asked=1"));
    assert_eq!(accept_requests(&mut rosa, &mut holder).await, 1);
    let caseload = rosa.get("/dashboard/planner").await.text();
    assert!(caseload.contains("Act for Test budget holder"), "{caseload}");
    assert!(!caseload.contains("someone@test.example") && caseload.matches("Act for").count() == 1, "{caseload}");
    let reply = rosa.post_form("/api/act-for", &[("person", other.id.to_string().as_str())]).await;
    assert_eq!(reply.redirected_error(), Some(app::UiError::Forbidden), "not for someone who did not ask her");
    let person = app.personas.budget_holder.id;
    let (_, confirmed) = book(&mut rosa, &listing, &question_query("once", next_monday(), "09:00", "60", &[]), Some(person)).await;
    assert_eq!(confirmed.status, 302, "{confirmed:?}");
    let done = holder.get("/budget/helpers").await.text();
    assert!(done.contains("Accepted by Rosa Diaz on") && done.contains("Asked for care (booking CM-"), "{done}");

    // Declining a request grants nothing.
    let mut other_holder = app.signed_in(&other).await;
    add_helper(&mut other_holder, &[("email", "rosa@family.example")]).await;
    let page = rosa.get("/dashboard/planner").await;
    let id = page.body.split("name=\"request_id\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a request").to_string();
    let reply = rosa.post_form("/api/answer-help-request", &[("request_id", id.as_str()), ("answer", "decline")]).await;
    assert_eq!(reply.location(), Some("/dashboard/planner?declined=1"));
    assert_eq!(rosa.post_form("/api/act-for", &[("person", other.id.to_string().as_str())]).await.redirected_error(), Some(app::UiError::Forbidden));
}

/// The link mailed to `address` with the newest request to help.
async fn help_link(app: &TestApp, address: &str) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use server::entities::mail_outbox;
    let mailed = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddress.eq(address))
        .filter(mail_outbox::Column::LinkPath.starts_with("/helping?token="))
        .order_by_desc(mail_outbox::Column::Id)
        .one(&app.db)
        .await
        .expect("outbox")
        .unwrap_or_else(|| panic!("no request to help was mailed to {address}"));
    assert_eq!(mailed.subject, "Someone asked you to help them on CareMarket", "the person's name is never the subject");
    assert!(mailed.body.starts_with("Test budget holder asked you to"), "{}", mailed.body);
    assert!(!mailed.body.contains("code"), "never a code: {}", mailed.body);
    mailed.link_path
}

#[tokio::test]
async fn anyone_asked_opens_a_helpers_account_from_the_mailed_link_accepts_some_rights_and_helps_once_the_person_lets_them() {
    let app = TestApp::new().await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let person = app.personas.budget_holder.id;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let asked = add_helper(&mut holder, &[("email", "cousin@family.example"), ("can_book", "yes"), ("can_pay", "yes")]).await;
    assert_eq!(asked.location(), Some("/budget/helpers?asked=1"));
    let link = help_link(&app, "cousin@family.example").await;
    let token = link.trim_start_matches("/helping?token=").to_string();

    // The link shows who asks and for what; a wrong one shows nothing.
    let page = app.visitor().get(&link).await.text();
    assert!(page.contains("Test budget holder asked you to help them") && page.contains("Open a helper's account to answer"), "{page}");
    assert!(page.contains("see their budget, book and cancel care and pay by card"), "{page}");
    let wrong = app.visitor().get(&format!("/helping?token={}", "0".repeat(64))).await.text();
    assert!(wrong.contains("This link no longer works") && !wrong.contains("Test budget holder"), "{wrong}");

    // Bad answers are named and open nothing; then the account opens, once, as a helper's.
    let users = count(&app.db, "users").await;
    let mut cousin = app.visitor();
    let join = async |client: &mut Client, token: &str, name: &str| {
        client.post_form("/api/join-to-help", &[("token", token), ("your_name", name), ("password", "a long cousin password")]).await
    };
    assert_eq!(field_messages(&join(&mut cousin, &token, " ").await), ["Enter your full name"]);
    assert!(matches!(join(&mut cousin, &"0".repeat(64), "Ann Cousin").await.redirected_error(), Some(app::UiError::Invalid(_))));
    assert_eq!(count(&app.db, "users").await, users);
    let joined = join(&mut cousin, &token, "Ann Cousin").await;
    assert_eq!(joined.location(), Some("/dashboard/planner?joined=1"), "{joined:?}");
    assert_eq!(count(&app.db, "users").await, users + 1);
    let again = join(&mut app.visitor(), &token, "Somebody Else").await;
    assert!(matches!(again.redirected_error(), Some(app::UiError::Invalid(_))), "the link opens one account: {again:?}");
    assert_eq!(count(&app.db, "users").await, users + 1);

    // She accepts seeing the budget and booking, not paying by card.
    let caseload = cousin.get("/dashboard/planner?joined=1").await;
    assert!(caseload.text().contains("Your helper's account is open") && caseload.text().contains("Accept: help Test budget holder"), "{}", caseload.text());
    let id = request_ids(&caseload).first().expect("the request").clone();
    let reply = cousin.post_form("/api/answer-help-request", &[("request_id", id.as_str()), ("answer", "accept"), ("can_book", "yes")]).await;
    assert_eq!(reply.location(), Some("/dashboard/planner?accepted=1"), "{reply:?}");
    assert!(!cousin.get("/dashboard/planner").await.text().contains("Accept: help"), "answered once");

    // Nothing works until the person, seeing who accepted and what, lets her.
    let act_for = [("person", person.to_string())];
    let act_for: Vec<(&str, &str)> = act_for.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(cousin.post_form("/api/act-for", &act_for).await.redirected_error(), Some(app::UiError::Forbidden));
    let page = holder.get("/budget/helpers").await.text();
    assert!(page.contains("Accepted: check it is them") && page.contains("Ann Cousin (cousin@family.example) accepted on"), "{page}");
    assert!(page.contains("They would see your budget and book and cancel care") && !page.contains("They would see your budget, book"), "{page}");
    let told: Vec<String> = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let mail = server::entities::mail_outbox::Entity::find().filter(server::entities::mail_outbox::Column::UserId.eq(person));
        mail.all(&app.db).await.expect("outbox").into_iter().map(|mail| mail.subject).collect()
    };
    assert!(told.iter().any(|subject| subject == "Ann Cousin accepted your request to help you"), "{told:?}");
    // Only the person lets a helper help them.
    let let_fields = [("request_id", id.as_str()), ("answer", "yes")];
    assert_eq!(cousin.post_form("/api/let-helper", &let_fields).await.redirected_error(), Some(app::UiError::Forbidden));
    let someone = tests::fixtures::user(&app.db, app.personas.council_id, "someone@test.example", app::Role::BudgetHolder, None).await;
    let mut someone = app.signed_in(&someone).await;
    assert_eq!(someone.post_form("/api/let-helper", &let_fields).await.redirected_error(), Some(app::UiError::NotFound));
    assert_eq!(count(&app.db, "delegations").await, 0);
    assert_eq!(holder.post_form("/api/let-helper", &let_fields).await.location(), Some("/budget/helpers?let=1"));
    assert_eq!(holder.post_form("/api/let-helper", &let_fields).await.redirected_error(), Some(app::UiError::NotFound), "once");
    let granted = server::entities::delegation::Entity::find().one(&app.db).await.expect("read").expect("the right");
    assert_eq!((granted.delegate_id != person, granted.can_view, granted.can_book, granted.can_pay), (true, true, true, false));
    assert_eq!(cousin.post_form("/api/act-for", &act_for).await.location(), Some("/"));
}

#[tokio::test]
async fn an_address_with_another_kind_of_account_is_told_it_cannot_help_with_it() {
    let app = TestApp::new().await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    add_helper(&mut holder, &[("email", app.personas.provider.email.as_str())]).await;
    let link = help_link(&app, &app.personas.provider.email).await;
    let page = app.visitor().get(&link).await.text();
    assert!(page.contains("cannot act for someone else") && !page.contains("Open a helper's account"), "{page}");
    let token = link.trim_start_matches("/helping?token=");
    let reply = app.visitor().post_form("/api/join-to-help", &[("token", token), ("your_name", "Not Them"), ("password", "a long other password")]).await;
    assert!(matches!(reply.redirected_error(), Some(app::UiError::Invalid(_))), "{reply:?}");
    // The person hears the same as for any address.
    let page = holder.get("/budget/helpers").await.text();
    assert!(page.contains("Waiting for an answer"), "{page}");
}
