//! Acting on someone's behalf: the person lets a planner help (by email, with chosen rights,
//! optionally until a date) and takes it back at once; the planner acts for them with a banner
//! on every page; whatever the planner does is recorded with both names and shown to the person.
use crate::bookings::{book, funded_budget, next_monday, question_query, weekday_home_care};
use tests::fixtures::count;
use tests::{Client, TestApp};

async fn add_helper(holder: &mut Client, fields: &[(&str, &str)]) -> tests::Reply {
    let fields: Vec<(String, String)> = fields.iter().map(|(name, value)| (format!("form[{name}]"), value.to_string())).collect();
    holder.post_form("/api/add-helper", &fields).await
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

    // Problems are named and nothing is granted.
    let reply = add_helper(&mut holder, &[("email", "nobody@test.example"), ("until", "2020-01-01")]).await;
    let messages = field_messages(&reply);
    assert!(messages.iter().any(|m| m == "The end date must be in the future"), "{messages:?}");
    let reply = add_helper(&mut holder, &[("email", "nobody@test.example")]).await;
    assert_eq!(
        field_messages(&reply),
        ["There is no account with that email address yet. Check it, or enter their name and we will give you a code for them to set up their account"]
    );
    // A provider's or the council's account cannot be made someone's helper.
    let reply = add_helper(&mut holder, &[("email", app.personas.provider.email.as_str()), ("name", "Someone")]).await;
    assert_eq!(field_messages(&reply), ["That email address belongs to an account that cannot help someone else: ask them for another one"]);
    assert_eq!(count(&app.db, "delegations").await, 0);
    // Only the person gives permission for themself.
    let mut provider = app.signed_in(&app.personas.provider).await;
    let reply = add_helper(&mut provider, &[("email", "planner@test.example"), ("can_book", "yes")]).await;
    assert_eq!(reply.redirected_error(), Some(app::UiError::Forbidden));

    let reply = add_helper(&mut holder, &[("email", "planner@test.example"), ("can_book", "yes")]).await;
    assert_eq!(reply.location(), Some("/budget/helpers?added=1"), "{reply:?}");
    assert!(holder.get("/budget/helpers").await.text().contains("Can see your budget and book and cancel care"));

    // The planner chooses to act for the person: a banner on every page, their statement.
    let mut planner = app.signed_in(&app.personas.planner).await;
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
async fn permission_ends_on_its_date_and_view_only_helpers_cannot_book() {
    let app = TestApp::new().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    let person = app.personas.budget_holder.id;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;
    let reply = add_helper(&mut holder, &[("email", "planner@test.example")]).await;
    assert_eq!(reply.location(), Some("/budget/helpers?added=1"));

    let mut planner = app.signed_in(&app.personas.planner).await;
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
async fn a_family_member_without_an_account_gets_one_from_the_person_and_sees_only_them() {
    let app = TestApp::new().await;
    let (_, listing) = weekday_home_care(&app, app.personas.provider_id, "Morning visits").await;
    funded_budget(&app, app.personas.budget_holder.id, "direct_payment", 84_000).await;
    // Someone else with a budget, who has not asked Rosa to help.
    let other = tests::fixtures::user(&app.db, app.personas.council_id, "someone@test.example", app::Role::BudgetHolder, None).await;
    funded_budget(&app, other.id, "direct_payment", 84_000).await;
    let users_before = count(&app.db, "users").await;
    let mut holder = app.signed_in(&app.personas.budget_holder).await;

    let reply = add_helper(&mut holder, &[("email", "rosa@family.example"), ("name", "Rosa Diaz"), ("can_book", "yes")]).await;
    let location = reply.location().expect("back to the helpers page").to_string();
    let code = location.split("code=").nth(1).expect("a set-up code for Rosa").to_string();
    assert!(location.starts_with("/budget/helpers?added=1&code="), "{location}");
    let page = holder.get(&location).await.text();
    assert!(page.contains("Their account is ready") && page.contains(&code) && page.contains("Rosa Diaz"), "{page}");
    assert_eq!(count(&app.db, "users").await, users_before + 1);

    // Rosa chooses her password with the code, and acts for the person who asked her, only.
    let mut rosa = app.visitor();
    let fields = tests::fixtures::form_fields(&[("email", "rosa@family.example"), ("code", code.as_str()), ("password", "a long family password")], &[]);
    let reply = rosa.post_form("/api/set-up-account", &fields).await;
    assert_eq!(reply.location(), Some("/dashboard/planner"), "{reply:?}");
    let caseload = rosa.get("/dashboard/planner").await.text();
    assert!(caseload.contains("Act for Test budget holder"), "{caseload}");
    assert!(!caseload.contains("someone@test.example") && caseload.matches("Act for").count() == 1, "{caseload}");
    let reply = rosa.post_form("/api/act-for", &[("person", other.id.to_string().as_str())]).await;
    assert_eq!(reply.redirected_error(), Some(app::UiError::Forbidden), "not for someone who did not ask her");
    let person = app.personas.budget_holder.id;
    let (_, confirmed) = book(&mut rosa, &listing, &question_query("once", next_monday(), "09:00", "60", &[]), Some(person)).await;
    assert_eq!(confirmed.status, 302, "{confirmed:?}");
    let done = holder.get("/budget/helpers").await.text();
    assert!(done.contains("Rosa Diaz") && done.contains("Asked for care (booking CM-"), "{done}");

    // Asking again for someone who now has an account links them; no second account or code.
    let reply = add_helper(&mut holder, &[("email", "rosa@family.example"), ("name", "Rosa Diaz")]).await;
    assert_eq!(reply.location(), Some("/budget/helpers?added=1"));
    assert_eq!(count(&app.db, "users").await, users_before + 1);
    assert_eq!(count(&app.db, "account_setup_codes").await, 1);
}
