//! Every typed WebRTC attribute: canonical forms write back identically,
//! malformed values are refused with the attribute's name.

use sansrtc_sdp::attributes::{
    Direction, HashAlgorithm, IceOption, RidDirection, Setup, WebRtcAttribute,
};
use sansrtc_sdp::{Attribute, AttributeError};

fn attribute(line: &str) -> Attribute {
    let text = line.strip_prefix("a=").expect("a= line");
    match text.split_once(':') {
        Some((name, value)) => Attribute::new(name, value),
        None => Attribute::flag(text),
    }
}

fn typed(line: &str) -> WebRtcAttribute {
    WebRtcAttribute::parse(&attribute(line))
        .unwrap_or_else(|e| panic!("{line}: {e:?}"))
        .unwrap_or_else(|| panic!("{line}: not typed"))
}

#[test]
fn canonical_forms_round_trip() {
    for line in [
        "a=mid:0",
        "a=mid:audio",
        "a=group:BUNDLE 0 1 2",
        "a=group:BUNDLE",
        "a=group:LS a b",
        "a=bundle-only",
        "a=ice-ufrag:F4DS",
        "a=ice-pwd:YxjqAbd/OBNbpe18yYSInjgx",
        "a=ice-options:trickle",
        "a=ice-options:trickle ice2 renomination",
        "a=ice-options:trickle x-future",
        "a=ice-lite",
        "a=fingerprint:sha-256 D6:5B:ED:30:D8:B5:72:D4:C9:D0:28:BF:31:4E:11:85:E3:00:75:01:4B:48:98:74:F7:F7:FD:48:01:35:52:68",
        "a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33",
        "a=setup:actpass",
        "a=setup:active",
        "a=setup:passive",
        "a=setup:holdconn",
        "a=rtcp-mux",
        "a=rtcp-mux-only",
        "a=rtcp-rsize",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=rtcp:53020",
        "a=rtcp:53020 IN IP6 2001:db8::1",
        "a=candidate:2884020955 1 udp 2122260223 127.0.0.1 58487 typ host generation 0 network-id 1 network-cost 50",
        "a=end-of-candidates",
        "a=sendrecv",
        "a=sendonly",
        "a=recvonly",
        "a=inactive",
        "a=msid:5abdf836-a6cf-4d99-9819-3c8929d7f9e5 00ef4399-d378-4763-8d09-1dedcc3d30f0",
        "a=msid:- track",
        "a=msid:stream",
        "a=msid-semantic:WMS *",
        "a=ssrc:2474644673 cname:6ckPundjJZlPBpRv",
        "a=ssrc:2474644673 msid:5abd 00ef",
        "a=ssrc:1 x-flag",
        "a=ssrc-group:FID 1328316496 3821238938",
        "a=ssrc-group:SIM 1 2 3",
        "a=rid:q send",
        "a=rid:h recv pt=96,97;max-width=1280;max-height=720",
        "a=simulcast:send q;h;f",
        "a=simulcast:send a,b;~c recv d",
        "a=simulcast:recv 1;2 send 3",
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
        "a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level",
        "a=extmap:14/sendrecv urn:x-example vad=on",
        "a=extmap:255 urn:two-byte-id",
        "a=extmap-allow-mixed",
        "a=rtpmap:111 opus/48000/2",
        "a=rtpmap:96 VP8/90000",
        "a=rtpmap:9 G722/8000/1",
        "a=fmtp:111 minptime=10;useinbandfec=1",
        "a=fmtp:63 111/111",
        "a=fmtp:101 0-15",
        "a=rtcp-fb:96 nack",
        "a=rtcp-fb:96 nack pli",
        "a=rtcp-fb:96 ccm fir",
        "a=rtcp-fb:* transport-cc",
        "a=sctp-port:5000",
        "a=max-message-size:262144",
        "a=max-message-size:0",
        "a=sctpmap:5000 webrtc-datachannel 1024",
        "a=sctpmap:5000 webrtc-datachannel",
        "a=identity:eyJpZHAiOnsiZG9tYWluIjoiZXhhbXBsZS5vcmcifX0=",
    ] {
        let attr = typed(line);
        assert_eq!(format!("a={}", attr.to_attribute()), line);
    }
}

#[test]
fn typed_values_are_what_the_text_says() {
    match typed("a=fingerprint:SHA-256 d6:5b:ed:30:d8:b5:72:d4:c9:d0:28:bf:31:4e:11:85:e3:00:75:01:4b:48:98:74:f7:f7:fd:48:01:35:52:68") {
        WebRtcAttribute::Fingerprint(f) => {
            assert_eq!(f.algorithm, HashAlgorithm::Sha256);
            assert_eq!(f.bytes[0], 0xD6);
            // Written back in the browsers' canonical form.
            assert!(f.to_string().starts_with("sha-256 D6:5B:"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        typed("a=setup:ACTPASS"),
        WebRtcAttribute::Setup(Setup::ActPass)
    );
    assert_eq!(
        typed("a=ice-options:trickle ice2 renomination"),
        WebRtcAttribute::IceOptions(vec![
            IceOption::Trickle,
            IceOption::Ice2,
            IceOption::Renomination
        ])
    );
    match typed("a=extmap:2/recvonly urn:x") {
        WebRtcAttribute::Extmap(e) => {
            assert_eq!((e.id, e.direction), (2, Some(Direction::RecvOnly)))
        }
        other => panic!("{other:?}"),
    }
    match typed("a=rid:h recv pt=96,97;max-width=1280") {
        WebRtcAttribute::Rid(r) => {
            assert_eq!(r.direction, RidDirection::Recv);
            assert_eq!(r.restrictions.as_deref(), Some("pt=96,97;max-width=1280"));
        }
        other => panic!("{other:?}"),
    }
    match typed("a=simulcast:send a,b;~c recv d") {
        WebRtcAttribute::Simulcast(s) => {
            assert_eq!(s.send.len(), 2);
            assert_eq!(s.send[0].len(), 2);
            assert!(s.send[1][0].paused);
            assert_eq!(s.recv[0][0].rid, "d");
        }
        other => panic!("{other:?}"),
    }
    match typed("a=fmtp:111 minptime=10; useinbandfec=1") {
        WebRtcAttribute::Fmtp(f) => {
            assert_eq!(f.payload_type(), Some(111));
            assert_eq!(f.parameter("useinbandfec"), Some("1"));
            assert_eq!(f.parameter("MINPTIME"), Some("10"));
        }
        other => panic!("{other:?}"),
    }
    // Chromium's `a=msid-semantic: WMS` (leading space, no ids).
    match typed("a=msid-semantic: WMS") {
        WebRtcAttribute::MsidSemantic(m) => {
            assert_eq!(m.semantic, "WMS");
            assert!(m.ids.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert!(
        WebRtcAttribute::parse(&attribute("a=x-google-flag:conference"))
            .unwrap()
            .is_none()
    );
}

#[test]
fn malformed_values_name_the_attribute() {
    for (line, name) in [
        ("a=mid:", "mid"),
        ("a=group:", "group"),
        ("a=ice-ufrag:", "ice-ufrag"),
        ("a=ice-ufrag:bad:char", "ice-ufrag"),
        ("a=ice-pwd:", "ice-pwd"),
        ("a=fingerprint:sha-256", "fingerprint"),
        ("a=fingerprint:sha-256 GG:00", "fingerprint"),
        ("a=fingerprint:sha-256 AB:CD", "fingerprint"),
        ("a=fingerprint:sha-256 ABC:D", "fingerprint"),
        (
            "a=fingerprint:sha-1 +0:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33",
            "fingerprint",
        ),
        ("a=fingerprint:s@ AB", "fingerprint"),
        ("a=setup:both", "setup"),
        ("a=rtcp:port", "rtcp"),
        ("a=rtcp:9 IN IP4", "rtcp"),
        ("a=msid:", "msid"),
        ("a=msid:a b c", "msid"),
        ("a=ssrc:x cname:y", "ssrc"),
        ("a=ssrc:4294967296 cname:y", "ssrc"),
        ("a=ssrc:1", "ssrc"),
        ("a=ssrc-group:FID", "ssrc-group"),
        ("a=ssrc-group:FID 1 x", "ssrc-group"),
        ("a=rid:q sideways", "rid"),
        ("a=rid:q!x send", "rid"),
        ("a=simulcast:send", "simulcast"),
        ("a=simulcast:send a send b", "simulcast"),
        ("a=simulcast:up a", "simulcast"),
        ("a=simulcast:send a;;b", "simulcast"),
        ("a=extmap:0 urn:x", "extmap"),
        ("a=extmap:256 urn:x", "extmap"),
        ("a=extmap:1/sideways urn:x", "extmap"),
        ("a=extmap:1", "extmap"),
        ("a=rtpmap:128 x/90000", "rtpmap"),
        ("a=rtpmap:96 VP8", "rtpmap"),
        ("a=rtpmap:96 VP8/fast", "rtpmap"),
        ("a=rtpmap:96 opus/48000/2/1", "rtpmap"),
        ("a=rtcp-fb:96", "rtcp-fb"),
        ("a=rtcp-fb:x nack", "rtcp-fb"),
        ("a=sctp-port:65536", "sctp-port"),
        ("a=max-message-size:-1", "max-message-size"),
        ("a=sctpmap:5000", "sctpmap"),
        ("a=identity:", "identity"),
    ] {
        match WebRtcAttribute::parse(&attribute(line)) {
            Err(AttributeError::Invalid { name: n, expected }) => {
                assert_eq!(n, name, "{line}");
                assert!(!expected.is_empty());
            }
            other => panic!("{line}: {other:?}"),
        }
    }
    assert!(matches!(
        WebRtcAttribute::parse(&attribute("a=candidate:garbage")),
        Err(AttributeError::Candidate(_))
    ));
}

#[test]
fn hostile_lists_are_bounded() {
    let many_mids: String = (0..300).map(|i| format!(" m{i}")).collect();
    assert!(WebRtcAttribute::parse(&attribute(&format!("a=group:BUNDLE{many_mids}"))).is_err());
    let many_ssrcs: String = (0..300).map(|i| format!(" {i}")).collect();
    assert!(WebRtcAttribute::parse(&attribute(&format!("a=ssrc-group:SIM{many_ssrcs}"))).is_err());
    let many_rids: Vec<String> = (0..300).map(|i| format!("r{i}")).collect();
    let line = format!("a=simulcast:send {}", many_rids.join(";"));
    assert!(WebRtcAttribute::parse(&attribute(&line)).is_err());
    let long_fp = format!("a=fingerprint:x-new {}", vec!["AB"; 65].join(":"));
    assert!(WebRtcAttribute::parse(&attribute(&long_fp)).is_err());
}
