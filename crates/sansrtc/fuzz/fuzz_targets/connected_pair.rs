//! A connected pair of peer connections fed a hostile sequence chosen by
//! the fuzzer: datagrams at every layer, mangled descriptions, odd
//! candidates, sends and time (the driver is the one the
//! `hostile_sequences` test runs on seeded input).
#![no_main]

#[path = "../../tests/common/mod.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::hostile::run(data);
});
