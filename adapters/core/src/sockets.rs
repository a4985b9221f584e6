//! A driver's UDP sockets, one per local address, and how a transmit's
//! `source` picks one.

use std::net::SocketAddr;
use std::ops::{Index, IndexMut};

/// A socket (of the runtime's type `S`) with the local address it reported
/// when it was added.
#[derive(Debug)]
pub struct BoundSocket<S> {
    /// The socket's local address.
    pub local: SocketAddr,
    /// The socket, and whatever the runtime keeps with it.
    pub socket: S,
}

/// A driver's sockets in the order they were added, at most one per local
/// address; index `i` is the `i`-th socket added.
#[derive(Debug)]
pub struct SocketTable<S> {
    sockets: Vec<BoundSocket<S>>,
}

impl<S> Default for SocketTable<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S> SocketTable<S> {
    /// An empty table.
    pub fn new() -> Self {
        Self {
            sockets: Vec::new(),
        }
    }

    /// Whether a socket bound to exactly `local` is in the table.
    pub fn contains(&self, local: SocketAddr) -> bool {
        self.sockets.iter().any(|s| s.local == local)
    }

    /// Adds `socket`, bound to `local`, and returns its index. The caller
    /// checks [`SocketTable::contains`] first (a driver refuses a second
    /// socket on the same address).
    pub fn push(&mut self, local: SocketAddr, socket: S) -> usize {
        self.sockets.push(BoundSocket { local, socket });
        self.sockets.len() - 1
    }

    /// The socket for a transmit from `source`: the one bound to exactly
    /// that address, else one bound to the unspecified address of the same
    /// family on the same port (`0.0.0.0:p` or `[::]:p` sends from any
    /// local IP).
    pub fn for_source(&self, source: SocketAddr) -> Option<&BoundSocket<S>> {
        self.sockets.iter().find(|s| s.local == source).or_else(|| {
            self.sockets.iter().find(|s| {
                s.local.ip().is_unspecified()
                    && s.local.is_ipv4() == source.is_ipv4()
                    && s.local.port() == source.port()
            })
        })
    }

    /// The local addresses, in the order added.
    pub fn local_addrs(&self) -> impl Iterator<Item = SocketAddr> + '_ {
        self.sockets.iter().map(|s| s.local)
    }

    /// The sockets, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = &BoundSocket<S>> + '_ {
        self.sockets.iter()
    }

    /// How many sockets there are.
    pub fn len(&self) -> usize {
        self.sockets.len()
    }

    /// Whether there is no socket.
    pub fn is_empty(&self) -> bool {
        self.sockets.is_empty()
    }
}

impl<S> Index<usize> for SocketTable<S> {
    type Output = BoundSocket<S>;
    fn index(&self, index: usize) -> &BoundSocket<S> {
        &self.sockets[index]
    }
}

impl<S> IndexMut<usize> for SocketTable<S> {
    fn index_mut(&mut self, index: usize) -> &mut BoundSocket<S> {
        &mut self.sockets[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_exact_address_wins_over_a_wildcard_on_the_same_port() {
        let mut table = SocketTable::new();
        table.push(addr("0.0.0.0:5000"), "wildcard");
        table.push(addr("127.0.0.1:5000"), "exact");
        assert_eq!(
            table.for_source(addr("127.0.0.1:5000")).unwrap().socket,
            "exact"
        );
        let other_ip = table.for_source(addr("10.0.0.1:5000")).unwrap();
        assert_eq!(
            (other_ip.socket, other_ip.local),
            ("wildcard", addr("0.0.0.0:5000"))
        );
    }

    #[test]
    fn a_wildcard_serves_only_its_own_family_and_port() {
        let mut table = SocketTable::new();
        table.push(addr("0.0.0.0:5000"), "v4");
        table.push(addr("[::]:6000"), "v6");
        assert!(table.for_source(addr("127.0.0.1:5001")).is_none());
        assert!(table.for_source(addr("[::1]:5000")).is_none());
        assert!(table.for_source(addr("127.0.0.1:6000")).is_none());
        assert_eq!(table.for_source(addr("[::1]:6000")).unwrap().socket, "v6");
    }

    #[test]
    fn a_specific_address_serves_only_itself() {
        let mut table = SocketTable::new();
        table.push(addr("127.0.0.1:5000"), ());
        assert!(table.for_source(addr("127.0.0.2:5000")).is_none());
        assert!(table.for_source(addr("127.0.0.1:5001")).is_none());
        assert!(table.contains(addr("127.0.0.1:5000")));
        assert!(!table.contains(addr("0.0.0.0:5000")));
    }

    #[test]
    fn indices_and_addresses_follow_the_order_added() {
        let mut table = SocketTable::new();
        assert!(table.is_empty());
        assert_eq!(table.push(addr("127.0.0.1:1"), 'a'), 0);
        assert_eq!(table.push(addr("[::1]:2"), 'b'), 1);
        assert_eq!(table.len(), 2);
        assert_eq!(table[1].socket, 'b');
        table[0].socket = 'c';
        assert_eq!(table.iter().map(|s| s.socket).collect::<String>(), "cb");
        assert_eq!(
            table.local_addrs().collect::<Vec<_>>(),
            vec![addr("127.0.0.1:1"), addr("[::1]:2")]
        );
    }
}
