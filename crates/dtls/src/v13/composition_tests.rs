//! The building blocks composed into a DTLS 1.3 1-RTT exchange in memory
//! (no state machine yet): ClientHello with an X25519MLKEM768 share →
//! ServerHello → handshake keys → the server's encrypted flight
//! (EncryptedExtensions with use_srtp, Certificate, CertificateVerify,
//! Finished) in one datagram → the client checks it and sends Finished →
//! both derive the same application keys and DTLS-SRTP keying material.

use rand_chacha::rand_core::SeedableRng;

use super::certificate_message::CertificateMessage;
use super::certificate_verify::{self, Signer};
use super::cipher_suite::Tls13CipherSuite;
use super::client_hello::ClientHello13;
use super::encrypted_extensions::{EncryptedExtensions, UseSrtp};
use super::exporter::export_keying_material;
use super::hkdf::LabelPrefix;
use super::key_schedule::KeySchedule;
use super::key_share::{server_key_share, ClientKeyShare, KeyShareGroup};
use super::key_share_extension::KeyShareEntry;
use super::record_header::{split_datagram, PlaintextRecord, Record, CONTENT_TYPE_HANDSHAKE};
use super::record_protection::{HeaderForm, RecordProtection};
use super::server_hello::{self, ParsedServerHello, ServerHello13, ServerKeyShare};
use super::supported_versions::{DTLS_1_2, DTLS_1_3};
use super::traffic_keys::TrafficKeys;
use super::transcript::Transcript;
use crate::identity::Identity;
use crate::peer::PeerCertificate;
use crate::suite::SignatureScheme;

const CLIENT_HELLO: u8 = 1;
const SERVER_HELLO: u8 = 2;
const ENCRYPTED_EXTENSIONS: u8 = 8;
const CERTIFICATE: u8 = 11;
const CERTIFICATE_VERIFY: u8 = 15;
const FINISHED: u8 = 20;
/// The handshake epoch (RFC 9147 §6.1).
const HANDSHAKE_EPOCH: u64 = 2;

/// A handshake message in TLS form (as the transcript and, for this
/// test, the records carry it; the DTLS header comes with the machine).
fn message(msg_type: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![msg_type];
    m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    m.extend_from_slice(body);
    m
}

fn split_message(m: &[u8]) -> (u8, &[u8]) {
    (m[0], &m[4..])
}

fn identity() -> Identity {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["s".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    Identity::from_der(vec![cert.der().to_vec()], &key.serialize_der()).unwrap()
}

fn protection(
    suite: Tls13CipherSuite,
    ks: &KeySchedule,
    secret: &super::hkdf::Secret,
) -> RecordProtection {
    let keys = TrafficKeys::derive(suite, ks.prefix, secret).unwrap();
    RecordProtection::new(suite, HANDSHAKE_EPOCH, &keys).unwrap()
}

#[test]
fn one_rtt_exchange_with_the_hybrid_group() {
    let mut client_rng = rand_chacha::ChaCha20Rng::seed_from_u64(20);
    let mut server_rng = rand_chacha::ChaCha20Rng::seed_from_u64(21);
    let suite = Tls13CipherSuite::Aes128GcmSha256;
    let server_identity = identity();

    // Client: ClientHello with X25519MLKEM768.
    let (client_key, share) =
        ClientKeyShare::generate(KeyShareGroup::X25519MlKem768, &mut client_rng);
    let client_hello = ClientHello13 {
        legacy_version: DTLS_1_2,
        random: [7; 32],
        cipher_suites: vec![suite.code()],
        supported_versions: Some(vec![DTLS_1_3, DTLS_1_2]),
        supported_groups: Some(vec![KeyShareGroup::X25519MlKem768.code()]),
        key_shares: Some(vec![KeyShareEntry {
            group: KeyShareGroup::X25519MlKem768.code(),
            key_exchange: share,
        }]),
        signature_algorithms: Some(vec![0x0403, 0x0804]),
        use_srtp: Some((vec![0x0007, 0x0001], vec![])),
        ..ClientHello13::default()
    };
    let ch = message(CLIENT_HELLO, &client_hello.encode().unwrap());
    // In epoch 0, as DTLSPlaintext (fragmentation comes with the machine).
    let mut ch_record = Vec::new();
    PlaintextRecord::encode(CONTENT_TYPE_HANDSHAKE, 0, &ch, &mut ch_record).unwrap();
    assert!(
        ch_record.len() > 1200,
        "the hybrid share does not fit a 1200-byte datagram"
    );

    // Server: parse, pick, answer.
    let received = ClientHello13::parse(split_message(&ch).1).unwrap();
    assert!(received.offers_dtls13());
    let offered = &received.key_shares.as_ref().unwrap()[0];
    let group = KeyShareGroup::from_code(offered.group).unwrap();
    let (server_share, server_secret) =
        server_key_share(group, &offered.key_exchange, &mut server_rng).unwrap();
    let sh_body = ServerHello13 {
        random: [8; 32],
        legacy_session_id_echo: received.legacy_session_id.clone(),
        cipher_suite: suite.code(),
        key_share: Some(ServerKeyShare::Share(KeyShareEntry {
            group: group.code(),
            key_exchange: server_share,
        })),
        cookie: None,
        other_extension_types: vec![],
    }
    .encode()
    .unwrap();
    let sh = message(SERVER_HELLO, &sh_body);
    let ks = KeySchedule::dtls13(suite.hash());
    let mut server_transcript = Transcript::new(suite.hash());
    server_transcript
        .add_message(CLIENT_HELLO, split_message(&ch).1)
        .unwrap();
    server_transcript
        .add_message(SERVER_HELLO, &sh_body)
        .unwrap();
    let server_hs = ks
        .handshake_secret(&ks.early_secret(), &server_secret)
        .and_then(|hs| {
            ks.handshake_traffic_secrets(&hs, &server_transcript.current_hash())
                .map(|t| (hs, t))
        })
        .unwrap();

    // Server's encrypted flight, one datagram.
    let ee = message(
        ENCRYPTED_EXTENSIONS,
        &EncryptedExtensions {
            use_srtp: Some(UseSrtp {
                profile: 0x0007,
                mki: vec![],
            }),
            other_extension_types: vec![],
        }
        .encode()
        .unwrap(),
    );
    let cert = message(
        CERTIFICATE,
        &CertificateMessage {
            request_context: vec![],
            certificates: server_identity.certificate_chain().to_vec(),
        }
        .encode()
        .unwrap(),
    );
    for m in [&ee, &cert] {
        let (t, b) = split_message(m);
        server_transcript.add_message(t, b).unwrap();
    }
    let signature = certificate_verify::sign(
        &server_identity,
        SignatureScheme::EcdsaSecp256r1Sha256,
        Signer::Server,
        &server_transcript.current_hash(),
        &mut server_rng,
    )
    .unwrap();
    let mut cv_body = Vec::new();
    certificate_verify::encode_body(0x0403, &signature, &mut cv_body).unwrap();
    let cv = message(CERTIFICATE_VERIFY, &cv_body);
    server_transcript
        .add_message(CERTIFICATE_VERIFY, &cv_body)
        .unwrap();
    let server_finished_body = ks
        .finished_verify_data(&server_hs.1.server, &server_transcript.current_hash())
        .unwrap();
    let sf = message(FINISHED, &server_finished_body);
    server_transcript
        .add_message(FINISHED, &server_finished_body)
        .unwrap();
    let server_write = protection(suite, &ks, &server_hs.1.server);
    let mut flight = Vec::new();
    for (seq, m) in [&ee, &cert, &cv, &sf].into_iter().enumerate() {
        server_write
            .seal_record(
                seq as u64,
                HeaderForm::default(),
                CONTENT_TYPE_HANDSHAKE,
                m,
                0,
                &mut flight,
            )
            .unwrap();
    }

    // Client: ServerHello, keys, the flight.
    let ParsedServerHello::Dtls13(parsed_sh) = server_hello::parse(split_message(&sh).1).unwrap()
    else {
        panic!("not 1.3")
    };
    let Some(ServerKeyShare::Share(entry)) = &parsed_sh.key_share else {
        panic!("no share")
    };
    let client_secret = client_key.shared_secret(&entry.key_exchange).unwrap();
    assert_eq!(client_secret, server_secret);
    let mut client_transcript = Transcript::new(suite.hash());
    client_transcript
        .add_message(CLIENT_HELLO, split_message(&ch).1)
        .unwrap();
    client_transcript
        .add_message(SERVER_HELLO, split_message(&sh).1)
        .unwrap();
    let client_hs_secret = ks
        .handshake_secret(&ks.early_secret(), &client_secret)
        .unwrap();
    let client_hs = ks
        .handshake_traffic_secrets(&client_hs_secret, &client_transcript.current_hash())
        .unwrap();
    assert_eq!(client_hs, server_hs.1);
    let client_read = protection(suite, &ks, &client_hs.server);
    let (records, error) = split_datagram(&flight);
    assert_eq!(error, None);
    let mut next = 0;
    let mut messages = Vec::new();
    for record in records {
        let Record::Ciphertext(c) = record else {
            panic!("plaintext in epoch 2")
        };
        let opened = client_read.open_record(&c, next).unwrap();
        next = opened.sequence_number + 1;
        assert_eq!(opened.content_type, CONTENT_TYPE_HANDSHAKE);
        messages.push(opened.content);
    }
    assert_eq!(messages.len(), 4);
    let (_, ee_body) = split_message(&messages[0]);
    assert_eq!(
        EncryptedExtensions::parse(ee_body)
            .unwrap()
            .use_srtp
            .unwrap()
            .profile,
        0x0007
    );
    client_transcript
        .add_message(ENCRYPTED_EXTENSIONS, ee_body)
        .unwrap();
    let (_, cert_body) = split_message(&messages[1]);
    let peer_cert = CertificateMessage::parse(cert_body).unwrap();
    client_transcript
        .add_message(CERTIFICATE, cert_body)
        .unwrap();
    let peer = PeerCertificate::parse(&peer_cert.certificates[0]).unwrap();
    let (_, cv_received) = split_message(&messages[2]);
    let (scheme, sig) = certificate_verify::parse_body(cv_received).unwrap();
    assert_eq!(scheme, 0x0403);
    certificate_verify::verify(
        &peer,
        SignatureScheme::EcdsaSecp256r1Sha256,
        Signer::Server,
        &client_transcript.current_hash(),
        sig,
    )
    .unwrap();
    client_transcript
        .add_message(CERTIFICATE_VERIFY, cv_received)
        .unwrap();
    let (_, sf_received) = split_message(&messages[3]);
    assert!(ks
        .verify_finished(
            &client_hs.server,
            &client_transcript.current_hash(),
            sf_received
        )
        .unwrap());
    client_transcript
        .add_message(FINISHED, sf_received)
        .unwrap();
    assert_eq!(
        client_transcript.current_hash(),
        server_transcript.current_hash()
    );

    // Application secrets and the DTLS-SRTP exporter agree.
    let master = ks.master_secret(&client_hs_secret).unwrap();
    let hash = client_transcript.current_hash();
    let client_ap = ks.application_traffic_secrets(&master, &hash).unwrap();
    let server_master = ks.master_secret(&server_hs.0).unwrap();
    assert_eq!(
        client_ap,
        ks.application_traffic_secrets(&server_master, &hash)
            .unwrap()
    );
    let export = |m| {
        let ems = ks.exporter_master_secret(m, &hash).unwrap();
        export_keying_material(&ks, &ems, crate::DTLS_SRTP_LABEL.as_bytes(), b"", 60).unwrap()
    };
    assert_eq!(export(&master), export(&server_master));
    assert_eq!(ks.prefix, LabelPrefix::Dtls13);
}
