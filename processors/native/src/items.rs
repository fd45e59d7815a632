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
    phrases: FxHashSet<Box<str>>,
    /// Every word that is a trigger, starts a phrase or has an alias -> what it is (one lookup per item:
    /// most items are none of them).
    words: FxHashMap<Box<str>, Role>,
}

/// What a word is to the scan.
#[derive(Default)]
struct Role {
    trigger: bool,
    /// The most words of a phrase starting with this word (0: none starts with it).
    longest: usize,
    /// The word this one is read as, and that word's role.
    alias: Option<(Arc<str>, bool, usize)>,
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
        let triggers: FxHashSet<Box<str>> =
            triggers.into_iter().map(String::into_boxed_str).collect();
        let role_of = |word: &str| {
            (
                triggers.contains(word),
                longest_from.get(word).copied().unwrap_or(0),
            )
        };
        let mut words: FxHashMap<Box<str>, Role> = FxHashMap::default();
        for word in triggers.iter().chain(longest_from.keys()) {
            let (trigger, longest) = role_of(word);
            words.insert(
                word.clone(),
                Role {
                    trigger,
                    longest,
                    alias: None,
                },
            );
        }
        for (word, alias) in aliases {
            let (trigger, longest) = role_of(&alias);
            words.entry(word.into_boxed_str()).or_default().alias =
                Some((Arc::from(alias), trigger, longest));
        }
        Ok(ItemScanner {
            phrases: phrases.into_iter().map(String::into_boxed_str).collect(),
            words,
        })
    }

    /// (positions of the trigger words, `(start, words)` of the longest phrase starting at each position
    /// where one starts, both in order; whether an alias was read).
    #[allow(clippy::type_complexity)]
    fn scan(&self, analysis: &Analysis) -> (Vec<usize>, Vec<(usize, usize)>, bool) {
        let reading = self.read(analysis);
        (reading.triggers, reading.phrases, reading.aliased)
    }
}

/// What `ItemScanner::read` finds in a text's items.
pub(crate) struct Reading<'a> {
    /// Each item as read (through its alias).
    pub items: Vec<&'a str>,
    pub triggers: Vec<usize>,
    /// `(start, words)` of the longest phrase starting at each position where one starts.
    pub phrases: Vec<(usize, usize)>,
    pub aliased: bool,
}

impl ItemScanner {
    /// The scan of `analysis`'s items, with the items as read.
    pub(crate) fn read<'a>(&'a self, analysis: &'a Analysis) -> Reading<'a> {
        let mut aliased = false;
        // Each item as read (through its alias), with the most words of a phrase starting there.
        let mut items: Vec<&str> = Vec::new();
        let mut triggers = Vec::new();
        let mut starts = Vec::new();
        for (i, item) in analysis.item_norm_strs().enumerate() {
            let (read, trigger, longest) = match self.words.get(&**item) {
                None => (&**item, false, 0),
                Some(Role {
                    alias: Some((alias, trigger, longest)),
                    ..
                }) => {
                    aliased = true;
                    (&**alias, *trigger, *longest)
                }
                Some(role) => (&**item, role.trigger, role.longest),
            };
            items.push(read);
            if trigger {
                triggers.push(i);
            }
            if longest > 0 {
                starts.push((i, longest));
            }
        }
        let mut found = Vec::new();
        let mut phrase = String::new();
        for (i, longest) in starts {
            let item = items[i];
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
        Reading {
            items,
            triggers,
            phrases: found,
            aliased,
        }
    }
}
