//! `Machine::handle_receive_owned` on a peer connection: datagrams handed
//! over by value carry a whole call (handshake, data channel messages of
//! every size, audio both ways) with either DTLS version, exactly as the
//! borrowed call does; hostile datagrams given by value (replayed,
//! forged, truncated, empty, of every packet kind) are dropped and the
//! call goes on.

mod common;

use std::time::Duration;

use common::Pair;
use sansrtc::*;

/// A call between a and b: one data channel from a, a track each way;
/// `owned` picks the receive call. Returns the pair, the channel and
/// both senders, once the channel is open.
fn call(versions: DtlsVersion, owned: bool) -> (Pair, ChannelId, TransceiverId, TransceiverId) {
    let mut p = Pair::new();
    p.owned = owned;
    p.a.set_dtls_versions(versions, versions).unwrap();
    p.b.set_dtls_versions(versions, versions).unwrap();
    let now = p.now;
    let a_audio =
        p.a.add_track(MediaStreamTrack::new("a-mic", MediaKind::Audio), &["a"])
            .unwrap();
    let chat =
        p.a.create_data_channel(now, DataChannelInit::new("chat"))
            .unwrap();
    p.offer_to_b();
    let b_audio =
        p.b.add_track(MediaStreamTrack::new("b-mic", MediaKind::Audio), &["b"])
            .unwrap();
    let answer = p.answer_from_b();
    p.a.set_remote_description(now, answer).unwrap();
    assert!(p.run_until(Duration::from_secs(10), |p| {
        Pair::opened(&p.events_a).contains(&chat)
            && p.events_b
                .iter()
                .any(|e| matches!(e, PeerEvent::DataChannel(DataChannelEvent::DataChannel(_))))
            && p.a.connection_state() == PeerConnectionState::Connected
            && p.b.connection_state() == PeerConnectionState::Connected
    }));
    (p, chat, a_audio, b_audio)
}

/// The channel the remote opened in band (the `datachannel` event).
fn remote_channel(events: &[PeerEvent]) -> ChannelId {
    events
        .iter()
        .find_map(|e| match e {
            PeerEvent::DataChannel(DataChannelEvent::DataChannel(c)) => Some(*c),
            _ => None,
        })
        .expect("a datachannel event")
}

fn frames(events: &[PeerEvent]) -> Vec<Vec<u8>> {
    events
        .iter()
        .filter_map(|e| match e {
            PeerEvent::Media(MediaEvent::Frame { data, .. }) => Some(data.clone()),
            _ => None,
        })
        .collect()
}

fn binaries(events: &[PeerEvent]) -> Vec<Vec<u8>> {
    Pair::messages(events)
        .into_iter()
        .filter_map(|(_, m)| match m {
            DataChannelMessage::Binary(b) => Some(b.to_vec()),
            DataChannelMessage::Text(_) => None,
        })
        .collect()
}

const SIZES: [usize; 6] = [1, 1148, 1200, 5000, 16 * 1024, 64 * 1024];

fn message(size: usize, seed: u8) -> Vec<u8> {
    (0..size)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect()
}

/// What a and b received over a call of `versions`: messages both ways
/// and audio both ways.
fn traffic(versions: DtlsVersion, owned: bool) -> [Vec<Vec<u8>>; 4] {
    let (mut p, chat, a_audio, b_audio) = call(versions, owned);
    let (skip_a, skip_b) = (p.events_a.len(), p.events_b.len());
    let b_chat = remote_channel(&p.events_b);
    for (i, size) in SIZES.into_iter().enumerate() {
        let now = p.now;
        p.a.send(
            now,
            chat,
            DataChannelMessage::Binary(message(size, i as u8).into()),
        )
        .unwrap();
        p.b.send(
            now,
            b_chat,
            DataChannelMessage::Binary(message(size, 0x80 | i as u8).into()),
        )
        .unwrap();
        p.a.write_frame(now, a_audio, i as u32 * 960, &[0xf8, i as u8])
            .unwrap();
        p.b.write_frame(now, b_audio, i as u32 * 960, &[0xf8, 0x80 | i as u8])
            .unwrap();
        p.run_for(Duration::from_millis(20));
    }
    p.run_for(Duration::from_millis(500));
    [
        binaries(&p.events_a[skip_a..]),
        binaries(&p.events_b[skip_b..]),
        frames(&p.events_a),
        frames(&p.events_b),
    ]
}

#[test]
fn a_whole_call_crosses_by_value_as_it_does_borrowed() {
    for versions in [DtlsVersion::Dtls12, DtlsVersion::Dtls13] {
        let owned = traffic(versions, true);
        let to_b: Vec<Vec<u8>> = SIZES
            .iter()
            .enumerate()
            .map(|(i, &n)| message(n, i as u8))
            .collect();
        let to_a: Vec<Vec<u8>> = SIZES
            .iter()
            .enumerate()
            .map(|(i, &n)| message(n, 0x80 | i as u8))
            .collect();
        assert_eq!(owned[0], to_a, "{versions:?}: messages to a");
        assert_eq!(owned[1], to_b, "{versions:?}: messages to b");
        assert_eq!(owned[2].len(), SIZES.len(), "{versions:?}: audio to a");
        assert_eq!(owned[3].len(), SIZES.len(), "{versions:?}: audio to b");
        assert_eq!(owned, traffic(versions, false), "{versions:?}");
    }
}

#[test]
fn hostile_datagrams_given_by_value_are_dropped_and_the_call_goes_on() {
    for versions in [DtlsVersion::Dtls12, DtlsVersion::Dtls13] {
        let (mut p, chat, a_audio, _) = call(versions, true);
        let b_chat = remote_channel(&p.events_b);
        let now = p.now;
        p.a.send(
            now,
            chat,
            DataChannelMessage::Binary(message(3000, 1).into()),
        )
        .unwrap();
        p.a.write_frame(now, a_audio, 0, &[0xf8, 1]).unwrap();
        p.run_for(Duration::from_millis(100));
        let before_messages = binaries(&p.events_b).len();
        let before_frames = frames(&p.events_b).len();
        assert_eq!(before_messages, 1, "{versions:?}");
        // Every datagram a sent so far, to b, again: replayed, with a
        // flipped byte at its start, middle and end, cut short, cut to a
        // byte; and an empty one.
        let a_addr: std::net::SocketAddr = common::ADDR_A.parse().unwrap();
        let sent: Vec<Transmit> = p
            .carried
            .iter()
            .filter(|t| t.source == a_addr)
            .cloned()
            .collect();
        let mut hostile = Vec::new();
        for t in &sent {
            let n = t.contents.len();
            hostile.push(t.contents.clone());
            for at in [0, n / 2, n - 1] {
                let mut c = t.contents.clone();
                c[at] ^= 0x41;
                hostile.push(c);
            }
            hostile.push(t.contents[..n - 1].to_vec());
            hostile.push(t.contents[..1].to_vec());
        }
        hostile.push(Vec::new());
        for contents in hostile {
            let datagram = Transmit {
                contents,
                ..sent[0].clone()
            };
            p.b.handle_receive_owned(p.now, datagram.into_received());
        }
        p.run_for(Duration::from_millis(100));
        assert_eq!(
            binaries(&p.events_b).len(),
            before_messages,
            "{versions:?}: a replay delivered"
        );
        assert_eq!(
            frames(&p.events_b).len(),
            before_frames,
            "{versions:?}: a replay delivered"
        );
        // The call goes on both ways.
        let now = p.now;
        p.a.send(
            now,
            chat,
            DataChannelMessage::Binary(message(2000, 2).into()),
        )
        .unwrap();
        p.b.send(
            now,
            b_chat,
            DataChannelMessage::Binary(message(2000, 3).into()),
        )
        .unwrap();
        p.a.write_frame(now, a_audio, 960, &[0xf8, 2]).unwrap();
        p.run_for(Duration::from_millis(200));
        assert_eq!(
            binaries(&p.events_b).last(),
            Some(&message(2000, 2)),
            "{versions:?}"
        );
        assert_eq!(
            binaries(&p.events_a).last(),
            Some(&message(2000, 3)),
            "{versions:?}"
        );
        assert_eq!(frames(&p.events_b).len(), before_frames + 1, "{versions:?}");
        assert_eq!(p.b.connection_state(), PeerConnectionState::Connected);
    }
}
