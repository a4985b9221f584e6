//! DTLS attributes: `fingerprint` (RFC 8122 §5) and `setup` (RFC 4145 §4,
//! RFC 8842).

use std::fmt;

/// Most bytes a fingerprint may hold (SHA-512 is 64).
pub const MAX_FINGERPRINT_BYTES: usize = 64;

/// The hash function of a certificate fingerprint (RFC 8122 §5, the IANA
/// "Hash Function Textual Names" registry).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// `sha-1`.
    Sha1,
    /// `sha-224`.
    Sha224,
    /// `sha-256`.
    Sha256,
    /// `sha-384`.
    Sha384,
    /// `sha-512`.
    Sha512,
    /// `md5`.
    Md5,
    /// `md2`.
    Md2,
    /// Another registered or private name, kept in lower case.
    Other(String),
}

impl HashAlgorithm {
    /// The textual name, lower case.
    pub fn as_str(&self) -> &str {
        match self {
            HashAlgorithm::Sha1 => "sha-1",
            HashAlgorithm::Sha224 => "sha-224",
            HashAlgorithm::Sha256 => "sha-256",
            HashAlgorithm::Sha384 => "sha-384",
            HashAlgorithm::Sha512 => "sha-512",
            HashAlgorithm::Md5 => "md5",
            HashAlgorithm::Md2 => "md2",
            HashAlgorithm::Other(name) => name,
        }
    }

    /// Digest length in bytes, for the algorithms this crate knows.
    pub fn digest_len(&self) -> Option<usize> {
        match self {
            HashAlgorithm::Sha1 => Some(20),
            HashAlgorithm::Sha224 => Some(28),
            HashAlgorithm::Sha256 => Some(32),
            HashAlgorithm::Sha384 => Some(48),
            HashAlgorithm::Sha512 => Some(64),
            HashAlgorithm::Md5 | HashAlgorithm::Md2 => Some(16),
            HashAlgorithm::Other(_) => None,
        }
    }

    /// The algorithm with this textual name, case-insensitively; a name
    /// that is none of the known ones is [`HashAlgorithm::Other`] in lower
    /// case (without the token checks of SDP parsing).
    pub fn from_name(name: &str) -> HashAlgorithm {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "sha-1" => HashAlgorithm::Sha1,
            "sha-224" => HashAlgorithm::Sha224,
            "sha-256" => HashAlgorithm::Sha256,
            "sha-384" => HashAlgorithm::Sha384,
            "sha-512" => HashAlgorithm::Sha512,
            "md5" => HashAlgorithm::Md5,
            "md2" => HashAlgorithm::Md2,
            _ => HashAlgorithm::Other(lower),
        }
    }

    fn parse(name: &str) -> Result<Self, &'static str> {
        let lower = name.to_ascii_lowercase();
        Ok(match lower.as_str() {
            "sha-1" => HashAlgorithm::Sha1,
            "sha-224" => HashAlgorithm::Sha224,
            "sha-256" => HashAlgorithm::Sha256,
            "sha-384" => HashAlgorithm::Sha384,
            "sha-512" => HashAlgorithm::Sha512,
            "md5" => HashAlgorithm::Md5,
            "md2" => HashAlgorithm::Md2,
            _ if crate::grammar::is_token(&lower) && lower.len() <= 32 => {
                HashAlgorithm::Other(lower)
            }
            _ => return Err("a hash function name such as `sha-256`"),
        })
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A certificate fingerprint: `a=fingerprint:<hash-func> <XX:XX:…>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// The hash function.
    pub algorithm: HashAlgorithm,
    /// The digest bytes.
    pub bytes: Vec<u8>,
}

impl Fingerprint {
    /// A fingerprint of `algorithm` with digest `bytes` (not checked against
    /// the algorithm's digest length).
    pub fn new(algorithm: HashAlgorithm, bytes: Vec<u8>) -> Self {
        Fingerprint { algorithm, bytes }
    }

    /// The digest alone: upper-case hex pairs joined by `:` (`AB:CD:…`).
    pub fn digest_hex(&self) -> String {
        let mut out = String::with_capacity(self.bytes.len() * 3);
        for (i, byte) in self.bytes.iter().enumerate() {
            if i > 0 {
                out.push(':');
            }
            out.push_str(&format!("{byte:02X}"));
        }
        out
    }

    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`<hash-func> <XX:XX:...>` with 1 to 64 hex byte pairs";
        let (name, hex) = crate::grammar::split_word(value).ok_or(EXPECTED)?;
        let algorithm = HashAlgorithm::parse(name)?;
        let mut bytes = Vec::new();
        for pair in hex.split(':') {
            if bytes.len() >= MAX_FINGERPRINT_BYTES
                || pair.len() != 2
                || !pair.bytes().all(|b| b.is_ascii_hexdigit())
            {
                return Err(EXPECTED);
            }
            bytes.push(u8::from_str_radix(pair, 16).map_err(|_| EXPECTED)?);
        }
        if let Some(len) = algorithm.digest_len() {
            if len != bytes.len() {
                return Err("as many hex byte pairs as the hash function's digest length");
            }
        }
        Ok(Fingerprint { algorithm, bytes })
    }
}

impl fmt::Display for Fingerprint {
    /// Writes `<hash-func> XX:XX:…` with upper-case hex, as browsers do.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.algorithm)?;
        for (i, byte) in self.bytes.iter().enumerate() {
            let sep = if i == 0 { ' ' } else { ':' };
            write!(f, "{sep}{byte:02X}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Fingerprint {
    type Err = crate::SdpError;

    /// Parses the value of an `a=fingerprint` attribute (`sha-256 AB:CD:…`),
    /// as [`crate::parse_fingerprint`] does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::parse_fingerprint(s)
    }
}

/// The DTLS role negotiation attribute `a=setup` (RFC 4145 §4, RFC 8842 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setup {
    /// `actpass`: the offerer lets the answerer choose.
    ActPass,
    /// `active`: this side is the DTLS client.
    Active,
    /// `passive`: this side is the DTLS server.
    Passive,
    /// `holdconn`: no connection now.
    HoldConn,
}

impl Setup {
    /// The SDP spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Setup::ActPass => "actpass",
            Setup::Active => "active",
            Setup::Passive => "passive",
            Setup::HoldConn => "holdconn",
        }
    }

    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        [
            Setup::ActPass,
            Setup::Active,
            Setup::Passive,
            Setup::HoldConn,
        ]
        .into_iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(value.trim()))
        .ok_or("actpass, active, passive or holdconn")
    }
}

impl fmt::Display for Setup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_agree_with_parsing_and_display() {
        let text = "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
        let fp: Fingerprint = text.parse().unwrap();
        assert_eq!(fp.to_string(), text);
        assert_eq!(format!("{} {}", fp.algorithm, fp.digest_hex()), text);
        assert_eq!(Fingerprint::new(fp.algorithm.clone(), fp.bytes.clone()), fp);
        assert!("sha-256 AB:CD".parse::<Fingerprint>().is_err());
        assert_eq!(HashAlgorithm::from_name("SHA-384"), HashAlgorithm::Sha384);
        assert_eq!(HashAlgorithm::from_name("md5"), HashAlgorithm::Md5);
        assert_eq!(
            HashAlgorithm::from_name("SHA-999"),
            HashAlgorithm::Other("sha-999".to_owned())
        );
        assert_eq!(
            Fingerprint::new(HashAlgorithm::Sha1, Vec::new()).digest_hex(),
            ""
        );
    }
}
