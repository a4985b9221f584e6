//! The sending side of the record layer: epochs, sequence numbers,
//! protection, and packing flights into datagrams under the MTU.

use crate::aead::RecordCipher;
use crate::error::DtlsError;
use crate::handshake::{self, HandshakeType};
use crate::record::{ContentType, RecordHeader, DTLS12, HEADER_LEN, MAX_SEQ};

/// One message of a flight, kept for retransmission.
#[derive(Debug, Clone)]
pub(crate) enum FlightItem {
    Handshake {
        msg_type: HandshakeType,
        seq: u16,
        body: Vec<u8>,
        epoch: u16,
    },
    ChangeCipherSpec,
}

/// Our write epochs and their sequence numbers.
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct RecordWriter {
    next_seq: [u64; 2],
    cipher: Option<RecordCipher>,
}

impl RecordWriter {
    pub(crate) fn set_cipher(&mut self, cipher: RecordCipher) {
        self.cipher = Some(cipher);
    }

    /// Makes the next epoch-0 sequence number at least `seq` (the server
    /// continues from the ClientHello's, past its stateless
    /// HelloVerifyRequest, RFC 6347 §4.2.1).
    pub(crate) fn continue_epoch0_from(&mut self, seq: u64) {
        self.next_seq[0] = self.next_seq[0].max(seq);
    }

    /// The next epoch-0 sequence number (a DTLS 1.3 machine taking over
    /// the connection continues from it).
    pub(crate) fn next_epoch0_seq(&self) -> u64 {
        self.next_seq[0]
    }

    pub(crate) fn has_cipher(&self) -> bool {
        self.cipher.is_some()
    }

    /// Bytes a record of `epoch` adds around its plaintext.
    pub(crate) fn overhead(&self, epoch: u16) -> usize {
        HEADER_LEN
            + match (&self.cipher, epoch) {
                (Some(c), 1) => c.overhead(),
                _ => 0,
            }
    }

    /// Appends one record to `out`.
    pub(crate) fn record(
        &mut self,
        content_type: ContentType,
        epoch: u16,
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), DtlsError> {
        let h = self.next_header(content_type, epoch)?;
        self.record_with(h, plaintext, out)
    }

    /// Bytes before the plaintext of a protected record: see
    /// [`Self::record_in_place`]. `None` before the cipher is set.
    pub(crate) fn protected_headroom(&self) -> Option<usize> {
        self.cipher.as_ref().map(RecordCipher::headroom)
    }

    /// One protected (epoch 1) record of the plaintext already in
    /// `buffer` after [`Self::protected_headroom`] bytes of room: the
    /// buffer is sealed where it lies and becomes the record.
    pub(crate) fn record_in_place(
        &mut self,
        content_type: ContentType,
        buffer: &mut Vec<u8>,
    ) -> Result<(), DtlsError> {
        let c = self.cipher.as_ref().ok_or(DtlsError::NotConnected)?;
        if buffer.len() < c.headroom() {
            return Err(DtlsError::Decode(
                "record buffer without room for its header",
            ));
        }
        let h = self.next_header(content_type, 1)?;
        match &self.cipher {
            Some(c) => c.seal_record_at(&h, buffer, 0),
            None => Err(DtlsError::NotConnected),
        }
    }

    /// The header of the next record of `epoch`, its sequence number taken.
    fn next_header(
        &mut self,
        content_type: ContentType,
        epoch: u16,
    ) -> Result<RecordHeader, DtlsError> {
        let seq = self.next_seq[usize::from(epoch.min(1))];
        if seq > MAX_SEQ {
            return Err(DtlsError::TooLarge("record sequence number"));
        }
        self.next_seq[usize::from(epoch.min(1))] += 1;
        Ok(RecordHeader {
            content_type,
            version: DTLS12,
            epoch,
            seq,
        })
    }

    /// Appends a record with a given header (the HelloVerifyRequest reuses
    /// the ClientHello's sequence number, RFC 6347 §4.2.1).
    pub(crate) fn record_with(
        &self,
        h: RecordHeader,
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), DtlsError> {
        if h.epoch == 1 {
            let c = self.cipher.as_ref().ok_or(DtlsError::NotConnected)?;
            out.reserve(HEADER_LEN + plaintext.len() + c.overhead());
            // Room for the header and explicit nonce, then the plaintext
            // copied once and sealed where it lies behind them.
            let at = out.len();
            out.resize(at + c.headroom(), 0);
            out.extend_from_slice(plaintext);
            c.seal_record_at(&h, out, at)?;
        } else {
            out.reserve(HEADER_LEN + plaintext.len());
            h.encode(plaintext.len(), out);
            out.extend_from_slice(plaintext);
        }
        Ok(())
    }

    /// Serialises a flight into datagrams no larger than `mtu`, fragmenting
    /// handshake messages as needed, with fresh sequence numbers.
    pub(crate) fn pack_flight(
        &mut self,
        items: &[FlightItem],
        mtu: usize,
    ) -> Result<Vec<Vec<u8>>, DtlsError> {
        let mut datagrams = Vec::new();
        let mut cur = Vec::new();
        for item in items {
            match item {
                FlightItem::ChangeCipherSpec => {
                    if cur.len() + HEADER_LEN + 1 > mtu {
                        datagrams.push(std::mem::take(&mut cur));
                    }
                    self.record(ContentType::ChangeCipherSpec, 0, &[1], &mut cur)?;
                }
                FlightItem::Handshake {
                    msg_type,
                    seq,
                    body,
                    epoch,
                } => {
                    let overhead = self.overhead(*epoch) + handshake::HEADER_LEN;
                    let mut offset = 0;
                    loop {
                        let remaining = body.len() - offset;
                        let space = mtu.saturating_sub(cur.len() + overhead);
                        // Start a new datagram rather than send a sliver.
                        if !cur.is_empty()
                            && (cur.len() + overhead > mtu || space < remaining.min(64))
                        {
                            datagrams.push(std::mem::take(&mut cur));
                            continue;
                        }
                        let take = remaining.min(space.max(1));
                        let mut frag = Vec::with_capacity(handshake::HEADER_LEN + take);
                        handshake::encode_fragment(
                            &mut frag,
                            *msg_type as u8,
                            body.len(),
                            *seq,
                            offset,
                            &body[offset..offset + take],
                        );
                        self.record(ContentType::Handshake, *epoch, &frag, &mut cur)?;
                        offset += take;
                        if offset >= body.len() {
                            break;
                        }
                    }
                }
            }
        }
        if !cur.is_empty() {
            datagrams.push(cur);
        }
        Ok(datagrams)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handshake::parse_fragments;
    use crate::record::split_records;
    use crate::suite::Bulk;

    #[test]
    fn flights_are_packed_under_the_mtu_and_fragmented() {
        let mut w = RecordWriter::default();
        w.set_cipher(RecordCipher::new(Bulk::Aes128Gcm, &[1; 16], &[2; 4]).unwrap());
        let items = vec![
            FlightItem::Handshake {
                msg_type: HandshakeType::Certificate,
                seq: 1,
                body: vec![7; 3000],
                epoch: 0,
            },
            FlightItem::Handshake {
                msg_type: HandshakeType::ServerHelloDone,
                seq: 2,
                body: vec![],
                epoch: 0,
            },
            FlightItem::ChangeCipherSpec,
            FlightItem::Handshake {
                msg_type: HandshakeType::Finished,
                seq: 3,
                body: vec![9; 12],
                epoch: 1,
            },
        ];
        let dgrams = w.pack_flight(&items, 1200).unwrap();
        assert!(dgrams.len() >= 3);
        let mut got = 0;
        let mut seqs = Vec::new();
        for d in &dgrams {
            assert!(d.len() <= 1200, "{}", d.len());
            let (recs, err) = split_records(d);
            assert!(err.is_none());
            for (h, p) in recs {
                seqs.push((h.epoch, h.seq));
                if h.content_type == ContentType::Handshake && h.epoch == 0 {
                    for f in parse_fragments(p).unwrap() {
                        if f.message_seq == 1 {
                            got += f.body.len();
                        }
                    }
                }
            }
        }
        assert_eq!(got, 3000);
        assert_eq!(seqs.last(), Some(&(1, 0)));
        // Retransmission uses new sequence numbers.
        let again = w.pack_flight(&items, 1200).unwrap();
        let (recs, _) = split_records(&again[0]);
        assert!(recs[0].0.seq > 0);
        // A small MTU still works.
        for d in w.pack_flight(&items, 256).unwrap() {
            assert!(d.len() <= 256);
        }
    }

    #[test]
    fn protected_records_are_sealed_behind_their_header_in_one_buffer() {
        let cipher = || RecordCipher::new(Bulk::Aes128Gcm, &[1; 16], &[2; 4]).unwrap();
        let mut w = RecordWriter::default();
        w.set_cipher(cipher());
        // Appended after what the buffer already holds, for every size up
        // to the largest plaintext, and the empty one.
        let mut out = b"prefix".to_vec();
        for len in [0usize, 1, 15, 16, 17, 1132, 1 << 14] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let start = out.len();
            w.record(ContentType::ApplicationData, 1, &data, &mut out)
                .unwrap();
            assert_eq!(out.len() - start, w.overhead(1) + len);
            let (recs, err) = split_records(&out[start..]);
            assert!(err.is_none());
            let [(h, payload)] = recs[..] else {
                panic!("one record")
            };
            assert_eq!(payload.len(), len + w.overhead(1) - HEADER_LEN);
            assert_eq!(cipher().open(&h, payload).unwrap(), data);
        }
        assert_eq!(&out[..6], b"prefix");
        // Epoch 1 without keys is refused and leaves nothing behind.
        let mut plain = RecordWriter::default();
        let mut out = Vec::new();
        assert_eq!(
            plain.record(ContentType::ApplicationData, 1, b"x", &mut out),
            Err(DtlsError::NotConnected)
        );
        assert!(out.is_empty());
    }
}
