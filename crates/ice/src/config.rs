//! How an [`crate::Agent`] is set up: role, lite, pacing, timers, bounds and
//! the STUN/TURN servers, built by hand or from an `RTCConfiguration`.

use std::time::Duration;

use sansrtc_config::{
    IceHost, IceScheme, IceServerUrl, IceTransportPolicy, RtcConfigurationState, RtcpMuxPolicy,
};
use sansrtc_proto::Protocol;

/// Regular (RFC 8445 §8.1.1) or aggressive (RFC 5245 §8.1.1.2) nomination,
/// for the controlling agent. A controlled agent accepts both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nomination {
    /// Check first, then repeat the check on the chosen pair with USE-CANDIDATE (default).
    Regular,
    /// Put USE-CANDIDATE on every check (older peers); the best pair wins.
    Aggressive,
}

/// One STUN or TURN server the agent uses, from `iceServers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceServerEntry {
    /// The URL as the application gave it (for candidate-error events).
    pub url: String,
    /// The server's host: a domain becomes a resolve request.
    pub host: IceHost,
    /// The port (the URL's, or the scheme's default).
    pub port: u16,
    /// `Some` for TURN: how to reach the server (UDP, TCP or TLS).
    pub turn: Option<TurnTransport>,
    /// TURN username.
    pub username: String,
    /// TURN password.
    pub credential: String,
}

/// How the agent reaches a TURN server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurnTransport {
    /// UDP datagrams, a TCP stream or a TLS stream (the adapter terminates TLS).
    pub protocol: Protocol,
}

impl IceServerEntry {
    /// A STUN server.
    pub fn stun(url: &str, host: IceHost, port: u16) -> Self {
        IceServerEntry {
            url: url.into(),
            host,
            port,
            turn: None,
            username: String::new(),
            credential: String::new(),
        }
    }

    /// A TURN server.
    pub fn turn(
        url: &str,
        host: IceHost,
        port: u16,
        protocol: Protocol,
        username: &str,
        credential: &str,
    ) -> Self {
        IceServerEntry {
            url: url.into(),
            host,
            port,
            turn: Some(TurnTransport { protocol }),
            username: username.into(),
            credential: credential.into(),
        }
    }

    /// One entry per validated URL (`stuns:` is skipped: STUN over TLS
    /// has no use for gathering in browsers either).
    pub fn from_url(url: &IceServerUrl, username: &str, credential: &str) -> Option<Self> {
        let text = format!(
            "{}:{}:{}{}",
            url.scheme.as_str(),
            url.host,
            url.effective_port(),
            url.transport
                .map(|t| format!("?transport={}", t.as_str()))
                .unwrap_or_default()
        );
        let port = url.effective_port();
        match url.scheme {
            IceScheme::Stun => Some(IceServerEntry::stun(&text, url.host.clone(), port)),
            IceScheme::Stuns => None,
            IceScheme::Turn | IceScheme::Turns => {
                let protocol = match (url.scheme, url.transport) {
                    (IceScheme::Turns, _) => Protocol::Tls,
                    (_, Some(sansrtc_config::IceTransportProtocol::Tcp)) => Protocol::Tcp,
                    _ => Protocol::Udp,
                };
                Some(IceServerEntry::turn(
                    &text,
                    url.host.clone(),
                    port,
                    protocol,
                    username,
                    credential,
                ))
            }
        }
    }
}

/// The agent's configuration. [`AgentConfig::default`] gives a full,
/// controlled agent with RFC defaults; [`AgentConfig::from_rtc`] reads an
/// `RTCConfiguration`.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentConfig {
    /// Start in the controlling role (the offerer, RFC 8445 §6.1.1).
    pub controlling: bool,
    /// Be an ICE-lite agent (RFC 8445 §2.5): host candidates only, no
    /// checks sent, always controlled.
    pub lite: bool,
    /// Components: 1, or 2 for `rtcpMuxPolicy: negotiate` (RTCP on component 2).
    pub components: u16,
    /// `iceTransportPolicy`: `relay` gathers and uses only relay candidates.
    pub transport_policy: IceTransportPolicy,
    /// `iceCandidatePoolSize`: with more than 0, [`crate::Agent::prepare`]
    /// starts gathering before the first offer.
    pub candidate_pool_size: u8,
    /// STUN and TURN servers.
    pub servers: Vec<IceServerEntry>,
    /// Ta: the pacing of new STUN transactions (RFC 8445 §14.2, default 50 ms).
    pub ta: Duration,
    /// First retransmission timeout of a check (doubles each time).
    pub check_rto: Duration,
    /// Largest retransmission timeout of a check.
    pub check_rto_max: Duration,
    /// Transmissions of one check before the pair fails.
    pub check_max_transmissions: u32,
    /// Transmissions of a Binding request to a STUN server (RFC 8489 Rc = 7).
    pub stun_max_transmissions: u32,
    /// Nomination used when controlling.
    pub nomination: Nomination,
    /// Regular nomination waits at most this long after the first valid pair
    /// of a component for better pairs still being checked.
    pub nomination_wait: Duration,
    /// A controlled agent whose peer has not nominated a pair this long
    /// after the first valid pair of a component selects the best valid
    /// pair itself (as libwebrtc does), so that consent freshness watches
    /// the path its data already takes (RFC 8445 §12.1 lets data flow on a
    /// valid pair; RFC 7675 wants consent on every path data is sent on).
    /// A later nomination replaces it.
    pub unnominated_wait: Duration,
    /// Mean interval of consent checks (RFC 7675 §5.1: 5 s, randomised ±20 %).
    pub consent_interval: Duration,
    /// Consent expires after this long without a response (RFC 7675: 30 s).
    pub consent_timeout: Duration,
    /// The state becomes `disconnected` after this long without a response
    /// on the selected pair.
    pub disconnected_timeout: Duration,
    /// Most local addresses (bases).
    pub max_local_addresses: usize,
    /// Most remote candidates (signalled and peer-reflexive).
    pub max_remote_candidates: usize,
    /// Most candidate pairs (RFC 8445 §6.1.2.5 suggests 100).
    pub max_pairs: usize,
    /// Most entries in the triggered-check queue.
    pub max_triggered_checks: usize,
    /// Most STUN transactions in flight.
    pub max_transactions: usize,
    /// Most pending name resolutions (server names, mDNS candidates).
    pub max_pending_resolutions: usize,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            controlling: false,
            lite: false,
            components: 1,
            transport_policy: IceTransportPolicy::All,
            candidate_pool_size: 0,
            servers: Vec::new(),
            ta: Duration::from_millis(50),
            check_rto: Duration::from_millis(250),
            check_rto_max: Duration::from_millis(1600),
            check_max_transmissions: 16,
            stun_max_transmissions: 7,
            nomination: Nomination::Regular,
            nomination_wait: Duration::from_millis(500),
            unnominated_wait: Duration::from_secs(3),
            consent_interval: Duration::from_secs(5),
            consent_timeout: Duration::from_secs(30),
            disconnected_timeout: Duration::from_secs(8),
            max_local_addresses: 16,
            max_remote_candidates: 100,
            max_pairs: 200,
            max_triggered_checks: 64,
            max_transactions: 128,
            max_pending_resolutions: 32,
        }
    }
}

impl AgentConfig {
    /// A configuration from a validated `RTCConfiguration`: its ICE
    /// servers, `iceTransportPolicy`, `iceCandidatePoolSize` and
    /// `rtcpMuxPolicy` (`negotiate` → 2 components).
    pub fn from_rtc(state: &RtcConfigurationState, controlling: bool) -> Self {
        let rtc = state.get_configuration();
        let mut servers = Vec::new();
        for server in state.ice_servers() {
            let username = server.username.as_deref().unwrap_or("");
            let credential = server.credential.as_deref().unwrap_or("");
            servers.extend(
                server
                    .urls
                    .iter()
                    .filter_map(|u| IceServerEntry::from_url(u, username, credential)),
            );
        }
        AgentConfig {
            controlling,
            components: match rtc.rtcp_mux_policy {
                RtcpMuxPolicy::Negotiate => 2,
                _ => 1,
            },
            transport_policy: rtc.ice_transport_policy,
            candidate_pool_size: rtc.ice_candidate_pool_size,
            servers,
            ..AgentConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sansrtc_config::{CertificateRegistry, RtcConfiguration};
    use std::time::SystemTime;

    #[test]
    fn from_rtc_maps_servers_policy_pool_and_rtcp_mux() {
        let json = r#"{
            "iceServers": [
                {"urls": ["stun:stun.example.net", "stuns:stun.example.net"]},
                {"urls": ["turn:192.0.2.9?transport=tcp", "turns:turn.example.net", "turn:[2001:db8::1]:3479"],
                 "username": "u", "credential": "p"}
            ],
            "iceTransportPolicy": "relay",
            "iceCandidatePoolSize": 3,
            "rtcpMuxPolicy": "negotiate"
        }"#;
        let rtc = RtcConfiguration::from_json_str(json, &CertificateRegistry::new()).unwrap();
        let state = RtcConfigurationState::construct(rtc, SystemTime::UNIX_EPOCH).unwrap();
        let c = AgentConfig::from_rtc(&state, true);
        assert!(c.controlling);
        assert_eq!(c.components, 2);
        assert_eq!(c.transport_policy, IceTransportPolicy::Relay);
        assert_eq!(c.candidate_pool_size, 3);
        let summary: Vec<(String, u16, Option<Protocol>)> = c
            .servers
            .iter()
            .map(|s| (s.url.clone(), s.port, s.turn.map(|t| t.protocol)))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("stun:stun.example.net:3478".into(), 3478, None),
                (
                    "turn:192.0.2.9:3478?transport=tcp".into(),
                    3478,
                    Some(Protocol::Tcp)
                ),
                (
                    "turns:turn.example.net:5349".into(),
                    5349,
                    Some(Protocol::Tls)
                ),
                ("turn:[2001:db8::1]:3479".into(), 3479, Some(Protocol::Udp)),
            ]
        );
        assert!(matches!(c.servers[0].host, IceHost::Domain(_)));
        assert_eq!(c.servers[1].username, "u");
    }
}
