//! A connected pair of peer connections fed a hostile sequence chosen by
//! the fuzzer: datagrams at every layer, mangled descriptions, odd
//! candidates, sends and time (the driver is the one the
//! `hostile_sequences` test runs on seeded input).
//!
//! The driver (`tests/common/hostile.rs`) is compiled here as it is, but
//! what it sees as `super` is this file rather than the test harness: the
//! pair it connects uses the two certificates of
//! [`sansrtc_fuzz::pair_certificates`], generated once per process, where
//! the harness's `Pair::connected` has each connection generate its own for
//! every input.
#![no_main]

use std::ops::{Deref, DerefMut};

use sansrtc::*;

/// The test harness (`Pair`, the in-memory network), as it is.
#[path = "../../tests/common/mod.rs"]
mod shared;

/// The hostile driver, whose `super` is this file.
#[path = "../../tests/common/hostile.rs"]
mod hostile;

pub use shared::{ADDR_A, ADDR_B};

/// The test harness's pair, built with pregenerated certificates.
pub struct Pair(shared::Pair);

impl Pair {
    /// `shared::Pair::connected`, with [`sansrtc_fuzz::pair_configurations`].
    pub fn connected(label: &str) -> (Pair, ChannelId) {
        let (ca, cb) = sansrtc_fuzz::pair_configurations();
        let (p, channel) = shared::Pair::connected_with_configs(ca, cb, label);
        (Pair(p), channel)
    }
}

impl Deref for Pair {
    type Target = shared::Pair;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Pair {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hostile::run(data);
});
