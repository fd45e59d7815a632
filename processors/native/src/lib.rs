//! khabar's native text core (`processors._textcore`): the per-character and per-chunk loops of the
//! enrichment and dedupe stages, which cost too much in pure Python (docs/benchmarks.md, issue 4). The
//! Python modules stay the reference: they hand their tables over, and the tests check that both agree
//! on the corpus.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

mod chunks;
mod items;
mod key;
mod keywords;
mod lsh;
mod names;
mod normalize;
mod places;
mod sketch;
mod variants;

use normalize::{Normalizer as Core, Table};

/// A normaliser built from `processors.arabic`'s tables: format characters deleted before NFKC, and the
/// table applied after it (a value of "" deletes the character).
#[pyclass(frozen, module = "processors._textcore")]
struct Normalizer {
    core: Core,
}

fn table_of(entries: &Bound<'_, PyDict>) -> PyResult<Table> {
    let mut pairs = Vec::with_capacity(entries.len());
    for (key, value) in entries.iter() {
        let key: String = key.extract()?;
        let mut chars = key.chars();
        let (Some(ch), None) = (chars.next(), chars.next()) else {
            return Err(PyValueError::new_err(format!(
                "table key {key:?} is not one character"
            )));
        };
        pairs.push((ch, value.extract::<String>()?));
    }
    Ok(Table::new(pairs))
}

#[pymethods]
impl Normalizer {
    #[new]
    fn new(format_chars: &str, table: &Bound<'_, PyDict>) -> PyResult<Self> {
        let format = Table::new(format_chars.chars().map(|c| (c, String::new())));
        Ok(Normalizer {
            core: Core::new(format, table_of(table)?),
        })
    }

    /// The normalised text.
    fn normalize(&self, text: &str) -> String {
        self.core.normalize(text)
    }

    /// Every text normalised.
    fn normalize_many(&self, texts: Vec<String>) -> Vec<String> {
        texts.iter().map(|t| self.core.normalize(t)).collect()
    }
}

/// The dedupe fingerprint of bodies (processors/native/src/sketch.rs), with its word-hash cache.
#[pyclass(module = "processors._textcore")]
struct BodySketcher {
    normalizer: Py<Normalizer>,
    shingle_size: usize,
    k: usize,
    min_tokens: usize,
    cache: sketch::WordHashes,
}

#[pymethods]
impl BodySketcher {
    #[new]
    #[pyo3(signature = (normalizer, *, shingle_size, k, min_tokens, cache_size = 1 << 18))]
    fn new(
        normalizer: Py<Normalizer>,
        shingle_size: usize,
        k: usize,
        min_tokens: usize,
        cache_size: usize,
    ) -> PyResult<Self> {
        if shingle_size < 1 {
            return Err(PyValueError::new_err(format!(
                "shingle_size must be >= 1, got {shingle_size}"
            )));
        }
        Ok(BodySketcher {
            normalizer,
            shingle_size,
            k,
            min_tokens,
            cache: sketch::WordHashes::new(cache_size),
        })
    }

    /// `(text_hash, sketch)` of a body: "" and b"" under `min_tokens` words (Arabic words for the sketch).
    fn fingerprint<'py>(&mut self, py: Python<'py>, body: &str) -> (String, Bound<'py, PyBytes>) {
        let normalizer = &self.normalizer.get().core;
        let (text_hash, signature) = sketch::fingerprint(
            normalizer,
            &mut self.cache,
            body,
            self.shingle_size,
            self.k,
            self.min_tokens,
        );
        (text_hash, PyBytes::new(py, &signature))
    }
}

/// The letters of `text` (Python's `"".join(filter(str.isalpha, text))`), for the language detector's
/// script test.
#[pyfunction]
fn letters(text: &str) -> String {
    text.chars().filter(|&c| sketch::is_letter(c)).collect()
}

/// `text`'s words (split at Python's whitespace) joined by one space: `" ".join(text.split())`, without a
/// Python string per word.
#[pyfunction]
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(normalize::is_py_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[pymodule]
fn _textcore(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Normalizer>()?;
    m.add_class::<BodySketcher>()?;
    m.add_class::<chunks::ChunkTable>()?;
    m.add_class::<chunks::Analysis>()?;
    m.add_function(wrap_pyfunction!(keywords::top_keywords, m)?)?;
    m.add_function(wrap_pyfunction!(letters, m)?)?;
    m.add_function(wrap_pyfunction!(collapse_whitespace, m)?)?;
    m.add_class::<lsh::Permutations>()?;
    m.add_class::<lsh::BandIndex>()?;
    m.add_class::<places::PlaceMatcher>()?;
    m.add_class::<items::ItemScanner>()?;
    m.add_class::<names::NameRules>()?;
    m.add_function(wrap_pyfunction!(variants::group_variants, m)?)?;
    Ok(())
}
