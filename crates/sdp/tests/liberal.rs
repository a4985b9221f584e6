//! Liberal reading: each looseness real peers write is read, and written
//! back in the canonical form; canonical input still round-trips byte for
//! byte. The samples are shaped after what gateways, SIP bridges, embedded
//! stacks and hand-edited signalling produce. Every corpus file loosened in
//! all these ways: `liberal_corpus.rs`; what is still refused:
//! `liberal_refused.rs`.

use sansrtc_sdp::attributes::{HashAlgorithm, IceOption, Setup};
use sansrtc_sdp::{
    Candidate, CandidateKind, CandidateTransport, Line, SessionDescription, SessionView, TcpType,
};

/// The canonical session part every sample below is written back with.
const SESSION: &str = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

fn read(text: &str) -> SessionDescription {
    text.parse()
        .unwrap_or_else(|e| panic!("refused: {e}\n{text}"))
}

/// Reads `loose`, checks it writes back as `canonical`, that the canonical
/// text reads to the same description and round-trips byte for byte, and
/// that the typed view accepts it.
fn assert_reads_as(loose: &str, canonical: &str) -> SessionView {
    let description = read(loose);
    assert_eq!(
        description.to_string(),
        canonical,
        "written form of:\n{loose}"
    );
    let again = read(canonical);
    assert_eq!(again, description, "canonical text reads the same");
    assert_eq!(again.to_string(), canonical, "canonical input round-trips");
    SessionView::new(&description).unwrap_or_else(|e| panic!("typed view: {e}"))
}

/// The canonical session part plus one audio section holding `lines`.
fn audio(lines: &str) -> String {
    format!("{SESSION}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n{lines}")
}

#[test]
fn lf_only_line_endings() {
    // Signalling servers that store SDP in JSON with `\n` only.
    let canonical = audio("a=mid:0\r\na=rtpmap:111 opus/48000/2\r\n");
    assert_reads_as(&canonical.replace("\r\n", "\n"), &canonical);
}

#[test]
fn mixed_crlf_and_lf_line_endings() {
    // A template with CRLF, concatenated with lines added by code with LF.
    let canonical = audio("a=mid:0\r\na=rtpmap:111 opus/48000/2\r\na=sendrecv\r\n");
    let loose = canonical
        .replacen("\r\n", "\n", 2)
        .replace("a=sendrecv\r\n", "a=sendrecv\n");
    assert_reads_as(&loose, &canonical);
}

#[test]
fn trailing_white_space_at_ends_of_lines() {
    let canonical = audio("a=mid:0\r\na=rtcp-mux\r\n");
    let loose = canonical.replace("\r\n", " \t \r\n");
    assert_reads_as(&loose, &canonical);
}

#[test]
fn trailing_blank_lines() {
    let canonical = audio("a=mid:0\r\n");
    assert_reads_as(&format!("{canonical}\r\n\r\n"), &canonical);
    assert_reads_as(&format!("{canonical}\n \n\t\n"), &canonical);
}

#[test]
fn leading_bom_and_blank_lines() {
    let canonical = audio("a=mid:0\r\n");
    assert_reads_as(&format!("\u{feff}{canonical}"), &canonical);
    assert_reads_as(&format!("\r\n\r\n{canonical}"), &canonical);
    assert_reads_as(&format!("\u{feff}\n  \n{canonical}"), &canonical);
}

#[test]
fn runs_of_spaces_and_tabs_in_o_c_t_and_m_lines() {
    let loose = "v=0\r\n\
        o=-  4611731400430051336\t2 IN  IP4   127.0.0.1\r\n\
        s=-\r\n\
        t=0\t 0\r\n\
        m= audio  9\tUDP/TLS/RTP/SAVPF   111  0\t8\r\n\
        c=IN\tIP4  192.0.2.10\r\n\
        a=mid:0\r\n";
    let canonical = format!(
        "{SESSION}m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8\r\nc=IN IP4 192.0.2.10\r\na=mid:0\r\n"
    );
    let view = assert_reads_as(loose, &canonical);
    assert_eq!(view.media[0].formats, ["111", "0", "8"]);
    assert_eq!(view.origin.session_id, "4611731400430051336");
}

#[test]
fn candidate_fields_separated_by_runs_of_spaces_and_tabs() {
    let loose = audio(
        "a=candidate:  1467250027 1  udp\t2122260223 192.168.1.7  46243 typ  host generation 0\r\n",
    );
    let canonical = audio(
        "a=candidate:1467250027 1 udp 2122260223 192.168.1.7 46243 typ host generation 0\r\n",
    );
    let view = assert_reads_as(&loose, &canonical);
    assert_eq!(view.media[0].candidates[0].port, 46243);
}

#[test]
fn candidate_with_libwebrtc_and_unknown_extensions() {
    // Field order and unknown pairs are kept as written.
    let canonical = audio(
        "a=candidate:842163049 1 udp 1677729535 203.0.113.9 61412 typ srflx raddr 192.168.1.7 rport 46243 generation 0 network-id 1 network-cost 10 x-vendor-rtt 12\r\n\
         a=candidate:3 1 udp 2122260223 192.168.1.7 46243 typ host x-first 1 generation 0\r\n",
    );
    let loose = canonical
        .replace(" network-id", "  network-id")
        .replace(" x-", "\tx-");
    let view = assert_reads_as(&loose, &canonical);
    let srflx = &view.media[0].candidates[0];
    assert_eq!(srflx.kind, CandidateKind::ServerReflexive);
    assert_eq!(srflx.network_cost, Some(10));
    assert_eq!(
        srflx.extensions,
        [("x-vendor-rtt".to_owned(), "12".to_owned())]
    );
}

#[test]
fn candidate_with_ufrag_extension() {
    let canonical = audio(
        "a=candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host generation 0 ufrag EsAw network-id 2\r\n",
    );
    let loose = canonical.replace(" ufrag EsAw", "  UFRAG\tEsAw");
    let view = assert_reads_as(&loose, &canonical);
    assert_eq!(view.media[0].candidates[0].ufrag.as_deref(), Some("EsAw"));
}

#[test]
fn candidate_transport_and_keywords_in_upper_case() {
    // Firefox writes `UDP`/`TCP` (RFC 8839's own spelling): kept. Keywords
    // in upper case are written in lower case; mixed-case transport too.
    let canonical = audio(
        "a=candidate:0 1 UDP 2122252543 192.0.2.44 51234 typ host\r\n\
         a=candidate:1 1 udp 2122252543 192.0.2.44 51235 typ host\r\n",
    );
    let loose = audio(
        "a=candidate:0 1 UDP 2122252543 192.0.2.44 51234 TYP HOST\r\n\
         a=candidate:1 1 Udp 2122252543 192.0.2.44 51235 Typ Host\r\n",
    );
    let view = assert_reads_as(&loose, &canonical);
    assert!(view.media[0].candidates[0].transport_uppercase);
    assert_eq!(
        view.media[0].candidates[1].transport,
        CandidateTransport::Udp
    );
}

#[test]
fn candidate_tcptype_in_any_case() {
    let canonical = audio(
        "a=candidate:2 1 TCP 2105524479 192.0.2.44 9 typ host tcptype active\r\n\
         a=candidate:4 1 tcp 1518280447 192.0.2.44 50001 typ host tcptype passive generation 0\r\n",
    );
    let loose = canonical
        .replace("tcptype active", "TCPTYPE  Active")
        .replace("tcptype passive", "tcptype\tPASSIVE");
    let view = assert_reads_as(&loose, &canonical);
    assert_eq!(view.media[0].candidates[0].tcp_type, Some(TcpType::Active));
    assert_eq!(view.media[0].candidates[1].tcp_type, Some(TcpType::Passive));
}

#[test]
fn trickled_candidates_read_with_the_same_looseness() {
    let strict: Candidate = "candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host ufrag EsAw"
        .parse()
        .unwrap();
    for loose in [
        "candidate:1  1\tudp 2122260223 10.0.0.2 50000 typ host ufrag EsAw",
        "  a=candidate:1 1 UDP 2122260223 10.0.0.2 50000 TYP host UFRAG EsAw\r\n",
    ] {
        let parsed: Candidate = loose.parse().unwrap_or_else(|e| panic!("{loose}: {e}"));
        assert_eq!(parsed.ufrag, strict.ufrag, "{loose}");
        assert_eq!(parsed.port, strict.port);
    }
}

#[test]
fn rtpmap_with_runs_of_spaces() {
    let canonical = audio("a=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n");
    let loose = audio("a=rtpmap:111  opus/48000/2\r\na=rtpmap: 0\tPCMU/8000\r\n");
    let view = assert_reads_as(&loose, &canonical);
    assert_eq!(view.media[0].codecs[0].encoding, "opus");
}

#[test]
fn fingerprint_hash_name_case_hex_case_and_spaces() {
    let hex = "B4:52:CB:45:06:72:A7:E4:30:9A:18:73:69:24:40:0B:B2:22:58:F5:A6:47:0C:03:45:74:34:51:F8:E6:D0:B8";
    let canonical = audio(&format!("a=fingerprint:sha-256 {hex}\r\n"));
    for loose in [
        format!("a=fingerprint:SHA-256 {hex}"),
        format!("a=fingerprint:sha-256 {}", hex.to_ascii_lowercase()),
        format!("a=fingerprint:Sha-256  \t{}", hex.to_ascii_lowercase()),
        format!("a=fingerprint: sha-256 {hex}"),
    ] {
        let view = assert_reads_as(&audio(&format!("{loose}\r\n")), &canonical);
        assert_eq!(
            view.media[0].fingerprints[0].algorithm,
            HashAlgorithm::Sha256
        );
        assert_eq!(view.media[0].fingerprints[0].bytes[0], 0xB4);
    }
}

#[test]
fn group_with_runs_of_spaces_tabs_and_lower_case_semantics() {
    let canonical = format!(
        "{SESSION}a=group:BUNDLE 0 1\r\n\
         m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n"
    );
    for loose in [
        "a=group:BUNDLE  0\t1",
        "a=group:bundle 0 1",
        "a=group: BUNDLE 0 1",
    ] {
        let view = assert_reads_as(&canonical.replace("a=group:BUNDLE 0 1", loose), &canonical);
        assert_eq!(view.bundle_group().unwrap().mids, ["0", "1"]);
    }
}

#[test]
fn setup_role_in_any_case() {
    let canonical = audio("a=setup:actpass\r\n");
    for loose in [
        "a=setup:ACTPASS",
        "a=setup:ActPass",
        "a=setup: actpass",
        "a=SETUP:actpass",
    ] {
        let view = assert_reads_as(&audio(&format!("{loose}\r\n")), &canonical);
        assert_eq!(view.media[0].setup, Some(Setup::ActPass));
    }
}

#[test]
fn missing_t_line_is_supplied() {
    // Many SIP gateways leave `t=` out.
    let loose = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\n\
        a=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n";
    let canonical = format!(
        "{SESSION}a=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n"
    );
    assert_reads_as(loose, &canonical);
    // `t=` goes after the session's c=/b= lines, before r=/z=/k=/a=.
    let with_c =
        "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=x\r\nc=IN IP4 0.0.0.0\r\nb=AS:30\r\nk=prompt\r\n";
    assert_reads_as(
        with_c,
        "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=x\r\nc=IN IP4 0.0.0.0\r\nb=AS:30\r\nt=0 0\r\nk=prompt\r\n",
    );
}

#[test]
fn blank_or_missing_s_line() {
    // `s= ` (one space) is RFC 8866 §5.3's "no meaningful name": kept.
    let rfc = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns= \r\nt=0 0\r\n";
    assert_reads_as(rfc, rfc);
    assert_reads_as("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=\t  \r\nt=0 0\r\n", rfc);
    let jsep = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
    // An empty `s=` and a missing one become JSEP's `s=-`.
    assert_reads_as("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=\r\nt=0 0\r\n", jsep);
    assert_reads_as("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\nt=0 0\r\n", jsep);
    // Both missing.
    let description = read("v=0\no=- 1 2 IN IP4 0.0.0.0\na=ice-lite\n");
    assert_eq!(
        description.to_string(),
        "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n"
    );
    assert!(matches!(description.session[2], Line::SessionName(_)));
}

#[test]
fn attribute_with_an_empty_value() {
    // `a=name:` is written as the property attribute `a=name`.
    let canonical =
        audio("a=x-gateway-flag\r\na=ice-options\r\na=fmtp:111\r\na=rtpmap:111 opus/48000/2\r\n");
    let loose = audio(
        "a=x-gateway-flag:\r\na=ice-options: \r\na=fmtp:111 \r\na=rtpmap:111 opus/48000/2\r\n",
    );
    let view = assert_reads_as(&loose, &canonical);
    assert!(view.media[0].ice_options.is_empty());
    assert_eq!(view.media[0].codecs[0].fmtp.as_deref(), Some(""));
}

#[test]
fn sctp_port_and_max_message_size_with_surrounding_spaces() {
    let canonical = format!(
        "{SESSION}m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n"
    );
    let loose = format!(
        "{SESSION}m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid: 0\r\na=sctp-port: 5000 \r\na=max-message-size :\t262144\r\n"
    );
    let view = assert_reads_as(&loose, &canonical);
    assert_eq!(view.media[0].sctp_port, Some(5000));
    assert_eq!(view.media[0].max_message_size, Some(262_144));
}

#[test]
fn ice_options_with_runs_of_spaces_and_case() {
    let canonical = format!("{SESSION}a=ice-options:trickle renomination\r\n");
    for loose in [
        "a=ice-options:trickle  renomination",
        "a=ice-options: trickle\trenomination",
        "a=ice-options:TRICKLE Renomination",
    ] {
        let view = assert_reads_as(
            &canonical.replace("a=ice-options:trickle renomination", loose),
            &canonical,
        );
        assert_eq!(
            view.ice_options,
            [IceOption::Trickle, IceOption::Renomination]
        );
    }
}

#[test]
fn white_space_after_the_colon_of_credentials_and_mid() {
    let canonical =
        audio("a=mid:audio0\r\na=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n");
    let loose =
        audio("a=mid: audio0\r\na=ice-ufrag:\tEsAw\r\na=ice-pwd:  P2uYro0UCOQ4zxjKXaWCBui1\r\n");
    let view = assert_reads_as(&loose, &canonical);
    assert_eq!(view.media[0].ice_ufrag.as_deref(), Some("EsAw"));
}

#[test]
fn stream_and_feedback_attributes_with_runs_of_spaces() {
    let canonical = audio(
        "a=msid:stream0 track0\r\na=rtcp-fb:111 transport-cc\r\na=ssrc-group:FID 1 2\r\n\
         a=ssrc:1 msid:stream0  track0\r\na=fmtp:111 minptime=10;  useinbandfec=1\r\n\
         a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on\r\n",
    );
    let loose = audio(
        "a=msid:stream0\ttrack0\r\na=rtcp-fb:111   transport-cc\r\na=ssrc-group:FID  1\t2\r\n\
         a=ssrc:1  msid:stream0  track0\r\na=fmtp:111\tminptime=10;  useinbandfec=1\r\n\
         a=extmap:1  urn:ietf:params:rtp-hdrext:ssrc-audio-level  vad=on\r\n",
    );
    // Parameters after the leading fields (fmtp's, ssrc's value, extmap's
    // attributes) are kept as written.
    assert_reads_as(&loose, &canonical);
}
