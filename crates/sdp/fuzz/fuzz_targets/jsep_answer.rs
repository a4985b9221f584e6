//! JSEP (RFC 9429 §5.3.1) at the SDP layer: an answer to a hostile offer.
//! Whatever parses as an offer is answered section by section (the
//! fuzzer's choice of accept or reject per section, taking the offered
//! codecs and data channel parameters); `create_answer` may refuse, but must
//! not panic, and an answer it writes must parse back to itself and have
//! one section per offered section.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_sdp::attributes::{Direction, Fingerprint, HashAlgorithm, Setup};
use sansrtc_sdp::jsep::{
    AnswerMedia, AnswerOptions, AnswerRtp, BundledSectionShape, TransportParams,
};
use sansrtc_sdp::{create_answer, SessionDescription, SessionView};

fuzz_target!(|data: &[u8]| {
    let Some((&choices, text)) = data.split_first() else {
        return;
    };
    let Ok(offer) = SessionDescription::parse_bytes(text) else {
        return;
    };
    let Ok(view) = SessionView::new(&offer) else {
        return;
    };
    let answers: Vec<AnswerMedia> = view
        .media
        .iter()
        .enumerate()
        .map(|(i, m)| {
            if (choices >> (i % 8)) & 1 == 1 {
                AnswerMedia::Reject
            } else if m.is_data_channel() {
                AnswerMedia::Data {
                    sctp_port: m.sctp_port.unwrap_or(5000),
                    max_message_size: m.max_message_size.unwrap_or(262_144),
                }
            } else {
                AnswerMedia::Rtp(AnswerRtp {
                    payload_types: m.codecs.iter().map(|c| c.payload_type).collect(),
                    extension_uris: m.extmaps.iter().map(|e| e.uri.clone()).collect(),
                    // Half the sections keep every offered rtcp-fb, half
                    // only some (the answerer's filter).
                    feedback: (m.codecs.len() % 2 == 1)
                        .then(|| vec!["nack".to_owned(), "ccm fir".to_owned()]),
                    direction: Direction::SendRecv,
                    msid: None,
                    ssrcs: Vec::new(),
                    ssrc_groups: Vec::new(),
                    rids: Vec::new(),
                    simulcast: None,
                })
            }
        })
        .collect();
    let transport = TransportParams::new(
        "fuzzufrag",
        "fuzzpasswordfuzzpassword",
        vec![Fingerprint::new(HashAlgorithm::Sha256, vec![0xAB; 32])],
    );
    let mut options = AnswerOptions::new(42);
    options.setup = if choices & 1 == 0 {
        Setup::Active
    } else {
        Setup::Passive
    };
    if choices & 2 != 0 {
        options.bundled_sections = BundledSectionShape::RepeatTransport;
    }
    if let Ok(answer) = create_answer(&offer, &options, &transport, &answers) {
        let written = answer.to_string();
        let again: SessionDescription = written.parse().expect("our answer parses");
        assert_eq!(again, answer);
        let answer_view = SessionView::new(&answer).expect("our answer has a typed view");
        assert_eq!(answer_view.media.len(), view.media.len());
    }
});
