//! RTP and RTCP header parsing: fixed header, CSRCs, RFC 8285 one- and
//! two-byte extensions, padding, compound RTCP, every malformed shape, and
//! a no-panic property over arbitrary bytes.

use proptest::prelude::*;
use sansrtc_rtp::{rtcp_packets, RtcpHeader, RtpError, RtpHeader};

fn fixed(b0: u8) -> Vec<u8> {
    vec![
        b0,
        0x80 | 96,
        0x12,
        0x34,
        0,
        1,
        0xe2,
        0x40,
        0xca,
        0xfe,
        0xba,
        0xbe,
    ]
}

#[test]
fn fixed_header() {
    let mut p = fixed(0x80);
    p.extend_from_slice(b"payload");
    let h = RtpHeader::parse(&p).unwrap();
    assert!(h.marker());
    assert_eq!(h.payload_type(), 96);
    assert_eq!(h.sequence_number(), 0x1234);
    assert_eq!(h.timestamp(), 123_456);
    assert_eq!(h.ssrc(), 0xcafe_babe);
    assert_eq!(h.csrcs().len(), 0);
    assert_eq!(h.extension_profile(), None);
    assert_eq!(h.extensions().count(), 0);
    assert_eq!(h.header_len(), 12);
    assert_eq!(h.payload(), b"payload");
    assert_eq!(h.as_bytes(), &p[..]);
}

#[test]
fn csrcs_and_padding() {
    let mut p = fixed(0xa3); // P=1, CC=3
    for c in [1u32, 2, 0xffff_ffff] {
        p.extend_from_slice(&c.to_be_bytes());
    }
    p.extend_from_slice(&[9, 9, 9, 0, 0, 3]);
    let h = RtpHeader::parse(&p).unwrap();
    assert_eq!(h.csrcs().collect::<Vec<_>>(), vec![1, 2, 0xffff_ffff]);
    assert!(h.padding());
    assert_eq!(h.padding_len(), 3);
    assert_eq!(h.payload(), &[9, 9, 9]);
}

#[test]
fn one_byte_extensions() {
    let mut p = fixed(0x91); // X=1, CC=1
    p.extend_from_slice(&7u32.to_be_bytes());
    // 0xBEDE, 3 words: id 1 len 1, padding 0, id 3 len 4, id 14 len 2, pad
    p.extend_from_slice(&[0xbe, 0xde, 0, 3]);
    p.extend_from_slice(&[0x10, 0xaa, 0x00, 0x33, 1, 2, 3, 4, 0xe1, 5, 6, 0]);
    p.push(0x77);
    let h = RtpHeader::parse(&p).unwrap();
    assert_eq!(h.extension_profile(), Some(0xbede));
    assert_eq!(h.header_len(), 12 + 4 + 4 + 12);
    let e: Vec<_> = h.extensions().map(Result::unwrap).collect();
    assert_eq!(e.len(), 3);
    assert_eq!((e[0].id, e[0].data), (1, &[0xaa][..]));
    assert_eq!((e[1].id, e[1].data), (3, &[1, 2, 3, 4][..]));
    assert_eq!((e[2].id, e[2].data), (14, &[5, 6][..]));
    assert_eq!(h.payload(), &[0x77]);
}

#[test]
fn one_byte_id_0_is_padding_whatever_its_length() {
    // 0x01 is id 0 with L=1: one padding byte, not an element with id 0
    // (the documented ids are 1–14); then id 1 with one byte.
    let mut p = fixed(0x90);
    p.extend_from_slice(&[0xbe, 0xde, 0, 1, 0x01, 0x10, 0xaa, 0x00]);
    let h = RtpHeader::parse(&p).unwrap();
    let e: Vec<_> = h.extensions().map(Result::unwrap).collect();
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].id, e[0].data), (1, &[0xaa][..]));
}

#[test]
fn one_byte_id_15_stops_the_block() {
    let mut p = fixed(0x90);
    p.extend_from_slice(&[0xbe, 0xde, 0, 1, 0x10, 1, 0xf0, 0x20]);
    let h = RtpHeader::parse(&p).unwrap();
    assert_eq!(h.extensions().count(), 1);
}

#[test]
fn two_byte_extensions() {
    let mut p = fixed(0x90);
    // 0x1000 (appbits 0), 2 words: id 200 len 0, id 5 len 3, pad
    p.extend_from_slice(&[0x10, 0x00, 0, 2, 200, 0, 5, 3, 7, 8, 9, 0]);
    let h = RtpHeader::parse(&p).unwrap();
    let e: Vec<_> = h.extensions().map(Result::unwrap).collect();
    assert_eq!(e.len(), 2);
    assert_eq!((e[0].id, e[0].data), (200, &[][..]));
    assert_eq!((e[1].id, e[1].data), (5, &[7, 8, 9][..]));
    // Another profile: the block is there, but not RFC 8285 elements.
    let mut q = fixed(0x90);
    q.extend_from_slice(&[0xab, 0xcd, 0, 1, 1, 2, 3, 4]);
    let h = RtpHeader::parse(&q).unwrap();
    assert_eq!(h.extension_profile(), Some(0xabcd));
    assert_eq!(h.extension_data(), &[1, 2, 3, 4]);
    assert_eq!(h.extensions().count(), 0);
}

#[test]
fn malformed_extension_elements() {
    let mut p = fixed(0x90);
    p.extend_from_slice(&[0xbe, 0xde, 0, 1, 0x10, 1, 0x23, 0]); // id 2 len 4 overruns
    let h = RtpHeader::parse(&p).unwrap();
    let e: Vec<_> = h.extensions().collect();
    assert_eq!(e.len(), 2);
    assert_eq!(e[1], Err(RtpError::ExtensionElementOverrun(2)));
    let mut p = fixed(0x90);
    p.extend_from_slice(&[0x10, 0x00, 0, 1, 0, 0, 0, 9]); // two-byte, id 9 without length
    let e: Vec<_> = RtpHeader::parse(&p).unwrap().extensions().collect();
    assert_eq!(e, vec![Err(RtpError::ExtensionElementOverrun(3))]);
}

#[test]
fn malformed_headers() {
    assert_eq!(
        RtpHeader::parse(&[0x80; 11]),
        Err(RtpError::TooShort { len: 11, min: 12 })
    );
    assert_eq!(RtpHeader::parse(&fixed(0x40)), Err(RtpError::BadVersion(1)));
    assert_eq!(
        RtpHeader::parse(&fixed(0x82)),
        Err(RtpError::CsrcOverrun { count: 2, len: 12 })
    );
    assert_eq!(
        RtpHeader::parse(&fixed(0x90)),
        Err(RtpError::ExtensionOverrun)
    );
    let mut p = fixed(0x90);
    p.extend_from_slice(&[0xbe, 0xde, 0, 2, 0, 0, 0, 0]);
    assert_eq!(RtpHeader::parse(&p), Err(RtpError::ExtensionOverrun));
    let mut p = fixed(0xa0);
    p.extend_from_slice(&[1, 0]);
    assert_eq!(
        RtpHeader::parse(&p),
        Err(RtpError::BadPadding {
            padding: 0,
            available: 2
        })
    );
    let mut p = fixed(0xa0);
    p.extend_from_slice(&[1, 3]);
    assert_eq!(
        RtpHeader::parse(&p),
        Err(RtpError::BadPadding {
            padding: 3,
            available: 2
        })
    );
    assert_eq!(
        RtpHeader::parse(&fixed(0xa0)),
        Err(RtpError::BadPadding {
            padding: 0xbe,
            available: 0
        })
    );
}

#[test]
fn rtcp_compound() {
    // SR (6 words + header = 28 bytes) then SDES (3 words), then BYE.
    let mut d = vec![0x80, 200, 0, 6];
    d.extend_from_slice(&0x1234_5678u32.to_be_bytes());
    d.extend_from_slice(&[0; 20]);
    d.extend_from_slice(&[0x81, 202, 0, 2, 0x12, 0x34, 0x56, 0x78, 1, 2, b'h', b'i']);
    d.extend_from_slice(&[0x81, 203, 0, 1, 0x12, 0x34, 0x56, 0x78]);
    let p: Vec<RtcpHeader<'_>> = rtcp_packets(&d).map(Result::unwrap).collect();
    assert_eq!(
        p.iter().map(|h| h.packet_type()).collect::<Vec<_>>(),
        vec![200, 202, 203]
    );
    assert_eq!(p[0].ssrc(), Some(0x1234_5678));
    assert_eq!(p[1].count(), 1);
    assert_eq!(p[1].as_bytes().len(), 12);
    assert_eq!(p[2].body().len(), 4);
    // A truncated last packet ends the iteration with its offset.
    let cut = &d[..d.len() - 1];
    let r: Vec<_> = rtcp_packets(cut).collect();
    assert_eq!(r.len(), 3);
    assert_eq!(
        r[2],
        Err(RtpError::RtcpLengthOverrun {
            offset: 40,
            declared: 8
        })
    );
    assert_eq!(
        RtcpHeader::parse(&[0x80, 200]),
        Err(RtpError::TooShort { len: 2, min: 4 })
    );
    assert_eq!(
        RtcpHeader::parse(&[0x00, 200, 0, 0]),
        Err(RtpError::BadVersion(0))
    );
    let (h, rest) = RtcpHeader::parse(&[0x80, 201, 0, 0, 9]).unwrap();
    assert_eq!((h.ssrc(), rest), (None, &[9][..]));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(h) = RtpHeader::parse(&data) {
            prop_assert!(h.header_len() <= data.len());
            prop_assert!(h.header_len() + h.payload().len() + h.padding_len() == data.len());
            let _ = (h.csrcs().count(), h.extensions().count(), h.ssrc(), h.timestamp());
            for e in h.extensions().flatten() {
                prop_assert!(e.data.len() <= h.extension_data().len());
            }
        }
        let mut total = 0;
        for p in rtcp_packets(&data) {
            match p {
                Ok(h) => total += h.as_bytes().len(),
                Err(_) => break,
            }
        }
        prop_assert!(total <= data.len());
        let _ = sansrtc_rtp::classify(&data);
    }
}
