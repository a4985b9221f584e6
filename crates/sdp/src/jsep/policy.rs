//! The three policy members of `RTCConfiguration` (W3C webrtc-pc §4.2.4–4.2.6,
//! RFC 9429 §4.1.1). They live here, the lowest crate that needs them (the
//! JSEP builders use two); `sansrtc-config` re-exports them.

use core::fmt;

macro_rules! webidl_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $member:literal,
        { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// The member name in the W3C dictionary.
            pub const MEMBER: &'static str = $member;

            /// The WebIDL string value, as the W3C JSON spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }

            /// Parses the exact WebIDL string (case-sensitive, as WebIDL enums are).
            pub fn from_webidl(value: &str) -> Option<Self> {
                match value {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

webidl_enum! {
    /// `RTCIceTransportPolicy`: which candidates ICE may use. (`"public"` and
    /// `"none"` are not values of the current enum.)
    IceTransportPolicy, "iceTransportPolicy",
    {
        /// `"relay"`: only TURN relay candidates.
        Relay = "relay",
        /// `"all"` (default): every candidate type.
        #[default]
        All = "all",
    }
}

webidl_enum! {
    /// `RTCBundlePolicy`: how media is bundled onto transports.
    BundlePolicy, "bundlePolicy",
    {
        /// `"balanced"` (default): one transport per media kind.
        #[default]
        Balanced = "balanced",
        /// `"max-compat"`: one transport per track.
        MaxCompat = "max-compat",
        /// `"max-bundle"`: one transport for everything.
        MaxBundle = "max-bundle",
    }
}

webidl_enum! {
    /// `RTCRtcpMuxPolicy`. sansrtc follows MDN and keeps `"negotiate"` (see
    /// the conformance README, "sansrtc's resolution of D3").
    RtcpMuxPolicy, "rtcpMuxPolicy",
    {
        /// `"negotiate"`: gather RTCP candidates too; multiplex only if the remote does.
        Negotiate = "negotiate",
        /// `"require"` (default): RTP and RTCP share one transport.
        #[default]
        Require = "require",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_value() {
        for p in [IceTransportPolicy::Relay, IceTransportPolicy::All] {
            assert_eq!(IceTransportPolicy::from_webidl(p.as_str()), Some(p));
        }
        for p in [
            BundlePolicy::Balanced,
            BundlePolicy::MaxCompat,
            BundlePolicy::MaxBundle,
        ] {
            assert_eq!(BundlePolicy::from_webidl(p.as_str()), Some(p));
        }
        for p in [RtcpMuxPolicy::Negotiate, RtcpMuxPolicy::Require] {
            assert_eq!(RtcpMuxPolicy::from_webidl(p.as_str()), Some(p));
        }
    }

    #[test]
    fn rejects_other_strings_and_case() {
        assert_eq!(IceTransportPolicy::from_webidl("public"), None);
        assert_eq!(IceTransportPolicy::from_webidl("none"), None);
        assert_eq!(IceTransportPolicy::from_webidl("ALL"), None);
        assert_eq!(BundlePolicy::from_webidl("max_bundle"), None);
        assert_eq!(RtcpMuxPolicy::from_webidl("null"), None);
    }

    #[test]
    fn defaults_are_the_spec_defaults() {
        assert_eq!(IceTransportPolicy::default(), IceTransportPolicy::All);
        assert_eq!(BundlePolicy::default(), BundlePolicy::Balanced);
        assert_eq!(RtcpMuxPolicy::default(), RtcpMuxPolicy::Require);
    }
}
