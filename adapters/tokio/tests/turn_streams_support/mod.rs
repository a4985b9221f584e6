//! What the TURN-over-TCP/TLS tests of both adapters share (the mio tests
//! include it with `#[path]`): a coturn whose certificate is issued by a
//! test CA, relay-only peer connections, and reading the selected pair
//! from `getStats()`. Runtime-independent.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant, SystemTime};

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};
use sansrtc::stats::RtcStats;
use sansrtc::{IceServer, IceTransportPolicy, PeerEvent, RtcConfiguration, RtcPeerConnection};
use sansrtc_testkit::coturn::{Coturn, CoturnPorts};

/// Every wait on the network in these tests: generous for what takes
/// well under a second on loopback.
pub const CALL_LIMIT: Duration = Duration::from_secs(20);

/// A coturn (long-term credentials test/test) whose TLS certificate, for
/// `turn.sansrtc.test` and the IP 127.0.0.1, is issued by a CA made for
/// this run; the root store trusts that CA only.
///
/// coturn's own `start.sh` certificate is self-signed with `CA:TRUE`,
/// which webpki refuses as a server certificate (`CaUsedAsEndEntity`), as
/// browsers would; `start.sh` keeps a `cert.pem`/`key.pem` it finds in its
/// state directory, so the test writes its own there first.
pub struct TestTurn {
    pub coturn: Coturn,
    pub roots: crate::rustls::RootCertStore,
    pub ports: CoturnPorts,
}

impl TestTurn {
    pub fn start(name: &str, ports: CoturnPorts) -> TestTurn {
        let dir = std::env::temp_dir().join(format!("sansrtc-{name}-coturn-{}", ports.port));
        std::fs::create_dir_all(&dir).expect("coturn state dir");

        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "sansrtc test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate().unwrap();
        let ca = ca_params.self_signed(&ca_key).unwrap();

        let mut leaf_params = CertificateParams::new(vec!["turn.sansrtc.test".to_owned()]).unwrap();
        leaf_params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "turn.sansrtc.test");
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = leaf_params.signed_by(&leaf_key, &ca, &ca_key).unwrap();
        std::fs::write(dir.join("cert.pem"), leaf.pem()).unwrap();
        std::fs::write(dir.join("key.pem"), leaf_key.serialize_pem()).unwrap();

        let coturn = Coturn::start(name, ports);
        assert_eq!(coturn.dir(), dir, "the state dir the certificate went to");
        let mut roots = crate::rustls::RootCertStore::empty();
        roots.add(ca.der().clone()).unwrap();
        TestTurn {
            coturn,
            roots,
            ports,
        }
    }

    /// coturn's TCP (and UDP) address.
    pub fn tcp_address(&self) -> SocketAddr {
        (Ipv4Addr::LOCALHOST, self.ports.port).into()
    }

    /// coturn's TLS address.
    pub fn tls_address(&self) -> SocketAddr {
        (Ipv4Addr::LOCALHOST, self.ports.tls_port).into()
    }

    pub fn turn_tcp_url(&self) -> String {
        format!("turn:127.0.0.1:{}?transport=tcp", self.ports.port)
    }

    pub fn turns_url(&self) -> String {
        format!("turns:127.0.0.1:{}?transport=tcp", self.ports.tls_port)
    }
}

/// `iceTransportPolicy: relay` with one TURN server (test/test).
pub fn relay_only(url: &str) -> RtcConfiguration {
    RtcConfiguration {
        ice_servers: vec![IceServer::new(url).with_credentials("test", "test")],
        ice_transport_policy: IceTransportPolicy::Relay,
        ..RtcConfiguration::default()
    }
}

/// A peer connection that knows its UDP socket's address `local`.
pub fn peer_connection(
    config: RtcConfiguration,
    seed: u64,
    local: SocketAddr,
    now: Instant,
) -> RtcPeerConnection {
    let mut pc = RtcPeerConnection::new(
        config,
        ChaCha20Rng::seed_from_u64(seed),
        now,
        SystemTime::now(),
    )
    .expect("RtcPeerConnection::new");
    pc.add_local_address(now, local).expect("add_local_address");
    pc
}

/// Answers a `Resolve` event for a literal address (the tests' URLs).
pub fn resolve_literal(pc: &mut RtcPeerConnection, now: Instant, event: &PeerEvent) {
    if let PeerEvent::Resolve { id, name } = event {
        let addresses: Vec<IpAddr> = name.parse().into_iter().collect();
        pc.resolved(now, *id, &addresses).expect("resolved");
    }
}

/// The selected pair's local candidate in `getStats()`: its type and the
/// protocol its relay reaches the TURN server with.
pub fn selected_local_candidate(pc: &RtcPeerConnection, now: Instant) -> (String, Option<String>) {
    let report = pc.get_stats(now);
    let pair_id = report
        .iter()
        .find_map(|(_, s)| match s {
            RtcStats::Transport(t) => t.selected_candidate_pair_id.clone(),
            _ => None,
        })
        .expect("a transport with a selected pair");
    let Some(RtcStats::CandidatePair(pair)) = report.get(&pair_id) else {
        panic!("no candidate-pair {pair_id}");
    };
    let Some(RtcStats::LocalCandidate(local)) = report.get(&pair.local_candidate_id) else {
        panic!("no local-candidate {}", pair.local_candidate_id);
    };
    (local.candidate_type.clone(), local.relay_protocol.clone())
}
