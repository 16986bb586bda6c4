//! What the words people type mean. "Polish speaking carer for my mum at weekends" becomes a
//! language, a day and the words that still have to match ("carer", with its synonyms), so the
//! search finds care the way a family member describes it.
//!
//! Three kinds of word:
//! - rules (the table below): words that clearly name something we hold as structure add it as
//!   a filter or an order, shown to the person as a chip they can remove; the words still help
//!   to rank (a "Weekend short breaks" title comes first for "weekend respite");
//! - the care vocabulary (`vocabulary.toml`, data with its sources): groups of words that mean
//!   the same (short break, respite), each pointing to the types of care it describes; a group
//!   is a concept that must match, by any of its words or by the type of care;
//! - filler ("for", "my", "someone") that never has to match, and weak words ("help",
//!   "support", "elderly") that help to rank but need not match.
//!
//! Any other word must match as typed (with the typos its length allows).
use super::Concept;
use super::ranking_rules::{typos, words};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// What a word or phrase means when it names something we hold as structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meaning {
    /// Services that speak this language (as listings spell it).
    Language(&'static str),
    /// `female` or `male` carers.
    Carer(&'static str),
    /// A specialism code from `app::SPECIALISMS`.
    Specialism(&'static str),
    /// Lowest price first.
    Cheapest,
    /// Open at night (before 06:00 or after 22:00).
    AtNight,
    /// Open on Saturday or Sunday.
    Weekend,
    /// Open on this weekday (1 = Monday).
    Day(u8),
    /// Near the person: their postcode is needed.
    NearMe,
    /// Near a postcode district, named by the person as a postcode or a place.
    Near { district: String, name: String },
}

impl Meaning {
    /// The key that removes it (the search form's `ignore` field lists the removed ones).
    pub fn key(&self) -> &'static str {
        match self {
            Meaning::Language(_) => "language",
            Meaning::Carer(_) => "carer",
            Meaning::Specialism(_) => "specialism",
            Meaning::Cheapest => "price",
            Meaning::AtNight => "night",
            Meaning::Weekend | Meaning::Day(_) => "day",
            Meaning::NearMe | Meaning::Near { .. } => "near",
        }
    }

    /// The chip's words.
    pub fn label(&self) -> String {
        match self {
            Meaning::Language(language) => format!("Speaks {language}"),
            Meaning::Carer("female") => "Care from a woman".into(),
            Meaning::Carer(_) => "Care from a man".into(),
            Meaning::Specialism(code) => format!("Specialism: {}", app::specialism_label(code)),
            Meaning::Cheapest => "Lowest price first".into(),
            Meaning::AtNight => "Open at night".into(),
            Meaning::Weekend => "Open at the weekend".into(),
            Meaning::Day(day) => format!("Open on {}", app::WEEKDAYS.get(usize::from(*day).saturating_sub(1)).copied().unwrap_or("that day")),
            Meaning::NearMe => "Near you".into(),
            Meaning::Near { name, .. } => format!("Near {name}"),
        }
    }
}

/// The rules: words that name a filter or an order. Read top to bottom; the longest phrase
/// wins where two could apply. A word that only might mean one ("memory", "help") is not here.
static RULES: &[(&[&str], Meaning)] = &[
    // Languages, as listings spell them.
    (&["polish"], Meaning::Language("Polish")),
    (&["urdu"], Meaning::Language("Urdu")),
    (&["punjabi"], Meaning::Language("Punjabi")),
    (&["bengali", "bangla", "sylheti"], Meaning::Language("Bengali")),
    (&["arabic"], Meaning::Language("Arabic")),
    (&["cantonese"], Meaning::Language("Cantonese")),
    (&["mandarin"], Meaning::Language("Mandarin")),
    (&["british sign language", "sign language", "bsl", "signing", "signer", "signs", "who signs"], Meaning::Language("British Sign Language")),
    (&["gujarati"], Meaning::Language("Gujarati")),
    (&["hindi"], Meaning::Language("Hindi")),
    (&["somali"], Meaning::Language("Somali")),
    (&["romanian"], Meaning::Language("Romanian")),
    (&["portuguese"], Meaning::Language("Portuguese")),
    (&["spanish"], Meaning::Language("Spanish")),
    (&["french"], Meaning::Language("French")),
    (&["italian"], Meaning::Language("Italian")),
    (&["turkish"], Meaning::Language("Turkish")),
    (&["kurdish"], Meaning::Language("Kurdish")),
    (&["farsi", "persian"], Meaning::Language("Farsi")),
    (&["tamil"], Meaning::Language("Tamil")),
    (&["welsh"], Meaning::Language("Welsh")),
    (&["lithuanian"], Meaning::Language("Lithuanian")),
    (&["russian"], Meaning::Language("Russian")),
    (&["ukrainian"], Meaning::Language("Ukrainian")),
    (&["greek"], Meaning::Language("Greek")),
    (&["english speaking", "speaks english", "english"], Meaning::Language("English")),
    // Who gives the care.
    (&["female", "female carer", "female carers", "a woman", "woman", "women carers", "lady carer", "ladies only"], Meaning::Carer("female")),
    (&["male", "male carer", "male carers", "a man", "gentleman carer"], Meaning::Carer("male")),
    // Specialisms.
    (&["dementia", "alzheimer", "alzheimers", "alzheimer disease", "vascular dementia"], Meaning::Specialism("dementia")),
    (&["autism", "autistic", "asd", "asperger", "aspergers", "autism spectrum", "on the spectrum"], Meaning::Specialism("autism")),
    (
        &["learning disability", "learning disabilities", "learning difficulty", "learning difficulties", "down syndrome", "downs syndrome"],
        Meaning::Specialism("learning_disability"),
    ),
    (&["mental health", "mental illness", "mental health problems"], Meaning::Specialism("mental_health")),
    (&["physical disability", "physical disabilities", "physically disabled"], Meaning::Specialism("physical_disability")),
    (&["end of life", "end of life care", "palliative", "palliative care", "terminally ill", "terminal illness", "dying"], Meaning::Specialism("end_of_life")),
    (
        &[
            "sight loss",
            "blind",
            "partially sighted",
            "visually impaired",
            "visual impairment",
            "deaf",
            "hard of hearing",
            "hearing loss",
            "deafblind",
            "sensory impairment",
        ],
        Meaning::Specialism("sensory_impairment"),
    ),
    (&["stroke", "strokes", "after a stroke", "had a stroke"], Meaning::Specialism("stroke")),
    // Price.
    (
        &["cheap", "cheapest", "cheaper", "low cost", "lowest cost", "lowest price", "low price", "affordable", "inexpensive", "not expensive", "best price"],
        Meaning::Cheapest,
    ),
    // When.
    (
        &[
            "night",
            "nights",
            "overnight",
            "overnights",
            "night time",
            "nighttime",
            "at night",
            "waking night",
            "waking nights",
            "sleep in",
            "sleeping night",
            "24 hour",
            "24 hours",
            "24 7",
            "round the clock",
            "around the clock",
            "night sitting",
            "night sitter",
        ],
        Meaning::AtNight,
    ),
    (&["weekend", "weekends", "at the weekend", "at weekends", "saturday and sunday"], Meaning::Weekend),
    (&["monday", "mondays"], Meaning::Day(1)),
    (&["tuesday", "tuesdays"], Meaning::Day(2)),
    (&["wednesday", "wednesdays"], Meaning::Day(3)),
    (&["thursday", "thursdays"], Meaning::Day(4)),
    (&["friday", "fridays"], Meaning::Day(5)),
    (&["saturday", "saturdays"], Meaning::Day(6)),
    (&["sunday", "sundays"], Meaning::Day(7)),
    // Where.
    (
        &[
            "near me",
            "nearby",
            "near by",
            "close to me",
            "close by",
            "near to me",
            "near my home",
            "near where i live",
            "in my area",
            "round here",
            "around here",
            "near us",
            "locally",
        ],
        Meaning::NearMe,
    ),
];

/// The vocabulary file as written.
#[derive(Deserialize)]
struct VocabularyFile {
    filler: WordList,
    weak: WordList,
    group: Vec<Group>,
}

#[derive(Deserialize)]
struct WordList {
    #[allow(dead_code)] // Read by people: where the words came from.
    source: String,
    words: Vec<String>,
}

/// Words and phrases that mean the same thing to someone looking for care.
#[derive(Deserialize)]
pub struct Group {
    pub words: Vec<String>,
    /// Types of care it describes (codes from `app::CATEGORIES`).
    pub categories: Vec<String>,
    /// It helps to rank but need not match.
    #[serde(default)]
    pub weak: bool,
    pub source: String,
}

/// What a phrase is, in the lexicon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rule(usize),
    Group(usize),
    Weak,
    Filler,
}

/// Every phrase the understanding knows, by its first word.
pub struct Lexicon {
    groups: Vec<Group>,
    /// Each group's words as a document may have them (filler left out), worked out once.
    forms: Vec<Vec<Vec<String>>>,
    filler: HashSet<String>,
    phrases: HashMap<String, Vec<(Vec<String>, Kind)>>,
    /// First words long enough to forgive a typo in.
    long_first_words: Vec<String>,
}

/// Words from seven letters may have one typo ("dementa", "alzhiemers"), never in the first
/// letter; shorter words, and other first letters, are too close to other words to guess
/// ("night" and "right", "fitting" and "sitting").
const TYPO_FROM: usize = 7;

/// Whether `token` is `word` with one typo (as `TYPO_FROM` allows).
fn one_typo(token: &str, word: &str) -> bool {
    token.chars().count() >= TYPO_FROM
        && word.chars().count() >= TYPO_FROM
        && token.chars().next() == word.chars().next()
        && token.len().abs_diff(word.len()) <= 1
        && typos(token, word, false).is_some_and(|n| n <= 1)
}

impl Lexicon {
    fn parse(text: &str) -> Result<Self, String> {
        let file: VocabularyFile = toml::from_str(text).map_err(|error| error.to_string())?;
        for group in &file.group {
            if let Some(unknown) = group.categories.iter().find(|code| !app::CATEGORIES.contains(&code.as_str())) {
                return Err(format!("the group {:?} points to {unknown:?}, which is not a type of care", group.words.first()));
            }
        }
        let mut lexicon = Lexicon { groups: Vec::new(), forms: Vec::new(), filler: HashSet::new(), phrases: HashMap::new(), long_first_words: Vec::new() };
        for (index, (phrases, _)) in RULES.iter().enumerate() {
            for phrase in *phrases {
                lexicon.add(phrase, Kind::Rule(index));
            }
        }
        for (index, group) in file.group.iter().enumerate() {
            for phrase in &group.words {
                lexicon.add(phrase, Kind::Group(index));
            }
        }
        for phrase in &file.weak.words {
            lexicon.add(phrase, Kind::Weak);
        }
        for phrase in &file.filler.words {
            lexicon.add(phrase, Kind::Filler);
            lexicon.filler.extend(words(phrase));
        }
        for entries in lexicon.phrases.values_mut() {
            // Longest first; at equal length, rules before groups before weak words before filler.
            entries.sort_by_key(|(words, kind)| (std::cmp::Reverse(words.len()), rank(*kind)));
        }
        lexicon.long_first_words = lexicon.phrases.keys().filter(|word| word.chars().count() >= TYPO_FROM).cloned().collect();
        lexicon.long_first_words.sort();
        lexicon.forms = file.group.iter().map(|group| document_forms(group, &lexicon.filler)).collect();
        lexicon.groups = file.group;
        Ok(lexicon)
    }

    fn add(&mut self, phrase: &str, kind: Kind) {
        let phrase_words = words(phrase);
        if let Some(first) = phrase_words.first() {
            self.phrases.entry(first.clone()).or_default().push((phrase_words, kind));
        }
    }

    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// Each group's words as a document may have them (filler left out), by group.
    pub fn document_forms(&self) -> &[Vec<Vec<String>>] {
        &self.forms
    }

    /// The phrases that could start with this token (as typed, without a plural s, or with a typo).
    fn starting_with(&self, token: &str) -> Vec<&(Vec<String>, Kind)> {
        let mut found: Vec<&(Vec<String>, Kind)> = Vec::new();
        for key in [Some(token), token.strip_suffix('s').filter(|stem| stem.len() >= 3)].into_iter().flatten() {
            found.extend(self.phrases.get(key).into_iter().flatten());
        }
        if found.is_empty() && token.chars().count() >= TYPO_FROM {
            for key in self.long_first_words.iter().filter(|key| one_typo(token, key)) {
                found.extend(self.phrases.get(key).into_iter().flatten());
            }
        }
        found.sort_by_key(|(words, kind)| (std::cmp::Reverse(words.len()), rank(*kind)));
        found
    }
}

fn rank(kind: Kind) -> u8 {
    match kind {
        Kind::Rule(_) => 0,
        Kind::Group(_) => 1,
        Kind::Weak => 2,
        Kind::Filler => 3,
    }
}

/// Whether a typed token is this word of a phrase: the same, a plural of it, or (from seven
/// letters) one typo away.
fn same_word(token: &str, word: &str) -> bool {
    token == word || token.strip_suffix('s') == Some(word) || word.strip_suffix('s') == Some(token) || one_typo(token, word)
}

static LEXICON: LazyLock<Result<Lexicon, String>> = LazyLock::new(|| Lexicon::parse(include_str!("vocabulary.toml")));

/// The care vocabulary (checked at start: see `check`).
pub fn lexicon() -> Option<&'static Lexicon> {
    LEXICON.as_ref().ok()
}

/// Whether the vocabulary reads; the server refuses to start if not.
pub fn check() -> Result<(), String> {
    LEXICON.as_ref().map(|_| ()).map_err(|error| format!("search/vocabulary.toml: {error}"))
}

/// The places a search may name: postcode districts we know, and the names of places in them.
#[derive(Debug, Clone, Default)]
pub struct Places {
    /// Upper-case district codes, like `NE3`.
    pub districts: HashSet<String>,
    /// A place's name in lower-case words ("high heaton") and its (district, name as written).
    pub names: HashMap<String, (String, String)>,
}

/// What a search's words mean.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Understanding {
    /// What must match (or helps to rank), in the order typed.
    pub concepts: Vec<Concept>,
    /// The filters and orders the words name, each with the words that named it.
    pub meanings: Vec<(Meaning, String)>,
}

/// At most this many concepts are matched (a search is a few words, not an essay).
pub const MAX_CONCEPTS: usize = 16;

/// Reads a search's words. Meanings whose key is in `ignored` (removed by the person) are not
/// applied: their words are matched as ordinary words.
pub fn understand(text: &str, places: &Places, ignored: &[&str]) -> Understanding {
    let Some(lexicon) = lexicon() else {
        return Understanding { concepts: literal(text), meanings: Vec::new() };
    };
    let tokens = words(text);
    let mut understood = Understanding::default();
    let mut groups_seen: HashSet<usize> = HashSet::new();
    let last = tokens.len().saturating_sub(1);
    let mut i = 0;
    while i < tokens.len() {
        if let Some((length, district)) = postcode_at(&tokens[i..], places) {
            let meaning = Meaning::Near { name: district.clone(), district };
            if !ignored.contains(&meaning.key()) {
                understood.add_meaning(meaning, tokens[i..i + length].join(" ").to_uppercase());
            }
            i += length;
            continue;
        }
        if let Some((length, district, name)) = place_at(&tokens[i..], places) {
            let typed = tokens[i..i + length].to_vec();
            let meaning = Meaning::Near { district, name };
            if !ignored.contains(&meaning.key()) {
                understood.add_meaning(meaning, typed.join(" "));
            }
            // The place's name still ranks a service that names it first.
            understood.add_concept(Concept::words(typed, false));
            i += length;
            continue;
        }
        let found = lexicon.starting_with(&tokens[i]).into_iter().find(|(phrase, kind)| {
            let ignored_rule = matches!(kind, Kind::Rule(rule) if ignored.contains(&RULES[*rule].1.key()));
            !ignored_rule && phrase.len() <= tokens.len() - i && phrase.iter().zip(&tokens[i..]).all(|(word, token)| same_word(token, word))
        });
        let (length, kind) = found.map_or((1, None), |(phrase, kind)| (phrase.len(), Some(*kind)));
        let phrase = tokens[i..i + length].join(" ");
        let typed = strip(tokens[i..i + length].to_vec(), &lexicon.filler);
        let unfinished = i + length - 1 == last;
        match kind {
            Some(Kind::Filler) => {}
            Some(Kind::Weak) => understood.add_concept(Concept::words(typed, false)),
            Some(Kind::Rule(rule)) => {
                let meaning = RULES[rule].1.clone();
                let mut concept = Concept::words(typed, false);
                if let Meaning::Specialism(code) = meaning {
                    concept.forms.push(words(app::specialism_label(code)));
                }
                understood.add_meaning(meaning, phrase);
                understood.add_concept(concept);
            }
            Some(Kind::Group(group)) => {
                if groups_seen.insert(group) {
                    let definition = &lexicon.groups[group];
                    let mut concept = Concept::words(typed, !definition.weak);
                    concept.typed = phrase;
                    for form in &lexicon.forms[group] {
                        if !concept.forms.contains(form) {
                            concept.forms.push(form.clone());
                        }
                    }
                    concept.categories = definition.categories.clone();
                    concept.group = Some(group);
                    understood.add_concept(concept);
                }
            }
            None => {
                let mut concept = Concept::words(typed, true);
                concept.prefix = unfinished;
                understood.add_concept(concept);
            }
        }
        i += length;
    }
    understood
}

/// Every word as typed must match: the search for exactly the words typed.
pub fn literal(text: &str) -> Vec<Concept> {
    let typed = words(text);
    let last = typed.len().saturating_sub(1);
    typed.into_iter().enumerate().take(MAX_CONCEPTS).map(|(index, word)| Concept { prefix: index == last, ..Concept::words(vec![word], true) }).collect()
}

/// A group's words as a document may have them. Filler is left out ("care at home" is "care
/// home", its words in that order), and a phrase that filler leaves one word of ("at home") only
/// helps to read the search, never to match a document: "home" alone says too little.
fn document_forms(group: &Group, filler: &HashSet<String>) -> Vec<Vec<String>> {
    let mut forms: Vec<Vec<String>> = Vec::new();
    for phrase in &group.words {
        let all = words(phrase);
        let kept = strip(all.clone(), filler);
        if (kept.len() > 1 || all.len() == 1) && !forms.contains(&kept) {
            forms.push(kept);
        }
    }
    forms
}

fn strip(phrase: Vec<String>, filler: &HashSet<String>) -> Vec<String> {
    let kept: Vec<String> = phrase.iter().filter(|word| !filler.contains(*word)).cloned().collect();
    if kept.is_empty() { phrase } else { kept }
}

impl Understanding {
    fn add_meaning(&mut self, meaning: Meaning, typed: String) {
        // The first of a kind wins ("polish and urdu": the language is Polish).
        if !self.meanings.iter().any(|(known, _)| known.key() == meaning.key()) {
            self.meanings.push((meaning, typed));
        }
    }

    fn add_concept(&mut self, concept: Concept) {
        if concept.forms.first().is_some_and(|form| !form.is_empty())
            && self.concepts.len() < MAX_CONCEPTS
            && !self.concepts.iter().any(|known| known.forms[0] == concept.forms[0])
        {
            self.concepts.push(concept);
        }
    }
}

/// A known postcode district (and its inward code, if typed) at the start of the tokens.
fn postcode_at(tokens: &[String], places: &Places) -> Option<(usize, String)> {
    let district = tokens.first()?.to_uppercase();
    if !places.districts.contains(&district) {
        return None;
    }
    // "NE3 1AB": the second half is a digit and two letters.
    let inward = tokens.get(1).is_some_and(|next| {
        let chars: Vec<char> = next.chars().collect();
        chars.len() == 3 && chars[0].is_ascii_digit() && chars[1..].iter().all(char::is_ascii_alphabetic)
    });
    Some((if inward { 2 } else { 1 }, district))
}

/// A known place's name (up to three words) at the start of the tokens: (words, district, name).
fn place_at(tokens: &[String], places: &Places) -> Option<(usize, String, String)> {
    (1..=tokens.len().min(3)).rev().find_map(|length| {
        let (district, name) = places.names.get(&tokens[..length].join(" "))?;
        Some((length, district.clone(), name.clone()))
    })
}

impl Concept {
    /// A concept of these words as typed (filler left out), and no other form yet.
    pub fn words(typed: Vec<String>, required: bool) -> Self {
        Concept { typed: typed.join(" "), forms: vec![typed], categories: Vec::new(), required, prefix: false, group: None }
    }
}

/// The vocabulary as Meilisearch synonyms: each word or phrase of a group to the others.
pub fn synonyms() -> HashMap<String, Vec<String>> {
    let mut synonyms: HashMap<String, Vec<String>> = HashMap::new();
    for group in lexicon().map(Lexicon::groups).unwrap_or_default() {
        for phrase in &group.words {
            let others: Vec<String> = group.words.iter().filter(|other| *other != phrase).cloned().collect();
            synonyms.entry(phrase.clone()).or_default().extend(others);
        }
    }
    synonyms
}

/// The vocabulary's words for a type of care (those of every group that points to it), for an
/// engine that can only match words: a service of that type then matches them, as the
/// embedded engine matches a group by type.
pub fn words_for_category(category: &str) -> String {
    let groups = lexicon().map(Lexicon::groups).unwrap_or_default();
    let words: Vec<&str> =
        groups.iter().filter(|group| group.categories.iter().any(|c| c == category)).flat_map(|group| group.words.iter().map(String::as_str)).collect();
    words.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> Places {
        Places {
            districts: ["NE1", "NE2", "NE3", "NE7"].map(String::from).into_iter().collect(),
            names: [("gosforth", "NE3", "Gosforth"), ("high heaton", "NE7", "High Heaton"), ("jesmond", "NE2", "Jesmond")]
                .map(|(key, district, name)| (key.to_string(), (district.to_string(), name.to_string())))
                .into_iter()
                .collect(),
        }
    }

    fn meanings(text: &str) -> Vec<Meaning> {
        understand(text, &places(), &[]).meanings.into_iter().map(|(meaning, _)| meaning).collect()
    }

    /// The concepts that must match, as typed.
    fn required(text: &str) -> Vec<String> {
        understand(text, &places(), &[]).concepts.into_iter().filter(|c| c.required).map(|c| c.typed).collect()
    }

    #[test]
    fn the_vocabulary_reads_and_points_only_to_real_types_of_care() {
        check().unwrap();
        let lexicon = lexicon().unwrap();
        assert!(lexicon.groups().len() >= 15);
        assert!(lexicon.groups().iter().all(|group| !group.source.is_empty()), "every group says where its words came from");
        assert!(
            Lexicon::parse("[filler]\nsource=''\nwords=[]\n[weak]\nsource=''\nwords=[]\n[[group]]\nsource=''\nwords=['x']\ncategories=['castles']").is_err()
        );
    }

    #[test]
    fn words_that_name_structure_become_filters() {
        assert_eq!(meanings("polish speaking carer"), [Meaning::Language("Polish")]);
        assert_eq!(meanings("female carer for my mum"), [Meaning::Carer("female")]);
        assert_eq!(meanings("I would like a woman to help"), [Meaning::Carer("female")]);
        assert_eq!(meanings("alzheimer's support"), [Meaning::Specialism("dementia")]);
        assert_eq!(meanings("alzheimers"), [Meaning::Specialism("dementia")]);
        assert_eq!(meanings("dementa care"), [Meaning::Specialism("dementia")], "a typo in a long word is forgiven");
        assert_eq!(meanings("autistic son"), [Meaning::Specialism("autism")]);
        assert_eq!(meanings("help after a stroke"), [Meaning::Specialism("stroke")]);
        assert_eq!(meanings("cheap home care"), [Meaning::Cheapest]);
        assert_eq!(meanings("low cost cleaner"), [Meaning::Cheapest]);
        assert_eq!(meanings("overnight care"), [Meaning::AtNight]);
        assert_eq!(meanings("someone at night"), [Meaning::AtNight]);
        assert_eq!(meanings("weekend respite"), [Meaning::Weekend]);
        assert_eq!(meanings("saturday club"), [Meaning::Day(6)]);
        assert_eq!(meanings("home care near me"), [Meaning::NearMe]);
        assert_eq!(meanings("home care ne3 1ab"), [Meaning::Near { district: "NE3".into(), name: "NE3".into() }]);
        assert_eq!(meanings("cleaner in high heaton"), [Meaning::Near { district: "NE7".into(), name: "High Heaton".into() }]);
        assert_eq!(
            meanings("cheap polish speaking female carer in gosforth at weekends"),
            [
                Meaning::Cheapest,
                Meaning::Language("Polish"),
                Meaning::Carer("female"),
                Meaning::Near { district: "NE3".into(), name: "Gosforth".into() },
                Meaning::Weekend
            ]
        );
    }

    #[test]
    fn words_that_only_might_be_a_filter_are_not_made_one() {
        assert_eq!(meanings("memory problems"), []);
        assert_eq!(meanings("help with shopping"), []);
        assert_eq!(meanings("NE99 care"), [], "an unknown district is just a word");
        assert_eq!(meanings("right light"), [], "short words are never guessed from a typo");
        assert_eq!(required("key safe fitting"), ["key safe", "fitting"], "nor a typo in the first letter (fitting is not sitting)");
    }

    #[test]
    fn filler_never_has_to_match_and_weak_words_only_rank() {
        assert_eq!(required("someone to help my mum get washed and dressed"), ["get washed"]);
        assert_eq!(required("washed and dressed"), ["washed and dressed"]);
        assert_eq!(required("short break for carers"), ["short break", "for carers"]);
        assert_eq!(required("respite care for elderly"), ["respite care"]);
        assert_eq!(required("help"), Vec::<String>::new());
        assert_eq!(required("the"), Vec::<String>::new());
        assert_eq!(required("zorbing for my dad"), ["zorbing"], "an unknown word must match");
        let weekend = understand("weekend respite", &places(), &[]);
        assert!(weekend.concepts.iter().any(|c| c.typed == "weekend" && !c.required), "the rule's word still ranks");
    }

    #[test]
    fn a_group_matches_by_any_of_its_words_and_its_types_of_care() {
        let understood = understand("short break", &places(), &[]);
        let concept = &understood.concepts[0];
        assert!(concept.forms.contains(&vec!["respite".to_string()]));
        assert_eq!(concept.categories, ["respite"]);
        let washed = &understand("washed and dressed", &places(), &[]).concepts[0];
        assert!(washed.forms.contains(&vec!["personal".to_string(), "care".to_string()]));
        let pa = &understand("PA", &places(), &[]).concepts[0];
        assert!(pa.forms.contains(&vec!["personal".to_string(), "assistant".to_string()]));
        assert_eq!(required("help after hospital discharge"), ["after hospital"], "one group counts once");
    }

    #[test]
    fn a_removed_chip_leaves_its_words_as_words() {
        let understood = understand("dementia care at home", &places(), &["specialism"]);
        assert!(understood.meanings.is_empty());
        assert!(understood.concepts.iter().any(|c| c.typed == "dementia" && c.required), "matched as a word instead");
        let understood = understand("care in gosforth", &places(), &["near"]);
        assert!(understood.meanings.is_empty());
    }

    #[test]
    fn the_last_word_may_be_unfinished() {
        let understood = understand("respite deme", &places(), &[]);
        assert!(understood.concepts.iter().any(|c| c.typed == "deme" && c.prefix));
        assert!(literal("dementia car").iter().all(|c| c.required));
        assert!(literal("dementia car")[1].prefix);
    }
}
