//! The RNG a connection is given and keeps.

use rand_core::{CryptoRng, RngCore};

/// The RNG [`RtcPeerConnection::new`](crate::RtcPeerConnection::new) takes:
/// any cryptographic RNG (`ChaCha20Rng` seeded by the caller, `OsRng`).
///
/// With the `snapshot` feature it must also be `Clone`, so that a cloned
/// connection draws the same numbers as the original (see the crate
/// documentation for why that feature is for fuzzing only).
#[cfg(not(feature = "snapshot"))]
pub trait PeerRng: RngCore + CryptoRng + Send {}

#[cfg(not(feature = "snapshot"))]
impl<T: RngCore + CryptoRng + Send> PeerRng for T {}

/// The RNG [`RtcPeerConnection::new`](crate::RtcPeerConnection::new) takes:
/// any cryptographic RNG that is `Clone` (`ChaCha20Rng`, `OsRng`).
///
/// Without the `snapshot` feature `Clone` is not required.
#[cfg(feature = "snapshot")]
pub trait PeerRng: RngCore + CryptoRng + Send {
    /// A boxed copy in the same state: it draws what `self` would draw.
    fn clone_box(&self) -> Box<dyn PeerRng>;
}

#[cfg(feature = "snapshot")]
impl<T: RngCore + CryptoRng + Send + Clone + 'static> PeerRng for T {
    fn clone_box(&self) -> Box<dyn PeerRng> {
        Box::new(self.clone())
    }
}

#[cfg(feature = "snapshot")]
impl Clone for Box<dyn PeerRng> {
    fn clone(&self) -> Self {
        (**self).clone_box()
    }
}
