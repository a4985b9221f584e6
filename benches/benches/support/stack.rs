//! The whole stack, both implementations: two peer connections in one
//! thread, offer/answer with one data channel, then ICE, DTLS, SCTP and
//! DCEP in memory (no sockets) on a simulated clock. sansrtc's
//! `RtcPeerConnection` pair and str0m 0.9's `Rtc` pair are driven in the
//! same shape as `media_path.rs` drives them: each peer is drained
//! (`poll_output` until its timeout, a timer already due fired once per
//! drain), every transmit handed at once to the other peer's receive, the
//! two drained in turn until neither sends; when nothing moves the clock
//! goes to the earlier timer and both peers' due timers fire.
//!
//! Shared by the data-channel throughput (`datachannel_stack.rs`), the
//! handshake (`handshake.rs`) and the memory (`memory.rs`) benches.
#![allow(dead_code)]

use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc::{
    ChannelId, DataChannelEvent, DataChannelInit, DataChannelMessage, DtlsVersion,
    IceConnectionState, Machine, Output, PeerEvent, RtcCertificate, RtcConfiguration,
    RtcPeerConnection,
};
use str0m::{Candidate, Event, Input, Rtc};

/// The label of the one channel.
pub const LABEL: &str = "bench";
/// Simulated time a pair may take to open its channel.
const CONNECT_LIMIT: Duration = Duration::from_secs(30);

/// What happened at the two ends.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// a's channel is open (its `open` event / `ChannelOpen`).
    pub a_open: bool,
    /// b announced the channel a opened, open.
    pub b_open: bool,
    /// Messages b received.
    pub messages: u64,
    /// Their bytes.
    pub received: u64,
}

/// A connected pair with one reliable ordered channel from a to b,
/// whichever implementation.
pub trait StackPair {
    /// Drains both peers, carrying their datagrams, until neither sends;
    /// returns whether anything was carried.
    fn carry(&mut self) -> bool;
    /// Goes to the earlier of the two peers' timers and fires the due ones.
    fn advance(&mut self);
    /// Queues one binary message on a's channel; false if refused.
    fn send(&mut self, message: &[u8]) -> bool;
    fn counts(&self) -> Counts;
    fn now(&self) -> Instant;

    /// Carries and advances the clock until the channel is open at both
    /// ends.
    fn open(&mut self, who: &str) {
        let deadline = self.now() + CONNECT_LIMIT;
        while !(self.counts().a_open && self.counts().b_open) {
            assert!(self.now() < deadline, "{who}: the channel did not open");
            if !self.carry() {
                self.advance();
            }
        }
    }

    /// Lets the connected pair idle for `span` of simulated time (keepalives,
    /// consent checks, whatever timers the stack has).
    fn idle(&mut self, span: Duration) {
        let end = self.now() + span;
        while self.now() < end {
            if !self.carry() {
                self.advance();
            }
        }
    }

    /// Moves `total` bytes of `message`s from a to b: a keeps at most
    /// `window` bytes written and not yet received by b (str0m 0.9 has no
    /// `bufferedAmount`; the same bound, read at b, for both), the two are
    /// carried after every round of writes, and the clock advances only
    /// when nothing moves.
    fn transfer(&mut self, message: &[u8], total: u64, window: u64) {
        let start = self.counts().received;
        let mut sent = 0u64;
        let len = message.len() as u64;
        while self.counts().received - start < total {
            let mut fed = false;
            while sent < total && sent + len <= (self.counts().received - start) + window {
                if !self.send(message) {
                    break;
                }
                sent += len;
                fed = true;
            }
            if !self.carry() && !fed {
                self.advance();
            }
        }
        assert_eq!(self.counts().received - start, total, "received too much");
    }
}

// ---------------------------------------------------------------- sansrtc

pub const ADDR_A: &str = "127.0.0.1:5001";
pub const ADDR_B: &str = "127.0.0.1:5002";

/// sansrtc's pair.
pub struct Ours {
    pub a: RtcPeerConnection,
    pub b: RtcPeerConnection,
    pub channel: ChannelId,
    now: Instant,
    next_a: Option<Instant>,
    next_b: Option<Instant>,
    counts: Counts,
}

/// The DTLS version a sansrtc pair negotiates: two sansrtc peer
/// connections agree on DTLS 1.3 by default (X25519MLKEM768 key shares);
/// pinned to 1.2 (`set_dtls_versions`), they do what str0m 0.9 does
/// (DTLS 1.2, ECDHE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OurDtls {
    /// The default range (1.2 to 1.3): 1.3 between two sansrtc peers.
    Dtls13,
    /// Both peers pinned to DTLS 1.2.
    Dtls12,
}

impl OurDtls {
    /// Both, in the order the benches report them.
    pub const ALL: [OurDtls; 2] = [OurDtls::Dtls12, OurDtls::Dtls13];

    /// The suffix of a bench group measured with this version.
    pub fn group_suffix(self) -> &'static str {
        match self {
            OurDtls::Dtls12 => "dtls1.2",
            OurDtls::Dtls13 => "dtls1.3",
        }
    }
}

/// A peer connection with its default configuration, or with the given
/// certificate (then none is generated), negotiating `dtls`.
pub fn our_peer(
    seed: u64,
    addr: &str,
    now: Instant,
    certificate: Option<Arc<RtcCertificate>>,
    dtls: OurDtls,
) -> RtcPeerConnection {
    let mut config = RtcConfiguration::default();
    config.certificates.extend(certificate);
    let mut pc = RtcPeerConnection::new(
        config,
        ChaCha20Rng::seed_from_u64(seed),
        now,
        SystemTime::now(), // sansio-allow: bench anchor of the certificate's validity
    )
    .expect("peer connection");
    if dtls == OurDtls::Dtls12 {
        pc.set_dtls_versions(DtlsVersion::Dtls12, DtlsVersion::Dtls12)
            .expect("DTLS versions");
    }
    pc.add_local_address(now, addr.parse().unwrap())
        .expect("address");
    pc
}

/// A certificate sansrtc generates by default (ECDSA P-256), to be given
/// to peer connections when the bench leaves generation out.
pub fn our_certificate(seed: u64) -> Arc<RtcCertificate> {
    let now = Instant::now(); // sansio-allow: bench anchor
    our_peer(seed, ADDR_A, now, None, OurDtls::Dtls13).certificates()[0].clone()
}

fn message_len(m: &DataChannelMessage) -> u64 {
    match m {
        DataChannelMessage::Text(t) => t.len() as u64,
        DataChannelMessage::Binary(b) => b.len() as u64,
    }
}

/// Drains `from` into `to`; returns whether anything was carried.
fn drain_ours(
    from: &mut RtcPeerConnection,
    to: &mut RtcPeerConnection,
    now: Instant,
    next: &mut Option<Instant>,
    from_a: bool,
    counts: &mut Counts,
) -> bool {
    let mut moved = false;
    let mut fired = false;
    loop {
        match from.poll_output() {
            Output::Transmit(t) => {
                moved = true;
                to.handle_receive_owned(now, t.into_received());
            }
            Output::Event(PeerEvent::DataChannel(e)) => match e {
                DataChannelEvent::Open(_) if from_a => counts.a_open = true,
                DataChannelEvent::Open(_) => counts.b_open = true,
                DataChannelEvent::Message { message, .. } => {
                    counts.messages += 1;
                    counts.received += message_len(&message);
                    black_box(&message);
                }
                e => {
                    black_box(&e);
                }
            },
            Output::Event(e) => {
                black_box(&e);
            }
            Output::Timeout(at) => {
                if at.is_some_and(|at| at <= now) && !fired {
                    fired = true;
                    from.handle_timeout(now);
                    continue;
                }
                *next = at;
                return moved;
            }
        }
    }
}

impl Ours {
    /// Two peer connections, a with one channel, after offer/answer (not
    /// yet connected). `certificates`: given ones, or `None` to have each
    /// generate its own.
    pub fn new(
        seed: u64,
        certificates: Option<[Arc<RtcCertificate>; 2]>,
        now: Instant,
        dtls: OurDtls,
    ) -> Ours {
        let [ca, cb] = match certificates {
            Some([a, b]) => [Some(a), Some(b)],
            None => [None, None],
        };
        let mut a = our_peer(seed, ADDR_A, now, ca, dtls);
        let mut b = our_peer(seed + 1, ADDR_B, now, cb, dtls);
        let channel = a
            .create_data_channel(now, DataChannelInit::new(LABEL))
            .unwrap();
        let offer = a.create_offer(now).unwrap();
        a.set_local_description(now, offer).unwrap();
        b.set_remote_description(now, a.local_description().unwrap())
            .unwrap();
        let answer = b.create_answer().unwrap();
        b.set_local_description(now, answer).unwrap();
        a.set_remote_description(now, b.local_description().unwrap())
            .unwrap();
        Ours {
            a,
            b,
            channel,
            now,
            next_a: None,
            next_b: None,
            counts: Counts::default(),
        }
    }

    /// A pair with its channel open.
    pub fn connected(seed: u64, dtls: OurDtls) -> Ours {
        let now = Instant::now(); // sansio-allow: bench anchor of the simulated clock
        let mut pair = Ours::new(seed, None, now, dtls);
        pair.open("sansrtc");
        pair.assert_version(dtls);
        pair
    }

    /// Panics unless both sides' ICE agents have selected a pair
    /// (`iceConnectionState` connected or completed).
    pub fn assert_ice_selected(&self) {
        for pc in [&self.a, &self.b] {
            assert!(
                matches!(
                    pc.ice_connection_state(),
                    IceConnectionState::Connected | IceConnectionState::Completed
                ),
                "{:?}",
                pc.ice_connection_state()
            );
        }
    }

    /// Panics unless both sides' transports report `dtls`'s version
    /// (`getStats()`, `tlsVersion`).
    pub fn assert_version(&self, dtls: OurDtls) {
        let wire = match dtls {
            OurDtls::Dtls12 => "FEFD",
            OurDtls::Dtls13 => "FEFC",
        };
        for pc in [&self.a, &self.b] {
            let report = pc.get_stats(self.now);
            let version = report.iter().find_map(|(_, s)| match s {
                sansrtc::stats::RtcStats::Transport(t) => t.tls_version.clone(),
                _ => None,
            });
            assert_eq!(version.as_deref(), Some(wire), "{dtls:?}");
        }
    }
}

impl StackPair for Ours {
    fn carry(&mut self) -> bool {
        let mut any = false;
        loop {
            let ab = drain_ours(
                &mut self.a,
                &mut self.b,
                self.now,
                &mut self.next_a,
                true,
                &mut self.counts,
            );
            let ba = drain_ours(
                &mut self.b,
                &mut self.a,
                self.now,
                &mut self.next_b,
                false,
                &mut self.counts,
            );
            if !(ab || ba) {
                return any;
            }
            any = true;
        }
    }

    fn advance(&mut self) {
        let next = [self.next_a, self.next_b].into_iter().flatten().min();
        self.now = self
            .now
            .max(next.unwrap_or(self.now + Duration::from_millis(10)));
        if self.next_a.is_some_and(|t| t <= self.now) {
            self.a.handle_timeout(self.now);
        }
        if self.next_b.is_some_and(|t| t <= self.now) {
            self.b.handle_timeout(self.now);
        }
    }

    fn send(&mut self, message: &[u8]) -> bool {
        // The W3C API takes the message by value: one copy, as str0m's
        // `write(&[u8])` makes one.
        let message = DataChannelMessage::Binary(message.to_vec().into());
        self.a.send(self.now, self.channel, message).is_ok()
    }

    fn counts(&self) -> Counts {
        self.counts
    }

    fn now(&self) -> Instant {
        self.now
    }
}

// ------------------------------------------------------------------ str0m

/// str0m's pair.
pub struct Theirs {
    pub a: Rtc,
    pub b: Rtc,
    pub channel: str0m::channel::ChannelId,
    now: Instant,
    next_a: Instant,
    next_b: Instant,
    counts: Counts,
}

/// A certificate str0m generates by default (ECDSA P-256 with OpenSSL).
pub fn their_certificate() -> str0m::config::DtlsCert {
    str0m::config::DtlsCert::new(
        str0m::config::CryptoProvider::OpenSsl,
        str0m::config::DtlsCertOptions::default(),
    )
}

fn their_peer(addr: SocketAddr, certificate: Option<str0m::config::DtlsCert>) -> Rtc {
    let mut builder = Rtc::builder();
    if let Some(c) = certificate {
        builder = builder.set_dtls_cert_config(str0m::DtlsCertConfig::PregeneratedCert(c));
    }
    let mut rtc = builder.build();
    rtc.add_local_candidate(Candidate::host(addr, "udp").unwrap());
    rtc
}

/// Drains `from` into `to`, as [`drain_ours`].
fn drain_theirs(
    from: &mut Rtc,
    to: &mut Rtc,
    now: Instant,
    next: &mut Instant,
    from_a: bool,
    counts: &mut Counts,
) -> bool {
    let mut moved = false;
    let mut fired = false;
    loop {
        match from.poll_output().expect("str0m poll_output") {
            str0m::Output::Transmit(t) => {
                moved = true;
                let receive =
                    str0m::net::Receive::new(t.proto, t.source, t.destination, &t.contents)
                        .expect("a datagram str0m reads");
                to.handle_input(Input::Receive(now, receive))
                    .expect("str0m receive");
            }
            str0m::Output::Event(Event::ChannelOpen(..)) if from_a => counts.a_open = true,
            str0m::Output::Event(Event::ChannelOpen(..)) => counts.b_open = true,
            str0m::Output::Event(Event::ChannelData(d)) => {
                counts.messages += 1;
                counts.received += d.data.len() as u64;
                black_box(&d);
            }
            str0m::Output::Event(e) => {
                black_box(&e);
            }
            str0m::Output::Timeout(at) => {
                if at <= now && !fired {
                    fired = true;
                    from.handle_input(Input::Timeout(now))
                        .expect("str0m timeout");
                    continue;
                }
                *next = at;
                return moved;
            }
        }
    }
}

impl Theirs {
    /// As [`Ours::new`].
    pub fn new(certificates: Option<[str0m::config::DtlsCert; 2]>, now: Instant) -> Theirs {
        let [ca, cb] = match certificates {
            Some([a, b]) => [Some(a), Some(b)],
            None => [None, None],
        };
        let mut a = their_peer((Ipv4Addr::new(127, 0, 0, 1), 5001).into(), ca);
        let mut b = their_peer((Ipv4Addr::new(127, 0, 0, 1), 5002).into(), cb);
        let mut change = a.sdp_api();
        let channel = change.add_channel(LABEL.into());
        let (offer, pending) = change.apply().unwrap();
        let answer = b.sdp_api().accept_offer(offer).unwrap();
        a.sdp_api().accept_answer(pending, answer).unwrap();
        let mut pair = Theirs {
            a,
            b,
            channel,
            now,
            next_a: now,
            next_b: now,
            counts: Counts::default(),
        };
        pair.fire_timers();
        pair
    }

    /// A pair with its channel open.
    pub fn connected() -> Theirs {
        let now = Instant::now(); // sansio-allow: bench anchor of the simulated clock
        let mut pair = Theirs::new(None, now);
        pair.open("str0m");
        pair
    }

    fn fire_timers(&mut self) {
        if self.next_a <= self.now {
            self.a.handle_input(Input::Timeout(self.now)).unwrap();
        }
        if self.next_b <= self.now {
            self.b.handle_input(Input::Timeout(self.now)).unwrap();
        }
    }
}

impl StackPair for Theirs {
    fn carry(&mut self) -> bool {
        let mut any = false;
        loop {
            let ab = drain_theirs(
                &mut self.a,
                &mut self.b,
                self.now,
                &mut self.next_a,
                true,
                &mut self.counts,
            );
            let ba = drain_theirs(
                &mut self.b,
                &mut self.a,
                self.now,
                &mut self.next_b,
                false,
                &mut self.counts,
            );
            if !(ab || ba) {
                return any;
            }
            any = true;
        }
    }

    fn advance(&mut self) {
        self.now = self.now.max(self.next_a.min(self.next_b));
        self.fire_timers();
    }

    fn send(&mut self, message: &[u8]) -> bool {
        let Some(mut channel) = self.a.channel(self.channel) else {
            return false;
        };
        channel.write(true, message).is_ok()
    }

    fn counts(&self) -> Counts {
        self.counts
    }

    fn now(&self) -> Instant {
        self.now
    }
}
