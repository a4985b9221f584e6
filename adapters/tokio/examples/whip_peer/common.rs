//! What both roles share: message patterns, SDP filtering, the peer
//! connection, gathering, the event log, stats, media dumps.

use super::*;

/// Milliseconds, rounded to the microsecond as the reference peers do.
pub(crate) fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// Message `seq` of `size` bytes: `%010d:` then the pattern; odd `seq` is
/// text (letters), even `seq` binary. Every peer of the matrix writes the
/// same bytes.
pub(crate) fn make_message(seq: usize, size: usize) -> DataChannelMessage {
    let size = size.max(12);
    let mut b = format!("{seq:010}:").into_bytes();
    let text = seq % 2 == 1;
    b.extend((b.len()..size).map(|i| {
        if text {
            b'a' + ((seq + i) % 26) as u8
        } else {
            ((seq * 31 + i) & 0xff) as u8
        }
    }));
    if text {
        DataChannelMessage::Text(String::from_utf8(b).expect("ASCII"))
    } else {
        DataChannelMessage::Binary(Bytes::from(b))
    }
}

/// Keeps only loopback `a=candidate` lines of an SDP we hand to the other
/// peer (the matrix's second guard; we gather only 127.0.0.1 anyway).
pub(crate) fn loopback_only(sdp: &str) -> String {
    sdp.split("\r\n")
        .filter(|line| {
            let Some(rest) = line.strip_prefix("a=candidate:") else {
                return true;
            };
            let address = rest.split_whitespace().nth(4);
            matches!(address, Some("127.0.0.1" | "::1"))
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

pub(crate) fn save_sdp(dir: &Option<PathBuf>, name: &str, sdp: &str) {
    let Some(dir) = dir else { return };
    let write = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(dir.join(name), sdp));
    if let Err(e) = write {
        tracing::warn!("cannot save {}: {e}", dir.join(name).display());
    }
}

/// A peer connection on one UDP socket on `127.0.0.1:0` (the options'
/// default 4 MiB receive buffer holds SCTP's window), seeded from the OS,
/// and its event stream. `--dump-media` asks for RTCP events.
pub(crate) async fn new_peer(
    options: PeerConnectionOptions,
    rtcp_events: bool,
) -> Result<(PeerConnection, Events), String> {
    let pc = PeerConnection::new(RtcConfiguration::default(), options)
        .await
        .map_err(|e| format!("new RTCPeerConnection: {e}"))?;
    let events = pc.events().map_err(|e| e.to_string())?;
    if rtcp_events {
        pc.with_machine(|pc, _| pc.set_rtcp_events(true))
            .await
            .map_err(|e| e.to_string())?;
    }
    tracing::info!("peer connection on udp {:?}", pc.local_addresses());
    Ok((pc, events))
}

/// The options of every connection: one socket on 127.0.0.1.
pub(crate) fn loopback() -> PeerConnectionOptions {
    PeerConnectionOptions::with_local_addresses([IpAddr::from([127, 0, 0, 1])])
}

/// Waits for the end of ICE gathering (logging the events before it) and
/// returns the local description, with every candidate; `None` if the
/// connection ended first.
pub(crate) async fn gathered(
    who: &str,
    pc: &PeerConnection,
    events: &mut Events,
) -> Option<RtcSessionDescription> {
    while let Some(event) = events.recv().await {
        log_event(who, &event);
        if matches!(
            event,
            PeerConnectionEvent::IceGatheringStateChange(IceGatheringState::Complete)
                | PeerConnectionEvent::IceCandidate(None)
        ) {
            return pc.local_description().await.ok().flatten();
        }
    }
    None
}

/// Logs the connection's events until it ends, saving the RTCP packets
/// among them with `--dump-media`.
pub(crate) async fn log_events(who: String, mut events: Events, dump: Arc<Dump>) {
    while let Some(event) = events.recv().await {
        match event {
            PeerConnectionEvent::Other(PeerEvent::Media(MediaEvent::Rtcp { packet })) => {
                dump.save("rtcp", &packet)
            }
            event => log_event(&who, &event),
        }
    }
}

fn log_event(who: &str, event: &PeerConnectionEvent) {
    match event {
        PeerConnectionEvent::IceCandidate(Some(c)) => {
            tracing::debug!("{who}: local candidate {}", c.candidate)
        }
        event => tracing::info!("{who}: {event:?}"),
    }
}

/// The transport as the W3C stats would show it (`RTCTransportStats` and
/// the selected pair).
pub(crate) fn transport_info(pc: &RtcPeerConnection) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("dtls_state".into(), pc.dtls_state().as_str().into());
    out.insert(
        "ice_state".into(),
        pc.ice_connection_state().as_str().into(),
    );
    out.insert("pc_state".into(), pc.connection_state().as_str().into());
    if let Some(role) = pc.dtls_role() {
        let role = match role {
            sansrtc_dtls::Role::Client => "client",
            sansrtc_dtls::Role::Server => "server",
        };
        out.insert("dtls_role".into(), role.into());
    }
    if let Some(p) = pc.dtls_parameters() {
        out.insert("dtls_cipher".into(), p.cipher_suite.name().into());
        // As getStats() spells the version: FEFD (1.2) or FEFC (1.3).
        out.insert("tls_version".into(), p.version.stats_name().into());
        out.insert("tls_group".into(), p.group.name().into());
        if let Some(profile) = p.srtp_profile {
            out.insert("selected_srtp_profile".into(), profile.name().into());
        }
    }
    if let Some(pair) = pc.selected_candidate_pair() {
        out.insert(
            "local_candidate".into(),
            format!("{} udp {}", pair.local_kind.as_str(), pair.local).into(),
        );
        out.insert(
            "remote_candidate".into(),
            format!("{} udp {}", pair.remote_kind.as_str(), pair.remote).into(),
        );
    }
    out
}

/// The transport (as [`transport_info`]) after logging the counters of
/// every layer: what a session leaves behind.
pub(crate) async fn final_info(who: &str, pc: &PeerConnection) -> Option<Map<String, Value>> {
    let who = who.to_owned();
    pc.with_machine(move |pc, _| {
        tracing::info!(
            "{who}: transport {:?}; ice {:?}; dtls {:?}; sctp {:?}",
            pc.transport_stats(),
            pc.ice_stats(),
            pc.dtls_stats(),
            pc.sctp_stats()
        );
        transport_info(pc)
    })
    .await
    .ok()
}

/// Packets of each kind `--dump-media` keeps per session.
const DUMP_LIMIT: usize = 40;

/// `--dump-media`: saves received packets as `<dir>/<label>-<kind>-<n>.bin`
/// (the first [`DUMP_LIMIT`] of each kind).
pub(crate) struct Dump {
    pub(crate) dir: Option<PathBuf>,
    pub(crate) label: String,
    pub(crate) saved: Mutex<HashMap<&'static str, usize>>,
}

impl Dump {
    pub(crate) fn new(dir: Option<PathBuf>, label: String) -> Arc<Self> {
        Arc::new(Dump {
            dir,
            label,
            saved: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn save(&self, kind: &'static str, packet: &[u8]) {
        let Some(dir) = &self.dir else { return };
        let n = {
            let mut saved = self.saved.lock().unwrap();
            let n = saved.entry(kind).or_default();
            if *n >= DUMP_LIMIT {
                return;
            }
            *n += 1;
            *n
        };
        let path = dir.join(format!("{}-{kind}-{n:03}.bin", self.label));
        if let Err(e) = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&path, packet)) {
            tracing::warn!("dump {}: {e}", path.display());
        }
    }
}
