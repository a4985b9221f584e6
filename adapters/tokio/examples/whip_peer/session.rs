//! The session task: one peer connection in its own driver, commands from other tasks.

use super::*;

/// What a session does with its machine's events.
pub(crate) trait Session: Send + 'static {
    fn on_event(&mut self, pc: &mut RtcPeerConnection, now: Instant, event: PeerEvent);

    /// Whether the session is over (the task then closes the connection
    /// and ends).
    fn finished(&self, _pc: &RtcPeerConnection) -> bool {
        false
    }
}

/// A command from another task: runs with the machine and the session.
pub(crate) type Command<S> = Box<dyn FnOnce(&mut RtcPeerConnection, &mut S, Instant) + Send>;

pub(crate) enum Message<S> {
    Run(Command<S>),
    /// `close()`, then the task sends what is left and ends.
    Close(oneshot::Sender<()>),
}

/// A handle on a running session.
pub(crate) struct Handle<S> {
    pub(crate) tx: mpsc::UnboundedSender<Message<S>>,
    /// The transport as it was when the task ended.
    pub(crate) last_info: Arc<Mutex<Option<Map<String, Value>>>>,
}

impl<S: Session> Handle<S> {
    /// Runs `f` on the session's task and returns its result.
    pub(crate) async fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut RtcPeerConnection, &mut S, Instant) -> R + Send + 'static,
    ) -> Option<R> {
        let (reply, rx) = oneshot::channel();
        let command: Command<S> = Box::new(move |pc, s, now| {
            let _ = reply.send(f(pc, s, now));
        });
        self.tx.send(Message::Run(command)).ok()?;
        rx.await.ok()
    }

    /// Closes the peer connection and waits (a bounded time) until what
    /// closing sends has left.
    pub(crate) async fn close(&self) {
        let (done, rx) = oneshot::channel();
        if self.tx.send(Message::Close(done)).is_ok() {
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, rx).await;
        }
    }
}

/// Spawns the loop of one session: the driver's events go to `session`,
/// commands from other tasks are applied with `with_machine`.
pub(crate) fn spawn_session<S: Session>(
    mut driver: Driver<RtcPeerConnection>,
    mut session: S,
) -> Handle<S> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Message<S>>();
    let last_info = Arc::new(Mutex::new(None));
    let info = last_info.clone();
    tokio::spawn(async move {
        // Looks at `finished` now and then, also when no event comes.
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut done = None;
        loop {
            tokio::select! {
                event = driver.next_event() => match event {
                    Ok(event) => driver.with_machine(|pc| session.on_event(pc, now(), event)),
                    Err(e) => {
                        tracing::error!("driver: {e}");
                        break;
                    }
                },
                message = rx.recv() => match message {
                    Some(Message::Run(command)) => {
                        driver.with_machine(|pc| command(pc, &mut session, now()))
                    }
                    Some(Message::Close(reply)) => {
                        done = Some(reply);
                        break;
                    }
                    None => break,
                },
                _ = tick.tick() => {}
            }
            if session.finished(driver.machine()) {
                tracing::info!("the session is over");
                break;
            }
        }
        *info.lock().unwrap() = Some(transport_info(driver.machine()));
        log_stats("session", driver.machine());
        driver.with_machine(|pc| pc.close(now()));
        // close_notify, SCTP ABORT: out before the socket goes.
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, driver.flush()).await;
        tracing::info!("session closed; driver {:?}", driver.counters());
        if let Some(reply) = done {
            let _ = reply.send(());
        }
    });
    Handle { tx, last_info }
}

/// Answers a name-resolution request: `.local` (mDNS) names are not
/// resolved here (the remote's peer-reflexive candidate takes their place);
/// literal addresses are.
pub(crate) fn resolve(
    pc: &mut RtcPeerConnection,
    now: Instant,
    id: sansrtc::ResolveId,
    name: &str,
) {
    let addresses: Vec<std::net::IpAddr> = name.parse().into_iter().collect();
    tracing::info!("resolve {name}: {addresses:?}");
    if let Err(e) = pc.resolved(now, id, &addresses) {
        tracing::warn!("resolved({name}): {e}");
    }
}

pub(crate) fn gathering_done(event: &PeerEvent) -> bool {
    matches!(
        event,
        PeerEvent::IceGatheringStateChange(IceGatheringState::Complete)
            | PeerEvent::IceCandidate(None)
    )
}
