//! Generated descriptions and candidates survive write → parse unchanged,
//! and arbitrary bytes never make the reader panic.

use proptest::prelude::*;
use sansrtc_sdp::{
    Attribute, Bandwidth, Candidate, CandidateAddress, CandidateKind, CandidateTransport,
    Connection, Line, MediaLine, MediaSection, Origin, SessionDescription, SessionView, TcpType,
    Timing,
};

/// Free text: printable, may hold inner spaces and non-ASCII, does not end
/// in white space (the reader trims trailing white space).
fn text() -> impl Strategy<Value = String> {
    "([ -~é€]{0,24}[!-~é€])?"
}

/// Non-empty free text (an empty attribute value or session name is read
/// as looseness and written in its canonical form).
fn text1() -> impl Strategy<Value = String> {
    "[ -~é€]{0,24}[!-~é€]"
}

fn word() -> impl Strategy<Value = String> {
    "[!-~]{1,16}"
}

fn digits() -> impl Strategy<Value = String> {
    "[0-9]{1,20}"
}

fn token() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9][a-zA-Z0-9.+_-]{0,15}"
}

/// The names the reader writes in their registered spelling with a
/// canonical value: generated attributes avoid them (free text is not
/// their canonical value).
const TYPED_NAMES: &[&str] = &[
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
    "bundle-only",
    "ice-lite",
    "rtcp-mux",
    "rtcp-mux-only",
    "rtcp-rsize",
    "end-of-candidates",
    "extmap-allow-mixed",
    "sendrecv",
    "sendonly",
    "recvonly",
    "inactive",
    "msid-semantic",
    "identity",
];

fn attribute() -> impl Strategy<Value = Attribute> {
    (token(), proptest::option::of(text1()))
        .prop_filter(
            "names this crate types are written canonically",
            |(name, _)| !TYPED_NAMES.iter().any(|n| n.eq_ignore_ascii_case(name)),
        )
        .prop_map(|(name, value)| Attribute { name, value })
}

fn connection() -> impl Strategy<Value = Connection> {
    (prop_oneof!["IN", "ATM"], prop_oneof!["IP4", "IP6"], word()).prop_map(|(n, a, addr)| {
        Connection {
            net_type: n.to_owned(),
            address_type: a.to_owned(),
            address: addr,
        }
    })
}

fn common_line() -> impl Strategy<Value = Line> {
    prop_oneof![
        4 => attribute().prop_map(Line::Attribute),
        1 => text().prop_map(Line::Information),
        1 => connection().prop_map(Line::Connection),
        1 => ("[A-Z]{1,4}", any::<u64>()).prop_map(|(kind, value)| Line::Bandwidth(Bandwidth { kind, value })),
        1 => text().prop_map(Line::Key),
    ]
}

fn session_only_line() -> impl Strategy<Value = Line> {
    prop_oneof![
        text().prop_map(Line::Uri),
        text().prop_map(Line::Email),
        text().prop_map(Line::Phone),
        (digits(), digits()).prop_map(|(start, stop)| Line::Timing(Timing { start, stop })),
        text().prop_map(Line::Repeat),
        text().prop_map(Line::TimeZones),
    ]
}

fn media_section() -> impl Strategy<Value = MediaSection> {
    (
        "[a-z]{1,11}",
        any::<u16>(),
        proptest::option::of(any::<u32>()),
        "[A-Z][A-Z/]{0,18}",
        proptest::collection::vec("[0-9a-z-]{1,10}", 1..6),
        proptest::collection::vec(common_line(), 0..12),
    )
        .prop_map(
            |(media, port, port_count, proto, formats, lines)| MediaSection {
                media_line: MediaLine {
                    media,
                    port,
                    port_count,
                    proto,
                    formats,
                },
                lines,
            },
        )
}

fn description() -> impl Strategy<Value = SessionDescription> {
    (
        word(),
        digits(),
        digits(),
        word(),
        text1(),
        proptest::collection::vec(prop_oneof![common_line(), session_only_line()], 0..12),
        proptest::collection::vec(media_section(), 0..5),
    )
        .prop_map(|(user, id, version, address, name, extra, media)| {
            let mut session = vec![
                Line::Version(0),
                Line::Origin(Origin {
                    username: user,
                    session_id: id,
                    session_version: version,
                    net_type: "IN".into(),
                    address_type: "IP4".into(),
                    address,
                }),
                Line::SessionName(name),
                Line::Timing(Timing::unbounded()),
            ];
            session.extend(extra);
            SessionDescription { session, media }
        })
}

fn candidate_address() -> impl Strategy<Value = CandidateAddress> {
    prop_oneof![
        any::<std::net::IpAddr>().prop_map(CandidateAddress::Ip),
        "[a-f0-9]{8}-[a-f0-9]{4}\\.local".prop_map(CandidateAddress::Fqdn),
    ]
}

fn candidate() -> impl Strategy<Value = Candidate> {
    (
        "[a-zA-Z0-9+/]{1,32}",
        1u16..=256,
        any::<bool>(),
        any::<u32>(),
        candidate_address(),
        any::<u16>(),
        prop_oneof![
            Just(CandidateKind::Host),
            Just(CandidateKind::ServerReflexive),
            Just(CandidateKind::PeerReflexive),
            Just(CandidateKind::Relay)
        ],
        proptest::option::of((candidate_address(), any::<u16>())),
        proptest::option::of(prop_oneof![
            Just(TcpType::Active),
            Just(TcpType::Passive),
            Just(TcpType::So)
        ]),
        (
            proptest::option::of(any::<u32>()),
            proptest::option::of("[a-zA-Z0-9+/]{4,16}"),
            proptest::option::of(any::<u32>()),
            proptest::option::of(any::<u32>()),
            proptest::collection::vec(("x-[a-z]{1,8}", "[!-~]{1,12}"), 0..4),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                foundation,
                component,
                tcp,
                priority,
                address,
                port,
                kind,
                related,
                tcp_type,
                rest,
            )| {
                let transport = if tcp {
                    CandidateTransport::Tcp
                } else {
                    CandidateTransport::Udp
                };
                let mut c = Candidate::new(
                    foundation, component, transport, priority, address, port, kind,
                );
                if let Some((addr, port)) = related {
                    c.related_address = Some(addr);
                    c.related_port = Some(port);
                }
                c.tcp_type = if tcp { tcp_type } else { None };
                let (generation, ufrag, network_id, network_cost, extensions, upper) = rest;
                c.generation = generation;
                c.ufrag = ufrag;
                c.network_id = network_id;
                c.network_cost = network_cost;
                c.extensions = extensions;
                c.transport_uppercase = upper;
                c
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_descriptions_round_trip(d in description()) {
        let text = d.to_string();
        let parsed: SessionDescription = text.parse().map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&parsed, &d);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn generated_candidates_round_trip(c in candidate()) {
        let text = c.to_string();
        let parsed: Candidate = text.parse().map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert_eq!(&parsed, &c);
        let in_sdp: Candidate = format!("a={text}\r\n").parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(in_sdp, c);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(d) = SessionDescription::parse_bytes(&bytes) {
            let _ = SessionView::new(&d);
            prop_assert_eq!(d.to_string().parse::<SessionDescription>().ok(), Some(d));
        }
        if let Ok(s) = std::str::from_utf8(&bytes) {
            let _ = s.parse::<Candidate>();
        }
    }

    #[test]
    fn loosened_real_offers_never_panic_and_write_a_fixed_point(
        edits in proptest::collection::vec(
            (any::<proptest::sample::Index>(), prop_oneof![" ", "\t", "  ", "\n", "\r\n", ":", ""], any::<bool>()),
            0..24,
        )
    ) {
        // A real offer with white space, line breaks and colons inserted and
        // letters flipped in case at random places: whatever is accepted
        // writes a canonical text that reads back to the same description.
        let mut text = include_str!("data/chromium-audio-datachannel-offer.sdp").as_bytes().to_vec();
        for (at, insert, flip) in edits {
            let at = at.index(text.len());
            if flip {
                text[at] = if text[at].is_ascii_lowercase() {
                    text[at].to_ascii_uppercase()
                } else {
                    text[at].to_ascii_lowercase()
                };
            }
            text.splice(at..at, insert.bytes());
        }
        if let Ok(d) = SessionDescription::parse_bytes(&text) {
            let _ = SessionView::new(&d);
            let written = d.to_string();
            let again: SessionDescription = written.parse().map_err(|e| TestCaseError::fail(format!("{e}\n{written}")))?;
            prop_assert_eq!(&again, &d);
            prop_assert_eq!(again.to_string(), written);
        }
    }

    #[test]
    fn sdp_shaped_noise_never_panics(lines in proptest::collection::vec("[vosmcbtakiuepzr]=[ -~]{0,60}", 0..40)) {
        let text = format!("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n{}", lines.join("\r\n"));
        if let Ok(d) = text.parse::<SessionDescription>() {
            let _ = SessionView::new(&d);
            prop_assert_eq!(d.to_string().parse::<SessionDescription>().ok(), Some(d));
        }
    }
}
