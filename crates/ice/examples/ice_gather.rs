//! Gathers ICE candidates for an `RTCConfiguration` and prints them.
//!
//! ```text
//! cargo run -p sansrtc-ice --example ice_gather -- CONFIG.json [--local-address IP]…
//! ```
//!
//! Reads an `RTCConfiguration` in the W3C JSON shape, binds a UDP socket on
//! each local address (default 127.0.0.1; two with `rtcpMuxPolicy:
//! negotiate`), gathers, prints each candidate as an SDP line
//! (`a=candidate:…`) as it appears and each candidate error as
//! `error: URL CODE TEXT`, and exits 0 when gathering is complete. Exit
//! codes: 1 configuration error (its DOM error name is printed), 2 bad
//! arguments or unreadable file, 3 gathering not complete within 45 s.
//!
//! The example is the I/O adapter: real sockets, the real clock, DNS for
//! server names (answering the agent's resolve requests) and TCP streams
//! for `turn:…?transport=tcp`. `turns:` needs a TLS adapter, which this
//! example does not have: such servers are reported as errors.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_config::{CertificateRegistry, RtcConfiguration, RtcConfigurationState};
use sansrtc_ice::{Agent, AgentConfig, IceEvent, IceGatheringState};
use sansrtc_proto::{Output, Protocol, Receive};

const USAGE: &str = "usage: ice_gather CONFIG.json [--local-address IP]…";
/// An unreachable UDP server times out after 39.5 s (RFC 8489 §6.2.1).
const DEADLINE: Duration = Duration::from_secs(45);

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut ips: Vec<IpAddr> = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "--local-address" {
            match args.next().map(|s| s.parse::<IpAddr>()) {
                Some(Ok(ip)) => ips.push(ip),
                _ => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            }
        } else if path.is_none() && !arg.starts_with("--") {
            path = Some(arg);
        } else {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    }
    let Some(path) = path else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if ips.is_empty() {
        ips.push(IpAddr::from([127, 0, 0, 1]));
    }
    let json = match std::fs::read_to_string(&path) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let state = RtcConfiguration::from_json_str(&json, &CertificateRegistry::new())
        .and_then(|c| RtcConfigurationState::construct(c, SystemTime::now()));
    let state = match state {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}: {e}", e.dom_name());
            return ExitCode::from(1);
        }
    };
    let mut config = AgentConfig::from_rtc(&state, true);
    config.servers.retain(|s| {
        let tls = s.turn.is_some_and(|t| t.protocol == Protocol::Tls);
        if tls {
            println!(
                "error: {} 701 turns: needs a TLS adapter (not in this example)",
                s.url
            );
        }
        !tls
    });
    let components = config.components;
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut agent = match Agent::new(config, ChaCha20Rng::seed_from_u64(seed)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut sockets: BTreeMap<SocketAddr, UdpSocket> = BTreeMap::new();
    for ip in &ips {
        for component in 1..=components {
            let socket = match UdpSocket::bind((*ip, 0)) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: cannot bind {ip}: {e}");
                    return ExitCode::from(2);
                }
            };
            let _ = socket.set_nonblocking(true);
            let Ok(local) = socket.local_addr() else {
                return ExitCode::from(2);
            };
            if let Err(e) = agent.add_component_address(Instant::now(), component, local) {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
            sockets.insert(local, socket);
        }
    }
    let mut streams: BTreeMap<(SocketAddr, SocketAddr), TcpStream> = BTreeMap::new();
    agent.gather(Instant::now());
    let end = Instant::now() + DEADLINE;
    let mut next: Option<Instant>;
    let mut buf = vec![0u8; 65536];
    while Instant::now() < end {
        // Drain the agent.
        loop {
            match agent.poll_output() {
                Output::Transmit(t) => match t.protocol {
                    Protocol::Udp => {
                        if let Some(s) = sockets.get(&t.source) {
                            let _ = s.send_to(&t.contents, t.destination);
                        }
                    }
                    _ => {
                        let key = (t.source, t.destination);
                        if let std::collections::btree_map::Entry::Vacant(slot) = streams.entry(key)
                        {
                            match TcpStream::connect_timeout(&t.destination, Duration::from_secs(3))
                            {
                                Ok(s) => {
                                    let _ = s.set_nonblocking(true);
                                    slot.insert(s);
                                }
                                Err(_) => continue, // the TURN client times out and reports 701
                            }
                        }
                        if let Some(s) = streams.get_mut(&key) {
                            let _ = s.set_nonblocking(false);
                            let _ = s.write_all(&t.contents);
                            let _ = s.set_nonblocking(true);
                        }
                    }
                },
                Output::Event(IceEvent::LocalCandidate(c)) => println!("a={c}"),
                Output::Event(IceEvent::CandidateError {
                    url, code, text, ..
                }) => {
                    println!("error: {url} {code} {text}")
                }
                Output::Event(IceEvent::Resolve { id, name }) => {
                    let ips: Vec<IpAddr> = (name.as_str(), 0)
                        .to_socket_addrs()
                        .map(|a| a.map(|s| s.ip()).collect())
                        .unwrap_or_default();
                    let _ = agent.resolved(Instant::now(), id, &ips);
                }
                Output::Event(IceEvent::GatheringState(IceGatheringState::Complete)) => {
                    return ExitCode::SUCCESS;
                }
                Output::Event(_) => {}
                Output::Timeout(t) => {
                    next = t;
                    break;
                }
            }
        }
        // Receive what arrived.
        for (local, socket) in &sockets {
            while let Ok((n, from)) = socket.recv_from(&mut buf) {
                let rx = Receive {
                    protocol: Protocol::Udp,
                    source: from,
                    destination: *local,
                    contents: &buf[..n],
                };
                agent.handle_receive(Instant::now(), rx);
            }
        }
        for ((local, server), stream) in streams.iter_mut() {
            match stream.read(&mut buf) {
                Ok(n) if n > 0 => {
                    let rx = Receive {
                        protocol: Protocol::Tcp,
                        source: *server,
                        destination: *local,
                        contents: &buf[..n],
                    };
                    agent.handle_receive(Instant::now(), rx);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                _ => {}
            }
        }
        let now = Instant::now();
        if next.is_some_and(|t| t <= now) {
            agent.handle_timeout(now);
        } else {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    eprintln!("error: gathering did not complete within {DEADLINE:?}");
    ExitCode::from(3)
}
