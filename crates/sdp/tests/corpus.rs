//! Every corpus file round-trips, and the typed view of a representative
//! subset matches values checked by hand against the files.

use std::path::{Path, PathBuf};

use sansrtc_sdp::attributes::{Direction, HashAlgorithm, IceOption, Setup};
use sansrtc_sdp::{
    CandidateAddress, CandidateKind, CandidateTransport, SessionDescription, SessionView, TcpType,
};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .expect("tests/data exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sdp"))
        .collect();
    files.sort();
    files
}

fn load(name: &str) -> (SessionDescription, SessionView) {
    let bytes = std::fs::read(data_dir().join(name)).expect("corpus file");
    let description = SessionDescription::parse_bytes(&bytes).expect("parses");
    let view = SessionView::new(&description).expect("typed view");
    (description, view)
}

fn normalise_line_endings(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[test]
fn every_corpus_file_round_trips_identically() {
    let files = corpus_files();
    assert!(files.len() >= 13, "corpus has {} files", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("UTF-8");
        let description: SessionDescription = text
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let written = description.to_string();
        assert_eq!(
            normalise_line_endings(&written),
            normalise_line_endings(&text),
            "{}",
            path.display()
        );
        assert!(written.ends_with("\r\n") && !written.contains("\r\n\r\n"));
        // Written text parses to the same description.
        assert_eq!(written.parse::<SessionDescription>().unwrap(), description);
        SessionView::new(&description).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn aiortc_audio_video_data_offer_typed_view() {
    let (description, view) = load("aiortc-audio-video-data-offer.sdp");
    assert_eq!(description.media.len(), 3);
    assert_eq!(view.origin.session_id, "4004487352");
    assert_eq!(view.bundle_group().unwrap().mids, ["0", "1", "2"]);
    let mids: Vec<_> = view
        .media
        .iter()
        .map(|m| m.mid.as_deref().unwrap())
        .collect();
    assert_eq!(mids, ["0", "1", "2"]);

    let audio = &view.media[0];
    assert_eq!(audio.kind, "audio");
    assert_eq!(audio.port, 47738);
    assert_eq!(audio.ice_ufrag.as_deref(), Some("PNGL"));
    assert_eq!(audio.ice_pwd.as_deref(), Some("mphZeEdIbc4gOg22xYPdgl"));
    assert_eq!(audio.setup, Some(Setup::ActPass));
    assert_eq!(audio.direction, Some(Direction::SendRecv));
    assert!(audio.rtcp_mux);
    assert_eq!(audio.rtcp.as_ref().unwrap().port, 9);
    let algorithms: Vec<_> = audio
        .fingerprints
        .iter()
        .map(|f| f.algorithm.clone())
        .collect();
    assert_eq!(
        algorithms,
        [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512
        ]
    );
    assert_eq!(audio.fingerprints[0].bytes[..3], [0x72, 0x7A, 0xF5]);
    assert_eq!(audio.fingerprints[2].bytes.len(), 64);
    assert_eq!(audio.candidates.len(), 2);
    assert_eq!(
        audio.candidates[1].address,
        CandidateAddress::Ip("fd00::2".parse().unwrap())
    );
    assert_eq!(audio.candidates[1].port, 59796);
    assert!(audio.end_of_candidates);
    let codecs: Vec<_> = audio
        .codecs
        .iter()
        .map(|c| {
            (
                c.payload_type,
                c.encoding.as_str(),
                c.clock_rate,
                c.channels,
            )
        })
        .collect();
    assert_eq!(
        codecs,
        [
            (96, "opus", 48000, Some(2)),
            (9, "G722", 8000, None),
            (0, "PCMU", 8000, None),
            (8, "PCMA", 8000, None)
        ]
    );

    let video = &view.media[1];
    assert_eq!(video.codecs.len(), 6);
    let vp8 = video.codec(97).unwrap();
    assert_eq!(vp8.encoding, "VP8");
    let feedback: Vec<_> = vp8
        .feedback
        .iter()
        .map(|f| (f.kind.as_str(), f.parameter.as_deref()))
        .collect();
    assert_eq!(
        feedback,
        [("nack", None), ("nack", Some("pli")), ("goog-remb", None)]
    );
    assert_eq!(video.codec(98).unwrap().fmtp.as_deref(), Some("apt=97"));
    let h264 = video.codec(101).unwrap();
    assert_eq!(h264.fmtp.as_deref().unwrap().len(), 70);
    assert_eq!(video.ssrc_groups[0].semantics, "FID");
    assert_eq!(video.ssrc_groups[0].ssrcs, [4251891302, 2719590534]);
    assert_eq!(video.extmaps[1].id, 3);
    assert!(video.extmaps[1].uri.ends_with("abs-send-time"));

    let data = &view.media[2];
    assert!(data.is_data_channel());
    assert_eq!(data.sctp_port, Some(5000));
    assert_eq!(data.max_message_size, Some(262144));
    assert_eq!(data.fingerprints, audio.fingerprints);
    assert_eq!(data.setup, Some(Setup::ActPass));
    assert_eq!(data.candidates[0].port, 58216);
    assert!(data.codecs.is_empty());
}

#[test]
fn chromium_audio_datachannel_offer_typed_view() {
    let (_, view) = load("chromium-audio-datachannel-offer.sdp");
    assert!(view.extmap_allow_mixed);
    assert_eq!(view.bundle_group().unwrap().mids, ["0", "1"]);
    let ms = view.msid_semantic.as_ref().unwrap();
    assert_eq!(ms.semantic, "WMS");
    assert_eq!(ms.ids, ["5abdf836-a6cf-4d99-9819-3c8929d7f9e5"]);
    let audio = &view.media[0];
    assert_eq!(audio.ice_ufrag.as_deref(), Some("F4DS"));
    assert_eq!(audio.ice_options, [IceOption::Trickle]);
    assert_eq!(audio.setup, Some(Setup::ActPass));
    assert!(audio.rtcp_mux && audio.rtcp_rsize && !audio.rtcp_mux_only);
    assert_eq!(audio.fingerprints.len(), 1);
    assert_eq!(audio.fingerprints[0].bytes[31], 0xB8);
    let tcp = &audio.candidates[1];
    assert_eq!(tcp.transport, CandidateTransport::Tcp);
    assert_eq!(tcp.tcp_type, Some(TcpType::Active));
    assert_eq!(tcp.port, 9);
    assert_eq!(tcp.network_cost, Some(50));
    let opus = audio.codec(111).unwrap();
    assert_eq!(opus.fmtp.as_deref(), Some("minptime=10;useinbandfec=1"));
    assert_eq!(opus.feedback[0].kind, "transport-cc");
    assert_eq!(audio.codec(63).unwrap().encoding, "red");
    assert_eq!(audio.codecs.len(), 8);
    assert_eq!(
        audio.msids[0].track_id.as_deref(),
        Some("00ef4399-d378-4763-8d09-1dedcc3d30f0")
    );
    assert_eq!(audio.ssrcs.len(), 2);
    assert_eq!(audio.ssrcs[1].attribute, "msid");
    assert_eq!(view.media[1].mid.as_deref(), Some("1"));
    assert_eq!(view.media[1].max_message_size, Some(262144));
}

#[test]
fn chromium_answer_typed_view() {
    let (_, view) = load("chromium-audio-datachannel-answer.sdp");
    assert!(view.msid_semantic.as_ref().unwrap().ids.is_empty());
    assert_eq!(view.media[0].setup, Some(Setup::Active));
    assert_eq!(view.media[0].direction, Some(Direction::RecvOnly));
    assert_eq!(view.media[1].port, 9);
    assert_eq!(view.ice_ufrag_for(1), Some("40d8"));
    assert_eq!(view.setup_for(1), Some(Setup::Active));
}

#[test]
fn firefox_reconstructed_offer_typed_view() {
    let (_, view) = load("firefox-audio-video-simulcast-data-offer.reconstructed.sdp");
    assert_eq!(
        view.fingerprints.len(),
        1,
        "Firefox puts the fingerprint at session level"
    );
    assert!(view.media[0].fingerprints.is_empty());
    assert_eq!(view.fingerprints_for(0)[0].algorithm, HashAlgorithm::Sha256);
    assert_eq!(view.ice_options, [IceOption::Trickle]);
    let audio = &view.media[0];
    assert!(audio.candidates[0].address.is_mdns());
    assert!(audio.candidates[0].transport_uppercase);
    assert_eq!(audio.candidates[2].kind, CandidateKind::ServerReflexive);
    assert_eq!(audio.extmaps[1].direction, Some(Direction::RecvOnly));
    assert_eq!(audio.codec(9).unwrap().channels, Some(1));
    assert_eq!(audio.codec(101).unwrap().fmtp.as_deref(), Some("0-15"));
    let video = &view.media[1];
    assert!(video.bundle_only && !video.is_rejected());
    assert_eq!(video.port, 0);
    assert_eq!(video.rids.len(), 3);
    let simulcast = video.simulcast.as_ref().unwrap();
    let send: Vec<_> = simulcast
        .send
        .iter()
        .map(|alts| alts[0].rid.as_str())
        .collect();
    assert_eq!(send, ["a", "b", "c"]);
    assert!(simulcast.recv.is_empty());
    assert_eq!(view.media[2].max_message_size, Some(1073741823));
}

#[test]
fn chromium_reconstructed_offer_typed_view() {
    let (_, view) = load("chromium-mdns-simulcast-data-offer.reconstructed.sdp");
    let video = &view.media[0];
    assert_eq!(
        video.ice_options,
        [IceOption::Trickle, IceOption::Renomination]
    );
    assert!(video.candidates[0].address.is_mdns());
    assert_eq!(video.candidates[2].kind, CandidateKind::Relay);
    assert!(video.ssrc_groups[0].is_sim());
    assert_eq!(video.ssrc_groups[0].ssrcs.len(), 3);
    assert!(video.ssrc_groups[1].is_fid());
    assert_eq!(video.direction, Some(Direction::SendOnly));
}

#[test]
fn legacy_sctpmap_typed_view() {
    let (_, view) = load("legacy-sctpmap-datachannel-offer.reconstructed.sdp");
    let data = &view.media[0];
    assert!(data.is_data_channel());
    assert_eq!(data.proto, "DTLS/SCTP");
    let map = data.sctpmap.as_ref().unwrap();
    assert_eq!(
        (map.port, map.app.as_str(), map.streams),
        (5000, "webrtc-datachannel", Some(1024))
    );
    assert_eq!(data.mid.as_deref(), Some("data"));
}
