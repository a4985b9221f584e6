//! The negotiated secrets: master secret, record ciphers, exporter.

use crate::aead::RecordCipher;
use crate::config::Role;
use crate::error::DtlsError;
use crate::prf;
use crate::suite::CipherSuite;

/// The secrets of an established (or establishing) session.
#[derive(Clone)]
pub(crate) struct Secrets {
    pub(crate) suite: CipherSuite,
    pub(crate) master: Vec<u8>,
    pub(crate) client_random: [u8; 32],
    pub(crate) server_random: [u8; 32],
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("suite", &self.suite)
            .finish()
    }
}

impl Secrets {
    /// (our write cipher, our read cipher) for `role`.
    pub(crate) fn ciphers(&self, role: Role) -> Result<(RecordCipher, RecordCipher), DtlsError> {
        let bulk = self.suite.bulk();
        let (k, iv) = (bulk.key_len(), bulk.fixed_iv_len());
        let block = prf::key_block(
            self.suite.prf_hash(),
            &self.master,
            &self.client_random,
            &self.server_random,
            2 * (k + iv),
        );
        let client = RecordCipher::new(bulk, &block[..k], &block[2 * k..2 * k + iv])?;
        let server = RecordCipher::new(bulk, &block[k..2 * k], &block[2 * k + iv..])?;
        Ok(match role {
            Role::Client => (client, server),
            Role::Server => (server, client),
        })
    }

    pub(crate) fn verify_data(&self, client: bool, transcript: &[u8]) -> Vec<u8> {
        let hash = self.suite.prf_hash();
        prf::verify_data(hash, &self.master, client, &hash.digest(transcript))
    }

    pub(crate) fn export(&self, label: &[u8], context: Option<&[u8]>, len: usize) -> Vec<u8> {
        prf::export(
            self.suite.prf_hash(),
            &self.master,
            &self.client_random,
            &self.server_random,
            label,
            context,
            len,
        )
    }
}
