//! SRTCP unprotect (RFC 3711 §3.4, RFC 7714 §9) of arbitrary datagrams
//! under every profile, on a receiver that already accepted an authentic
//! packet of the same SSRC. Nothing unauthenticated may be accepted or
//! create stream state.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_srtp::{Profile, SrtpConfig, SrtpContext};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let profile = Profile::ALL[usize::from(selector) % Profile::ALL.len()];
    let key = vec![0x33; profile.key_len()];
    let salt = vec![0x44; profile.salt_len()];
    let config = SrtpConfig::default();
    let mut tx = SrtpContext::new(profile, &key, &salt, config).unwrap();
    let mut rx = SrtpContext::new(profile, &key, &salt, config).unwrap();
    // A receiver report: V=2, RC=0, PT=201, length 1, SSRC.
    let mut first = vec![0x80, 201, 0, 1, 1, 2, 3, 4];
    tx.protect_rtcp(&mut first).unwrap();
    rx.unprotect_rtcp(&mut first).expect("authentic packet");
    let streams = rx.receive_streams();
    let mut buf = rest.to_vec();
    assert!(
        rx.unprotect_rtcp_in_place(&mut buf).is_err(),
        "forged SRTCP accepted"
    );
    let mut v = rest.to_vec();
    assert!(rx.unprotect_rtcp(&mut v).is_err());
    assert_eq!(rx.receive_streams(), streams);
});
