//! Candidates (RFC 8445 §5.1): priorities, foundations, and the conversion
//! to the shared `a=candidate` grammar of `sansrtc-sdp`.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use sansrtc_proto::Protocol;
use sansrtc_sdp::{Candidate, CandidateAddress, CandidateKind, CandidateTransport};

/// RFC 8445 §5.1.2.2 recommended type preferences.
pub fn type_preference(kind: CandidateKind) -> u32 {
    match kind {
        CandidateKind::Host => 126,
        CandidateKind::PeerReflexive => 110,
        CandidateKind::ServerReflexive => 100,
        CandidateKind::Relay => 0,
    }
}

/// RFC 8445 §5.1.2.1: `2^24·type + 2^8·local + (256 − component)`.
pub fn candidate_priority(kind: CandidateKind, local_preference: u16, component: u16) -> u32 {
    (type_preference(kind) << 24)
        | (u32::from(local_preference) << 8)
        | (256 - u32::from(component.clamp(1, 256)))
}

/// RFC 8445 §6.1.2.3: `2^32·min(G,D) + 2·max(G,D) + (G>D ? 1 : 0)`, where
/// G is the controlling agent's candidate priority.
pub fn pair_priority(controlling: u32, controlled: u32) -> u64 {
    let (g, d) = (u64::from(controlling), u64::from(controlled));
    (g.min(d) << 32) + 2 * g.max(d) + u64::from(g > d)
}

/// The local preference of the `index`-th base: IPv6 before IPv4 (RFC
/// 8421 in spirit), then the order the application added them.
pub fn local_preference(ip: IpAddr, index: usize) -> u16 {
    let family = if ip.is_ipv6() { 0 } else { 1 };
    65535u16
        .saturating_sub((index as u16).saturating_mul(2))
        .saturating_sub(family * 1024)
}

/// One of our candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalCandidate {
    /// host, srflx, prflx or relay.
    pub kind: CandidateKind,
    /// Component id.
    pub component: u16,
    /// The transport address the peer sends to.
    pub address: SocketAddr,
    /// The base: the local address we send from (for relay: the relayed address itself).
    pub base: SocketAddr,
    /// RFC 8445 §5.1.2 priority.
    pub priority: u32,
    /// RFC 8445 §5.1.1.3 foundation.
    pub foundation: String,
    /// `raddr`/`rport`: the base of a srflx, the mapped address of a relay.
    pub related: Option<SocketAddr>,
    /// For relay candidates: which relay it lives on (index into the agent's relays).
    pub relay: Option<usize>,
}

impl LocalCandidate {
    /// The candidate in the shared SDP grammar, with the ufrag extension.
    pub fn to_sdp(&self, ufrag: &str) -> Candidate {
        let mut c = Candidate::new(
            self.foundation.clone(),
            self.component,
            CandidateTransport::Udp,
            self.priority,
            CandidateAddress::Ip(self.address.ip()),
            self.address.port(),
            self.kind,
        );
        if let Some(related) = self.related {
            c.related_address = Some(CandidateAddress::Ip(related.ip()));
            c.related_port = Some(related.port());
        }
        c.generation = Some(0);
        c.ufrag = Some(ufrag.to_owned());
        c
    }
}

/// One of the peer's candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteCandidate {
    /// host, srflx, prflx or relay (as signalled; prflx when learned from a check).
    pub kind: CandidateKind,
    /// Component id.
    pub component: u16,
    /// Its address.
    pub address: SocketAddr,
    /// Its priority.
    pub priority: u32,
    /// Its foundation.
    pub foundation: String,
}

/// Hands out foundations: the same (type, base IP, server, transport)
/// always gets the same short string, different ones differ.
#[derive(Debug, Default, Clone)]
pub struct Foundations {
    known: BTreeMap<(u8, IpAddr, Option<SocketAddr>, u8), String>,
}

impl Foundations {
    /// The foundation for a candidate of `kind` on `base_ip` learned from `server`.
    pub fn get(
        &mut self,
        kind: CandidateKind,
        base_ip: IpAddr,
        server: Option<SocketAddr>,
    ) -> String {
        self.get_via(kind, base_ip, server, Protocol::Udp)
    }

    /// The same, for a server reached over `protocol` (RFC 8445 §5.1.1.3:
    /// the transport to the server is part of the foundation).
    pub fn get_via(
        &mut self,
        kind: CandidateKind,
        base_ip: IpAddr,
        server: Option<SocketAddr>,
        protocol: Protocol,
    ) -> String {
        let transport = match protocol {
            Protocol::Udp => 0,
            Protocol::Tcp => 1,
            Protocol::Tls => 2,
        };
        let key = (kind_code(kind), base_ip, server, transport);
        let next = self.known.len() + 1;
        self.known
            .entry(key)
            .or_insert_with(|| next.to_string())
            .clone()
    }
}

fn kind_code(kind: CandidateKind) -> u8 {
    match kind {
        CandidateKind::Host => 0,
        CandidateKind::ServerReflexive => 1,
        CandidateKind::PeerReflexive => 2,
        CandidateKind::Relay => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_follow_rfc_8445_formula() {
        // host, local preference 65535, component 1: 126·2^24 + 65535·2^8 + 255
        assert_eq!(
            candidate_priority(CandidateKind::Host, 65535, 1),
            2_130_706_431
        );
        assert_eq!(
            candidate_priority(CandidateKind::Host, 65535, 2),
            2_130_706_430
        );
        assert_eq!(candidate_priority(CandidateKind::Relay, 0, 1), 255);
        assert!(
            candidate_priority(CandidateKind::PeerReflexive, 1, 1)
                > candidate_priority(CandidateKind::ServerReflexive, 65535, 1)
        );
    }

    #[test]
    fn pair_priority_is_symmetric_but_for_the_tie_bit() {
        assert_eq!(pair_priority(10, 20), (10 << 32) + 40);
        assert_eq!(pair_priority(20, 10), (10 << 32) + 40 + 1);
        assert!(pair_priority(100, 100) > pair_priority(99, 1000));
    }

    #[test]
    fn foundations_are_shared_by_equal_keys_only() {
        let mut f = Foundations::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let a = f.get(CandidateKind::Host, ip, None);
        assert_eq!(a, f.get(CandidateKind::Host, ip, None));
        assert_ne!(a, f.get(CandidateKind::Host, other, None));
        assert_ne!(a, f.get(CandidateKind::ServerReflexive, ip, None));
    }

    #[test]
    fn ipv6_bases_are_preferred() {
        let v6: IpAddr = "::1".parse().unwrap();
        let v4: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(local_preference(v6, 1) > local_preference(v4, 0));
    }
}
