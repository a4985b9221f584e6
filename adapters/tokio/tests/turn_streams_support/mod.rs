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

/// What [`StreamClient`] tells the test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamClientEvent {
    /// Stream bytes, as read.
    Bytes {
        protocol: sansrtc::Protocol,
        from: SocketAddr,
        at: SocketAddr,
        bytes: Vec<u8>,
    },
    /// `handle_stream_closed`.
    Closed {
        local: SocketAddr,
        remote: SocketAddr,
        protocol: sansrtc::Protocol,
    },
}

/// A machine that sends TCP frames on command and reports what comes back
/// and which streams closed.
#[derive(Default)]
pub struct StreamClient {
    outbox: std::collections::VecDeque<sansrtc::Output<sansrtc::Transmit, StreamClientEvent>>,
}

impl StreamClient {
    /// A command: one frame from `local` to `remote` over TCP.
    pub fn send(&mut self, local: SocketAddr, remote: SocketAddr, frame: Vec<u8>) {
        self.outbox
            .push_back(sansrtc::Output::Transmit(sansrtc::Transmit {
                protocol: sansrtc::Protocol::Tcp,
                source: local,
                destination: remote,
                contents: frame,
            }));
    }
}

impl sansrtc::Machine for StreamClient {
    type Event = StreamClientEvent;
    fn handle_receive(&mut self, _now: Instant, d: sansrtc::Receive<'_>) {
        self.outbox
            .push_back(sansrtc::Output::Event(StreamClientEvent::Bytes {
                protocol: d.protocol,
                from: d.source,
                at: d.destination,
                bytes: d.contents.to_vec(),
            }));
    }
    fn handle_timeout(&mut self, _now: Instant) {}
    fn poll_output(&mut self) -> sansrtc::Output<sansrtc::Transmit, StreamClientEvent> {
        self.outbox
            .pop_front()
            .unwrap_or(sansrtc::Output::Timeout(None))
    }
    fn handle_stream_closed(
        &mut self,
        _now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        protocol: sansrtc::Protocol,
    ) {
        self.outbox
            .push_back(sansrtc::Output::Event(StreamClientEvent::Closed {
                local,
                remote,
                protocol,
            }));
    }
}

/// A TCP server on 127.0.0.1 in a thread: the first connection is closed
/// after `close_first_after` bytes were read from it (nothing echoed);
/// every other one is echoed back until its client closes. Accepts at most
/// 4 connections, each read bounded by a 10 s timeout.
pub fn echo_server(close_first_after: usize) -> SocketAddr {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().take(4).enumerate() {
            let Ok(mut stream) = stream else { return };
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            std::thread::spawn(move || {
                let mut buf = vec![0; 65536];
                let mut total = 0;
                while let Ok(k) = stream.read(&mut buf) {
                    if k == 0 {
                        return;
                    }
                    total += k;
                    if n == 0 {
                        if total >= close_first_after {
                            return; // dropped: closed
                        }
                    } else if stream.write_all(&buf[..k]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    address
}

/// The frames the echo tests send: every size from 0 to 300 bytes, then
/// 40 of 10 KiB (about 450 KiB in all, within `STREAM_QUEUE_LIMIT`), each
/// byte numbered so a reordering would show.
pub fn echo_frames() -> Vec<Vec<u8>> {
    let mut counter = 0u8;
    let mut next = || {
        counter = counter.wrapping_add(7);
        counter
    };
    let mut frames: Vec<Vec<u8>> = (0..=300)
        .map(|n| (0..n).map(|_| next()).collect())
        .collect();
    frames.extend((0..40).map(|_| (0..10 * 1024).map(|_| next()).collect()));
    frames
}
