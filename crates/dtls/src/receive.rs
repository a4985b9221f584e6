//! The receiving side: datagrams into records, records into handshake
//! fragments, alerts and application data (RFC 6347 §4.1, §4.2.3).

use std::time::Instant;

use sansrtc_proto::Output;

use crate::alert;
use crate::config::Role;
use crate::endpoint::{DtlsEndpoint, Expect, State, Timer, MAX_PLAINTEXT, SEQ_WINDOW};
use crate::error::DtlsError;
use crate::event::DtlsEvent;
use crate::handshake::{self, Fragment, HandshakeType};
use crate::reassembly::Message;
use crate::record::{ContentType, RecordHeader, Records, HEADER_LEN};

impl DtlsEndpoint {
    /// Handles one received datagram (one or more records).
    pub fn handle_receive(&mut self, now: Instant, datagram: &[u8]) {
        if self.is_closed() || self.state == State::Idle {
            self.stats.after_close_datagrams += 1;
            return;
        }
        if let Some(c) = self.v13.as_mut() {
            c.handle_receive(now, datagram);
            return self.after_dtls13_receive();
        }
        self.receive_dtls12(now, datagram);
    }

    /// [`Self::handle_receive`] for a datagram handed over by value. Once
    /// connected (DTLS 1.2 or 1.3), the datagram's last record is
    /// decrypted in the datagram's own buffer, which then carries the
    /// application data on ([`DtlsEvent::ApplicationData`]): no copy and
    /// no allocation for it. The records before it, and every record
    /// before the handshake ends, are read as `handle_receive` reads them.
    pub fn handle_receive_owned(&mut self, now: Instant, datagram: Vec<u8>) {
        if self.is_closed() || self.state == State::Idle {
            self.stats.after_close_datagrams += 1;
            return;
        }
        if let Some(c) = self.v13.as_mut() {
            c.handle_receive_owned(now, datagram);
            return self.after_dtls13_receive();
        }
        self.receive_dtls12_owned(now, datagram);
    }

    /// Once connected, what a datagram produced (its application data, an
    /// ACK) waits in the 1.3 connection's queue: `poll_output` takes it
    /// from there, without a detour through ours. A state change (the
    /// handshake's end, a close, a failure) is followed at once, so
    /// `is_connected` and `is_closed` stay current.
    fn after_dtls13_receive(&mut self) {
        let connected = self.v13.as_ref().is_some_and(|c| c.is_connected());
        if self.state != State::Connected || !connected {
            self.pump_dtls13();
        }
    }

    /// A datagram of DTLS 1.2 (or of the hellos before a version is chosen).
    fn receive_dtls12(&mut self, now: Instant, datagram: &[u8]) {
        self.keep_for_version_probe(datagram);
        self.receive_dtls12_records(now, datagram, None);
    }

    /// [`Self::receive_dtls12`] by value: once connected (the version is
    /// chosen, nothing is kept for a probe), the last record is opened in
    /// the datagram's own buffer, after the records before it.
    fn receive_dtls12_owned(&mut self, now: Instant, datagram: Vec<u8>) {
        if self.state != State::Connected || self.probing() {
            return self.receive_dtls12(now, &datagram);
        }
        let Some((start, header)) = last_record(&datagram) else {
            return self.receive_dtls12(now, &datagram);
        };
        // The records before the last one are a prefix of the buffer the
        // last one is opened in (and overwritten by its plaintext): they
        // are read from a copy (a short one: typically a SACK).
        let prefix = datagram[..start].to_vec();
        let last = RecordPayload::Owned {
            datagram,
            start: start + HEADER_LEN,
        };
        self.receive_dtls12_records(now, &prefix, Some((header, last)));
    }

    /// Reads the records of `records`, then `last` (a record whose payload
    /// is owned), then retransmits our flight if the peer asked.
    fn receive_dtls12_records(
        &mut self,
        now: Instant,
        records: &[u8],
        last: Option<(RecordHeader, RecordPayload<'_>)>,
    ) {
        let mut retransmit = false;
        self.refused_this_datagram = false;
        let framed = Records::new(records).map(|r| r.map(|(h, p)| (h, RecordPayload::Borrowed(p))));
        for record in framed.chain(last.map(Ok)) {
            let Ok((h, payload)) = record else {
                // The rest of the datagram cannot be framed.
                self.stats.malformed_datagrams += 1;
                break;
            };
            if let Err(e) = self.handle_record(now, h, payload, &mut retransmit) {
                self.fail(e);
            }
            if self.is_closed() {
                return;
            }
            if self.probe.switch {
                // The hellos chose DTLS 1.3: it re-reads the datagrams.
                return self.switch_to_dtls13(now);
            }
            if let Err(e) = self.drain_pending(now, &mut retransmit) {
                self.fail(e);
                return;
            }
        }
        let may_retransmit = match self.state {
            State::Handshaking => true,
            State::Connected => self.role == Role::Server,
            _ => false,
        };
        // Peer-triggered retransmissions are bounded per flight: forged
        // epoch-0 repeats cannot make us resend a flight without end.
        let budget_left = self.hs.peer_triggered < self.config.max_retransmissions;
        if retransmit && may_retransmit && budget_left && !self.hs.flight.is_empty() {
            self.hs.peer_triggered += 1;
            if let Err(e) = self.transmit_flight() {
                self.fail(e);
            }
        }
    }

    fn drain_pending(&mut self, now: Instant, retransmit: &mut bool) -> Result<(), DtlsError> {
        if self.read_cipher.is_some() && !self.pending.is_empty() {
            for (h, p) in std::mem::take(&mut self.pending) {
                let payload = RecordPayload::Owned {
                    datagram: p,
                    start: 0,
                };
                self.handle_record(now, h, payload, retransmit)?;
                if self.is_closed() {
                    break;
                }
            }
        }
        if self.state == State::Connected {
            for d in std::mem::take(&mut self.early_data) {
                self.out
                    .push_back(Output::Event(DtlsEvent::ApplicationData(d)));
            }
        }
        Ok(())
    }

    fn handle_record(
        &mut self,
        now: Instant,
        h: RecordHeader,
        payload: RecordPayload<'_>,
        retransmit: &mut bool,
    ) -> Result<(), DtlsError> {
        let plaintext = match h.epoch {
            0 => {
                if !self.replay[0].is_fresh(h.seq) {
                    self.stats.replayed_records += 1;
                    return Ok(());
                }
                self.replay[0].accept(h.seq);
                payload.into_vec()
            }
            1 => {
                let Some(cipher) = &self.read_cipher else {
                    if self.pending.len() < self.config.max_buffered_records {
                        self.pending.push((h, payload.into_vec()));
                    } else {
                        self.stats.buffer_full_records += 1;
                    }
                    return Ok(());
                };
                if !self.replay[1].is_fresh(h.seq) {
                    self.stats.replayed_records += 1;
                    return Ok(());
                }
                match cipher.open_payload(&h, payload) {
                    Some(p) => {
                        self.replay[1].accept(h.seq);
                        p
                    }
                    None => {
                        self.stats.bad_record_mac += 1;
                        return Ok(());
                    }
                }
            }
            _ => {
                self.stats.wrong_epoch_records += 1;
                return Ok(());
            }
        };
        if plaintext.len() > MAX_PLAINTEXT {
            return Err(DtlsError::TooLarge("record plaintext"));
        }
        match h.content_type {
            ContentType::Handshake => self.handle_handshake_record(now, &h, &plaintext, retransmit),
            ContentType::ChangeCipherSpec => {
                // Epoch changes are implied by the keys (a lost CCS does not
                // stall us); the record must still be well formed.
                if plaintext != [1] {
                    self.stats.dropped_fragments += 1;
                }
                Ok(())
            }
            ContentType::Alert => self.handle_alert(h.epoch, &plaintext),
            ContentType::ApplicationData => {
                if h.epoch != 1 {
                    self.stats.wrong_epoch_records += 1;
                } else if self.state == State::Connected {
                    self.out
                        .push_back(Output::Event(DtlsEvent::ApplicationData(plaintext)));
                } else if self.early_data.len() < self.config.max_buffered_records {
                    self.early_data.push(plaintext);
                } else {
                    self.stats.buffer_full_records += 1;
                }
                Ok(())
            }
        }
    }

    fn handle_alert(&mut self, epoch: u16, p: &[u8]) -> Result<(), DtlsError> {
        if p.len() != 2 {
            self.stats.dropped_fragments += 1;
            return Ok(());
        }
        // Once the peer's records are protected, an unprotected alert is
        // not from the peer.
        if epoch == 0 && self.state == State::Connected {
            self.stats.wrong_epoch_records += 1;
            return Ok(());
        }
        let (level, desc) = (p[0], p[1]);
        if desc == alert::CLOSE_NOTIFY {
            self.send_alert(alert::WARNING, alert::CLOSE_NOTIFY);
            self.state = State::Closed;
            self.timers.stop(Timer::Retransmit);
            self.out.push_back(Output::Event(DtlsEvent::Closed));
        } else if level == alert::FATAL {
            self.state = State::Failed;
            self.timers.stop(Timer::Retransmit);
            self.out
                .push_back(Output::Event(DtlsEvent::Failed(DtlsError::PeerAlert(desc))));
        }
        Ok(())
    }

    fn handle_handshake_record(
        &mut self,
        now: Instant,
        h: &RecordHeader,
        plaintext: &[u8],
        retransmit: &mut bool,
    ) -> Result<(), DtlsError> {
        let frags = match handshake::parse_fragments(plaintext) {
            Ok(f) => f,
            Err(e) if h.epoch == 1 => return Err(e),
            Err(_) => {
                self.stats.dropped_fragments += 1;
                return Ok(());
            }
        };
        for f in frags {
            if f.length as usize > self.config.max_handshake_message {
                return Err(DtlsError::TooLarge("handshake message"));
            }
            if self.state == State::Connected {
                if f.message_seq < self.hs.next_recv_seq {
                    *retransmit |= f.message_seq < self.hs.peer_flight_start;
                } else if f.offset == 0
                    && (f.msg_type == HandshakeType::ClientHello as u8
                        || f.msg_type == HandshakeType::HelloRequest as u8)
                {
                    // RFC 5746 §4: refuse renegotiation with a warning, at
                    // most one per datagram (no amplification).
                    self.stats.renegotiations_refused += 1;
                    if !self.refused_this_datagram {
                        self.refused_this_datagram = true;
                        self.send_alert(alert::WARNING, alert::NO_RENEGOTIATION);
                    }
                } else {
                    self.stats.dropped_fragments += 1;
                }
                continue;
            }
            if self.state != State::Handshaking {
                return Ok(());
            }
            if self.role == Role::Server && self.hs.expect == Expect::ClientHello {
                if f.msg_type != HandshakeType::ClientHello as u8 || f.message_seq >= SEQ_WINDOW {
                    self.stats.dropped_fragments += 1;
                    continue;
                }
                if !self.buffer_fragment(&f, h.epoch) {
                    continue;
                }
                if let Some(m) = self.hs.reassembly.take(f.message_seq) {
                    self.hs.reassembly.clear();
                    self.server_on_client_hello(now, h.seq, m)?;
                }
                continue;
            }
            if f.message_seq < self.hs.next_recv_seq {
                // Only a repeat of the peer's *previous* flight means our
                // last flight was lost (RFC 6347 §4.2.4); a repeat from the
                // flight we are receiving is just a duplicate.
                if f.message_seq < self.hs.peer_flight_start {
                    *retransmit = true;
                } else {
                    self.stats.dropped_fragments += 1;
                }
                continue;
            }
            if f.message_seq - self.hs.next_recv_seq >= SEQ_WINDOW {
                self.stats.dropped_fragments += 1;
                continue;
            }
            if !self.buffer_fragment(&f, h.epoch) {
                continue;
            }
            while self.state == State::Handshaking {
                let Some(m) = self.hs.reassembly.take(self.hs.next_recv_seq) else {
                    break;
                };
                self.hs.next_recv_seq += 1;
                self.process_message(now, m)?;
            }
        }
        Ok(())
    }

    /// Adds a fragment to the reassembly buffer within the configured
    /// bounds; past them (or if it disagrees with earlier fragments) it is
    /// dropped and counted, and `false` is returned.
    fn buffer_fragment(&mut self, f: &Fragment<'_>, epoch: u16) -> bool {
        let buffered = self
            .hs
            .reassembly
            .insert(
                f,
                epoch,
                self.config.max_handshake_message,
                self.config.max_reassembly_bytes,
            )
            .is_ok();
        if !buffered {
            self.stats.dropped_fragments += 1;
        }
        buffered
    }

    fn process_message(&mut self, now: Instant, m: Message) -> Result<(), DtlsError> {
        let t = HandshakeType::from_u8(m.msg_type)
            .ok_or(DtlsError::UnexpectedMessage("unknown handshake type"))?;
        if (t == HandshakeType::Finished) != (m.epoch == 1) {
            return Err(DtlsError::UnexpectedMessage(
                "handshake message in the wrong epoch",
            ));
        }
        match self.role {
            Role::Client => self.client_message(now, t, m),
            Role::Server => self.server_message(now, t, m),
        }
    }
}

/// A DTLS 1.2 record's payload (as on the wire: protected from epoch 1).
#[derive(Debug)]
pub(crate) enum RecordPayload<'a> {
    /// Borrowed from the datagram: copied for what is kept.
    Borrowed(&'a [u8]),
    /// The payload is `datagram[start..]`, owned: opened (or kept) in it.
    Owned {
        /// The buffer.
        datagram: Vec<u8>,
        /// Where the payload starts.
        start: usize,
    },
}

impl RecordPayload<'_> {
    /// The payload's bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            RecordPayload::Borrowed(p) => p,
            RecordPayload::Owned { datagram, start } => &datagram[*start..],
        }
    }

    /// The payload in a buffer of its own.
    pub(crate) fn into_vec(self) -> Vec<u8> {
        match self {
            RecordPayload::Borrowed(p) => p.to_vec(),
            RecordPayload::Owned {
                mut datagram,
                start,
            } => {
                datagram.drain(..start);
                datagram
            }
        }
    }
}

/// Where the last record of `datagram` starts and its header, when every
/// record of it is framed.
fn last_record(datagram: &[u8]) -> Option<(usize, RecordHeader)> {
    let mut start = 0;
    let mut last = None;
    for record in Records::new(datagram) {
        let (h, payload) = record.ok()?;
        last = Some((start, h));
        start += HEADER_LEN + payload.len();
    }
    last
}
