//! The three policy members of `RTCConfiguration`. They are defined once, in
//! `sansrtc-sdp` (the JSEP builders need them too), and re-exported here.

pub use sansrtc_sdp::jsep::{BundlePolicy, IceTransportPolicy, RtcpMuxPolicy};
