//! The DTLS endpoint: one Sans-IO machine per connection, either role.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rand_core::CryptoRngCore;
use sansrtc_proto::{Output, TimerKind, TimerTable};

use crate::aead::RecordCipher;
use crate::alert;
use crate::choice;
use crate::config::{DtlsConfig, Role};
use crate::ecdhe::EphemeralKey;
use crate::error::DtlsError;
use crate::event::{Connected, DtlsEvent};
use crate::fingerprint::sha256_fingerprint;
use crate::handshake::{self, HandshakeType};
use crate::keys::Secrets;
use crate::messages::{CertificateRequest, ClientHello};
use crate::peer::PeerCertificate;
use crate::prf::ct_eq;
use crate::reassembly::Reassembler;
use crate::record::{ContentType, RecordHeader};
use crate::replay::ReplayWindow;
use crate::srtp::{SrtpKeyingMaterial, DTLS_SRTP_LABEL};
use crate::stats::DtlsStats;
use crate::suite::{CipherSuite, NamedGroup, SrtpProfile};
use crate::v13::connection::Dtls13Connection;
use crate::v13::key_share::KeyShareGroup;
use crate::version::{DtlsVersion, NegotiatedCipherSuite};
use crate::version_switch::VersionProbe;
use crate::writer::{FlightItem, RecordWriter};

/// The largest plaintext of one record (RFC 5246 §6.2.1).
pub const MAX_PLAINTEXT: usize = 1 << 14;
/// How far ahead of the next expected message_seq we buffer fragments.
pub(crate) const SEQ_WINDOW: u16 = 16;
/// The most HelloVerifyRequests a client follows.
pub(crate) const MAX_HELLO_VERIFY: u8 = 4;

/// The endpoint's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    /// Retransmit the current flight (RFC 6347 §4.2.4).
    Retransmit,
}

impl TimerKind for Timer {
    const ALL: &'static [Self] = &[Timer::Retransmit];
    fn index(self) -> usize {
        0
    }
}

/// Where the connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// A client before [`DtlsEndpoint::start`].
    Idle,
    Handshaking,
    Connected,
    Closed,
    Failed,
}

/// The next handshake message we expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    // Client side.
    ServerHello,
    Certificate,
    ServerKeyExchange,
    CertificateRequestOrDone,
    ServerHelloDone,
    // Server side.
    ClientHello,
    ClientCertificate,
    ClientKeyExchange,
    CertificateVerify,
    // Both.
    Finished,
    Done,
}

/// The handshake's working state.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Handshake {
    pub(crate) expect: Expect,
    pub(crate) next_send_seq: u16,
    pub(crate) next_recv_seq: u16,
    /// The first message_seq of the peer flight answering our last one.
    pub(crate) peer_flight_start: u16,
    pub(crate) reassembly: Reassembler,
    pub(crate) transcript: Vec<u8>,
    pub(crate) flight: Vec<FlightItem>,
    pub(crate) timeout: Duration,
    pub(crate) retransmissions: u32,
    /// Retransmissions of the current flight that the peer's repeats caused.
    pub(crate) peer_triggered: u32,
    pub(crate) client_random: [u8; 32],
    pub(crate) server_random: [u8; 32],
    pub(crate) cookie_secret: [u8; 32],
    pub(crate) client_hello: Option<ClientHello>,
    pub(crate) hello_verify_count: u8,
    pub(crate) suite: Option<CipherSuite>,
    pub(crate) group: Option<NamedGroup>,
    pub(crate) srtp: Option<SrtpProfile>,
    pub(crate) ems: bool,
    pub(crate) peer_chain: Vec<Vec<u8>>,
    pub(crate) peer_cert: Option<PeerCertificate>,
    pub(crate) peer_public: Vec<u8>,
    pub(crate) ephemeral: Option<EphemeralKey>,
    pub(crate) cert_request: Option<CertificateRequest>,
    /// The index (in [`DtlsConfig::identities`]) of the identity we
    /// authenticate with, once chosen; a client the server asks for no
    /// certificate never chooses one.
    pub(crate) local_identity: Option<usize>,
}

impl Handshake {
    /// The cipher suite the hellos agreed on; an error before they did.
    pub(crate) fn negotiated_suite(&self) -> Result<CipherSuite, DtlsError> {
        self.suite.ok_or(DtlsError::UnexpectedMessage("no suite"))
    }

    /// The key-exchange group the hellos agreed on; an error before they did.
    pub(crate) fn negotiated_group(&self) -> Result<NamedGroup, DtlsError> {
        self.group.ok_or(DtlsError::UnexpectedMessage("no group"))
    }
}

/// A DTLS connection, client or server, as a Sans-IO machine: DTLS 1.2,
/// or DTLS 1.3 when both sides offer it and the configuration allows it
/// (see [`DtlsConfig::max_version`]).
///
/// Drive it with [`DtlsEndpoint::start`] (the client sends its
/// ClientHello), [`DtlsEndpoint::handle_receive`] for every datagram of
/// this connection, [`DtlsEndpoint::handle_timeout`] when the timeout
/// passes, and drain [`DtlsEndpoint::poll_output`] after each call.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub struct DtlsEndpoint {
    pub(crate) role: Role,
    pub(crate) config: DtlsConfig,
    pub(crate) state: State,
    pub(crate) out: VecDeque<Output<Vec<u8>, DtlsEvent>>,
    pub(crate) timers: TimerTable<Timer, 1>,
    pub(crate) writer: RecordWriter,
    pub(crate) read_cipher: Option<RecordCipher>,
    pub(crate) replay: [ReplayWindow; 2],
    /// Epoch-1 records received before we had the keys.
    pub(crate) pending: Vec<(RecordHeader, Vec<u8>)>,
    /// Application data received before the handshake completed.
    pub(crate) early_data: Vec<Vec<u8>>,
    pub(crate) hs: Handshake,
    pub(crate) secrets: Option<Secrets>,
    pub(crate) connected: Option<Connected>,
    pub(crate) stats: DtlsStats,
    /// What is kept until the hellos decide the version.
    pub(crate) probe: VersionProbe,
    /// The DTLS 1.3 connection that took over, once the hellos chose 1.3.
    pub(crate) v13: Option<Box<Dtls13Connection>>,
    /// Every random value drawn after construction (ECDHE keys, RSA
    /// blinding and PSS salts): a ChaCha20 stream seeded from the caller's
    /// RNG in [`DtlsEndpoint::new`].
    pub(crate) rng: ChaCha20Rng,
    /// Whether this datagram already drew a no_renegotiation alert.
    pub(crate) refused_this_datagram: bool,
}

impl std::fmt::Debug for DtlsEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DtlsEndpoint")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("expect", &self.hs.expect)
            .finish()
    }
}

impl DtlsEndpoint {
    /// A new endpoint. Every random value it needs comes from `rng`, drawn
    /// now: the hello random, the cookie secret, and a 32-byte seed of the
    /// ChaCha20 stream from which its ephemeral keys (and RSA blinding and
    /// PSS salts) come later. The same `rng` state gives the same bytes on
    /// the wire (see `docs/dtls.md`, "Determinism").
    pub fn new(
        role: Role,
        mut config: DtlsConfig,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, DtlsError> {
        config.mtu = config.mtu.max(256);
        config.check_peer_authentication()?;
        choice::check_config(role, &config)?;
        let mut random = [0u8; 32];
        rng.fill_bytes(&mut random);
        let mut cookie_secret = [0u8; 32];
        rng.fill_bytes(&mut cookie_secret);
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let (expect, state) = match role {
            Role::Client => (Expect::ServerHello, State::Idle),
            Role::Server => (Expect::ClientHello, State::Handshaking),
        };
        let timeout = config.initial_retransmit_timeout;
        Ok(Self {
            role,
            state,
            out: VecDeque::new(),
            timers: TimerTable::new(),
            writer: RecordWriter::default(),
            read_cipher: None,
            replay: Default::default(),
            pending: Vec::new(),
            early_data: Vec::new(),
            hs: Handshake {
                expect,
                next_send_seq: 0,
                next_recv_seq: 0,
                peer_flight_start: 0,
                reassembly: Reassembler::default(),
                transcript: Vec::new(),
                flight: Vec::new(),
                timeout,
                retransmissions: 0,
                peer_triggered: 0,
                client_random: if role == Role::Client {
                    random
                } else {
                    [0; 32]
                },
                server_random: if role == Role::Server {
                    random
                } else {
                    [0; 32]
                },
                cookie_secret,
                client_hello: None,
                hello_verify_count: 0,
                suite: None,
                group: None,
                srtp: None,
                ems: false,
                peer_chain: Vec::new(),
                peer_cert: None,
                peer_public: Vec::new(),
                ephemeral: None,
                cert_request: None,
                local_identity: None,
            },
            secrets: None,
            connected: None,
            stats: DtlsStats::default(),
            probe: VersionProbe::default(),
            v13: None,
            rng: ChaCha20Rng::from_seed(seed),
            refused_this_datagram: false,
            config,
        })
    }

    /// Starts the handshake: a client sends its ClientHello; a server
    /// (which waits for one) does nothing.
    pub fn start(&mut self, now: Instant) {
        if self.role == Role::Client && self.state == State::Idle {
            self.state = State::Handshaking;
            if let Err(e) = self.client_start(now) {
                self.fail(e);
            }
        }
    }

    /// This endpoint's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Whether the handshake completed and the connection is open.
    pub fn is_connected(&self) -> bool {
        self.state == State::Connected
    }

    /// Whether the connection closed or failed (nothing more is sent).
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed | State::Failed)
    }

    /// The negotiated parameters, once connected.
    pub fn connection(&self) -> Option<&Connected> {
        self.connected.as_ref()
    }

    /// What was dropped or repeated so far.
    pub fn stats(&self) -> DtlsStats {
        match &self.v13 {
            Some(connection) => self.dtls13_stats(connection),
            None => self.stats.clone(),
        }
    }

    /// The RFC 5705 exporter (`context` `None` means no context, which is
    /// not the same as an empty one).
    pub fn export_keying_material(
        &self,
        label: &str,
        context: Option<&[u8]>,
        len: usize,
    ) -> Result<Vec<u8>, DtlsError> {
        if self.state != State::Connected {
            return Err(DtlsError::NotConnected);
        }
        if len > 0xffff {
            return Err(DtlsError::TooLarge("exporter length"));
        }
        if let Some(c) = &self.v13 {
            // RFC 8446 §7.5: no context is the same as an empty one.
            return c.export_keying_material(label.as_bytes(), context.unwrap_or_default(), len);
        }
        let s = self.secrets.as_ref().ok_or(DtlsError::NotConnected)?;
        Ok(s.export(label.as_bytes(), context, len))
    }

    /// The SRTP keys for the negotiated profile (RFC 5764 §4.2); `None` if
    /// not connected or no profile was negotiated.
    pub fn srtp_keying_material(&self) -> Option<SrtpKeyingMaterial> {
        let profile = self.connected.as_ref()?.srtp_profile?;
        let len = SrtpKeyingMaterial::export_len(profile);
        let material = self
            .export_keying_material(DTLS_SRTP_LABEL, None, len)
            .ok()?;
        SrtpKeyingMaterial::from_exported(profile, &material)
    }

    /// Sends one record of application data.
    pub fn send_application_data(&mut self, data: &[u8]) -> Result<(), DtlsError> {
        if let Some(c) = self.v13.as_mut().filter(|_| self.state == State::Connected) {
            // The record waits in the connection's queue: `poll_output`
            // takes it from there (and follows any state change).
            check_application_data_len(data.len())?;
            return c.send_application_data(data);
        }
        let datagram = self.seal_application_data(data)?;
        self.out.push_back(Output::Transmit(datagram));
        Ok(())
    }

    /// [`Self::send_application_data`], the datagram returned instead of
    /// queued for [`Self::poll_output`]: the caller sends it at once, as
    /// it would a [`Output::Transmit`] of this endpoint. Anything else
    /// the record causes (a DTLS 1.3 key update when the key nears its
    /// usage limit, a failure) is queued as usual.
    pub fn seal_application_data(&mut self, data: &[u8]) -> Result<Vec<u8>, DtlsError> {
        match self.state {
            State::Connected => {}
            State::Closed | State::Failed => return Err(DtlsError::Closed),
            _ => return Err(DtlsError::NotConnected),
        }
        check_application_data_len(data.len())?;
        if let Some(c) = self.v13.as_mut() {
            return c.seal_application_data(data);
        }
        // One buffer, sized once: header, explicit nonce, data, tag.
        let mut d = Vec::with_capacity(self.writer.overhead(1) + data.len());
        self.writer
            .record(ContentType::ApplicationData, 1, data, &mut d)?;
        Ok(d)
    }

    /// [`Self::send_application_data`] for a payload already in `buffer`
    /// after `headroom` bytes of room, whatever they hold: with `headroom`
    /// equal to [`Self::application_data_headroom`], the record's header
    /// is written there and the payload sealed where it lies, so that the
    /// buffer becomes the datagram with no copy of the payload (reserve
    /// [`Self::application_data_tailroom`] bytes of capacity after it to
    /// spare a reallocation). With another `headroom`, the payload is
    /// copied into a new record as by [`Self::send_application_data`].
    /// The datagram is the same either way.
    pub fn send_application_data_in_place(
        &mut self,
        buffer: Vec<u8>,
        headroom: usize,
    ) -> Result<(), DtlsError> {
        let Some(payload_len) = buffer.len().checked_sub(headroom) else {
            return Err(SHORTER_THAN_HEADROOM);
        };
        if self.application_data_headroom() == Some(headroom) {
            if let Some(c) = self.v13.as_mut() {
                // Queued in the connection, as `send_application_data`.
                check_application_data_len(payload_len)?;
                return c.send_application_data_in_place(buffer);
            }
        }
        let datagram = self.seal_application_data_in_place(buffer, headroom)?;
        self.out.push_back(Output::Transmit(datagram));
        Ok(())
    }

    /// [`Self::send_application_data_in_place`], the datagram returned
    /// instead of queued for [`Self::poll_output`] (see
    /// [`Self::seal_application_data`]): with the right `headroom`, the
    /// buffer itself, sealed. A sender that hands each record to the
    /// transport at once spares it a trip through the output queue.
    pub fn seal_application_data_in_place(
        &mut self,
        mut buffer: Vec<u8>,
        headroom: usize,
    ) -> Result<Vec<u8>, DtlsError> {
        let Some(payload) = buffer.get(headroom..) else {
            return Err(SHORTER_THAN_HEADROOM);
        };
        if self.application_data_headroom() != Some(headroom) {
            return self.seal_application_data(payload);
        }
        check_application_data_len(payload.len())?;
        if let Some(c) = self.v13.as_mut() {
            return c.seal_application_data_in_place(buffer);
        }
        self.writer
            .record_in_place(ContentType::ApplicationData, &mut buffer)?;
        Ok(buffer)
    }

    /// Sends close_notify and closes; nothing more is sent or delivered.
    pub fn close(&mut self) {
        if let Some(c) = self.v13.as_mut() {
            c.close();
            self.pump_dtls13();
            self.state = State::Closed;
            return;
        }
        if matches!(self.state, State::Handshaking | State::Connected) {
            self.send_alert(alert::WARNING, alert::CLOSE_NOTIFY);
        }
        if !self.is_closed() {
            self.state = State::Closed;
            self.timers.stop(Timer::Retransmit);
        }
    }

    /// The next output. Drain until [`Output::Timeout`] after every call.
    pub fn poll_output(&mut self) -> Output<Vec<u8>, DtlsEvent> {
        if let Some(o) = self.out.pop_front() {
            return o;
        }
        if let Some(output) = self.poll_dtls13() {
            return output;
        }
        Output::Timeout(self.timers.next().map(|(at, _)| at))
    }

    /// Handles the retransmission timer.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(c) = self.v13.as_mut() {
            c.handle_timeout(now);
            self.pump_dtls13();
            return;
        }
        if !self.timers.is_expired(Timer::Retransmit, now) || self.state != State::Handshaking {
            return;
        }
        if self.hs.retransmissions >= self.config.max_retransmissions {
            self.fail(DtlsError::HandshakeTimeout);
            return;
        }
        self.hs.retransmissions += 1;
        self.hs.timeout = (self.hs.timeout * 2).min(self.config.max_retransmit_timeout);
        self.timers.set(Timer::Retransmit, now + self.hs.timeout);
        if let Err(e) = self.transmit_flight() {
            self.fail(e);
        }
    }

    /// Appends a message to the transcript.
    pub(crate) fn add_transcript(&mut self, t: HandshakeType, seq: u16, body: &[u8]) {
        self.hs
            .transcript
            .extend_from_slice(&handshake::full_message(t, seq, body));
    }

    /// Queues a message of our next flight (and hashes it).
    pub(crate) fn push_message(
        &mut self,
        items: &mut Vec<FlightItem>,
        t: HandshakeType,
        body: Vec<u8>,
        epoch: u16,
    ) {
        let seq = self.hs.next_send_seq;
        self.hs.next_send_seq += 1;
        self.add_transcript(t, seq, &body);
        items.push(FlightItem::Handshake {
            msg_type: t,
            seq,
            body,
            epoch,
        });
    }

    /// Makes `items` the current flight and sends it.
    pub(crate) fn send_new_flight(
        &mut self,
        now: Instant,
        items: Vec<FlightItem>,
        expects_reply: bool,
    ) -> Result<(), DtlsError> {
        self.hs.flight = items;
        self.hs.peer_flight_start = self.hs.next_recv_seq;
        self.hs.retransmissions = 0;
        self.hs.peer_triggered = 0;
        self.hs.timeout = self.config.initial_retransmit_timeout;
        self.hs.reassembly.clear();
        if expects_reply {
            self.timers.set(Timer::Retransmit, now + self.hs.timeout);
        } else {
            self.timers.stop(Timer::Retransmit);
        }
        self.pack_and_queue()
    }

    pub(crate) fn transmit_flight(&mut self) -> Result<(), DtlsError> {
        self.stats.retransmissions += 1;
        self.pack_and_queue()
    }

    fn pack_and_queue(&mut self) -> Result<(), DtlsError> {
        let datagrams = self.writer.pack_flight(&self.hs.flight, self.config.mtu)?;
        for d in datagrams {
            self.out.push_back(Output::Transmit(d));
        }
        Ok(())
    }

    /// Checks a peer chain: parses the leaf, matches the expected
    /// fingerprints and the validity period.
    pub(crate) fn check_peer_chain(&self, chain: &[Vec<u8>]) -> Result<PeerCertificate, DtlsError> {
        let leaf = chain.first().ok_or(DtlsError::MissingCertificate)?;
        let cert = PeerCertificate::parse(leaf)?;
        if !self.config.accepts_peer_leaf(leaf) {
            return Err(DtlsError::FingerprintMismatch);
        }
        if let Some(t) = self.config.unix_time {
            cert.check_validity(t)?;
        }
        Ok(cert)
    }

    /// Checks the peer's Finished `body` against the verify_data of the
    /// transcript so far (RFC 5246 §7.4.9) and returns the secrets.
    pub(crate) fn check_peer_finished(&self, body: &[u8]) -> Result<&Secrets, DtlsError> {
        let s = self
            .secrets
            .as_ref()
            .ok_or(DtlsError::UnexpectedMessage("Finished"))?;
        let expected = s.verify_data(self.role == Role::Server, &self.hs.transcript);
        if !ct_eq(body, &expected) {
            return Err(DtlsError::BadFinished);
        }
        Ok(s)
    }

    /// The handshake completed.
    pub(crate) fn connect(&mut self) -> Result<(), DtlsError> {
        let suite = self.hs.negotiated_suite()?;
        let group = self.hs.negotiated_group()?;
        let leaf = self
            .hs
            .peer_chain
            .first()
            .ok_or(DtlsError::MissingCertificate)?;
        let info = Connected {
            version: DtlsVersion::Dtls12,
            cipher_suite: NegotiatedCipherSuite::Dtls12(suite),
            group: KeyShareGroup::from_named_group(group),
            srtp_profile: self.hs.srtp,
            extended_master_secret: self.hs.ems,
            peer_certificate_chain: self.hs.peer_chain.clone(),
            peer_fingerprint: sha256_fingerprint(leaf),
            local_certificate_index: self.hs.local_identity,
        };
        self.state = State::Connected;
        self.hs.expect = Expect::Done;
        self.hs.transcript = Vec::new();
        self.timers.stop(Timer::Retransmit);
        self.connected = Some(info.clone());
        self.out
            .push_back(Output::Event(DtlsEvent::Connected(info)));
        Ok(())
    }

    /// Sends an alert, protected once we have write keys.
    pub(crate) fn send_alert(&mut self, level: u8, desc: u8) {
        let epoch = if self.writer.has_cipher() && self.hs.expect_write_epoch1() {
            1
        } else {
            0
        };
        let mut d = Vec::new();
        if self
            .writer
            .record(ContentType::Alert, epoch, &[level, desc], &mut d)
            .is_ok()
        {
            self.out.push_back(Output::Transmit(d));
        }
    }

    /// Fails the connection: a fatal alert (where one applies), the event,
    /// and silence afterwards.
    pub(crate) fn fail(&mut self, e: DtlsError) {
        if self.is_closed() {
            return;
        }
        if let Some(desc) = alert::description_for(&e) {
            self.send_alert(alert::FATAL, desc);
        }
        self.state = State::Failed;
        self.timers.stop(Timer::Retransmit);
        self.pending.clear();
        self.early_data.clear();
        self.out.push_back(Output::Event(DtlsEvent::Failed(e)));
    }
}

impl Handshake {
    /// Whether we have switched our writes to epoch 1 (sent our CCS).
    fn expect_write_epoch1(&self) -> bool {
        self.flight
            .iter()
            .any(|i| matches!(i, FlightItem::ChangeCipherSpec))
            || self.expect == Expect::Done
    }
}

/// An in-place buffer too short for the headroom it was said to have.
const SHORTER_THAN_HEADROOM: DtlsError =
    DtlsError::Decode("application data buffer shorter than its headroom");

/// An application data record holds at most [`MAX_PLAINTEXT`] bytes.
fn check_application_data_len(len: usize) -> Result<(), DtlsError> {
    if len > MAX_PLAINTEXT {
        return Err(DtlsError::TooLarge("application data record"));
    }
    Ok(())
}
