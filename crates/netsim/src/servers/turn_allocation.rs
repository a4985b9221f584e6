//! One TURN allocation (RFC 8656 §2.2, §5): its relayed address, lifetime,
//! permissions (§9) and channel bindings (§12).

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use sansrtc_stun::TransactionId;

/// A permission lasts 300 s (RFC 8656 §9).
pub const PERMISSION_LIFETIME: Duration = Duration::from_secs(300);
/// A channel binding lasts 600 s (RFC 8656 §12).
pub const CHANNEL_LIFETIME: Duration = Duration::from_secs(600);

/// The 5-tuple of an allocation over UDP: client and server addresses.
pub(crate) type FiveTuple = (SocketAddr, SocketAddr);

#[derive(Debug, Clone)]
pub(crate) struct Channel {
    pub(crate) peer: SocketAddr,
    pub(crate) expires: Instant,
}

#[derive(Debug, Clone)]
pub(crate) struct Allocation {
    pub(crate) relayed: SocketAddr,
    pub(crate) username: String,
    pub(crate) key: [u8; 16],
    pub(crate) expires: Instant,
    /// The Allocate transaction, answered again if retransmitted.
    pub(crate) transaction: TransactionId,
    pub(crate) lifetime_secs: u32,
    permissions: BTreeMap<IpAddr, Instant>,
    channels: BTreeMap<u16, Channel>,
}

/// Why a channel could not be bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BindRefused {
    /// The channel is bound to another peer, or the peer to another channel.
    Conflict,
    /// The allocation has no room for another binding.
    Capacity,
}

impl Allocation {
    pub(crate) fn new(
        relayed: SocketAddr,
        username: String,
        key: [u8; 16],
        expires: Instant,
        transaction: TransactionId,
        lifetime_secs: u32,
    ) -> Self {
        Self {
            relayed,
            username,
            key,
            expires,
            transaction,
            lifetime_secs,
            permissions: BTreeMap::new(),
            channels: BTreeMap::new(),
        }
    }

    /// Whether a permission for `peer`'s IP is installed and unexpired.
    pub(crate) fn permits(&self, peer: IpAddr, now: Instant) -> bool {
        self.permissions.get(&peer).is_some_and(|&e| e > now)
    }

    /// Installs or refreshes permissions; false (and nothing installed) if
    /// that would exceed `max`.
    pub(crate) fn permit(&mut self, peers: &[IpAddr], now: Instant, max: usize) -> bool {
        self.permissions.retain(|_, e| *e > now);
        let new = peers
            .iter()
            .filter(|p| !self.permissions.contains_key(p))
            .count();
        if self.permissions.len() + new > max {
            return false;
        }
        for p in peers {
            self.permissions.insert(*p, now + PERMISSION_LIFETIME);
        }
        true
    }

    /// The live channel bound to `peer`.
    pub(crate) fn channel_for(&self, peer: SocketAddr, now: Instant) -> Option<u16> {
        self.channels
            .iter()
            .find(|(_, c)| c.peer == peer && c.expires > now)
            .map(|(n, _)| *n)
    }

    /// The peer of a live channel.
    pub(crate) fn channel_peer(&self, number: u16, now: Instant) -> Option<SocketAddr> {
        self.channels
            .get(&number)
            .filter(|c| c.expires > now)
            .map(|c| c.peer)
    }

    /// Binds (or refreshes) `number` to `peer` (§12.2), installing or
    /// refreshing the peer's permission too.
    pub(crate) fn bind(
        &mut self,
        number: u16,
        peer: SocketAddr,
        now: Instant,
        max_channels: usize,
        max_permissions: usize,
    ) -> Result<(), BindRefused> {
        self.channels.retain(|_, c| c.expires > now);
        if let Some(c) = self.channels.get(&number) {
            if c.peer != peer {
                return Err(BindRefused::Conflict);
            }
        } else {
            if self.channel_for(peer, now).is_some() {
                return Err(BindRefused::Conflict);
            }
            if self.channels.len() >= max_channels {
                return Err(BindRefused::Capacity);
            }
        }
        if !self.permit(&[peer.ip()], now, max_permissions) {
            return Err(BindRefused::Capacity);
        }
        self.channels.insert(
            number,
            Channel {
                peer,
                expires: now + CHANNEL_LIFETIME,
            },
        );
        Ok(())
    }
}
