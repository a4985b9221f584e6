//! Messages queued together that must be fragmented anyway fill packets:
//! a message starts in what is left of the packet carrying the previous
//! message's last fragment (when at least `MIN_PACKED_FRAGMENT`, 128
//! bytes, is left), instead of each message's short last fragment going
//! alone in a packet. A message that needs no fragmentation is never
//! split for it. Read on the wire, against a raw peer.

mod common;

use common::raw_peer::{chunks_of, PeerShape, RawPeer};
use sansrtc_proto::Output;
use sansrtc_sctp::{Association, SctpConfig, SendOptions};

/// The default MTU: 1172 − 12 (common header) − 16 (DATA header).
const MAX_FRAGMENT: usize = 1144;
const BEGIN: u8 = 0b10;
const END: u8 = 0b01;

/// Each packet's DATA chunks as (flags, TSN, payload).
type Packets = Vec<Vec<(u8, u32, Vec<u8>)>>;

/// Each packet's DATA chunks as (flags, payload length).
type Shape = Vec<Vec<(u8, usize)>>;

/// Drains `a`: its packets' DATA chunks.
fn data_packets(a: &mut Association) -> Packets {
    let mut packets = Vec::new();
    loop {
        match a.poll_output() {
            Output::Transmit(p) => {
                let data: Vec<_> = chunks_of(&p)
                    .into_iter()
                    .filter(|c| c.0 == 0)
                    .map(|(_, flags, v)| {
                        let tsn = u32::from_be_bytes([v[0], v[1], v[2], v[3]]);
                        (flags & 0b11, tsn, v[12..].to_vec())
                    })
                    .collect();
                if !data.is_empty() {
                    packets.push(data);
                }
            }
            Output::Event(_) => {}
            Output::Timeout(_) => return packets,
        }
    }
}

fn message(i: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|j| i.wrapping_mul(31).wrapping_add(j as u8))
        .collect()
}

/// The messages rebuilt from the chunks in TSN order (B…E runs).
fn reassembled(packets: &[Vec<(u8, u32, Vec<u8>)>]) -> Vec<Vec<u8>> {
    let mut chunks: Vec<_> = packets.iter().flatten().cloned().collect();
    chunks.sort_by_key(|c| c.1);
    let mut out = Vec::new();
    let mut current = Vec::new();
    for (flags, _, payload) in chunks {
        if flags & BEGIN != 0 {
            assert!(current.is_empty(), "a BEGIN inside a message");
        }
        current.extend_from_slice(&payload);
        if flags & END != 0 {
            out.push(std::mem::take(&mut current));
        }
    }
    assert!(current.is_empty(), "a message without its END");
    out
}

/// Sends messages of `sizes` bytes on stream 1 without draining in
/// between, then drains: the messages, and each packet's DATA chunks as
/// (flags, payload length).
fn send_then_drain(sizes: &[usize]) -> (Vec<Vec<u8>>, Packets, Shape) {
    let mut p = RawPeer::establish(SctpConfig::default(), PeerShape::default());
    let sent: Vec<Vec<u8>> = sizes
        .iter()
        .enumerate()
        .map(|(i, &len)| message(i as u8, len))
        .collect();
    for m in &sent {
        p.assoc
            .send(p.now, 1, 53, m.clone(), SendOptions::default())
            .unwrap();
    }
    let packets = data_packets(&mut p.assoc);
    let shape = packets
        .iter()
        .map(|p| p.iter().map(|c| (c.0, c.2.len())).collect())
        .collect();
    (sent, packets, shape)
}

#[test]
fn queued_1200_byte_messages_fill_packets() {
    let (sent, packets, shape) = send_then_drain(&[1200, 1200, 1200]);
    // 3600 bytes in four packets, not six (two per message).
    assert_eq!(
        shape,
        vec![
            vec![(BEGIN, MAX_FRAGMENT)],
            // The tail (56) and the next message's first 1072 bytes: the
            // packet is full (12 + 16 + 56 + 16 + 1072 = 1172).
            vec![(END, 1200 - MAX_FRAGMENT), (BEGIN, 1072)],
            vec![(END, 128), (BEGIN, 1000)],
            vec![(END, 200)],
        ]
    );
    assert_eq!(reassembled(&packets), sent);
}

#[test]
fn a_message_that_fits_one_chunk_is_not_split_to_fill_a_packet() {
    // After the 1200-byte message's tail, 1072 bytes are left: 1100 does
    // not fit and goes whole in the next packet, which then has no room
    // for 500 (only 44 bytes are left); 500 is not split either.
    let (sent, packets, shape) = send_then_drain(&[1200, 1100, 500]);
    assert_eq!(
        shape,
        vec![
            vec![(BEGIN, MAX_FRAGMENT)],
            vec![(END, 56)],
            vec![(BEGIN | END, 1100)],
            vec![(BEGIN | END, 500)],
        ]
    );
    assert_eq!(reassembled(&packets), sent);
}

#[test]
fn a_room_under_128_bytes_is_left_unused() {
    // The first message's 1032-byte tail leaves 1172 − 12 − 16 − 1032 −
    // 16 = 96 bytes for another chunk's payload: under 128, so the second
    // message starts the next packet.
    let (sent, packets, shape) = send_then_drain(&[MAX_FRAGMENT + 1032, 2000]);
    assert_eq!(
        shape,
        vec![
            vec![(BEGIN, MAX_FRAGMENT)],
            vec![(END, 1032)],
            vec![(BEGIN, MAX_FRAGMENT)],
            vec![(END, 2000 - MAX_FRAGMENT)],
        ]
    );
    assert_eq!(reassembled(&packets), sent);
}
