//! Which servers a driver's TLS streams trust, and by which name.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, RootCertStore};

/// The TLS client configuration of a driver's streams (`turns:`).
///
/// - **Roots**: by default the Mozilla roots of the `webpki-roots` crate;
///   [`TlsSettings::set_roots`] replaces them (a private CA, a test
///   server's certificate), [`TlsSettings::set_client_config`] replaces
///   the whole rustls configuration (a custom verifier, client
///   certificates).
/// - **Server names**: a driver only sees the server's address, so the
///   name its certificate is checked against is
///   [`TlsSettings::set_server_name`]'s for that address, else
///   [`TlsSettings::set_host_name`]'s for its IP, by default the
///   IP address itself (`ServerName::IpAddress`, which a certificate
///   matches with an IP SAN). An application that resolved a `turns:` URL
///   host name gives that name here.
/// - **Crypto**: rustls with the `ring` provider, TLS 1.2 and 1.3.
#[derive(Debug, Default)]
pub struct TlsSettings {
    config: Option<Arc<ClientConfig>>,
    names: HashMap<SocketAddr, ServerName<'static>>,
    /// Names by server IP, whatever the port (from resolved URL hosts).
    host_names: HashMap<IpAddr, ServerName<'static>>,
}

impl TlsSettings {
    /// Trust exactly `roots` from now on (streams already open keep theirs).
    pub fn set_roots(&mut self, roots: RootCertStore) -> Result<(), rustls::Error> {
        self.config = Some(Arc::new(ring_client_config(roots)?));
        Ok(())
    }

    /// Use `config` for new TLS streams.
    pub fn set_client_config(&mut self, config: Arc<ClientConfig>) {
        self.config = Some(config);
    }

    /// Check the certificate of the server at `server` against `name`.
    pub fn set_server_name(&mut self, server: SocketAddr, name: ServerName<'static>) {
        self.names.insert(server, name);
    }

    /// Check the certificate of every server at `ip` (any port) against
    /// `name`: the host a `turns:` URL named and a resolver turned into
    /// `ip`. [`TlsSettings::set_server_name`] for an address wins.
    pub fn set_host_name(&mut self, ip: IpAddr, name: ServerName<'static>) {
        self.host_names.insert(ip, name);
    }

    /// The name the certificate of the server at `server` must carry: the
    /// one set for it, else the one set for its IP, else its IP address.
    pub fn server_name(&self, server: SocketAddr) -> ServerName<'static> {
        self.names
            .get(&server)
            .or_else(|| self.host_names.get(&server.ip()))
            .cloned()
            .unwrap_or_else(|| ServerName::IpAddress(server.ip().into()))
    }

    /// The configuration for a new stream; the default (webpki roots) is
    /// built at the first TLS stream.
    pub(crate) fn client_config(&mut self) -> Result<Arc<ClientConfig>, rustls::Error> {
        if let Some(config) = &self.config {
            return Ok(config.clone());
        }
        let config = Arc::new(ring_client_config(webpki_roots())?);
        self.config = Some(config.clone());
        Ok(config)
    }
}

/// The Mozilla root certificates shipped in the `webpki-roots` crate.
pub fn webpki_roots() -> RootCertStore {
    RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

/// A rustls client configuration on the `ring` provider (TLS 1.2 and 1.3,
/// rustls' safe defaults) trusting `roots`, without client certificates.
///
/// rustls 0.23.48 deprecated `ring::default_provider` because ring has no
/// post-quantum key exchange (only aws-lc-rs does); ring is chosen anyway
/// so the workspace builds without cmake and nasm (X25519, P-256 and P-384
/// key exchange remain).
#[allow(deprecated)]
pub fn ring_client_config(roots: RootCertStore) -> Result<ClientConfig, rustls::Error> {
    Ok(
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_name_is_the_address_and_a_set_name_wins() {
        let mut tls = TlsSettings::default();
        let server: SocketAddr = "192.0.2.7:5349".parse().unwrap();
        assert_eq!(
            tls.server_name(server),
            ServerName::IpAddress(server.ip().into())
        );
        let name = ServerName::try_from("turn.example.org").unwrap().to_owned();
        tls.set_server_name(server, name.clone());
        assert_eq!(tls.server_name(server), name);
        assert!(tls.client_config().is_ok());
        assert!(!webpki_roots().is_empty());
    }
}

#[cfg(test)]
mod host_name_tests {
    use super::*;

    #[test]
    fn an_address_name_wins_over_a_host_name_which_wins_over_the_ip() {
        let mut settings = TlsSettings::default();
        let server: SocketAddr = "192.0.2.1:5349".parse().unwrap();
        let other_port: SocketAddr = "192.0.2.1:443".parse().unwrap();
        let elsewhere: SocketAddr = "192.0.2.2:5349".parse().unwrap();
        let name = |n: &str| ServerName::try_from(n.to_string()).unwrap();
        assert_eq!(
            settings.server_name(server),
            ServerName::IpAddress(server.ip().into())
        );
        settings.set_host_name(server.ip(), name("turn.example.org"));
        assert_eq!(settings.server_name(server), name("turn.example.org"));
        assert_eq!(settings.server_name(other_port), name("turn.example.org"));
        assert_eq!(
            settings.server_name(elsewhere),
            ServerName::IpAddress(elsewhere.ip().into())
        );
        settings.set_server_name(server, name("exact.example.org"));
        assert_eq!(settings.server_name(server), name("exact.example.org"));
        assert_eq!(settings.server_name(other_port), name("turn.example.org"));
    }
}
