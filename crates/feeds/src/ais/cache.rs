//! A bounded map for per-vessel and per-aircraft state fed from outside.
//!
//! When full, the least recently touched half is dropped in one pass (sorted
//! by last touch, then key, so the choice is deterministic); that keeps the
//! insert amortised O(log n) with no per-entry bookkeeping on the hot path.

use std::collections::HashMap;
use std::hash::Hash;

#[derive(Debug)]
pub(crate) struct BoundedMap<K, V> {
    entries: HashMap<K, (u64, V)>,
    len_max: usize,
    /// Entries dropped to stay within `len_max`, for health reporting.
    n_evicted: u64,
}

impl<K: Hash + Eq + Ord + Copy, V> BoundedMap<K, V> {
    pub(crate) fn new(len_max: usize) -> Self {
        assert!(len_max >= 2);
        BoundedMap {
            entries: HashMap::new(),
            len_max,
            n_evicted: 0,
        }
    }

    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.entries.get(key).map(|(_, v)| v)
    }

    /// The entry for `key`, created with `make` if absent; `touch` orders evictions.
    pub(crate) fn entry(&mut self, key: K, touch: u64, make: impl FnOnce() -> V) -> &mut V {
        if !self.entries.contains_key(&key) && self.entries.len() >= self.len_max {
            self.evict_oldest_half();
        }
        let slot = self.entries.entry(key).or_insert_with(|| (touch, make()));
        slot.0 = touch;
        &mut slot.1
    }

    fn evict_oldest_half(&mut self) {
        let mut ages: Vec<(u64, K)> = self.entries.iter().map(|(k, (t, _))| (*t, *k)).collect();
        ages.sort_unstable();
        let n_drop = ages.len() / 2;
        for (_, key) in &ages[..n_drop] {
            self.entries.remove(key);
        }
        self.n_evicted += n_drop as u64;
    }

    pub(crate) fn n_evicted(&self) -> u64 {
        self.n_evicted
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_bounded_and_keeps_the_recent() {
        let mut map = BoundedMap::new(4);
        for k in 0..10u32 {
            *map.entry(k, u64::from(k), || 0) += 1;
        }
        assert!(map.len() <= 4);
        assert!(map.get(&9).is_some());
        assert!(map.get(&0).is_none());
        assert!(map.n_evicted() >= 6);
    }
}
