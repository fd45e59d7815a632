//! The TF-IDF top terms of an article with their most frequent surface forms (`top_keywords` of
//! `processors.keywords`), natively: the loop that runs for every distinct term of every article. The
//! term counting stays in Python, where `Counter.update` on the chunk table's interned terms is as fast as
//! it gets (measured: a native term table keyed by text was no faster, docs/benchmarks.md); the surface
//! forms are counted here, for the chosen terms only.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use rustc_hash::{FxHashMap, FxHashSet};
use std::cmp::Ordering;

/// The `k` terms of `tfs` (term -> weighted count) with the highest TF-IDF, `(1 + ln tf) * idf` with
/// `idf = ln((1 + documents) / (1 + df)) + 1` and df from `totals`, each as its most frequent surface form
/// in `keywords` (lists of `(term, form)` occurrences, each list with its weight; only the chosen terms'
/// forms are counted). Ties go to the smaller term, and to the smaller form (code-point order); a form
/// chosen twice is given once. Terms counted zero or below are left out.
#[pyfunction]
pub fn top_keywords<'py>(
    py: Python<'py>,
    tfs: &Bound<'py, PyDict>,
    keywords: Vec<(Bound<'py, PyList>, i64)>,
    totals: &Bound<'py, PyDict>,
    documents: i64,
    k: usize,
) -> PyResult<Bound<'py, PyList>> {
    let docs = (1 + documents) as f64;
    let mut scored: Vec<(f64, Bound<'py, PyString>)> = Vec::with_capacity(tfs.len());
    for (term, tf) in tfs.iter() {
        let tf: i64 = tf.extract()?;
        if tf <= 0 {
            continue;
        }
        let term = term.cast_into::<PyString>().map_err(PyErr::from)?;
        let df: i64 = match totals.get_item(&term)? {
            Some(df) => df.extract()?,
            None => 0,
        };
        let idf = (docs / (1 + df) as f64).ln() + 1.0;
        scored.push((-(1.0 + (tf as f64).ln()) * idf, term));
    }
    let by_score = |a: &(f64, Bound<'py, PyString>), b: &(f64, Bound<'py, PyString>)| {
        a.0.partial_cmp(&b.0)
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.1.to_str().unwrap_or("").cmp(b.1.to_str().unwrap_or("")))
    };
    if scored.len() > k && k > 0 {
        scored.select_nth_unstable_by(k - 1, by_score);
        scored.truncate(k);
    }
    scored.sort_unstable_by(by_score);
    scored.truncate(k);
    let chosen: FxHashSet<&str> = scored
        .iter()
        .map(|(_, t)| t.to_str())
        .collect::<PyResult<_>>()?;
    // The chosen terms' forms, added up over the lists: form -> (count, the form's string).
    let mut forms: FxHashMap<(String, String), (i64, Bound<'py, PyString>)> = FxHashMap::default();
    for (list, weight) in &keywords {
        for key in list.iter() {
            let key = key.cast_into::<PyTuple>().map_err(PyErr::from)?;
            let term = key.get_item(0)?;
            let term = term.cast::<PyString>()?.to_str()?;
            if !chosen.contains(term) {
                continue;
            }
            let surface = key
                .get_item(1)?
                .cast_into::<PyString>()
                .map_err(PyErr::from)?;
            let slot = forms
                .entry((term.to_owned(), surface.to_str()?.to_owned()))
                .or_insert((0, surface));
            slot.0 += weight;
        }
    }
    let mut best: FxHashMap<&str, (i64, &str, &Bound<'py, PyString>)> = FxHashMap::default();
    for ((term, surface), (n, form)) in &forms {
        let better = match best.get(term.as_str()) {
            None => true,
            Some(&(m, other, _)) => *n > m || (*n == m && surface.as_str() < other),
        };
        if better {
            best.insert(term, (*n, surface, form));
        }
    }
    let mut out: Vec<Bound<'py, PyString>> = Vec::with_capacity(scored.len());
    let mut given: FxHashSet<&str> = FxHashSet::default();
    for (_, term) in &scored {
        let Some(&(_, surface, form)) = best.get(term.to_str()?) else {
            return Err(PyValueError::new_err(format!(
                "term {:?} has no surface form",
                term.to_str()?
            )));
        };
        if given.insert(surface) {
            out.push(form.clone());
        }
    }
    PyList::new(py, out)
}
