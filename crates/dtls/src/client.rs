//! The client side of the handshake (RFC 5246 §7.3, RFC 6347 §4.2.4 flights 1, 3, 5).

use std::time::Instant;

use crate::choice;
use crate::config::Role;
use crate::ecdhe::EphemeralKey;
use crate::endpoint::{DtlsEndpoint, Expect};
use crate::error::DtlsError;
use crate::extensions::Extensions;
use crate::handshake::HandshakeType;
use crate::keys::Secrets;
use crate::messages::{
    encode_certificate, encode_client_key_exchange, encode_signed, parse_certificate,
    CertificateRequest, ClientHello, HelloVerifyRequest, ServerHello, ServerKeyExchange,
};
use crate::prf;
use crate::reassembly::Message;
use crate::record::{DTLS10, DTLS12};
use crate::suite::{CipherSuite, NamedGroup, SignatureScheme, SrtpProfile};
use crate::writer::FlightItem;

impl DtlsEndpoint {
    pub(crate) fn client_start(&mut self, now: Instant) -> Result<(), DtlsError> {
        let c = &self.config;
        let mut ch = ClientHello {
            version: DTLS12,
            random: self.hs.client_random,
            session_id: Vec::new(),
            cookie: Vec::new(),
            cipher_suites: c.cipher_suites.iter().map(|s| s.id()).collect(),
            compression: vec![0],
            extensions: Extensions {
                supported_groups: Some(c.groups.iter().map(|g| g.id()).collect()),
                ec_point_formats: Some(vec![0]),
                signature_algorithms: Some(c.signature_schemes.iter().map(|s| s.id()).collect()),
                use_srtp: (!c.srtp_profiles.is_empty()).then(|| {
                    (
                        c.srtp_profiles.iter().map(|p| p.dtls_id()).collect(),
                        Vec::new(),
                    )
                }),
                extended_master_secret: true,
                renegotiation_info: Some(Vec::new()),
                supported_versions: None,
                unknown: Vec::new(),
                raw: Vec::new(),
            },
        };
        self.offer_dtls13(&mut ch)?;
        self.send_client_hello(now, ch)
    }

    pub(crate) fn send_client_hello(
        &mut self,
        now: Instant,
        ch: ClientHello,
    ) -> Result<(), DtlsError> {
        let body = ch.encode();
        self.hs.client_hello = Some(ch);
        // Only the last ClientHello is hashed (RFC 6347 §4.2.1).
        self.hs.transcript.clear();
        let mut items = Vec::new();
        self.push_message(&mut items, HandshakeType::ClientHello, body, 0);
        self.hs.expect = Expect::ServerHello;
        self.send_new_flight(now, items, true)
    }

    pub(crate) fn client_message(
        &mut self,
        now: Instant,
        t: HandshakeType,
        m: Message,
    ) -> Result<(), DtlsError> {
        use HandshakeType as H;
        match (self.hs.expect, t) {
            (Expect::ServerHello, H::HelloVerifyRequest) => self.on_hello_verify(now, &m.body),
            (Expect::ServerHello, H::ServerHello) => self.on_server_hello(&m),
            (Expect::Certificate, H::Certificate) => {
                let chain = parse_certificate(&m.body, self.config.max_certificate_chain)?;
                let cert = self.check_peer_chain(&chain)?;
                let suite = self
                    .hs
                    .suite
                    .ok_or(DtlsError::UnexpectedMessage("Certificate"))?;
                if cert.is_ecdsa() != suite.is_ecdsa() {
                    return Err(DtlsError::BadCertificate(
                        "key type does not match the cipher suite",
                    ));
                }
                self.hs.peer_chain = chain;
                self.hs.peer_cert = Some(cert);
                self.add_transcript(t, m.seq, &m.body);
                self.hs.expect = Expect::ServerKeyExchange;
                Ok(())
            }
            (Expect::ServerKeyExchange, H::ServerKeyExchange) => self.on_server_key_exchange(&m),
            (Expect::CertificateRequestOrDone, H::CertificateRequest) => {
                self.hs.cert_request = Some(CertificateRequest::parse(&m.body)?);
                self.add_transcript(t, m.seq, &m.body);
                self.hs.expect = Expect::ServerHelloDone;
                Ok(())
            }
            (Expect::CertificateRequestOrDone | Expect::ServerHelloDone, H::ServerHelloDone) => {
                if !m.body.is_empty() {
                    return Err(DtlsError::Decode("ServerHelloDone"));
                }
                self.add_transcript(t, m.seq, &m.body);
                self.send_client_flight(now)
            }
            (Expect::Finished, H::Finished) => {
                self.check_peer_finished(&m.body)?;
                self.connect()
            }
            _ => Err(DtlsError::UnexpectedMessage("out of order for the client")),
        }
    }

    fn on_hello_verify(&mut self, now: Instant, body: &[u8]) -> Result<(), DtlsError> {
        let hvr = HelloVerifyRequest::parse(body)?;
        if hvr.version != DTLS12 && hvr.version != DTLS10 {
            return Err(DtlsError::ProtocolVersion);
        }
        if self.hs.hello_verify_count >= crate::endpoint::MAX_HELLO_VERIFY {
            return Err(DtlsError::UnexpectedMessage("too many HelloVerifyRequests"));
        }
        self.hs.hello_verify_count += 1;
        let mut ch = self
            .hs
            .client_hello
            .take()
            .ok_or(DtlsError::UnexpectedMessage("HelloVerifyRequest"))?;
        ch.cookie = hvr.cookie;
        self.probe.forget_datagrams();
        self.send_client_hello(now, ch)
    }

    fn on_server_hello(&mut self, m: &Message) -> Result<(), DtlsError> {
        if self.server_hello_selects_dtls13(&m.body)? {
            self.probe.switch = true;
            return Ok(());
        }
        let sh = ServerHello::parse(&m.body)?;
        if sh.version != DTLS12 {
            return Err(DtlsError::ProtocolVersion);
        }
        let suite = CipherSuite::from_id(sh.cipher_suite)
            .filter(|s| self.config.cipher_suites.contains(s))
            .ok_or(DtlsError::IllegalParameter("cipher suite"))?;
        if sh.compression != 0 {
            return Err(DtlsError::IllegalParameter("compression method"));
        }
        let ext = &sh.extensions;
        if !ext.unknown.is_empty()
            || ext.supported_versions.is_some()
            || ext.supported_groups.is_some()
            || ext.signature_algorithms.is_some()
        {
            return Err(DtlsError::IllegalParameter("extension"));
        }
        ext.check_first_handshake(self.config.require_extended_master_secret)?;
        let srtp = match &ext.use_srtp {
            None => None,
            Some((profiles, mki)) => {
                let p = match profiles.as_slice() {
                    [one] => SrtpProfile::from_dtls_id(*one),
                    _ => None,
                }
                .filter(|p| self.config.srtp_profiles.contains(p))
                .filter(|_| mki.is_empty())
                .ok_or(DtlsError::IllegalParameter("SRTP profile"))?;
                Some(p)
            }
        };
        self.hs.server_random = sh.random;
        self.hs.suite = Some(suite);
        self.hs.ems = ext.extended_master_secret;
        self.hs.srtp = srtp;
        self.add_transcript(HandshakeType::ServerHello, m.seq, &m.body);
        self.hs.expect = Expect::Certificate;
        Ok(())
    }

    fn on_server_key_exchange(&mut self, m: &Message) -> Result<(), DtlsError> {
        let ske = ServerKeyExchange::parse(&m.body)?;
        let group = NamedGroup::from_id(ske.group)
            .filter(|g| self.config.groups.contains(g))
            .ok_or(DtlsError::IllegalParameter("ECDHE group"))?;
        let scheme = SignatureScheme::from_id(ske.scheme)
            .filter(|s| self.config.signature_schemes.contains(s))
            .ok_or(DtlsError::IllegalParameter("signature scheme"))?;
        let mut signed = self.hs.client_random.to_vec();
        signed.extend_from_slice(&self.hs.server_random);
        signed.extend_from_slice(&ServerKeyExchange::params(ske.group, &ske.public));
        let cert = self
            .hs
            .peer_cert
            .as_ref()
            .ok_or(DtlsError::UnexpectedMessage("ServerKeyExchange"))?;
        cert.verify(scheme, &signed, &ske.signature)?;
        self.hs.group = Some(group);
        self.hs.peer_public = ske.public;
        self.add_transcript(HandshakeType::ServerKeyExchange, m.seq, &m.body);
        self.hs.expect = Expect::CertificateRequestOrDone;
        Ok(())
    }

    /// Flight 5: [Certificate], ClientKeyExchange, [CertificateVerify],
    /// ChangeCipherSpec, Finished.
    fn send_client_flight(&mut self, now: Instant) -> Result<(), DtlsError> {
        let suite = self.hs.negotiated_suite()?;
        let group = self.hs.negotiated_group()?;
        let mut items = Vec::new();
        // The identity is chosen before anything is sent: none fitting the
        // CertificateRequest fails the handshake here.
        let chosen = match &self.hs.cert_request {
            Some(request) => Some(choice::client_choice(&self.config, request)?),
            None => None,
        };
        if let Some(chosen) = &chosen {
            let body = encode_certificate(chosen.identity.certificate_chain());
            self.push_message(&mut items, HandshakeType::Certificate, body, 0);
            self.hs.local_identity = Some(chosen.index);
        }
        let (key, public) = EphemeralKey::generate(group, &mut self.rng);
        let pre_master = key.agree(&self.hs.peer_public)?;
        self.push_message(
            &mut items,
            HandshakeType::ClientKeyExchange,
            encode_client_key_exchange(&public),
            0,
        );
        let secrets = self.derive(suite, &pre_master);
        if let Some(chosen) = chosen {
            let sig = chosen
                .identity
                .sign(chosen.scheme, &self.hs.transcript, &mut self.rng)?;
            self.push_message(
                &mut items,
                HandshakeType::CertificateVerify,
                encode_signed(chosen.scheme.id(), &sig),
                0,
            );
        }
        items.push(FlightItem::ChangeCipherSpec);
        let (write, read) = secrets.ciphers(Role::Client)?;
        self.writer.set_cipher(write);
        self.read_cipher = Some(read);
        let verify = secrets.verify_data(true, &self.hs.transcript);
        self.push_message(&mut items, HandshakeType::Finished, verify, 1);
        self.secrets = Some(secrets);
        self.hs.expect = Expect::Finished;
        self.send_new_flight(now, items, true)
    }

    /// The master secret (extended when negotiated) once ClientKeyExchange
    /// is in the transcript.
    pub(crate) fn derive(&self, suite: CipherSuite, pre_master: &[u8]) -> Secrets {
        let hash = suite.prf_hash();
        let seed = if self.hs.ems {
            hash.digest(&self.hs.transcript)
        } else {
            let mut s = self.hs.client_random.to_vec();
            s.extend_from_slice(&self.hs.server_random);
            s
        };
        Secrets {
            suite,
            master: prf::master_secret(hash, pre_master, self.hs.ems, &seed),
            client_random: self.hs.client_random,
            server_random: self.hs.server_random,
        }
    }
}
