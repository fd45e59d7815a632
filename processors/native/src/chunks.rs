//! The chunk table behind `processors.analyzed_text.AnalyzedText`: each distinct whitespace chunk of text
//! (a word with its punctuation, `«الأسد»،`) is analysed once and kept, and each distinct word inside it
//! too; an article is then one pass over its text, one lookup per chunk (no Python string is made for a
//! chunk seen before), and one pass per field that lays the chunks' analyses end to end into the lists the
//! enrichment modules read.
//!
//! What a word is and what it carries is `processors.analyzed_text.analyse_word`, the reference the tests
//! hold this to:
//!
//! * a word is a maximal run of letters, digits (Python's `[^\W_]`), tashkeel and tatweel that starts with
//!   a letter or digit (the Python pattern `[^\W_]+(?:[\u064b-\u065f\u0670\u0640]+[^\W_]*)*`);
//! * its normal form is the normaliser's; folded, teh marbuta becomes heh; its matching tokens are the
//!   `[^\W_]+` runs of the folded form, each with a fathatan when the word carries tanween;
//! * its keyword term comes from the Python function handed over (`terms_of`: normal forms to terms or
//!   None), called once per batch of new words, so that the keyword policy (stop words, Snowball) has one
//!   home; its display form is the word without tashkeel and tatweel;
//! * it is alphabetic when its folded form is letters only (Python's `str.isalpha`).
//!
//! A chunk made only of Arabic letters, marks, digits, ASCII punctuation and the common Arabic and
//! typographic punctuation counts its words' tokens; any other chunk counts the `[^\W_]+` runs of its normal
//! form (`len(tokenize(chunk))`), as NFKC may split or join its words.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};
use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

use crate::key::Key;
use crate::normalize::is_py_space;
use crate::sketch::{is_letter, is_word_char, runs};
use crate::Normalizer;

const WORDS: usize = 0;
const TERMS: usize = 1;
const KEYWORDS: usize = 2;
const MATCH_TOKENS: usize = 3;
const ITEM_TEXTS: usize = 4;
const ITEM_NORMS: usize = 5;
const FIELDS: usize = 6;
/// What `item_norms` holds where punctuation separates two words (`analyzed_text.BREAK.folded`).
const BREAK_NORM: &str = "|";

/// Tashkeel (fathatan to sukun and the Quranic marks after it), superscript alef and tatweel.
#[inline]
fn is_mark(ch: char) -> bool {
    matches!(ch, '\u{064b}'..='\u{065f}' | '\u{0670}' | '\u{0640}')
}

#[inline]
fn is_tanween(ch: char) -> bool {
    matches!(ch, '\u{064b}'..='\u{064d}')
}

/// The characters of a chunk whose words are exactly its tokens (see the module docs).
#[inline]
fn is_plain(ch: char) -> bool {
    matches!(ch,
        '\u{0621}'..='\u{063a}' | '\u{0641}'..='\u{065f}' | '\u{0660}'..='\u{0669}' | '\u{0670}' | '\u{0640}'
        | '\u{0021}'..='\u{007e}' | '،' | '؛' | '؟' | '«' | '»' | '“' | '”' | '‘' | '’' | '–' | '—' | '…'
        | '٪' | '٫' | '٬')
}

/// The words of a chunk, each with whether something other than a word precedes it, and whether
/// something follows the last word.
fn split(chunk: &str) -> (Vec<(&str, bool)>, bool) {
    let mut words = Vec::new();
    let (mut end, mut start) = (0, None);
    for (i, ch) in chunk.char_indices() {
        match start {
            Some(s) if !(is_word_char(ch) || is_mark(ch)) => {
                words.push((&chunk[s..i], s > end));
                end = i;
                start = None;
            }
            None if is_word_char(ch) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((&chunk[s..], s > end));
        end = chunk.len();
    }
    (words, end < chunk.len())
}

struct Word {
    text: Py<PyAny>,
    folded: Py<PyAny>,
    tokens: Box<[Py<PyAny>]>,
    /// `tokens` and `folded` as Rust strings, for the native consumers (places.rs, items.rs).
    token_strs: Box<[Arc<str>]>,
    folded_str: Arc<str>,
    term: Option<Py<PyAny>>,
    keyword: Option<Py<PyAny>>,
    alphabetic: bool,
}

/// One chunk's fields (see the getters of `Analysis`) and its token count.
struct Entry {
    fields: [Box<[Py<PyAny>]>; FIELDS],
    /// The `MATCH_TOKENS` and `ITEM_NORMS` fields as Rust strings.
    match_strs: Box<[Arc<str>]>,
    item_norm_strs: Box<[Arc<str>]>,
    token_count: usize,
}

/// A text's chunk analyses in order (shared with the table, so that emptying it changes nothing here).
#[pyclass(frozen, module = "processors._textcore")]
pub struct Analysis {
    entries: Vec<Arc<Entry>>,
}

impl Analysis {
    /// The matching tokens of every word, in order (the `match_tokens` getter's strings), each shared
    /// with the table's word (one allocation per distinct token, whose address stays while it is held).
    pub(crate) fn match_strs(&self) -> impl Iterator<Item = &Arc<str>> {
        self.entries.iter().flat_map(|e| e.match_strs.iter())
    }

    /// The items as written, in order (the `item_texts` getter's strings: "" for a break).
    pub(crate) fn item_text_objs(&self) -> impl Iterator<Item = &Py<PyAny>> {
        self.entries
            .iter()
            .flat_map(|e| e.fields[ITEM_TEXTS].iter())
    }

    /// The items folded, in order (the `item_norms` getter's strings).
    pub(crate) fn item_norm_strs(&self) -> impl Iterator<Item = &Arc<str>> {
        self.entries.iter().flat_map(|e| e.item_norm_strs.iter())
    }

    fn flat<'py>(&self, py: Python<'py>, field: usize) -> PyResult<Bound<'py, PyList>> {
        let size = self.entries.iter().map(|e| e.fields[field].len()).sum();
        let mut items: Vec<&Bound<'py, PyAny>> = Vec::with_capacity(size);
        for entry in &self.entries {
            items.extend(entry.fields[field].iter().map(|item| item.bind(py)));
        }
        PyList::new(py, items)
    }
}

#[pymethods]
impl Analysis {
    /// ``len(tokenize(text))``: the chunks' token counts added up.
    #[getter]
    fn token_count(&self) -> usize {
        self.entries.iter().map(|e| e.token_count).sum()
    }

    /// Every word as written, in order.
    #[getter]
    fn words<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.flat(py, WORDS)
    }

    /// The keyword terms of the words that have one.
    #[getter]
    fn terms<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.flat(py, TERMS)
    }

    /// ``(term, display form)`` of the words that have a term (parallel to `terms`).
    #[getter]
    fn keywords<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.flat(py, KEYWORDS)
    }

    /// The folded matching tokens of every word.
    #[getter]
    fn match_tokens<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.flat(py, MATCH_TOKENS)
    }

    /// The letter-only words as written, with "" where punctuation separates two words.
    #[getter]
    fn item_texts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.flat(py, ITEM_TEXTS)
    }

    /// The letter-only words folded, with "|" where punctuation separates two words.
    #[getter]
    fn item_norms<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.flat(py, ITEM_NORMS)
    }

    /// The analysis of the two texts joined by whitespace.
    fn __add__(&self, other: &Analysis) -> Analysis {
        Analysis {
            entries: self.entries.iter().chain(&other.entries).cloned().collect(),
        }
    }
}

/// Chunk -> its analysis, and word -> its analysis; each emptied when it holds more than `capacity`
/// items, before a text is looked up (caches, not state: losing them costs only time).
#[pyclass(module = "processors._textcore")]
pub struct ChunkTable {
    normalizer: Py<Normalizer>,
    terms_of: Py<PyAny>,
    /// The keyword stop words, when the terms of words of Arabic letters only are made here (see
    /// `native_term`); None: every term comes from `terms_of`.
    keyword_stop: Option<FxHashSet<Key>>,
    stemmer: Stemmer,
    capacity: usize,
    /// Chunk -> its position in `entries`.
    index: FxHashMap<Key, usize>,
    entries: Vec<Arc<Entry>>,
    words: FxHashMap<Key, Word>,
    /// One string object per distinct term, shared by the words of one stem.
    interned: FxHashMap<Key, Py<PyAny>>,
    empty: Py<PyAny>,
    bar: Py<PyAny>,
    bar_str: Arc<str>,
}

impl ChunkTable {
    /// Analyse the distinct words of `texts` not in the table yet, in one batch.
    fn add_words(&mut self, py: Python<'_>, texts: Vec<&str>) -> PyResult<()> {
        let normalizer = &self.normalizer.get().core;
        let norms: Vec<String> = texts.iter().map(|t| normalizer.normalize(t)).collect();
        // The terms made here (Some) and the words left to terms_of (None), whose terms fill in after.
        let mut terms: Vec<Option<Option<String>>> =
            norms.iter().map(|n| self.native_term(n)).collect();
        let asked: Vec<&String> = norms
            .iter()
            .zip(&terms)
            .filter(|(_, t)| t.is_none())
            .map(|(n, _)| n)
            .collect();
        let mut answers: Vec<Option<Bound<'_, PyString>>> = Vec::new();
        if !asked.is_empty() {
            answers = self.terms_of.bind(py).call1((asked.clone(),))?.extract()?;
            if answers.len() != asked.len() {
                return Err(PyValueError::new_err(format!(
                    "terms_of returned {} terms for {} words",
                    answers.len(),
                    asked.len()
                )));
            }
        }
        let mut answers = answers.into_iter();
        for term in terms.iter_mut().filter(|t| t.is_none()) {
            let answer = answers.next().expect("one answer per word asked");
            *term = Some(answer.map(|a| a.to_str().map(str::to_owned)).transpose()?);
        }
        let terms: Vec<Option<Py<PyAny>>> = terms
            .into_iter()
            .map(|term| term.flatten().map(|term| self.shared_term(py, &term)))
            .collect();
        for ((text, norm), term) in texts.into_iter().zip(norms).zip(terms) {
            let folded = norm.replace('ة', "ه");
            let tanween = text.chars().any(is_tanween);
            let token_strs: Box<[Arc<str>]> = runs(&folded, is_word_char)
                .map(|token| {
                    if tanween {
                        Arc::from(format!("{token}\u{064b}"))
                    } else {
                        Arc::from(token)
                    }
                })
                .collect();
            let tokens = token_strs
                .iter()
                .map(|token| PyString::new(py, token).into_any().unbind())
                .collect();
            let keyword = match &term {
                None => None,
                Some(term) => {
                    let display: String = text.chars().filter(|&c| !is_mark(c)).collect();
                    let pair =
                        PyTuple::new(py, [term.bind(py), PyString::new(py, &display).as_any()])?;
                    Some(pair.into_any().unbind())
                }
            };
            let word = Word {
                text: PyString::new(py, text).into_any().unbind(),
                alphabetic: !folded.is_empty() && folded.chars().all(is_letter),
                folded: PyString::new(py, &folded).into_any().unbind(),
                folded_str: Arc::from(folded.as_str()),
                tokens,
                token_strs,
                term,
                keyword,
            };
            self.words.insert(Key::new(text), word);
        }
        Ok(())
    }

    /// `analyzed_text.terms_of` of one normal form, for a word of Arabic letters only (None: ask
    /// `terms_of`): no term for a word under two letters or a stop word; وال/فال lose their و/ف first
    /// (and the rest is checked again); the Snowball Arabic stem (rust-stemmers, the same algorithm as
    /// PyStemmer on such words: tested), normalised; no term for a stem under two letters.
    fn native_term(&self, norm: &str) -> Option<Option<String>> {
        let stop = self.keyword_stop.as_ref()?;
        if !norm
            .chars()
            .all(|c| ('\u{0621}'..='\u{064a}').contains(&c) && c != '\u{0640}')
        {
            return None;
        }
        let is_stop = |word: &str| stop.contains(word.as_bytes());
        let mut input = norm;
        if input.chars().count() < 2 || is_stop(input) {
            return Some(None);
        }
        if (input.starts_with("وال") || input.starts_with("فال")) && input.chars().count() > 4
        {
            input = &input['و'.len_utf8()..];
            if is_stop(input) {
                return Some(None);
            }
        }
        let stem = self
            .normalizer
            .get()
            .core
            .normalize(&self.stemmer.stem(input));
        Some((stem.chars().count() >= 2).then_some(stem))
    }

    /// One string object per distinct term, interned as `sys.intern` does (so a term made here and one
    /// made by `terms_of` are the same object).
    fn shared_term(&mut self, py: Python<'_>, term: &str) -> Py<PyAny> {
        if let Some(shared) = self.interned.get(term.as_bytes()) {
            return shared.clone_ref(py);
        }
        let shared = PyString::intern(py, term).into_any().unbind();
        self.interned.insert(Key::new(term), shared.clone_ref(py));
        shared
    }

    /// The entry of one chunk whose words are all in the table.
    fn entry_of(&self, py: Python<'_>, chunk: &str) -> Entry {
        let (words, trailing) = split(chunk);
        let mut fields: [Vec<Py<PyAny>>; FIELDS] = Default::default();
        let mut match_strs = Vec::new();
        let mut item_norm_strs = Vec::new();
        let mut tokens = 0;
        for (text, after_break) in words {
            let word = &self.words[text.as_bytes()];
            fields[WORDS].push(word.text.clone_ref(py));
            if let (Some(term), Some(keyword)) = (&word.term, &word.keyword) {
                fields[TERMS].push(term.clone_ref(py));
                fields[KEYWORDS].push(keyword.clone_ref(py));
            }
            fields[MATCH_TOKENS].extend(word.tokens.iter().map(|t| t.clone_ref(py)));
            match_strs.extend(word.token_strs.iter().cloned());
            tokens += word.tokens.len();
            if after_break {
                fields[ITEM_TEXTS].push(self.empty.clone_ref(py));
                fields[ITEM_NORMS].push(self.bar.clone_ref(py));
                item_norm_strs.push(Arc::clone(&self.bar_str));
            }
            if word.alphabetic {
                fields[ITEM_TEXTS].push(word.text.clone_ref(py));
                fields[ITEM_NORMS].push(word.folded.clone_ref(py));
                item_norm_strs.push(Arc::clone(&word.folded_str));
            }
        }
        if trailing {
            fields[ITEM_TEXTS].push(self.empty.clone_ref(py));
            fields[ITEM_NORMS].push(self.bar.clone_ref(py));
            item_norm_strs.push(Arc::clone(&self.bar_str));
        }
        if !chunk.chars().all(is_plain) {
            let norm = self.normalizer.get().core.normalize(chunk);
            tokens = runs(&norm, is_word_char).count();
        }
        Entry {
            fields: fields.map(Vec::into_boxed_slice),
            match_strs: match_strs.into_boxed_slice(),
            item_norm_strs: item_norm_strs.into_boxed_slice(),
            token_count: tokens,
        }
    }

    /// Analyse the new chunks (their new words first, in one batch) and append their entries.
    fn add_chunks(&mut self, py: Python<'_>, chunks: &[&str]) -> PyResult<()> {
        let mut seen = rustc_hash::FxHashSet::default();
        let new: Vec<&str> = chunks
            .iter()
            .flat_map(|chunk| split(chunk).0)
            .map(|(text, _)| text)
            .filter(|text| !self.words.contains_key(text.as_bytes()) && seen.insert(*text))
            .collect();
        if !new.is_empty() {
            self.add_words(py, new)?;
        }
        for chunk in chunks {
            let entry = self.entry_of(py, chunk);
            self.entries.push(Arc::new(entry));
        }
        Ok(())
    }

    fn clear_all(&mut self) {
        self.index.clear();
        self.entries.clear();
        self.words.clear();
        self.interned.clear();
    }
}

#[pymethods]
impl ChunkTable {
    #[new]
    #[pyo3(signature = (normalizer, terms_of, *, capacity, keyword_stop=None))]
    fn new(
        py: Python<'_>,
        normalizer: Py<Normalizer>,
        terms_of: Py<PyAny>,
        capacity: usize,
        keyword_stop: Option<Vec<String>>,
    ) -> Self {
        ChunkTable {
            normalizer,
            terms_of,
            keyword_stop: keyword_stop.map(|words| words.iter().map(|w| Key::new(w)).collect()),
            stemmer: Stemmer::create(Algorithm::Arabic),
            capacity,
            index: FxHashMap::default(),
            entries: Vec::new(),
            words: FxHashMap::default(),
            interned: FxHashMap::default(),
            empty: PyString::new(py, "").into_any().unbind(),
            bar: PyString::new(py, BREAK_NORM).into_any().unbind(),
            bar_str: Arc::from(BREAK_NORM),
        }
    }

    /// The number of chunks held.
    fn __len__(&self) -> usize {
        self.entries.len()
    }

    /// Empty the table (for benchmarks and tests).
    fn clear(&mut self) {
        self.clear_all();
    }

    /// The analysis of `text`, split at whitespace (Python's `str.split()`).
    fn analyse(&mut self, py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Analysis> {
        if self.entries.len() > self.capacity {
            self.index.clear();
            self.entries.clear();
        }
        if self.words.len() > self.capacity {
            self.words.clear();
            self.interned.clear();
        }
        let text = text.to_str()?;
        let mut ids = Vec::new();
        let mut missing: Vec<&str> = Vec::new();
        for chunk in text.split(is_py_space).filter(|c| !c.is_empty()) {
            let id = match self.index.get(chunk.as_bytes()) {
                Some(&id) => id,
                None => {
                    let id = self.entries.len() + missing.len();
                    self.index.insert(Key::new(chunk), id);
                    missing.push(chunk);
                    id
                }
            };
            ids.push(id);
        }
        if !missing.is_empty() {
            let before = self.entries.len();
            if let Err(err) = self.add_chunks(py, &missing) {
                // Nothing of a failed batch stays: neither its entries nor its chunks in the index.
                self.entries.truncate(before);
                for chunk in &missing {
                    self.index.remove(chunk.as_bytes());
                }
                return Err(err);
            }
        }
        Ok(Analysis {
            entries: ids
                .iter()
                .map(|&id| Arc::clone(&self.entries[id]))
                .collect(),
        })
    }
}
