//! The gazetteer's scan of a text, natively: `processors.gazetteer.Gazetteer._reference_mentions` (the
//! reference the tests hold this to) over an `Analysis`'s matching tokens, without making a Python string
//! of a token.
//!
//! At each position, the token's readings that start a gazetteer key (the token itself, without و/ف, then
//! without ب/ل/ك, then without the article; a reading without the article only for a country) each take
//! the longest key that the next tokens complete. A key that needs a place word before it (`needs_context`)
//! is skipped without one; a construct name (حماة) followed by a definite word or له/لها/لهم is skipped
//! without one too. The first reading that matches is the mention and the scan goes on after it; a
//! second one-word reading naming other places is its other reading (وجدة: Oujda, or و + جدة: Jeddah).
//!
//! Python keeps what needs the places themselves (weak names, the countries a text names, the choice
//! between namesakes): a mention is handed back as key ids, which index the gazetteer's list of keys.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

use crate::chunks::Analysis;

/// A token's readings that start a key.
type Readings = Box<[Box<str>]>;

/// Key flags (see `PlaceMatcher::new`).
const NEEDS_CONTEXT: u8 = 1;
const CONSTRUCT: u8 = 2;

/// `processors.gazetteer._strip_clitics`: the token and its readings without leading clitics (و/ف, then
/// ب/ل/ك, then ال), longest first, each once.
pub fn strip_clitics(token: &str) -> Vec<String> {
    let chars = |s: &str| s.chars().count();
    let first = |s: &str| s.chars().next();
    let mut stems: Vec<String> = vec![token.to_owned()];
    if let Some(lead @ ('و' | 'ف')) = first(token) {
        if chars(token) > 3 {
            stems.push(token[lead.len_utf8()..].to_owned());
        }
    }
    for t in stems.clone() {
        if chars(&t) > 3 && matches!(first(&t), Some('ب' | 'ل' | 'ك')) {
            let lead = first(&t).expect("a token of more than three characters");
            let rest = &t[lead.len_utf8()..];
            if lead == 'ل' && rest.starts_with('ل') {
                // ل + ال contracts to لل: للعراق = ل + العراق; before a lam, للاذقية = ل + اللاذقية.
                stems.push(format!("ا{rest}"));
                stems.push(format!("ال{rest}"));
            } else {
                stems.push(rest.to_owned());
            }
        }
    }
    let mut out = stems;
    for t in out.clone() {
        if t.starts_with("ال") && chars(&t) > 4 {
            out.push(t["ال".len()..].to_owned());
        }
    }
    let mut seen = FxHashSet::default();
    out.retain(|t| seen.insert(t.clone()));
    out
}

fn set_of(words: Vec<String>) -> FxHashSet<Box<str>> {
    words.into_iter().map(String::into_boxed_str).collect()
}

/// The gazetteer's keys and word lists, and a cache of each token's readings that start a key.
#[pyclass(module = "processors._textcore")]
pub struct PlaceMatcher {
    /// Key -> its id (its position in the list handed over).
    ids: FxHashMap<Box<str>, u32>,
    /// Key id -> the id of its list of places (keys with the same places share one).
    groups: Vec<u32>,
    flags: Vec<u8>,
    /// First word of a key -> the most words a key starting with it has.
    longest_from: FxHashMap<Box<str>, usize>,
    bare_ok: FxHashSet<Box<str>>,
    place_words: FxHashSet<Box<str>>,
    construct_followers: FxHashSet<Box<str>>,
    stop_keys: FxHashSet<Box<str>>,
    /// Token -> its readings that start a key, by the address of the token's shared string (no hashing or
    /// comparing of text); the entry holds the string, so the address cannot be reused while it is there.
    starts: FxHashMap<usize, (Arc<str>, Readings)>,
    capacity: usize,
}

impl PlaceMatcher {
    /// The readings of `token` that start a key (`Gazetteer._starts_of`).
    fn starts_of(&self, token: &str) -> Readings {
        let readings = strip_clitics(token);
        readings
            .iter()
            .filter(|t| {
                self.longest_from.contains_key(t.as_str())
                    && (!readings.contains(&format!("ال{t}")) || self.bare_ok.contains(t.as_str()))
            })
            .map(|t| t.as_str().into())
            .collect()
    }

    /// Whether a place word (not with the article) stands before position `i`.
    fn after_place_word(&self, tokens: &[&str], i: usize) -> bool {
        if i == 0 {
            return false;
        }
        let readings = strip_clitics(tokens[i - 1]);
        readings
            .iter()
            .any(|t| self.place_words.contains(t.as_str()) && !readings.contains(&format!("ال{t}")))
    }

    /// Whether the word at `after` makes the name before it a noun in construct.
    fn in_construct(&self, tokens: &[&str], after: usize) -> bool {
        let Some(&word) = tokens.get(after) else {
            return false;
        };
        self.construct_followers.contains(word)
            || (word.starts_with("ال")
                && word.chars().count() > 3
                && !self.stop_keys.contains(word))
    }

    /// The longest key starting with `first` at `i`, completed by the next tokens: (key id, words).
    fn longest_at(
        &self,
        tokens: &[&str],
        i: usize,
        first: &str,
        key: &mut String,
    ) -> Option<(u32, usize)> {
        let longest = self.longest_from[first].min(tokens.len() - i);
        for length in (1..=longest).rev() {
            key.clear();
            key.push_str(first);
            for token in &tokens[i + 1..i + length] {
                key.push(' ');
                key.push_str(token);
            }
            if let Some(&id) = self.ids.get(key.as_str()) {
                return Some((id, length));
            }
        }
        None
    }
}

#[pymethods]
impl PlaceMatcher {
    /// `keys` in id order, each with the id of its list of places (`groups`) and its flags (1: needs a place
    /// word before it, 2: a construct name); `longest_from`: a key's first word -> the most words of a key
    /// starting with it; `bare_ok`: keys readable without the article; the place words, the words after
    /// which a construct name is a noun, and the stop words; `capacity`: readings cached before emptying.
    #[new]
    #[pyo3(signature = (
        keys, groups, flags, longest_from, *, bare_ok, place_words, construct_followers, stop_keys, capacity
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        keys: Vec<String>,
        groups: Vec<u32>,
        flags: Vec<u8>,
        longest_from: FxHashMap<String, usize>,
        bare_ok: Vec<String>,
        place_words: Vec<String>,
        construct_followers: Vec<String>,
        stop_keys: Vec<String>,
        capacity: usize,
    ) -> PyResult<Self> {
        if groups.len() != keys.len() || flags.len() != keys.len() {
            return Err(PyValueError::new_err(format!(
                "{} keys need as many groups and flags, got {} and {}",
                keys.len(),
                groups.len(),
                flags.len()
            )));
        }
        let mut ids = FxHashMap::default();
        for (id, key) in keys.into_iter().enumerate() {
            let first = key.split(' ').next().unwrap_or_default();
            if !longest_from.contains_key(first) {
                return Err(PyValueError::new_err(format!(
                    "key {key:?}: its first word {first:?} is not in longest_from"
                )));
            }
            ids.insert(key.into_boxed_str(), id as u32);
        }
        Ok(PlaceMatcher {
            ids,
            groups,
            flags,
            longest_from: longest_from
                .into_iter()
                .map(|(k, v)| (k.into_boxed_str(), v))
                .collect(),
            bare_ok: set_of(bare_ok),
            place_words: set_of(place_words),
            construct_followers: set_of(construct_followers),
            stop_keys: set_of(stop_keys),
            starts: FxHashMap::default(),
            capacity,
        })
    }

    /// The readings of a token that start a key (`Gazetteer._starts_of`; for the tests).
    fn readings(&self, token: &str) -> Vec<String> {
        self.starts_of(token)
            .iter()
            .map(|t| t.to_string())
            .collect()
    }

    /// The mentions of the analysed text in order: (key id, a place word before it, the key id of its
    /// other reading or -1, a place word before that).
    fn mentions(&mut self, analysis: &Analysis) -> Vec<(u32, bool, i64, bool)> {
        if self.starts.len() > self.capacity {
            self.starts.clear();
        }
        let mut tokens: Vec<&str> = Vec::new();
        // The positions of the tokens that start a key (most start none: one lookup each, not two).
        let mut starts: Vec<(usize, usize)> = Vec::new();
        for token in analysis.match_strs() {
            let address = Arc::as_ptr(token) as *const u8 as usize;
            let starts_a_key = match self.starts.get(&address) {
                Some((_, readings)) => !readings.is_empty(),
                None => {
                    let readings = self.starts_of(token);
                    let any = !readings.is_empty();
                    self.starts.insert(address, (Arc::clone(token), readings));
                    any
                }
            };
            if starts_a_key {
                starts.push((tokens.len(), address));
            }
            tokens.push(token);
        }
        let mut found = Vec::new();
        let mut key = String::new();
        let mut free = 0;
        for (i, address) in starts {
            if i < free {
                continue;
            }
            let readings = &self.starts[&address].1;
            let mut mention: Option<(u32, bool, i64, bool)> = None;
            for first in readings.iter() {
                let Some((id, length)) = self.longest_at(&tokens, i, first, &mut key) else {
                    continue;
                };
                let in_context = self.after_place_word(&tokens, i);
                let flags = self.flags[id as usize];
                if flags & NEEDS_CONTEXT != 0 && !in_context {
                    continue;
                }
                if flags & CONSTRUCT != 0 && !in_context && self.in_construct(&tokens, i + length) {
                    continue;
                }
                match mention {
                    None => {
                        mention = Some((id, in_context, -1, false));
                        free = i + length;
                    }
                    Some((first_id, first_context, _, _)) => {
                        if length == 1 && self.groups[id as usize] != self.groups[first_id as usize]
                        {
                            mention = Some((first_id, first_context, i64::from(id), in_context));
                            break;
                        }
                    }
                }
            }
            found.extend(mention);
        }
        found
    }
}
