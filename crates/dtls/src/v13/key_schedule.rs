//! The TLS 1.3 key schedule (RFC 8446 §7.1) as DTLS 1.3 runs it (RFC 9147
//! §5.9: the `"dtls13"` label prefix), for (EC)DHE without a PSK:
//!
//! ```text
//! early     = HKDF-Extract(0, 0)
//! handshake = HKDF-Extract(Derive-Secret(early, "derived", ""), (EC)DHE)
//!   c/s hs traffic = Derive-Secret(handshake, "c hs traffic" | "s hs traffic", CH..SH)
//! master    = HKDF-Extract(Derive-Secret(handshake, "derived", ""), 0)
//!   c/s ap traffic = Derive-Secret(master, "c ap traffic" | "s ap traffic", CH..server Finished)
//!   exp master     = Derive-Secret(master, "exp master", CH..server Finished)
//!   res master     = Derive-Secret(master, "res master", CH..client Finished)
//! ```
//!
//! plus the Finished keys and MAC (§4.4.4) and the key update (§7.2).

use super::cipher_suite::SuiteHash;
use super::error::Dtls13Error;
use super::hkdf::{derive_secret, expand_label, extract, LabelPrefix, Secret};

/// The client's and the server's traffic secret of one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrafficSecrets {
    /// The client's write (the server's read) secret.
    pub(crate) client: Secret,
    /// The server's write (the client's read) secret.
    pub(crate) server: Secret,
}

/// The key schedule of one connection: its hash and label prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeySchedule {
    /// The cipher suite's hash.
    pub(crate) hash: SuiteHash,
    /// `"dtls13"` for DTLS 1.3; `"tls13 "` for the RFC 8448 vectors.
    pub(crate) prefix: LabelPrefix,
}

impl KeySchedule {
    /// The DTLS 1.3 schedule for a suite's hash.
    pub(crate) fn dtls13(hash: SuiteHash) -> Self {
        KeySchedule {
            hash,
            prefix: LabelPrefix::Dtls13,
        }
    }

    /// `Hash.length` zero bytes: the absent PSK and the master secret's IKM.
    fn zeros(&self) -> Vec<u8> {
        vec![0u8; self.hash.output_len()]
    }

    /// `Derive-Secret(secret, label, transcript_hash)`.
    pub(crate) fn derive_secret(
        &self,
        secret: &Secret,
        label: &[u8],
        transcript_hash: &[u8],
    ) -> Result<Secret, Dtls13Error> {
        derive_secret(self.hash, self.prefix, secret, label, transcript_hash)
    }

    /// `Derive-Secret(secret, "derived", "")`: the salt of the next stage.
    fn derived(&self, secret: &Secret) -> Result<Secret, Dtls13Error> {
        self.derive_secret(secret, b"derived", &self.hash.digest(b""))
    }

    /// The Early Secret without a PSK: `HKDF-Extract(0, 0)`.
    pub(crate) fn early_secret(&self) -> Secret {
        extract(self.hash, &self.zeros(), &self.zeros())
    }

    /// The Handshake Secret from the Early Secret and the (EC)DHE (or
    /// hybrid KEM) shared secret.
    pub(crate) fn handshake_secret(
        &self,
        early: &Secret,
        shared_secret: &[u8],
    ) -> Result<Secret, Dtls13Error> {
        let salt = self.derived(early)?;
        Ok(extract(self.hash, salt.as_bytes(), shared_secret))
    }

    /// The Master Secret from the Handshake Secret.
    pub(crate) fn master_secret(&self, handshake: &Secret) -> Result<Secret, Dtls13Error> {
        let salt = self.derived(handshake)?;
        Ok(extract(self.hash, salt.as_bytes(), &self.zeros()))
    }

    /// The handshake traffic secrets, given `Transcript-Hash(ClientHello..
    /// ServerHello)`.
    pub(crate) fn handshake_traffic_secrets(
        &self,
        handshake: &Secret,
        hello_hash: &[u8],
    ) -> Result<TrafficSecrets, Dtls13Error> {
        Ok(TrafficSecrets {
            client: self.derive_secret(handshake, b"c hs traffic", hello_hash)?,
            server: self.derive_secret(handshake, b"s hs traffic", hello_hash)?,
        })
    }

    /// The first application traffic secrets, given
    /// `Transcript-Hash(ClientHello..server Finished)`.
    pub(crate) fn application_traffic_secrets(
        &self,
        master: &Secret,
        server_finished_hash: &[u8],
    ) -> Result<TrafficSecrets, Dtls13Error> {
        Ok(TrafficSecrets {
            client: self.derive_secret(master, b"c ap traffic", server_finished_hash)?,
            server: self.derive_secret(master, b"s ap traffic", server_finished_hash)?,
        })
    }

    /// The exporter master secret, given `Transcript-Hash(ClientHello..
    /// server Finished)`.
    pub(crate) fn exporter_master_secret(
        &self,
        master: &Secret,
        server_finished_hash: &[u8],
    ) -> Result<Secret, Dtls13Error> {
        self.derive_secret(master, b"exp master", server_finished_hash)
    }

    /// The resumption master secret, given `Transcript-Hash(ClientHello..
    /// client Finished)`. (We issue no tickets; derived for completeness
    /// and checked against RFC 8448.)
    pub(crate) fn resumption_master_secret(
        &self,
        master: &Secret,
        client_finished_hash: &[u8],
    ) -> Result<Secret, Dtls13Error> {
        self.derive_secret(master, b"res master", client_finished_hash)
    }

    /// `finished_key = HKDF-Expand-Label(BaseKey, "finished", "",
    /// Hash.length)` (RFC 8446 §4.4.4).
    pub(crate) fn finished_key(&self, traffic_secret: &Secret) -> Result<Secret, Dtls13Error> {
        expand_label(
            self.hash,
            self.prefix,
            traffic_secret.as_bytes(),
            b"finished",
            b"",
            self.hash.output_len(),
        )
        .map(Secret::new)
    }

    /// The Finished `verify_data = HMAC(finished_key, transcript_hash)`.
    pub(crate) fn finished_verify_data(
        &self,
        traffic_secret: &Secret,
        transcript_hash: &[u8],
    ) -> Result<Vec<u8>, Dtls13Error> {
        let key = self.finished_key(traffic_secret)?;
        let key = ring::hmac::Key::new(self.hash.hmac_algorithm(), key.as_bytes());
        Ok(ring::hmac::sign(&key, transcript_hash).as_ref().to_vec())
    }

    /// Checks a peer's Finished in constant time.
    pub(crate) fn verify_finished(
        &self,
        traffic_secret: &Secret,
        transcript_hash: &[u8],
        verify_data: &[u8],
    ) -> Result<bool, Dtls13Error> {
        let key = self.finished_key(traffic_secret)?;
        let key = ring::hmac::Key::new(self.hash.hmac_algorithm(), key.as_bytes());
        Ok(ring::hmac::verify(&key, transcript_hash, verify_data).is_ok())
    }

    /// `application_traffic_secret_N+1 = HKDF-Expand-Label(
    /// application_traffic_secret_N, "traffic upd", "", Hash.length)`
    /// (RFC 8446 §7.2): the next epoch's secret after a KeyUpdate.
    pub(crate) fn next_traffic_secret(&self, current: &Secret) -> Result<Secret, Dtls13Error> {
        expand_label(
            self.hash,
            self.prefix,
            current.as_bytes(),
            b"traffic upd",
            b"",
            self.hash.output_len(),
        )
        .map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v13::test_support::rfc8448;

    fn tls13_sha256() -> KeySchedule {
        KeySchedule {
            hash: SuiteHash::Sha256,
            prefix: LabelPrefix::Tls13,
        }
    }

    /// Every secret of RFC 8448 §3, from the X25519 shared secret and the
    /// three transcript hashes the RFC prints.
    #[test]
    fn rfc8448_simple_1rtt_secrets() {
        let v = rfc8448();
        let ks = tls13_sha256();
        let early = ks.early_secret();
        assert_eq!(early.as_bytes(), v.get("early_secret"));
        let handshake = ks
            .handshake_secret(&early, &v.get("ecdhe_shared_secret"))
            .unwrap();
        assert_eq!(handshake.as_bytes(), v.get("handshake_secret"));
        let hs = ks
            .handshake_traffic_secrets(
                &handshake,
                &v.get("transcript_hash_client_hello_server_hello"),
            )
            .unwrap();
        assert_eq!(
            hs.client.as_bytes(),
            v.get("client_handshake_traffic_secret")
        );
        assert_eq!(
            hs.server.as_bytes(),
            v.get("server_handshake_traffic_secret")
        );
        assert_eq!(
            ks.derived(&handshake).unwrap().as_bytes(),
            v.get("derived_for_master")
        );
        let master = ks.master_secret(&handshake).unwrap();
        assert_eq!(master.as_bytes(), v.get("master_secret"));
        let sf_hash = v.get("transcript_hash_through_server_finished");
        let ap = ks.application_traffic_secrets(&master, &sf_hash).unwrap();
        assert_eq!(
            ap.client.as_bytes(),
            v.get("client_application_traffic_secret_0")
        );
        assert_eq!(
            ap.server.as_bytes(),
            v.get("server_application_traffic_secret_0")
        );
        assert_eq!(
            ks.exporter_master_secret(&master, &sf_hash)
                .unwrap()
                .as_bytes(),
            v.get("exporter_master_secret")
        );
        assert_eq!(
            ks.resumption_master_secret(&master, &v.get("transcript_hash_through_client_finished"))
                .unwrap()
                .as_bytes(),
            v.get("resumption_master_secret")
        );
    }

    /// RFC 8448 §3: the server's Finished (over CH..CertificateVerify) and
    /// the client's (over CH..server Finished).
    #[test]
    fn rfc8448_finished_keys_and_verify_data() {
        let v = rfc8448();
        let ks = tls13_sha256();
        let server_hs = Secret::new(v.get("server_handshake_traffic_secret"));
        let client_hs = Secret::new(v.get("client_handshake_traffic_secret"));
        assert_eq!(
            ks.finished_key(&server_hs).unwrap().as_bytes(),
            v.get("server_finished_key")
        );
        assert_eq!(
            ks.finished_key(&client_hs).unwrap().as_bytes(),
            v.get("client_finished_key")
        );
        let cv_hash = v.get("transcript_hash_through_certificate_verify");
        let sf_hash = v.get("transcript_hash_through_server_finished");
        let server_vd = ks.finished_verify_data(&server_hs, &cv_hash).unwrap();
        assert_eq!(server_vd, v.get("server_finished_verify_data"));
        let client_vd = ks.finished_verify_data(&client_hs, &sf_hash).unwrap();
        assert_eq!(client_vd, v.get("client_finished_verify_data"));
        assert!(ks
            .verify_finished(&client_hs, &sf_hash, &client_vd)
            .unwrap());
        let mut forged = client_vd.clone();
        forged[0] ^= 1;
        assert!(!ks.verify_finished(&client_hs, &sf_hash, &forged).unwrap());
        assert!(!ks
            .verify_finished(&client_hs, &cv_hash, &client_vd)
            .unwrap());
        assert!(!ks
            .verify_finished(&client_hs, &sf_hash, &client_vd[..31])
            .unwrap());
    }

    #[test]
    fn key_update_chains_and_differs_per_prefix_and_hash() {
        let ks = KeySchedule::dtls13(SuiteHash::Sha256);
        let s0 = Secret::new(vec![1u8; 32]);
        let s1 = ks.next_traffic_secret(&s0).unwrap();
        let s2 = ks.next_traffic_secret(&s1).unwrap();
        assert_ne!(s0, s1);
        assert_ne!(s1, s2);
        assert_eq!(s1.as_bytes().len(), 32);
        // The same input under the TLS prefix gives another secret.
        assert_ne!(tls13_sha256().next_traffic_secret(&s0).unwrap(), s1);
        // SHA-384 secrets are 48 bytes all the way through.
        let ks384 = KeySchedule::dtls13(SuiteHash::Sha384);
        let early = ks384.early_secret();
        assert_eq!(early.as_bytes().len(), 48);
        let hs = ks384.handshake_secret(&early, &[9u8; 32]).unwrap();
        let master = ks384.master_secret(&hs).unwrap();
        let ap = ks384
            .application_traffic_secrets(&master, &SuiteHash::Sha384.digest(b"t"))
            .unwrap();
        assert_eq!(ap.client.as_bytes().len(), 48);
        assert_ne!(ap.client, ap.server);
        assert_eq!(
            ks384
                .next_traffic_secret(&ap.client)
                .unwrap()
                .as_bytes()
                .len(),
            48
        );
    }
}
