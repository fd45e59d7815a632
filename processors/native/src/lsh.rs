//! The MinHash signature of a sketch and the LSH band index of `processors.minhash`, natively: their
//! numpy versions spent most of their time in per-call overhead on arrays of a few hundred values. The
//! permutations and band multipliers are drawn by numpy's seeded generator on the Python side and handed
//! over, so the same seed gives the same signatures and band keys as before (tested).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::sketch::splitmix;

fn u16s(data: &[u8]) -> impl Iterator<Item = u16> + '_ {
    data.chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
}

/// `num_perm` multiply-shift permutations `(a * x + b) mod 2**64 >> 32` of mixed sketch values.
#[pyclass(frozen, module = "processors._textcore")]
pub struct Permutations {
    a: Vec<u64>,
    b: Vec<u64>,
}

#[pymethods]
impl Permutations {
    #[new]
    fn new(a: Vec<u64>, b: Vec<u64>) -> PyResult<Self> {
        if a.len() != b.len() || a.is_empty() {
            return Err(PyValueError::new_err(format!(
                "a and b must be as long as each other and not empty, got {} and {}",
                a.len(),
                b.len()
            )));
        }
        Ok(Permutations { a, b })
    }

    /// The signature of a sketch (little-endian uint16 values): for each permutation, the low 16 bits
    /// of the smallest permuted value, as little-endian uint16; b"" for an empty sketch.
    fn minhash<'py>(&self, py: Python<'py>, sketch: &[u8]) -> Bound<'py, PyBytes> {
        let mixed: Vec<u64> = u16s(sketch).map(|v| splitmix(u64::from(v))).collect();
        if mixed.is_empty() {
            return PyBytes::new(py, b"");
        }
        let mut out = Vec::with_capacity(self.a.len() * 2);
        for (&a, &b) in self.a.iter().zip(&self.b) {
            let least = mixed
                .iter()
                .map(|&x| x.wrapping_mul(a).wrapping_add(b) >> 32)
                .min()
                .unwrap_or(0);
            out.extend_from_slice(&(least as u16).to_le_bytes());
        }
        PyBytes::new(py, &out)
    }
}

/// LSH over signatures: two signatures that agree on every position of one band are candidates. Band
/// entries live in two sorted parallel arrays (a 32-bit key and a 32-bit slot: 8 bytes each) and a small
/// buffer merged in when it outgrows `max(buffer_min, entries / 64)`; removal is lazy (filtered at query
/// time, dropped at the next merge). A table of where each key prefix starts (about one prefix per 8
/// entries: half a byte an entry) turns each band's lookup into a search of a few neighbouring entries,
/// instead of a binary search over the whole array (most of whose steps miss the cache).
#[pyclass(module = "processors._textcore")]
pub struct BandIndex {
    mult: Vec<u64>,
    salt: Vec<u64>,
    rows: usize,
    keys: Vec<u32>,
    slots: Vec<i32>,
    /// `starts[p]`: the first entry whose key's top `prefix_bits` bits are at least `p` (`2^bits + 1`).
    starts: Vec<u32>,
    prefix_bits: u32,
    buffer: FxHashMap<u32, Vec<i32>>,
    buffered: usize,
    removed: FxHashSet<i32>,
    count: usize,
    buffer_min: usize,
}

impl BandIndex {
    /// Rebuild `starts` for the current `keys`.
    fn index_prefixes(&mut self) {
        let bits = (self.keys.len() / 8).max(1).ilog2().clamp(1, 24);
        let shift = 32 - bits;
        let mut starts = Vec::with_capacity((1usize << bits) + 1);
        let mut at = 0usize;
        for prefix in 0..=(1u64 << bits) {
            while at < self.keys.len() && u64::from(self.keys[at] >> shift) < prefix {
                at += 1;
            }
            starts.push(at as u32);
        }
        self.starts = starts;
        self.prefix_bits = bits;
    }

    /// The entries of `key` in the sorted arrays: `start..end`.
    #[inline]
    fn range_of(&self, key: u32) -> (usize, usize) {
        let prefix = (key >> (32 - self.prefix_bits)) as usize;
        let (lo, hi) = (
            self.starts[prefix] as usize,
            self.starts[prefix + 1] as usize,
        );
        let near = &self.keys[lo..hi];
        let start = lo + near.partition_point(|&k| k < key);
        let end = lo + near.partition_point(|&k| k <= key);
        (start, end)
    }

    fn band_keys(&self, signature: &[u8]) -> PyResult<Vec<u32>> {
        let need = self.mult.len();
        let values: Vec<u64> = u16s(signature).take(need).map(u64::from).collect();
        if values.len() < need {
            return Err(PyValueError::new_err(format!(
                "signature has {} values; bands x rows needs {need}",
                signature.len() / 2
            )));
        }
        Ok(self
            .salt
            .iter()
            .enumerate()
            .map(|(band, &salt)| {
                let span = band * self.rows..(band + 1) * self.rows;
                let sum = values[span.clone()]
                    .iter()
                    .zip(&self.mult[span])
                    .fold(0u64, |acc, (&v, &m)| acc.wrapping_add(v.wrapping_mul(m)));
                (splitmix(sum.wrapping_add(salt)) >> 32) as u32
            })
            .collect())
    }

    fn merge(&mut self) {
        let mut incoming: Vec<(u32, i32)> = self
            .buffer
            .drain()
            .flat_map(|(key, slots)| slots.into_iter().map(move |slot| (key, slot)))
            .filter(|(_, slot)| !self.removed.contains(slot))
            .collect();
        incoming.sort_unstable();
        let total = self.keys.len() + incoming.len();
        let (mut keys, mut slots) = (Vec::with_capacity(total), Vec::with_capacity(total));
        let mut new = incoming.into_iter().peekable();
        for (&key, &slot) in self.keys.iter().zip(&self.slots) {
            while let Some(&(k, s)) = new.peek() {
                if k >= key {
                    break;
                }
                keys.push(k);
                slots.push(s);
                new.next();
            }
            if !self.removed.contains(&slot) {
                keys.push(key);
                slots.push(slot);
            }
        }
        for (k, s) in new {
            keys.push(k);
            slots.push(s);
        }
        keys.shrink_to_fit();
        slots.shrink_to_fit();
        self.keys = keys;
        self.slots = slots;
        self.index_prefixes();
        self.removed.clear();
        self.buffered = 0;
    }
}

#[pymethods]
impl BandIndex {
    /// `mult` holds `bands x rows` odd multipliers (row by row), `salt` one value per band.
    #[new]
    #[pyo3(signature = (mult, salt, *, buffer_min))]
    fn new(mult: Vec<u64>, salt: Vec<u64>, buffer_min: usize) -> PyResult<Self> {
        if salt.is_empty() || mult.is_empty() || !mult.len().is_multiple_of(salt.len()) {
            return Err(PyValueError::new_err(format!(
                "mult must hold bands x rows values for {} bands, got {}",
                salt.len(),
                mult.len()
            )));
        }
        Ok(BandIndex {
            rows: mult.len() / salt.len(),
            mult,
            salt,
            keys: Vec::new(),
            slots: Vec::new(),
            starts: vec![0, 0, 0],
            prefix_bits: 1,
            buffer: FxHashMap::default(),
            buffered: 0,
            removed: FxHashSet::default(),
            count: 0,
            buffer_min,
        })
    }

    /// The band keys of a signature (one per band).
    fn keys(&self, signature: &[u8]) -> PyResult<Vec<u32>> {
        self.band_keys(signature)
    }

    /// Index `signature` under `slot` (a slot not added before, nor removed).
    fn add(&mut self, slot: i32, signature: &[u8]) -> PyResult<()> {
        let keys = self.band_keys(signature)?;
        self.count += 1;
        self.buffered += keys.len();
        for key in keys {
            self.buffer.entry(key).or_default().push(slot);
        }
        if self.buffered > self.buffer_min.max(self.keys.len() / 64) {
            self.merge();
        }
        Ok(())
    }

    /// Forget `slot`: filtered from now on, dropped at the next merge.
    fn remove(&mut self, slot: i32) {
        if self.removed.insert(slot) {
            self.count -= 1;
        }
    }

    /// Slots (not removed) that share at least one band key with `signature`, ascending.
    fn query(&self, signature: &[u8]) -> PyResult<Vec<i32>> {
        let mut found = Vec::new();
        for key in self.band_keys(signature)? {
            let (start, end) = self.range_of(key);
            found.extend_from_slice(&self.slots[start..end]);
            if let Some(slots) = self.buffer.get(&key) {
                found.extend_from_slice(slots);
            }
        }
        found.sort_unstable();
        found.dedup();
        found.retain(|slot| !self.removed.contains(slot));
        Ok(found)
    }

    fn __len__(&self) -> usize {
        self.count
    }

    /// Bytes held: the arrays and their prefix table, the buffer's keys, lists and table, and the set of removed slots.
    #[getter]
    fn nbytes(&self) -> usize {
        let buffer: usize = self
            .buffer
            .values()
            .map(|v| 4 + 24 + 4 * v.capacity() + 1)
            .sum();
        4 * (self.keys.capacity() + self.slots.capacity() + self.starts.capacity())
            + buffer
            + (4 + 1) * self.removed.capacity()
            + std::mem::size_of::<Self>()
    }
}
