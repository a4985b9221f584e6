//! A connected pair of peer connections fed a hostile sequence chosen by
//! the fuzzer: datagrams at every layer, mangled descriptions, odd
//! candidates, sends and time (the driver is the one the
//! `hostile_sequences` test runs on seeded input).
//!
//! The driver (`tests/common/hostile.rs`) is compiled here as it is, but
//! what it sees as `super` is this file rather than the test harness: its
//! `Pair::connected` clones a pair connected once per process (with the two
//! certificates of [`sansrtc_fuzz::pair_certificates`]), where the
//! harness's connects a new pair (ICE, a DTLS handshake, SCTP and the
//! channel's DCEP) for every input. The connection runs before the first
//! byte of input is read, so it was the same for every input: cloning it
//! loses no input-dependent coverage. Time is the pair's simulated clock
//! (`Pair::now`), which the clone carries; the wall clock is read only
//! when the pair is built.
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

/// The label of the snapshot's channel (the one the driver asks for).
const LABEL: &str = "chat";

thread_local! {
    /// `shared::Pair::connected`, with
    /// [`sansrtc_fuzz::pair_configurations`], once per process (libFuzzer
    /// runs the inputs on one thread).
    static SNAPSHOT: (shared::Pair, ChannelId) = {
        let (ca, cb) = sansrtc_fuzz::pair_configurations();
        shared::Pair::connected_with_configs(ca, cb, LABEL)
    };
}

/// The test harness's pair, built with pregenerated certificates.
pub struct Pair(shared::Pair);

impl Pair {
    /// A clone of the pair connected once per process, with a channel
    /// `label` open (always the driver's `"chat"`).
    pub fn connected(label: &str) -> (Pair, ChannelId) {
        assert_eq!(label, LABEL, "the snapshot has one channel");
        SNAPSHOT.with(|(p, channel)| (Pair(p.clone()), *channel))
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
