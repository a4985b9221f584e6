//! Compound RTCP iteration: the packets tile the datagram up to the first error.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sansrtc_rtp_fuzz::check_rtcp(data);
});
