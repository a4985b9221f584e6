//! The data channel layer (RFC 8831/8832 rules over an association) driven
//! by a sequence of operations: what the association below reports
//! (messages on any stream with any PPID, DCEP or not; incoming and
//! completed stream resets; buffered amounts; established and closed) and
//! what the application asks (create, send, close). No panic; the channels
//! stay within the stream id space and stats stay consistent.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use sansrtc_datachannel::{
    DataChannelConfig, DataChannelInit, DataChannelMessage, DataChannels, DtlsRole, Priority,
    SctpCommand,
};
use sansrtc_proto::Output;

#[derive(Debug, Arbitrary)]
enum Op {
    Established,
    Closed,
    Message {
        stream: u16,
        ppid: u32,
        payload: Vec<u8>,
    },
    /// A well-formed DCEP OPEN on `stream`, label and protocol from the input.
    Open {
        stream: u16,
        channel_type: u8,
        parameter: u32,
        label: String,
        protocol: String,
    },
    IncomingReset {
        streams: Vec<u16>,
    },
    OutgoingResetDone {
        streams: Vec<u16>,
    },
    Buffered {
        stream: u16,
        amount: u64,
    },
    Create {
        label: String,
        ordered: bool,
        negotiated: Option<u16>,
        life: Option<u16>,
        retransmits: Option<u16>,
        priority: u16,
    },
    Send {
        channel: u8,
        text: bool,
        bytes: Vec<u8>,
    },
    Close {
        channel: u8,
    },
    CloseAll,
    RemoteMaxMessageSize {
        size: Option<u64>,
    },
    Threshold {
        channel: u8,
        amount: u64,
    },
}

#[derive(Debug, Arbitrary)]
struct Input {
    client: bool,
    ops: Vec<Op>,
}

fuzz_target!(|input: Input| {
    let mut dc = DataChannels::new(DataChannelConfig::default());
    dc.set_dtls_role(if input.client {
        DtlsRole::Client
    } else {
        DtlsRole::Server
    });
    let mut ids = Vec::new();
    for op in input.ops.into_iter().take(128) {
        match op {
            Op::Established => dc.handle_association_established(),
            Op::Closed => dc.handle_association_closed(),
            Op::Message {
                stream,
                ppid,
                payload,
            } => dc.handle_message(stream, ppid, &payload),
            Op::Open {
                stream,
                channel_type,
                parameter,
                label,
                protocol,
            } => {
                let mut m = vec![0x03, channel_type];
                m.extend_from_slice(&0u16.to_be_bytes());
                m.extend_from_slice(&parameter.to_be_bytes());
                m.extend_from_slice(&(label.len() as u16).to_be_bytes());
                m.extend_from_slice(&(protocol.len() as u16).to_be_bytes());
                m.extend_from_slice(label.as_bytes());
                m.extend_from_slice(protocol.as_bytes());
                dc.handle_message(stream, 50, &m);
            }
            Op::IncomingReset { streams } => dc.handle_incoming_reset(&streams),
            Op::OutgoingResetDone { streams } => dc.handle_outgoing_reset_done(&streams),
            Op::Buffered { stream, amount } => dc.handle_buffered_amount(stream, amount),
            Op::Create {
                label,
                ordered,
                negotiated,
                life,
                retransmits,
                priority,
            } => {
                let mut init = DataChannelInit::new(label);
                init.ordered = ordered;
                init.negotiated = negotiated.is_some();
                init.id = negotiated;
                init.max_packet_life_time = life;
                init.max_retransmits = retransmits;
                init.priority = Priority::from_value(priority);
                if let Ok(id) = dc.create_data_channel(init) {
                    ids.push(id);
                }
            }
            Op::Send {
                channel,
                text,
                bytes,
            } => {
                if let Some(&id) = ids.get(usize::from(channel) % ids.len().max(1)) {
                    let message = if text {
                        DataChannelMessage::Text(String::from_utf8_lossy(&bytes).into_owned())
                    } else {
                        DataChannelMessage::Binary(bytes.into())
                    };
                    let _ = dc.send(id, message);
                }
            }
            Op::Close { channel } => {
                if let Some(&id) = ids.get(usize::from(channel) % ids.len().max(1)) {
                    let _ = dc.close(id);
                }
            }
            Op::CloseAll => dc.close_all(),
            Op::RemoteMaxMessageSize { size } => dc.set_remote_max_message_size(size),
            Op::Threshold { channel, amount } => {
                if let Some(&id) = ids.get(usize::from(channel) % ids.len().max(1)) {
                    let _ = dc.set_buffered_amount_low_threshold(id, amount);
                }
            }
        }
        let mut outputs = 0;
        loop {
            match dc.poll_output() {
                Output::Transmit(SctpCommand::Send { payload, .. }) => {
                    assert!(payload.len() <= 64 * 1024 * 1024);
                }
                Output::Transmit(_) | Output::Event(_) => {}
                Output::Timeout(_) => break,
            }
            outputs += 1;
            assert!(outputs < 1_000_000, "poll_output does not end");
        }
        assert!(dc.channels().count() <= 65_536);
    }
});
