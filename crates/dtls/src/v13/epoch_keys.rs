//! The record layer of a DTLS 1.3 connection: which epochs we write and
//! read, their keys, sequence numbers and replay windows (RFC 9147 §4,
//! §6.1). Epoch 0 is DTLSPlaintext; epochs 2 (handshake) and 3
//! (application) are protected, with record number encryption. After
//! key updates (RFC 9147 §8) epochs 4, 5, … follow; a record's epoch is
//! reconstructed from its two low bits (§4.2.2). Each key counts what it
//! sealed and what failed to open against its AEAD limits (§4.5.3).

use super::ack::RecordNumber;
use super::aead_limits::AeadLimits;
use super::cipher_suite::Tls13CipherSuite;
use super::error::Dtls13Error;
use super::hkdf::{LabelPrefix, Secret};
use super::record_header::{CiphertextRecord, PlaintextRecord};
use super::record_number::{reconstruct_epoch, MAX_SEQUENCE_NUMBER};
use super::record_protection::{HeaderForm, RecordProtection, Sealed};
use super::traffic_keys::TrafficKeys;
use crate::replay::ReplayWindow;

/// The handshake epoch (RFC 9147 §6.1).
pub(crate) const HANDSHAKE_EPOCH: u64 = 2;
/// The first application data epoch.
pub(crate) const APPLICATION_EPOCH: u64 = 3;
/// Bytes a protected record adds around its content: the unified header
/// with a 16-bit sequence number and a length (5), the inner content type
/// (1) and the AEAD tag (16).
pub(crate) const PROTECTED_RECORD_OVERHEAD: usize =
    PROTECTED_RECORD_HEADER_LEN + 1 + Tls13CipherSuite::TAG_LEN;

/// The header of a protected record we send (the default [`HeaderForm`]:
/// 16-bit sequence number and length, no connection ID).
pub(crate) const PROTECTED_RECORD_HEADER_LEN: usize = 5;

/// The cipher block a protected record's inner plaintext is padded to a
/// whole number of (AES's; ChaCha20-Poly1305 gains nothing and loses
/// nothing by it): ring seals and opens a record of whole blocks faster
/// than one that ends in a partial block.
pub(crate) const PADDING_BLOCK: usize = 16;

/// The zero padding that makes a protected record of `content_len` bytes
/// whole [`PADDING_BLOCK`]s, if the record still fits `mtu`; else none.
pub(crate) fn block_padding(content_len: usize, mtu: usize) -> usize {
    let inner = content_len + 1;
    let padding = (PADDING_BLOCK - inner % PADDING_BLOCK) % PADDING_BLOCK;
    if content_len + padding + PROTECTED_RECORD_OVERHEAD <= mtu {
        padding
    } else {
        0
    }
}
/// Bytes a DTLSPlaintext header adds.
pub(crate) const PLAINTEXT_RECORD_OVERHEAD: usize = 13;

/// One epoch we write: its keys (none in epoch 0) and the next sequence
/// number.
#[cfg_attr(feature = "snapshot", derive(Clone))]
struct WriteEpoch {
    /// The epoch.
    epoch: u64,
    /// Its keys; `None` in epoch 0 (DTLSPlaintext).
    protection: Option<Box<RecordProtection>>,
    /// The sequence number of the next record (also the count of records
    /// sealed under its key).
    next_sequence_number: u64,
    /// The suite and traffic secret (protected epochs), for key updates.
    secret: Option<(Tls13CipherSuite, Secret)>,
    /// Records this key may seal (RFC 9147 §4.5.3).
    confidentiality_limit: u64,
}

/// One epoch we read: its keys, the highest sequence number seen plus one,
/// and which recent ones were seen.
#[cfg_attr(feature = "snapshot", derive(Clone))]
struct ReadEpoch {
    /// The epoch.
    epoch: u64,
    /// Its keys.
    protection: RecordProtection,
    /// The highest sequence number opened plus one (for reconstruction).
    next_expected: u64,
    /// Which recent sequence numbers were opened.
    replay: ReplayWindow,
    /// The suite and traffic secret, for key updates.
    secret: (Tls13CipherSuite, Secret),
    /// Records that failed to open under this key.
    failed: u64,
    /// Failures tolerated under this key (RFC 9147 §4.5.3).
    integrity_limit: u64,
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
    /// A record that does not authenticate: drop it.
    Forged,
    /// A replay: drop it.
    Replayed,
}

/// The write and read epochs of one connection.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct EpochKeys {
    /// The epochs we write (0, then 2 and 3).
    write: Vec<WriteEpoch>,
    /// The protected epochs we read (2, 3, then at most the current and
    /// the previous application epoch).
    read: Vec<ReadEpoch>,
    /// Limits replacing the suite's (tests use tiny ones).
    limits_override: Option<AeadLimits>,
}

impl Default for EpochKeys {
    /// Epoch 0 for writing, nothing protected for reading.
    fn default() -> Self {
        Self {
            write: vec![WriteEpoch {
                epoch: 0,
                protection: None,
                next_sequence_number: 0,
                secret: None,
                confidentiality_limit: u64::MAX,
            }],
            read: Vec::new(),
            limits_override: None,
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
        let protection = Some(Box::new(protection(suite, epoch, secret)?));
        let limits = self.limits(suite);
        self.write.retain(|w| w.epoch != epoch);
        self.write.reserve_exact(1); // as for `read`
        self.write.push(WriteEpoch {
            epoch,
            protection,
            next_sequence_number: 0,
            secret: Some((suite, secret.clone())),
            confidentiality_limit: limits.confidentiality,
        });
        Ok(())
    }

    /// Adds the keys we read `epoch` with (replacing an epoch with the
    /// same two low bits, so that reconstruction is never ambiguous).
    pub(crate) fn install_read(
        &mut self,
        suite: Tls13CipherSuite,
        epoch: u64,
        secret: &Secret,
    ) -> Result<(), Dtls13Error> {
        let protection = protection(suite, epoch, secret)?;
        let limits = self.limits(suite);
        self.read.retain(|r| r.epoch & 3 != epoch & 3);
        // An epoch's keys are ~0.9 kB (ring's expanded AES and GHASH
        // keys): grow by one, not to a doubled capacity that every idle
        // connection would hold.
        self.read.reserve_exact(1);
        self.read.push(ReadEpoch {
            epoch,
            protection,
            next_expected: 0,
            replay: ReplayWindow::default(),
            secret: (suite, secret.clone()),
            failed: 0,
            integrity_limit: limits.integrity,
        });
        Ok(())
    }

    /// Whether we read any protected epoch (from the handshake epoch's
    /// keys on; still true once those are retired, since the application
    /// epoch's remain).
    pub(crate) fn reads_protected(&self) -> bool {
        !self.read.is_empty()
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
        self.seal_padded(epoch, content_type, content, 0, out)
    }

    /// [`Self::seal`] with `padding` zero bytes after the content type of a
    /// protected record (RFC 8446 §5.4; an epoch-0 record has none).
    pub(crate) fn seal_padded(
        &mut self,
        epoch: u64,
        content_type: u8,
        content: &[u8],
        padding: usize,
        out: &mut Vec<u8>,
    ) -> Result<RecordNumber, Dtls13Error> {
        self.seal_next(epoch, |sequence_number, protection| match protection {
            None => PlaintextRecord::encode(content_type, sequence_number, content, out),
            Some(p) => p.seal_record(
                sequence_number,
                HeaderForm::default(),
                content_type,
                content,
                padding,
                out,
            ),
        })
    }

    /// [`Self::seal_padded`] for content already in `buffer` after
    /// [`PROTECTED_RECORD_HEADER_LEN`] bytes of room: `buffer` becomes the
    /// record, the content is not copied. Protected epochs only.
    pub(crate) fn seal_padded_in_place(
        &mut self,
        epoch: u64,
        content_type: u8,
        padding: usize,
        buffer: &mut Vec<u8>,
    ) -> Result<RecordNumber, Dtls13Error> {
        self.seal_next(epoch, |sequence_number, protection| match protection {
            None => Err(Dtls13Error::Crypto("no keys for the epoch")),
            Some(p) => p.seal_record_in_place(
                sequence_number,
                HeaderForm::default(),
                content_type,
                padding,
                buffer,
            ),
        })
    }

    /// Seals the next record of `epoch` with `seal`, given its sequence
    /// number and the epoch's keys; counts it once sealed.
    fn seal_next(
        &mut self,
        epoch: u64,
        seal: impl FnOnce(u64, Option<&RecordProtection>) -> Result<(), Dtls13Error>,
    ) -> Result<RecordNumber, Dtls13Error> {
        let state = self
            .write
            .iter_mut()
            .find(|w| w.epoch == epoch)
            .ok_or(Dtls13Error::Crypto("no keys for the epoch"))?;
        let sequence_number = state.next_sequence_number;
        if sequence_number > MAX_SEQUENCE_NUMBER || sequence_number >= state.confidentiality_limit {
            return Err(Dtls13Error::Exhausted);
        }
        seal(sequence_number, state.protection.as_deref())?;
        state.next_sequence_number += 1;
        Ok(RecordNumber {
            epoch,
            sequence_number,
        })
    }

    /// Opens a protected record with the keys of the epoch its two epoch
    /// bits reconstruct to, next to our newest read epoch (§4.2.2); a
    /// failure counts against that key's integrity limit.
    pub(crate) fn open(&mut self, record: &CiphertextRecord<'_>) -> OpenOutcome {
        self.open_sealed(Sealed::Borrowed(record))
    }

    /// [`Self::open`] for a record borrowed or owned ([`Sealed`]).
    pub(crate) fn open_sealed(&mut self, record: Sealed<'_>) -> OpenOutcome {
        let newest = self.newest_read_epoch().unwrap_or(HANDSHAKE_EPOCH);
        let epoch = reconstruct_epoch(newest, record.header().epoch_low_bits);
        let Some(state) = self.read.iter_mut().find(|r| r.epoch == epoch) else {
            return OpenOutcome::NoKeys;
        };
        let Ok(opened) = state.protection.open(record, state.next_expected) else {
            state.failed += 1;
            return OpenOutcome::Forged;
        };
        if !state.replay.is_fresh(opened.sequence_number) {
            return OpenOutcome::Replayed;
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

/// Key updates and AEAD limits.
impl EpochKeys {
    /// The suite's limits, or the override.
    fn limits(&self, suite: Tls13CipherSuite) -> AeadLimits {
        self.limits_override
            .unwrap_or_else(|| AeadLimits::for_suite(suite))
    }

    /// Replaces the suite's limits, for the epochs we have and later ones
    /// (tests: tiny limits instead of 2^24 records).
    pub(crate) fn override_limits(&mut self, limits: AeadLimits) {
        self.limits_override = Some(limits);
        for w in self.write.iter_mut().filter(|w| w.secret.is_some()) {
            w.confidentiality_limit = limits.confidentiality;
        }
        for r in &mut self.read {
            r.integrity_limit = limits.integrity;
        }
    }

    /// The highest epoch we read.
    /// Whether any read epoch has had a record fail authentication: until
    /// then no integrity limit can have been reached (every limit is at
    /// least one), which is what the check after each datagram asks first.
    pub(crate) fn any_failed_authentication(&self) -> bool {
        self.read.iter().any(|r| r.failed > 0)
    }

    pub(crate) fn newest_read_epoch(&self) -> Option<u64> {
        self.read.iter().map(|r| r.epoch).max()
    }

    /// The suite and traffic secret we write `epoch` with.
    pub(crate) fn write_secret(&self, epoch: u64) -> Option<&(Tls13CipherSuite, Secret)> {
        self.write
            .iter()
            .find(|w| w.epoch == epoch)
            .and_then(|w| w.secret.as_ref())
    }

    /// The suite and traffic secret we read `epoch` with.
    pub(crate) fn read_secret(&self, epoch: u64) -> Option<&(Tls13CipherSuite, Secret)> {
        self.read
            .iter()
            .find(|r| r.epoch == epoch)
            .map(|r| &r.secret)
    }

    /// Forgets the read epochs below `epoch` (the handshake epoch too).
    pub(crate) fn retire_read_below(&mut self, epoch: u64) {
        self.read.retain(|r| r.epoch >= epoch);
    }

    /// Forgets the application write epochs below `epoch` (epochs 0 and
    /// 2 stay for handshake retransmissions).
    pub(crate) fn retire_write_below(&mut self, epoch: u64) {
        self.write
            .retain(|w| w.epoch < APPLICATION_EPOCH || w.epoch >= epoch);
    }

    /// Forgets one write epoch (the handshake epoch, once the flights are
    /// over).
    pub(crate) fn drop_write(&mut self, epoch: u64) {
        self.write.retain(|w| w.epoch != epoch);
    }

    /// Forgets one read epoch (its key reached the integrity limit, or the
    /// handshake epoch once the flights are over).
    pub(crate) fn drop_read(&mut self, epoch: u64) {
        self.read.retain(|r| r.epoch != epoch);
    }

    /// Whether the key we write with now (the newest write epoch's)
    /// sealed enough records to be replaced (7/8 of its confidentiality
    /// limit). One pass: this runs after every record sent and received.
    pub(crate) fn current_write_nears_limit(&self) -> bool {
        self.write.iter().max_by_key(|w| w.epoch).is_some_and(|w| {
            w.next_sequence_number >= AeadLimits::threshold(w.confidentiality_limit)
        })
    }

    /// Records that failed to open under read `epoch`'s key, and its
    /// integrity limit.
    pub(crate) fn failed_authentications(&self, epoch: u64) -> Option<(u64, u64)> {
        self.read
            .iter()
            .find(|r| r.epoch == epoch)
            .map(|r| (r.failed, r.integrity_limit))
    }

    /// The lowest read epoch whose records failed authentication as often
    /// as its integrity limit allows (RFC 9147 §4.5.3), if any.
    pub(crate) fn lowest_read_over_integrity_limit(&self) -> Option<u64> {
        self.read
            .iter()
            .filter(|r| r.failed >= r.integrity_limit)
            .map(|r| r.epoch)
            .min()
    }

    /// The read epochs, lowest first.
    pub(crate) fn read_epochs(&self) -> Vec<u64> {
        let mut epochs: Vec<u64> = self.read.iter().map(|r| r.epoch).collect();
        epochs.sort_unstable();
        epochs
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
        assert_eq!(reader.open(&first), OpenOutcome::Replayed, "replay");
        let mut wrong = EpochKeys::default();
        wrong
            .install_read(suite, 2, &Secret::new(vec![8; 32]))
            .unwrap();
        assert_eq!(wrong.open(&first), OpenOutcome::Forged);
    }

    #[test]
    fn epochs_past_3_are_reconstructed_and_keys_count_against_their_limits() {
        let suite = Tls13CipherSuite::ChaCha20Poly1305Sha256;
        let secret = |e: u64| Secret::new(vec![e as u8; 32]);
        let mut writer = EpochKeys::default();
        let mut reader = EpochKeys::default();
        reader.install_read(suite, 3, &secret(3)).unwrap();
        for epoch in 4..=9u64 {
            writer.install_write(suite, epoch, &secret(epoch)).unwrap();
            writer.retire_write_below(epoch);
            reader.install_read(suite, epoch, &secret(epoch)).unwrap();
            reader.retire_read_below(epoch - 1);
            assert_eq!(reader.read_epochs(), [epoch - 1, epoch]);
            assert_eq!(writer.current_write_epoch(), epoch);
            let mut datagram = Vec::new();
            writer
                .seal(epoch, CONTENT_TYPE_HANDSHAKE, b"x", &mut datagram)
                .unwrap();
            let (records, _) = split_datagram(&datagram);
            let Record::Ciphertext(c) = records[0] else {
                panic!("plaintext")
            };
            let OpenOutcome::Opened(opened) = reader.open(&c) else {
                panic!("epoch {epoch} did not open")
            };
            assert_eq!(opened.number.epoch, epoch);
            assert!(writer.write_secret(epoch - 1).is_none(), "retired");
        }
        // A record of epoch 5 (low bits 1) read at [8, 9] reconstructs to
        // 9, fails and counts against epoch 9's key.
        let mut old = EpochKeys::default();
        old.install_write(suite, 5, &secret(5)).unwrap();
        let mut datagram = Vec::new();
        old.seal(5, CONTENT_TYPE_HANDSHAKE, b"x", &mut datagram)
            .unwrap();
        let Record::Ciphertext(c) = split_datagram(&datagram).0[0] else {
            panic!("plaintext")
        };
        assert_eq!(reader.open(&c), OpenOutcome::Forged);
        assert_eq!(
            reader.failed_authentications(9),
            Some((1, crate::v13::aead_limits::INTEGRITY_LIMIT))
        );
        // The confidentiality limit refuses to seal.
        writer.override_limits(AeadLimits {
            confidentiality: 3,
            integrity: 1,
        });
        let mut out = Vec::new();
        writer
            .seal(9, CONTENT_TYPE_HANDSHAKE, b"y", &mut out)
            .unwrap();
        assert_eq!(writer.current_write_epoch(), 9);
        assert!(!writer.current_write_nears_limit(), "2 of 3 sealed");
        writer
            .seal(9, CONTENT_TYPE_HANDSHAKE, b"y", &mut out)
            .unwrap();
        assert!(writer.current_write_nears_limit());
        assert_eq!(
            writer.seal(9, CONTENT_TYPE_HANDSHAKE, b"z", &mut out),
            Err(Dtls13Error::Exhausted)
        );
    }
}
