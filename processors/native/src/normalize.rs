//! `processors.arabic.normalize`, natively: the same steps in the same order, with the character tables
//! handed over by the Python module (one source of truth for what is deleted and what is mapped).
//!
//! Steps: delete format characters; NFKC; map or delete characters through the table; lower-case (full
//! Unicode mapping, final sigma included, as `str.lower`); collapse runs of Python whitespace to one space
//! and trim; repeat from the start while the result is not NFKC (at most 8 passes, as the Python code).
//!
//! Speed: most text is already NFKC (a table-driven quick check proves it without composing), and the
//! mapping, lower-casing and whitespace steps run as one loop over the characters. A text made only of
//! characters that each map on their own (see `Pass`) takes one pass in all: no step can change it
//! across characters, and its result is NFKC by construction.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfkc, is_nfkc_quick, IsNormalized, UnicodeNormalization};

const MAX_PASSES: usize = 8;
const KEEP: u16 = 0;
const DELETE: u16 = 1;
const FIRST_REPLACEMENT: u16 = 2;

/// A character table: a code per BMP character (keep, delete, or the index of a replacement + 2), and a
/// map for the rest (rarely mapped).
pub struct Table {
    bmp: Vec<u16>,
    astral: HashMap<char, u16>,
    replacements: Vec<String>,
}

impl Table {
    pub fn new(entries: impl IntoIterator<Item = (char, String)>) -> Self {
        let mut table = Table {
            bmp: vec![KEEP; 0x10000],
            astral: HashMap::new(),
            replacements: Vec::new(),
        };
        for (ch, value) in entries {
            let code = if value.is_empty() {
                DELETE
            } else {
                table.replacements.push(value);
                FIRST_REPLACEMENT + (table.replacements.len() - 1) as u16
            };
            if (ch as u32) < 0x10000 {
                table.bmp[ch as usize] = code;
            } else {
                table.astral.insert(ch, code);
            }
        }
        table
    }

    #[inline]
    fn code(&self, ch: char) -> u16 {
        match self.bmp.get(ch as usize) {
            Some(&code) => code,
            None => self.astral.get(&ch).copied().unwrap_or(KEEP),
        }
    }
}

/// Python's `str.isspace`: Unicode White_Space, plus the information separators U+001C..U+001F.
#[inline]
pub fn is_py_space(ch: char) -> bool {
    if ch.is_ascii() {
        return matches!(
            ch,
            '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | '\u{1c}'..='\u{1f}' | ' '
        );
    }
    ch.is_whitespace()
}

/// One normaliser: format characters to strip before NFKC, and the table applied after it.
pub struct Normalizer {
    format: Table,
    table: Table,
    /// Per BMP character, how the one-pass path treats it (`Pass as u8`).
    pass: Vec<u8>,
}

/// How the one-pass path treats a character.
#[derive(Clone, Copy, PartialEq)]
enum Pass {
    /// Not on its own: the text takes the full steps. NFKC may change the character or its
    /// neighbours (its quick check is No or Maybe: Maybe marks compose with what precedes them), a kept
    /// mark's canonical order matters, capital sigma lower-cases by context, or what the character
    /// becomes is not NFKC again.
    Full = 0,
    /// Mapped through the table and lower-cased on its own: NFKC keeps it, and a deleted mark's order
    /// among other marks does not matter.
    Own = 1,
    /// Whitespace, also after NFKC (a no-break space becomes a space).
    Space = 2,
    /// A format character, deleted.
    Format = 3,
}

/// Appends characters to a string: lower-cased, with runs of whitespace collapsed to one inner space.
struct Writer<'a> {
    out: &'a mut String,
    space: bool,
}

impl Writer<'_> {
    #[inline]
    fn push(&mut self, ch: char) {
        if is_py_space(ch) {
            self.space = !self.out.is_empty();
            return;
        }
        if self.space {
            self.out.push(' ');
            self.space = false;
        }
        if ch.is_ascii() {
            self.out.push(ch.to_ascii_lowercase());
        } else if is_uncased(ch) {
            self.out.push(ch);
        } else {
            self.out.extend(ch.to_lowercase());
        }
    }
}

impl Normalizer {
    pub fn new(format: Table, table: Table) -> Self {
        let mut normalizer = Normalizer {
            format,
            table,
            pass: Vec::new(),
        };
        normalizer.pass = (0u32..0x10000)
            .map(|code| char::from_u32(code).map_or(Pass::Full, |ch| normalizer.pass_of(ch)) as u8)
            .collect();
        normalizer
    }

    fn pass_of(&self, ch: char) -> Pass {
        let quick = quick_table();
        let yes_starter = |c: char| quick.get(c as usize) == Some(&0);
        // What the writer makes of a character: whitespace, or its lower case, each NFKC on its own.
        let writes_ok = |c: char| is_py_space(c) || c.to_lowercase().all(yes_starter);
        if self.format.code(ch) == DELETE {
            return Pass::Format;
        }
        if is_py_space(ch) {
            let spaced = ch
                .to_string()
                .nfkc()
                .all(|c| is_py_space(c) && self.table.code(c) == KEEP);
            return if spaced { Pass::Space } else { Pass::Full };
        }
        let class = quick.get(ch as usize).copied().unwrap_or(NOT_YES);
        if class == NOT_YES || ch == '\u{03a3}' {
            return Pass::Full;
        }
        let own = match self.table.code(ch) {
            DELETE => true,
            KEEP => class == 0 && writes_ok(ch),
            code => {
                class == 0
                    && self.table.replacements[(code - FIRST_REPLACEMENT) as usize]
                        .chars()
                        .all(|c| c != '\u{03a3}' && writes_ok(c))
            }
        };
        if own {
            Pass::Own
        } else {
            Pass::Full
        }
    }

    /// The normalised text in one pass, when every character maps on its own (None otherwise).
    fn one_pass(&self, text: &str) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut writer = Writer {
            out: &mut out,
            space: false,
        };
        for ch in text.chars() {
            match self.pass.get(ch as usize).copied() {
                Some(p) if p == Pass::Own as u8 => match self.table.code(ch) {
                    KEEP => writer.push(ch),
                    DELETE => {}
                    code => self.table.replacements[(code - FIRST_REPLACEMENT) as usize]
                        .chars()
                        .for_each(|c| writer.push(c)),
                },
                Some(p) if p == Pass::Space as u8 => writer.push(' '),
                Some(p) if p == Pass::Format as u8 => {}
                _ => return None,
            }
        }
        Some(out)
    }

    fn once(&self, text: &str, out: &mut String) {
        out.clear();
        let text: Cow<str> = if text.chars().any(|c| self.format.code(c) == DELETE) {
            Cow::Owned(
                text.chars()
                    .filter(|&c| self.format.code(c) != DELETE)
                    .collect(),
            )
        } else {
            Cow::Borrowed(text)
        };
        let text: Cow<str> = if surely_nfkc(&text) {
            text
        } else {
            Cow::Owned(text.nfkc().collect())
        };
        if text.contains('\u{03a3}') {
            // Capital sigma lower-cases by its context (final sigma): leave it to the whole-string mapping.
            return self.once_with_sigma(&text, out);
        }
        let mut writer = Writer { out, space: false };
        for ch in text.chars() {
            match self.table.code(ch) {
                KEEP => writer.push(ch),
                DELETE => {}
                code => self.table.replacements[(code - FIRST_REPLACEMENT) as usize]
                    .chars()
                    .for_each(|c| writer.push(c)),
            }
        }
    }

    fn once_with_sigma(&self, text: &str, out: &mut String) {
        let mut mapped = String::with_capacity(text.len());
        for ch in text.chars() {
            match self.table.code(ch) {
                KEEP => mapped.push(ch),
                DELETE => {}
                code => {
                    mapped.push_str(&self.table.replacements[(code - FIRST_REPLACEMENT) as usize])
                }
            }
        }
        let lowered = mapped.to_lowercase();
        for word in lowered.split(is_py_space).filter(|w| !w.is_empty()) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }

    fn is_normalized(text: &str) -> bool {
        if surely_nfkc(text) {
            return true;
        }
        match is_nfkc_quick(text.chars()) {
            IsNormalized::Yes => true,
            IsNormalized::No => false,
            IsNormalized::Maybe => is_nfkc(text),
        }
    }

    /// The normalised text.
    pub fn normalize(&self, text: &str) -> String {
        if let Some(out) = self.one_pass(text) {
            return out;
        }
        let mut out = String::with_capacity(text.len());
        self.once(text, &mut out);
        let mut passes = 0;
        while passes < MAX_PASSES && !Self::is_normalized(&out) {
            let again = out.clone();
            self.once(&again, &mut out);
            passes += 1;
        }
        out
    }
}

#[inline]
fn is_uncased(ch: char) -> bool {
    if ('\u{0600}'..='\u{06ff}').contains(&ch) {
        return true; // Arabic letters, marks, digits and punctuation have no case
    }
    let mut lowered = ch.to_lowercase();
    lowered.len() == 1 && lowered.next() == Some(ch)
}

/// Per BMP character: its canonical combining class when its NFKC quick check is Yes, else `NOT_YES`.
const NOT_YES: u8 = 0xFF;

fn quick_table() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0u32..0x10000)
            .map(|code| match char::from_u32(code) {
                Some(ch) if is_nfkc_quick(std::iter::once(ch)) == IsNormalized::Yes => {
                    canonical_combining_class(ch)
                }
                _ => NOT_YES,
            })
            .collect()
    })
}

/// The NFKC quick check (UAX #15) answering Yes, from a table: every character's answer is Yes and the
/// combining marks are in canonical order. False means "look closer", not "not NFKC".
fn surely_nfkc(text: &str) -> bool {
    let table = quick_table();
    let mut last = 0u8;
    for ch in text.chars() {
        let Some(&class) = table.get(ch as usize) else {
            return false;
        };
        if class == NOT_YES || (class != 0 && last > class) {
            return false;
        }
        last = class;
    }
    true
}
