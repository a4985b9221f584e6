//! Trickle ICE SDP fragments (RFC 8840 §4.4, `application/trickle-ice-sdpfrag`),
//! what a WHIP client PATCHes (RFC 9725 §4.3.1): the ICE credentials, then
//! per media section its `a=mid` and `a=candidate` lines, and
//! `a=end-of-candidates`.

use sansrtc::IceCandidateInit;

/// The most candidate lines one fragment may carry (a bound on what a
/// client can make the server do with one request).
pub const MAX_FRAGMENT_CANDIDATES: usize = 64;

/// What a fragment says.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SdpFrag {
    /// `a=ice-ufrag` (session level or first section).
    pub ufrag: Option<String>,
    /// `a=ice-pwd`.
    pub pwd: Option<String>,
    /// The candidates, each with the mid of the section it was under.
    pub candidates: Vec<IceCandidateInit>,
    /// `a=end-of-candidates` was present.
    pub end_of_candidates: bool,
}

/// Why a fragment was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdpFragError {
    /// A line that is not `x=value`.
    BadLine(String),
    /// More than [`MAX_FRAGMENT_CANDIDATES`] candidates.
    TooManyCandidates,
}

impl std::fmt::Display for SdpFragError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SdpFragError::BadLine(l) => write!(f, "not an SDP line: {l:?}"),
            SdpFragError::TooManyCandidates => {
                write!(f, "more than {MAX_FRAGMENT_CANDIDATES} candidates")
            }
        }
    }
}

impl SdpFrag {
    /// Parses a fragment; lines it does not know (`m=`, `a=ice-options`,
    /// …) are skipped, as RFC 8840 lets a receiver do.
    pub fn parse(text: &str) -> Result<SdpFrag, SdpFragError> {
        let mut frag = SdpFrag::default();
        let mut mid: Option<String> = None;
        let mut m_line_index: Option<u16> = None;
        for line in text.lines().map(str::trim_end).filter(|l| !l.is_empty()) {
            let bytes = line.as_bytes();
            if bytes.len() < 2 || bytes[1] != b'=' {
                return Err(SdpFragError::BadLine(line.chars().take(80).collect()));
            }
            if line.starts_with("m=") {
                m_line_index = Some(m_line_index.map_or(0, |i| i.saturating_add(1)));
                mid = None;
            } else if let Some(v) = line.strip_prefix("a=mid:") {
                mid = Some(v.to_string());
            } else if let Some(v) = line.strip_prefix("a=ice-ufrag:") {
                frag.ufrag.get_or_insert_with(|| v.to_string());
            } else if let Some(v) = line.strip_prefix("a=ice-pwd:") {
                frag.pwd.get_or_insert_with(|| v.to_string());
            } else if let Some(v) = line.strip_prefix("a=") {
                if v.starts_with("candidate:") {
                    if frag.candidates.len() >= MAX_FRAGMENT_CANDIDATES {
                        return Err(SdpFragError::TooManyCandidates);
                    }
                    frag.candidates.push(IceCandidateInit {
                        candidate: v.to_string(),
                        sdp_mid: mid.clone(),
                        sdp_m_line_index: m_line_index.or(Some(0)),
                        username_fragment: frag.ufrag.clone(),
                    });
                } else if v == "end-of-candidates" {
                    frag.end_of_candidates = true;
                }
            }
        }
        Ok(frag)
    }

    /// Writes a fragment for `candidates` of one section `mid`.
    pub fn write(ufrag: &str, pwd: &str, mid: &str, candidates: &[String], end: bool) -> String {
        let mut out = format!(
            "a=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\nm=audio 9 RTP/AVP 0\r\na=mid:{mid}\r\n"
        );
        for c in candidates {
            let c = c.strip_prefix("a=").unwrap_or(c);
            out.push_str(&format!("a={c}\r\n"));
        }
        if end {
            out.push_str("a=end-of-candidates\r\n");
        }
        out
    }
}
