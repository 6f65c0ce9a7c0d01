//! The shared mailbox and its doorbells: how one control message crosses per direction.
//!
//! One sealed memfd holds, per direction, a 16-byte header (length, sequence number,
//! publish stamp) directly followed by a 60 KiB message area, so that a short message and
//! its sequence number share cache lines (each line the receiver reads is one more
//! transfer between CPUs); plus a "sleeping" flag per receiver and a fault word the
//! worker's SIGSYS handler fills. The protocol alternates strictly (host writes,
//! worker reads and answers), so each area has one writer at a time and needs no lock.
//!
//! A message is published by bumping its direction's sequence number; the receiver spins
//! on that word for a while (see [`crate::spin`]) and only then sleeps on an eventfd
//! doorbell. The sender rings the doorbell only when the receiver said it sleeps, with the
//! Dekker pattern: the sender stores the sequence number, fences, reads the flag; the
//! receiver stores the flag, fences, re-reads the sequence number. With both fences
//! `SeqCst` at least one side sees the other's store, so a wake-up is never lost, and a
//! peer that is awake costs no system call.
//!
//! This module is one of the sandbox's two `unsafe` modules: it turns the mapping into
//! atomics and byte copies. Lengths read from shared memory are checked before use.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering, fence};

use parallax_core::memory::MemfdRegion;
use rkyv::util::AlignedVec;

use crate::error::SandboxError;

/// Offsets inside a direction's header (at the start of its area, written by the sender).
const LEN: usize = 0;
const SEQ: usize = 4;
const STAMP: usize = 8;
/// Where the message starts after the header.
const HEADER: usize = 16;
const FAULT: usize = 128;
const CULPRIT: usize = 192;
/// State line of the worker (receiver of host-to-worker messages): its "sleeping" flag
/// and the CPU it last waited on.
const WORKER_STATE: usize = 256;
/// State line of the host.
const HOST_STATE: usize = 320;
/// Offsets inside a state line.
const SLEEPING: usize = 0;
const CPU: usize = 4;
const AREA_OFFSET: usize = 4096;
/// Largest message in either direction.
pub const AREA_CAPACITY: usize = 60 * 1024;
const _: () = assert!(HEADER + AREA_CAPACITY <= AREA_STRIDE);
const AREA_STRIDE: usize = 64 * 1024;
/// Bytes of the mailbox memfd.
pub const MAILBOX_LEN: usize = AREA_OFFSET + 2 * AREA_STRIDE;

/// Which way a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Host to worker.
    ToWorker,
    /// Worker to host.
    ToHost,
}

impl Direction {
    /// The direction's header, followed by its message.
    fn line(self) -> usize {
        match self {
            Direction::ToWorker => AREA_OFFSET,
            Direction::ToHost => AREA_OFFSET + AREA_STRIDE,
        }
    }

    /// The state line of this direction's receiver.
    fn receiver(self) -> usize {
        match self {
            Direction::ToWorker => WORKER_STATE,
            Direction::ToHost => HOST_STATE,
        }
    }

    fn area_offset(self) -> usize {
        self.line() + HEADER
    }
}

/// The mapped mailbox.
#[derive(Debug)]
pub struct Mailbox {
    region: MemfdRegion,
}

impl Mailbox {
    /// A fresh, sealed mailbox (host side).
    ///
    /// # Errors
    ///
    /// [`SandboxError::Memory`] when the memfd cannot be made.
    pub fn create() -> Result<Self, SandboxError> {
        let region = MemfdRegion::create("parallax-mailbox", MAILBOX_LEN)?;
        region.seal_seals()?;
        Ok(Mailbox { region })
    }

    /// Maps a mailbox received from the host (worker side).
    ///
    /// # Errors
    ///
    /// [`SandboxError::Memory`] when it cannot be mapped or is too small.
    pub fn attach(fd: OwnedFd) -> Result<Self, SandboxError> {
        let region = MemfdRegion::map(fd, true)?;
        if region.len() < MAILBOX_LEN {
            return Err(SandboxError::Protocol("mailbox too small".into()));
        }
        Ok(Mailbox { region })
    }

    /// The memfd, to send to the worker.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.region.fd()
    }

    fn word(&self, offset: usize) -> &AtomicU32 {
        debug_assert!(offset.is_multiple_of(4) && offset + 4 <= MAILBOX_LEN);
        // SAFETY: `offset` is one of the constant, 4-aligned header offsets, inside the
        // mapping (at least MAILBOX_LEN bytes, checked in `attach`); the word is only ever
        // accessed atomically, and any bit pattern is a valid u32.
        unsafe { &*self.region.as_ptr().add(offset).cast::<AtomicU32>() }
    }

    fn stamp(&self, direction: Direction) -> &AtomicU64 {
        let offset = direction.line() + STAMP;
        debug_assert!(offset.is_multiple_of(8) && offset + 8 <= MAILBOX_LEN);
        // SAFETY: as for `word`; the offset is 8-aligned (the mapping is page-aligned).
        unsafe { &*self.region.as_ptr().add(offset).cast::<AtomicU64>() }
    }

    /// The word the worker's SIGSYS handler writes (syscall number + 1; 0 = none).
    pub fn fault_word(&self) -> &AtomicU32 {
        self.word(FAULT)
    }

    /// The word the worker's fault reporters write: the group member whose thread
    /// faulted (+1; 0 = unknown).
    pub fn culprit_word(&self) -> &AtomicU32 {
        self.word(CULPRIT)
    }

    /// Writes `bytes` as the next message in `direction`.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Protocol`] when the message is larger than the area.
    pub fn write(&self, direction: Direction, bytes: &[u8]) -> Result<(), SandboxError> {
        if bytes.len() > AREA_CAPACITY {
            return Err(SandboxError::Protocol(format!(
                "a {}-byte control message does not fit the mailbox",
                bytes.len()
            )));
        }
        // SAFETY: the area lies inside the mapping and is AREA_CAPACITY bytes long; by the
        // alternating protocol the other side does not read it until we publish, and even a
        // misbehaving reader only sees bytes, never our memory.
        unsafe {
            std::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                self.region.as_ptr().add(direction.area_offset()),
                bytes.len(),
            );
        }
        self.word(direction.line() + LEN)
            .store(bytes.len() as u32, Ordering::Release);
        Ok(())
    }

    /// Publishes the message just written in `direction` as number `seq`, stamped with
    /// the time; says whether the receiver sleeps (and so must be rung).
    pub fn publish(&self, direction: Direction, seq: u32) -> bool {
        self.stamp(direction).store(now_ns(), Ordering::Relaxed);
        self.word(direction.line() + SEQ)
            .store(seq, Ordering::Release);
        // Dekker: our sequence store before the receiver's flag load (see the module
        // comment); pairs with the fence in `announce_sleep`.
        fence(Ordering::SeqCst);
        self.word(direction.receiver() + SLEEPING)
            .load(Ordering::Relaxed)
            != 0
    }

    /// The sequence number of the last message published in `direction`.
    pub fn seq(&self, direction: Direction) -> u32 {
        self.word(direction.line() + SEQ).load(Ordering::Acquire)
    }

    /// When the last message in `direction` was published (ns of `CLOCK_MONOTONIC`, as
    /// the sender claims).
    pub fn stamp_ns(&self, direction: Direction) -> u64 {
        self.stamp(direction).load(Ordering::Relaxed)
    }

    /// The receiver of `direction` is about to sleep: sets its flag and returns the
    /// sequence number it must re-check before blocking.
    pub fn announce_sleep(&self, direction: Direction) -> u32 {
        self.word(direction.receiver() + SLEEPING)
            .store(1, Ordering::Relaxed);
        // Dekker: our flag store before the sender's sequence load; pairs with the fence
        // in `publish`.
        fence(Ordering::SeqCst);
        self.seq(direction)
    }

    /// Notes the CPU the receiver of `direction` waits on. Written only when it changed,
    /// so that the peer's cached copy of the line stays valid (a store would move the
    /// line to this CPU and back on every message).
    pub fn set_cpu(&self, direction: Direction, cpu: u32) {
        let word = self.word(direction.receiver() + CPU);
        if word.load(Ordering::Relaxed) != cpu {
            word.store(cpu, Ordering::Relaxed);
        }
    }

    /// The CPU the receiver of `direction` last waited on (as it claims).
    pub fn cpu(&self, direction: Direction) -> u32 {
        self.word(direction.receiver() + CPU)
            .load(Ordering::Relaxed)
    }

    /// Writes a length word beyond the area, as a hostile peer could.
    #[cfg(test)]
    pub(crate) fn corrupt_len_for_test(&self, direction: Direction) {
        self.word(direction.line() + LEN)
            .store(u32::MAX, Ordering::Relaxed);
    }

    /// The receiver of `direction` is awake again.
    pub fn awake(&self, direction: Direction) {
        self.word(direction.receiver() + SLEEPING)
            .store(0, Ordering::Relaxed);
    }

    /// Copies the current message in `direction` into `out` (so that the sender cannot
    /// change it while it is validated).
    ///
    /// # Errors
    ///
    /// [`SandboxError::Protocol`] when the length word is out of range.
    pub fn read(&self, direction: Direction, out: &mut AlignedVec) -> Result<(), SandboxError> {
        let len = self.word(direction.line() + LEN).load(Ordering::Acquire) as usize;
        if len > AREA_CAPACITY {
            return Err(SandboxError::Protocol(format!(
                "message length {len} is out of range"
            )));
        }
        out.clear();
        // SAFETY: `len <= AREA_CAPACITY`, so the range is inside the area, which is inside
        // the mapping. The bytes may be changing under us (a hostile writer); we copy them
        // and everything after works on the private copy.
        let src = unsafe {
            std::slice::from_raw_parts(self.region.as_ptr().add(direction.area_offset()), len)
        };
        out.extend_from_slice(src);
        Ok(())
    }
}

/// Rings an eventfd doorbell.
///
/// # Errors
///
/// [`SandboxError::Os`] when the write fails.
pub fn ring(bell: impl AsFd) -> Result<(), SandboxError> {
    rustix::io::write(bell, &1u64.to_ne_bytes())
        .map_err(|e| SandboxError::os("eventfd write", e))?;
    Ok(())
}

/// Waits for a doorbell (blocking read).
///
/// # Errors
///
/// [`SandboxError::Os`] when the read fails.
pub fn wait(bell: impl AsFd) -> Result<(), SandboxError> {
    let mut value = [0u8; 8];
    loop {
        match rustix::io::read(&bell, &mut value) {
            Ok(_) => return Ok(()),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(SandboxError::os("eventfd read", e)),
        }
    }
}

/// `CLOCK_MONOTONIC` in ns (through the vDSO: no system call).
pub fn now_ns() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    (t.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(t.tv_nsec as u64)
}
