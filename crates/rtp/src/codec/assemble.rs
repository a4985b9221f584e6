//! The reassembly engine every depayloader shares: sequence numbers,
//! timestamps, markers, size limit and statistics. The codec part
//! ([`Assemble`]) only parses payloads and writes the frame's bytes.

use super::{CodecError, DepayConfig, DepayStats, Frame, FrameInfo, Packet};

/// A packet this far behind the expected sequence number (or less) is a
/// duplicate or a late one and is ignored; further behind, the stream
/// restarted and the packet is taken.
const LATE_WINDOW: i16 = 1000;

/// Whether a packet is the first of its frame, as its payload header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// It is not (a VP8 S=0 packet, an FU-A continuation, AV1 Z=1).
    No,
    /// It is when the packet before it (by sequence number) was received
    /// and belonged to another frame: the codec has no definite signal
    /// (an H.264 slice that is not the picture's first).
    Maybe,
    /// It is (VP8 S=1 PID=0, an H.264 access unit delimiter or SPS, AV1
    /// N=1, an Opus packet).
    Yes,
}

/// The codec-specific half of a depayloader.
pub(crate) trait Assemble {
    /// Parses the payload header: whether this packet begins a frame.
    fn begins_frame(&self, payload: &[u8]) -> Result<Start, CodecError>;

    /// Whether this packet ends its frame.
    fn ends_frame(&self, marker: bool) -> bool {
        marker
    }

    /// Forgets the previous frame's state; a new frame starts.
    fn start(&mut self);

    /// Appends the media of `payload` to `data` (`first`: the frame's
    /// first packet).
    fn append(&mut self, payload: &[u8], first: bool, data: &mut Vec<u8>)
        -> Result<(), CodecError>;

    /// The frame is complete: checks nothing is left unfinished, may
    /// rewrite `data`, and says whether it is a keyframe.
    fn finish(&mut self, data: &mut Vec<u8>) -> Result<(bool, FrameInfo), CodecError>;
}

#[derive(Debug, Clone, Copy)]
struct Current {
    timestamp: u32,
    first_sequence: u16,
    last_sequence: u16,
}

/// Sequence/timestamp/marker bookkeeping around an [`Assemble`].
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Assembler<C> {
    codec: C,
    max_frame_size: usize,
    stats: DepayStats,
    next_sequence: Option<u16>,
    current: Option<Current>,
    data: Vec<u8>,
    /// The timestamp of a frame already counted as dropped, so its other
    /// packets do not count it again.
    discarded: Option<u32>,
}

impl<C: Assemble> Assembler<C> {
    pub(crate) fn new(codec: C, config: DepayConfig) -> Self {
        Assembler {
            codec,
            max_frame_size: config.max_frame_size,
            stats: DepayStats::default(),
            next_sequence: None,
            current: None,
            data: Vec::new(),
            discarded: None,
        }
    }

    pub(crate) fn codec_mut(&mut self) -> &mut C {
        &mut self.codec
    }

    pub(crate) fn stats(&self) -> DepayStats {
        self.stats
    }

    pub(crate) fn reset(&mut self) {
        self.current = None;
        self.data = Vec::new();
        self.next_sequence = None;
        self.discarded = None;
    }

    pub(crate) fn push(&mut self, p: Packet<'_>, out: &mut Vec<Frame>) -> Result<(), CodecError> {
        // The packet before this one was received (none lost in between).
        let contiguous = self.next_sequence == Some(p.sequence_number);
        if let Some(next) = self.next_sequence {
            let delta = p.sequence_number.wrapping_sub(next) as i16;
            if (-LATE_WINDOW..0).contains(&delta) {
                self.stats.late_packets += 1;
                return Ok(());
            }
            if delta != 0 {
                if delta > 0 {
                    self.stats.lost_packets += delta as u64;
                }
                self.abandon();
            }
        }
        self.next_sequence = Some(p.sequence_number.wrapping_add(1));

        let start = match self.codec.begins_frame(p.payload) {
            Ok(s) => s,
            Err(e) => {
                self.stats.malformed_packets += 1;
                self.lose(p.timestamp);
                return Err(e);
            }
        };

        if let Some(cur) = self.current {
            if cur.timestamp != p.timestamp {
                // The frame ended without its marker: complete if this
                // packet (the next in sequence) starts a frame.
                if start != Start::No {
                    self.complete(out);
                } else {
                    self.abandon();
                }
            }
        }

        let first = self.current.is_none();
        if first {
            let begins = match start {
                Start::Yes => true,
                Start::Maybe => contiguous,
                Start::No => false,
            };
            if !begins || self.discarded == Some(p.timestamp) {
                // Its first packet is missing (or may be), or the frame
                // was dropped already.
                self.lose(p.timestamp);
                return Ok(());
            }
            self.current = Some(Current {
                timestamp: p.timestamp,
                first_sequence: p.sequence_number,
                last_sequence: p.sequence_number,
            });
            self.data.clear();
            self.discarded = None;
            self.codec.start();
        }

        if let Err(e) = self.codec.append(p.payload, first, &mut self.data) {
            self.stats.malformed_packets += 1;
            self.lose(p.timestamp);
            return Err(e);
        }
        if let Some(cur) = &mut self.current {
            cur.last_sequence = p.sequence_number;
        }
        if self.data.len() > self.max_frame_size {
            return Err(self.oversized(p.timestamp));
        }
        if self.codec.ends_frame(p.marker) {
            if let Some(size) = self.complete(out) {
                return Err(CodecError::FrameTooLarge {
                    size,
                    max: self.max_frame_size,
                });
            }
        }
        Ok(())
    }

    /// Drops the frame being assembled (if any), counting it.
    fn abandon(&mut self) {
        if let Some(cur) = self.current.take() {
            self.stats.dropped_frames += 1;
            self.discarded = Some(cur.timestamp);
            self.data.clear();
        }
    }

    /// The frame with `timestamp` is lost: drops it (and a different one
    /// being assembled), counting each once.
    fn lose(&mut self, timestamp: u32) {
        self.abandon();
        if self.discarded != Some(timestamp) {
            self.stats.dropped_frames += 1;
            self.discarded = Some(timestamp);
        }
    }

    fn oversized(&mut self, timestamp: u32) -> CodecError {
        let size = self.data.len();
        self.stats.oversized_frames += 1;
        self.lose(timestamp);
        // Give the memory back: a hostile peer should not pin the maximum.
        self.data = Vec::new();
        CodecError::FrameTooLarge {
            size,
            max: self.max_frame_size,
        }
    }

    /// Finishes the frame being assembled and emits it. Returns the size
    /// when it came out too large (and was dropped).
    fn complete(&mut self, out: &mut Vec<Frame>) -> Option<usize> {
        let cur = self.current.take()?;
        match self.codec.finish(&mut self.data) {
            Ok(_) if self.data.len() > self.max_frame_size => {
                self.current = Some(cur);
                let size = self.data.len();
                self.oversized(cur.timestamp);
                return Some(size);
            }
            // Nothing for the decoder (an AV1 temporal unit of dropped OBUs).
            Ok(_) if self.data.is_empty() => {}
            Ok((keyframe, info)) => {
                self.stats.frames += 1;
                out.push(Frame {
                    data: std::mem::take(&mut self.data),
                    timestamp: cur.timestamp,
                    keyframe,
                    first_sequence: cur.first_sequence,
                    last_sequence: cur.last_sequence,
                    info,
                });
            }
            Err(_) => {
                self.stats.dropped_frames += 1;
                self.discarded = Some(cur.timestamp);
            }
        }
        self.data.clear();
        None
    }
}
