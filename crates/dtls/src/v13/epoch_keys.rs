//! The record layer of a DTLS 1.3 connection: which epochs we write and
//! read, their keys, sequence numbers and replay windows (RFC 9147 §4,
//! §6.1). Epoch 0 is DTLSPlaintext; epochs 2 (handshake) and 3
//! (application) are protected, with record number encryption.

use super::ack::RecordNumber;
use super::cipher_suite::Tls13CipherSuite;
use super::error::Dtls13Error;
use super::hkdf::{LabelPrefix, Secret};
use super::record_header::{CiphertextRecord, PlaintextRecord};
use super::record_number::MAX_SEQUENCE_NUMBER;
use super::record_protection::{HeaderForm, RecordProtection};
use super::traffic_keys::TrafficKeys;
use crate::replay::ReplayWindow;

/// The handshake epoch (RFC 9147 §6.1).
pub(crate) const HANDSHAKE_EPOCH: u64 = 2;
/// The first application data epoch.
pub(crate) const APPLICATION_EPOCH: u64 = 3;
/// Bytes a protected record adds around its content: the unified header
/// with a 16-bit sequence number and a length (5), the inner content type
/// (1) and the AEAD tag (16).
pub(crate) const PROTECTED_RECORD_OVERHEAD: usize = 5 + 1 + Tls13CipherSuite::TAG_LEN;
/// Bytes a DTLSPlaintext header adds.
pub(crate) const PLAINTEXT_RECORD_OVERHEAD: usize = 13;

/// One epoch we write: its keys (none in epoch 0) and the next sequence
/// number.
struct WriteEpoch {
    /// The epoch.
    epoch: u64,
    /// Its keys; `None` in epoch 0 (DTLSPlaintext).
    protection: Option<RecordProtection>,
    /// The sequence number of the next record.
    next_sequence_number: u64,
}

/// One epoch we read: its keys, the highest sequence number seen plus one,
/// and which recent ones were seen.
struct ReadEpoch {
    /// The epoch.
    epoch: u64,
    /// Its keys.
    protection: RecordProtection,
    /// The highest sequence number opened plus one (for reconstruction).
    next_expected: u64,
    /// Which recent sequence numbers were opened.
    replay: ReplayWindow,
}

/// A record that opened: its number, content type and content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReceivedRecord {
    /// The record number (epoch and full sequence number).
    pub(crate) number: RecordNumber,
    /// The inner content type.
    pub(crate) content_type: u8,
    /// The content.
    pub(crate) content: Vec<u8>,
}

/// What happened to a protected record we tried to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OpenOutcome {
    /// It authenticated and is new.
    Opened(ReceivedRecord),
    /// We have no keys for its epoch (yet): the caller may buffer it.
    NoKeys,
    /// A replay, or a record that does not authenticate: drop it.
    Dropped,
}

/// The write and read epochs of one connection.
pub(crate) struct EpochKeys {
    /// The epochs we write (0, then 2 and 3).
    write: Vec<WriteEpoch>,
    /// The protected epochs we read (2, 3).
    read: Vec<ReadEpoch>,
}

impl Default for EpochKeys {
    /// Epoch 0 for writing, nothing protected for reading.
    fn default() -> Self {
        Self {
            write: vec![WriteEpoch {
                epoch: 0,
                protection: None,
                next_sequence_number: 0,
            }],
            read: Vec::new(),
        }
    }
}

fn protection(
    suite: Tls13CipherSuite,
    epoch: u64,
    secret: &Secret,
) -> Result<RecordProtection, Dtls13Error> {
    let keys = TrafficKeys::derive(suite, LabelPrefix::Dtls13, secret)?;
    RecordProtection::new(suite, epoch, &keys)
}

impl EpochKeys {
    /// Continues epoch 0 at `sequence_number` (a connection that takes
    /// over from DTLS 1.2 code which already sent epoch-0 records).
    pub(crate) fn continue_epoch0_from(&mut self, sequence_number: u64) {
        if let Some(w) = self.write.iter_mut().find(|w| w.epoch == 0) {
            w.next_sequence_number = w.next_sequence_number.max(sequence_number);
        }
    }

    /// Adds the keys we write `epoch` with.
    pub(crate) fn install_write(
        &mut self,
        suite: Tls13CipherSuite,
        epoch: u64,
        secret: &Secret,
    ) -> Result<(), Dtls13Error> {
        let protection = Some(protection(suite, epoch, secret)?);
        self.write.retain(|w| w.epoch != epoch);
        self.write.push(WriteEpoch {
            epoch,
            protection,
            next_sequence_number: 0,
        });
        Ok(())
    }

    /// Adds the keys we read `epoch` with.
    pub(crate) fn install_read(
        &mut self,
        suite: Tls13CipherSuite,
        epoch: u64,
        secret: &Secret,
    ) -> Result<(), Dtls13Error> {
        let protection = protection(suite, epoch, secret)?;
        self.read.retain(|r| r.epoch != epoch);
        self.read.push(ReadEpoch {
            epoch,
            protection,
            next_expected: 0,
            replay: ReplayWindow::default(),
        });
        Ok(())
    }

    /// Whether we can read `epoch`.
    pub(crate) fn can_read(&self, epoch: u64) -> bool {
        self.read.iter().any(|r| r.epoch == epoch)
    }

    /// The highest epoch we write.
    pub(crate) fn current_write_epoch(&self) -> u64 {
        self.write.iter().map(|w| w.epoch).max().unwrap_or(0)
    }

    /// Appends one record of `content` in `epoch` to `out`; returns its
    /// record number.
    pub(crate) fn seal(
        &mut self,
        epoch: u64,
        content_type: u8,
        content: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<RecordNumber, Dtls13Error> {
        let state = self
            .write
            .iter_mut()
            .find(|w| w.epoch == epoch)
            .ok_or(Dtls13Error::Crypto("no keys for the epoch"))?;
        let sequence_number = state.next_sequence_number;
        if sequence_number > MAX_SEQUENCE_NUMBER {
            return Err(Dtls13Error::Exhausted);
        }
        match &state.protection {
            None => PlaintextRecord::encode(content_type, sequence_number, content, out)?,
            Some(p) => p.seal_record(
                sequence_number,
                HeaderForm::default(),
                content_type,
                content,
                0,
                out,
            )?,
        }
        state.next_sequence_number += 1;
        Ok(RecordNumber {
            epoch,
            sequence_number,
        })
    }

    /// Opens a protected record with the keys its two epoch bits name.
    pub(crate) fn open(&mut self, record: &CiphertextRecord<'_>) -> OpenOutcome {
        let low_bits = u64::from(record.header.epoch_low_bits);
        let Some(state) = self.read.iter_mut().find(|r| r.epoch & 3 == low_bits) else {
            return OpenOutcome::NoKeys;
        };
        let Ok(opened) = state.protection.open_record(record, state.next_expected) else {
            return OpenOutcome::Dropped;
        };
        if !state.replay.is_fresh(opened.sequence_number) {
            return OpenOutcome::Dropped;
        }
        state.replay.accept(opened.sequence_number);
        state.next_expected = state.next_expected.max(opened.sequence_number + 1);
        OpenOutcome::Opened(ReceivedRecord {
            number: RecordNumber {
                epoch: state.epoch,
                sequence_number: opened.sequence_number,
            },
            content_type: opened.content_type,
            content: opened.content,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v13::record_header::{split_datagram, Record, CONTENT_TYPE_HANDSHAKE};

    #[test]
    fn sealed_records_open_once_and_only_with_keys() {
        let suite = Tls13CipherSuite::Aes128GcmSha256;
        let secret = Secret::new(vec![9; 32]);
        let mut writer = EpochKeys::default();
        writer.install_write(suite, 2, &secret).unwrap();
        let mut datagram = Vec::new();
        let n0 = writer
            .seal(2, CONTENT_TYPE_HANDSHAKE, b"one", &mut datagram)
            .unwrap();
        let n1 = writer
            .seal(2, CONTENT_TYPE_HANDSHAKE, b"two", &mut datagram)
            .unwrap();
        assert_eq!((n0.sequence_number, n1.sequence_number), (0, 1));
        let mut reader = EpochKeys::default();
        let (records, error) = split_datagram(&datagram);
        assert_eq!(error, None);
        let Record::Ciphertext(first) = records[0] else {
            panic!("plaintext")
        };
        assert_eq!(reader.open(&first), OpenOutcome::NoKeys);
        reader.install_read(suite, 2, &secret).unwrap();
        let OpenOutcome::Opened(opened) = reader.open(&first) else {
            panic!("did not open")
        };
        assert_eq!((opened.number, opened.content), (n0, b"one".to_vec()));
        assert_eq!(reader.open(&first), OpenOutcome::Dropped, "replay");
        let mut wrong = EpochKeys::default();
        wrong
            .install_read(suite, 2, &Secret::new(vec![8; 32]))
            .unwrap();
        assert_eq!(wrong.open(&first), OpenOutcome::Dropped);
    }
}
