//! The embedded engine: documents are kept on disk in a tantivy index (so the engine starts
//! without the database) and searched in memory: an inverted index from each distinct word
//! to where it occurs finds, for every typed word, the words within its typos and their
//! places, so ranking touches only the matches, never a document's whole text.
use super::ranking_rules::{self, Relevance, WordHit};
use super::understanding::{self, Lexicon};
use super::{Concept, Facets, ListingDocument, PartialMatch, SearchEngine, SearchError, SearchHit, SearchQuery, SearchResults, Sort};
use std::cmp::Reverse;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex, RwLock};
use tantivy::schema::{Field, INDEXED, STORED, Schema, Value};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// The writer's memory budget: tantivy's minimum, ample for listings.
const WRITER_MEMORY: usize = 15_000_000;

#[derive(Clone)]
pub struct EmbeddedIndex {
    inner: Arc<Inner>,
    /// Its name as a follower of the outbox (see `sync`).
    follower: String,
}

struct Inner {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: IndexFields,
    store: RwLock<Store>,
}

#[derive(Clone, Copy)]
struct IndexFields {
    id: Field,
    document: Field,
}

/// A document, the distinct words it has (to take it out of the postings again), and its
/// filter values as small numbers, so that filtering and counting cost no string compares.
struct Entry {
    document: ListingDocument,
    terms: Vec<u32>,
    /// The title's and the body's words in order, to match phrases ("personal care").
    title_words: Vec<u32>,
    body_words: Vec<u32>,
    facets: FacetValues,
    /// The care vocabulary's groups it matches (see `Store::group_hits`).
    groups: Vec<usize>,
}

const GENDERS: [&str; 3] = ["any", "female", "male"];
/// A position that matches nothing (a filter value the index has never heard of).
const NONE: usize = usize::MAX;
/// Whether a service is near enough, not yet worked out (else 1 for yes, 0 for no).
const UNASKED: u8 = 2;

/// Positions in `app::CATEGORIES`, `app::SPECIALISMS` and `GENDERS`.
struct FacetValues {
    category: Option<usize>,
    specialisms: Vec<usize>,
    gender: Option<usize>,
    /// Lower-cased, to compare without allocating.
    languages: Vec<String>,
}

impl FacetValues {
    fn of(document: &ListingDocument) -> Self {
        Self {
            category: app::CATEGORIES.iter().position(|code| *code == document.category),
            specialisms: document.specialisms.iter().filter_map(|s| app::SPECIALISMS.iter().position(|(code, _)| code == s)).collect(),
            gender: GENDERS.iter().position(|code| *code == document.carer_gender),
            languages: document.languages.iter().map(|language| language.to_lowercase()).collect(),
        }
    }
}

/// A place a service works, with what measuring a distance to it needs worked out once.
#[derive(Clone, Copy)]
struct Place {
    latitude: f64,
    latitude_radians: f64,
    longitude_radians: f64,
    cos_latitude: f64,
}

impl Place {
    fn new((latitude, longitude): (f64, f64)) -> Self {
        Self { latitude, latitude_radians: latitude.to_radians(), longitude_radians: longitude.to_radians(), cos_latitude: latitude.to_radians().cos() }
    }

    /// Great-circle distance in kilometres (the same formula as `search::distance_km`).
    fn km_to(&self, other: &Place) -> f64 {
        let dlat = other.latitude_radians - self.latitude_radians;
        let dlng = other.longitude_radians - self.longitude_radians;
        let a = (dlat / 2.0).sin().powi(2) + self.cos_latitude * other.cos_latitude * (dlng / 2.0).sin().powi(2);
        6_371.0 * 2.0 * a.sqrt().asin()
    }
}

/// One place a word occurs.
#[derive(Clone, Copy)]
struct Posting {
    slot: u32,
    in_title: bool,
    position: u32,
}

/// What filtering, counting and sorting read for each slot, side by side in one array, so a
/// search through every service reads memory in order instead of visiting each document.
#[derive(Clone, Copy)]
struct Column {
    /// Positions as in `FacetValues` (`u8::MAX` for none).
    category: u8,
    gender: u8,
    /// One bit per position in `app::SPECIALISMS`.
    specialisms: u16,
    /// One bit per weekday open (Monday = bit 0).
    open_days: u8,
    /// One bit per language in `Store::languages` (the first 64 the index meets).
    languages: u64,
    /// Open before 06:00 or after 22:00 on some day.
    at_night: bool,
    framework_score: Option<u32>,
    quality: u32,
    price_pence: i64,
    listing_id: i64,
    /// Where its places are in `Store::places`.
    places_start: u32,
    places_count: u32,
    /// The span of its places' latitudes (min above max when it lists none).
    latitude_min: f64,
    latitude_max: f64,
    /// Its place among all services in the order that breaks ties (see `Store::rerank`).
    order: u32,
}

impl Column {
    const EMPTY: Column = Column {
        category: u8::MAX,
        gender: u8::MAX,
        specialisms: 0,
        open_days: 0,
        languages: 0,
        at_night: false,
        framework_score: None,
        quality: 0,
        price_pence: 0,
        listing_id: 0,
        places_start: 0,
        places_count: 0,
        latitude_min: f64::INFINITY,
        latitude_max: f64::NEG_INFINITY,
        order: u32::MAX,
    };

    fn of(document: &ListingDocument, facets: &FacetValues) -> Self {
        let small = |position: Option<usize>| position.and_then(|p| u8::try_from(p).ok()).unwrap_or(u8::MAX);
        let latitudes = document.places.iter().map(|&(latitude, _)| latitude);
        Column {
            category: small(facets.category),
            gender: small(facets.gender),
            specialisms: facets.specialisms.iter().filter(|&&p| p < 16).fold(0, |bits, &p| bits | 1 << p),
            open_days: document.hours.iter().filter(|(day, _, _)| (1..=7).contains(day)).fold(0, |bits, (day, _, _)| bits | 1 << (day - 1)),
            languages: 0,
            at_night: super::open_at_night(&document.hours),
            framework_score: document.framework_score,
            quality: document.quality,
            price_pence: document.price_pence,
            listing_id: document.listing_id,
            places_start: 0,
            places_count: 0,
            latitude_min: latitudes.clone().fold(f64::INFINITY, f64::min),
            latitude_max: latitudes.fold(f64::NEG_INFINITY, f64::max),
            order: u32::MAX,
        }
    }
}

/// Every document, and for every distinct word where it occurs.
#[derive(Default)]
struct Store {
    entries: Vec<Option<Arc<Entry>>>,
    columns: Vec<Column>,
    /// Whether each slot holds a service: apart from the columns, because a search with no
    /// filters reads only this for every service it offers.
    live: Vec<bool>,
    /// Every service's places, each service's side by side (see `Column::places_start`), so
    /// distances are measured without visiting documents. Places of removed or replaced
    /// services stay until they are half of the array, then it is compacted.
    places: Vec<Place>,
    /// How many of `places` belong to no live service.
    dead_places: usize,
    slots: HashMap<i64, u32>,
    free: Vec<u32>,
    /// The live slots of each type of care (by position in `app::CATEGORIES`), so a search
    /// within a type, or for words that point to one, reads only its services.
    by_category: Vec<Vec<u32>>,
    /// Every language a service speaks (lower-cased); the first 64 have a bit in `Column::languages`.
    languages: Vec<String>,
    vocabulary: HashMap<String, u32>,
    terms: Vec<String>,
    postings: Vec<Vec<Posting>>,
    /// Where each pair of words occurs side by side or one word apart (first word's place), so
    /// a phrase ("personal care", "washed and dressed") is looked up, not checked word by word.
    pairs: HashMap<u64, Vec<Posting>>,
    /// For each group of the care vocabulary, the services it matches whatever was typed (by
    /// type of care, or by one of its phrases) and how: worked out as a service is indexed, so
    /// a search for "washed and dressed" reads one list, not fifty phrases' postings.
    group_hits: Vec<Vec<(u32, WordHit)>>,
    /// The words each typed word matches, remembered (people type the same words again and
    /// again, one letter more each time); forgotten whenever a new word joins the index.
    expansions: Mutex<HashMap<(String, bool), Expansion>>,
}

/// The index's words a typed word matches (term, typos), shared by the searches that use it.
type Expansion = Arc<Vec<(u32, u8)>>;

/// Enough remembered typed words for a day's searching, small enough never to matter.
const REMEMBERED_WORDS: usize = 20_000;

impl Store {
    fn len(&self) -> usize {
        self.slots.len()
    }

    fn insert(&mut self, document: ListingDocument) {
        self.remove(document.listing_id);
        let slot = self.free.pop().unwrap_or_else(|| u32::try_from(self.entries.len()).unwrap_or(u32::MAX));
        let body = format!("{} {}", document.description, document.extra_words());
        let mut terms = Vec::new();
        let (mut title_words, mut body_words) = (Vec::new(), Vec::new());
        let (title_text, body_text) = (ranking_rules::words(&document.title), ranking_rules::words(&body));
        let groups = vocabulary_hits(&document.category, &title_text, &body_text);
        for (group, hit) in &groups {
            if self.group_hits.len() <= *group {
                self.group_hits.resize_with(group + 1, Vec::new);
            }
            self.group_hits[*group].push((slot, *hit));
        }
        let groups = groups.into_iter().map(|(group, _)| group).collect();
        for (in_title, text) in [(true, title_text), (false, body_text)] {
            for (position, word) in text.into_iter().enumerate() {
                let term = self.intern(word);
                self.postings[term as usize].push(Posting { slot, in_title, position: u32::try_from(position).unwrap_or(u32::MAX) });
                terms.push(term);
                if in_title { &mut title_words } else { &mut body_words }.push(term);
            }
        }
        terms.sort_unstable();
        terms.dedup();
        for (in_title, field) in [(true, &title_words), (false, &body_words)] {
            for (position, pair) in pairs_of(field) {
                self.pairs.entry(pair).or_default().push(Posting { slot, in_title, position });
            }
        }
        self.slots.insert(document.listing_id, slot);
        let facets = FacetValues::of(&document);
        let mut column = Column::of(&document, &facets);
        for language in &facets.languages {
            let position = match self.languages.iter().position(|known| known == language) {
                Some(position) => position,
                None => {
                    self.languages.push(language.clone());
                    self.languages.len() - 1
                }
            };
            if position < 64 {
                column.languages |= 1 << position;
            }
        }
        if let Some(category) = facets.category {
            if self.by_category.len() <= category {
                self.by_category.resize_with(category + 1, Vec::new);
            }
            self.by_category[category].push(slot);
        }
        self.compact_places();
        column.places_start = u32::try_from(self.places.len()).unwrap_or(u32::MAX);
        column.places_count = u32::try_from(document.places.len()).unwrap_or(0);
        self.places.extend(document.places.iter().copied().map(Place::new));
        let entry = Some(Arc::new(Entry { document, terms, title_words, body_words, facets, groups }));
        match self.entries.get_mut(slot as usize) {
            Some(place) => {
                *place = entry;
                self.columns[slot as usize] = column;
                self.live[slot as usize] = true;
            }
            None => {
                self.entries.push(entry);
                self.columns.push(column);
                self.live.push(true);
            }
        }
    }

    /// The places of a live service.
    fn places_of(&self, column: &Column) -> &[Place] {
        let start = column.places_start as usize;
        self.places.get(start..start + column.places_count as usize).unwrap_or_default()
    }

    /// Numbers the live services in the order that breaks ties between equally good results, the
    /// same in every sort (as the Meilisearch engine's ranking rules): framework score, quality,
    /// price, id. A result's place in any order is then one integer (see `order_key`).
    fn rerank(&mut self) {
        let columns = &mut self.columns;
        let mut live: Vec<u32> = (0..columns.len()).filter(|&slot| self.live[slot]).filter_map(|slot| u32::try_from(slot).ok()).collect();
        live.sort_unstable_by_key(|&slot| {
            let column = &columns[slot as usize];
            (Reverse(column.framework_score.unwrap_or(0)), Reverse(column.quality), column.price_pence, column.listing_id)
        });
        for (place, slot) in live.into_iter().enumerate() {
            columns[slot as usize].order = u32::try_from(place).unwrap_or(u32::MAX);
        }
    }

    /// Drops the places of removed services once they are half the array.
    fn compact_places(&mut self) {
        if self.dead_places < 4_096 || self.dead_places * 2 < self.places.len() {
            return;
        }
        let mut compacted = Vec::with_capacity(self.places.len() - self.dead_places);
        for (column, _) in self.columns.iter_mut().zip(&self.live).filter(|(_, live)| **live) {
            let start = column.places_start as usize;
            let moved = u32::try_from(compacted.len()).unwrap_or(u32::MAX);
            compacted.extend_from_slice(self.places.get(start..start + column.places_count as usize).unwrap_or_default());
            column.places_start = moved;
        }
        self.places = compacted;
        self.dead_places = 0;
    }

    fn intern(&mut self, word: String) -> u32 {
        if let Some(&term) = self.vocabulary.get(&word) {
            return term;
        }
        let term = u32::try_from(self.terms.len()).unwrap_or(u32::MAX);
        if let Ok(expansions) = self.expansions.get_mut() {
            expansions.clear();
        }
        self.vocabulary.insert(word.clone(), term);
        self.terms.push(word);
        self.postings.push(Vec::new());
        term
    }

    fn remove(&mut self, listing_id: i64) {
        let Some(slot) = self.slots.remove(&listing_id) else { return };
        if let Some(column) = self.columns.get_mut(slot as usize) {
            self.dead_places += column.places_count as usize;
            if let Some(slots) = self.by_category.get_mut(usize::from(column.category)) {
                slots.retain(|&s| s != slot);
            }
            *column = Column::EMPTY;
            self.live[slot as usize] = false;
        }
        if let Some(entry) = self.entries.get_mut(slot as usize).and_then(Option::take) {
            for &term in &entry.terms {
                self.postings[term as usize].retain(|posting| posting.slot != slot);
            }
            let mut pairs: Vec<u64> = [&entry.title_words, &entry.body_words].into_iter().flat_map(|field| pairs_of(field).map(|(_, pair)| pair)).collect();
            pairs.sort_unstable();
            pairs.dedup();
            for pair in pairs {
                if let Some(postings) = self.pairs.get_mut(&pair) {
                    postings.retain(|posting| posting.slot != slot);
                }
            }
            for &group in &entry.groups {
                self.group_hits[group].retain(|&(s, _)| s != slot);
            }
        }
        self.free.push(slot);
    }

    /// The index's words that `typed` matches, with the typos each takes.
    fn expand(&self, typed: &str, prefix: bool) -> Expansion {
        let key = (typed.to_string(), prefix);
        if let Some(found) = self.expansions.lock().ok().and_then(|remembered| remembered.get(&key).cloned()) {
            return found;
        }
        let matched: Vec<(u32, u8)> =
            self.terms.iter().enumerate().filter_map(|(term, text)| Some((u32::try_from(term).ok()?, ranking_rules::typos(typed, text, prefix)?))).collect();
        let matched = Arc::new(matched);
        if let Ok(mut remembered) = self.expansions.lock() {
            if remembered.len() >= REMEMBERED_WORDS {
                remembered.clear();
            }
            remembered.insert(key, matched.clone());
        }
        matched
    }

    /// Every service the filters admit (only those of the type of care asked for are read),
    /// handed to `each` with its relevance and the concepts it matched (none).
    fn all(&self, category: Option<usize>, admit: impl Fn(u32) -> bool, mut each: impl FnMut(u32, Relevance, u32)) {
        let slots: Box<dyn Iterator<Item = u32>> = match category {
            Some(category) => Box::new(self.by_category.get(category).into_iter().flatten().copied()),
            None => Box::new(0..u32::try_from(self.columns.len()).unwrap_or(u32::MAX)),
        };
        for slot in slots.filter(|&slot| admit(slot)) {
            each(slot, Relevance::default(), 0);
        }
    }

    /// Whether a phrase's later words follow its first two (found as a pair at `posting`, in the
    /// title or the body), in order, each within a word of the one before ("washed and
    /// dressed" is "washed dressed").
    fn phrase_follows(&self, posting: &Posting, words: &[Vec<u32>]) -> bool {
        let Some(Some(entry)) = self.entries.get(posting.slot as usize) else { return false };
        let field = if posting.in_title { &entry.title_words } else { &entry.body_words };
        let mut at = posting.position as usize;
        words[1..].iter().all(|terms| {
            let next = (at + 1..=at + 2).find(|&place| field.get(place).is_some_and(|term| terms.binary_search(term).is_ok()));
            next.inspect(|&place| at = place).is_some()
        })
    }

    /// The index's words a word typed as part of a concept matches: as `expand`, but its plural
    /// or singular is no typo (a synonym's plural is none either, and "short breaks" typed must
    /// not lose to a synonym).
    fn as_typed(&self, word: &str, prefix: bool) -> Expansion {
        let expansion = self.expand(word, prefix);
        if !expansion.iter().any(|&(term, typos)| typos > 0 && is_plural(word, &self.terms[term as usize])) {
            return expansion;
        }
        Arc::new(expansion.iter().map(|&(term, typos)| (term, if is_plural(word, &self.terms[term as usize]) { 0 } else { typos })).collect())
    }

    /// The index's words that are this word or its plural (for a synonym, spelt right).
    fn exact(&self, word: &str) -> Expansion {
        let forms = [Some(word.to_string()), Some(format!("{word}s")), Some(format!("{word}es")), word.strip_suffix('s').map(str::to_string)];
        let mut terms: Vec<(u32, u8)> = forms.into_iter().flatten().filter_map(|form| self.vocabulary.get(&form).map(|&term| (term, 0))).collect();
        terms.dedup();
        Arc::new(terms)
    }

    /// The documents that match the concepts, with how relevant each is. A concept matches a
    /// document when one of its forms does, its words in order (each exactly, within the typos their
    /// length allows, or, for an unfinished last word, as the start of a word), or when the
    /// document is of a type of care the concept points to. Documents that match no concept
    /// that must match are left out; if none must match, those that match none of the others.
    /// Each is handed to `each` with its relevance and the concepts it matched (one bit each).
    fn matching(&self, concepts: &[Concept], admit: impl Fn(u32) -> bool, mut each: impl FnMut(u32, Relevance, u32)) {
        SCRATCH.with_borrow_mut(|scratch| {
            let stamp = scratch.next_search(concepts.len(), self.entries.len());
            let Scratch { words: lanes, chosen, .. } = scratch;
            // The documents a concept that must match was found in (each once).
            let mut found: Vec<u32> = Vec::with_capacity(self.columns.len() / 4);
            let any_required = concepts.iter().any(|concept| concept.required);
            // Those that must match first: the others then only rank what they found.
            let order = concepts.iter().enumerate().filter(|(_, c)| c.required).chain(concepts.iter().enumerate().filter(|(_, c)| !c.required));
            for (index, concept) in order {
                let hits = &mut lanes[index];
                // Records where the concept matched a document (the first match makes it a candidate).
                let mut offer = |hits: &mut [(u32, WordHit)], slot: u32, new: WordHit| {
                    // A concept that only ranks touches only what the others found.
                    if any_required && !concept.required && chosen[slot as usize] != stamp {
                        return;
                    }
                    let (seen, hit) = &mut hits[slot as usize];
                    if *seen == stamp {
                        for &position in new.positions() {
                            hit.offer(new.typos, new.in_title, new.synonym, position);
                        }
                    } else {
                        (*seen, *hit) = (stamp, new);
                        if (concept.required || !any_required) && chosen[slot as usize] != stamp {
                            chosen[slot as usize] = stamp;
                            found.push(slot);
                        }
                    }
                };
                // A group of the vocabulary: what its types of care and its phrases match was
                // worked out at indexing; only the words as typed are left to look up.
                let forms = match concept.group {
                    Some(group) => {
                        for &(slot, hit) in self.group_hits.get(group).into_iter().flatten() {
                            if admit(slot) {
                                offer(hits, slot, hit);
                            }
                        }
                        &concept.forms[..1.min(concept.forms.len())]
                    }
                    None => {
                        // Services of a type the concept points to match it first (by type, not by
                        // a word: no place in the text), so a synonym's phrase need not be checked
                        // where it could add no more than that.
                        for category in concept.categories.iter().filter_map(|code| app::CATEGORIES.iter().position(|c| c == code)) {
                            for &slot in self.by_category.get(category).into_iter().flatten() {
                                if admit(slot) {
                                    offer(hits, slot, WordHit::at(0, false, u32::MAX).by_synonym(true));
                                }
                            }
                        }
                        &concept.forms[..]
                    }
                };
                for (form_index, form) in forms.iter().enumerate() {
                    // The words as typed forgive typos (the last may be unfinished); a synonym is
                    // spelt right, so only its plural is looked for.
                    let typed = form_index == 0;
                    let words: Vec<Expansion> = form
                        .iter()
                        .enumerate()
                        .map(|(k, word)| if typed { self.as_typed(word, concept.prefix && k + 1 == form.len()) } else { self.exact(word) })
                        .collect();
                    if words.iter().any(|terms| terms.is_empty()) {
                        continue;
                    }
                    if words.len() == 1 {
                        for &(term, typos) in words[0].iter() {
                            for posting in &self.postings[term as usize] {
                                offer(hits, posting.slot, WordHit::at(typos, posting.in_title, posting.position).by_synonym(!typed));
                            }
                        }
                        continue;
                    }
                    // A phrase: its first two words as a pair, then any others beside them.
                    let around: Vec<Vec<u32>> = words
                        .iter()
                        .map(|terms| {
                            let mut terms: Vec<u32> = terms.iter().map(|&(term, _)| term).collect();
                            terms.sort_unstable();
                            terms
                        })
                        .collect();
                    for &(first, first_typos) in words[0].iter() {
                        for &(second, second_typos) in words[1].iter() {
                            let Some(postings) = self.pairs.get(&pair_key(first, second)) else { continue };
                            let typos = first_typos.saturating_add(second_typos);
                            for posting in postings {
                                let slot = posting.slot as usize;
                                // Filtered out, or already matched as well: no need to read further.
                                let (seen, hit) = &hits[slot];
                                let known = *seen == stamp && (hit.typos, !hit.in_title, hit.synonym) <= (typos, !posting.in_title, !typed);
                                if known || !admit(posting.slot) || (words.len() > 2 && !self.phrase_follows(posting, &around)) {
                                    continue;
                                }
                                offer(hits, posting.slot, WordHit::at(typos, posting.in_title, posting.position).by_synonym(!typed));
                            }
                        }
                    }
                }
            }
            // What the concepts that must match found; with none, what any concept found (a search
            // for "support" lists what offers support); with nothing found, everything.
            if !any_required && found.is_empty() {
                found.extend(0..u32::try_from(self.columns.len()).unwrap_or(u32::MAX));
            }
            let lanes = &lanes[..concepts.len()];
            let required: Vec<bool> = concepts.iter().map(|concept| concept.required).collect();
            let mut hits: Vec<Option<&WordHit>> = Vec::with_capacity(concepts.len());
            for slot in found.into_iter().filter(|&slot| admit(slot)) {
                hits.clear();
                let mut matched = 0u32;
                for (index, lane) in lanes.iter().enumerate() {
                    let (seen, hit) = &lane[slot as usize];
                    let present = *seen == stamp;
                    matched |= u32::from(present) << index;
                    hits.push(present.then_some(hit));
                }
                each(slot, ranking_rules::relevance(&hits, &required), matched);
            }
        })
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
    static RECYCLED_MATCHES: std::cell::Cell<Vec<Match>> = const { std::cell::Cell::new(Vec::new()) };
}

/// For each typed word, the best hit in each slot: one slot per document, a plain array being
/// much faster to fill than a map when a word is as common as "care". Kept per thread and
/// reused: a hit counts only if stamped with the current search, so nothing is cleared.
#[derive(Default)]
struct Scratch {
    stamp: u32,
    words: Vec<Vec<(u32, WordHit)>>,
    /// Per slot, the last search that made it a candidate.
    chosen: Vec<u32>,
}

impl Scratch {
    fn next_search(&mut self, words: usize, slots: usize) -> u32 {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // After four billion searches on this thread, old stamps could come round again.
            self.words.clear();
            self.chosen.clear();
            self.stamp = 1;
        }
        if self.chosen.len() < slots {
            self.chosen.resize(slots, 0);
        }
        if self.words.len() < words {
            self.words.resize_with(words, Vec::new);
        }
        for word in &mut self.words[..words] {
            if word.len() < slots {
                word.resize(slots, (0, WordHit::at(0, false, 0)));
            }
        }
        self.stamp
    }
}

fn schema() -> (Schema, IndexFields) {
    let mut builder = Schema::builder();
    // On disk the index only keeps documents (found by id, to replace them): the words are
    // indexed in memory, where searches run.
    let fields = IndexFields { id: builder.add_u64_field("id", INDEXED), document: builder.add_text_field("document", STORED) };
    (builder.build(), fields)
}

fn index_error(error: impl std::fmt::Display) -> SearchError {
    SearchError::Index(error.to_string())
}

impl EmbeddedIndex {
    /// Opens the index in this directory, creating it if it is not there. An index written
    /// with another layout is started afresh: it only holds what the database can rebuild
    /// (the server re-indexes an empty index at start).
    pub fn open(directory: &Path) -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        let open = || {
            std::fs::create_dir_all(directory).map_err(index_error)?;
            let mmap = tantivy::directory::MmapDirectory::open(directory).map_err(index_error)?;
            Index::open_or_create(mmap, schema.clone()).map_err(index_error)
        };
        let index = match open() {
            Ok(index) => index,
            Err(error) => {
                tracing::warn!(%error, "the search index on disk has another layout; starting it afresh");
                std::fs::remove_dir_all(directory).map_err(index_error)?;
                open()?
            }
        };
        // The index's own name, kept beside it: its cursor in the outbox survives a restart.
        let name_file = directory.join("follower");
        let follower = match std::fs::read_to_string(&name_file) {
            Ok(name) if !name.trim().is_empty() => name.trim().to_string(),
            _ => {
                let name = format!("embedded:{}", uuid::Uuid::new_v4());
                std::fs::write(&name_file, &name).map_err(index_error)?;
                name
            }
        };
        Self::with_index(index, fields, follower)
    }

    /// An index that lives only as long as the process (for tests).
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields, format!("embedded:{}", uuid::Uuid::new_v4()))
    }

    fn with_index(index: Index, fields: IndexFields, follower: String) -> Result<Self, SearchError> {
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY).map_err(index_error)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(index_error)?;
        let store = load_documents(&reader, fields)?;
        Ok(Self { inner: Arc::new(Inner { reader, writer: Mutex::new(writer), fields, store: RwLock::new(store) }), follower })
    }

    /// How many documents it holds.
    pub fn document_count(&self) -> usize {
        self.inner.store.read().map(|store| store.len()).unwrap_or(0)
    }

    /// Runs a blocking index operation off the async threads.
    async fn blocking<T: Send + 'static>(&self, work: impl FnOnce(&Inner) -> Result<T, SearchError> + Send + 'static) -> Result<T, SearchError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || work(&inner)).await.map_err(index_error)?
    }
}

fn load_documents(reader: &IndexReader, fields: IndexFields) -> Result<Store, SearchError> {
    let searcher = reader.searcher();
    let mut store = Store::default();
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        let ordinal = u32::try_from(ordinal).map_err(index_error)?;
        for doc in segment.doc_ids_alive() {
            let stored: TantivyDocument = searcher.doc(DocAddress::new(ordinal, doc)).map_err(index_error)?;
            let json = stored.get_first(fields.document).and_then(|value| value.as_str()).unwrap_or_default();
            let document: ListingDocument = serde_json::from_str(json).map_err(index_error)?;
            store.insert(document);
        }
    }
    store.rerank();
    Ok(store)
}

impl Inner {
    fn write(&self, upserts: Vec<ListingDocument>, removals: Vec<i64>, clear: bool) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().map_err(index_error)?;
        if clear {
            writer.delete_all_documents().map_err(index_error)?;
        }
        for id in removals.iter().copied().chain(upserts.iter().map(|d| d.listing_id)) {
            writer.delete_term(Term::from_field_u64(self.fields.id, id_key(id)));
        }
        for document in &upserts {
            let mut doc = TantivyDocument::default();
            doc.add_u64(self.fields.id, id_key(document.listing_id));
            doc.add_text(self.fields.document, serde_json::to_string(document).map_err(index_error)?);
            writer.add_document(doc).map_err(index_error)?;
        }
        writer.commit().map_err(index_error)?;
        self.reader.reload().map_err(index_error)?;
        let mut store = self.store.write().map_err(index_error)?;
        if clear {
            *store = Store::default();
        }
        for id in removals {
            store.remove(id);
        }
        for document in upserts {
            store.insert(document);
        }
        store.rerank();
        Ok(())
    }

    fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let concepts = query.concepts();
        let store = self.store.read().map_err(index_error)?;
        let wanted = Wanted::of(query, &store.languages);
        // The filters are applied before any relevance is worked out. Whether a service is near
        // enough takes reading its places, so that answer is kept (a service is asked once per word).
        let near_enough: Option<Vec<std::cell::Cell<u8>>> = wanted.origin.as_ref().map(|_| vec![std::cell::Cell::new(UNASKED); store.columns.len()]);
        let filtered = query.filters();
        let admit = |slot: u32| {
            if !store.live[slot as usize] {
                return false;
            }
            if !filtered {
                return true;
            }
            let column = &store.columns[slot as usize];
            if !wanted.admits(column) {
                return false;
            }
            let (Some(origin), Some(near_enough)) = (&wanted.origin, &near_enough) else { return true };
            let verdict = &near_enough[slot as usize];
            if verdict.get() == UNASKED {
                verdict.set(u8::from(origin.may_be_near(column) && origin.is_within(store.places_of(column))));
            }
            verdict.get() == 1
        };
        // The types of care the words point to: services of other types come after them.
        let pointed: Vec<u8> = concepts
            .iter()
            .flat_map(|concept| &concept.categories)
            .filter_map(|code| app::CATEGORIES.iter().position(|c| c == code))
            .filter_map(|p| u8::try_from(p).ok())
            .collect();
        // Searching for exactly the words typed, every word must match.
        let exact = query.concepts.is_none();
        let mut kept = Kept::new(if exact { 0 } else { u8::MAX });
        let consider = |slot: u32, mut relevance: Relevance, matched: u32| {
            let column = &store.columns[slot as usize];
            // Only what the columns do not hold needs the document itself.
            if wanted.needs_document() && !store.entries[slot as usize].as_deref().is_some_and(|entry| wanted.admits_document(entry)) {
                return;
            }
            // Distances are worked out exactly only where they order the results; otherwise a
            // cheap estimate decides "within" (exactly near the edge) and the page's own results
            // are measured at the end.
            let metres = match &wanted.origin {
                Some(origin) if query.sort == Sort::Nearest => match origin.nearest_km(store.places_of(column)) {
                    // Whole metres; the farthest possible when unknown.
                    Some(km) if km.is_finite() => (km * 1_000.0).min(f64::from(u32::MAX - 1)) as u32,
                    Some(_) => u32::MAX,
                    None => return,
                },
                _ => u32::MAX,
            };
            relevance.off_type = !pointed.is_empty() && !pointed.contains(&column.category);
            relevance.either_carer = wanted.gender.is_some() && column.gender == 0;
            kept.offer(relevance.missing, Match { key: order_key(query.sort, &relevance, column, metres), slot, matched }, column);
        };
        if concepts.is_empty() {
            store.all(wanted.category, admit, consider);
        } else {
            store.matching(&concepts, admit, consider);
        }
        let Kept { fewest_missing, mut matches, counts } = kept;
        // When no service matches every concept that must match, the page says which were matched.
        let partial = (!exact && fewest_missing > 0 && !matches.is_empty()).then(|| {
            let (all, some) = matches.iter().fold((u32::MAX, 0u32), |(all, some), m| (all & m.matched, some | m.matched));
            let named = |mask: u32| concepts.iter().enumerate().filter(|(i, c)| c.required && mask & (1 << i) != 0).map(|(_, c)| c.typed.clone()).collect();
            PartialMatch { matched_by_all: named(all), matched_by_some: named(some) }
        });
        let facets = counts.facets();
        let per_page = query.per_page.max(1) as usize;
        let skip = (query.page.max(1) as usize - 1) * per_page;
        sort_first(&mut matches, skip + per_page);
        let total = matches.len() as u64;
        let hits = matches
            .iter()
            .skip(skip)
            .take(per_page)
            .filter_map(|m| {
                let entry = store.entries[m.slot as usize].as_ref()?;
                let places = store.places_of(&store.columns[m.slot as usize]);
                // Measured again for the page's own results (the sort kept only whole metres).
                let distance_km = wanted.origin.as_ref().and_then(|origin| origin.nearest_km(places));
                Some(SearchHit { document: entry.document.clone(), distance_km })
            })
            .collect();
        RECYCLED_MATCHES.set(matches);
        Ok(SearchResults { total, hits, facets, partial })
    }
}

/// Whether one word is the other with an s (or es) on the end.
fn is_plural(a: &str, b: &str) -> bool {
    let plural = |one: &str, other: &str| other.strip_prefix(one).is_some_and(|end| end == "s" || end == "es");
    plural(a, b) || plural(b, a)
}

/// The care vocabulary's document forms by their first word, as (group, form).
static FORM_STARTS: LazyLock<HashMap<&'static str, Vec<(usize, usize)>>> = LazyLock::new(|| {
    let mut starts: HashMap<&'static str, Vec<(usize, usize)>> = HashMap::new();
    for (group, forms) in understanding::lexicon().map(Lexicon::document_forms).unwrap_or_default().iter().enumerate() {
        for (form, words) in forms.iter().enumerate() {
            if let Some(first) = words.first() {
                starts.entry(first.as_str()).or_default().push((group, form));
            }
        }
    }
    starts
});

/// The vocabulary's groups a service matches whatever was typed, each with how: by being of a
/// type of care the group points to (no place in the text), or by one of its phrases, spelt right
/// or as a plural, its words in order with at most one word between (in the title or the body).
fn vocabulary_hits(category: &str, title: &[String], body: &[String]) -> Vec<(usize, WordHit)> {
    let Some(lexicon) = understanding::lexicon() else { return Vec::new() };
    let forms = lexicon.document_forms();
    let same = |word: &str, form_word: &str| word == form_word || is_plural(word, form_word);
    // (group, form, in the title, place) of each phrase found.
    let mut found: Vec<(usize, usize, bool, u32)> = Vec::new();
    for (in_title, words) in [(true, title), (false, body)] {
        for (i, word) in words.iter().enumerate() {
            // The form's first word may be this word, its singular or its plural.
            let (plural, plural_es) = (format!("{word}s"), format!("{word}es"));
            let stems = [Some(word.as_str()), Some(plural.as_str()), Some(plural_es.as_str()), word.strip_suffix('s'), word.strip_suffix("es")];
            for stem in stems.into_iter().flatten() {
                for &(group, form) in FORM_STARTS.get(stem).into_iter().flatten() {
                    let mut at = i;
                    let follows = forms[group][form][1..].iter().all(|next| {
                        let place = (at + 1..=at + 2).find(|&place| words.get(place).is_some_and(|w| same(w, next)));
                        place.inspect(|&place| at = place).is_some()
                    });
                    if follows {
                        found.push((group, form, in_title, u32::try_from(i).unwrap_or(u32::MAX)));
                    }
                }
            }
        }
    }
    // As a search would offer them: form by form, the title's places first.
    found.sort_unstable_by_key(|&(group, form, in_title, place)| (group, form, !in_title, place));
    found.dedup();
    let mut hits = Vec::new();
    for (group, definition) in lexicon.groups().iter().enumerate() {
        let mut hit = definition.categories.iter().any(|code| code == category).then(|| WordHit::at(0, false, u32::MAX).by_synonym(true));
        for &(_, _, in_title, place) in found.iter().filter(|found| found.0 == group) {
            match &mut hit {
                Some(hit) => hit.offer(0, in_title, true, place),
                None => hit = Some(WordHit::at(0, in_title, place).by_synonym(true)),
            }
        }
        hits.extend(hit.map(|hit| (group, hit)));
    }
    hits
}

/// Two words as one key.
fn pair_key(first: u32, second: u32) -> u64 {
    u64::from(first) << 32 | u64::from(second)
}

/// Each pair of words side by side or one word apart in a field, with the first word's place.
fn pairs_of(field: &[u32]) -> impl Iterator<Item = (u32, u64)> + '_ {
    field
        .iter()
        .enumerate()
        .flat_map(move |(i, &first)| [1, 2].into_iter().filter_map(move |gap| Some((u32::try_from(i).ok()?, pair_key(first, *field.get(i + gap)?)))))
}

/// Listing ids are positive; the index keeps them as u64.
fn id_key(id: i64) -> u64 {
    u64::try_from(id).unwrap_or(0)
}

/// One result, with its place in the chosen order worked out once (see `order_key`), so
/// sorting thousands of them compares integers and reads no documents.
#[derive(Clone, Copy)]
struct Match {
    key: u128,
    slot: u32,
    /// Which concepts it matched (one bit each).
    matched: u32,
}

/// A result's place in the chosen order as one number, smaller first: its tier (matching every
/// concept, of a type the words point to, offering the carer asked for), then the order chosen
/// (price, quality or distance in whole metres), then its relevance, then the tie-breaks every
/// order ends with (`Column::order`, different for every service, so pages never overlap).
fn order_key(sort: Sort, relevance: &Relevance, column: &Column, metres: u32) -> u128 {
    let relevance = relevance.key();
    let (tier, rest) = (relevance >> 48, relevance & ((1 << 48) - 1));
    let chosen = match sort {
        Sort::BestValue => 0,
        Sort::LowestPrice => u32::try_from(column.price_pence.max(0)).unwrap_or(u32::MAX),
        Sort::HighestQuality => u32::MAX - column.quality,
        Sort::Nearest => metres,
    };
    u128::from(tier) << 112 | u128::from(chosen) << 80 | u128::from(rest) << 32 | u128::from(column.order)
}

/// The results kept as they are found: those that miss the fewest concepts that must match (a
/// better one clears the others), with their facets counted on the way.
struct Kept {
    fewest_missing: u8,
    matches: Vec<Match>,
    counts: FacetCounts,
}

impl Kept {
    /// Keeps results that miss at most `fewest_missing` concepts (at first), in the thread's
    /// array from its last search (a wide search keeps thousands: growing a new array each time
    /// costs more than ranking them).
    fn new(fewest_missing: u8) -> Self {
        let mut matches = RECYCLED_MATCHES.take();
        matches.clear();
        Self { fewest_missing, matches, counts: FacetCounts::default() }
    }

    fn offer(&mut self, missing: u8, found: Match, column: &Column) {
        if missing > self.fewest_missing {
            return;
        }
        if missing < self.fewest_missing {
            self.fewest_missing = missing;
            self.matches.clear();
            self.counts = FacetCounts::default();
        }
        self.counts.add(column);
        self.matches.push(found);
    }
}

/// How many results have each filter value.
#[derive(Default)]
struct FacetCounts {
    categories: [u64; app::CATEGORIES.len()],
    /// By bit of `Column::specialisms`.
    specialisms: [u64; 16],
    genders: [u64; GENDERS.len()],
    on_framework: u64,
}

impl FacetCounts {
    fn add(&mut self, column: &Column) {
        if let Some(count) = self.categories.get_mut(usize::from(column.category)) {
            *count += 1;
        }
        let mut bits = column.specialisms;
        while bits != 0 {
            self.specialisms[bits.trailing_zeros() as usize] += 1;
            bits &= bits - 1;
        }
        if let Some(count) = self.genders.get_mut(usize::from(column.gender)) {
            *count += 1;
        }
        self.on_framework += u64::from(column.framework_score.is_some());
    }

    /// (code, count) for each value present, ordered by code.
    fn facets(&self) -> Facets {
        let listed = |codes: &mut dyn Iterator<Item = &str>, counts: &[u64]| {
            let mut listed: Vec<(String, u64)> = codes.zip(counts).filter(|(_, n)| **n > 0).map(|(code, n)| (code.to_string(), *n)).collect();
            listed.sort();
            listed
        };
        Facets {
            categories: listed(&mut app::CATEGORIES.iter().copied(), &self.categories),
            specialisms: listed(&mut app::SPECIALISMS.iter().map(|(code, _)| *code), &self.specialisms),
            carer_genders: listed(&mut GENDERS.iter().copied(), &self.genders),
            on_framework: self.on_framework,
        }
    }
}

/// The query's filters as the small numbers entries keep.
struct Wanted<'q> {
    query: &'q SearchQuery,
    category: Option<usize>,
    gender: Option<usize>,
    specialism: Option<usize>,
    language: Option<Language>,
    origin: Option<Origin>,
}

/// A language asked for: a bit of `Column::languages`, or, past the 64 that have one, its name
/// (answered by the document).
enum Language {
    Bit(u64),
    Named(String),
}

impl<'q> Wanted<'q> {
    fn of(query: &'q SearchQuery, languages: &[String]) -> Self {
        let position = |wanted: &Option<String>, codes: &[&str]| wanted.as_ref().map(|value| codes.iter().position(|code| code == value).unwrap_or(NONE));
        let specialisms: Vec<&str> = app::SPECIALISMS.iter().map(|(code, _)| *code).collect();
        Self {
            query,
            category: position(&query.category, app::CATEGORIES),
            gender: position(&query.carer_gender, &GENDERS),
            specialism: position(&query.specialism, &specialisms),
            language: query.language.as_ref().map(|language| {
                let language = language.to_lowercase();
                match languages.iter().position(|known| *known == language) {
                    Some(position) if position < 64 => Language::Bit(1 << position),
                    // Never heard of: no bit, so no service has it.
                    None => Language::Bit(0),
                    Some(_) => Language::Named(language),
                }
            }),
            origin: query.near.map(|near| Origin { place: Place::new((near.latitude, near.longitude)), within_km: near.within_km }),
        }
    }

    /// The filters the columns can answer.
    fn admits(&self, column: &Column) -> bool {
        let query = self.query;
        let is = |wanted: Option<usize>, actual: u8| wanted.is_none_or(|wanted| usize::from(actual) == wanted);
        is(self.category, column.category)
            && query.max_price_pence.is_none_or(|max| column.price_pence <= max)
            // A carer gender asked for is met by services that offer it or offer any carer.
            && (is(self.gender, column.gender) || (self.gender.is_some() && column.gender == 0))
            && self.specialism.is_none_or(|wanted| wanted < 16 && column.specialisms & (1 << wanted) != 0)
            && (!query.framework_only || column.framework_score.is_some())
            && query.day.is_none_or(|day| (1..=7).contains(&day) && column.open_days & (1 << (day - 1)) != 0)
            // Saturday or Sunday.
            && (!query.weekend || column.open_days & 0b110_0000 != 0)
            && (!query.at_night || column.at_night)
            && match self.language {
                Some(Language::Bit(bit)) => column.languages & bit != 0,
                _ => true,
            }
    }

    /// Whether a language or a time of day is asked for, which only the document can answer.
    fn needs_document(&self) -> bool {
        matches!(self.language, Some(Language::Named(_))) || self.query.time.is_some()
    }

    fn admits_document(&self, entry: &Entry) -> bool {
        let query = self.query;
        let available = match (query.day, query.time) {
            (Some(day), Some(minute)) => entry.document.hours.iter().any(|&(weekday, opens, closes)| weekday == day && opens <= minute && minute < closes),
            // A time without a day: open then on some day.
            (None, Some(minute)) => entry.document.hours.iter().any(|&(_, opens, closes)| opens <= minute && minute < closes),
            _ => true,
        };
        available
            && match &self.language {
                Some(Language::Named(language)) => entry.facets.languages.iter().any(|l| l == language),
                _ => true,
            }
    }
}

/// Where distances are measured from.
struct Origin {
    place: Place,
    within_km: Option<f64>,
}

impl Origin {
    /// Whether any of its places could be within the distance (by latitude alone).
    fn may_be_near(&self, column: &Column) -> bool {
        match self.within_km {
            Some(km) => {
                let band = km / 110.5 + 1e-9;
                column.latitude_min <= self.place.latitude + band && column.latitude_max >= self.place.latitude - band
            }
            None => true,
        }
    }

    /// Whether any place it works is within the distance asked for (always, if none was).
    fn is_within(&self, places: &[Place]) -> bool {
        let Some(limit) = self.within_km else { return true };
        places.iter().any(|place| {
            // Flat-earth distance: within a fraction of a percent at these scales, and far cheaper.
            let x = (place.longitude_radians - self.place.longitude_radians) * self.place.cos_latitude;
            let y = place.latitude_radians - self.place.latitude_radians;
            let estimate = 6_371.0 * (x * x + y * y).sqrt();
            estimate <= limit * 0.98 || (estimate <= limit * 1.02 && self.place.km_to(place) <= limit)
        })
    }

    /// The distance to the nearest place the service works, if it lists any (places too far
    /// north or south to be within the distance asked for are not measured).
    fn nearest_km(&self, places: &[Place]) -> Option<f64> {
        // A degree of latitude is at least 110.5 km anywhere on Earth.
        let band = self.within_km.map_or(f64::INFINITY, |km| km / 110.5 + 1e-9);
        places
            .iter()
            .filter(|place| (place.latitude - self.place.latitude).abs() <= band)
            .map(|place| self.place.km_to(place))
            .fold(None, |nearest: Option<f64>, km| Some(nearest.map_or(km, |n| n.min(km))))
            .or(self.within_km.is_none().then_some(f64::INFINITY))
    }
}

/// Puts the first `needed` matches in order (the rest only after them, unordered).
fn sort_first(matches: &mut [Match], needed: usize) {
    if needed < matches.len() {
        matches.select_nth_unstable_by_key(needed, |m| m.key);
    }
    let end = needed.min(matches.len());
    matches[..end].sort_unstable_by_key(|m| m.key);
}

#[async_trait::async_trait]
impl SearchEngine for EmbeddedIndex {
    async fn upsert(&self, documents: Vec<ListingDocument>) -> Result<(), SearchError> {
        self.blocking(move |inner| inner.write(documents, Vec::new(), false)).await
    }

    async fn remove(&self, listing_ids: Vec<i64>) -> Result<(), SearchError> {
        self.blocking(move |inner| inner.write(Vec::new(), listing_ids, false)).await
    }

    async fn clear(&self) -> Result<(), SearchError> {
        self.blocking(|inner| inner.write(Vec::new(), Vec::new(), true)).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        self.inner.search(query)
    }

    async fn is_empty(&self) -> Result<bool, SearchError> {
        Ok(self.document_count() == 0)
    }

    fn follower(&self) -> String {
        self.follower.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(listing_id: i64, places: Vec<(f64, f64)>) -> ListingDocument {
        ListingDocument {
            listing_id,
            public_id: String::new(),
            title: format!("Service {listing_id}"),
            description: String::new(),
            provider_name: String::new(),
            provider_public_id: String::new(),
            category: "home_care".into(),
            unit: "hour".into(),
            price_pence: 2_000,
            carer_gender: "any".into(),
            languages: Vec::new(),
            specialisms: Vec::new(),
            areas: Vec::new(),
            places,
            hours: Vec::new(),
            regulator_rating: "good".into(),
            quality: 8_000,
            framework_score: None,
            rank_explanation: None,
            possibly_out_of_date: false,
        }
    }

    #[test]
    fn a_language_is_found_whether_or_not_it_has_a_bit_and_one_nobody_speaks_finds_nothing() {
        let index = EmbeddedIndex::in_memory().unwrap();
        let mut store = index.inner.store.write().unwrap();
        for id in 1..=70 {
            store.insert(ListingDocument { languages: vec![format!("Language{id}")], ..document(id, Vec::new()) });
        }
        drop(store);
        let speaking = |language: &str| {
            let query = SearchQuery { language: Some(language.into()), page: 1, per_page: 100, ..SearchQuery::default() };
            index.inner.search(&query).unwrap().hits.iter().map(|hit| hit.document.listing_id).collect::<Vec<_>>()
        };
        assert_eq!(speaking("language3"), [3], "one of the first 64 (by its bit, in any case)");
        assert_eq!(speaking("Language69"), [69], "past the 64 with a bit (by the document)");
        assert_eq!(speaking("Klingon"), Vec::<i64>::new());
    }

    #[test]
    fn places_stay_right_when_services_move_again_and_again() {
        let mut store = Store::default();
        // Every service moves north a little each round; the old places pile up and are compacted.
        for round in 0..40 {
            for id in 1..=300 {
                let latitude = 54.0 + f64::from(round) * 0.001 + id as f64 * 0.01;
                store.insert(document(id, vec![(latitude, -1.6), (latitude + 0.5, -1.6)]));
            }
        }
        assert!(store.places.len() <= 300 * 2 + 4_096 + 2, "compacted: {} of 24,000 places held", store.places.len());
        for id in [1_i64, 150, 300] {
            let column = store.columns[store.slots[&id] as usize];
            let expected = 54.0 + 39.0 * 0.001 + id as f64 * 0.01;
            let places = store.places_of(&column);
            assert_eq!(places.len(), 2);
            assert!((places[0].latitude - expected).abs() < 1e-9 && (places[1].latitude - expected - 0.5).abs() < 1e-9, "service {id}");
        }
        store.remove(150);
        let origin = Origin { place: Place::new((54.0 + 39.0 * 0.001 + 1.5, -1.6)), within_km: Some(0.5) };
        let near: Vec<i64> =
            store.columns.iter().zip(&store.live).filter(|(c, live)| **live && origin.is_within(store.places_of(c))).map(|(c, _)| c.listing_id).collect();
        // Service 150's first place and service 100's second are both there; 150 is gone.
        assert_eq!(near, [100]);
    }
}
