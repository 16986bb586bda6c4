use app::Role;
use tests::TestApp;

#[tokio::test]
async fn each_role_reaches_only_its_own_dashboard() {
    let app = TestApp::new().await;
    for persona in app.personas.all() {
        let mut client = app.signed_in(persona).await;
        for role in Role::ALL {
            let page = client.get(&role.dashboard_path()).await;
            if role == persona.role {
                assert_eq!(page.status, 200, "{:?} sees their own dashboard", persona.role);
            } else {
                assert_eq!(page.status, 403, "{:?} is refused the {:?} dashboard", persona.role, role);
                assert!(page.contains("You do not have access to this page"));
            }
        }
        let home = client.get("/dashboard").await;
        assert!(home.status == 302 || home.contains(&role_path(persona.role)), "/dashboard leads to their own");
    }
}

fn role_path(role: Role) -> String {
    role.dashboard_path()
}

#[tokio::test]
async fn dashboards_say_what_is_there_for_each_role() {
    let app = TestApp::new().await;
    let expectations = [
        (&app.personas.budget_holder, "Your budget"),
        (&app.personas.planner, "Your caseload"),
        (&app.personas.provider, "Riverside Home Care"),
        (&app.personas.commissioner, "Commissioning"),
    ];
    for (persona, heading) in expectations {
        let mut client = app.signed_in(persona).await;
        let page = client.get(&persona.role.dashboard_path()).await;
        assert_eq!(page.heading(), heading);
        assert!(page.contains("Sign out"), "signed-in navigation is shown");
        assert!(page.contains(&format!("({})", persona.role.label())), "the role is named in the header");
    }
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in() {
    let app = TestApp::new().await;
    let mut client = app.visitor();
    for role in Role::ALL {
        let page = client.get(&role.dashboard_path()).await;
        assert_eq!(page.status, 302, "{page:?}");
        assert_eq!(page.location(), Some(format!("/sign-in?next={}", role.dashboard_path()).as_str()));
    }
}

#[tokio::test]
async fn the_dashboard_api_refuses_other_roles_with_an_error_not_a_redirect() {
    let app = TestApp::new().await;
    let mut client = app.signed_in(&app.personas.budget_holder).await;
    let reply = client.api_get("/api/dashboard?role=Commissioner").await;
    assert_eq!(reply.status, 403);
    assert!(!reply.contains("Commissioning"));
    let mut anonymous = app.visitor();
    assert_eq!(anonymous.api_get("/api/dashboard?role=BudgetHolder").await.status, 401);
}
