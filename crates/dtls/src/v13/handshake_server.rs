//! The server side of the DTLS 1.3 1-RTT handshake with certificates both
//! ways: ClientHello → ServerHello (epoch 0), EncryptedExtensions,
//! CertificateRequest, Certificate, CertificateVerify, Finished (epoch 2)
//! → the client's Certificate, CertificateVerify, Finished (epoch 2).
//! A ClientHello without a share of a group we accept, but listing one in
//! supported_groups, gets a HelloRetryRequest with a stateless cookie.

use rand_core::RngCore;

use super::certificate_request::CertificateRequest;
use super::certificate_verify::Signer;
use super::cipher_suite::Tls13CipherSuite;
use super::client_hello::ClientHello13;
use super::connection_event::Dtls13Connected;
use super::encrypted_extensions::{EncryptedExtensions, UseSrtp};
use super::epoch_keys::{APPLICATION_EPOCH, HANDSHAKE_EPOCH};
use super::handshake_context::{msg_type, Established, HandshakeContext};
use super::hkdf::Secret;
use super::key_schedule::{KeySchedule, TrafficSecrets};
use super::key_share::{server_key_share, KeyShareGroup};
use super::key_share_extension::KeyShareEntry;
use super::peer_auth;
use super::server_hello::{self, ServerHello13, ServerKeyShare};
use super::stateless_cookie::{CookieContents, CookieKey};
use super::transcript::Transcript;
use crate::error::DtlsError;
use crate::fingerprint::sha256_fingerprint;
use crate::peer::PeerCertificate;
use crate::reassembly::Message;
use crate::suite::SrtpProfile;

/// The state after our flight, while the client's final flight arrives.
#[cfg_attr(feature = "snapshot", derive(Clone))]
struct AwaitingClient {
    /// The cipher suite.
    suite: Tls13CipherSuite,
    /// The key exchange group.
    group: KeyShareGroup,
    /// The suite's key schedule.
    key_schedule: KeySchedule,
    /// client_handshake_traffic_secret (for the client's Finished).
    client_handshake_secret: Secret,
    /// The application traffic secrets.
    application: TrafficSecrets,
    /// exporter_master_secret.
    exporter_master_secret: Secret,
    /// The transcript so far.
    transcript: Transcript,
    /// The SRTP profile we chose.
    srtp_profile: Option<SrtpProfile>,
    /// The next message type expected.
    expect: u8,
    /// The client's leaf certificate and chain, once checked.
    peer: Option<(PeerCertificate, Vec<Vec<u8>>)>,
}

/// Where the server is.
#[cfg_attr(feature = "snapshot", derive(Clone))]
enum ServerState {
    /// Waiting for a ClientHello.
    WaitClientHello,
    /// Our flight is sent.
    AwaitingClient(Box<AwaitingClient>),
    /// The client's Finished verified.
    Done,
}

/// The server handshake.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct ServerHandshake {
    /// Where it is.
    state: ServerState,
    /// The HelloRetryRequest cookie key, made when first needed.
    cookie_key: Option<CookieKey>,
}

/// How long a HelloRetryRequest cookie is accepted.
const COOKIE_MAX_AGE_MS: u64 = 60_000;

/// The suite and a group we accept that the client supports but sent no
/// share for: what a HelloRetryRequest asks for.
fn retry_choice(
    config: &super::connection_config::Dtls13Config,
    hello: &ClientHello13,
) -> Option<(Tls13CipherSuite, KeyShareGroup)> {
    let suite = config
        .cipher_suites
        .iter()
        .copied()
        .find(|s| hello.cipher_suites.contains(&s.code()))?;
    let supported = hello.supported_groups.as_deref().unwrap_or_default();
    let group = config
        .groups
        .iter()
        .copied()
        .find(|g| supported.contains(&g.code()))?;
    Some((suite, group))
}

/// The parameters the server chose from a ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerChoice {
    /// The cipher suite.
    pub(crate) suite: Tls13CipherSuite,
    /// The group of the client's key share we answer.
    pub(crate) group: KeyShareGroup,
    /// That key share.
    pub(crate) client_share: Vec<u8>,
    /// The SRTP profile, if the client offered use_srtp.
    pub(crate) srtp_profile: Option<SrtpProfile>,
}

/// Chooses suite, group (among the client's key shares, in our order)
/// and SRTP profile for a ClientHello that offers DTLS 1.3.
pub(crate) fn choose(
    config: &super::connection_config::Dtls13Config,
    hello: &ClientHello13,
) -> Result<ServerChoice, DtlsError> {
    if !hello.offers_dtls13() {
        return Err(DtlsError::ProtocolVersion);
    }
    // RFC 9147 §5.3: a 1.3 ClientHello's legacy_cookie is empty.
    if !hello.legacy_cookie.is_empty() {
        return Err(DtlsError::IllegalParameter(
            "legacy_cookie in a DTLS 1.3 ClientHello",
        ));
    }
    let suite = config
        .cipher_suites
        .iter()
        .copied()
        .find(|s| hello.cipher_suites.contains(&s.code()))
        .ok_or(DtlsError::NoCommonCipherSuite)?;
    let shares = hello.key_shares.as_deref().unwrap_or_default();
    let (group, client_share) = config
        .groups
        .iter()
        .find_map(|g| {
            shares
                .iter()
                .find(|e| e.group == g.code())
                .map(|e| (*g, e.key_exchange.clone()))
        })
        .ok_or(DtlsError::NoCommonGroup)?;
    let srtp_profile = hello.use_srtp.as_ref().and_then(|(offered, _)| {
        config
            .shared
            .srtp_profiles
            .iter()
            .copied()
            .find(|p| offered.contains(&p.dtls_id()))
    });
    Ok(ServerChoice {
        suite,
        group,
        client_share,
        srtp_profile,
    })
}

impl ServerHandshake {
    /// A server waiting for a ClientHello.
    pub(crate) fn new() -> Self {
        Self {
            state: ServerState::WaitClientHello,
            cookie_key: None,
        }
    }

    /// Handles the next handshake message of the client; returns the
    /// established connection after the client's Finished.
    pub(crate) fn handle(
        &mut self,
        cx: &mut HandshakeContext,
        message: Message,
    ) -> Result<Option<Established>, DtlsError> {
        match std::mem::replace(&mut self.state, ServerState::Done) {
            ServerState::WaitClientHello => {
                if message.epoch != 0 || message.msg_type != msg_type::CLIENT_HELLO {
                    return Err(DtlsError::UnexpectedMessage("expected ClientHello"));
                }
                let hello = ClientHello13::parse(&message.body)?;
                let (choice, transcript) = match &hello.cookie {
                    Some(cookie) => {
                        let (choice, transcript) = self.after_retry(cx, &hello, cookie)?;
                        (choice, Some(transcript))
                    }
                    None => match choose(&cx.config, &hello) {
                        Err(DtlsError::NoCommonGroup) if hello.offers_dtls13() => {
                            self.send_hello_retry_request(cx, &hello, &message.body)?;
                            self.state = ServerState::WaitClientHello;
                            return Ok(None);
                        }
                        choice => (choice?, None),
                    },
                };
                let awaiting = client_hello(cx, &message.body, &hello, choice, transcript)?;
                self.state = ServerState::AwaitingClient(Box::new(awaiting));
                Ok(None)
            }
            ServerState::AwaitingClient(mut a) => {
                if message.epoch != HANDSHAKE_EPOCH as u16 || message.msg_type != a.expect {
                    return Err(DtlsError::UnexpectedMessage("client flight out of order"));
                }
                if message.msg_type == msg_type::FINISHED {
                    return client_finished(cx, *a, &message.body).map(Some);
                }
                client_message(cx, &mut a, &message.body)?;
                self.state = ServerState::AwaitingClient(a);
                Ok(None)
            }
            ServerState::Done => Err(DtlsError::UnexpectedMessage(
                "handshake message after Finished",
            )),
        }
    }
}

impl ServerHandshake {
    /// No share of a group we accept: a HelloRetryRequest naming one the
    /// client supports, with a cookie that carries Hash(ClientHello1).
    /// We stay waiting for a ClientHello (its message_seq is then 1).
    fn send_hello_retry_request(
        &mut self,
        cx: &mut HandshakeContext,
        hello: &ClientHello13,
        body: &[u8],
    ) -> Result<(), DtlsError> {
        let (suite, group) = retry_choice(&cx.config, hello).ok_or(DtlsError::NoCommonGroup)?;
        if self.cookie_key.is_none() {
            self.cookie_key = Some(CookieKey::generate(&mut cx.rng)?);
        }
        let contents = CookieContents {
            issued_at_ms: cx.elapsed_ms(),
            cipher_suite: suite.code(),
            selected_group: group.code(),
            client_hello1_hash: suite.hash().digest(body),
        };
        let key = self.cookie_key.as_ref().ok_or(DtlsError::NoCommonGroup)?;
        let cookie = key.seal(&contents, COOKIE_ADDRESS, &mut cx.rng)?;
        let retry = server_hello::hello_retry_request(
            hello.legacy_session_id.clone(),
            suite.code(),
            Some(group.code()),
            Some(cookie),
        )
        .encode()?;
        cx.begin_flight();
        cx.queue_message(0, msg_type::SERVER_HELLO, retry);
        cx.transmit_flight()?;
        Ok(())
    }

    /// ClientHello2: the cookie opens, the suite and group are the ones
    /// the HelloRetryRequest named; the transcript restarts with
    /// message_hash and the HelloRetryRequest (rebuilt from the cookie).
    fn after_retry(
        &self,
        cx: &HandshakeContext,
        hello: &ClientHello13,
        cookie: &[u8],
    ) -> Result<(ServerChoice, Transcript), DtlsError> {
        let key = self
            .cookie_key
            .as_ref()
            .ok_or(DtlsError::IllegalParameter("cookie we did not send"))?;
        let contents = key
            .open(cookie, COOKIE_ADDRESS, cx.elapsed_ms(), COOKIE_MAX_AGE_MS)
            .map_err(|_| DtlsError::IllegalParameter("cookie"))?;
        let choice = choose(&cx.config, hello)?;
        if choice.suite.code() != contents.cipher_suite
            || choice.group.code() != contents.selected_group
        {
            return Err(DtlsError::IllegalParameter(
                "ClientHello2 does not answer the HelloRetryRequest",
            ));
        }
        let retry = server_hello::hello_retry_request(
            hello.legacy_session_id.clone(),
            contents.cipher_suite,
            Some(contents.selected_group),
            Some(cookie.to_vec()),
        )
        .encode()?;
        let mut transcript = Transcript::after_hello_retry_request_hash(
            choice.suite.hash(),
            &contents.client_hello1_hash,
        );
        transcript.add_message(msg_type::SERVER_HELLO, &retry)?;
        Ok((choice, transcript))
    }
}

/// The address the cookie is bound to: the connection is not told its
/// peer's address yet (the endpoint will pass it when 1.3 is wired in).
const COOKIE_ADDRESS: &[u8] = b"";

/// ClientHello: answer with our whole flight. `transcript` holds
/// message_hash and the HelloRetryRequest after a retry.
fn client_hello(
    cx: &mut HandshakeContext,
    body: &[u8],
    hello: &ClientHello13,
    choice: ServerChoice,
    transcript: Option<Transcript>,
) -> Result<AwaitingClient, DtlsError> {
    let identity = cx.config.shared.identity.clone();
    let offered_schemes = hello.signature_algorithms.clone().unwrap_or_default();
    let scheme = peer_auth::choose_scheme(&identity, &offered_schemes)?;
    let (server_share, shared_secret) =
        server_key_share(choice.group, &choice.client_share, &mut cx.rng)?;
    let mut random = [0; 32];
    cx.rng.fill_bytes(&mut random);
    let server_hello = ServerHello13 {
        random,
        legacy_session_id_echo: hello.legacy_session_id.clone(),
        cipher_suite: choice.suite.code(),
        key_share: Some(ServerKeyShare::Share(KeyShareEntry {
            group: choice.group.code(),
            key_exchange: server_share,
        })),
        cookie: None,
        other_extension_types: vec![],
    }
    .encode()?;
    let suite = choice.suite;
    let ks = KeySchedule::dtls13(suite.hash());
    let mut transcript = transcript.unwrap_or_else(|| Transcript::new(suite.hash()));
    transcript.add_message(msg_type::CLIENT_HELLO, body)?;
    transcript.add_message(msg_type::SERVER_HELLO, &server_hello)?;
    let handshake_secret = ks.handshake_secret(&ks.early_secret(), &shared_secret)?;
    let traffic = ks.handshake_traffic_secrets(&handshake_secret, &transcript.current_hash())?;
    cx.keys
        .install_write(suite, HANDSHAKE_EPOCH, &traffic.server)?;
    cx.keys
        .install_read(suite, HANDSHAKE_EPOCH, &traffic.client)?;

    cx.begin_flight();
    cx.queue_message(0, msg_type::SERVER_HELLO, server_hello);
    let extensions = EncryptedExtensions {
        use_srtp: choice.srtp_profile.map(|p| UseSrtp {
            profile: p.dtls_id(),
            mki: vec![],
        }),
        other_extension_types: vec![],
    }
    .encode()?;
    let request = CertificateRequest {
        context: vec![],
        signature_algorithms: peer_auth::offered_scheme_codes(),
    }
    .encode()?;
    let certificate = peer_auth::certificate_body(&identity, &[])?;
    for (kind, body) in [
        (msg_type::ENCRYPTED_EXTENSIONS, extensions),
        (msg_type::CERTIFICATE_REQUEST, request),
        (msg_type::CERTIFICATE, certificate),
    ] {
        transcript.add_message(kind, &body)?;
        cx.queue_message(HANDSHAKE_EPOCH, kind, body);
    }
    let verify = peer_auth::certificate_verify_body(
        &identity,
        scheme,
        Signer::Server,
        &transcript.current_hash(),
        &mut cx.rng,
    )?;
    transcript.add_message(msg_type::CERTIFICATE_VERIFY, &verify)?;
    cx.queue_message(HANDSHAKE_EPOCH, msg_type::CERTIFICATE_VERIFY, verify);
    let finished = ks.finished_verify_data(&traffic.server, &transcript.current_hash())?;
    transcript.add_message(msg_type::FINISHED, &finished)?;
    cx.queue_message(HANDSHAKE_EPOCH, msg_type::FINISHED, finished);
    cx.transmit_flight()?;

    let hash = transcript.current_hash();
    let master = ks.master_secret(&handshake_secret)?;
    let application = ks.application_traffic_secrets(&master, &hash)?;
    let exporter_master_secret = ks.exporter_master_secret(&master, &hash)?;
    cx.keys
        .install_write(suite, APPLICATION_EPOCH, &application.server)?;
    Ok(AwaitingClient {
        suite,
        group: choice.group,
        key_schedule: ks,
        client_handshake_secret: traffic.client,
        application,
        exporter_master_secret,
        transcript,
        srtp_profile: choice.srtp_profile,
        expect: msg_type::CERTIFICATE,
        peer: None,
    })
}

/// The client's Certificate and CertificateVerify.
fn client_message(
    cx: &mut HandshakeContext,
    a: &mut AwaitingClient,
    body: &[u8],
) -> Result<(), DtlsError> {
    if a.expect == msg_type::CERTIFICATE {
        a.peer = Some(peer_auth::check_peer_certificate(
            &cx.config.shared,
            &[],
            body,
        )?);
        a.transcript.add_message(msg_type::CERTIFICATE, body)?;
        a.expect = msg_type::CERTIFICATE_VERIFY;
    } else {
        let (peer, _) = a.peer.as_ref().ok_or(DtlsError::MissingCertificate)?;
        peer_auth::check_certificate_verify(
            peer,
            Signer::Client,
            &a.transcript.current_hash(),
            body,
        )?;
        a.transcript
            .add_message(msg_type::CERTIFICATE_VERIFY, body)?;
        a.expect = msg_type::FINISHED;
    }
    Ok(())
}

/// The client's Finished: check it, read epoch 3.
fn client_finished(
    cx: &mut HandshakeContext,
    a: AwaitingClient,
    body: &[u8],
) -> Result<Established, DtlsError> {
    if !a.key_schedule.verify_finished(
        &a.client_handshake_secret,
        &a.transcript.current_hash(),
        body,
    )? {
        return Err(DtlsError::BadFinished);
    }
    let (_, chain) = a.peer.ok_or(DtlsError::MissingCertificate)?;
    cx.keys
        .install_read(a.suite, APPLICATION_EPOCH, &a.application.client)?;
    cx.flight.finish();
    Ok(Established {
        info: Dtls13Connected {
            cipher_suite: a.suite,
            group: a.group,
            srtp_profile: a.srtp_profile,
            peer_fingerprint: sha256_fingerprint(&chain[0]),
            peer_certificate_chain: chain,
        },
        key_schedule: a.key_schedule,
        exporter_master_secret: a.exporter_master_secret,
    })
}
