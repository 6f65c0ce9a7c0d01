//! SharedArena across two real processes.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode, Stdio};

use parallax_core::memory::{SharedArena, SharedPeer};

use crate::{TestResult, check};

pub(crate) const PEER_COMMAND: &str = "__stress-peer";

/// The peer: maps the owner's arena through /proc, then for every `slot stamp` line takes
/// the lent slot, checks the stamp, clones and drops it a few times and releases it.
/// `hold` makes it keep every slot (for the crash test).
pub(crate) fn peer_main(args: &[String]) -> ExitCode {
    let (Some(path), Some(mode)) = (args.first(), args.get(1)) else {
        return ExitCode::from(3);
    };
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
    else {
        return ExitCode::from(4);
    };
    let Ok(peer) = SharedPeer::attach(file.into()) else {
        return ExitCode::from(5);
    };
    let mut kept = Vec::new();
    for line in BufReader::new(std::io::stdin()).lines() {
        let Ok(line) = line else { break };
        let mut parts = line
            .split_whitespace()
            .map(|p| p.parse::<u64>().unwrap_or(u64::MAX));
        let (Some(slot), Some(stamp)) = (parts.next(), parts.next()) else {
            break;
        };
        let Some(memory) = peer.take_lent(slot as u32) else {
            return ExitCode::from(6);
        };
        if memory.as_slice()[..8] != stamp.to_le_bytes() {
            return ExitCode::from(7);
        }
        let clones: Vec<_> = (0..(stamp % 4)).map(|_| memory.clone()).collect();
        drop(clones);
        if mode == "hold" {
            kept.push(memory);
            println!("held {slot}");
        }
    }
    drop(kept);
    ExitCode::SUCCESS
}

fn spawn_peer(arena: &SharedArena, mode: &str) -> std::io::Result<std::process::Child> {
    use std::os::fd::AsRawFd;
    let path = format!(
        "/proc/{}/fd/{}",
        std::process::id(),
        arena.region().fd().as_raw_fd()
    );
    Command::new(std::env::current_exe()?)
        .args([PEER_COMMAND, &path, mode])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
}

pub(crate) fn two_process_refcount_stress() -> TestResult {
    let arena = SharedArena::new("stress", 64, 8).map_err(|e| e.to_string())?;
    let mut peer = spawn_peer(&arena, "release").map_err(|e| e.to_string())?;
    let mut stdin = peer.stdin.take().ok_or("no stdin")?;
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let mut ours = std::collections::VecDeque::new();
    for stamp in 0..20_000u64 {
        let mut buf = arena.acquire(&cancel).ok_or("acquire gave up")?;
        buf.data_mut()[..8].copy_from_slice(&stamp.to_le_bytes());
        let frozen = buf.freeze();
        // Both processes hold the slot: the owner keeps a clone for a while.
        let slot = arena
            .lend(frozen.memory().clone())
            .map_err(|_| "lend refused")?;
        writeln!(stdin, "{slot} {stamp}").map_err(|e| e.to_string())?;
        ours.push_back(frozen);
        if ours.len() > 3 {
            ours.pop_front();
        }
    }
    drop(ours);
    drop(stdin);
    let status = peer.wait().map_err(|e| e.to_string())?;
    check!(status.success(), "peer failed: {status}");
    arena.drain_released(|_| {});
    let stats = arena.stats();
    check!(stats.in_use == 0, "slots leaked: {stats:?}");
    check!(
        stats.owner_refs == 0 && stats.peer_refs == 0,
        "counts off: {stats:?}"
    );
    Ok(())
}

pub(crate) fn counts_exact_after_peer_crash() -> TestResult {
    let arena = SharedArena::new("crash", 64, 8).map_err(|e| e.to_string())?;
    let mut peer = spawn_peer(&arena, "hold").map_err(|e| e.to_string())?;
    let mut stdin = peer.stdin.take().ok_or("no stdin")?;
    let mut out = BufReader::new(peer.stdout.take().ok_or("no stdout")?);
    let mut kept = Vec::new();
    for stamp in 0..6u64 {
        let mut buf = arena.try_acquire().ok_or("exhausted")?;
        buf.data_mut()[..8].copy_from_slice(&stamp.to_le_bytes());
        let frozen = buf.freeze();
        let slot = arena.lend(frozen.memory().clone()).map_err(|_| "lend")?;
        writeln!(stdin, "{slot} {stamp}").map_err(|e| e.to_string())?;
        let mut line = String::new();
        out.read_line(&mut line).map_err(|e| e.to_string())?;
        // The owner keeps half of them too.
        if stamp % 2 == 0 {
            kept.push(frozen);
        }
    }
    check!(arena.stats().in_use == 6, "six slots in use");
    peer.kill().map_err(|e| e.to_string())?;
    peer.wait().map_err(|e| e.to_string())?;
    let reclaimed = arena.recover_after_peer_death(|_| {});
    check!(
        reclaimed == 3,
        "the three slots only the peer held come back, got {reclaimed}"
    );
    let stats = arena.stats();
    check!(
        stats.in_use == 3 && stats.owner_refs == 3 && stats.peer_refs == 0,
        "{stats:?}"
    );
    drop(kept);
    let stats = arena.stats();
    check!(
        stats.in_use == 0 && stats.owner_refs == 0,
        "no leak, no double free: {stats:?}"
    );
    check!(arena.try_acquire().is_some(), "slots are usable again");
    Ok(())
}

pub(crate) fn lying_peer_cannot_free_owner_slots() -> TestResult {
    use parallax_core::memory::shared::layout::{SLOTS_OFFSET, STATE_QUEUED};
    let arena = SharedArena::new("liar", 64, 4).map_err(|e| e.to_string())?;
    let held = arena.try_acquire().ok_or("exhausted")?.freeze();
    let slot = held.memory().slot() as usize;
    // Play a hostile peer: queue the owner's slot, corrupt the stack into a cycle and
    // point at slots that do not exist.
    let base = arena.region().as_ptr();
    let words = |offset: usize| base.wrapping_add(offset).cast::<u32>();
    let header = SLOTS_OFFSET + slot * 64;
    // SAFETY: writes inside the live mapping, at 4-aligned offsets of headers that exist;
    // this thread plays the peer, nothing else touches these words concurrently.
    unsafe {
        words(header).write_volatile(STATE_QUEUED << 24); // state, no refs
        words(header + 8).write_volatile(slot as u32); // next = itself: a cycle
        words(64).write_volatile(slot as u32); // release head
    }
    arena.drain_released(|_| {});
    check!(
        arena
            .try_acquire()
            .is_some_and(|b| b.freeze().memory().slot() as usize != slot),
        "the held slot was not handed out"
    );
    // SAFETY: as above.
    unsafe { words(64).write_volatile(1_000_000) };
    arena.drain_released(|_| {});
    check!(
        arena.adopt(1_000_000).is_err(),
        "out-of-range adopt refused"
    );
    check!(arena.adopt(3).is_err(), "adopting a free slot is refused");
    drop(held);
    check!(arena.stats().in_use == 0, "{:?}", arena.stats());
    Ok(())
}
