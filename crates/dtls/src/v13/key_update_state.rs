//! Key updates (RFC 9147 §8, RFC 8446 §4.6.3): our KeyUpdate in flight
//! until the peer ACKs it (only then do we write the next epoch), one at
//! a time, a further one queued meanwhile; the peer's KeyUpdate moves our
//! read side to its next epoch. The traffic secrets come from the epochs'
//! keys; the next generation is `HKDF-Expand-Label(secret, "traffic upd")`
//! (RFC 8446 §7.2).

use std::time::Instant;

use sansrtc_proto::Output;

use super::ack::RecordNumber;
use super::error::Dtls13Error;
use super::flight::Flight;
use super::handshake_context::HandshakeContext;
use super::key_schedule::KeySchedule;
use super::key_update::{encode_key_update, KeyUpdateRequest, KEY_UPDATE};
use crate::error::DtlsError;

/// How many key updates each side made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KeyUpdateCounts {
    /// KeyUpdates we sent (not counting retransmissions).
    pub(crate) sent: u64,
    /// KeyUpdates of the peer we processed.
    pub(crate) received: u64,
}

/// Our side of the key updates of a connection.
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct KeyUpdateState {
    /// Our KeyUpdate until it is ACKed (a flight of one message).
    flight: Flight,
    /// Whether our KeyUpdate awaits its ACK.
    outstanding: bool,
    /// A KeyUpdate to send once the outstanding one is ACKed (RFC 9147
    /// §8: never two at once).
    queued: Option<KeyUpdateRequest>,
    /// The read epoch whose failed authentications already made us ask
    /// the peer for new keys (once per epoch).
    integrity_update_asked: Option<u64>,
    /// The counters.
    counts: KeyUpdateCounts,
}

impl KeyUpdateState {
    /// The counters.
    pub(crate) fn counts(&self) -> KeyUpdateCounts {
        self.counts
    }

    /// Whether our KeyUpdate awaits its ACK.
    pub(crate) fn is_outstanding(&self) -> bool {
        self.outstanding
    }

    /// When our KeyUpdate is retransmitted.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.flight.deadline().filter(|_| self.outstanding)
    }

    /// Sends a KeyUpdate in our current epoch under the next message_seq,
    /// or queues it while another is outstanding (a queued request for
    /// the peer's update is kept).
    pub(crate) fn send(
        &mut self,
        cx: &mut HandshakeContext,
        request: KeyUpdateRequest,
    ) -> Result<(), Dtls13Error> {
        if self.outstanding {
            if self.queued != Some(KeyUpdateRequest::Requested) {
                self.queued = Some(request);
            }
            return Ok(());
        }
        let epoch = cx.keys.current_write_epoch();
        // message_seq does not wrap (RFC 9147 §5.2): a new association
        // is due long before.
        if cx.next_send_seq == u16::MAX {
            return Err(Dtls13Error::Exhausted);
        }
        let seq = cx.next_send_seq;
        cx.next_send_seq = cx.next_send_seq.wrapping_add(1);
        self.flight
            .begin(cx.config.shared.initial_retransmit_timeout);
        self.flight
            .push(epoch, KEY_UPDATE, seq, encode_key_update(request).to_vec());
        let datagrams = self
            .flight
            .transmit(cx.now, &mut cx.keys, cx.config.shared.mtu)?;
        cx.out.extend(datagrams.into_iter().map(Output::Transmit));
        self.outstanding = true;
        self.counts.sent += 1;
        Ok(())
    }

    /// An ACK: once it covers our KeyUpdate we write the next epoch
    /// (forgetting the old one) and send a queued KeyUpdate.
    pub(crate) fn on_ack(
        &mut self,
        cx: &mut HandshakeContext,
        schedule: &KeySchedule,
        acknowledged: &[RecordNumber],
    ) -> Result<(), Dtls13Error> {
        if !self.outstanding {
            return Ok(());
        }
        self.flight.on_ack(acknowledged);
        if !self.flight.is_done() {
            return Ok(());
        }
        self.flight.finish();
        self.outstanding = false;
        let epoch = cx.keys.current_write_epoch();
        let (suite, secret) = cx
            .keys
            .write_secret(epoch)
            .cloned()
            .ok_or(Dtls13Error::Crypto("no traffic secret to update"))?;
        let next_epoch = epoch.checked_add(1).ok_or(Dtls13Error::Exhausted)?;
        let next = schedule.next_traffic_secret(&secret)?;
        cx.keys.install_write(suite, next_epoch, &next)?;
        cx.keys.retire_write_below(next_epoch);
        match self.queued.take() {
            Some(request) => self.send(cx, request),
            None => Ok(()),
        }
    }

    /// The retransmission timer of our KeyUpdate; gives up (the peer is
    /// gone) after `max_retransmissions`.
    pub(crate) fn on_timeout(&mut self, cx: &mut HandshakeContext) -> Result<(), DtlsError> {
        if !matches!(self.deadline(), Some(d) if d <= cx.now) {
            return Ok(());
        }
        let shared = cx.config.shared.clone();
        match self.flight.on_timeout(
            cx.now,
            shared.max_retransmit_timeout,
            shared.max_retransmissions,
            &mut cx.keys,
            shared.mtu,
        ) {
            Some(Ok(datagrams)) => {
                cx.out.extend(datagrams.into_iter().map(Output::Transmit));
                Ok(())
            }
            Some(Err(e)) => Err(e.into()),
            None => Err(DtlsError::HandshakeTimeout),
        }
    }

    /// The peer's KeyUpdate, in its record's `epoch`: we read the next
    /// epoch from now on, keeping `epoch` for late records and nothing
    /// older. Returns whether the peer asked for our update.
    pub(crate) fn receive(
        &mut self,
        cx: &mut HandshakeContext,
        schedule: &KeySchedule,
        epoch: u64,
        request: KeyUpdateRequest,
    ) -> Result<bool, DtlsError> {
        if cx.keys.newest_read_epoch() != Some(epoch) {
            return Err(DtlsError::UnexpectedMessage("KeyUpdate in an old epoch"));
        }
        let (suite, secret) = cx
            .keys
            .read_secret(epoch)
            .cloned()
            .ok_or(Dtls13Error::Crypto("no traffic secret to update"))?;
        let next_epoch = epoch.checked_add(1).ok_or(Dtls13Error::Exhausted)?;
        let next = schedule.next_traffic_secret(&secret)?;
        cx.keys.install_read(suite, next_epoch, &next)?;
        cx.keys.retire_read_below(epoch);
        self.counts.received += 1;
        Ok(request == KeyUpdateRequest::Requested)
    }

    /// Whether to ask the peer for new keys because too many records
    /// failed to open in read `epoch` (once per epoch).
    pub(crate) fn ask_for_integrity(&mut self, epoch: u64) -> bool {
        if self.integrity_update_asked == Some(epoch) {
            return false;
        }
        self.integrity_update_asked = Some(epoch);
        true
    }
}
