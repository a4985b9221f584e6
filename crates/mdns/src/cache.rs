//! The resolver's address cache: names to addresses with expiry
//! (RFC 6762 §10), bounded in names and in addresses per name.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::Name;

/// How long a record stays in the cache at most, whatever TTL it came
/// with. Browsers announce their names with 120 s (RFC 6762 §10's
/// recommendation for host records), so a longer TTL is a sign of a
/// responder that is not a browser, and bounding it keeps a hostile one
/// from pinning entries.
pub const MAX_CACHE_TTL: Duration = Duration::from_secs(120);
/// The most addresses kept for one name.
pub const MAX_ADDRESSES_PER_NAME: usize = 8;
/// How old a cached record must be before a cache-flush record of the same
/// name and type replaces it (RFC 6762 §10.2).
const FLUSH_GRACE: Duration = Duration::from_secs(1);

#[derive(Debug)]
struct Cached {
    address: IpAddr,
    received: Instant,
    expires: Instant,
}

#[derive(Debug)]
struct Entry {
    addresses: Vec<Cached>,
    /// Learnt in answer to one of our queries (kept in preference to
    /// unsolicited announcements when the cache is full).
    solicited: bool,
}

impl Entry {
    fn earliest_expiry(&self) -> Option<Instant> {
        self.addresses.iter().map(|c| c.expires).min()
    }
}

/// What an insertion did, for the stats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inserted {
    /// Stored (new or refreshed).
    Stored,
    /// Stored after evicting another name.
    Evicted,
}

#[derive(Debug)]
pub(crate) struct Cache {
    entries: BTreeMap<Name, Entry>,
    max_entries: usize,
}

impl Cache {
    pub(crate) fn new(max_entries: usize) -> Cache {
        Cache {
            entries: BTreeMap::new(),
            max_entries: max_entries.max(1),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The unexpired addresses of `name`, in the order they were learnt.
    pub(crate) fn lookup(&mut self, now: Instant, name: &Name) -> Vec<IpAddr> {
        let Some(entry) = self.entries.get_mut(name) else {
            return Vec::new();
        };
        entry.addresses.retain(|c| c.expires > now);
        if entry.addresses.is_empty() {
            self.entries.remove(name);
            return Vec::new();
        }
        entry.addresses.iter().map(|c| c.address).collect()
    }

    /// Stores `address` for `name` for `ttl` (at most [`MAX_CACHE_TTL`]).
    /// With `cache_flush`, addresses of the same family received more than
    /// a second ago are dropped first. A TTL of zero is a goodbye: the
    /// address is removed.
    pub(crate) fn insert(
        &mut self,
        now: Instant,
        name: &Name,
        address: IpAddr,
        ttl: Duration,
        cache_flush: bool,
        solicited: bool,
    ) -> Option<Inserted> {
        if ttl.is_zero() {
            self.remove(name, address);
            return None;
        }
        let mut outcome = Inserted::Stored;
        if !self.entries.contains_key(name) && self.entries.len() >= self.max_entries {
            self.purge(now);
            if self.entries.len() >= self.max_entries {
                self.evict_one();
                outcome = Inserted::Evicted;
            }
        }
        let entry = self.entries.entry(name.clone()).or_insert_with(|| Entry {
            addresses: Vec::new(),
            solicited,
        });
        entry.solicited |= solicited;
        let expires = now + ttl.min(MAX_CACHE_TTL);
        entry.addresses.retain(|c| c.expires > now);
        if cache_flush {
            entry.addresses.retain(|c| {
                c.address.is_ipv4() != address.is_ipv4()
                    || c.address == address
                    || c.received + FLUSH_GRACE > now
            });
        }
        if let Some(c) = entry.addresses.iter_mut().find(|c| c.address == address) {
            c.received = now;
            c.expires = expires;
            return Some(outcome);
        }
        if entry.addresses.len() >= MAX_ADDRESSES_PER_NAME {
            // Drop the address that would expire first.
            if let Some(i) = (0..entry.addresses.len()).min_by_key(|&i| entry.addresses[i].expires)
            {
                entry.addresses.remove(i);
            }
        }
        entry.addresses.push(Cached {
            address,
            received: now,
            expires,
        });
        Some(outcome)
    }

    fn remove(&mut self, name: &Name, address: IpAddr) {
        if let Some(entry) = self.entries.get_mut(name) {
            entry.addresses.retain(|c| c.address != address);
            if entry.addresses.is_empty() {
                self.entries.remove(name);
            }
        }
    }

    /// Drops every expired address and every name left without one.
    pub(crate) fn purge(&mut self, now: Instant) {
        self.entries.retain(|_, e| {
            e.addresses.retain(|c| c.expires > now);
            !e.addresses.is_empty()
        });
    }

    /// Evicts the unsolicited name that expires first, or failing that the
    /// name that expires first.
    fn evict_one(&mut self) {
        let victim = self
            .entries
            .iter()
            .min_by_key(|(_, e)| (e.solicited, e.earliest_expiry()))
            .map(|(name, _)| name.clone());
        if let Some(name) = victim {
            self.entries.remove(&name);
        }
    }
}
