//! What every tokio adapter test file needs besides the shared machines.
#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

/// Every wait in the tests is bounded: 10 s for what takes milliseconds.
pub async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(10), f)
        .await
        .expect("the test timed out")
}

/// The clock the driver gives the machine (tokio's).
pub fn tokio_now() -> std::time::Instant {
    tokio::time::Instant::now().into_std()
}
