//! `RtcPeerConnection::set_dtls_versions`: what two peer connections
//! negotiate for every pair of version ranges, read back from each side's
//! `getStats()` transport (`tlsVersion`), and ranges that do not meet
//! failing the DTLS transport.

mod common;

use std::time::Duration;

use common::Pair;
use sansrtc::*;

use DtlsVersion::{Dtls12, Dtls13};

/// The `tlsVersion` of `pc`'s transport, once it has one.
fn tls_version(pc: &RtcPeerConnection, now: std::time::Instant) -> Option<String> {
    let report = serde_json::to_value(pc.get_stats(now)).unwrap();
    report
        .as_object()
        .unwrap()
        .values()
        .find(|s| s["type"] == "transport")
        .and_then(|t| t["tlsVersion"].as_str().map(str::to_owned))
}

/// a and b with the given ranges, a offering one data channel; whether the
/// channel opened within 10 s, and each side's `tlsVersion`.
fn negotiate(
    a: (DtlsVersion, DtlsVersion),
    b: (DtlsVersion, DtlsVersion),
) -> (Pair, bool, [Option<String>; 2]) {
    let mut p = Pair::new();
    p.a.set_dtls_versions(a.0, a.1).unwrap();
    p.b.set_dtls_versions(b.0, b.1).unwrap();
    let now = p.now;
    let chat =
        p.a.create_data_channel(now, DataChannelInit::new("chat"))
            .unwrap();
    p.negotiate();
    let opened = p.run_until(Duration::from_secs(10), |p| {
        Pair::opened(&p.events_a).contains(&chat)
    });
    let versions = [tls_version(&p.a, p.now), tls_version(&p.b, p.now)];
    (p, opened, versions)
}

#[test]
fn every_pair_of_ranges_that_meet_negotiates_the_highest_common_version() {
    let ranges = [(Dtls12, Dtls12), (Dtls12, Dtls13), (Dtls13, Dtls13)];
    for a in ranges {
        for b in ranges {
            let common_max = a.1.min(b.1);
            if common_max < a.0.max(b.0) {
                continue; // no common version: the next test
            }
            let (_, opened, versions) = negotiate(a, b);
            assert!(opened, "{a:?} with {b:?}");
            let wire = format!("{:04X}", common_max.wire());
            assert_eq!(
                versions,
                [Some(wire.clone()), Some(wire)],
                "{a:?} with {b:?}"
            );
        }
    }
}

#[test]
fn ranges_that_do_not_meet_fail_the_transport_on_both_sides() {
    for (a, b) in [
        ((Dtls12, Dtls12), (Dtls13, Dtls13)),
        ((Dtls13, Dtls13), (Dtls12, Dtls12)),
    ] {
        let (p, opened, versions) = negotiate(a, b);
        assert!(!opened, "{a:?} with {b:?}");
        assert_eq!(versions, [None, None], "{a:?} with {b:?}");
        assert_eq!(
            p.a.connection_state(),
            PeerConnectionState::Failed,
            "{a:?} with {b:?}"
        );
        assert_eq!(
            p.b.connection_state(),
            PeerConnectionState::Failed,
            "{a:?} with {b:?}"
        );
    }
}

#[test]
fn an_empty_range_is_refused_and_changes_nothing() {
    let mut p = Pair::new();
    p.a.set_dtls_versions(Dtls12, Dtls12).unwrap();
    let err = p.a.set_dtls_versions(Dtls13, Dtls12).unwrap_err();
    assert!(matches!(err, RtcError::InvalidArgument(_)), "{err}");
    assert_eq!(p.a.dtls_versions(), Dtls12..=Dtls12);
    assert_eq!(p.b.dtls_versions(), Dtls12..=Dtls13, "the default");
}

#[test]
fn a_closed_connection_refuses_a_new_range() {
    let mut p = Pair::new();
    let now = p.now;
    p.a.close(now);
    assert!(matches!(
        p.a.set_dtls_versions(Dtls12, Dtls12),
        Err(RtcError::Closed)
    ));
}
