//! Hash-table keys for text that keep short strings inside the table's slot: most chunks and words of
//! Arabic news are under 23 bytes of UTF-8, so comparing a found key reads the slot already fetched
//! instead of following a pointer to a separate allocation (one cache miss less per lookup, in tables of
//! hundreds of thousands of entries). Looked up by `&[u8]` (`Borrow<[u8]>`).

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};

const INLINE: usize = 22;

/// The UTF-8 bytes of a text, inline up to 22 bytes (24 bytes in all, as a boxed slice and its tag).
#[derive(Clone)]
pub enum Key {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl Key {
    pub fn new(text: &str) -> Self {
        let data = text.as_bytes();
        if data.len() <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..data.len()].copy_from_slice(data);
            Key::Inline {
                len: data.len() as u8,
                bytes,
            }
        } else {
            Key::Heap(data.into())
        }
    }

    #[inline]
    fn as_bytes(&self) -> &[u8] {
        match self {
            Key::Inline { len, bytes } => &bytes[..*len as usize],
            Key::Heap(data) => data,
        }
    }
}

impl Borrow<[u8]> for Key {
    #[inline]
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Hash for Key {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl PartialEq for Key {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Key {}
