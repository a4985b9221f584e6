//! JSEP offers and answers against what RFC 9429 §5.2.1 / §5.3.1 (and RFC
//! 8843 for BUNDLE, RFC 8858 for rtcp-mux-only) say they must look like.

use std::path::Path;

use sansrtc_sdp::attributes::{
    Direction, Extmap, Fingerprint, HashAlgorithm, IceOption, Msid, RtcpFb, Setup, Ssrc,
};
use sansrtc_sdp::jsep::{
    create_answer, create_offer, AnswerMedia, AnswerOptions, AnswerRtp, BuildError, BundlePolicy,
    DataMedia, MediaKind, MediaSpec, OfferOptions, RtcpMuxPolicy, RtpMedia, TransportParams,
};
use sansrtc_sdp::{Candidate, Codec, MediaView, SdpError, SessionDescription, SessionView};

fn fingerprint() -> Fingerprint {
    Fingerprint {
        algorithm: HashAlgorithm::Sha256,
        bytes: (0u8..32).collect(),
    }
}

fn transport() -> TransportParams {
    TransportParams::new("uFrg", "0123456789abcdefghijkl+/", vec![fingerprint()])
}

fn codec(pt: u8, name: &str, rate: u32, channels: Option<u16>, fmtp: Option<&str>) -> Codec {
    Codec {
        payload_type: pt,
        encoding: name.into(),
        clock_rate: rate,
        channels,
        fmtp: fmtp.map(Into::into),
        feedback: Vec::new(),
    }
}

fn audio(mid: &str) -> MediaSpec {
    MediaSpec::Rtp(RtpMedia {
        mid: mid.into(),
        kind: MediaKind::Audio,
        direction: Direction::SendRecv,
        codecs: vec![
            codec(
                111,
                "opus",
                48000,
                Some(2),
                Some("minptime=10;useinbandfec=1"),
            ),
            codec(0, "PCMU", 8000, None, None),
        ],
        extmaps: vec![
            Extmap::new(1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
            Extmap::new(4, "urn:ietf:params:rtp-hdrext:sdes:mid"),
        ],
        msid: Some(Msid {
            stream_id: "stream".into(),
            track_id: Some(format!("track-{mid}")),
        }),
        ssrcs: vec![Ssrc {
            ssrc: 1111,
            attribute: "cname".into(),
            value: Some("cname1".into()),
        }],
        ssrc_groups: Vec::new(),
        rtcp_rsize: true,
    })
}

fn video(mid: &str) -> MediaSpec {
    let mut vp8 = codec(96, "VP8", 90000, None, None);
    vp8.feedback = vec![
        RtcpFb::new(96, "nack", None),
        RtcpFb::new(96, "nack", Some("pli")),
        RtcpFb::new(96, "transport-cc", None),
    ];
    MediaSpec::Rtp(RtpMedia {
        mid: mid.into(),
        kind: MediaKind::Video,
        direction: Direction::RecvOnly,
        codecs: vec![vp8, codec(97, "rtx", 90000, None, Some("apt=96"))],
        extmaps: vec![Extmap::new(4, "urn:ietf:params:rtp-hdrext:sdes:mid")],
        msid: None,
        ssrcs: Vec::new(),
        ssrc_groups: Vec::new(),
        rtcp_rsize: true,
    })
}

/// audio, audio, video, data: enough to tell the three policies apart.
fn media() -> Vec<MediaSpec> {
    vec![
        audio("a0"),
        audio("a1"),
        video("v0"),
        MediaSpec::Data(DataMedia::new("d0")),
    ]
}

fn offer(policy: BundlePolicy, mux: RtcpMuxPolicy) -> (SessionDescription, SessionView) {
    let options = OfferOptions {
        bundle_policy: policy,
        rtcp_mux_policy: mux,
        ..OfferOptions::new(7_000_000_001)
    };
    let description = create_offer(&options, &transport(), &media()).unwrap();
    // What the builder writes parses back to itself.
    let reparsed: SessionDescription = description.to_string().parse().unwrap();
    assert_eq!(reparsed, description);
    let view = SessionView::new(&description).unwrap();
    (description, view)
}

/// Asserts the transport of a section that is not bundle-only (§5.2.1).
fn assert_has_transport(m: &MediaView, setup: Setup) {
    assert_ne!(m.port, 0, "{:?}", m.mid);
    assert!(!m.bundle_only);
    assert_eq!(m.ice_ufrag.as_deref(), Some("uFrg"));
    assert_eq!(m.ice_pwd.as_deref(), Some("0123456789abcdefghijkl+/"));
    assert_eq!(m.fingerprints, [fingerprint()]);
    assert_eq!(m.setup, Some(setup));
}

/// Asserts a bundle-only section: port 0, `a=bundle-only`, none of the
/// IDENTICAL/TRANSPORT attributes (§5.2.1, RFC 8843 §7.1.3).
fn assert_bundle_only(m: &MediaView) {
    assert_eq!(m.port, 0, "{:?}", m.mid);
    assert!(m.bundle_only);
    assert!(!m.is_rejected());
    assert!(m.ice_ufrag.is_none() && m.ice_pwd.is_none());
    assert!(m.fingerprints.is_empty() && m.setup.is_none());
    assert!(m.candidates.is_empty());
    assert!(!m.rtcp_mux && !m.rtcp_mux_only && m.rtcp.is_none() && !m.rtcp_rsize);
}

#[test]
fn offer_session_part_follows_5_2_1() {
    let (description, view) = offer(BundlePolicy::Balanced, RtcpMuxPolicy::Require);
    let text = description.to_string();
    assert!(text.starts_with(
        "v=0\r\no=- 7000000001 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE a0 a1 v0 d0\r\n\
         a=ice-options:trickle ice2\r\na=extmap-allow-mixed\r\n"
    ), "{text}");
    assert_eq!(view.ice_options, [IceOption::Trickle, IceOption::Ice2]);
    let mids: Vec<_> = view.media.iter().map(|m| m.mid.clone().unwrap()).collect();
    assert_eq!(mids, ["a0", "a1", "v0", "d0"]);
    assert!(
        text.contains("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n")
    );
    assert!(text.contains("m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\n"));
    let data = &view.media[3];
    assert_eq!(data.sctp_port, Some(5000));
    assert_eq!(data.max_message_size, Some(262_144));
}

#[test]
fn every_policy_offers_bundle_with_all_mids() {
    for policy in [
        BundlePolicy::Balanced,
        BundlePolicy::MaxCompat,
        BundlePolicy::MaxBundle,
    ] {
        let (_, view) = offer(policy, RtcpMuxPolicy::Require);
        assert_eq!(
            view.bundle_group().unwrap().mids,
            ["a0", "a1", "v0", "d0"],
            "{policy:?}"
        );
    }
}

#[test]
fn max_bundle_offer_marks_all_but_the_first_bundle_only() {
    let (_, view) = offer(BundlePolicy::MaxBundle, RtcpMuxPolicy::Require);
    assert_has_transport(&view.media[0], Setup::ActPass);
    for m in &view.media[1..] {
        assert_bundle_only(m);
    }
    // The data section keeps its SCTP parameters even when bundle-only.
    assert_eq!(view.media[3].sctp_port, Some(5000));
}

#[test]
fn balanced_offer_keeps_the_first_section_of_each_type() {
    let (_, view) = offer(BundlePolicy::Balanced, RtcpMuxPolicy::Require);
    assert_has_transport(&view.media[0], Setup::ActPass); // first audio
    assert_bundle_only(&view.media[1]); // second audio
    assert_has_transport(&view.media[2], Setup::ActPass); // first video
    assert_has_transport(&view.media[3], Setup::ActPass); // first application
}

#[test]
fn max_compat_offer_marks_nothing_bundle_only() {
    let (_, view) = offer(BundlePolicy::MaxCompat, RtcpMuxPolicy::Require);
    for m in &view.media {
        assert_has_transport(m, Setup::ActPass);
    }
}

#[test]
fn rtcp_mux_require_offers_rtcp_mux_only_without_rtcp_port() {
    let (_, view) = offer(BundlePolicy::MaxCompat, RtcpMuxPolicy::Require);
    for m in &view.media[..3] {
        assert!(m.rtcp_mux && m.rtcp_mux_only, "{:?}", m.mid);
        assert!(m.rtcp.is_none());
        assert!(m.rtcp_rsize);
    }
    assert!(
        !view.media[3].rtcp_mux,
        "no RTCP attributes on the data section"
    );
}

#[test]
fn rtcp_mux_negotiate_offers_rtcp_mux_and_an_rtcp_line() {
    let (description, view) = offer(BundlePolicy::MaxCompat, RtcpMuxPolicy::Negotiate);
    for m in &view.media[..3] {
        assert!(m.rtcp_mux && !m.rtcp_mux_only, "{:?}", m.mid);
        let rtcp = m.rtcp.as_ref().unwrap();
        assert_eq!(rtcp.port, 9);
        assert_eq!(rtcp.address.as_deref(), Some("IN IP4 0.0.0.0"));
    }
    assert!(description
        .to_string()
        .contains("a=rtcp-mux\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"));
}

#[test]
fn offered_codecs_extensions_and_streams_read_back() {
    let (_, view) = offer(BundlePolicy::MaxBundle, RtcpMuxPolicy::Require);
    let MediaSpec::Rtp(a0) = &media()[0] else {
        unreachable!()
    };
    assert_eq!(view.media[0].codecs, a0.codecs);
    assert_eq!(view.media[0].extmaps, a0.extmaps);
    assert_eq!(view.media[0].msids, [a0.msid.clone().unwrap()]);
    assert_eq!(view.media[0].ssrcs, a0.ssrcs);
    assert_eq!(view.media[0].direction, Some(Direction::SendRecv));
    let vp8 = view.media[2].codec(96).unwrap();
    assert_eq!(vp8.feedback.len(), 3);
    assert_eq!(
        view.media[2].codec(97).unwrap().fmtp.as_deref(),
        Some("apt=96")
    );
    assert_eq!(view.media[2].direction, Some(Direction::RecvOnly));
}

#[test]
fn gathered_candidates_set_the_default_port_and_address() {
    let mut t = transport();
    t.candidates = vec![
        "candidate:1 1 udp 2122260223 192.0.2.7 50001 typ host"
            .parse::<Candidate>()
            .unwrap(),
        "candidate:2 1 udp 1686052607 203.0.113.9 61000 typ srflx raddr 192.0.2.7 rport 50001"
            .parse()
            .unwrap(),
    ];
    t.end_of_candidates = true;
    let options = OfferOptions::new(1);
    let description = create_offer(&options, &t, &[audio("0")]).unwrap();
    let text = description.to_string();
    assert!(
        text.contains("m=audio 50001 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 192.0.2.7\r\n"),
        "{text}"
    );
    let view = SessionView::new(&description).unwrap();
    assert_eq!(view.media[0].candidates, t.candidates);
    assert!(view.media[0].end_of_candidates);
}

#[test]
fn offer_refuses_what_jsep_does_not_allow() {
    let build = |t: &TransportParams, media: &[MediaSpec]| {
        create_offer(&OfferOptions::new(1), t, media).unwrap_err()
    };
    let e = |b| SdpError::Build(b);
    assert_eq!(
        build(&transport(), &[audio("x"), audio("x")]),
        e(BuildError::DuplicateMid)
    );
    assert_eq!(build(&transport(), &[audio("")]), e(BuildError::InvalidMid));
    assert_eq!(
        build(&transport(), &[audio("has space")]),
        e(BuildError::InvalidMid)
    );
    assert_eq!(
        build(&transport(), &[audio(&"m".repeat(17))]),
        e(BuildError::InvalidMid)
    );
    let mut no_codecs = audio("0");
    if let MediaSpec::Rtp(r) = &mut no_codecs {
        r.codecs.clear();
    }
    assert_eq!(build(&transport(), &[no_codecs]), e(BuildError::NoCodecs));
    let mut t = transport();
    t.fingerprints.clear();
    assert_eq!(build(&t, &[audio("0")]), e(BuildError::NoFingerprint));
    let mut t = transport();
    t.ice_pwd = "short".into();
    assert_eq!(
        build(&t, &[audio("0")]),
        e(BuildError::InvalidIceCredentials)
    );
    // No media: a valid offer with no BUNDLE group.
    let empty = create_offer(&OfferOptions::new(1), &transport(), &[]).unwrap();
    assert!(empty.media.is_empty());
    assert!(SessionView::new(&empty).unwrap().bundle_group().is_none());
}

fn corpus(name: &str) -> SessionDescription {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(path).unwrap().parse().unwrap()
}

fn accept_rtp(pts: &[u8], uris: &[&str], direction: Direction) -> AnswerMedia {
    AnswerMedia::Rtp(AnswerRtp {
        payload_types: pts.to_vec(),
        extension_uris: uris.iter().map(|u| u.to_string()).collect(),
        feedback: None,
        direction,
        msid: None,
        ssrcs: Vec::new(),
        ssrc_groups: Vec::new(),
        rids: Vec::new(),
        simulcast: None,
    })
}

fn data_answer() -> AnswerMedia {
    AnswerMedia::Data {
        sctp_port: 5000,
        max_message_size: 65536,
    }
}

#[test]
fn answer_to_aiortc_offer_bundles_onto_the_tagged_section() {
    let offer = corpus("aiortc-audio-video-data-offer.sdp");
    let answer = create_answer(
        &offer,
        &AnswerOptions::new(99),
        &transport(),
        &[
            accept_rtp(
                &[96, 0],
                &["urn:ietf:params:rtp-hdrext:sdes:mid"],
                Direction::RecvOnly,
            ),
            accept_rtp(&[97, 98], &[], Direction::Inactive),
            data_answer(),
        ],
    )
    .unwrap();
    let reparsed: SessionDescription = answer.to_string().parse().unwrap();
    assert_eq!(reparsed, answer);
    let view = SessionView::new(&answer).unwrap();
    assert_eq!(view.bundle_group().unwrap().mids, ["0", "1", "2"]);
    let tagged = &view.media[0];
    assert_has_transport(tagged, Setup::Active);
    assert_eq!(tagged.port, 9);
    assert!(tagged.rtcp_mux && !tagged.rtcp_mux_only);
    assert!(!tagged.rtcp_rsize, "aiortc did not offer rtcp-rsize");
    assert_eq!(tagged.direction, Some(Direction::RecvOnly));
    let offered = SessionView::new(&offer).unwrap();
    assert_eq!(
        tagged.codecs,
        [
            offered.media[0].codecs[0].clone(),
            offered.media[0].codecs[2].clone()
        ]
    );
    assert_eq!(tagged.extmaps.len(), 1);
    assert_eq!(tagged.extmaps[0].id, 1, "offered id kept");
    for m in &view.media[1..] {
        assert_bundle_only(m);
    }
    assert_eq!(
        view.media[1].codec(98).unwrap().fmtp.as_deref(),
        Some("apt=97")
    );
    assert_eq!(view.media[1].codec(97).unwrap().feedback.len(), 3);
    assert_eq!(view.media[2].sctp_port, Some(5000));
    assert_eq!(view.media[2].max_message_size, Some(65536));
    assert!(answer
        .to_string()
        .contains("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
}

#[test]
fn answer_rejects_a_section_with_port_zero_and_drops_it_from_bundle() {
    let offer = corpus("aiortc-audio-video-data-offer.sdp");
    let answer = create_answer(
        &offer,
        &AnswerOptions::new(99),
        &transport(),
        &[
            accept_rtp(&[96], &[], Direction::SendRecv),
            AnswerMedia::Reject,
            data_answer(),
        ],
    )
    .unwrap();
    let view = SessionView::new(&answer).unwrap();
    assert_eq!(view.bundle_group().unwrap().mids, ["0", "2"]);
    let rejected = &view.media[1];
    assert!(rejected.is_rejected());
    assert_eq!(rejected.mid.as_deref(), Some("1"));
    assert_eq!(rejected.kind, "video");
    assert_eq!(rejected.formats, ["97", "98", "99", "100", "101", "102"]);
    assert!(rejected.codecs.is_empty() && rejected.ice_ufrag.is_none());
}

#[test]
fn answer_to_chromium_offer_keeps_rtcp_rsize_and_unbundled_when_no_group() {
    let offer = corpus("chromium-audio-datachannel-offer.sdp");
    let answer = create_answer(
        &offer,
        &AnswerOptions::new(5),
        &transport(),
        &[
            accept_rtp(&[111, 63], &[], Direction::RecvOnly),
            data_answer(),
        ],
    )
    .unwrap();
    let view = SessionView::new(&answer).unwrap();
    assert!(view.extmap_allow_mixed);
    assert!(view.media[0].rtcp_rsize);
    assert_eq!(
        view.media[0].codec(63).unwrap().fmtp.as_deref(),
        Some("111/111")
    );

    // The same offer without its BUNDLE group: every section keeps its own transport.
    let mut unbundled = offer.clone();
    unbundled
        .session
        .retain(|l| !l.to_string().starts_with("a=group:"));
    let answer = create_answer(
        &unbundled,
        &AnswerOptions::new(5),
        &transport(),
        &[accept_rtp(&[111], &[], Direction::RecvOnly), data_answer()],
    )
    .unwrap();
    let view = SessionView::new(&answer).unwrap();
    assert!(view.bundle_group().is_none());
    for m in &view.media {
        assert_has_transport(m, Setup::Active);
    }
}

#[test]
fn answer_to_our_max_bundle_offer_accepts_bundle_only_sections() {
    let (offer, _) = offer(BundlePolicy::MaxBundle, RtcpMuxPolicy::Require);
    let answer = create_answer(
        &offer,
        &AnswerOptions::new(5),
        &transport(),
        &[
            accept_rtp(&[111], &[], Direction::SendRecv),
            accept_rtp(&[0], &[], Direction::SendRecv),
            accept_rtp(&[96], &[], Direction::SendOnly),
            data_answer(),
        ],
    )
    .unwrap();
    let view = SessionView::new(&answer).unwrap();
    assert_has_transport(&view.media[0], Setup::Active);
    assert!(view.media[0].rtcp_mux);
    for m in &view.media[1..] {
        assert_bundle_only(m);
    }
}

#[test]
fn answer_refusals() {
    let offer = corpus("aiortc-audio-video-data-offer.sdp");
    let answer = |choices: &[AnswerMedia], options: AnswerOptions| {
        create_answer(&offer, &options, &transport(), choices).unwrap_err()
    };
    let e = |b| SdpError::Build(b);
    let ok_rtp = accept_rtp(&[96], &[], Direction::SendRecv);
    let ok_video = accept_rtp(&[97], &[], Direction::SendRecv);
    assert_eq!(
        answer(std::slice::from_ref(&ok_rtp), AnswerOptions::new(1)),
        e(BuildError::AnswerCountMismatch)
    );
    assert_eq!(
        answer(
            &[ok_rtp.clone(), ok_video.clone(), ok_rtp.clone()],
            AnswerOptions::new(1)
        ),
        e(BuildError::AnswerKindMismatch)
    );
    assert_eq!(
        answer(
            &[data_answer(), ok_video.clone(), data_answer()],
            AnswerOptions::new(1)
        ),
        e(BuildError::AnswerKindMismatch)
    );
    assert_eq!(
        answer(
            &[
                accept_rtp(&[120], &[], Direction::SendRecv),
                ok_video.clone(),
                data_answer()
            ],
            AnswerOptions::new(1)
        ),
        e(BuildError::CodecNotOffered(120))
    );
    assert_eq!(
        answer(
            &[AnswerMedia::Reject, ok_video.clone(), data_answer()],
            AnswerOptions::new(1)
        ),
        e(BuildError::TaggedSectionRejected)
    );
    let mut options = AnswerOptions::new(1);
    options.setup = Setup::ActPass;
    assert_eq!(
        answer(&[ok_rtp.clone(), ok_video.clone(), data_answer()], options),
        e(BuildError::InvalidAnswerSetup)
    );
    // Rejecting everything is fine: no BUNDLE group in the answer.
    let all_rejected = create_answer(
        &offer,
        &AnswerOptions::new(1),
        &transport(),
        &[
            AnswerMedia::Reject,
            AnswerMedia::Reject,
            AnswerMedia::Reject,
        ],
    )
    .unwrap();
    let view = SessionView::new(&all_rejected).unwrap();
    assert!(view.bundle_group().is_none());
    assert!(view.media.iter().all(MediaView::is_rejected));
}

#[test]
fn rtcp_mux_policy_decides_answers_to_offers_without_rtcp_mux() {
    let text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n\
        m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n\
        a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\na=setup:actpass\r\n\
        a=rtpmap:0 PCMU/8000\r\n";
    let offer: SessionDescription = text.parse().unwrap();
    let choice = [accept_rtp(&[0], &[], Direction::SendRecv)];
    assert_eq!(
        create_answer(&offer, &AnswerOptions::new(1), &transport(), &choice).unwrap_err(),
        SdpError::Build(BuildError::RtcpMuxRequired)
    );
    let mut options = AnswerOptions::new(1);
    options.rtcp_mux_policy = RtcpMuxPolicy::Negotiate;
    let answer = create_answer(&offer, &options, &transport(), &choice).unwrap();
    let view = SessionView::new(&answer).unwrap();
    assert!(!view.media[0].rtcp_mux);
    assert_eq!(view.media[0].rtcp.as_ref().unwrap().port, 9);
}

#[test]
fn offered_rejected_section_stays_rejected() {
    let text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n\
        m=audio 0 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtcp-mux\r\n\
        a=rtpmap:0 PCMU/8000\r\n";
    let offer: SessionDescription = text.parse().unwrap();
    let answer = create_answer(
        &offer,
        &AnswerOptions::new(1),
        &transport(),
        &[accept_rtp(&[0], &[], Direction::SendRecv)],
    )
    .unwrap();
    assert!(SessionView::new(&answer).unwrap().media[0].is_rejected());
}

#[test]
fn answer_setup_complements_an_offered_active_or_passive_role() {
    for (offered, expected) in [
        ("active", Setup::Passive),
        ("passive", Setup::Active),
        ("actpass", Setup::Active),
    ] {
        let text = format!(
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n\
             m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n\
             a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\na=setup:{offered}\r\n\
             a=sctp-port:5000\r\n"
        );
        let offer: SessionDescription = text.parse().unwrap();
        let answer = create_answer(
            &offer,
            &AnswerOptions::new(1),
            &transport(),
            &[data_answer()],
        )
        .unwrap();
        assert_eq!(
            SessionView::new(&answer).unwrap().media[0].setup,
            Some(expected),
            "{offered}"
        );
    }
}

#[test]
fn session_id_must_be_below_2_pow_63_minus_1() {
    let mut options = OfferOptions::new((1u64 << 63) - 1);
    assert_eq!(
        create_offer(&options, &transport(), &[audio("0")]).unwrap_err(),
        SdpError::Build(BuildError::InvalidSessionId)
    );
    options.session_id = (1u64 << 63) - 2;
    assert!(create_offer(&options, &transport(), &[audio("0")]).is_ok());
}

#[test]
fn answer_to_firefox_shaped_offer_with_bundle_only_sections() {
    // Firefox's max-bundle shape: session-level fingerprint, bundle-only
    // video and data sections without transport or rtcp-mux of their own.
    let offer = corpus("firefox-audio-video-simulcast-data-offer.reconstructed.sdp");
    let answer = create_answer(
        &offer,
        &AnswerOptions::new(3),
        &transport(),
        &[
            accept_rtp(
                &[109, 101],
                &["urn:ietf:params:rtp-hdrext:sdes:mid"],
                Direction::SendRecv,
            ),
            accept_rtp(
                &[120, 124],
                &["urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"],
                Direction::RecvOnly,
            ),
            data_answer(),
        ],
    )
    .unwrap();
    let view = SessionView::new(&answer).unwrap();
    assert_eq!(view.bundle_group().unwrap().mids, ["0", "1", "2"]);
    assert_has_transport(&view.media[0], Setup::Active);
    assert!(view.media[0].rtcp_mux);
    assert_eq!(view.media[0].extmaps[0].id, 3);
    assert_eq!(
        view.media[0].codec(101).unwrap().fmtp.as_deref(),
        Some("0-15")
    );
    assert_bundle_only(&view.media[1]);
    assert_eq!(view.media[1].extmaps[0].id, 8);
    assert_eq!(view.media[1].codec(120).unwrap().feedback.len(), 5);
    assert_bundle_only(&view.media[2]);
}

#[test]
fn answer_can_repeat_the_transport_in_bundled_sections_like_libwebrtc() {
    use sansrtc_sdp::jsep::BundledSectionShape;
    let offer = corpus("chromium-audio-datachannel-offer.sdp");
    let mut options = AnswerOptions::new(5);
    options.bundled_sections = BundledSectionShape::RepeatTransport;
    let answer = create_answer(
        &offer,
        &options,
        &transport(),
        &[accept_rtp(&[111], &[], Direction::RecvOnly), data_answer()],
    )
    .unwrap();
    let view = SessionView::new(&answer).unwrap();
    assert_eq!(view.bundle_group().unwrap().mids, ["0", "1"]);
    for m in &view.media {
        assert_has_transport(m, Setup::Active);
        assert_eq!(m.port, 9);
    }
    assert!(view.media[0].rtcp_mux);
}

fn transport_n(n: u8) -> TransportParams {
    TransportParams::new(
        &format!("ufr{n}"),
        &format!("{n}123456789abcdefghijkl+/"),
        vec![fingerprint()],
    )
}

/// `max-compat` gathers a transport per section: each section writes its
/// own credentials; `balanced` writes them for the first of each media type
/// and none for the bundle-only ones.
#[test]
fn offer_with_a_transport_per_section() {
    let ts: Vec<TransportParams> = (0..4).map(transport_n).collect();
    let refs: Vec<&TransportParams> = ts.iter().collect();
    let mut options = OfferOptions::new(7);
    options.bundle_policy = BundlePolicy::MaxCompat;
    let offer = sansrtc_sdp::jsep::create_offer_with_transports(&options, &refs, &media()).unwrap();
    let view = SessionView::new(&offer).unwrap();
    for (i, m) in view.media.iter().enumerate() {
        assert_eq!(view.ice_ufrag_for(i), Some(format!("ufr{i}").as_str()));
        assert!(!m.bundle_only);
    }
    // Still one BUNDLE group with every mid: the answerer may bundle.
    assert_eq!(view.bundle_group().unwrap().mids.len(), 4);

    options.bundle_policy = BundlePolicy::Balanced;
    let offer = sansrtc_sdp::jsep::create_offer_with_transports(&options, &refs, &media()).unwrap();
    let view = SessionView::new(&offer).unwrap();
    let ufrags: Vec<Option<&str>> = view.media.iter().map(|m| m.ice_ufrag.as_deref()).collect();
    assert_eq!(ufrags, [Some("ufr0"), None, Some("ufr2"), Some("ufr3")]);

    // One transport per section, or one in all for no sections.
    let err = sansrtc_sdp::jsep::create_offer_with_transports(&options, &refs[..3], &media());
    assert_eq!(
        err.unwrap_err(),
        SdpError::Build(BuildError::TransportCountMismatch)
    );
    assert!(sansrtc_sdp::jsep::create_offer_with_transports(&options, &refs[..1], &[]).is_ok());
}

/// An offer without BUNDLE (a peer that does not bundle) is answered with
/// each section's own transport; a bundled one with the tagged section's.
#[test]
fn answer_with_a_transport_per_section() {
    let mut offer = corpus("aiortc-audio-video-data-offer.sdp");
    let choices = [
        accept_rtp(&[96], &[], Direction::SendRecv),
        accept_rtp(&[97], &[], Direction::SendRecv),
        data_answer(),
    ];
    let ts: Vec<TransportParams> = (0..3).map(transport_n).collect();
    let refs: Vec<&TransportParams> = ts.iter().collect();
    let mut options = AnswerOptions::new(9);
    options.bundled_sections = sansrtc_sdp::jsep::BundledSectionShape::RepeatTransport;
    let bundled =
        sansrtc_sdp::jsep::create_answer_with_transports(&offer, &options, &refs, &choices)
            .unwrap();
    let view = SessionView::new(&bundled).unwrap();
    for i in 0..3 {
        assert_eq!(view.ice_ufrag_for(i), Some("ufr0"), "bundled onto the tag");
    }
    offer
        .session
        .retain(|l| !l.to_string().starts_with("a=group:BUNDLE"));
    let unbundled =
        sansrtc_sdp::jsep::create_answer_with_transports(&offer, &options, &refs, &choices)
            .unwrap();
    let view = SessionView::new(&unbundled).unwrap();
    assert!(view.bundle_group().is_none());
    for i in 0..3 {
        assert_eq!(view.ice_ufrag_for(i), Some(format!("ufr{i}").as_str()));
        assert_eq!(view.media[i].port, 9);
    }
    let err =
        sansrtc_sdp::jsep::create_answer_with_transports(&offer, &options, &refs[..2], &choices);
    assert_eq!(
        err.unwrap_err(),
        SdpError::Build(BuildError::TransportCountMismatch)
    );
}

/// A stopped transceiver's section is offered rejected (RFC 9429 §5.2.2):
/// port 0, its mid, outside BUNDLE, no transport; the next section of its
/// type carries the transport instead.
#[test]
fn a_rejected_section_is_offered_with_port_zero_outside_bundle() {
    let mut media = media();
    media[0] = MediaSpec::Rejected(sansrtc_sdp::jsep::RejectedMedia {
        mid: "a0".into(),
        kind: MediaKind::Audio,
        payload_types: vec![111],
    });
    for policy in [BundlePolicy::Balanced, BundlePolicy::MaxBundle] {
        let mut options = OfferOptions::new(3);
        options.bundle_policy = policy;
        let offer = create_offer(&options, &transport(), &media).unwrap();
        let text = offer.to_string();
        assert!(
            text.contains("m=audio 0 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:a0\r\nm="),
            "{text}"
        );
        let view = SessionView::new(&offer).unwrap();
        assert!(view.media[0].is_rejected());
        assert_eq!(view.bundle_group().unwrap().mids, ["a1", "v0", "d0"]);
        assert!(!view.media[1].bundle_only, "a1 carries the transport");
        assert!(view.media[1].ice_ufrag.is_some());
        let reparsed: SessionDescription = text.parse().unwrap();
        assert_eq!(reparsed, offer);
    }
    let empty = MediaSpec::Rejected(sansrtc_sdp::jsep::RejectedMedia {
        mid: "x".into(),
        kind: MediaKind::Video,
        payload_types: Vec::new(),
    });
    assert_eq!(
        create_offer(&OfferOptions::new(1), &transport(), &[empty]).unwrap_err(),
        SdpError::Build(BuildError::NoCodecs)
    );
}
