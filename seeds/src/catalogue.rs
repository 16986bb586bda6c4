//! What the care market offers and how it is priced: the words and numbers the generator
//! draws from. Prices are realistic for England in 2026 (home care £24 to £36 an hour).
use crate::District;
use crate::rng::Rng;

pub struct Category {
    pub code: &'static str,
    pub plural: &'static str,
    pub blurb: &'static str,
    /// Unit and the price range in pence.
    pub price: (&'static str, i64, i64),
    /// Regulated by the CQC (so it has a rating).
    pub regulated: bool,
    /// Delivered in the person's home (so it may serve a radius).
    pub visits_home: bool,
    /// Personal care, where people often ask for a carer of a given gender.
    pub personal_care: bool,
    pub min_visit_minutes: i32,
    /// Share of providers whose main line of work this is.
    pub weight: u64,
    pub titles: &'static [&'static str],
    pub name_suffixes: &'static [&'static str],
    pub opening_hours: &'static [(i16, i32, i32)],
}

const EVERY_DAY_7_TO_22: &[(i16, i32, i32)] = &[(1, 420, 1320), (2, 420, 1320), (3, 420, 1320), (4, 420, 1320), (5, 420, 1320), (6, 420, 1320), (7, 420, 1320)];
/// Night sitting runs into the night.
pub const EVERY_DAY_7_TO_MIDNIGHT: &[(i16, i32, i32)] =
    &[(1, 420, 1440), (2, 420, 1440), (3, 420, 1440), (4, 420, 1440), (5, 420, 1440), (6, 420, 1440), (7, 420, 1440)];
pub const NIGHT_TITLE: &str = "Night sitting";
/// Titles that promise dementia care, so their listings have the specialism.
pub const DEMENTIA_TITLES: &[&str] = &["Dementia care at home", "Memory cafe"];
const WEEKDAYS_9_TO_4: &[(i16, i32, i32)] = &[(1, 570, 960), (2, 570, 960), (3, 570, 960), (4, 570, 960), (5, 570, 960)];
const WEEKDAYS_8_TO_6: &[(i16, i32, i32)] = &[(1, 480, 1080), (2, 480, 1080), (3, 480, 1080), (4, 480, 1080), (5, 480, 1080)];
const ALL_DAY_EVERY_DAY: &[(i16, i32, i32)] = &[(1, 0, 1440), (2, 0, 1440), (3, 0, 1440), (4, 0, 1440), (5, 0, 1440), (6, 0, 1440), (7, 0, 1440)];
const WEEK_AND_SATURDAY: &[(i16, i32, i32)] = &[(1, 600, 1260), (2, 600, 1260), (3, 600, 1260), (4, 600, 1260), (5, 600, 1260), (6, 600, 1020)];

pub const CATEGORIES: &[Category] = &[
    Category {
        code: "home_care",
        plural: "Home care",
        blurb: "Trained care workers visit you at home to help with washing, dressing, meals and medicines.",
        price: ("hour", 2_400, 3_600),
        regulated: true,
        visits_home: true,
        personal_care: true,
        min_visit_minutes: 30,
        weight: 35,
        titles: &["Home care visits", "Morning and evening calls", "Personal care at home", "Dementia care at home", "Night sitting"],
        name_suffixes: &["Home Care", "Care at Home", "Homecare Services", "Care Services"],
        opening_hours: EVERY_DAY_7_TO_22,
    },
    Category {
        code: "personal_assistant",
        plural: "Personal assistants",
        blurb: "A personal assistant you choose supports you to live the way you want.",
        price: ("hour", 1_300, 1_800),
        regulated: false,
        visits_home: true,
        personal_care: true,
        min_visit_minutes: 60,
        weight: 10,
        titles: &["Personal assistant", "PA support for daily living", "Flexible PA hours"],
        name_suffixes: &["PA Services", "Personal Assistants", "Independent Living"],
        opening_hours: WEEKDAYS_8_TO_6,
    },
    Category {
        code: "day_opportunities",
        plural: "Day opportunities",
        blurb: "Days out and activities in a friendly group, with support throughout.",
        price: ("day", 3_500, 7_500),
        regulated: false,
        visits_home: false,
        personal_care: false,
        min_visit_minutes: 0,
        weight: 12,
        titles: &["Day centre", "Creative arts day", "Gardening and outdoors day", "Life skills day"],
        name_suffixes: &["Day Services", "Day Opportunities", "Community Hub"],
        opening_hours: WEEKDAYS_9_TO_4,
    },
    Category {
        code: "respite",
        plural: "Respite and short breaks",
        blurb: "A short stay with care around the clock, giving you and your carer a break.",
        price: ("day", 9_000, 16_000),
        regulated: true,
        visits_home: false,
        personal_care: true,
        min_visit_minutes: 0,
        weight: 10,
        titles: &["Short break stay", "Respite care", "Weekend short breaks"],
        name_suffixes: &["Short Breaks", "Respite Care", "House"],
        opening_hours: ALL_DAY_EVERY_DAY,
    },
    Category {
        code: "shared_lives",
        plural: "Shared Lives",
        blurb: "Live with, or spend days with, an approved Shared Lives carer and their family.",
        price: ("week", 35_000, 60_000),
        regulated: true,
        visits_home: false,
        personal_care: true,
        min_visit_minutes: 0,
        weight: 5,
        titles: &["Shared Lives long-term placement", "Shared Lives day support"],
        name_suffixes: &["Shared Lives"],
        opening_hours: ALL_DAY_EVERY_DAY,
    },
    Category {
        code: "community_activities",
        plural: "Community activities",
        blurb: "Groups and clubs that help you stay active and meet people.",
        price: ("session", 500, 2_500),
        regulated: false,
        visits_home: false,
        personal_care: false,
        min_visit_minutes: 0,
        weight: 12,
        titles: &["Lunch club", "Chair exercise class", "Walking group", "Memory cafe", "Men's shed"],
        name_suffixes: &["Community Group", "Friends", "Club", "Neighbours"],
        opening_hours: WEEK_AND_SATURDAY,
    },
    Category {
        code: "cleaning_shopping",
        plural: "Cleaning and shopping",
        blurb: "Help around the home: cleaning, laundry, shopping and errands.",
        price: ("hour", 1_500, 2_200),
        regulated: false,
        visits_home: true,
        personal_care: false,
        min_visit_minutes: 60,
        weight: 10,
        titles: &["Cleaning and laundry", "Shopping and errands", "Home help"],
        name_suffixes: &["Home Help", "Helping Hands", "Home Services"],
        opening_hours: WEEKDAYS_8_TO_6,
    },
    Category {
        code: "equipment_telecare",
        plural: "Equipment and telecare",
        blurb: "Alarms, sensors and equipment that help you stay safe and independent at home.",
        price: ("week", 400, 900),
        regulated: false,
        visits_home: true,
        personal_care: false,
        min_visit_minutes: 0,
        weight: 6,
        titles: &["Community alarm with 24-hour response", "Falls sensor and monitoring", "Telecare package"],
        name_suffixes: &["Telecare", "Lifeline", "Safe at Home"],
        opening_hours: ALL_DAY_EVERY_DAY,
    },
];

pub fn pick_category(rng: &mut Rng) -> &'static Category {
    let total: u64 = CATEGORIES.iter().map(|c| c.weight).sum();
    let mut roll = rng.next_u64() % total;
    for category in CATEGORIES {
        if roll < category.weight {
            return category;
        }
        roll -= category.weight;
    }
    &CATEGORIES[0]
}

pub fn area_phrase(rng: &mut Rng, home: &District) -> String {
    match rng.between(0, 2) {
        0 => format!("in {}", home.area),
        1 => format!("in {} and nearby", home.area),
        _ => format!("around {} ({})", home.area, home.code),
    }
}

pub fn listing_detail(rng: &mut Rng, category: &Category) -> String {
    let details: &[&str] = if category.personal_care {
        &[
            "The same small team visits each time, so you get to know them.",
            "All staff are DBS checked and trained in moving and handling.",
            "We can start within a week and fit visits around your routine.",
        ]
    } else {
        &[
            "Transport can be arranged on request.",
            "Accessible venue with step-free access and a hearing loop.",
            "Friendly volunteers and staff; carers are welcome too.",
        ]
    };
    (*rng.pick(details)).to_string()
}

pub const SPECIALISMS: &[&str] =
    &["dementia", "autism", "learning_disability", "mental_health", "physical_disability", "end_of_life", "sensory_impairment", "stroke"];

pub const LANGUAGES: &[&str] = &["English", "Polish", "Urdu", "Punjabi", "Bengali", "Arabic", "Cantonese", "British Sign Language"];

pub const NAME_PLACES: &[&str] = &[
    "Tyne",
    "Riverside",
    "Quayside",
    "Northumbria",
    "Gosforth",
    "Jesmond",
    "Ouseburn",
    "Castle",
    "Hadrian",
    "Heaton",
    "Benwell",
    "Lemington",
    "Kenton",
    "Walker",
    "Shieldfield",
    "Sandyford",
    "Elswick",
    "Denton",
    "Fenwick",
    "Leazes",
    "Grainger",
    "Exhibition",
    "Town Moor",
    "Armstrong",
    "Collingwood",
    "Dene",
    "Millfield",
    "Bridges",
    "Lighthouse",
    "Keel",
];

pub const FIRST_NAMES: &[&str] = &[
    "Alex", "Sam", "Jordan", "Priya", "Mohammed", "Grace", "Olivia", "Jack", "Amelia", "Noah", "Fatima", "Harry", "Isla", "George", "Aisha", "Ella", "Tom",
    "Zara", "Margaret", "John", "Patricia", "David", "Susan", "Wei",
];

pub const LAST_NAMES: &[&str] = &[
    "Morgan",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Robson",
    "Khan",
    "Patel",
    "Ahmed",
    "Walker",
    "Hall",
    "Thompson",
    "Charlton",
    "Milburn",
    "Wright",
    "Green",
    "Nowak",
    "Chen",
    "Begum",
    "Armstrong",
    "Scott",
    "Young",
];
