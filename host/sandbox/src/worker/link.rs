//! The worker's end of the connection: mailbox, doorbells, mappings and its stock of
//! lent output slots (which is also the element's allocator).

use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use parallax_core::BufferMut;
use parallax_core::memory::{MemfdRegion, Memory, MemoryError, SharedPeer, SlotSource};

use crate::error::SandboxError;
use crate::fdpass;
use crate::mailbox::{self, Direction, Mailbox};
use crate::port::Port;
use crate::protocol::{FromWorker, Grant, MapKind, ToWorker};
use crate::spin::Spin;

/// Everything the worker loop and the allocator share.
pub(crate) struct Link {
    pub(crate) mailbox: &'static Mailbox,
    pub(crate) socket: OwnedFd,
    pub(crate) bell_in: OwnedFd,
    pub(crate) bell_out: OwnedFd,
    pub(crate) data: HashMap<u64, Arc<MemfdRegion>>,
    pub(crate) table: Option<SharedPeer>,
    pub(crate) outputs: HashMap<u64, SharedPeer>,
    stock: Vec<Memory>,
    port: Port,
}

impl Link {
    pub(crate) fn new(
        mailbox: &'static Mailbox,
        socket: OwnedFd,
        bell_in: OwnedFd,
        bell_out: OwnedFd,
    ) -> Self {
        Link {
            mailbox,
            socket,
            bell_in,
            bell_out,
            data: HashMap::new(),
            table: None,
            outputs: HashMap::new(),
            stock: Vec::new(),
            port: Port::new(Direction::ToHost, Spin::default()),
        }
    }

    pub(crate) fn send(&mut self, message: &FromWorker) -> Result<(), SandboxError> {
        self.port.send(self.mailbox, &self.bell_out, message)
    }

    /// The next request; after a reply the worker spins for it while that pays (see
    /// `spin.rs`), then sleeps on its doorbell.
    pub(crate) fn receive(&mut self) -> Result<ToWorker, SandboxError> {
        let bell = &self.bell_in;
        self.port.wait(self.mailbox, || mailbox::wait(bell))?;
        self.port.take(self.mailbox)
    }

    /// Maps the fds the host queued on the socket for `maps`, in order.
    pub(crate) fn apply_maps(&mut self, maps: &[(u64, MapKind)]) -> Result<(), SandboxError> {
        let mut buf = [0u8; 16];
        for &(id, kind) in maps {
            let (_, mut fds) = fdpass::recv(&self.socket, &mut buf)?;
            let fd = fds
                .pop()
                .ok_or_else(|| SandboxError::Protocol("a map came without its fd".into()))?;
            match kind {
                MapKind::Data => {
                    self.data.insert(id, Arc::new(MemfdRegion::map(fd, false)?));
                }
                MapKind::LeaseTable => self.table = Some(SharedPeer::attach(fd)?),
                MapKind::Output => {
                    self.outputs.insert(id, SharedPeer::attach(fd)?);
                }
            }
        }
        Ok(())
    }

    pub(crate) fn add_grants(&mut self, grants: &[Grant]) -> Result<(), SandboxError> {
        for grant in grants {
            let memory = self
                .outputs
                .get(&grant.arena)
                .and_then(|peer| peer.take_lent(grant.slot))
                .ok_or_else(|| SandboxError::Protocol("grant of an unknown slot".into()))?;
            self.stock.push(memory);
        }
        Ok(())
    }

    /// Gives every unused lent slot back (the element is gone).
    pub(crate) fn release_stock(&mut self) {
        self.stock.clear();
    }

    fn take_from_stock(&mut self, len: usize) -> Option<BufferMut> {
        let best = self
            .stock
            .iter()
            .enumerate()
            .filter(|(_, m)| m.capacity() >= len)
            .min_by_key(|(_, m)| m.capacity())
            .map(|(i, _)| i)?;
        let memory = self.stock.swap_remove(best);
        let mut buffer = BufferMut::from_unique(memory)?;
        buffer.set_len(len);
        Some(buffer)
    }
}

/// The element's allocator inside the worker: lent slots, more on request.
pub(crate) struct LinkSource(pub(crate) Arc<Mutex<Link>>);

impl SlotSource for LinkSource {
    fn allocate(
        &mut self,
        len: usize,
        _cancel: &AtomicBool,
    ) -> Result<Option<BufferMut>, MemoryError> {
        let mut link = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(buffer) = link.take_from_stock(len) {
            return Ok(Some(buffer));
        }
        let refused = |_| MemoryError::BadHeader("the host did not lend a slot");
        link.send(&FromWorker::NeedSlots { len: len as u64 })
            .map_err(refused)?;
        match link.receive().map_err(refused)? {
            ToWorker::Grants { grants, maps } => {
                link.apply_maps(&maps).map_err(refused)?;
                link.add_grants(&grants).map_err(refused)?;
            }
            // Stopping while we waited: the host answers the request with a stop.
            _ => return Ok(None),
        }
        Ok(link.take_from_stock(len))
    }
}
