//! The typed WebRTC view of a session description: what JSEP and the peer
//! connection read (transport parameters, mids, bundle groups, candidates,
//! codecs), built from the raw lines. Unknown attributes are ignored here
//! and stay in the raw description.

use crate::attributes::{
    AttributeError, Direction, Extmap, Fingerprint, Group, IceOption, Msid, MsidSemantic, Rid,
    Rtcp, RtcpFb, Sctpmap, Setup, Simulcast, Ssrc, SsrcGroup, WebRtcAttribute,
};
use crate::candidate::Candidate;
use crate::description::{MediaSection, SessionDescription};
use crate::error::SdpError;
use crate::lines::{Line, Origin};

/// The session-level WebRTC attributes and every media section's view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    /// The `o=` line.
    pub origin: Origin,
    /// `a=ice-lite`.
    pub ice_lite: bool,
    /// Session-level `a=ice-ufrag`.
    pub ice_ufrag: Option<String>,
    /// Session-level `a=ice-pwd`.
    pub ice_pwd: Option<String>,
    /// Session-level `a=ice-options`.
    pub ice_options: Vec<IceOption>,
    /// Session-level `a=fingerprint`s.
    pub fingerprints: Vec<Fingerprint>,
    /// Session-level `a=setup`.
    pub setup: Option<Setup>,
    /// `a=group` lines.
    pub groups: Vec<Group>,
    /// Session-level `a=extmap-allow-mixed`.
    pub extmap_allow_mixed: bool,
    /// Session-level `a=extmap`s.
    pub extmaps: Vec<Extmap>,
    /// Session-level direction.
    pub direction: Option<Direction>,
    /// `a=identity`.
    pub identity: Option<String>,
    /// `a=msid-semantic` (legacy).
    pub msid_semantic: Option<MsidSemantic>,
    /// The media sections, in order.
    pub media: Vec<MediaView>,
}

/// One codec of an RTP media section: its `rtpmap`, `fmtp` and `rtcp-fb`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codec {
    /// Payload type.
    pub payload_type: u8,
    /// Encoding name as written.
    pub encoding: String,
    /// Clock rate in Hz.
    pub clock_rate: u32,
    /// Channels (audio).
    pub channels: Option<u16>,
    /// Format parameters, as written.
    pub fmtp: Option<String>,
    /// Feedback for this payload type (including `*` entries).
    pub feedback: Vec<RtcpFb>,
}

/// The WebRTC attributes of one media section.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MediaView {
    /// `m=` media: `audio`, `video`, `application`.
    pub kind: String,
    /// `m=` port.
    pub port: u16,
    /// `m=` proto.
    pub proto: String,
    /// `m=` formats.
    pub formats: Vec<String>,
    /// `a=mid`.
    pub mid: Option<String>,
    /// `a=bundle-only`.
    pub bundle_only: bool,
    /// `a=ice-ufrag`.
    pub ice_ufrag: Option<String>,
    /// `a=ice-pwd`.
    pub ice_pwd: Option<String>,
    /// `a=ice-options`.
    pub ice_options: Vec<IceOption>,
    /// `a=fingerprint`s.
    pub fingerprints: Vec<Fingerprint>,
    /// `a=setup`.
    pub setup: Option<Setup>,
    /// `a=rtcp-mux`.
    pub rtcp_mux: bool,
    /// `a=rtcp-mux-only`.
    pub rtcp_mux_only: bool,
    /// `a=rtcp-rsize`.
    pub rtcp_rsize: bool,
    /// `a=rtcp`.
    pub rtcp: Option<Rtcp>,
    /// `a=candidate`s.
    pub candidates: Vec<Candidate>,
    /// `a=end-of-candidates`.
    pub end_of_candidates: bool,
    /// Direction attribute, if written.
    pub direction: Option<Direction>,
    /// `a=msid`s.
    pub msids: Vec<Msid>,
    /// `a=ssrc`s.
    pub ssrcs: Vec<Ssrc>,
    /// `a=ssrc-group`s.
    pub ssrc_groups: Vec<SsrcGroup>,
    /// `a=rid`s.
    pub rids: Vec<Rid>,
    /// `a=simulcast`.
    pub simulcast: Option<Simulcast>,
    /// `a=extmap`s.
    pub extmaps: Vec<Extmap>,
    /// `a=extmap-allow-mixed`.
    pub extmap_allow_mixed: bool,
    /// Codecs, in `m=` line order (RTP sections).
    pub codecs: Vec<Codec>,
    /// `a=sctp-port`.
    pub sctp_port: Option<u16>,
    /// `a=max-message-size`.
    pub max_message_size: Option<u64>,
    /// `a=sctpmap` (legacy).
    pub sctpmap: Option<Sctpmap>,
}

impl SessionView {
    /// Builds the view, checking every known attribute's grammar.
    pub fn new(description: &SessionDescription) -> Result<Self, SdpError> {
        let origin = description
            .origin()
            .cloned()
            .ok_or(SdpError::MissingOrigin)?;
        let mut view = SessionView {
            origin,
            ice_lite: false,
            ice_ufrag: None,
            ice_pwd: None,
            ice_options: Vec::new(),
            fingerprints: Vec::new(),
            setup: None,
            groups: Vec::new(),
            extmap_allow_mixed: false,
            extmaps: Vec::new(),
            direction: None,
            identity: None,
            msid_semantic: None,
            media: Vec::new(),
        };
        for (index, line) in description.session.iter().enumerate() {
            let Line::Attribute(attribute) = line else {
                continue;
            };
            let number = index + 1;
            let Some(parsed) = typed(attribute, number)? else {
                continue;
            };
            use WebRtcAttribute as A;
            match parsed {
                A::IceLite => view.ice_lite = true,
                A::IceUfrag(u) => set_once(&mut view.ice_ufrag, u, number, "ice-ufrag")?,
                A::IcePwd(p) => set_once(&mut view.ice_pwd, p, number, "ice-pwd")?,
                A::IceOptions(o) => view.ice_options.extend(o),
                A::Fingerprint(f) => view.fingerprints.push(f),
                A::Setup(s) => set_once(&mut view.setup, s, number, "setup")?,
                A::Group(g) => view.groups.push(g),
                A::ExtmapAllowMixed => view.extmap_allow_mixed = true,
                A::Extmap(e) => view.extmaps.push(e),
                A::Direction(d) => set_once(&mut view.direction, d, number, "direction")?,
                A::Identity(i) => set_once(&mut view.identity, i, number, "identity")?,
                A::MsidSemantic(m) => view.msid_semantic = Some(m),
                _ => {}
            }
        }
        for (index, section) in description.media.iter().enumerate() {
            let first_line = description.media_line_number(index);
            let media = media_view(section, first_line)?;
            if let Some(mid) = &media.mid {
                if view.media.iter().any(|m| m.mid.as_ref() == Some(mid)) {
                    return Err(SdpError::InvalidAttribute {
                        line: first_line,
                        name: "mid",
                        expected: "a mid not used by another media section",
                    });
                }
            }
            view.media.push(media);
        }
        Ok(view)
    }

    /// The first `BUNDLE` group, if any.
    pub fn bundle_group(&self) -> Option<&Group> {
        self.groups.iter().find(|g| g.is_bundle())
    }

    /// The ICE ufrag that applies to media section `index` (its own, or the
    /// session's).
    pub fn ice_ufrag_for(&self, index: usize) -> Option<&str> {
        let media = self.media.get(index)?;
        media.ice_ufrag.as_deref().or(self.ice_ufrag.as_deref())
    }

    /// The ICE password that applies to media section `index`.
    pub fn ice_pwd_for(&self, index: usize) -> Option<&str> {
        let media = self.media.get(index)?;
        media.ice_pwd.as_deref().or(self.ice_pwd.as_deref())
    }

    /// The fingerprints that apply to media section `index`.
    pub fn fingerprints_for(&self, index: usize) -> &[Fingerprint] {
        match self.media.get(index) {
            Some(m) if !m.fingerprints.is_empty() => &m.fingerprints,
            _ => &self.fingerprints,
        }
    }

    /// The `a=setup` that applies to media section `index`.
    pub fn setup_for(&self, index: usize) -> Option<Setup> {
        self.media.get(index)?.setup.or(self.setup)
    }
}

impl MediaView {
    /// Whether the section is rejected: port 0 without `a=bundle-only`
    /// (RFC 3264 §6, RFC 8843 §6).
    pub fn is_rejected(&self) -> bool {
        self.port == 0 && !self.bundle_only
    }

    /// Whether this is a data channel section (`UDP/DTLS/SCTP`,
    /// `TCP/DTLS/SCTP` or the legacy `DTLS/SCTP`).
    pub fn is_data_channel(&self) -> bool {
        self.kind.eq_ignore_ascii_case("application")
            && self.proto.to_ascii_uppercase().ends_with("DTLS/SCTP")
    }

    /// The direction, `sendrecv` when none is written (RFC 8866 §6.7).
    pub fn direction_or_default(&self) -> Direction {
        self.direction.unwrap_or(Direction::SendRecv)
    }

    /// The codec with this payload type.
    pub fn codec(&self, payload_type: u8) -> Option<&Codec> {
        self.codecs.iter().find(|c| c.payload_type == payload_type)
    }
}

fn typed(
    attribute: &crate::lines::Attribute,
    line: usize,
) -> Result<Option<WebRtcAttribute>, SdpError> {
    WebRtcAttribute::parse(attribute).map_err(|e| match e {
        AttributeError::Invalid { name, expected } => SdpError::InvalidAttribute {
            line,
            name,
            expected,
        },
        AttributeError::Candidate(source) => SdpError::Candidate { line, source },
    })
}

fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    line: usize,
    name: &'static str,
) -> Result<(), SdpError> {
    if slot.is_some() {
        return Err(SdpError::InvalidAttribute {
            line,
            name,
            expected: "at most one such attribute in a section",
        });
    }
    *slot = Some(value);
    Ok(())
}

/// Static payload types a WebRTC peer may list without an `rtpmap`
/// (RFC 3551 §6).
fn static_payload(pt: u8) -> Option<(&'static str, u32, Option<u16>)> {
    match pt {
        0 => Some(("PCMU", 8000, Some(1))),
        8 => Some(("PCMA", 8000, Some(1))),
        9 => Some(("G722", 8000, Some(1))),
        13 => Some(("CN", 8000, Some(1))),
        _ => None,
    }
}

fn media_view(section: &MediaSection, first_line: usize) -> Result<MediaView, SdpError> {
    let m = &section.media_line;
    let mut view = MediaView {
        kind: m.media.clone(),
        port: m.port,
        proto: m.proto.clone(),
        formats: m.formats.clone(),
        ..MediaView::default()
    };
    let mut rtpmaps = Vec::new();
    let mut fmtps = Vec::new();
    let mut feedback = Vec::new();
    for (offset, line) in section.lines.iter().enumerate() {
        let Line::Attribute(attribute) = line else {
            continue;
        };
        let number = first_line + 1 + offset;
        let Some(parsed) = typed(attribute, number)? else {
            continue;
        };
        use WebRtcAttribute as A;
        match parsed {
            A::Mid(mid) => set_once(&mut view.mid, mid, number, "mid")?,
            A::BundleOnly => view.bundle_only = true,
            A::IceUfrag(u) => set_once(&mut view.ice_ufrag, u, number, "ice-ufrag")?,
            A::IcePwd(p) => set_once(&mut view.ice_pwd, p, number, "ice-pwd")?,
            A::IceOptions(o) => view.ice_options.extend(o),
            A::Fingerprint(f) => view.fingerprints.push(f),
            A::Setup(s) => set_once(&mut view.setup, s, number, "setup")?,
            A::RtcpMux => view.rtcp_mux = true,
            A::RtcpMuxOnly => view.rtcp_mux_only = true,
            A::RtcpRsize => view.rtcp_rsize = true,
            A::Rtcp(r) => set_once(&mut view.rtcp, r, number, "rtcp")?,
            A::Candidate(c) => view.candidates.push(c),
            A::EndOfCandidates => view.end_of_candidates = true,
            A::Direction(d) => set_once(&mut view.direction, d, number, "direction")?,
            A::Msid(msid) => view.msids.push(msid),
            A::Ssrc(s) => view.ssrcs.push(s),
            A::SsrcGroup(g) => view.ssrc_groups.push(g),
            A::Rid(r) => view.rids.push(r),
            A::Simulcast(s) => set_once(&mut view.simulcast, s, number, "simulcast")?,
            A::Extmap(e) => view.extmaps.push(e),
            A::ExtmapAllowMixed => view.extmap_allow_mixed = true,
            A::Rtpmap(r) => rtpmaps.push(r),
            A::Fmtp(f) => fmtps.push(f),
            A::RtcpFb(f) => feedback.push(f),
            A::SctpPort(p) => set_once(&mut view.sctp_port, p, number, "sctp-port")?,
            A::MaxMessageSize(s) => {
                set_once(&mut view.max_message_size, s, number, "max-message-size")?
            }
            A::Sctpmap(s) => set_once(&mut view.sctpmap, s, number, "sctpmap")?,
            _ => {}
        }
    }
    for format in &m.formats {
        let Ok(pt) = format.parse::<u8>() else {
            continue;
        };
        let (encoding, clock_rate, channels) = match rtpmaps.iter().find(|r| r.payload_type == pt) {
            Some(r) => (r.encoding.clone(), r.clock_rate, r.channels),
            None => match static_payload(pt) {
                Some((name, rate, channels)) => (name.to_owned(), rate, channels),
                None => continue,
            },
        };
        view.codecs.push(Codec {
            payload_type: pt,
            encoding,
            clock_rate,
            channels,
            fmtp: fmtps
                .iter()
                .find(|f| f.payload_type() == Some(pt))
                .map(|f| f.params.clone()),
            feedback: feedback
                .iter()
                .filter(|f| f.payload_type.map_or(true, |p| p == pt))
                .cloned()
                .collect(),
        });
    }
    Ok(view)
}
