//! The one output type of every Sans-IO machine.

use std::time::Instant;

/// What a machine asks its driver to do next, returned by `poll_output()`.
///
/// `T` is what the machine transmits: a [`crate::Transmit`] for machines that
/// know addresses (ICE, the peer connection, netsim nodes), plain bytes for
/// machines that ride on another transport (DTLS records, SCTP packets).
/// `E` is the machine's event type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output<T, E> {
    /// Send this to the network (or to the layer below).
    Transmit(T),
    /// Something happened that the application should know about.
    Event(E),
    /// Nothing more to do now. Call `handle_timeout` at this instant, or
    /// only on new input if `None`. This ends a drain of `poll_output()`.
    Timeout(Option<Instant>),
}

impl<T, E> Output<T, E> {
    /// Maps the transmit payload, keeping events and timeouts.
    pub fn map_transmit<U>(self, f: impl FnOnce(T) -> U) -> Output<U, E> {
        match self {
            Output::Transmit(t) => Output::Transmit(f(t)),
            Output::Event(e) => Output::Event(e),
            Output::Timeout(t) => Output::Timeout(t),
        }
    }

    /// Maps the event, keeping transmits and timeouts.
    pub fn map_event<F>(self, f: impl FnOnce(E) -> F) -> Output<T, F> {
        match self {
            Output::Transmit(t) => Output::Transmit(t),
            Output::Event(e) => Output::Event(f(e)),
            Output::Timeout(t) => Output::Timeout(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_keep_the_other_variants() {
        let now = Instant::now();
        let t: Output<u8, u16> = Output::Transmit(1);
        assert_eq!(t.map_transmit(u32::from), Output::Transmit(1u32));
        let e: Output<u8, u16> = Output::Event(2);
        assert_eq!(e.clone().map_transmit(u32::from), Output::Event(2));
        assert_eq!(e.map_event(u32::from), Output::Event(2u32));
        let z: Output<u8, u16> = Output::Timeout(Some(now));
        assert_eq!(z.map_event(u32::from), Output::Timeout(Some(now)));
    }
}
