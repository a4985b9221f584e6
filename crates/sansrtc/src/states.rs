//! The connection's aggregate states over its transports (webrtc-pc §4.3.2
//! `iceGatheringState`, §4.3.3 `iceConnectionState` and
//! `connectionState`), as pure functions of the transports' own states.
//! They run after every input, so each reads the states once into a bit
//! set and allocates nothing.

use sansrtc_ice::{IceConnectionState, IceGatheringState};

use crate::event::PeerConnectionState;
use crate::peer_connection::DtlsTransportState;

fn ice_bit(s: IceConnectionState) -> u16 {
    1 << (s as u8)
}

fn dtls_bit(s: DtlsTransportState) -> u16 {
    1 << (s as u8)
}

/// `iceConnectionState` from each transport's.
pub(crate) fn ice_connection_state(
    states: impl Iterator<Item = IceConnectionState>,
) -> IceConnectionState {
    use IceConnectionState::*;
    let seen = states.fold(0u16, |seen, s| seen | ice_bit(s));
    let any = |s| seen & ice_bit(s) != 0;
    let only = |allowed: u16| seen & !allowed == 0;
    if any(Failed) {
        Failed
    } else if any(Disconnected) {
        Disconnected
    } else if only(ice_bit(New) | ice_bit(Closed)) {
        if any(New) || seen == 0 {
            New
        } else {
            Closed
        }
    } else if any(New) || any(Checking) {
        Checking
    } else if only(ice_bit(Completed) | ice_bit(Closed)) {
        Completed
    } else {
        Connected
    }
}

/// `iceGatheringState` from each transport's: a transport that has not
/// started (made for an offer not applied yet) does not hold the others
/// back.
pub(crate) fn gathering_state(
    states: impl Iterator<Item = IceGatheringState>,
) -> IceGatheringState {
    use IceGatheringState::*;
    let (mut started, mut complete) = (false, true);
    for s in states.filter(|s| *s != New) {
        started = true;
        complete &= s == Complete;
    }
    match (started, complete) {
        (false, _) => New,
        (true, true) => Complete,
        (true, false) => Gathering,
    }
}

/// `connectionState` from each transport's ICE and DTLS states; a failed
/// identity validation fails the connection.
pub(crate) fn connection_state(
    states: impl Iterator<Item = (IceConnectionState, DtlsTransportState)>,
    identity_failed: bool,
) -> PeerConnectionState {
    use DtlsTransportState as D;
    use IceConnectionState as I;
    let (ice, dtls) = states.fold((0u16, 0u16), |(i, d), (si, sd)| {
        (i | ice_bit(si), d | dtls_bit(sd))
    });
    let any_ice = |s| ice & ice_bit(s) != 0;
    let any_dtls = |s| dtls & dtls_bit(s) != 0;
    if identity_failed || any_ice(I::Failed) || any_dtls(D::Failed) {
        PeerConnectionState::Failed
    } else if any_ice(I::Disconnected) {
        PeerConnectionState::Disconnected
    } else if ice & !(ice_bit(I::New) | ice_bit(I::Closed)) == 0
        && dtls & !(dtls_bit(D::New) | dtls_bit(D::Closed)) == 0
    {
        PeerConnectionState::New
    } else if any_ice(I::New) || any_ice(I::Checking) || any_dtls(D::New) || any_dtls(D::Connecting)
    {
        PeerConnectionState::Connecting
    } else {
        // Every transport connected, completed or closed.
        PeerConnectionState::Connected
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DtlsTransportState as D;
    use IceConnectionState as I;

    #[test]
    fn ice_connection_state_follows_webrtc_pc() {
        let of = |s: &[I]| ice_connection_state(s.iter().copied());
        assert_eq!(of(&[]), I::New);
        assert_eq!(of(&[I::Connected, I::Failed]), I::Failed);
        assert_eq!(of(&[I::Connected, I::Disconnected]), I::Disconnected);
        assert_eq!(of(&[I::New, I::Closed]), I::New);
        assert_eq!(of(&[I::Closed, I::Closed]), I::Closed);
        assert_eq!(of(&[I::Connected, I::New]), I::Checking);
        assert_eq!(of(&[I::Completed, I::Checking]), I::Checking);
        assert_eq!(of(&[I::Completed, I::Closed]), I::Completed);
        assert_eq!(of(&[I::Completed, I::Connected]), I::Connected);
    }

    #[test]
    fn gathering_state_ignores_transports_not_started() {
        use IceGatheringState::*;
        let of = |s: &[IceGatheringState]| gathering_state(s.iter().copied());
        assert_eq!(of(&[]), New);
        assert_eq!(of(&[New, New]), New);
        assert_eq!(of(&[Complete, New]), Complete);
        assert_eq!(of(&[Complete, Gathering]), Gathering);
        assert_eq!(of(&[Gathering]), Gathering);
    }

    #[test]
    fn connection_state_follows_webrtc_pc() {
        let of = |s: &[(I, D)], failed| connection_state(s.iter().copied(), failed);
        assert_eq!(
            of(&[(I::Connected, D::Connected)], true),
            PeerConnectionState::Failed
        );
        assert_eq!(
            of(
                &[(I::Connected, D::Connected), (I::Connected, D::Failed)],
                false
            ),
            PeerConnectionState::Failed
        );
        assert_eq!(
            of(&[(I::Disconnected, D::Connected)], false),
            PeerConnectionState::Disconnected
        );
        assert_eq!(
            of(&[(I::New, D::New), (I::Closed, D::Closed)], false),
            PeerConnectionState::New
        );
        assert_eq!(
            of(
                &[(I::Connected, D::Connected), (I::Checking, D::New)],
                false
            ),
            PeerConnectionState::Connecting
        );
        assert_eq!(
            of(&[(I::Connected, D::Connecting)], false),
            PeerConnectionState::Connecting
        );
        assert_eq!(
            of(
                &[(I::Completed, D::Connected), (I::Connected, D::Connected)],
                false
            ),
            PeerConnectionState::Connected
        );
    }
}
