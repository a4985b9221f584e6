//! SRTP unprotect (RFC 3711, RFC 7714) of arbitrary datagrams under every
//! profile, on a receiver that already holds a stream (an authentic packet
//! of SSRC 0x01020304 was accepted first), so that ROC estimation and the
//! replay window see hostile sequence numbers. Nothing unauthenticated may
//! be accepted or create stream state.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_srtp::{Profile, SrtpConfig, SrtpContext};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let profile = Profile::ALL[usize::from(selector) % Profile::ALL.len()];
    let key = vec![0x11; profile.key_len()];
    let salt = vec![0x22; profile.salt_len()];
    let config = SrtpConfig::default();
    let mut tx = SrtpContext::new(profile, &key, &salt, config).unwrap();
    let mut rx = SrtpContext::new(profile, &key, &salt, config).unwrap();
    let mut first = vec![0x80, 96, 0x12, 0x34, 0, 0, 0, 1, 1, 2, 3, 4, 0xAA, 0xBB];
    tx.protect_rtp(&mut first).unwrap();
    rx.unprotect_rtp(&mut first).expect("authentic packet");
    assert_eq!(rx.receive_streams(), 1);
    let mut buf = rest.to_vec();
    assert!(
        rx.unprotect_rtp_in_place(&mut buf).is_err(),
        "forged SRTP accepted"
    );
    assert_eq!(rx.receive_streams(), 1);
    let mut v = rest.to_vec();
    assert!(rx.unprotect_rtp(&mut v).is_err());
    let _ = rx.roc(0x0102_0304);
});
