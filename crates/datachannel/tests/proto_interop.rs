//! Differential test of our DCEP: data channels between our `SctpTransport`
//! and an independent SCTP implementation, `sctp-proto`, with a small DCEP
//! shim written here by hand from RFC 8832 §5 (not with our encoder), so
//! our DCEP is not only tested against itself. Both opening directions, at
//! 0 % and 10 % loss, messages both ways.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use sansrtc_datachannel::{
    ChannelId, DataChannelConfig, DataChannelEvent, DataChannelInit, DataChannelMessage, DtlsRole,
    Reliability, SctpTransport,
};
use sansrtc_proto::Output;
use sansrtc_sctp::SctpConfig;
use sansrtc_testkit::sctp_proto_peer::{PeerEvent, SctpProtoPeer};
use sctp_proto as proto;

const PPID_DCEP: u32 = 50;
const PPID_STRING: u32 = 51;
const PPID_BINARY: u32 = 53;
const PPID_STRING_EMPTY: u32 = 56;

/// One user message sctp-proto delivered: stream, PPID, bytes.
type Delivered = (u16, u32, Vec<u8>);

/// sctp-proto's side: an endpoint with one association and the DCEP shim.
struct Theirs {
    peer: SctpProtoPeer,
    connected: bool,
    /// Every user message received, DCEP included.
    received: Vec<Delivered>,
    /// DATA_CHANNEL_OPENs received: stream → (channel type, label, protocol).
    opens: BTreeMap<u16, (u8, String, String)>,
    /// Streams whose DATA_CHANNEL_ACK arrived.
    acks: Vec<u16>,
}

impl Theirs {
    /// sctp-proto as the SCTP client (`active`: it sends INIT) or as the
    /// server (it answers ours). A client-only sctp-proto endpoint panics
    /// on an INIT (an `unwrap` of its missing server config), so the
    /// `active` case keeps our end passive; both-INIT collisions with
    /// sctp-proto are tested in sansrtc-sctp's interop tests.
    fn new(active: bool) -> Self {
        Self {
            peer: if active {
                SctpProtoPeer::active()
            } else {
                SctpProtoPeer::passive()
            },
            connected: false,
            received: Vec::new(),
            opens: BTreeMap::new(),
            acks: Vec::new(),
        }
    }

    fn handle_receive(&mut self, now: Instant, packet: &[u8]) {
        let second = self.peer.handle_receive(now, packet);
        assert!(!second, "sctp-proto made a second association");
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.peer.handle_timeout(now);
    }

    /// Sends one user message on `stream`, opening the stream if needed.
    fn send(&mut self, stream: u16, ppid: u32, data: &[u8]) {
        let ppi = proto::PayloadProtocolIdentifier::from(ppid);
        let mut s = self
            .peer
            .stream(stream, ppi)
            .expect("association")
            .expect("open stream");
        s.write_sctp(&Bytes::copy_from_slice(data), ppi)
            .expect("sctp-proto write");
    }

    /// The DCEP shim: answers DATA_CHANNEL_OPEN with DATA_CHANNEL_ACK and
    /// records both (RFC 8832 §5.1, §5.2), parsed by hand.
    fn on_message(&mut self, stream: u16, ppid: u32, data: Vec<u8>) {
        if ppid == PPID_DCEP {
            match data.first() {
                Some(0x03) => {
                    assert!(data.len() >= 12, "short DATA_CHANNEL_OPEN");
                    let label_len = usize::from(u16::from_be_bytes([data[8], data[9]]));
                    let protocol_len = usize::from(u16::from_be_bytes([data[10], data[11]]));
                    assert_eq!(data.len(), 12 + label_len + protocol_len);
                    let label = String::from_utf8(data[12..12 + label_len].to_vec()).unwrap();
                    let protocol = String::from_utf8(data[12 + label_len..].to_vec()).unwrap();
                    self.opens.insert(stream, (data[1], label, protocol));
                    self.send(stream, PPID_DCEP, &[0x02]);
                }
                Some(0x02) => self.acks.push(stream),
                other => panic!("unexpected DCEP message {other:?}"),
            }
        }
        self.received.push((stream, ppid, data));
    }

    /// Moves everything sctp-proto wants to send to `out`; returns its timer.
    fn drain(&mut self, now: Instant, out: &mut Vec<Vec<u8>>) -> Option<Instant> {
        for ev in self.peer.poll_events(out) {
            match ev {
                PeerEvent::Connected => self.connected = true,
                PeerEvent::Message { stream, ppid, data } => self.on_message(stream, ppid, data),
                PeerEvent::Lost => {}
            }
        }
        self.peer.poll_transmits(now, out)
    }
}

/// Our transport and sctp-proto's on a seeded lossy link, simulated clock.
struct Sim {
    now: Instant,
    ours: SctpTransport,
    theirs: Theirs,
    events: Vec<DataChannelEvent>,
    loss: f64,
    rng: ChaCha20Rng,
    /// (arrival, sequence) → (to ours, packet).
    flight: BTreeMap<(Instant, u64), (bool, Vec<u8>)>,
    seq: u64,
    our_timeout: Option<Instant>,
    their_timeout: Option<Instant>,
}

impl Sim {
    /// Our end plays the DTLS `role` (which picks its stream-id parity);
    /// sctp-proto sends INIT if `their_init`, else our end does.
    fn new(seed: u64, loss: f64, role: DtlsRole, their_init: bool) -> Self {
        let now = Instant::now(); // test-side anchor of the simulated clock
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let config = DataChannelConfig::default();
        let sctp = SctpConfig {
            max_message_size: config.max_message_size,
            ..SctpConfig::default()
        };
        let mut ours = SctpTransport::new(config, sctp, &mut rng, now);
        ours.set_dtls_role(role);
        ours.set_remote_max_message_size(Some(256 * 1024));
        if !their_init {
            ours.connect(now).unwrap();
        }
        let mut sim = Sim {
            now,
            ours,
            theirs: Theirs::new(their_init),
            events: Vec::new(),
            loss,
            rng,
            flight: BTreeMap::new(),
            seq: 0,
            our_timeout: None,
            their_timeout: None,
        };
        assert!(
            sim.run_until(Duration::from_secs(60), |s| s.theirs.connected
                && s.ours.association().is_established()),
            "no association"
        );
        sim
    }

    fn schedule(&mut self, to_ours: bool, packet: Vec<u8>) {
        let roll = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        if roll < self.loss {
            return;
        }
        let jitter = Duration::from_micros(self.rng.next_u64() % 5000);
        self.seq += 1;
        let at = self.now + Duration::from_millis(10) + jitter;
        self.flight.insert((at, self.seq), (to_ours, packet));
    }

    fn pump(&mut self) {
        let mut out = Vec::new();
        loop {
            match self.ours.poll_output() {
                Output::Transmit(p) => out.push(p),
                Output::Event(e) => self.events.push(e),
                Output::Timeout(t) => {
                    self.our_timeout = t;
                    break;
                }
            }
        }
        for p in out.drain(..) {
            self.schedule(false, p);
        }
        self.their_timeout = self.theirs.drain(self.now, &mut out);
        for p in out.drain(..) {
            self.schedule(true, p);
        }
    }

    fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&Sim) -> bool) -> bool {
        let end = self.now + limit;
        loop {
            self.pump();
            if done(self) {
                return true;
            }
            let next = [
                self.flight.keys().next().map(|k| k.0),
                self.our_timeout,
                self.their_timeout,
            ]
            .into_iter()
            .flatten()
            .min();
            let Some(next) = next else { return false };
            if next > end {
                return false;
            }
            self.now = self.now.max(next);
            while let Some(entry) = self.flight.first_entry() {
                if entry.key().0 > self.now {
                    break;
                }
                let (to_ours, p) = entry.remove();
                if to_ours {
                    self.ours.handle_receive(self.now, &p);
                } else {
                    self.theirs.handle_receive(self.now, &p);
                }
                self.pump();
            }
            if self.our_timeout.is_some_and(|t| t <= self.now) {
                self.ours.handle_timeout(self.now);
            }
            if self.their_timeout.is_some_and(|t| t <= self.now) {
                self.theirs.handle_timeout(self.now);
            }
        }
    }

    fn our_messages(&self, channel: ChannelId) -> Vec<DataChannelMessage> {
        self.events
            .iter()
            .filter_map(|e| match e {
                DataChannelEvent::Message {
                    channel: c,
                    message,
                } if *c == channel => Some(message.clone()),
                _ => None,
            })
            .collect()
    }

    fn their_messages(&self, stream: u16) -> Vec<(u32, Vec<u8>)> {
        self.theirs
            .received
            .iter()
            .filter(|(s, p, _)| *s == stream && *p != PPID_DCEP)
            .map(|(_, p, d)| (*p, d.clone()))
            .collect()
    }
}

fn binary(i: usize, len: usize) -> Vec<u8> {
    (0..len).map(|j| (i * 31 + j * 7) as u8).collect()
}

/// Ours opens (DCEP OPEN → sctp-proto's shim ACKs), then messages both ways.
fn ours_opens(seed: u64, loss: f64) {
    // sctp-proto answers our INIT.
    let mut sim = Sim::new(seed, loss, DtlsRole::Client, false);
    let mut init = DataChannelInit::new("chat");
    init.protocol = "x-test".into();
    let ch = sim.ours.create_data_channel(init).unwrap();
    assert!(
        sim.run_until(Duration::from_secs(60), |s| s
            .events
            .contains(&DataChannelEvent::Open(ch))),
        "no open event"
    );
    assert!(sim.run_until(Duration::from_secs(60), |s| !s.theirs.opens.is_empty()));
    let (&stream, (channel_type, label, protocol)) = sim.theirs.opens.iter().next().unwrap();
    // RFC 8832 §6: the DTLS client uses even stream ids; reliable ordered
    // is channel type 0x00.
    assert_eq!(stream % 2, 0);
    assert_eq!(
        (*channel_type, label.as_str(), protocol.as_str()),
        (0x00, "chat", "x-test")
    );
    // Ours → theirs: text, binary (one and several fragments), empty text.
    let now = sim.now;
    let mut sent = vec![
        (PPID_STRING, b"hello".to_vec()),
        (PPID_BINARY, binary(1, 3000)),
        (PPID_BINARY, binary(2, 100_000)),
    ];
    for (ppid, data) in &sent {
        let m = if *ppid == PPID_STRING {
            DataChannelMessage::Text(String::from_utf8(data.clone()).unwrap())
        } else {
            DataChannelMessage::Binary(data.clone().into())
        };
        sim.ours.send(now, ch, m).unwrap();
    }
    sim.ours
        .send(now, ch, DataChannelMessage::Text(String::new()))
        .unwrap();
    // An empty string goes with PPID 56 and one filler byte (RFC 8831 §6.6).
    sent.push((PPID_STRING_EMPTY, vec![0]));
    assert!(
        sim.run_until(Duration::from_secs(120), |s| s.their_messages(stream).len()
            >= sent.len()),
        "sctp-proto got {} of {} messages",
        sim.their_messages(stream).len(),
        sent.len()
    );
    assert_eq!(sim.their_messages(stream), sent);
    // Theirs → ours on the same stream.
    sim.theirs.send(stream, PPID_STRING, "grüße".as_bytes());
    sim.theirs.send(stream, PPID_BINARY, &binary(3, 70_000));
    sim.theirs.send(stream, PPID_STRING_EMPTY, &[0]);
    let want = vec![
        DataChannelMessage::Text("grüße".into()),
        DataChannelMessage::Binary(binary(3, 70_000).into()),
        DataChannelMessage::Text(String::new()),
    ];
    assert!(
        sim.run_until(Duration::from_secs(120), |s| s.our_messages(ch).len() >= 3),
        "we got {} of 3 messages",
        sim.our_messages(ch).len()
    );
    assert_eq!(sim.our_messages(ch), want);
}

/// sctp-proto's shim opens a channel by hand-built DATA_CHANNEL_OPEN: ours
/// announces it and ACKs; messages both ways.
fn theirs_opens(seed: u64, loss: f64) {
    // sctp-proto sends INIT, our end answers.
    let mut sim = Sim::new(seed, loss, DtlsRole::Client, true);
    // The far end is the DTLS server: odd stream id. Unordered,
    // maxRetransmits 3 (type 0x81, parameter 3), priority 256, label
    // "remote", protocol "p" (RFC 8832 §5.1).
    let stream = 7u16;
    let mut open = vec![0x03, 0x81, 0x01, 0x00, 0, 0, 0, 3, 0, 6, 0, 1];
    open.extend_from_slice(b"remote");
    open.extend_from_slice(b"p");
    sim.theirs.send(stream, PPID_DCEP, &open);
    assert!(
        sim.run_until(Duration::from_secs(60), |s| s.theirs.acks.contains(&stream)),
        "no DATA_CHANNEL_ACK from our end"
    );
    let ch = sim
        .events
        .iter()
        .find_map(|e| match e {
            DataChannelEvent::DataChannel(c) => Some(*c),
            _ => None,
        })
        .expect("datachannel event");
    let info = sim.ours.channels().channel(ch).unwrap().clone();
    assert_eq!(info.label, "remote");
    assert_eq!(info.protocol, "p");
    assert_eq!(info.id, Some(stream));
    assert!(!info.ordered);
    assert_eq!(info.reliability, Reliability::MaxRetransmits(3));
    // Both ways, reliable stream this time on sctp-proto's side (its
    // partial reliability is per stream and not what is tested here).
    for i in 0..20 {
        sim.theirs
            .send(stream, PPID_BINARY, &binary(i, 500 + i * 100));
    }
    assert!(sim.run_until(Duration::from_secs(120), |s| s.our_messages(ch).len() >= 20));
    let got = sim.our_messages(ch);
    // Unordered channel: compare as sets.
    for i in 0..20 {
        let m = DataChannelMessage::Binary(binary(i, 500 + i * 100).into());
        assert_eq!(got.iter().filter(|g| **g == m).count(), 1, "message {i}");
    }
    let now = sim.now;
    for i in 0..20 {
        sim.ours
            .send(now, ch, DataChannelMessage::Text(format!("reply {i}")))
            .unwrap();
    }
    // maxRetransmits 3 at 10 % loss can lose a message (four tries each):
    // all arrive at 0 %, and whatever arrives is intact.
    let expect = if loss == 0.0 { 20 } else { 15 };
    sim.run_until(Duration::from_secs(120), |s| {
        s.their_messages(stream).len() >= 20
    });
    let replies = sim.their_messages(stream);
    assert!(replies.len() >= expect, "{} replies", replies.len());
    for (ppid, data) in replies {
        assert_eq!(ppid, PPID_STRING);
        let text = String::from_utf8(data).unwrap();
        assert!(text.starts_with("reply "), "{text}");
    }
}

#[test]
fn ours_opens_lossless() {
    ours_opens(1, 0.0);
}

#[test]
fn ours_opens_ten_percent_loss() {
    ours_opens(2, 0.10);
}

#[test]
fn theirs_opens_lossless() {
    theirs_opens(3, 0.0);
}

#[test]
fn theirs_opens_ten_percent_loss() {
    theirs_opens(4, 0.10);
}
