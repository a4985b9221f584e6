//! Every drain of `poll_output` ends, and what it hands out is bounded:
//! the data path builds packets on demand from flags (SACK due, FORWARD
//! TSN due, RE-CONFIG to send, COOKIE ACK pending), and a flag left set
//! after its chunk went out, or whose chunk could never go out, would
//! make every poll build another packet — an endless drain. Here
//! the control chunks that share the data path are driven into the
//! corners where they do not fit or cannot be sent, with a drain that
//! fails instead of spinning.

mod common;

use std::time::Duration;

use common::raw_peer::{chunk, chunks_of, PeerShape, RawPeer};
use sansrtc_proto::Output;
use sansrtc_sctp::{Association, Reliability, SctpConfig, SctpEvent, SendOptions};

const MTU: usize = 1172;
/// More outputs than one drain can legitimately produce here.
const MAX_OUTPUTS: usize = 500;

/// Drains `a`, failing if it does not end within `MAX_OUTPUTS` outputs or
/// a packet is past the MTU.
fn drain(a: &mut Association) -> (Vec<Vec<u8>>, Vec<SctpEvent>) {
    let (mut packets, mut events) = (Vec::new(), Vec::new());
    for _ in 0..MAX_OUTPUTS {
        match a.poll_output() {
            Output::Transmit(p) => {
                assert!(p.len() <= MTU, "a packet of {} bytes", p.len());
                packets.push(p);
            }
            Output::Event(e) => events.push(e),
            Output::Timeout(_) => return (packets, events),
        }
    }
    panic!("poll_output did not end within {MAX_OUTPUTS} outputs");
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// (TSN, stream, flags) of the DATA chunks in `packets`.
fn data_chunks(packets: &[Vec<u8>]) -> Vec<(u32, u16, u8)> {
    let mut out = Vec::new();
    for p in packets {
        for (t, flags, v) in chunks_of(p) {
            if t == 0 && v.len() >= 12 {
                out.push((be32(&v, 0), u16::from_be_bytes([v[4], v[5]]), flags));
            }
        }
    }
    out
}

/// FORWARD TSN chunks in `packets`: the new cumulative TSN and the pairs.
fn forward_tsns(packets: &[Vec<u8>]) -> Vec<(u32, Vec<(u16, u16)>)> {
    let mut out = Vec::new();
    for p in packets {
        for (t, _, v) in chunks_of(p) {
            if t == 192 && v.len() >= 4 {
                let pairs = v[4..]
                    .chunks_exact(4)
                    .map(|b| {
                        (
                            u16::from_be_bytes([b[0], b[1]]),
                            u16::from_be_bytes([b[2], b[3]]),
                        )
                    })
                    .collect();
                out.push((be32(&v, 0), pairs));
            }
        }
    }
    out
}

/// Sends our association a SACK from the raw peer.
fn sack(p: &mut RawPeer, cum: u32, rwnd: u32) -> (Vec<Vec<u8>>, Vec<SctpEvent>) {
    let mut v = cum.to_be_bytes().to_vec();
    v.extend_from_slice(&rwnd.to_be_bytes());
    v.extend_from_slice(&[0, 0, 0, 0]);
    let packet = p.packet(&[chunk(3, 0, &v)]);
    p.assoc.handle_receive(p.now, &packet);
    drain(&mut p.assoc)
}

#[test]
fn a_forward_tsn_lists_every_stream_it_skips_however_many() {
    // 600 ordered one-byte messages on 600 streams, none retransmitted:
    // once they are abandoned, the FORWARD TSN would need more (stream,
    // SSN) pairs than fit a packet. RFC 3758 §3.5 C4: it then stops its
    // new cumulative TSN where the pairs run out, and the next one goes
    // on from there — never a skip without its stream's SSN, which would
    // leave the peer's stream waiting forever.
    let mut p = RawPeer::establish(SctpConfig::default(), PeerShape::default());
    let once = SendOptions {
        unordered: false,
        reliability: Reliability::MaxRetransmits(0),
    };
    let mut sent = Vec::new();
    for s in 0..600u16 {
        p.assoc.send(p.now, s, 51, vec![1], once).unwrap();
        sent.extend(data_chunks(&drain(&mut p.assoc).0));
    }
    assert_eq!(
        sent.len(),
        600,
        "all sent at once (the peer's window is open)"
    );
    let first = sent[0].0;
    let stream_of = |tsn: u32| sent[tsn.wrapping_sub(first) as usize].1;
    // Nothing is acknowledged: the T3 timer abandons them all.
    p.now += Duration::from_secs(4);
    p.assoc.handle_timeout(p.now);
    let (out, _) = drain(&mut p.assoc);
    let mut forwards = forward_tsns(&out);
    let mut cum = first.wrapping_sub(1);
    let mut rounds = 0;
    while cum != sent[599].0 {
        let (new_cum, pairs) = forwards.pop().expect("a FORWARD TSN for the rest");
        assert!(forwards.is_empty(), "one FORWARD TSN at a time");
        assert!(pairs.len() <= (MTU - 12 - 8) / 4);
        let mut want: Vec<(u16, u16)> = (cum.wrapping_add(1)..=new_cum)
            .map(|t| (stream_of(t), 0))
            .collect();
        want.sort_unstable();
        let mut got = pairs.clone();
        got.sort_unstable();
        assert_eq!(got, want, "the streams skipped up to {new_cum}");
        // The peer acknowledges it: the next one follows at once.
        cum = new_cum;
        forwards.extend(forward_tsns(&sack(&mut p, cum, 1 << 20).0));
        rounds += 1;
        assert!(rounds < 10);
    }
    assert_eq!(rounds, 3, "288 + 288 + 24 streams");
}

#[test]
fn a_reset_waiting_behind_a_closed_window_builds_no_packets() {
    // A stream reset waits until the stream's queued messages have TSNs
    // (RFC 6525 §5.1.2); with the peer's window closed, the RE-CONFIG can
    // be neither sent nor dropped, and every poll asks whether it can go:
    // each drain must still end, with at most a window probe.
    let mut p = RawPeer::establish(SctpConfig::default(), PeerShape::default());
    for _ in 0..100 {
        p.assoc
            .send(p.now, 5, 51, vec![7; 1000], SendOptions::default())
            .unwrap();
    }
    let mut sent = data_chunks(&drain(&mut p.assoc).0);
    let mut acked = sent.last().expect("DATA").0;
    let (out, _) = sack(&mut p, acked, 0);
    sent.extend(data_chunks(&out));
    p.assoc.reset_streams(p.now, &[5]).unwrap();
    for _ in 0..5 {
        let (out, _) = drain(&mut p.assoc);
        assert!(data_chunks(&out).len() <= 1, "more than a window probe");
        assert!(out.iter().flat_map(|o| chunks_of(o)).all(|c| c.0 != 130));
        p.now += Duration::from_secs(1);
        p.assoc.handle_timeout(p.now);
        let (out, _) = drain(&mut p.assoc);
        sent.extend(data_chunks(&out));
    }
    // The window opens: the rest goes, then the reset.
    let mut reconfig = false;
    for _ in 0..50 {
        if let Some(&(last, _, _)) = sent.last() {
            acked = last;
        }
        let (out, _) = sack(&mut p, acked, 1 << 20);
        sent.extend(data_chunks(&out));
        reconfig |= out.iter().flat_map(|o| chunks_of(o)).any(|c| c.0 == 130);
        if reconfig {
            break;
        }
    }
    assert!(reconfig, "the reset went out once the stream was drained");
    let messages: std::collections::BTreeSet<u32> = sent.iter().map(|c| c.0).collect();
    assert_eq!(messages.len(), 100);
}
