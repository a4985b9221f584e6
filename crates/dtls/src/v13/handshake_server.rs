//! The server side of the DTLS 1.3 1-RTT handshake with certificates both
//! ways: ClientHello → ServerHello (epoch 0), EncryptedExtensions,
//! CertificateRequest, Certificate, CertificateVerify, Finished (epoch 2)
//! → the client's Certificate, CertificateVerify, Finished (epoch 2).
//! HelloRetryRequest is not sent yet: a ClientHello without a share of a
//! group we accept fails with `NoCommonGroup`.

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
use super::server_hello::{ServerHello13, ServerKeyShare};
use super::transcript::Transcript;
use crate::error::DtlsError;
use crate::fingerprint::sha256_fingerprint;
use crate::peer::PeerCertificate;
use crate::reassembly::Message;
use crate::suite::SrtpProfile;

/// The state after our flight, while the client's final flight arrives.
struct AwaitingClient {
    suite: Tls13CipherSuite,
    group: KeyShareGroup,
    key_schedule: KeySchedule,
    client_handshake_secret: Secret,
    application: TrafficSecrets,
    exporter_master_secret: Secret,
    transcript: Transcript,
    srtp_profile: Option<SrtpProfile>,
    /// The next message type expected.
    expect: u8,
    peer: Option<(PeerCertificate, Vec<Vec<u8>>)>,
}

/// Where the server is.
enum ServerState {
    /// Waiting for a ClientHello.
    WaitClientHello,
    /// Our flight is sent.
    AwaitingClient(Box<AwaitingClient>),
    /// The client's Finished verified.
    Done,
}

/// The server handshake.
pub(crate) struct ServerHandshake {
    state: ServerState,
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
                let awaiting = client_hello(cx, &message.body)?;
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

/// ClientHello: choose, answer with our whole flight.
fn client_hello(cx: &mut HandshakeContext, body: &[u8]) -> Result<AwaitingClient, DtlsError> {
    let hello = ClientHello13::parse(body)?;
    let choice = choose(&cx.config, &hello)?;
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
    let mut transcript = Transcript::new(suite.hash());
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
