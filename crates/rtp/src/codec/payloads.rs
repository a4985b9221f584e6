//! [`Payloads`]: the payloads of one frame in one flat buffer;
//! [`PayloadLayout`]: the same as headers and ranges of the frame, for
//! payloaders that only prefix pieces of the frame (written straight into
//! the packets, the frame not copied first).

use std::ops::Range;

use super::CodecError;

/// The RTP payloads of one frame: a flat byte buffer and the end offset of
/// each payload. Reuse one across frames: [`Payloader::payload`] clears it
/// and refills it without freeing the memory.
///
/// [`Payloader::payload`]: super::Payloader::payload
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Payloads {
    buf: Vec<u8>,
    ends: Vec<usize>,
}

impl Payloads {
    /// No payloads.
    pub fn new() -> Self {
        Payloads::default()
    }

    /// Removes every payload, keeping the memory.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
    }

    /// Number of payloads.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there is no payload.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes of all payloads together.
    pub fn total_len(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    /// Payload `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.range(i).map(|r| &self.buf[r])
    }

    /// The payloads in order; the last one ends the frame.
    pub fn iter(&self) -> PayloadsIter<'_> {
        PayloadsIter {
            payloads: self,
            next: 0,
        }
    }

    /// The payloads as separate vectors (for tests and simple senders).
    pub fn to_vecs(&self) -> Vec<Vec<u8>> {
        self.iter().map(<[u8]>::to_vec).collect()
    }

    fn range(&self, i: usize) -> Option<Range<usize>> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(start..end)
    }

    /// Clears `self` and lets `fill` write a frame's payloads; when it
    /// fails, `self` is left empty (the [`Payloader::payload`] contract).
    ///
    /// [`Payloader::payload`]: super::Payloader::payload
    pub(crate) fn refill(
        &mut self,
        fill: impl FnOnce(&mut Payloads) -> Result<(), CodecError>,
    ) -> Result<(), CodecError> {
        self.clear();
        let r = fill(self);
        if r.is_err() {
            self.clear();
        }
        r
    }

    /// The buffer the payload being written is appended to.
    pub(crate) fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Ends the payload being written.
    pub(crate) fn finish(&mut self) {
        self.ends.push(self.buf.len());
    }
}

impl<'a> IntoIterator for &'a Payloads {
    type Item = &'a [u8];
    type IntoIter = PayloadsIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Iterator over [`Payloads`].
#[derive(Debug, Clone)]
pub struct PayloadsIter<'a> {
    payloads: &'a Payloads,
    next: usize,
}

impl<'a> Iterator for PayloadsIter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let p = self.payloads.get(self.next)?;
        self.next += 1;
        Some(p)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.payloads.len() - self.next;
        (n, Some(n))
    }
}

impl ExactSizeIterator for PayloadsIter<'_> {}

/// The longest payload header a [`PayloadLayout`] holds (VP8's descriptor
/// with a 15-bit PictureID).
pub const MAX_PAYLOAD_HEADER: usize = 4;

/// One payload of a [`PayloadLayout`]: the payload header, then
/// `frame[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayloadPart {
    header: [u8; MAX_PAYLOAD_HEADER],
    header_len: u8,
    /// Where the frame's bytes of this payload start.
    pub start: usize,
    /// Where they end (exclusive).
    pub end: usize,
}

impl PayloadPart {
    /// The payload header written before the frame's bytes (may be empty).
    pub fn header(&self) -> &[u8] {
        &self.header[..usize::from(self.header_len)]
    }

    /// The frame's bytes of this payload.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// The payload's length: header and frame bytes.
    pub fn len(&self) -> usize {
        usize::from(self.header_len) + self.end - self.start
    }

    /// Whether the payload is empty (never, for a payloader's output).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The RTP payloads of one frame as [`PayloadPart`]s (header bytes and a
/// range of the frame), from [`Payloader::layout`]: a sender writes each
/// header and frame range straight into its packet. Reuse one across
/// frames.
///
/// [`Payloader::layout`]: super::Payloader::layout
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayloadLayout {
    parts: Vec<PayloadPart>,
}

impl PayloadLayout {
    /// No payloads.
    pub fn new() -> Self {
        PayloadLayout::default()
    }

    /// Removes every payload, keeping the memory.
    pub fn clear(&mut self) {
        self.parts.clear();
    }

    /// Number of payloads.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Whether there is no payload.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The payloads in order; the last one ends the frame.
    pub fn parts(&self) -> &[PayloadPart] {
        &self.parts
    }

    /// Payload `i` of `frame` (the frame the layout was made for) as one
    /// vector (for tests and simple senders).
    pub fn to_vec(&self, frame: &[u8], i: usize) -> Option<Vec<u8>> {
        let part = self.parts.get(i)?;
        let mut v = Vec::with_capacity(part.len());
        v.extend_from_slice(part.header());
        v.extend_from_slice(frame.get(part.range())?);
        Some(v)
    }

    /// Appends a payload: `header` (at most [`MAX_PAYLOAD_HEADER`] bytes),
    /// then `frame[range]`.
    pub(crate) fn push(&mut self, header: &[u8], range: Range<usize>) {
        let mut h = [0; MAX_PAYLOAD_HEADER];
        h[..header.len()].copy_from_slice(header);
        self.parts.push(PayloadPart {
            header: h,
            header_len: header.len() as u8,
            start: range.start,
            end: range.end,
        });
    }
}
