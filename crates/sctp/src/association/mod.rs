//! The SCTP association state machine (RFC 9260 §4) and its commands.

mod congestion;
mod input;
mod output;
mod reassembly;
mod receiver;
mod reconfig;
mod sender;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, RngCore, SeedableRng};
use sansrtc_proto::{Output, TimerKind, TimerTable};

use crate::config::SctpConfig;
use crate::error::SctpError;
use crate::event::{CloseReason, Message, SctpEvent, SendOptions};

use congestion::{Congestion, RtoEstimator};
use receiver::Receiver;
use reconfig::Reconfig;
use sender::Sender;

/// The association states of RFC 9260 §4, plus `Idle` (created, no INIT
/// sent yet, answering INITs) and a terminal `Closed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AssociationState {
    /// Not connected yet; an INIT from the peer is answered.
    Idle,
    /// INIT sent.
    CookieWait,
    /// COOKIE ECHO sent.
    CookieEchoed,
    /// Data flows.
    Established,
    /// The application asked to shut down; outstanding data drains first.
    ShutdownPending,
    /// SHUTDOWN sent.
    ShutdownSent,
    /// SHUTDOWN received; outstanding data drains first.
    ShutdownReceived,
    /// SHUTDOWN ACK sent.
    ShutdownAckSent,
    /// Ended; see the [`SctpEvent::Closed`] reason.
    Closed,
}

/// The timers of an association.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    /// T1-init and T1-cookie.
    Init,
    /// T3-rtx.
    Retransmit,
    /// The delayed SACK.
    DelayedSack,
    /// T2-shutdown.
    Shutdown,
    /// The RE-CONFIG request retransmission.
    Reconfig,
}

impl TimerKind for Timer {
    const ALL: &'static [Self] = &[
        Timer::Init,
        Timer::Retransmit,
        Timer::DelayedSack,
        Timer::Shutdown,
        Timer::Reconfig,
    ];
    fn index(self) -> usize {
        self as usize
    }
}

/// What the peer announced in its INIT or INIT-ACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PeerInit {
    pub(crate) tag: u32,
    pub(crate) initial_tsn: u32,
    pub(crate) a_rwnd: u32,
    pub(crate) outbound_streams: u16,
    pub(crate) inbound_streams: u16,
    pub(crate) forward_tsn: bool,
    pub(crate) reconfig: bool,
    pub(crate) zero_checksum: bool,
}

/// Counters for what the association dropped or did, for stats and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SctpStats {
    /// Packets handed to `handle_receive` or `handle_receive_owned`.
    pub packets_received: u64,
    /// Packets produced by `poll_output`.
    pub packets_sent: u64,
    /// Packets dropped: bad checksum, header, tag, port or framing.
    pub packets_dropped: u64,
    /// Chunks dropped: malformed, wrong state, out of window, no room.
    pub chunks_dropped: u64,
    /// DATA chunks sent again.
    pub retransmitted_chunks: u64,
    /// Fast retransmit events.
    pub fast_retransmits: u64,
    /// T3-rtx expirations.
    pub retransmission_timeouts: u64,
    /// Duplicate DATA chunks received.
    pub duplicate_chunks: u64,
    /// Whole messages handed to the application by `read`.
    pub messages_received: u64,
}

/// Upper bound of packets queued for `poll_output` outside the data path.
const MAX_QUEUED_TRANSMITS: usize = 64;

/// A Sans-IO SCTP association for WebRTC: one per DTLS connection,
/// single-homed.
///
/// Drive it with [`handle_receive`](Self::handle_receive),
/// [`handle_timeout`](Self::handle_timeout) and the commands; after each,
/// drain [`poll_output`](Self::poll_output) until it returns
/// [`Output::Timeout`]. Transmits are whole SCTP packets for DTLS
/// application data.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub struct Association {
    pub(crate) config: SctpConfig,
    pub(crate) rng: ChaCha20Rng,
    pub(crate) epoch: Instant,
    pub(crate) now: Instant,
    pub(crate) state: AssociationState,
    pub(crate) my_tag: u32,
    pub(crate) my_initial_tsn: u32,
    pub(crate) peer_tag: u32,
    pub(crate) secret: [u8; 32],
    pub(crate) peer: Option<PeerInit>,
    pub(crate) cookie_echo: Option<Vec<u8>>,
    pub(crate) timers: TimerTable<Timer, 5>,
    pub(crate) init_retransmits: u32,
    pub(crate) error_count: u32,
    pub(crate) shutdown_retransmits: u32,
    pub(crate) transmits: VecDeque<Vec<u8>>,
    /// A packet buffer given back by the layer below
    /// ([`Association::recycle_packet`]), reused by the next data packet
    /// of the same drain and released when the drain ends.
    pub(crate) spare_packet: Option<Vec<u8>>,
    /// Room before and after every packet `poll_output` gives
    /// ([`Association::set_packet_room`]).
    pub(crate) packet_room: PacketRoom,
    pub(crate) events: VecDeque<SctpEvent>,
    pub(crate) sender: Sender,
    pub(crate) receiver: Receiver,
    pub(crate) rto: RtoEstimator,
    pub(crate) cc: Congestion,
    pub(crate) reconfig: Reconfig,
    pub(crate) outbound_streams: u16,
    pub(crate) inbound_streams: u16,
    pub(crate) send_zero_checksum: bool,
    pub(crate) use_forward_tsn: bool,
    pub(crate) sack_now: bool,
    /// [`Association::hold_sack`]: a SACK with nothing else to send waits.
    pub(crate) sack_held: bool,
    /// A COOKIE ACK to send, first in the next packet, bundled with the
    /// DATA that follows it (RFC 9260 §5.1: a peer in COOKIE-ECHOED drops
    /// DATA that overtakes a separate COOKIE ACK).
    pub(crate) cookie_ack_pending: bool,
    pub(crate) packets_since_sack: u32,
    pub(crate) forward_tsn_now: bool,
    pub(crate) fast_retransmit_now: bool,
    pub(crate) readable_signalled: bool,
    pub(crate) last_data_sent: Option<Instant>,
    pub(crate) stats: SctpStats,
}

impl Association {
    /// A new association in [`AssociationState::Idle`]. Its verification
    /// tag, initial TSN and cookie secret come from `rng` now; later
    /// randomness comes from a ChaCha20 generator seeded from it.
    pub fn new(config: SctpConfig, rng: &mut (impl RngCore + CryptoRng), now: Instant) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let mut rng = ChaCha20Rng::from_seed(seed);
        let my_tag = nonzero(&mut rng);
        let my_initial_tsn = rng.next_u32();
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        let mtu = config.mtu.clamp(256, 65_535);
        let config = SctpConfig { mtu, ..config };
        Self {
            rto: RtoEstimator::new(config.rto_initial, config.rto_min, config.rto_max),
            cc: Congestion::new(mtu, config.receive_window as usize),
            sender: Sender::new(my_initial_tsn, config.receive_window),
            receiver: Receiver::new(0, config.receive_window as usize, config.max_message_size),
            reconfig: Reconfig::new(my_initial_tsn, 0),
            outbound_streams: config.outbound_streams,
            inbound_streams: config.inbound_streams,
            config,
            rng,
            epoch: now,
            now,
            state: AssociationState::Idle,
            my_tag,
            my_initial_tsn,
            peer_tag: 0,
            secret,
            peer: None,
            cookie_echo: None,
            timers: TimerTable::new(),
            init_retransmits: 0,
            error_count: 0,
            shutdown_retransmits: 0,
            transmits: VecDeque::new(),
            spare_packet: None,
            packet_room: PacketRoom::default(),
            events: VecDeque::new(),
            send_zero_checksum: false,
            use_forward_tsn: false,
            sack_now: false,
            sack_held: false,
            cookie_ack_pending: false,
            packets_since_sack: 0,
            forward_tsn_now: false,
            fast_retransmit_now: false,
            readable_signalled: false,
            last_data_sent: None,
            stats: SctpStats::default(),
        }
    }

    /// The current state.
    pub fn state(&self) -> AssociationState {
        self.state
    }

    /// Whether messages can be sent.
    pub fn is_established(&self) -> bool {
        self.state == AssociationState::Established
    }

    /// Counters.
    pub fn stats(&self) -> SctpStats {
        self.stats
    }

    /// The negotiated number of outgoing streams (ids below it are valid).
    pub fn outbound_streams(&self) -> u16 {
        self.outbound_streams
    }

    /// The negotiated number of incoming streams.
    pub fn inbound_streams(&self) -> u16 {
        self.inbound_streams
    }

    /// The smoothed round-trip time, once measured.
    pub fn smoothed_rtt(&self) -> Option<Duration> {
        self.rto.srtt()
    }

    /// The congestion window, in bytes.
    pub fn congestion_window(&self) -> usize {
        self.cc.cwnd
    }

    /// Starts the association: sends INIT now, whatever the DTLS or ICE
    /// role (both ends may call it; RFC 9260 §5.2.1 resolves the collision).
    /// A no-op if the association is already connecting or established.
    pub fn connect(&mut self, now: Instant) -> Result<(), SctpError> {
        self.now = now;
        match self.state {
            AssociationState::Idle => {}
            // Already connecting or connected (the peer's INIT may have
            // come first): nothing to do.
            AssociationState::CookieWait
            | AssociationState::CookieEchoed
            | AssociationState::Established => return Ok(()),
            _ => return Err(SctpError::InvalidState),
        }
        self.state = AssociationState::CookieWait;
        self.init_retransmits = 0;
        self.send_init();
        self.timers.set(Timer::Init, now + self.rto.rto());
        Ok(())
    }

    /// Queues a message on `stream_id` with payload protocol id `ppid`.
    /// Allowed from `connect` on (queued until established).
    pub fn send(
        &mut self,
        now: Instant,
        stream_id: u16,
        ppid: u32,
        data: impl Into<Bytes>,
        options: SendOptions,
    ) -> Result<(), SctpError> {
        self.now = now;
        if !matches!(
            self.state,
            AssociationState::Idle
                | AssociationState::CookieWait
                | AssociationState::CookieEchoed
                | AssociationState::Established
        ) {
            return Err(SctpError::InvalidState);
        }
        let data = data.into();
        if data.is_empty() {
            return Err(SctpError::EmptyMessage);
        }
        if data.len() > self.config.max_message_size {
            return Err(SctpError::MessageTooLarge {
                size: data.len(),
                max: self.config.max_message_size,
            });
        }
        if stream_id >= self.outbound_streams {
            return Err(SctpError::InvalidStream(stream_id));
        }
        if self
            .sender
            .streams
            .get(&stream_id)
            .is_some_and(|s| s.resetting)
        {
            return Err(SctpError::StreamResetting(stream_id));
        }
        if self.sender.held + data.len() > self.config.send_buffer {
            return Err(SctpError::SendBufferFull);
        }
        self.sender.enqueue(now, stream_id, ppid, data, options);
        Ok(())
    }

    /// Takes the next whole received message. Reading opens the receive
    /// window again; drain `poll_output` afterwards (a window update may go out).
    pub fn read(&mut self) -> Option<Message> {
        let Some(m) = self.receiver.read() else {
            self.readable_signalled = false;
            return None;
        };
        let rwnd = self.receiver.a_rwnd();
        let window = self.config.receive_window as usize;
        let last = self.receiver.last_advertised;
        if rwnd >= last + (window / 4).max(self.config.mtu) {
            self.sack_now = true;
        }
        self.stats.messages_received += 1;
        Some(m)
    }

    /// Whether a whole message of `stream_id` waits to be [`read`](Self::read)
    /// (an application that reads within a budget leaves some there).
    pub fn has_unread(&self, stream_id: u16) -> bool {
        self.receiver.has_ready_on(stream_id)
    }

    /// Bytes queued on `stream_id` and not yet sent once (`bufferedAmount`).
    pub fn buffered_amount(&self, stream_id: u16) -> usize {
        self.sender
            .streams
            .get(&stream_id)
            .map_or(0, |s| s.buffered)
    }

    /// Bytes queued on all streams and not yet sent once.
    pub fn total_buffered_amount(&self) -> usize {
        self.sender.buffered
    }

    /// Sets the threshold under which [`SctpEvent::BufferedAmountLow`] fires
    /// for `stream_id` (`bufferedAmountLowThreshold`).
    pub fn set_buffered_amount_low_threshold(&mut self, stream_id: u16, threshold: usize) {
        self.sender
            .streams
            .entry(stream_id)
            .or_default()
            .low_threshold = threshold;
    }

    /// Sets the threshold for [`SctpEvent::TotalBufferedAmountLow`].
    pub fn set_total_buffered_amount_low_threshold(&mut self, threshold: usize) {
        self.sender.total_low_threshold = threshold;
    }

    /// Starts a graceful shutdown (RFC 9260 §9.2): queued data is sent and
    /// acknowledged first.
    pub fn shutdown(&mut self, now: Instant) -> Result<(), SctpError> {
        self.now = now;
        match self.state {
            AssociationState::Established => {
                self.state = AssociationState::ShutdownPending;
                self.progress_shutdown();
                Ok(())
            }
            AssociationState::Idle
            | AssociationState::CookieWait
            | AssociationState::CookieEchoed => {
                self.close(CloseReason::Shutdown);
                Ok(())
            }
            _ => Err(SctpError::InvalidState),
        }
    }

    /// Aborts the association at once (RFC 9260 §9.1), telling the peer.
    pub fn abort(&mut self, now: Instant) {
        self.now = now;
        if self.state == AssociationState::Closed {
            return;
        }
        if self.peer_tag != 0 {
            self.send_abort();
        }
        self.close(CloseReason::LocalAbort);
    }

    /// Handles expired timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        let due: Vec<Timer> = self.timers.take_expired(now).collect();
        for timer in due {
            match timer {
                Timer::Init => self.on_init_timeout(),
                Timer::Retransmit => self.on_retransmit_timeout(),
                Timer::DelayedSack => self.sack_now = true,
                Timer::Shutdown => self.on_shutdown_timeout(),
                Timer::Reconfig => self.on_reconfig_timeout(),
            }
        }
    }

    /// The next thing to do: a packet to send, an event, or the instant of
    /// the next timeout (which ends a drain).
    pub fn poll_output(&mut self) -> Output<Vec<u8>, SctpEvent> {
        if let Some(p) = self.transmits.pop_front() {
            self.stats.packets_sent += 1;
            return Output::Transmit(self.packet_room.around(p));
        }
        // The handshake just completed: tell the application first, so that
        // what it sends on `Connected` rides with the COOKIE ACK.
        if self.cookie_ack_pending {
            if let Some(e) = self.events.pop_front() {
                return Output::Event(e);
            }
        }
        if let Some(p) = self.build_packet() {
            self.stats.packets_sent += 1;
            return Output::Transmit(p);
        }
        self.collect_buffer_events();
        if let Some(e) = self.events.pop_front() {
            return Output::Event(e);
        }
        // The drain ends: an idle association holds no packet buffer.
        self.spare_packet = None;
        Output::Timeout(self.next_timeout())
    }

    /// Leaves room around every packet [`Self::poll_output`] gives from
    /// now on: each starts with `headroom` bytes that are not part of the
    /// packet (their value is unspecified), and its buffer has capacity
    /// for `tailroom` more bytes after it. A layer below that frames a
    /// packet with a header and a trailer (DTLS: record header, AEAD tag)
    /// then writes them around it where it lies, with no copy. Both 0 by
    /// default; each is capped at [`MAX_PACKET_ROOM`].
    pub fn set_packet_room(&mut self, headroom: usize, tailroom: usize) {
        self.packet_room = PacketRoom {
            headroom: headroom.min(MAX_PACKET_ROOM),
            tailroom: tailroom.min(MAX_PACKET_ROOM),
        };
        self.spare_packet = None;
    }

    /// The room set by [`Self::set_packet_room`]: (headroom, tailroom).
    pub fn packet_room(&self) -> (usize, usize) {
        (self.packet_room.headroom, self.packet_room.tailroom)
    }

    /// While `hold` is true, a SACK owed with nothing else to send is not
    /// built by [`Self::poll_output`]: it rides in the next packet that
    /// carries DATA or another chunk, or leaves on its own at the first
    /// `poll_output` after the hold is lifted. The delayed-SACK timer runs
    /// as ever. A layer above that hands this association a batch of
    /// received packets holds while it takes each packet's events and
    /// lifts the hold when its own caller polls: the batch is then
    /// acknowledged by one SACK, whose cumulative TSN and gap blocks cover
    /// every packet in it, instead of one SACK per second packet, each
    /// sealed, sent and applied by the peer. (RFC 9260 §6.2 asks for a
    /// SACK for at least every second packet; packets handed over
    /// together were received together, so a SACK per pair among them
    /// would leave at the same instant as the one that covers them all.)
    pub fn hold_sack(&mut self, hold: bool) {
        self.sack_held = hold;
    }

    /// Whether a SACK is owed now: the next [`Self::poll_output`] sends
    /// one unless [`Self::hold_sack`] holds it.
    pub fn sack_owed(&self) -> bool {
        self.sack_now
    }

    /// Gives back a packet this association sent, once the layer below has
    /// copied it (DTLS seals a copy): the next packet of the same drain is
    /// built in it instead of a new allocation. A buffer of another size
    /// is dropped.
    pub fn recycle_packet(&mut self, packet: Vec<u8>) {
        let mtu = self.config.mtu + self.packet_room.total();
        if self.spare_packet.is_none() && (mtu..=2 * mtu).contains(&packet.capacity()) {
            self.spare_packet = Some(packet);
        }
    }

    /// The earliest armed timer, as `TimerTable::next` finds it, in a
    /// plain loop over the five: this runs at the end of every drain of
    /// the association (several times per message a peer connection
    /// sends), where the table's iterator chain was ~4 % of a data-channel
    /// transfer.
    fn next_timeout(&self) -> Option<Instant> {
        let mut next: Option<Instant> = None;
        for &timer in Timer::ALL {
            if let Some(at) = self.timers.get(timer) {
                if next.map_or(true, |n| at < n) {
                    next = Some(at);
                }
            }
        }
        next
    }

    /// Queues a packet built outside the data path.
    pub(crate) fn queue_transmit(&mut self, packet: Vec<u8>) {
        if self.transmits.len() < MAX_QUEUED_TRANSMITS {
            self.transmits.push_back(packet);
        }
    }

    fn collect_buffer_events(&mut self) {
        for stream_id in self.sender.low_events.drain(..) {
            self.events
                .push_back(SctpEvent::BufferedAmountLow { stream_id });
        }
        if std::mem::take(&mut self.sender.total_low_event) {
            self.events.push_back(SctpEvent::TotalBufferedAmountLow);
        }
    }

    /// Ends the association: drops queues, stops timers, tells the application.
    pub(crate) fn close(&mut self, reason: CloseReason) {
        if self.state == AssociationState::Closed {
            return;
        }
        self.state = AssociationState::Closed;
        self.timers = TimerTable::new();
        self.sender.clear();
        self.receiver.clear();
        self.sack_now = false;
        self.events.push_back(SctpEvent::Closed(reason));
    }

    /// Milliseconds since the association was created.
    pub(crate) fn now_ms(&self) -> u64 {
        self.now.saturating_duration_since(self.epoch).as_millis() as u64
    }

    /// Whether the association is far enough along to exchange DATA.
    pub(crate) fn data_state(&self) -> bool {
        matches!(
            self.state,
            AssociationState::Established
                | AssociationState::ShutdownPending
                | AssociationState::ShutdownSent
                | AssociationState::ShutdownReceived
        )
    }

    /// Sets up the data path from what both ends announced (entering
    /// ESTABLISHED from a COOKIE ECHO or a COOKIE ACK).
    pub(crate) fn establish(&mut self, peer: PeerInit) {
        self.peer_tag = peer.tag;
        self.peer = Some(peer);
        self.outbound_streams = self.config.outbound_streams.min(peer.inbound_streams);
        self.inbound_streams = self.config.inbound_streams.min(peer.outbound_streams);
        self.use_forward_tsn = peer.forward_tsn;
        self.send_zero_checksum = self.config.zero_checksum && peer.zero_checksum;
        self.receiver = Receiver::new(
            peer.initial_tsn,
            self.config.receive_window as usize,
            self.config.max_message_size,
        );
        self.sender.peer_rwnd = peer.a_rwnd as usize;
        self.cc = Congestion::new(self.config.mtu, peer.a_rwnd as usize);
        self.reconfig = Reconfig::new(self.my_initial_tsn, peer.initial_tsn);
        self.reconfig.peer_supports = peer.reconfig;
        self.timers.stop(Timer::Init);
        self.cookie_echo = None;
        self.state = AssociationState::Established;
        self.events.push_back(SctpEvent::Connected);
    }
}

/// A non-zero random u32 (verification tags must not be 0).
pub(crate) fn nonzero(rng: &mut impl RngCore) -> u32 {
    loop {
        let v = rng.next_u32();
        if v != 0 {
            return v;
        }
    }
}

/// The most room [`Association::set_packet_room`] leaves on either side
/// of a packet (a DTLS record needs at most 21 bytes before and 32 after).
pub const MAX_PACKET_ROOM: usize = 256;

/// Room around the packets an association gives
/// ([`Association::set_packet_room`]).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PacketRoom {
    pub(crate) headroom: usize,
    pub(crate) tailroom: usize,
}

impl PacketRoom {
    /// Headroom and tailroom together.
    pub(crate) fn total(self) -> usize {
        self.headroom + self.tailroom
    }

    /// `packet`, built without room (the rare packets queued whole: INIT,
    /// COOKIE ECHO, ABORT, ...), moved behind the headroom.
    pub(crate) fn around(self, packet: Vec<u8>) -> Vec<u8> {
        if self.headroom == 0 {
            return packet;
        }
        let mut buffer = Vec::with_capacity(self.headroom + packet.len() + self.tailroom);
        buffer.resize(self.headroom, 0);
        buffer.extend_from_slice(&packet);
        buffer
    }
}
