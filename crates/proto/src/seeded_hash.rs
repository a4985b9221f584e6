//! [`SeededState`]: a keyed hasher for hash maps whose keys a peer chooses.
//!
//! `std`'s `RandomState` draws its key from the operating system, so
//! iteration order (and anything that depends on it) changes from run to
//! run; a fixed-key hasher is deterministic but lets a peer pick keys that
//! all collide (hash flooding). `SeededState` takes its 128-bit key from
//! the caller, that is from the injected RNG: runs with the same seed hash
//! the same, and a peer that does not know the RNG's output cannot aim
//! collisions.
//!
//! The hash is SipHash-1-3 (the function `std` uses, with the key given
//! explicitly). Integers are hashed as their little-endian bytes, so a
//! table's layout does not depend on the platform either.

use std::hash::{BuildHasher, Hasher};

/// A [`BuildHasher`] keyed by the caller: SipHash-1-3 with a 128-bit key.
///
/// ```
/// use std::collections::HashMap;
/// use sansrtc_proto::SeededState;
///
/// // In a machine: `SeededState::new(rng.next_u64(), rng.next_u64())`.
/// let mut by_ssrc: HashMap<u32, usize, SeededState> =
///     HashMap::with_hasher(SeededState::new(0x0123, 0x4567));
/// by_ssrc.insert(0xdead_beef, 0);
/// assert_eq!(by_ssrc.get(&0xdead_beef), Some(&0));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SeededState {
    k0: u64,
    k1: u64,
}

impl SeededState {
    /// A state keyed by two 64-bit words (for instance two
    /// `RngCore::next_u64` draws from the injected RNG).
    pub const fn new(k0: u64, k1: u64) -> Self {
        SeededState { k0, k1 }
    }

    /// A state keyed by 16 bytes (for instance filled by
    /// `RngCore::fill_bytes`), read as two little-endian words.
    pub const fn from_seed(seed: [u8; 16]) -> Self {
        let mut k0 = [0u8; 8];
        let mut k1 = [0u8; 8];
        let mut i = 0;
        while i < 8 {
            k0[i] = seed[i];
            k1[i] = seed[i + 8];
            i += 1;
        }
        SeededState::new(u64::from_le_bytes(k0), u64::from_le_bytes(k1))
    }
}

impl std::fmt::Debug for SeededState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key is what keeps collisions unpredictable: never print it.
        f.write_str("SeededState { .. }")
    }
}

impl BuildHasher for SeededState {
    type Hasher = SeededHasher;

    #[inline]
    fn build_hasher(&self) -> SeededHasher {
        SeededHasher(Sip::new(self.k0, self.k1))
    }
}

/// The [`Hasher`] of a [`SeededState`] (SipHash-1-3).
#[derive(Clone, Debug)]
pub struct SeededHasher(Sip<1, 3>);

impl Hasher for SeededHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0.write_word(u64::from(i), 1);
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.0.write_word(u64::from(i), 2);
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.0.write_word(u64::from(i), 4);
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0.write(&i.to_le_bytes());
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.0.write(&(i as u64).to_le_bytes());
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// SipHash-`C`-`D` (Aumasson and Bernstein) over a byte stream.
#[derive(Clone, Debug)]
pub(crate) struct Sip<const C: usize, const D: usize> {
    v: [u64; 4],
    /// Bytes not yet compressed, little-endian, `ntail` of them.
    tail: u64,
    ntail: usize,
    /// Total bytes written (mod 256 is what counts).
    length: usize,
}

impl<const C: usize, const D: usize> Sip<C, D> {
    #[inline]
    pub(crate) fn new(k0: u64, k1: u64) -> Self {
        Sip {
            v: [
                k0 ^ 0x736f_6d65_7073_6575,
                k1 ^ 0x646f_7261_6e64_6f6d,
                k0 ^ 0x6c79_6765_6e65_7261,
                k1 ^ 0x7465_6462_7974_6573,
            ],
            tail: 0,
            ntail: 0,
            length: 0,
        }
    }

    #[inline(always)]
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }

    #[inline(always)]
    fn compress(&mut self, m: u64) {
        self.v[3] ^= m;
        for _ in 0..C {
            Self::round(&mut self.v);
        }
        self.v[0] ^= m;
    }

    /// Writes the low `n` bytes (`n < 8`) of `word`, little-endian.
    #[inline]
    fn write_word(&mut self, word: u64, n: usize) {
        self.length += n;
        let free = 8 - self.ntail;
        if n < free {
            self.tail |= word << (8 * self.ntail);
            self.ntail += n;
            return;
        }
        let m = self.tail | (word << (8 * self.ntail));
        self.compress(m);
        // `free <= n < 8`, so the shift is in range.
        self.ntail = n - free;
        self.tail = if free == 8 { 0 } else { word >> (8 * free) };
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        // Top up the tail first.
        while self.ntail != 0 && !rest.is_empty() {
            self.write_word(u64::from(rest[0]), 1);
            rest = &rest[1..];
        }
        let mut chunks = rest.chunks_exact(8);
        for chunk in &mut chunks {
            let m = u64::from_le_bytes(chunk.try_into().expect("8-byte chunk"));
            self.compress(m);
            self.length += 8;
        }
        for &b in chunks.remainder() {
            self.write_word(u64::from(b), 1);
        }
    }

    #[inline]
    pub(crate) fn finish(&self) -> u64 {
        let mut v = self.v;
        let b = ((self.length as u64 & 0xff) << 56) | self.tail;
        v[3] ^= b;
        for _ in 0..C {
            Self::round(&mut v);
        }
        v[0] ^= b;
        v[2] ^= 0xff;
        for _ in 0..D {
            Self::round(&mut v);
        }
        v[0] ^ v[1] ^ v[2] ^ v[3]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn message(len: usize) -> Vec<u8> {
        (0..len).map(|i| i as u8).collect()
    }

    #[test]
    fn siphash_2_4_matches_the_reference_vectors() {
        // Key 00..0f, messages 00.., from the SipHash paper's test vectors.
        let k0 = u64::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7]);
        let k1 = u64::from_le_bytes([8, 9, 10, 11, 12, 13, 14, 15]);
        let expect: [u64; 4] = [
            0x726f_db47_dd0e_0e31,
            0x74f8_39c5_93dc_67fd,
            0x0d6c_8009_d9a9_4f5a,
            0x8567_6696_d7fb_7e2d,
        ];
        for (len, want) in expect.iter().enumerate() {
            let mut h = Sip::<2, 4>::new(k0, k1);
            h.write(&message(len));
            assert_eq!(h.finish(), *want, "length {len}");
        }
    }

    #[test]
    #[allow(deprecated)] // std's SipHasher (2-4) is the reference here
    fn siphash_2_4_matches_std_for_every_length_and_split() {
        for len in 0..40 {
            let msg = message(len);
            let mut reference = std::hash::SipHasher::new_with_keys(7, 11);
            reference.write(&msg);
            for split in 0..=len {
                let mut h = Sip::<2, 4>::new(7, 11);
                h.write(&msg[..split]);
                h.write(&msg[split..]);
                assert_eq!(h.finish(), reference.finish(), "length {len} split {split}");
            }
        }
    }

    #[test]
    fn siphash_1_3_matches_std_default_hasher() {
        // `DefaultHasher::new()` is SipHash-1-3 with a zero key.
        for len in 0..40 {
            let msg = message(len);
            let mut reference = std::collections::hash_map::DefaultHasher::new();
            reference.write(&msg);
            let mut h = SeededState::new(0, 0).build_hasher();
            h.write(&msg);
            assert_eq!(h.finish(), reference.finish(), "length {len}");
        }
    }

    #[test]
    fn integers_hash_as_their_little_endian_bytes() {
        let state = SeededState::from_seed(*b"0123456789abcdef");
        let bytes = |b: &[u8]| {
            let mut h = state.build_hasher();
            h.write(b);
            h.finish()
        };
        let mut h = state.build_hasher();
        h.write_u8(1);
        h.write_u32(0x0506_0708);
        h.write_u16(0x0203);
        h.write_u64(u64::MAX - 1);
        h.write_u32(9);
        let mut expect = vec![1u8];
        expect.extend(0x0506_0708u32.to_le_bytes());
        expect.extend(0x0203u16.to_le_bytes());
        expect.extend((u64::MAX - 1).to_le_bytes());
        expect.extend(9u32.to_le_bytes());
        assert_eq!(h.finish(), bytes(&expect));
    }

    #[test]
    fn the_key_changes_the_hash_and_the_same_key_repeats_it() {
        let hash = |state: SeededState| state.hash_one(0x1234_5678u32);
        let a = SeededState::new(1, 2);
        assert_eq!(hash(a), hash(SeededState::new(1, 2)));
        assert_ne!(hash(a), hash(SeededState::new(1, 3)));
        assert_ne!(hash(a), hash(SeededState::new(2, 2)));
        assert_eq!(
            SeededState::from_seed([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]),
            a
        );
    }

    #[test]
    fn a_map_iterates_in_the_same_order_for_the_same_seed() {
        let order = |state: SeededState| {
            let mut m: HashMap<u32, (), SeededState> = HashMap::with_hasher(state);
            for ssrc in 0..64u32 {
                m.insert(ssrc.wrapping_mul(0x9e37_79b9), ());
            }
            m.keys().copied().collect::<Vec<_>>()
        };
        assert_eq!(order(SeededState::new(5, 6)), order(SeededState::new(5, 6)));
        assert_ne!(order(SeededState::new(5, 6)), order(SeededState::new(6, 5)));
    }

    #[test]
    fn debug_does_not_show_the_key() {
        let shown = format!("{:?}", SeededState::new(0xabcdef, 0x123456));
        assert!(
            !shown.contains("abcdef") && !shown.contains("11259375"),
            "{shown}"
        );
        // Keys of any `Hash` type go through it.
        let state = SeededState::new(1, 1);
        assert_eq!(state.hash_one("text"), state.hash_one(String::from("text")));
    }
}
