//! `RTCCertificateStats` (`"certificate"`): our certificates and, once
//! DTLS is connected, the remote's chain (leaf first, each pointing to its
//! issuer with `issuerCertificateId`).

use base64::Engine;
use sansrtc_dtls::{fingerprint_of, HashAlgorithm};
use serde::{Deserialize, Serialize};

use super::{Context, RtcStats, RtcStatsReport};
use crate::RtcPeerConnection;

/// `RTCCertificateStats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcCertificateStats {
    /// `id`: `CF<fingerprint>`.
    pub id: String,
    /// `timestamp`, ms since the Unix epoch.
    pub timestamp: f64,
    /// `fingerprint`: the digest as upper-case hex pairs joined by `:`
    /// (RFC 8122 §5).
    pub fingerprint: String,
    /// `fingerprintAlgorithm`: `"sha-256"`.
    pub fingerprint_algorithm: String,
    /// `base64Certificate`: the DER certificate in base64.
    pub base64_certificate: String,
    /// `issuerCertificateId`: the next certificate of a chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_certificate_id: Option<String>,
}

/// The sha-256 fingerprint of a DER certificate, as hex pairs.
fn sha256_hex(der: &[u8]) -> Option<String> {
    fingerprint_of(HashAlgorithm::Sha256, der).map(|f| f.digest_hex())
}

fn certificate_id(fingerprint: &str) -> String {
    format!("CF{fingerprint}")
}

/// Adds the chain (leaf first); returns the leaf's id.
fn add_chain(ctx: &Context, report: &mut RtcStatsReport, chain: &[&[u8]]) -> Option<String> {
    let fingerprints: Vec<String> = chain
        .iter()
        .map(|der| sha256_hex(der))
        .collect::<Option<_>>()?;
    for (i, der) in chain.iter().enumerate() {
        report.insert(RtcStats::Certificate(RtcCertificateStats {
            id: certificate_id(&fingerprints[i]),
            timestamp: ctx.timestamp,
            fingerprint: fingerprints[i].clone(),
            fingerprint_algorithm: HashAlgorithm::Sha256.as_str().to_owned(),
            base64_certificate: base64::engine::general_purpose::STANDARD.encode(der),
            issuer_certificate_id: fingerprints.get(i + 1).map(|f| certificate_id(f)),
        }));
    }
    fingerprints.first().map(|f| certificate_id(f))
}

impl RtcPeerConnection {
    /// Every certificate of ours; the remote's chain once DTLS is up.
    /// Returns the ids of the local certificate DTLS authenticated with
    /// and of the remote's leaf, for the transport.
    pub(super) fn certificate_stats(
        &self,
        ctx: &Context,
        report: &mut RtcStatsReport,
        transport: usize,
    ) -> (Option<String>, Option<String>) {
        let local: Vec<Option<String>> = self
            .certificates
            .iter()
            .map(|c| add_chain(ctx, report, &[c.certificate_der()]))
            .collect();
        let Some(connected) = &self.transports[transport].dtls_connected else {
            return (None, None);
        };
        let local_id = connected
            .local_certificate_index
            .and_then(|i| local.get(i).cloned().flatten());
        let chain: Vec<&[u8]> = connected
            .peer_certificate_chain
            .iter()
            .map(Vec::as_slice)
            .collect();
        (local_id, add_chain(ctx, report, &chain))
    }
}
