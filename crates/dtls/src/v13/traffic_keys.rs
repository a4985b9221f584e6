//! The keys of one direction and epoch (RFC 8446 §7.3, RFC 9147 §4.2.3):
//!
//! ```text
//! write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
//! write_iv  = HKDF-Expand-Label(Secret, "iv",  "", iv_length)
//! sn_key    = HKDF-Expand-Label(Secret, "sn",  "", key_length)   (DTLS only)
//! ```

use super::cipher_suite::Tls13CipherSuite;
use super::error::Dtls13Error;
use super::hkdf::{expand_label, LabelPrefix, Secret};

/// The AEAD key, the IV and the record number encryption key derived from
/// one traffic secret. `Debug` hides them.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct TrafficKeys {
    /// The AEAD key (`key_length` bytes).
    pub(crate) key: Vec<u8>,
    /// The per-connection IV that the record number is XORed into.
    pub(crate) iv: [u8; Tls13CipherSuite::IV_LEN],
    /// The record number encryption key (`key_length` bytes).
    pub(crate) sn_key: Vec<u8>,
}

impl std::fmt::Debug for TrafficKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TrafficKeys({} byte key)", self.key.len())
    }
}

impl TrafficKeys {
    /// The keys of `suite` from `traffic_secret`.
    pub(crate) fn derive(
        suite: Tls13CipherSuite,
        prefix: LabelPrefix,
        traffic_secret: &Secret,
    ) -> Result<Self, Dtls13Error> {
        let hash = suite.hash();
        let secret = traffic_secret.as_bytes();
        let key = expand_label(hash, prefix, secret, b"key", b"", suite.key_len())?;
        let iv = expand_label(hash, prefix, secret, b"iv", b"", Tls13CipherSuite::IV_LEN)?;
        let sn_key = expand_label(hash, prefix, secret, b"sn", b"", suite.key_len())?;
        let iv = iv
            .try_into()
            .map_err(|_| Dtls13Error::Crypto("IV length"))?;
        Ok(TrafficKeys { key, iv, sn_key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v13::test_support::rfc8448;

    /// RFC 8448 §3: the key and iv of the four traffic secrets.
    #[test]
    fn rfc8448_keys_and_ivs() {
        let v = rfc8448();
        for (secret, key, iv) in [
            (
                "server_handshake_traffic_secret",
                "server_handshake_key",
                "server_handshake_iv",
            ),
            (
                "client_handshake_traffic_secret",
                "client_handshake_key",
                "client_handshake_iv",
            ),
            (
                "server_application_traffic_secret_0",
                "server_application_key",
                "server_application_iv",
            ),
            (
                "client_application_traffic_secret_0",
                "client_application_key",
                "client_application_iv",
            ),
        ] {
            let keys = TrafficKeys::derive(
                Tls13CipherSuite::Aes128GcmSha256,
                LabelPrefix::Tls13,
                &Secret::new(v.get(secret)),
            )
            .unwrap();
            assert_eq!(keys.key, v.get(key), "{key}");
            assert_eq!(keys.iv.to_vec(), v.get(iv), "{iv}");
            assert_ne!(keys.sn_key, keys.key, "sn key is its own label");
        }
    }

    #[test]
    fn lengths_follow_the_suite_and_dtls_labels_differ() {
        let secret32 = Secret::new(vec![5u8; 32]);
        let secret48 = Secret::new(vec![5u8; 48]);
        for suite in Tls13CipherSuite::ALL {
            let secret = if suite.hash().output_len() == 48 {
                &secret48
            } else {
                &secret32
            };
            let dtls = TrafficKeys::derive(suite, LabelPrefix::Dtls13, secret).unwrap();
            let tls = TrafficKeys::derive(suite, LabelPrefix::Tls13, secret).unwrap();
            assert_eq!(dtls.key.len(), suite.key_len());
            assert_eq!(dtls.sn_key.len(), suite.key_len());
            assert_ne!(dtls.key, tls.key);
            assert_ne!(dtls.iv, tls.iv);
        }
    }
}
