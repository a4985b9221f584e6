//! The ICE agent (RFC 8445, RFC 7675 consent) driven by a peer the fuzzer
//! plays: connectivity checks signed with the right (or a wrong) password,
//! answers to the agent's own checks (success with any mapped address, or
//! an error such as 487 role conflict) matched to its transaction ids,
//! raw datagrams, trickled candidates (any text), mDNS resolutions, role
//! changes, restarts, sends, address changes and time. No panic; the
//! agent's bounds hold.
#![no_main]

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_ice::{Agent, AgentConfig, IceEvent, ResolveId};
use sansrtc_proto::{Output, Protocol, Receive};
use sansrtc_stun::attributes::{
    ErrorCode, IceControlled, IceControlling, Priority, UseCandidate, Username, XorMappedAddress,
};
use sansrtc_stun::{Class, Message, MessageBuilder, MessageType, Method, TransactionId};

const PEER_UFRAG: &str = "peerufrag";
const PEER_PWD: &str = "peerpassword1234567890abc";

#[derive(Debug, Arbitrary)]
enum Op {
    Check {
        from: u8,
        priority: u32,
        controlling: Option<u64>,
        use_candidate: bool,
        wrong_key: bool,
    },
    Answer {
        which: u8,
        error: Option<u16>,
        mapped: u8,
        wrong_key: bool,
    },
    Raw {
        from: u8,
        bytes: Vec<u8>,
    },
    Candidate(String),
    CandidateOf {
        from: u8,
        priority: u32,
        relay: bool,
    },
    Resolve {
        which: u8,
        address: Option<u8>,
    },
    EndOfCandidates,
    SetControlling(bool),
    Restart,
    Send {
        len: u8,
    },
    AddLocal(u8),
    RemoveLocal(u8),
    Advance {
        ms: u16,
    },
    Close,
}

#[derive(Debug, Arbitrary)]
struct Input {
    controlling: bool,
    ops: Vec<Op>,
}

fn remote(i: u8) -> SocketAddr {
    SocketAddr::new(IpAddr::from([10, 0, 1, i % 4]), 6000 + u16::from(i % 2))
}

fn local(i: u8) -> SocketAddr {
    SocketAddr::new(IpAddr::from([10, 0, 0, 1 + i % 3]), 5000)
}

fuzz_target!(|input: Input| {
    let mut now = Instant::now();
    let config = AgentConfig {
        controlling: input.controlling,
        ..AgentConfig::default()
    };
    let Ok(mut agent) = Agent::new(config, ChaCha20Rng::seed_from_u64(1)) else {
        return;
    };
    agent.add_local_address(now, local(0)).unwrap();
    agent
        .set_remote_credentials(now, PEER_UFRAG, PEER_PWD)
        .unwrap();
    agent.gather(now);
    // The agent's outstanding requests: (transaction id, from, to).
    let mut requests: Vec<(TransactionId, SocketAddr, SocketAddr)> = Vec::new();
    let mut resolves: Vec<ResolveId> = Vec::new();
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    for op in input.ops.into_iter().take(96) {
        match op {
            Op::Check {
                from,
                priority,
                controlling,
                use_candidate,
                wrong_key,
            } => {
                let mut out = Vec::new();
                let mut b = MessageBuilder::new(
                    &mut out,
                    MessageType::BINDING_REQUEST,
                    TransactionId::random(&mut rng),
                );
                let username = format!("{}:{}", agent.local_credentials().ufrag, PEER_UFRAG);
                b.add(&Username(&username)).unwrap();
                b.add(&Priority(priority)).unwrap();
                match controlling {
                    Some(t) => b.add(&IceControlling(t)).unwrap(),
                    None => b.add(&IceControlled(7)).unwrap(),
                };
                if use_candidate {
                    b.add(&UseCandidate).unwrap();
                }
                let key = if wrong_key {
                    "wrong".to_string()
                } else {
                    agent.local_credentials().pwd.clone()
                };
                b.add_message_integrity(key.as_bytes()).unwrap();
                b.add_fingerprint().unwrap();
                b.finish();
                agent.handle_receive(
                    now,
                    Receive {
                        protocol: Protocol::Udp,
                        source: remote(from),
                        destination: local(0),
                        contents: &out,
                    },
                );
            }
            Op::Answer {
                which,
                error,
                mapped,
                wrong_key,
            } => {
                if requests.is_empty() {
                    continue;
                }
                let (id, from, to) = requests[usize::from(which) % requests.len()];
                let ty = if error.is_some() {
                    MessageType::new(Method::BINDING, Class::ErrorResponse)
                } else {
                    MessageType::BINDING_SUCCESS
                };
                let mut out = Vec::new();
                let mut b = MessageBuilder::new(&mut out, ty, id);
                match error {
                    Some(code) => {
                        b.add(&ErrorCode {
                            code: 300 + code % 400,
                            reason: "fuzz",
                        })
                        .unwrap();
                    }
                    None => {
                        let addr = if mapped == 0 {
                            from
                        } else {
                            SocketAddr::new(IpAddr::from([192, 0, 2, mapped]), 4000)
                        };
                        b.add(&XorMappedAddress(addr)).unwrap();
                    }
                }
                let key = if wrong_key { "wrong" } else { PEER_PWD };
                b.add_message_integrity(key.as_bytes()).unwrap();
                b.add_fingerprint().unwrap();
                b.finish();
                agent.handle_receive(
                    now,
                    Receive {
                        protocol: Protocol::Udp,
                        source: to,
                        destination: from,
                        contents: &out,
                    },
                );
            }
            Op::Raw { from, bytes } => {
                agent.handle_receive(
                    now,
                    Receive {
                        protocol: Protocol::Udp,
                        source: remote(from),
                        destination: local(0),
                        contents: &bytes,
                    },
                );
            }
            Op::Candidate(text) => {
                let _ = agent.add_remote_candidate_str(now, &text);
            }
            Op::CandidateOf {
                from,
                priority,
                relay,
            } => {
                let a = remote(from);
                let kind = if relay {
                    "relay raddr 0.0.0.0 rport 0"
                } else {
                    "host"
                };
                let text = format!(
                    "candidate:{from} 1 udp {priority} {} {} typ {kind}",
                    a.ip(),
                    a.port()
                );
                let _ = agent.add_remote_candidate_str(now, &text);
            }
            Op::Resolve { which, address } => {
                if !resolves.is_empty() {
                    let id = resolves[usize::from(which) % resolves.len()];
                    let addrs: Vec<IpAddr> = address
                        .map(|a| IpAddr::from([10, 0, 1, a % 4]))
                        .into_iter()
                        .collect();
                    let _ = agent.resolved(now, id, &addrs);
                }
            }
            Op::EndOfCandidates => agent.end_of_remote_candidates(now),
            Op::SetControlling(c) => agent.set_controlling(c),
            Op::Restart => {
                agent.restart(now);
                let _ = agent.set_remote_credentials(now, PEER_UFRAG, PEER_PWD);
            }
            Op::Send { len } => {
                let _ = agent.send(now, 1, &vec![0x17; usize::from(len)]);
            }
            Op::AddLocal(i) => {
                let _ = agent.add_local_address(now, local(i));
            }
            Op::RemoveLocal(i) => agent.remove_local_address(now, local(i)),
            Op::Advance { ms } => {
                now += Duration::from_millis(u64::from(ms));
                agent.handle_timeout(now);
            }
            Op::Close => agent.close(now),
        }
        loop {
            match agent.poll_output() {
                Output::Transmit(t) => {
                    if let Ok(m) = Message::parse(&t.contents) {
                        if m.message_type() == MessageType::BINDING_REQUEST {
                            requests.push((m.transaction_id(), t.source, t.destination));
                            if requests.len() > 32 {
                                requests.remove(0);
                            }
                        }
                    }
                }
                Output::Event(IceEvent::Resolve { id, .. }) => resolves.push(id),
                Output::Event(_) => {}
                Output::Timeout(_) => break,
            }
        }
        assert!(agent.remote_candidate_count() <= 100);
        assert!(agent.pair_count() <= 200);
    }
});
