//! What the peer-connection fuzz targets share: certificates generated
//! once per process (one for the single-connection targets, two for the
//! pairs), a fresh connection on a loopback address, and a drain that must
//! end.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc::*;

/// A fixed time of day, so certificate validity never depends on the clock.
pub fn wall_clock() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

/// One ECDSA certificate for every run (generating one per input would
/// dominate the time).
pub fn certificate() -> Arc<RtcCertificate> {
    static CERT: OnceLock<Arc<RtcCertificate>> = OnceLock::new();
    CERT.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        Arc::new(
            RtcCertificate::generate(
                &sansrtc_config::CertificateOptions::default(),
                wall_clock(),
                &mut rng,
            )
            .unwrap(),
        )
    })
    .clone()
}

/// Two ECDSA certificates, one for each connection of a two-peer pair,
/// generated once per process. The pair's connections read the real time
/// of day (the shared test harness's `peer`), so the certificates are
/// generated at the real time of day too (valid from a day before it).
/// Without them each connection generates its own for every input: two
/// P-256 key generations and self-signatures per input, which cover no
/// input-dependent code (the generation's only input is a fixed seed).
pub fn pair_certificates() -> [Arc<RtcCertificate>; 2] {
    static CERTS: OnceLock<[Arc<RtcCertificate>; 2]> = OnceLock::new();
    CERTS
        .get_or_init(|| {
            let now = SystemTime::now();
            [5, 6].map(|seed| {
                let mut rng = ChaCha20Rng::seed_from_u64(seed);
                Arc::new(
                    RtcCertificate::generate(
                        &sansrtc_config::CertificateOptions::default(),
                        now,
                        &mut rng,
                    )
                    .unwrap(),
                )
            })
        })
        .clone()
}

/// The configurations of a two-peer pair (`a`, `b`): the defaults, with
/// [`pair_certificates`] (one each).
pub fn pair_configurations() -> (RtcConfiguration, RtcConfiguration) {
    let [a, b] = pair_certificates();
    let config = |c| RtcConfiguration {
        certificates: vec![c],
        ..RtcConfiguration::default()
    };
    (config(a), config(b))
}

/// A connection with the shared certificate, on `address`.
pub fn connection(now: Instant, address: &str) -> RtcPeerConnection {
    let config = RtcConfiguration {
        certificates: vec![certificate()],
        ..RtcConfiguration::default()
    };
    let mut pc =
        RtcPeerConnection::new(config, ChaCha20Rng::seed_from_u64(4), now, wall_clock()).unwrap();
    pc.add_local_address(now, address.parse().unwrap()).unwrap();
    pc
}

/// Drains the outputs; a drain that does not end is a bug.
pub fn drain(pc: &mut RtcPeerConnection) {
    for _ in 0..10_000 {
        if let Output::Timeout(_) = pc.poll_output() {
            return;
        }
    }
    panic!("poll_output does not end");
}
