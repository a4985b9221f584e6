//! Maps keyed by stream id with a cheap hash: one multiply instead of
//! SipHash, on the per-chunk path. Stream ids are at most 65 535 and the
//! multiplier is odd, so distinct ids never collide in the low bits that
//! pick a bucket unless they are equal modulo the table size: a hostile
//! peer can make at most 65 536 / table-size ids share a bucket.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` keyed by stream id.
pub(crate) type StreamMap<V> = HashMap<u16, V, BuildHasherDefault<StreamIdHasher>>;

/// Fibonacci hashing of a stream id.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct StreamIdHasher(u64);

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for StreamIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(GOLDEN);
        }
    }

    fn write_u16(&mut self, n: u16) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(GOLDEN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stream_id_is_found_again() {
        let mut m: StreamMap<u32> = StreamMap::default();
        for id in (0..=u16::MAX).step_by(7) {
            m.insert(id, u32::from(id) * 3);
        }
        for id in (0..=u16::MAX).step_by(7) {
            assert_eq!(m.get(&id), Some(&(u32::from(id) * 3)));
        }
        assert_eq!(m.get(&1), None);
    }

    #[test]
    fn sequential_ids_spread_over_buckets() {
        let low_bits = |id: u16| {
            let mut h = StreamIdHasher::default();
            h.write_u16(id);
            h.finish() & 1023
        };
        let distinct: std::collections::BTreeSet<u64> = (0..1024u16).map(low_bits).collect();
        assert_eq!(distinct.len(), 1024);
    }
}
