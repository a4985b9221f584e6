//! The DTLS protocol versions an endpoint speaks, and which one a
//! connection negotiated.

use crate::suite::CipherSuite;
use crate::v13::cipher_suite::Tls13CipherSuite;

/// A DTLS protocol version. Ordered: `Dtls12 < Dtls13`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DtlsVersion {
    /// DTLS 1.2 (RFC 6347), wire value {254, 253}.
    Dtls12,
    /// DTLS 1.3 (RFC 9147), wire value {254, 252}.
    Dtls13,
}

impl DtlsVersion {
    /// The wire value (`0xFEFD` for 1.2, `0xFEFC` for 1.3).
    pub fn wire(self) -> u16 {
        match self {
            DtlsVersion::Dtls12 => 0xfefd,
            DtlsVersion::Dtls13 => 0xfefc,
        }
    }

    /// The wire value as `getStats()` reports `tlsVersion`: four
    /// uppercase hex digits, `"FEFD"` or `"FEFC"`.
    pub fn stats_name(self) -> &'static str {
        match self {
            DtlsVersion::Dtls12 => "FEFD",
            DtlsVersion::Dtls13 => "FEFC",
        }
    }
}

/// The cipher suite a connection negotiated, of its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NegotiatedCipherSuite {
    /// A DTLS 1.2 suite.
    Dtls12(CipherSuite),
    /// A DTLS 1.3 suite.
    Dtls13(Tls13CipherSuite),
}

impl NegotiatedCipherSuite {
    /// The IANA code point.
    pub fn id(self) -> u16 {
        match self {
            NegotiatedCipherSuite::Dtls12(s) => s.id(),
            NegotiatedCipherSuite::Dtls13(s) => s.code(),
        }
    }

    /// The IANA name (`getStats()`'s `dtlsCipher`).
    pub fn name(self) -> &'static str {
        match self {
            NegotiatedCipherSuite::Dtls12(s) => s.name(),
            NegotiatedCipherSuite::Dtls13(s) => s.name(),
        }
    }
}

impl PartialEq<CipherSuite> for NegotiatedCipherSuite {
    fn eq(&self, other: &CipherSuite) -> bool {
        *self == NegotiatedCipherSuite::Dtls12(*other)
    }
}

impl PartialEq<Tls13CipherSuite> for NegotiatedCipherSuite {
    fn eq(&self, other: &Tls13CipherSuite) -> bool {
        *self == NegotiatedCipherSuite::Dtls13(*other)
    }
}
