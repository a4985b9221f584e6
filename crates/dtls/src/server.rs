//! The server side of the handshake (RFC 5246 §7.3, RFC 6347 §4.2.1 cookie
//! exchange and §4.2.4 flights 2, 4, 6).

use std::time::Instant;

use ring::hmac;

use crate::choice;
use crate::config::Role;
use crate::ecdhe::EphemeralKey;
use crate::endpoint::{DtlsEndpoint, Expect};
use crate::error::DtlsError;
use crate::extensions::Extensions;
use crate::handshake::{self, HandshakeType};
use crate::messages::{
    encode_certificate, parse_certificate, parse_client_key_exchange, parse_signed,
    CertificateRequest, ClientHello, HelloVerifyRequest, ServerHello, ServerKeyExchange,
};
use crate::prf::ct_eq;
use crate::reassembly::Message;
use crate::record::{ContentType, RecordHeader, DTLS10, DTLS12};
use crate::suite::SignatureScheme;
use crate::writer::FlightItem;

/// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3).
const RENEGOTIATION_SCSV: u16 = 0x00ff;

impl DtlsEndpoint {
    /// The stateless cookie: an HMAC of what the client must repeat.
    fn cookie(&self, ch: &ClientHello) -> Vec<u8> {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.hs.cookie_secret);
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(&ch.random);
        ctx.update(&ch.session_id);
        for s in &ch.cipher_suites {
            ctx.update(&s.to_be_bytes());
        }
        ctx.sign().as_ref()[..20].to_vec()
    }

    pub(crate) fn server_on_client_hello(
        &mut self,
        now: Instant,
        record_seq: u64,
        m: Message,
    ) -> Result<(), DtlsError> {
        if m.epoch != 0 {
            return Err(DtlsError::UnexpectedMessage("ClientHello in epoch 1"));
        }
        let ch = ClientHello::parse(&m.body)?;
        if self.client_hello_selects_dtls13(&ch)? {
            self.probe.switch = true;
            return Ok(());
        }
        // A DTLS 1.3 ClientHello (Chromium) lists its versions in
        // supported_versions; legacy_version stays DTLS 1.2. Lower wire
        // values are newer versions.
        let offers_12 = match &ch.extensions.supported_versions {
            Some(v) => v.contains(&DTLS12),
            None => ch.version <= DTLS12,
        };
        if !offers_12 {
            return Err(DtlsError::ProtocolVersion);
        }
        if self.config.hello_verify_request {
            let cookie = self.cookie(&ch);
            if !ct_eq(&ch.cookie, &cookie) {
                let body = HelloVerifyRequest {
                    version: DTLS10,
                    cookie,
                }
                .encode();
                let mut frag = Vec::new();
                handshake::encode_fragment(
                    &mut frag,
                    HandshakeType::HelloVerifyRequest as u8,
                    body.len(),
                    m.seq,
                    0,
                    &body,
                );
                let h = RecordHeader {
                    content_type: ContentType::Handshake,
                    version: DTLS12,
                    epoch: 0,
                    seq: record_seq,
                };
                let mut d = Vec::new();
                self.writer.record_with(h, &frag, &mut d)?;
                self.out.push_back(sansrtc_proto::Output::Transmit(d));
                self.stats.hello_verify_requests += 1;
                return Ok(());
            }
        }
        self.writer.continue_epoch0_from(record_seq);
        self.server_chose_dtls12();
        self.negotiate_and_send_server_flight(now, ch, m)
    }

    fn negotiate_and_send_server_flight(
        &mut self,
        now: Instant,
        ch: ClientHello,
        m: Message,
    ) -> Result<(), DtlsError> {
        let c = &self.config;
        let ext = &ch.extensions;
        let offered_schemes = ext.signature_algorithms.as_deref().unwrap_or_default();
        let (suite, chosen) = choice::server_choice(c, &ch.cipher_suites, offered_schemes)?;
        if !ch.compression.contains(&0) {
            return Err(DtlsError::IllegalParameter("compression methods"));
        }
        let offered_groups = ext.supported_groups.clone().unwrap_or_else(|| vec![23]);
        let group = c
            .groups
            .iter()
            .copied()
            .find(|g| offered_groups.contains(&g.id()))
            .ok_or(DtlsError::NoCommonGroup)?;
        if ext
            .ec_point_formats
            .as_ref()
            .is_some_and(|f| !f.contains(&0))
        {
            return Err(DtlsError::IllegalParameter("ec_point_formats"));
        }
        ext.check_first_handshake(c.require_extended_master_secret)?;
        let secure_renegotiation =
            ext.renegotiation_info.is_some() || ch.cipher_suites.contains(&RENEGOTIATION_SCSV);
        let srtp = ext.use_srtp.as_ref().and_then(|(offered, _mki)| {
            c.srtp_profiles
                .iter()
                .copied()
                .find(|p| offered.contains(&p.dtls_id()))
        });
        let require_client_cert = c.require_client_certificate;
        let our_schemes: Vec<u16> = c.signature_schemes.iter().map(|s| s.id()).collect();

        self.hs.client_random = ch.random;
        self.hs.suite = Some(suite);
        self.hs.local_identity = Some(chosen.index);
        self.hs.group = Some(group);
        self.hs.srtp = srtp;
        self.hs.ems = ext.extended_master_secret;
        self.hs.next_send_seq = m.seq;
        self.hs.next_recv_seq = m.seq.wrapping_add(1);
        self.hs.transcript.clear();
        self.add_transcript(HandshakeType::ClientHello, m.seq, &m.body);

        let mut items = Vec::new();
        let sh = ServerHello {
            version: DTLS12,
            random: self.hs.server_random,
            session_id: Vec::new(),
            cipher_suite: suite.id(),
            compression: 0,
            extensions: Extensions {
                renegotiation_info: secure_renegotiation.then(Vec::new),
                extended_master_secret: self.hs.ems,
                ec_point_formats: ext.ec_point_formats.as_ref().map(|_| vec![0]),
                use_srtp: srtp.map(|p| (vec![p.dtls_id()], Vec::new())),
                ..Default::default()
            },
        };
        self.push_message(&mut items, HandshakeType::ServerHello, sh.encode(), 0);
        let chain = encode_certificate(chosen.identity.certificate_chain());
        self.push_message(&mut items, HandshakeType::Certificate, chain, 0);
        let (key, public) = EphemeralKey::generate(group, &mut self.rng);
        let mut signed = self.hs.client_random.to_vec();
        signed.extend_from_slice(&self.hs.server_random);
        signed.extend_from_slice(&ServerKeyExchange::params(group.id(), &public));
        let signature = chosen
            .identity
            .sign(chosen.scheme, &signed, &mut self.rng)?;
        let ske = ServerKeyExchange {
            group: group.id(),
            public,
            scheme: chosen.scheme.id(),
            signature,
        };
        self.hs.ephemeral = Some(key);
        self.push_message(
            &mut items,
            HandshakeType::ServerKeyExchange,
            ske.encode(),
            0,
        );
        if require_client_cert {
            let cr = CertificateRequest {
                cert_types: vec![choice::ECDSA_SIGN, choice::RSA_SIGN],
                schemes: our_schemes,
            };
            self.push_message(
                &mut items,
                HandshakeType::CertificateRequest,
                cr.encode(),
                0,
            );
        }
        self.push_message(&mut items, HandshakeType::ServerHelloDone, Vec::new(), 0);
        self.hs.expect = if require_client_cert {
            Expect::ClientCertificate
        } else {
            Expect::ClientKeyExchange
        };
        self.send_new_flight(now, items, true)
    }

    pub(crate) fn server_message(
        &mut self,
        now: Instant,
        t: HandshakeType,
        m: Message,
    ) -> Result<(), DtlsError> {
        use HandshakeType as H;
        match (self.hs.expect, t) {
            (Expect::ClientCertificate, H::Certificate) => {
                let chain = parse_certificate(&m.body, self.config.max_certificate_chain)?;
                if chain.is_empty() {
                    return Err(DtlsError::MissingCertificate);
                }
                let cert = self.check_peer_chain(&chain)?;
                self.hs.peer_chain = chain;
                self.hs.peer_cert = Some(cert);
                self.add_transcript(t, m.seq, &m.body);
                self.hs.expect = Expect::ClientKeyExchange;
                Ok(())
            }
            (Expect::ClientKeyExchange, H::ClientKeyExchange) => {
                let public = parse_client_key_exchange(&m.body)?;
                let suite = self.hs.negotiated_suite()?;
                let key = self
                    .hs
                    .ephemeral
                    .take()
                    .ok_or(DtlsError::UnexpectedMessage("ClientKeyExchange"))?;
                let pre_master = key.agree(&public)?;
                self.add_transcript(t, m.seq, &m.body);
                let secrets = self.derive(suite, &pre_master);
                let (write, read) = secrets.ciphers(Role::Server)?;
                self.writer.set_cipher(write);
                self.read_cipher = Some(read);
                self.secrets = Some(secrets);
                self.hs.expect = if self.hs.peer_cert.is_some() {
                    Expect::CertificateVerify
                } else {
                    Expect::Finished
                };
                Ok(())
            }
            (Expect::CertificateVerify, H::CertificateVerify) => {
                let (id, sig) = parse_signed(&m.body)?;
                let scheme = SignatureScheme::from_id(id)
                    .filter(|s| self.config.signature_schemes.contains(s))
                    .ok_or(DtlsError::IllegalParameter("signature scheme"))?;
                let cert = self
                    .hs
                    .peer_cert
                    .as_ref()
                    .ok_or(DtlsError::UnexpectedMessage("CertificateVerify"))?;
                cert.verify(scheme, &self.hs.transcript, &sig)?;
                self.add_transcript(t, m.seq, &m.body);
                self.hs.expect = Expect::Finished;
                Ok(())
            }
            (Expect::Finished, H::Finished) => {
                let s = self.check_peer_finished(&m.body)?.clone();
                self.add_transcript(t, m.seq, &m.body);
                let verify = s.verify_data(false, &self.hs.transcript);
                let mut items = vec![FlightItem::ChangeCipherSpec];
                self.push_message(&mut items, HandshakeType::Finished, verify, 1);
                self.send_new_flight(now, items, false)?;
                self.connect()
            }
            _ => Err(DtlsError::UnexpectedMessage("out of order for the server")),
        }
    }
}
