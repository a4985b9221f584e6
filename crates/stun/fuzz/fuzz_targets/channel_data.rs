//! TURN ChannelData (RFC 8656 §12.4): any bytes; what parses encodes back
//! (padded and unpadded) to bytes that parse to the same value, and the
//! first-byte check agrees with the parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_stun::ChannelData;

fuzz_target!(|data: &[u8]| {
    let Ok(cd) = ChannelData::parse(data) else {
        return;
    };
    assert!(ChannelData::looks_like_channel_data(data));
    assert!(data.len() - (ChannelData::HEADER_LEN + cd.data.len()) <= 3);
    for pad in [false, true] {
        let mut out = Vec::new();
        let n = cd
            .encode(&mut out, pad)
            .expect("a parsed ChannelData encodes");
        assert_eq!(n, out.len());
        assert_eq!(n, cd.encoded_len(pad));
        assert_eq!(
            ChannelData::parse(&out).expect("encoded ChannelData parses"),
            cd
        );
    }
});
