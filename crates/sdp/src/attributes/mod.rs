//! The WebRTC attributes as types, parsed from and written back to raw
//! [`Attribute`]s. Attribute names are matched without regard to ASCII case.

pub mod dtls;
pub mod ice;
pub mod rtp;
pub mod sctp;
pub mod streams;

use crate::candidate::Candidate;
use crate::candidate_error::CandidateError;
use crate::grammar::is_vchar;
use crate::lines::Attribute;

pub use dtls::{Fingerprint, HashAlgorithm, Setup};
pub use ice::IceOption;
pub use rtp::{Direction, Extmap, Fmtp, Rtcp, RtcpFb, Rtpmap};
pub use sctp::Sctpmap;
pub use streams::{Group, Msid, Rid, RidDirection, Simulcast, SimulcastStream, Ssrc, SsrcGroup};

/// `a=msid-semantic:<semantic> <ids>` (legacy, written by Chromium and
/// aiortc; `WMS *` or `WMS <stream id>…`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MsidSemantic {
    /// The semantic token (`WMS`).
    pub semantic: String,
    /// The ids after it.
    pub ids: Vec<String>,
}

/// A WebRTC attribute this crate understands.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebRtcAttribute {
    /// `a=mid` (RFC 5888 §4).
    Mid(String),
    /// `a=group` (RFC 5888 §5).
    Group(Group),
    /// `a=bundle-only` (RFC 8843 §6).
    BundleOnly,
    /// `a=ice-ufrag`.
    IceUfrag(String),
    /// `a=ice-pwd`.
    IcePwd(String),
    /// `a=ice-options`.
    IceOptions(Vec<IceOption>),
    /// `a=ice-lite`.
    IceLite,
    /// `a=fingerprint`.
    Fingerprint(Fingerprint),
    /// `a=setup`.
    Setup(Setup),
    /// `a=rtcp-mux` (RFC 5761).
    RtcpMux,
    /// `a=rtcp-mux-only` (RFC 8858).
    RtcpMuxOnly,
    /// `a=rtcp-rsize` (RFC 5506).
    RtcpRsize,
    /// `a=rtcp` (RFC 3605).
    Rtcp(Rtcp),
    /// `a=candidate`.
    Candidate(Candidate),
    /// `a=end-of-candidates` (RFC 8840).
    EndOfCandidates,
    /// `a=sendrecv` / `sendonly` / `recvonly` / `inactive`.
    Direction(Direction),
    /// `a=msid`.
    Msid(Msid),
    /// `a=msid-semantic` (legacy).
    MsidSemantic(MsidSemantic),
    /// `a=ssrc`.
    Ssrc(Ssrc),
    /// `a=ssrc-group`.
    SsrcGroup(SsrcGroup),
    /// `a=rid`.
    Rid(Rid),
    /// `a=simulcast`.
    Simulcast(Simulcast),
    /// `a=extmap`.
    Extmap(Extmap),
    /// `a=extmap-allow-mixed` (RFC 8285 §6).
    ExtmapAllowMixed,
    /// `a=rtpmap`.
    Rtpmap(Rtpmap),
    /// `a=fmtp`.
    Fmtp(Fmtp),
    /// `a=rtcp-fb`.
    RtcpFb(RtcpFb),
    /// `a=sctp-port`.
    SctpPort(u16),
    /// `a=max-message-size`.
    MaxMessageSize(u64),
    /// `a=sctpmap` (legacy).
    Sctpmap(Sctpmap),
    /// `a=identity` (RFC 8827 §5), the assertion kept as written.
    Identity(String),
}

/// Why a known attribute was refused: its canonical name and what its
/// grammar expects, or the candidate error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeError {
    /// The value does not follow the attribute's grammar.
    Invalid {
        /// The attribute's name.
        name: &'static str,
        /// What was expected.
        expected: &'static str,
    },
    /// An `a=candidate` was refused.
    Candidate(CandidateError),
}

const FLAGS: &[(&str, WebRtcAttribute)] = &[
    ("bundle-only", WebRtcAttribute::BundleOnly),
    ("ice-lite", WebRtcAttribute::IceLite),
    ("rtcp-mux", WebRtcAttribute::RtcpMux),
    ("rtcp-mux-only", WebRtcAttribute::RtcpMuxOnly),
    ("rtcp-rsize", WebRtcAttribute::RtcpRsize),
    ("end-of-candidates", WebRtcAttribute::EndOfCandidates),
    ("extmap-allow-mixed", WebRtcAttribute::ExtmapAllowMixed),
];

/// The canonical names of the value attributes, matched case-insensitively.
const VALUE_NAMES: &[&str] = &[
    "mid",
    "group",
    "ice-ufrag",
    "ice-pwd",
    "ice-options",
    "fingerprint",
    "setup",
    "rtcp",
    "candidate",
    "msid",
    "msid-semantic",
    "ssrc",
    "ssrc-group",
    "rid",
    "simulcast",
    "extmap",
    "rtpmap",
    "fmtp",
    "rtcp-fb",
    "sctp-port",
    "max-message-size",
    "sctpmap",
    "identity",
];

/// The registered spelling of an attribute name this crate types, matched
/// without regard to ASCII case (`MID` → `mid`).
pub(crate) fn canonical_name(name: &str) -> Option<&'static str> {
    rtp::Direction::parse(name)
        .map(rtp::Direction::as_str)
        .or_else(|| {
            FLAGS
                .iter()
                .map(|(n, _)| *n)
                .find(|n| n.eq_ignore_ascii_case(name))
        })
        .or_else(|| {
            VALUE_NAMES
                .iter()
                .copied()
                .find(|n| n.eq_ignore_ascii_case(name))
        })
}

fn parse_mid(value: &str) -> Result<String, &'static str> {
    if value.is_empty() || value.len() > 255 || !value.bytes().all(is_vchar) {
        return Err("1 to 255 visible characters");
    }
    Ok(value.to_owned())
}

fn parse_msid_semantic(value: &str) -> Result<MsidSemantic, &'static str> {
    let mut words = crate::grammar::words(value);
    let semantic = words.next().ok_or("`<semantic> [<id> ...]`")?;
    Ok(MsidSemantic {
        semantic: semantic.to_owned(),
        ids: words.take(256).map(str::to_owned).collect(),
    })
}

impl WebRtcAttribute {
    /// Parses a raw attribute. `Ok(None)` means the attribute is not one this
    /// crate types (it stays in the raw description untouched).
    pub fn parse(attribute: &Attribute) -> Result<Option<Self>, AttributeError> {
        if let Some(dir) = rtp::Direction::parse(&attribute.name) {
            return Ok(Some(WebRtcAttribute::Direction(dir)));
        }
        if let Some((_, flag)) = FLAGS.iter().find(|(n, _)| attribute.is(n)) {
            return Ok(Some(flag.clone()));
        }
        let Some(&name) = VALUE_NAMES.iter().find(|n| attribute.is(n)) else {
            return Ok(None);
        };
        let value = attribute.value.as_deref().unwrap_or("");
        let invalid = |expected| AttributeError::Invalid { name, expected };
        let parsed = match name {
            "mid" => WebRtcAttribute::Mid(parse_mid(value).map_err(invalid)?),
            "group" => WebRtcAttribute::Group(Group::parse(value).map_err(invalid)?),
            "ice-ufrag" => WebRtcAttribute::IceUfrag(ice::parse_ufrag(value).map_err(invalid)?),
            "ice-pwd" => WebRtcAttribute::IcePwd(ice::parse_pwd(value).map_err(invalid)?),
            "ice-options" => {
                WebRtcAttribute::IceOptions(ice::parse_options(value).map_err(invalid)?)
            }
            "fingerprint" => {
                WebRtcAttribute::Fingerprint(Fingerprint::parse(value).map_err(invalid)?)
            }
            "setup" => WebRtcAttribute::Setup(Setup::parse(value).map_err(invalid)?),
            "rtcp" => WebRtcAttribute::Rtcp(Rtcp::parse(value).map_err(invalid)?),
            "candidate" => WebRtcAttribute::Candidate(
                Candidate::parse_value(value).map_err(AttributeError::Candidate)?,
            ),
            "msid" => WebRtcAttribute::Msid(Msid::parse(value).map_err(invalid)?),
            "msid-semantic" => {
                WebRtcAttribute::MsidSemantic(parse_msid_semantic(value).map_err(invalid)?)
            }
            "ssrc" => WebRtcAttribute::Ssrc(Ssrc::parse(value).map_err(invalid)?),
            "ssrc-group" => WebRtcAttribute::SsrcGroup(SsrcGroup::parse(value).map_err(invalid)?),
            "rid" => WebRtcAttribute::Rid(Rid::parse(value).map_err(invalid)?),
            "simulcast" => WebRtcAttribute::Simulcast(Simulcast::parse(value).map_err(invalid)?),
            "extmap" => WebRtcAttribute::Extmap(Extmap::parse(value).map_err(invalid)?),
            "rtpmap" => WebRtcAttribute::Rtpmap(Rtpmap::parse(value).map_err(invalid)?),
            "fmtp" => WebRtcAttribute::Fmtp(Fmtp::parse(value).map_err(invalid)?),
            "rtcp-fb" => WebRtcAttribute::RtcpFb(RtcpFb::parse(value).map_err(invalid)?),
            "sctp-port" => {
                WebRtcAttribute::SctpPort(sctp::parse_sctp_port(value).map_err(invalid)?)
            }
            "max-message-size" => WebRtcAttribute::MaxMessageSize(
                sctp::parse_max_message_size(value).map_err(invalid)?,
            ),
            "sctpmap" => WebRtcAttribute::Sctpmap(Sctpmap::parse(value).map_err(invalid)?),
            _ => {
                if value.is_empty() {
                    return Err(invalid("an identity assertion"));
                }
                WebRtcAttribute::Identity(value.to_owned())
            }
        };
        Ok(Some(parsed))
    }

    /// The raw attribute this writes as (canonical name, canonical value).
    pub fn to_attribute(&self) -> Attribute {
        use WebRtcAttribute as A;
        let (name, value): (&str, Option<String>) = match self {
            A::Mid(mid) => ("mid", Some(mid.clone())),
            A::Group(g) => ("group", Some(g.to_string())),
            A::BundleOnly => ("bundle-only", None),
            A::IceUfrag(u) => ("ice-ufrag", Some(u.clone())),
            A::IcePwd(p) => ("ice-pwd", Some(p.clone())),
            A::IceOptions(o) => (
                "ice-options",
                (!o.is_empty()).then(|| ice::write_options(o)),
            ),
            A::IceLite => ("ice-lite", None),
            A::Fingerprint(fp) => ("fingerprint", Some(fp.to_string())),
            A::Setup(s) => ("setup", Some(s.to_string())),
            A::RtcpMux => ("rtcp-mux", None),
            A::RtcpMuxOnly => ("rtcp-mux-only", None),
            A::RtcpRsize => ("rtcp-rsize", None),
            A::Rtcp(r) => ("rtcp", Some(r.to_string())),
            A::Candidate(c) => {
                let mut value = String::new();
                // Writing into a String cannot fail.
                let _ = c.write_value(&mut value);
                ("candidate", Some(value))
            }
            A::EndOfCandidates => ("end-of-candidates", None),
            A::Direction(d) => (d.as_str(), None),
            A::Msid(m) => ("msid", Some(m.to_string())),
            A::MsidSemantic(m) => {
                let mut value = m.semantic.clone();
                for id in &m.ids {
                    value.push(' ');
                    value.push_str(id);
                }
                ("msid-semantic", Some(value))
            }
            A::Ssrc(s) => ("ssrc", Some(s.to_string())),
            A::SsrcGroup(g) => ("ssrc-group", Some(g.to_string())),
            A::Rid(r) => ("rid", Some(r.to_string())),
            A::Simulcast(s) => ("simulcast", Some(s.to_string())),
            A::Extmap(e) => ("extmap", Some(e.to_string())),
            A::ExtmapAllowMixed => ("extmap-allow-mixed", None),
            A::Rtpmap(r) => ("rtpmap", Some(r.to_string())),
            A::Fmtp(f) => ("fmtp", Some(f.to_string())),
            A::RtcpFb(r) => ("rtcp-fb", Some(r.to_string())),
            A::SctpPort(p) => ("sctp-port", Some(p.to_string())),
            A::MaxMessageSize(s) => ("max-message-size", Some(s.to_string())),
            A::Sctpmap(s) => ("sctpmap", Some(s.to_string())),
            A::Identity(i) => ("identity", Some(i.clone())),
        };
        Attribute {
            name: name.to_owned(),
            value,
        }
    }
}

impl From<WebRtcAttribute> for Attribute {
    fn from(a: WebRtcAttribute) -> Self {
        a.to_attribute()
    }
}
