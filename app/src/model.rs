//! Values shared by the server and the browser: who is looking, what pages show, and errors
//! written for the person reading them.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    BudgetHolder,
    Planner,
    Provider,
    Commissioner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::BudgetHolder, Role::Planner, Role::Provider, Role::Commissioner];

    /// The code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Role::BudgetHolder => "budget_holder",
            Role::Planner => "planner",
            Role::Provider => "provider",
            Role::Commissioner => "commissioner",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.code() == code)
    }

    /// The last segment of the role's dashboard address.
    pub fn slug(self) -> &'static str {
        match self {
            Role::BudgetHolder => "budget-holder",
            Role::Planner => "planner",
            Role::Provider => "provider",
            Role::Commissioner => "commissioner",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::BudgetHolder => "budget holder",
            Role::Planner => "support planner",
            Role::Provider => "provider",
            Role::Commissioner => "commissioner",
        }
    }

    pub fn dashboard_path(self) -> String {
        format!("/dashboard/{}", self.slug())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub user_id: i64,
    pub display_name: String,
    pub role: Role,
    pub council_id: i64,
    pub provider_id: Option<i64>,
}

/// Who is looking at a page, and the token their forms must carry back (CSRF protection).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Viewer {
    pub user: Option<SignedInUser>,
    pub csrf_token: String,
    /// The person a planner is acting for now (checked against their permission on every request).
    pub acting_for: Option<ActingFor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActingFor {
    pub user_id: i64,
    pub display_name: String,
    pub can_book: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingCard {
    pub public_id: String,
    pub title: String,
    pub category: String,
    pub provider_name: String,
    pub provider_public_id: String,
    pub price_pence: i64,
    pub unit: String,
    pub regulator_rating: String,
    pub areas: Vec<String>,
    /// Its place on a framework lot, in words, when it has one.
    pub rank_explanation: Option<String>,
    /// How far away it is, when the search gave a postcode.
    pub distance_km: Option<f32>,
    /// Not re-confirmed by the provider for six months.
    pub possibly_out_of_date: bool,
}

/// One page of listings and how many match in all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingPage {
    pub total: u64,
    pub cards: Vec<ListingCard>,
}

/// The search form as typed: every field is text from the address bar, checked on the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub postcode: String,
    /// Kilometres from the postcode; empty = any distance.
    #[serde(default)]
    pub within: String,
    /// Pounds, like "25".
    #[serde(default)]
    pub max_price: String,
    /// 1 = Monday .. 7 = Sunday.
    #[serde(default)]
    pub day: String,
    /// "09:00"
    #[serde(default)]
    pub time: String,
    #[serde(default)]
    pub carer: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub specialism: String,
    /// "yes" to show only services on a council framework.
    #[serde(default)]
    pub framework: String,
    /// best, price, quality or nearest.
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: String,
    /// "yes" (signed-in budget holders) for what the money left in their budget can pay for.
    #[serde(default)]
    pub budget: String,
    /// What the words were understood to mean that the person removed (keys like `language`,
    /// comma-separated): their words are then matched as words.
    #[serde(default)]
    pub ignore: String,
    /// "yes" to match exactly the words typed (every one, nothing understood).
    #[serde(default)]
    pub exact: String,
}

impl SearchForm {
    /// Reads the form from the address bar's query, as the server and the browser both see it.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let field = |name: &str| get(name).unwrap_or_default();
        Self {
            q: field("q"),
            category: field("category"),
            postcode: field("postcode"),
            within: field("within"),
            max_price: field("max_price"),
            day: field("day"),
            time: field("time"),
            carer: field("carer"),
            language: field("language"),
            specialism: field("specialism"),
            framework: field("framework"),
            sort: field("sort"),
            page: field("page"),
            budget: field("budget"),
            ignore: field("ignore"),
            exact: field("exact"),
        }
    }

    /// The query string for this form (empty fields left out), for links to other pages.
    pub fn to_query(&self) -> String {
        self.fields().iter().map(|(name, value)| format!("{name}={}", encode_query_value(value))).collect::<Vec<_>>().join("&")
    }

    /// The fields that are filled in, by name.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let fields = [
            ("q", &self.q),
            ("category", &self.category),
            ("postcode", &self.postcode),
            ("within", &self.within),
            ("max_price", &self.max_price),
            ("day", &self.day),
            ("time", &self.time),
            ("carer", &self.carer),
            ("language", &self.language),
            ("specialism", &self.specialism),
            ("framework", &self.framework),
            ("sort", &self.sort),
            ("page", &self.page),
            ("budget", &self.budget),
            ("ignore", &self.ignore),
            ("exact", &self.exact),
        ];
        fields.iter().filter(|(_, value)| !value.trim().is_empty()).map(|(name, value)| (*name, value.trim().to_string())).collect()
    }
}

/// Percent-encodes a value for a query string.
/// A place on this site to go back to (after signing in, say), parsed as the path and query of
/// one of our own addresses: a single leading `/`, then only the characters an address's path
/// and query may hold (RFC 3986), with every `%` escape well formed. Anything else is refused:
/// another site (`//evil.example`), or a tab, line break or backslash that a browser would drop
/// or read as `/` on its way to somewhere else.
pub fn safe_return_path(next: Option<&str>) -> Option<String> {
    let path = next?;
    let bytes = path.as_bytes();
    let plain = |byte: u8| byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&byte);
    let mut at = 0;
    while at < bytes.len() {
        at += match bytes[at] {
            b'%' if bytes.get(at + 1).is_some_and(u8::is_ascii_hexdigit) && bytes.get(at + 2).is_some_and(u8::is_ascii_hexdigit) => 3,
            byte if plain(byte) => 1,
            _ => return None,
        };
    }
    (path.starts_with('/') && !path.starts_with("//") && path.len() <= 2_000).then(|| path.to_string())
}

/// `/sign-in`, with `next` set to return to `path` afterwards if it is one of ours.
pub fn sign_in_then(path: &str) -> String {
    match safe_return_path(Some(path)) {
        // Escaped just enough to stay one query value; slashes stay readable.
        Some(path) => format!("/sign-in?next={}", path.replace('%', "%25").replace('&', "%26").replace('+', "%2B").replace('=', "%3D").replace('?', "%3F")),
        None => "/sign-in".to_string(),
    }
}

pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// A page of search results, with counts for narrowing it down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    pub total: u64,
    pub cards: Vec<ListingCard>,
    /// 1-based, and how many pages there are.
    pub page: u32,
    pub pages: u32,
    /// (code, label, how many of these results) for each filter with choices.
    pub categories: Vec<(String, String, u64)>,
    pub specialisms: Vec<(String, String, u64)>,
    pub on_framework: u64,
    /// When nothing was found: what could be loosened, in words.
    pub suggestions: Vec<String>,
    /// What the words were understood to mean, each removable.
    pub chips: Vec<Chip>,
    /// When no service matched every word: what these results do match, in a sentence.
    pub partial: Option<String>,
    /// The words asked to search "near me" but no postcode is known.
    pub ask_postcode: bool,
}

/// One thing the words were understood to mean ("Speaks Polish"), and how to remove it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chip {
    pub label: String,
    /// Added to the form's `ignore` field to remove it.
    pub key: String,
}

/// One service's public page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingDetails {
    pub card: ListingCard,
    pub description: String,
    pub min_visit_minutes: i32,
    pub billing_increment_minutes: i32,
    pub cancellation_notice_hours: i32,
    pub late_cancellation_percent: i32,
    pub carer_gender: String,
    pub languages: Vec<String>,
    /// Labels, like "Dementia".
    pub specialisms: Vec<String>,
    /// (day, opens, closes), like ("Monday", "08:00", "20:00").
    pub hours: Vec<(String, String, String)>,
    /// When the provider last confirmed the details (ISO date).
    pub assured_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderDetails {
    pub public_id: String,
    pub name: String,
    pub description: String,
    pub regulator_id: Option<String>,
    pub regulator_rating: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub website: Option<String>,
    pub languages: String,
    /// When the provider last confirmed these details (ISO date).
    pub assured_on: Option<String>,
    pub listings: Vec<ListingCard>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseloadEntry {
    pub user_id: i64,
    pub display_name: String,
    pub can_book: bool,
}

/// The booking questions as typed: every field is text, checked on the server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BookingAnswers {
    /// `once` or `weekly`.
    pub how_often: String,
    /// The day (of the first visit, for a weekly pattern), `YYYY-MM-DD`.
    pub date: String,
    /// The start time, `HH:MM` (UK time).
    pub time: String,
    /// How long each visit lasts, in minutes.
    pub minutes: String,
    /// For a weekly pattern, the days as digits, Monday = 1 ("135" = Mon, Wed, Fri).
    pub weekdays: String,
    /// Asked for as "best value on the framework": if this provider cannot take it, it is
    /// offered to the next-ranked provider on the lot.
    #[serde(default)]
    pub best_value: bool,
}

/// A request to book, as the confirm form sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BookingRequest {
    /// Whom it is for, when not the person booking (someone who lets them book).
    pub person: Option<i64>,
    /// The service's public id.
    pub listing: String,
    pub answers: BookingAnswers,
    /// One per "check your answers" page: the same form sent twice books once.
    pub request_key: String,
    /// The cost of the first 4 weeks the person was shown, in pence: the booking is refused
    /// if it no longer costs that.
    pub quoted_total: String,
}

/// What a booking will cost and what it leaves: the "check your answers" page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingQuote {
    pub listing_public_id: String,
    pub listing_title: String,
    pub provider: String,
    /// Who the care is for.
    pub person: String,
    /// The answers in words: "Every Monday and Thursday, 09:00 to 10:00, from Tuesday 1 December 2026".
    pub when: String,
    pub duration: String,
    pub per_visit_pence: i64,
    pub visits_in_four_weeks: u32,
    pub four_weeks_pence: i64,
    pub available_pence: i64,
    pub left_after_pence: i64,
    /// A fresh key for the confirm form: sending it twice books once.
    pub request_key: String,
    /// A self-funder's own account (paid into by card) rather than a council budget.
    #[serde(default)]
    pub self_funded: bool,
    /// What a self-funder must pay by card before this can be booked (0 when the account
    /// already holds it).
    #[serde(default)]
    pub to_pay_by_card_pence: i64,
}

/// A booking as the person, their planner, the provider or the council sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingView {
    pub reference: String,
    /// The status's code: requested, confirmed, in_progress, completed, declined, lapsed, cancelled.
    pub status: String,
    pub listing_public_id: String,
    pub listing_title: String,
    pub provider: String,
    pub person: String,
    pub when: String,
    pub duration: String,
    pub per_visit_pence: i64,
    pub committed_pence: i64,
    /// When the provider must answer by, in words (requests only).
    pub respond_by: Option<String>,
    /// Whether this viewer may cancel it now, and the service's policy in words.
    pub can_cancel: bool,
    pub cancellation_policy: String,
}

/// A provider's bookings: requests to answer, care under way, and visits coming up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderBookings {
    pub requests: Vec<BookingLine>,
    pub confirmed: Vec<BookingLine>,
    pub visits: Vec<VisitLine>,
}

/// One booking in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingLine {
    pub reference: String,
    pub service: String,
    /// Who the care is for (for the provider's list) or who provides it (for the person's).
    pub with: String,
    pub when: String,
    pub status: String,
    /// When a request must be answered by, in words.
    pub respond_by: Option<String>,
}

/// One visit in a provider's list, with what staff can do next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitLine {
    pub id: i64,
    pub reference: String,
    pub person: String,
    /// "Monday 1 December 2026, 09:00 (60 minutes)".
    pub when: String,
    /// The visit status's code: scheduled, in_progress, delivered, missed, cancelled.
    pub status: String,
    pub can_check_in: bool,
    pub can_check_out: bool,
    pub can_mark_missed: bool,
}

/// What provider staff do to a booking or one of its visits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BookingAction {
    Accept,
    Decline { reason: String },
    HandBack { reason: String },
    CheckIn { visit_id: i64 },
    CheckOut { visit_id: i64 },
    Missed { visit_id: i64 },
}

/// A message to someone about their bookings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// "23 November 2026, 14:05".
    pub at: String,
    pub text: String,
}

/// What the council owes providers, and the payment runs so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentsAdmin {
    /// (provider, pence owed), largest first.
    pub owed: Vec<(String, i64)>,
    pub runs: Vec<PaymentRunLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentRunLine {
    pub reference: String,
    pub date: String,
    pub total_pence: i64,
    pub providers: i32,
}

/// A budget holder's helpers page: who may act for them, and what was done for them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelpersPage {
    pub helpers: Vec<HelperLine>,
    /// Asked to help and not yet answered.
    pub waiting: Vec<HelperInvitationLine>,
    pub done_for_you: Vec<DoneForYou>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelperLine {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// "See your budget and book care".
    pub rights: String,
    /// "Until 31 March 2027", or nothing for no end date.
    pub until: Option<String>,
    /// "Accepted by Rosa Diaz on 6 December 2026".
    pub accepted: String,
}

/// Someone asked (by email) to help, who has not answered yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelperInvitationLine {
    pub id: i64,
    pub email: String,
    pub rights: String,
    pub until: Option<String>,
    /// "Asked on 6 December 2026".
    pub asked: String,
}

/// A request to help someone, as the helper sees it on their caseload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelpRequest {
    pub id: i64,
    /// Who asked.
    pub from: String,
    /// "See their budget and book and cancel care".
    pub rights: String,
    pub until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoneForYou {
    pub at: String,
    pub who: String,
    pub what: String,
}

/// Paying into a budget by card: what the form needs and the payments made so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardPaymentsPage {
    pub holder: String,
    /// The assessed contribution for 4 weeks (0 when none is due).
    pub four_weekly_contribution_pence: i64,
    /// A self-funder's own account rather than a council budget.
    pub self_funded: bool,
    pub payments: Vec<CardPaymentView>,
    /// Sent back with the form: the same form sent twice opens one payment.
    pub request_key: String,
}

/// Someone who pays for their own care opens an account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SelfFunderRegistration {
    pub your_name: String,
    pub email: String,
    pub password: String,
}

/// The "pay by card" form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CardPaymentForm {
    /// `contribution`, `top_up`, or `self_funded_booking` (a self-funder paying for a booking).
    #[serde(default)]
    pub purpose: String,
    /// Pounds and pence, as typed.
    #[serde(default)]
    pub amount: String,
}

/// One card payment as its payer sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardPaymentView {
    pub id: i64,
    pub holder: String,
    /// "Your contribution" or "Top-up".
    pub purpose: String,
    pub amount_pence: i64,
    /// `pending`, `succeeded`, `failed` or `refunded`.
    pub status: String,
    /// `YYYY-MM-DD HH:MM`, UK time.
    pub started: String,
    /// For the card form while the payment can still be made: Stripe's client secret and
    /// publishable key, and where Stripe.js is loaded from.
    pub card_form: Option<CardForm>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardForm {
    pub client_secret: String,
    pub publishable_key: String,
    pub script_url: String,
}

/// The "let someone help you" form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HelperForm {
    pub email: String,
    /// "yes" when ticked.
    #[serde(default)]
    pub can_book: String,
    #[serde(default)]
    pub can_pay: String,
    /// Optional end date, `YYYY-MM-DD`.
    #[serde(default)]
    pub until: String,
}

/// The council's personal budgets, for commissioners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetsAdmin {
    pub holders: Vec<BudgetHolderLine>,
    /// (public id, name) of the council's active providers, to hold a fund.
    pub providers: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetHolderLine {
    pub budget_id: i64,
    pub name: String,
    pub email: String,
    pub budget_type: String,
    pub four_weekly_pence: i64,
    pub available_pence: i64,
    pub set_aside_pence: i64,
    /// More than 8 weeks' worth unspent.
    pub surplus: bool,
    /// The provider holding an individual service fund.
    pub fund_holder: Option<String>,
    /// Whether the person has chosen their password yet.
    pub account_set_up: bool,
    /// The care plan's shortest home care visit, when it is not the usual 30 minutes.
    pub shortest_visit_minutes: Option<i32>,
}

/// "Open a personal budget", as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewBudgetForm {
    pub name: String,
    pub email: String,
    /// Absent when no type was chosen (radio buttons send nothing).
    #[serde(default)]
    pub budget_type: String,
    /// The public id of the provider holding an individual service fund.
    #[serde(default)]
    pub fund_holder: String,
    /// Pounds for 4 weeks.
    pub allocation: String,
    #[serde(default)]
    pub contribution: String,
    pub starts_on: String,
    /// Minutes; empty for the usual 30.
    #[serde(default)]
    pub shortest_visit: String,
}

/// A commissioner opens an account for someone who helps budget holders (a support planner,
/// a relative or friend): they set their password with the code the council gives them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewHelperForm {
    pub name: String,
    pub email: String,
}

/// A person setting up the account the council opened for them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SetUpForm {
    pub email: String,
    pub code: String,
    pub password: String,
}

/// A booking status in words.
pub fn booking_status_label(code: &str) -> &'static str {
    match code {
        "requested" => "Waiting for the provider",
        "confirmed" => "Confirmed",
        "in_progress" => "Care under way",
        "completed" => "Completed",
        "declined" => "Declined by the provider",
        "lapsed" => "Not answered in time",
        "cancelled" => "Cancelled",
        _ => "Unknown",
    }
}

/// A personal budget's statement: every movement of its money, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetStatement {
    pub budget_id: i64,
    pub holder: String,
    /// The budget type's code (`direct_payment`, `managed_account`, `individual_service_fund`).
    pub budget_type: String,
    /// The allocation and the assessed contribution for 4 weeks.
    pub four_weekly_pence: i64,
    pub available_pence: i64,
    pub set_aside_pence: i64,
    /// More than 8 weeks' worth unspent: the council will review it.
    pub surplus: bool,
    pub rows: Vec<StatementRow>,
    /// This viewer may pay into the budget by card (false when card payments are off).
    #[serde(default)]
    pub pay_by_card: bool,
    /// A self-funder's own account (paid into by card), not a council budget.
    #[serde(default)]
    pub self_funded: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementRow {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub details: String,
    pub money_in_pence: i64,
    pub money_out_pence: i64,
    pub available_after_pence: i64,
    pub set_aside_after_pence: i64,
}

/// What each role's dashboard shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Dashboard {
    BudgetHolder {
        budget_type: Option<String>,
        available_pence: i64,
        committed_pence: i64,
        four_weekly_allocation_pence: i64,
        active_bookings: u64,
        bookings: Vec<BookingLine>,
        messages: Vec<Message>,
    },
    Planner {
        caseload: Vec<CaseloadEntry>,
        /// People who asked this helper to help them, waiting for an answer.
        requests: Vec<HelpRequest>,
        messages: Vec<Message>,
    },
    Provider {
        organisation: String,
        organisation_public_id: String,
        published_listings: u64,
        other_listings: u64,
        requests_waiting: u64,
    },
    Commissioner {
        council: String,
        providers: u64,
        published_listings: u64,
        budget_holders: u64,
        lots: u64,
        placements_last_28_days: u64,
    },
}

/// Registration of a provider organisation and its first staff account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderRegistration {
    pub organisation_name: String,
    pub regulator_id: String,
    pub contact_phone: String,
    pub your_name: String,
    pub email: String,
    pub password: String,
}

/// A provider's own organisation profile, as its edit form shows it. The CQC rating is not
/// the provider's to set: it is shown, not edited.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OrganisationProfile {
    pub name: String,
    pub regulator_rating: String,
    /// When the details were last confirmed (ISO date).
    pub assured_on: Option<String>,
    pub form: ProfileForm,
}

/// The fields of the organisation profile form, as typed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub description: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub website: String,
    pub languages: String,
    pub regulator_id: String,
}

/// Where a listing is in its life: only published listings appear in search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListingStatus {
    Draft,
    Published,
    Paused,
}

impl ListingStatus {
    pub fn code(self) -> &'static str {
        match self {
            ListingStatus::Draft => "draft",
            ListingStatus::Published => "published",
            ListingStatus::Paused => "paused",
        }
    }

    pub fn from_code(code: &str) -> Option<ListingStatus> {
        [ListingStatus::Draft, ListingStatus::Published, ListingStatus::Paused].into_iter().find(|status| status.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ListingStatus::Draft => "Draft",
            ListingStatus::Published => "Published",
            ListingStatus::Paused => "Paused",
        }
    }
}

/// What a provider can do to one of their listings from its row in "Your listings".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListingChange {
    Publish,
    Pause,
    /// "These details are still right": stamps today's date as the assured date.
    Reconfirm,
}

/// A row of a provider's "Your listings" page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnListing {
    pub public_id: String,
    pub title: String,
    pub category: String,
    pub price: String,
    pub status: ListingStatus,
    /// When the details were last confirmed (ISO date).
    pub assured_on: Option<String>,
    /// Not confirmed for six months: shown to searchers as possibly out of date.
    pub possibly_out_of_date: bool,
}

/// A framework lot in the list of all lots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotSummary {
    pub id: i64,
    pub name: String,
    pub framework: String,
    pub locality: String,
    pub providers: u64,
}

/// A lot's public page: how its providers rank, and why (transparent choice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotTable {
    pub name: String,
    pub framework: String,
    pub locality: String,
    pub category: String,
    pub unit: String,
    pub price_cap_pence: i64,
    pub quality_weight: u32,
    pub ranked: Vec<LotRow>,
    /// Accredited providers the gates keep from framework work, with the reason.
    pub not_offered: Vec<(String, String)>,
    /// The top-ranked provider's service on the lot, to book as "best value on the framework".
    pub best_value_listing: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotRow {
    pub position: usize,
    pub provider: String,
    pub provider_public_id: String,
    /// Scores in hundredths of a point.
    pub quality: u32,
    pub price_score: u32,
    pub framework_score: u32,
    pub price_pence: i64,
    /// "2nd of 4 on North home care: quality 80, price £24.00 an hour"
    pub explanation: String,
}

/// What a commissioner sees to manage a lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotAdmin {
    pub accreditations: Vec<AccreditationRow>,
    /// Published services of the lot's kind in its area whose providers are not on it yet:
    /// (listing public id, "Provider: title (price)").
    pub could_admit: Vec<(String, String)>,
    /// "£30.00 an hour"
    pub price_cap: String,
    /// "30.00", for the terms form.
    pub price_cap_pounds: String,
    pub quality_weight: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccreditationRow {
    pub provider_public_id: String,
    pub provider: String,
    /// The contracted rate, like "£24.00 an hour".
    pub rate: String,
    /// Why the provider is suspended, when it is.
    pub suspension: Option<String>,
}

/// A commissioner's view of their council's frameworks, with what the "add a lot" form offers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FrameworkAdmin {
    pub frameworks: Vec<FrameworkRow>,
    /// (locality id, name) of the council's areas.
    pub localities: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkRow {
    pub id: i64,
    pub name: String,
    /// "1 April 2026 to 31 March 2030"
    pub period: String,
    /// (lot id, "North home care: cap £30.00 an hour, quality 60%")
    pub lots: Vec<(i64, String)>,
}

/// A new framework, as typed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FrameworkForm {
    pub name: String,
    /// `YYYY-MM-DD` (a date input).
    pub starts_on: String,
    pub ends_on: String,
}

/// A new lot on a framework, as typed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LotForm {
    pub framework_id: String,
    pub category: String,
    pub locality_id: String,
    pub unit: String,
    pub price_cap: String,
    pub quality_weight: String,
}

/// A commissioner's change to a lot. Providers are named by public id; every text is checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LotChange {
    Admit {
        listing_id: String,
        rate: String,
    },
    RecordMonitoring {
        provider_id: String,
        score: String,
        note: String,
    },
    Suspend {
        provider_id: String,
        reason: String,
    },
    Reinstate {
        provider_id: String,
    },
    /// A new price cap (pounds, as typed) and quality weighting (percent, as typed).
    Terms {
        price_cap: String,
        quality_weight: String,
    },
}

/// "86.25" from hundredths of a point.
pub fn format_score(hundredths: u32) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// A provider's listing as typed into its form: every field is text, checked on the server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListingForm {
    pub category: String,
    pub title: String,
    pub description: String,
    pub unit: String,
    /// Pounds and pence, like "24.50".
    pub price: String,
    pub min_visit_minutes: String,
    pub billing_increment_minutes: String,
    pub cancellation_notice_hours: String,
    pub late_cancellation_percent: String,
    pub carer_gender: String,
    /// Postcode districts served, separated by commas or spaces ("NE3, NE4").
    pub areas: String,
    /// A base postcode and how far carers travel from it, as well as or instead of `areas`.
    pub base_postcode: String,
    pub radius_km: String,
    /// Opening and closing times for Monday to Sunday ("08:00", "20:00"); both empty = closed.
    #[serde(default)]
    pub hours: Vec<DayHours>,
    /// Languages spoken, separated by commas.
    pub languages: String,
    /// Codes from `SPECIALISMS`.
    #[serde(default)]
    pub specialisms: Vec<String>,
}

impl ListingForm {
    /// What a new listing's form starts with: the common choices already made.
    pub fn new_listing() -> Self {
        Self {
            unit: "hour".into(),
            min_visit_minutes: "30".into(),
            billing_increment_minutes: "15".into(),
            cancellation_notice_hours: "24".into(),
            late_cancellation_percent: "100".into(),
            carer_gender: "any".into(),
            hours: vec![DayHours::default(); 7],
            languages: "English".into(),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DayHours {
    pub opens: String,
    pub closes: String,
}

pub const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// What a listing can say it specialises in: (code, label).
pub const SPECIALISMS: &[(&str, &str)] = &[
    ("dementia", "Dementia"),
    ("autism", "Autism"),
    ("learning_disability", "Learning disability"),
    ("mental_health", "Mental health"),
    ("physical_disability", "Physical disability"),
    ("end_of_life", "End of life care"),
    ("sensory_impairment", "Sight or hearing loss"),
    ("stroke", "Life after a stroke"),
];

pub const CATEGORIES: &[&str] =
    &["home_care", "personal_assistant", "day_opportunities", "respite", "shared_lives", "community_activities", "cleaning_shopping", "equipment_telecare"];

pub const UNITS: &[&str] = &["hour", "visit", "session", "day", "week", "item"];

/// One problem with one field, in words for the person who filled in the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The `id` of the input, so the error summary can link to it.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Errors as the browser sees them: specific, kind, and never database text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum UiError {
    #[error("There is a problem with what was entered")]
    Invalid(Vec<FieldError>),
    #[error("Enter the email address and password you registered with")]
    SignInFailed,
    #[error("Too many attempts. Wait {minutes} minutes, then try again")]
    Throttled { minutes: u32 },
    #[error("CareMarket is very busy just now. Wait a minute, then try again")]
    Busy,
    #[error("Sign in to see this page")]
    SignInRequired,
    #[error("You do not have access to this page")]
    Forbidden,
    #[error("We could not find that page")]
    NotFound,
    #[error("Sorry, something went wrong on our side. Please try again later")]
    Unexpected,
    #[error("We could not reach CareMarket. Check your connection and try again")]
    Transport(String),
}

impl UiError {
    /// The HTTP status this refusal is answered with: the one place that decides it for every
    /// server function.
    pub fn status(&self) -> u16 {
        match self {
            UiError::Invalid(_) => 422,
            UiError::SignInFailed | UiError::SignInRequired => 401,
            UiError::Throttled { .. } => 429,
            UiError::Busy => 503,
            UiError::Forbidden => 403,
            UiError::NotFound => 404,
            UiError::Unexpected | UiError::Transport(_) => 500,
        }
    }

    /// The messages to show against each field, or one general message.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            UiError::Invalid(errors) => errors.clone(),
            other => vec![FieldError::new("", other.to_string())],
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for UiError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr;
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                UiError::Invalid(vec![FieldError::new("", "Some of the form was missing. Fill in every field and try again")])
            }
            // On the server, what could not be read is what was sent: bad input, said so.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Deserialization(_) => {
                UiError::Invalid(vec![FieldError::new("", "Some of what was sent could not be read. Check it and try again")])
            }
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Request(detail) | ServerFnErrorErr::Deserialization(detail) => UiError::Transport(detail),
            _ => UiError::Unexpected,
        }
    }
}

/// Pounds as plain decimal text, like "-1234.50": for forms and files, not for reading.
pub fn pounds_text(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", pence.unsigned_abs() / 100, pence.unsigned_abs() % 100)
}

/// "£1,234.50" from pence. Money is always whole pence; this is only for display.
pub fn format_pence(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let pence = pence.unsigned_abs();
    format!("{sign}£{}.{:02}", group_thousands(pence / 100), pence % 100)
}

/// "1,234,567"
pub fn group_thousands(number: u64) -> String {
    let digits = number.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// "£24.50 an hour"
pub fn format_price(pence: i64, unit: &str) -> String {
    let per = match unit {
        "hour" => "an hour",
        "visit" => "a visit",
        "session" => "a session",
        "day" => "a day",
        "week" => "a week",
        _ => "each",
    };
    format!("{} {per}", format_pence(pence))
}

/// Every type of care as (code, name), for a select's options.
pub fn category_choices() -> Vec<(String, String)> {
    CATEGORIES.iter().map(|code| ((*code).to_string(), category_label(code).to_string())).collect()
}

pub fn category_label(code: &str) -> &'static str {
    match code {
        "home_care" => "Home care",
        "personal_assistant" => "Personal assistant",
        "day_opportunities" => "Day opportunities",
        "respite" => "Respite and short breaks",
        "shared_lives" => "Shared Lives",
        "community_activities" => "Community activities",
        "cleaning_shopping" => "Cleaning and shopping",
        "equipment_telecare" => "Equipment and telecare",
        _ => "Other support",
    }
}

/// "Dementia" for `dementia`; an unknown code is shown as it is.
pub fn specialism_label(code: &str) -> &str {
    SPECIALISMS.iter().find(|(c, _)| *c == code).map_or(code, |(_, label)| label)
}

/// "08:30" from minutes after midnight (1440 is "24:00", closing at midnight).
pub fn format_clock(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

pub fn rating_label(code: &str) -> &'static str {
    match code {
        "outstanding" => "Outstanding",
        "good" => "Good",
        "requires_improvement" => "Requires improvement",
        "inadequate" => "Inadequate",
        "not_yet_rated" => "Not yet rated",
        _ => "Not regulated by the CQC",
    }
}

pub fn budget_type_label(code: &str) -> &'static str {
    match code {
        "direct_payment" => "Direct payment",
        "managed_account" => "Managed account",
        "individual_service_fund" => "Individual service fund",
        _ => "Personal budget",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pence_are_shown_as_pounds_with_separators() {
        assert_eq!(format_pence(0), "£0.00");
        assert_eq!(format_pence(5), "£0.05");
        assert_eq!(format_pence(2_450), "£24.50");
        assert_eq!(format_pence(123_456_789), "£1,234,567.89");
        assert_eq!(format_pence(-100_000), "-£1,000.00");
    }

    #[test]
    fn roles_round_trip_through_codes_and_slugs() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
            assert_eq!(Role::from_slug(role.slug()), Some(role));
        }
        assert_eq!(Role::from_code("admin"), None);
    }

    #[test]
    fn only_our_own_paths_are_places_to_return_to() {
        for ours in ["/", "/bookings/CM-7K3Q-XH9P", "/book/abc?how_often=once&date=2026-12-07&time=09%3A00", "/%2F%2Fstill-ours"] {
            assert_eq!(safe_return_path(Some(ours)).as_deref(), Some(ours), "{ours:?}");
        }
        for theirs in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "https://evil.example",
            "evil.example",
            "/bookings/\n",
            "/a b",
            "/%zz",
            "/%4",
            "/caf\u{e9}",
            "/#top",
            "",
        ] {
            assert_eq!(safe_return_path(Some(theirs)), None, "{theirs:?}");
        }
        assert_eq!(sign_in_then("/dashboard/planner"), "/sign-in?next=/dashboard/planner");
        assert_eq!(sign_in_then("/book/x?a=1&b=2"), "/sign-in?next=/book/x%3Fa%3D1%26b%3D2");
        assert_eq!(sign_in_then("/bookings/\n"), "/sign-in");
    }
}
