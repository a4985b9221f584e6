//! The DTLS versions a peer connection offers and accepts (a sansrtc
//! extension: `RTCConfiguration` has no such member).

use std::ops::RangeInclusive;

use sansrtc_dtls::DtlsVersion;

use crate::{RtcError, RtcPeerConnection};

impl RtcPeerConnection {
    /// Limits the DTLS versions of the transports negotiated from now on
    /// to `min..=max` (default DTLS 1.2 to 1.3: 1.3 with a peer that
    /// offers it, such as Chromium, 1.2 with the others).
    ///
    /// A transport already negotiated keeps its version; set this before
    /// the first `setLocalDescription`/`setRemoteDescription` for it to
    /// apply to the whole connection. Pinning 1.2 trades 1.3's shorter
    /// handshake and smaller record overhead for a cheaper handshake (no
    /// ML-KEM key share); pinning 1.3 refuses every 1.2-only peer.
    /// `min > max` is an [`RtcError::InvalidArgument`] and changes nothing.
    ///
    /// ```
    /// # use std::time::{Instant, SystemTime};
    /// # use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
    /// use sansrtc::{DtlsVersion, RtcConfiguration, RtcPeerConnection};
    /// let mut pc = RtcPeerConnection::new(RtcConfiguration::default(),
    ///     ChaCha20Rng::seed_from_u64(1), Instant::now(), SystemTime::now())?;
    /// pc.set_dtls_versions(DtlsVersion::Dtls12, DtlsVersion::Dtls12)?;
    /// assert_eq!(pc.dtls_versions(), DtlsVersion::Dtls12..=DtlsVersion::Dtls12);
    /// assert!(pc.set_dtls_versions(DtlsVersion::Dtls13, DtlsVersion::Dtls12).is_err());
    /// # Ok::<(), sansrtc::RtcError>(())
    /// ```
    pub fn set_dtls_versions(
        &mut self,
        min: DtlsVersion,
        max: DtlsVersion,
    ) -> Result<(), RtcError> {
        self.ensure_open()?;
        if min > max {
            return Err(RtcError::InvalidArgument(format!(
                "DTLS versions: minimum {min:?} above maximum {max:?}"
            )));
        }
        self.dtls_versions = min..=max;
        Ok(())
    }

    /// The DTLS versions new transports offer and accept
    /// ([`Self::set_dtls_versions`]).
    pub fn dtls_versions(&self) -> RangeInclusive<DtlsVersion> {
        self.dtls_versions.clone()
    }
}
