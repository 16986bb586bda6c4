//! Verified reviews: written by someone who booked through CareMarket, after a confirmed visit.
use serde::{Deserialize, Serialize};

/// The most characters a review or a reply may have.
pub const REVIEW_CHARACTERS: usize = 1000;

stored_state! {
    /// Why a commissioner hid a review. On the server, also the `reviews.hidden_reason` column's type.
    pub enum ReviewHiddenReason {
        Abusive,
        PersonalData,
        NotAboutCare,
    }
}

impl ReviewHiddenReason {
    pub const ALL: [Self; 3] = [Self::Abusive, Self::PersonalData, Self::NotAboutCare];

    pub fn code(self) -> &'static str {
        match self {
            Self::Abusive => "abusive",
            Self::PersonalData => "personal_data",
            Self::NotAboutCare => "not_about_care",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Abusive => "It is abusive",
            Self::PersonalData => "It gives someone's personal details",
            Self::NotAboutCare => "It is not about the care",
        }
    }
}

/// A review as anyone sees it: never a name, only the month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicReview {
    pub id: i64,
    pub stars: u8,
    pub body: String,
    /// "March 2027".
    pub month: String,
    pub reply: Option<String>,
}

/// How many visible reviews and their average, for a heading.
pub fn review_summary(reviews: &[PublicReview]) -> Option<String> {
    if reviews.is_empty() {
        return None;
    }
    let total: u32 = reviews.iter().map(|review| u32::from(review.stars)).sum();
    let count = reviews.len() as u32;
    let tenths = (total * 10 + count / 2) / count;
    let noun = if count == 1 { "review" } else { "reviews" };
    Some(format!("{count} {noun}, averaging {}.{} stars out of 5", tenths / 10, tenths % 10))
}

/// A review as the provider's staff or a commissioner sees it, with what they may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManagedReview {
    pub review: PublicReview,
    pub provider: String,
    pub service: String,
    pub reference: String,
    /// Why it was hidden, in words, if it was.
    pub hidden: Option<String>,
    pub can_reply: bool,
    pub can_hide: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_says_how_many_and_their_average() {
        let review = |stars| PublicReview { id: 1, stars, body: String::new(), month: "March 2027".into(), reply: None };
        assert_eq!(review_summary(&[]), None);
        assert_eq!(review_summary(&[review(5)]).as_deref(), Some("1 review, averaging 5.0 stars out of 5"));
        assert_eq!(review_summary(&[review(5), review(4), review(4)]).as_deref(), Some("3 reviews, averaging 4.3 stars out of 5"));
        assert_eq!(ReviewHiddenReason::from_code("personal_data"), Some(ReviewHiddenReason::PersonalData));
        assert_eq!(ReviewHiddenReason::from_code("dislike"), None);
    }
}
