//! Feeds arbitrary bytes to every parser in sansrtc-stun: the STUN message
//! parser with all typed lookups and verifications, ChannelData, and the
//! stream de-framer. Any panic is a bug. A parsed message must also
//! re-serialise identically through the builder's raw path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_stun::attributes::*;
use sansrtc_stun::{AttributeType, ChannelData, Frame, Message, MessageBuilder, StreamDeframer};

fn exercise(msg: &Message<'_>) {
    let _ = msg.get::<XorMappedAddress>();
    let _ = msg.get::<MappedAddress>();
    let _ = msg.get::<XorPeerAddress>();
    let _ = msg.get::<XorRelayedAddress>();
    let _ = msg.get::<AlternateServer>();
    let _ = msg.get::<Username<'_>>();
    let _ = msg.get::<Realm<'_>>();
    let _ = msg.get::<Nonce<'_>>();
    let _ = msg.get::<Software<'_>>();
    let _ = msg.get::<ErrorCode<'_>>();
    if let Ok(Some(u)) = msg.get::<UnknownAttributes<'_>>() {
        let _ = u.iter().count();
    }
    if let Ok(Some(p)) = msg.get::<PasswordAlgorithms<'_>>() {
        let _ = p.iter().count();
    }
    let _ = msg.get::<PasswordAlgorithm<'_>>();
    let _ = msg.get::<UserHash<'_>>();
    let _ = msg.get::<Priority>();
    let _ = msg.get::<IceControlled>();
    let _ = msg.get::<IceControlling>();
    let _ = msg.get::<UseCandidate>();
    let _ = msg.get::<GoogNetworkInfo>();
    let _ = msg.get::<ChannelNumber>();
    let _ = msg.get::<Lifetime>();
    let _ = msg.get::<Data<'_>>();
    let _ = msg.get::<RequestedTransport>();
    let _ = msg.get::<RequestedAddressFamily>();
    let _ = msg.get::<EvenPort>();
    let _ = msg.get::<ReservationToken>();
    let _ = msg.get::<AdditionalAddressFamily>();
    let _ = msg.get::<AddressErrorCode<'_>>();
    let _ = msg.get::<Icmp>();
    let _ = msg.get::<DontFragment>();
    let _ = msg.get::<ResponseOrigin>();
    let _ = msg.get::<OtherAddress>();
    let _ = msg.get::<AlternateDomain<'_>>();
    let _ = sansrtc_stun::check_long_term_request(
        msg,
        "realm",
        |n| n.len() % 2 == 0,
        |u| Some(u.as_bytes().to_vec()),
    );
    let _ = msg.get::<MessageIntegrity<'_>>();
    let _ = msg.get::<MessageIntegritySha256<'_>>();
    let _ = msg.get::<Fingerprint>();
    let _ = msg.get_all::<XorPeerAddress>().count();
    let _ = msg.unknown_comprehension_required().count();
    let _ = msg.verify_integrity(b"key");
    let _ = msg.verify_integrity_sha256(b"key");
    let _ = msg.verify_fingerprint();

    // Without integrity/fingerprint and ignored attributes, rebuilding the
    // honoured attributes raw gives back the same bytes up to padding.
    if !msg.has_integrity() && !msg.has_integrity_sha256() && !msg.has_fingerprint() {
        let mut out = Vec::new();
        let mut b = MessageBuilder::new(&mut out, msg.message_type(), msg.transaction_id());
        for a in msg.attributes() {
            b.add_raw(a.attribute_type, a.value)
                .expect("re-adding a parsed attribute");
        }
        b.finish();
        let again = Message::parse(&out).expect("rebuilt message parses");
        assert_eq!(again.attributes().count(), msg.attributes().count());
        assert_eq!(out.len(), msg.as_bytes().len());
        for (x, y) in again.attributes().zip(msg.attributes()) {
            assert_eq!((x.attribute_type, x.value), (y.attribute_type, y.value));
        }
    }
    let _ = AttributeType::FINGERPRINT;
}

fuzz_target!(|data: &[u8]| {
    if let Ok(msg) = Message::parse(data) {
        exercise(&msg);
    }
    let _ = Message::looks_like_stun(data);
    let _ = ChannelData::parse(data);

    // Stream framing with a small buffer, fed in two pieces.
    let mut d = StreamDeframer::new(4096);
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    for piece in [&data[..split], &data[split..]] {
        if d.push(piece).is_err() {
            break;
        }
        while let Some(frame) = d.next_frame() {
            match frame {
                Ok(Frame::Stun(bytes)) => {
                    if let Ok(msg) = Message::parse(bytes) {
                        exercise(&msg);
                    }
                }
                Ok(Frame::ChannelData(bytes)) => {
                    let _ = ChannelData::parse(bytes);
                }
                Err(_) => break,
            }
        }
    }
});
