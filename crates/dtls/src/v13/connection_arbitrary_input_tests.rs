//! Property tests of the DTLS 1.3 connection: arbitrary datagrams, and
//! real handshake datagrams with one byte changed, fed to a client and a
//! server at every stage of a handshake, never panic, and nothing that
//! did not come from the peer is delivered as application data.

use std::sync::OnceLock;
use std::time::Duration;

use proptest::prelude::*;
use sansrtc_proto::Output;

use super::connection_event::Dtls13Event;
use super::connection_test_support::{config_pair, ecdsa_identity, Impairment, Pair};

/// The datagrams of one lossless handshake and a record each way.
fn recorded_datagrams() -> &'static Vec<Vec<u8>> {
    static DATAGRAMS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    DATAGRAMS.get_or_init(|| {
        let (client, server) = config_pair(ecdsa_identity(), ecdsa_identity());
        let mut pair = Pair::new(client, server, 40, Impairment::default());
        pair.run(Duration::from_secs(10));
        pair.client.send_application_data(b"ping").unwrap();
        pair.run(Duration::from_secs(10));
        pair.client_log
            .datagrams
            .iter()
            .chain(&pair.server_log.datagrams)
            .cloned()
            .collect()
    })
}

/// Feeds `datagrams` to a fresh pair's both sides between the steps of
/// its own handshake; checks no foreign application data comes out.
fn feed_during_handshake(datagrams: &[Vec<u8>]) {
    let (client, server) = config_pair(ecdsa_identity(), ecdsa_identity());
    let mut pair = Pair::new(client, server, 41, Impairment::default());
    for _ in 0..4 {
        pair.run(Duration::from_millis(10));
        let now = pair.now;
        for d in datagrams {
            pair.client.handle_receive(now, d);
            pair.server.handle_receive(now, d);
        }
    }
    pair.run(Duration::from_secs(30));
    for side in [&mut pair.client, &mut pair.server] {
        while let Output::Transmit(_) | Output::Event(_) = side.poll_output() {}
    }
    for log in [&pair.client_log, &pair.server_log] {
        assert!(!log
            .events
            .iter()
            .any(|e| matches!(e, Dtls13Event::ApplicationData(_))));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Arbitrary datagrams.
    #[test]
    fn arbitrary_datagrams_never_panic(
        datagrams in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..400), 1..4)
    ) {
        feed_during_handshake(&datagrams);
    }

    /// Real datagrams (from another handshake) with one byte changed.
    #[test]
    fn mutated_real_datagrams_never_panic(index in any::<usize>(), position in any::<usize>(), value in any::<u8>()) {
        let recorded = recorded_datagrams();
        let mut d = recorded[index % recorded.len()].clone();
        let p = position % d.len();
        d[p] ^= value.max(1);
        feed_during_handshake(&[d]);
    }
}
