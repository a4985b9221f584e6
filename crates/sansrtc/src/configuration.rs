//! `getConfiguration()` and `setConfiguration()` over `sansrtc-config`'s
//! "set the configuration" algorithm.

use sansrtc_config::RtcConfiguration;

use crate::error::RtcError;
use crate::peer_connection::RtcPeerConnection;

impl RtcPeerConnection {
    /// `getConfiguration()`.
    pub fn get_configuration(&self) -> &RtcConfiguration {
        self.config.get_configuration()
    }

    /// `setConfiguration()`: `InvalidModificationError` when
    /// `certificates`, `bundlePolicy`, `rtcpMuxPolicy` or `peerIdentity`
    /// change, or `iceCandidatePoolSize` after a local description was set;
    /// `InvalidStateError` after `close()`. New ICE servers and transport
    /// policy take effect at the next gathering (see docs/sansrtc.md).
    pub fn set_configuration(&mut self, configuration: RtcConfiguration) -> Result<(), RtcError> {
        if self.closed {
            return Err(RtcError::Closed);
        }
        self.config.set_configuration(configuration)?;
        let servers = sansrtc_ice::AgentConfig::from_rtc(&self.config, false);
        for (i, t) in self.transports.iter_mut().enumerate() {
            // TURN only on the first transport (see `new_agent`).
            let mut list = servers.servers.clone();
            if i > 0 {
                list.retain(|s| s.turn.is_none());
            }
            t.agent.set_servers(list, servers.transport_policy);
        }
        Ok(())
    }
}
