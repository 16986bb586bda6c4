//! Framework ranking on quality and price, as DESIGN.md sets it out. Pure arithmetic over
//! whole numbers (scores are held in hundredths of a point), so a rank never depends on
//! floating-point rounding and every figure shown can be checked by hand.
//!
//! * Quality (0–100) blends the regulator's rating, the council's contract-monitoring score and
//!   verified reviews. A missing rating or monitoring score does not count against anyone: its
//!   weight is shared among the parts that are there.
//! * Reviews are smoothed towards 3.5 stars as if every provider already had ten such reviews,
//!   so two five-star reviews do not beat two hundred four-and-a-half-star ones.
//! * Price score (0–100) = 100 × lowest price among the lot's eligible providers / this price.
//! * Framework score = quality weight × quality + price weight × price score (weights sum to 100).
//! * Gates come first: a provider rated Inadequate or suspended on the lot is not ranked.
use app::format_price;
use std::cmp::Reverse;

/// A score from 0 to 100, held in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(u32);

impl Score {
    pub const MAX: Score = Score(10_000);

    pub fn from_hundredths(hundredths: u32) -> Self {
        Self(hundredths.min(Self::MAX.0))
    }

    pub fn hundredths(self) -> u32 {
        self.0
    }

    /// Rounded to a whole number, as people see it.
    pub fn whole(self) -> u32 {
        (self.0 + 50) / 100
    }
}

/// The regulator's (CQC's) overall rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    Outstanding,
    Good,
    RequiresImprovement,
    Inadequate,
    NotYetRated,
    NotRegulated,
}

impl Rating {
    /// From the database's code (`providers.regulator_rating`).
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "outstanding" => Self::Outstanding,
            "good" => Self::Good,
            "requires_improvement" => Self::RequiresImprovement,
            "inadequate" => Self::Inadequate,
            "not_yet_rated" => Self::NotYetRated,
            "not_regulated" => Self::NotRegulated,
            _ => return None,
        })
    }

    /// The rating gate: a provider the regulator rates Inadequate is offered no framework work,
    /// neither a place in a lot's ranking nor a booking through a lot.
    pub fn bars_framework_work(self) -> bool {
        self == Self::Inadequate
    }

    /// Points out of 100, or none where there is no rating to count.
    fn points(self) -> Option<u32> {
        match self {
            Self::Outstanding => Some(100),
            Self::Good => Some(80),
            Self::RequiresImprovement => Some(40),
            Self::Inadequate => Some(0),
            Self::NotYetRated | Self::NotRegulated => None,
        }
    }
}

/// What quality is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualityInputs {
    pub rating: Rating,
    /// The council's latest contract-monitoring score, 0–100, if it has visited.
    pub monitoring: Option<u8>,
    /// Verified reviews (from delivered bookings only): how many, and their stars added up.
    pub review_count: u32,
    pub review_stars_total: u32,
}

const RATING_WEIGHT: u64 = 40;
const MONITORING_WEIGHT: u64 = 40;
const REVIEWS_WEIGHT: u64 = 20;
/// Every provider starts as if it had this many reviews of `PRIOR_STARS_THOUSANDTHS`.
const PRIOR_REVIEWS: u64 = 10;
const PRIOR_STARS_THOUSANDTHS: u64 = 3_500;

/// Quality, 0–100.
pub fn quality(inputs: QualityInputs) -> Score {
    let mut parts: Vec<(u64, u64)> = vec![(REVIEWS_WEIGHT, u64::from(review_score(inputs.review_count, inputs.review_stars_total).0))];
    if let Some(points) = inputs.rating.points() {
        parts.push((RATING_WEIGHT, u64::from(points) * 100));
    }
    if let Some(score) = inputs.monitoring {
        parts.push((MONITORING_WEIGHT, u64::from(score.min(100)) * 100));
    }
    let weights: u64 = parts.iter().map(|(weight, _)| weight).sum();
    let weighted: u64 = parts.iter().map(|(weight, score)| weight * score).sum();
    Score::from_hundredths(u32::try_from(weighted / weights).unwrap_or(u32::MAX))
}

/// Reviews as a score: the smoothed average star rating, 1 star = 0 and 5 stars = 100.
fn review_score(count: u32, stars_total: u32) -> Score {
    let count = u64::from(count);
    // Stars out of 5 can only add up to 5 a review; anything more is bad data, capped.
    let stars_total = u64::from(stars_total).min(count * 5);
    let smoothed_thousandths = (stars_total * 1_000 + PRIOR_REVIEWS * PRIOR_STARS_THOUSANDTHS) / (count + PRIOR_REVIEWS);
    let above_one_star = smoothed_thousandths.saturating_sub(1_000);
    Score::from_hundredths(u32::try_from(above_one_star * 10_000 / 4_000).unwrap_or(u32::MAX))
}

/// A lot's quality:price weighting. The two always add up to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weighting {
    quality: u32,
}

impl Weighting {
    /// 60:40, the council's usual balance.
    pub const DEFAULT: Weighting = Weighting { quality: 60 };

    /// The quality share, 0–100; price takes the rest.
    pub fn new(quality_percent: u32) -> Option<Self> {
        (quality_percent <= 100).then_some(Self { quality: quality_percent })
    }

    pub fn quality(self) -> u32 {
        self.quality
    }

    pub fn price(self) -> u32 {
        100 - self.quality
    }
}

/// Why a provider is not offered framework work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    RatedInadequate,
    Suspended { reason: String },
}

/// One provider's entry in a lot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub provider_id: i64,
    pub name: String,
    /// Its contracted rate on the lot, in pence per the lot's unit.
    pub price_pence: i64,
    pub quality: Score,
    pub rating: Rating,
    pub suspension: Option<String>,
    /// Its visible verified reviews: how many, and their stars added up (for the explanation).
    pub reviews: (u32, u32),
}

impl Candidate {
    fn gate(&self) -> Option<Gate> {
        if let Some(reason) = &self.suspension {
            Some(Gate::Suspended { reason: reason.clone() })
        } else if self.rating.bars_framework_work() {
            Some(Gate::RatedInadequate)
        } else {
            None
        }
    }
}

/// A ranked provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    /// 1 for the best.
    pub position: usize,
    pub candidate: Candidate,
    pub price_score: Score,
    /// Weighted score, in hundredths of a point times 100 (exact; `framework_score` rounds it).
    points: u32,
}

impl Ranked {
    pub fn framework_score(&self) -> Score {
        Score::from_hundredths((self.points + 50) / 100)
    }
}

/// A lot's full table: the ranked providers, then those the gates keep out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotRanking {
    pub ranked: Vec<Ranked>,
    pub excluded: Vec<(Candidate, Gate)>,
}

/// Ranks a lot. Ties go to higher quality, then lower price, then the name, then the id.
pub fn rank_lot(weighting: Weighting, candidates: Vec<Candidate>) -> LotRanking {
    let (eligible, gated): (Vec<_>, Vec<_>) = candidates.into_iter().partition(|candidate| candidate.gate().is_none());
    let excluded = gated.into_iter().filter_map(|candidate| candidate.gate().map(|gate| (candidate, gate))).collect();
    let lowest = eligible.iter().map(|candidate| candidate.price_pence).filter(|&price| price > 0).min().unwrap_or(1);
    let mut ranked: Vec<Ranked> = eligible
        .into_iter()
        .map(|candidate| {
            let price_score = price_score(lowest, candidate.price_pence);
            let points = weighting.quality() * candidate.quality.0 + weighting.price() * price_score.0;
            Ranked { position: 0, candidate, price_score, points }
        })
        .collect();
    ranked.sort_by_key(|entry| {
        (Reverse(entry.points), Reverse(entry.candidate.quality), entry.candidate.price_pence, entry.candidate.name.to_lowercase(), entry.candidate.provider_id)
    });
    for (index, entry) in ranked.iter_mut().enumerate() {
        entry.position = index + 1;
    }
    LotRanking { ranked, excluded }
}

/// 100 × lowest / price, rounded down (so a lower price never scores less).
fn price_score(lowest: i64, price: i64) -> Score {
    if price <= 0 {
        return Score::MAX;
    }
    let hundredths = i128::from(lowest) * 10_000 / i128::from(price);
    Score::from_hundredths(u32::try_from(hundredths.clamp(0, 10_000)).unwrap_or(0))
}

/// "2nd of 14 on North home care: quality 86 (12 reviews averaging 4.3 stars), price £21.40 an hour"
pub fn explain(entry: &Ranked, of: usize, lot_name: &str, unit: &str) -> String {
    let reviews = match entry.candidate.reviews {
        (0, _) => "no reviews yet".to_string(),
        (count, stars) => {
            let tenths = (u64::from(stars.min(count * 5)) * 10 + u64::from(count) / 2) / u64::from(count);
            format!("{count} {} averaging {}.{} stars", if count == 1 { "review" } else { "reviews" }, tenths / 10, tenths % 10)
        }
    };
    format!(
        "{} of {of} on {lot_name}: quality {} ({reviews}), price {}",
        ordinal(entry.position),
        entry.candidate.quality.whole(),
        format_price(entry.candidate.price_pence, unit)
    )
}

/// Why a provider is missing from a lot's ranking, in plain words.
pub fn explain_gate(gate: &Gate) -> String {
    match gate {
        Gate::RatedInadequate => "Not offered framework work while the CQC rates it Inadequate".into(),
        Gate::Suspended { reason } => format!("Not offered framework work: suspended on this lot ({reason})"),
    }
}

/// 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st, 22nd …
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use seeds::Rng;

    fn candidate(id: i64, name: &str, price_pence: i64, quality: u32) -> Candidate {
        Candidate {
            provider_id: id,
            name: name.into(),
            price_pence,
            quality: Score::from_hundredths(quality * 100),
            rating: Rating::Good,
            suspension: None,
            reviews: (0, 0),
        }
    }

    fn names(ranking: &LotRanking) -> Vec<&str> {
        ranking.ranked.iter().map(|entry| entry.candidate.name.as_str()).collect()
    }

    #[test]
    fn weights_always_sum_to_one_hundred() {
        for quality in 0..=100 {
            let weighting = Weighting::new(quality).unwrap();
            assert_eq!(weighting.quality() + weighting.price(), 100);
        }
        assert_eq!(Weighting::new(101), None);
        assert_eq!((Weighting::DEFAULT.quality(), Weighting::DEFAULT.price()), (60, 40));
    }

    #[test]
    fn a_golden_lot_ranks_as_worked_out_by_hand() {
        // 60:40. Lowest eligible price £24.00 (the £20.00 provider is rated Inadequate).
        //   Bywell:  quality 95, price score 100 × 2400/3000 = 80.00 → 0.6×95 + 0.4×80    = 89.00
        //   Abbey:   quality 80, price score 100.00               → 0.6×80 + 0.4×100   = 88.00
        //   Tyne:    the same as Abbey: the tie goes to the name  →                     88.00
        //   Coquet:  quality 85, price score 100 × 2400/2600 = 92.30 → 51 + 36.92      = 87.92
        let mut cheap_but_inadequate = candidate(5, "Derwent", 2000, 99);
        cheap_but_inadequate.rating = Rating::Inadequate;
        let mut suspended = candidate(6, "Eden", 2100, 99);
        suspended.suspension = Some("missed visits under investigation".into());
        let ranking = rank_lot(
            Weighting::DEFAULT,
            vec![
                candidate(1, "Tyne", 2400, 80),
                candidate(2, "Bywell", 3000, 95),
                candidate(3, "Coquet", 2600, 85),
                cheap_but_inadequate,
                candidate(4, "Abbey", 2400, 80),
                suspended,
            ],
        );
        assert_eq!(names(&ranking), ["Bywell", "Abbey", "Tyne", "Coquet"]);
        let scores: Vec<u32> = ranking.ranked.iter().map(|entry| entry.framework_score().hundredths()).collect();
        assert_eq!(scores, [8_900, 8_800, 8_800, 8_792]);
        assert_eq!(ranking.ranked[3].price_score.hundredths(), 9_230);
        assert_eq!(ranking.excluded.iter().map(|(c, _)| c.name.as_str()).collect::<Vec<_>>(), ["Derwent", "Eden"]);
        assert_eq!(
            explain(&ranking.ranked[1], ranking.ranked.len(), "North home care", "hour"),
            "2nd of 4 on North home care: quality 80 (no reviews yet), price £24.00 an hour"
        );
        assert_eq!(explain_gate(&ranking.excluded[1].1), "Not offered framework work: suspended on this lot (missed visits under investigation)");
        let mut reviewed = ranking.ranked[0].clone();
        reviewed.candidate.reviews = (3, 13);
        assert_eq!(
            explain(&reviewed, 4, "North home care", "hour"),
            "1st of 4 on North home care: quality 95 (3 reviews averaging 4.3 stars), price £30.00 an hour"
        );
        reviewed.candidate.reviews = (1, 5);
        assert!(explain(&reviewed, 4, "North home care", "hour").contains("(1 review averaging 5.0 stars)"));
    }

    #[test]
    fn quality_blends_rating_monitoring_and_smoothed_reviews() {
        // Good (80) ×40, monitoring 90 ×40, no reviews: smoothed 3.5 stars = 62.50 ×20 → 80.50.
        let inputs = QualityInputs { rating: Rating::Good, monitoring: Some(90), review_count: 0, review_stars_total: 0 };
        assert_eq!(quality(inputs).hundredths(), 8_050);
        // With no rating and no visit yet, reviews alone decide (nobody is marked down for a gap).
        let unrated = QualityInputs { rating: Rating::NotYetRated, monitoring: None, review_count: 0, review_stars_total: 0 };
        assert_eq!(quality(unrated).hundredths(), 6_250);
        assert_eq!(quality(QualityInputs { rating: Rating::Outstanding, monitoring: Some(100), review_count: 50, review_stars_total: 250 }), {
            // Reviews: (250 + 35) / 60 = 4.75 stars → 93.75; (40×100 + 40×100 + 20×93.75) / 100 = 98.75.
            Score::from_hundredths(9_875)
        });
    }

    #[test]
    fn two_five_star_reviews_do_not_beat_two_hundred_four_and_a_half_star_ones() {
        assert!(review_score(2, 10) < review_score(200, 900));
        assert!(review_score(0, 0) < review_score(2, 10), "good reviews still help");
        assert_eq!(review_score(3, 99), review_score(3, 15), "impossible totals are capped at five stars each");
    }

    #[test]
    fn ordinals_read_naturally() {
        let words: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112].into_iter().map(ordinal).collect();
        assert_eq!(words, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th"]);
    }

    fn random_lot(rng: &mut Rng) -> (Weighting, Vec<Candidate>) {
        let size = rng.between(2, 12) as usize;
        let candidates = (0..size)
            .map(|id| {
                let mut entry = candidate(id as i64, &format!("Provider {}", rng.between(0, 5)), rng.between(1_800, 3_800), 0);
                entry.quality = Score::from_hundredths(rng.between(0, 10_000) as u32);
                if rng.chance(10) {
                    entry.rating = Rating::Inadequate;
                }
                entry
            })
            .collect();
        (Weighting::new(rng.between(0, 100) as u32).unwrap(), candidates)
    }

    fn position_of(ranking: &LotRanking, provider_id: i64) -> Option<usize> {
        ranking.ranked.iter().find(|entry| entry.candidate.provider_id == provider_id).map(|entry| entry.position)
    }

    #[test]
    fn lowering_a_price_never_lowers_that_providers_rank() {
        let mut rng = Rng::new(2026);
        for _ in 0..2_000 {
            let (weighting, mut candidates) = random_lot(&mut rng);
            let chosen = rng.between(0, candidates.len() as i64 - 1) as usize;
            let id = candidates[chosen].provider_id;
            let before = position_of(&rank_lot(weighting, candidates.clone()), id);
            candidates[chosen].price_pence -= rng.between(1, 1_000).min(candidates[chosen].price_pence - 1);
            let after = position_of(&rank_lot(weighting, candidates.clone()), id);
            if let (Some(before), Some(after)) = (before, after) {
                assert!(after <= before, "{weighting:?}: from {before} to {after} in {candidates:?}");
            }
        }
    }

    #[test]
    fn raising_quality_never_lowers_that_providers_rank() {
        let mut rng = Rng::new(2027);
        for _ in 0..2_000 {
            let (weighting, mut candidates) = random_lot(&mut rng);
            let chosen = rng.between(0, candidates.len() as i64 - 1) as usize;
            let id = candidates[chosen].provider_id;
            let before = position_of(&rank_lot(weighting, candidates.clone()), id);
            let raised = candidates[chosen].quality.hundredths() + rng.between(1, 3_000) as u32;
            candidates[chosen].quality = Score::from_hundredths(raised);
            let after = position_of(&rank_lot(weighting, candidates.clone()), id);
            if let (Some(before), Some(after)) = (before, after) {
                assert!(after <= before, "{weighting:?}: from {before} to {after} in {candidates:?}");
            }
        }
    }

    #[test]
    fn gated_providers_are_never_ranked_and_never_set_the_lowest_price() {
        let mut rng = Rng::new(2028);
        for _ in 0..1_000 {
            let (weighting, candidates) = random_lot(&mut rng);
            let ranking = rank_lot(weighting, candidates.clone());
            assert_eq!(ranking.ranked.len() + ranking.excluded.len(), candidates.len());
            assert!(ranking.ranked.iter().all(|entry| entry.candidate.rating != Rating::Inadequate));
            assert!(ranking.excluded.iter().all(|(entry, gate)| entry.rating == Rating::Inadequate && *gate == Gate::RatedInadequate));
            if let Some(cheapest) = ranking.ranked.iter().map(|entry| entry.candidate.price_pence).min() {
                let best_price_score = ranking.ranked.iter().map(|entry| entry.price_score).max();
                assert_eq!(best_price_score, Some(Score::MAX), "the cheapest eligible ({cheapest}p) scores 100 on price");
            }
            let positions: Vec<usize> = ranking.ranked.iter().map(|entry| entry.position).collect();
            assert_eq!(positions, (1..=ranking.ranked.len()).collect::<Vec<_>>());
        }
    }
}
