//! A DTLS 1.3 connection, either role, Sans-IO like `DtlsEndpoint`:
//! `handle_receive(now, datagram)`, `handle_timeout(now)`,
//! `poll_output()`. It demultiplexes records (RFC 9147 §4.1), opens them
//! with the epoch's keys, reassembles handshake fragments (the shared
//! 12-byte header and `reassembly.rs`), drives the client or server
//! handshake, retransmits flights on a timer and on the peer's
//! retransmissions, and ACKs the client's final flight (§7).

use std::collections::VecDeque;
use std::time::Instant;

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rand_core::CryptoRngCore;
use sansrtc_proto::Output;

use super::ack::{encode_ack, parse_ack, RecordNumber};
use super::connection_config::Dtls13Config;
use super::connection_event::Dtls13Event;
use super::epoch_keys::{
    EpochKeys, OpenOutcome, ReceivedRecord, APPLICATION_EPOCH, HANDSHAKE_EPOCH,
    PROTECTED_RECORD_HEADER_LEN,
};
use super::exporter::export_keying_material;
use super::flight::Flight;
use super::handshake_client::ClientHandshake;
use super::handshake_context::{Established, HandshakeContext};
use super::handshake_server::ServerHandshake;
use super::record_drops::RecordDrops;
use super::record_header::{
    parse_record, DatagramRecords, Record, UnifiedHeader, CONTENT_TYPE_ACK, CONTENT_TYPE_ALERT,
    CONTENT_TYPE_APPLICATION_DATA, CONTENT_TYPE_HANDSHAKE, MAX_PLAINTEXT_LEN,
};
use super::record_protection::Sealed;
use crate::alert;
use crate::error::DtlsError;
use crate::handshake::parse_fragments;
use crate::reassembly::Reassembler;

#[path = "connection_key_update.rs"]
mod key_update_glue;

use super::gap_detector::GapDetector;
use super::key_update_state::KeyUpdateState;

/// How far ahead of the next expected message_seq fragments are kept.
const MAX_MESSAGES_AHEAD: u16 = 16;
/// Protected records kept until their epoch's keys exist.
const MAX_BUFFERED_RECORDS: usize = 32;

/// The role's handshake.
#[cfg_attr(feature = "snapshot", derive(Clone))]
enum Handshake {
    /// The client's.
    Client(ClientHandshake),
    /// The server's.
    Server(Box<ServerHandshake>),
}

/// Whether the connection still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Liveness {
    /// Handshaking or connected.
    Running,
    /// The peer sent close_notify.
    Closed,
    /// A fatal error or alert.
    Failed,
}

/// A DTLS 1.3 connection.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Dtls13Connection {
    /// What the handshake acts on (keys, flight, output, RNG, config).
    cx: HandshakeContext,
    /// The role's handshake.
    handshake: Handshake,
    /// Handshake fragments not yet assembled into messages.
    reassembler: Reassembler,
    /// The message_seq of the peer's next handshake message.
    next_receive_seq: u16,
    /// Protected records of an epoch we cannot read yet.
    buffered: Vec<Vec<u8>>,
    /// Handshake records of the peer to ACK: epoch 2, and for a client
    /// the ServerHello's epoch-0 records.
    received_handshake_records: Vec<RecordNumber>,
    /// The completed handshake, once reported.
    established: Option<Established>,
    /// A client's completed handshake, reported once the server
    /// acknowledged our final flight or sent application data (so a client
    /// the server rejects never reports `Connected`).
    pending: Option<Established>,
    /// Whether the connection still runs.
    liveness: Liveness,
    /// The peer's next message_seq when our current flight began: a
    /// repeat of an earlier message means our flight was lost; a repeat of
    /// a later one (part of the flight we are receiving) does not.
    answered_below: u16,
    /// Retransmissions the peer's repeats triggered, for our current flight.
    peer_triggered_retransmissions: u32,
    /// Flight retransmissions so far (timer and peer-triggered).
    retransmissions: u64,
    /// What was dropped on receipt.
    drops: RecordDrops,
    /// Our KeyUpdates and the counters (`connection_key_update.rs`).
    key_update: KeyUpdateState,
    /// Gaps in the peer's handshake flight, ACKed at once.
    gap: GapDetector,
    /// Whether the handshake epoch's keys this side no longer needs were
    /// dropped (`retire_handshake_keys`).
    handshake_keys_retired: bool,
}

impl Dtls13Connection {
    /// A client; `start` sends its ClientHello.
    pub(crate) fn client(config: Dtls13Config, rng: &mut impl CryptoRngCore, now: Instant) -> Self {
        Self::new(config, rng, now, Handshake::Client(ClientHandshake::new()))
    }

    /// A server waiting for a ClientHello.
    pub(crate) fn server(config: Dtls13Config, rng: &mut impl CryptoRngCore, now: Instant) -> Self {
        Self::new(
            config,
            rng,
            now,
            Handshake::Server(Box::new(ServerHandshake::new())),
        )
    }

    fn new(
        config: Dtls13Config,
        rng: &mut impl CryptoRngCore,
        now: Instant,
        handshake: Handshake,
    ) -> Self {
        let mut seed = [0; 32];
        rng.fill_bytes(&mut seed);
        Self {
            cx: HandshakeContext {
                config,
                rng: ChaCha20Rng::from_seed(seed),
                keys: EpochKeys::default(),
                flight: Flight::default(),
                next_send_seq: 0,
                out: VecDeque::new(),
                now,
                created: now,
            },
            handshake,
            reassembler: Reassembler::default(),
            next_receive_seq: 0,
            buffered: Vec::new(),
            received_handshake_records: Vec::new(),
            established: None,
            pending: None,
            liveness: Liveness::Running,
            answered_below: 0,
            peer_triggered_retransmissions: 0,
            retransmissions: 0,
            drops: RecordDrops::default(),
            key_update: KeyUpdateState::default(),
            gap: GapDetector::default(),
            handshake_keys_retired: false,
        }
    }

    /// Sends the client's first flight (nothing for a server).
    pub(crate) fn start(&mut self, now: Instant) {
        self.cx.now = now;
        if let Handshake::Client(client) = &mut self.handshake {
            if let Err(e) = client.start(&mut self.cx) {
                self.fail(e);
            }
        }
    }

    /// Flight retransmissions so far (timer and peer-triggered).
    pub(crate) fn retransmissions(&self) -> u64 {
        self.retransmissions
    }

    /// What was dropped on receipt so far.
    pub(crate) fn drops(&self) -> RecordDrops {
        self.drops
    }

    /// Whether the handshake completed.
    pub(crate) fn is_connected(&self) -> bool {
        self.established.is_some() && self.liveness == Liveness::Running
    }

    /// The next output; drain until `Output::Timeout`.
    pub(crate) fn poll_output(&mut self) -> Output<Vec<u8>, Dtls13Event> {
        if let Some(o) = self.cx.out.pop_front() {
            return o;
        }
        Output::Timeout(match self.liveness {
            Liveness::Running => self.next_deadline(),
            _ => None,
        })
    }

    /// The RFC 5705 exporter over the 1.3 exporter (RFC 8446 §7.5), e.g.
    /// `EXTRACTOR-dtls_srtp` for DTLS-SRTP (RFC 5764 §4.2).
    pub(crate) fn export_keying_material(
        &self,
        label: &[u8],
        context: &[u8],
        len: usize,
    ) -> Result<Vec<u8>, DtlsError> {
        let e = self.established.as_ref().ok_or(DtlsError::NotConnected)?;
        Ok(export_keying_material(
            &e.key_schedule,
            &e.exporter_master_secret,
            label,
            context,
            len,
        )?)
    }

    /// Sends one record of application data in epoch 3.
    pub(crate) fn send_application_data(&mut self, data: &[u8]) -> Result<(), DtlsError> {
        let datagram = self.seal_application_data_unchecked(data)?;
        self.cx.out.push_back(Output::Transmit(datagram));
        self.check_aead_limits();
        Ok(())
    }

    /// [`Self::send_application_data`], the datagram returned instead of
    /// queued: the caller sends it at once.
    pub(crate) fn seal_application_data(&mut self, data: &[u8]) -> Result<Vec<u8>, DtlsError> {
        let datagram = self.seal_application_data_unchecked(data)?;
        self.check_aead_limits();
        Ok(datagram)
    }

    /// One record of application data in a datagram of its own, before the
    /// AEAD limits are checked.
    fn seal_application_data_unchecked(&mut self, data: &[u8]) -> Result<Vec<u8>, DtlsError> {
        if !self.is_connected() {
            return Err(DtlsError::NotConnected);
        }
        if data.len() > MAX_PLAINTEXT_LEN {
            return Err(DtlsError::TooLarge("application data"));
        }
        let epoch = self.cx.keys.current_write_epoch();
        self.seal_datagram(epoch, CONTENT_TYPE_APPLICATION_DATA, data)
    }

    /// [`Self::send_application_data`] for content already in `buffer`
    /// after [`PROTECTED_RECORD_HEADER_LEN`] bytes of room: the buffer is
    /// sealed where it lies and becomes the datagram.
    pub(crate) fn send_application_data_in_place(
        &mut self,
        buffer: Vec<u8>,
    ) -> Result<(), DtlsError> {
        let datagram = self.seal_in_place_unchecked(buffer)?;
        self.cx.out.push_back(Output::Transmit(datagram));
        self.check_aead_limits();
        Ok(())
    }

    /// [`Self::send_application_data_in_place`], the datagram returned
    /// instead of queued: the caller sends it at once, with no trip
    /// through the output queue and [`Self::poll_output`].
    pub(crate) fn seal_application_data_in_place(
        &mut self,
        buffer: Vec<u8>,
    ) -> Result<Vec<u8>, DtlsError> {
        let datagram = self.seal_in_place_unchecked(buffer)?;
        self.check_aead_limits();
        Ok(datagram)
    }

    /// `buffer` sealed where it lies, before the AEAD limits are checked.
    fn seal_in_place_unchecked(&mut self, mut buffer: Vec<u8>) -> Result<Vec<u8>, DtlsError> {
        if !self.is_connected() {
            return Err(DtlsError::NotConnected);
        }
        let content_len = buffer.len().saturating_sub(PROTECTED_RECORD_HEADER_LEN);
        if content_len > MAX_PLAINTEXT_LEN {
            return Err(DtlsError::TooLarge("application data"));
        }
        let epoch = self.cx.keys.current_write_epoch();
        let padding = super::epoch_keys::block_padding(content_len, self.cx.config.shared.mtu);
        self.cx.keys.seal_padded_in_place(
            epoch,
            CONTENT_TYPE_APPLICATION_DATA,
            padding,
            &mut buffer,
        )?;
        Ok(buffer)
    }

    fn seal_and_send(
        &mut self,
        epoch: u64,
        content_type: u8,
        content: &[u8],
    ) -> Result<(), DtlsError> {
        let datagram = self.seal_datagram(epoch, content_type, content)?;
        self.cx.out.push_back(Output::Transmit(datagram));
        Ok(())
    }

    /// One record alone in its datagram, padded to whole cipher blocks
    /// when that still fits the MTU (cheaper to seal and to open); sized
    /// for it.
    fn seal_datagram(
        &mut self,
        epoch: u64,
        content_type: u8,
        content: &[u8],
    ) -> Result<Vec<u8>, DtlsError> {
        let padding = super::epoch_keys::block_padding(content.len(), self.cx.config.shared.mtu);
        let mut datagram = Vec::with_capacity(
            content.len() + padding + super::epoch_keys::PROTECTED_RECORD_OVERHEAD,
        );
        self.cx
            .keys
            .seal_padded(epoch, content_type, content, padding, &mut datagram)?;
        Ok(datagram)
    }

    /// Sends close_notify (in epoch 3 once connected); nothing more is
    /// sent or delivered afterwards.
    pub(crate) fn close(&mut self) {
        if self.liveness != Liveness::Running {
            return;
        }
        let epoch = self.cx.keys.current_write_epoch();
        let _ = self.seal_and_send(
            epoch,
            CONTENT_TYPE_ALERT,
            &[alert::WARNING, alert::CLOSE_NOTIFY],
        );
        self.cx.flight.finish();
        self.liveness = Liveness::Closed;
    }

    /// The retransmission timer.
    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        self.cx.now = now;
        self.on_key_update_timeout();
        if self.liveness != Liveness::Running
            || !matches!(self.cx.flight.deadline(), Some(d) if d <= now)
        {
            return;
        }
        // Holding part of the peer's flight, we ACK that part (RFC 9147
        // §7.1), so the peer resends only the rest.
        if self.pending.is_none()
            && self.established.is_none()
            && !self.received_handshake_records.is_empty()
            && self.cx.keys.current_write_epoch() >= HANDSHAKE_EPOCH
        {
            self.send_ack(HANDSHAKE_EPOCH);
        }
        let shared = self.cx.config.shared.clone();
        match self.cx.flight.on_timeout(
            now,
            shared.max_retransmit_timeout,
            shared.max_retransmissions,
            &mut self.cx.keys,
            shared.mtu,
        ) {
            Some(Ok(datagrams)) => {
                self.retransmissions += 1;
                self.cx
                    .out
                    .extend(datagrams.into_iter().map(Output::Transmit))
            }
            Some(Err(e)) => self.fail(e.into()),
            // Our final flight was never acknowledged: the peer has what it
            // needs if it sent application data; stop retransmitting.
            None if self.established.is_some() => self.cx.flight.finish(),
            None => self.fail(DtlsError::HandshakeTimeout),
        }
    }

    /// One datagram from the peer.
    pub(crate) fn handle_receive(&mut self, now: Instant, datagram: &[u8]) {
        self.receive_datagram(now, |c, peer_retransmitted| {
            c.receive_records(datagram, peer_retransmitted)
        });
    }

    /// One datagram from the peer, by value: once connected, its last
    /// record, if protected, is opened in place and its content handed on
    /// in the same buffer (no copy, no allocation); the records before it
    /// are read as [`Self::handle_receive`] reads them
    /// ([`Self::receive_owned_records`]).
    pub(crate) fn handle_receive_owned(&mut self, now: Instant, datagram: Vec<u8>) {
        self.receive_datagram(now, |c, peer_retransmitted| {
            c.receive_owned_records(datagram, peer_retransmitted)
        });
    }

    /// What every received datagram goes through; `receive` reads its
    /// records.
    fn receive_datagram(&mut self, now: Instant, receive: impl FnOnce(&mut Self, &mut bool)) {
        self.cx.now = now;
        if self.liveness != Liveness::Running {
            return;
        }
        let mut peer_retransmitted = false;
        let generation = self.cx.flight.generation();
        receive(self, &mut peer_retransmitted);
        // Records that arrived before their keys: retry while keys appear.
        for _ in 0..4 {
            if self.buffered.is_empty() || self.liveness != Liveness::Running {
                break;
            }
            let before = self.buffered.len();
            for record in std::mem::take(&mut self.buffered) {
                self.receive_records(&record, &mut peer_retransmitted);
            }
            if self.buffered.len() >= before {
                break;
            }
        }
        if peer_retransmitted && self.liveness == Liveness::Running {
            self.answer_peer_retransmission();
        }
        self.ack_on_gap(generation);
        self.check_aead_limits();
        self.retire_handshake_keys();
    }

    /// Drops the handshake epoch's keys once nothing can need them (each
    /// is ~0.9 kB an idle connection would hold). A connected server
    /// writes nothing more in epoch 2 (it ACKs the client's final flight
    /// in epoch 3) but keeps reading it, to ACK a repeated Finished. A
    /// connected client whose final flight was acknowledged neither writes
    /// nor reads epoch 2 again: the server has its Finished, so it resends
    /// nothing of its own flight.
    fn retire_handshake_keys(&mut self) {
        if self.handshake_keys_retired || self.established.is_none() {
            return;
        }
        match self.handshake {
            Handshake::Server(_) => self.cx.keys.drop_write(HANDSHAKE_EPOCH),
            Handshake::Client(_) if self.cx.flight.is_done() => {
                self.cx.keys.drop_write(HANDSHAKE_EPOCH);
                self.cx.keys.drop_read(HANDSHAKE_EPOCH);
            }
            Handshake::Client(_) => return,
        }
        self.handshake_keys_retired = true;
    }

    /// [`Self::receive_records`] for a datagram we own. Once connected,
    /// when its last record is protected, the records before it are read
    /// as borrowed ones and the last is opened in the datagram's own
    /// buffer (its content moves to the buffer's front; what the earlier
    /// records held has been copied out by then).
    fn receive_owned_records(&mut self, datagram: Vec<u8>, peer_retransmitted: &mut bool) {
        let Some((start, header, header_len)) = last_protected_record(&datagram) else {
            return self.receive_records(&datagram, peer_retransmitted);
        };
        if start > 0 {
            self.receive_records(&datagram[..start], peer_retransmitted);
        }
        if self.liveness != Liveness::Running {
            return;
        }
        if self.established.is_none() {
            // Records may wait for their keys: read as borrowed, so that
            // one can be kept.
            return self.receive_records(&datagram[start..], peer_retransmitted);
        }
        let record = Sealed::Owned {
            header,
            datagram,
            record_start: start,
            header_len,
        };
        // Connected: nothing is buffered for keys to come.
        match self.cx.keys.open_sealed(record) {
            OpenOutcome::Opened(r) => self.receive_protected(r, peer_retransmitted),
            outcome => self.count_unopened(&outcome),
        }
    }

    fn receive_records(&mut self, datagram: &[u8], peer_retransmitted: &mut bool) {
        // A malformed record ends the datagram; what came before counts.
        for record in DatagramRecords::new(datagram) {
            if self.liveness != Liveness::Running {
                return;
            }
            let Ok(record) = record else {
                self.drops.malformed_datagrams += 1;
                return;
            };
            match record {
                Record::Plaintext(p) => match p.content_type {
                    CONTENT_TYPE_HANDSHAKE => {
                        // Unauthenticated: malformed fragments are dropped.
                        let parsed = parse_fragments(p.fragment);
                        if parsed.is_err() {
                            self.drops.dropped_fragments += 1;
                        }
                        if let Ok(fragments) = parsed {
                            // A client ACKs the server's ServerHello records
                            // too (a server never ACKs a ClientHello).
                            if matches!(self.handshake, Handshake::Client(_)) {
                                self.note_handshake_record(RecordNumber {
                                    epoch: 0,
                                    sequence_number: p.sequence_number,
                                });
                            }
                            self.receive_fragments(0, &fragments, peer_retransmitted);
                        }
                    }
                    // An unprotected alert counts only before any keys.
                    CONTENT_TYPE_ALERT if !self.cx.keys.reads_protected() => {
                        self.receive_alert(p.fragment)
                    }
                    // Anything else in the clear is not the peer's.
                    _ => self.drops.wrong_epoch_records += 1,
                },
                Record::Ciphertext(c) => match self.cx.keys.open(&c) {
                    OpenOutcome::Opened(r) => self.receive_protected(r, peer_retransmitted),
                    // Only epochs 2 and 3 will get keys: buffer nothing else
                    // (and nothing once connected: later epochs follow our
                    // ACK of the KeyUpdate, so their keys come first).
                    OpenOutcome::NoKeys
                        if self.buffered.len() < MAX_BUFFERED_RECORDS
                            && self.established.is_none()
                            && matches!(c.header.epoch_low_bits, 2 | 3) =>
                    {
                        let mut raw = c.header_bytes.to_vec();
                        raw.extend_from_slice(c.encrypted_record);
                        self.buffered.push(raw);
                    }
                    outcome => self.count_unopened(&outcome),
                },
            }
        }
    }

    /// Counts a record that was not opened (and not buffered).
    fn count_unopened(&mut self, outcome: &OpenOutcome) {
        match outcome {
            OpenOutcome::Opened(_) => {}
            OpenOutcome::NoKeys if self.buffered.len() >= MAX_BUFFERED_RECORDS => {
                self.drops.buffer_full_records += 1
            }
            OpenOutcome::NoKeys => self.drops.wrong_epoch_records += 1,
            OpenOutcome::Forged => self.drops.bad_record_mac += 1,
            OpenOutcome::Replayed => self.drops.replayed_records += 1,
        }
    }

    fn receive_protected(&mut self, record: ReceivedRecord, peer_retransmitted: &mut bool) {
        match record.content_type {
            CONTENT_TYPE_HANDSHAKE if record.number.epoch >= APPLICATION_EPOCH => {
                self.receive_post_handshake(record)
            }
            CONTENT_TYPE_HANDSHAKE => match parse_fragments(&record.content) {
                Ok(fragments) => {
                    self.note_handshake_record(record.number);
                    self.gap.observe(record.number);
                    let epoch = record.number.epoch;
                    self.receive_fragments(epoch, &fragments, peer_retransmitted)
                }
                Err(e) => self.fail(e),
            },
            CONTENT_TYPE_ACK => match parse_ack(&record.content) {
                Ok(numbers) => {
                    self.gap.advance(record.number);
                    self.on_key_update_ack(&numbers);
                    let progress = self.cx.flight.on_ack(&numbers);
                    if self.cx.flight.is_done() {
                        self.establish_pending();
                    } else if progress {
                        self.resend_after_partial_ack();
                    }
                }
                Err(e) => self.fail(e.into()),
            },
            CONTENT_TYPE_APPLICATION_DATA if record.number.epoch >= APPLICATION_EPOCH => {
                self.establish_pending();
                if self.established.is_none() {
                    return;
                }
                self.cx
                    .out
                    .push_back(Output::Event(Dtls13Event::ApplicationData(record.content)));
            }
            CONTENT_TYPE_ALERT => self.receive_alert(&record.content),
            _ => self.fail(DtlsError::UnexpectedMessage(
                "record content type for its epoch",
            )),
        }
    }

    fn receive_alert(&mut self, content: &[u8]) {
        let [_level, description] = content else {
            return self.fail(DtlsError::Decode("alert"));
        };
        self.cx.flight.finish();
        if *description == alert::CLOSE_NOTIFY {
            self.liveness = Liveness::Closed;
            self.cx.out.push_back(Output::Event(Dtls13Event::Closed));
        } else {
            self.liveness = Liveness::Failed;
            self.cx
                .out
                .push_back(Output::Event(Dtls13Event::Failed(DtlsError::PeerAlert(
                    *description,
                ))));
        }
    }

    fn receive_fragments(
        &mut self,
        epoch: u64,
        fragments: &[crate::handshake::Fragment<'_>],
        peer_retransmitted: &mut bool,
    ) {
        let limits = &self.cx.config.shared;
        let (max_message, max_bytes) = (limits.max_handshake_message, limits.max_reassembly_bytes);
        for f in fragments {
            if f.message_seq < self.answered_below {
                // The peer repeats the flight we answered: once per
                // repetition (its last message's first fragment), not once
                // per datagram of it. A server that is done ACKs any repeat:
                // the client resends only what no ACK covered, maybe not
                // its Finished.
                let last_message_start =
                    f.message_seq.wrapping_add(1) == self.answered_below && f.offset == 0;
                let done_server =
                    matches!(self.handshake, Handshake::Server(_)) && self.established.is_some();
                if last_message_start || done_server {
                    *peer_retransmitted = true;
                }
            } else if f.message_seq < self.next_receive_seq {
                // Part of the flight we are receiving, again: nothing to do.
            } else if epoch == 0
                && (f.message_seq != self.next_receive_seq || self.cx.keys.reads_protected())
            {
                // Only the hello we wait for comes in epoch 0: anything
                // else unprotected is forged and must not take a
                // message_seq the real (protected) message needs.
            } else if f.message_seq - self.next_receive_seq <= MAX_MESSAGES_AHEAD {
                // Inconsistent or oversized fragments are dropped.
                let _ = self
                    .reassembler
                    .insert(f, epoch as u16, max_message, max_bytes);
            }
        }
        while let Some(message) = self.reassembler.take(self.next_receive_seq) {
            self.next_receive_seq = self.next_receive_seq.wrapping_add(1);
            let generation = self.cx.flight.generation();
            let result = match &mut self.handshake {
                Handshake::Client(c) => c.handle(&mut self.cx, message),
                Handshake::Server(s) => s.handle(&mut self.cx, message),
            };
            if self.cx.flight.generation() != generation {
                self.answered_below = self.next_receive_seq;
                self.peer_triggered_retransmissions = 0;
            }
            match result {
                Ok(None) => {}
                Ok(Some(established)) if matches!(self.handshake, Handshake::Client(_)) => {
                    self.pending = Some(established)
                }
                Ok(Some(established)) => self.establish(established),
                Err(e) => return self.fail(e),
            }
        }
    }

    fn establish_pending(&mut self) {
        if let Some(established) = self.pending.take() {
            self.establish(established);
        }
    }

    fn establish(&mut self, established: Established) {
        let info = established.info.clone();
        self.established = Some(established);
        if let Handshake::Server(_) = self.handshake {
            // Our ACK answers the client's final flight: a repeat of it
            // means the ACK was lost.
            self.answered_below = self.next_receive_seq;
            self.send_ack(APPLICATION_EPOCH);
        }
        self.cx
            .out
            .push_back(Output::Event(Dtls13Event::Connected(info)));
    }

    /// Remembers a handshake record of the peer's flight, to ACK (bounded).
    fn note_handshake_record(&mut self, number: RecordNumber) {
        if !self.received_handshake_records.contains(&number)
            && self.received_handshake_records.len() < 256
        {
            self.received_handshake_records.push(number);
        }
    }

    /// ACKs the handshake records of the peer's flight we have, in `epoch`:
    /// the server the client's final flight in epoch 3 (RFC 9147 §7: the
    /// last flight is acknowledged explicitly), the client part of the
    /// server's flight in epoch 2.
    fn send_ack(&mut self, epoch: u64) {
        // After key updates, the newest epoch (RFC 9147 §7).
        let epoch = if epoch >= APPLICATION_EPOCH {
            self.cx.keys.current_write_epoch()
        } else {
            epoch
        };
        let mut numbers: Vec<RecordNumber> = self.received_handshake_records.clone();
        numbers.sort_by_key(|n| (n.epoch, n.sequence_number));
        // One record within the MTU: the most recent record numbers (each
        // 16 bytes after a 2-byte length) when they do not all fit.
        let room = self
            .cx
            .config
            .shared
            .mtu
            .saturating_sub(super::epoch_keys::PROTECTED_RECORD_OVERHEAD + 2)
            / 16;
        if numbers.len() > room {
            numbers.drain(..numbers.len() - room);
        }
        let mut body = Vec::new();
        if let Err(e) = encode_ack(&numbers, &mut body) {
            return self.fail(e.into());
        }
        if let Err(e) = self.seal_and_send(epoch, CONTENT_TYPE_ACK, &body) {
            self.fail(e);
        }
    }

    /// The peer repeated a message we already have: its timer fired, so
    /// ours was lost. A server that is done ACKs again; otherwise we resend
    /// our flight, a bounded number of times.
    fn answer_peer_retransmission(&mut self) {
        let max = self.cx.config.shared.max_retransmissions;
        if self.peer_triggered_retransmissions >= max {
            return;
        }
        self.peer_triggered_retransmissions += 1;
        if matches!(self.handshake, Handshake::Server(_)) && self.established.is_some() {
            return self.send_ack(APPLICATION_EPOCH);
        }
        if !self.cx.flight.is_done() && !self.flight_just_sent() {
            self.retransmissions += 1;
            if let Err(e) = self.cx.transmit_flight() {
                self.fail(e.into());
            }
        }
    }

    /// Fails the connection: a fatal alert in our current epoch where the
    /// error has one, then the `Failed` event.
    fn fail(&mut self, e: DtlsError) {
        if self.liveness != Liveness::Running {
            return;
        }
        self.liveness = Liveness::Failed;
        self.cx.flight.finish();
        if let Some(description) = alert::description_for(&e) {
            let epoch = self.cx.keys.current_write_epoch();
            let _ = self.seal_and_send(epoch, CONTENT_TYPE_ALERT, &[alert::FATAL, description]);
        }
        self.cx.out.push_back(Output::Event(Dtls13Event::Failed(e)));
    }
}

impl Dtls13Connection {
    /// A client taking over from the DTLS 1.2 code, which sent
    /// `client_hello` (the body of `hello`, offering 1.3 with the private
    /// keys `key_shares`) as message `hello_seq` and used epoch-0 record
    /// numbers below `next_record_seq`. It waits for the ServerHello, and
    /// retransmits the ClientHello on its timer until one comes.
    pub(crate) fn client_after_hello(
        config: Dtls13Config,
        rng: &mut impl CryptoRngCore,
        now: Instant,
        sent: super::client_offer::SentClientHello,
    ) -> Self {
        let super::client_offer::SentClientHello {
            hello,
            body,
            key_shares,
            message_seq,
            next_record_seq,
        } = sent;
        let handshake = Handshake::Client(ClientHandshake::after_hello(
            hello,
            body.clone(),
            key_shares,
        ));
        let mut connection = Self::new(config, rng, now, handshake);
        let cx = &mut connection.cx;
        cx.begin_flight();
        cx.next_send_seq = message_seq;
        cx.queue_message(0, super::handshake_context::msg_type::CLIENT_HELLO, body);
        cx.flight.arm(now);
        cx.keys.continue_epoch0_from(next_record_seq);
        connection
    }
}

/// Where the last record of `datagram` starts, its header and the header's
/// length, when every record parses and the last is a DTLSCiphertext.
fn last_protected_record(datagram: &[u8]) -> Option<(usize, UnifiedHeader, usize)> {
    let mut rest = datagram;
    let mut last = None;
    while !rest.is_empty() {
        let start = datagram.len() - rest.len();
        let (record, after) = parse_record(rest).ok()?;
        last = match record {
            Record::Ciphertext(c) => Some((start, c.header, c.header_bytes.len())),
            Record::Plaintext(_) => None,
        };
        rest = after;
    }
    last
}
