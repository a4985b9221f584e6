//! Name resolution for [`sansrtc::PeerEvent::Resolve`]: literal addresses
//! at once, `.local` names through a pluggable mDNS resolver, other names
//! through DNS, off the connection's task.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

/// A future resolving to the addresses of a name (empty: not resolved).
pub type Resolving = Pin<Box<dyn Future<Output = Vec<IpAddr>> + Send>>;

/// Resolves a host name to addresses. The future runs on its own tokio
/// task, so it may take its time; the connection keeps running.
pub trait Resolver: Send + Sync + 'static {
    /// The addresses of `name`; empty when it does not resolve.
    fn resolve(&self, name: &str) -> Resolving;
}

/// DNS through the OS (`tokio::net::lookup_host`, which runs
/// `getaddrinfo` on tokio's blocking pool).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn resolve(&self, name: &str) -> Resolving {
        let name = name.to_owned();
        Box::pin(async move {
            match tokio::net::lookup_host((name.as_str(), 0)).await {
                Ok(addresses) => addresses.map(|a| a.ip()).collect(),
                Err(error) => {
                    tracing::debug!(%name, %error, "name did not resolve");
                    Vec::new()
                }
            }
        })
    }
}

/// How a name is answered.
pub(crate) enum Resolution {
    /// At once (a literal address, or a `.local` name without an mDNS
    /// resolver: nothing).
    Now(Vec<IpAddr>),
    /// By this future, on its own task.
    Later(Resolving),
}

/// Chooses how `name` is resolved: a literal IP is itself; `.local` goes to
/// the mDNS hook (or resolves to nothing); anything else to DNS.
pub(crate) fn resolution(
    name: &str,
    dns: &dyn Resolver,
    mdns: Option<&dyn Resolver>,
) -> Resolution {
    let literal = name.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return Resolution::Now(vec![ip]);
    }
    let is_mdns = name
        .trim_end_matches('.')
        .to_ascii_lowercase()
        .ends_with(".local");
    match (is_mdns, mdns) {
        (true, None) => Resolution::Now(Vec::new()),
        (true, Some(mdns)) => Resolution::Later(mdns.resolve(name)),
        (false, _) => Resolution::Later(dns.resolve(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Vec<IpAddr>);
    impl Resolver for Fixed {
        fn resolve(&self, _name: &str) -> Resolving {
            let answer = self.0.clone();
            Box::pin(async move { answer })
        }
    }

    fn now(r: Resolution) -> Option<Vec<IpAddr>> {
        match r {
            Resolution::Now(a) => Some(a),
            Resolution::Later(_) => None,
        }
    }

    #[test]
    fn literals_resolve_to_themselves_and_local_names_to_nothing_without_mdns() {
        let dns = Fixed(vec!["192.0.2.1".parse().unwrap()]);
        assert_eq!(
            now(resolution("127.0.0.1", &dns, None)),
            Some(vec!["127.0.0.1".parse().unwrap()])
        );
        assert_eq!(
            now(resolution("[::1]", &dns, None)),
            Some(vec!["::1".parse().unwrap()])
        );
        assert_eq!(now(resolution("abc.LOCAL.", &dns, None)), Some(vec![]));
        assert!(now(resolution("abc.local", &dns, Some(&dns))).is_none());
        assert!(now(resolution("stun.example.org", &dns, None)).is_none());
    }
}
