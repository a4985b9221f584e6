//! RTCP APP, packet type 204, forced into the input's header: the compound
//! iterator, the typed reader (parse, write, parse again), the demultiplexer and an SRTCP protect/unprotect round trip.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sansrtc_rtp_fuzz::check_rtcp_type(204, data);
});
