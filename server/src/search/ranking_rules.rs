//! How well a service matches the words typed, as people expect: every word must match;
//! exact words beat typos, title matches beat description matches, words close together beat
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

/// A document's words, split by where they are.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub title: Vec<String>,
    /// Description, provider, category, specialisms, languages.
    pub body: Vec<String>,
}

/// How relevant a document is to the words typed. Smaller is better (see `Ord`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Relevance {
    pub typos: u32,
    /// Typed words found in the title.
    pub in_title: u32,
    /// Sum over neighbouring typed words of how far apart they are (capped).
    pub proximity: u32,
}

impl Ord for Relevance {
    fn cmp(&self, other: &Self) -> Ordering {
        self.typos.cmp(&other.typos).then(other.in_title.cmp(&self.in_title)).then(self.proximity.cmp(&other.proximity))
    }
}

impl PartialOrd for Relevance {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Words further apart than this count the same.
const FAR: u32 = 8;

/// Where a typed word matched best: (typos, in the title?, positions in the chosen field).
fn best_match(typed: &str, prefix: bool, fields: &Fields) -> Option<(u8, bool, Vec<usize>)> {
    let mut best: Option<(u8, bool, Vec<usize>)> = None;
    for (in_title, tokens) in [(true, &fields.title), (false, &fields.body)] {
        let mut field_best: Option<(u8, Vec<usize>)> = None;
        for (position, token) in tokens.iter().enumerate() {
            if let Some(count) = typos(typed, token, prefix) {
                match &mut field_best {
                    Some((best_typos, positions)) if *best_typos == count => positions.push(position),
                    Some((best_typos, _)) if *best_typos < count => {}
                    _ => field_best = Some((count, vec![position])),
                }
            }
        }
        if let Some((count, positions)) = field_best {
            // Fewer typos win; at equal typos the title wins (it is looked at first).
            if best.as_ref().is_none_or(|(best_typos, _, _)| count < *best_typos) {
                best = Some((count, in_title, positions));
            }
        }
    }
    best
}

/// None if some typed word matches nowhere.
pub fn relevance(typed: &[String], fields: &Fields) -> Option<Relevance> {
    let mut relevance = Relevance::default();
    let mut previous: Option<(bool, Vec<usize>)> = None;
    for (index, word) in typed.iter().enumerate() {
        let prefix = index + 1 == typed.len();
        let (count, in_title, positions) = best_match(word, prefix, fields)?;
        relevance.typos += u32::from(count);
        relevance.in_title += u32::from(in_title);
        if let Some((previous_in_title, previous_positions)) = previous {
            let gap = if previous_in_title == in_title {
                previous_positions
                    .iter()
                    .flat_map(|a| positions.iter().map(move |b| u32::try_from(a.abs_diff(*b)).unwrap_or(FAR)))
                    .min()
                    .unwrap_or(FAR)
            } else {
                FAR
            };
            relevance.proximity += gap.min(FAR);
        }
        previous = Some((in_title, positions));
    }
    Some(relevance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(title: &str, body: &str) -> Fields {
        Fields { title: words(title), body: words(body) }
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
        let typed = words("dementia care");
        let exact = relevance(&typed, &fields("Dementia care at home", "")).unwrap();
        let typo = relevance(&words("dementa care"), &fields("Dementia care at home", "")).unwrap();
        let in_body = relevance(&typed, &fields("Home visits", "dementia care at home")).unwrap();
        let far = relevance(&typed, &fields("Dementia support and help at home with personal care", "")).unwrap();
        assert!(exact < typo && exact < in_body && exact < far);
        assert!(far < in_body, "two words in the title beat two in the body, however far apart");
        assert_eq!(relevance(&words("autism"), &fields("Dementia care", "")), None);
    }
}
