//! Feeds arbitrary bytes to SRTP and SRTCP unprotect under every profile,
//! on one long-lived receiver per profile (so replay windows and ROC state
//! are exercised too), and to protect. Any panic is a bug; nothing that
//! does not authenticate may create stream state.
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
    let config = SrtpConfig::default().with_replay_window(64 + usize::from(selector));
    let mut rx = SrtpContext::new(profile, &key, &salt, config).expect("valid keys");

    let mut buf = rest.to_vec();
    assert!(rx.unprotect_rtp_in_place(&mut buf).is_err());
    let mut buf = rest.to_vec();
    assert!(rx.unprotect_rtcp_in_place(&mut buf).is_err());
    assert_eq!(rx.receive_streams(), 0);

    // Protect whatever the input is, then the receiver must accept it
    // (a valid RTP/RTCP header) or have refused it already on the sender.
    let mut tx = SrtpContext::new(profile, &key, &salt, config).expect("valid keys");
    let mut buf = rest.to_vec();
    buf.resize(rest.len() + tx.rtp_overhead(), 0);
    if let Ok(n) = tx.protect_rtp_in_place(&mut buf, rest.len()) {
        let m = rx
            .unprotect_rtp_in_place(&mut buf[..n])
            .expect("own packet");
        assert_eq!(&buf[..m], rest);
    }
    let mut buf = rest.to_vec();
    buf.resize(rest.len() + tx.rtcp_overhead(), 0);
    if let Ok(n) = tx.protect_rtcp_in_place(&mut buf, rest.len()) {
        let m = rx
            .unprotect_rtcp_in_place(&mut buf[..n])
            .expect("own packet");
        assert_eq!(&buf[..m], rest);
    }
});
