//! Answering media offers real peers wrote (from the shared SDP corpus,
//! kept in `tests/data`): what is accepted, with which payload types and
//! feedback, and the `track` events.

mod common;

use std::time::Instant;

use sansrtc::*;

fn answer(offer_file: &str) -> (RtcPeerConnection, String, Vec<TrackEvent>) {
    let path = format!("{}/tests/data/{offer_file}", env!("CARGO_MANIFEST_DIR"));
    let offer = std::fs::read_to_string(&path).expect("test data");
    let now = Instant::now();
    let mut pc = common::peer(7, common::ADDR_B, RtcConfiguration::default(), now);
    pc.set_remote_description(now, RtcSessionDescription::offer(offer))
        .unwrap();
    let answer = pc.create_answer().unwrap();
    pc.set_local_description(now, answer.clone()).unwrap();
    let mut tracks = Vec::new();
    loop {
        match pc.poll_output() {
            Output::Event(PeerEvent::Track(t)) => tracks.push(t),
            Output::Event(_) | Output::Transmit(_) => {}
            Output::Timeout(_) => break,
        }
    }
    (pc, answer.sdp, tracks)
}

/// The lines of the section whose `m=` line starts with `prefix`.
fn section<'a>(sdp: &'a str, prefix: &str) -> Vec<&'a str> {
    let start = sdp.find(prefix).expect("section");
    let rest = &sdp[start..];
    let end = rest[2..].find("\r\nm=").map_or(rest.len(), |i| i + 2);
    rest[..end].lines().collect()
}

#[test]
fn aiortc_audio_video_and_data() {
    let (pc, sdp, tracks) = answer("aiortc-audio-video-data-offer.sdp");
    let audio = section(&sdp, "m=audio");
    assert_eq!(audio[0], "m=audio 9 UDP/TLS/RTP/SAVPF 96");
    assert!(audio.contains(&"a=recvonly"), "{sdp}");
    // VP8 and the first H.264 that matches ours, each with its RTX; the
    // feedback we do not act on (goog-remb) is left out.
    let video = section(&sdp, "m=video");
    assert!(
        video[0].starts_with("m=video 9 UDP/TLS/RTP/SAVPF 97 98"),
        "{}",
        video[0]
    );
    assert!(video.contains(&"a=rtcp-fb:97 nack"));
    assert!(video.contains(&"a=rtcp-fb:97 nack pli"));
    assert!(!sdp.contains("goog-remb"), "{sdp}");
    assert!(sdp.contains("m=application 9 UDP/DTLS/SCTP webrtc-datachannel"));
    // Both sending sections fire `track`, with aiortc's stream id.
    assert_eq!(tracks.len(), 2);
    assert_eq!(tracks[0].kind, MediaKind::Audio);
    assert_eq!(tracks[1].kind, MediaKind::Video);
    assert_eq!(
        tracks[0].stream_ids,
        ["6664d297-90a6-4514-859d-c227fba87717"]
    );
    // The transceivers the offer created receive only.
    let t = pc.get_transceivers();
    assert_eq!(t.len(), 2);
    assert!(t
        .iter()
        .all(|t| t.current_direction == Some(RtpTransceiverDirection::RecvOnly)));
    // aiortc's SSRCs are known before any packet (a=ssrc).
    assert_eq!(t[0].receiver.ssrcs, [1934883360]);
    assert_eq!(t[1].receiver.ssrcs, [4251891302]);
}

#[test]
fn chromium_audio_and_data() {
    let (pc, sdp, tracks) = answer("chromium-audio-datachannel-offer.sdp");
    let audio = section(&sdp, "m=audio");
    assert!(
        audio[0].starts_with("m=audio 9 UDP/TLS/RTP/SAVPF 111"),
        "{}",
        audio[0]
    );
    assert!(audio.contains(&"a=rtpmap:111 opus/48000/2"));
    // The MID and transport-wide sequence number extensions are answered,
    // the others (audio level, absolute send time, …) are not.
    assert!(audio
        .iter()
        .any(|l| l.ends_with("urn:ietf:params:rtp-hdrext:sdes:mid")));
    assert!(audio
        .iter()
        .any(|l| l.ends_with("transport-wide-cc-extensions-01")));
    assert!(!sdp.contains("ssrc-audio-level"), "{sdp}");
    assert!(audio.contains(&"a=rtcp-fb:111 transport-cc"), "{sdp}");
    assert_eq!(tracks.len(), 1);
    assert_eq!(pc.get_transceivers().len(), 1);
}

#[test]
fn an_offer_without_rtcp_mux_is_not_answered() {
    let path = format!(
        "{}/tests/data/chromium-audio-datachannel-offer.sdp",
        env!("CARGO_MANIFEST_DIR")
    );
    let offer = std::fs::read_to_string(path)
        .unwrap()
        .replace("a=rtcp-mux\r\n", "")
        .replace("a=rtcp-mux-only\r\n", "");
    let now = Instant::now();
    // require (the default): no answer can be made.
    let mut pc = common::peer(8, common::ADDR_B, RtcConfiguration::default(), now);
    pc.set_remote_description(now, RtcSessionDescription::offer(offer.clone()))
        .unwrap();
    assert!(pc.create_answer().is_err());
    // negotiate: the audio section would be rejected (RTCP on component 2
    // is not supported), but it is the BUNDLE-tagged one, and a tagged
    // section cannot be rejected while the rest of its group is accepted
    // (RFC 8843 §7.3.3): no answer either, rather than a broken one.
    let config = RtcConfiguration {
        rtcp_mux_policy: RtcpMuxPolicy::Negotiate,
        ..RtcConfiguration::default()
    };
    let mut pc = common::peer(9, common::ADDR_B, config, now);
    pc.set_remote_description(now, RtcSessionDescription::offer(offer))
        .unwrap();
    let refused = pc.create_answer().unwrap_err();
    assert!(refused.to_string().contains("tagged"), "{refused}");
}
