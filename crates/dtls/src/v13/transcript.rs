//! The DTLS 1.3 transcript hash (RFC 8446 §4.4.1, RFC 9147 §5.2): the
//! running hash of the handshake messages in their TLS form — msg_type,
//! 24-bit length, body; DTLS's message_seq and fragment fields are left
//! out — with ClientHello1 replaced by a synthetic message_hash after a
//! HelloRetryRequest. (Before the suite is chosen a client keeps its
//! ClientHello bytes and starts the transcript once ServerHello names the
//! hash.)

use super::cipher_suite::SuiteHash;
use super::error::Dtls13Error;

/// The HandshakeType of the synthetic message_hash message.
pub(crate) const MESSAGE_HASH: u8 = 254;

/// A running transcript hash.
#[derive(Clone)]
pub(crate) struct Transcript {
    hash: SuiteHash,
    context: ring::digest::Context,
}

impl std::fmt::Debug for Transcript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transcript")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

impl Transcript {
    /// An empty transcript.
    pub(crate) fn new(hash: SuiteHash) -> Self {
        Transcript {
            hash,
            context: ring::digest::Context::new(hash.digest_algorithm()),
        }
    }

    /// The transcript that continues after a HelloRetryRequest: it starts
    /// with `message_hash` (254), a 24-bit length of `Hash.length` and
    /// `Hash(ClientHello1)` (RFC 8446 §4.4.1); the HelloRetryRequest and
    /// ClientHello2 are added next.
    pub(crate) fn after_hello_retry_request(hash: SuiteHash, client_hello1: &[u8]) -> Self {
        Self::after_hello_retry_request_hash(hash, &hash.digest(client_hello1))
    }

    /// As [`Transcript::after_hello_retry_request`], from
    /// `Hash(ClientHello1)` (what a stateless server's cookie keeps).
    pub(crate) fn after_hello_retry_request_hash(hash: SuiteHash, digest: &[u8]) -> Self {
        let mut transcript = Transcript::new(hash);
        transcript
            .context
            .update(&[MESSAGE_HASH, 0, 0, digest.len() as u8]);
        transcript.context.update(digest);
        transcript
    }

    /// Adds a handshake message from its type and (reassembled) body.
    pub(crate) fn add_message(&mut self, msg_type: u8, body: &[u8]) -> Result<(), Dtls13Error> {
        let len = u32::try_from(body.len())
            .ok()
            .filter(|&l| l < 1 << 24)
            .ok_or(Dtls13Error::TooLarge("handshake message"))?;
        self.context.update(&[msg_type]);
        self.context.update(&len.to_be_bytes()[1..]);
        self.context.update(body);
        Ok(())
    }

    /// `Transcript-Hash` of everything added so far.
    pub(crate) fn current_hash(&self) -> Vec<u8> {
        self.context.clone().finish().as_ref().to_vec()
    }

    /// The hash function.
    pub(crate) fn hash(&self) -> SuiteHash {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v13::test_support::Vectors;

    fn messages() -> Vectors {
        Vectors::parse(include_str!(
            "../../tests/data/tls13-rfc8448-handshake-messages.json"
        ))
    }

    /// RFC 8448 §3's transcript hashes, message by message.
    #[test]
    fn rfc8448_transcript_hashes() {
        let v = messages();
        let mut t = Transcript::new(SuiteHash::Sha256);
        for (message, hash) in [
            ("client_hello", None),
            (
                "server_hello",
                Some("transcript_hash_client_hello_server_hello"),
            ),
            (
                "encrypted_extensions",
                Some("transcript_hash_through_encrypted_extensions"),
            ),
            (
                "certificate_message",
                Some("transcript_hash_through_certificate"),
            ),
            (
                "certificate_verify_message",
                Some("transcript_hash_through_certificate_verify"),
            ),
        ] {
            let bytes = v.get(message);
            t.add_message(bytes[0], &bytes[4..]).unwrap();
            if let Some(hash) = hash {
                assert_eq!(t.current_hash(), v.get(hash), "{hash}");
            }
        }
        assert_eq!(Transcript::new(SuiteHash::Sha384).current_hash().len(), 48);
    }

    /// The synthetic message_hash after a HelloRetryRequest.
    #[test]
    fn hello_retry_request_restarts_with_message_hash() {
        let client_hello1 = b"\x01\x00\x00\x03abc";
        for hash in [SuiteHash::Sha256, SuiteHash::Sha384] {
            let t = Transcript::after_hello_retry_request(hash, client_hello1);
            let mut expected = vec![MESSAGE_HASH, 0, 0, hash.output_len() as u8];
            expected.extend(hash.digest(client_hello1));
            assert_eq!(t.current_hash(), hash.digest(&expected));
            assert_ne!(t.current_hash(), hash.digest(client_hello1));
        }
    }

    #[test]
    fn oversized_message_is_an_error() {
        let mut t = Transcript::new(SuiteHash::Sha256);
        assert!(t.add_message(1, &vec![0; 1 << 24]).is_err());
        assert!(t.add_message(1, &vec![0; (1 << 24) - 1]).is_ok());
    }
}
