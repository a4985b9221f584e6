//! The DTLS role, which more than one layer needs: the DTLS endpoint plays
//! it, the data-channel layer picks stream-id parity from it (RFC 8832 §6),
//! SDP's `a=setup` decides it (RFC 8842).

/// Which side of the DTLS handshake an endpoint plays (`a=setup:active` is
/// the client, `passive` the server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DtlsRole {
    /// Sends the ClientHello; its in-band data channels use even stream ids.
    Client,
    /// Answers it; its in-band data channels use odd stream ids.
    Server,
}
