//! What every session shares: clocks, message patterns, SDP filtering, sockets, stats.

use super::*;

/// The machine's clock: tokio's.
pub(crate) fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

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
        tracing::warn!("cannot save {}: {e}", Path::new(dir).join(name).display());
    }
}

/// The UDP socket's receive buffer. SCTP may have up to its receive
/// window (1 MiB) in flight; with the default buffer (208 KiB of kernel
/// memory, about 90 datagrams on loopback) a burst that arrives while the
/// task waits for a core overflows it (`RcvbufErrors` in /proc/net/snmp),
/// and a lost tail costs an SCTP retransmission timeout (200 ms).
pub(crate) const RECEIVE_BUFFER: usize = 4 << 20;

/// A UDP socket on `127.0.0.1:0` with a receive buffer for SCTP's window.
pub(crate) fn udp_socket() -> Result<tokio::net::UdpSocket, String> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))
        .map_err(|e| format!("UDP socket: {e}"))?;
    if let Err(e) = socket.set_recv_buffer_size(RECEIVE_BUFFER) {
        tracing::warn!("SO_RCVBUF {RECEIVE_BUFFER}: {e}");
    }
    let address: SocketAddr = "127.0.0.1:0".parse().expect("address");
    socket
        .bind(&address.into())
        .and_then(|()| socket.set_nonblocking(true))
        .map_err(|e| format!("bind {address}: {e}"))?;
    tokio::net::UdpSocket::from_std(socket.into()).map_err(|e| format!("UDP socket: {e}"))
}

/// A fresh peer connection in a driver on `127.0.0.1:0`, entropy-seeded.
pub(crate) fn new_session() -> Result<Driver<RtcPeerConnection>, String> {
    let rng = ChaCha20Rng::from_entropy();
    let pc = RtcPeerConnection::new(RtcConfiguration::default(), rng, now(), SystemTime::now())
        .map_err(|e| format!("new RTCPeerConnection: {e}"))?;
    let mut driver = Driver::new(pc);
    let local = driver
        .add_socket(udp_socket()?)
        .map_err(|e| e.to_string())?;
    driver
        .with_machine(|pc| pc.add_local_address(now(), local))
        .map_err(|e| format!("add_local_address: {e}"))?;
    tracing::info!("peer connection on udp {local}");
    Ok(driver)
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
        // DTLS 1.2, as getStats() spells its version.
        out.insert("tls_version".into(), "FEFD".into());
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

/// Logs the counters of every layer.
pub(crate) fn log_stats(who: &str, pc: &RtcPeerConnection) {
    tracing::info!(
        "{who}: transport {:?}; ice {:?}; dtls {:?}; sctp {:?}",
        pc.transport_stats(),
        pc.ice_stats(),
        pc.dtls_stats(),
        pc.sctp_stats()
    );
}

/// Logs a peer event that is not data.
pub(crate) fn log_event(who: &str, event: &PeerEvent) {
    match event {
        PeerEvent::DataChannel(DataChannelEvent::Message { .. })
        | PeerEvent::DataChannel(DataChannelEvent::BufferedAmountLow(_)) => {}
        PeerEvent::IceCandidate(Some(c)) => {
            tracing::debug!("{who}: local candidate {}", c.candidate)
        }
        event => tracing::info!("{who}: {event:?}"),
    }
}

/// Packets of each kind `--dump-media` keeps per session.
const DUMP_LIMIT: usize = 40;

/// `--dump-media`: saves a received packet as `<dir>/<label>-<kind>-<n>.bin`
/// (the first [`DUMP_LIMIT`] of each kind).
pub(crate) fn save_packet(
    dir: &Option<PathBuf>,
    dumped: &mut HashMap<&'static str, usize>,
    label: &str,
    kind: &'static str,
    packet: &[u8],
) {
    let Some(dir) = dir else { return };
    let n = dumped.entry(kind).or_default();
    if *n >= DUMP_LIMIT {
        return;
    }
    *n += 1;
    let path = dir.join(format!("{label}-{kind}-{:03}.bin", *n));
    if let Err(e) = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&path, packet)) {
        tracing::warn!("dump {}: {e}", path.display());
    }
}
