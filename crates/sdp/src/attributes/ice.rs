//! ICE attributes (RFC 8839 §5): `ice-ufrag`, `ice-pwd`, `ice-options`.

use std::fmt;

use crate::grammar::is_ice_char;

/// Longest `ice-ufrag` accepted (RFC 8839: `4*256ice-char`).
pub const MAX_ICE_UFRAG_LEN: usize = 256;
/// Longest `ice-pwd` accepted (RFC 8839: `22*256ice-char`).
pub const MAX_ICE_PWD_LEN: usize = 256;

/// Checks an `ice-ufrag` value: 4 to 256 ice-chars. Shorter values are
/// accepted down to 1 character: some peers write them and only the
/// credential check decides.
pub(crate) fn parse_ufrag(value: &str) -> Result<String, &'static str> {
    if value.is_empty() || value.len() > MAX_ICE_UFRAG_LEN || !value.bytes().all(is_ice_char) {
        return Err("1 to 256 characters of ALPHA, DIGIT, `+` or `/`");
    }
    Ok(value.to_owned())
}

/// Checks an `ice-pwd` value: up to 256 ice-chars (22 is the RFC minimum;
/// shorter ones are accepted, as libwebrtc does for legacy peers).
pub(crate) fn parse_pwd(value: &str) -> Result<String, &'static str> {
    if value.is_empty() || value.len() > MAX_ICE_PWD_LEN || !value.bytes().all(is_ice_char) {
        return Err("1 to 256 characters of ALPHA, DIGIT, `+` or `/`");
    }
    Ok(value.to_owned())
}

/// One `ice-options` tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IceOption {
    /// `trickle` (RFC 8840).
    Trickle,
    /// `ice2` (RFC 8445 §10).
    Ice2,
    /// `renomination` (libwebrtc, draft-thatcher-ice-renomination).
    Renomination,
    /// Any other tag, kept as written.
    Other(String),
}

impl IceOption {
    fn parse(tag: &str) -> Self {
        match tag {
            t if t.eq_ignore_ascii_case("trickle") => IceOption::Trickle,
            t if t.eq_ignore_ascii_case("ice2") => IceOption::Ice2,
            t if t.eq_ignore_ascii_case("renomination") => IceOption::Renomination,
            other => IceOption::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for IceOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IceOption::Trickle => "trickle",
            IceOption::Ice2 => "ice2",
            IceOption::Renomination => "renomination",
            IceOption::Other(tag) => tag,
        })
    }
}

/// Parses `ice-options` (`ice-option-tag *(SP ice-option-tag)`), at most 32
/// tags. Tags are accepted as tokens (a superset of `1*ice-char`), since
/// extension tags such as `x-…` appear in the wild; so is an empty list
/// (`a=ice-options:`, read as no options). Commas separate tags too:
/// libdatachannel writes `a=ice-options:ice2,trickle`.
pub(crate) fn parse_options(value: &str) -> Result<Vec<IceOption>, &'static str> {
    const EXPECTED: &str = "at most 32 option tags separated by spaces";
    let mut options = Vec::new();
    let tags = crate::grammar::words(value).flat_map(|w| w.split(',').filter(|t| !t.is_empty()));
    for tag in tags {
        if options.len() >= 32 || !crate::grammar::is_token(tag) {
            return Err(EXPECTED);
        }
        options.push(IceOption::parse(tag));
    }
    Ok(options)
}

/// Writes `ice-options` tags separated by spaces.
pub(crate) fn write_options(options: &[IceOption]) -> String {
    let tags: Vec<String> = options.iter().map(ToString::to_string).collect();
    tags.join(" ")
}
