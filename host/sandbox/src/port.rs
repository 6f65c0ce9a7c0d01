//! One side's end of the mailbox: sequence numbers, reused encode buffers, and the wait
//! for the next message (spin while it pays, then sleep on the doorbell).
//!
//! Nothing here trusts the peer: a sequence number that moves is only a hint to read the
//! area, whose bytes are copied out and validated by [`Port::take`]; a peer that never
//! publishes leaves the waiter in its `block` callback, which on the host carries the
//! call's timeout and the worker's pidfd.

use std::os::fd::AsFd;

use rkyv::util::AlignedVec;

use crate::error::SandboxError;
use crate::mailbox::{self, Direction, Mailbox};
use crate::spin::Spin;

/// Spin iterations between two looks at the clock.
const CHECKS_PER_CLOCK: u32 = 32;
/// After this long a spin yields the CPU at each look at the clock.
const YIELD_AFTER_NS: u64 = 2_000;

/// One side of a mailbox.
#[derive(Debug)]
pub struct Port {
    out: Direction,
    inbound: Direction,
    sent: u32,
    seen: u32,
    encoded: AlignedVec,
    scratch: AlignedVec,
    spin: Spin,
}

impl Port {
    /// The end that sends in direction `out` and receives in the other one.
    pub fn new(out: Direction, spin: Spin) -> Self {
        let inbound = match out {
            Direction::ToWorker => Direction::ToHost,
            Direction::ToHost => Direction::ToWorker,
        };
        Port {
            out,
            inbound,
            sent: 0,
            seen: 0,
            encoded: AlignedVec::new(),
            scratch: AlignedVec::new(),
            spin,
        }
    }

    /// Encodes `message` into the mailbox and publishes it; says whether the peer
    /// sleeps and must be rung.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Protocol`] when encoding fails or the message is too large.
    pub fn put<T>(&mut self, mailbox: &Mailbox, message: &T) -> Result<bool, SandboxError>
    where
        T: for<'a> rkyv::Serialize<
                rkyv::api::high::HighSerializer<
                    AlignedVec,
                    rkyv::ser::allocator::ArenaHandle<'a>,
                    rkyv::rancor::Error,
                >,
            >,
    {
        let mut buffer = std::mem::take(&mut self.encoded);
        buffer.clear();
        let buffer = rkyv::api::high::to_bytes_in::<_, rkyv::rancor::Error>(message, buffer)
            .map_err(|e| SandboxError::Protocol(format!("encode: {e}")))?;
        let written = mailbox.write(self.out, &buffer);
        self.encoded = buffer;
        written?;
        self.sent = self.sent.wrapping_add(1);
        Ok(mailbox.publish(self.out, self.sent))
    }

    /// [`Port::put`], then rings `bell` if the peer sleeps.
    ///
    /// # Errors
    ///
    /// As [`Port::put`]; [`SandboxError::Os`] when the doorbell cannot be rung.
    pub fn send<T>(
        &mut self,
        mailbox: &Mailbox,
        bell: impl AsFd,
        message: &T,
    ) -> Result<(), SandboxError>
    where
        T: for<'a> rkyv::Serialize<
                rkyv::api::high::HighSerializer<
                    AlignedVec,
                    rkyv::ser::allocator::ArenaHandle<'a>,
                    rkyv::rancor::Error,
                >,
            >,
    {
        if self.put(mailbox, message)? {
            mailbox::ring(bell)?;
        }
        Ok(())
    }

    /// Whether the peer published a message this side has not taken.
    pub fn pending(&self, mailbox: &Mailbox) -> bool {
        mailbox.seq(self.inbound) != self.seen
    }

    /// Waits until the peer has published a message: spins while that pays, then
    /// announces sleep and calls `block` (which must return once the doorbell rang, or
    /// fail) until a message is there.
    ///
    /// # Errors
    ///
    /// Whatever `block` returns.
    pub fn wait<E>(
        &mut self,
        mailbox: &Mailbox,
        mut block: impl FnMut() -> Result<(), E>,
    ) -> Result<(), E> {
        let start = mailbox::now_ns();
        if self.pending(mailbox) {
            self.spin.caught(0);
            return Ok(());
        }
        // A peer that last ran on this very CPU cannot answer while we spin here (on a
        // loaded machine the woken peer often lands on the waker's CPU).
        let cpu = rustix::thread::sched_getcpu() as u32;
        mailbox.set_cpu(self.inbound, cpu);
        let budget = if mailbox.cpu(self.out) == cpu {
            0
        } else {
            self.spin.budget_ns()
        };
        if budget > 0 {
            let deadline = start.saturating_add(budget);
            loop {
                for _ in 0..CHECKS_PER_CLOCK {
                    if self.pending(mailbox) {
                        let gap = mailbox.stamp_ns(self.inbound).saturating_sub(start);
                        self.spin.caught(gap);
                        return Ok(());
                    }
                    std::hint::spin_loop();
                }
                let now = mailbox::now_ns();
                if now >= deadline {
                    break;
                }
                if now.saturating_sub(start) >= YIELD_AFTER_NS {
                    // The peer may be waiting for this very CPU (on a loaded machine the
                    // woken peer often lands on ours): let it run. Without other runnable
                    // tasks this returns at once.
                    rustix::thread::sched_yield();
                }
            }
        }
        loop {
            if mailbox.announce_sleep(self.inbound) != self.seen {
                mailbox.awake(self.inbound);
                break;
            }
            let woke = block();
            mailbox.awake(self.inbound);
            woke?;
            if self.pending(mailbox) {
                break;
            }
        }
        let gap = mailbox.stamp_ns(self.inbound).saturating_sub(start);
        self.spin.slept(gap, budget > 0);
        Ok(())
    }

    /// Takes the message the peer published: copies it out of shared memory, validates
    /// and decodes it.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Protocol`] when the bytes are not a valid `T`.
    pub fn take<T>(&mut self, mailbox: &Mailbox) -> Result<T, SandboxError>
    where
        T: rkyv::Archive,
        T::Archived: for<'a> rkyv::bytecheck::CheckBytes<
                rkyv::api::high::HighValidator<'a, rkyv::rancor::Error>,
            > + rkyv::Deserialize<T, rkyv::api::high::HighDeserializer<rkyv::rancor::Error>>,
    {
        self.seen = mailbox.seq(self.inbound);
        mailbox.read(self.inbound, &mut self.scratch)?;
        rkyv::from_bytes::<T, rkyv::rancor::Error>(&self.scratch)
            .map_err(|e| SandboxError::Protocol(format!("invalid message: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use std::os::fd::{AsFd, OwnedFd};
    use std::time::Duration;

    use rustix::event::{PollFd, PollFlags};

    use super::*;

    fn eventfd() -> OwnedFd {
        rustix::event::eventfd(0, rustix::event::EventfdFlags::CLOEXEC).expect("eventfd")
    }

    /// Sleeps until `bell` rings; a wake-up lost for 5 s fails instead of hanging.
    fn sleep_on(bell: &OwnedFd) -> Result<(), String> {
        let timeout = rustix::event::Timespec {
            tv_sec: 5,
            tv_nsec: 0,
        };
        let mut fds = [PollFd::new(bell, PollFlags::IN)];
        rustix::event::poll(&mut fds, Some(&timeout)).map_err(|e| e.to_string())?;
        if !fds[0].revents().contains(PollFlags::IN) {
            return Err("lost wake-up: nothing rang for 5 s".into());
        }
        mailbox::wait(bell).map_err(|e| e.to_string())
    }

    /// Two threads over two mappings of one mailbox ping-pong `rounds` numbers; the
    /// answerer sleeps now and then so that both the spinning and the sleeping paths
    /// (and the races between them) are taken.
    fn ping_pong(host_spin: Spin, worker_spin: Spin, rounds: u64) {
        let host_box = Mailbox::create().expect("mailbox");
        let fd = host_box.fd().try_clone_to_owned().expect("dup");
        let worker_box = Mailbox::attach(fd).expect("attach");
        let (to_worker, to_host) = (eventfd(), eventfd());
        let to_worker_peer = to_worker.try_clone().expect("dup");
        let to_host_peer = to_host.try_clone().expect("dup");
        let worker = std::thread::spawn(move || -> Result<(), String> {
            let mut port = Port::new(Direction::ToHost, worker_spin);
            for i in 0..rounds {
                port.wait(&worker_box, || sleep_on(&to_worker_peer))?;
                let asked: u64 = port.take(&worker_box).map_err(|e| e.to_string())?;
                if asked != i {
                    return Err(format!("worker got {asked}, expected {i}"));
                }
                if i % 97 == 0 {
                    std::thread::sleep(Duration::from_micros(i % 300));
                }
                port.send(&worker_box, to_host_peer.as_fd(), &(asked * 2))
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        });
        let mut port = Port::new(Direction::ToWorker, host_spin);
        for i in 0..rounds {
            port.send(&host_box, to_worker.as_fd(), &i).expect("send");
            port.wait(&host_box, || sleep_on(&to_host))
                .unwrap_or_else(|e| panic!("round {i}: {e}"));
            let answer: u64 = port.take(&host_box).expect("valid answer");
            assert_eq!(answer, i * 2);
            if i % 89 == 0 {
                std::thread::sleep(Duration::from_micros(i % 200));
            }
        }
        worker.join().expect("worker thread").expect("worker side");
    }

    #[test]
    fn no_wake_up_is_lost_when_both_sides_always_sleep() {
        ping_pong(Spin::never(), Spin::never(), 20_000);
    }

    #[test]
    fn no_wake_up_is_lost_when_both_sides_spin_first() {
        ping_pong(Spin::default(), Spin::default(), 100_000);
    }

    #[test]
    fn no_wake_up_is_lost_when_only_one_side_spins() {
        ping_pong(Spin::default(), Spin::never(), 10_000);
        ping_pong(Spin::never(), Spin::default(), 10_000);
    }

    #[test]
    fn a_lying_peer_gets_an_error_not_a_bad_read() {
        let host_box = Mailbox::create().expect("mailbox");
        let fd = host_box.fd().try_clone_to_owned().expect("dup");
        let liar = Mailbox::attach(fd).expect("attach");
        let mut port = Port::new(Direction::ToWorker, Spin::default());
        // Garbage bytes under a moved sequence number.
        liar.write(Direction::ToHost, &[0xff; 40]).expect("write");
        liar.publish(Direction::ToHost, 7);
        assert!(port.pending(&host_box));
        assert!(port.take::<crate::protocol::FromWorker>(&host_box).is_err());
        // A length word beyond the area.
        liar.publish(Direction::ToHost, 8);
        host_box.corrupt_len_for_test(Direction::ToHost);
        assert!(port.take::<crate::protocol::FromWorker>(&host_box).is_err());
        // Nothing moved: a waiter with no message goes to its `block` (here: an error
        // standing for the host's timeout) instead of spinning forever.
        let waited = port.wait(&host_box, || Err::<(), _>("timed out"));
        assert_eq!(waited, Err("timed out"));
    }
}
