//! One operation in flight, many waiters: every caller that arrives while it
//! runs gets the same outcome instead of starting its own.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

struct Slot<T> {
    outcome: Option<T>,
    wakers: Vec<Waker>,
}

/// The shared state of one flight.
pub struct Flight<T: Clone> {
    slot: Rc<RefCell<Slot<T>>>,
}

impl<T: Clone> Clone for Flight<T> {
    fn clone(&self) -> Self {
        Flight {
            slot: self.slot.clone(),
        }
    }
}

impl<T: Clone> Default for Flight<T> {
    fn default() -> Self {
        Flight {
            slot: Rc::new(RefCell::new(Slot {
                outcome: None,
                wakers: Vec::new(),
            })),
        }
    }
}

impl<T: Clone> Flight<T> {
    /// Lands the flight: every waiter wakes with `outcome`.
    pub fn land(&self, outcome: T) {
        let wakers = {
            let mut slot = self.slot.borrow_mut();
            slot.outcome = Some(outcome);
            std::mem::take(&mut slot.wakers)
        };
        for waker in wakers {
            waker.wake();
        }
    }

    /// A future that resolves to the outcome.
    pub fn wait(&self) -> Wait<T> {
        Wait {
            slot: self.slot.clone(),
        }
    }
}

/// Resolves when the flight lands.
pub struct Wait<T> {
    slot: Rc<RefCell<Slot<T>>>,
}

impl<T: Clone> Future for Wait<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut slot = self.slot.borrow_mut();
        match &slot.outcome {
            Some(outcome) => Poll::Ready(outcome.clone()),
            None => {
                slot.wakers.push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::Wake;

    struct Count(std::sync::atomic::AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[test]
    fn every_waiter_gets_the_one_outcome() {
        let count = Arc::new(Count(0.into()));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        let flight: Flight<Result<u32, String>> = Flight::default();
        let mut a = flight.wait();
        let mut b = flight.clone().wait();
        assert!(Pin::new(&mut a).poll(&mut cx).is_pending());
        assert!(Pin::new(&mut b).poll(&mut cx).is_pending());
        flight.land(Ok(7));
        assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 2);
        assert_eq!(Pin::new(&mut a).poll(&mut cx), Poll::Ready(Ok(7)));
        assert_eq!(Pin::new(&mut b).poll(&mut cx), Poll::Ready(Ok(7)));
        let mut late = flight.wait();
        assert_eq!(Pin::new(&mut late).poll(&mut cx), Poll::Ready(Ok(7)));
    }
}
