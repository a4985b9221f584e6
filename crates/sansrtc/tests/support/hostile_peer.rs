//! A remote peer that does ICE and DTLS properly and then speaks SCTP by
//! hand: it answers the connection's INIT itself, so it knows both
//! verification tags and every TSN, and can send any chunk a hostile peer
//! could (RFC 9260 framing, CRC-32c). Built from the lower crates, not from
//! `RtcPeerConnection`, so nothing in it filters what it sends.
//!
//! The media variant ([`Duel::connected_media`]) also answers an audio and
//! a video section and, once DTLS is up, protects whatever RTP and RTCP it
//! writes by hand with its own SRTP keys, so any bytes it chooses reach the
//! connection's media code authenticated.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc::*;
use sansrtc_config::{CertificateOptions, RtcCertificate};
use sansrtc_dtls::{DtlsConfig, DtlsEndpoint, DtlsEvent, Identity, Role};
use sansrtc_ice::{Agent, AgentConfig, IceEvent, Received};
use sansrtc_proto::{Machine, Output};
use sansrtc_rtp::rtcp::{parse_compound, RtcpPacket};
use sansrtc_rtp::RtpHeader;
use sansrtc_srtp::{SrtpConfig, SrtpContext};

/// Where the hostile peer sits.
pub const HOSTILE_ADDR: &str = "127.0.0.1:5002";

/// PPIDs (RFC 8831 §8).
pub const PPID_DCEP: u32 = 50;
/// A UTF-8 message.
pub const PPID_STRING: u32 = 51;

/// The connection under attack and the hostile peer, on a lossless wire.
pub struct Duel {
    pub a: RtcPeerConnection,
    pub now: Instant,
    pub events: Vec<PeerEvent>,
    agent: Agent,
    dtls: DtlsEndpoint,
    dtls_started: bool,
    agent_timeout: Option<Instant>,
    dtls_timeout: Option<Instant>,
    /// Tags: ours (what the connection writes) and the connection's.
    pub my_tag: u32,
    pub peer_tag: u32,
    /// The next TSN we send.
    pub next_tsn: u32,
    /// The highest in-order TSN of the connection's DATA we acknowledge.
    cum_ack: Option<u32>,
    pub established: bool,
    ssns: std::collections::BTreeMap<u16, u16>,
    /// DATA payloads the connection sent us: (stream, ppid, bytes).
    pub received: Vec<(u16, u32, Vec<u8>)>,
    /// Plain SCTP packets the connection sent us.
    pub packets_in: usize,
    /// SRTP both ways (the media variant).
    pub media: MediaPeer,
}

/// The hostile peer's SSRCs (the media variant): audio, video and the
/// video's RTX stream, all signalled in its answer.
pub const H_AUDIO_SSRC: u32 = 0x1111_0001;
/// Video (VP8, PT 96).
pub const H_VIDEO_SSRC: u32 = 0x2222_0002;
/// The video's RTX stream (PT 97, apt=96; `a=ssrc-group:FID`).
pub const H_RTX_SSRC: u32 = 0x2222_0003;
/// Payload types of the hostile peer's answer (the connection's numbers).
pub const PT_OPUS: u8 = 111;
/// VP8.
pub const PT_VP8: u8 = 96;
/// RTX for VP8.
pub const PT_RTX: u8 = 97;
/// Header extension ids (as the connection offers them).
pub const EXT_TWCC: u8 = 3;
/// The MID extension.
pub const EXT_MID: u8 = 4;
/// The RtpStreamId extension (RFC 8852; video).
pub const EXT_RID: u8 = 10;
/// The RepairedRtpStreamId extension (video).
pub const EXT_REPAIRED_RID: u8 = 11;

/// The hostile peer's SRTP, and what the connection sent it.
#[derive(Default)]
pub struct MediaPeer {
    /// Protects what the hostile peer sends (its local key: DTLS client).
    tx: Option<SrtpContext>,
    /// Unprotects what the connection sends.
    rx: Option<SrtpContext>,
    /// The mids of the connection's offer: audio, video, data.
    pub mids: Vec<String>,
    /// The next transport-wide sequence number written.
    pub twcc_seq: u16,
    /// What came from the connection, counted (nothing kept, so that the
    /// heap measured is the connection's).
    pub seen: MediaSeen,
}

/// Counters of the media the connection sent the hostile peer.
#[derive(Debug, Default, Clone)]
pub struct MediaSeen {
    /// RTP packets by SSRC (media and RTX).
    pub rtp: std::collections::BTreeMap<u32, u64>,
    /// RTP packets with the marker bit, by SSRC.
    pub rtp_marked: std::collections::BTreeMap<u32, u64>,
    /// The connection's last sender report: its SSRC, NTP timestamp and
    /// when it arrived.
    pub last_sr: Option<(u32, u64, Instant)>,
    /// The last sequence number, by SSRC.
    pub last_seq: std::collections::BTreeMap<u32, u16>,
    /// Compound RTCP packets.
    pub rtcp: u64,
    /// NACK packets, and the sequence numbers they requested.
    pub nacks: u64,
    /// Sequence numbers requested by those NACKs.
    pub nacked_seqs: u64,
    /// Transport-wide feedback packets.
    pub twcc: u64,
    /// Sender and receiver reports.
    pub reports: u64,
    /// PLI and FIR.
    pub keyframe_requests: u64,
    /// SRTP/SRTCP the hostile peer could not unprotect.
    pub unprotect_failed: u64,
}

/// Whether the first byte of a datagram says RTP or RTCP (RFC 7983).
fn is_media(data: &[u8]) -> bool {
    data.first().is_some_and(|b| (128..=191).contains(b))
}

/// Whether an RTP/RTCP datagram is RTCP (RFC 5761 §4: PT 64–95).
fn is_rtcp(data: &[u8]) -> bool {
    data.get(1).is_some_and(|b| (192..=223).contains(b))
}

fn chunk(kind: u8, flags: u8, body: &[u8]) -> Vec<u8> {
    let mut c = vec![kind, flags];
    c.extend_from_slice(&((4 + body.len()) as u16).to_be_bytes());
    c.extend_from_slice(body);
    c.resize(c.len().next_multiple_of(4), 0);
    c
}

/// An SCTP packet between ports 5000 with `tag` and a CRC-32c.
fn packet_of(tag: u32, chunks: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(12 + chunks.len());
    p.extend_from_slice(&5000u16.to_be_bytes());
    p.extend_from_slice(&5000u16.to_be_bytes());
    p.extend_from_slice(&tag.to_be_bytes());
    p.extend_from_slice(&[0; 4]);
    p.extend_from_slice(chunks);
    let crc = sansrtc_sctp::packet_checksum(&p);
    p[8..12].copy_from_slice(&crc.to_le_bytes());
    p
}

/// A DATA chunk (RFC 9260 §3.3.1); `flags` carries U, B, E.
pub fn data_chunk(
    flags: u8,
    tsn: u32,
    stream: u16,
    ssn: u16,
    ppid: u32,
    payload: &[u8],
) -> Vec<u8> {
    let mut body = Vec::with_capacity(12 + payload.len());
    body.extend_from_slice(&tsn.to_be_bytes());
    body.extend_from_slice(&stream.to_be_bytes());
    body.extend_from_slice(&ssn.to_be_bytes());
    body.extend_from_slice(&ppid.to_be_bytes());
    body.extend_from_slice(payload);
    chunk(0, flags, &body)
}

/// A raw chunk of any type.
pub fn raw_chunk(kind: u8, flags: u8, body: &[u8]) -> Vec<u8> {
    chunk(kind, flags, body)
}

/// A DCEP DATA_CHANNEL_OPEN (RFC 8832 §5.1), reliable and ordered.
pub fn dcep_open(label: &[u8], protocol: &[u8]) -> Vec<u8> {
    let mut m = vec![0x03, 0x00, 0, 0, 0, 0, 0, 0];
    m.extend_from_slice(&(label.len() as u16).to_be_bytes());
    m.extend_from_slice(&(protocol.len() as u16).to_be_bytes());
    m.extend_from_slice(label);
    m.extend_from_slice(protocol);
    m
}

fn attr(sdp: &str, name: &str) -> String {
    sdp.lines()
        .find_map(|l| l.strip_prefix(&format!("a={name}:")))
        .unwrap_or_else(|| panic!("no a={name} in the offer"))
        .trim()
        .to_string()
}

/// The hostile peer's answer with media: audio (Opus 111) and video (VP8
/// 96 with NACK, PLI, FIR and transport-cc, RTX 97), sendrecv with its own
/// SSRCs, the MID and transport-cc extensions, then the data section.
fn media_answer(mids: &[String], ufrag: &str, pwd: &str, fingerprint: &str) -> String {
    let [audio, video, data] = mids else {
        panic!("the offer should have audio, video and data sections: {mids:?}");
    };
    let common = format!(
        "c=IN IP4 127.0.0.1\r\na=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\n\
         a=fingerprint:{fingerprint}\r\na=setup:active\r\n"
    );
    let candidate = "a=candidate:1 1 udp 2130706431 127.0.0.1 5002 typ host\r\n\
                     a=end-of-candidates\r\n";
    let rtp = format!(
        "a=sendrecv\r\na=rtcp-mux\r\na=rtcp-rsize\r\n\
         a=extmap:{EXT_TWCC} http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n\
         a=extmap:{EXT_MID} urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    );
    format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
         a=group:BUNDLE {audio} {video} {data}\r\n\
         m=audio 5002 UDP/TLS/RTP/SAVPF {PT_OPUS}\r\n{common}a=mid:{audio}\r\n{rtp}\
         a=msid:h h-mic\r\n\
         a=rtpmap:{PT_OPUS} opus/48000/2\r\na=rtcp-fb:{PT_OPUS} transport-cc\r\n\
         a=fmtp:{PT_OPUS} minptime=10;useinbandfec=1\r\n\
         a=ssrc:{H_AUDIO_SSRC} cname:hostile\r\na=ssrc:{H_AUDIO_SSRC} msid:h h-mic\r\n\
         {candidate}\
         m=video 5002 UDP/TLS/RTP/SAVPF {PT_VP8} {PT_RTX}\r\n{common}a=mid:{video}\r\n{rtp}\
         a=msid:h h-cam\r\n\
         a=rtpmap:{PT_VP8} VP8/90000\r\na=rtcp-fb:{PT_VP8} nack\r\n\
         a=rtcp-fb:{PT_VP8} nack pli\r\na=rtcp-fb:{PT_VP8} ccm fir\r\n\
         a=rtcp-fb:{PT_VP8} transport-cc\r\n\
         a=extmap:{EXT_RID} urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n\
         a=extmap:{EXT_REPAIRED_RID} urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n\
         a=rtpmap:{PT_RTX} rtx/90000\r\na=fmtp:{PT_RTX} apt={PT_VP8}\r\n\
         a=ssrc-group:FID {H_VIDEO_SSRC} {H_RTX_SSRC}\r\n\
         a=ssrc:{H_VIDEO_SSRC} cname:hostile\r\na=ssrc:{H_VIDEO_SSRC} msid:h h-cam\r\n\
         a=ssrc:{H_RTX_SSRC} cname:hostile\r\na=ssrc:{H_RTX_SSRC} msid:h h-cam\r\n\
         {candidate}\
         m=application 5002 UDP/DTLS/SCTP webrtc-datachannel\r\n{common}a=mid:{data}\r\n\
         a=sctp-port:5000\r\na=max-message-size:262144\r\n{candidate}"
    )
}

impl Duel {
    /// `a` offers a channel `label`; the hostile peer answers (DTLS client,
    /// ICE controlled) and runs until the connection's SCTP association is
    /// established with it.
    pub fn connected(label: &str) -> (Duel, ChannelId) {
        let now = Instant::now();
        let mut a = super::common::peer(1, super::common::ADDR_A, RtcConfiguration::default(), now);
        let chat = a
            .create_data_channel(now, DataChannelInit::new(label))
            .unwrap();
        (Duel::answer(a, now, false), chat)
    }

    /// The media variant: `a` adds an audio track (Opus) and a video track
    /// (VP8 with NACK, PLI, FIR, transport-cc and RTX) besides the channel
    /// `label`; the hostile peer answers both sendrecv with its own SSRCs
    /// ([`H_AUDIO_SSRC`], [`H_VIDEO_SSRC`], [`H_RTX_SSRC`]) and the data
    /// section, and runs until SCTP is established and both sides have
    /// SRTP keys. Returns the audio and video transceivers and the channel.
    pub fn connected_media(label: &str) -> (Duel, TransceiverId, TransceiverId, ChannelId) {
        let now = Instant::now();
        let mut a = super::common::peer(1, super::common::ADDR_A, RtcConfiguration::default(), now);
        let audio = a
            .add_track(MediaStreamTrack::new("mic", MediaKind::Audio), &["a"])
            .unwrap();
        let video = a
            .add_track(MediaStreamTrack::new("cam", MediaKind::Video), &["a"])
            .unwrap();
        let vp8: Vec<RtpCodecParameters> = sansrtc::media::default_codecs(MediaKind::Video)
            .into_iter()
            .filter(|c| {
                c.name == CodecName::Vp8 || (c.name == CodecName::Rtx && c.apt() == Some(PT_VP8))
            })
            .collect();
        a.set_codec_preferences(video, vp8).unwrap();
        let chat = a
            .create_data_channel(now, DataChannelInit::new(label))
            .unwrap();
        let mut duel = Duel::answer(a, now, true);
        assert!(
            duel.run_until(Duration::from_secs(5), |d| d.a.connection_state()
                == PeerConnectionState::Connected
                && d.dtls.srtp_keying_material().is_some()),
            "no SRTP with the hostile peer"
        );
        (duel, audio, video, chat)
    }

    /// The hostile peer's answer to `a`'s offer (with media sections when
    /// `media`), applied; runs until SCTP is established.
    fn answer(mut a: RtcPeerConnection, now: Instant, media: bool) -> Duel {
        let offer = a.create_offer(now).unwrap();
        a.set_local_description(now, offer).unwrap();
        let offer = a.local_description().unwrap().sdp;

        let mut rng = ChaCha20Rng::seed_from_u64(99);
        let agent_config = AgentConfig {
            controlling: false,
            components: 1,
            ta: Duration::from_millis(20),
            ..AgentConfig::default()
        };
        let mut agent = Agent::new(agent_config, ChaCha20Rng::seed_from_u64(98)).unwrap();
        agent
            .add_local_address(now, HOSTILE_ADDR.parse().unwrap())
            .unwrap();
        agent.gather(now);
        agent
            .set_remote_credentials(now, &attr(&offer, "ice-ufrag"), &attr(&offer, "ice-pwd"))
            .unwrap();
        // The answer bundles everything onto the first (tagged) section:
        // its transport's candidates are the ones to check.
        let first_section = offer.split("\r\nm=").nth(1).unwrap_or_default();
        for line in first_section.lines().filter_map(|l| l.strip_prefix("a=")) {
            if line.starts_with("candidate:") {
                agent.add_remote_candidate_str(now, line).unwrap();
            }
        }
        let cert =
            RtcCertificate::generate(&CertificateOptions::default(), SystemTime::now(), &mut rng)
                .unwrap();
        let identity = Identity::from_der(
            vec![cert.certificate_der().to_vec()],
            cert.private_key_pkcs8_der(),
        )
        .unwrap();
        let mut config = DtlsConfig::new(Arc::new(identity));
        config.expected_fingerprints =
            vec![sansrtc_sdp::parse_fingerprint(&attr(&offer, "fingerprint")).unwrap()];
        let dtls = DtlsEndpoint::new(Role::Client, config, &mut rng).unwrap();

        let creds = agent.local_credentials().clone();
        let mids: Vec<String> = offer
            .lines()
            .filter_map(|l| l.strip_prefix("a=mid:"))
            .map(|m| m.trim().to_string())
            .collect();
        let answer = if media {
            media_answer(
                &mids,
                &creds.ufrag,
                &creds.pwd,
                &cert.sha256_fingerprint().to_string(),
            )
        } else {
            let mid = attr(&offer, "mid");
            format!(
                "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE {mid}\r\n\
                 m=application 5002 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 127.0.0.1\r\n\
                 a=mid:{mid}\r\na=ice-ufrag:{}\r\na=ice-pwd:{}\r\na=fingerprint:{}\r\n\
                 a=setup:active\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n\
                 a=candidate:1 1 udp 2130706431 127.0.0.1 5002 typ host\r\na=end-of-candidates\r\n",
                creds.ufrag,
                creds.pwd,
                cert.sha256_fingerprint(),
            )
        };
        a.set_remote_description(
            now,
            RtcSessionDescription {
                sdp_type: SdpType::Answer,
                sdp: answer,
            },
        )
        .unwrap();
        let mut duel = Duel {
            a,
            now,
            events: Vec::new(),
            agent,
            dtls,
            dtls_started: false,
            agent_timeout: None,
            dtls_timeout: None,
            my_tag: 0x5eed_0001,
            peer_tag: 0,
            next_tsn: 1000,
            cum_ack: None,
            established: false,
            ssns: Default::default(),
            received: Vec::new(),
            packets_in: 0,
            media: MediaPeer {
                mids,
                twcc_seq: 1,
                ..MediaPeer::default()
            },
        };
        assert!(
            duel.run_until(Duration::from_secs(10), |d| d.established),
            "the connection never established SCTP with the hostile peer: ice {:?}, dtls {:?}, \
             {} SCTP packets in, events {:?}, our ICE {:?}, theirs {:?}",
            duel.a.ice_connection_state(),
            duel.a.dtls_state(),
            duel.packets_in,
            duel.events,
            duel.agent.stats(),
            duel.a.ice_stats(),
        );
        duel
    }

    /// A datagram the connection sent us (through ICE): DTLS, or SRTP and
    /// SRTCP, which are unprotected and counted.
    fn on_datagram(&mut self, data: &[u8]) {
        if !is_media(data) {
            let now = self.now;
            self.dtls.handle_receive(now, data);
            return;
        }
        if self.media.rx.is_none() {
            self.media.rx = self.srtp_context(false, SrtpConfig::default());
        }
        let Some(rx) = &mut self.media.rx else {
            self.media.seen.unprotect_failed += 1;
            return;
        };
        let mut packet = data.to_vec();
        let now = self.now;
        let seen = &mut self.media.seen;
        if is_rtcp(data) {
            if rx.unprotect_rtcp(&mut packet).is_err() {
                seen.unprotect_failed += 1;
                return;
            }
            seen.rtcp += 1;
            for p in parse_compound(&packet).flatten() {
                match p {
                    RtcpPacket::Nack(n) => {
                        seen.nacks += 1;
                        seen.nacked_seqs += n.lost().count() as u64;
                    }
                    RtcpPacket::TransportCc(_) => seen.twcc += 1,
                    RtcpPacket::SenderReport(sr) => {
                        seen.reports += 1;
                        seen.last_sr = Some((sr.ssrc, sr.ntp_timestamp, now));
                    }
                    RtcpPacket::ReceiverReport(_) => seen.reports += 1,
                    RtcpPacket::Pli(_) | RtcpPacket::Fir(_) => seen.keyframe_requests += 1,
                    _ => {}
                }
            }
        } else {
            if rx.unprotect_rtp(&mut packet).is_err() {
                seen.unprotect_failed += 1;
                return;
            }
            if let Ok(h) = RtpHeader::parse(&packet) {
                *seen.rtp.entry(h.ssrc()).or_default() += 1;
                seen.last_seq.insert(h.ssrc(), h.sequence_number());
                if h.marker() {
                    *seen.rtp_marked.entry(h.ssrc()).or_default() += 1;
                }
            }
        }
    }

    /// An SRTP context with the hostile peer's keys (it is the DTLS
    /// client): `local` protects what it sends, else unprotects what the
    /// connection sends. `None` before DTLS is up.
    pub fn srtp_context(&self, local: bool, config: SrtpConfig) -> Option<SrtpContext> {
        let material = self.dtls.srtp_keying_material()?;
        let key = if local {
            material.local(Role::Client)
        } else {
            material.remote(Role::Client)
        };
        Some(SrtpContext::new(material.profile, &key.key, &key.salt, config).unwrap())
    }

    /// Protects the RTP packet `packet` with the hostile peer's SRTP and
    /// sends it. Returns false (and sends nothing) when SRTP cannot
    /// protect it (a header SRTP itself cannot read).
    pub fn send_rtp(&mut self, packet: &[u8]) -> bool {
        self.send_protected(packet, false)
    }

    /// Protects the compound RTCP packet `packet` with SRTCP and sends it.
    /// Returns false when SRTCP cannot protect it (shorter than 8 bytes).
    pub fn send_rtcp(&mut self, packet: &[u8]) -> bool {
        self.send_protected(packet, true)
    }

    /// SRTP (or SRTCP with `rtcp`) protection, then the wire.
    fn send_protected(&mut self, packet: &[u8], rtcp: bool) -> bool {
        if self.media.tx.is_none() {
            self.media.tx = self.srtp_context(true, SrtpConfig::default());
        }
        let tx = self.media.tx.as_mut().expect("SRTP keys once DTLS is up");
        let mut p = packet.to_vec();
        let protected = if rtcp {
            tx.protect_rtcp(&mut p)
        } else {
            tx.protect_rtp(&mut p)
        };
        if protected.is_err() {
            return false;
        }
        self.send_datagram(&p);
        true
    }

    /// Sends bytes as they are through the hostile peer's ICE agent.
    pub fn send_datagram(&mut self, bytes: &[u8]) {
        let now = self.now;
        self.agent.send(now, 1, bytes).unwrap();
        self.pump_hostile();
    }

    /// The next transport-wide sequence number, consumed.
    pub fn take_twcc(&mut self) -> u16 {
        let t = self.media.twcc_seq;
        self.media.twcc_seq = t.wrapping_add(1);
        t
    }

    /// Lets `dt` pass on both sides (their timers fire if due), then moves
    /// datagrams both ways until nothing moves.
    pub fn advance(&mut self, dt: Duration) {
        self.now += dt;
        let now = self.now;
        self.a.handle_timeout(now);
        self.agent.handle_timeout(now);
        self.dtls.handle_timeout(now);
        self.pump_hostile();
        self.exchange();
    }

    /// Moves datagrams both ways at the current time until nothing moves
    /// (no time passes).
    pub fn exchange(&mut self) {
        loop {
            let mut moved = false;
            loop {
                match self.a.poll_output() {
                    Output::Transmit(t) => {
                        moved = true;
                        if t.destination != HOSTILE_ADDR.parse::<SocketAddr>().unwrap() {
                            continue;
                        }
                        let rx = t.as_received();
                        let now = self.now;
                        if let Received::Data { data, .. } = self.agent.handle_receive(now, rx) {
                            self.on_datagram(data);
                        }
                    }
                    Output::Event(e) => self.events.push(e),
                    Output::Timeout(_) => break,
                }
            }
            self.pump_hostile();
            if !moved {
                break;
            }
        }
    }

    /// Sends one SCTP packet of `chunks` with the right tag and checksum.
    pub fn send_chunks(&mut self, chunks: &[u8]) {
        let tag = self.peer_tag;
        self.send_tagged(tag, chunks);
    }

    /// Sends one SCTP packet with any verification tag.
    pub fn send_tagged(&mut self, tag: u32, chunks: &[u8]) {
        self.send_sctp_packet(&packet_of(tag, chunks));
    }

    /// Sends bytes as one DTLS application-data record (any SCTP packet,
    /// or garbage).
    pub fn send_sctp_packet(&mut self, packet: &[u8]) {
        self.dtls.send_application_data(packet).unwrap();
        self.pump_hostile();
    }

    /// A whole ordered message on `stream`, in fragments of at most 1000
    /// bytes, one DATA chunk a packet.
    pub fn send_message(&mut self, stream: u16, ppid: u32, payload: &[u8]) {
        let ssn = self.take_ssn(stream);
        let parts: Vec<&[u8]> = if payload.is_empty() {
            vec![payload]
        } else {
            payload.chunks(1000).collect()
        };
        let last = parts.len() - 1;
        for (i, part) in parts.into_iter().enumerate() {
            let flags = u8::from(i == 0) << 1 | u8::from(i == last);
            let tsn = self.take_tsn();
            self.send_chunks(&data_chunk(flags, tsn, stream, ssn, ppid, part));
        }
    }

    /// The next SSN of `stream`, consumed.
    pub fn take_ssn(&mut self, stream: u16) -> u16 {
        let ssn = self.ssns.entry(stream).or_insert(0);
        let this = *ssn;
        *ssn = ssn.wrapping_add(1);
        this
    }

    /// The next TSN, consumed.
    pub fn take_tsn(&mut self) -> u32 {
        let t = self.next_tsn;
        self.next_tsn = self.next_tsn.wrapping_add(1);
        t
    }

    /// Hands everything the hostile peer's ICE and DTLS produced to the
    /// connection, and everything SCTP-level to `on_sctp`.
    fn pump_hostile(&mut self) {
        let now = self.now;
        loop {
            let mut progress = false;
            loop {
                match self.agent.poll_output() {
                    Output::Transmit(t) => {
                        let rx = t.as_received();
                        self.a.handle_receive(now, rx);
                        progress = true;
                    }
                    Output::Event(IceEvent::Data { data, .. }) => {
                        self.on_datagram(&data);
                        progress = true;
                    }
                    Output::Event(_) => {}
                    Output::Timeout(at) => {
                        self.agent_timeout = at;
                        break;
                    }
                }
            }
            if !self.dtls_started && self.agent.has_valid_pair(1) {
                self.dtls.start(now);
                self.dtls_started = true;
                progress = true;
            }
            loop {
                match self.dtls.poll_output() {
                    Output::Transmit(record) => {
                        self.agent.send(now, 1, &record).unwrap();
                        progress = true;
                    }
                    Output::Event(DtlsEvent::ApplicationData(packet)) => {
                        self.on_sctp(&packet);
                        progress = true;
                    }
                    Output::Event(DtlsEvent::Failed(e)) => panic!("hostile DTLS failed: {e}"),
                    Output::Event(_) => progress = true,
                    Output::Timeout(at) => {
                        self.dtls_timeout = at;
                        break;
                    }
                }
            }
            if !progress {
                break;
            }
        }
    }

    /// The connection's SCTP packets: INIT answered, COOKIE ECHO accepted,
    /// DATA acknowledged and kept, HEARTBEAT answered.
    fn on_sctp(&mut self, packet: &[u8]) {
        self.packets_in += 1;
        let mut at = 12;
        let mut replies = Vec::new();
        while at + 4 <= packet.len() {
            let kind = packet[at];
            let len = usize::from(u16::from_be_bytes([packet[at + 2], packet[at + 3]]));
            if len < 4 || at + len > packet.len() {
                break;
            }
            let body = &packet[at + 4..at + len];
            match kind {
                1 => {
                    // INIT: the connection's tag and first TSN.
                    self.peer_tag = u32::from_be_bytes(body[0..4].try_into().unwrap());
                    let mut ack = Vec::new();
                    ack.extend_from_slice(&self.my_tag.to_be_bytes());
                    ack.extend_from_slice(&(1u32 << 20).to_be_bytes());
                    ack.extend_from_slice(&1024u16.to_be_bytes());
                    ack.extend_from_slice(&1024u16.to_be_bytes());
                    ack.extend_from_slice(&self.next_tsn.to_be_bytes());
                    // State Cookie (7) and Forward-TSN-Supported (0xC000).
                    ack.extend_from_slice(&[0x00, 0x07, 0x00, 0x0c]);
                    ack.extend_from_slice(b"cookie!!");
                    ack.extend_from_slice(&[0xc0, 0x00, 0x00, 0x04]);
                    replies.push((self.peer_tag, chunk(2, 0, &ack)));
                }
                10 => {
                    // COOKIE ECHO: established.
                    self.established = true;
                    replies.push((self.peer_tag, chunk(11, 0, &[])));
                }
                0 if body.len() >= 12 => {
                    let tsn = u32::from_be_bytes(body[0..4].try_into().unwrap());
                    let stream = u16::from_be_bytes([body[4], body[5]]);
                    let ppid = u32::from_be_bytes(body[8..12].try_into().unwrap());
                    let next = self.cum_ack.map_or(tsn, |c| c.wrapping_add(1));
                    if tsn == next {
                        self.cum_ack = Some(tsn);
                        self.received.push((stream, ppid, body[12..].to_vec()));
                    }
                    let mut sack = Vec::new();
                    sack.extend_from_slice(
                        &self.cum_ack.unwrap_or(tsn.wrapping_sub(1)).to_be_bytes(),
                    );
                    sack.extend_from_slice(&(1u32 << 20).to_be_bytes());
                    sack.extend_from_slice(&[0, 0, 0, 0]);
                    replies.push((self.peer_tag, chunk(3, 0, &sack)));
                }
                4 => replies.push((self.peer_tag, chunk(5, 0, body))),
                _ => {}
            }
            at += len.next_multiple_of(4);
        }
        for (tag, c) in replies {
            self.dtls
                .send_application_data(&packet_of(tag, &c))
                .unwrap();
        }
    }

    /// Moves datagrams both ways until nothing moves; then advances time
    /// to the next timeout. Returns false when nothing is pending at all.
    pub fn step(&mut self) -> bool {
        let mut moved = false;
        let next = loop {
            match self.a.poll_output() {
                Output::Transmit(t) => {
                    if t.destination == HOSTILE_ADDR.parse::<SocketAddr>().unwrap() {
                        let rx = t.as_received();
                        let now = self.now;
                        if let Received::Data { data, .. } = self.agent.handle_receive(now, rx) {
                            self.on_datagram(data);
                        }
                    }
                    moved = true;
                }
                Output::Event(e) => self.events.push(e),
                Output::Timeout(at) => break at,
            }
        };
        self.pump_hostile();
        if moved {
            return true;
        }
        let hostile_next = [self.agent_timeout, self.dtls_timeout]
            .into_iter()
            .flatten()
            .min();
        let Some(at) = [next, hostile_next].into_iter().flatten().min() else {
            return false;
        };
        self.now = self.now.max(at);
        let now = self.now;
        self.a.handle_timeout(now);
        self.agent.handle_timeout(now);
        self.dtls.handle_timeout(now);
        self.pump_hostile();
        true
    }

    /// Steps until `done`, for at most `limit` of simulated time.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&Duel) -> bool) -> bool {
        let deadline = self.now + limit;
        let mut steps = 0;
        while self.now < deadline && steps < 200_000 {
            if done(self) {
                return true;
            }
            if !self.step() {
                return done(self);
            }
            steps += 1;
        }
        done(self)
    }
}
