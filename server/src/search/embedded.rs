//! The embedded engine: a tantivy index on disk finds which services contain each typed word
//! (exactly, with typos, or as the start of a word), and an in-memory copy of every document
//! filters, ranks, counts and pages them. The documents are stored in the index too, so the
//! copy is rebuilt from disk at start-up without the database.
use super::ranking_rules::{self, Fields, Relevance};
use super::{Facets, ListingDocument, SearchEngine, SearchError, SearchHit, SearchQuery, SearchResults, Sort, distance_km};
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, Query};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value};
use tantivy::{DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentOrdinal, SegmentReader, TantivyDocument, Term};

/// The writer's memory budget: tantivy's minimum, ample for listings.
const WRITER_MEMORY: usize = 15_000_000;

#[derive(Clone)]
pub struct EmbeddedIndex {
    inner: Arc<Inner>,
}

struct Inner {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: IndexFields,
    documents: RwLock<HashMap<i64, Arc<Entry>>>,
}

#[derive(Clone, Copy)]
struct IndexFields {
    id: Field,
    title: Field,
    body: Field,
    document: Field,
}

/// A document and its words, split once when it is indexed.
struct Entry {
    document: ListingDocument,
    words: Fields,
}

impl Entry {
    fn new(document: ListingDocument) -> Self {
        let words = Fields {
            title: ranking_rules::words(&document.title),
            body: ranking_rules::words(&format!("{} {}", document.description, document.extra_words())),
        };
        Self { document, words }
    }
}

fn schema() -> (Schema, IndexFields) {
    let mut builder = Schema::builder();
    // Which words a document has is all the index answers; positions and frequencies are not needed.
    let words = TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer("default").set_index_option(IndexRecordOption::Basic));
    let fields = IndexFields {
        id: builder.add_u64_field("id", INDEXED | FAST),
        title: builder.add_text_field("title", words.clone()),
        body: builder.add_text_field("body", words),
        document: builder.add_text_field("document", STORED),
    };
    (builder.build(), fields)
}

fn index_error(error: impl std::fmt::Display) -> SearchError {
    SearchError::Index(error.to_string())
}

impl EmbeddedIndex {
    /// Opens the index in this directory, creating it if it is not there.
    pub fn open(directory: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(directory).map_err(index_error)?;
        let (schema, fields) = schema();
        let mmap = tantivy::directory::MmapDirectory::open(directory).map_err(index_error)?;
        let index = Index::open_or_create(mmap, schema).map_err(index_error)?;
        Self::with_index(index, fields)
    }

    /// An index that lives only as long as the process (for tests).
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: IndexFields) -> Result<Self, SearchError> {
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY).map_err(index_error)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(index_error)?;
        let documents = load_documents(&reader, fields)?;
        Ok(Self { inner: Arc::new(Inner { reader, writer: Mutex::new(writer), fields, documents: RwLock::new(documents) }) })
    }

    /// How many documents it holds.
    pub fn len(&self) -> usize {
        self.inner.documents.read().map(|documents| documents.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs a blocking index operation off the async threads.
    async fn blocking<T: Send + 'static>(&self, work: impl FnOnce(&Inner) -> Result<T, SearchError> + Send + 'static) -> Result<T, SearchError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || work(&inner)).await.map_err(index_error)?
    }
}

fn load_documents(reader: &IndexReader, fields: IndexFields) -> Result<HashMap<i64, Arc<Entry>>, SearchError> {
    let searcher = reader.searcher();
    let mut documents = HashMap::new();
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        let ordinal = u32::try_from(ordinal).map_err(index_error)?;
        for doc in segment.doc_ids_alive() {
            let stored: TantivyDocument = searcher.doc(DocAddress::new(ordinal, doc)).map_err(index_error)?;
            let json = stored.get_first(fields.document).and_then(|value| value.as_str()).unwrap_or_default();
            let document: ListingDocument = serde_json::from_str(json).map_err(index_error)?;
            documents.insert(document.listing_id, Arc::new(Entry::new(document)));
        }
    }
    Ok(documents)
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
            doc.add_text(self.fields.title, &document.title);
            doc.add_text(self.fields.body, format!("{} {}", document.description, document.extra_words()));
            doc.add_text(self.fields.document, serde_json::to_string(document).map_err(index_error)?);
            writer.add_document(doc).map_err(index_error)?;
        }
        writer.commit().map_err(index_error)?;
        self.reader.reload().map_err(index_error)?;
        let mut documents = self.documents.write().map_err(index_error)?;
        if clear {
            documents.clear();
        }
        for id in removals {
            documents.remove(&id);
        }
        for document in upserts {
            documents.insert(document.listing_id, Arc::new(Entry::new(document)));
        }
        Ok(())
    }

    /// The listings containing every typed word, each in the title or the body, exactly,
    /// with the typos its length allows, or (the last word) as the start of a word.
    fn containing_all(&self, typed: &[String]) -> Result<Vec<i64>, SearchError> {
        let clauses: Vec<(Occur, Box<dyn Query>)> = typed
            .iter()
            .enumerate()
            .map(|(index, word)| {
                let last = index + 1 == typed.len();
                let either_field: Vec<(Occur, Box<dyn Query>)> = [self.fields.title, self.fields.body]
                    .into_iter()
                    .map(|field| {
                        let term = Term::from_field_text(field, word);
                        let typos = ranking_rules::allowed_typos(word);
                        let query =
                            if last { FuzzyTermQuery::new_prefix(term, typos, true) } else { FuzzyTermQuery::new(term, typos, true) };
                        (Occur::Should, Box::new(query) as Box<dyn Query>)
                    })
                    .collect();
                (Occur::Must, Box::new(BooleanQuery::new(either_field)) as Box<dyn Query>)
            })
            .collect();
        let ids = self.reader.searcher().search(&BooleanQuery::new(clauses), &ListingIds).map_err(index_error)?;
        Ok(ids.into_iter().map(listing_id).collect())
    }

    fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let typed = ranking_rules::words(&query.text);
        let documents = self.documents.read().map_err(index_error)?;
        let candidates: Vec<Arc<Entry>> = if typed.is_empty() {
            documents.values().cloned().collect()
        } else {
            self.containing_all(&typed)?.into_iter().filter_map(|id| documents.get(&id).cloned()).collect()
        };
        drop(documents);
        let mut matches: Vec<Match> = candidates
            .into_iter()
            .filter(|entry| passes_filters(&entry.document, query))
            .filter_map(|entry| {
                let relevance = if typed.is_empty() { Relevance::default() } else { ranking_rules::relevance(&typed, &entry.words)? };
                let distance_km = query.near.map(|near| nearest(&entry.document, (near.latitude, near.longitude)));
                let within = match (query.near.and_then(|near| near.within_km), distance_km) {
                    (Some(limit), Some(distance)) => distance <= limit,
                    _ => true,
                };
                within.then_some(Match { entry, relevance, distance_km })
            })
            .collect();
        let facets = facets(&matches);
        sort(&mut matches, query.sort);
        let per_page = query.per_page.max(1) as usize;
        let skip = (query.page.max(1) as usize - 1) * per_page;
        let total = matches.len() as u64;
        let hits = matches
            .into_iter()
            .skip(skip)
            .take(per_page)
            .map(|m| SearchHit { document: m.entry.document.clone(), distance_km: m.distance_km })
            .collect();
        Ok(SearchResults { total, hits, facets })
    }
}

/// Listing ids are positive; the index keeps them as u64.
fn id_key(id: i64) -> u64 {
    u64::try_from(id).unwrap_or(0)
}

fn listing_id(key: u64) -> i64 {
    i64::try_from(key).unwrap_or(0)
}

struct Match {
    entry: Arc<Entry>,
    relevance: Relevance,
    distance_km: Option<f64>,
}

fn passes_filters(document: &ListingDocument, query: &SearchQuery) -> bool {
    let same = |wanted: &Option<String>, actual: &str| wanted.as_deref().is_none_or(|wanted| wanted == actual);
    let available = match (query.day, query.time) {
        (None, _) => true,
        (Some(day), time) => document
            .hours
            .iter()
            .any(|&(weekday, opens, closes)| weekday == day && time.is_none_or(|minute| opens <= minute && minute < closes)),
    };
    same(&query.category, &document.category)
        && query.max_price_pence.is_none_or(|max| document.price_pence <= max)
        // A carer gender asked for is met by services that offer it or offer any carer.
        && query.carer_gender.as_deref().is_none_or(|gender| document.carer_gender == gender || document.carer_gender == "any")
        && query.language.as_deref().is_none_or(|language| document.languages.iter().any(|l| l.eq_ignore_ascii_case(language)))
        && query.specialism.as_deref().is_none_or(|specialism| document.specialisms.iter().any(|s| s == specialism))
        && (!query.framework_only || document.framework_score.is_some())
        && available
}

/// The distance to the nearest place the service works, or infinity if it lists none.
fn nearest(document: &ListingDocument, from: (f64, f64)) -> f64 {
    document.places.iter().map(|&place| distance_km(from, place)).fold(f64::INFINITY, f64::min)
}

fn facets(matches: &[Match]) -> Facets {
    let mut categories: BTreeMap<String, u64> = BTreeMap::new();
    let mut specialisms: BTreeMap<String, u64> = BTreeMap::new();
    let mut genders: BTreeMap<String, u64> = BTreeMap::new();
    let mut on_framework = 0;
    for m in matches {
        let document = &m.entry.document;
        *categories.entry(document.category.clone()).or_default() += 1;
        for specialism in &document.specialisms {
            *specialisms.entry(specialism.clone()).or_default() += 1;
        }
        *genders.entry(document.carer_gender.clone()).or_default() += 1;
        on_framework += u64::from(document.framework_score.is_some());
    }
    Facets {
        categories: categories.into_iter().collect(),
        specialisms: specialisms.into_iter().collect(),
        carer_genders: genders.into_iter().collect(),
        on_framework,
    }
}

/// Orders matches; every order ends with the listing id, so pages never overlap.
fn sort(matches: &mut [Match], sort: Sort) {
    let value = |m: &Match| (Reverse(m.entry.document.framework_score.unwrap_or(0)), Reverse(m.entry.document.quality));
    let id = |m: &Match| m.entry.document.listing_id;
    // Distances compare as whole metres so that they can be sorted as integers.
    let metres = |m: &Match| m.distance_km.map_or(u64::MAX, |km| if km.is_finite() { (km * 1_000.0) as u64 } else { u64::MAX });
    match sort {
        Sort::BestValue => matches.sort_by_key(|m| (m.relevance, value(m), m.entry.document.price_pence, id(m))),
        Sort::LowestPrice => matches.sort_by_key(|m| (m.entry.document.price_pence, m.relevance, value(m), id(m))),
        Sort::HighestQuality => matches.sort_by_key(|m| (Reverse(m.entry.document.quality), m.relevance, id(m))),
        Sort::Nearest => matches.sort_by_key(|m| (metres(m), m.relevance, value(m), id(m))),
    }
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
}

/// Collects the listing id of every match, in no particular order.
struct ListingIds;

impl Collector for ListingIds {
    type Fruit = Vec<u64>;
    type Child = SegmentListingIds;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentListingIds> {
        Ok(SegmentListingIds { ids_column: segment.fast_fields().u64("id")?, ids: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u64>>) -> tantivy::Result<Vec<u64>> {
        Ok(fruits.concat())
    }
}

struct SegmentListingIds {
    ids_column: Column<u64>,
    ids: Vec<u64>,
}

impl SegmentCollector for SegmentListingIds {
    type Fruit = Vec<u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(id) = self.ids_column.first(doc) {
            self.ids.push(id);
        }
    }

    fn harvest(self) -> Vec<u64> {
        self.ids
    }
}
