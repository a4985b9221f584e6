//! The RTP writer: byte-exact packets (fixed header, CSRCs, padding, the
//! RFC 8285 §4.2 and §4.3 extension examples), every refused input, and
//! writer → parser round trips over arbitrary fields.

use proptest::prelude::*;
use sansrtc_rtp::{ExtensionForm, RtpHeader, RtpWriteError, RtpWriter};

fn write(w: &RtpWriter<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    let n = w.write(&mut out).unwrap();
    assert_eq!(n, out.len());
    assert_eq!(w.encoded_len(), Ok(n));
    out
}

/// A writer of `extensions` in `extension_form`, every other field default.
fn with_ext<'a>(extensions: &'a [(u8, &'a [u8])], extension_form: ExtensionForm) -> RtpWriter<'a> {
    RtpWriter {
        extensions,
        extension_form,
        ..RtpWriter::default()
    }
}

#[test]
fn csrcs_and_padding_byte_by_byte() {
    let out = write(&RtpWriter {
        marker: true,
        payload_type: 96,
        sequence_number: 0x1234,
        timestamp: 0xdead_beef,
        ssrc: 0x1122_3344,
        csrcs: &[0xaabb_ccdd, 0x0102_0304],
        payload: &[1, 2, 3],
        padding: Some(5),
        ..RtpWriter::default()
    });
    #[rustfmt::skip]
    let expected = [
        0xa2, 0xe0, 0x12, 0x34, // V=2 P=1 X=0 CC=2, M=1 PT=96, seq
        0xde, 0xad, 0xbe, 0xef, // timestamp
        0x11, 0x22, 0x33, 0x44, // SSRC
        0xaa, 0xbb, 0xcc, 0xdd, // CSRC 1
        0x01, 0x02, 0x03, 0x04, // CSRC 2
        1, 2, 3,                // payload
        0, 0, 0, 0, 5,          // padding, count last
    ];
    assert_eq!(out, expected);
    let h = RtpHeader::parse(&out).unwrap();
    assert_eq!(h.csrcs().collect::<Vec<_>>(), [0xaabb_ccdd, 0x0102_0304]);
    assert_eq!((h.payload(), h.padding_len()), (&[1, 2, 3][..], 5));
}

#[test]
fn padding_of_one_byte() {
    let out = write(&RtpWriter {
        payload: &[9],
        padding: Some(1),
        ..RtpWriter::default()
    });
    assert_eq!(out[0], 0xa0);
    assert_eq!(&out[12..], &[9, 1]);
    assert_eq!(RtpHeader::parse(&out).unwrap().payload(), &[9]);
}

#[test]
fn padding_of_255_bytes_without_payload() {
    let out = write(&RtpWriter {
        padding: Some(255),
        ..RtpWriter::default()
    });
    assert_eq!(out.len(), 12 + 255);
    assert!(out[12..266].iter().all(|&b| b == 0));
    assert_eq!(out[266], 255);
    let h = RtpHeader::parse(&out).unwrap();
    assert_eq!((h.payload().len(), h.padding_len()), (0, 255));
}

/// RFC 8285 §4.2's example block: three elements with 1, 2 and 4 bytes of
/// data, length 3 words. The RFC's figure puts two padding bytes before
/// the third element; the writer packs the elements and pads at the end,
/// which is the same block length.
#[test]
fn rfc8285_one_byte_example() {
    let exts: [(u8, &[u8]); 3] = [
        (1, &[0x11]),
        (2, &[0x21, 0x22]),
        (3, &[0x31, 0x32, 0x33, 0x34]),
    ];
    let out = write(&RtpWriter {
        sequence_number: 1,
        ssrc: 2,
        extensions: &exts,
        ..RtpWriter::default()
    });
    #[rustfmt::skip]
    let block = [
        0xbe, 0xde, 0x00, 0x03,
        0x10, 0x11,             // id 1, L=0
        0x21, 0x21, 0x22,       // id 2, L=1
        0x33, 0x31, 0x32, 0x33, 0x34, // id 3, L=3
        0, 0,                   // padding to 32 bits
    ];
    assert_eq!(out[0], 0x90);
    assert_eq!(&out[12..], &block);

    // The figure's own layout parses to the same elements.
    let mut figure = out[..12].to_vec();
    figure.extend_from_slice(&[
        0xbe, 0xde, 0x00, 0x03, 0x10, 0x11, 0x21, 0x21, 0x22, 0, 0, 0x33, 0x31, 0x32, 0x33, 0x34,
    ]);
    let elements = |p: &[u8]| -> Vec<(u8, Vec<u8>)> {
        RtpHeader::parse(p)
            .unwrap()
            .extensions()
            .map(|e| e.map(|e| (e.id, e.data.to_vec())).unwrap())
            .collect()
    };
    assert_eq!(elements(&out), elements(&figure));
    assert_eq!(elements(&out).len(), 3);
}

/// RFC 8285 §4.3's example block: elements with 0, 1 and 4 bytes of data,
/// length 3 words (again packed, the padding at the end).
#[test]
fn rfc8285_two_byte_example() {
    let exts: [(u8, &[u8]); 3] = [(1, &[]), (2, &[0x21]), (3, &[0x31, 0x32, 0x33, 0x34])];
    for form in [ExtensionForm::Auto, ExtensionForm::TwoByte] {
        let out = write(&with_ext(&exts, form));
        #[rustfmt::skip]
        let block = [
            0x10, 0x00, 0x00, 0x03,
            0x01, 0x00,             // id 1, L=0
            0x02, 0x01, 0x21,       // id 2, L=1
            0x03, 0x04, 0x31, 0x32, 0x33, 0x34, // id 3, L=4
            0,                      // padding to 32 bits
        ];
        assert_eq!(&out[12..], &block, "{form:?}");
        let h = RtpHeader::parse(&out).unwrap();
        let got: Vec<_> = h.extensions().map(|e| e.unwrap()).collect();
        assert_eq!(got.len(), 3);
        assert_eq!((got[0].id, got[0].data), (1, &[][..]));
        assert_eq!((got[2].id, got[2].data), (3, &[0x31, 0x32, 0x33, 0x34][..]));
    }
}

#[test]
fn everything_at_once() {
    let exts: [(u8, &[u8]); 2] = [(200, &[1, 2, 3]), (5, &[4; 20])];
    let out = write(&RtpWriter {
        marker: false,
        payload_type: 127,
        sequence_number: 65535,
        timestamp: u32::MAX,
        ssrc: u32::MAX,
        csrcs: &[7; 15],
        extensions: &exts,
        extension_form: ExtensionForm::Auto,
        payload: b"hello",
        padding: Some(3),
    });
    assert_eq!(out[0], 0xbf); // V=2 P=1 X=1 CC=15
    assert_eq!(out[1], 127);
    let ext_at = 12 + 60;
    // 5 + 22 = 27 bytes of elements, padded to 28: 7 words.
    assert_eq!(&out[ext_at..ext_at + 4], &[0x10, 0x00, 0x00, 0x07]);
    assert_eq!(out.len(), 12 + 60 + 4 + 28 + 5 + 3);
    let h = RtpHeader::parse(&out).unwrap();
    assert_eq!(h.header_len(), 12 + 60 + 32);
    assert_eq!(h.csrcs().len(), 15);
    assert_eq!(h.payload(), b"hello");
}

#[test]
fn appends_after_existing_bytes() {
    let mut out = b"prefix".to_vec();
    let n = RtpWriter {
        payload: b"x",
        ..RtpWriter::default()
    }
    .write(&mut out)
    .unwrap();
    assert_eq!(n, 13);
    assert_eq!(&out[..6], b"prefix");
    assert_eq!(RtpHeader::parse(&out[6..]).unwrap().payload(), b"x");
}

#[test]
fn refused_inputs() {
    const BIG: [u8; 256] = [0; 256];
    const D17: [u8; 17] = [0; 17];
    use ExtensionForm::{Auto, OneByte, TwoByte};
    let bad_id = |id, form| RtpWriteError::ExtensionId { id, form };
    let bad_len = |id, len, form| RtpWriteError::ExtensionLength { id, len, form };
    let cases: Vec<(RtpWriter<'_>, RtpWriteError)> = vec![
        (
            RtpWriter {
                payload_type: 128,
                ..RtpWriter::default()
            },
            RtpWriteError::PayloadType(128),
        ),
        (
            RtpWriter {
                payload_type: 255,
                ..RtpWriter::default()
            },
            RtpWriteError::PayloadType(255),
        ),
        (
            RtpWriter {
                csrcs: &[1; 16],
                ..RtpWriter::default()
            },
            RtpWriteError::TooManyCsrcs(16),
        ),
        (
            RtpWriter {
                padding: Some(0),
                ..RtpWriter::default()
            },
            RtpWriteError::ZeroPadding,
        ),
        // Id 0 is padding in every form.
        (with_ext(&[(0, &[1])], Auto), bad_id(0, TwoByte)),
        (with_ext(&[(0, &[1])], OneByte), bad_id(0, OneByte)),
        (
            with_ext(&[(3, &[1]), (0, &[])], TwoByte),
            bad_id(0, TwoByte),
        ),
        // Id 15 is reserved in the one-byte form.
        (with_ext(&[(15, &[1])], OneByte), bad_id(15, OneByte)),
        (with_ext(&[(16, &[1])], OneByte), bad_id(16, OneByte)),
        // The one-byte form carries 1 to 16 bytes.
        (with_ext(&[(1, &[])], OneByte), bad_len(1, 0, OneByte)),
        (with_ext(&[(1, &D17)], OneByte), bad_len(1, 17, OneByte)),
        // The two-byte form carries at most 255.
        (with_ext(&[(1, &BIG)], Auto), bad_len(1, 256, TwoByte)),
        (with_ext(&[(9, &BIG)], TwoByte), bad_len(9, 256, TwoByte)),
    ];
    for (w, err) in cases {
        let mut out = vec![0xaa];
        assert_eq!(w.write(&mut out), Err(err), "{w:?}");
        assert_eq!(w.encoded_len(), Err(err));
        assert_eq!(out, [0xaa], "nothing written on error");
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn extension_block_too_long() {
    let data = [0u8; 255];
    let elements = vec![(1u8, &data[..]); 1021];
    let w = RtpWriter {
        extensions: &elements,
        ..RtpWriter::default()
    };
    let mut out = Vec::new();
    assert_eq!(
        w.write(&mut out),
        Err(RtpWriteError::ExtensionBlockTooLong(262_400))
    );
    assert!(out.is_empty());
}

fn one_byte_element() -> impl Strategy<Value = (u8, Vec<u8>)> {
    (1u8..=14, proptest::collection::vec(any::<u8>(), 1..=16))
}

fn two_byte_element() -> impl Strategy<Value = (u8, Vec<u8>)> {
    (1u8..=255, proptest::collection::vec(any::<u8>(), 0..=255))
}

#[derive(Debug, Clone)]
struct Fields {
    marker: bool,
    payload_type: u8,
    sequence_number: u16,
    timestamp: u32,
    ssrc: u32,
    csrcs: Vec<u32>,
    extensions: Vec<(u8, Vec<u8>)>,
    form: ExtensionForm,
    payload: Vec<u8>,
    padding: Option<u8>,
    prefix: Vec<u8>,
}

fn fields(
    extensions: impl Strategy<Value = Vec<(u8, Vec<u8>)>>,
    form: impl Strategy<Value = ExtensionForm>,
) -> impl Strategy<Value = Fields> {
    (
        (
            any::<bool>(),
            0u8..=127,
            any::<u16>(),
            any::<u32>(),
            any::<u32>(),
        ),
        proptest::collection::vec(any::<u32>(), 0..=15),
        extensions,
        form,
        proptest::collection::vec(any::<u8>(), 0..64),
        proptest::option::of(1u8..=255),
        proptest::collection::vec(any::<u8>(), 0..4),
    )
        .prop_map(
            |(
                (marker, payload_type, sequence_number, timestamp, ssrc),
                csrcs,
                extensions,
                form,
                payload,
                padding,
                prefix,
            )| Fields {
                marker,
                payload_type,
                sequence_number,
                timestamp,
                ssrc,
                csrcs,
                extensions,
                form,
                payload,
                padding,
                prefix,
            },
        )
}

/// Writes `f` after its prefix and checks that the parser gives every
/// field back; returns the extension profile.
fn round_trip(f: &Fields) -> Result<Option<u16>, TestCaseError> {
    let exts: Vec<(u8, &[u8])> = f.extensions.iter().map(|(id, d)| (*id, &d[..])).collect();
    let w = RtpWriter {
        marker: f.marker,
        payload_type: f.payload_type,
        sequence_number: f.sequence_number,
        timestamp: f.timestamp,
        ssrc: f.ssrc,
        csrcs: &f.csrcs,
        extensions: &exts,
        extension_form: f.form,
        payload: &f.payload,
        padding: f.padding,
    };
    let mut out = f.prefix.clone();
    let n = w.write(&mut out).unwrap();
    prop_assert_eq!(&out[..f.prefix.len()], &f.prefix[..]);
    let packet = &out[f.prefix.len()..];
    prop_assert_eq!(n, packet.len());
    prop_assert_eq!(w.encoded_len(), Ok(n));
    let h = RtpHeader::parse(packet).unwrap();
    prop_assert_eq!(h.marker(), f.marker);
    prop_assert_eq!(h.payload_type(), f.payload_type);
    prop_assert_eq!(h.sequence_number(), f.sequence_number);
    prop_assert_eq!(h.timestamp(), f.timestamp);
    prop_assert_eq!(h.ssrc(), f.ssrc);
    prop_assert_eq!(h.csrcs().collect::<Vec<_>>(), f.csrcs.clone());
    prop_assert_eq!(h.has_extension(), !f.extensions.is_empty());
    prop_assert_eq!(h.header_len() % 4, 0);
    let got: Vec<(u8, Vec<u8>)> = h
        .extensions()
        .map(|e| e.map(|e| (e.id, e.data.to_vec())))
        .collect::<Result<_, _>>()
        .unwrap();
    prop_assert_eq!(&got, &f.extensions);
    prop_assert_eq!(h.payload(), &f.payload[..]);
    prop_assert_eq!(h.padding(), f.padding.is_some());
    prop_assert_eq!(h.padding_len(), usize::from(f.padding.unwrap_or(0)));
    Ok(h.extension_profile())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Elements the one-byte form can carry: the one-byte form, whether
    /// chosen or automatic.
    #[test]
    fn one_byte_round_trip(f in fields(
        proptest::collection::vec(one_byte_element(), 0..12),
        prop_oneof![Just(ExtensionForm::Auto), Just(ExtensionForm::OneByte)],
    )) {
        let profile = round_trip(&f)?;
        let expected = if f.extensions.is_empty() { None } else { Some(0xbede) };
        prop_assert_eq!(profile, expected);
    }

    /// Any valid element: the two-byte form when chosen, or when one of
    /// them does not fit the one-byte form.
    #[test]
    fn two_byte_round_trip(f in fields(
        proptest::collection::vec(prop_oneof![one_byte_element(), two_byte_element()], 0..8),
        prop_oneof![Just(ExtensionForm::Auto), Just(ExtensionForm::TwoByte)],
    )) {
        let profile = round_trip(&f)?;
        let fits_one_byte = f
            .extensions
            .iter()
            .all(|(id, d)| (1..=14).contains(id) && (1..=16).contains(&d.len()));
        let expected = match (f.extensions.is_empty(), f.form, fits_one_byte) {
            (true, _, _) => None,
            (false, ExtensionForm::Auto, true) => Some(0xbede),
            _ => Some(0x1000),
        };
        prop_assert_eq!(profile, expected);
    }

    /// Arbitrary (also invalid) inputs: an error or a packet that parses,
    /// never a panic; nothing appended on error.
    #[test]
    fn arbitrary_inputs(
        payload_type in any::<u8>(),
        csrcs in 0usize..=17,
        extensions in proptest::collection::vec(
            (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..=260)), 0..4),
        form in prop_oneof![
            Just(ExtensionForm::Auto), Just(ExtensionForm::OneByte), Just(ExtensionForm::TwoByte)
        ],
        padding in proptest::option::of(any::<u8>()),
    ) {
        let csrc_list = vec![0x0102_0304u32; csrcs];
        let exts: Vec<(u8, &[u8])> = extensions.iter().map(|(id, d)| (*id, &d[..])).collect();
        let w = RtpWriter {
            payload_type,
            csrcs: &csrc_list,
            extensions: &exts,
            extension_form: form,
            padding,
            ..RtpWriter::default()
        };
        let one_byte_ok = |&(id, d): &(u8, &[u8])| (1..=14).contains(&id) && (1..=16).contains(&d.len());
        let two_byte_ok = |&(id, d): &(u8, &[u8])| id != 0 && d.len() <= 255;
        let ext_ok = match form {
            ExtensionForm::OneByte => exts.iter().all(one_byte_ok),
            _ => exts.iter().all(two_byte_ok),
        };
        let valid = payload_type <= 127 && csrcs <= 15 && padding != Some(0) && ext_ok;
        let mut out = vec![0xee];
        match w.write(&mut out) {
            Ok(n) => {
                prop_assert!(valid);
                let h = RtpHeader::parse(&out[1..]).unwrap();
                prop_assert_eq!(h.as_bytes().len(), n);
                prop_assert_eq!(h.extensions().count(), exts.len());
            }
            Err(_) => {
                prop_assert!(!valid);
                prop_assert_eq!(out, vec![0xee]);
            }
        }
    }
}
