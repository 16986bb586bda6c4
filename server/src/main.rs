//! `caremarket` — run the server, or manage its database.
//!
//! ```text
//! caremarket                      serve (migrates, and loads demo data into an empty database)
//! caremarket migrate [up|down|fresh]
//! caremarket seed demo|bench [--seed N]
//! caremarket reindex             rebuild the search index from the database
//! caremarket allocate [--date YYYY-MM-DD]   pay every budget its allocation for the period
//! caremarket statements [--month YYYY-MM]   make a month's statements (default: last month's)
//! caremarket ledger-check         check the ledger balances (sum zero, entries, no overdrawn budget)
//! caremarket repair               put right what earlier versions recorded wrongly (also at start)
//! ```
use server::db::Db;
use server::domain::{booking_changes, budgets, ledger, visits};
use server::search::SearchEngine;
use server::search::embedded::EmbeddedIndex;
use server::search::meilisearch::{MeilisearchIndex, RankingRules};
use server::{AppState, Config, db, seed};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// Rendering a page allocates a great deal; mimalloc does it far faster than glibc's malloc
/// when requests run on several threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Room for rendering deeply nested pages (mostly a concern of unoptimised builds).
const THREAD_STACK: usize = 8 * 1024 * 1024;

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().thread_stack_size(THREAD_STACK).build();
    match runtime {
        Ok(runtime) => runtime.block_on(start()),
        Err(error) => {
            eprintln!("caremarket: cannot start the async runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn start() -> ExitCode {
    tracing_subscriber::fmt().with_max_level(log_level()).with_target(false).init();
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
    match run(&arguments).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("caremarket: {message}");
            ExitCode::FAILURE
        }
    }
}

fn log_level() -> tracing::Level {
    std::env::var("RUST_LOG").ok().and_then(|level| level.parse().ok()).unwrap_or(tracing::Level::INFO)
}

async fn run(arguments: &[&str]) -> Result<(), String> {
    let config = Config::from_env()?;
    let started = Instant::now();
    let db = db::connect(&config.database_url, config.db_connections).await.map_err(|error| format!("cannot open the database: {error}"))?;
    match arguments {
        [] | ["serve"] => serve(db, config, started).await,
        ["migrate"] | ["migrate", "up"] => migrate(&db).await,
        ["migrate", direction @ ("down" | "fresh")] => {
            use migrations::MigratorTrait;
            let result = if *direction == "down" { migrations::Migrator::down(db.pool(), None).await } else { migrations::Migrator::fresh(db.pool()).await };
            result.map_err(|error| format!("migration failed: {error}"))
        }
        ["seed", size, rest @ ..] => {
            let size = seeds::Size::parse(size).ok_or("the data set is `demo` or `bench`")?;
            let seed = match rest {
                [] => seeds::DEFAULT_SEED,
                ["--seed", number] => number.parse().map_err(|_| "--seed takes a whole number")?,
                _ => return Err("usage: caremarket seed demo|bench [--seed N]".into()),
            };
            migrate(&db).await?;
            load_seed(&db, size, seed, true).await
        }
        ["reindex"] => {
            migrate(&db).await?;
            reindex(&db, open_search(&config).await?.as_ref(), true).await
        }
        ["allocate", rest @ ..] => {
            let today = match rest {
                [] => server::domain::uk_time::to_local(chrono::Utc::now()).date(),
                ["--date", day] => day.parse().map_err(|_| "--date takes a date like 2026-12-01")?,
                _ => return Err("usage: caremarket allocate [--date YYYY-MM-DD]".into()),
            };
            migrate(&db).await?;
            let run = budgets::run_allocations(&db, today, chrono::Utc::now()).await.map_err(|error| format!("allocation run failed: {error}"))?;
            println!("paid {} budgets {} in all; {} already paid for this period", run.paid, app::format_pence(run.total_pence), run.already_paid);
            Ok(())
        }
        ["statements", rest @ ..] => {
            let now = chrono::Utc::now();
            let month = match rest {
                [] => server::domain::monthly_statements::month_before(server::domain::uk_time::to_local(now).date()),
                ["--month", month] => {
                    chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").map_err(|_| "--month takes a month like 2026-11")?
                }
                _ => return Err("usage: caremarket statements [--month YYYY-MM]".into()),
            };
            migrate(&db).await?;
            let started = Instant::now();
            let made = server::domain::monthly_statements::make(&db, month, now).await.map_err(|error| format!("statements failed: {error}"))?;
            println!("made {made} statements for {} in {:.1} s", server::domain::monthly_statements::month_name(month), started.elapsed().as_secs_f64());
            Ok(())
        }
        ["repair"] => {
            migrate(&db).await?;
            let repaired = repair(&db).await?;
            println!("{repaired:?}");
            Ok(())
        }
        ["mail"] => {
            migrate(&db).await?;
            let unsent = server::domain::mail::unsent(&db).await.map_err(|error| format!("cannot read the mail outbox: {error}"))?;
            println!("mail goes to {}", server::mail::from_config(&config.mail, &config.data_dir)?.describe());
            if unsent.is_empty() {
                println!("nothing is waiting to be sent");
            }
            for mail in unsent {
                let state = match (mail.failed_at, &mail.last_error) {
                    (Some(at), error) => format!("FAILED {} ({})", at.format("%Y-%m-%d %H:%M"), error.as_deref().unwrap_or("")),
                    (None, Some(error)) => {
                        format!("waiting, tried {} times, next {} ({error})", mail.attempts, mail.next_attempt_at.format("%Y-%m-%d %H:%M:%S"))
                    }
                    (None, None) => "waiting".into(),
                };
                println!("{:>6}  {}  {:<40} {}  {state}", mail.id, mail.created_at.format("%Y-%m-%d %H:%M"), mail.to_address, mail.subject);
            }
            Ok(())
        }
        ["ledger-check"] => {
            let check = ledger::soundness(&db).await.map_err(|error| format!("cannot check the ledger: {error}"))?;
            println!("{check:?}");
            if check.is_sound() { Ok(()) } else { Err("the ledger breaks its rules".into()) }
        }
        _ => Err(
            "usage: caremarket [serve | migrate [up|down|fresh] | seed demo|bench [--seed N] | reindex | allocate [--date D] | statements [--month M] | ledger-check | repair | mail]"
                .into(),
        ),
    }
}

async fn migrate(db: &Db) -> Result<(), String> {
    db::migrate(db).await.map_err(|error| format!("migration failed: {error}"))
}

/// The fixes for what earlier versions recorded wrongly: each is made once, however often run.
async fn repair(db: &Db) -> Result<server::domain::repairs::Repaired, String> {
    let repaired = server::domain::repairs::run_all(db, chrono::Utc::now()).await.map_err(|error| format!("repairs failed: {error}"))?;
    if repaired != server::domain::repairs::Repaired::default() {
        tracing::warn!(?repaired, "put right records that earlier versions got wrong");
    }
    Ok(repaired)
}

async fn load_seed(db: &Db, size: seeds::Size, seed: u64, show_progress: bool) -> Result<(), String> {
    let started = Instant::now();
    let data = seeds::generate(size, seed);
    let progress = move |table: &str, done: usize, total: usize| {
        if show_progress {
            let bar_width = 30;
            let filled = (done * bar_width).checked_div(total).unwrap_or(bar_width);
            eprint!("\r  loading {table:<22} [{}{}] {done:>9}/{total:<9}", "#".repeat(filled), " ".repeat(bar_width - filled));
            let _ = std::io::stderr().flush();
        }
    };
    let outcome = seed::load(db, &data, &progress).await.map_err(|error| format!("seeding failed: {error}"))?;
    if show_progress {
        eprintln!();
    }
    match outcome {
        seed::SeedOutcome::Loaded => tracing::info!(seconds = started.elapsed().as_secs_f32(), "seed data loaded"),
        seed::SeedOutcome::AlreadyLoaded => tracing::info!("seed data was already loaded; nothing changed"),
    }
    Ok(())
}

async fn serve(db: Db, config: Config, started: Instant) -> Result<(), String> {
    // A vocabulary that does not read would leave search without its synonyms: refuse to start.
    server::search::understanding::check()?;
    migrate(&db).await?;
    if config.demo_data && is_empty(&db).await? {
        tracing::info!("the database is empty: loading the demo data set");
        load_seed(&db, seeds::Size::Demo, seeds::DEFAULT_SEED, false).await?;
    }
    repair(&db).await?;
    if !config.may_serve_demo_logins() && server::domain::auth::demo_logins_present(&db).await.map_err(|error| error.to_string())? {
        return Err(format!(
            "this database has the demo sign-ins, whose password is published, and {} can be reached from other machines. \
             Serve it on 127.0.0.1, disable those accounts, or set CAREMARKET_PUBLIC_DEMO=true if it is a public demonstration",
            config.address
        ));
    }
    let (address, show_demo_logins) = (config.address, config.demo_data);
    let search = open_search(&config).await?;
    if search.is_empty().await.map_err(|error| error.to_string())? && has_published_listings(&db).await? {
        // A new index (or newly seeded data, which bypasses the outbox): build it whole.
        reindex(&db, search.as_ref(), false).await?;
    }
    let reports_db = db::connect_for_reports(&config.database_url, &db).await.map_err(|error| format!("cannot open the database: {error}"))?;
    let state = AppState::new(db, config, search.clone()).with_reports_db(reports_db);
    tokio::spawn(server::search::sync::keep_in_step(state.db.clone(), search));
    tokio::spawn(pay_allocations_when_due(state.db.clone()));
    if state.config.clock.is_set_by_file() {
        tracing::warn!("CAREMARKET_CLOCK_FILE is set: care, money and mail follow the time in that file (for tests only)");
    }
    tokio::spawn(keep_bookings_moving(state.db.clone(), state.config.clock.clone()));
    let mailer = server::mail::from_config(&state.config.mail, &state.config.data_dir)?;
    tracing::info!(to = %mailer.describe(), "mail is sent to");
    tokio::spawn(send_mail(state.db.clone(), mailer, state.config.site_url(), state.config.clock.clone()));
    if let Some(stripe) = state.stripe.clone() {
        tokio::spawn(finish_refunds(state.db.clone(), stripe));
    }
    let site_root = state.leptos_options.site_root.to_string();
    if let Err(error) = server::http::assets::remove_stale_copies(&site_root) {
        tracing::warn!(%error, "could not check the browser bundle's compressed copies");
    }
    tokio::task::spawn_blocking(move || match server::http::assets::precompress(&site_root) {
        Ok(0) => {}
        Ok(written) => tracing::info!(written, "compressed the browser bundle"),
        Err(error) => tracing::warn!(%error, "could not pre-compress the browser bundle; it is compressed per request instead"),
    });
    let app = server::http::router(state);
    let listener = tokio::net::TcpListener::bind(address).await.map_err(|error| format!("cannot listen on {address}: {error}"))?;
    let shown = listener.local_addr().map_err(|error| error.to_string())?;
    println!("\nCareMarket is running at http://{shown}  (ready in {} ms)", started.elapsed().as_millis());
    if show_demo_logins {
        println!("Demo sign-ins (password: {}):", seeds::DEMO_PASSWORD);
        for (role, email) in seeds::DEMO_LOGINS {
            println!("  {role:<16} {email}");
        }
    }
    println!("Press Ctrl+C to stop.\n");
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|error| format!("server stopped: {error}"))
}

/// The scheduled allocation run, then last month's statements: at start and every hour after.
/// A period is paid once per budget, and a statement made once, however often it runs, so a
/// restart or a second server never pays twice.
async fn pay_allocations_when_due(db: Db) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    loop {
        every_hour.tick().await;
        let now = chrono::Utc::now();
        match budgets::run_allocations(&db, server::domain::uk_time::to_local(now).date(), now).await {
            Ok(run) if run.paid > 0 => tracing::info!(budgets = run.paid, pence = run.total_pence, "allocations paid"),
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "the allocation run failed; it will try again in an hour"),
        }
        match server::domain::monthly_statements::make_due(&db, now).await {
            Ok(made) if made > 0 => tracing::info!(statements = made, "monthly statements made"),
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "could not make the monthly statements; trying again in an hour"),
        }
    }
}

/// Every minute: providers are reminded of requests about to lapse; requests not answered in
/// time lapse (and are offered on where they can be),
/// weekly bookings get the next visits inside their 4-week horizon, with money set aside,
/// visits nobody checked in to a day after they were due are released, and delivered visits
/// nobody answered for in 48 hours are confirmed.
async fn keep_bookings_moving(db: Db, clock: server::clock::Clock) {
    let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every_minute.tick().await;
        let now = clock.now();
        if let Err(error) = booking_changes::remind_before_lapse(&db, now).await {
            tracing::error!(%error, "could not remind providers of requests about to lapse; trying again in a minute");
        }
        if let Err(error) = booking_changes::lapse_overdue(&db, now).await {
            tracing::error!(%error, "could not lapse overdue requests; trying again in a minute");
        }
        if let Err(error) = visits::extend_horizons(&db, now).await {
            tracing::error!(%error, "could not extend weekly bookings; trying again in a minute");
        }
        if let Err(error) = visits::release_unattended(&db, now).await {
            tracing::error!(%error, "could not release visits nobody attended; trying again in a minute");
        }
        if let Err(error) = server::domain::visit_confirmation::confirm_unanswered(&db, now).await {
            tracing::error!(%error, "could not confirm visits nobody answered for; trying again in a minute");
        }
    }
}

/// Every few seconds: mail waiting in the outbox is sent (see `domain::mail`).
async fn send_mail(db: Db, mailer: Arc<dyn server::mail::Mailer>, site: String, clock: server::clock::Clock) {
    let mut every_few_seconds = tokio::time::interval(std::time::Duration::from_secs(2));
    loop {
        every_few_seconds.tick().await;
        if let Err(error) = server::domain::mail::send_due(&db, mailer.as_ref(), &site, clock.now()).await {
            tracing::error!(%error, "could not send mail from the outbox; trying again shortly");
        }
    }
}

/// Every minute: refunds started but not yet confirmed by Stripe are asked for again.
async fn finish_refunds(db: Db, stripe: Arc<server::stripe::Stripe>) {
    let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every_minute.tick().await;
        if let Err(error) = server::domain::card_payments::finish_refunds(&db, stripe.as_ref(), chrono::Utc::now()).await {
            tracing::error!(%error, "could not look at refunds under way; trying again in a minute");
        }
    }
}

/// Meilisearch when `MEILI_URL` is set; otherwise the embedded index, kept beside the database.
async fn open_search(config: &Config) -> Result<Arc<dyn SearchEngine>, String> {
    match &config.meilisearch {
        Some(meili) => {
            let index = MeilisearchIndex::connect(&meili.url, meili.api_key.as_deref(), &meili.index, RankingRules::CareMarket).await;
            tracing::info!(url = %meili.url, index = %meili.index, "searching with Meilisearch");
            Ok(Arc::new(index.map_err(|error| format!("cannot set up Meilisearch at {}: {error}", meili.url))?))
        }
        None => {
            let index = EmbeddedIndex::open(&config.data_dir.join("search-index"));
            Ok(Arc::new(index.map_err(|error| format!("cannot open the search index: {error}"))?))
        }
    }
}

async fn reindex(db: &Db, search: &dyn SearchEngine, show_progress: bool) -> Result<(), String> {
    let started = Instant::now();
    let progress = |done: usize, total: usize| {
        if show_progress {
            print!("\rindexing {done} of {total} services");
            let _ = std::io::stdout().flush();
        }
    };
    let count = server::search::sync::rebuild(db, search, progress, chrono::Utc::now()).await.map_err(|error| error.to_string())?;
    if show_progress {
        println!();
    }
    tracing::info!(count, seconds = started.elapsed().as_secs_f32(), "search index rebuilt");
    Ok(())
}

async fn has_published_listings(db: &Db) -> Result<bool, String> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let published = server::entities::listing::Entity::find().filter(server::entities::listing::Column::Status.eq(app::ListingStatus::Published));
    published.count(db).await.map(|n| n > 0).map_err(|error| error.to_string())
}

async fn is_empty(db: &Db) -> Result<bool, String> {
    use sea_orm::{EntityTrait, PaginatorTrait};
    server::entities::council::Entity::find().count(db).await.map(|n| n == 0).map_err(|error| error.to_string())
}
