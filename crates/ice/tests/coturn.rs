//! The agent against a real coturn on loopback (`../shared/coturn`): relay
//! gathering over UDP, TCP and TLS, the srflx answer pruned as redundant on
//! loopback, two relay-only agents exchanging data through coturn, and the
//! candidate-error event for wrong credentials.
//!
//! Starts its own coturn (ports 3698 / 5569, relay ports 50400–50499) and
//! stops it in a Drop guard. Real sockets and the real clock: test code.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_config::{IceHost, IceTransportPolicy};
use sansrtc_ice::{
    Agent, AgentConfig, IceConnectionState, IceEvent, IceGatheringState, IceServerEntry, Received,
};
use sansrtc_proto::{Output, Protocol, Receive};
use sansrtc_sdp::CandidateKind;
use sansrtc_testkit::coturn::{Coturn, CoturnPorts};
use sansrtc_testkit::openssl::SClient;

const PORT: u16 = 3698;
const TLS_PORT: u16 = 5569;

fn loopback() -> IceHost {
    IceHost::Ipv4(Ipv4Addr::LOCALHOST)
}

fn turn(protocol: Protocol, password: &str) -> IceServerEntry {
    let t = if protocol == Protocol::Udp {
        "udp"
    } else {
        "tcp"
    };
    IceServerEntry::turn(
        &format!("turn:127.0.0.1:{PORT}?transport={t}"),
        loopback(),
        PORT,
        protocol,
        "test",
        password,
    )
}

/// An agent on a real UDP socket (and TCP/TLS streams to TURN servers).
struct Live {
    agent: Agent,
    udp: UdpSocket,
    base: SocketAddr,
    tcp: BTreeMap<SocketAddr, TcpStream>,
    /// TLS through `openssl s_client` children (they verify coturn's
    /// certificate against its IP SAN): the adapter's TLS streams.
    tls: BTreeMap<SocketAddr, SClient>,
    cert: Option<PathBuf>,
    events: Vec<IceEvent>,
    data: Vec<Vec<u8>>,
    next: Option<Instant>,
}

impl Live {
    fn new(config: AgentConfig, seed: u64) -> Live {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let base = udp.local_addr().unwrap();
        let mut agent = Agent::new(config, ChaCha20Rng::seed_from_u64(seed)).unwrap();
        agent.add_local_address(Instant::now(), base).unwrap();
        Live {
            agent,
            udp,
            base,
            tcp: BTreeMap::new(),
            tls: BTreeMap::new(),
            cert: None,
            events: Vec::new(),
            data: Vec::new(),
            next: None,
        }
    }

    fn drain(&mut self) {
        loop {
            match self.agent.poll_output() {
                Output::Transmit(t) => match t.protocol {
                    Protocol::Udp => {
                        let _ = self.udp.send_to(&t.contents, t.destination);
                    }
                    Protocol::Tls => {
                        let cert = self.cert.clone().expect("a TLS server needs the cert");
                        let link = self
                            .tls
                            .entry(t.destination)
                            .or_insert_with(|| SClient::connect(&cert, t.destination));
                        link.send(&t.contents);
                    }
                    Protocol::Tcp => {
                        let stream = self.tcp.entry(t.destination).or_insert_with(|| {
                            let s = TcpStream::connect(t.destination).unwrap();
                            s.set_nonblocking(true).unwrap();
                            s
                        });
                        stream.set_nonblocking(false).unwrap();
                        stream.write_all(&t.contents).unwrap();
                        stream.set_nonblocking(true).unwrap();
                    }
                },
                Output::Event(IceEvent::Data { data, .. }) => self.data.push(data),
                Output::Event(e) => self.events.push(e),
                Output::Timeout(t) => {
                    self.next = t;
                    return;
                }
            }
        }
    }

    /// Receives for up to `wait`, fires due timers, drains.
    fn pump(&mut self, wait: Duration) {
        self.drain();
        let mut buf = vec![0u8; 65536];
        self.udp
            .set_read_timeout(Some(wait.max(Duration::from_millis(1))))
            .unwrap();
        if let Ok((n, from)) = self.udp.recv_from(&mut buf) {
            let rx = Receive {
                protocol: Protocol::Udp,
                source: from,
                destination: self.base,
                contents: &buf[..n],
            };
            if let Received::Data { data, .. } = self.agent.handle_receive(Instant::now(), rx) {
                self.data.push(data.to_vec());
            }
        }
        let servers: Vec<SocketAddr> = self.tcp.keys().copied().collect();
        for server in servers {
            let stream = self.tcp.get_mut(&server).unwrap();
            match stream.read(&mut buf) {
                Ok(n) if n > 0 => {
                    let rx = Receive {
                        protocol: Protocol::Tcp,
                        source: server,
                        destination: self.base,
                        contents: &buf[..n],
                    };
                    self.agent.handle_receive(Instant::now(), rx);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                _ => {}
            }
        }
        let servers: Vec<SocketAddr> = self.tls.keys().copied().collect();
        for server in servers {
            while let Ok(bytes) = self.tls[&server].try_recv() {
                let rx = Receive {
                    protocol: Protocol::Tls,
                    source: server,
                    destination: self.base,
                    contents: &bytes,
                };
                self.agent.handle_receive(Instant::now(), rx);
            }
        }
        let now = Instant::now();
        if self.next.is_some_and(|t| t <= now) {
            self.agent.handle_timeout(now);
        }
        self.drain();
    }

    fn candidates(&self, kind: CandidateKind) -> Vec<SocketAddr> {
        self.events
            .iter()
            .filter_map(|e| match e {
                IceEvent::LocalCandidate(c) if c.kind == kind => {
                    Some(SocketAddr::new(c.address.ip()?, c.port))
                }
                _ => None,
            })
            .collect()
    }

    fn gathered(&self) -> bool {
        self.events
            .contains(&IceEvent::GatheringState(IceGatheringState::Complete))
    }
}

fn gather(live: &mut Live) {
    live.agent.gather(Instant::now());
    let end = Instant::now() + Duration::from_secs(15);
    while !live.gathered() && Instant::now() < end {
        live.pump(Duration::from_millis(5));
    }
    assert!(
        live.gathered(),
        "gathering did not complete: {:?}",
        live.events
    );
}

#[test]
fn coturn_relay_gathering_two_relay_only_agents_and_wrong_credentials() {
    let _coturn = Coturn::start(
        "ice",
        CoturnPorts {
            port: PORT,
            tls_port: TLS_PORT,
            min_relay: 50400,
            max_relay: 50499,
        },
    );
    let stun = IceServerEntry::stun(&format!("stun:127.0.0.1:{PORT}"), loopback(), PORT);

    // 1. UDP to the server: a relay candidate on coturn's relay range, and
    //    the srflx answer (equal to the base on loopback) pruned as redundant.
    let mut udp = Live::new(
        AgentConfig {
            servers: vec![stun.clone(), turn(Protocol::Udp, "test")],
            ..AgentConfig::default()
        },
        1,
    );
    gather(&mut udp);
    let relays = udp.candidates(CandidateKind::Relay);
    assert_eq!(relays.len(), 1, "{:?}", udp.events);
    assert!((50400..=50499).contains(&relays[0].port()), "{relays:?}");
    assert_eq!(relays[0].ip(), IpAddr::from(Ipv4Addr::LOCALHOST));
    assert_eq!(udp.candidates(CandidateKind::Host), vec![udp.base]);
    assert!(udp.candidates(CandidateKind::ServerReflexive).is_empty());
    assert!(
        udp.agent.stats().redundant_pruned >= 1,
        "{:?}",
        udp.agent.stats()
    );
    udp.agent.close(Instant::now());
    udp.pump(Duration::from_millis(50));

    // 2. TCP to the server: the same, over a stream the test opens.
    let mut tcp = Live::new(
        AgentConfig {
            servers: vec![turn(Protocol::Tcp, "test")],
            ..AgentConfig::default()
        },
        2,
    );
    gather(&mut tcp);
    assert_eq!(tcp.tcp.len(), 1, "one TCP connection to coturn");
    let relays = tcp.candidates(CandidateKind::Relay);
    assert_eq!(relays.len(), 1, "{:?}", tcp.events);
    assert!((50400..=50499).contains(&relays[0].port()), "{relays:?}");
    // The adapter's stream breaks: the relay is lost, reported as 701.
    let server = *tcp.tcp.keys().next().unwrap();
    tcp.tcp.clear();
    tcp.agent
        .handle_stream_closed(Instant::now(), tcp.base, server);
    tcp.drain();
    assert!(
        tcp.events
            .iter()
            .any(|e| matches!(e, IceEvent::CandidateError { code: 701, .. })),
        "{:?}",
        tcp.events
    );

    // 2b. TLS to the server (turns:): the adapter (openssl s_client here)
    //     terminates TLS, the agent sees the plaintext stream.
    let mut tls = Live::new(
        AgentConfig {
            servers: vec![IceServerEntry::turn(
                &format!("turns:127.0.0.1:{TLS_PORT}"),
                loopback(),
                TLS_PORT,
                Protocol::Tls,
                "test",
                "test",
            )],
            ..AgentConfig::default()
        },
        6,
    );
    tls.cert = Some(_coturn.cert());
    gather(&mut tls);
    assert_eq!(tls.tls.len(), 1, "one TLS stream to coturn");
    let relays = tls.candidates(CandidateKind::Relay);
    assert_eq!(relays.len(), 1, "{:?}", tls.events);
    assert!((50400..=50499).contains(&relays[0].port()), "{relays:?}");
    drop(tls);

    // 3. Wrong credentials: the icecandidateerror-like event, no relay.
    let mut wrong = Live::new(
        AgentConfig {
            servers: vec![turn(Protocol::Udp, "not-the-password")],
            ..AgentConfig::default()
        },
        3,
    );
    gather(&mut wrong);
    let errors: Vec<(String, u16)> = wrong
        .events
        .iter()
        .filter_map(|e| match e {
            IceEvent::CandidateError { url, code, .. } => Some((url.clone(), *code)),
            _ => None,
        })
        .collect();
    assert_eq!(
        errors,
        vec![(format!("turn:127.0.0.1:{PORT}?transport=udp"), 401)]
    );
    assert!(wrong.candidates(CandidateKind::Relay).is_empty());

    // 4. Two relay-only agents connect through coturn and exchange data,
    //    one of them over a TCP connection to the server.
    let relay_only = |controlling, protocol| AgentConfig {
        controlling,
        transport_policy: IceTransportPolicy::Relay,
        servers: vec![turn(protocol, "test")],
        ..AgentConfig::default()
    };
    // A reaches coturn over UDP, B over TCP.
    let mut a = Live::new(relay_only(true, Protocol::Udp), 4);
    let mut b = Live::new(relay_only(false, Protocol::Tcp), 5);
    let (ca, cb) = (
        a.agent.local_credentials().clone(),
        b.agent.local_credentials().clone(),
    );
    let now = Instant::now();
    a.agent
        .set_remote_credentials(now, &cb.ufrag, &cb.pwd)
        .unwrap();
    b.agent
        .set_remote_credentials(now, &ca.ufrag, &ca.pwd)
        .unwrap();
    a.agent.gather(now);
    b.agent.gather(now);
    let (mut sent_a, mut sent_b) = (0, 0);
    let connected = |l: &Live| {
        matches!(
            l.agent.connection_state(),
            IceConnectionState::Connected | IceConnectionState::Completed
        )
    };
    let end = Instant::now() + Duration::from_secs(20);
    let mut exchanged = false;
    while Instant::now() < end {
        a.pump(Duration::from_millis(2));
        b.pump(Duration::from_millis(2));
        let now = Instant::now();
        for e in &a.events[sent_a..] {
            if let IceEvent::LocalCandidate(c) = e {
                assert_eq!(c.kind, CandidateKind::Relay, "relay policy");
                b.agent.add_remote_candidate(now, c).unwrap();
            }
        }
        sent_a = a.events.len();
        for e in &b.events[sent_b..] {
            if let IceEvent::LocalCandidate(c) = e {
                assert_eq!(c.kind, CandidateKind::Relay, "relay policy");
                a.agent.add_remote_candidate(now, c).unwrap();
            }
        }
        sent_b = b.events.len();
        if connected(&a) && connected(&b) && !exchanged {
            a.agent.send(now, 1, b"through coturn, from a").unwrap();
            // By value, as the peer connection sends: on a relayed path
            // the agent frames it for the relay and queues it itself.
            let direct = b
                .agent
                .send_owned_direct(now, 1, b"through coturn, from b".to_vec())
                .unwrap();
            assert!(
                direct.is_none(),
                "a relayed datagram is the agent's to send"
            );
            exchanged = true;
        }
        if !a.data.is_empty() && !b.data.is_empty() {
            break;
        }
    }
    assert!(
        connected(&a) && connected(&b),
        "A {:?} B {:?}",
        a.agent.connection_state(),
        b.agent.connection_state()
    );
    let sel = a.agent.selected_pair(1).unwrap();
    assert_eq!(
        (sel.local_kind, sel.remote_kind),
        (CandidateKind::Relay, CandidateKind::Relay)
    );
    assert_eq!(b.data, vec![b"through coturn, from a".to_vec()]);
    assert_eq!(a.data, vec![b"through coturn, from b".to_vec()]);
    assert_eq!((a.tcp.len(), b.tcp.len()), (0, 1));
    a.agent.close(Instant::now());
    b.agent.close(Instant::now());
    a.pump(Duration::from_millis(20));
    b.pump(Duration::from_millis(20));

    // 5. The ice_gather example (built by `cargo test`) against the same coturn.
    ice_gather_example();
}

/// `target/debug/examples/ice_gather`, next to this test's binary.
fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    dir.join("examples").join("ice_gather")
}

fn ice_gather_example() {
    let bin = example_binary();
    assert!(bin.is_file(), "{} not built", bin.display());
    let dir = std::env::temp_dir().join(format!("sansrtc-ice-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"iceServers": [
                {{"urls": "stun:127.0.0.1:{PORT}"}},
                {{"urls": "turn:127.0.0.1:{PORT}?transport=tcp", "username": "test", "credential": "test"}},
                {{"urls": "turn:localhost:{PORT}", "username": "test", "credential": "wrong"}}
            ]}}"#
        ),
    )
    .unwrap();
    let out = Command::new(&bin)
        .arg(&config)
        .args(["--local-address", "127.0.0.1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("a=candidate:") && l.contains(" typ host")),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("a=candidate:") && l.contains(" typ relay")),
        "{stdout}"
    );
    assert!(
        lines.contains(&format!("error: turn:localhost:{PORT} 401 Unauthorized").as_str())
            || lines
                .iter()
                .any(|l| l.starts_with(&format!("error: turn:localhost:{PORT} 401 "))),
        "{stdout}"
    );
    for l in &lines {
        let value = l.strip_prefix("a=").unwrap_or(l);
        if value.starts_with("candidate:") {
            value.parse::<sansrtc_sdp::Candidate>().unwrap();
        }
    }
    // A configuration error: exit 1 with the DOM error name.
    std::fs::write(&config, r#"{"iceServers": [{"urls": "turn:t.example"}]}"#).unwrap();
    let out = Command::new(&bin).arg(&config).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("InvalidAccessError"));
    // Bad arguments: exit 2.
    let out = Command::new(&bin)
        .args(["--local-address", "not-an-ip"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
