//! The connection after its handshake, and its record-layer limits: the
//! KeyUpdate both ways (RFC 9147 §8), post-handshake handshake records and
//! their ACKs, the AEAD usage limits (§4.5.3), and the ACK of a partial
//! flight as soon as a gap shows (§7.1). A child module of `connection`,
//! so that the connection's own file stays about the handshake.

use std::time::Instant;

use sansrtc_proto::Output;

use super::Dtls13Connection;
use super::Liveness;
use crate::error::DtlsError;
use crate::handshake::parse_fragments;
use crate::v13::ack::{encode_ack, RecordNumber};
use crate::v13::aead_limits::AeadLimits;
use crate::v13::epoch_keys::{ReceivedRecord, APPLICATION_EPOCH, HANDSHAKE_EPOCH};
use crate::v13::key_update::{parse_key_update, KeyUpdateRequest, KEY_UPDATE};
use crate::v13::key_update_state::KeyUpdateCounts;
use crate::v13::record_header::CONTENT_TYPE_ACK;

/// HandshakeType new_session_ticket: a server may send one after the
/// handshake; we do not resume, so it is ACKed and ignored.
const NEW_SESSION_TICKET: u8 = 4;

impl Dtls13Connection {
    /// Starts a key update (RFC 9147 §8): a KeyUpdate in our current
    /// epoch, retransmitted until ACKed; we write the next epoch only
    /// then. `request_peer_update` asks the peer to update its keys too.
    /// While a KeyUpdate is outstanding the new one waits for its ACK.
    /// An error other than `NotConnected` (keys exhausted) also fails the
    /// connection.
    pub(crate) fn request_key_update(
        &mut self,
        request_peer_update: bool,
    ) -> Result<(), DtlsError> {
        if !self.is_connected() {
            return Err(DtlsError::NotConnected);
        }
        let request = if request_peer_update {
            KeyUpdateRequest::Requested
        } else {
            KeyUpdateRequest::NotRequested
        };
        self.key_update
            .send(&mut self.cx, request)
            .map_err(DtlsError::from)
            .inspect_err(|e| self.fail(e.clone()))
    }

    /// How many KeyUpdates we sent and received.
    pub(crate) fn key_update_counts(&self) -> KeyUpdateCounts {
        self.key_update.counts()
    }

    /// The epoch we write application data in (3, then 4, 5, … after key
    /// updates).
    pub(crate) fn write_epoch(&self) -> u64 {
        self.cx.keys.current_write_epoch()
    }

    /// The epochs we read.
    pub(crate) fn read_epochs(&self) -> Vec<u64> {
        self.cx.keys.read_epochs()
    }

    /// Replaces the suite's AEAD limits (tests: tiny ones).
    #[cfg(test)]
    pub(crate) fn override_aead_limits(&mut self, limits: AeadLimits) {
        self.cx.keys.override_limits(limits);
    }

    /// Sends one handshake message in one record of `epoch` with the
    /// given message_seq, outside any flight (tests: forged or early
    /// post-handshake messages).
    #[cfg(test)]
    pub(crate) fn send_handshake_record_for_test(
        &mut self,
        epoch: u64,
        msg_type: u8,
        message_seq: u16,
        body: &[u8],
    ) {
        let mut fragment = Vec::new();
        crate::handshake::encode_fragment(
            &mut fragment,
            msg_type,
            body.len(),
            message_seq,
            0,
            body,
        );
        self.seal_and_send(
            epoch,
            crate::v13::record_header::CONTENT_TYPE_HANDSHAKE,
            &fragment,
        )
        .unwrap();
    }

    /// The message_seq of our next handshake message.
    #[cfg(test)]
    pub(crate) fn next_send_seq(&self) -> u16 {
        self.cx.next_send_seq
    }

    /// Sends (or queues) a KeyUpdate; a failure fails the connection.
    fn start_key_update(&mut self, request: KeyUpdateRequest) {
        if let Err(e) = self.key_update.send(&mut self.cx, request) {
            self.fail(e.into());
        }
    }

    /// The earliest of our timers.
    pub(super) fn next_deadline(&self) -> Option<Instant> {
        [self.cx.flight.deadline(), self.key_update.deadline()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Retransmits our KeyUpdate when its timer fired.
    pub(super) fn on_key_update_timeout(&mut self) {
        if self.liveness != Liveness::Running {
            return;
        }
        if let Err(e) = self.key_update.on_timeout(&mut self.cx) {
            self.fail(e);
        }
    }

    /// An ACK may cover our KeyUpdate: then we switch to the next epoch.
    pub(super) fn on_key_update_ack(&mut self, acknowledged: &[RecordNumber]) {
        let Some(e) = &self.established else {
            return;
        };
        if let Err(e) = self
            .key_update
            .on_ack(&mut self.cx, &e.key_schedule, acknowledged)
        {
            self.fail(e.into());
        }
    }

    /// A handshake record in epoch 3 or later: a post-handshake message.
    /// Each message must be whole in one record and the next message_seq;
    /// a record we processed (or that repeats one) is ACKed at once, in
    /// our newest epoch (RFC 9147 §7: after the handshake, the highest
    /// available sending epoch).
    pub(super) fn receive_post_handshake(&mut self, record: ReceivedRecord) {
        // The peer writes in epoch 3 only after our Finished reached it.
        self.establish_pending();
        let Some(established) = &self.established else {
            return;
        };
        let schedule = established.key_schedule;
        let fragments = match parse_fragments(&record.content) {
            Ok(f) => f,
            Err(e) => return self.fail(e),
        };
        let mut complete = true;
        for f in fragments {
            if f.message_seq < self.next_receive_seq {
                continue; // A repeat: ACKed again below.
            }
            if f.message_seq > self.next_receive_seq
                || f.offset != 0
                || f.body.len() != f.length as usize
            {
                // Not the next message, or a fragment of it: unACKed, the
                // peer sends it again.
                complete = false;
                continue;
            }
            self.next_receive_seq = self.next_receive_seq.wrapping_add(1);
            match f.msg_type {
                KEY_UPDATE => {
                    let request = match parse_key_update(f.body) {
                        Ok(r) => r,
                        Err(e) => return self.fail(e.into()),
                    };
                    match self.key_update.receive(
                        &mut self.cx,
                        &schedule,
                        record.number.epoch,
                        request,
                    ) {
                        Ok(true) => self.start_key_update(KeyUpdateRequest::NotRequested),
                        Ok(false) => {}
                        Err(e) => return self.fail(e),
                    }
                }
                NEW_SESSION_TICKET if matches!(self.handshake, super::Handshake::Client(_)) => {}
                _ => return self.fail(DtlsError::UnexpectedMessage("post-handshake message")),
            }
        }
        if complete && self.liveness == Liveness::Running {
            self.send_ack_of(&[record.number]);
        }
    }

    /// An ACK of `numbers` in our newest epoch.
    fn send_ack_of(&mut self, numbers: &[RecordNumber]) {
        let mut body = Vec::new();
        if let Err(e) = encode_ack(numbers, &mut body) {
            return self.fail(e.into());
        }
        let epoch = self.cx.keys.current_write_epoch();
        if let Err(e) = self.seal_and_send(epoch, CONTENT_TYPE_ACK, &body) {
            self.fail(e);
        }
    }

    /// After a datagram: a record of the peer's flight skipped a missing
    /// one, so we ACK what we have now (once per datagram) rather than on
    /// our timer, unless the datagram completed the flight and we
    /// answered it (`generation` is our flight's before the datagram).
    pub(super) fn ack_on_gap(&mut self, generation: u32) {
        if !self.gap.take()
            || self.liveness != Liveness::Running
            || self.established.is_some()
            || self.pending.is_some()
            || self.cx.flight.generation() != generation
            || self.received_handshake_records.is_empty()
            || self.cx.keys.current_write_epoch() < HANDSHAKE_EPOCH
        {
            return;
        }
        self.send_ack(HANDSHAKE_EPOCH);
    }

    /// An ACK covered part of our flight, newly: what we sent before its
    /// last acknowledged record and it does not cover is lost, so we
    /// resend that now (RFC 9147 §7.2: "SHOULD retransmit the
    /// unacknowledged messages or fragments"), not on our timer; what we
    /// sent after it may still arrive. Bounded: each resend needs an ACK
    /// covering records not ACKed before.
    pub(super) fn resend_after_partial_ack(&mut self) {
        if self.liveness != Liveness::Running || self.cx.flight.deadline().is_none() {
            return;
        }
        let mtu = self.cx.config.shared.mtu;
        match self
            .cx
            .flight
            .transmit_presumed_lost(self.cx.now, &mut self.cx.keys, mtu)
        {
            Ok(datagrams) => self
                .cx
                .out
                .extend(datagrams.into_iter().map(Output::Transmit)),
            Err(e) => self.fail(e.into()),
        }
    }

    /// Whether we sent our flight within the last quarter of the initial
    /// retransmission timeout (e.g. on the partial ACK that came with the
    /// peer's repeat): the repeat then needs no second copy.
    pub(super) fn flight_just_sent(&self) -> bool {
        let window = self.cx.config.shared.initial_retransmit_timeout / 4;
        matches!(self.cx.flight.last_transmit(),
            Some(at) if self.cx.now.saturating_duration_since(at) < window)
    }

    /// The AEAD usage limits (RFC 9147 §4.5.3): a read key whose failed
    /// authentications reach the integrity limit fails the connection if
    /// it is the newest (an older one is dropped instead); at 7/8 of it we
    /// ask the peer for new keys. A write key nearing its confidentiality
    /// limit is updated.
    pub(super) fn check_aead_limits(&mut self) {
        if self.liveness != Liveness::Running {
            return;
        }
        if self.cx.keys.any_failed_authentication() {
            self.check_integrity_limits();
        }
        if !self.is_connected() {
            return;
        }
        if self.cx.keys.current_write_nears_limit() && !self.key_update.is_outstanding() {
            self.start_key_update(KeyUpdateRequest::NotRequested);
        }
    }

    /// The read side of [`Self::check_aead_limits`], once a record failed
    /// authentication: an epoch over its integrity limit is dropped (the
    /// newest fails the connection), and nearing the limit of the newest
    /// asks the peer for a key update.
    fn check_integrity_limits(&mut self) {
        let newest = self.cx.keys.newest_read_epoch();
        // Lowest first: an older epoch over its limit is dropped, the
        // newest fails the connection.
        while let Some(epoch) = self.cx.keys.lowest_read_over_integrity_limit() {
            if Some(epoch) == newest {
                return self.fail(DtlsError::TooLarge(
                    "records failing authentication (AEAD integrity limit)",
                ));
            }
            self.cx.keys.drop_read(epoch);
        }
        if !self.is_connected() {
            return;
        }
        if let Some(newest) = newest.filter(|&e| e >= APPLICATION_EPOCH) {
            if let Some((failed, limit)) = self.cx.keys.failed_authentications(newest) {
                if failed >= AeadLimits::threshold(limit)
                    && self.key_update.ask_for_integrity(newest)
                {
                    self.start_key_update(KeyUpdateRequest::Requested);
                }
            }
        }
    }
}
