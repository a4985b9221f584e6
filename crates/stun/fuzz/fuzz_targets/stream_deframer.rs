//! STUN/ChannelData framing over TCP/TLS (RFC 6544, RFC 8656 §12.5): the
//! input is cut into pushes at lengths the input chooses; the frames taken
//! out are consecutive pieces of the stream (their concatenation is a
//! prefix of the input), never more than the capacity, and an error is
//! final.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_stun::{ChannelData, Frame, Message, StreamDeframer};

fuzz_target!(|data: &[u8]| {
    let Some((&cuts, stream)) = data.split_first() else {
        return;
    };
    let capacity = 64 + usize::from(cuts) * 16;
    let mut d = StreamDeframer::new(capacity);
    let mut framed = Vec::new();
    let mut pushed = 0;
    let mut step = 1 + usize::from(cuts % 37);
    let mut failed = false;
    while pushed < stream.len() && !failed {
        let end = (pushed + step).min(stream.len());
        if d.push(&stream[pushed..end]).is_err() {
            break;
        }
        pushed = end;
        step = 1 + (step * 7 + 3) % 97;
        while let Some(frame) = d.next_frame() {
            match frame {
                Ok(Frame::Stun(bytes)) => {
                    assert!(bytes.len() <= capacity);
                    framed.extend_from_slice(bytes);
                    let _ = Message::parse(bytes);
                }
                Ok(Frame::ChannelData(bytes)) => {
                    assert!(bytes.len() <= capacity);
                    framed.extend_from_slice(bytes);
                    let _ = ChannelData::parse(bytes);
                }
                Err(_) => {
                    failed = true;
                    assert!(matches!(d.next_frame(), Some(Err(_))), "an error is final");
                    break;
                }
            }
        }
        assert!(d.buffered() <= capacity);
    }
    assert!(framed.len() <= pushed);
    assert_eq!(&framed[..], &stream[..framed.len()]);
});
