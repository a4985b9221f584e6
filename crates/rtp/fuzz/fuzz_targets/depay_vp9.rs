//! The Vp9 depayloader fed a packet sequence cut out of the input, or a
//! payloader → depayloader round trip of the input as a frame (see
//! `sansrtc_rtp_fuzz::codec`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sansrtc_rtp_fuzz::codec::check_codec(sansrtc_rtp::codec::Codec::Vp9, data);
});
