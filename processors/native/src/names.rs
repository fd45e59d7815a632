//! The name rules of `processors.name_rules` over a text's items, natively: where an organisation's or a
//! person's name starts and ends at each position where a rule can start. The Python functions
//! (`organisation_at`, `person_at`, `chain_at` and their helpers) are the definition; each function here
//! is theirs, line for line, on the items as `ItemScanner` reads them (titles after و read as titles), and
//! tests/unit/processors/test_entities.py holds the two together on generated text and a corpus day.
//! A position past the end reads as punctuation.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::chunks::Analysis;
use crate::items::ItemScanner;

/// The word sets of the rules, as bits of one mask per word (one lookup answers every membership).
const SETS: [&str; 20] = [
    "org_heads",
    "direct_titles",
    "titles",
    "honorifics",
    "bin",
    "particles",
    "facilities",
    "not_family",
    "offices",
    "org_ends",
    "field_heads",
    "general",
    "org_adjectives",
    "listed_only",
    "numbers",
    "royal",
    "stop",
    "triggers",
    "time_words",
    "given_names",
];
const ORG_HEAD: u32 = 1;
const DIRECT: u32 = 1 << 1;
const TITLE: u32 = 1 << 2;
const HONORIFIC: u32 = 1 << 3;
const BIN: u32 = 1 << 4;
const PARTICLE: u32 = 1 << 5;
const FACILITY: u32 = 1 << 6;
const NOT_FAMILY: u32 = 1 << 7;
const OFFICE: u32 = 1 << 8;
const ORG_END: u32 = 1 << 9;
const FIELD_HEAD: u32 = 1 << 10;
const GENERAL: u32 = 1 << 11;
const ORG_ADJECTIVE: u32 = 1 << 12;
const LISTED_ONLY: u32 = 1 << 13;
const NUMBER: u32 = 1 << 14;
const ROYAL: u32 = 1 << 15;
const STOP: u32 = 1 << 16;
const TRIGGER: u32 = 1 << 17;
const TIME: u32 = 1 << 18;
const GIVEN: u32 = 1 << 19;
/// Not yet looked up (`Reader::roles`).
const UNKNOWN: u32 = u32::MAX;

const BREAK: &str = "|";
const MAX_NAME: usize = 6;

/// The names a text's rules find (`(name, is_organisation)`) and the listed spellings written out.
type Found = (Vec<(String, bool)>, Vec<String>);

/// The rules' word sets and two-word generic bodies (`name_rules.GENERIC_BODIES`).
#[pyclass(frozen, module = "processors._textcore")]
pub struct NameRules {
    roles: FxHashMap<Box<str>, u32>,
    generic_bodies: FxHashSet<Box<str>>,
}

#[pymethods]
impl NameRules {
    /// `sets`: each of the rules' sets by name (every name of `SETS`); `generic_bodies`: folded two-word
    /// bodies that name a kind of body.
    #[new]
    #[pyo3(signature = (sets, *, generic_bodies))]
    fn new(sets: FxHashMap<String, Vec<String>>, generic_bodies: Vec<String>) -> PyResult<Self> {
        let mut roles: FxHashMap<Box<str>, u32> = FxHashMap::default();
        for (bit, name) in SETS.iter().enumerate() {
            let words = sets.get(*name).ok_or_else(|| {
                PyValueError::new_err(format!("name rules: the set {name:?} is missing"))
            })?;
            for word in words {
                *roles.entry(word.as_str().into()).or_default() |= 1 << bit;
            }
        }
        if let Some(name) = sets.keys().find(|name| !SETS.contains(&name.as_str())) {
            return Err(PyValueError::new_err(format!(
                "name rules: unknown set {name:?}"
            )));
        }
        Ok(NameRules {
            roles,
            generic_bodies: generic_bodies.into_iter().map(Into::into).collect(),
        })
    }

    /// The names the rules find in `analysis` (`(name, is_organisation)` in order, the words as written
    /// joined by one space) and the listed spellings `scanner` finds written out, in order.
    fn find(&self, py: Python<'_>, analysis: &Analysis, scanner: &ItemScanner) -> PyResult<Found> {
        let reading = scanner.read(analysis);
        let texts: Vec<&Py<PyAny>> = analysis.item_text_objs().collect();
        let mut reader = Reader {
            rules: self,
            roles: vec![UNKNOWN; reading.items.len()],
            norms: reading.items,
            texts,
            py,
        };
        let mut names = Vec::new();
        let mut free = 0; // the first position not inside a name found already
        for &i in &reading.triggers {
            if i < free {
                continue;
            }
            let length = reader.organisation_at(i)?;
            if length > 0 {
                names.push((reader.join(i, i + length)?, true));
                free = i + length;
                continue;
            }
            let (start, end) = if reader.has(i, BIN) {
                reader.chain_at(i)?
            } else {
                reader.person_at(i)?
            };
            if end > 0 {
                names.push((reader.join(start, end)?, false));
                free = end;
            }
        }
        let listed = reading
            .phrases
            .iter()
            .map(|&(i, size)| reader.join(i, i + size))
            .collect::<PyResult<_>>()?;
        Ok((names, listed))
    }
}

/// One text's items as the rules read them; each item's roles looked up when first asked.
struct Reader<'a> {
    rules: &'a NameRules,
    norms: Vec<&'a str>,
    roles: Vec<u32>,
    texts: Vec<&'a Py<PyAny>>,
    py: Python<'a>,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// `s` without its first `n` characters (Python's `s[n:]`).
fn skip(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or("", |(at, _)| &s[at..])
}

fn prepositional(norm: &str) -> bool {
    ["لل", "بال", "كال", "فال", "وال"]
        .iter()
        .any(|p| norm.starts_with(p))
        && chars(norm) > 4
}

impl<'a> Reader<'a> {
    fn len(&self) -> usize {
        self.norms.len()
    }

    fn norm(&self, k: usize) -> &'a str {
        self.norms.get(k).copied().unwrap_or(BREAK)
    }

    fn roles_of(&self, word: &str) -> u32 {
        self.rules.roles.get(word).copied().unwrap_or(0)
    }

    fn has(&mut self, k: usize, role: u32) -> bool {
        if k >= self.len() {
            return false;
        }
        if self.roles[k] == UNKNOWN {
            self.roles[k] = self.roles_of(self.norms[k]);
        }
        self.roles[k] & role != 0
    }

    /// The item as written ("" past the end).
    fn text(&self, k: usize) -> PyResult<&'a str> {
        match self.texts.get(k).copied() {
            None => Ok(""),
            Some(text) => Ok(text.bind(self.py).cast::<PyString>()?.to_str()?),
        }
    }

    fn join(&self, start: usize, end: usize) -> PyResult<String> {
        let mut out = String::new();
        for k in start..end {
            if k > start {
                out.push(' ');
            }
            out.push_str(self.text(k)?);
        }
        Ok(out)
    }

    /// `_stops_a_name`: a stop word, unless it is written علي (the name, not the preposition على).
    fn stops(&mut self, k: usize) -> PyResult<bool> {
        if !self.has(k, STOP) {
            return Ok(false);
        }
        let bare = self
            .text(k)?
            .chars()
            .filter(|c| !('\u{064b}'..='\u{0652}').contains(c));
        Ok(!bare.eq("علي".chars()))
    }

    fn is_definite(&mut self, k: usize) -> bool {
        let norm = self.norm(k);
        norm.starts_with("ال") && chars(norm) > 3 && !self.has(k, STOP)
    }

    fn is_nisba(&mut self, k: usize) -> bool {
        let norm = self.norm(k);
        let ends = norm.ends_with('ي') || norm.ends_with("يه");
        self.is_definite(k) && ends
    }

    fn is_name_word(&mut self, k: usize) -> PyResult<bool> {
        let norm = self.norm(k);
        let tanween = self
            .text(k)?
            .chars()
            .any(|c| ('\u{064b}'..='\u{064d}').contains(&c));
        Ok(!(norm == BREAK
            || chars(norm) < 2
            || self.stops(k)?
            || self.has(k, TRIGGER | HONORIFIC | FACILITY | TIME | NUMBER)
            || norm.starts_with("ال")
            || prepositional(norm)
            || (norm.starts_with('و') && !self.has(k, GIVEN))
            || tanween))
    }

    fn ends_name(&mut self, k: usize) -> PyResult<bool> {
        if k >= self.len() {
            return Ok(true);
        }
        let norm = self.norm(k);
        Ok(norm == BREAK
            || self.stops(k)?
            || self.has(k, TITLE | HONORIFIC | TIME)
            || prepositional(norm)
            || (norm.starts_with('و') && chars(norm) > 2))
    }

    fn given_at(&mut self, i: usize) -> PyResult<usize> {
        if i >= self.len() || self.stops(i)? {
            return Ok(0);
        }
        let norm = self.norm(i);
        let following = self.norm(i + 1);
        if norm == "عبد" {
            return Ok(if self.is_definite(i + 1) || following == "ربه" {
                2
            } else {
                0
            });
        }
        if norm.starts_with("عبد") && chars(norm) > 4 {
            return Ok(1);
        }
        if norm == "ابو" || norm == "ابي" {
            return Ok(if self.is_name_word(i + 1)? || self.is_definite(i + 1) {
                2
            } else {
                0
            });
        }
        if self.has(i, GIVEN) {
            return Ok(if following == "الدين" { 2 } else { 1 });
        }
        Ok(0)
    }

    fn name_from(&mut self, i: usize) -> PyResult<usize> {
        let mut j = i + self.given_at(i)?;
        if j == i {
            return Ok(i);
        }
        while j < self.len() && j - i < MAX_NAME {
            if self.has(j, BIN) {
                let after = self.norm(j + 1);
                let mut size = self.given_at(j + 1)?;
                if size == 0
                    && (self.roles_of(skip(after, 2)) & GIVEN != 0 || self.is_name_word(j + 1)?)
                {
                    size = 1;
                }
                if size == 0 {
                    break;
                }
                j += 1 + size;
            } else {
                let size = self.given_at(j)?;
                if size == 0 {
                    break;
                }
                j += size;
            }
        }
        if j >= self.len() || j - i >= MAX_NAME {
            return Ok(j);
        }
        let norm = self.norm(j);
        if norm == "ال" && j + 1 < self.len() && self.norm(j + 1) != BREAK {
            return Ok(j + 2);
        }
        if self.has(j, PARTICLE) && j + 1 < self.len() && self.is_name_word(j + 1)? {
            return Ok(j + 2);
        }
        if self.is_definite(j) {
            return Ok(if self.has(j, NOT_FAMILY | OFFICE) {
                j
            } else {
                j + 1
            });
        }
        if self.is_name_word(j)? && self.ends_name(j + 1)? {
            return Ok(j + 1);
        }
        Ok(j)
    }

    fn unknown_name(&mut self, i: usize) -> PyResult<usize> {
        if i >= self.len() || self.norm(i).starts_with(['ب', 'ل', 'ك', 'ف']) {
            return Ok(i);
        }
        let mut j = i;
        for _ in 0..2 {
            if j < self.len() && self.has(j, PARTICLE) && j > i {
                j += 1;
            }
            if j >= self.len() || !self.is_name_word(j)? {
                return Ok(i);
            }
            j += 1;
        }
        Ok(if self.ends_name(j)? { j } else { i })
    }

    fn person_end(&mut self, i: usize) -> PyResult<usize> {
        let end = self.name_from(i)?;
        Ok(if end > i + self.given_at(i)? { end } else { i })
    }

    fn names_a_place(&mut self, i: usize) -> bool {
        let mut k = i;
        while k > 0 && self.has(k - 1, TITLE | HONORIFIC) {
            k -= 1;
        }
        if k == 0 {
            return false; // nothing before the titles: punctuation, not a facility
        }
        let before = self.norm(k - 1);
        self.has(k - 1, FACILITY)
            || (before.starts_with(['و', 'ب', 'ل'])
                && self.roles_of(skip(before, 1)) & FACILITY != 0)
    }

    fn person_at(&mut self, i: usize) -> PyResult<(usize, usize)> {
        if !self.has(i, TITLE) || self.names_a_place(i) || (i > 0 && self.norm(i - 1) == "عبد") {
            return Ok((0, 0));
        }
        let mut direct = self.has(i, DIRECT);
        let mut listed_only = self.has(i, LISTED_ONLY);
        let (mut plain, mut origins) = (true, 0);
        let mut j = i + 1;
        while j < self.len() && j - i <= MAX_NAME {
            if self.is_nisba(j) && j - i <= 3 {
                origins += 1;
            } else if self.has(j, DIRECT | HONORIFIC) {
                direct = true;
                listed_only = self.has(j, LISTED_ONLY);
            } else if !direct && (self.is_definite(j) || prepositional(self.norm(j))) {
                plain = false;
            } else {
                break;
            }
            j += 1;
        }
        let end = self.person_end(j)?;
        if end > j {
            return Ok((j, end));
        }
        if plain && (direct || origins > 0) && !listed_only && self.given_at(j)? == 0 {
            let end = self.unknown_name(j)?;
            if end > j {
                return Ok((j, end));
            }
        }
        if direct {
            return Ok((0, 0));
        }
        for k in j..(j + 3).min(self.len()) {
            if self.norm(k) == BREAK || self.has(k, TITLE) || self.stops(k)? {
                break;
            }
            let end = self.person_end(k)?;
            if end > k {
                return Ok((k, end));
            }
        }
        Ok((0, 0))
    }

    fn chain_at(&mut self, i: usize) -> PyResult<(usize, usize)> {
        for size in [1, 2] {
            if i >= size && self.given_at(i - size)? == size {
                let start = i - size;
                if self.names_a_place(start) {
                    return Ok((0, 0));
                }
                let end = self.name_from(start)?;
                return Ok(if end > i + 1 { (start, end) } else { (0, 0) });
            }
        }
        Ok((0, 0))
    }

    fn organisation_at(&mut self, i: usize) -> PyResult<usize> {
        if !self.has(i, ORG_HEAD) {
            return Ok(0);
        }
        let (mut j, mut joined) = (i + 1, false);
        while j < self.len() && j - i <= if joined { 3 } else { 2 } {
            let norm = self.norm(j);
            if self.has(j, ROYAL) && j == i + 1 {
                let end = self.name_from(j + 1)?;
                return Ok(if end > j + 1 { end - i } else { 0 });
            }
            if joined && !self.has(j, GENERAL) {
                break;
            }
            if norm.starts_with("وال") && !joined && j > i + 1 && self.has(i, FIELD_HEAD) {
                joined = true;
            } else if self.has(j, TIME | ORG_END | TITLE)
                || !(self.is_definite(j) || norm == "الله")
                || (j == i + 2 && !joined && !self.is_nisba(j) && !self.has(j, ORG_ADJECTIVE))
            {
                break;
            }
            j += 1;
            if norm == "الله" {
                break;
            }
        }
        if j - i == 2 {
            let pair = format!("{} {}", self.norm(i), self.norm(i + 1));
            if self.rules.generic_bodies.contains(pair.as_str()) {
                return Ok(0);
            }
        }
        Ok(if j - i >= 2 { j - i } else { 0 })
    }
}
