//! Media between two connections in memory: transceivers negotiated, Opus
//! frames through RTP and SRTP, the `track` event, RTCP reports and their
//! round-trip time, keyframe requests.

mod common;

use std::time::Duration;

use common::Pair;
use sansrtc::media::default_codecs;
use sansrtc::*;

fn frames(events: &[PeerEvent]) -> Vec<(TransceiverId, Vec<u8>, u32)> {
    events
        .iter()
        .filter_map(|e| match e {
            PeerEvent::Media(MediaEvent::Frame {
                transceiver,
                data,
                rtp_timestamp,
                ..
            }) => Some((*transceiver, data.clone(), *rtp_timestamp)),
            _ => None,
        })
        .collect()
}

fn tracks(events: &[PeerEvent]) -> Vec<TrackEvent> {
    events
        .iter()
        .filter_map(|e| match e {
            PeerEvent::Track(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

/// a sends audio to b (b answers `recvonly` through a new transceiver);
/// both connected.
fn audio_call() -> (Pair, TransceiverId) {
    let mut p = Pair::new();
    let sender =
        p.a.add_track(MediaStreamTrack::new("mic", MediaKind::Audio), &["s1"])
            .unwrap();
    p.negotiate();
    assert!(p.run_until(Duration::from_secs(10), |p| {
        p.a.connection_state() == PeerConnectionState::Connected
            && p.b.connection_state() == PeerConnectionState::Connected
    }));
    (p, sender)
}

#[test]
fn opus_frames_cross_and_the_remote_track_fires() {
    let (mut p, sender) = audio_call();
    // The offer and answer carry the section as JSEP says.
    let offer = p.b.remote_description().unwrap().sdp;
    assert!(offer.contains("m=audio 9 UDP/TLS/RTP/SAVPF 111"), "{offer}");
    assert!(offer.contains("a=rtpmap:111 opus/48000/2"));
    assert!(offer.contains("a=msid:s1 mic"));
    assert!(offer.contains("a=sendrecv"));
    let answer = p.a.remote_description().unwrap().sdp;
    assert!(answer.contains("a=recvonly"), "{answer}");
    assert!(!answer.contains("a=ssrc:"));

    let t = tracks(&p.events_b);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].kind, MediaKind::Audio);
    assert_eq!(t[0].stream_ids, ["s1"]);
    assert_eq!(t[0].mid.as_deref(), Some("0"));
    let receiver = t[0].transceiver;
    assert_eq!(
        p.a.transceiver(sender).unwrap().current_direction,
        Some(RtpTransceiverDirection::SendOnly)
    );
    assert_eq!(
        p.b.transceiver(receiver).unwrap().current_direction,
        Some(RtpTransceiverDirection::RecvOnly)
    );
    // b does not send on a recvonly transceiver.
    assert!(p.b.write_frame(p.now, receiver, 0, &[1, 2, 3]).is_err());

    for i in 0..50u32 {
        let frame = [0xf8, 0xff, 0xfe, i as u8];
        p.a.write_frame(p.now, sender, i * 960, &frame).unwrap();
        p.run_until(Duration::from_millis(20), |_| false);
    }
    p.run_until(Duration::from_millis(100), |_| false);
    let got = frames(&p.events_b);
    assert_eq!(got.len(), 50, "{:?}", p.b.media_stats());
    for (i, (transceiver, data, ts)) in got.iter().enumerate() {
        assert_eq!(*transceiver, receiver);
        assert_eq!(data, &[0xf8, 0xff, 0xfe, i as u8]);
        // Timestamps keep the 960-tick spacing from a random origin.
        assert_eq!(ts.wrapping_sub(got[0].2), i as u32 * 960);
    }
    assert_eq!(p.a.media_stats().rtp_sent, 50);
    // Transport-wide feedback reports every packet a numbered as received.
    let twcc = p.a.twcc_stats();
    assert_eq!(twcc.packets_sent, 50);
    assert!(twcc.feedback_received > 0 && p.b.twcc_stats().feedback_sent > 0);
    assert_eq!(twcc.reported_received, 50, "{twcc:?}");
    assert_eq!(twcc.reported_lost, 0);
    assert_eq!(p.b.media_stats().rtp_received, 50);
    // The packets on the wire are SRTP: the frame bytes are not in clear.
    let marker = [0xf8, 0xff, 0xfe, 7];
    assert!(!p
        .carried
        .iter()
        .any(|t| t.contents.windows(4).any(|w| w == marker)));
}

#[test]
fn reports_give_a_round_trip_time() {
    let (mut p, sender) = audio_call();
    let mut ts = 0;
    // Three seconds of audio: several report intervals each way.
    p.run_until(Duration::from_secs(3), |p| {
        let _ = p; // sending is done below, per step
        false
    });
    for _ in 0..150 {
        p.a.write_frame(p.now, sender, ts, &[0xf8, 0xff, 0xfe])
            .unwrap();
        ts += 960;
        p.run_until(Duration::from_millis(20), |_| false);
    }
    assert!(p.a.media_stats().rtcp_sent >= 2, "{:?}", p.a.media_stats());
    assert!(p.b.media_stats().rtcp_sent >= 2, "{:?}", p.b.media_stats());
    assert!(p.b.media_stats().rtcp_received >= 2);
    // b's receiver reports answer a's sender reports: a knows the RTT. The
    // in-memory network has no delay, so it is below a millisecond.
    let rtt = p.a.round_trip_time(sender).expect("RTT from b's reports");
    assert!(rtt < Duration::from_millis(5), "{rtt:?}");
    // b's statistics of a's stream: nothing lost, no jitter.
    let ssrc = p.a.transceiver(sender).unwrap().sender.ssrc;
    let stats = p.b.receive_stats(ssrc).unwrap();
    assert_eq!(stats.cumulative_lost(), 0);
    assert_eq!(stats.received(), 150);
}

#[test]
fn a_keyframe_request_reaches_the_sender() {
    let (mut p, sender) = audio_call();
    p.a.write_frame(p.now, sender, 0, &[0xf8, 0xff, 0xfe])
        .unwrap();
    p.run_until(Duration::from_millis(50), |_| false);
    let receiver = tracks(&p.events_b)[0].transceiver;
    p.b.request_keyframe(p.now, receiver, false).unwrap();
    p.b.request_keyframe(p.now, receiver, true).unwrap();
    p.run_until(Duration::from_millis(50), |_| false);
    let requests: Vec<bool> = p
        .events_a
        .iter()
        .filter_map(|e| match e {
            PeerEvent::Media(MediaEvent::KeyframeRequest {
                transceiver,
                full_intra,
            }) if *transceiver == sender => Some(*full_intra),
            _ => None,
        })
        .collect();
    assert_eq!(requests, [false, true]);
}

#[test]
fn both_directions_with_a_data_channel() {
    let mut p = Pair::new();
    let now = p.now;
    let a_audio =
        p.a.add_track(MediaStreamTrack::new("a-mic", MediaKind::Audio), &["a"])
            .unwrap();
    let chat =
        p.a.create_data_channel(now, DataChannelInit::new("chat"))
            .unwrap();
    // b adds its own track before answering: addTrack's transceiver is
    // taken over by the offered section.
    p.offer_to_b();
    let b_audio =
        p.b.add_track(MediaStreamTrack::new("b-mic", MediaKind::Audio), &["b"])
            .unwrap();
    let answer = p.answer_from_b();
    assert!(answer.sdp.contains("a=sendrecv"), "{}", answer.sdp);
    assert!(answer.sdp.contains("m=application"));
    p.a.set_remote_description(now, answer).unwrap();
    assert!(p.run_until(Duration::from_secs(10), |p| {
        Pair::opened(&p.events_a).contains(&chat)
    }));
    p.a.write_frame(p.now, a_audio, 0, &[1]).unwrap();
    p.b.write_frame(p.now, b_audio, 0, &[2]).unwrap();
    p.run_until(Duration::from_millis(50), |_| false);
    assert_eq!(frames(&p.events_b).len(), 1);
    assert_eq!(frames(&p.events_a).len(), 1);
    assert_eq!(frames(&p.events_a)[0].1, [2]);
    assert_eq!(tracks(&p.events_a).len(), 1);
    assert_eq!(p.b.get_transceivers().len(), 1);
}

/// A fake encoded video frame: the first byte is the codec's keyframe
/// marker, the rest a counting pattern.
fn video_frame(first: &[u8], len: usize, seed: u8) -> Vec<u8> {
    let mut f = first.to_vec();
    f.extend((0..len - first.len()).map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed)));
    f
}

fn video_call(codec: CodecName) -> (Pair, TransceiverId) {
    video_call_with(codec, true)
}

/// A video call with `codec` only, with or without NACK (and RTX).
fn video_call_with(codec: CodecName, nack: bool) -> (Pair, TransceiverId) {
    let mut p = Pair::new();
    let sender =
        p.a.add_track(MediaStreamTrack::new("cam", MediaKind::Video), &["s"])
            .unwrap();
    let only: Vec<RtpCodecParameters> = default_codecs(MediaKind::Video)
        .into_iter()
        .filter(|c| c.name == codec || (nack && c.name == CodecName::Rtx))
        .map(|mut c| {
            if !nack {
                c.rtcp_feedback.retain(|f| !f.starts_with("nack"));
            }
            c
        })
        .collect();
    p.a.set_codec_preferences(sender, only).unwrap();
    p.negotiate();
    assert!(p.run_until(Duration::from_secs(10), |p| {
        p.a.connection_state() == PeerConnectionState::Connected
            && p.b.connection_state() == PeerConnectionState::Connected
    }));
    (p, sender)
}

fn video_frames(events: &[PeerEvent]) -> Vec<(Vec<u8>, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            PeerEvent::Media(MediaEvent::Frame { data, keyframe, .. }) => {
                Some((data.clone(), *keyframe))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn vp8_frames_are_fragmented_and_reassembled() {
    let (mut p, sender) = video_call(CodecName::Vp8);
    let answer = p.a.remote_description().unwrap().sdp;
    assert!(answer.contains("a=rtpmap:96 VP8/90000"), "{answer}");
    // VP8 payload header: P bit (bit 0 of the first byte) 0 on keyframes.
    let key = video_frame(&[0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a], 9000, 1);
    let delta = video_frame(&[0x11], 3000, 2);
    p.a.write_frame(p.now, sender, 0, &key).unwrap();
    p.a.write_frame(p.now, sender, 3000, &delta).unwrap();
    p.run_until(Duration::from_millis(50), |_| false);
    let got = video_frames(&p.events_b);
    assert_eq!(got, vec![(key, true), (delta, false)]);
    // Nine kilobytes need at least eight packets of at most 1164 bytes.
    assert!(p.a.media_stats().rtp_sent >= 9, "{:?}", p.a.media_stats());
}

#[test]
fn h264_access_units_round_trip_in_annex_b() {
    let (mut p, sender) = video_call(CodecName::H264);
    let answer = p.a.remote_description().unwrap().sdp;
    assert!(answer.contains("H264/90000"), "{answer}");
    assert!(answer.contains("packetization-mode=1"));
    // SPS, PPS, a 5000-byte IDR slice: STAP-A for the small ones, FU-A for
    // the slice.
    let mut au = vec![
        0, 0, 0, 1, 0x67, 0x42, 0xe0, 0x1f, 0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80,
    ];
    au.extend_from_slice(&[0, 0, 0, 1]);
    au.extend(video_frame(&[0x65], 5000, 3));
    p.a.write_frame(p.now, sender, 0, &au).unwrap();
    let mut p_slice = vec![0, 0, 0, 1];
    p_slice.extend(video_frame(&[0x41], 800, 4));
    p.a.write_frame(p.now, sender, 3000, &p_slice).unwrap();
    p.run_until(Duration::from_millis(50), |_| false);
    let got = video_frames(&p.events_b);
    assert_eq!(got.len(), 2, "{:?}", p.b.media_stats());
    assert_eq!(got[0], (au, true));
    assert_eq!(got[1], (p_slice, false));
}

#[test]
fn a_lost_packet_drops_its_frame_and_the_next_keyframe_recovers() {
    // Without NACK: nothing is retransmitted.
    let (mut p, sender) = video_call_with(CodecName::Vp8, false);
    // Drop the third media packet a sends after the call is up.
    static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    fn drop_third_big(t: &Transmit) -> bool {
        // SRTP packets of the video frame are large; RTCP is small.
        t.contents.len() > 1000 && COUNT.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 2
    }
    p.drop = Some(drop_third_big);
    let key1 = video_frame(&[0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a], 6000, 5);
    let key2 = video_frame(&[0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a], 6000, 6);
    p.a.write_frame(p.now, sender, 0, &key1).unwrap();
    p.run_until(Duration::from_millis(20), |_| false);
    p.a.write_frame(p.now, sender, 3000, &key2).unwrap();
    p.run_until(Duration::from_millis(50), |_| false);
    let got = video_frames(&p.events_b);
    assert_eq!(got.len(), 1, "one frame expected");
    assert!(got[0] == (key2, true), "the second keyframe expected");
    let ssrc = p.a.transceiver(sender).unwrap().sender.ssrc;
    let depay = p.b.depay_stats(ssrc).unwrap();
    assert_eq!(depay.dropped_frames, 1, "{depay:?}");
    assert_eq!(p.b.receive_stats(ssrc).unwrap().cumulative_lost(), 1);
    // b could not decode: it asked for a keyframe on its own, once.
    assert_eq!(p.b.media_stats().keyframes_requested, 1);
    assert!(p.events_a.iter().any(|e| matches!(
        e,
        PeerEvent::Media(MediaEvent::KeyframeRequest { transceiver, full_intra: false })
            if *transceiver == sender
    )));
}

#[test]
fn nack_and_rtx_recover_a_tenth_lost() {
    let (mut p, sender) = video_call(CodecName::Vp8);
    let answer = p.a.remote_description().unwrap().sdp;
    assert!(answer.contains("a=rtcp-fb:96 nack\r\n"), "{answer}");
    assert!(answer.contains("apt=96"), "RTX answered: {answer}");
    // A tenth of what a sends from now on is lost (media, RTX and RTCP
    // alike), at random with a fixed seed.
    static STATE: std::sync::atomic::AtomicU64 =
        std::sync::atomic::AtomicU64::new(0x9e37_79b9_7f4a_7c15);
    fn lose_a_tenth(t: &Transmit) -> bool {
        if t.source != common::ADDR_A.parse().unwrap() {
            return false;
        }
        let mut x = STATE.load(std::sync::atomic::Ordering::SeqCst);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        STATE.store(x, std::sync::atomic::Ordering::SeqCst);
        x % 10 == 0
    }
    p.drop = Some(lose_a_tenth);
    let mut sent = Vec::new();
    for i in 0..100u32 {
        let first: &[u8] = if i % 50 == 0 {
            &[0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a]
        } else {
            &[0x11]
        };
        let frame = video_frame(first, 3000, i as u8);
        p.a.write_frame(p.now, sender, i * 3000, &frame).unwrap();
        sent.push(frame);
        p.run_for(Duration::from_millis(33));
    }
    // A lost tail shows only when a later packet arrives: one more frame,
    // not lost.
    p.drop = None;
    let last = video_frame(&[0x11], 3000, 100);
    p.a.write_frame(p.now, sender, 100 * 3000, &last).unwrap();
    sent.push(last);
    p.run_until(Duration::from_secs(2), |_| false);
    let got: Vec<Vec<u8>> = video_frames(&p.events_b)
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    let (a, b) = (p.a.media_stats(), p.b.media_stats());
    eprintln!("a {a:?}\nb {b:?}");
    let ssrc = p.a.transceiver(sender).unwrap().sender.ssrc;
    eprintln!(
        "nack {:?} skipped {:?} depay {:?}",
        p.b.nack_stats(ssrc),
        p.b.reorder_skipped(ssrc),
        p.b.depay_stats(ssrc)
    );
    assert!(b.nacks_sent > 0 && a.rtp_retransmitted > 0 && b.rtx_recovered > 0);
    // Every frame arrives whole and in order.
    assert_eq!(got.len(), sent.len(), "frames lost");
    assert!(got == sent, "frames differ");
}

#[test]
fn a_stream_that_starts_without_a_keyframe_asks_for_one() {
    let (mut p, sender) = video_call(CodecName::Vp8);
    let delta = video_frame(&[0x11], 2000, 9);
    p.a.write_frame(p.now, sender, 0, &delta).unwrap();
    p.run_for(Duration::from_millis(50));
    p.a.write_frame(p.now, sender, 3000, &delta).unwrap();
    p.run_for(Duration::from_millis(50));
    // Two deltas within the request interval: one PLI.
    assert_eq!(p.b.media_stats().keyframes_requested, 1);
    let key = video_frame(&[0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a], 2000, 10);
    p.a.write_frame(p.now, sender, 6000, &key).unwrap();
    p.run_for(Duration::from_millis(400));
    p.a.write_frame(p.now, sender, 9000, &delta).unwrap();
    p.run_for(Duration::from_millis(50));
    // Decodable from the keyframe on: no more requests.
    assert_eq!(p.b.media_stats().keyframes_requested, 1);
}

fn negotiation_needed(events: &[PeerEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, PeerEvent::NegotiationNeeded))
        .count()
}

#[test]
fn renegotiation_adds_video_changes_direction_and_stops() {
    let (mut p, audio) = audio_call();
    let before = negotiation_needed(&p.events_a);
    // A video track mid-call: negotiationneeded, a new section after the
    // audio one, frames flow once the answer is applied.
    let video =
        p.a.add_track(MediaStreamTrack::new("cam", MediaKind::Video), &["s1"])
            .unwrap();
    p.step();
    assert_eq!(negotiation_needed(&p.events_a), before + 1);
    p.negotiate();
    let offer = p.b.remote_description().unwrap().sdp;
    let audio_at = offer.find("m=audio").unwrap();
    let video_at = offer.find("m=video").unwrap();
    assert!(audio_at < video_at, "{offer}");
    assert!(offer.contains("a=mid:1"));
    p.run_for(Duration::from_millis(100));
    let key = video_frame(&[0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a], 4000, 1);
    p.a.write_frame(p.now, video, 0, &key).unwrap();
    p.a.write_frame(p.now, audio, 0, &[0xf8, 0xff, 0xfe])
        .unwrap();
    p.run_for(Duration::from_millis(50));
    assert_eq!(tracks(&p.events_b).len(), 2);
    assert!(video_frames(&p.events_b).contains(&(key, true)));
    // The audio sender goes inactive: negotiationneeded, and once
    // negotiated it no longer sends.
    let before = negotiation_needed(&p.events_a);
    p.a.set_direction(audio, RtpTransceiverDirection::Inactive)
        .unwrap();
    p.step();
    assert_eq!(negotiation_needed(&p.events_a), before + 1);
    p.negotiate();
    assert_eq!(
        p.a.transceiver(audio).unwrap().current_direction,
        Some(RtpTransceiverDirection::Inactive)
    );
    assert!(p.a.write_frame(p.now, audio, 960, &[1]).is_err());
    // Stopping the video transceiver: stopped after the next negotiation.
    let before = negotiation_needed(&p.events_a);
    p.a.stop_transceiver(video).unwrap();
    assert!(p.a.write_frame(p.now, video, 3000, &[0x11]).is_err());
    p.step();
    assert_eq!(negotiation_needed(&p.events_a), before + 1);
    p.negotiate();
    p.step();
    assert!(p.a.transceiver(video).unwrap().stopped);
    // Its section is offered and answered rejected (port 0, outside
    // BUNDLE), and b's transceiver stopped with it (RFC 9429 §5.2.2).
    let offer = p.b.remote_description().unwrap().sdp;
    let answer = p.a.remote_description().unwrap().sdp;
    for sdp in [&offer, &answer] {
        let video_line = sdp.lines().find(|l| l.starts_with("m=video")).unwrap();
        assert!(video_line.starts_with("m=video 0 "), "{sdp}");
        let group = sdp
            .lines()
            .find(|l| l.starts_with("a=group:BUNDLE"))
            .unwrap();
        assert_eq!(group.split(' ').count(), 2, "only audio bundled: {sdp}");
    }
    assert!(p
        .b
        .get_transceivers()
        .iter()
        .all(|t| t.kind == MediaKind::Audio || t.stopped));
    // Nothing more to negotiate.
    let before = negotiation_needed(&p.events_a);
    p.run_for(Duration::from_millis(50));
    let trace: Vec<String> = p
        .events_a
        .iter()
        .filter(|e| {
            matches!(
                e,
                PeerEvent::NegotiationNeeded | PeerEvent::SignalingStateChange(_)
            )
        })
        .map(|e| format!("{e:?}"))
        .collect();
    assert_eq!(negotiation_needed(&p.events_a), before, "{trace:?}");
    assert_eq!(p.a.connection_state(), PeerConnectionState::Connected);
}

#[test]
fn an_answer_that_does_not_multiplex_rtcp_stops_the_transceiver() {
    let config = RtcConfiguration {
        rtcp_mux_policy: RtcpMuxPolicy::Negotiate,
        ..RtcConfiguration::default()
    };
    let mut p = Pair::with_configs(config, RtcConfiguration::default());
    let audio =
        p.a.add_track(MediaStreamTrack::new("mic", MediaKind::Audio), &["s"])
            .unwrap();
    let chat =
        p.a.create_data_channel(p.now, DataChannelInit::new("chat"))
            .unwrap();
    p.offer_to_b();
    let offer = p.b.remote_description().unwrap().sdp;
    // negotiate: a=rtcp-mux with the RFC 3605 fallback, not rtcp-mux-only.
    assert!(offer.contains("a=rtcp-mux\r\n") && offer.contains("a=rtcp:9 IN IP4 0.0.0.0"));
    assert!(!offer.contains("a=rtcp-mux-only"));
    let answer = p.answer_from_b();
    let unmuxed = RtcSessionDescription::answer(answer.sdp.replace("a=rtcp-mux\r\n", ""));
    p.a.set_remote_description(p.now, unmuxed).unwrap();
    // RTCP on component 2 is not supported: the audio transceiver stops,
    // the data channel still opens.
    assert!(p.a.transceiver(audio).unwrap().stopped);
    assert!(p.a.write_frame(p.now, audio, 0, &[1]).is_err());
    assert!(
        p.run_until(Duration::from_secs(10), |p| Pair::opened(&p.events_a)
            .contains(&chat))
    );
}

#[test]
fn a_nack_is_answered_at_once() {
    let (mut p, sender) = video_call(CodecName::Vp8);
    // The middle packet of the second frame is lost (b learns the sequence
    // numbers from the first).
    static BIG: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    fn drop_one(t: &Transmit) -> bool {
        t.contents.len() > 1000 && BIG.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 2
    }
    p.drop = Some(drop_one);
    let first = video_frame(&[0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a], 3000, 1);
    p.a.write_frame(p.now, sender, 0, &first).unwrap();
    p.run_for(Duration::from_millis(30));
    let frame = video_frame(&[0x11], 3000, 2);
    p.a.write_frame(p.now, sender, 3000, &frame).unwrap();
    // Step until b has sent its NACK, then note the time: the
    // retransmission must reach b without time moving on (a answers in the
    // call that received the NACK, not at its next timeout).
    assert!(p.run_until(Duration::from_secs(1), |p| p.b.media_stats().nacks_sent > 0));
    let asked_at = p.now;
    for _ in 0..4 {
        if p.b.media_stats().rtx_recovered > 0 {
            break;
        }
        p.step();
    }
    assert_eq!(
        p.b.media_stats().rtx_recovered,
        1,
        "{:?}",
        p.b.media_stats()
    );
    assert_eq!(p.now, asked_at);
    p.run_for(Duration::from_millis(50));
    assert_eq!(
        video_frames(&p.events_b),
        vec![(first, true), (frame, false)]
    );
}
