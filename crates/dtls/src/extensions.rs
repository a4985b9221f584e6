//! Hello extensions (RFC 5246 §7.4.1.4): supported_groups and
//! ec_point_formats (RFC 8422 §5.1), signature_algorithms (RFC 5246
//! §7.4.1.4.1), use_srtp (RFC 5764 §4.1.1), extended_master_secret
//! (RFC 7627 §5.1), renegotiation_info (RFC 5746 §3.2), supported_versions
//! (RFC 8446 §4.2.1, read only).

use crate::codec::{put_u16, put_u16s, put_vec16, put_vec8, u16s, Reader};
use crate::error::DtlsError;

pub(crate) const SUPPORTED_GROUPS: u16 = 10;
pub(crate) const EC_POINT_FORMATS: u16 = 11;
pub(crate) const SIGNATURE_ALGORITHMS: u16 = 13;
pub(crate) const USE_SRTP: u16 = 14;
pub(crate) const EXTENDED_MASTER_SECRET: u16 = 23;
pub(crate) const SUPPORTED_VERSIONS: u16 = 43;
pub(crate) const RENEGOTIATION_INFO: u16 = 0xff01;
/// The most extensions we read in one hello.
pub(crate) const MAX_EXTENSIONS: usize = 64;

/// The extensions of a ClientHello or ServerHello that we understand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Extensions {
    pub(crate) supported_groups: Option<Vec<u16>>,
    pub(crate) ec_point_formats: Option<Vec<u8>>,
    pub(crate) signature_algorithms: Option<Vec<u16>>,
    /// Profiles and MKI.
    pub(crate) use_srtp: Option<(Vec<u16>, Vec<u8>)>,
    pub(crate) extended_master_secret: bool,
    pub(crate) renegotiation_info: Option<Vec<u8>>,
    /// Read from a ClientHello (DTLS 1.3 offers); never sent.
    pub(crate) supported_versions: Option<Vec<u16>>,
    /// Types we do not understand, in order.
    pub(crate) unknown: Vec<u16>,
    /// Extra extensions written as they are (tests build DTLS 1.3-style
    /// hellos with them); never filled by parsing.
    pub(crate) raw: Vec<(u16, Vec<u8>)>,
}

fn u16_list(data: &[u8]) -> Result<Vec<u16>, DtlsError> {
    let mut r = Reader::new(data, "extension list");
    let list = r.vec16()?;
    r.finish()?;
    u16s(list, "extension list")
}

impl Extensions {
    /// Parses the optional extensions block at the end of a hello.
    pub(crate) fn parse(r: &mut Reader<'_>) -> Result<Self, DtlsError> {
        let mut ext = Extensions::default();
        if r.is_empty() {
            return Ok(ext);
        }
        let mut block = r.sub16()?;
        let mut seen: Vec<u16> = Vec::new();
        while !block.is_empty() {
            let typ = block.u16()?;
            let data = block.vec16()?;
            if seen.contains(&typ) {
                return Err(DtlsError::Decode("duplicate extension"));
            }
            if seen.len() >= MAX_EXTENSIONS {
                return Err(DtlsError::TooLarge("extension count"));
            }
            seen.push(typ);
            let mut d = Reader::new(data, "extension");
            match typ {
                SUPPORTED_GROUPS => ext.supported_groups = Some(u16_list(data)?),
                SIGNATURE_ALGORITHMS => ext.signature_algorithms = Some(u16_list(data)?),
                EC_POINT_FORMATS => {
                    ext.ec_point_formats = Some(d.vec8()?.to_vec());
                    d.finish()?;
                }
                USE_SRTP => {
                    let profiles = u16s(d.vec16()?, "use_srtp")?;
                    let mki = d.vec8()?.to_vec();
                    d.finish()?;
                    ext.use_srtp = Some((profiles, mki));
                }
                EXTENDED_MASTER_SECRET => {
                    d.finish()?;
                    ext.extended_master_secret = true;
                }
                RENEGOTIATION_INFO => {
                    ext.renegotiation_info = Some(d.vec8()?.to_vec());
                    d.finish()?;
                }
                SUPPORTED_VERSIONS => {
                    // ClientHello form: u8 length, list of u16.
                    let list = d.vec8()?;
                    d.finish()?;
                    ext.supported_versions = Some(u16s(list, "supported_versions")?);
                }
                other => ext.unknown.push(other),
            }
        }
        r.finish()?;
        Ok(ext)
    }

    /// The checks both sides make on the peer's hello in a first
    /// handshake: extended_master_secret present when required (RFC 7627
    /// §5.2) and renegotiation_info, if sent, empty (RFC 5746 §3.4, §3.6).
    pub(crate) fn check_first_handshake(&self, require_ems: bool) -> Result<(), DtlsError> {
        if require_ems && !self.extended_master_secret {
            return Err(DtlsError::ExtendedMasterSecretRequired);
        }
        if self
            .renegotiation_info
            .as_ref()
            .is_some_and(|r| !r.is_empty())
        {
            return Err(DtlsError::BadRenegotiationInfo);
        }
        Ok(())
    }

    /// Appends the extensions block (the two-byte total length and each extension).
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        let mut block = Vec::new();
        let mut put = |typ: u16, data: &[u8]| {
            put_u16(&mut block, typ);
            put_vec16(&mut block, data);
        };
        if let Some(v) = &self.renegotiation_info {
            let mut d = Vec::new();
            put_vec8(&mut d, v);
            put(RENEGOTIATION_INFO, &d);
        }
        if self.extended_master_secret {
            put(EXTENDED_MASTER_SECRET, &[]);
        }
        if let Some(g) = &self.supported_groups {
            put(SUPPORTED_GROUPS, &list16(g));
        }
        if let Some(f) = &self.ec_point_formats {
            let mut d = Vec::new();
            put_vec8(&mut d, f);
            put(EC_POINT_FORMATS, &d);
        }
        if let Some(s) = &self.signature_algorithms {
            put(SIGNATURE_ALGORITHMS, &list16(s));
        }
        if let Some((profiles, mki)) = &self.use_srtp {
            let mut d = list16(profiles);
            put_vec8(&mut d, mki);
            put(USE_SRTP, &d);
        }
        if let Some(v) = &self.supported_versions {
            let mut items = Vec::new();
            put_u16s(&mut items, v);
            let mut d = Vec::new();
            put_vec8(&mut d, &items);
            put(SUPPORTED_VERSIONS, &d);
        }
        for (typ, data) in &self.raw {
            put(*typ, data);
        }
        put_vec16(out, &block);
    }
}

fn list16(items: &[u16]) -> Vec<u8> {
    let mut inner = Vec::with_capacity(items.len() * 2);
    put_u16s(&mut inner, items);
    let mut d = Vec::new();
    put_vec16(&mut d, &inner);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_round_trip() {
        let ext = Extensions {
            supported_groups: Some(vec![29, 23]),
            ec_point_formats: Some(vec![0]),
            signature_algorithms: Some(vec![0x0403, 0x0804]),
            use_srtp: Some((vec![7, 1], vec![])),
            extended_master_secret: true,
            renegotiation_info: Some(vec![]),
            supported_versions: Some(vec![0xfefc, 0xfefd]),
            unknown: vec![],
            raw: vec![],
        };
        let mut out = Vec::new();
        ext.encode(&mut out);
        let mut r = Reader::new(&out, "t");
        assert_eq!(Extensions::parse(&mut r).unwrap(), ext);
    }

    #[test]
    fn duplicates_and_garbage_are_rejected() {
        // Two extended_master_secret extensions.
        let block = [0, 8, 0, 23, 0, 0, 0, 23, 0, 0];
        assert!(Extensions::parse(&mut Reader::new(&block, "t")).is_err());
        // extended_master_secret with a body.
        let block = [0, 5, 0, 23, 0, 1, 9];
        assert!(Extensions::parse(&mut Reader::new(&block, "t")).is_err());
        // Odd-length group list.
        let block = [0, 7, 0, 10, 0, 3, 0, 1, 29];
        assert!(Extensions::parse(&mut Reader::new(&block, "t")).is_err());
        // Unknown extensions are kept by type.
        let block = [0, 4, 0x33, 0x33, 0, 0];
        let e = Extensions::parse(&mut Reader::new(&block, "t")).unwrap();
        assert_eq!(e.unknown, vec![0x3333]);
    }
}
