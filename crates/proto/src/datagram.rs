//! Datagrams going out of and into a machine that knows addresses.

use std::net::SocketAddr;

/// The transport a datagram or stream segment travels on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// UDP datagrams.
    Udp,
    /// A TCP stream (RFC 4571 / RFC 6544 framing or TURN-over-TCP framing).
    Tcp,
    /// A TLS stream to a `turns:` server; the adapter terminates TLS.
    Tls,
}

/// A datagram a machine asks its driver to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The transport to use.
    pub protocol: Protocol,
    /// The local address to send from (one the application added).
    pub source: SocketAddr,
    /// Where to send it.
    pub destination: SocketAddr,
    /// The bytes to send.
    pub contents: Vec<u8>,
}

impl Transmit {
    /// This datagram as the machine at its destination receives it, for a
    /// wire kept in memory (simulators, tests, benches).
    pub fn as_received(&self) -> Receive<'_> {
        Receive {
            protocol: self.protocol,
            source: self.source,
            destination: self.destination,
            contents: &self.contents,
        }
    }

    /// This datagram, by value, as the machine at its destination receives
    /// it ([`crate::Machine::handle_receive_owned`]): its buffer moves, no
    /// byte is copied.
    pub fn into_received(self) -> ReceiveOwned {
        ReceiveOwned {
            protocol: self.protocol,
            source: self.source,
            destination: self.destination,
            contents: self.contents,
        }
    }
}

/// A received datagram handed to a machine by value, for a driver that
/// owns a buffer per datagram (a wire kept in memory, a driver that
/// allocates per read): the machine may decrypt it where it lies and keep
/// the buffer. Drivers that read into one reused buffer hand over a
/// [`Receive`] instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiveOwned {
    /// The transport it arrived on.
    pub protocol: Protocol,
    /// The remote address it came from.
    pub source: SocketAddr,
    /// The local address it arrived at.
    pub destination: SocketAddr,
    /// The bytes received.
    pub contents: Vec<u8>,
}

impl ReceiveOwned {
    /// This datagram, borrowed.
    pub fn as_received(&self) -> Receive<'_> {
        Receive {
            protocol: self.protocol,
            source: self.source,
            destination: self.destination,
            contents: &self.contents,
        }
    }
}

/// A datagram the driver received and hands to a machine. It borrows the
/// driver's buffer: a machine copies only what it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receive<'a> {
    /// The transport it arrived on.
    pub protocol: Protocol,
    /// The remote address it came from.
    pub source: SocketAddr,
    /// The local address it arrived at.
    pub destination: SocketAddr,
    /// The bytes received.
    pub contents: &'a [u8],
}
