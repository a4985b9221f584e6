//! The crate's error type: misuse of the topology API.

use std::net::IpAddr;

/// What went wrong while building a topology.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NetsimError {
    /// A host needs at least one address.
    #[error("a host needs at least one address")]
    NoAddresses,
    /// The address is already used by a host or NAT in that zone.
    #[error("address {0} is already in use in this zone")]
    AddressInUse(IpAddr),
    /// A NAT needs at least one public address.
    #[error("a NAT needs at least one public address")]
    NatWithoutPublicAddress,
    /// The zone does not exist in this network.
    #[error("unknown zone")]
    UnknownZone,
}
