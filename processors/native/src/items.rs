//! The scans of `processors.entities.extract_entities` over a text's items (its letter-only words folded,
//! `"|"` where punctuation separates two), natively: where the name rules can start (a word of a set), and
//! where a listed name is written out (its words in a row; the longest from each position where one
//! starts, as `KnownNames._find`, the reference the tests hold this to). An item is read through `aliases`
//! first (`titles_after_and`: ووزير is read as وزير).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

use crate::chunks::Analysis;

/// A set of trigger words and a list of phrases, looked up in a text's items.
#[pyclass(frozen, module = "processors._textcore")]
pub struct ItemScanner {
    triggers: FxHashSet<Box<str>>,
    phrases: FxHashSet<Box<str>>,
    /// A phrase's first word -> the most words of a phrase starting with it.
    longest_from: FxHashMap<Box<str>, usize>,
    aliases: FxHashMap<Box<str>, Arc<str>>,
}

#[pymethods]
impl ItemScanner {
    /// `triggers`: the words to report the positions of; `phrases`: folded phrases (words joined by one
    /// space) of at most `max_words` words; `aliases`: an item -> the word it is read as.
    #[new]
    #[pyo3(signature = (triggers, phrases, *, aliases, max_words))]
    fn new(
        triggers: Vec<String>,
        phrases: Vec<String>,
        aliases: FxHashMap<String, String>,
        max_words: usize,
    ) -> PyResult<Self> {
        let mut longest_from: FxHashMap<Box<str>, usize> = FxHashMap::default();
        for phrase in &phrases {
            let words = phrase.split(' ').count();
            if words > max_words || phrase.split(' ').any(str::is_empty) {
                return Err(PyValueError::new_err(format!(
                    "phrase {phrase:?} is not 1 to {max_words} words joined by single spaces"
                )));
            }
            let first = phrase.split(' ').next().unwrap_or_default();
            let longest = longest_from.entry(first.into()).or_default();
            *longest = (*longest).max(words);
        }
        Ok(ItemScanner {
            triggers: triggers.into_iter().map(String::into_boxed_str).collect(),
            phrases: phrases.into_iter().map(String::into_boxed_str).collect(),
            longest_from,
            aliases: aliases
                .into_iter()
                .map(|(k, v)| (k.into_boxed_str(), Arc::from(v)))
                .collect(),
        })
    }

    /// (positions of the trigger words, `(start, words)` of the longest phrase starting at each position
    /// where one starts, both in order; whether an alias was read).
    #[allow(clippy::type_complexity)]
    fn scan(&self, analysis: &Analysis) -> (Vec<usize>, Vec<(usize, usize)>, bool) {
        let mut aliased = false;
        let items: Vec<&str> = analysis
            .item_norm_strs()
            .map(|item| match self.aliases.get(&**item) {
                Some(alias) => {
                    aliased = true;
                    &**alias
                }
                None => &**item,
            })
            .collect();
        let mut triggers = Vec::new();
        let mut found = Vec::new();
        let mut phrase = String::new();
        for (i, &item) in items.iter().enumerate() {
            if self.triggers.contains(item) {
                triggers.push(i);
            }
            let Some(&longest) = self.longest_from.get(item) else {
                continue;
            };
            for size in (1..=longest.min(items.len() - i)).rev() {
                phrase.clear();
                phrase.push_str(item);
                for next in &items[i + 1..i + size] {
                    phrase.push(' ');
                    phrase.push_str(next);
                }
                if self.phrases.contains(phrase.as_str()) {
                    found.push((i, size));
                    break;
                }
            }
        }
        (triggers, found, aliased)
    }
}
