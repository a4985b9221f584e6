//! Stream reconfiguration (RFC 6525): outgoing SSN reset requests we send
//! when the application resets streams (how data channels close), and the
//! peer's requests, performed once every earlier TSN has arrived (§5.2.2).

use std::time::Instant;

use super::{Association, AssociationState, Timer};
use crate::chunk::write;
use crate::error::SctpError;
use crate::event::{CloseReason, SctpEvent};
use crate::packet::be32;
use crate::param::tlvs;
use crate::serial::unwrap_tsn;

/// RE-CONFIG parameter types (RFC 6525 §4).
mod rtype {
    pub(crate) const OUTGOING_RESET: u16 = 13;
    pub(crate) const INCOMING_RESET: u16 = 14;
    pub(crate) const TSN_RESET: u16 = 15;
    pub(crate) const RESPONSE: u16 = 16;
    pub(crate) const ADD_OUTGOING: u16 = 17;
    pub(crate) const ADD_INCOMING: u16 = 18;
}

/// Results (RFC 6525 §4.4).
mod result {
    pub(crate) const SUCCESS_NOTHING: u32 = 0;
    pub(crate) const SUCCESS_PERFORMED: u32 = 1;
    pub(crate) const DENIED: u32 = 2;
    pub(crate) const BAD_SEQUENCE: u32 = 5;
    pub(crate) const IN_PROGRESS: u32 = 6;
}

/// At most this many streams wait for a reset request.
const MAX_QUEUED_RESETS: usize = 65_536;
/// At most this many responses wait to be sent.
const MAX_PENDING_RESPONSES: usize = 8;

/// An outgoing SSN reset request in flight.
#[derive(Debug, Clone)]
struct Request {
    seq: u32,
    last_tsn: u32,
    streams: Vec<u16>,
}

/// Reconfiguration state.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Reconfig {
    pub(crate) peer_supports: bool,
    next_seq: u32,
    peer_next_seq: u32,
    queued: Vec<u16>,
    in_flight: Option<Request>,
    send_request: bool,
    retransmits: u32,
    last_result: Option<(u32, u32)>,
    responses: Vec<(u32, u32)>,
}

impl Reconfig {
    /// Sequence numbers start at the initial TSNs (RFC 6525 §5.1.1).
    pub(crate) fn new(my_initial_tsn: u32, peer_initial_tsn: u32) -> Self {
        Self {
            peer_supports: false,
            next_seq: my_initial_tsn,
            peer_next_seq: peer_initial_tsn,
            queued: Vec::new(),
            in_flight: None,
            send_request: false,
            retransmits: 0,
            last_result: None,
            responses: Vec::new(),
        }
    }
}

impl Association {
    /// Resets outgoing streams (RFC 6525 outgoing SSN reset; RFC 8831 §6.7
    /// closes a data channel this way). Messages already queued on them
    /// are sent first; sends on them fail until
    /// [`SctpEvent::OutgoingStreamsReset`].
    pub fn reset_streams(&mut self, now: Instant, streams: &[u16]) -> Result<(), SctpError> {
        self.now = now;
        if self.state != AssociationState::Established {
            return Err(SctpError::InvalidState);
        }
        if !self.reconfig.peer_supports {
            return Err(SctpError::PeerLacksExtension);
        }
        if let Some(&bad) = streams.iter().find(|&&s| s >= self.outbound_streams) {
            return Err(SctpError::InvalidStream(bad));
        }
        if self.reconfig.queued.len() + streams.len() > MAX_QUEUED_RESETS {
            return Err(SctpError::TooManyStreamResets);
        }
        for &s in streams {
            let st = self.sender.streams.entry(s).or_default();
            if !st.resetting {
                st.resetting = true;
                self.reconfig.queued.push(s);
            }
        }
        Ok(())
    }

    /// Whether [`Self::reconfig_chunk_to_send`] may have something (cheap;
    /// never says no wrongly).
    pub(crate) fn reconfig_may_send(&self) -> bool {
        self.reconfig.send_request
            || !self.reconfig.responses.is_empty()
            || (self.reconfig.in_flight.is_none() && !self.reconfig.queued.is_empty())
    }

    /// The RE-CONFIG chunk value to send now, if any: pending responses and
    /// the outgoing request once its streams have no message waiting for a TSN.
    pub(crate) fn reconfig_chunk_to_send(&mut self) -> Option<Vec<u8>> {
        if self.reconfig.in_flight.is_none() && !self.reconfig.queued.is_empty() {
            let max = (self.config.mtu - 12 - 4 - 16 - 16) / 2;
            let ready: Vec<u16> = self
                .reconfig
                .queued
                .iter()
                .copied()
                .filter(|s| {
                    self.sender
                        .streams
                        .get(s)
                        .map_or(0, |st| st.queued_messages)
                        == 0
                })
                .take(max)
                .collect();
            if !ready.is_empty() {
                self.reconfig.queued.retain(|s| !ready.contains(s));
                let seq = self.reconfig.next_seq;
                self.reconfig.next_seq = seq.wrapping_add(1);
                self.reconfig.in_flight = Some(Request {
                    seq,
                    last_tsn: (self.sender.next_tsn() - 1) as u32,
                    streams: ready,
                });
                self.reconfig.send_request = true;
                self.reconfig.retransmits = 0;
            }
        }
        let send_request = std::mem::take(&mut self.reconfig.send_request);
        if !send_request && self.reconfig.responses.is_empty() {
            return None;
        }
        let mut v = Vec::new();
        for (seq, result) in self.reconfig.responses.drain(..) {
            let mut p = seq.to_be_bytes().to_vec();
            p.extend_from_slice(&result.to_be_bytes());
            write::tlv(&mut v, rtype::RESPONSE, &p);
        }
        if send_request {
            if let Some(r) = &self.reconfig.in_flight {
                let mut p = Vec::with_capacity(12 + 2 * r.streams.len());
                p.extend_from_slice(&r.seq.to_be_bytes());
                p.extend_from_slice(&self.reconfig.peer_next_seq.wrapping_sub(1).to_be_bytes());
                p.extend_from_slice(&r.last_tsn.to_be_bytes());
                for s in &r.streams {
                    p.extend_from_slice(&s.to_be_bytes());
                }
                write::tlv(&mut v, rtype::OUTGOING_RESET, &p);
                self.timers.set(Timer::Reconfig, self.now + self.rto.rto());
            }
        }
        Some(v)
    }

    fn respond(&mut self, seq: u32, result: u32) {
        if self.reconfig.responses.len() < MAX_PENDING_RESPONSES {
            self.reconfig.responses.push((seq, result));
        }
    }

    /// Handles a received RE-CONFIG chunk.
    pub(crate) fn on_reconfig(&mut self, value: &[u8]) {
        if self.state != AssociationState::Established {
            self.stats.chunks_dropped += 1;
            return;
        }
        for tlv in tlvs(value).take(4) {
            let Ok((t, v, _)) = tlv else {
                self.stats.chunks_dropped += 1;
                return;
            };
            match t {
                rtype::OUTGOING_RESET => self.on_outgoing_reset_request(v),
                rtype::INCOMING_RESET
                | rtype::TSN_RESET
                | rtype::ADD_OUTGOING
                | rtype::ADD_INCOMING => {
                    if let Some(seq) = be32(v, 0) {
                        self.on_unsupported_request(seq);
                    }
                }
                rtype::RESPONSE => {
                    if let (Some(seq), Some(res)) = (be32(v, 0), be32(v, 4)) {
                        self.on_reconfig_response(seq, res);
                    }
                }
                _ => self.stats.chunks_dropped += 1,
            }
        }
        // Answer in the next packet.
        self.sack_now |= !self.reconfig.responses.is_empty();
    }

    /// Checks a request sequence number (RFC 6525 §5.2.1): `Some(true)` new,
    /// `Some(false)` a retransmission answered again, `None` bad.
    fn check_request_seq(&mut self, seq: u32) -> Option<bool> {
        if seq == self.reconfig.peer_next_seq {
            Some(true)
        } else if seq == self.reconfig.peer_next_seq.wrapping_sub(1) {
            if let Some((s, r)) = self.reconfig.last_result {
                if s == seq {
                    self.respond(seq, r);
                }
            }
            Some(false)
        } else {
            self.respond(seq, result::BAD_SEQUENCE);
            None
        }
    }

    fn on_unsupported_request(&mut self, seq: u32) {
        if self.check_request_seq(seq) == Some(true) {
            self.reconfig.peer_next_seq = seq.wrapping_add(1);
            self.reconfig.last_result = Some((seq, result::DENIED));
            self.respond(seq, result::DENIED);
        }
    }

    fn on_outgoing_reset_request(&mut self, v: &[u8]) {
        let (Some(seq), Some(last_tsn)) = (be32(v, 0), be32(v, 8)) else {
            self.stats.chunks_dropped += 1;
            return;
        };
        let streams: Vec<u16> = v
            .get(12..)
            .unwrap_or(&[])
            .chunks_exact(2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .collect();
        if self.check_request_seq(seq) != Some(true) {
            return;
        }
        let last = unwrap_tsn(self.receiver.cum_tsn, last_tsn);
        if self.receiver.cum_tsn >= last {
            self.perform_incoming_reset(seq, &streams);
        } else {
            // E2: deferred until every TSN up to `last` has arrived.
            self.receiver.deferred_reset = Some((last, streams));
            self.respond(seq, result::IN_PROGRESS);
        }
    }

    fn perform_incoming_reset(&mut self, seq: u32, streams: &[u16]) {
        self.receiver.deferred_reset = None;
        self.receiver.reset_streams(streams);
        self.reconfig.peer_next_seq = seq.wrapping_add(1);
        self.reconfig.last_result = Some((seq, result::SUCCESS_PERFORMED));
        self.respond(seq, result::SUCCESS_PERFORMED);
        self.events.push_back(SctpEvent::IncomingStreamsReset {
            streams: streams.to_vec(),
        });
        if self.receiver.has_ready() && !self.readable_signalled {
            self.readable_signalled = true;
            self.events.push_back(SctpEvent::Readable);
        }
    }

    /// Performs a deferred incoming reset once the cumulative TSN reached it.
    pub(crate) fn try_deferred_incoming_reset(&mut self) {
        let Some((last, streams)) = self.receiver.deferred_reset.clone() else {
            return;
        };
        if self.receiver.cum_tsn >= last {
            let seq = self.reconfig.peer_next_seq;
            self.perform_incoming_reset(seq, &streams);
            self.sack_now = true;
        }
    }

    fn on_reconfig_response(&mut self, seq: u32, res: u32) {
        let Some(req) = self.reconfig.in_flight.clone().filter(|r| r.seq == seq) else {
            return;
        };
        match res {
            result::SUCCESS_NOTHING | result::SUCCESS_PERFORMED => {
                for s in &req.streams {
                    if let Some(st) = self.sender.streams.get_mut(s) {
                        st.next_ssn = 0;
                        st.resetting = false;
                    }
                }
                self.reconfig.in_flight = None;
                self.timers.stop(Timer::Reconfig);
                self.events.push_back(SctpEvent::OutgoingStreamsReset {
                    streams: req.streams,
                });
            }
            result::IN_PROGRESS => {
                // Ask again after an RTO (the timer is running).
            }
            _ => {
                for s in &req.streams {
                    if let Some(st) = self.sender.streams.get_mut(s) {
                        st.resetting = false;
                    }
                }
                self.reconfig.in_flight = None;
                self.timers.stop(Timer::Reconfig);
                self.events.push_back(SctpEvent::StreamResetFailed {
                    streams: req.streams,
                });
            }
        }
    }

    pub(crate) fn on_reconfig_timeout(&mut self) {
        if self.reconfig.in_flight.is_none() || self.state != AssociationState::Established {
            return;
        }
        self.reconfig.retransmits += 1;
        if self.reconfig.retransmits > self.config.max_retransmissions {
            self.send_abort();
            self.close(CloseReason::Timeout);
            return;
        }
        self.reconfig.send_request = true;
    }
}
