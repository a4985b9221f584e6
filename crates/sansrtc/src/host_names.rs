//! Host candidates behind mDNS names (draft-ietf-mmusic-mdns-ice-candidates
//! §3.1), as browsers signal them: each local IP address gets one random
//! `<uuid-v4>.local` name, the host candidates on it are signalled with the
//! name instead of the address, and the related address of the other
//! candidates is the unspecified address. The connection keeps no socket:
//! [`PeerEvent::HostName`] asks the driver's mDNS responder to answer for
//! the name.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Instant;

use sansrtc_sdp::{Candidate, CandidateAddress, CandidateKind};

use crate::event::PeerEvent;
use crate::peer_connection::RtcPeerConnection;

/// The names given to the local addresses, when host addresses are hidden.
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct HostNames {
    /// Whether host candidates are signalled by name.
    enabled: bool,
    /// One name per local IP, in the order the IPs were added.
    names: Vec<(IpAddr, String)>,
}

impl HostNames {
    /// The name of `ip`, if one was given.
    fn name_of(&self, ip: IpAddr) -> Option<&str> {
        self.names
            .iter()
            .find(|(a, _)| *a == ip)
            .map(|(_, n)| n.as_str())
    }

    /// `candidate` as it is signalled: a host candidate's address replaced
    /// by its name, the related address of the others unspecified (§3.1.2:
    /// they would reveal the host address).
    pub(crate) fn signalled(&self, mut candidate: Candidate) -> Candidate {
        if !self.enabled {
            return candidate;
        }
        if candidate.kind == CandidateKind::Host {
            if let CandidateAddress::Ip(ip) = candidate.address {
                if let Some(name) = self.name_of(ip) {
                    candidate.address = CandidateAddress::Fqdn(name.to_string());
                }
            }
        } else if let Some(CandidateAddress::Ip(ip)) = candidate.related_address {
            let unspecified = match ip {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            };
            candidate.related_address = Some(CandidateAddress::Ip(unspecified));
            candidate.related_port = Some(0);
        }
        candidate
    }
}

impl RtcPeerConnection {
    /// Hides the host addresses behind `<uuid>.local` names from now on,
    /// as browsers do (draft-ietf-mmusic-mdns-ice-candidates): every local
    /// IP gets a random name (from the connection's RNG), announced once
    /// in a [`PeerEvent::HostName`] for the driver's mDNS responder to
    /// answer for, and host candidates are signalled with it (in
    /// `icecandidate` and in `localDescription`). Call it before the first
    /// [`RtcPeerConnection::add_local_address`]: candidates already
    /// signalled stay as they were. The checks are unchanged; a peer that
    /// cannot resolve the name still connects through the peer-reflexive
    /// candidate our checks create.
    pub fn hide_host_addresses(&mut self, now: Instant) {
        if self.host_names.enabled {
            return;
        }
        self.host_names.enabled = true;
        for address in self.local_addresses.clone() {
            self.name_host(address.ip());
        }
        self.drain(now);
    }

    /// Whether host addresses are hidden behind names.
    pub fn hides_host_addresses(&self) -> bool {
        self.host_names.enabled
    }

    /// The names given to local IPs so far, while host addresses are
    /// hidden.
    pub fn host_names(&self) -> impl Iterator<Item = (IpAddr, &str)> + '_ {
        self.host_names.names.iter().map(|(a, n)| (*a, n.as_str()))
    }

    /// Gives `ip` a name (once) and announces it, while hiding is on.
    pub(crate) fn name_host(&mut self, ip: IpAddr) {
        if !self.host_names.enabled || self.host_names.name_of(ip).is_some() {
            return;
        }
        let name = sansrtc_mdns::generate_name(&mut *self.rng).to_string();
        self.host_names.names.push((ip, name.clone()));
        self.emit(PeerEvent::HostName { name, address: ip });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hiding() -> HostNames {
        HostNames {
            enabled: true,
            names: vec![("192.0.2.1".parse().unwrap(), "a.local".into())],
        }
    }

    #[test]
    fn a_named_host_candidate_carries_the_name() {
        let c: Candidate = "candidate:1 1 udp 2130706431 192.0.2.1 5000 typ host"
            .parse()
            .unwrap();
        let signalled = hiding().signalled(c);
        assert_eq!(
            signalled.to_string(),
            "candidate:1 1 udp 2130706431 a.local 5000 typ host"
        );
    }

    #[test]
    fn an_unnamed_host_candidate_is_unchanged() {
        let c: Candidate = "candidate:1 1 udp 2130706431 192.0.2.9 5000 typ host"
            .parse()
            .unwrap();
        assert_eq!(hiding().signalled(c.clone()), c);
    }

    #[test]
    fn related_addresses_are_unspecified() {
        for (line, related) in [
            (
                "candidate:2 1 udp 1694498815 198.51.100.7 6000 typ srflx raddr 192.0.2.1 rport 5000",
                "raddr 0.0.0.0 rport 0",
            ),
            (
                "candidate:3 1 udp 16777215 2001:db8::7 6000 typ relay raddr 2001:db8::1 rport 5000",
                "raddr :: rport 0",
            ),
        ] {
            let c: Candidate = line.parse().unwrap();
            let s = hiding().signalled(c).to_string();
            assert!(s.ends_with(related), "{s}");
        }
    }

    #[test]
    fn nothing_changes_while_hiding_is_off() {
        let c: Candidate =
            "candidate:2 1 udp 1694498815 198.51.100.7 6000 typ srflx raddr 192.0.2.1 rport 5000"
                .parse()
                .unwrap();
        assert_eq!(HostNames::default().signalled(c.clone()), c);
    }
}
