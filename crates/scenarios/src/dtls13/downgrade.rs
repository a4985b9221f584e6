//! `dtls/v13-downgrade-refused`: a man in the middle on the server's side
//! removes the DTLS 1.3 offer from the client's ClientHello (the 1.3
//! cipher suites, supported_versions and key_share) and delivers the rest
//! as one record. The 1.3-capable server, seeing no 1.3 offer, answers in
//! DTLS 1.2 and writes RFC 8446 §4.1.3's sentinel (`DOWNGRD\x01`) into its
//! random; the client, which offered 1.3, refuses that ServerHello with
//! `Downgrade` and an illegal_parameter alert (47). Neither side connects.
//! Time to goal: both failed.

use std::time::{Duration, Instant};

use sansrtc_dtls::{DtlsEndpoint, DtlsError, DtlsEvent, Output, Role};

use super::both_fail::both_fail;
use crate::dtls::{config, identities, link};
use crate::setup::{fixed_peer_pair, network};
use crate::{Outcome, ScenarioInput};

/// A DTLSPlaintext header: type, version, epoch, sequence number, length.
const RECORD_HEADER: usize = 13;
/// A handshake fragment header: type, length, message_seq, offset, length.
const FRAGMENT_HEADER: usize = 12;

/// One endpoint, with the man in the middle in front of the server.
struct Side {
    endpoint: DtlsEndpoint,
    middlebox: Option<Middlebox>,
}

/// Collects the fragments of a ClientHello, then passes it on stripped.
#[derive(Default)]
struct Middlebox {
    /// The ClientHello body so far, and which bytes arrived.
    body: Vec<u8>,
    have: Vec<bool>,
    /// The message_seq and first record's sequence number bytes.
    message_seq: [u8; 2],
    record_seq: [u8; 8],
}

fn u16_at(b: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

fn u24_at(b: &[u8], at: usize) -> Option<usize> {
    Some((u16_at(b, at)? << 8) | usize::from(*b.get(at + 2)?))
}

impl Middlebox {
    /// Takes the ClientHello fragments out of `datagram`; returns what
    /// passes on: the other records unchanged, and the stripped hello once
    /// all of it arrived.
    fn filter(&mut self, datagram: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut at = 0;
        while let Some(len) = u16_at(datagram, at + 11) {
            let end = (at + RECORD_HEADER + len).min(datagram.len());
            let record = &datagram[at..end];
            let hello = record[0] == 22
                && record.get(RECORD_HEADER) == Some(&1)
                && record.len() >= RECORD_HEADER + FRAGMENT_HEADER;
            if hello {
                self.take_fragment(record);
            } else {
                out.extend_from_slice(record);
            }
            at = end;
        }
        if !self.have.is_empty() && self.have.iter().all(|h| *h) {
            if let Some(stripped) = self.stripped_record() {
                out.extend_from_slice(&stripped);
            }
            *self = Middlebox::default();
        }
        out
    }

    fn take_fragment(&mut self, record: &[u8]) {
        let f = &record[RECORD_HEADER..];
        let (Some(length), Some(offset), Some(fragment_len)) =
            (u24_at(f, 1), u24_at(f, 6), u24_at(f, 9))
        else {
            return;
        };
        let Some(data) = f.get(FRAGMENT_HEADER..FRAGMENT_HEADER + fragment_len) else {
            return;
        };
        if self.body.len() != length {
            self.body = vec![0; length];
            self.have = vec![false; length];
        }
        if offset + fragment_len > length {
            return;
        }
        if offset == 0 {
            self.message_seq = [f[4], f[5]];
            self.record_seq.copy_from_slice(&record[3..11]);
        }
        self.body[offset..offset + fragment_len].copy_from_slice(data);
        self.have[offset..offset + fragment_len].fill(true);
    }

    /// The ClientHello without its 1.3 offer, as one record.
    fn stripped_record(&self) -> Option<Vec<u8>> {
        let b = &self.body;
        // version, random, then session_id and cookie (vec8 each).
        let mut at = 2 + 32;
        at += 1 + usize::from(*b.get(at)?);
        at += 1 + usize::from(*b.get(at)?);
        let mut hello = b.get(..at)?.to_vec();
        let suites_len = u16_at(b, at)?;
        let suites: Vec<u8> = b
            .get(at + 2..at + 2 + suites_len)?
            .chunks_exact(2)
            .filter(|s| s[0] != 0x13)
            .flatten()
            .copied()
            .collect();
        hello.extend_from_slice(&(suites.len() as u16).to_be_bytes());
        hello.extend_from_slice(&suites);
        at += 2 + suites_len;
        let compression_end = at + 1 + usize::from(*b.get(at)?);
        hello.extend_from_slice(b.get(at..compression_end)?);
        at = compression_end;
        let extensions_end = at + 2 + u16_at(b, at)?;
        at += 2;
        let mut extensions = Vec::new();
        while at + 4 <= extensions_end {
            let (kind, len) = (u16_at(b, at)?, u16_at(b, at + 2)?);
            if kind != 43 && kind != 51 {
                extensions.extend_from_slice(b.get(at..at + 4 + len)?);
            }
            at += 4 + len;
        }
        hello.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
        hello.extend_from_slice(&extensions);
        let len = hello.len() as u32;
        let mut fragment = vec![1];
        fragment.extend_from_slice(&len.to_be_bytes()[1..]);
        fragment.extend_from_slice(&self.message_seq);
        fragment.extend_from_slice(&[0, 0, 0]);
        fragment.extend_from_slice(&len.to_be_bytes()[1..]);
        fragment.extend_from_slice(&hello);
        let mut record = vec![22, 0xfe, 0xfd];
        record.extend_from_slice(&self.record_seq);
        record.extend_from_slice(&(fragment.len() as u16).to_be_bytes());
        record.extend_from_slice(&fragment);
        Some(record)
    }
}

fn receive(side: &mut Side, now: Instant, datagram: &[u8]) {
    match &mut side.middlebox {
        Some(m) => {
            let passed = m.filter(datagram);
            if !passed.is_empty() {
                side.endpoint.handle_receive(now, &passed);
            }
        }
        None => side.endpoint.handle_receive(now, datagram),
    }
}

/// Runs the scenario.
pub(super) fn run(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut net, start) = network(input);
    let (a_id, b_id) = identities()?;
    let client_config = config(&a_id, &b_id, Duration::from_secs(1));
    let server_config = config(&b_id, &a_id, Duration::from_secs(1));
    let mut rng = net.rng_for(1);
    let mut client =
        DtlsEndpoint::new(Role::Client, client_config, &mut rng).map_err(|e| e.to_string())?;
    let server =
        DtlsEndpoint::new(Role::Server, server_config, &mut rng).map_err(|e| e.to_string())?;
    client.start(start);
    let sides = (
        Side {
            endpoint: client,
            middlebox: None,
        },
        Side {
            endpoint: server,
            middlebox: Some(Middlebox::default()),
        },
    );
    let (a, b) = fixed_peer_pair(
        &mut net,
        sides,
        &link(0.0),
        receive,
        |s: &mut Side, now| s.endpoint.handle_timeout(now),
        |s: &mut Side| -> Output<Vec<u8>, DtlsEvent> { s.endpoint.poll_output() },
    )?;
    both_fail(
        &mut net,
        (&a, &b),
        start,
        (DtlsError::Downgrade, DtlsError::PeerAlert(47)),
    )
}
