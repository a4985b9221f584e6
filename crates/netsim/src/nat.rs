//! NATs as RFC 4787 classifies them: mapping and filtering behaviour
//! (endpoint-independent, address-dependent, address-and-port-dependent),
//! mapping timeouts, hairpinning and port assignment.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;

/// How a NAT's mapping or filtering depends on the remote endpoint
/// (RFC 4787 §4.1 for mapping, §5 for filtering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NatBehavior {
    /// Independent of the remote endpoint (mapping reused for every
    /// destination; filtering admits anyone once a mapping exists).
    EndpointIndependent,
    /// Depends on the remote IP address.
    AddressDependent,
    /// Depends on the remote IP address and port.
    AddressAndPortDependent,
}

/// How the NAT picks the external port of a new mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortAssignment {
    /// Keep the internal port when it is free (RFC 4787 §4.2.1 "port
    /// preservation"), otherwise the next free port upwards.
    Preserve,
    /// Ports counted upwards from this one (wrapping to 1024).
    Sequential(u16),
    /// Ports drawn from the network's seeded RNG in 1024..=65535.
    Random,
}

/// A NAT's behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct NatConfig {
    /// Its public (outside) addresses, at most one per family used. A
    /// packet of a family without a public address is dropped.
    pub public: Vec<IpAddr>,
    /// Mapping behaviour (RFC 4787 §4.1).
    pub mapping: NatBehavior,
    /// Filtering behaviour (RFC 4787 §5).
    pub filtering: NatBehavior,
    /// Idle time after which a mapping is removed (RFC 4787 §4.3, REQ-5:
    /// at least 2 minutes for a conforming NAT).
    pub mapping_timeout: Duration,
    /// Whether inbound packets refresh a mapping (outbound always do).
    pub inbound_refresh: bool,
    /// Whether hosts inside can reach each other through the public
    /// address (RFC 4787 §6).
    pub hairpinning: bool,
    /// How external ports are chosen.
    pub ports: PortAssignment,
    /// Most mappings held at once; beyond it new flows are dropped.
    pub max_mappings: usize,
}

impl NatConfig {
    /// A NAT with the given behaviours, a 120 s timeout, hairpinning on and
    /// random ports.
    pub fn new(public: IpAddr, mapping: NatBehavior, filtering: NatBehavior) -> Self {
        Self {
            public: vec![public],
            mapping,
            filtering,
            mapping_timeout: Duration::from_secs(120),
            inbound_refresh: false,
            hairpinning: true,
            ports: PortAssignment::Random,
            max_mappings: 4096,
        }
    }

    /// "Full cone": endpoint-independent mapping and filtering.
    pub fn full_cone(public: IpAddr) -> Self {
        use NatBehavior::EndpointIndependent as Ei;
        Self::new(public, Ei, Ei)
    }

    /// "Restricted cone": endpoint-independent mapping, address-dependent
    /// filtering.
    pub fn restricted_cone(public: IpAddr) -> Self {
        Self::new(
            public,
            NatBehavior::EndpointIndependent,
            NatBehavior::AddressDependent,
        )
    }

    /// "Port-restricted cone": endpoint-independent mapping,
    /// address-and-port-dependent filtering (RFC 4787's recommended NAT).
    pub fn port_restricted_cone(public: IpAddr) -> Self {
        Self::new(
            public,
            NatBehavior::EndpointIndependent,
            NatBehavior::AddressAndPortDependent,
        )
    }

    /// "Symmetric": address-and-port-dependent mapping and filtering.
    pub fn symmetric(public: IpAddr) -> Self {
        use NatBehavior::AddressAndPortDependent as Apd;
        Self::new(public, Apd, Apd)
    }
}

/// Why a NAT dropped a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NatDrop {
    NoPublicAddress,
    TableFull,
    NoMapping,
    Filtered,
}

/// Remotes remembered per mapping for filtering.
const REMOTES_PER_MAPPING: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct MapKey {
    internal: SocketAddr,
    remote_ip: Option<IpAddr>,
    remote_port: Option<u16>,
}

#[derive(Debug, Clone)]
struct Mapping {
    key: MapKey,
    internal: SocketAddr,
    expires: Instant,
    /// Remote endpoints this mapping sent to, with when last used.
    remotes: BTreeMap<SocketAddr, Instant>,
}

/// Counters of one NAT.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NatCounters {
    /// Mappings created.
    pub mappings_created: u64,
    /// Mappings removed after their timeout.
    pub mappings_expired: u64,
    /// Inbound packets with no mapping for their destination.
    pub no_mapping: u64,
    /// Inbound packets refused by the filtering behaviour.
    pub filtered: u64,
    /// New flows refused because the table was full.
    pub table_full: u64,
    /// Packets hairpinned back inside.
    pub hairpinned: u64,
    /// Packets to its own public address dropped with hairpinning off.
    pub hairpin_refused: u64,
}

/// A NAT's table of mappings.
#[derive(Debug, Clone)]
pub(crate) struct NatTable {
    pub(crate) config: NatConfig,
    by_key: BTreeMap<MapKey, SocketAddr>,
    by_external: BTreeMap<SocketAddr, Mapping>,
    next_port: u16,
    pub(crate) counters: NatCounters,
}

impl NatTable {
    pub(crate) fn new(config: NatConfig) -> Self {
        let next_port = match config.ports {
            PortAssignment::Sequential(p) => p.max(1024),
            _ => 1024,
        };
        Self {
            config,
            by_key: BTreeMap::new(),
            by_external: BTreeMap::new(),
            next_port,
            counters: NatCounters::default(),
        }
    }

    /// The public address of `ip`'s family.
    pub(crate) fn public_for(&self, ip: IpAddr) -> Option<IpAddr> {
        self.config
            .public
            .iter()
            .copied()
            .find(|p| p.is_ipv4() == ip.is_ipv4())
    }

    /// Whether `ip` is one of the NAT's public addresses.
    pub(crate) fn owns(&self, ip: IpAddr) -> bool {
        self.config.public.contains(&ip)
    }

    /// Forgets every mapping (a NAT reboot or rebinding).
    pub(crate) fn clear(&mut self) {
        self.counters.mappings_expired += self.by_external.len() as u64;
        self.by_external.clear();
        self.by_key.clear();
    }

    /// Current (unexpired) mappings, internal → external.
    pub(crate) fn mappings(&self, now: Instant) -> Vec<(SocketAddr, SocketAddr)> {
        self.by_external
            .iter()
            .filter(|(_, m)| m.expires > now)
            .map(|(ext, m)| (m.internal, *ext))
            .collect()
    }

    fn key(&self, internal: SocketAddr, remote: SocketAddr) -> MapKey {
        let (remote_ip, remote_port) = match self.config.mapping {
            NatBehavior::EndpointIndependent => (None, None),
            NatBehavior::AddressDependent => (Some(remote.ip()), None),
            NatBehavior::AddressAndPortDependent => (Some(remote.ip()), Some(remote.port())),
        };
        MapKey {
            internal,
            remote_ip,
            remote_port,
        }
    }

    fn remove(&mut self, external: SocketAddr) {
        if let Some(m) = self.by_external.remove(&external) {
            self.by_key.remove(&m.key);
            self.counters.mappings_expired += 1;
        }
    }

    fn purge_expired(&mut self, now: Instant) {
        let expired: Vec<SocketAddr> = self
            .by_external
            .iter()
            .filter(|(_, m)| m.expires <= now)
            .map(|(ext, _)| *ext)
            .collect();
        for ext in expired {
            self.remove(ext);
        }
    }

    fn allocate(
        &mut self,
        public: IpAddr,
        internal: SocketAddr,
        rng: &mut ChaCha20Rng,
    ) -> Option<SocketAddr> {
        let free =
            |t: &Self, port: u16| !t.by_external.contains_key(&SocketAddr::new(public, port));
        match self.config.ports {
            PortAssignment::Preserve if free(self, internal.port()) => {
                return Some(SocketAddr::new(public, internal.port()))
            }
            PortAssignment::Random => {
                for _ in 0..64 {
                    let port = 1024 + (rng.next_u32() % (65536 - 1024)) as u16;
                    if free(self, port) {
                        return Some(SocketAddr::new(public, port));
                    }
                }
            }
            _ => {}
        }
        for _ in 0..(65536 - 1024) {
            let port = self.next_port;
            self.next_port = if port == u16::MAX { 1024 } else { port + 1 };
            if free(self, port) {
                return Some(SocketAddr::new(public, port));
            }
        }
        None
    }

    /// Translates an outbound packet `internal → remote`; returns the
    /// external source address.
    pub(crate) fn outbound(
        &mut self,
        now: Instant,
        internal: SocketAddr,
        remote: SocketAddr,
        rng: &mut ChaCha20Rng,
    ) -> Result<SocketAddr, NatDrop> {
        let public = self
            .public_for(remote.ip())
            .ok_or(NatDrop::NoPublicAddress)?;
        let key = self.key(internal, remote);
        if let Some(&ext) = self.by_key.get(&key) {
            if self.by_external.get(&ext).is_some_and(|m| m.expires <= now) {
                self.remove(ext);
            }
        }
        let external = match self.by_key.get(&key) {
            Some(&ext) => ext,
            None => {
                if self.by_external.len() >= self.config.max_mappings {
                    self.purge_expired(now);
                }
                if self.by_external.len() >= self.config.max_mappings {
                    self.counters.table_full += 1;
                    return Err(NatDrop::TableFull);
                }
                let Some(ext) = self.allocate(public, internal, rng) else {
                    self.counters.table_full += 1;
                    return Err(NatDrop::TableFull);
                };
                self.by_key.insert(key.clone(), ext);
                self.by_external.insert(
                    ext,
                    Mapping {
                        key,
                        internal,
                        expires: now,
                        remotes: BTreeMap::new(),
                    },
                );
                self.counters.mappings_created += 1;
                ext
            }
        };
        let timeout = self.config.mapping_timeout;
        if let Some(m) = self.by_external.get_mut(&external) {
            m.expires = now + timeout;
            if !m.remotes.contains_key(&remote) && m.remotes.len() >= REMOTES_PER_MAPPING {
                let oldest = m.remotes.iter().min_by_key(|(_, &at)| at).map(|(r, _)| *r);
                if let Some(oldest) = oldest {
                    m.remotes.remove(&oldest);
                }
            }
            m.remotes.insert(remote, now);
        }
        Ok(external)
    }

    /// Translates an inbound packet `remote → external`; returns the
    /// internal destination address.
    pub(crate) fn inbound(
        &mut self,
        now: Instant,
        remote: SocketAddr,
        external: SocketAddr,
    ) -> Result<SocketAddr, NatDrop> {
        if self
            .by_external
            .get(&external)
            .is_some_and(|m| m.expires <= now)
        {
            self.remove(external);
        }
        let filtering = self.config.filtering;
        let refresh = self.config.inbound_refresh;
        let timeout = self.config.mapping_timeout;
        let Some(m) = self.by_external.get_mut(&external) else {
            self.counters.no_mapping += 1;
            return Err(NatDrop::NoMapping);
        };
        let admitted = match filtering {
            NatBehavior::EndpointIndependent => true,
            NatBehavior::AddressDependent => m.remotes.keys().any(|r| r.ip() == remote.ip()),
            NatBehavior::AddressAndPortDependent => m.remotes.contains_key(&remote),
        };
        if !admitted {
            self.counters.filtered += 1;
            return Err(NatDrop::Filtered);
        }
        if refresh {
            m.expires = now + timeout;
        }
        Ok(m.internal)
    }
}
