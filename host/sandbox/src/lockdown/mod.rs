//! What a worker does to itself before it touches untrusted data.
//!
//! Order matters: everything that needs a forbidden syscall (listing `/proc/self/fd`,
//! `unshare` and the fork into the PID namespace (`keeper.rs`), `setrlimit`, installing
//! the signal reporters) happens first; the seccomp
//! filter comes last, after `no_new_privs`. The result says what actually took effect,
//! because namespaces in particular depend on the kernel and the user.
//!
//! This is the sandbox's second `unsafe` module (signal handlers, `unshare`, `fork`,
//! `close`).

mod keeper;
pub mod policy;

use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

use rustix::process::{Resource, Rlimit};

pub use policy::PolicyKind;

use crate::error::SandboxError;
use crate::protocol::{Limits, Protections};

/// Exit status of a worker whose SIGSYS reporter ran (128 + SIGSYS, what a shell shows).
pub const SIGSYS_EXIT: i32 = 128 + libc::SIGSYS;

/// Where the SIGSYS reporter writes the syscall number (+1): the fault word of the
/// mailbox, shared with the host.
static FAULT_WORD: AtomicPtr<AtomicU32> = AtomicPtr::new(std::ptr::null_mut());

/// Where the reporters write which group member's thread faulted (+1).
static CULPRIT_WORD: AtomicPtr<AtomicU32> = AtomicPtr::new(std::ptr::null_mut());

thread_local! {
    /// The group member this thread serves (+1; 0 on threads of no member, e.g. a
    /// decoder's pool). Const-initialised and without destructor, so reading it in a
    /// signal handler touches no lazy state.
    static MEMBER: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Records that the calling thread serves group member `member`: for fault reports here,
/// and for the files granted to that member (`parallax_core::files`).
pub fn set_member(member: u32) {
    MEMBER.with(|m| m.set(member.saturating_add(1)));
    parallax_core::files::worker::set_member(member);
}

/// Writes the faulting thread's member into the culprit word (signal-safe).
fn note_culprit() {
    let word = CULPRIT_WORD.load(Ordering::Acquire);
    let member = MEMBER.with(std::cell::Cell::get);
    if !word.is_null() && member != 0 {
        // SAFETY: the pointer is the fault area's culprit word, mapped for the worker's
        // whole life (leaked by the worker loop); atomics are signal-safe.
        unsafe { (*word).store(member, Ordering::Release) };
    }
}

/// Closes every fd except `keep`, stderr (kept for panic messages) and stdin/stdout
/// (/dev/null, set at spawn). The last two stay open so that the numbers 0 and 1 are never
/// reused for an fd the host sends later: a library that prints to stdout would otherwise
/// write into an element's socket, doorbell or an arena memfd.
fn close_other_fds(keep: &[RawFd]) -> u32 {
    let mut open = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc/self/fd") {
        for entry in entries.flatten() {
            if let Some(fd) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<RawFd>().ok())
            {
                open.push(fd);
            }
        }
    }
    let mut left = 0;
    for fd in open {
        if fd <= libc::STDERR_FILENO || keep.contains(&fd) {
            left += 1;
            continue;
        }
        // SAFETY: closing a descriptor number this process owns; nothing in the worker
        // holds these (they were inherited by accident or were the read_dir's own, which
        // is closed by now and then fails harmlessly with EBADF).
        unsafe { libc::close(fd) };
    }
    left
}

/// The `fsize` limit when no address-space limit is set.
const DEFAULT_FSIZE: u64 = 4 << 30;

fn set_rlimits(limits: &Limits, report: &mut Vec<String>) {
    let mut set = |resource: Resource, name: &str, value: u64| {
        let limit = Rlimit {
            current: Some(value),
            maximum: Some(value),
        };
        if rustix::process::setrlimit(resource, limit).is_ok() {
            report.push(format!("{name}={value}"));
        }
    };
    if limits.address_space > 0 {
        set(Resource::As, "as", limits.address_space);
    }
    if limits.cpu_seconds > 0 {
        set(Resource::Cpu, "cpu", limits.cpu_seconds);
    }
    // No new processes (threads count too, hence only for single-threaded elements; the
    // seccomp filter is what stops fork for everyone).
    if !limits.threads {
        set(Resource::Nproc, "nproc", 0);
    }
    set(Resource::Nofile, "nofile", u64::from(limits.files.max(16)));
    set(Resource::Core, "core", 0);
    // A memfd the element makes (the only file it can create) may be as large as the
    // worker could map; `fsize=0` would kill its `ftruncate` with SIGXFSZ.
    let fsize = if limits.address_space > 0 {
        limits.address_space
    } else {
        DEFAULT_FSIZE
    };
    set(Resource::Fsize, "fsize", fsize);
    set(Resource::Memlock, "memlock", 0);
}

/// Enters new user, mount, network, IPC, UTS and PID namespaces, or as many as allowed;
/// returns a warning naming what is missing. With a PID namespace the process forks
/// (see [`keeper`]): only the child returns, as PID 1 of the new namespace.
fn enter_namespaces(entered: &mut Vec<String>) -> Option<String> {
    let rest = libc::CLONE_NEWNS | libc::CLONE_NEWNET | libc::CLONE_NEWIPC | libc::CLONE_NEWUTS;
    // Without a user namespace, a privileged process can still take the others.
    let tries = [
        (
            libc::CLONE_NEWUSER | rest,
            &["user", "mount", "net", "ipc", "uts"][..],
        ),
        (rest, &["mount", "net", "ipc", "uts"][..]),
    ];
    let mut missing = Vec::new();
    for (flags, names) in tries {
        // SAFETY: unshare changes only this process's namespace membership (for
        // CLONE_NEWPID: its future children's); the worker is still single-threaded
        // here (a requirement of CLONE_NEWUSER and of the fork that follows) and holds
        // no state that depends on the old namespaces.
        if unsafe { libc::unshare(flags | libc::CLONE_NEWPID) } == 0 {
            entered.extend(names.iter().map(|&n| String::from(n)));
            match keeper::split() {
                Ok(()) => entered.push("pid".into()),
                Err(why) => missing.push(why),
            }
            break;
        }
        let with_pid = std::io::Error::last_os_error();
        // SAFETY: as above.
        if unsafe { libc::unshare(flags) } == 0 {
            entered.extend(names.iter().map(|&n| String::from(n)));
            missing.push(format!("no pid namespace ({with_pid})"));
            break;
        }
        let error = std::io::Error::last_os_error();
        missing.push(if names[0] == "user" {
            format!("no user namespace ({error})")
        } else {
            format!("namespaces unavailable ({error})")
        });
    }
    (!missing.is_empty()).then(|| missing.join("; "))
}

extern "C" fn report_sigsys(
    _sig: libc::c_int,
    info: *mut libc::siginfo_t,
    _ctx: *mut libc::c_void,
) {
    // siginfo for SIGSYS: after signo, errno, code (+4 bytes padding on 64-bit) comes
    // `_sigsys { void *call_addr; int syscall; unsigned arch; }`, so the syscall number is
    // at byte 24 on every 64-bit Linux.
    // SAFETY: the kernel passes a valid siginfo_t for SA_SIGINFO handlers; offset 24 lies
    // within its 128 bytes and is 4-aligned.
    let nr = unsafe { info.cast::<u8>().add(24).cast::<i32>().read() };
    note_culprit();
    let word = FAULT_WORD.load(Ordering::Acquire);
    if !word.is_null() {
        // SAFETY: the pointer is the mailbox's fault word, mapped for the worker's whole
        // life (the mailbox is leaked by the worker loop); atomics are signal-safe.
        unsafe { (*word).store(nr as u32 + 1, Ordering::Release) };
    }
    // SAFETY: exit_group is async-signal-safe and on the allow-list.
    unsafe { libc::syscall(libc::SYS_exit_group, SIGSYS_EXIT) };
}

extern "C" fn report_fault(
    _sig: libc::c_int,
    _info: *mut libc::siginfo_t,
    _ctx: *mut libc::c_void,
) {
    // Installed with SA_RESETHAND: returning re-runs the faulting instruction under the
    // default action, so the worker still dies of the signal it got, and the host sees
    // the real signal (and, in a group, which element's thread it hit).
    note_culprit();
}

fn install_sigsys_reporter(fault: &'static AtomicU32, culprit: &'static AtomicU32) -> bool {
    FAULT_WORD.store(std::ptr::from_ref(fault).cast_mut(), Ordering::Release);
    CULPRIT_WORD.store(std::ptr::from_ref(culprit).cast_mut(), Ordering::Release);
    // SAFETY: a zeroed sigaction is a valid starting value; the handler is an
    // `extern "C"` function with the SA_SIGINFO signature and only does signal-safe work.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = report_sigsys as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO;
        libc::sigemptyset(&mut action.sa_mask);
        if libc::sigaction(libc::SIGSYS, &action, std::ptr::null_mut()) != 0 {
            return false;
        }
        // std's stack-overflow handler answers a fault by resetting the handler with
        // rt_sigaction, which the filter forbids; ours notes the culprit and lets the
        // kernel reset it (SA_RESETHAND), so a crash is reported as the signal it is.
        let mut once: libc::sigaction = std::mem::zeroed();
        once.sa_sigaction = report_fault as *const () as usize;
        once.sa_flags = libc::SA_SIGINFO | libc::SA_RESETHAND | libc::SA_NODEFER;
        libc::sigemptyset(&mut once.sa_mask);
        [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE]
            .iter()
            .all(|&sig| libc::sigaction(sig, &once, std::ptr::null_mut()) == 0)
    }
}

/// Applies every protection, in order, and reports what took effect. `keep` are the fds
/// the worker still needs. After this returns `Ok`, the process can no longer open files,
/// sockets or processes.
///
/// # Errors
///
/// [`SandboxError::Seccomp`] when the filter cannot be installed: the worker must not run
/// the element unprotected.
pub fn lock_down(
    limits: &Limits,
    keep: &[&dyn AsRawFd],
    fault: &'static AtomicU32,
    culprit: &'static AtomicU32,
) -> Result<Protections, SandboxError> {
    let mut protections = Protections::default();
    let keep: Vec<RawFd> = keep.iter().map(|fd| fd.as_raw_fd()).collect();
    protections.open_fds = close_other_fds(&keep);
    protections.env_vars = std::env::vars_os().count() as u32;
    if limits.namespaces {
        protections.namespace_warning = enter_namespaces(&mut protections.namespaces);
    } else {
        protections.namespace_warning = Some("namespaces disabled by configuration".into());
    }
    set_rlimits(limits, &mut protections.rlimits);
    if !install_sigsys_reporter(fault, culprit) {
        return Err(SandboxError::Seccomp(
            "cannot install the SIGSYS reporter".into(),
        ));
    }
    rustix::thread::set_no_new_privs(true)
        .map_err(|e| SandboxError::os("prctl(NO_NEW_PRIVS)", e))?;
    protections.no_new_privs = true;
    let kind = if limits.threads {
        PolicyKind::Threaded
    } else {
        PolicyKind::Basic
    };
    if kind == PolicyKind::Threaded {
        // glibc installs its SIGRT_1 handler (thread cancellation, setxid) with
        // rt_sigaction on the first pthread_create; starting one thread now lets that
        // happen before the filter, which then need not allow rt_sigaction at all.
        std::thread::spawn(|| ())
            .join()
            .map_err(|_| SandboxError::Seccomp("cannot start a thread".into()))?;
    }
    let (programs, count) =
        policy::compile(kind, rustix::process::getpid().as_raw_nonzero().get())?;
    for program in &programs {
        seccompiler::apply_filter(program).map_err(|e| SandboxError::Seccomp(e.to_string()))?;
    }
    protections.seccomp = true;
    protections.allowed_syscalls = count;
    Ok(protections)
}
