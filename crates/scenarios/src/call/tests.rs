use super::data::echo_call;
use super::harness::{Call, Side};
use super::*;
use crate::ScenarioInput;

fn run(name: &str, seed: u64) -> Result<Outcome, String> {
    let s = scenarios()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("{name} is not registered"));
    (s.run)(&ScenarioInput {
        seed,
        capture: false,
    })
}

/// What must not change between two runs of one seed: the event and
/// signaling trace, each peer's transmits (time, addresses, and the size
/// of every datagram that does not carry DTLS), and the network's trace
/// with sizes left out (DTLS handshake sizes follow ring's randomness).
fn replayable(call: &Call) -> (Vec<String>, Vec<String>, Vec<String>) {
    let sent = [Side::A, Side::B]
        .into_iter()
        .flat_map(|side| {
            call.node(side).sent.iter().map(move |s| {
                format!(
                    "{} {} {} -> {} {}",
                    side.name(),
                    s.at.as_nanos(),
                    s.source,
                    s.destination,
                    if s.dtls {
                        "dtls".to_owned()
                    } else {
                        format!("{} B", s.size)
                    }
                )
            })
        })
        .collect();
    let network = call
        .net
        .trace()
        .records()
        .iter()
        .map(|r| {
            format!(
                "{} {} #{} {} -> {} [{} -> {}] {}",
                r.sent.as_nanos(),
                r.at.as_nanos(),
                r.id,
                r.from,
                r.to,
                r.seen_from,
                r.seen_to,
                r.fate.name()
            )
        })
        .collect();
    (call.trace.clone(), sent, network)
}

fn first_difference(a: &[String], b: &[String]) -> String {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => format!("line {i}:\n  {}\n  {}", a[i], b[i]),
        None => format!("lengths {} and {}", a.len(), b.len()),
    }
}

#[test]
fn echo_replays_its_timing_and_events_for_one_seed() {
    for trickle in [false, true] {
        let seed = 7;
        let input = ScenarioInput {
            seed,
            capture: false,
        };
        let fail = |e: String| -> (Outcome, Call) {
            panic!("call/echo (trickle {trickle}) seed {seed}: {e}")
        };
        let (o1, c1) = echo_call(&input, trickle).unwrap_or_else(fail);
        let (o2, c2) = echo_call(&input, trickle).unwrap_or_else(fail);
        assert_eq!(o1.time_to_goal, o2.time_to_goal);
        assert_eq!(o1.throughput_bytes_per_sec, o2.throughput_bytes_per_sec);
        let (r1, r2) = (replayable(&c1), replayable(&c2));
        assert!(r1.0.len() > 50 && r1.1.len() > 100, "too little traced");
        assert!(
            r1.0 == r2.0,
            "events differ at {}",
            first_difference(&r1.0, &r2.0)
        );
        assert!(
            r1.1 == r2.1,
            "transmits differ at {}",
            first_difference(&r1.1, &r2.1)
        );
        assert!(
            r1.2 == r2.2,
            "network trace differs at {}",
            first_difference(&r1.2, &r2.2)
        );
        // The DTLS bytes themselves are not replayed (ring's ECDHE keys and
        // signature nonces), which is why sizes of DTLS datagrams are left out.
        assert!(c1.node(Side::A).sent.iter().any(|s| s.dtls));
        // Another seed is another run.
        let (_, c3) = echo_call(
            &ScenarioInput {
                seed: seed + 1,
                capture: false,
            },
            trickle,
        )
        .unwrap_or_else(fail);
        assert_ne!(replayable(&c3).2, r1.2);
    }
}

#[test]
fn every_call_scenario_passes_on_a_seed() {
    // Seed 35 of the NAT matrix is symmetric/symmetric: through the relay.
    let mut failures = Vec::new();
    for s in scenarios() {
        let seeds: &[u64] = if s.name == "call/nat-matrix" {
            &[1, 35]
        } else {
            &[1]
        };
        for &seed in seeds {
            match run(s.name, seed) {
                Ok(o) => assert!(o.time_to_goal > std::time::Duration::ZERO, "{}", s.name),
                Err(e) => failures.push(format!(
                    "{} seed {seed}: {e}\n  reproduce: cargo xtask sim --scenario {} --seed {seed}",
                    s.name, s.name
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_capture_is_returned_when_asked() {
    let s = scenarios()
        .into_iter()
        .find(|s| s.name == "call/echo")
        .unwrap();
    let o = (s.run)(&ScenarioInput {
        seed: 2,
        capture: true,
    })
    .unwrap_or_else(|e| panic!("call/echo seed 2: {e}"));
    assert!(o.pcap.is_some_and(|p| p.len() > 256 * 1024));
}
