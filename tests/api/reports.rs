//! Commissioners' reports over a small fixed data set, every figure worked out by hand below;
//! the CSV is exactly the table; offline placements import all or nothing; no role but
//! commissioner sees any report or CSV.
//!
//! The data set (council "Test Council", March and April 2026; UK summer time began on 29
//! March, so 22:59 UTC on 31 March is 23:59 in the UK):
//!
//! | booking | service (provider, area)          | lot | who     | pattern              | weekly value | requested → confirmed (UTC)         | status    |
//! |---------|-----------------------------------|-----|---------|----------------------|--------------|-------------------------------------|-----------|
//! | P1      | home care £20/h (Riverside, North)| L1  | self    | Mon Wed Fri 60 min   | 3 × £20 = £60 | 10 Mar 09:00 → 10:30 (90 min)      | completed |
//! | P2      | home care £20/h                   | L1  | planner | one-off 90 min       | £30          | 31 Mar 20:59 → 22:59 (120 min, UK 23:59 31 Mar) | confirmed |
//! | P3      | day service £45/session (Hilltop, South) | – | council | Mon Tue | 2 × £45 = £90 | 30 Mar 23:30 → 31 Mar 23:30 (1440 min, UK 00:30 1 Apr) | completed |
//! | P4      | home care at £22/h                | L1  | self    | one-off 30 min       | £11 (1100.5p down to 1100p) | 20 Apr 11:00 → 12:00 (60 min) | confirmed |
//! | X1      | home care, confirmed 5 Apr, cancelled by the person                                          | cancelled |
//! | X2      | Hilltop, confirmed 3 Apr, handed back by the provider on 10 Apr                              | cancelled |
//! | X3      | Riverside, declined on 2 Apr                                                                  | declined  |
//! | X4      | another council's placement on 15 Apr                                                         | confirmed |
//!
//! Offline: 15 Mar home care in North, £500 a week; 2 Apr respite, no area, £300 a week.
use app::report::{Figure, ReportQuery};
use app::{CloseReason, Role};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sea_orm::EntityTrait;
use server::domain::ledger::{self, Account, Transfer};
use server::domain::reports;
use server::entities::booking;
use tests::TestApp;
use tests::fixtures::{count, insert, listing, user};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("a time")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

struct Data {
    lot: i64,
    north: i64,
    south: i64,
    home_care: i64,
    direct_payment: i64,
}

struct Booking {
    listing: i64,
    provider: i64,
    budget: i64,
    lot: Option<i64>,
    channel: &'static str,
    weekdays: Option<&'static str>,
    minutes: i32,
    price: i64,
    unit: &'static str,
    requested: DateTime<Utc>,
    confirmed: Option<DateTime<Utc>>,
    status: &'static str,
    closed: Option<(DateTime<Utc>, CloseReason)>,
}

async fn book(app: &TestApp, reference: &str, holder: i64, b: Booking) -> i64 {
    let id = insert(
        &app.db,
        "bookings",
        &[
            ("reference", reference.into()),
            ("listing_id", b.listing.into()),
            ("provider_id", b.provider.into()),
            ("person_id", holder.into()),
            ("budget_id", b.budget.into()),
            ("placed_by", holder.into()),
            ("channel", b.channel.into()),
            ("lot_id", b.lot.into()),
            ("status", b.status.into()),
            ("schedule", if b.weekdays.is_some() { "weekly" } else { "one_off" }.into()),
            ("starts_at", b.requested.into()),
            ("weekdays", b.weekdays.map(str::to_string).into()),
            ("duration_minutes", b.minutes.into()),
            ("unit_price_pence", b.price.into()),
            ("unit", b.unit.into()),
            ("committed_pence", 0_i64.into()),
            ("paid_by", "budget".into()),
            ("requested_at", b.requested.into()),
            ("respond_by", (b.requested + chrono::Duration::days(3)).into()),
            ("confirmed_at", b.confirmed.into()),
            ("closed_at", b.closed.map(|(at, _)| at).into()),
            ("close_code", b.closed.map(|(_, why)| why).into()),
        ],
    )
    .await;
    // Written down as a placement as the server does when a provider confirms.
    if let (Some(confirmed), false) = (b.confirmed, b.status == "cancelled") {
        let booking = booking::Entity::find_by_id(id).one(&app.db).await.expect("read").expect("the booking");
        server::domain::placements::record(&app.db, &booking, confirmed).await.expect("placement recorded");
    }
    id
}

async fn data_set(app: &TestApp) -> Data {
    let council = app.personas.council_id;
    let (riverside, hilltop) = (app.personas.provider_id, app.personas.other_provider_id);
    let north = insert(&app.db, "localities", &[("council_id", council.into()), ("name", "North".into())]).await;
    let south = insert(&app.db, "localities", &[("council_id", council.into()), ("name", "South".into())]).await;
    for (code, locality) in [("NE1", north), ("NE2", south)] {
        app.execute_sql(&format!("INSERT INTO postcode_districts (code, locality_id, latitude, longitude) VALUES ('{code}', {locality}, 55.0, -1.6)")).await;
    }
    let framework = insert(
        &app.db,
        "frameworks",
        &[
            ("council_id", council.into()),
            ("name", "Home care".into()),
            ("starts_on", day(2026, 1, 1).into()),
            ("ends_on", day(2029, 12, 31).into()),
            ("created_at", Utc::now().into()),
        ],
    )
    .await;
    let lot = insert(
        &app.db,
        "lots",
        &[
            ("framework_id", framework.into()),
            ("name", "North home care".into()),
            ("category", "home_care".into()),
            ("locality_id", north.into()),
            ("unit", "hour".into()),
            ("price_cap_pence", 2_000_i64.into()),
            ("quality_weight", 60.into()),
        ],
    )
    .await;
    let home_care = listing(&app.db, riverside, "Home care North", "published").await;
    let day_service = listing(&app.db, hilltop, "Day service South", "published").await;
    app.execute_sql(&format!("UPDATE listings SET base_district = 'NE1', price_pence = 2000 WHERE id = {home_care}")).await;
    app.execute_sql(&format!(
        "UPDATE listings SET base_district = 'NE2', category = 'day_opportunities', unit = 'session', price_pence = 4500 WHERE id = {day_service}"
    ))
    .await;

    let holder = app.personas.budget_holder.id;
    let second = user(&app.db, council, "second@test.example", Role::BudgetHolder, None).await.id;
    let dp = tests::fixtures::budget(&app.db, council, holder, "direct_payment", 40_000, day(2026, 1, 1)).await;
    let managed = tests::fixtures::budget(&app.db, council, second, "managed_account", 10_000, day(2026, 1, 1)).await;

    let home = |minutes, weekdays, requested, confirmed, status| Booking {
        listing: home_care,
        provider: riverside,
        budget: dp,
        lot: Some(lot),
        channel: "self",
        weekdays,
        minutes,
        price: 2_000,
        unit: "hour",
        requested,
        confirmed,
        status,
        closed: None,
    };
    let p1 = book(app, "P1", holder, home(60, Some("135"), at(2026, 3, 10, 9, 0), Some(at(2026, 3, 10, 10, 30)), "completed")).await;
    book(app, "P2", holder, Booking { channel: "planner", ..home(90, None, at(2026, 3, 31, 20, 59), Some(at(2026, 3, 31, 22, 59)), "confirmed") }).await;
    book(
        app,
        "P3",
        second,
        Booking {
            listing: day_service,
            provider: hilltop,
            budget: managed,
            lot: None,
            channel: "council",
            weekdays: Some("12"),
            minutes: 180,
            price: 4_500,
            unit: "session",
            requested: at(2026, 3, 30, 23, 30),
            confirmed: Some(at(2026, 3, 31, 23, 30)),
            status: "completed",
            closed: None,
        },
    )
    .await;
    book(app, "P4", holder, Booking { price: 2_200, ..home(30, None, at(2026, 4, 20, 11, 0), Some(at(2026, 4, 20, 12, 0)), "confirmed") }).await;
    book(
        app,
        "X1",
        holder,
        Booking {
            closed: Some((at(2026, 4, 6, 9, 0), CloseReason::CancelledByPerson)),
            ..home(60, None, at(2026, 4, 5, 8, 0), Some(at(2026, 4, 5, 9, 0)), "cancelled")
        },
    )
    .await;
    book(
        app,
        "X2",
        second,
        Booking {
            listing: day_service,
            provider: hilltop,
            budget: managed,
            lot: None,
            channel: "self",
            weekdays: Some("3"),
            minutes: 180,
            price: 4_500,
            unit: "session",
            requested: at(2026, 4, 2, 9, 0),
            confirmed: Some(at(2026, 4, 3, 9, 0)),
            status: "cancelled",
            closed: Some((at(2026, 4, 10, 9, 0), CloseReason::HandedBack)),
        },
    )
    .await;
    book(app, "X3", holder, Booking { closed: Some((at(2026, 4, 2, 9, 0), CloseReason::Declined)), ..home(60, None, at(2026, 4, 1, 9, 0), None, "declined") })
        .await;

    // Another council's placement, on the same provider: never in this council's figures.
    let elsewhere = insert(&app.db, "councils", &[("name", "Elsewhere".into()), ("slug", "elsewhere".into()), ("created_at", Utc::now().into())]).await;
    let outsider = user(&app.db, elsewhere, "outsider@test.example", Role::BudgetHolder, None).await.id;
    let their_budget = tests::fixtures::budget(&app.db, elsewhere, outsider, "direct_payment", 40_000, day(2026, 1, 1)).await;
    book(app, "X4", outsider, Booking { budget: their_budget, ..home(60, None, at(2026, 4, 15, 9, 0), Some(at(2026, 4, 15, 10, 0)), "confirmed") }).await;

    // Visits of P1 in March: two delivered, one missed, one still to come (not yet due).
    for (start, status) in
        [(at(2026, 3, 16, 9, 0), "delivered"), (at(2026, 3, 18, 9, 0), "delivered"), (at(2026, 3, 20, 9, 0), "missed"), (at(2026, 3, 23, 9, 0), "scheduled")]
    {
        insert(
            &app.db,
            "visits",
            &[
                ("booking_id", p1.into()),
                ("person_id", holder.into()),
                ("scheduled_start", start.into()),
                ("scheduled_minutes", 60.into()),
                ("status", status.into()),
            ],
        )
        .await;
    }

    // Money: £400 allocated to the direct payment and 3 × £100 to the managed account on
    // 2 March; £60 set aside from the direct payment and £20 of it paid for care delivered.
    let moved = at(2026, 3, 2, 12, 0);
    let funding = Account::council_funding(council);
    let transfers = [
        Transfer::new("alloc-dp", funding.clone(), Account::budget_available(council, dp), 40_000, "allocation"),
        Transfer::new("alloc-m1", funding.clone(), Account::budget_available(council, managed), 10_000, "allocation"),
        Transfer::new("alloc-m2", funding.clone(), Account::budget_available(council, managed), 10_000, "allocation"),
        Transfer::new("alloc-m3", funding, Account::budget_available(council, managed), 10_000, "allocation"),
        Transfer::new("commit-p1", Account::budget_available(council, dp), Account::budget_committed(council, dp), 6_000, "commitment"),
        Transfer::new("settle-p1", Account::budget_committed(council, dp), Account::provider_payable(council, riverside), 2_000, "settlement"),
    ];
    for transfer in &transfers {
        ledger::transfer(&app.db, transfer, moved).await.expect("move money");
    }

    let commissioner = app.personas.commissioner.id;
    for (placed_on, category, locality, pence) in [(day(2026, 3, 15), "home_care", Some(north), 50_000_i64), (day(2026, 4, 2), "respite", None, 30_000)] {
        insert(
            &app.db,
            "offline_placements",
            &[
                ("council_id", council.into()),
                ("placed_on", placed_on.into()),
                ("category", category.into()),
                ("locality_id", locality.into()),
                ("weekly_value_pence", pence.into()),
                ("recorded_by", commissioner.into()),
                ("created_at", Utc::now().into()),
            ],
        )
        .await;
    }
    // Visits and money written straight to their tables, as a data load does: the reports'
    // day-by-day totals are made from them, as at start.
    server::domain::reports::days::rebuild(&app.db).await.expect("the reports' days");
    Data { lot, north, south, home_care, direct_payment: dp }
}

fn commissioner(app: &TestApp) -> app::SignedInUser {
    app::SignedInUser {
        user_id: app.personas.commissioner.id,
        display_name: "Test Commissioner".into(),
        role: Role::Commissioner,
        council_id: app.personas.council_id,
        provider_id: None,
    }
}

fn spring(changes: &[(&str, &str)]) -> ReportQuery {
    let mut query = ReportQuery { from: "2026-03-01".into(), to: "2026-04-30".into(), ..Default::default() };
    for (name, value) in changes {
        let value = value.to_string();
        match *name {
            "period" => query.period = value,
            "by" => query.by = value,
            "category" => query.category = value,
            "lot" => query.lot = value,
            "locality" => query.locality = value,
            "price_change" => query.price_change = value,
            "spend" => query.spend = value,
            "manual_cost" => query.manual_cost = value,
            "electronic_cost" => query.electronic_cost = value,
            "from" => query.from = value,
            "to" => query.to = value,
            other => panic!("no filter {other}"),
        }
    }
    query
}

async fn figures(app: &TestApp, slug: &str, query: ReportQuery) -> Vec<Vec<Figure>> {
    let report = reports::report(&app.db, &commissioner(app), slug, &query, at(2026, 5, 15, 12, 0)).await.expect("the report");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report.rows
}

fn label(text: &str) -> Figure {
    Figure::Label(text.into())
}

use Figure::{Count, Minutes, Pence, Percent};

#[tokio::test]
async fn placements_are_counted_and_valued_by_month_with_the_month_boundary_in_uk_time() {
    let app = TestApp::new().await;
    data_set(&app).await;
    // P2 (23:59 on 31 March in the UK) is March's; P3 (00:30 on 1 April in the UK) is April's.
    assert_eq!(
        figures(&app, "placements", spring(&[])).await,
        vec![vec![label("March 2026"), Count(2), Pence(9_000)], vec![label("April 2026"), Count(2), Pence(10_100)],]
    );
}

#[tokio::test]
async fn placements_break_down_by_every_dimension() {
    let app = TestApp::new().await;
    let data = data_set(&app).await;
    let by = |dimension| figures(&app, "placements", spring(&[("by", dimension)]));
    assert_eq!(by("category").await, vec![vec![label("Home care"), Count(3), Pence(10_100)], vec![label("Day opportunities"), Count(1), Pence(9_000)]]);
    assert_eq!(by("lot").await, vec![vec![label("North home care"), Count(3), Pence(10_100)], vec![label("Not on a framework"), Count(1), Pence(9_000)]]);
    assert_eq!(by("provider").await, vec![vec![label("Riverside Home Care"), Count(3), Pence(10_100)], vec![label("Hilltop Care"), Count(1), Pence(9_000)]]);
    // P1, P2 and P4 are on the North lot; P3's service is based in NE2, in the South.
    assert_eq!(by("locality").await, vec![vec![label("North"), Count(3), Pence(10_100)], vec![label("South"), Count(1), Pence(9_000)]]);
    assert_eq!(
        by("channel").await,
        vec![
            vec![label("The person themselves"), Count(2), Pence(7_100)],
            vec![label("Council staff"), Count(1), Pence(9_000)],
            vec![label("A support planner or family member"), Count(1), Pence(3_000)],
        ]
    );
    // Filters narrow every breakdown.
    let north = data.north.to_string();
    let south = data.south.to_string();
    let lot = data.lot.to_string();
    assert_eq!(figures(&app, "placements", spring(&[("category", "day_opportunities")])).await[1], vec![label("April 2026"), Count(1), Pence(9_000)]);
    assert_eq!(figures(&app, "placements", spring(&[("locality", &south)])).await[0], vec![label("March 2026"), Count(0), Pence(0)]);
    assert_eq!(
        figures(&app, "placements", spring(&[("locality", &north), ("by", "channel")])).await[0],
        vec![label("The person themselves"), Count(2), Pence(7_100)]
    );
    assert_eq!(
        figures(&app, "placements", spring(&[("lot", &lot), ("by", "provider")])).await,
        vec![vec![label("Riverside Home Care"), Count(3), Pence(10_100)]]
    );
    // One day: 31 March holds only P2 (P3 was placed on 1 April in the UK).
    assert_eq!(
        figures(&app, "placements", spring(&[("from", "2026-03-31"), ("to", "2026-03-31")])).await,
        vec![vec![label("March 2026"), Count(1), Pence(3_000)]]
    );
}

#[tokio::test]
async fn weeks_start_on_monday() {
    let app = TestApp::new().await;
    data_set(&app).await;
    let weeks = figures(&app, "placements", spring(&[("period", "week"), ("from", "2026-03-30"), ("to", "2026-04-12")])).await;
    // P2 (Tue 31 March) and P3 (Wed 1 April) share the week from Monday 30 March.
    assert_eq!(weeks, vec![vec![label("Week from 30 Mar 2026"), Count(2), Pence(12_000)], vec![label("Week from 6 Apr 2026"), Count(0), Pence(0)]]);
}

#[tokio::test]
async fn the_electronic_share_counts_offline_placements_only_here() {
    let app = TestApp::new().await;
    data_set(&app).await;
    assert_eq!(
        figures(&app, "electronic", spring(&[])).await,
        vec![vec![label("March 2026"), Count(2), Count(1), Percent(Some(6_667))], vec![label("April 2026"), Count(2), Count(1), Percent(Some(6_667))],]
    );
    assert_eq!(figures(&app, "electronic", spring(&[("category", "respite")])).await[1], vec![label("April 2026"), Count(0), Count(1), Percent(Some(0))]);
}

#[tokio::test]
async fn time_to_place_gives_median_and_ninetieth_percentile_by_nearest_rank() {
    let app = TestApp::new().await;
    data_set(&app).await;
    // March: 90 and 120 minutes. April: 1,440 (P3) and 60 (P4).
    assert_eq!(
        figures(&app, "time-to-place", spring(&[])).await,
        vec![
            vec![label("March 2026"), Count(2), Minutes(Some(90)), Minutes(Some(120))],
            vec![label("April 2026"), Count(2), Minutes(Some(60)), Minutes(Some(1_440))],
        ]
    );
    let may = figures(&app, "time-to-place", spring(&[("from", "2026-05-01"), ("to", "2026-05-31")])).await;
    assert_eq!(may, vec![vec![label("May 2026"), Count(0), Minutes(None), Minutes(None)]]);
    // By week (Mondays): P1 in the week of 9 March; P2 and P3 in the week of 30 March (UK
    // days 31 March and 1 April); P4 on Monday 20 April. Every week of the span has its row.
    let weeks = figures(&app, "time-to-place", spring(&[("period", "week")])).await;
    assert_eq!(weeks.len(), 10, "23 Feb to 27 Apr");
    let placed: Vec<_> = weeks.into_iter().filter(|row| row[1] != Count(0)).collect();
    assert_eq!(
        placed,
        vec![
            vec![label("Week from 9 Mar 2026"), Count(1), Minutes(Some(90)), Minutes(Some(90))],
            vec![label("Week from 30 Mar 2026"), Count(2), Minutes(Some(120)), Minutes(Some(1_440))],
            vec![label("Week from 20 Apr 2026"), Count(1), Minutes(Some(60)), Minutes(Some(60))],
        ]
    );
}

#[tokio::test]
async fn time_to_place_and_framework_share_follow_their_filters() {
    let app = TestApp::new().await;
    let data = data_set(&app).await;
    // Home care only: March 90 and 120 minutes (P1, P2); April P4's 60.
    assert_eq!(
        figures(&app, "time-to-place", spring(&[("category", "home_care")])).await,
        vec![
            vec![label("March 2026"), Count(2), Minutes(Some(90)), Minutes(Some(120))],
            vec![label("April 2026"), Count(1), Minutes(Some(60)), Minutes(Some(60))],
        ]
    );
    let lot = data.lot.to_string();
    assert_eq!(
        figures(&app, "time-to-place", spring(&[("lot", lot.as_str()), ("from", "2026-04-01")])).await,
        vec![vec![label("April 2026"), Count(1), Minutes(Some(60)), Minutes(Some(60))],]
    );
    // The South (P3, the day service, off the framework, in April).
    let south = data.south.to_string();
    assert_eq!(
        figures(&app, "framework-share", spring(&[("locality", south.as_str())])).await,
        vec![vec![label("March 2026"), Pence(0), Pence(0), Percent(None)], vec![label("April 2026"), Pence(0), Pence(9_000), Percent(Some(0))],]
    );
    assert_eq!(
        figures(&app, "time-to-place", spring(&[("locality", south.as_str())])).await,
        vec![
            vec![label("March 2026"), Count(0), Minutes(None), Minutes(None)],
            vec![label("April 2026"), Count(1), Minutes(Some(1_440)), Minutes(Some(1_440))],
        ]
    );
}

#[tokio::test]
async fn the_ninetieth_percentile_is_the_nearest_rank_not_the_slowest() {
    let app = TestApp::new().await;
    let data = data_set(&app).await;
    let holder = app.personas.budget_holder.id;
    // Week of Monday 4 May: 10 placements taking 10, 20 … 100 minutes (made in a muddled order).
    // Nearest rank: the median is the 5th (50 minutes), the 90th percentile the 9th (90), not 100.
    // Week of Monday 11 May: 11 placements taking 1 … 11 hours: the 6th (6 h) and the 10th (10 h).
    let mut made = 0;
    for (monday, step, n) in [(4, 10, 10_i64), (11, 60, 11)] {
        for k in [7, 2, 10, 1, 9, 4, 11, 3, 6, 8, 5].into_iter().filter(|k| *k <= n) {
            made += 1;
            let requested = at(2026, 5, monday, 8, 0) + chrono::Duration::minutes(i64::from(made));
            book(
                &app,
                &format!("T{made}"),
                holder,
                Booking {
                    listing: data.home_care,
                    provider: app.personas.provider_id,
                    budget: data.direct_payment,
                    lot: Some(data.lot),
                    channel: "self",
                    weekdays: None,
                    minutes: 60,
                    price: 2_000,
                    unit: "hour",
                    requested,
                    confirmed: Some(requested + chrono::Duration::minutes(k * step)),
                    status: "confirmed",
                    closed: None,
                },
            )
            .await;
        }
    }
    assert_eq!(
        figures(&app, "time-to-place", spring(&[("from", "2026-05-04"), ("to", "2026-05-17"), ("period", "week")])).await,
        vec![
            vec![label("Week from 4 May 2026"), Count(10), Minutes(Some(50)), Minutes(Some(90))],
            vec![label("Week from 11 May 2026"), Count(11), Minutes(Some(360)), Minutes(Some(600))],
        ]
    );
}

#[tokio::test]
async fn framework_share_and_prices_against_the_cap() {
    let app = TestApp::new().await;
    data_set(&app).await;
    // April: £11 on the lot of £101 in all: 10.89% (1,089.1 hundredths, rounded).
    assert_eq!(
        figures(&app, "framework-share", spring(&[])).await,
        vec![
            vec![label("March 2026"), Pence(9_000), Pence(0), Percent(Some(10_000))],
            vec![label("April 2026"), Pence(1_100), Pence(9_000), Percent(Some(1_089))],
        ]
    );
    // £20, £20 and £22 an hour: £20.67 average against a £20 cap, 3.35% over.
    assert_eq!(
        figures(&app, "prices", spring(&[])).await,
        vec![vec![label("North home care (per hour)"), Count(3), Pence(2_067), Pence(2_000), Percent(Some(335))]]
    );
}

#[tokio::test]
async fn budget_use_by_type_with_surplus_flags() {
    let app = TestApp::new().await;
    data_set(&app).await;
    // Direct payment: £400 allocated, £20 spent, £40 still set aside, £340 unspent.
    // Managed account: £300 unspent is more than twice its £100 four-weekly allocation.
    assert_eq!(
        figures(&app, "budgets", spring(&[])).await,
        vec![
            vec![label("Direct payment"), Count(1), Pence(40_000), Pence(2_000), Pence(4_000), Pence(34_000), Count(0)],
            vec![label("Managed account"), Count(1), Pence(30_000), Pence(0), Pence(0), Pence(30_000), Count(1)],
            vec![label("Individual service fund"), Count(0), Pence(0), Pence(0), Pence(0), Pence(0), Count(0)],
            vec![label("All budgets"), Count(2), Pence(70_000), Pence(2_000), Pence(4_000), Pence(64_000), Count(1)],
        ]
    );
    // Money moved before the period is not in its flows.
    let april = figures(&app, "budgets", spring(&[("from", "2026-04-01")])).await;
    assert_eq!(april[3], vec![label("All budgets"), Count(2), Pence(0), Pence(0), Pence(4_000), Pence(64_000), Count(1)]);
}

#[tokio::test]
async fn provider_delivery_counts_visits_declines_and_hand_backs() {
    let app = TestApp::new().await;
    data_set(&app).await;
    assert_eq!(
        figures(&app, "delivery", spring(&[])).await,
        vec![
            vec![label("Riverside Home Care"), Count(3), Count(2), Percent(Some(6_667)), Count(1), Count(0), Count(0), Count(0), Count(0)],
            vec![label("Hilltop Care"), Count(0), Count(0), Percent(None), Count(0), Count(0), Count(1), Count(0), Count(0)],
        ]
    );
}

#[tokio::test]
async fn the_savings_estimate_follows_its_assumptions() {
    let app = TestApp::new().await;
    data_set(&app).await;
    // £15 of a direct payment's unspent money taken back in April: a cashable saving, 2.14% of £700.
    let dp = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use server::entities::budget;
        let found = budget::Entity::find().filter(budget::Column::HolderId.eq(app.personas.budget_holder.id));
        found.filter(budget::Column::BudgetType.eq(app::BudgetType::DirectPayment)).one(&app.db).await.expect("read").expect("the budget").id
    };
    let council = app.personas.council_id;
    let back = server::domain::ledger::Transfer::new(
        "recovery:test",
        server::domain::ledger::Account::budget_available(council, dp),
        server::domain::ledger::Account::council_funding(council),
        1_500,
        "recovery",
    );
    server::domain::ledger::transfer(&app.db, &back, at(2026, 4, 20, 9, 0)).await.expect("recovered");
    // 4 placements × (£100 − £25) = £300 saved, of £700 allocated in the period: 42.86%.
    // £20 paid for care in the period; 10% below baseline, baseline is £22.22 (£2,000 × 100 / 90
    // = 2,222.2p): £2.22 saved, 0.32% of £700. A week of the care placed costs £191; baseline £212.22.
    assert_eq!(
        figures(&app, "savings", spring(&[("price_change", "10")])).await,
        vec![
            vec![label("Arranging 4 placements"), Pence(40_000), Pence(10_000), Pence(30_000), Percent(Some(4_286))],
            vec![label("Care paid for in the period"), Pence(2_222), Pence(2_000), Pence(222), Percent(Some(32))],
            vec![label("Unspent money recovered from budgets"), Pence(1_500), Pence(0), Pence(1_500), Percent(Some(214))],
            vec![label("A week of the care placed"), Pence(21_222), Pence(19_100), Pence(2_122), Percent(None)],
        ]
    );
    let given_spend = figures(&app, "savings", spring(&[("spend", "1000.00")])).await;
    assert_eq!(given_spend[0][4], Percent(Some(3_000)));
    assert_eq!(given_spend[1], vec![label("Care paid for in the period"), Pence(2_000), Pence(2_000), Pence(0), Percent(Some(0))]);
    assert_eq!(given_spend[3], vec![label("A week of the care placed"), Pence(19_100), Pence(19_100), Pence(0), Percent(None)]);
    // The commissioner's own costs: 4 × (£80 − £30) = £200, 28.57% of £700 (rounded down at the
    // half-hundredth: 2,857.1).
    let own_costs = figures(&app, "savings", spring(&[("manual_cost", "80"), ("electronic_cost", "30.00")])).await;
    assert_eq!(own_costs[0], vec![label("Arranging 4 placements"), Pence(32_000), Pence(12_000), Pence(20_000), Percent(Some(2_857))]);
    // In March only: 2 placements, the same £700 allocated on 2 March, and the same £20 paid.
    let march = figures(&app, "savings", spring(&[("to", "2026-03-31"), ("price_change", "10")])).await;
    assert_eq!(march[0], vec![label("Arranging 2 placements"), Pence(20_000), Pence(5_000), Pence(15_000), Percent(Some(2_143))]);
    assert_eq!(march[1][3], Pence(222));
    let report = reports::report(&app.db, &commissioner(&app), "savings", &spring(&[("price_change", "95"), ("manual_cost", "lots")]), Utc::now())
        .await
        .expect("a report");
    let fields: Vec<&str> = report.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["manual_cost", "price_change"]);
    assert!(report.rows.is_empty());
    let text = reports::report(&app.db, &commissioner(&app), "savings", &spring(&[("manual_cost", "80"), ("price_change", "10")]), at(2026, 5, 15, 12, 0))
        .await
        .expect("a report");
    assert!(
        text.notes.iter().any(|n| n.contains("by hand: £80.00 (assumption)")) && text.summary.contains("care paid for in the period cost £2.22 less"),
        "{:?} {}",
        text.notes,
        text.summary
    );
}

#[tokio::test]
async fn bad_filters_are_named_and_show_no_figures() {
    let app = TestApp::new().await;
    data_set(&app).await;
    let report =
        reports::report(&app.db, &commissioner(&app), "placements", &spring(&[("to", "2026-02-01"), ("lot", "999")]), Utc::now()).await.expect("a report");
    let fields: Vec<&str> = report.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["to", "lot"]);
    assert!(report.rows.is_empty());
    let mut client = app.signed_in(&app.personas.commissioner).await;
    let csv = client.get("/reports/placements/csv?from=yesterday").await;
    assert_eq!(csv.status, 422);
    assert!(csv.body.contains("Enter the first day as a date"), "{}", csv.body);
}

#[tokio::test]
async fn the_csv_is_exactly_the_table() {
    let app = TestApp::new().await;
    data_set(&app).await;
    let mut client = app.signed_in(&app.personas.commissioner).await;
    let reply = client.get("/reports/electronic/csv?from=2026-03-01&to=2026-04-30").await;
    assert_eq!(reply.status, 200);
    assert!(reply.headers["content-disposition"].to_str().unwrap().contains("electronic-2026-03-01-to-2026-04-30.csv"));
    assert_eq!(reply.body, "Period,Through CareMarket,Recorded offline,Share through CareMarket\r\nMarch 2026,2,1,66.7\r\nApril 2026,2,1,66.7\r\n");
    let page = client.get("/reports/electronic?from=2026-03-01&to=2026-04-30").await;
    assert_eq!(page.status, 200);
    assert!(page.contains(">66.7%</td>"), "{}", page.body);
    assert!(page.contains("<svg") && page.contains("/reports/electronic/csv?from=2026-03-01&amp;to=2026-04-30"));
}

/// The figures table of a report page, row by row and cell by cell, as the page shows them.
fn table_cells(body: &str) -> Vec<Vec<String>> {
    let table = body.split("<table class=\"table report-table\">").nth(1).and_then(|rest| rest.split("</table>").next()).expect("a figures table");
    // Hydration markers (comments) are not text.
    let mut clean = String::new();
    let mut rest = table;
    while let Some(start) = rest.find("<!") {
        clean.push_str(&rest[..start]);
        rest = rest[start..].find('>').map_or("", |end| &rest[start + end + 1..]);
    }
    clean.push_str(rest);
    clean
        .split("<tr")
        .skip(1)
        .map(|row| {
            let mut cells = Vec::new();
            let mut rest = row.split("</tr>").next().unwrap_or_default();
            while let Some(start) = [rest.find("<th"), rest.find("<td")].into_iter().flatten().min() {
                let opened = &rest[start..];
                let content = &opened[opened.find('>').expect("a whole tag") + 1..];
                let end = content.find("</t").expect("a closed cell");
                cells.push(content[..end].replace("&amp;", "&").replace("&#x27;", "'").replace("&#39;", "'"));
                rest = &content[end..];
            }
            cells
        })
        .collect()
}

/// A page's cell as a spreadsheet holds it: "£1,234.50" as 1234.50, "12.3%" as 12.3,
/// "2 h 5 min" as 125 minutes, "–" as nothing.
fn as_spreadsheet_holds_it(shown: &str) -> String {
    let minutes = |text: &str| -> Option<i64> {
        let mut total = 0;
        let words: Vec<&str> = text.split(' ').collect();
        if !words.len().is_multiple_of(2) {
            return None;
        }
        for pair in words.chunks(2) {
            let n: i64 = pair[0].parse().ok()?;
            total += match pair[1] {
                "h" => n * 60,
                "min" => n,
                _ => return None,
            };
        }
        Some(total)
    };
    if shown == "–" {
        String::new()
    } else if let Some(total) = minutes(shown) {
        total.to_string()
    } else if let Some(number) =
        shown.strip_prefix('£').or_else(|| shown.strip_suffix('%')).or_else(|| shown.chars().all(|c| c.is_ascii_digit() || c == ',').then_some(shown))
    {
        number.replace(',', "")
    } else {
        shown.to_string()
    }
}

#[tokio::test]
async fn every_reports_csv_holds_exactly_the_figures_its_table_shows() {
    let app = TestApp::new().await;
    data_set(&app).await;
    let mut client = app.signed_in(&app.personas.commissioner).await;
    for report in app::report::REPORTS {
        for filters in ["from=2026-03-01&to=2026-04-30", "from=2026-03-01&to=2026-04-30&period=week&by=provider&price_change=10"] {
            let page = client.get(&format!("/reports/{}?{filters}", report.slug)).await;
            assert_eq!(page.status, 200, "{}", report.slug);
            let table: Vec<Vec<String>> = table_cells(&page.body)
                .into_iter()
                .enumerate()
                .map(|(row, cells)| if row == 0 { cells } else { cells.iter().map(|cell| as_spreadsheet_holds_it(cell)).collect() })
                .collect();
            let csv = client.get(&format!("/reports/{}/csv?{filters}", report.slug)).await;
            assert_eq!(csv.status, 200, "{}", report.slug);
            let lines: Vec<Vec<String>> =
                csv.body.trim_end().split("\r\n").map(|line| line.split(',').map(|cell| cell.trim_matches('"').to_string()).collect()).collect();
            assert!(table.len() >= 2, "{}: a table with figures: {table:?}", report.slug);
            assert_eq!(lines, table, "{} ({filters}): the CSV is the table", report.slug);
        }
    }
}

#[tokio::test]
async fn a_placement_is_dated_the_uk_day_the_provider_accepts() {
    let app = TestApp::new().await;
    let data = data_set(&app).await;
    book(
        &app,
        "P5",
        app.personas.budget_holder.id,
        Booking {
            listing: data.home_care,
            provider: app.personas.provider_id,
            budget: data.direct_payment,
            lot: None,
            channel: "self",
            weekdays: None,
            minutes: 60,
            price: 2_000,
            unit: "hour",
            requested: at(2026, 6, 30, 20, 0),
            confirmed: None,
            status: "requested",
            closed: None,
        },
    )
    .await;
    let staff = app::SignedInUser {
        user_id: app.personas.provider.id,
        display_name: "Staff".into(),
        role: Role::Provider,
        council_id: app.personas.council_id,
        provider_id: Some(app.personas.provider_id),
    };
    // 23:30 UTC on 30 June is 00:30 on 1 July in the UK.
    server::domain::booking_changes::respond(&app.db, &staff, "P5", true, "", at(2026, 6, 30, 23, 30)).await.expect("accepted");
    let july = figures(&app, "placements", spring(&[("from", "2026-06-01"), ("to", "2026-07-31")])).await;
    assert_eq!(july, vec![vec![label("June 2026"), Count(0), Pence(0)], vec![label("July 2026"), Count(1), Pence(2_000)]]);
    // Cancelled, it is no longer a placement.
    let holder = app::SignedInUser { user_id: app.personas.budget_holder.id, role: Role::BudgetHolder, provider_id: None, ..staff };
    server::domain::booking_changes::cancel_by_person(&app.db, &holder, "P5", at(2026, 7, 1, 8, 0)).await.expect("cancelled");
    let july = figures(&app, "placements", spring(&[("from", "2026-07-01"), ("to", "2026-07-31")])).await;
    assert_eq!(july, vec![vec![label("July 2026"), Count(0), Pence(0)]]);
}

#[tokio::test]
async fn only_commissioners_see_reports_and_their_csv() {
    let app = TestApp::new().await;
    data_set(&app).await;
    let slugs: Vec<&str> = app::report::REPORTS.iter().map(|report| report.slug).collect();
    for persona in [&app.personas.budget_holder, &app.personas.planner, &app.personas.provider] {
        let mut client = app.signed_in(persona).await;
        for slug in &slugs {
            assert_eq!(client.get(&format!("/reports/{slug}/csv")).await.status, 403, "{:?} CSV of {slug}", persona.role);
            assert_eq!(client.get(&format!("/reports/{slug}")).await.status, 403, "{:?} page {slug}", persona.role);
        }
        assert_eq!(client.get("/reports").await.status, 403);
        assert_eq!(client.get("/offline-placements").await.status, 403);
        let refused = client.post_form("/api/import-offline-placements", &[("csv", "date,type of care,area,weekly value\n2026-04-01,Home care,,350.00")]).await;
        assert_eq!(refused.redirected_error(), Some(app::UiError::Forbidden));
    }
    let mut visitor = app.visitor();
    for slug in &slugs {
        let reply = visitor.get(&format!("/reports/{slug}/csv")).await;
        assert_eq!(reply.status, 303, "visitor CSV of {slug}");
        assert!(reply.location().unwrap_or_default().starts_with("/sign-in"));
        let page = visitor.get(&format!("/reports/{slug}")).await;
        assert_eq!((page.status, page.location()), (302, Some(format!("/sign-in?next=/reports/{slug}").as_str())), "visitor page {slug}");
    }
    for path in ["/reports", "/offline-placements"] {
        let page = visitor.get(path).await;
        assert_eq!((page.status, page.location()), (302, Some(format!("/sign-in?next={path}").as_str())), "visitor {path}");
    }
    let offline_before = count(&app.db, "offline_placements").await;
    let one_row = [("csv", "date,type of care,area,weekly value\n2026-04-01,Home care,,350.00")];
    let form = [("form[placed_on]", "2026-04-01"), ("form[category]", "home_care"), ("form[locality]", ""), ("form[weekly_value]", "350.00")];
    assert_eq!(visitor.post_form("/api/import-offline-placements", &one_row).await.redirected_error(), Some(app::UiError::SignInRequired));
    assert_eq!(visitor.post_form("/api/record-offline-placement", &form).await.redirected_error(), Some(app::UiError::SignInRequired));
    for persona in [&app.personas.budget_holder, &app.personas.planner, &app.personas.provider] {
        let mut client = app.signed_in(persona).await;
        assert_eq!(client.post_form("/api/record-offline-placement", &form).await.redirected_error(), Some(app::UiError::Forbidden), "{:?}", persona.role);
    }
    assert_eq!(count(&app.db, "offline_placements").await, offline_before, "nobody but a commissioner records a placement");

    // A commissioner of another council sees only that council's figures (X4, in April).
    let elsewhere: i64 = server::entities::council::Entity::find()
        .all(&app.db)
        .await
        .expect("councils")
        .into_iter()
        .find(|c| c.slug == "elsewhere")
        .expect("the other council")
        .id;
    let theirs = user(&app.db, elsewhere, "commissioner@elsewhere.example", Role::Commissioner, None).await;
    let mut outsider = app.signed_in(&theirs).await;
    let page = outsider.get("/reports/placements/csv?from=2026-03-01&to=2026-04-30").await;
    assert_eq!(page.status, 200);
    assert!(page.body.ends_with("March 2026,0,0.00\r\nApril 2026,1,20.00\r\n"), "{}", page.body);
    let mut commissioner = app.signed_in(&app.personas.commissioner).await;
    for slug in &slugs {
        assert_eq!(commissioner.get(&format!("/reports/{slug}")).await.status, 200, "page {slug}");
        assert_eq!(commissioner.get(&format!("/reports/{slug}/csv")).await.status, 200, "CSV of {slug}");
    }
    assert_eq!(commissioner.get("/reports/nonsense/csv").await.status, 404);
}

#[tokio::test]
async fn an_import_with_one_bad_row_imports_nothing_and_names_the_row() {
    let app = TestApp::new().await;
    data_set(&app).await;
    let before = count(&app.db, "offline_placements").await;
    let mut client = app.signed_in(&app.personas.commissioner).await;
    let bad = "date,type of care,area,weekly value\n2026-04-01,Home care,North,350.00\n2026-04-31,Home care,,350.00\n2026-04-03,Gardening,Atlantis,\n";
    let reply = client.post_form("/api/import-offline-placements", &[("csv", bad)]).await;
    let Some(app::UiError::Invalid(errors)) = reply.redirected_error() else { panic!("refused: {reply:?}") };
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages.len(), 4, "{messages:?}");
    assert!(messages[0].starts_with("Line 3: Enter the date"), "{messages:?}");
    assert!(messages[1].starts_with("Line 4: Choose a type of care"), "{messages:?}");
    assert!(messages[2].starts_with("Line 4: Choose one of your council's areas (North, South)"), "{messages:?}");
    assert!(messages[3].starts_with("Line 4: Enter the weekly value"), "{messages:?}");
    assert_eq!(count(&app.db, "offline_placements").await, before);

    let good = "Date,Type of care,Area,Weekly value\r\n2026-04-01,Home care,north,350.00\r\n2026-04-03,\"Respite and short breaks\",,\"1,050\"\r\n";
    let reply = client.post_form("/api/import-offline-placements", &[("csv", good)]).await;
    assert_eq!(reply.location(), Some("/offline-placements?recorded=2"), "{reply:?}");
    assert_eq!(count(&app.db, "offline_placements").await, before + 2);
    // April now has three offline placements: 2 April's, and the two imported.
    assert_eq!(figures(&app, "electronic", spring(&[])).await[1], vec![label("April 2026"), Count(2), Count(3), Percent(Some(4_000))]);

    let one = client
        .post_form(
            "/api/record-offline-placement",
            &[("form[placed_on]", "2026-03-20"), ("form[category]", "home_care"), ("form[locality]", ""), ("form[weekly_value]", "120")],
        )
        .await;
    assert_eq!(one.location(), Some("/offline-placements?recorded=1"));
    assert_eq!(figures(&app, "electronic", spring(&[])).await[0], vec![label("March 2026"), Count(2), Count(2), Percent(Some(5_000))]);
    let wrong = client
        .post_form(
            "/api/record-offline-placement",
            &[("form[placed_on]", "2099-01-01"), ("form[category]", "home_care"), ("form[locality]", ""), ("form[weekly_value]", "0")],
        )
        .await;
    let Some(app::UiError::Invalid(errors)) = wrong.redirected_error() else { panic!("refused: {wrong:?}") };
    assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["placed_on", "weekly_value"]);
}
