//! `DataChannels` behaviour: two endpoints joined by a lossless in-memory
//! stand-in for the SCTP association (messages delivered whole, resets
//! applied to both ends).

use sansrtc_datachannel::*;
use sansrtc_proto::Output;

struct Pair {
    a: DataChannels,
    b: DataChannels,
    a_events: Vec<DataChannelEvent>,
    b_events: Vec<DataChannelEvent>,
    /// Every Send either side issued, in order: (from_a, stream, ppid, ordered).
    sends: Vec<(bool, u16, Ppid, bool)>,
}

impl Pair {
    fn new(config: DataChannelConfig) -> Self {
        let mut a = DataChannels::new(config.clone());
        let mut b = DataChannels::new(config);
        a.set_dtls_role(DtlsRole::Client);
        b.set_dtls_role(DtlsRole::Server);
        Pair {
            a,
            b,
            a_events: vec![],
            b_events: vec![],
            sends: vec![],
        }
    }

    fn up(config: DataChannelConfig) -> Self {
        let mut p = Pair::new(config);
        p.a.handle_association_established();
        p.b.handle_association_established();
        p.pump();
        p
    }

    /// Moves commands between the two ends until both are quiet.
    fn pump(&mut self) {
        loop {
            let mut moved = false;
            for from_a in [true, false] {
                loop {
                    let (src, dst) = if from_a {
                        (&mut self.a, &mut self.b)
                    } else {
                        (&mut self.b, &mut self.a)
                    };
                    match src.poll_output() {
                        Output::Transmit(SctpCommand::Send {
                            stream,
                            ppid,
                            payload,
                            ordered,
                            ..
                        }) => {
                            self.sends.push((from_a, stream, ppid, ordered));
                            dst.handle_message(stream, ppid.value(), &payload);
                            moved = true;
                        }
                        Output::Transmit(SctpCommand::ResetStreams(streams)) => {
                            src.handle_outgoing_reset_done(&streams);
                            dst.handle_incoming_reset(&streams);
                            moved = true;
                        }
                        Output::Event(e) => {
                            if from_a {
                                self.a_events.push(e)
                            } else {
                                self.b_events.push(e)
                            }
                            moved = true;
                        }
                        Output::Timeout(t) => {
                            assert_eq!(t, None, "the data-channel layer keeps no timers");
                            break;
                        }
                    }
                }
            }
            if !moved {
                return;
            }
        }
    }

    fn b_messages(&self) -> Vec<DataChannelMessage> {
        self.b_events
            .iter()
            .filter_map(|e| match e {
                DataChannelEvent::Message { message, .. } => Some(message.clone()),
                _ => None,
            })
            .collect()
    }
}

fn announced(events: &[DataChannelEvent]) -> Vec<ChannelId> {
    events
        .iter()
        .filter_map(|e| match e {
            DataChannelEvent::DataChannel(c) => Some(*c),
            _ => None,
        })
        .collect()
}

#[test]
fn stream_ids_follow_the_dtls_role() {
    let mut p = Pair::up(DataChannelConfig::default());
    let a1 = p.a.create_data_channel(DataChannelInit::new("a1")).unwrap();
    let a2 = p.a.create_data_channel(DataChannelInit::new("a2")).unwrap();
    let b1 = p.b.create_data_channel(DataChannelInit::new("b1")).unwrap();
    assert_eq!(p.a.channel(a1).unwrap().id, Some(0));
    assert_eq!(p.a.channel(a2).unwrap().id, Some(2));
    assert_eq!(p.b.channel(b1).unwrap().id, Some(1));
    p.pump();
    // Each side learns of the other's channels through DCEP.
    assert_eq!(announced(&p.b_events).len(), 2);
    assert_eq!(announced(&p.a_events).len(), 1);
}

#[test]
fn a_channel_created_before_the_role_gets_its_id_later() {
    let mut a = DataChannels::new(DataChannelConfig::default());
    let ch = a
        .create_data_channel(DataChannelInit::new("early"))
        .unwrap();
    assert_eq!(a.channel(ch).unwrap().id, None);
    assert_eq!(a.channel(ch).unwrap().state, DataChannelState::Connecting);
    a.set_dtls_role(DtlsRole::Server);
    assert_eq!(a.channel(ch).unwrap().id, Some(1));
}

#[test]
fn in_band_open_announces_acks_and_delivers_both_ways() {
    let mut p = Pair::up(DataChannelConfig::default());
    let mut init = DataChannelInit::new("chat");
    init.protocol = "json".into();
    init.ordered = false;
    init.max_retransmits = Some(2);
    let ch = p.a.create_data_channel(init).unwrap();
    // Sent before the ACK: must go ordered so it cannot overtake the OPEN.
    p.a.send(ch, DataChannelMessage::Text("first".into()))
        .unwrap();
    p.pump();
    let remote = announced(&p.b_events)[0];
    let info = p.b.channel(remote).unwrap().clone();
    assert_eq!(
        (info.label.as_str(), info.protocol.as_str()),
        ("chat", "json")
    );
    assert_eq!(info.reliability, Reliability::MaxRetransmits(2));
    assert!(!info.ordered);
    assert_eq!(info.state, DataChannelState::Open);
    assert!(p.b_events.contains(&DataChannelEvent::Open(remote)));
    assert!(p.a_events.contains(&DataChannelEvent::Open(ch)));
    // OPEN (DCEP), "first" (ordered despite the unordered channel), ACK back.
    assert_eq!(
        p.sends,
        vec![
            (true, 0, Ppid::Dcep, true),
            (true, 0, Ppid::String, true),
            (false, 0, Ppid::Dcep, true)
        ]
    );
    // After the ACK, the channel's own ordering applies.
    p.a.send(ch, DataChannelMessage::Binary(vec![1, 2, 3].into()))
        .unwrap();
    p.b.send(remote, DataChannelMessage::Text("back".into()))
        .unwrap();
    p.pump();
    assert_eq!(p.sends[3], (true, 0, Ppid::Binary, false));
    assert_eq!(
        p.b_messages(),
        vec![
            DataChannelMessage::Text("first".into()),
            DataChannelMessage::Binary(vec![1, 2, 3].into())
        ]
    );
    assert!(p.a_events.contains(&DataChannelEvent::Message {
        channel: ch,
        message: DataChannelMessage::Text("back".into())
    }));
}

#[test]
fn negotiated_channels_open_without_dcep() {
    let mut p = Pair::new(DataChannelConfig::default());
    let mut init = DataChannelInit::new("n");
    init.negotiated = true;
    init.id = Some(7);
    let ca = p.a.create_data_channel(init.clone()).unwrap();
    let cb = p.b.create_data_channel(init.clone()).unwrap();
    assert_eq!(
        p.a.create_data_channel(init.clone()),
        Err(DataChannelError::IdInUse(7))
    );
    init.id = Some(1024);
    let err = p.a.create_data_channel(init).unwrap_err();
    assert_eq!(
        err,
        DataChannelError::IdOutOfRange {
            id: 1024,
            limit: 1024
        }
    );
    assert_eq!(err.dom_name(), "OperationError");
    p.a.handle_association_established();
    p.b.handle_association_established();
    p.pump();
    assert!(p.sends.is_empty(), "no DCEP for negotiated channels");
    p.a.send(ca, DataChannelMessage::Text("x".into())).unwrap();
    p.pump();
    assert_eq!(
        p.b_events.last(),
        Some(&DataChannelEvent::Message {
            channel: cb,
            message: DataChannelMessage::Text("x".into())
        })
    );
}

#[test]
fn send_checks_state_size_and_buffer() {
    let config = DataChannelConfig {
        max_buffered_amount: 1000,
        ..DataChannelConfig::default()
    };
    let mut p = Pair::new(config);
    let ch = p.a.create_data_channel(DataChannelInit::new("s")).unwrap();
    let err =
        p.a.send(ch, DataChannelMessage::Text("early".into()))
            .unwrap_err();
    assert_eq!(
        (err.clone(), err.dom_name()),
        (DataChannelError::NotOpen, "InvalidStateError")
    );
    p.a.handle_association_established();
    p.b.handle_association_established();
    p.pump();
    p.a.set_remote_max_message_size(Some(100));
    let err =
        p.a.send(ch, DataChannelMessage::Binary(vec![0; 101].into()))
            .unwrap_err();
    assert_eq!(err.dom_name(), "TypeError");
    p.a.send(ch, DataChannelMessage::Binary(vec![0; 100].into()))
        .unwrap();
    p.a.set_remote_max_message_size(Some(0)); // 0: any size
    for _ in 0..8 {
        p.a.send(ch, DataChannelMessage::Binary(vec![0; 100].into()))
            .unwrap();
    }
    assert_eq!(p.a.channel(ch).unwrap().buffered_amount, 900);
    p.a.send(ch, DataChannelMessage::Binary(vec![0; 100].into()))
        .unwrap();
    let err =
        p.a.send(ch, DataChannelMessage::Binary(vec![0; 1].into()))
            .unwrap_err();
    assert_eq!(
        err,
        DataChannelError::BufferFull {
            buffered: 1000,
            limit: 1000
        }
    );
    assert_eq!(err.dom_name(), "OperationError");
    // The SCTP layer reports progress: the buffer drains and sends work again.
    p.a.handle_buffered_amount(0, 0);
    p.a.send(ch, DataChannelMessage::Binary(vec![0; 1].into()))
        .unwrap();
}

#[test]
fn a_huge_reported_buffered_amount_refuses_sends_without_overflow() {
    // Found by the `data_channels` fuzz target: `bufferedAmount` as the layer
    // below reports it plus the message size overflowed u64.
    let mut p = Pair::up(DataChannelConfig::default());
    let ch = p.a.create_data_channel(DataChannelInit::new("o")).unwrap();
    p.a.handle_buffered_amount(0, u64::MAX);
    let err =
        p.a.send(ch, DataChannelMessage::Binary(vec![0; 1].into()))
            .unwrap_err();
    assert!(matches!(err, DataChannelError::BufferFull { .. }));
    p.a.record_send(ch, 1);
    assert_eq!(p.a.channel(ch).unwrap().buffered_amount, u64::MAX);
}

#[test]
fn buffered_amount_low_fires_once_when_crossing_the_threshold() {
    let mut p = Pair::up(DataChannelConfig::default());
    let ch = p.a.create_data_channel(DataChannelInit::new("b")).unwrap();
    p.a.set_buffered_amount_low_threshold(ch, 500).unwrap();
    p.a.send(ch, DataChannelMessage::Binary(vec![0; 1200].into()))
        .unwrap();
    assert_eq!(p.a.channel(ch).unwrap().buffered_amount, 1200);
    p.a.handle_buffered_amount(0, 800);
    p.a.handle_buffered_amount(0, 400);
    p.a.handle_buffered_amount(0, 0);
    p.pump();
    let lows = p
        .a_events
        .iter()
        .filter(|e| **e == DataChannelEvent::BufferedAmountLow(ch))
        .count();
    assert_eq!(lows, 1);
}

#[test]
fn empty_and_large_messages_round_trip() {
    let config = DataChannelConfig {
        max_message_size: 256 * 1024,
        ..DataChannelConfig::default()
    };
    let mut p = Pair::up(config);
    p.a.set_remote_max_message_size(Some(256 * 1024));
    let ch = p.a.create_data_channel(DataChannelInit::new("e")).unwrap();
    let big: Vec<u8> = (0..256 * 1024).map(|i| (i % 251) as u8).collect();
    for m in [
        DataChannelMessage::Text(String::new()),
        DataChannelMessage::Binary(Vec::new().into()),
        DataChannelMessage::Binary(big.clone().into()),
        DataChannelMessage::Text("ü".repeat(1000)),
    ] {
        p.a.send(ch, m).unwrap();
    }
    p.pump();
    assert_eq!(
        p.b_messages(),
        vec![
            DataChannelMessage::Text(String::new()),
            DataChannelMessage::Binary(Vec::new().into()),
            DataChannelMessage::Binary(big.into()),
            DataChannelMessage::Text("ü".repeat(1000)),
        ]
    );
    // One byte over our limit is dropped and counted, not delivered.
    p.b.handle_message(0, 53, &vec![0; 256 * 1024 + 1]);
    assert_eq!(p.b.stats().dropped_oversized, 1);
}

#[test]
fn closing_resets_both_directions_and_frees_the_id() {
    let mut p = Pair::up(DataChannelConfig::default());
    let ch = p.a.create_data_channel(DataChannelInit::new("c")).unwrap();
    p.pump();
    let remote = announced(&p.b_events)[0];
    p.a.close(ch).unwrap();
    assert_eq!(p.a.channel(ch).unwrap().state, DataChannelState::Closing);
    p.pump();
    assert!(p.b_events.contains(&DataChannelEvent::Closing(remote)));
    assert!(p.b_events.contains(&DataChannelEvent::Close(remote)));
    assert!(p.a_events.contains(&DataChannelEvent::Close(ch)));
    assert!(p.a.channel(ch).is_none() && p.b.channel(remote).is_none());
    // The stream id is free again: the next channel reuses 0.
    let again = p.a.create_data_channel(DataChannelInit::new("c2")).unwrap();
    assert_eq!(p.a.channel(again).unwrap().id, Some(0));
    p.pump();
    assert_eq!(announced(&p.b_events).len(), 2);
    assert_eq!(
        p.a.send(ch, DataChannelMessage::Text("gone".into())),
        Err(DataChannelError::UnknownChannel)
    );
}

#[test]
fn the_association_going_away_closes_every_channel() {
    let mut p = Pair::up(DataChannelConfig::default());
    let c1 = p.a.create_data_channel(DataChannelInit::new("1")).unwrap();
    let c2 = p.a.create_data_channel(DataChannelInit::new("2")).unwrap();
    p.pump();
    p.a.handle_association_closed();
    p.pump();
    assert!(p.a_events.contains(&DataChannelEvent::Close(c1)));
    assert!(p.a_events.contains(&DataChannelEvent::Close(c2)));
    assert_eq!(p.a.channels().count(), 0);
    p.a.close_all();
    let err =
        p.a.create_data_channel(DataChannelInit::new("late"))
            .unwrap_err();
    assert_eq!(err.dom_name(), "InvalidStateError");
}

#[test]
fn hostile_dcep_and_stray_messages_are_dropped_and_counted() {
    let mut p = Pair::up(DataChannelConfig::default());
    // Malformed DCEP.
    p.b.handle_message(4, 50, &[0x03, 0x00]);
    p.b.handle_message(4, 50, &[0x09]);
    p.b.handle_message(4, 50, &[]);
    // An OPEN on a stream of the receiver's own parity (b is the DTLS server: odd).
    let open = DcepMessage::Open(DcepOpen {
        channel_type: ChannelType {
            ordered: true,
            reliability: Reliability::Reliable,
        },
        priority: 256,
        label: "x".into(),
        protocol: String::new(),
    })
    .to_bytes()
    .unwrap();
    p.b.handle_message(3, 50, &open);
    // A stray ACK.
    p.b.handle_message(6, 50, &[0x02]);
    assert_eq!(p.b.stats().dropped_dcep, 5);
    // A valid OPEN, then the same OPEN again on the same stream.
    p.b.handle_message(4, 50, &open);
    p.b.handle_message(4, 50, &open);
    assert_eq!(p.b.stats().dropped_dcep, 6);
    assert_eq!(p.b.channels().count(), 1);
    // Data on an unknown stream and with an unknown PPID.
    p.b.handle_message(8, 51, b"nobody");
    p.b.handle_message(4, 99, b"what");
    assert_eq!(p.b.stats().dropped_unknown_stream, 1);
    assert_eq!(p.b.stats().dropped_unknown_ppid, 1);
}

#[test]
fn channel_count_is_bounded_for_both_ends() {
    let config = DataChannelConfig {
        max_channels: 3,
        ..DataChannelConfig::default()
    };
    let mut p = Pair::up(config);
    for i in 0..3 {
        p.a.create_data_channel(DataChannelInit::new(format!("{i}")))
            .unwrap();
    }
    let err =
        p.a.create_data_channel(DataChannelInit::new("4"))
            .unwrap_err();
    assert_eq!(err, DataChannelError::TooManyChannels(3));
    p.pump();
    // The remote may not push more channels than the limit either.
    let open = DcepMessage::Open(DcepOpen {
        channel_type: ChannelType {
            ordered: true,
            reliability: Reliability::Reliable,
        },
        priority: 256,
        label: "flood".into(),
        protocol: String::new(),
    })
    .to_bytes()
    .unwrap();
    let mut flooded = DataChannels::new(DataChannelConfig {
        max_channels: 2,
        ..DataChannelConfig::default()
    });
    flooded.set_dtls_role(DtlsRole::Client);
    flooded.handle_association_established();
    for stream in (1..200).step_by(2) {
        flooded.handle_message(stream, 50, &open);
    }
    assert_eq!(flooded.channels().count(), 2);
    assert_eq!(flooded.stats().dropped_dcep, 98);
}

#[test]
fn remote_labels_and_protocols_are_held_up_to_a_budget() {
    let open = |label: usize, protocol: usize| {
        DcepMessage::Open(DcepOpen {
            channel_type: ChannelType {
                ordered: true,
                reliability: Reliability::Reliable,
            },
            priority: 256,
            label: "l".repeat(label),
            protocol: "p".repeat(protocol),
        })
        .to_bytes()
        .unwrap()
    };
    let mut a = DataChannels::new(DataChannelConfig {
        max_label_bytes: 100_000,
        ..DataChannelConfig::default()
    });
    a.set_dtls_role(DtlsRole::Client);
    a.handle_association_established();
    // 40,000 + 40,000 fit; a third of 30,000 would not; a small one does.
    a.handle_message(1, 50, &open(30_000, 10_000));
    a.handle_message(3, 50, &open(40_000, 0));
    a.handle_message(5, 50, &open(20_000, 10_000));
    assert_eq!(a.channels().count(), 2);
    assert_eq!(a.stats().dropped_dcep, 1);
    a.handle_message(7, 50, &open(19_000, 1_000));
    assert_eq!(a.channels().count(), 3);
    // A channel the remote closes gives its bytes back.
    a.handle_incoming_reset(&[3]);
    a.handle_outgoing_reset_done(&[3]);
    a.handle_message(9, 50, &open(30_000, 0));
    assert_eq!(a.channels().count(), 3, "{:?}", a.stats());
}

#[test]
fn stream_ids_run_out_with_an_error_event() {
    let config = DataChannelConfig {
        max_streams: 4,
        ..DataChannelConfig::default()
    };
    let mut a = DataChannels::new(config);
    let c1 = a.create_data_channel(DataChannelInit::new("1")).unwrap();
    let c2 = a.create_data_channel(DataChannelInit::new("2")).unwrap();
    let c3 = a.create_data_channel(DataChannelInit::new("3")).unwrap();
    a.set_dtls_role(DtlsRole::Client); // even ids below 4: 0 and 2
    assert_eq!(a.channel(c1).unwrap().id, Some(0));
    assert_eq!(a.channel(c2).unwrap().id, Some(2));
    assert!(a.channel(c3).is_none());
    let mut events = vec![];
    while let Output::Event(e) = a.poll_output() {
        events.push(e);
    }
    assert_eq!(
        events,
        vec![
            DataChannelEvent::Error {
                channel: c3,
                error: DataChannelError::NoFreeId
            },
            DataChannelEvent::Close(c3),
        ]
    );
    assert_eq!(
        a.create_data_channel(DataChannelInit::new("4")),
        Err(DataChannelError::NoFreeId)
    );
}
