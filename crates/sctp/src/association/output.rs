//! Packets we send: the handshake and teardown chunks, each in its own
//! packet, and the data path (SACK, FORWARD-TSN, RE-CONFIG and DATA
//! bundled up to the MTU) built on demand in `poll_output`.

use super::input::cause;
use super::sender::ChunkState;
use super::{Association, AssociationState, PeerInit, Timer};
use crate::chunk::{kind, write, DataChunk, DATA_HEADER_LEN};
use crate::cookie::Cookie;
use crate::packet::{padded_chunk_len, PacketBuilder, COMMON_HEADER_LEN};
use crate::param::{ptype, write_our_params};

/// The smallest DATA chunk on the wire: its header and one payload byte,
/// padded.
const MIN_DATA_CHUNK_LEN: usize = (DATA_HEADER_LEN + 1 + 3) & !3;

/// At most this many gap blocks go in one SACK.
const MAX_GAP_BLOCKS: usize = 128;

impl Association {
    /// The largest DATA payload that fits a packet alone.
    pub(crate) fn max_fragment(&self) -> usize {
        self.config.mtu - COMMON_HEADER_LEN - DATA_HEADER_LEN
    }

    fn init_value(&self, buf: &mut Vec<u8>, tag: u32, tsn: u32) {
        buf.extend_from_slice(&tag.to_be_bytes());
        buf.extend_from_slice(&self.config.receive_window.to_be_bytes());
        buf.extend_from_slice(&self.config.outbound_streams.to_be_bytes());
        buf.extend_from_slice(&self.config.inbound_streams.to_be_bytes());
        buf.extend_from_slice(&tsn.to_be_bytes());
        write_our_params(buf, self.config.zero_checksum);
    }

    pub(crate) fn send_init(&mut self) {
        let mut b = PacketBuilder::new(self.config.local_port, self.config.remote_port, 0, 65_535);
        b.chunk(kind::INIT, 0, |v| {
            self.init_value(v, self.my_tag, self.my_initial_tsn)
        });
        self.queue_transmit(b.finish(false));
    }

    pub(crate) fn send_init_ack(
        &mut self,
        peer: &PeerInit,
        tag: u32,
        tsn: u32,
        tie: (u32, u32),
        unrecognized: &[&[u8]],
    ) {
        let cookie = Cookie {
            my_tag: tag,
            peer_tag: peer.tag,
            my_initial_tsn: tsn,
            peer_initial_tsn: peer.initial_tsn,
            peer_a_rwnd: peer.a_rwnd,
            peer_outbound_streams: peer.outbound_streams,
            peer_inbound_streams: peer.inbound_streams,
            features: u8::from(peer.forward_tsn)
                | u8::from(peer.reconfig) << 1
                | u8::from(peer.zero_checksum) << 2,
            my_tie_tag: tie.0,
            peer_tie_tag: tie.1,
            created_ms: self.now_ms(),
        }
        .seal(&self.secret);
        let mut b = PacketBuilder::new(
            self.config.local_port,
            self.config.remote_port,
            peer.tag,
            65_535,
        );
        b.chunk(kind::INIT_ACK, 0, |v| {
            self.init_value(v, tag, tsn);
            write::tlv(v, ptype::STATE_COOKIE, &cookie);
            for p in unrecognized {
                write::tlv(v, ptype::UNRECOGNIZED, p);
            }
        });
        self.queue_transmit(b.finish(false));
    }

    pub(crate) fn send_cookie_echo(&mut self, unrecognized: &[&[u8]]) {
        let Some(cookie) = self.cookie_echo.as_deref() else {
            return;
        };
        let mut b = PacketBuilder::new(
            self.config.local_port,
            self.config.remote_port,
            self.peer_tag,
            65_535,
        );
        b.chunk(kind::COOKIE_ECHO, 0, |v| v.extend_from_slice(cookie));
        if !unrecognized.is_empty() {
            b.chunk(kind::ERROR, 0, |v| {
                let mut params = Vec::new();
                for p in unrecognized {
                    params.extend_from_slice(p);
                    while params.len() % 4 != 0 {
                        params.push(0);
                    }
                }
                write::tlv(v, cause::UNRECOGNIZED_PARAMETERS, &params);
            });
        }
        self.queue_transmit(b.finish(false));
    }

    /// The COOKIE ACK waits for the next packet, which carries it first
    /// and whatever DATA or SACK is ready with it (RFC 9260 §5.1).
    pub(crate) fn send_cookie_ack(&mut self) {
        if self.data_state() {
            self.cookie_ack_pending = true;
        } else {
            self.send_simple(kind::COOKIE_ACK, 0, &[]);
        }
    }

    pub(crate) fn send_abort(&mut self) {
        let mut cause = Vec::new();
        write::tlv(&mut cause, cause::USER_ABORT, &[]);
        self.send_simple(kind::ABORT, 0, &cause);
    }

    pub(crate) fn send_error(&mut self, causes: &[u8]) {
        self.send_simple(kind::ERROR, 0, causes);
    }

    /// Echoes a HEARTBEAT's info unchanged (RFC 9260 §8.3). An info that
    /// would not fit our MTU is not answered (a cut echo is no echo).
    pub(crate) fn send_heartbeat_ack(&mut self, info: &[u8]) {
        if self.peer_tag == 0 || COMMON_HEADER_LEN + padded_chunk_len(info.len()) > self.config.mtu
        {
            self.stats.chunks_dropped += 1;
            return;
        }
        self.send_simple(kind::HEARTBEAT_ACK, 0, info);
    }

    pub(crate) fn send_shutdown(&mut self) {
        let cum = self.receiver.cum_tsn_wire().to_be_bytes();
        self.send_simple(kind::SHUTDOWN, 0, &cum);
    }

    pub(crate) fn send_shutdown_ack(&mut self) {
        self.send_simple(kind::SHUTDOWN_ACK, 0, &[]);
    }

    pub(crate) fn send_shutdown_complete(&mut self) {
        self.send_simple(kind::SHUTDOWN_COMPLETE, 0, &[]);
    }

    /// One chunk in its own packet to the peer's tag. Values that would
    /// take the packet past the MTU are cut (a guard: callers check).
    fn send_simple(&mut self, chunk_type: u8, flags: u8, value: &[u8]) {
        let mut b = PacketBuilder::new(
            self.config.local_port,
            self.config.remote_port,
            self.peer_tag,
            65_535,
        );
        let room = self.config.mtu.saturating_sub(COMMON_HEADER_LEN + 4) & !3;
        let value = value.get(..value.len().min(room)).unwrap_or(value);
        b.chunk(chunk_type, flags, |v| v.extend_from_slice(value));
        let zero = self.send_zero_checksum;
        self.queue_transmit(b.finish(zero));
    }

    /// Builds the next data-path packet, if there is anything to send.
    pub(crate) fn build_packet(&mut self) -> Option<Vec<u8>> {
        if !self.data_state() {
            return None;
        }
        let now = self.now;
        let can_send_data = matches!(
            self.state,
            AssociationState::Established
                | AssociationState::ShutdownPending
                | AssociationState::ShutdownReceived
        );
        // Cheap test first: most polls that end a drain have nothing to
        // send, and should not allocate a packet to find out.
        let data_to_send = can_send_data
            && (!self.sender.retransmit.is_empty()
                || (self.sender.flight < self.cc.cwnd
                    && self.sender.has_unsent()
                    && !self.sender.next_new_held_by_window()));
        let more_than_a_sack = data_to_send
            || self.forward_tsn_now
            || self.reconfig_may_send()
            || self.cookie_ack_pending;
        if (!self.sack_now || self.sack_held) && !more_than_a_sack {
            return None;
        }
        let sack = self.sack_now.then(|| {
            self.sack_now = false;
            self.packets_since_sack = 0;
            self.timers.stop(Timer::DelayedSack);
            let max_blocks =
                MAX_GAP_BLOCKS.min((self.config.mtu - COMMON_HEADER_LEN - 16 - 64) / 4);
            self.receiver.sack(max_blocks)
        });
        // A packet that is only a SACK is allocated at its size: malloc's
        // fast path, and a buffer the receiver can take as it is.
        let capacity = match &sack {
            Some((_, _, gaps, dups)) if !more_than_a_sack => {
                COMMON_HEADER_LEN + 16 + 4 * (gaps.len() + dups.len())
            }
            _ => self.config.mtu,
        };
        let spare = if capacity == self.config.mtu {
            self.spare_packet.take()
        } else {
            None
        };
        let room = self.packet_room;
        let buffer = spare.unwrap_or_else(|| Vec::with_capacity(room.total() + capacity));
        let mut b = PacketBuilder::in_buffer(
            buffer,
            room.headroom,
            self.config.local_port,
            self.config.remote_port,
            self.peer_tag,
            self.config.mtu,
        );
        if std::mem::take(&mut self.cookie_ack_pending) {
            b.chunk(kind::COOKIE_ACK, 0, |_| {});
        }
        if let Some((cum, rwnd, gaps, dups)) = sack {
            b.chunk(kind::SACK, 0, |v| write::sack(v, cum, rwnd, &gaps, &dups));
        }
        if self.forward_tsn_now && self.sender.needs_forward_tsn() {
            // The pairs that fit after the chunk header and new cumulative
            // TSN; the sender stops the new point where they run out.
            let room = (b.remaining().saturating_sub(8)) / 4;
            if room > 0 {
                let (new_cum, pairs) = self.sender.forward_tsn(room);
                self.forward_tsn_now = false;
                b.chunk(kind::FORWARD_TSN, 0, |v| {
                    v.extend_from_slice(&new_cum.to_be_bytes());
                    for (s, ssn) in &pairs {
                        v.extend_from_slice(&s.to_be_bytes());
                        v.extend_from_slice(&ssn.to_be_bytes());
                    }
                });
            }
        } else {
            self.forward_tsn_now = false;
        }
        if let Some(value) = self.reconfig_chunk_to_send() {
            if padded_chunk_len(value.len()) <= b.remaining() {
                b.chunk(kind::RE_CONFIG, 0, |v| v.extend_from_slice(&value));
            }
        }
        let mut sent_data = false;
        if can_send_data {
            sent_data |= self.add_retransmissions(&mut b);
            sent_data |= self.add_new_data(&mut b);
        }
        if !b.has_chunks() {
            // Nothing to send: the buffer stays for the next packet of
            // this drain.
            self.recycle_packet(b.into_buffer());
            return None;
        }
        if sent_data {
            self.last_data_sent = Some(now);
            if self.timers.get(Timer::Retransmit).is_none() {
                self.timers.set(Timer::Retransmit, now + self.rto.rto());
            }
        }
        Some(b.finish(self.send_zero_checksum))
    }

    fn write_data(&mut self, b: &mut PacketBuilder, tsn: u64) -> bool {
        let Some(c) = self.sender.chunk(tsn) else {
            return false;
        };
        if padded_chunk_len(DATA_HEADER_LEN - 4 + c.payload.len()) > b.remaining() {
            return false;
        }
        let d = DataChunk {
            flags: c.flags,
            tsn: tsn as u32,
            stream: c.stream,
            ssn: c.ssn,
            ppid: c.ppid,
            payload: &c.payload,
        };
        b.data_chunk(&d);
        self.sender.mark_sent(tsn, self.now);
        true
    }

    /// Retransmissions go first; the first packet of a fast retransmit may
    /// exceed the congestion window (RFC 9260 §7.2.4 step 3).
    fn add_retransmissions(&mut self, b: &mut PacketBuilder) -> bool {
        let exempt = std::mem::take(&mut self.fast_retransmit_now);
        let mut sent = false;
        let mut abandoned = false;
        while let Some(&tsn) = self.sender.retransmit.first() {
            if !exempt && self.sender.flight >= self.cc.cwnd {
                break;
            }
            if self.sender.chunk(tsn).map(|c| c.state) != Some(ChunkState::Retransmit) {
                self.sender.retransmit.remove(&tsn);
                continue;
            }
            if self.sender.abandon_if_expired(tsn, self.now) {
                abandoned = true;
                continue;
            }
            if !self.write_data(b, tsn) {
                break;
            }
            self.stats.retransmitted_chunks += 1;
            sent = true;
        }
        if abandoned && self.use_forward_tsn {
            self.sender.advance_ack_point();
            self.forward_tsn_now = true;
        }
        sent
    }

    /// New data within the congestion window and the peer's window; one
    /// chunk may probe a zero window when nothing is in flight (§6.1 A).
    fn add_new_data(&mut self, b: &mut PacketBuilder) -> bool {
        if !self.sender.retransmit.is_empty() {
            return false;
        }
        if let Some(last) = self.last_data_sent {
            if self.sender.flight == 0 && self.now.saturating_duration_since(last) > self.rto.rto()
            {
                self.cc.on_idle();
            }
        }
        let max_fragment = self.max_fragment();
        let abandoned_before = self.sender.abandoned;
        let mut sent = false;
        loop {
            // A full packet ends here, before `peek_new` looks up (or
            // cuts) the chunk that would not fit: the common case of a
            // fragmented message, whose fragments fill packets exactly.
            if self.sender.flight >= self.cc.cwnd || b.remaining() < MIN_DATA_CHUNK_LEN {
                break;
            }
            // Payload bytes a DATA chunk could still carry in this packet.
            let room = b.remaining().saturating_sub(DATA_HEADER_LEN) & !3;
            let Some(tsn) = self.sender.peek_new(self.now, max_fragment, room) else {
                break;
            };
            let len = self.sender.chunk(tsn).map_or(0, |c| c.payload.len());
            if len > self.sender.peer_rwnd && self.sender.flight > 0 {
                break;
            }
            if !self.write_data(b, tsn) {
                break;
            }
            sent = true;
        }
        if self.sender.abandoned != abandoned_before && self.use_forward_tsn {
            // Lifetimes expired while picking chunks.
            self.sender.advance_ack_point();
            self.forward_tsn_now = true;
        }
        sent
    }
}
