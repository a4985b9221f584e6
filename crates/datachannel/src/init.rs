//! The arguments of `createDataChannel()` (W3C `RTCDataChannelInit`) and
//! their checks.

use crate::error::DataChannelError;
use crate::reliability::Reliability;

/// The W3C `RTCPriorityType`, mapped to the DCEP priority (RFC 8832 §6.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Priority {
    /// `very-low`: 128.
    VeryLow,
    /// `low` (the default): 256.
    #[default]
    Low,
    /// `medium`: 512.
    Medium,
    /// `high`: 1024.
    High,
}

impl Priority {
    /// The DCEP priority value.
    pub fn value(self) -> u16 {
        match self {
            Priority::VeryLow => 128,
            Priority::Low => 256,
            Priority::Medium => 512,
            Priority::High => 1024,
        }
    }

    /// The priority level a received DCEP value falls in.
    pub fn from_value(value: u16) -> Priority {
        match value {
            0..=128 => Priority::VeryLow,
            129..=256 => Priority::Low,
            257..=512 => Priority::Medium,
            _ => Priority::High,
        }
    }
}

/// `RTCDataChannelInit` plus the label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataChannelInit {
    /// The label (at most 65535 bytes of UTF-8).
    pub label: String,
    /// In-order delivery (default true).
    pub ordered: bool,
    /// `maxPacketLifeTime` in milliseconds.
    pub max_packet_life_time: Option<u16>,
    /// `maxRetransmits`.
    pub max_retransmits: Option<u16>,
    /// The sub-protocol (at most 65535 bytes).
    pub protocol: String,
    /// Negotiated out of band: no DCEP, the application picks `id`.
    pub negotiated: bool,
    /// The stream id; required when `negotiated`, ignored otherwise.
    pub id: Option<u16>,
    /// The priority.
    pub priority: Priority,
}

impl DataChannelInit {
    /// A reliable, ordered, in-band channel with this label.
    pub fn new(label: impl Into<String>) -> Self {
        DataChannelInit {
            label: label.into(),
            ordered: true,
            max_packet_life_time: None,
            max_retransmits: None,
            protocol: String::new(),
            negotiated: false,
            id: None,
            priority: Priority::default(),
        }
    }

    /// The checks of `createDataChannel` that need no connection state
    /// (webrtc-pc §6.1, steps on label, protocol, reliability and id), and
    /// the resulting reliability.
    pub fn validate(&self) -> Result<Reliability, DataChannelError> {
        if self.label.len() > usize::from(u16::MAX) {
            return Err(DataChannelError::LabelTooLong);
        }
        if self.protocol.len() > usize::from(u16::MAX) {
            return Err(DataChannelError::ProtocolTooLong);
        }
        if self.negotiated && self.id.is_none() {
            return Err(DataChannelError::NegotiatedWithoutId);
        }
        let reliability = match (self.max_packet_life_time, self.max_retransmits) {
            (Some(_), Some(_)) => return Err(DataChannelError::BothReliabilityLimits),
            (Some(ms), None) => Reliability::MaxPacketLifeTime(ms),
            (None, Some(n)) => Reliability::MaxRetransmits(n),
            (None, None) => Reliability::Reliable,
        };
        if self.negotiated && self.id == Some(u16::MAX) {
            return Err(DataChannelError::ReservedId);
        }
        Ok(reliability)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_checks_give_the_spec_errors() {
        let mut init = DataChannelInit::new("a".repeat(65536));
        assert_eq!(init.validate(), Err(DataChannelError::LabelTooLong));
        init.label = "a".repeat(65535);
        assert_eq!(init.validate(), Ok(Reliability::Reliable));

        let mut init = DataChannelInit::new("x");
        init.protocol = "p".repeat(65536);
        assert_eq!(init.validate().unwrap_err().dom_name(), "TypeError");

        let mut init = DataChannelInit::new("x");
        init.max_packet_life_time = Some(1);
        init.max_retransmits = Some(1);
        assert_eq!(
            init.validate(),
            Err(DataChannelError::BothReliabilityLimits)
        );

        let mut init = DataChannelInit::new("x");
        init.negotiated = true;
        assert_eq!(init.validate(), Err(DataChannelError::NegotiatedWithoutId));
        init.id = Some(65535);
        assert_eq!(init.validate(), Err(DataChannelError::ReservedId));
        init.id = Some(65534);
        assert!(init.validate().is_ok());

        let mut init = DataChannelInit::new("x");
        init.max_retransmits = Some(0);
        assert_eq!(init.validate(), Ok(Reliability::MaxRetransmits(0)));
    }

    #[test]
    fn priorities_map_both_ways() {
        for p in [
            Priority::VeryLow,
            Priority::Low,
            Priority::Medium,
            Priority::High,
        ] {
            assert_eq!(Priority::from_value(p.value()), p);
        }
        assert_eq!(Priority::from_value(0), Priority::VeryLow);
        assert_eq!(Priority::from_value(60000), Priority::High);
    }
}
