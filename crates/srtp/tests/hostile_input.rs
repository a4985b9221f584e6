//! No panic on arbitrary bytes (the proptest twin of fuzz/unprotect):
//! unprotect of random SRTP/SRTCP, and of real packets with random damage,
//! never panics, never creates state for what does not authenticate, and
//! never stops a good packet from being accepted afterwards.

mod common;

use common::{master, rtp_packet};
use proptest::prelude::*;
use sansrtc_srtp::{Profile, SrtpConfig, SrtpContext};

fn profile(i: u8) -> Profile {
    Profile::ALL[usize::from(i) % Profile::ALL.len()]
}

fn ctx(p: Profile) -> SrtpContext {
    let (k, s) = master(p, 5);
    SrtpContext::new(p, &k, &s, SrtpConfig::default()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn unprotect_arbitrary_bytes(p in 0u8..4, mut data in proptest::collection::vec(any::<u8>(), 0..1500)) {
        let mut rx = ctx(profile(p));
        let mut copy = data.clone();
        prop_assert!(rx.unprotect_rtp_in_place(&mut data).is_err());
        prop_assert!(rx.unprotect_rtcp_in_place(&mut copy).is_err());
        prop_assert_eq!(rx.receive_streams(), 0);
    }

    #[test]
    fn protect_arbitrary_bytes(p in 0u8..4, data in proptest::collection::vec(any::<u8>(), 0..300), room in 0usize..40) {
        let mut tx = ctx(profile(p));
        let mut buf = data.clone();
        buf.resize(data.len() + room, 0);
        let _ = tx.protect_rtp_in_place(&mut buf, data.len());
        let mut buf = data.clone();
        buf.resize(data.len() + room, 0);
        let _ = tx.protect_rtcp_in_place(&mut buf, data.len());
    }

    #[test]
    fn damaged_real_packets(p in 0u8..4, edits in proptest::collection::vec((any::<u16>(), any::<u8>()), 1..6), cut in 0usize..8) {
        let pr = profile(p);
        let mut tx = ctx(pr);
        let mut rx = ctx(pr);
        let mut good = rtp_packet(1, 7, 1, 1, 50, 3);
        let plain = good.clone();
        tx.protect_rtp(&mut good).unwrap();
        let mut bad = good.clone();
        for (at, x) in &edits {
            let i = usize::from(*at) % bad.len();
            bad[i] ^= x | 1;
        }
        bad.truncate(bad.len() - cut.min(bad.len()));
        prop_assert!(rx.unprotect_rtp(&mut bad).is_err());
        let mut ok = good.clone();
        prop_assert!(rx.unprotect_rtp(&mut ok).is_ok());
        prop_assert_eq!(ok, plain);
    }
}
