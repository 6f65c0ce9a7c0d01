//! File descriptors over the Unix socket with `SCM_RIGHTS`.
//!
//! The socket carries only set-up and fds (the mailbox, doorbells, arena memfds); the
//! per-buffer path never touches it.

use std::io::{IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use rustix::net::{
    RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags,
};

use crate::error::SandboxError;

/// Most fds one message carries.
pub const MAX_FDS: usize = 4;

/// Sends `bytes` (at least one byte) with `fds` attached.
///
/// # Errors
///
/// [`SandboxError::Os`] when `sendmsg` fails.
pub fn send(socket: impl AsFd, bytes: &[u8], fds: &[BorrowedFd<'_>]) -> Result<(), SandboxError> {
    let mut space = [MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmRights(MAX_FDS))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    if !fds.is_empty() && !control.push(SendAncillaryMessage::ScmRights(fds)) {
        return Err(SandboxError::Protocol("too many fds in one message".into()));
    }
    let len = bytes.len().to_ne_bytes();
    let iov = [IoSlice::new(&len), IoSlice::new(bytes)];
    rustix::net::sendmsg(socket, &iov, &mut control, SendFlags::NOSIGNAL)
        .map_err(|e| SandboxError::os("sendmsg", e))?;
    Ok(())
}

/// Receives one message sent with [`send`] into `buf`; returns its length and the fds.
///
/// # Errors
///
/// [`SandboxError::Os`] on failure, [`SandboxError::Protocol`] on a short or oversized
/// message or end of file.
pub fn recv(socket: impl AsFd, buf: &mut [u8]) -> Result<(usize, Vec<OwnedFd>), SandboxError> {
    let mut space = [MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmRights(MAX_FDS))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let mut len = [0u8; size_of::<usize>()];
    let got = {
        let mut iov = [IoSliceMut::new(&mut len), IoSliceMut::new(buf)];
        rustix::net::recvmsg(&socket, &mut iov, &mut control, RecvFlags::CMSG_CLOEXEC)
            .map_err(|e| SandboxError::os("recvmsg", e))?
    };
    let mut fds = Vec::new();
    for message in control.drain() {
        if let RecvAncillaryMessage::ScmRights(received) = message {
            fds.extend(received);
        }
    }
    if got.bytes == 0 {
        return Err(SandboxError::Protocol("the socket closed".into()));
    }
    let declared = usize::from_ne_bytes(len);
    if got.bytes < size_of::<usize>() || declared != got.bytes - size_of::<usize>() {
        return Err(SandboxError::Protocol(format!(
            "socket message of {} bytes declares {declared}",
            got.bytes
        )));
    }
    Ok((declared, fds))
}
