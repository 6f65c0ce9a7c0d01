//! The seccomp allow-lists, one per element kind.
//!
//! Everything not listed traps (SIGSYS): `open`/`openat`, `socket`, `connect`, `execve`,
//! `fork`/`vfork`, `clone` without `CLONE_THREAD`, `ptrace`, `kill`, `unshare`, `mount`,
//! `bpf`, `io_uring_*`, ... The lists are as short as the worker loop and the elements
//! need; every entry that is not obviously needed by any Rust program says why.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

use crate::error::SandboxError;

/// Which list applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Single-threaded elements (the default).
    Basic,
    /// Elements that run a thread pool (libdav1d): adds thread creation, never processes.
    Threaded,
}

/// The syscalls every worker needs.
fn basic() -> Vec<(i64, &'static str)> {
    vec![
        (libc::SYS_read, "doorbell eventfd"),
        (
            libc::SYS_write,
            "doorbell eventfd, stderr for panic messages",
        ),
        (
            libc::SYS_recvmsg,
            "fds of arenas the host creates later (SCM_RIGHTS)",
        ),
        (libc::SYS_close, "dropping a mapping's fd"),
        (libc::SYS_mmap, "malloc, mapping arenas"),
        (libc::SYS_munmap, "free, unmapping arenas"),
        (libc::SYS_mremap, "realloc of large blocks"),
        (libc::SYS_brk, "malloc"),
        (libc::SYS_madvise, "free returning pages"),
        (libc::SYS_mprotect, "glibc malloc arenas and guard pages"),
        (libc::SYS_futex, "locks"),
        (
            libc::SYS_sched_yield,
            "spin locks back off; the mailbox wait yields while it spins",
        ),
        (
            libc::SYS_getcpu,
            "the mailbox wait asks which CPU it runs on (a syscall only without the vDSO)",
        ),
        (libc::SYS_clock_gettime, "time when the vDSO is unavailable"),
        (
            libc::SYS_clock_nanosleep,
            "sleep (harmless: the host's timeout bounds it)",
        ),
        (libc::SYS_nanosleep, "sleep (as above)"),
        (libc::SYS_getrandom, "std's HashMap seeds"),
        (libc::SYS_fstat, "size of an arena memfd before mapping it"),
        (libc::SYS_rt_sigreturn, "return from the SIGSYS reporter"),
        (
            libc::SYS_rt_sigprocmask,
            "abort() and thread start block signals",
        ),
        (libc::SYS_sigaltstack, "std's stack overflow guard"),
        (libc::SYS_getpid, "abort() raises on itself"),
        (libc::SYS_gettid, "abort() raises on itself"),
        (libc::SYS_exit, "thread exit"),
        (libc::SYS_exit_group, "process exit"),
    ]
}

/// Extra syscalls for a thread pool.
fn threaded() -> Vec<(i64, &'static str)> {
    vec![
        (
            libc::SYS_set_robust_list,
            "glibc registers every new thread",
        ),
        (libc::SYS_rseq, "glibc registers every new thread"),
        (
            libc::SYS_sched_getaffinity,
            "libdav1d counts CPUs for its pool",
        ),
    ]
}

fn cond(
    arg: u8,
    op: SeccompCmpOp,
    value: u64,
) -> Result<SeccompCondition, seccompiler::BackendError> {
    SeccompCondition::new(arg, SeccompCmpArgLen::Qword, op, value)
}

fn rule(conds: Vec<SeccompCondition>) -> Result<SeccompRule, SandboxError> {
    SeccompRule::new(conds).map_err(|e| SandboxError::Seccomp(e.to_string()))
}

/// The compiled filters for `kind`, for the process `pid`, in the order to install
/// them. The last filter is the allow-list (anything else traps); before it, one makes
/// `statx` and `newfstatat` fail with ENOSYS (see below) and, for threaded elements,
/// `clone3`, so glibc falls back to `clone`, whose flags the allow-list can check.
///
/// # Errors
///
/// [`SandboxError::Seccomp`] when a filter cannot be compiled.
pub fn compile(kind: PolicyKind, pid: i32) -> Result<(Vec<BpfProgram>, u32), SandboxError> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)
        .map_err(|e| SandboxError::Seccomp(format!("unsupported architecture: {e:?}")))?;
    let seccomp = |e: seccompiler::BackendError| SandboxError::Seccomp(e.to_string());
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    let mut names = basic();
    if kind == PolicyKind::Threaded {
        names.extend(threaded());
    }
    for (nr, _why) in &names {
        rules.insert(*nr, Vec::new());
    }
    // fcntl: F_GET_SEALS, to check an arena memfd before mapping it, F_GETFD, which
    // std's debug builds call when an `OwnedFd` is dropped (a group's element that ends
    // closes its socket and doorbells while the process lives on); both only read.
    rules.insert(
        libc::SYS_fcntl,
        vec![
            rule(vec![
                cond(1, SeccompCmpOp::Eq, libc::F_GET_SEALS as u64).map_err(seccomp)?,
            ])?,
            rule(vec![
                cond(1, SeccompCmpOp::Eq, libc::F_GETFD as u64).map_err(seccomp)?,
            ])?,
            // F_ADD_SEALS with exactly F_SEAL_GROW | F_SEAL_SHRINK: sealing the size of a
            // memfd the element made (see memfd_create below). Every arena the host sends
            // carries those two seals already, so on them this changes nothing; a write
            // seal, which could make a host mapping fail later, is not allowed.
            rule(vec![
                cond(1, SeccompCmpOp::Eq, libc::F_ADD_SEALS as u64).map_err(seccomp)?,
                cond(
                    2,
                    SeccompCmpOp::Eq,
                    (libc::F_SEAL_GROW | libc::F_SEAL_SHRINK) as u64,
                )
                .map_err(seccomp)?,
            ])?,
        ],
    );
    // memfd_create: only with exactly MFD_CLOEXEC | MFD_ALLOW_SEALING (what
    // `MemfdRegion::create` passes), so elements that make an arena of their own (qtdemux's
    // input spool, a demuxer inside decodebin) run isolated. It makes anonymous memory
    // with no path and no new authority: the same as an anonymous mmap, except that the
    // pages can outlive the mapping while the fd is open (bounded by `fsize` per file and
    // `nofile` files, see `set_rlimits`). No MFD_HUGETLB, no MFD_EXEC. The host never maps
    // such memory: outputs in it are copied into lent slots (`worker/run.rs`).
    let memfd_flags = u64::from(libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING);
    rules.insert(
        libc::SYS_memfd_create,
        vec![rule(vec![
            cond(1, SeccompCmpOp::Eq, memfd_flags).map_err(seccomp)?,
        ])?],
    );
    // ftruncate: sizing such a memfd (only fds the worker holds; `fsize` bounds the size,
    // and the host's arenas are sealed against growing and shrinking, so it cannot touch
    // them). Never fd 2: stderr is the host's, and when that is a file (`2> log`) the
    // worker could truncate it. The fd is an `unsigned int` to the kernel, so the check
    // compares the low 32 bits only (a 64-bit "not 2" would let 0x1_0000_0002 through).
    rules.insert(
        libc::SYS_ftruncate,
        vec![rule(vec![
            SeccompCondition::new(0, SeccompCmpArgLen::Dword, SeccompCmpOp::Ne, 2)
                .map_err(seccomp)?,
        ])?],
    );
    // tgkill: only on this process, so abort() works but no other process can be signalled.
    rules.insert(
        libc::SYS_tgkill,
        vec![rule(vec![
            cond(0, SeccompCmpOp::Eq, pid as u64).map_err(seccomp)?,
        ])?],
    );
    // prctl: PR_GET_AUXV only (Rust's runtime CPU feature detection reads the aux
    // vector); PR_SET_NAME is added for thread pools below.
    const PR_GET_AUXV: u64 = 0x4155_5856;
    let mut prctl = vec![rule(vec![
        cond(0, SeccompCmpOp::Eq, PR_GET_AUXV).map_err(seccomp)?,
    ])?];
    // lseek: moving within a file the host opened for the element (`sandbox_files`) or a
    // memfd it made. Never fd 2, whose open file description (and offset) is the host's
    // stderr; compared on the low 32 bits, as the kernel reads it.
    rules.insert(
        libc::SYS_lseek,
        vec![rule(vec![
            SeccompCondition::new(0, SeccompCmpArgLen::Dword, SeccompCmpOp::Ne, 2)
                .map_err(seccomp)?,
        ])?],
    );
    // statx and newfstatat fail with ENOSYS instead of trapping: std's `File::metadata`
    // (and `read_to_end`'s size hint) try them on a granted file, and both take a path
    // the filter cannot read (a stat of any path, relative to any fd). With ENOSYS std
    // answers an error (`read_to_end` simply reads without the hint); `fstat`, which
    // takes only an fd, stays allowed. Like clone3 below, they are on the allow-list
    // only so that the second filter's errno wins over this one's trap.
    let mut errno_calls = vec![libc::SYS_statx, libc::SYS_newfstatat];
    if kind == PolicyKind::Threaded {
        // clone: only new threads of this process (CLONE_THREAD set), never a new process.
        let thread = libc::CLONE_THREAD as u64;
        rules.insert(
            libc::SYS_clone,
            vec![rule(vec![
                cond(0, SeccompCmpOp::MaskedEq(thread), thread).map_err(seccomp)?,
            ])?],
        );
        // prctl PR_SET_NAME: libdav1d names its threads.
        prctl.push(rule(vec![
            cond(0, SeccompCmpOp::Eq, libc::PR_SET_NAME as u64).map_err(seccomp)?,
        ])?);
        // clone3 passes its flags in memory, which a filter cannot read; it is allowed
        // here only so that the second filter's ENOSYS wins over this one's trap.
        errno_calls.push(libc::SYS_clone3);
    }
    for &nr in &errno_calls {
        rules.insert(nr, Vec::new());
    }
    let enosys: BTreeMap<i64, Vec<SeccompRule>> =
        errno_calls.iter().map(|&nr| (nr, Vec::new())).collect();
    let extra = vec![
        SeccompFilter::new(
            enosys,
            SeccompAction::Allow,
            SeccompAction::Errno(libc::ENOSYS as u32),
            arch,
        )
        .map_err(|e| SandboxError::Seccomp(e.to_string()))?,
    ];
    rules.insert(libc::SYS_prctl, prctl);
    let count = rules.len() as u32;
    let allow = SeccompFilter::new(rules, SeccompAction::Trap, SeccompAction::Allow, arch)
        .map_err(|e| SandboxError::Seccomp(e.to_string()))?;
    // The allow-list goes in last: installing a filter takes prctl(PR_SET_NO_NEW_PRIVS)
    // and seccomp(2), which the allow-list itself forbids. Order does not change the
    // verdict: the kernel runs every filter and the strictest action wins.
    let mut programs = Vec::new();
    for filter in extra.into_iter().chain(std::iter::once(allow)) {
        programs
            .push(BpfProgram::try_from(filter).map_err(|e| SandboxError::Seccomp(e.to_string()))?);
    }
    Ok((programs, count))
}

/// The keeper's filter (`keeper.rs`): it only waits for its child and then exits or
/// sends itself the child's signal; anything else kills it (it has no handler to report
/// with, and nothing to report to). Only depth: the keeper runs no element code.
///
/// # Errors
///
/// [`SandboxError::Seccomp`] when the filter cannot be compiled.
pub fn compile_keeper(pid: i32) -> Result<BpfProgram, SandboxError> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)
        .map_err(|e| SandboxError::Seccomp(format!("unsupported architecture: {e:?}")))?;
    let seccomp = |e: seccompiler::BackendError| SandboxError::Seccomp(e.to_string());
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = [
        libc::SYS_wait4,
        libc::SYS_rt_sigaction,
        libc::SYS_rt_sigprocmask,
        libc::SYS_rt_sigreturn,
        libc::SYS_restart_syscall,
        libc::SYS_getpid,
        libc::SYS_exit_group,
    ]
    .into_iter()
    .map(|nr| (nr, Vec::new()))
    .collect();
    // kill: only itself, to die of the child's signal.
    rules.insert(
        libc::SYS_kill,
        vec![rule(vec![
            cond(0, SeccompCmpOp::Eq, pid as u64).map_err(seccomp)?,
        ])?],
    );
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::KillProcess,
        SeccompAction::Allow,
        arch,
    )
    .map_err(|e| SandboxError::Seccomp(e.to_string()))?;
    BpfProgram::try_from(filter).map_err(|e| SandboxError::Seccomp(e.to_string()))
}

/// The name of syscall `nr` for reports (the ones a hostile element is likely to try, and
/// the allowed ones), or `None`.
pub fn syscall_name(nr: i64) -> Option<&'static str> {
    const KNOWN: &[(i64, &str)] = &[
        (libc::SYS_open, "open"),
        (libc::SYS_openat, "openat"),
        (libc::SYS_socket, "socket"),
        (libc::SYS_connect, "connect"),
        (libc::SYS_execve, "execve"),
        (libc::SYS_execveat, "execveat"),
        (libc::SYS_fork, "fork"),
        (libc::SYS_vfork, "vfork"),
        (libc::SYS_clone, "clone"),
        (libc::SYS_clone3, "clone3"),
        (libc::SYS_ptrace, "ptrace"),
        (libc::SYS_kill, "kill"),
        (libc::SYS_unshare, "unshare"),
        (libc::SYS_mount, "mount"),
        (libc::SYS_rt_sigaction, "rt_sigaction"),
        (libc::SYS_prctl, "prctl"),
        (libc::SYS_ioctl, "ioctl"),
        (libc::SYS_newfstatat, "newfstatat"),
        (libc::SYS_statx, "statx"),
        (libc::SYS_getdents64, "getdents64"),
        (libc::SYS_memfd_create, "memfd_create"),
        (libc::SYS_fcntl, "fcntl"),
        (libc::SYS_ftruncate, "ftruncate"),
        (libc::SYS_lseek, "lseek"),
    ];
    KNOWN.iter().find(|(n, _)| *n == nr).map(|(_, name)| *name)
}
