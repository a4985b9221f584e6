//! Reassembly costs the same whatever order the fragments of a message
//! arrive in. A peer can send the one-byte fragments of one message END
//! first and the rest backwards (and free the window with FORWARD TSN to
//! start again); a reassembly that walks the fragments it holds on every
//! insert makes that quadratic — about 4 s of CPU per 1 MiB window of
//! 16 000 fragments. Here the adversarial orders, ordered and unordered,
//! through a whole association, must cost at most 3× the in-order arrival
//! of the same fragments (a quadratic reassembly is hundreds of times
//! worse at this size, so the bound has a wide margin on a loaded machine).

mod common;

use common::cost::{cheapest, cost};
use common::raw_peer::{data, PeerShape, RawPeer, INITIAL_TSN};
use sansrtc_sctp::SctpConfig;

/// One-byte fragments of one message: as many as the default 1 MiB
/// receive window holds (each chunk is charged 64 bytes on top).
const FRAGMENTS: u32 = 16_000;
const REPS: usize = 5;
/// Associations fed per measurement, so that one lasts tens of ms.
const RUNS: usize = 4;
const BOUND: f64 = 3.0;

const B: u8 = 2;
const E: u8 = 1;
const U: u8 = 4;

/// The DATA chunks of one message of `FRAGMENTS` one-byte fragments from
/// `INITIAL_TSN`, by index; without its BEGIN fragment if `headless`.
fn message(unordered: bool, headless: bool) -> Vec<Vec<u8>> {
    let u = if unordered { U } else { 0 };
    (0..FRAGMENTS)
        .filter(|&i| !(headless && i == 0))
        .map(|i| {
            let mut flags = u;
            if i == 0 {
                flags |= B;
            }
            if i == FRAGMENTS - 1 {
                flags |= E;
            }
            data(INITIAL_TSN + i, 1, 0, flags, &[(i % 251) as u8])
        })
        .collect()
}

/// The cost of feeding `chunks` in that order (packed into packets) to
/// `RUNS` fresh associations, and what the last one delivers.
fn feed_cost(chunks: &[Vec<u8>]) -> (u64, Vec<Vec<u8>>) {
    let mut delivered = Vec::new();
    let ns = cost(
        || {
            (0..RUNS)
                .map(|_| {
                    let peer = RawPeer::establish(SctpConfig::default(), PeerShape::default());
                    let packets = peer.packets(chunks);
                    (peer, packets)
                })
                .collect::<Vec<_>>()
        },
        |runs: Vec<(RawPeer, Vec<Vec<u8>>)>| {
            for (mut peer, packets) in runs {
                for p in &packets {
                    peer.feed(p);
                }
                delivered = peer.read().into_iter().map(|m| m.data.to_vec()).collect();
                assert_eq!(peer.assoc.stats().chunks_dropped, 0);
            }
        },
    );
    (ns, delivered)
}

/// One comparison: an order of the fragments against a baseline order of
/// the same fragments.
struct Case {
    name: &'static str,
    baseline_name: &'static str,
    baseline: Vec<Vec<u8>>,
    order: Vec<Vec<u8>>,
}

/// Measures each case's order against its baseline; checks what each
/// delivers and that none costs over the bound.
fn compare(cases: Vec<Case>, completes: bool) {
    let expected: Vec<Vec<u8>> = if completes {
        vec![(0..FRAGMENTS).map(|i| (i % 251) as u8).collect()]
    } else {
        Vec::new()
    };
    for case in cases {
        let measure = |chunks: &[Vec<u8>]| {
            let (ns, delivered) = feed_cost(chunks);
            assert!(delivered == expected, "{}: wrong delivery", case.name);
            ns
        };
        let best = cheapest(
            REPS,
            &mut [&mut || measure(&case.baseline), &mut || {
                measure(&case.order)
            }],
        );
        let ratio = best[1] as f64 / best[0] as f64;
        println!(
            "{}: {:.1} ms against {:.1} ms {}: {ratio:.2}x",
            case.name,
            best[1] as f64 / 1e6,
            best[0] as f64 / 1e6,
            case.baseline_name,
        );
        assert!(
            ratio <= BOUND,
            "{}: {ratio:.2}x the cost {}",
            case.name,
            case.baseline_name
        );
    }
}

/// The worst orders for reassembly of a message, each against a baseline
/// of the same fragments: END first then the rest backwards, and from
/// both ends inwards, against in order; every 16th fragment first (1000
/// pieces: the receiver keeps at most 1024 disjoint TSN ranges) then the
/// others backwards, each joining two pieces, against the same pieces then
/// the others in order (the same holes, so the same gap reports in the
/// SACKs and the same number of pieces to search among).
fn adversarial(chunks: &[Vec<u8>]) -> Vec<Case> {
    let in_order = chunks.to_vec();
    let reverse: Vec<Vec<u8>> = chunks.iter().rev().cloned().collect();
    let n = chunks.len();
    let outside_in: Vec<Vec<u8>> = (0..n)
        .map(|i| if i % 2 == 0 { i / 2 } else { n - 1 - i / 2 })
        .map(|i| chunks[i].clone())
        .collect();
    let anchors = chunks.iter().step_by(16).cloned();
    let rest = || chunks.iter().enumerate().filter(|(i, _)| i % 16 != 0);
    let anchors_then_forwards = anchors.clone().chain(rest().map(|(_, c)| c.clone()));
    let anchors_then_backwards = anchors.chain(rest().rev().map(|(_, c)| c.clone()));
    vec![
        Case {
            name: "END first, then backwards",
            baseline_name: "in order",
            baseline: in_order.clone(),
            order: reverse,
        },
        Case {
            name: "from both ends inwards",
            baseline_name: "in order",
            baseline: in_order,
            order: outside_in,
        },
        Case {
            name: "every 16th, then the rest backwards",
            baseline_name: "every 16th, then the rest in order",
            baseline: anchors_then_forwards.collect(),
            order: anchors_then_backwards.collect(),
        },
    ]
}

#[test]
fn ordered_fragments_cost_the_same_in_any_order() {
    compare(adversarial(&message(false, false)), true);
}

#[test]
fn unordered_fragments_cost_the_same_in_any_order() {
    compare(adversarial(&message(true, false)), true);
}

/// Without its BEGIN the message never completes, so nothing ends the
/// fragments' stay: the case where a walk to the END on every insert
/// finds it every time and then fails.
#[test]
fn fragments_of_a_message_that_never_completes_cost_the_same_in_any_order() {
    for unordered in [false, true] {
        let chunks = message(unordered, true);
        let reverse = chunks.iter().rev().cloned().collect();
        let case = Case {
            name: "headless, backwards",
            baseline_name: "in order",
            baseline: chunks,
            order: reverse,
        };
        compare(vec![case], false);
    }
}
