//! The dedupe fingerprint of a body, natively: `Deduper._body_words` and `MinHasher.sketch_hashes` of
//! processors/dedupe.py and processors/minhash.py with the default BLAKE2b word hash, in one pass.
//!
//! The body is normalised (teh marbuta folded; the same as chunk by chunk, see `fingerprint`); its words (`[^\W_]+`) joined by one
//! space give the text hash, and its Arabic shingle words (`[\u0621-\u064a0-9]+`) the shingle hashes: the
//! polynomial (mod 2^64) of `shingle_size` consecutive word hashes, through the splitmix64 finaliser, whose
//! top 16 bits form the bottom-k sketch.

use blake2::digest::{Update, VariableOutput};
use blake2::Blake2bVar;
use rustc_hash::FxHashMap;
use unicode_general_category::{get_general_category, GeneralCategory as C};

use crate::key::Key;
use crate::normalize::Normalizer;

const SHINGLE_BASE: u64 = 0x9E37_79B9_7F4A_7C15;

/// Python's `str.isalpha` for one character: the letter categories.
#[inline]
pub(crate) fn is_letter(ch: char) -> bool {
    if ('\u{0621}'..='\u{063a}').contains(&ch) || ('\u{0641}'..='\u{064a}').contains(&ch) {
        return true; // the Arabic letters (Lo), the bulk of the text
    }
    matches!(
        get_general_category(ch),
        C::UppercaseLetter
            | C::LowercaseLetter
            | C::TitlecaseLetter
            | C::ModifierLetter
            | C::OtherLetter
    )
}

/// Python's `[^\W_]` (`str.isalnum`): letters and numbers of every script.
#[inline]
pub fn is_word_char(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_alphanumeric();
    }
    is_letter(ch)
        || matches!(
            get_general_category(ch),
            C::DecimalNumber | C::LetterNumber | C::OtherNumber
        )
}

#[inline]
fn is_shingle_char(ch: char) -> bool {
    ('\u{0621}'..='\u{064a}').contains(&ch) || ch.is_ascii_digit()
}

/// The maximal runs of characters that satisfy `keep`.
pub fn runs(text: &str, keep: fn(char) -> bool) -> impl Iterator<Item = &str> {
    text.split(move |c: char| !keep(c))
        .filter(|w| !w.is_empty())
}

/// Word -> the little-endian u64 of its 8-byte BLAKE2b digest, computed once; emptied when it grows past
/// its capacity (a cache: losing it costs only time).
pub struct WordHashes {
    values: FxHashMap<Key, u64>,
    capacity: usize,
}

impl WordHashes {
    pub fn new(capacity: usize) -> Self {
        WordHashes {
            values: FxHashMap::default(),
            capacity,
        }
    }

    #[inline]
    fn get(&mut self, word: &str) -> u64 {
        if let Some(&value) = self.values.get(word.as_bytes()) {
            return value;
        }
        if self.values.len() >= self.capacity {
            self.values.clear();
        }
        let value = u64::from_le_bytes(blake2b_8(word.as_bytes()));
        self.values.insert(Key::new(word), value);
        value
    }
}

pub fn blake2b_8(data: &[u8]) -> [u8; 8] {
    let mut hasher = Blake2bVar::new(8).expect("8 is a valid BLAKE2b output size");
    hasher.update(data);
    let mut out = [0u8; 8];
    hasher
        .finalize_variable(&mut out)
        .expect("the buffer is the output size");
    out
}

#[inline]
pub(crate) fn splitmix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The bottom-k sketch of word hashes: little-endian uint16, ascending, distinct, at most `k`.
pub fn sketch(words: &[u64], shingle_size: usize, k: usize) -> Vec<u8> {
    if words.is_empty() {
        return Vec::new();
    }
    let n = shingle_size.min(words.len());
    let mut top: Vec<u16> = (0..words.len() - n + 1)
        .map(|i| {
            let acc = words[i + 1..i + n].iter().fold(words[i], |acc, &w| {
                acc.wrapping_mul(SHINGLE_BASE).wrapping_add(w)
            });
            (splitmix(acc) >> 48) as u16
        })
        .collect();
    top.sort_unstable();
    top.dedup();
    top.truncate(k);
    top.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// What the dedupe window keeps of a body: the hex text hash ("" under `min_tokens` words) and the sketch
/// (empty under `min_tokens` Arabic words, or without a text hash).
pub fn fingerprint(
    normalizer: &Normalizer,
    cache: &mut WordHashes,
    body: &str,
    shingle_size: usize,
    k: usize,
    min_tokens: usize,
) -> (String, Vec<u8>) {
    // Normalising the whole body equals normalising each whitespace chunk: no step acts across whitespace
    // (NFKC neither composes across a space nor produces one next to a letter it could join).
    let norm = normalizer.normalize(body);
    let mut joined = String::with_capacity(norm.len());
    let mut words = 0usize;
    for word in runs(&norm, is_word_char) {
        if words > 0 {
            joined.push(' ');
        }
        joined.push_str(word);
        words += 1;
    }
    let hashes: Vec<u64> = runs(&norm, is_shingle_char).map(|w| cache.get(w)).collect();
    if words < min_tokens {
        return (String::new(), Vec::new());
    }
    let text_hash = blake2b_8(joined.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let signature = if hashes.len() >= min_tokens {
        sketch(&hashes, shingle_size, k)
    } else {
        Vec::new()
    };
    (text_hash, signature)
}
