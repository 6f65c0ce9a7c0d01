//! The worker's own PID namespace, and the keeper process that stands in for it.
//!
//! `unshare(CLONE_NEWPID)` moves only the caller's *children* into the new namespace, so
//! right after it the worker forks once, while it is still single-threaded. The child is
//! PID 1 of the new namespace: it sees no other process (not the host, not other workers)
//! and goes on to lock down and run the element. The parent, the *keeper*, is the process
//! the host spawned and watches (its `Child`, its pidfd): it closes every fd, waits for
//! the child and then ends the way the child ended (same exit status, or death by the
//! same signal), so the host's reports do not change. It runs under a seccomp filter of
//! its own that allows only that (`policy::compile_keeper`). When the keeper dies first (the
//! host kills it on a timeout), the child follows through its parent-death signal.
//!
//! PID 1 is special: the kernel drops a signal whose action is the default when it comes
//! from inside the namespace, the process itself included. Faults (SIGSEGV, SIGBUS,
//! SIGILL, SIGFPE) are forced and still kill it, but `abort()`'s SIGABRT, or the SIGXFSZ
//! of a too large memfd, would be lost (glibc's `abort()` would then fall through to
//! `rt_sigaction`, which the filter traps, and report SIGSYS). So the child relays those:
//! a handler writes the signal into a word shared with the keeper and exits, and the
//! keeper dies of that signal.

use std::sync::atomic::{AtomicI32, AtomicPtr, Ordering};

use rustix::event::{PollFd, PollFlags, poll};
use rustix::process::{PidfdFlags, Resource, Rlimit, getpid, pidfd_open};

use super::note_culprit;

/// Where the child's relay handler writes the signal it got: a word of a shared page
/// that the keeper reads once the child has ended.
static RELAYED: AtomicPtr<AtomicI32> = AtomicPtr::new(std::ptr::null_mut());

/// Signals that end a process by default and that PID 1 would ignore when raised inside
/// its namespace. The forced faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE) and SIGSYS have
/// handlers of their own (`install_sigsys_reporter`); SIGKILL cannot be caught and is
/// never ignored when it matters (from the kernel, or from outside the namespace).
const RELAYED_SIGNALS: [i32; 17] = [
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGTRAP,
    libc::SIGABRT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGPIPE,
    libc::SIGALRM,
    libc::SIGTERM,
    libc::SIGSTKFLT,
    libc::SIGXCPU,
    libc::SIGXFSZ,
    libc::SIGVTALRM,
    libc::SIGPROF,
    libc::SIGIO,
    libc::SIGPWR,
];

/// The signals the keeper agrees to die of: whatever the child can report, never one
/// that stops rather than ends a process (the shared word is the untrusted child's).
fn terminates(signal: i32) -> bool {
    RELAYED_SIGNALS.contains(&signal)
        || [
            libc::SIGSEGV,
            libc::SIGBUS,
            libc::SIGILL,
            libc::SIGFPE,
            libc::SIGSYS,
            libc::SIGKILL,
        ]
        .contains(&signal)
}

/// Forks the keeper off. Must run right after `unshare(CLONE_NEWPID)` while the process
/// is single-threaded. Returns in the child (PID 1 of the new namespace) with `Ok`; the
/// keeper never returns. `Err` (nothing forked) says why.
pub(super) fn split() -> Result<(), String> {
    // The keeper must be able to wait for its child: an inherited SIG_IGN would make the
    // kernel reap it on its own.
    // SAFETY: resetting one signal's disposition to the default; nothing in the worker
    // relies on SIGCHLD.
    unsafe { libc::signal(libc::SIGCHLD, libc::SIG_DFL) };
    // The child checks through this pidfd that the keeper is still there once its
    // parent-death signal is armed (getppid cannot tell: the keeper is outside the
    // child's namespace, so it reads 0 either way).
    let keeper = pidfd_open(getpid(), PidfdFlags::empty())
        .map_err(|e| format!("no pid namespace (pidfd_open: {e})"))?;
    // SAFETY: a fresh anonymous shared mapping of one page; nothing else refers to it.
    // It is never unmapped: the child's handler and the keeper use it until they end.
    let page = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if page == libc::MAP_FAILED {
        return Err(format!(
            "no pid namespace (mmap: {})",
            std::io::Error::last_os_error()
        ));
    }
    let word = page.cast::<AtomicI32>();
    RELAYED.store(word, Ordering::Release);
    // SAFETY: the process is single-threaded (the caller's requirement), so the child
    // inherits no lock held by another thread and may go on running ordinary code.
    match unsafe { libc::fork() } {
        -1 => Err(format!(
            "no pid namespace (fork: {})",
            std::io::Error::last_os_error()
        )),
        0 => {
            // SAFETY: arming the parent-death signal of this process; no pointers.
            unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
            // The keeper may have been killed before the signal was armed.
            let mut fds = [PollFd::new(&keeper, PollFlags::IN)];
            let gone =
                poll(&mut fds, Some(&rustix::time::Timespec::default())).map_or(true, |n| n > 0);
            drop(keeper);
            if gone {
                // SAFETY: ending this process at once; it holds nothing to flush.
                unsafe { libc::_exit(1) };
            }
            install_relays();
            Ok(())
        }
        child => {
            // SAFETY: `word` points into the shared page mapped above, alive for good.
            keep(child, unsafe { &*word })
        }
    }
}

extern "C" fn relay(signal: libc::c_int) {
    note_culprit();
    let word = RELAYED.load(Ordering::Acquire);
    if !word.is_null() {
        // SAFETY: the pointer is the shared page mapped before the fork, never unmapped;
        // atomics are signal-safe.
        unsafe { (*word).store(signal, Ordering::Release) };
    }
    // SAFETY: exit_group is async-signal-safe and on the allow-list.
    unsafe { libc::syscall(libc::SYS_exit_group, 128 + signal) };
}

/// In the child: relays each signal of [`RELAYED_SIGNALS`] still at its default action
/// (one the worker ignores, like std's SIGPIPE, stays ignored, as it would in a plain
/// process).
fn install_relays() {
    for signal in RELAYED_SIGNALS {
        // SAFETY: a zeroed sigaction is a valid starting value; reading the current
        // action first and installing an `extern "C"` handler that does only
        // signal-safe work.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut old) != 0
                || old.sa_sigaction != libc::SIG_DFL
            {
                continue;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = relay as *const () as usize;
            libc::sigfillset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// The keeper: holds nothing, waits for `child`, and ends as it ended.
fn keep(child: libc::pid_t, relayed: &AtomicI32) -> ! {
    // SAFETY: closing every descriptor of this process: the keeper uses none, and the
    // host must see the control socket close when the child (its only other holder)
    // ends. The Rust objects that owned some of them are never used or dropped here.
    if unsafe { libc::syscall(libc::SYS_close_range, 0, u32::MAX, 0) } != 0 {
        for fd in 0..1024 {
            // SAFETY: as above, one number at a time (EBADF for the closed ones).
            unsafe { libc::close(fd) };
        }
    }
    let none = Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    let _ = rustix::process::setrlimit(Resource::Core, none);
    // SAFETY: prctl with integer arguments; no core dump of the keeper when it mirrors a
    // crash, whatever the system's core pattern.
    unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
    // Depth only: should the filter not compile, the keeper still holds nothing.
    if let Ok(program) = super::policy::compile_keeper(getpid().as_raw_nonzero().get()) {
        if rustix::thread::set_no_new_privs(true).is_ok() {
            let _ = seccompiler::apply_filter(&program);
        }
        // Freeing it could trim the heap (`brk`), which the filter does not allow.
        std::mem::forget(program);
    }
    let mut status = 0;
    loop {
        // SAFETY: waiting for this process's own child, writing into a local.
        let got = unsafe { libc::waitpid(child, &mut status, 0) };
        if got == child {
            break;
        }
        if got < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            die_of(libc::SIGKILL);
        }
    }
    if libc::WIFSIGNALED(status) {
        die_of(libc::WTERMSIG(status));
    }
    let code = libc::WEXITSTATUS(status);
    let signal = relayed.load(Ordering::Acquire);
    if terminates(signal) && code == 128 + signal {
        die_of(signal);
    }
    // SAFETY: ending the keeper with the child's status.
    unsafe { libc::_exit(code) }
}

/// Ends the keeper by `signal`, as the child ended.
fn die_of(signal: i32) -> ! {
    // SAFETY: the keeper is single-threaded and only ends here: restoring the default
    // action, unblocking the signal and sending it to itself.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, signal);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::kill(libc::getpid(), signal);
        // Not reached for a terminating signal.
        libc::_exit(128 + signal)
    }
}
