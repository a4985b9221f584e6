//! Names for certificates in the JSON form of a configuration.

use std::sync::Arc;

use crate::certificate::RtcCertificate;

/// The JSON key that names a certificate: `{"$cert": "c1"}`.
pub const CERTIFICATE_KEY: &str = "$cert";

/// Maps the ids used in `{"$cert": id}` JSON objects to certificates.
///
/// A browser's `certificates` holds `RTCCertificate` objects, which JSON
/// cannot carry; the JSON form names them instead. Equal ids are the same
/// certificate object.
#[derive(Debug, Clone, Default)]
pub struct CertificateRegistry {
    entries: Vec<(String, Arc<RtcCertificate>)>,
}

impl CertificateRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names `certificate` `id` (replacing an earlier certificate of that id)
    /// and returns the shared handle.
    pub fn insert(
        &mut self,
        id: impl Into<String>,
        certificate: RtcCertificate,
    ) -> Arc<RtcCertificate> {
        let handle = Arc::new(certificate);
        self.insert_shared(id, Arc::clone(&handle));
        handle
    }

    /// Names an already shared certificate `id`.
    pub fn insert_shared(&mut self, id: impl Into<String>, certificate: Arc<RtcCertificate>) {
        let id = id.into();
        self.entries.retain(|(existing, _)| *existing != id);
        self.entries.push((id, certificate));
    }

    /// The certificate named `id`.
    pub fn get(&self, id: &str) -> Option<&Arc<RtcCertificate>> {
        self.entries.iter().find(|(k, _)| k == id).map(|(_, c)| c)
    }

    /// The id of this very certificate object, if it has one.
    pub fn id_of(&self, certificate: &Arc<RtcCertificate>) -> Option<&str> {
        self.entries
            .iter()
            .find(|(_, c)| Arc::ptr_eq(c, certificate))
            .map(|(k, _)| k.as_str())
    }

    /// How many certificates are named.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
