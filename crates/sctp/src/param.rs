//! INIT / INIT-ACK parameters (RFC 9260 §3.3.2, RFC 3758 §3.1, RFC 5061
//! §4.2.7, RFC 9653 §4) with unknown parameters handled by their two high
//! bits (RFC 9260 §3.2.1).

use crate::chunk::{kind, write, UnknownAction};
use crate::error::SctpError;
use crate::packet::be16;

/// Parameter type numbers.
pub(crate) mod ptype {
    pub(crate) const IPV4: u16 = 5;
    pub(crate) const IPV6: u16 = 6;
    pub(crate) const STATE_COOKIE: u16 = 7;
    pub(crate) const UNRECOGNIZED: u16 = 8;
    pub(crate) const COOKIE_PRESERVATIVE: u16 = 9;
    pub(crate) const HOSTNAME: u16 = 11;
    pub(crate) const SUPPORTED_ADDRESS_TYPES: u16 = 12;
    pub(crate) const ECN_CAPABLE: u16 = 0x8000;
    pub(crate) const ZERO_CHECKSUM_ACCEPTABLE: u16 = 0x8001;
    pub(crate) const RANDOM: u16 = 0x8002;
    pub(crate) const CHUNK_LIST: u16 = 0x8003;
    pub(crate) const HMAC_ALGORITHM: u16 = 0x8004;
    pub(crate) const SUPPORTED_EXTENSIONS: u16 = 0x8008;
    pub(crate) const FORWARD_TSN_SUPPORTED: u16 = 0xc000;
}

/// RFC 9653 error detection method: "SCTP over DTLS".
pub(crate) const EDMID_DTLS: u32 = 1;

/// Iterates TLVs (parameters or error causes): (type, value, whole TLV).
pub(crate) fn tlvs(
    mut rest: &[u8],
) -> impl Iterator<Item = Result<(u16, &[u8], &[u8]), SctpError>> {
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed || rest.is_empty() {
            return None;
        }
        let (Some(t), Some(len)) = (be16(rest, 0), be16(rest, 2)) else {
            failed = true;
            return Some(Err(SctpError::BadParameterLength));
        };
        let len = usize::from(len);
        let Some(whole) = rest.get(..len).filter(|_| len >= 4) else {
            failed = true;
            return Some(Err(SctpError::BadParameterLength));
        };
        rest = rest.get((len + 3) & !3..).unwrap_or(&[]);
        Some(Ok((t, &whole[4..], whole)))
    })
}

/// What an INIT or INIT-ACK announced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct InitParams<'a> {
    /// RFC 3758 partial reliability.
    pub(crate) forward_tsn: bool,
    /// RFC 6525 stream reconfiguration.
    pub(crate) reconfig: bool,
    /// RFC 9653 with the DTLS method.
    pub(crate) zero_checksum: bool,
    /// The state cookie (INIT-ACK only).
    pub(crate) cookie: Option<&'a [u8]>,
    /// Unrecognized parameters to report (whole TLVs), at most 8.
    pub(crate) unrecognized: Vec<&'a [u8]>,
}

/// At most this many unrecognized parameters are reported.
const MAX_REPORTED: usize = 8;

/// Parses the parameters of an INIT or INIT-ACK.
pub(crate) fn parse_init_params(params: &[u8]) -> Result<InitParams<'_>, SctpError> {
    let mut out = InitParams::default();
    for tlv in tlvs(params) {
        let (t, value, whole) = tlv?;
        match t {
            ptype::STATE_COOKIE => out.cookie = Some(value),
            ptype::FORWARD_TSN_SUPPORTED => out.forward_tsn = true,
            ptype::SUPPORTED_EXTENSIONS => {
                for &c in value {
                    match c {
                        kind::FORWARD_TSN => out.forward_tsn = true,
                        kind::RE_CONFIG => out.reconfig = true,
                        _ => {}
                    }
                }
            }
            ptype::ZERO_CHECKSUM_ACCEPTABLE => {
                if value.len() >= 4
                    && u32::from_be_bytes([value[0], value[1], value[2], value[3]]) == EDMID_DTLS
                {
                    out.zero_checksum = true;
                }
            }
            // Known and deliberately ignored: addresses (single-homed over
            // DTLS), cookie preservative, ECN, AUTH, the echo of our own
            // unrecognized parameters.
            ptype::IPV4
            | ptype::IPV6
            | ptype::HOSTNAME
            | ptype::SUPPORTED_ADDRESS_TYPES
            | ptype::COOKIE_PRESERVATIVE
            | ptype::ECN_CAPABLE
            | ptype::RANDOM
            | ptype::CHUNK_LIST
            | ptype::HMAC_ALGORITHM
            | ptype::UNRECOGNIZED => {}
            other => {
                let action = UnknownAction::from_high_bits((other >> 8) as u8);
                if action.report && out.unrecognized.len() < MAX_REPORTED {
                    out.unrecognized.push(whole);
                }
                if !action.skip {
                    break;
                }
            }
        }
    }
    Ok(out)
}

/// Writes the parameters we announce in INIT and INIT-ACK.
pub(crate) fn write_our_params(buf: &mut Vec<u8>, zero_checksum: bool) {
    write::tlv(buf, ptype::FORWARD_TSN_SUPPORTED, &[]);
    write::tlv(
        buf,
        ptype::SUPPORTED_EXTENSIONS,
        &[kind::RE_CONFIG, kind::FORWARD_TSN],
    );
    if zero_checksum {
        write::tlv(
            buf,
            ptype::ZERO_CHECKSUM_ACCEPTABLE,
            &EDMID_DTLS.to_be_bytes(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_extensions_and_zero_checksum() {
        let mut b = Vec::new();
        write_our_params(&mut b, true);
        let p = parse_init_params(&b).unwrap();
        assert!(p.forward_tsn && p.reconfig && p.zero_checksum);
        assert!(p.unrecognized.is_empty());
    }

    #[test]
    fn zero_checksum_with_another_method_is_not_accepted() {
        let mut b = Vec::new();
        write::tlv(&mut b, ptype::ZERO_CHECKSUM_ACCEPTABLE, &7u32.to_be_bytes());
        assert!(!parse_init_params(&b).unwrap().zero_checksum);
    }

    #[test]
    fn unknown_parameters_by_high_bits() {
        let mut b = Vec::new();
        write::tlv(&mut b, 0x8077, &[1, 2]); // skip silently
        write::tlv(&mut b, 0xc077, &[3]); // skip, report
        write::tlv(&mut b, 0x4077, &[]); // stop, report
        write::tlv(&mut b, ptype::FORWARD_TSN_SUPPORTED, &[]); // never reached
        let p = parse_init_params(&b).unwrap();
        assert!(!p.forward_tsn);
        assert_eq!(p.unrecognized.len(), 2);
        assert_eq!(p.unrecognized[0], &[0xc0, 0x77, 0, 5, 3]);
        let mut b = Vec::new();
        write::tlv(&mut b, 0x0077, &[]); // stop silently
        write::tlv(&mut b, ptype::FORWARD_TSN_SUPPORTED, &[]);
        let p = parse_init_params(&b).unwrap();
        assert!(!p.forward_tsn && p.unrecognized.is_empty());
    }

    #[test]
    fn malformed_parameter_lengths() {
        assert!(parse_init_params(&[0x80, 0x00, 0x00, 0x02]).is_err());
        assert!(parse_init_params(&[0x80, 0x00, 0x00, 0x09, 0]).is_err());
        assert!(parse_init_params(&[0x80]).is_err());
    }
}
