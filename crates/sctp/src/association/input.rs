//! Received packets: checks of the common header, verification tags
//! (RFC 9260 §8.5), chunk dispatch by state, the handshake with its
//! collision cases (§5.2), shutdown (§9.2) and abort (§9.1).

use std::time::Instant;

use bytes::Bytes;

use super::{Association, AssociationState, PeerInit, Timer};
use crate::chunk::{self, kind, Chunk, InitChunk, SackChunk, UnknownAction};
use crate::cookie::Cookie;
use crate::crc;
use crate::event::{CloseReason, SctpEvent};
use crate::packet::{self, ChunkIter};
use crate::param::parse_init_params;

use super::receiver::DataVerdict;

/// Error cause codes (RFC 9260 §3.3.10).
pub(crate) mod cause {
    pub(crate) const INVALID_STREAM: u16 = 1;
    pub(crate) const UNRECOGNIZED_CHUNK: u16 = 6;
    pub(crate) const UNRECOGNIZED_PARAMETERS: u16 = 8;
    pub(crate) const USER_ABORT: u16 = 12;
}

impl Association {
    /// Handles one received SCTP packet (the payload of a DTLS record).
    /// Malformed or unexpected input is dropped and counted, never fatal.
    /// The payloads kept are copied out of `packet`; see
    /// [`handle_receive_owned`](Self::handle_receive_owned) to avoid that.
    pub fn handle_receive(&mut self, now: Instant, packet: &[u8]) {
        let checksum_ok = crc::verify(packet, self.config.zero_checksum);
        self.receive(now, packet, None, checksum_ok);
    }

    /// Handles one received SCTP packet that the caller hands over (such
    /// as the `Vec` a DTLS endpoint decrypted it into). The checksum is
    /// checked in place in one pass, and a DATA payload that fills at
    /// least half of the packet is kept as a slice of it: no copy, no
    /// allocation, the message read later shares the buffer. A smaller
    /// payload is copied, so that what is held stays within twice what the
    /// receive window charges for. A buffer more than twice the packet's
    /// length (a driver's whole receive buffer, say, or a short SACK's
    /// datagram) is not kept at all, for the same reason: what is kept of
    /// it is copied, as [`handle_receive`](Self::handle_receive) does, so
    /// a packet with nothing to keep costs no copy and no reallocation.
    /// Otherwise the same as [`handle_receive`](Self::handle_receive).
    pub fn handle_receive_owned(&mut self, now: Instant, mut packet: Vec<u8>) {
        let checksum_ok = crc::verify_in_place(&mut packet, self.config.zero_checksum);
        if packet.capacity() > 2 * packet.len() {
            self.receive(now, &packet, None, checksum_ok);
            return;
        }
        let packet = Bytes::from(packet);
        self.receive(now, &packet, Some(&packet), checksum_ok);
    }

    /// Both entry points: `owner`, when given, is the buffer `packet` is;
    /// `checksum_ok` says whether its checksum was right.
    fn receive(&mut self, now: Instant, packet: &[u8], owner: Option<&Bytes>, checksum_ok: bool) {
        self.now = now;
        self.stats.packets_received += 1;
        if self.state == AssociationState::Closed {
            self.stats.packets_dropped += 1;
            return;
        }
        let Ok(header) = packet::parse_header(packet) else {
            self.stats.packets_dropped += 1;
            return;
        };
        if header.destination_port != self.config.local_port
            || header.source_port != self.config.remote_port
            || !checksum_ok
        {
            self.stats.packets_dropped += 1;
            return;
        }
        // First pass: framing and the tag rules that depend on chunk types.
        let mut has_init = false;
        let mut count = 0usize;
        for raw in ChunkIter::new(packet) {
            let Ok(raw) = raw else {
                self.stats.packets_dropped += 1;
                return;
            };
            count += 1;
            has_init |= raw.chunk_type == kind::INIT;
        }
        if count == 0 || (has_init && (count != 1 || header.verification_tag != 0)) {
            // §8.5.1 A: an INIT is alone, with tag 0.
            self.stats.packets_dropped += 1;
            return;
        }
        let tag = header.verification_tag;
        let mut had_data = false;
        let mut errors: Vec<u8> = Vec::new();
        for raw in ChunkIter::new(packet).flatten() {
            if self.state == AssociationState::Closed {
                break;
            }
            let parsed = match chunk::parse(&raw) {
                Ok(c) => c,
                Err(_) => {
                    self.stats.chunks_dropped += 1;
                    break;
                }
            };
            // §8.5: the tag must be ours, except for the chunks with rules
            // of their own.
            let tag_ok = match parsed {
                Chunk::Init(_) => true,
                Chunk::CookieEcho(_) => true, // checked against the cookie
                Chunk::Abort { reflected } | Chunk::ShutdownComplete { reflected } => {
                    if reflected {
                        self.peer_tag != 0 && tag == self.peer_tag
                    } else {
                        tag == self.my_tag
                    }
                }
                _ => tag == self.my_tag,
            };
            if !tag_ok {
                self.stats.packets_dropped += 1;
                return;
            }
            match parsed {
                Chunk::Data(d) => {
                    had_data = true;
                    self.on_data(&d, owner, &mut errors);
                }
                Chunk::Init(init) => self.on_init(&init),
                Chunk::InitAck(init) => self.on_init_ack(&init),
                Chunk::Sack(sack) => self.on_sack(&sack, now),
                Chunk::Heartbeat(info) => self.send_heartbeat_ack(info),
                Chunk::HeartbeatAck | Chunk::Error => {}
                Chunk::Abort { .. } => self.close(CloseReason::PeerAbort),
                Chunk::Shutdown { cumulative_tsn } => self.on_shutdown(cumulative_tsn),
                Chunk::ShutdownAck => self.on_shutdown_ack(),
                Chunk::ShutdownComplete { .. } => {
                    if self.state == AssociationState::ShutdownAckSent {
                        self.close(CloseReason::Shutdown);
                    }
                }
                Chunk::CookieEcho(c) => self.on_cookie_echo(c, tag),
                Chunk::CookieAck => self.on_cookie_ack(),
                Chunk::ForwardTsn(f) => {
                    if !self.on_forward_tsn(&f, raw.whole, &mut errors) {
                        break;
                    }
                }
                Chunk::ReConfig(v) => self.on_reconfig(v),
                Chunk::Unknown(t) => {
                    if !self.on_unknown_chunk(t, raw.whole, &mut errors) {
                        break;
                    }
                }
            }
        }
        if !errors.is_empty() && self.peer_tag != 0 && self.state != AssociationState::Closed {
            self.send_error(&errors);
        }
        if had_data && self.data_state() {
            self.packets_since_sack += 1;
            if self.receiver.has_gaps_or_duplicates()
                || self.packets_since_sack >= 2
                || self.state != AssociationState::Established
            {
                self.sack_now = true;
            } else if self.timers.get(Timer::DelayedSack).is_none() {
                self.timers
                    .set(Timer::DelayedSack, now + self.config.delayed_ack);
            }
        }
    }

    /// A FORWARD TSN chunk; returns whether the rest of the packet is
    /// processed. Only once established, and only if the peer announced
    /// Forward-TSN-Supported (we always do): otherwise RFC 3758 §3.3.1 and
    /// §3.3.2 say an end "MUST instead act as if it does NOT support the
    /// FORWARD TSN chunk, returning an ERROR to the peer upon receipt of
    /// any FORWARD TSN" — what RFC 9260 §3.2 does with an unknown chunk
    /// type whose high bits are `11` (0xC0): skip it, go on, report it as
    /// "Unrecognized Chunk Type".
    fn on_forward_tsn(
        &mut self,
        f: &chunk::ForwardTsnChunk<'_>,
        whole: &[u8],
        errors: &mut Vec<u8>,
    ) -> bool {
        if !self.data_state() {
            self.stats.chunks_dropped += 1;
            return true;
        }
        if !self.use_forward_tsn {
            return self.on_unknown_chunk(kind::FORWARD_TSN, whole, errors);
        }
        if self.receiver.on_forward_tsn(f, self.inbound_streams) {
            self.after_receiver_progress();
        }
        // RFC 3758 §3.6: a SACK, by the DATA rules, and one SHOULD answer
        // an out-of-date FORWARD TSN; at once satisfies both.
        self.sack_now = true;
        true
    }

    /// A chunk of a type we do not process (RFC 9260 §3.2): counted,
    /// reported in `errors` if its high bits say so; returns whether the
    /// rest of the packet is processed.
    fn on_unknown_chunk(&mut self, chunk_type: u8, whole: &[u8], errors: &mut Vec<u8>) -> bool {
        self.stats.chunks_dropped += 1;
        let action = UnknownAction::from_high_bits(chunk_type);
        if action.report && errors.len() < 512 {
            chunk::write::tlv(errors, cause::UNRECOGNIZED_CHUNK, whole);
        }
        action.skip
    }

    fn on_data(&mut self, d: &chunk::DataChunk<'_>, owner: Option<&Bytes>, errors: &mut Vec<u8>) {
        if !self.data_state() {
            self.stats.chunks_dropped += 1;
            return;
        }
        if d.stream >= self.inbound_streams {
            // §6.5: acknowledge the TSN, drop the data, report the stream.
            if errors.len() < 512 {
                let mut v = d.stream.to_be_bytes().to_vec();
                v.extend_from_slice(&[0, 0]);
                chunk::write::tlv(errors, cause::INVALID_STREAM, &v);
            }
            let _ = self.receiver.on_data_discarded(d.tsn);
            self.stats.chunks_dropped += 1;
            return;
        }
        match self.receiver.on_data(d, owner) {
            DataVerdict::Accepted => self.after_receiver_progress(),
            DataVerdict::Duplicate => self.stats.duplicate_chunks += 1,
            DataVerdict::Dropped => self.stats.chunks_dropped += 1,
        }
    }

    /// After the receiver advanced: readable event, deferred resets.
    pub(crate) fn after_receiver_progress(&mut self) {
        if self.receiver.has_ready() && !self.readable_signalled {
            self.readable_signalled = true;
            self.events.push_back(SctpEvent::Readable);
        }
        self.try_deferred_incoming_reset();
    }

    fn on_sack(&mut self, sack: &SackChunk<'_>, now: Instant) {
        if !self.data_state() {
            self.stats.chunks_dropped += 1;
            return;
        }
        let in_recovery = self.sender.fast_recovery_exit.is_some();
        let Some(out) = self.sender.on_sack(sack, now) else {
            return;
        };
        if let Some(rtt) = out.rtt {
            self.rto.sample(rtt);
        }
        if out.cum_advanced {
            self.error_count = 0;
            self.cc
                .on_ack(out.bytes_acked, out.flight_before, in_recovery);
        }
        if out.fast_retransmits > 0 {
            self.stats.fast_retransmits += 1;
            if self.sender.fast_recovery_exit.is_none() {
                self.cc.on_fast_retransmit();
                self.sender.fast_recovery_exit = Some(self.sender.next_tsn() - 1);
            }
            self.fast_retransmit_now = true;
        }
        if !self.sender.has_unacked_sent() {
            self.timers.stop(Timer::Retransmit);
        } else if out.cum_advanced {
            self.timers.set(Timer::Retransmit, now + self.rto.rto());
        }
        self.sender.advance_ack_point();
        if self.sender.needs_forward_tsn() && self.use_forward_tsn {
            self.forward_tsn_now = true;
        }
        self.progress_shutdown();
    }

    fn on_init(&mut self, init: &InitChunk<'_>) {
        let Ok(params) = parse_init_params(init.params) else {
            self.stats.chunks_dropped += 1;
            return;
        };
        let peer = PeerInit {
            tag: init.initiate_tag,
            initial_tsn: init.initial_tsn,
            a_rwnd: init.a_rwnd,
            outbound_streams: init.outbound_streams,
            inbound_streams: init.inbound_streams,
            forward_tsn: params.forward_tsn,
            reconfig: params.reconfig,
            zero_checksum: params.zero_checksum,
        };
        let unrecognized = params.unrecognized.clone();
        match self.state {
            // §5.1 and §5.2.1: answer with our own tag and TSN, unchanged.
            AssociationState::Idle
            | AssociationState::CookieWait
            | AssociationState::CookieEchoed => {
                self.send_init_ack(
                    &peer,
                    self.my_tag,
                    self.my_initial_tsn,
                    (0, 0),
                    &unrecognized,
                );
            }
            // §5.2.2: a new tag and TSN, with tie-tags of the association.
            AssociationState::Established
            | AssociationState::ShutdownPending
            | AssociationState::ShutdownSent
            | AssociationState::ShutdownReceived => {
                let tag = super::nonzero(&mut self.rng);
                let tsn = rand_core::RngCore::next_u32(&mut self.rng);
                let tie = (self.my_tag, self.peer_tag);
                self.send_init_ack(&peer, tag, tsn, tie, &unrecognized);
            }
            AssociationState::ShutdownAckSent | AssociationState::Closed => {}
        }
    }

    fn on_init_ack(&mut self, init: &InitChunk<'_>) {
        if self.state != AssociationState::CookieWait {
            // §5.2.3: an unexpected INIT ACK is discarded.
            self.stats.chunks_dropped += 1;
            return;
        }
        let Ok(params) = parse_init_params(init.params) else {
            self.stats.chunks_dropped += 1;
            return;
        };
        let Some(cookie) = params.cookie.filter(|c| !c.is_empty() && c.len() <= 1024) else {
            self.stats.chunks_dropped += 1;
            return;
        };
        self.peer = Some(PeerInit {
            tag: init.initiate_tag,
            initial_tsn: init.initial_tsn,
            a_rwnd: init.a_rwnd,
            outbound_streams: init.outbound_streams,
            inbound_streams: init.inbound_streams,
            forward_tsn: params.forward_tsn,
            reconfig: params.reconfig,
            zero_checksum: params.zero_checksum,
        });
        self.peer_tag = init.initiate_tag;
        self.cookie_echo = Some(cookie.to_vec());
        self.state = AssociationState::CookieEchoed;
        self.init_retransmits = 0;
        self.send_cookie_echo(&params.unrecognized);
        self.timers.set(Timer::Init, self.now + self.rto.rto());
    }

    fn on_cookie_echo(&mut self, bytes: &[u8], tag: u32) {
        let Some(cookie) = Cookie::open(&self.secret, bytes) else {
            self.stats.chunks_dropped += 1;
            return;
        };
        if tag != cookie.my_tag {
            self.stats.packets_dropped += 1;
            return;
        }
        let age = self.now_ms().saturating_sub(cookie.created_ms);
        if age > self.config.cookie_lifetime.as_millis() as u64 {
            self.stats.chunks_dropped += 1;
            return;
        }
        let peer = PeerInit {
            tag: cookie.peer_tag,
            initial_tsn: cookie.peer_initial_tsn,
            a_rwnd: cookie.peer_a_rwnd,
            outbound_streams: cookie.peer_outbound_streams,
            inbound_streams: cookie.peer_inbound_streams,
            forward_tsn: cookie.features & 1 != 0,
            reconfig: cookie.features & 2 != 0,
            zero_checksum: cookie.features & 4 != 0,
        };
        match self.state {
            AssociationState::Idle
            | AssociationState::CookieWait
            | AssociationState::CookieEchoed => {
                if cookie.my_tag != self.my_tag {
                    self.stats.chunks_dropped += 1;
                    return;
                }
                self.establish(peer);
                self.send_cookie_ack();
            }
            AssociationState::Closed => {}
            _ => {
                // §5.2.4 with the table of §5.2.4 (A to D).
                let my_match = cookie.my_tag == self.my_tag;
                let peer_match = cookie.peer_tag == self.peer_tag;
                if my_match && peer_match {
                    // D: our COOKIE ACK was lost.
                    self.send_cookie_ack();
                } else if my_match {
                    // B: setup collision; the peer's tag is the cookie's.
                    self.peer_tag = cookie.peer_tag;
                    self.send_cookie_ack();
                } else if cookie.my_tie_tag == self.my_tag && cookie.peer_tie_tag == self.peer_tag {
                    // A: the peer restarted. Restart is not supported over
                    // DTLS: tell the new peer and end this association.
                    self.peer_tag = cookie.peer_tag;
                    self.send_abort();
                    self.close(CloseReason::PeerAbort);
                } else {
                    // C, or anything else: silently discarded.
                    self.stats.chunks_dropped += 1;
                }
            }
        }
    }

    fn on_cookie_ack(&mut self) {
        if self.state != AssociationState::CookieEchoed {
            return;
        }
        if let Some(peer) = self.peer {
            self.establish(peer);
        }
    }

    fn on_shutdown(&mut self, cumulative_tsn: u32) {
        if !self.data_state() {
            return;
        }
        let rwnd = (self.sender.peer_rwnd + self.sender.flight).min(u32::MAX as usize) as u32;
        let sack = SackChunk::cumulative_only(cumulative_tsn, rwnd);
        self.on_sack(&sack, self.now);
        match self.state {
            AssociationState::Established | AssociationState::ShutdownPending => {
                self.state = AssociationState::ShutdownReceived;
                self.progress_shutdown();
            }
            AssociationState::ShutdownSent => {
                // §9.2: both sides shut down at once.
                self.state = AssociationState::ShutdownAckSent;
                self.shutdown_retransmits = 0;
                self.send_shutdown_ack();
                self.timers.set(Timer::Shutdown, self.now + self.rto.rto());
            }
            _ => {}
        }
    }

    fn on_shutdown_ack(&mut self) {
        if matches!(
            self.state,
            AssociationState::ShutdownSent | AssociationState::ShutdownAckSent
        ) {
            self.send_shutdown_complete();
            self.close(CloseReason::Shutdown);
        }
    }

    /// Moves the shutdown along once outstanding data is acknowledged.
    pub(crate) fn progress_shutdown(&mut self) {
        if !self.sender.is_idle() {
            return;
        }
        match self.state {
            AssociationState::ShutdownPending => {
                self.state = AssociationState::ShutdownSent;
                self.shutdown_retransmits = 0;
                self.send_shutdown();
                self.timers.set(Timer::Shutdown, self.now + self.rto.rto());
            }
            AssociationState::ShutdownReceived => {
                self.state = AssociationState::ShutdownAckSent;
                self.shutdown_retransmits = 0;
                self.send_shutdown_ack();
                self.timers.set(Timer::Shutdown, self.now + self.rto.rto());
            }
            _ => {}
        }
    }

    pub(crate) fn on_init_timeout(&mut self) {
        self.init_retransmits += 1;
        if self.init_retransmits > self.config.max_init_retransmissions {
            self.close(CloseReason::Timeout);
            return;
        }
        self.rto.back_off();
        match self.state {
            AssociationState::CookieWait => self.send_init(),
            AssociationState::CookieEchoed => self.send_cookie_echo(&[]),
            _ => return,
        }
        self.timers.set(Timer::Init, self.now + self.rto.rto());
    }

    pub(crate) fn on_retransmit_timeout(&mut self) {
        if !self.data_state() || !self.sender.has_unacked_sent() {
            return;
        }
        self.stats.retransmission_timeouts += 1;
        self.error_count += 1;
        if self.error_count > self.config.max_retransmissions {
            self.send_abort();
            self.close(CloseReason::Timeout);
            return;
        }
        self.rto.back_off();
        self.cc.on_timeout();
        self.sender.on_t3_expiry(self.now);
        self.sender.advance_ack_point();
        if self.sender.needs_forward_tsn() && self.use_forward_tsn {
            self.forward_tsn_now = true;
        }
        if self.sender.has_unacked_sent() {
            self.timers
                .set(Timer::Retransmit, self.now + self.rto.rto());
        }
    }

    pub(crate) fn on_shutdown_timeout(&mut self) {
        self.shutdown_retransmits += 1;
        if self.shutdown_retransmits > self.config.max_retransmissions {
            self.send_abort();
            self.close(CloseReason::Timeout);
            return;
        }
        self.rto.back_off();
        match self.state {
            AssociationState::ShutdownSent => self.send_shutdown(),
            AssociationState::ShutdownAckSent => self.send_shutdown_ack(),
            _ => return,
        }
        self.timers.set(Timer::Shutdown, self.now + self.rto.rto());
    }
}
