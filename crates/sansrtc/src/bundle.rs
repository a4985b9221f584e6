//! Which media sections share a transport (RFC 9429 §4.1.1, §5.2.1,
//! §5.3.1; RFC 8843), and how many ICE components each transport has
//! (`rtcpMuxPolicy`, RFC 9429 §4.1.2, RFC 8858).
//!
//! Before the answer, the offer's `bundlePolicy` decides which sections
//! gather a transport of their own: `balanced` one per media type,
//! `max-compat` one per section, `max-bundle` one in all. Once the answer
//! accepts a BUNDLE group, every section of the group uses the transport of
//! its first (tagged) section. With data channels only there is one section
//! and so one transport; media (the next issue) uses the rest.

use sansrtc_sdp::jsep::{BundlePolicy, RtcpMuxPolicy};

/// What a section carries, for the transport decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionKind {
    /// `m=audio`.
    Audio,
    /// `m=video`.
    Video,
    /// `m=application` (data channels).
    Data,
}

/// For each section of an offer, the index of the section whose transport
/// it uses while the offer is pending.
pub fn offer_transports(policy: BundlePolicy, sections: &[SectionKind]) -> Vec<usize> {
    sections
        .iter()
        .enumerate()
        .map(|(i, kind)| match policy {
            BundlePolicy::MaxCompat => i,
            BundlePolicy::MaxBundle => 0,
            BundlePolicy::Balanced => sections.iter().position(|k| k == kind).unwrap_or(i),
        })
        .collect()
}

/// For each section, the index of the section whose transport it uses once
/// the answer is applied: the first section of its BUNDLE group, or its
/// own when it is in none. `groups` holds section indexes, tagged first.
pub fn negotiated_transports(sections: usize, groups: &[Vec<usize>]) -> Vec<usize> {
    (0..sections)
        .map(|i| {
            groups
                .iter()
                .find(|g| g.contains(&i))
                .and_then(|g| g.first().copied())
                .unwrap_or(i)
        })
        .collect()
}

/// ICE components of a transport carrying RTP: 1 when RTCP is multiplexed
/// (always under `require`; under `negotiate` when the remote muxes or has
/// not answered yet and we only gather), 2 otherwise. Data sections have no
/// RTCP: always 1.
pub fn components(policy: RtcpMuxPolicy, kind: SectionKind, remote_muxes: Option<bool>) -> u16 {
    match (kind, policy, remote_muxes) {
        (SectionKind::Data, _, _) | (_, RtcpMuxPolicy::Require, _) => 1,
        (_, RtcpMuxPolicy::Negotiate, Some(true)) => 1,
        (_, RtcpMuxPolicy::Negotiate, _) => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SectionKind::*;

    const SECTIONS: [SectionKind; 5] = [Audio, Video, Audio, Video, Data];

    #[test]
    fn the_offer_gathers_per_policy() {
        // RFC 9429 §4.1.1: balanced, one transport per media type.
        assert_eq!(
            offer_transports(BundlePolicy::Balanced, &SECTIONS),
            [0, 1, 0, 1, 4]
        );
        // max-compat: one per section.
        assert_eq!(
            offer_transports(BundlePolicy::MaxCompat, &SECTIONS),
            [0, 1, 2, 3, 4]
        );
        // max-bundle: one in all.
        assert_eq!(offer_transports(BundlePolicy::MaxBundle, &SECTIONS), [0; 5]);
        // Data only: one transport whatever the policy.
        for policy in [
            BundlePolicy::Balanced,
            BundlePolicy::MaxCompat,
            BundlePolicy::MaxBundle,
        ] {
            assert_eq!(offer_transports(policy, &[Data]), [0]);
        }
    }

    #[test]
    fn the_answer_bundles_per_group() {
        assert_eq!(negotiated_transports(5, &[vec![0, 1, 2, 3, 4]]), [0; 5]);
        // Section 2 rejected from the group keeps its own.
        assert_eq!(negotiated_transports(4, &[vec![1, 0, 3]]), [1, 1, 2, 1]);
        assert_eq!(negotiated_transports(3, &[]), [0, 1, 2]);
    }

    #[test]
    fn rtcp_components_per_mux_policy() {
        assert_eq!(components(RtcpMuxPolicy::Require, Audio, None), 1);
        assert_eq!(components(RtcpMuxPolicy::Negotiate, Audio, None), 2);
        assert_eq!(components(RtcpMuxPolicy::Negotiate, Video, Some(false)), 2);
        assert_eq!(components(RtcpMuxPolicy::Negotiate, Audio, Some(true)), 1);
        assert_eq!(components(RtcpMuxPolicy::Negotiate, Data, None), 1);
    }
}
