//! A Finished whose verify_data is wrong but whose record is validly
//! protected (what a peer with a different transcript sends) is caught by
//! the Finished check itself, on either side.

use std::time::Instant;

use rand_chacha::rand_core::SeedableRng;

use crate::endpoint_test_support::{drain, identity};

use crate::config::Role;
use crate::record::{split_records, ContentType};
use crate::{DtlsConfig, DtlsEndpoint, DtlsError, DtlsEvent, HashAlgorithm};

/// Re-protects every epoch-1 handshake record of `datagram` (the Finished)
/// with one verify_data byte flipped, using the sender's own write keys.
fn tamper_finished(sender: &DtlsEndpoint, role: Role, datagram: &[u8]) -> Vec<u8> {
    let (write, _) = sender.secrets.as_ref().unwrap().ciphers(role).unwrap();
    let (records, _) = split_records(datagram);
    let mut out = Vec::new();
    for (h, payload) in records {
        if h.epoch == 1 && h.content_type == ContentType::Handshake {
            let mut plain = write.open(&h, payload).unwrap();
            assert_eq!(plain[0], 20, "Finished");
            plain[12] ^= 1;
            let sealed = write.seal(&h, &plain);
            h.encode(sealed.len(), &mut out);
            out.extend_from_slice(&sealed);
        } else {
            h.encode(payload.len(), &mut out);
            out.extend_from_slice(payload);
        }
    }
    out
}

fn pair() -> (DtlsEndpoint, DtlsEndpoint) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let (client_id, server_id) = (identity(), identity());
    let mut s = DtlsConfig::new(server_id.clone());
    s.expected_fingerprints = vec![client_id.fingerprint(HashAlgorithm::Sha256).unwrap()];
    s.hello_verify_request = false;
    let mut c = DtlsConfig::new(client_id);
    c.expected_fingerprints = vec![server_id.fingerprint(HashAlgorithm::Sha256).unwrap()];
    // The 1.2 Finished (the 1.3 one is tested in v13/connection_tests.rs).
    c.max_version = crate::DtlsVersion::Dtls12;
    let c = DtlsEndpoint::new(Role::Client, c, &mut rng).unwrap();
    let s = DtlsEndpoint::new(Role::Server, s, &mut rng).unwrap();
    (c, s)
}

#[test]
fn a_wrong_client_finished_fails_the_server() {
    let now = Instant::now();
    let (mut c, mut s) = pair();
    c.start(now);
    for d in drain(&mut c).0 {
        s.handle_receive(now, &d);
    }
    for d in drain(&mut s).0 {
        c.handle_receive(now, &d);
    }
    for d in drain(&mut c).0 {
        let d = tamper_finished(&c, Role::Client, &d);
        s.handle_receive(now, &d);
    }
    let (_, events) = drain(&mut s);
    assert_eq!(events, vec![DtlsEvent::Failed(DtlsError::BadFinished)]);
    assert!(!s.is_connected());
}

#[test]
fn a_wrong_server_finished_fails_the_client() {
    let now = Instant::now();
    let (mut c, mut s) = pair();
    c.start(now);
    for d in drain(&mut c).0 {
        s.handle_receive(now, &d);
    }
    for d in drain(&mut s).0 {
        c.handle_receive(now, &d);
    }
    for d in drain(&mut c).0 {
        s.handle_receive(now, &d);
    }
    let (datagrams, _) = drain(&mut s);
    assert!(s.is_connected());
    for d in datagrams {
        let d = tamper_finished(&s, Role::Server, &d);
        c.handle_receive(now, &d);
    }
    let (_, events) = drain(&mut c);
    assert_eq!(events, vec![DtlsEvent::Failed(DtlsError::BadFinished)]);
    assert!(!c.is_connected());
}
