//! `RTCTransportStats` (`"transport"`): the one transport (ICE + DTLS) of
//! the connection.
//!
//! Left out: packets and bytes (the transport does not count them),
//! `selectedCandidatePairChanges` (not counted), `rtcpTransportStatsId`
//! (RTCP is always multiplexed on the one component).

use serde::{Deserialize, Serialize};

use super::{Context, RtcStats, RtcStatsReport};
use crate::RtcPeerConnection;

/// `RTCTransportStats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcTransportStats {
    /// `id`: `T01`.
    pub id: String,
    /// `timestamp`, ms since the Unix epoch.
    pub timestamp: f64,
    /// `iceRole`: `"controlling"`, `"controlled"`, or `"unknown"` before
    /// any description was applied.
    pub ice_role: String,
    /// `iceLocalUsernameFragment`: our current ufrag.
    pub ice_local_username_fragment: String,
    /// `dtlsState`: `"new"`, `"connecting"`, `"connected"`, `"closed"` or
    /// `"failed"`.
    pub dtls_state: String,
    /// `iceState`: the `RTCIceTransportState`.
    pub ice_state: String,
    /// `selectedCandidatePairId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_candidate_pair_id: Option<String>,
    /// `localCertificateId`: the certificate DTLS authenticated with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_certificate_id: Option<String>,
    /// `remoteCertificateId`: the remote's leaf certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_certificate_id: Option<String>,
    /// `tlsVersion`: `"FEFD"` (DTLS 1.2, the only version spoken), once
    /// connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_version: Option<String>,
    /// `dtlsCipher`: the IANA name of the cipher suite, once connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtls_cipher: Option<String>,
    /// `tlsGroup`: the IANA name of the ECDHE group (`"x25519"`,
    /// `"secp256r1"`), once connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_group: Option<String>,
    /// `dtlsRole`: `"client"`, `"server"`, or `"unknown"` before the role
    /// is decided.
    pub dtls_role: String,
    /// `srtpCipher`: the IANA name of the SRTP protection profile, when
    /// DTLS-SRTP negotiated one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srtp_cipher: Option<String>,
}

/// The IANA DTLS-SRTP protection profile name (RFC 5764 §4.1.2, RFC 7714
/// §14.2).
fn srtp_profile_name(profile: sansrtc_dtls::SrtpProfile) -> Option<&'static str> {
    use sansrtc_dtls::SrtpProfile as P;
    Some(match profile {
        P::Aes128CmHmacSha1_80 => "SRTP_AES128_CM_HMAC_SHA1_80",
        P::Aes128CmHmacSha1_32 => "SRTP_AES128_CM_HMAC_SHA1_32",
        P::AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
        P::AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
        _ => return None,
    })
}

/// The IANA TLS Supported Groups name.
/// The ids the transport refers to.
pub(super) struct TransportRefs {
    pub selected_candidate_pair_id: Option<String>,
    pub local_certificate_id: Option<String>,
    pub remote_certificate_id: Option<String>,
}

impl RtcPeerConnection {
    /// The `transport` object.
    pub(super) fn transport_stats_object(
        &self,
        ctx: &Context,
        report: &mut RtcStatsReport,
        index: usize,
        refs: TransportRefs,
    ) {
        let transport = &self.transports[index];
        let agent = &transport.agent;
        let described = self.current_local.is_some()
            || self.pending_local.is_some()
            || self.current_remote.is_some()
            || self.pending_remote.is_some();
        let ice_role = match (described, agent.is_controlling()) {
            (false, _) => "unknown",
            (true, true) => "controlling",
            (true, false) => "controlled",
        };
        let dtls_role = match transport.dtls.as_ref().map(|d| d.role()) {
            Some(sansrtc_dtls::Role::Client) => "client",
            Some(sansrtc_dtls::Role::Server) => "server",
            None => "unknown",
        };
        let connected = transport.dtls_connected.as_ref();
        // One transport: the connection's state (kept after close); several:
        // each its own.
        let ice_state = if self.transports.len() == 1 {
            self.ice_state
        } else {
            RtcPeerConnection::transport_ice_state(transport)
        };
        report.insert(RtcStats::Transport(RtcTransportStats {
            id: ctx.transport_id.clone(),
            timestamp: ctx.timestamp,
            ice_role: ice_role.to_owned(),
            ice_local_username_fragment: agent.local_credentials().ufrag.clone(),
            dtls_state: transport.dtls_state.as_str().to_owned(),
            ice_state: ice_state.as_str().to_owned(),
            selected_candidate_pair_id: refs.selected_candidate_pair_id,
            local_certificate_id: refs.local_certificate_id,
            remote_certificate_id: refs.remote_certificate_id,
            tls_version: connected.map(|c| c.version.stats_name().to_owned()),
            dtls_cipher: connected.map(|c| c.cipher_suite.name().to_owned()),
            tls_group: connected.map(|c| c.group.name().to_owned()),
            dtls_role: dtls_role.to_owned(),
            srtp_cipher: connected
                .and_then(|c| c.srtp_profile)
                .and_then(srtp_profile_name)
                .map(str::to_owned),
        }));
    }
}
