//! Real postcode districts of Newcastle upon Tyne and their approximate centroids, grouped
//! into the demo council's three localities.

pub struct Place {
    pub district: &'static str,
    pub area: &'static str,
    pub latitude: f64,
    pub longitude: f64,
}

pub const LOCALITIES: &[(&str, &[Place])] = &[
    (
        "North",
        &[
            Place { district: "NE3", area: "Gosforth", latitude: 55.0090, longitude: -1.6270 },
            Place { district: "NE7", area: "High Heaton", latitude: 55.0000, longitude: -1.5800 },
            Place { district: "NE12", area: "Longbenton", latitude: 55.0300, longitude: -1.5650 },
            Place { district: "NE13", area: "Wideopen", latitude: 55.0450, longitude: -1.6450 },
        ],
    ),
    (
        "East and Central",
        &[
            Place { district: "NE1", area: "City Centre", latitude: 54.9720, longitude: -1.6130 },
            Place { district: "NE2", area: "Jesmond", latitude: 54.9860, longitude: -1.6000 },
            Place { district: "NE6", area: "Byker and Walker", latitude: 54.9750, longitude: -1.5600 },
        ],
    ),
    (
        "West",
        &[
            Place { district: "NE4", area: "Fenham", latitude: 54.9720, longitude: -1.6500 },
            Place { district: "NE5", area: "Westerhope", latitude: 54.9900, longitude: -1.7000 },
            Place { district: "NE15", area: "Newburn", latitude: 54.9820, longitude: -1.7400 },
        ],
    ),
];
