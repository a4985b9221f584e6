//! DTLS 1.3 scenarios (RFC 9147) between two `DtlsEndpoint`s on the
//! simulated network: the handshakes of [`crate::dtls`] negotiating DTLS
//! 1.3 (X25519MLKEM768, the default) under the same loss, reordering and
//! duplication, so `cargo xtask sim --scenario dtls` shows both versions'
//! handshake times side by side; a HelloRetryRequest; key updates with
//! data flowing under loss; and a 1.3-only client meeting a 1.2-only
//! server, which must fail cleanly on both sides.
//!
//! A downgrade attempt: a man in the middle strips the 1.3 offer from the
//! ClientHello, and the client refuses the 1.2 ServerHello by its RFC 8446
//! §4.1.3 sentinel (`downgrade.rs`).

mod both_fail;
mod downgrade;
mod key_update;
mod mismatch;

use std::time::Duration;

use sansrtc_dtls::{DtlsVersion, KeyShareGroup};

use crate::dtls::{handshake, Case};
use crate::Scenario;

/// The DTLS 1.3 scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "dtls/v13-handshake-0pct",
            description: "DTLS 1.3 handshake (X25519MLKEM768, mutual auth, SRTP export) over clean 20 ms links",
            default_seeds: 5,
            cases: 1,
            run: |input| handshake(input, &v13(0.0, Duration::from_secs(1))),
        },
        Scenario {
            name: "dtls/v13-handshake-20pct",
            description: "DTLS 1.3 handshake at 20% end-to-end loss with reordering and duplication, 1 s initial RTO",
            default_seeds: 40,
            cases: 1,
            run: |input| handshake(input, &v13(0.20, Duration::from_secs(1))),
        },
        Scenario {
            name: "dtls/v13-handshake-20pct-fast-rto",
            description: "DTLS 1.3 handshake at 20% loss with reordering and duplication, 100 ms initial RTO",
            default_seeds: 40,
            cases: 1,
            run: |input| handshake(input, &v13(0.20, Duration::from_millis(100))),
        },
        Scenario {
            name: "dtls/v13-hello-retry-20pct",
            description: "DTLS 1.3 server accepting secp256r1 only: HelloRetryRequest, connects with secp256r1 at 20% loss",
            default_seeds: 40,
            cases: 1,
            run: |input| {
                let mut case = v13(0.20, Duration::from_millis(100));
                case.server_groups = Some(vec![KeyShareGroup::Secp256r1]);
                case.expect.1 = KeyShareGroup::Secp256r1;
                handshake(input, &case)
            },
        },
        Scenario {
            name: "dtls/v13-key-update-20pct",
            description: "DTLS 1.3: five key updates (two asking the peer to update) with records echoed between, at 20% loss; every record delivered",
            default_seeds: 40,
            cases: 1,
            run: key_update::run,
        },
        Scenario {
            name: "dtls/v13-downgrade-refused",
            description: "a man in the middle strips the DTLS 1.3 offer from the ClientHello: the server answers 1.2 with the downgrade sentinel, the client refuses it (alert 47)",
            default_seeds: 5,
            cases: 1,
            run: downgrade::run,
        },
        Scenario {
            name: "dtls/v13-version-mismatch",
            description: "a DTLS 1.3-only client and a 1.2-only server: the server fails with ProtocolVersion, the client with alert 70",
            default_seeds: 5,
            cases: 1,
            run: mismatch::run,
        },
    ]
}

/// A DTLS 1.3 handshake with the default groups (X25519MLKEM768 chosen).
fn v13(loss: f64, rto: Duration) -> Case {
    Case {
        loss,
        rto,
        max_version: DtlsVersion::Dtls13,
        server_groups: None,
        expect: (DtlsVersion::Dtls13, KeyShareGroup::X25519MlKem768),
    }
}
