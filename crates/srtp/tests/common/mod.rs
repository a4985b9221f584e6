//! Packet builders and a small deterministic PRNG shared by the tests.
#![allow(dead_code)]

use sansrtc_srtp::Profile;

/// xorshift64*: deterministic, seedable, no dependency.
pub struct Prng(pub u64);

impl Prng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// An RTP packet: `csrcs` CSRCs, an optional one-byte-header extension of
/// `ext_words` words, and `payload_len` bytes of a payload pattern.
pub fn rtp_packet(
    ssrc: u32,
    seq: u16,
    csrcs: u8,
    ext_words: u16,
    payload_len: usize,
    fill: u8,
) -> Vec<u8> {
    let x = if ext_words > 0 { 0x10 } else { 0 };
    let mut p = vec![0x80 | x | csrcs, 96, 0, 0, 0, 0, 0, 0];
    p[2..4].copy_from_slice(&seq.to_be_bytes());
    p[4..8].copy_from_slice(&(u32::from(seq) * 960).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    for c in 0..csrcs {
        p.extend_from_slice(&(0x1000 + u32::from(c)).to_be_bytes());
    }
    if ext_words > 0 {
        p.extend_from_slice(&[0xbe, 0xde]);
        p.extend_from_slice(&ext_words.to_be_bytes());
        for w in 0..ext_words {
            p.extend_from_slice(&[0x10, w as u8, 0, 0]);
        }
    }
    p.extend((0..payload_len).map(|i| fill.wrapping_add(i as u8)));
    p
}

/// An RTCP receiver report of `ssrc` with `blocks` report blocks.
pub fn rtcp_packet(ssrc: u32, blocks: u8, fill: u8) -> Vec<u8> {
    let words = 1 + 6 * u16::from(blocks);
    let mut p = vec![0x80 | blocks, 201];
    p.extend_from_slice(&words.to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend((0..24 * usize::from(blocks)).map(|i| fill.wrapping_add(i as u8)));
    p
}

/// Master key and salt of the profile's sizes, from a seed.
pub fn master(profile: Profile, seed: u64) -> (Vec<u8>, Vec<u8>) {
    let mut r = Prng(seed | 1);
    let key = (0..profile.key_len()).map(|_| r.next() as u8).collect();
    let salt = (0..profile.salt_len()).map(|_| r.next() as u8).collect();
    (key, salt)
}

/// Delivery order of `n` packets: about `loss_percent` % dropped, the rest
/// shuffled by swaps of at most `max_displacement` positions.
pub fn lossy_reordered(
    n: usize,
    loss_percent: u64,
    max_displacement: usize,
    seed: u64,
) -> Vec<usize> {
    let mut r = Prng(seed | 1);
    let mut keyed: Vec<(usize, usize)> = (0..n)
        .filter_map(|i| {
            let lost = r.below(100) < loss_percent;
            let jitter = r.below(max_displacement as u64 + 1) as usize;
            (!lost).then_some((i + jitter, i))
        })
        .collect();
    // Sorting by i + jitter moves no packet more than `max_displacement`
    // behind the highest one delivered before it.
    keyed.sort_unstable();
    let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    order
}
