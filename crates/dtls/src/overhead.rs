//! How much of a datagram application data may fill, so that the layer
//! above (SCTP) sizes its packets to keep every record under the MTU.

use crate::endpoint::{DtlsEndpoint, MAX_PLAINTEXT};
use crate::suite::CipherSuite;

impl DtlsEndpoint {
    /// Bytes one application data record adds around its payload: the
    /// negotiated suite's [`CipherSuite::record_overhead`] (29 for
    /// ChaCha20-Poly1305, 37 for AES-GCM); in DTLS 1.3, 22 for every
    /// suite (a 5-byte unified header, the inner content type, a 16-byte
    /// tag). Before the hellos agree on a suite, the worst case over the
    /// configured 1.2 suites (which exceeds 1.3's).
    pub fn application_data_overhead(&self) -> usize {
        if self.v13.is_some() {
            return crate::v13::epoch_keys::PROTECTED_RECORD_OVERHEAD;
        }
        match self.hs.suite {
            Some(suite) => suite.record_overhead(),
            None => self
                .config
                .cipher_suites
                .iter()
                .map(|s| s.record_overhead())
                .max()
                .unwrap_or(CipherSuite::EcdheEcdsaAes128GcmSha256.record_overhead()),
        }
    }

    /// Bytes an application data record has before its payload (the
    /// header, and DTLS 1.2's explicit nonce): 5 in DTLS 1.3; 21 in DTLS
    /// 1.2 with AES-GCM, 13 with ChaCha20-Poly1305. A layer above that
    /// builds its payload this far into a buffer lets
    /// [`DtlsEndpoint::send_application_data_in_place`] seal it there.
    /// `None` until connected (the version and suite are not known).
    pub fn application_data_headroom(&self) -> Option<usize> {
        if !self.is_connected() {
            return None;
        }
        if self.v13.is_some() {
            return Some(crate::v13::epoch_keys::PROTECTED_RECORD_HEADER_LEN);
        }
        self.writer.protected_headroom()
    }

    /// The most an application data record has after its payload: the
    /// 16-byte tag, and in DTLS 1.3 the inner content type and up to 15
    /// bytes of padding (32 in all).
    pub fn application_data_tailroom(&self) -> usize {
        if self.v13.is_some() {
            1 + (crate::v13::epoch_keys::PADDING_BLOCK - 1)
                + crate::v13::cipher_suite::Tls13CipherSuite::TAG_LEN
        } else {
            16
        }
    }

    /// The largest payload of [`DtlsEndpoint::send_application_data`] whose
    /// datagram fits the configured MTU: MTU minus
    /// [`DtlsEndpoint::application_data_overhead`] (and at most
    /// [`MAX_PLAINTEXT`]). Larger payloads are still sent, as one record
    /// above the MTU.
    pub fn max_application_data(&self) -> usize {
        self.config
            .mtu
            .saturating_sub(self.application_data_overhead())
            .min(MAX_PLAINTEXT)
    }

    /// The largest payload of [`DtlsEndpoint::send_application_data`] that
    /// is sealed as whole 16-byte cipher blocks and fits the MTU: what a
    /// layer above that fills every datagram (SCTP) should size its
    /// packets to, since ring seals and opens whole blocks faster (a
    /// partial last block costs about 35 ns more each way). DTLS 1.3 pads
    /// a record's inner plaintext to whole blocks when it fits (RFC 8446
    /// §5.4), so this is the largest payload whose padded record fits
    /// (1,167 at an MTU of 1,200). A DTLS 1.2 record cannot be padded:
    /// its ciphertext is the payload, so this is
    /// [`Self::max_application_data`] rounded down to whole blocks (1,152
    /// at 1,200 with AES-GCM).
    pub fn max_whole_block_application_data(&self) -> usize {
        const BLOCK: usize = crate::v13::epoch_keys::PADDING_BLOCK;
        if self.v13.is_some() {
            let room = self
                .config
                .mtu
                .saturating_sub(crate::v13::epoch_keys::PROTECTED_RECORD_OVERHEAD - 1);
            return (room / BLOCK * BLOCK).saturating_sub(1).min(MAX_PLAINTEXT);
        }
        self.max_application_data() / BLOCK * BLOCK
    }
}
