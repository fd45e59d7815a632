//! The chunk table behind `processors.analyzed_text.AnalyzedText`: each distinct whitespace chunk of text
//! is analysed once, by the Python function handed over (a batch of new chunks per call), and kept; an
//! article is then one lookup per chunk and one pass that lays the chunks' analyses end to end into the
//! lists the enrichment modules read. The Python side decides what a chunk's analysis is; this side only
//! caches and flattens, one field at a time, when a module asks for it.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::sync::Arc;

use pyo3::types::{PyDict, PyList, PyTuple};

/// The fields of `analyzed_text._Chunk`: the token count is field 1, the others are tuples.
const FIELDS: usize = 7;
const TOKEN_COUNT: usize = 1;

struct Entry {
    fields: Vec<Option<Py<PyTuple>>>,
    token_count: usize,
}

/// A text's chunk analyses in order (shared with the table, so that emptying it changes nothing here).
#[pyclass(frozen, module = "processors._textcore")]
pub struct Analysis {
    entries: Vec<Arc<Entry>>,
}

#[pymethods]
impl Analysis {
    /// ``len(tokenize(text))``: the chunks' token counts added up.
    #[getter]
    fn token_count(&self) -> usize {
        self.entries.iter().map(|e| e.token_count).sum()
    }

    /// Field `field` of `_Chunk` (not the token count), laid end to end over the chunks.
    fn field<'py>(&self, py: Python<'py>, field: usize) -> PyResult<Bound<'py, PyList>> {
        if field >= FIELDS || field == TOKEN_COUNT {
            return Err(PyValueError::new_err(format!(
                "no list field {field} in a chunk analysis"
            )));
        }
        let mut items: Vec<Bound<'py, PyAny>> = Vec::with_capacity(self.entries.len() * 2);
        for entry in &self.entries {
            if let Some(tuple) = &entry.fields[field] {
                items.extend(tuple.bind(py).iter());
            }
        }
        PyList::new(py, items)
    }

    /// The analysis of the two texts joined by whitespace.
    fn __add__(&self, other: &Analysis) -> Analysis {
        Analysis {
            entries: self.entries.iter().chain(&other.entries).cloned().collect(),
        }
    }
}

/// Chunk -> its analysis, computed in batches by `compute` (distinct new chunks -> their `_Chunk`s);
/// emptied when it holds more than `capacity` chunks, before a text is looked up (a cache, not state).
#[pyclass(module = "processors._textcore")]
pub struct ChunkTable {
    compute: Py<PyAny>,
    capacity: usize,
    index: Py<PyDict>,
    entries: Vec<Arc<Entry>>,
}

impl ChunkTable {
    fn entry_of(chunk: &Bound<'_, PyAny>) -> PyResult<Entry> {
        let mut fields = Vec::with_capacity(FIELDS);
        for i in 0..FIELDS {
            fields.push(if i == TOKEN_COUNT {
                None
            } else {
                let tuple = chunk
                    .get_item(i)?
                    .cast_into::<PyTuple>()
                    .map_err(PyErr::from)?;
                if tuple.is_empty() {
                    None
                } else {
                    Some(tuple.unbind())
                }
            });
        }
        Ok(Entry {
            fields,
            token_count: chunk.get_item(TOKEN_COUNT)?.extract()?,
        })
    }
}

impl ChunkTable {
    fn add_computed(&mut self, py: Python<'_>, missing: &Bound<'_, PyList>) -> PyResult<()> {
        let computed = self.compute.bind(py).call1((missing,))?;
        let mut added = 0;
        for chunk in computed.try_iter()? {
            self.entries.push(Arc::new(Self::entry_of(&chunk?)?));
            added += 1;
        }
        if added != missing.len() {
            return Err(PyValueError::new_err(format!(
                "the chunk analysis returned {added} results for {} chunks",
                missing.len()
            )));
        }
        Ok(())
    }
}

#[pymethods]
impl ChunkTable {
    #[new]
    #[pyo3(signature = (compute, *, capacity))]
    fn new(py: Python<'_>, compute: Py<PyAny>, capacity: usize) -> Self {
        ChunkTable {
            compute,
            capacity,
            index: PyDict::new(py).unbind(),
            entries: Vec::new(),
        }
    }

    fn __len__(&self) -> usize {
        self.entries.len()
    }

    /// Empty the table (for benchmarks and tests).
    fn clear(&mut self, py: Python<'_>) {
        self.index.bind(py).clear();
        self.entries.clear();
    }

    /// The analysis of `chunks` (a text split at whitespace).
    fn analyse(&mut self, py: Python<'_>, chunks: &Bound<'_, PyList>) -> PyResult<Analysis> {
        if self.entries.len() > self.capacity {
            self.clear(py);
        }
        let index = self.index.bind(py).clone();
        let mut ids = Vec::with_capacity(chunks.len());
        let missing = PyList::empty(py);
        for chunk in chunks.iter() {
            let id = match index.get_item(&chunk)? {
                Some(id) => id.extract::<usize>()?,
                None => {
                    let id = self.entries.len() + missing.len();
                    index.set_item(&chunk, id)?;
                    missing.append(chunk)?;
                    id
                }
            };
            ids.push(id);
        }
        if !missing.is_empty() {
            let before = self.entries.len();
            if let Err(err) = self.add_computed(py, &missing) {
                // Nothing of a failed batch stays: neither its entries nor its chunks in the index.
                self.entries.truncate(before);
                for chunk in missing.iter() {
                    index.del_item(chunk)?;
                }
                return Err(err);
            }
        }
        Ok(Analysis {
            entries: ids
                .iter()
                .map(|&id| Arc::clone(&self.entries[id]))
                .collect(),
        })
    }
}
