//! RTX (RFC 4588 §4): the retransmission packet's fields, byte-exact
//! round trips (extensions in both forms, CSRCs, marker), padding, the
//! refused inputs, the RTX stream's numbering and the resend limiter.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use sansrtc_rtp::{
    original_from_rtx, set_transport_sequence, transport_sequence, write_rtx, ExtensionForm,
    ResendLimiter, RtpHeader, RtpWriter, RtxError, RtxSender,
};

const APT: &[(u8, u8)] = &[(97, 96), (99, 98)];

fn original(form: ExtensionForm, padding: Option<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    RtpWriter {
        marker: true,
        payload_type: 96,
        sequence_number: 0xfffe,
        timestamp: 0xdead_beef,
        ssrc: 0x1111_1111,
        csrcs: &[7, 8],
        extensions: &[(1, &[0xab]), (3, &[0x12, 0x34]), (5, b"mid-0")],
        extension_form: form,
        payload: b"\x90\x80 frame data",
        padding,
    }
    .write(&mut out)
    .unwrap();
    out
}

#[test]
fn rtx_packet_fields() {
    let orig = original(ExtensionForm::OneByte, None);
    let mut rtx = vec![0xee]; // appended after what is there
    let osn = write_rtx(&orig, 0x2222_2222, 97, 0x0102, &mut rtx).unwrap();
    assert_eq!(osn, 0xfffe);
    assert_eq!(rtx[0], 0xee);
    let h = RtpHeader::parse(&rtx[1..]).unwrap();
    let o = RtpHeader::parse(&orig).unwrap();
    assert_eq!(h.payload_type(), 97);
    assert_eq!(h.sequence_number(), 0x0102);
    assert_eq!(h.ssrc(), 0x2222_2222);
    assert!(h.marker());
    assert_eq!(h.timestamp(), 0xdead_beef);
    assert_eq!(h.csrcs().collect::<Vec<_>>(), [7, 8]);
    assert_eq!(h.extension_profile(), Some(0xbede));
    assert_eq!(h.extension_data(), o.extension_data());
    assert_eq!(&h.payload()[..2], &[0xff, 0xfe]);
    assert_eq!(&h.payload()[2..], o.payload());
    assert_eq!(rtx.len() - 1, orig.len() + 2);
}

#[test]
fn round_trip_is_byte_exact() {
    for form in [ExtensionForm::OneByte, ExtensionForm::TwoByte] {
        let orig = original(form, None);
        let mut rtx = Vec::new();
        write_rtx(&orig, 0x2222_2222, 97, 9, &mut rtx).unwrap();
        let mut back = Vec::new();
        let r = original_from_rtx(&rtx, 0x1111_1111, APT, &mut back).unwrap();
        assert_eq!(back, orig, "{form:?}");
        assert_eq!(
            (
                r.original_sequence,
                r.original_payload_type,
                r.rtx_sequence,
                r.len
            ),
            (0xfffe, 96, 9, orig.len())
        );
    }
    // Without extensions or CSRCs, and an empty original payload.
    let mut orig = Vec::new();
    RtpWriter {
        payload_type: 98,
        sequence_number: 3,
        ssrc: 5,
        ..RtpWriter::default()
    }
    .write(&mut orig)
    .unwrap();
    let mut rtx = Vec::new();
    write_rtx(&orig, 6, 99, 0, &mut rtx).unwrap();
    assert_eq!(RtpHeader::parse(&rtx).unwrap().payload(), &[0, 3]);
    let mut back = Vec::new();
    original_from_rtx(&rtx, 5, APT, &mut back).unwrap();
    assert_eq!(back, orig);
}

#[test]
fn extensions_the_writer_would_not_produce_are_kept() {
    // A profile other than RFC 8285's (0x1234) and odd padding inside a
    // one-byte block: copied, not re-encoded.
    let mut orig = vec![0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
    orig.extend_from_slice(&[0x12, 0x34, 0, 1, 9, 8, 7, 6]);
    orig.extend_from_slice(b"payload");
    let mut rtx = Vec::new();
    write_rtx(&orig, 4, 97, 5, &mut rtx).unwrap();
    let mut back = Vec::new();
    original_from_rtx(&rtx, 3, APT, &mut back).unwrap();
    assert_eq!(back, orig);

    let mut odd = vec![0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
    odd.extend_from_slice(&[0xbe, 0xde, 0, 2, 0, 0x10, 0xaa, 0, 0x20, 1, 2, 0]);
    odd.extend_from_slice(b"p");
    rtx.clear();
    write_rtx(&odd, 4, 97, 5, &mut rtx).unwrap();
    back.clear();
    original_from_rtx(&rtx, 3, APT, &mut back).unwrap();
    assert_eq!(back, odd);
}

#[test]
fn padding_is_not_resent() {
    let padded = original(ExtensionForm::OneByte, Some(13));
    let unpadded = original(ExtensionForm::OneByte, None);
    let mut rtx = Vec::new();
    write_rtx(&padded, 0x2222_2222, 97, 1, &mut rtx).unwrap();
    let h = RtpHeader::parse(&rtx).unwrap();
    assert!(!h.padding());
    assert_eq!(rtx.len(), unpadded.len() + 2);
    let mut back = Vec::new();
    original_from_rtx(&rtx, 0x1111_1111, APT, &mut back).unwrap();
    assert_eq!(back, unpadded);

    // An RTX packet that the peer padded: the padding is not payload.
    let mut padded_rtx = Vec::new();
    RtpWriter {
        payload_type: 97,
        sequence_number: 1,
        ssrc: 0x2222_2222,
        payload: &[0, 42, 1, 2, 3],
        padding: Some(200),
        ..RtpWriter::default()
    }
    .write(&mut padded_rtx)
    .unwrap();
    back.clear();
    let r = original_from_rtx(&padded_rtx, 9, APT, &mut back).unwrap();
    assert_eq!(r.original_sequence, 42);
    let o = RtpHeader::parse(&back).unwrap();
    assert!(!o.padding());
    assert_eq!(
        (o.payload(), o.ssrc(), o.payload_type()),
        (&[1, 2, 3][..], 9, 96)
    );
}

#[test]
fn refused_inputs_leave_the_buffer_alone() {
    let rtx_with = |payload: &[u8], padding: Option<u8>| {
        let mut out = Vec::new();
        RtpWriter {
            payload_type: 97,
            payload,
            padding,
            ..RtpWriter::default()
        }
        .write(&mut out)
        .unwrap();
        out
    };
    let mut out = vec![1, 2, 3];
    // Padding only (bandwidth probing), with or without the P bit.
    for p in [rtx_with(&[], Some(224)), rtx_with(&[], None)] {
        assert_eq!(
            original_from_rtx(&p, 1, APT, &mut out),
            Err(RtxError::PaddingOnly)
        );
    }
    assert_eq!(
        original_from_rtx(&rtx_with(&[7], Some(3)), 1, APT, &mut out),
        Err(RtxError::MissingOsn)
    );
    assert_eq!(
        original_from_rtx(&rtx_with(&[0, 1, 2], None), 1, &[(100, 96)], &mut out),
        Err(RtxError::UnknownPayloadType(97))
    );
    assert_eq!(
        original_from_rtx(&rtx_with(&[0, 1, 2], None), 1, &[(97, 200)], &mut out),
        Err(RtxError::PayloadType(200))
    );
    assert!(matches!(
        original_from_rtx(&[0x80, 97, 0], 1, APT, &mut out),
        Err(RtxError::Rtp(_))
    ));
    assert!(matches!(
        write_rtx(&[0x40; 20], 1, 97, 0, &mut out),
        Err(RtxError::Rtp(_))
    ));
    assert_eq!(
        write_rtx(&original(ExtensionForm::Auto, None), 1, 128, 0, &mut out),
        Err(RtxError::PayloadType(128))
    );
    assert_eq!(out, [1, 2, 3]);
}

#[test]
fn rtx_stream_numbering_wraps() {
    let orig = original(ExtensionForm::Auto, None);
    let mut s = RtxSender::new(0x3333, 65534);
    let mut seqs = Vec::new();
    for _ in 0..3 {
        let mut out = Vec::new();
        let p = s.resend(&orig, 97, &mut out).unwrap();
        assert_eq!(p.original_sequence, 0xfffe);
        assert_eq!(p.len, out.len());
        assert_eq!(RtpHeader::parse(&out).unwrap().ssrc(), 0x3333);
        seqs.push(p.sequence_number);
    }
    assert_eq!(seqs, [65534, 65535, 0]);
    // A failure takes no number.
    assert!(s.resend(&orig, 200, &mut Vec::new()).is_err());
    assert!(s.resend(&[1, 2], 97, &mut Vec::new()).is_err());
    assert_eq!(s.next_sequence(), 1);
    assert_eq!(s.packet_count(), 3);
    let payload = RtpHeader::parse(&orig).unwrap().payload().len() as u64;
    assert_eq!(s.octet_count(), 3 * (payload + 2));
    assert_eq!(s.ssrc(), 0x3333);
}

#[test]
fn transport_sequence_is_rewritten_in_the_rtx_packet() {
    let orig = original(ExtensionForm::TwoByte, None);
    let mut rtx = Vec::new();
    write_rtx(&orig, 2, 97, 0, &mut rtx).unwrap();
    assert_eq!(
        transport_sequence(&RtpHeader::parse(&rtx).unwrap(), 3),
        Some(0x1234)
    );
    assert!(set_transport_sequence(&mut rtx, 3, 0xbeef));
    let h = RtpHeader::parse(&rtx).unwrap();
    assert_eq!(transport_sequence(&h, 3), Some(0xbeef));
    assert_eq!(
        transport_sequence(&RtpHeader::parse(&orig).unwrap(), 3),
        Some(0x1234)
    );
    // The rest is untouched.
    let mut back = Vec::new();
    original_from_rtx(&rtx, 0x1111_1111, APT, &mut back).unwrap();
    assert_eq!(back.len(), orig.len());
}

#[test]
fn limiter_resends_once_per_rtt() {
    let t0 = Instant::now();
    let rtt = Duration::from_millis(100);
    let mut l = ResendLimiter::default();
    assert!(l.allow(10, t0, rtt));
    assert!(!l.allow(10, t0 + Duration::from_millis(99), rtt));
    assert!(l.allow(11, t0, rtt));
    assert!(l.allow(10, t0 + rtt, rtt));
    assert!(!l.allow(10, t0 + rtt, rtt));
    assert_eq!(l.refused(), 2);
    // An instant before the recorded one (caller's clock misuse): refused.
    assert!(!l.allow(10, t0, rtt));
    // 1024 apart share a slot: the newer replaces the older.
    assert!(l.allow(10 + 1024, t0 + rtt, rtt));
    assert!(l.allow(10, t0 + rtt, rtt));
    // Across the wrap.
    assert!(l.allow(65535, t0, rtt));
    assert!(l.allow(0, t0, rtt));
    assert!(!l.allow(65535, t0, rtt));
    // Zero RTT: never refused.
    assert!(l.allow(7, t0, Duration::ZERO));
    assert!(l.allow(7, t0, Duration::ZERO));
    l.clear();
    assert!(l.allow(65535, t0, rtt));
    // Capacity rounding and bounds.
    let mut tiny = ResendLimiter::new(0);
    assert!(tiny.allow(1, t0, rtt));
    assert!(tiny.allow(2, t0, rtt));
    assert!(tiny.allow(1, t0, rtt)); // forgotten: one slot
    let _huge = ResendLimiter::new(usize::MAX);
}

proptest! {
    /// Any valid original: RTX and back gives the same bytes (padding
    /// removed), and the RTX packet carries the OSN and the payload.
    #[test]
    fn round_trip(
        marker: bool,
        pt in 0u8..128,
        seq: u16,
        ts: u32,
        ssrc: u32,
        csrcs in proptest::collection::vec(any::<u32>(), 0..16),
        exts in proptest::collection::vec((1u8..15, proptest::collection::vec(any::<u8>(), 1..17)), 0..5),
        two_byte: bool,
        payload in proptest::collection::vec(any::<u8>(), 0..300),
        padding in proptest::option::of(1u8..=255),
        rtx_pt in 0u8..128,
        rtx_seq: u16,
    ) {
        let ext_refs: Vec<(u8, &[u8])> = exts.iter().map(|(i, d)| (*i, &d[..])).collect();
        let w = RtpWriter {
            marker,
            payload_type: pt,
            sequence_number: seq,
            timestamp: ts,
            ssrc,
            csrcs: &csrcs,
            extensions: &ext_refs,
            extension_form: if two_byte { ExtensionForm::TwoByte } else { ExtensionForm::OneByte },
            payload: &payload,
            padding,
        };
        let mut orig = Vec::new();
        w.write(&mut orig).unwrap();
        let mut unpadded = Vec::new();
        RtpWriter { padding: None, ..w }.write(&mut unpadded).unwrap();

        let mut rtx = Vec::new();
        prop_assert_eq!(write_rtx(&orig, !ssrc, rtx_pt, rtx_seq, &mut rtx).unwrap(), seq);
        let h = RtpHeader::parse(&rtx).unwrap();
        prop_assert_eq!(&h.payload()[..2], &seq.to_be_bytes()[..]);
        prop_assert_eq!(&h.payload()[2..], &payload[..]);
        let mut back = Vec::new();
        original_from_rtx(&rtx, ssrc, &[(rtx_pt, pt)], &mut back).unwrap();
        prop_assert_eq!(back, unpadded);
    }

    /// Arbitrary bytes never panic either way.
    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut out = Vec::new();
        let _ = write_rtx(&bytes, 1, 97, 0, &mut out);
        let _ = original_from_rtx(&bytes, 1, &[(bytes.get(1).map_or(0, |b| b & 0x7f), 96)], &mut out);
    }
}
