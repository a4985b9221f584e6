//! Version negotiation (RFC 9147 §5.3, RFC 8446 §4.1.3, §4.2.1): the DTLS
//! 1.2 code runs every connection until the hellos show the version. A
//! server that receives a ClientHello offering 1.3 (when its
//! configuration allows 1.3) hands the connection to a
//! `Dtls13Connection`, which re-reads the ClientHello from the datagrams
//! kept so far; a client offers 1.3 next to 1.2 in its ClientHello and
//! hands over on a 1.3 ServerHello or HelloRetryRequest. A 1.2 ServerHello
//! answering a 1.3 offer must not carry the downgrade sentinel, and a
//! 1.3-capable server that negotiates 1.2 writes it.
//!
//! Once handed over, the endpoint forwards every call to the 1.3
//! connection and moves its outputs into its own queue, translating its
//! events, so callers see one `DtlsEndpoint` whatever the version.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use sansrtc_proto::Output;

use crate::config::Role;
use crate::endpoint::{DtlsEndpoint, State, Timer};
use crate::error::DtlsError;
use crate::event::{Connected, DtlsEvent};
use crate::messages::ClientHello;
use crate::stats::DtlsStats;
use crate::v13::client_hello::ClientHello13;
use crate::v13::client_offer::{self, SentClientHello};
use crate::v13::connection::Dtls13Connection;
use crate::v13::connection_config::Dtls13Config;
use crate::v13::connection_event::{Dtls13Connected, Dtls13Event};
use crate::v13::downgrade::mark_downgrade_to_1_2;
use crate::v13::key_share::ClientKeyShare;
use crate::v13::server_hello::{self, ParsedServerHello};
use crate::v13::supported_versions::DTLS_1_3;
use crate::version::{DtlsVersion, NegotiatedCipherSuite};

/// The most datagrams kept while the version is undecided.
const MAX_KEPT_DATAGRAMS: usize = 64;
/// The most bytes kept while the version is undecided (a ClientHello
/// with an X25519MLKEM768 share is about 1.5 kB; at a small MTU, with
/// duplicates, it takes many datagrams).
const MAX_KEPT_BYTES: usize = 32 * 1024;

/// What the endpoint keeps until the version is known.
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct VersionProbe {
    /// The datagrams of the hello being received (bounded: the oldest go
    /// first), which a 1.3 connection re-reads when it takes over.
    datagrams: VecDeque<Vec<u8>>,
    /// Their total size.
    bytes: usize,
    /// A client's 1.3 offer: the private keys of its key shares.
    client_key_shares: Option<Vec<ClientKeyShare>>,
    /// The 1.3 configuration a client's offer was built from, for the
    /// connection that may take over (built once per endpoint).
    dtls13_config: Option<Dtls13Config>,
    /// Set by the hello handlers: hand over to 1.3 after this record.
    pub(crate) switch: bool,
    /// The version is known (1.2 chosen, or handed over).
    decided: bool,
    /// `DtlsStats` when 1.3 took over (the 1.3 connection's counters are
    /// added to it).
    stats_before: DtlsStats,
}

impl VersionProbe {
    /// Forgets the kept datagrams (a HelloVerifyRequest exchange starts
    /// the hello again).
    pub(crate) fn forget_datagrams(&mut self) {
        self.datagrams.clear();
        self.bytes = 0;
    }

    /// The version is DTLS 1.2: nothing more to keep.
    fn decide_dtls12(&mut self) {
        self.forget_datagrams();
        self.client_key_shares = None;
        self.dtls13_config = None;
        self.decided = true;
    }
}

/// The 1.3 configuration derived from the endpoint's.
fn dtls13_config(config: &crate::DtlsConfig) -> Dtls13Config {
    Dtls13Config::new(Arc::new(config.clone()))
}

impl DtlsEndpoint {
    /// Whether received datagrams are kept for a possible 1.3 hand-over.
    pub(crate) fn probing(&self) -> bool {
        self.v13.is_none()
            && !self.probe.decided
            && match self.role {
                Role::Server => self.config.allows(DtlsVersion::Dtls13),
                Role::Client => self.probe.client_key_shares.is_some(),
            }
    }

    /// Keeps a copy of `datagram` while the version is undecided.
    pub(crate) fn keep_for_version_probe(&mut self, datagram: &[u8]) {
        if !self.probing() || datagram.len() > MAX_KEPT_BYTES {
            return;
        }
        let p = &mut self.probe;
        p.bytes += datagram.len();
        p.datagrams.push_back(datagram.to_vec());
        while p.datagrams.len() > MAX_KEPT_DATAGRAMS || p.bytes > MAX_KEPT_BYTES {
            if let Some(old) = p.datagrams.pop_front() {
                p.bytes -= old.len();
            }
        }
    }

    /// A client adds its 1.3 offer to the ClientHello when its
    /// configuration allows 1.3.
    pub(crate) fn offer_dtls13(&mut self, hello: &mut ClientHello) -> Result<(), DtlsError> {
        if !self.config.allows(DtlsVersion::Dtls13) {
            return Ok(());
        }
        let config = dtls13_config(&self.config);
        let keys = client_offer::add_dtls13_offer(hello, &config, &mut self.rng)?;
        self.probe.client_key_shares = Some(keys);
        self.probe.dtls13_config = Some(config);
        Ok(())
    }

    /// A server decides on a ClientHello: `true` hands over to 1.3.
    /// Choosing 1.2, a server that allows 1.3 marks its random with the
    /// downgrade sentinel.
    pub(crate) fn client_hello_selects_dtls13(
        &mut self,
        hello: &ClientHello,
    ) -> Result<bool, DtlsError> {
        let offers_13 = hello
            .extensions
            .supported_versions
            .as_ref()
            .is_some_and(|v| v.contains(&DTLS_1_3));
        if offers_13 && self.config.allows(DtlsVersion::Dtls13) {
            return Ok(true);
        }
        if !self.config.allows(DtlsVersion::Dtls12) {
            return Err(DtlsError::ProtocolVersion);
        }
        Ok(false)
    }

    /// A server negotiates 1.2 (after any cookie exchange).
    pub(crate) fn server_chose_dtls12(&mut self) {
        if self.config.allows(DtlsVersion::Dtls13) {
            mark_downgrade_to_1_2(&mut self.hs.server_random);
        }
        self.probe.decide_dtls12();
    }

    /// A client decides on a ServerHello: `true` hands over to 1.3.
    pub(crate) fn server_hello_selects_dtls13(&mut self, body: &[u8]) -> Result<bool, DtlsError> {
        let offered_13 = self.probe.client_key_shares.is_some();
        match server_hello::parse(body) {
            Ok(ParsedServerHello::Dtls13(_)) => {
                // A 1.3 server never sends a HelloVerifyRequest.
                if !offered_13 || self.hs.hello_verify_count > 0 {
                    return Err(DtlsError::ProtocolVersion);
                }
                Ok(true)
            }
            Ok(ParsedServerHello::Dtls12 {
                downgrade_sentinel, ..
            }) => {
                if offered_13 && downgrade_sentinel {
                    return Err(DtlsError::Downgrade);
                }
                if !self.config.allows(DtlsVersion::Dtls12) {
                    return Err(DtlsError::ProtocolVersion);
                }
                self.probe.decide_dtls12();
                Ok(false)
            }
            // Not a valid 1.3 ServerHello: the 1.2 parser says why.
            Err(_) => {
                self.probe.decide_dtls12();
                Ok(false)
            }
        }
    }

    /// Hands the connection to a DTLS 1.3 connection, which re-reads the
    /// datagrams kept so far.
    pub(crate) fn switch_to_dtls13(&mut self, now: Instant) {
        self.probe.switch = false;
        self.probe.decided = true;
        let config = self
            .probe
            .dtls13_config
            .take()
            .unwrap_or_else(|| dtls13_config(&self.config));
        let mut connection = match self.role {
            Role::Server => Dtls13Connection::server(config, &mut self.rng, now),
            Role::Client => {
                let sent = match self.sent_client_hello() {
                    Ok(sent) => sent,
                    Err(e) => return self.fail(e),
                };
                Dtls13Connection::client_after_hello(config, &mut self.rng, now, sent)
            }
        };
        // The 1.2 handshake state is not needed any more.
        self.timers.stop(Timer::Retransmit);
        self.hs.flight = Vec::new();
        self.hs.reassembly = Default::default();
        self.hs.transcript = Vec::new();
        self.hs.client_hello = None;
        self.pending = Vec::new();
        self.early_data = Vec::new();
        for d in std::mem::take(&mut self.probe.datagrams) {
            connection.handle_receive(now, &d);
        }
        self.probe.bytes = 0;
        self.probe.stats_before = self.stats.clone();
        self.v13 = Some(Box::new(connection));
        self.pump_dtls13();
    }

    /// The ClientHello we sent, for the 1.3 client that takes over.
    fn sent_client_hello(&mut self) -> Result<SentClientHello, DtlsError> {
        let body = self
            .hs
            .client_hello
            .as_ref()
            .ok_or(DtlsError::UnexpectedMessage("ServerHello"))?
            .encode();
        let hello = ClientHello13::parse(&body)?;
        let key_shares = self
            .probe
            .client_key_shares
            .take()
            .ok_or(DtlsError::UnexpectedMessage("ServerHello"))?;
        Ok(SentClientHello {
            hello,
            body,
            key_shares,
            message_seq: self.hs.next_send_seq.wrapping_sub(1),
            next_record_seq: self.writer.next_epoch0_seq(),
        })
    }

    /// Moves the 1.3 connection's outputs into ours, translating events
    /// and following its state; returns its timeout.
    pub(crate) fn pump_dtls13(&mut self) -> Option<Instant> {
        loop {
            match self.poll_dtls13()? {
                Output::Timeout(t) => return t,
                output => self.out.push_back(output),
            }
        }
    }

    /// The 1.3 connection's next output, its event translated and its
    /// state followed: what [`DtlsEndpoint::poll_output`] returns once
    /// its own queue is empty, without a detour through that queue.
    pub(crate) fn poll_dtls13(&mut self) -> Option<Output<Vec<u8>, DtlsEvent>> {
        let connection = self.v13.as_mut()?;
        Some(match connection.poll_output() {
            Output::Timeout(t) => Output::Timeout(t),
            Output::Transmit(d) => Output::Transmit(d),
            Output::Event(e) => Output::Event(match e {
                Dtls13Event::Connected(info) => {
                    let info = connected_from_dtls13(info);
                    self.state = State::Connected;
                    self.connected = Some(info.clone());
                    DtlsEvent::Connected(info)
                }
                Dtls13Event::ApplicationData(d) => DtlsEvent::ApplicationData(d),
                Dtls13Event::Closed => {
                    self.state = State::Closed;
                    DtlsEvent::Closed
                }
                Dtls13Event::Failed(e) => {
                    self.state = State::Failed;
                    DtlsEvent::Failed(e)
                }
            }),
        })
    }

    /// The counters once 1.3 took over: those of the 1.2 code until then
    /// plus the 1.3 connection's (read when asked, not kept up to date on
    /// every record).
    pub(crate) fn dtls13_stats(&self, connection: &Dtls13Connection) -> DtlsStats {
        let base = &self.probe.stats_before;
        let drops = connection.drops();
        let key_updates = connection.key_update_counts();
        DtlsStats {
            retransmissions: base.retransmissions + connection.retransmissions(),
            malformed_datagrams: base.malformed_datagrams + drops.malformed_datagrams,
            replayed_records: base.replayed_records + drops.replayed_records,
            bad_record_mac: base.bad_record_mac + drops.bad_record_mac,
            wrong_epoch_records: base.wrong_epoch_records + drops.wrong_epoch_records,
            buffer_full_records: base.buffer_full_records + drops.buffer_full_records,
            dropped_fragments: base.dropped_fragments + drops.dropped_fragments,
            key_updates_sent: key_updates.sent,
            key_updates_received: key_updates.received,
            // Counted by the endpoint itself (after_close_datagrams) or
            // only in 1.2 (hello_verify_requests, renegotiations_refused).
            ..self.stats.clone()
        }
    }

    /// Updates our write keys (DTLS 1.3, RFC 9147 §8): sends a KeyUpdate
    /// and writes with the next epoch's keys once the peer acknowledged
    /// it; `request_peer_update` asks the peer to update its keys too.
    /// While a KeyUpdate awaits its ACK, one more request waits behind it
    /// and further requests merge into that one (one KeyUpdate at a time,
    /// RFC 9147 §8). DTLS 1.2 has no key update
    /// ([`DtlsError::RequiresDtls13`]).
    pub fn update_keys(&mut self, request_peer_update: bool) -> Result<(), DtlsError> {
        let not_dtls13 = if self.is_connected() {
            DtlsError::RequiresDtls13
        } else {
            DtlsError::NotConnected
        };
        let connection = self.v13.as_mut().ok_or(not_dtls13)?;
        let result = connection.request_key_update(request_peer_update);
        self.pump_dtls13();
        result
    }

    /// The negotiated version, once the hellos decided it (`None` while a
    /// hand-over to 1.3 is still possible).
    pub fn version(&self) -> Option<DtlsVersion> {
        if self.v13.is_some() {
            Some(DtlsVersion::Dtls13)
        } else if self.probe.decided || self.connected.is_some() {
            Some(DtlsVersion::Dtls12)
        } else {
            None
        }
    }
}

/// The endpoint's `Connected` for a 1.3 connection.
fn connected_from_dtls13(info: Dtls13Connected) -> Connected {
    Connected {
        version: DtlsVersion::Dtls13,
        cipher_suite: NegotiatedCipherSuite::Dtls13(info.cipher_suite),
        group: info.group,
        srtp_profile: info.srtp_profile,
        extended_master_secret: true,
        peer_certificate_chain: info.peer_certificate_chain,
        peer_fingerprint: info.peer_fingerprint,
        local_certificate_index: Some(0),
    }
}
