//! Time limits that cost nothing when they are not needed.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Sleep;

pin_project_lite::pin_project! {
    /// `future`, for at most a time counted from its first wait (see
    /// [`within`]).
    #[derive(Debug)]
    pub(crate) struct Within<F> {
        #[pin]
        future: F,
        limit: Option<Duration>,
        // Made at the first wait, and kept out of line: a tokio timer is
        // large, and the server's per-request future is allocated for
        // every request.
        timer: Option<Pin<Box<Sleep>>>,
    }
}

/// Runs `future` for at most `limit` (no limit: `None`), counted from its
/// first wait: `None` when the time ran out. A future that ends on its
/// first poll (a body already read, a sync handler's call) never sets a
/// timer.
pub(crate) fn within<F: Future>(limit: Option<Duration>, future: F) -> Within<F> {
    Within {
        future,
        limit,
        timer: None,
    }
}

impl<F: Future> Future for Within<F> {
    type Output = Option<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Some(output));
        }
        let Some(limit) = *this.limit else {
            return Poll::Pending;
        };
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ready_future_needs_no_timer() {
        // No runtime, so no timer could be made: a ready future needs none.
        let ready = within(Some(Duration::ZERO), async { 7 });
        assert_eq!(futures::executor::block_on(ready), Some(7));
        let unlimited = within(None, async { 8 });
        assert_eq!(futures::executor::block_on(unlimited), Some(8));
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiting_future_gets_its_time_from_its_first_wait() {
        let slow = async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            "late"
        };
        assert_eq!(within(Some(Duration::from_secs(1)), slow).await, None);
        let in_time = async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            "in time"
        };
        assert_eq!(
            within(Some(Duration::from_secs(1)), in_time).await,
            Some("in time")
        );
    }
}
