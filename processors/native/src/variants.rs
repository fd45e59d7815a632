//! Spelling variants of names (`processors.entities.merge_variants`): which spellings of one article are
//! one name, grouped by single link. Two spellings are variants when their normal forms or consonant
//! skeletons are equal, when their normal forms' letters agree within the threshold (rapidfuzz's
//! `fuzz.ratio`, the normalised Indel similarity, with its arithmetic), or when the shorter one's letters
//! agree so with the last words of the longer one (a surname mention). The Python definition the tests
//! hold this against is in tests/unit/processors/test_variants.py.

use pyo3::prelude::*;

use crate::normalize::is_py_space;

/// The code points of a spelling's normal form, the same words joined by one space with where each starts,
/// and its consonant skeleton.
struct Spelling {
    chars: Vec<char>,
    joined: Vec<char>,
    word_starts: Vec<usize>,
    key: String,
}

impl Spelling {
    fn new(normal: &str, key: String) -> Self {
        let mut joined = Vec::with_capacity(normal.len());
        let mut word_starts = Vec::new();
        for word in normal.split(is_py_space).filter(|w| !w.is_empty()) {
            if !joined.is_empty() {
                joined.push(' ');
            }
            word_starts.push(joined.len());
            joined.extend(word.chars());
        }
        Spelling {
            chars: normal.chars().collect(),
            joined,
            word_starts,
            key,
        }
    }

    fn words(&self) -> usize {
        self.word_starts.len()
    }

    /// The last `n` words joined by one space.
    fn tail(&self, n: usize) -> &[char] {
        &self.joined[self.word_starts[self.words() - n]..]
    }
}

/// The length of the longest common subsequence of `a` and `b`.
fn lcs(a: &[char], b: &[char]) -> usize {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() <= 64 {
        lcs_bits(short, long)
    } else {
        lcs_table(short, long)
    }
}

/// Hyyrö's bit-parallel LCS, for a `short` side of at most 64 code points.
fn lcs_bits(short: &[char], long: &[char]) -> usize {
    if short.is_empty() {
        return 0;
    }
    let mut masks: Vec<(char, u64)> = Vec::with_capacity(short.len());
    for (i, &c) in short.iter().enumerate() {
        match masks.iter_mut().find(|(m, _)| *m == c) {
            Some((_, bits)) => *bits |= 1 << i,
            None => masks.push((c, 1 << i)),
        }
    }
    let mut s: u64 = !0;
    for c in long {
        if let Some(&(_, m)) = masks.iter().find(|(x, _)| x == c) {
            let u = s & m;
            s = s.wrapping_add(u) | (s - u);
        }
    }
    let used = if short.len() == 64 {
        !0
    } else {
        (1u64 << short.len()) - 1
    };
    (!s & used).count_ones() as usize
}

/// The plain dynamic-programming LCS, one row.
fn lcs_table(short: &[char], long: &[char]) -> usize {
    let mut row = vec![0usize; short.len() + 1];
    for c in long {
        let mut diagonal = 0;
        for (j, &x) in short.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = if x == *c {
                diagonal + 1
            } else {
                up.max(row[j])
            };
            diagonal = up;
        }
    }
    row[short.len()]
}

/// `fuzz.ratio(a, b, score_cutoff=cutoff) > 0`: the Indel distance over the summed lengths, as rapidfuzz
/// computes it (1 − dist / lensum, compared with cutoff / 100; two empty strings agree).
fn ratio_reaches(a: &[char], b: &[char], cutoff: f64) -> bool {
    let lensum = a.len() + b.len();
    let distance = lensum - 2 * lcs(a, b);
    let similarity = if lensum == 0 {
        1.0
    } else {
        1.0 - distance as f64 / lensum as f64
    };
    similarity >= cutoff / 100.0 && similarity > 0.0
}

fn similar(a: &Spelling, b: &Spelling, cutoff: f64) -> bool {
    if a.chars == b.chars || a.key == b.key || ratio_reaches(&a.chars, &b.chars, cutoff) {
        return true;
    }
    let (short, long) = if a.words() <= b.words() {
        (a, b)
    } else {
        (b, a)
    };
    if short.words() == 0 || short.words() >= long.words() {
        return false;
    }
    ratio_reaches(&short.joined, long.tail(short.words()), cutoff)
}

/// The groups of variants among `spellings` (`(normal form, consonant skeleton)` each), by single link in
/// the order given, as positions: a spelling that links groups merges them into one group, which goes
/// last (the caller orders the groups).
#[pyfunction]
#[pyo3(signature = (spellings, *, cutoff))]
pub fn group_variants(spellings: Vec<(String, String)>, cutoff: f64) -> Vec<Vec<usize>> {
    let spellings: Vec<Spelling> = spellings
        .into_iter()
        .map(|(normal, key)| Spelling::new(&normal, key))
        .collect();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, spelling) in spellings.iter().enumerate() {
        let mut merged: Vec<usize> = Vec::new();
        let mut kept: Vec<Vec<usize>> = Vec::with_capacity(groups.len() + 1);
        for group in groups {
            if group
                .iter()
                .any(|&other| similar(spelling, &spellings[other], cutoff))
            {
                merged.extend(group);
            } else {
                kept.push(group);
            }
        }
        merged.push(i);
        kept.push(merged);
        groups = kept;
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn bit_parallel_lcs_agrees_with_the_table() {
        let words = [
            "دي",
            "ميستورا",
            "مستورا",
            "ستيفان",
            "ال",
            "عبد",
            "ab",
            "ba",
            "",
        ];
        let mut texts: Vec<Vec<char>> = Vec::new();
        for a in words {
            for b in words {
                for c in words {
                    texts.push(chars(&format!("{a} {b}{c} {a}{c}")));
                }
            }
        }
        for (i, x) in texts.iter().enumerate() {
            for y in texts.iter().skip(i % 7).step_by(7) {
                let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
                assert_eq!(lcs_bits(short, long), lcs_table(short, long), "{x:?} {y:?}");
            }
        }
        let long: Vec<char> = "ab".repeat(32).chars().collect();
        assert_eq!(lcs_bits(&long, &long), 64);
        assert_eq!(lcs_table(&chars("abcbdab"), &chars("bdcaba")), 4);
    }

    #[test]
    fn tails_are_whole_words() {
        let s = Spelling::new("ستيفان دي ميستورا", String::new());
        assert_eq!(s.words(), 3);
        assert_eq!(s.tail(2).iter().collect::<String>(), "دي ميستورا");
    }
}
