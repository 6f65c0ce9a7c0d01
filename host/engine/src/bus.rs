//! The bus: how a running pipeline tells the application what happens.
//!
//! Any number of subscribers each get every message posted after they subscribed, in
//! order. Posting never blocks a streaming thread (unbounded channels; the engine posts
//! only control-rate messages, never one per buffer), so a slow reader cannot stall data.

use std::sync::{Arc, Mutex};

use parallax_core::{ClockTime, ElementError, Structure};
use tokio::sync::mpsc;

use crate::State;

/// Throughput counters of one element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementStats {
    /// Element name.
    pub element: String,
    /// Buffers that entered the element (produced, for a source).
    pub buffers: u64,
    /// Bytes in those buffers.
    pub bytes: u64,
}

/// A bus message.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The pipeline changed state.
    StateChanged {
        /// Before.
        old: State,
        /// After.
        new: State,
    },
    /// Every sink has received end of stream.
    Eos,
    /// An element failed; the pipeline stops.
    Error {
        /// The element.
        element: String,
        /// What happened.
        error: ElementError,
    },
    /// An element reports a problem it recovered from.
    Warning {
        /// The element.
        element: String,
        /// What happened.
        message: String,
    },
    /// An element-specific message.
    Element {
        /// The element.
        element: String,
        /// Its content.
        structure: Structure,
    },
    /// A running element's WebAssembly component was replaced between two buffers
    /// (hot reload).
    Replaced {
        /// The element.
        element: String,
        /// SHA-256 of the component that ran before.
        old_hash: String,
        /// SHA-256 of the component that runs now.
        new_hash: String,
        /// How long the element's streaming thread spent on the swap.
        pause: std::time::Duration,
        /// Whether the old instance's state was handed to the new one.
        state_handed_over: bool,
    },
    /// Periodic throughput counters.
    Stats {
        /// Running time when the counters were read.
        running_time: ClockTime,
        /// One entry per element.
        elements: Vec<ElementStats>,
    },
}

/// The sending side, shared by the engine.
#[derive(Debug, Clone, Default)]
pub struct Bus {
    subscribers: Arc<Mutex<Vec<mpsc::UnboundedSender<Message>>>>,
}

impl Bus {
    /// A bus with no subscribers.
    pub fn new() -> Self {
        Self::default()
    }

    /// A receiver of every message posted from now on.
    pub fn subscribe(&self) -> BusReceiver {
        let (tx, rx) = mpsc::unbounded_channel();
        self.lock().push(tx);
        BusReceiver { rx }
    }

    /// Posts `message` to every subscriber; subscribers that went away are forgotten.
    pub fn post(&self, message: Message) {
        self.lock().retain(|tx| tx.send(message.clone()).is_ok());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<mpsc::UnboundedSender<Message>>> {
        self.subscribers.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The receiving side of one subscription.
#[derive(Debug)]
pub struct BusReceiver {
    rx: mpsc::UnboundedReceiver<Message>,
}

impl BusReceiver {
    /// The next message; `None` once the pipeline is gone.
    pub async fn recv(&mut self) -> Option<Message> {
        self.rx.recv().await
    }

    /// The next message if one is waiting.
    pub fn try_recv(&mut self) -> Option<Message> {
        self.rx.try_recv().ok()
    }

    /// The next message, blocking the thread (for code outside an async runtime).
    pub fn blocking_recv(&mut self) -> Option<Message> {
        self.rx.blocking_recv()
    }
}
