//! RFC 7983 demultiplexer: total, and consistent with the first byte; then the RTP and RTCP readers on the same bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sansrtc_rtp_fuzz::check_demux(data);
    sansrtc_rtp_fuzz::check_rtp(data);
    sansrtc_rtp_fuzz::check_rtcp(data);
});
