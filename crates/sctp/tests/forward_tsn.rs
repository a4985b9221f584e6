//! FORWARD TSN (RFC 3758) from a hand-built peer: processed only when the
//! peer announced Forward-TSN-Supported (otherwise reported as an
//! unrecognized chunk, RFC 3758 §3.3.1 / §3.3.2 and RFC 9260 §3.2, and
//! without effect); stream pairs for streams past the negotiated count
//! ignored; a skip of 32 767 SSNs costing what a skip of one does; and
//! malformed FORWARD TSNs dropped, never a panic.

mod common;

use common::cost::{cheapest, cost};
use common::raw_peer::{
    chunk, data, error_causes, forward_tsn, last_sack_cum, PeerShape, RawPeer, INITIAL_TSN,
};
use sansrtc_sctp::{AssociationState, SctpConfig};

const BE: u8 = 3;
/// "Unrecognized Chunk Type" (RFC 9260 §3.3.10.6).
const UNRECOGNIZED_CHUNK: u16 = 6;
/// "Invalid Stream Identifier" (RFC 9260 §3.3.10.1).
const INVALID_STREAM: u16 = 1;

fn peer(forward_tsn: bool, outbound_streams: u16) -> RawPeer {
    let shape = PeerShape {
        forward_tsn,
        outbound_streams,
    };
    RawPeer::establish(SctpConfig::default(), shape)
}

/// Whole ordered messages on stream 0: TSN `INITIAL_TSN + 1` carries SSN
/// 1, so it waits for TSN `INITIAL_TSN` / SSN 0, which never comes.
fn with_a_hole(p: &mut RawPeer) {
    let (out, _) = p.feed(&p.packet(&[data(INITIAL_TSN + 1, 0, 1, BE, b"one")]));
    assert_eq!(last_sack_cum(&out), Some(INITIAL_TSN - 1));
    assert!(p.read().is_empty());
}

#[test]
fn forward_tsn_without_negotiation_is_reported_and_changes_nothing() {
    let mut p = peer(false, 1024);
    with_a_hole(&mut p);
    let skip = forward_tsn(INITIAL_TSN, &[(0, 0)]);
    let dropped = p.assoc.stats().chunks_dropped;
    let (out, _) = p.feed(&p.packet(std::slice::from_ref(&skip)));
    // An ERROR "Unrecognized Chunk Type" carrying the chunk, and nothing
    // moved: no SACK past the hole, no message released.
    let causes = error_causes(&out);
    assert_eq!(causes.len(), 1);
    assert_eq!(causes[0].0, UNRECOGNIZED_CHUNK);
    assert_eq!(causes[0].1, skip[..12]);
    assert_eq!(last_sack_cum(&out), None);
    assert!(p.read().is_empty());
    assert_eq!(p.assoc.stats().chunks_dropped, dropped + 1);
    // 0xC0's high bits say "skip and go on": DATA after it is processed.
    let (out, _) = p.feed(&p.packet(&[skip, data(INITIAL_TSN, 0, 0, BE, b"zero")]));
    assert_eq!(error_causes(&out).len(), 1);
    let got: Vec<Vec<u8>> = p.read().into_iter().map(|m| m.data.to_vec()).collect();
    assert_eq!(got, vec![b"zero".to_vec(), b"one".to_vec()]);
    assert_eq!(p.assoc.state(), AssociationState::Established);
}

#[test]
fn forward_tsn_with_negotiation_skips_the_hole() {
    let mut p = peer(true, 1024);
    with_a_hole(&mut p);
    let (out, _) = p.feed(&p.packet(&[forward_tsn(INITIAL_TSN, &[(0, 0)])]));
    assert!(error_causes(&out).is_empty());
    assert_eq!(last_sack_cum(&out), Some(INITIAL_TSN + 1));
    let got: Vec<Vec<u8>> = p.read().into_iter().map(|m| m.data.to_vec()).collect();
    assert_eq!(got, vec![b"one".to_vec()]);
}

#[test]
fn malformed_forward_tsns_are_dropped_either_way() {
    for negotiated in [false, true] {
        let mut p = peer(negotiated, 16);
        with_a_hole(&mut p);
        let mut odd = forward_tsn(INITIAL_TSN - 1, &[(0, 0)]);
        odd[3] = 10; // a length that cuts a pair in half
        let hostile = [
            chunk(192, 0, &[]),                                    // no new cumulative TSN
            chunk(192, 0, &[1, 2]),                                // half of one
            odd,                                                   // half a pair
            forward_tsn(INITIAL_TSN - 5, &[(0, 0)]),               // old
            forward_tsn(INITIAL_TSN + (1 << 31), &[(0, 0)]),       // far ahead
            forward_tsn(INITIAL_TSN + 70_000, &[]),                // past the window
            forward_tsn(INITIAL_TSN - 1, &[(0, 65_535); 280]),     // one stream, many times
            forward_tsn(INITIAL_TSN - 1, &[(16, 1), (65_535, 9)]), // unnegotiated streams
        ];
        for c in &hostile {
            let (out, _) = p.feed(&p.packet(std::slice::from_ref(c)));
            assert!(out.iter().all(|o| o.len() <= 1172));
            assert_eq!(p.assoc.state(), AssociationState::Established);
        }
        // Nothing was skipped: the hole is still there until filled.
        assert!(p.read().is_empty(), "negotiated {negotiated}");
        p.feed(&p.packet(&[data(INITIAL_TSN, 0, 0, BE, b"zero")]));
        assert_eq!(p.read().len(), 2, "negotiated {negotiated}");
    }
}

#[test]
fn pairs_for_streams_past_the_negotiated_count_are_ignored() {
    let mut p = peer(true, 16);
    assert_eq!(p.assoc.inbound_streams(), 16);
    // SSN 1 waits on stream 3; the FORWARD TSN skips SSN 0 there, and
    // lists streams 16 and 65 535 as well, which do not exist.
    p.feed(&p.packet(&[data(INITIAL_TSN + 1, 3, 1, BE, b"three")]));
    let skip = forward_tsn(INITIAL_TSN, &[(16, 4), (3, 0), (65_535, 100)]);
    let (out, _) = p.feed(&p.packet(&[skip]));
    assert!(error_causes(&out).is_empty());
    assert_eq!(last_sack_cum(&out), Some(INITIAL_TSN + 1));
    assert_eq!(p.read().len(), 1);
    // DATA on stream 16 is still refused as before (RFC 9260 §6.5).
    let (out, _) = p.feed(&p.packet(&[data(INITIAL_TSN + 2, 16, 5, BE, b"x")]));
    assert_eq!(error_causes(&out)[0].0, INVALID_STREAM);
    assert!(p.read().is_empty());
}

/// The cost of `packets` of FORWARD TSNs, each skipping `jump` SSNs on
/// each of 256 streams, fed to fresh associations.
fn skip_cost(jump: u16) -> u64 {
    const PACKETS: u32 = 100;
    const STREAMS: u16 = 256;
    cost(
        || {
            (0..4)
                .map(|_| {
                    let p = peer(true, 1024);
                    let packets: Vec<Vec<u8>> = (0..PACKETS)
                        .map(|i| {
                            // Each skips `jump` more SSNs, up to the
                            // largest jump the serial order allows.
                            let ssn = (jump as u32 * (i + 1) - 1) as u16;
                            let pairs: Vec<(u16, u16)> = (0..STREAMS).map(|s| (s, ssn)).collect();
                            p.packet(&[forward_tsn(INITIAL_TSN + i, &pairs)])
                        })
                        .collect();
                    (p, packets)
                })
                .collect::<Vec<_>>()
        },
        |runs| {
            for (mut p, packets) in runs {
                for packet in &packets {
                    p.feed(packet);
                }
                let sack = p.feed(&p.packet(&[forward_tsn(INITIAL_TSN + PACKETS, &[])]));
                assert_eq!(last_sack_cum(&sack.0), Some(INITIAL_TSN + PACKETS));
            }
        },
    )
}

#[test]
fn a_skip_of_32767_ssns_costs_what_a_skip_of_one_does() {
    // A loop over the skipped SSNs would cost 32 767 times more per pair:
    // 100 packets of 256 pairs are 839 million steps.
    let best = cheapest(5, &mut [&mut || skip_cost(1), &mut || skip_cost(32_767)]);
    let ratio = best[1] as f64 / best[0] as f64;
    println!(
        "skips of 32 767: {:.1} ms against {:.1} ms for skips of 1: {ratio:.2}x",
        best[1] as f64 / 1e6,
        best[0] as f64 / 1e6
    );
    assert!(ratio <= 3.0, "{ratio:.2}x");
}
