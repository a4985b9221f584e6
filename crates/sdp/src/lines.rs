//! The line types of RFC 8866 §5 as values: each one parses from the text
//! after `<type>=` and writes back the same text.

use std::fmt;

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`
/// (RFC 8866 §5.2). Numbers are kept as written (digit strings) so that any
/// length and leading zeros survive a round trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `username` (`-` in WebRTC).
    pub username: String,
    /// `sess-id`: decimal digits.
    pub session_id: String,
    /// `sess-version`: decimal digits.
    pub session_version: String,
    /// `nettype` (`IN`).
    pub net_type: String,
    /// `addrtype` (`IP4`, `IP6`).
    pub address_type: String,
    /// `unicast-address`.
    pub address: String,
}

impl Origin {
    /// An origin as JSEP writes it (RFC 9429 §5.2.1): `- <id> <version> IN IP4 0.0.0.0`.
    pub fn jsep(session_id: u64, session_version: u64) -> Self {
        Origin {
            username: "-".into(),
            session_id: session_id.to_string(),
            session_version: session_version.to_string(),
            net_type: "IN".into(),
            address_type: "IP4".into(),
            address: "0.0.0.0".into(),
        }
    }

    /// `sess-version` as a number, if it fits in 64 bits.
    pub fn session_version_number(&self) -> Option<u64> {
        self.session_version.parse().ok()
    }

    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str =
            "`o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`";
        let mut words = crate::grammar::words(value);
        let mut next = || words.next().ok_or(EXPECTED);
        let origin = Origin {
            username: next()?.to_owned(),
            session_id: next()?.to_owned(),
            session_version: next()?.to_owned(),
            net_type: next()?.to_owned(),
            address_type: next()?.to_owned(),
            address: next()?.to_owned(),
        };
        if words.next().is_some() {
            return Err(EXPECTED);
        }
        if !is_digits(&origin.session_id) {
            return Err("digits for the o= sess-id");
        }
        if !is_digits(&origin.session_version) {
            return Err("digits for the o= sess-version");
        }
        Ok(origin)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {}",
            self.username,
            self.session_id,
            self.session_version,
            self.net_type,
            self.address_type,
            self.address
        )
    }
}

/// `c=<nettype> <addrtype> <connection-address>` (RFC 8866 §5.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// `nettype` (`IN`).
    pub net_type: String,
    /// `addrtype` (`IP4`, `IP6`).
    pub address_type: String,
    /// `connection-address`, with any `/ttl/count` suffix kept.
    pub address: String,
}

impl Connection {
    /// `IN IP4 0.0.0.0`, the JSEP placeholder.
    pub fn unspecified_ip4() -> Self {
        Connection {
            net_type: "IN".into(),
            address_type: "IP4".into(),
            address: "0.0.0.0".into(),
        }
    }

    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`c=<nettype> <addrtype> <connection-address>`";
        let mut words = crate::grammar::words(value);
        let mut next = || words.next().map(str::to_owned).ok_or(EXPECTED);
        let c = Connection {
            net_type: next()?,
            address_type: next()?,
            address: next()?,
        };
        if words.next().is_some() {
            return Err(EXPECTED);
        }
        Ok(c)
    }
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.net_type, self.address_type, self.address
        )
    }
}

/// `b=<bwtype>:<bandwidth>` (RFC 8866 §5.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bandwidth {
    /// `bwtype` (`AS`, `CT`, `TIAS`, …).
    pub kind: String,
    /// `bandwidth`.
    pub value: u64,
}

impl Bandwidth {
    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`b=<bwtype>:<bandwidth>`";
        let (kind, amount) = value.split_once(':').ok_or(EXPECTED)?;
        if !crate::grammar::is_token(kind) {
            return Err(EXPECTED);
        }
        let value = crate::grammar::parse_decimal(amount, 20).ok_or(EXPECTED)?;
        Ok(Bandwidth {
            kind: kind.to_owned(),
            value,
        })
    }
}

impl fmt::Display for Bandwidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.value)
    }
}

/// `t=<start-time> <stop-time>` (RFC 8866 §5.9), kept as digit strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    /// `start-time`.
    pub start: String,
    /// `stop-time`.
    pub stop: String,
}

impl Timing {
    /// `t=0 0`: an unbounded session, as WebRTC writes it.
    pub fn unbounded() -> Self {
        Timing {
            start: "0".into(),
            stop: "0".into(),
        }
    }

    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`t=<start-time> <stop-time>` (digits)";
        let mut words = crate::grammar::words(value);
        let (Some(start), Some(stop), None) = (words.next(), words.next(), words.next()) else {
            return Err(EXPECTED);
        };
        if !is_digits(start) || !is_digits(stop) {
            return Err(EXPECTED);
        }
        Ok(Timing {
            start: start.to_owned(),
            stop: stop.to_owned(),
        })
    }
}

impl fmt::Display for Timing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.start, self.stop)
    }
}

/// `m=<media> <port>[/<number of ports>] <proto> <fmt> …` (RFC 8866 §5.14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaLine {
    /// `media`: `audio`, `video`, `application`, …
    pub media: String,
    /// `port`; 0 means rejected, or bundle-only with `a=bundle-only`.
    pub port: u16,
    /// The optional `/<number of ports>`.
    pub port_count: Option<u32>,
    /// `proto`, e.g. `UDP/TLS/RTP/SAVPF`, `UDP/DTLS/SCTP`.
    pub proto: String,
    /// `fmt` list: payload types, or `webrtc-datachannel`.
    pub formats: Vec<String>,
}

impl MediaLine {
    pub(crate) fn parse(value: &str, max_formats: usize) -> Result<Self, MediaLineError> {
        const EXPECTED: &str = "`m=<media> <port> <proto> <fmt> ...`";
        let mut words = crate::grammar::words(value);
        let media = words.next().ok_or(MediaLineError::Syntax(EXPECTED))?;
        if !crate::grammar::is_token(media) {
            return Err(MediaLineError::Syntax("a token for the m= media"));
        }
        let port_text = words.next().ok_or(MediaLineError::Syntax(EXPECTED))?;
        let (port, port_count) = match port_text.split_once('/') {
            Some((port, count)) => (
                port,
                Some(
                    crate::grammar::parse_decimal(count, 10)
                        .ok_or(MediaLineError::Syntax("digits for the m= number of ports"))?,
                ),
            ),
            None => (port_text, None),
        };
        let port = crate::grammar::parse_decimal(port, 5).ok_or(MediaLineError::Syntax(
            "a port from 0 to 65535 on the m= line",
        ))?;
        let proto = words.next().ok_or(MediaLineError::Syntax(EXPECTED))?;
        let mut formats = Vec::new();
        for format in words {
            if formats.len() >= max_formats {
                return Err(MediaLineError::TooManyFormats);
            }
            formats.push(format.to_owned());
        }
        if formats.is_empty() {
            return Err(MediaLineError::Syntax("at least one format on the m= line"));
        }
        Ok(MediaLine {
            media: media.to_owned(),
            port,
            port_count,
            proto: proto.to_owned(),
            formats,
        })
    }
}

/// Why an `m=` line was refused (mapped to [`crate::SdpError`] with the line).
#[derive(Debug)]
pub(crate) enum MediaLineError {
    Syntax(&'static str),
    TooManyFormats,
}

impl fmt::Display for MediaLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.media, self.port)?;
        if let Some(count) = self.port_count {
            write!(f, "/{count}")?;
        }
        write!(f, " {}", self.proto)?;
        for format in &self.formats {
            write!(f, " {format}")?;
        }
        Ok(())
    }
}

/// `a=<name>` or `a=<name>:<value>` (RFC 8866 §5.13). The name keeps the
/// case it was written in; the value is kept exactly (including a leading
/// space, as in Chromium's `a=msid-semantic: WMS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The attribute name.
    pub name: String,
    /// The value after `:`, if any.
    pub value: Option<String>,
}

impl Attribute {
    /// A property attribute (`a=<name>`).
    pub fn flag(name: impl Into<String>) -> Self {
        Attribute {
            name: name.into(),
            value: None,
        }
    }

    /// A value attribute (`a=<name>:<value>`).
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Attribute {
            name: name.into(),
            value: Some(value.into()),
        }
    }

    /// Whether the name is `name`, ignoring ASCII case.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    pub(crate) fn parse(text: &str) -> Result<Self, &'static str> {
        let (name, value) = match text.split_once(':') {
            // White space between the name and the colon is looseness,
            // not part of the name (`a=sctp-port :5000`).
            Some((name, value)) => (
                name.trim_end_matches(crate::grammar::FIELD_SEPARATORS),
                Some(value.to_owned()),
            ),
            None => (text, None),
        };
        if !crate::grammar::is_token(name) {
            return Err("a token for the attribute name in `a=<name>[:<value>]`");
        }
        Ok(Attribute {
            name: name.to_owned(),
            value,
        })
    }
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(value) = &self.value {
            write!(f, ":{value}")?;
        }
        Ok(())
    }
}

/// One line of a session or media section other than `m=`, in the order
/// written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// `v=`.
    Version(u32),
    /// `o=`.
    Origin(Origin),
    /// `s=`.
    SessionName(String),
    /// `i=`.
    Information(String),
    /// `u=`.
    Uri(String),
    /// `e=`.
    Email(String),
    /// `p=`.
    Phone(String),
    /// `c=`.
    Connection(Connection),
    /// `b=`.
    Bandwidth(Bandwidth),
    /// `t=`.
    Timing(Timing),
    /// `r=` (kept as text).
    Repeat(String),
    /// `z=` (kept as text).
    TimeZones(String),
    /// `k=` (obsolete, kept as text).
    Key(String),
    /// `a=`.
    Attribute(Attribute),
}

impl Line {
    /// The type letter.
    pub fn letter(&self) -> char {
        match self {
            Line::Version(_) => 'v',
            Line::Origin(_) => 'o',
            Line::SessionName(_) => 's',
            Line::Information(_) => 'i',
            Line::Uri(_) => 'u',
            Line::Email(_) => 'e',
            Line::Phone(_) => 'p',
            Line::Connection(_) => 'c',
            Line::Bandwidth(_) => 'b',
            Line::Timing(_) => 't',
            Line::Repeat(_) => 'r',
            Line::TimeZones(_) => 'z',
            Line::Key(_) => 'k',
            Line::Attribute(_) => 'a',
        }
    }

    /// Whether RFC 8866 §5 allows this line type in a media section.
    pub fn allowed_in_media(letter: char) -> bool {
        matches!(letter, 'i' | 'c' | 'b' | 'k' | 'a')
    }
}

impl fmt::Display for Line {
    /// Writes `<type>=<value>` without a line ending.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}=", self.letter())?;
        match self {
            Line::Version(v) => write!(f, "{v}"),
            Line::Origin(o) => write!(f, "{o}"),
            Line::SessionName(s)
            | Line::Information(s)
            | Line::Uri(s)
            | Line::Email(s)
            | Line::Phone(s)
            | Line::Repeat(s)
            | Line::TimeZones(s)
            | Line::Key(s) => f.write_str(s),
            Line::Connection(c) => write!(f, "{c}"),
            Line::Bandwidth(b) => write!(f, "{b}"),
            Line::Timing(t) => write!(f, "{t}"),
            Line::Attribute(a) => write!(f, "{a}"),
        }
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}
