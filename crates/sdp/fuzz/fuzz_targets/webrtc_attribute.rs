//! Every typed WebRTC attribute parser (`a=fingerprint`, `a=rtpmap`,
//! `a=fmtp`, `a=extmap`, `a=ssrc`, `a=simulcast`, `a=rid`, `a=group`, …):
//! the first byte picks the attribute name, the rest is its value. No
//! panic; a typed attribute writes back to a raw attribute that parses to
//! the same typed value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_sdp::{Attribute, WebRtcAttribute};

const NAMES: &[&str] = &[
    "mid",
    "group",
    "bundle-only",
    "ice-ufrag",
    "ice-pwd",
    "ice-options",
    "ice-lite",
    "fingerprint",
    "setup",
    "rtcp-mux",
    "rtcp-mux-only",
    "rtcp-rsize",
    "rtcp",
    "candidate",
    "end-of-candidates",
    "msid",
    "msid-semantic",
    "ssrc",
    "ssrc-group",
    "rid",
    "simulcast",
    "extmap",
    "extmap-allow-mixed",
    "rtpmap",
    "fmtp",
    "rtcp-fb",
    "sctp-port",
    "max-message-size",
    "sctpmap",
    "identity",
    "sendrecv",
    "sendonly",
    "recvonly",
    "inactive",
    "x-unknown",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, value)) = data.split_first() else {
        return;
    };
    let Ok(value) = std::str::from_utf8(value) else {
        return;
    };
    let name = NAMES[usize::from(selector) % NAMES.len()];
    let raw = if selector & 0x80 != 0 {
        Attribute::flag(name)
    } else {
        Attribute::new(name, value)
    };
    if let Ok(Some(typed)) = WebRtcAttribute::parse(&raw) {
        let written = typed.to_attribute();
        let again = WebRtcAttribute::parse(&written)
            .expect("a written attribute parses")
            .expect("a written attribute is typed");
        assert_eq!(again, typed, "{raw:?} wrote {written:?}");
    }
});
