//! What the peer-connection fuzz targets share: one certificate generated
//! once per process, a fresh connection on a loopback address, and a drain
//! that must end.

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
