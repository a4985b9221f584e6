//! Property tests over arbitrary and mutated input for every DTLS 1.3
//! parser and the record layer: nothing panics, and no mutated record
//! opens. (The cargo-fuzz target for the 1.3 record layer and handshake
//! comes with the handshake machine; these run in `cargo test`.)

use proptest::prelude::*;
use rand_chacha::rand_core::SeedableRng;

use super::cipher_suite::Tls13CipherSuite;
use super::encrypted_extensions::EncryptedExtensions;
use super::hkdf::{LabelPrefix, Secret};
use super::record_header::{split_datagram, Record, SequenceNumberBits};
use super::record_number::reconstruct_sequence_number;
use super::record_protection::{HeaderForm, RecordProtection};
use super::traffic_keys::TrafficKeys;
use super::{
    ack, certificate_verify, hello_retry_request, hybrid_kem, inner_plaintext, server_hello,
};
use super::{key_share_extension, supported_versions};

fn protection(suite: Tls13CipherSuite) -> RecordProtection {
    let secret = Secret::new(vec![0x33; suite.hash().output_len()]);
    let keys = TrafficKeys::derive(suite, LabelPrefix::Dtls13, &secret).unwrap();
    RecordProtection::new(suite, 2, &keys).unwrap()
}

fn suite(i: usize) -> Tls13CipherSuite {
    Tls13CipherSuite::ALL[i % Tls13CipherSuite::ALL.len()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any datagram splits and deprotects without panicking; a random
    /// ciphertext never authenticates.
    #[test]
    fn arbitrary_datagrams(datagram in proptest::collection::vec(any::<u8>(), 0..300), s in 0usize..3) {
        let p = protection(suite(s));
        let (records, _) = split_datagram(&datagram);
        for record in records {
            if let Record::Ciphertext(c) = record {
                prop_assert!(p.open_record(&c, 0).is_err());
            }
        }
    }

    /// Every parser returns, whatever the bytes.
    #[test]
    fn arbitrary_message_bodies(body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = supported_versions::parse_client(&body);
        let _ = supported_versions::parse_server(&body);
        let _ = key_share_extension::parse_client(&body);
        let _ = key_share_extension::parse_server(&body);
        let _ = key_share_extension::parse_hello_retry_request(&body);
        let _ = hello_retry_request::parse_cookie(&body);
        let _ = ack::parse_ack(&body);
        let _ = EncryptedExtensions::parse(&body);
        let _ = certificate_verify::parse_body(&body);
        let _ = inner_plaintext::decode_inner_plaintext(&body);
        let _ = server_hello::parse(&body);
        let _ = super::client_hello::ClientHello13::parse(&body);
        let _ = super::certificate_message::CertificateMessage::parse(&body);
        let _ = super::key_update::parse_key_update(&body);
    }

    /// A sealed record with any one bit flipped does not open.
    #[test]
    fn mutated_records_do_not_open(
        seq in 0u64..(1 << 40),
        content in proptest::collection::vec(any::<u8>(), 0..64),
        s in 0usize..3,
        sixteen in any::<bool>(),
        length_present in any::<bool>(),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let p = protection(suite(s));
        let form = HeaderForm { sixteen_bit_sequence: sixteen, length_present };
        let mut wire = Vec::new();
        p.seal_record(seq, form, 23, &content, 0, &mut wire).unwrap();
        let (records, error) = split_datagram(&wire);
        prop_assert!(error.is_none());
        let Record::Ciphertext(c) = records[0] else { panic!("not ciphertext") };
        prop_assert_eq!(p.open_record(&c, seq).unwrap().content, content);
        let i = flip.index(wire.len());
        wire[i] ^= 1 << bit;
        let (records, _) = split_datagram(&wire);
        for record in records {
            if let Record::Ciphertext(c) = record {
                prop_assert!(p.open_record(&c, seq).is_err());
            }
        }
    }

    /// Sequence numbers within half the carried window of the expected
    /// one come back exactly.
    #[test]
    fn sequence_numbers_reconstruct(expected in 0u64..(1 << 47), offset in -127i64..=127, sixteen in any::<bool>()) {
        let actual = expected as i64 + offset;
        prop_assume!(actual >= 0);
        let actual = actual as u64;
        let bits = SequenceNumberBits::truncate(actual, sixteen);
        prop_assert_eq!(reconstruct_sequence_number(expected, bits), actual);
    }

    /// A valid client share with a few bytes changed is either refused
    /// or encapsulated to (the modulus check, lengths and the X25519
    /// point are the only refusals), and never panics.
    #[test]
    fn mutated_hybrid_client_shares(
        seed in any::<u64>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    ) {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        let (_, mut share) = hybrid_kem::HybridClientKey::generate(&mut rng);
        for (at, value) in edits {
            let i = at.index(share.len());
            share[i] = value;
        }
        if let Ok((server_share, secret)) = hybrid_kem::server_encapsulate(&share, &mut rng) {
            prop_assert_eq!(server_share.len(), hybrid_kem::SERVER_SHARE_LEN);
            prop_assert_eq!(secret.len(), hybrid_kem::SHARED_SECRET_LEN);
        }
    }
}
