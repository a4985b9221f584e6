//! Liberal reading has limits: truly broken input is still refused, with a
//! typed error, its line and the W3C name a browser would give it, and
//! without a panic.

use sansrtc_sdp::{CandidateError, SdpError, SessionDescription, SessionView};

fn read(text: &str) -> SessionDescription {
    text.parse()
        .unwrap_or_else(|e| panic!("refused: {e}\n{text}"))
}

const MINIMAL: &str = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";

/// Checks the error is what a browser reports as an SDP syntax error.
fn assert_syntax_error(error: &SdpError, line: Option<usize>) {
    assert_eq!(error.dom_name(), "OperationError", "{error:?}");
    assert_eq!(error.error_detail(), Some("sdp-syntax-error"), "{error:?}");
    assert_eq!(error.line(), line, "{error:?}");
}

#[test]
fn truly_broken_descriptions_are_still_refused() {
    let refused = |text: &str| match text.parse::<SessionDescription>() {
        Ok(d) => panic!("accepted:\n{text}\nas\n{d}"),
        Err(e) => e,
    };
    let cases: Vec<(String, SdpError)> = vec![
        // No `v=` first (blank lines and a BOM do not excuse it).
        (
            "\u{feff}\n\no=- 1 2 IN IP4 0.0.0.0\ns=-\n".into(),
            SdpError::MissingVersion { line: 3 },
        ),
        ("v=0\r\ns=-\r\nt=0 0\r\n".into(), SdpError::MissingOrigin),
        // White space before the type letter is not looseness we read.
        (
            format!(" {MINIMAL}"),
            SdpError::ExpectedTypeAndEquals { line: 1 },
        ),
        (
            format!("{MINIMAL}a =mid:0\r\n"),
            SdpError::ExpectedTypeAndEquals { line: 5 },
        ),
        // Still one `s=` (a blank one counts).
        (
            "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\ns= \r\n".into(),
            SdpError::DuplicateLine {
                line: 4,
                letter: 's',
            },
        ),
        // Fields missing or extra, however they are separated.
        (
            "v=0\r\no=-\t1 2 IN IP4\r\n".into(),
            SdpError::Syntax {
                line: 2,
                expected: "",
            },
        ),
        (
            "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\nt=0\r\n".into(),
            SdpError::Syntax {
                line: 3,
                expected: "",
            },
        ),
        (
            "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\nt=0 0 0\r\n".into(),
            SdpError::Syntax {
                line: 3,
                expected: "",
            },
        ),
        (
            format!("{MINIMAL}m=audio\t9\tRTP/AVP\r\n"),
            SdpError::Syntax {
                line: 5,
                expected: "",
            },
        ),
        (
            format!("{MINIMAL}c=IN  IP4  192.0.2.1 x\r\n"),
            SdpError::Syntax {
                line: 5,
                expected: "",
            },
        ),
        (
            format!("{MINIMAL}a=bad name :x\r\n"),
            SdpError::Syntax {
                line: 5,
                expected: "",
            },
        ),
        (
            format!("{MINIMAL}a= mid:0\r\n"),
            SdpError::Syntax {
                line: 5,
                expected: "",
            },
        ),
    ];
    for (text, expected) in cases {
        let error = refused(&text);
        match (&error, &expected) {
            (SdpError::Syntax { line, .. }, SdpError::Syntax { line: want, .. }) => {
                assert_eq!(line, want, "{text:?}: {error}");
            }
            _ => assert_eq!(error, expected, "{text:?}"),
        }
        assert_syntax_error(&error, error.line());
    }
}

#[test]
fn broken_values_of_known_attributes_are_kept_as_written_and_refused_by_the_view() {
    for (line, name) in [
        ("a=fingerprint:SHA-256 ab:cd", "fingerprint"),
        ("a=fingerprint:sha-256\tB4:52:CB", "fingerprint"),
        ("a=setup:ACTIVE-PASSIVE", "setup"),
        ("a=sctp-port: 50 00", "sctp-port"),
        ("a=max-message-size: lots", "max-message-size"),
        ("a=mid:", "mid"),
        ("a=mid: a b", "mid"),
        ("a=ice-ufrag: ", "ice-ufrag"),
        ("a=ice-pwd:has space", "ice-pwd"),
        ("a=rtpmap:111  opus 48000", "rtpmap"),
        ("a=group:", "group"),
        ("a=group:BUNDLE 0 ,1", "group"),
    ] {
        let text = format!("{MINIMAL}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n{line}\r\n");
        let description = read(&text);
        let error = SessionView::new(&description).unwrap_err();
        match &error {
            SdpError::InvalidAttribute {
                name: n, line: 6, ..
            } => assert_eq!(*n, name, "{line}"),
            other => panic!("{line}: {other:?}"),
        }
        assert_syntax_error(&error, Some(6));
    }
    // A candidate that does not parse keeps its spacing and is refused
    // with the candidate's own error.
    let line = "a=candidate:1 1  udp 1 192.0.2.1 9 host";
    let description = read(&format!("{MINIMAL}m=audio 9 RTP/AVP 0\r\n{line}\r\n"));
    assert!(description.to_string().contains(line));
    let error = SessionView::new(&description).unwrap_err();
    assert_eq!(
        error,
        SdpError::Candidate {
            line: 6,
            source: CandidateError::ExpectedTyp
        }
    );
    assert_syntax_error(&error, Some(6));
}
