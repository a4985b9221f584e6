//! The W3C names of this crate's errors: what a browser rejects
//! `setRemoteDescription`/`setLocalDescription`, `createOffer`/`createAnswer`
//! and `addIceCandidate` with for the same failure (webrtc-pc §4.4.1.5,
//! §4.4.2; see `sansrtc_sdp::dom`).

use sansrtc_sdp::attributes::Direction;
use sansrtc_sdp::jsep::{
    create_answer, AnswerMedia, AnswerOptions, AnswerRtp, BuildError, TransportParams,
};
use sansrtc_sdp::{
    parse_fingerprint, Candidate, CandidateError, SdpError, SessionDescription, SessionView,
};

const MINIMAL: &str = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";

fn refused(text: &[u8]) -> SdpError {
    match SessionDescription::parse_bytes(text) {
        Ok(d) => SessionView::new(&d).expect_err("refused by the reader or the view"),
        Err(e) => e,
    }
}

#[test]
fn every_description_that_cannot_be_read_is_an_rtc_error_sdp_syntax_error() {
    let long_line = format!("{MINIMAL}a=x:{}\r\n", "y".repeat(9000));
    let cases: Vec<(Vec<u8>, Option<usize>)> = vec![
        (vec![b'v'; sansrtc_sdp::limits::MAX_SDP_LEN + 1], None),
        (b"\r\n\r\n".to_vec(), None),
        (b"o=- 1 2 IN IP4 0.0.0.0\r\n".to_vec(), Some(1)),
        (b"v=1\r\n".to_vec(), Some(1)),
        (b"v=0\r\ns=-\r\n".to_vec(), None),
        ([MINIMAL.as_bytes(), b"a=x:\xFF\r\n"].concat(), Some(5)),
        (format!("{MINIMAL}a=x:nul\0\r\n").into_bytes(), Some(5)),
        (long_line.into_bytes(), Some(5)),
        (format!("{MINIMAL}x=1\r\n").into_bytes(), Some(5)),
        (
            format!("{MINIMAL}m=audio 9 RTP/AVP 0\r\nt=0 0\r\n").into_bytes(),
            Some(6),
        ),
        (format!("{MINIMAL}s=again\r\n").into_bytes(), Some(5)),
        (
            format!("{MINIMAL}m=audio 70000 RTP/AVP 0\r\n").into_bytes(),
            Some(5),
        ),
        (format!("{MINIMAL}noequals\r\n").into_bytes(), Some(5)),
        (
            format!("{MINIMAL}m=audio 9 RTP/AVP 0\r\na=fingerprint:sha-256 AB\r\n").into_bytes(),
            Some(6),
        ),
        (
            format!(
                "{MINIMAL}m=audio 9 RTP/AVP 0\r\na=candidate:1 1 udp 1 192.0.2.1 9 typ nope\r\n"
            )
            .into_bytes(),
            Some(6),
        ),
        (
            format!(
                "{MINIMAL}m=audio 9 RTP/AVP 0\r\na=mid:a\r\nm=audio 9 RTP/AVP 0\r\na=mid:a\r\n"
            )
            .into_bytes(),
            Some(7),
        ),
    ];
    for (text, line) in cases {
        let error = refused(&text);
        assert_eq!(error.dom_name(), "OperationError", "{error:?}");
        assert_eq!(error.error_detail(), Some("sdp-syntax-error"), "{error:?}");
        assert_eq!(error.line(), line, "sdpLineNumber of {error:?}");
    }
}

#[test]
fn a_trickled_candidate_that_cannot_be_parsed_is_an_operation_error() {
    for text in [
        "",
        "candidate:",
        "candidate:1 1 udp 1 192.0.2.1 9 host",
        "candidate:1 1 sctp 1 192.0.2.1 9 typ host",
        "candidate:1 1 udp 1 192.0.2.1 9 typ host tcptype active",
        "sdpMid=0",
    ] {
        let error: CandidateError = text.parse::<Candidate>().unwrap_err();
        assert_eq!(error.dom_name(), "OperationError", "{text}: {error}");
        assert_eq!(
            error.error_detail(),
            None,
            "a plain DOMException, not an RTCError"
        );
    }
}

#[test]
fn builder_errors_name_what_a_browser_rejects_with() {
    let invalid_access = [
        BuildError::RtcpMuxRequired,
        BuildError::OfferedSectionWithoutMid,
    ];
    for error in invalid_access {
        assert_eq!(error.dom_name(), "InvalidAccessError", "{error:?}");
        assert_eq!(error.error_detail(), None);
        let wrapped = SdpError::Build(error.clone());
        assert_eq!(wrapped.dom_name(), "InvalidAccessError");
        assert_eq!(wrapped.error_detail(), None);
        assert_eq!(wrapped.line(), None);
    }
    for error in [
        BuildError::InvalidMid,
        BuildError::DuplicateMid,
        BuildError::NoCodecs,
        BuildError::NoFingerprint,
        BuildError::InvalidIceCredentials,
        BuildError::AnswerCountMismatch,
        BuildError::AnswerKindMismatch,
        BuildError::CodecNotOffered(96),
        BuildError::InvalidAnswerSetup,
        BuildError::TaggedSectionRejected,
        BuildError::InvalidSessionId,
    ] {
        assert_eq!(error.dom_name(), "OperationError", "{error:?}");
        assert_eq!(SdpError::Build(error.clone()).error_detail(), None);
    }
}

fn answer_to(offer: &str, choice: AnswerMedia) -> SdpError {
    let offer: SessionDescription = offer.parse().unwrap();
    let fingerprint = parse_fingerprint(
        "sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
    )
    .unwrap();
    let transport = TransportParams::new("Ab1+", "0123456789abcdefABCDEF+/", vec![fingerprint]);
    create_answer(&offer, &AnswerOptions::new(1), &transport, &[choice]).unwrap_err()
}

#[test]
fn remote_offers_jsep_refuses_are_invalid_access_errors() {
    // rtcpMuxPolicy `require` and an offer without a=rtcp-mux.
    let no_mux =
        format!("{MINIMAL}m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=rtpmap:0 PCMU/8000\r\n");
    let accept = AnswerMedia::Rtp(AnswerRtp {
        payload_types: vec![0],
        extension_uris: Vec::new(),
        feedback: None,
        direction: Direction::SendRecv,
        msid: None,
        ssrcs: Vec::new(),
        ssrc_groups: Vec::new(),
        rids: Vec::new(),
        simulcast: None,
    });
    let error = answer_to(&no_mux, accept);
    assert_eq!(error, SdpError::Build(BuildError::RtcpMuxRequired));
    assert_eq!(error.dom_name(), "InvalidAccessError");
    // A section without a=mid.
    let no_mid = format!("{MINIMAL}m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n");
    let error = answer_to(
        &no_mid,
        AnswerMedia::Data {
            sctp_port: 5000,
            max_message_size: 262_144,
        },
    );
    assert_eq!(error, SdpError::Build(BuildError::OfferedSectionWithoutMid));
    assert_eq!(error.dom_name(), "InvalidAccessError");
}
