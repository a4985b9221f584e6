//! RTP header reader: accessors agree with the bytes; header, payload and padding partition the packet.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sansrtc_rtp_fuzz::check_rtp(data);
});
