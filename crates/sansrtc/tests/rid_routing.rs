//! Routing by RID (RFC 8852, with RFC 8851's `a=rid` and RFC 8853's
//! `a=simulcast` in the answer): sources nobody signalled, named only by
//! the MID and RtpStreamId header extensions, each reach the video
//! transceiver as a layer of its own, and an RTX stream named by its
//! RepairedRtpStreamId repairs the right layer.

mod common;
#[path = "support/hostile_peer.rs"]
mod hostile_peer;

use std::time::Instant;

use hostile_peer::{Duel, EXT_MID, EXT_REPAIRED_RID, EXT_RID, PT_RTX, PT_VP8};
use sansrtc::*;
use sansrtc_rtp::codec::{Payloader, Payloads, Vp8Payloader};
use sansrtc_rtp::RtpWriter;
use sansrtc_sdp::jsep::receive_simulcast;
use sansrtc_sdp::{SessionDescription, SessionView};

const HIGH: u32 = 0x5151_0001;
const LOW: u32 = 0x5151_0002;
const LOW_RTX: u32 = 0x5151_0003;
const VP8_KEY: [u8; 6] = [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a];

/// A VP8 keyframe of `len` bytes and its one packet's payload.
fn keyframe(tag: u8, len: usize) -> (Vec<u8>, Vec<u8>) {
    let mut frame = VP8_KEY.to_vec();
    frame.extend((0..len).map(|i| (i as u8).wrapping_add(tag)));
    let mut payloads = Payloads::new();
    Vp8Payloader::default()
        .payload(&frame, 1100, &mut payloads)
        .unwrap();
    assert_eq!(payloads.len(), 1);
    let payload = payloads.iter().next().unwrap().to_vec();
    (frame, payload)
}

fn packet(ssrc: u32, pt: u8, seq: u16, extensions: &[(u8, &[u8])], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    RtpWriter {
        marker: true,
        payload_type: pt,
        sequence_number: seq,
        timestamp: u32::from(seq) * 3000,
        ssrc,
        extensions,
        payload,
        ..RtpWriter::default()
    }
    .write(&mut out)
    .unwrap();
    out
}

fn frames(events: &[PeerEvent]) -> Vec<(u32, Option<String>, Vec<u8>)> {
    events
        .iter()
        .filter_map(|e| match e {
            PeerEvent::Media(MediaEvent::Frame {
                ssrc, rid, data, ..
            }) => Some((*ssrc, rid.clone(), data.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn layers_named_by_rid_are_routed_and_rtx_repairs_the_named_layer() {
    let (mut d, _audio, video, _chat) = Duel::connected_media("x");
    let mid = d.media.mids[1].clone();
    let mid = mid.as_bytes();
    // Two layers nobody signalled: MID and RID only.
    let (high_frame, high) = keyframe(1, 800);
    let (low_frame, low) = keyframe(2, 300);
    assert!(d.send_rtp(&packet(
        HIGH,
        PT_VP8,
        10,
        &[(EXT_MID, mid), (EXT_RID, b"h")],
        &high
    )));
    assert!(d.send_rtp(&packet(
        LOW,
        PT_VP8,
        10,
        &[(EXT_MID, mid), (EXT_RID, b"l")],
        &low
    )));
    d.exchange();
    let got = frames(&d.events);
    assert!(
        got.contains(&(HIGH, Some("h".into()), high_frame)),
        "{got:?}"
    );
    assert!(got.contains(&(LOW, Some("l".into()), low_frame)), "{got:?}");
    let receivers = &d.a.transceiver(video).unwrap().receiver.ssrcs;
    assert!(receivers.contains(&HIGH) && receivers.contains(&LOW));

    // The low layer loses packet 11; 12 arrives; an RTX stream nobody
    // signalled, naming the low layer as the one it repairs, resends 11.
    d.events.clear();
    let (eleven_frame, eleven) = keyframe(11, 300);
    let (_, twelve) = keyframe(12, 300);
    assert!(d.send_rtp(&packet(
        LOW,
        PT_VP8,
        12,
        &[(EXT_MID, mid), (EXT_RID, b"l")],
        &twelve
    )));
    let mut rtx_payload = 11u16.to_be_bytes().to_vec();
    rtx_payload.extend_from_slice(&eleven);
    let repaired = [(EXT_MID, mid), (EXT_REPAIRED_RID, b"l".as_slice())];
    let before = d.a.media_stats();
    assert!(d.send_rtp(&packet(LOW_RTX, PT_RTX, 500, &repaired, &rtx_payload)));
    d.exchange();
    let after = d.a.media_stats();
    assert_eq!(after.rtx_recovered, before.rtx_recovered + 1, "{after:?}");
    let got = frames(&d.events);
    assert!(
        got.contains(&(LOW, Some("l".into()), eleven_frame)),
        "the repaired packet reached the low layer: {got:?}"
    );
    assert!(got.iter().all(|(ssrc, _, _)| *ssrc != HIGH));

    // A rid that is not a rid-id (RFC 8851 §10) is not kept.
    let odd = 0x5151_0009;
    assert!(d.send_rtp(&packet(
        odd,
        PT_VP8,
        1,
        &[(EXT_MID, mid), (EXT_RID, b"a b!")],
        &high
    )));
    d.exchange();
    let got = frames(&d.events);
    assert!(
        got.iter()
            .any(|(ssrc, rid, _)| *ssrc == odd && rid.is_none()),
        "{got:?}"
    );
}

/// A section offering simulcast (`a=rid:… send`, `a=simulcast:send`) is
/// answered with the same layers to receive.
#[test]
fn simulcast_offered_is_answered_as_received_layers() {
    let now = Instant::now();
    let mut sender = common::peer(7, common::ADDR_A, RtcConfiguration::default(), now);
    sender
        .add_transceiver(MediaKind::Video, RtpTransceiverInit::default())
        .unwrap();
    sender.set_local_description_implicit(now).unwrap();
    let offer = sender.local_description().unwrap().sdp;
    let simulcast = offer.replace(
        "a=rtcp-mux\r\n",
        "a=rtcp-mux\r\na=rid:h send\r\na=rid:m send pt=96\r\na=rid:l send\r\na=simulcast:send h;m;~l\r\n",
    );
    let mut receiver = common::peer(8, common::ADDR_B, RtcConfiguration::default(), now);
    receiver
        .set_remote_description(now, RtcSessionDescription::offer(simulcast.clone()))
        .unwrap();
    let answer = receiver.create_answer().unwrap().sdp;
    for line in [
        "a=rid:h recv\r\n",
        "a=rid:m recv\r\n",
        "a=rid:l recv\r\n",
        "a=simulcast:recv h;m;~l\r\n",
        "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n",
    ] {
        assert!(answer.contains(line), "{line:?} missing: {answer}");
    }
    // The sdp crate's rule alone: nothing without a=simulcast, and a send
    // stream without its a=rid is left out.
    let parsed: SessionDescription = simulcast.parse().unwrap();
    let view = SessionView::new(&parsed).unwrap();
    let (rids, sim) = receive_simulcast(&view.media[0]);
    assert_eq!(rids.len(), 3);
    assert_eq!(sim.unwrap().recv.len(), 3);
    let plain: SessionDescription = offer.parse().unwrap();
    let view = SessionView::new(&plain).unwrap();
    assert_eq!(receive_simulcast(&view.media[0]), (Vec::new(), None));
    let partial: SessionDescription = offer
        .replace(
            "a=rtcp-mux\r\n",
            "a=rtcp-mux\r\na=rid:h send\r\na=simulcast:send h;x\r\n",
        )
        .parse()
        .unwrap();
    let view = SessionView::new(&partial).unwrap();
    let (rids, sim) = receive_simulcast(&view.media[0]);
    assert_eq!(rids.len(), 1);
    assert_eq!(sim.unwrap().to_string(), "recv h");
}
