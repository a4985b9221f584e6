//! What the crate's endpoint unit tests share: a fresh ECDSA identity and
//! draining an endpoint's outputs.

use std::sync::Arc;

use sansrtc_proto::Output;

use crate::{DtlsEndpoint, DtlsEvent, Identity};

/// A fresh self-signed ECDSA P-256 identity.
pub(crate) fn identity() -> Arc<Identity> {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["t".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    Arc::new(Identity::from_der(vec![cert.der().to_vec()], &key.serialize_der()).unwrap())
}

/// Every datagram and event `ep` has to give, until its timeout.
pub(crate) fn drain(ep: &mut DtlsEndpoint) -> (Vec<Vec<u8>>, Vec<DtlsEvent>) {
    let (mut d, mut e) = (Vec::new(), Vec::new());
    loop {
        match ep.poll_output() {
            Output::Transmit(x) => d.push(x),
            Output::Event(x) => e.push(x),
            Output::Timeout(_) => return (d, e),
        }
    }
}
