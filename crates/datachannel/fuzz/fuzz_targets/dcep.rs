//! DCEP (RFC 8832) messages: any bytes; what parses writes back to bytes
//! that parse to the same message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_datachannel::DcepMessage;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = DcepMessage::parse(data) {
        let bytes = message.to_bytes().expect("a parsed message writes");
        let again = DcepMessage::parse(&bytes).expect("a written message parses");
        assert_eq!(again, message);
        if let DcepMessage::Open(_) = message {
            assert_eq!(bytes.len(), data.len());
        }
    }
});
