//! The client side of the DTLS 1.3 1-RTT handshake with certificates both
//! ways (RFC 8446 §2, RFC 9147 §5): ClientHello → ServerHello, then in
//! epoch 2 EncryptedExtensions, CertificateRequest, Certificate,
//! CertificateVerify, Finished → our Certificate, CertificateVerify,
//! Finished in epoch 2, application data in epoch 3.

use rand_core::RngCore;

use super::certificate_request::CertificateRequest;
use super::certificate_verify::Signer;
use super::cipher_suite::Tls13CipherSuite;
use super::client_hello::ClientHello13;
use super::connection_event::Dtls13Connected;
use super::encrypted_extensions::EncryptedExtensions;
use super::epoch_keys::{APPLICATION_EPOCH, HANDSHAKE_EPOCH};
use super::handshake_context::{msg_type, Established, HandshakeContext};
use super::hkdf::Secret;
use super::key_schedule::{KeySchedule, TrafficSecrets};
use super::key_share::{ClientKeyShare, KeyShareGroup};
use super::key_share_extension::KeyShareEntry;
use super::peer_auth;
use super::server_hello::{self, ParsedServerHello, ServerHello13, ServerKeyShare};
use super::supported_versions::{DTLS_1_2, DTLS_1_3};
use super::transcript::Transcript;
use crate::error::DtlsError;
use crate::fingerprint::sha256_fingerprint;
use crate::peer::PeerCertificate;
use crate::reassembly::Message;
use crate::suite::SrtpProfile;

/// Where the client is.
#[cfg_attr(feature = "snapshot", derive(Clone))]
enum ClientState {
    /// ClientHello not sent yet.
    Start,
    /// ClientHello sent; it, our private key shares, and the
    /// HelloRetryRequest that made it a ClientHello2.
    WaitServerHello {
        /// The ClientHello sent.
        hello: Box<ClientHello13>,
        /// Its encoded body (for the transcript).
        client_hello: Vec<u8>,
        /// The private keys of its shares.
        key_shares: Vec<ClientKeyShare>,
        /// The HelloRetryRequest it answers, if any.
        retry: Option<Retry>,
    },
    /// After ServerHello: the encrypted part of the server's flight.
    Encrypted(Box<EncryptedPart>),
    /// Our final flight is sent.
    Done,
}

/// A HelloRetryRequest we answered: the suite it named, its body and
/// ClientHello1's body (RFC 8446 §4.4.1's transcript restart).
#[cfg_attr(feature = "snapshot", derive(Clone))]
struct Retry {
    /// The suite the HelloRetryRequest named.
    suite: Tls13CipherSuite,
    /// Its body.
    hello_retry_request: Vec<u8>,
    /// ClientHello1's body.
    client_hello1: Vec<u8>,
}

/// The negotiated state while the server's encrypted messages arrive.
#[cfg_attr(feature = "snapshot", derive(Clone))]
struct EncryptedPart {
    /// The cipher suite.
    suite: Tls13CipherSuite,
    /// The key exchange group.
    group: KeyShareGroup,
    /// The suite's key schedule.
    key_schedule: KeySchedule,
    /// The handshake secret.
    handshake_secret: Secret,
    /// The handshake traffic secrets.
    traffic: TrafficSecrets,
    /// The transcript so far.
    transcript: Transcript,
    /// The next message type expected.
    expect: u8,
    /// The SRTP profile from EncryptedExtensions.
    srtp_profile: Option<SrtpProfile>,
    /// The server's CertificateRequest.
    request: Option<CertificateRequest>,
    /// The server's leaf certificate and chain, once checked.
    peer: Option<(PeerCertificate, Vec<Vec<u8>>)>,
}

/// The client handshake.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct ClientHandshake {
    /// Where it is.
    state: ClientState,
}

impl ClientHandshake {
    /// A client that has not sent its ClientHello.
    pub(crate) fn new() -> Self {
        Self {
            state: ClientState::Start,
        }
    }

    /// A client whose ClientHello (`client_hello`, the body of `hello`)
    /// the DTLS 1.2 code already sent, offering 1.3 with `key_shares`:
    /// it waits for the ServerHello.
    pub(crate) fn after_hello(
        hello: ClientHello13,
        client_hello: Vec<u8>,
        key_shares: Vec<ClientKeyShare>,
    ) -> Self {
        Self {
            state: ClientState::WaitServerHello {
                hello: Box::new(hello),
                client_hello,
                key_shares,
                retry: None,
            },
        }
    }

    /// Sends the ClientHello (first flight).
    pub(crate) fn start(&mut self, cx: &mut HandshakeContext) -> Result<(), DtlsError> {
        let config = cx.config.clone();
        let mut random = [0; 32];
        cx.rng.fill_bytes(&mut random);
        let mut key_shares = Vec::new();
        let mut entries = Vec::new();
        for group in &config.client_key_shares {
            let (key, share) = ClientKeyShare::generate(*group, &mut cx.rng);
            key_shares.push(key);
            entries.push(KeyShareEntry {
                group: group.code(),
                key_exchange: share,
            });
        }
        let profiles: Vec<u16> = config
            .shared
            .srtp_profiles
            .iter()
            .map(|p| p.dtls_id())
            .collect();
        let hello = ClientHello13 {
            legacy_version: DTLS_1_2,
            random,
            cipher_suites: config.cipher_suites.iter().map(|s| s.code()).collect(),
            supported_versions: Some(vec![DTLS_1_3]),
            supported_groups: Some(config.groups.iter().map(|g| g.code()).collect()),
            key_shares: Some(entries),
            signature_algorithms: Some(peer_auth::offered_scheme_codes()),
            use_srtp: (!profiles.is_empty()).then_some((profiles, vec![])),
            ..ClientHello13::default()
        };
        let body = hello.encode()?;
        cx.begin_flight();
        cx.queue_message(0, msg_type::CLIENT_HELLO, body.clone());
        cx.transmit_flight()?;
        self.state = ClientState::WaitServerHello {
            hello: Box::new(hello),
            client_hello: body,
            key_shares,
            retry: None,
        };
        Ok(())
    }

    /// A HelloRetryRequest (once): ClientHello2 with a share of the group
    /// it names and its cookie.
    fn hello_retry_request(
        &mut self,
        cx: &mut HandshakeContext,
        mut hello: Box<ClientHello13>,
        client_hello1: Vec<u8>,
        retry: &ServerHello13,
        body: &[u8],
    ) -> Result<(), DtlsError> {
        let suite = Tls13CipherSuite::from_code(retry.cipher_suite)
            .filter(|s| cx.config.cipher_suites.contains(s))
            .ok_or(DtlsError::IllegalParameter("cipher suite"))?;
        let group = match &retry.key_share {
            Some(ServerKeyShare::RetryWithGroup(code)) => KeyShareGroup::from_code(*code)
                .filter(|g| cx.config.groups.contains(g))
                .filter(|g| !cx.config.client_key_shares.contains(g))
                .ok_or(DtlsError::IllegalParameter("HelloRetryRequest group"))?,
            _ => {
                return Err(DtlsError::UnexpectedMessage(
                    "HelloRetryRequest without a group",
                ))
            }
        };
        let (key, share) = ClientKeyShare::generate(group, &mut cx.rng);
        hello.key_shares = Some(vec![KeyShareEntry {
            group: group.code(),
            key_exchange: share,
        }]);
        hello.cookie = retry.cookie.clone();
        let client_hello2 = hello.encode()?;
        cx.begin_flight();
        cx.queue_message(0, msg_type::CLIENT_HELLO, client_hello2.clone());
        cx.transmit_flight()?;
        self.state = ClientState::WaitServerHello {
            hello,
            client_hello: client_hello2,
            key_shares: vec![key],
            retry: Some(Retry {
                suite,
                hello_retry_request: body.to_vec(),
                client_hello1,
            }),
        };
        Ok(())
    }

    /// Handles the next handshake message of the server; returns the
    /// established connection after the server's Finished.
    pub(crate) fn handle(
        &mut self,
        cx: &mut HandshakeContext,
        message: Message,
    ) -> Result<Option<Established>, DtlsError> {
        match std::mem::replace(&mut self.state, ClientState::Done) {
            ClientState::WaitServerHello {
                hello,
                client_hello,
                key_shares,
                retry,
            } => {
                if message.epoch != 0 || message.msg_type != msg_type::SERVER_HELLO {
                    return Err(DtlsError::UnexpectedMessage("expected ServerHello"));
                }
                let parsed = match server_hello::parse(&message.body)? {
                    ParsedServerHello::Dtls13(h) => h,
                    ParsedServerHello::Dtls12 { .. } => return Err(DtlsError::ProtocolVersion),
                };
                if parsed.is_hello_retry_request() {
                    if retry.is_some() {
                        return Err(DtlsError::UnexpectedMessage("second HelloRetryRequest"));
                    }
                    self.hello_retry_request(cx, hello, client_hello, &parsed, &message.body)?;
                    return Ok(None);
                }
                let transcript = match retry {
                    Some(r) if r.suite.code() != parsed.cipher_suite => {
                        return Err(DtlsError::IllegalParameter(
                            "cipher suite differs from the HelloRetryRequest's",
                        ))
                    }
                    Some(r) => {
                        let mut t =
                            Transcript::after_hello_retry_request(r.suite.hash(), &r.client_hello1);
                        t.add_message(msg_type::SERVER_HELLO, &r.hello_retry_request)?;
                        Some(t)
                    }
                    None => None,
                };
                let part = server_hello(
                    cx,
                    &client_hello,
                    key_shares,
                    parsed,
                    transcript,
                    &message.body,
                )?;
                self.state = ClientState::Encrypted(Box::new(part));
                Ok(None)
            }
            ClientState::Encrypted(mut part) => {
                if message.epoch != HANDSHAKE_EPOCH as u16 || message.msg_type != part.expect {
                    return Err(DtlsError::UnexpectedMessage("server flight out of order"));
                }
                if message.msg_type == msg_type::FINISHED {
                    return finished(cx, *part, &message.body).map(Some);
                }
                encrypted_message(cx, &mut part, &message.body)?;
                self.state = ClientState::Encrypted(part);
                Ok(None)
            }
            ClientState::Start | ClientState::Done => Err(DtlsError::UnexpectedMessage(
                "handshake message after Finished",
            )),
        }
    }
}

/// ServerHello: the suite and share we offered, the handshake keys.
/// `transcript` holds message_hash and the HelloRetryRequest after a retry.
fn server_hello(
    cx: &mut HandshakeContext,
    client_hello: &[u8],
    key_shares: Vec<ClientKeyShare>,
    hello: ServerHello13,
    transcript: Option<Transcript>,
    server_hello_body: &[u8],
) -> Result<EncryptedPart, DtlsError> {
    // We send an empty legacy_session_id (RFC 9147 §5.3).
    if !hello.legacy_session_id_echo.is_empty() {
        return Err(DtlsError::IllegalParameter("legacy_session_id_echo"));
    }
    let suite = Tls13CipherSuite::from_code(hello.cipher_suite)
        .filter(|s| cx.config.cipher_suites.contains(s))
        .ok_or(DtlsError::IllegalParameter("cipher suite"))?;
    let Some(ServerKeyShare::Share(entry)) = hello.key_share else {
        return Err(DtlsError::IllegalParameter("ServerHello without key_share"));
    };
    let key = key_shares
        .into_iter()
        .find(|k| k.group().code() == entry.group)
        .ok_or(DtlsError::IllegalParameter("key share group"))?;
    let group = key.group();
    let shared_secret = key.shared_secret(&entry.key_exchange)?;
    let key_schedule = KeySchedule::dtls13(suite.hash());
    let mut transcript = transcript.unwrap_or_else(|| Transcript::new(suite.hash()));
    transcript.add_message(msg_type::CLIENT_HELLO, client_hello)?;
    transcript.add_message(msg_type::SERVER_HELLO, server_hello_body)?;
    let handshake_secret =
        key_schedule.handshake_secret(&key_schedule.early_secret(), &shared_secret)?;
    let traffic =
        key_schedule.handshake_traffic_secrets(&handshake_secret, &transcript.current_hash())?;
    cx.keys
        .install_read(suite, HANDSHAKE_EPOCH, &traffic.server)?;
    cx.keys
        .install_write(suite, HANDSHAKE_EPOCH, &traffic.client)?;
    Ok(EncryptedPart {
        suite,
        group,
        key_schedule,
        handshake_secret,
        traffic,
        transcript,
        expect: msg_type::ENCRYPTED_EXTENSIONS,
        srtp_profile: None,
        request: None,
        peer: None,
    })
}

/// EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify.
fn encrypted_message(
    cx: &mut HandshakeContext,
    part: &mut EncryptedPart,
    body: &[u8],
) -> Result<(), DtlsError> {
    match part.expect {
        msg_type::ENCRYPTED_EXTENSIONS => {
            let extensions = EncryptedExtensions::parse(body)?;
            if let Some(srtp) = extensions.use_srtp {
                let profile = SrtpProfile::from_dtls_id(srtp.profile)
                    .filter(|p| cx.config.shared.srtp_profiles.contains(p))
                    .ok_or(DtlsError::IllegalParameter("SRTP profile"))?;
                part.srtp_profile = Some(profile);
            }
            part.expect = msg_type::CERTIFICATE_REQUEST;
        }
        msg_type::CERTIFICATE_REQUEST => {
            part.request = Some(CertificateRequest::parse(body)?);
            part.expect = msg_type::CERTIFICATE;
        }
        msg_type::CERTIFICATE => {
            part.peer = Some(peer_auth::check_peer_certificate(
                &cx.config.shared,
                &[],
                body,
            )?);
            part.expect = msg_type::CERTIFICATE_VERIFY;
        }
        _ => {
            let (peer, _) = part.peer.as_ref().ok_or(DtlsError::MissingCertificate)?;
            peer_auth::check_certificate_verify(
                peer,
                Signer::Server,
                &part.transcript.current_hash(),
                body,
            )?;
            part.expect = msg_type::FINISHED;
        }
    }
    part.transcript.add_message(part.expect_before(), body)?;
    Ok(())
}

impl EncryptedPart {
    /// The type of the message just handled (the one before `expect`).
    fn expect_before(&self) -> u8 {
        match self.expect {
            msg_type::CERTIFICATE_REQUEST => msg_type::ENCRYPTED_EXTENSIONS,
            msg_type::CERTIFICATE => msg_type::CERTIFICATE_REQUEST,
            msg_type::CERTIFICATE_VERIFY => msg_type::CERTIFICATE,
            _ => msg_type::CERTIFICATE_VERIFY,
        }
    }
}

/// The server's Finished: check it, send our final flight, switch to the
/// application keys.
fn finished(
    cx: &mut HandshakeContext,
    mut part: EncryptedPart,
    body: &[u8],
) -> Result<Established, DtlsError> {
    let ks = &part.key_schedule;
    if !ks.verify_finished(&part.traffic.server, &part.transcript.current_hash(), body)? {
        return Err(DtlsError::BadFinished);
    }
    part.transcript.add_message(msg_type::FINISHED, body)?;
    let server_finished_hash = part.transcript.current_hash();
    let master = ks.master_secret(&part.handshake_secret)?;
    let application = ks.application_traffic_secrets(&master, &server_finished_hash)?;
    let exporter_master_secret = ks.exporter_master_secret(&master, &server_finished_hash)?;
    let (peer, chain) = part.peer.take().ok_or(DtlsError::MissingCertificate)?;
    drop(peer);

    cx.begin_flight();
    if let Some(request) = &part.request {
        let identity = cx.config.shared.identity.clone();
        let scheme = peer_auth::choose_scheme(&identity, &request.signature_algorithms)?;
        let certificate = peer_auth::certificate_body(&identity, &request.context)?;
        part.transcript
            .add_message(msg_type::CERTIFICATE, &certificate)?;
        cx.queue_message(HANDSHAKE_EPOCH, msg_type::CERTIFICATE, certificate);
        let verify = peer_auth::certificate_verify_body(
            &identity,
            scheme,
            Signer::Client,
            &part.transcript.current_hash(),
            &mut cx.rng,
        )?;
        part.transcript
            .add_message(msg_type::CERTIFICATE_VERIFY, &verify)?;
        cx.queue_message(HANDSHAKE_EPOCH, msg_type::CERTIFICATE_VERIFY, verify);
    }
    let ks = &part.key_schedule;
    let verify_data =
        ks.finished_verify_data(&part.traffic.client, &part.transcript.current_hash())?;
    cx.queue_message(HANDSHAKE_EPOCH, msg_type::FINISHED, verify_data);
    cx.transmit_flight()?;
    cx.keys
        .install_write(part.suite, APPLICATION_EPOCH, &application.client)?;
    cx.keys
        .install_read(part.suite, APPLICATION_EPOCH, &application.server)?;
    Ok(Established {
        info: Dtls13Connected {
            cipher_suite: part.suite,
            group: part.group,
            srtp_profile: part.srtp_profile,
            peer_fingerprint: sha256_fingerprint(&chain[0]),
            peer_certificate_chain: chain,
        },
        key_schedule: part.key_schedule,
        exporter_master_secret,
    })
}
