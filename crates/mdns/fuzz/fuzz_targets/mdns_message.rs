//! Any bytes into the mDNS codec: no panic; what parses writes back to
//! bytes that parse to the same message, and writing that again gives the
//! same bytes (the writer is deterministic and its compression stable).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_mdns::Message;

fuzz_target!(|data: &[u8]| {
    let Ok(message) = Message::parse(data) else {
        return;
    };
    for q in &message.questions {
        let _ = q.name.to_string();
        let _ = q.name.is_local();
    }
    let bytes = message.to_bytes().expect("a parsed message writes");
    let again = Message::parse(&bytes).expect("a written message parses");
    assert_eq!(again, message);
    assert_eq!(again.to_bytes().expect("writes"), bytes);
});
