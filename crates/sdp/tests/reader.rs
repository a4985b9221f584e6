//! The raw reader: leniency where peers are sloppy, line-numbered errors
//! where the grammar matters, and bounded behaviour on hostile input.

use sansrtc_sdp::limits::{
    MAX_FORMATS, MAX_LINES_PER_SECTION, MAX_LINE_LEN, MAX_MEDIA_SECTIONS, MAX_SDP_LEN,
};
use sansrtc_sdp::{CandidateError, Line, SdpError, SessionDescription, SessionView};

const MINIMAL: &str = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";

fn parse(text: &str) -> Result<SessionDescription, SdpError> {
    text.parse()
}

fn with_media(extra: &str) -> String {
    format!("{MINIMAL}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n{extra}")
}

#[test]
fn lf_cr_and_mixed_line_endings_give_the_same_description() {
    let crlf = parse(&with_media("a=mid:0\r\na=rtcp-mux\r\n")).unwrap();
    let lf = parse(&with_media("a=mid:0\r\na=rtcp-mux\r\n").replace("\r\n", "\n")).unwrap();
    let cr = parse(&with_media("a=mid:0\r\na=rtcp-mux\r\n").replace("\r\n", "\r")).unwrap();
    let mixed = parse(
        "v=0\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\rt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\na=mid:0\r\na=rtcp-mux",
    )
    .unwrap();
    assert_eq!(lf, crlf);
    assert_eq!(cr, crlf);
    assert_eq!(mixed, crlf);
    assert_eq!(lf.to_string(), with_media("a=mid:0\r\na=rtcp-mux\r\n"));
}

#[test]
fn trailing_spaces_blank_lines_and_bom_are_tolerated() {
    let sloppy = "\u{feff}v=0  \n\no=- 1 2 IN IP4 0.0.0.0\t\ns=-\nt=0 0 \n\n\nm=audio 9 UDP/TLS/RTP/SAVPF 111   \na=mid:0 \n\n";
    let description = parse(sloppy).unwrap();
    assert_eq!(description.to_string(), with_media("a=mid:0\r\n"));
}

#[test]
fn attribute_names_match_without_case_and_are_written_as_registered() {
    let text = with_media("a=MID:audio\r\na=Ice-Ufrag:abcd\r\na=SETUP:ACTPASS\r\na=RTCP-MUX\r\n");
    let description = parse(&text).unwrap();
    assert_eq!(
        description.to_string(),
        with_media("a=mid:audio\r\na=ice-ufrag:abcd\r\na=setup:actpass\r\na=rtcp-mux\r\n"),
        "known names and values written canonically"
    );
    // Unknown names keep their spelling.
    let unknown = with_media("a=X-Vendor-Flag\r\n");
    assert_eq!(parse(&unknown).unwrap().to_string(), unknown);
    let view = SessionView::new(&description).unwrap();
    assert_eq!(view.media[0].mid.as_deref(), Some("audio"));
    assert_eq!(view.media[0].ice_ufrag.as_deref(), Some("abcd"));
    assert!(view.media[0].rtcp_mux);
    assert!(view.media[0].setup.is_some());
}

#[test]
fn unknown_attributes_and_all_line_types_are_kept_in_order() {
    let text = "v=0\r\no=alice 2890844526 2890842807 IN IP4 198.51.100.1\r\ns=SDP Seminar\r\n\
        i=A Seminar on the session description protocol\r\nu=http://www.example.com/seminars/sdp.pdf\r\n\
        e=j.doe@example.com (Jane Doe)\r\np=+1 617 555-6011\r\nc=IN IP4 233.252.0.1/127\r\n\
        b=CT:128\r\nt=2873397496 2873404696\r\nr=604800 3600 0 90000\r\nz=2882844526 -1h 2898848070 0\r\n\
        k=prompt\r\na=recvonly\r\na=x-vendor:anything goes: here\r\n\
        m=audio 49170/2 RTP/AVP 0\r\ni=audio\r\nb=AS:64\r\nk=clear:secret\r\na=x-flag\r\n\
        m=video 51372 RTP/AVP 99\r\nc=IN IP6 2001:db8::1\r\na=rtpmap:99 h263-1998/90000\r\n";
    let description = parse(text).unwrap();
    assert_eq!(description.to_string(), text);
    assert_eq!(description.media[0].media_line.port_count, Some(2));
    assert_eq!(description.session.len(), 15);
    assert!(matches!(description.session[8], Line::Bandwidth(_)));
    let unknown = description.attribute("x-vendor").unwrap();
    assert_eq!(unknown.value.as_deref(), Some("anything goes: here"));
    SessionView::new(&description).unwrap();
}

fn err(text: &str) -> SdpError {
    match parse(text) {
        Ok(d) => panic!("parsed: {d:?}"),
        Err(e) => e,
    }
}

#[test]
fn structural_errors_name_the_line() {
    assert_eq!(err(""), SdpError::Empty);
    assert_eq!(err("\r\n\r\n"), SdpError::Empty);
    assert_eq!(
        err("o=- 1 2 IN IP4 0.0.0.0\r\n"),
        SdpError::MissingVersion { line: 1 }
    );
    assert_eq!(err("v=1\r\n"), SdpError::UnsupportedVersion { line: 1 });
    assert_eq!(err("v=0\r\ns=-\r\n"), SdpError::MissingOrigin);
    assert_eq!(
        err(&format!("{MINIMAL}s=again\r\n")),
        SdpError::DuplicateLine {
            line: 5,
            letter: 's'
        }
    );
    assert_eq!(
        err(&format!("{MINIMAL}x=1\r\n")),
        SdpError::UnknownLineType {
            line: 5,
            letter: 'x'
        }
    );
    assert_eq!(
        err(&format!("{MINIMAL}novalue\r\n")),
        SdpError::ExpectedTypeAndEquals { line: 5 }
    );
    assert_eq!(
        err(&format!("{MINIMAL}A=upper\r\n")),
        SdpError::ExpectedTypeAndEquals { line: 5 }
    );
    assert_eq!(
        err(&with_media("t=0 0\r\n")),
        SdpError::SessionLineInMedia {
            line: 6,
            letter: 't'
        }
    );
    // Blank lines still count in line numbers.
    assert_eq!(
        err("v=0\r\n\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\n\r\nq=\r\n"),
        SdpError::UnknownLineType {
            line: 6,
            letter: 'q'
        }
    );
}

#[test]
fn line_grammar_errors_say_what_was_expected() {
    let syntax = |text: &str, line: usize| match err(text) {
        SdpError::Syntax { line: l, expected } => {
            assert_eq!(l, line, "{text}");
            assert!(!expected.is_empty());
            expected
        }
        other => panic!("{text}: {other:?}"),
    };
    syntax("v=0\r\no=- 1 2 IN IP4\r\ns=-\r\n", 2);
    assert!(syntax("v=0\r\no=- x 2 IN IP4 0.0.0.0\r\ns=-\r\n", 2).contains("sess-id"));
    syntax(&format!("{MINIMAL}c=IN IP4\r\n"), 5);
    syntax(&format!("{MINIMAL}b=AS\r\n"), 5);
    syntax(&format!("{MINIMAL}b=AS:lots\r\n"), 5);
    syntax(&format!("{MINIMAL}t=now later\r\n"), 5);
    syntax(&format!("{MINIMAL}m=audio\r\n"), 5);
    assert!(syntax(&format!("{MINIMAL}m=audio 70000 RTP/AVP 0\r\n"), 5).contains("port"));
    syntax(&format!("{MINIMAL}m=audio 9 RTP/AVP\r\n"), 5);
    syntax(&format!("{MINIMAL}a=:value\r\n"), 5);
    syntax(&format!("{MINIMAL}a=bad name:value\r\n"), 5);
    let message = err(&format!("{MINIMAL}m=audio 70000 RTP/AVP 0\r\n")).to_string();
    assert!(message.starts_with("line 5: expected"), "{message}");
}

#[test]
fn typed_attribute_errors_carry_the_line() {
    let description = parse(&with_media("a=mid:0\r\na=fingerprint:sha-256 AB:CD\r\n")).unwrap();
    assert_eq!(
        SessionView::new(&description).unwrap_err(),
        SdpError::InvalidAttribute {
            line: 7,
            name: "fingerprint",
            expected: "as many hex byte pairs as the hash function's digest length"
        }
    );
    let description = parse(&with_media(
        "a=candidate:1 1 udp 1 192.0.2.1 9 typ nope\r\n",
    ))
    .unwrap();
    assert_eq!(
        SessionView::new(&description).unwrap_err(),
        SdpError::Candidate {
            line: 6,
            source: CandidateError::UnknownType
        }
    );
    let two_mids =
        format!("{MINIMAL}m=audio 9 RTP/AVP 0\r\na=mid:a\r\nm=audio 9 RTP/AVP 0\r\na=mid:a\r\n");
    assert!(matches!(
        SessionView::new(&parse(&two_mids).unwrap()).unwrap_err(),
        SdpError::InvalidAttribute {
            line: 7,
            name: "mid",
            ..
        }
    ));
    let twice = with_media("a=setup:active\r\na=setup:passive\r\n");
    assert!(matches!(
        SessionView::new(&parse(&twice).unwrap()).unwrap_err(),
        SdpError::InvalidAttribute {
            line: 7,
            name: "setup",
            ..
        }
    ));
}

#[test]
fn non_utf8_and_control_bytes_are_refused_with_the_line() {
    let mut bytes = MINIMAL.as_bytes().to_vec();
    bytes.extend_from_slice(b"a=name:\xff\xfe\r\n");
    assert_eq!(
        SessionDescription::parse_bytes(&bytes).unwrap_err(),
        SdpError::NotUtf8 { line: 5 }
    );
    assert_eq!(
        err(&format!("{MINIMAL}a=x:nul\0here\r\n")),
        SdpError::ControlCharacter { line: 5 }
    );
    // Multi-byte UTF-8 in free text is fine.
    parse(&format!("{MINIMAL}i=Sitzung über SDP\r\n")).unwrap();
}

#[test]
fn oversized_input_is_refused_early() {
    let huge = vec![b'a'; MAX_SDP_LEN + 1];
    assert_eq!(
        SessionDescription::parse_bytes(&huge).unwrap_err(),
        SdpError::TooLarge {
            len: MAX_SDP_LEN + 1,
            max: MAX_SDP_LEN
        }
    );
    let long = format!("{MINIMAL}a=x:{}\r\n", "y".repeat(MAX_LINE_LEN));
    assert!(matches!(err(&long), SdpError::LineTooLong { line: 5, .. }));
}

#[test]
fn absurd_counts_are_refused() {
    let mut many_media = MINIMAL.to_owned();
    for _ in 0..=MAX_MEDIA_SECTIONS {
        many_media.push_str("m=audio 9 RTP/AVP 0\r\n");
    }
    assert_eq!(
        err(&many_media),
        SdpError::TooManyMediaSections {
            line: 5 + MAX_MEDIA_SECTIONS,
            max: MAX_MEDIA_SECTIONS
        }
    );
    let mut many_attributes = with_media("");
    for i in 0..=MAX_LINES_PER_SECTION {
        many_attributes.push_str(&format!("a=x{i}\r\n"));
    }
    assert!(matches!(
        err(&many_attributes),
        SdpError::TooManyLines { .. }
    ));
    let mut many_session = MINIMAL.to_owned();
    for _ in 0..=MAX_LINES_PER_SECTION {
        many_session.push_str("a=x\r\n");
    }
    assert!(matches!(err(&many_session), SdpError::TooManyLines { .. }));
    let formats: String = (0..=MAX_FORMATS).map(|i| format!(" {i}")).collect();
    assert_eq!(
        err(&format!("{MINIMAL}m=audio 9 RTP/AVP{formats}\r\n")),
        SdpError::TooManyFormats {
            line: 5,
            max: MAX_FORMATS
        }
    );
}

#[test]
fn truncated_descriptions_never_panic() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/chromium-audio-datachannel-offer.sdp"),
    )
    .unwrap();
    for cut in 0..text.len() {
        if let Ok(description) = parse(&text[..cut]) {
            let _ = SessionView::new(&description);
            // Whatever parses writes back and parses again to the same thing.
            assert_eq!(
                description
                    .to_string()
                    .parse::<SessionDescription>()
                    .unwrap(),
                description
            );
        }
    }
}
