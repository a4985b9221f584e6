//! Compound RTCP iteration: the packets tile the datagram up to the first error;
//! every packet the typed reader reads writes back and reads as the same packet.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sansrtc_rtp_fuzz::check_rtcp(data);
    sansrtc_rtp_fuzz::check_rtcp_typed(data);
});
