//! Grouping and stream attributes: `group` (RFC 5888, RFC 8843 BUNDLE),
//! `msid` (RFC 8830), `msid-semantic` (legacy), `ssrc` and `ssrc-group`
//! (RFC 5576), `rid` (RFC 8851) and `simulcast` (RFC 8853).

use std::fmt;

use crate::grammar::{is_token, parse_decimal, split_word};

/// Most identifiers accepted in one `group`, `ssrc-group` or `simulcast` list.
pub const MAX_LIST_ITEMS: usize = 256;

/// `a=group:<semantics> <mid> …` (RFC 5888 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    /// The semantics: `BUNDLE`, `LS`, `FID`, …
    pub semantics: String,
    /// The identification tags (mids), in order.
    pub mids: Vec<String>,
}

impl Group {
    /// A `BUNDLE` group.
    pub fn bundle<S: AsRef<str>>(mids: &[S]) -> Self {
        Group {
            semantics: "BUNDLE".into(),
            mids: mids.iter().map(|m| m.as_ref().to_owned()).collect(),
        }
    }

    /// Whether this is a `BUNDLE` group (ASCII case ignored).
    pub fn is_bundle(&self) -> bool {
        self.semantics.eq_ignore_ascii_case("BUNDLE")
    }

    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`<semantics> <mid> ...`";
        let mut words = crate::grammar::words(value);
        let semantics = words.next().filter(|s| is_token(s)).ok_or(EXPECTED)?;
        let mut mids = Vec::new();
        for mid in words {
            if mids.len() >= MAX_LIST_ITEMS || !is_token(mid) {
                return Err(EXPECTED);
            }
            mids.push(mid.to_owned());
        }
        Ok(Group {
            semantics: semantics.to_owned(),
            mids,
        })
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.semantics)?;
        for mid in &self.mids {
            write!(f, " {mid}")?;
        }
        Ok(())
    }
}

/// `a=msid:<stream id> [<track id>]` (RFC 8830 §2). A stream id of `-`
/// means the track belongs to no stream.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Msid {
    /// The MediaStream id.
    pub stream_id: String,
    /// The application data (track id), if given.
    pub track_id: Option<String>,
}

impl Msid {
    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`<stream id> [<track id>]`";
        let mut words = crate::grammar::words(value);
        let stream_id = words.next().ok_or(EXPECTED)?;
        let track_id = words.next().map(str::to_owned);
        if words.next().is_some() || stream_id.len() > 64 {
            return Err(EXPECTED);
        }
        Ok(Msid {
            stream_id: stream_id.to_owned(),
            track_id,
        })
    }
}

impl fmt::Display for Msid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.stream_id)?;
        if let Some(track) = &self.track_id {
            write!(f, " {track}")?;
        }
        Ok(())
    }
}

/// `a=ssrc:<ssrc> <attribute>[:<value>]` (RFC 5576 §4.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ssrc {
    /// The SSRC.
    pub ssrc: u32,
    /// The source attribute name (`cname`, `msid`, …).
    pub attribute: String,
    /// Its value, kept as written.
    pub value: Option<String>,
}

impl Ssrc {
    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`<ssrc> <attribute>[:<value>]`";
        let (ssrc, rest) = split_word(value).ok_or(EXPECTED)?;
        let ssrc = parse_decimal(ssrc, 10).ok_or("an SSRC from 0 to 4294967295")?;
        let (attribute, value) = match rest.split_once(':') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (rest, None),
        };
        if !is_token(attribute) {
            return Err(EXPECTED);
        }
        Ok(Ssrc {
            ssrc,
            attribute: attribute.to_owned(),
            value,
        })
    }
}

impl fmt::Display for Ssrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.ssrc, self.attribute)?;
        if let Some(value) = &self.value {
            write!(f, ":{value}")?;
        }
        Ok(())
    }
}

/// `a=ssrc-group:<semantics> <ssrc> …` (RFC 5576 §4.2): `FID` pairs a
/// stream with its RTX stream, `SIM` lists simulcast layers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SsrcGroup {
    /// `FID`, `SIM`, `FEC-FR`, …
    pub semantics: String,
    /// The SSRCs, in order.
    pub ssrcs: Vec<u32>,
}

impl SsrcGroup {
    /// Whether the semantics is `FID` (RTX pairing).
    pub fn is_fid(&self) -> bool {
        self.semantics.eq_ignore_ascii_case("FID")
    }

    /// Whether the semantics is `SIM` (simulcast layers).
    pub fn is_sim(&self) -> bool {
        self.semantics.eq_ignore_ascii_case("SIM")
    }

    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`<semantics> <ssrc> ...`";
        let mut words = crate::grammar::words(value);
        let semantics = words.next().filter(|s| is_token(s)).ok_or(EXPECTED)?;
        let mut ssrcs = Vec::new();
        for ssrc in words {
            if ssrcs.len() >= MAX_LIST_ITEMS {
                return Err(EXPECTED);
            }
            ssrcs.push(parse_decimal(ssrc, 10).ok_or("SSRCs from 0 to 4294967295")?);
        }
        if ssrcs.is_empty() {
            return Err(EXPECTED);
        }
        Ok(SsrcGroup {
            semantics: semantics.to_owned(),
            ssrcs,
        })
    }
}

impl fmt::Display for SsrcGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.semantics)?;
        for ssrc in &self.ssrcs {
            write!(f, " {ssrc}")?;
        }
        Ok(())
    }
}

/// Whether a `rid` sends or receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RidDirection {
    /// `send`.
    Send,
    /// `recv`.
    Recv,
}

impl RidDirection {
    fn as_str(self) -> &'static str {
        match self {
            RidDirection::Send => "send",
            RidDirection::Recv => "recv",
        }
    }
}

fn is_rid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `a=rid:<rid-id> <send|recv> [<restrictions>]` (RFC 8851 §10).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rid {
    /// The RTP stream id.
    pub id: String,
    /// Direction.
    pub direction: RidDirection,
    /// Payload types and restrictions (`pt=96,97;max-width=1280`), as written.
    pub restrictions: Option<String>,
}

impl Rid {
    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`<rid-id> <send|recv> [<restrictions>]`";
        let (id, rest) = split_word(value).ok_or(EXPECTED)?;
        if !is_rid_id(id) {
            return Err(EXPECTED);
        }
        let (direction, restrictions) = match split_word(rest) {
            Some((direction, restrictions)) => (direction, Some(restrictions.to_owned())),
            None => (rest, None),
        };
        let direction = match direction {
            d if d.eq_ignore_ascii_case("send") => RidDirection::Send,
            d if d.eq_ignore_ascii_case("recv") => RidDirection::Recv,
            _ => return Err(EXPECTED),
        };
        Ok(Rid {
            id: id.to_owned(),
            direction,
            restrictions,
        })
    }
}

impl fmt::Display for Rid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id, self.direction.as_str())?;
        if let Some(r) = &self.restrictions {
            write!(f, " {r}")?;
        }
        Ok(())
    }
}

/// One stream in a `simulcast` list; `~` marks it paused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimulcastStream {
    /// The rid.
    pub rid: String,
    /// Whether it starts paused (`~`).
    pub paused: bool,
}

/// `a=simulcast:<send|recv> <list> [<recv|send> <list>]` (RFC 8853 §5.1).
/// Each list is `;`-separated streams, each with `,`-separated alternatives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Simulcast {
    /// Streams sent, each a list of alternative rids.
    pub send: Vec<Vec<SimulcastStream>>,
    /// Streams received.
    pub recv: Vec<Vec<SimulcastStream>>,
    /// Whether `recv` was written before `send`.
    pub recv_first: bool,
}

impl Simulcast {
    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`send <rid>[;<rid>] [recv <rid>...]` or `recv ...`";
        let words: Vec<&str> = crate::grammar::words(value).take(5).collect();
        let mut simulcast = Simulcast {
            send: Vec::new(),
            recv: Vec::new(),
            recv_first: false,
        };
        let (first, rest) = match words.as_slice() {
            [d, list] => ((d, list), None),
            [d1, l1, d2, l2] => ((d1, l1), Some((d2, l2))),
            _ => return Err(EXPECTED),
        };
        let mut seen_send = false;
        let mut seen_recv = false;
        for (i, (dir, list)) in std::iter::once(first).chain(rest).enumerate() {
            let streams = parse_simulcast_list(list).ok_or(EXPECTED)?;
            if dir.eq_ignore_ascii_case("send") && !seen_send {
                seen_send = true;
                simulcast.send = streams;
            } else if dir.eq_ignore_ascii_case("recv") && !seen_recv {
                seen_recv = true;
                simulcast.recv = streams;
                simulcast.recv_first = i == 0;
            } else {
                return Err(EXPECTED);
            }
        }
        Ok(simulcast)
    }
}

fn parse_simulcast_list(list: &str) -> Option<Vec<Vec<SimulcastStream>>> {
    let mut streams = Vec::new();
    let mut count = 0;
    for alternatives in list.split(';') {
        let mut alts = Vec::new();
        for id in alternatives.split(',') {
            count += 1;
            if count > MAX_LIST_ITEMS {
                return None;
            }
            let (paused, rid) = match id.strip_prefix('~') {
                Some(rid) => (true, rid),
                None => (false, id),
            };
            if !is_rid_id(rid) {
                return None;
            }
            alts.push(SimulcastStream {
                rid: rid.to_owned(),
                paused,
            });
        }
        streams.push(alts);
    }
    Some(streams)
}

fn write_simulcast_list(f: &mut fmt::Formatter<'_>, list: &[Vec<SimulcastStream>]) -> fmt::Result {
    for (i, alts) in list.iter().enumerate() {
        if i > 0 {
            f.write_str(";")?;
        }
        for (j, s) in alts.iter().enumerate() {
            if j > 0 {
                f.write_str(",")?;
            }
            if s.paused {
                f.write_str("~")?;
            }
            f.write_str(&s.rid)?;
        }
    }
    Ok(())
}

impl fmt::Display for Simulcast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let send = (!self.send.is_empty()).then_some(("send", &self.send));
        let recv = (!self.recv.is_empty()).then_some(("recv", &self.recv));
        let order = if self.recv_first {
            [recv, send]
        } else {
            [send, recv]
        };
        let mut first = true;
        for (dir, list) in order.into_iter().flatten() {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            write!(f, "{dir} ")?;
            write_simulcast_list(f, list)?;
        }
        Ok(())
    }
}
