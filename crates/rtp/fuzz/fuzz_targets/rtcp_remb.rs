//! RTCP REMB (PSFB 206, FMT 15, the "REMB" identifier put in place), forced into the input's header:
//! the compound iterator, the typed reader (parse, write, parse again), the demultiplexer
//! and an SRTCP protect/unprotect round trip.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sansrtc_rtp_fuzz::check_rtcp_type_fmt(206, Some(15), data);
});
