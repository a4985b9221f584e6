//! `Association::set_packet_room`: every packet `poll_output` gives then
//! starts with the headroom and has capacity for the tailroom after it
//! (so that DTLS seals it where it lies), and the packet after the
//! headroom is byte for byte what the same association sends without
//! room: the handshake's queued packets, data, SACKs, whether the room is
//! set before connecting or on an established association.

use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sansrtc_proto::Output;
use sansrtc_sctp::{Association, SctpConfig, SendOptions, MAX_PACKET_ROOM};

/// When `a` gets its room: never, before `connect`, or once established.
#[derive(Clone, Copy, Debug, PartialEq)]
enum RoomAt {
    Never,
    Start,
    Established,
}

struct Run {
    /// Every packet `a` sent, without its room.
    packets: Vec<Vec<u8>>,
    /// Every message `b` read.
    messages: Vec<Vec<u8>>,
}

fn message(i: usize) -> Vec<u8> {
    // Unfragmented, fragmented over two and over many packets.
    let len = [300, 1200, 5000, 16_384][i % 4];
    (0..len).map(|j| (i * 7 + j) as u8).collect()
}

/// Drains `from` into `to`; `room` is what `from`'s packets carry.
fn drain(
    from: &mut Association,
    to: &mut Association,
    now: Instant,
    room: (usize, usize),
    sent: Option<&mut Vec<Vec<u8>>>,
) -> bool {
    let (headroom, tailroom) = room;
    let mut moved = Vec::new();
    loop {
        let p = match from.poll_output() {
            Output::Transmit(p) => p,
            Output::Event(_) => continue,
            Output::Timeout(_) => break,
        };
        assert!(p.len() > headroom + 12, "a packet of {} bytes", p.len());
        assert!(
            p.capacity() >= p.len() + tailroom,
            "capacity {} for {} bytes and a tailroom of {tailroom}",
            p.capacity(),
            p.len()
        );
        moved.push(p[headroom..].to_vec());
    }
    let any = !moved.is_empty();
    for p in &moved {
        to.handle_receive(now, p);
    }
    if let Some(sent) = sent {
        sent.extend(moved);
    }
    any
}

fn run(room_at: RoomAt, room: (usize, usize)) -> Run {
    let mut now = Instant::now();
    let mut a = Association::new(
        SctpConfig::default(),
        &mut ChaCha20Rng::seed_from_u64(1),
        now,
    );
    let mut b = Association::new(
        SctpConfig::default(),
        &mut ChaCha20Rng::seed_from_u64(2),
        now,
    );
    let mut a_room = (0, 0);
    if room_at == RoomAt::Start {
        a.set_packet_room(room.0, room.1);
        a_room = room;
    }
    let mut packets = Vec::new();
    let mut messages = Vec::new();
    a.connect(now).unwrap();
    let mut sent = 0;
    for round in 0..400 {
        if a.is_established() && room_at == RoomAt::Established && a_room == (0, 0) {
            a.set_packet_room(room.0, room.1);
            a_room = room;
        }
        if a.is_established() && sent < 24 && round % 3 == 0 {
            for _ in 0..4 {
                a.send(now, 1, 53, message(sent), SendOptions::default())
                    .unwrap();
                sent += 1;
            }
        }
        let moved = drain(&mut a, &mut b, now, a_room, Some(&mut packets))
            | drain(&mut b, &mut a, now, (0, 0), None);
        while let Some(m) = b.read() {
            messages.push(m.data.to_vec());
        }
        if !moved {
            now += Duration::from_millis(50);
            a.handle_timeout(now);
            b.handle_timeout(now);
        }
    }
    Run { packets, messages }
}

#[test]
fn packets_with_room_are_the_packets_without_it() {
    let plain = run(RoomAt::Never, (0, 0));
    let expected: Vec<Vec<u8>> = (0..24).map(message).collect();
    assert_eq!(plain.messages, expected);
    assert!(plain.packets.len() > 50, "{} packets", plain.packets.len());
    for room in [(5, 32), (21, 16), (13, 16), (0, 64)] {
        for at in [RoomAt::Start, RoomAt::Established] {
            let with = run(at, room);
            assert_eq!(with.messages, expected, "{room:?} {at:?}");
            assert_eq!(with.packets, plain.packets, "{room:?} {at:?}");
        }
    }
}

#[test]
fn room_is_capped_and_kept() {
    let now = Instant::now();
    let mut a = Association::new(
        SctpConfig::default(),
        &mut ChaCha20Rng::seed_from_u64(3),
        now,
    );
    assert_eq!(a.packet_room(), (0, 0));
    // An absurd room is capped, not an overflow when a buffer is sized.
    a.set_packet_room(usize::MAX, usize::MAX);
    assert_eq!(a.packet_room(), (MAX_PACKET_ROOM, MAX_PACKET_ROOM));
    a.connect(now).unwrap();
    let Output::Transmit(init) = a.poll_output() else {
        panic!("no INIT");
    };
    // Common header (12 bytes), then the INIT chunk (type 1).
    assert!(init.len() > MAX_PACKET_ROOM + 12);
    assert_eq!(init[MAX_PACKET_ROOM + 12], 1, "INIT behind the room");
    assert!(init.capacity() >= init.len() + MAX_PACKET_ROOM);
}
