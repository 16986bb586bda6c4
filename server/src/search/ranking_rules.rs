//! How well a service matches the words typed, as people expect: services that match every
//! concept that must match come first (see `understanding`), then those of a type of care the
//! words point to; then exact words beat typos, title matches beat description matches, words close together beat
//! words far apart. (The framework score breaks the remaining ties; see `embedded`.)
//! The last word may be unfinished (search as you type), so it also matches as a prefix.
use std::cmp::Ordering;

/// The index's words: split at anything that is not a letter or digit, lower-cased. This
/// must agree with tantivy's `default` tokenizer, which the index uses.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty() && word.len() <= 40).map(str::to_lowercase).collect()
}

/// Typos forgiven in a word: none below 5 letters, one from 5, two from 9 (as Meilisearch).
pub fn allowed_typos(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Edit distance with adjacent swaps counting as one, or none if above `max`.
fn edit_distance(a: &[char], b: &[char], max: u8) -> Option<u8> {
    let max = usize::from(max);
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut rows = vec![vec![0usize; width]; a.len() + 1];
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[i][0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    let distance = rows[a.len()][b.len()];
    (distance <= max).then(|| u8::try_from(distance).unwrap_or(u8::MAX))
}

/// How many typos it takes for `typed` to match `token`, if it does. An unfinished word
/// (`prefix`) matches the start of a longer token.
pub fn typos(typed: &str, token: &str, prefix: bool) -> Option<u8> {
    if typed == token || (prefix && token.starts_with(typed)) {
        return Some(0);
    }
    let max = allowed_typos(typed);
    // Cheap refusals before any allocation: most tokens are nowhere near the typed word.
    if max == 0 || (!prefix && typed.len().abs_diff(token.len()) > usize::from(max) * 4) || (prefix && token.len() + usize::from(max) * 4 < typed.len()) {
        return None;
    }
    let typed: Vec<char> = typed.chars().collect();
    let token: Vec<char> = token.chars().collect();
    if prefix && token.len() > typed.len() {
        // Compare with the token's starts of about the typed length.
        let shortest = typed.len().saturating_sub(usize::from(max)).max(1);
        let longest = (typed.len() + usize::from(max)).min(token.len());
        (shortest..=longest).filter_map(|len| edit_distance(&typed, &token[..len], max)).min()
    } else {
        edit_distance(&typed, &token, max)
    }
}

/// How many places of a word are kept for measuring how close the words are: the first few
/// are enough, and keeping them inline saves an allocation per match.
const PLACES: usize = 4;

/// Where one typed word matched a document best.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordHit {
    pub typos: u8,
    pub in_title: bool,
    /// Matched by another way of saying it (or by the type of care), not the words typed.
    pub synonym: bool,
    places: [u32; PLACES],
    count: u8,
}

impl WordHit {
    pub fn at(typos: u8, in_title: bool, position: u32) -> Self {
        Self { typos, in_title, synonym: false, places: [position, 0, 0, 0], count: 1 }
    }

    /// The same, matched by a synonym.
    pub fn by_synonym(self, synonym: bool) -> Self {
        Self { synonym, ..self }
    }

    /// Where it matched in its field, at its number of typos (the first few places).
    pub fn positions(&self) -> &[u32] {
        &self.places[..usize::from(self.count)]
    }

    /// Takes another place the word matched: fewer typos win; at equal typos the title wins
    /// (it is looked at first), then the words as typed over a synonym; an equal match adds its place.
    pub fn offer(&mut self, typos: u8, in_title: bool, synonym: bool, position: u32) {
        let (new, old) = ((typos, !in_title, synonym), (self.typos, !self.in_title, self.synonym));
        if new < old {
            *self = Self::at(typos, in_title, position).by_synonym(synonym);
        } else if new == old && usize::from(self.count) < PLACES {
            self.places[usize::from(self.count)] = position;
            self.count += 1;
        }
    }
}

/// How relevant a document is to the words typed. Smaller is better (see `Ord`). Counts are
/// bytes (a search has at most 16 concepts): every result carries one, and small results sort fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Relevance {
    /// Concepts that must match and do not (results that match every one come first).
    pub missing: u8,
    /// Not one of the types of care the words point to.
    pub off_type: bool,
    /// A carer of either gender offered, where one was asked for (it can send one, but one who
    /// offers just what was asked comes first).
    pub either_carer: bool,
    pub typos: u8,
    /// Typed words found in the title.
    pub in_title: u8,
    /// Concepts matched by a synonym rather than the words typed.
    pub synonyms: u8,
    /// Words that would help to rank and do not match.
    pub unmatched_optional: u8,
    /// Sum over neighbouring typed words of how far apart they are (capped).
    pub proximity: u16,
}

impl Relevance {
    /// The tier a result is in, which every order keeps first: matching every concept, then
    /// being of a type of care the words point to, then offering the carer asked for.
    pub fn tier(&self) -> (u8, bool, bool) {
        (self.missing, self.off_type, self.either_carer)
    }

    /// The same order as `Ord`, as one number (smaller is better), so thousands of results
    /// sort by comparing integers. The tier is its top ten bits (`key() >> 48`).
    pub fn key(&self) -> u64 {
        u64::from(self.missing) << 50
            | u64::from(self.off_type) << 49
            | u64::from(self.either_carer) << 48
            | u64::from(self.typos) << 40
            | u64::from(u8::MAX - self.in_title) << 32
            | u64::from(self.synonyms) << 24
            | u64::from(self.unmatched_optional) << 16
            | u64::from(self.proximity)
    }
}

impl Ord for Relevance {
    fn cmp(&self, other: &Self) -> Ordering {
        self.tier()
            .cmp(&other.tier())
            .then(self.typos.cmp(&other.typos))
            .then(other.in_title.cmp(&self.in_title))
            .then(self.synonyms.cmp(&other.synonyms))
            .then(self.unmatched_optional.cmp(&other.unmatched_optional))
            .then(self.proximity.cmp(&other.proximity))
    }
}

impl PartialOrd for Relevance {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Words further apart than this count the same.
const FAR: u32 = 8;

/// The relevance of a document given where each concept (in the order typed) matched it
/// best, if it did, and whether each must match.
pub fn relevance(hits: &[Option<&WordHit>], required: &[bool]) -> Relevance {
    let mut relevance = Relevance::default();
    let mut previous: Option<&WordHit> = None;
    for (hit, &required) in hits.iter().zip(required) {
        let Some(hit) = hit else {
            if required {
                relevance.missing = relevance.missing.saturating_add(1);
            } else {
                relevance.unmatched_optional = relevance.unmatched_optional.saturating_add(1);
            }
            continue;
        };
        relevance.typos = relevance.typos.saturating_add(hit.typos);
        relevance.in_title = relevance.in_title.saturating_add(u8::from(hit.in_title));
        relevance.synonyms = relevance.synonyms.saturating_add(u8::from(hit.synonym));
        if let Some(previous) = previous {
            let gap = if previous.in_title == hit.in_title {
                previous.positions().iter().flat_map(|a| hit.positions().iter().map(move |b| a.abs_diff(*b))).min().unwrap_or(FAR)
            } else {
                FAR
            };
            relevance.proximity = relevance.proximity.saturating_add(u16::try_from(gap.min(FAR)).unwrap_or(u16::MAX));
        }
        previous = Some(hit);
    }
    relevance
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relevance_key_orders_as_relevance_does() {
        // A small generator: every field over the values where orders turn (0, 1, the largest).
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |choices: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % choices
        };
        let edge = |n: u64| [0u8, 1, u8::MAX][n as usize];
        let mut random = || Relevance {
            missing: edge(next(3)),
            off_type: next(2) == 1,
            either_carer: next(2) == 1,
            typos: edge(next(3)),
            in_title: edge(next(3)),
            synonyms: edge(next(3)),
            unmatched_optional: edge(next(3)),
            proximity: [0u16, 1, u16::MAX][next(3) as usize],
        };
        for _ in 0..20_000 {
            let (a, b) = (random(), random());
            assert_eq!(a.key().cmp(&b.key()), a.cmp(&b), "{a:?} {b:?}");
            assert_eq!(a.key() >> 48 == b.key() >> 48, a.tier() == b.tier(), "{a:?} {b:?}");
        }
    }

    /// What the index works out from its postings, worked out here by reading the words.
    fn relevance_of(typed: &str, title: &str, body: &str) -> Option<Relevance> {
        let typed = words(typed);
        let mut hits: Vec<WordHit> = Vec::new();
        for (index, word) in typed.iter().enumerate() {
            let prefix = index + 1 == typed.len();
            let mut best: Option<WordHit> = None;
            for (in_title, text) in [(true, title), (false, body)] {
                for (position, token) in words(text).iter().enumerate() {
                    if let Some(count) = typos(word, token, prefix) {
                        let position = u32::try_from(position).unwrap_or(u32::MAX);
                        match &mut best {
                            Some(hit) => hit.offer(count, in_title, false, position),
                            None => best = Some(WordHit::at(count, in_title, position)),
                        }
                    }
                }
            }
            hits.push(best?);
        }
        Some(relevance(&hits.iter().map(Some).collect::<Vec<_>>(), &vec![true; hits.len()]))
    }

    #[test]
    fn short_words_must_be_exact_and_longer_ones_forgive_typos() {
        assert_eq!(typos("care", "care", false), Some(0));
        assert_eq!(typos("cere", "care", false), None, "four letters: no typo allowed");
        assert_eq!(typos("dementa", "dementia", false), Some(1));
        assert_eq!(typos("demnetia", "dementia", false), Some(1), "a swap is one typo");
        assert_eq!(typos("dmntia", "dementia", false), None);
        assert_eq!(typos("companoinship", "companionship", false), Some(1));
    }

    #[test]
    fn the_last_word_matches_as_a_prefix_even_with_a_typo() {
        assert_eq!(typos("demen", "dementia", true), Some(0));
        assert_eq!(typos("demen", "dementia", false), None);
        assert_eq!(typos("dmeen", "dementia", true), Some(1));
        assert_eq!(typos("ho", "home", true), Some(0));
    }

    #[test]
    fn exact_beats_typo_title_beats_body_and_near_beats_far() {
        let exact = relevance_of("dementia care", "Dementia care at home", "").unwrap();
        let typo = relevance_of("dementa care", "Dementia care at home", "").unwrap();
        let in_body = relevance_of("dementia care", "Home visits", "dementia care at home").unwrap();
        let far = relevance_of("dementia care", "Dementia support and help at home with personal care", "").unwrap();
        assert!(exact < typo && exact < in_body && exact < far);
        assert!(far < in_body, "two words in the title beat two in the body, however far apart");
        assert_eq!(relevance_of("autism", "Dementia care", ""), None);
    }

    #[test]
    fn a_better_match_replaces_a_worse_one_and_an_equal_one_adds_its_place() {
        let mut hit = WordHit::at(1, false, 7);
        hit.offer(1, true, false, 2);
        assert_eq!(hit, WordHit::at(1, true, 2), "the title beats the body at equal typos");
        hit.offer(0, false, false, 9);
        assert_eq!(hit, WordHit::at(0, false, 9), "fewer typos beat the title");
        hit.offer(0, false, false, 12);
        hit.offer(1, true, false, 1);
        assert_eq!(hit.positions(), [9, 12]);
        for position in 20..30 {
            hit.offer(0, false, false, position);
        }
        assert_eq!(hit.positions(), [9, 12, 20, 21], "the first few places are kept");
    }
}
