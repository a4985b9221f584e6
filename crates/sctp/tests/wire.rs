//! Hand-built packets against one of our associations: unknown chunk and
//! parameter types by their two high bits (RFC 9260 §3.2, §3.2.1), the
//! Zero Checksum Acceptable parameter (RFC 9653, 0x8001) that an existing
//! stack rejects, SACK gap blocks and duplicate TSNs (§3.3.4), delayed
//! acknowledgement (§6.2), and hostile input (bad lengths, chunks in the
//! wrong state, TSNs far outside the window): dropped and counted, never a
//! panic, never unbounded memory.

mod common;

use std::time::{Duration, Instant};

use common::raw_peer::{be32, chunk, chunks_of, data, param, sacks};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use sansrtc_proto::Output;
use sansrtc_sctp::{
    packet_checksum, Association, AssociationState, SctpConfig, SctpEvent, SendOptions,
};

const PORT: u16 = 5000;

/// A packet with a correct CRC-32c.
fn packet(tag: u32, chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&PORT.to_be_bytes());
    p.extend_from_slice(&PORT.to_be_bytes());
    p.extend_from_slice(&tag.to_be_bytes());
    p.extend_from_slice(&[0; 4]);
    for c in chunks {
        p.extend_from_slice(c);
    }
    reseal(&mut p);
    p
}

fn reseal(p: &mut [u8]) {
    let crc = packet_checksum(p);
    p[8..12].copy_from_slice(&crc.to_le_bytes());
}

/// Drains an association: its packets and events.
fn drain(a: &mut Association) -> (Vec<Vec<u8>>, Vec<SctpEvent>) {
    let (mut packets, mut events) = (Vec::new(), Vec::new());
    loop {
        match a.poll_output() {
            Output::Transmit(p) => packets.push(p),
            Output::Event(e) => events.push(e),
            Output::Timeout(_) => return (packets, events),
        }
    }
}

/// Two associations, established, plus what a test needs to forge packets
/// to `b` as if from `a`.
struct Forge {
    now: Instant,
    a: Association,
    b: Association,
    /// `b`'s verification tag (what `a` puts in its packets).
    b_tag: u32,
    /// The next TSN `a` would use.
    next_tsn: u32,
    /// Whether `feed_b` hands packets over (`handle_receive_owned`) rather
    /// than lending them (`handle_receive`).
    owned: bool,
}

impl Forge {
    fn new(config: SctpConfig) -> Self {
        let now = Instant::now(); // test-side anchor of the simulated clock
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let mut a = Association::new(config.clone(), &mut rng, now);
        let mut b = Association::new(config, &mut rng, now);
        a.connect(now).unwrap();
        for _ in 0..6 {
            let (to_b, _) = drain(&mut a);
            for p in to_b {
                b.handle_receive(now, &p);
            }
            let (to_a, _) = drain(&mut b);
            for p in to_a {
                a.handle_receive(now, &p);
            }
        }
        assert!(a.is_established() && b.is_established());
        // Learn b's tag and a's TSN from one real DATA packet.
        a.send(now, 0, 53, vec![7u8; 10], SendOptions::default())
            .unwrap();
        let (to_b, _) = drain(&mut a);
        let p = to_b
            .iter()
            .find(|p| chunks_of(p).iter().any(|c| c.0 == 0))
            .expect("a DATA packet")
            .clone();
        let b_tag = be32(&p, 4);
        let d = chunks_of(&p).into_iter().find(|c| c.0 == 0).unwrap();
        let next_tsn = be32(&d.2, 0).wrapping_add(1);
        b.handle_receive(now, &p);
        let mut f = Forge {
            now,
            a,
            b,
            b_tag,
            next_tsn,
            owned: false,
        };
        assert_eq!(f.read_b().len(), 1);
        f
    }

    /// The same, with packets to `b` handed over by `feed_b`.
    fn owned(config: SctpConfig) -> Self {
        Self {
            owned: true,
            ..Self::new(config)
        }
    }

    /// Both kinds, for the tests that run with each.
    fn both(config: SctpConfig) -> [Self; 2] {
        [Self::new(config.clone()), Self::owned(config)]
    }

    /// Feeds `b` a packet; returns what `b` sent back and its events.
    fn feed_b(&mut self, p: &[u8]) -> (Vec<Vec<u8>>, Vec<SctpEvent>) {
        if self.owned {
            self.b.handle_receive_owned(self.now, p.to_vec());
        } else {
            self.b.handle_receive(self.now, p);
        }
        drain(&mut self.b)
    }

    fn read_b(&mut self) -> Vec<sansrtc_sctp::Message> {
        drain(&mut self.b);
        std::iter::from_fn(|| self.b.read()).collect()
    }

    fn tsn(&mut self) -> u32 {
        let t = self.next_tsn;
        self.next_tsn = t.wrapping_add(1);
        t
    }

    /// Whether `b` still works afterwards: a message from `b` reaches `a`
    /// and is acknowledged. (The forged TSNs were never `a`'s, so `a`
    /// cannot send to `b` any more without looking like a duplicate.)
    fn still_works(&mut self) -> bool {
        let now = self.now + Duration::from_secs(1);
        self.now = now;
        self.b.handle_timeout(now);
        self.a.handle_timeout(now);
        if self
            .b
            .send(now, 1, 53, b"after".to_vec(), SendOptions::default())
            .is_err()
        {
            return false;
        }
        let mut got = false;
        for _ in 0..4 {
            let (to_a, _) = drain(&mut self.b);
            for p in to_a {
                self.a.handle_receive(now, &p);
            }
            let (to_b, _) = drain(&mut self.a);
            got |= std::iter::from_fn(|| self.a.read()).any(|m| m.data[..] == b"after"[..]);
            for p in to_b {
                self.b.handle_receive(now, &p);
            }
        }
        got && self.b.is_established()
    }
}

/// ERROR chunks (type 9) in `packets`: the cause codes they carry.
fn error_causes(packets: &[Vec<u8>]) -> Vec<u16> {
    let mut causes = Vec::new();
    for p in packets {
        for (t, _, v) in chunks_of(p) {
            if t == 9 && v.len() >= 4 {
                causes.push(u16::from_be_bytes([v[0], v[1]]));
            }
        }
    }
    causes
}

#[test]
fn unknown_chunks_follow_their_high_bits() {
    let mut f = Forge::new(SctpConfig::default());
    // 00: stop, discard the rest of the packet, say nothing.
    let t = f.next_tsn;
    let (out, _) = f.feed_b(&packet(
        f.b_tag,
        &[chunk(0x3f, 0, b"x"), data(t, 1, 0, 3, b"m0")],
    ));
    assert!(f.read_b().is_empty(), "DATA after a 00 chunk was processed");
    assert!(error_causes(&out).is_empty());
    // 01: stop, discard the rest, report (cause 6, Unrecognized Chunk Type).
    let (out, _) = f.feed_b(&packet(
        f.b_tag,
        &[chunk(0x7f, 0, b"x"), data(t, 1, 0, 3, b"m0")],
    ));
    assert!(f.read_b().is_empty(), "DATA after a 01 chunk was processed");
    assert_eq!(error_causes(&out), vec![6]);
    // 10: skip it, process the rest, say nothing.
    let t = f.tsn();
    let (out, _) = f.feed_b(&packet(
        f.b_tag,
        &[chunk(0xbf, 0, b"x"), data(t, 1, 0, 3, b"m0")],
    ));
    assert_eq!(f.read_b().len(), 1, "DATA after a 10 chunk was dropped");
    assert!(error_causes(&out).is_empty());
    // 11: skip it, process the rest, report.
    let t = f.tsn();
    let (out, _) = f.feed_b(&packet(
        f.b_tag,
        &[chunk(0xff, 0, b"x"), data(t, 1, 1, 3, b"m1")],
    ));
    assert_eq!(f.read_b().len(), 1, "DATA after an 11 chunk was dropped");
    assert_eq!(error_causes(&out), vec![6]);
    assert!(f.still_works());
}

/// An INIT as libdatachannel sends it (Zero Checksum Acceptable with the
/// DTLS method, forward-TSN and RE-CONFIG announced) plus unknown
/// parameters of each kind.
fn init_packet(extra: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&0x1234_5678u32.to_be_bytes()); // initiate tag
    v.extend_from_slice(&(1u32 << 20).to_be_bytes()); // a_rwnd
    v.extend_from_slice(&1024u16.to_be_bytes()); // OS
    v.extend_from_slice(&1024u16.to_be_bytes()); // MIS
    v.extend_from_slice(&100u32.to_be_bytes()); // initial TSN
    v.extend(param(0x8008, &[0xc0, 0x82])); // supported extensions
    v.extend(param(0xc000, &[])); // forward-TSN supported
    v.extend(param(0x8001, &1u32.to_be_bytes())); // zero checksum, DTLS
    for p in extra {
        v.extend_from_slice(p);
    }
    packet(0, &[chunk(1, 0, &v)])
}

/// The INIT ACK value in `packets`, if any.
fn init_ack(packets: &[Vec<u8>]) -> Option<Vec<u8>> {
    packets
        .iter()
        .flat_map(|p| chunks_of(p))
        .find(|c| c.0 == 2)
        .map(|c| c.2)
}

/// Parameters (type, value) of an INIT / INIT ACK value.
fn params_of(init: &[u8]) -> Vec<(u16, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 16;
    while at + 4 <= init.len() {
        let t = u16::from_be_bytes([init[at], init[at + 1]]);
        let len = usize::from(u16::from_be_bytes([init[at + 2], init[at + 3]]));
        if len < 4 || at + len > init.len() {
            break;
        }
        out.push((t, init[at + 4..at + len].to_vec()));
        at += (len + 3) & !3;
    }
    out
}

#[test]
fn an_init_with_zero_checksum_acceptable_and_unknown_parameters_is_answered() {
    let now = Instant::now();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let config = SctpConfig {
        zero_checksum: true,
        ..SctpConfig::default()
    };
    let mut b = Association::new(config, &mut rng, now);
    let skip = param(0x8f00, b"skip");
    let skip_report = param(0xcf00, b"rept");
    b.handle_receive(now, &init_packet(&[skip, skip_report.clone()]));
    let (out, _) = drain(&mut b);
    let ack = init_ack(&out).expect("no INIT ACK for an INIT with 0x8001");
    let params = params_of(&ack);
    // Our INIT ACK carries a cookie, announces zero checksum with the DTLS
    // method, and reports exactly the 11-type parameter (RFC 9260 §3.2.1).
    assert!(params.iter().any(|(t, _)| *t == 7), "no state cookie");
    assert!(params.contains(&(0x8001, 1u32.to_be_bytes().to_vec())));
    let reported: Vec<_> = params.iter().filter(|(t, _)| *t == 8).collect();
    assert_eq!(reported.len(), 1);
    assert_eq!(reported[0].1, skip_report);

    // 01 (stop and report): the INIT is still answered, the parameter reported.
    let mut c = Association::new(SctpConfig::default(), &mut rng, now);
    let stop_report = param(0x4f00, b"stop");
    c.handle_receive(
        now,
        &init_packet(&[stop_report.clone(), param(0xcf01, b"late")]),
    );
    let (out, _) = drain(&mut c);
    let params = params_of(&init_ack(&out).expect("no INIT ACK"));
    let reported: Vec<_> = params
        .iter()
        .filter(|(t, _)| *t == 8)
        .map(|p| &p.1)
        .collect();
    // Processing stopped at 0x4f00: 0xcf01 after it is not looked at.
    assert_eq!(reported, vec![&stop_report]);
}

#[test]
fn zero_checksum_is_accepted_only_after_negotiation() {
    let config = SctpConfig {
        zero_checksum: true,
        ..SctpConfig::default()
    };
    let mut f = Forge::new(config);
    let t = f.tsn();
    let mut p = packet(f.b_tag, &[data(t, 1, 0, 3, b"z")]);
    p[8..12].fill(0);
    f.feed_b(&p);
    assert_eq!(
        f.read_b().len(),
        1,
        "a zero checksum was refused after negotiation"
    );
    // A wrong non-zero checksum is still refused.
    let t = f.tsn();
    let mut p = packet(f.b_tag, &[data(t, 1, 1, 3, b"z")]);
    p[8] ^= 1;
    let before = f.b.stats().packets_dropped;
    f.feed_b(&p);
    assert!(f.read_b().is_empty());
    assert_eq!(f.b.stats().packets_dropped, before + 1);

    // Without the option, a zero checksum is a bad checksum.
    let mut f = Forge::new(SctpConfig::default());
    let t = f.tsn();
    let mut p = packet(f.b_tag, &[data(t, 1, 0, 3, b"z")]);
    p[8..12].fill(0);
    f.feed_b(&p);
    assert!(
        f.read_b().is_empty(),
        "zero checksum accepted without negotiation"
    );
}

#[test]
fn sacks_report_gap_blocks_and_duplicates_at_once() {
    let mut f = Forge::new(SctpConfig::default());
    let base = f.next_tsn; // cumulative ack is base - 1
                           // TSNs base+1, base+2 and base+4 arrive; base and base+3 are missing.
    let (out, _) = f.feed_b(&packet(
        f.b_tag,
        &[
            data(base + 1, 1, 1, 3, b"1"),
            data(base + 2, 1, 2, 3, b"2"),
            data(base + 4, 1, 4, 3, b"4"),
        ],
    ));
    // Out of order: a SACK goes at once (RFC 9260 §6.7), with two blocks.
    let s = sacks(&out);
    assert_eq!(s.len(), 1, "no immediate SACK on a gap");
    assert_eq!(s[0], (base - 1, vec![(2, 3), (5, 5)], vec![]));
    // base+2 again: a duplicate, reported once.
    let (out, _) = f.feed_b(&packet(f.b_tag, &[data(base + 2, 1, 2, 3, b"2")]));
    assert_eq!(
        sacks(&out),
        vec![(base - 1, vec![(2, 3), (5, 5)], vec![base + 2])]
    );
    // The holes fill: in-order delivery of SSN 0..=4 on stream 1.
    f.feed_b(&packet(
        f.b_tag,
        &[data(base, 1, 0, 3, b"0"), data(base + 3, 1, 3, 3, b"3")],
    ));
    let got: Vec<Vec<u8>> = f.read_b().into_iter().map(|m| m.data.to_vec()).collect();
    assert_eq!(got, [b"0", b"1", b"2", b"3", b"4"].map(|x| x.to_vec()));
}

#[test]
fn a_lone_packet_is_acknowledged_after_the_delay_and_every_second_at_once() {
    let mut f = Forge::new(SctpConfig::default());
    // Let the SACK for Forge's own message go out first.
    f.now += Duration::from_secs(1);
    f.b.handle_timeout(f.now);
    drain(&mut f.b);
    let t = f.tsn();
    let (out, _) = f.feed_b(&packet(f.b_tag, &[data(t, 1, 0, 3, b"a")]));
    assert!(
        sacks(&out).is_empty(),
        "a lone in-order packet was acknowledged at once"
    );
    // Not before the delay (200 ms by default, RFC 9260 §6.2 allows 500).
    let now = f.now;
    f.b.handle_timeout(now + Duration::from_millis(150));
    assert!(sacks(&drain(&mut f.b).0).is_empty());
    f.b.handle_timeout(now + Duration::from_millis(201));
    assert_eq!(sacks(&drain(&mut f.b).0).len(), 1, "no delayed SACK");
    f.now = now + Duration::from_millis(201);
    // Two packets: the second is acknowledged at once.
    let (t1, t2) = (f.tsn(), f.tsn());
    let (out, _) = f.feed_b(&packet(f.b_tag, &[data(t1, 1, 1, 3, b"b")]));
    assert!(sacks(&out).is_empty());
    let (out, _) = f.feed_b(&packet(f.b_tag, &[data(t2, 1, 2, 3, b"c")]));
    assert_eq!(
        sacks(&out).len(),
        1,
        "the second packet was not acknowledged at once"
    );
}

#[test]
fn tsns_far_outside_the_window_are_dropped() {
    let mut f = Forge::new(SctpConfig::default());
    let before = f.b.stats().chunks_dropped;
    for far in [1u32 << 20, 1 << 30, (1 << 31) - 1, 1 << 31, u32::MAX - 5] {
        let tsn = f.next_tsn.wrapping_add(far);
        f.feed_b(&packet(f.b_tag, &[data(tsn, 1, 0, 3, b"far")]));
    }
    assert!(f.read_b().is_empty());
    assert!(f.b.stats().chunks_dropped > before);
    assert!(f.still_works());
}

#[test]
fn a_window_of_holes_never_grows_past_the_receive_window() {
    let config = SctpConfig {
        receive_window: 64 * 1024,
        ..SctpConfig::default()
    };
    for mut f in Forge::both(config) {
        // The first TSN never comes: 1000-byte fragments pile up behind it.
        let base = f.next_tsn;
        let chunk_bytes = vec![0xaa; 1000];
        let mut dropped_at = None;
        for i in 1..2000u32 {
            let before = f.b.stats().chunks_dropped;
            f.feed_b(&packet(f.b_tag, &[data(base + i, 2, 0, 0, &chunk_bytes)]));
            if f.b.stats().chunks_dropped > before && dropped_at.is_none() {
                dropped_at = Some(i);
            }
        }
        // Dropped once about 64 KiB are held, not accepted up to 2 MB.
        let at = dropped_at.expect("nothing dropped: unbounded reassembly");
        assert!((40..=80).contains(&at), "first drop at chunk {at}");
    }
}

/// A handed-over packet: a payload that fills most of it is kept in place
/// (the message points into the packet's buffer); small payloads bundled
/// in one packet are copied, so none of them pins the whole packet; a
/// fragmented message comes out whole and right either way.
#[test]
fn handed_over_packets_keep_large_payloads_in_place_and_copy_small_ones() {
    let mut f = Forge::owned(SctpConfig::default());
    let tag = f.b_tag;
    // One large payload: kept in place.
    let big = vec![0x42; 1000];
    let t = f.tsn();
    let p = packet(tag, &[data(t, 1, 0, 3, &big)]);
    let buffer = p.as_ptr() as usize;
    f.b.handle_receive_owned(f.now, p);
    let got = f.read_b();
    assert_eq!(got.len(), 1);
    assert_eq!(&got[0].data[..], &big[..]);
    assert_eq!(got[0].data.as_ptr() as usize, buffer + 12 + 16, "copied");
    // Eight small payloads in one packet: each copied out.
    let chunks: Vec<Vec<u8>> = (0..8u16)
        .map(|i| {
            let t = f.tsn();
            data(t, 1, 1 + i, 3, &[i as u8; 100])
        })
        .collect();
    let p = packet(tag, &chunks);
    let (start, len) = (p.as_ptr() as usize, p.len());
    f.b.handle_receive_owned(f.now, p);
    let got = f.read_b();
    assert_eq!(got.len(), 8);
    for (i, m) in got.iter().enumerate() {
        assert_eq!(&m.data[..], &[i as u8; 100][..]);
        let at = m.data.as_ptr() as usize;
        assert!(
            !(start..start + len).contains(&at),
            "small payload {i} pins its packet"
        );
    }
    // A message in three fragments, one per packet: reassembled whole.
    let whole: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    for (k, part) in whole.chunks(1000).enumerate() {
        let flags = match k {
            0 => 2,
            2 => 1,
            _ => 0,
        };
        let t = f.tsn();
        f.b.handle_receive_owned(f.now, packet(tag, &[data(t, 1, 9, flags, part)]));
    }
    let got = f.read_b();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].data, whole);
    assert!(f.still_works());
}

#[test]
fn hostile_packets_are_dropped_without_harm() {
    for f in Forge::both(SctpConfig::default()) {
        hostile_packets_to(f);
    }
}

fn hostile_packets_to(mut f: Forge) {
    let tag = f.b_tag;
    let t = f.next_tsn;
    let mut hostile: Vec<Vec<u8>> = Vec::new();
    // Truncated common headers.
    for n in 0..12 {
        hostile.push(packet(tag, &[])[..n].to_vec());
    }
    // Header only (no chunk), wrong tag, wrong port.
    hostile.push(packet(tag, &[]));
    hostile.push(packet(tag ^ 1, &[data(t, 1, 0, 3, b"x")]));
    let mut p = packet(tag, &[data(t, 1, 0, 3, b"x")]);
    p[0] = 1;
    reseal(&mut p);
    hostile.push(p);
    // Chunk lengths: 0, 3, longer than the packet, odd with garbage after.
    for len in [0u16, 3, 2000] {
        let mut c = data(t, 1, 0, 3, b"x");
        c[2..4].copy_from_slice(&len.to_be_bytes());
        hostile.push(packet(tag, &[c]));
    }
    // DATA with no user data, DATA shorter than its header.
    hostile.push(packet(tag, &[chunk(0, 3, &t.to_be_bytes())]));
    hostile.push(packet(tag, &[chunk(0, 3, &[0; 12])]));
    // SACKs: acking TSNs never sent, a huge gap-block count, blocks
    // backwards, thousands of duplicates claimed.
    let mut sack = Vec::new();
    sack.extend_from_slice(&t.wrapping_add(1000).to_be_bytes());
    sack.extend_from_slice(&(1u32 << 20).to_be_bytes());
    sack.extend_from_slice(&[0xff, 0xff, 0xff, 0xff]);
    hostile.push(packet(tag, &[chunk(3, 0, &sack)]));
    let mut sack = Vec::new();
    // Cumulative TSN = what b acknowledged last on its own side is unknown
    // here: use a's view (b sends nothing), so any value is hostile.
    sack.extend_from_slice(&0u32.to_be_bytes());
    sack.extend_from_slice(&0u32.to_be_bytes());
    sack.extend_from_slice(&300u16.to_be_bytes());
    sack.extend_from_slice(&0u16.to_be_bytes());
    for i in 0..300u16 {
        sack.extend_from_slice(&(600 - i).to_be_bytes());
        sack.extend_from_slice(&(i + 1).to_be_bytes());
    }
    hostile.push(packet(tag, &[chunk(3, 0, &sack)]));
    // FORWARD-TSN far ahead and with many stream pairs.
    let mut fwd = t.wrapping_add(1 << 30).to_be_bytes().to_vec();
    for s in 0..200u16 {
        fwd.extend_from_slice(&s.to_be_bytes());
        fwd.extend_from_slice(&0xffffu16.to_be_bytes());
    }
    hostile.push(packet(tag, &[chunk(192, 0, &fwd)]));
    // RE-CONFIG garbage and an outgoing reset for 60000 streams.
    hostile.push(packet(tag, &[chunk(130, 0, &[0xde, 0xad, 0xbe])]));
    let mut req = Vec::new();
    req.extend_from_slice(&1u32.to_be_bytes()); // request seq
    req.extend_from_slice(&0u32.to_be_bytes()); // response seq
    req.extend_from_slice(&t.to_be_bytes()); // last TSN
    for s in 0..300u16 {
        req.extend_from_slice(&s.to_be_bytes());
    }
    hostile.push(packet(tag, &[chunk(130, 0, &param(13, &req))]));
    // Handshake chunks in ESTABLISHED: INIT bundled (must be alone), INIT
    // ACK, COOKIE ECHO garbage, COOKIE ACK, SHUTDOWN ACK.
    hostile.push(packet(0, &[chunk(1, 0, &[0; 16]), data(t, 1, 0, 3, b"x")]));
    hostile.push(packet(tag, &[chunk(2, 0, &[1; 20])]));
    hostile.push(packet(tag, &[chunk(10, 0, &[7; 80])]));
    hostile.push(packet(tag, &[chunk(11, 0, &[])]));
    // A HEARTBEAT whose echo would not fit the MTU: not answered.
    hostile.push(packet(tag, &[chunk(4, 0, &param(1, &[9; 60_000]))]));
    hostile.push(packet(tag, &[chunk(4, 0, &param(1, &[9; 1153]))]));
    // 300 unknown report-me chunks (the ERROR is bounded).
    let many: Vec<Vec<u8>> = (0..300).map(|_| chunk(0xff, 0, b"junk")).collect();
    hostile.push(packet(tag, &many));
    for p in &hostile {
        let (out, _) = f.feed_b(p);
        for o in &out {
            assert!(o.len() <= 1172, "answer of {} bytes past the MTU", o.len());
        }
        assert_ne!(f.b.state(), AssociationState::Closed, "closed by {p:02x?}");
    }
    assert!(f.b.stats().packets_dropped + f.b.stats().chunks_dropped >= 20);
    assert!(f.still_works());
}

#[test]
fn a_heartbeat_is_echoed_unchanged_when_it_fits() {
    let mut f = Forge::new(SctpConfig::default());
    // 1172 - 12 (header) - 4 (chunk header) = 1156 bytes of info fit.
    let info = param(1, &[5; 1152]);
    assert_eq!(info.len(), 1156);
    let (out, _) = f.feed_b(&packet(f.b_tag, &[chunk(4, 0, &info)]));
    let acks: Vec<_> = out
        .iter()
        .flat_map(|p| chunks_of(p))
        .filter(|c| c.0 == 5)
        .collect();
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].2, info);
}

#[test]
fn random_mutations_of_real_packets_never_panic() {
    for f in Forge::both(SctpConfig::default()) {
        random_mutations_to(f);
    }
}

fn random_mutations_to(mut f: Forge) {
    // Mutations of packets a real peer sent (so that tags, CRCs and chunk
    // framing are right often enough to reach deep code), CRC fixed up.
    let mut rng = ChaCha20Rng::seed_from_u64(77);
    let now = f.now;
    for i in 0..200 {
        f.a.send(
            now,
            (i % 5) as u16,
            53,
            vec![i as u8; 1 + (i * 97) % 3000],
            SendOptions::default(),
        )
        .unwrap();
    }
    let (samples, _) = drain(&mut f.a);
    assert!(!samples.is_empty());
    for round in 0..20_000 {
        let mut p = samples[rng.next_u32() as usize % samples.len()].clone();
        let flips = 1 + rng.next_u32() % 6;
        for _ in 0..flips {
            let at = 12 + rng.next_u32() as usize % (p.len() - 12).max(1);
            if at < p.len() {
                p[at] = rng.next_u32() as u8;
            }
        }
        if round % 3 == 0 {
            p.truncate(12 + rng.next_u32() as usize % p.len());
        }
        reseal(&mut p);
        f.feed_b(&p);
        while f.b.read().is_some() {}
        if f.b.state() == AssociationState::Closed {
            break;
        }
    }
}

#[test]
fn three_miss_indications_trigger_fast_retransmit_without_a_timeout() {
    let mut f = Forge::new(SctpConfig::default());
    let now = f.now;
    for i in 0..4u8 {
        f.a.send(now, 2, 53, vec![i; 1000], SendOptions::default())
            .unwrap();
    }
    let (packets, _) = drain(&mut f.a);
    let data_packets: Vec<Vec<u8>> = packets
        .into_iter()
        .filter(|p| chunks_of(p).iter().any(|c| c.0 == 0))
        .collect();
    assert_eq!(data_packets.len(), 4, "one 1000-byte chunk per packet");
    let first = chunks_of(&data_packets[0])
        .into_iter()
        .find(|c| c.0 == 0)
        .unwrap();
    let lost_tsn = be32(&first.2, 0);
    // The first is lost; each later one makes b SACK with a gap (RFC 9260
    // §6.7), a miss indication for the lost TSN (§7.2.4).
    let mut retransmitted = Vec::new();
    for p in &data_packets[1..] {
        f.b.handle_receive(now, p);
        let (to_a, _) = drain(&mut f.b);
        for s in to_a {
            f.a.handle_receive(now, &s);
        }
        retransmitted.extend(drain(&mut f.a).0);
    }
    assert_eq!(f.a.stats().fast_retransmits, 1);
    assert_eq!(f.a.stats().retransmission_timeouts, 0);
    // Sent again at once, before any timer could fire, exactly once.
    let again: Vec<u32> = retransmitted
        .iter()
        .flat_map(|p| chunks_of(p))
        .filter(|c| c.0 == 0)
        .map(|c| be32(&c.2, 0))
        .collect();
    assert_eq!(again, vec![lost_tsn]);
    for p in &retransmitted {
        f.b.handle_receive(now, p);
    }
    let got: Vec<Vec<u8>> = f.read_b().into_iter().map(|m| m.data.to_vec()).collect();
    assert_eq!(got, (0..4u8).map(|i| vec![i; 1000]).collect::<Vec<_>>());
}

#[test]
fn the_state_cookie_is_authenticated_and_expires() {
    let now = Instant::now();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let mut b = Association::new(SctpConfig::default(), &mut rng, now);
    b.handle_receive(now, &init_packet(&[]));
    let ack = init_ack(&drain(&mut b).0).expect("INIT ACK");
    // An Idle end keeps no state for an INIT (RFC 9260 §5.1.3): all is in
    // the cookie.
    assert_eq!(b.state(), AssociationState::Idle);
    let tag = be32(&ack, 0);
    let cookie = params_of(&ack)
        .into_iter()
        .find(|(t, _)| *t == 7)
        .map(|(_, v)| v)
        .expect("cookie");
    let echo = |cookie: &[u8]| packet(tag, &[chunk(10, 0, cookie)]);
    let cookie_ack = |out: &[Vec<u8>]| out.iter().flat_map(|p| chunks_of(p)).any(|c| c.0 == 11);
    // Tampered: one bit anywhere (the HMAC covers it all).
    for at in [0, cookie.len() / 2, cookie.len() - 1] {
        let mut bad = cookie.clone();
        bad[at] ^= 0x10;
        b.handle_receive(now, &echo(&bad));
        assert!(
            !cookie_ack(&drain(&mut b).0),
            "tampered cookie accepted (byte {at})"
        );
    }
    // Stale: past Valid.Cookie.Life (60 s).
    b.handle_receive(now + Duration::from_secs(61), &echo(&cookie));
    assert!(!cookie_ack(&drain(&mut b).0), "stale cookie accepted");
    assert_eq!(b.state(), AssociationState::Idle);
    // Fresh and intact: established, COOKIE ACK sent.
    b.handle_receive(now + Duration::from_secs(1), &echo(&cookie));
    let (out, events) = drain(&mut b);
    assert!(cookie_ack(&out));
    assert!(events.contains(&SctpEvent::Connected));
    assert!(b.is_established());
}

#[test]
fn an_init_in_established_gets_a_new_tag_and_changes_nothing() {
    // RFC 9260 §5.2.2: an unexpected INIT in ESTABLISHED is answered with an
    // INIT ACK carrying a new tag (and tie-tags in the cookie); the
    // association itself goes on untouched.
    let mut f = Forge::new(SctpConfig::default());
    let (out, events) = f.feed_b(&init_packet(&[]));
    let ack = init_ack(&out).expect("no INIT ACK in ESTABLISHED");
    assert_ne!(be32(&ack, 0), f.b_tag, "the INIT ACK reused the live tag");
    assert!(events.is_empty());
    assert!(f.b.is_established());
    assert!(f.still_works());
}

/// RFC 9260 §5.1: the COOKIE ACK goes first in the packet that carries the
/// DATA sent right after the handshake, so reordering on the path cannot
/// make the DATA reach a peer still in COOKIE-ECHOED (which drops it).
#[test]
fn the_cookie_ack_carries_the_first_data() {
    use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
    use sansrtc_proto::Output;
    use sansrtc_sctp::{Association, SctpConfig, SendOptions};

    let now = std::time::Instant::now();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let mut a = Association::new(SctpConfig::default(), &mut rng, now);
    let mut b = Association::new(SctpConfig::default(), &mut rng, now);
    let packets = |x: &mut Association| {
        let mut out = Vec::new();
        loop {
            match x.poll_output() {
                Output::Transmit(p) => out.push(p),
                Output::Event(_) => {}
                Output::Timeout(_) => return out,
            }
        }
    };
    a.connect(now).unwrap();
    for p in packets(&mut a) {
        b.handle_receive(now, &p); // INIT
    }
    for p in packets(&mut b) {
        a.handle_receive(now, &p); // INIT ACK
    }
    for p in packets(&mut a) {
        b.handle_receive(now, &p); // COOKIE ECHO
    }
    // b is established and sends at once, before its output is drained.
    b.send(now, 1, 51, b"first".to_vec(), SendOptions::default())
        .unwrap();
    let out = packets(&mut b);
    let first = &out[0];
    // Common header (12 bytes), then COOKIE ACK (type 11, 4 bytes), then DATA (type 0).
    assert_eq!(first[12], 11, "the COOKIE ACK comes first");
    assert_eq!(first[16], 0, "the DATA is in the same packet");
}
