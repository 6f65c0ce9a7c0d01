//! Control messages between the host and a worker, encoded with rkyv.
//!
//! A key design decision: payloads never travel in messages. A buffer crosses the boundary
//! as a lease (table index, mapping id, offset, length, timing) or as a slot index of a
//! shared arena; the bytes stay where they are. Messages are a few dozen bytes, archived
//! with rkyv into the shared mailbox and validated (bytecheck) on the receiving side after
//! being copied out of shared memory, so the sender cannot change them mid-check.

use rkyv::{Archive, Deserialize, Serialize};

use parallax_core::{BufferFlags, BufferMeta, ClockTime};

/// Sent once per worker process over its control socket, with the fd of the fault area
/// (a mailbox whose fault and culprit words the worker's signal reporters fill).
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessSetup {
    /// Resource limits and isolation choices, for the whole process.
    pub limits: Limits,
    /// Several elements share the process (one thread each, the threaded policy); without
    /// it the worker serves exactly one element on its main thread and exits after it.
    pub group: bool,
}

/// One element of a worker, sent over the control socket with four fds: the element's
/// own socket (for arena fds), its mailbox and its two doorbells.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Setup {
    /// The element's number in its group (what the signal reporters record).
    pub member: u32,
    /// Factory of the element to instantiate from the worker's registry.
    pub factory: String,
    /// The element's name in the pipeline (for messages).
    pub name: String,
    /// Properties as text, in the order they were set.
    pub properties: Vec<(String, String)>,
    /// Sink pad names.
    pub sink_pads: Vec<String>,
    /// Src pad names.
    pub src_pads: Vec<String>,
    /// Negotiated caps per sink pad (empty until negotiated).
    pub sink_caps: Vec<String>,
    /// Negotiated caps per src pad.
    pub src_caps: Vec<String>,
    /// Files the host opened for the element, in order: each fd follows the set-up on
    /// the element's socket, one per message, whose body is the path again.
    pub files: Vec<FileGrant>,
}

/// A file the host opened for an element (`ElementImpl::sandbox_files`).
#[derive(Archive, Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct FileGrant {
    /// The path as the element declared it, as bytes (paths need not be UTF-8).
    pub path: Vec<u8>,
    /// How the host opened it.
    pub access: FileMode,
}

/// `parallax_core::FileAccess` on the wire.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    /// Read.
    Read,
    /// Write (created, truncated on a first start).
    Write,
    /// Append (created).
    Append,
}

/// What the worker applies to itself before it touches data.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `RLIMIT_AS` in bytes (0: leave as is).
    pub address_space: u64,
    /// `RLIMIT_CPU` in seconds (0: leave as is).
    pub cpu_seconds: u64,
    /// Whether to try user/mount/net/ipc/uts/pid namespaces.
    pub namespaces: bool,
    /// Whether the element may start threads (`clone` with `CLONE_THREAD` only).
    pub threads: bool,
    /// `RLIMIT_NOFILE`: a group holds the fds of several elements.
    pub files: u32,
}

/// Timing and flags of a buffer. The optional fields are plain words plus a presence
/// mask: archived `Option<u64>`s take 16 bytes each, and this struct travels in every
/// buffer's message (48 bytes instead of 88 keeps a `Process` request in two cache lines).
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Meta {
    /// Which of `times` are set: bit i for `times[i]`.
    present: u8,
    /// Presentation time, decode time, duration (ns), media offset, media end offset.
    times: [u64; 5],
    /// `BufferFlags` bits.
    flags: u32,
}

impl Meta {
    /// The fixed fields of `meta` (extensible metadata does not cross the boundary).
    pub fn from_meta(meta: &BufferMeta) -> Self {
        let fields = [
            meta.pts.map(ClockTime::nanos),
            meta.dts.map(ClockTime::nanos),
            meta.duration.map(ClockTime::nanos),
            meta.offset,
            meta.offset_end,
        ];
        let mut out = Meta {
            present: 0,
            times: [0; 5],
            flags: meta.flags.bits(),
        };
        for (i, field) in fields.into_iter().enumerate() {
            if let Some(value) = field {
                out.present |= 1 << i;
                out.times[i] = value;
            }
        }
        out
    }

    /// Back to buffer metadata.
    pub fn to_meta(self) -> BufferMeta {
        let field = |i: usize| (self.present & (1 << i) != 0).then_some(self.times[i]);
        BufferMeta {
            pts: field(0).map(ClockTime),
            dts: field(1).map(ClockTime),
            duration: field(2).map(ClockTime),
            offset: field(3),
            offset_end: field(4),
            flags: BufferFlags::from_bits_retain(self.flags),
            extra: None,
        }
    }
}

/// A buffer the host keeps alive for the worker: lease `lease` of the lease table, over
/// `len` bytes at `offset` of mapping `map`.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// Index in the lease table.
    pub lease: u32,
    /// Id of the mapping (an arena id) the bytes live in.
    pub map: u64,
    /// Offset of the bytes in the mapping.
    pub offset: u64,
    /// Length.
    pub len: u64,
    /// Timing.
    pub meta: Meta,
}

/// An empty output slot the host lends the worker.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// Shared arena id.
    pub arena: u64,
    /// Slot.
    pub slot: u32,
}

/// How a mapping sent over the socket is to be used.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    /// Read-only bytes of host buffers (any arena's memfd).
    Data,
    /// The lease table (a shared arena without data).
    LeaseTable,
    /// A shared arena for outputs.
    Output,
}

/// Fds queued on the socket before a message, in order: `(arena id, use)`.
pub type Maps = Vec<(u64, MapKind)>;

/// Host to worker, through the mailbox.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum ToWorker {
    /// Start the element; `maps` carries the lease table.
    Start {
        /// New mappings.
        maps: Maps,
    },
    /// Process one buffer on sink pad `pad`; `grants` tops up the worker's output slots.
    Process {
        /// Sink pad.
        pad: u32,
        /// The input.
        input: Lease,
        /// Fresh output slots.
        grants: Vec<Grant>,
        /// New mappings.
        maps: Maps,
        /// The input's extensible metadata (empty for none).
        extra: Vec<crate::extra_meta::Entry>,
    },
    /// End of stream on sink pad `pad`.
    Eos {
        /// Sink pad.
        pad: u32,
        /// Whether every sink pad is at end of stream.
        all_eos: bool,
        /// Fresh output slots.
        grants: Vec<Grant>,
        /// New mappings.
        maps: Maps,
    },
    /// Ask a source for its next buffer (`Done` carries it as the only output; no output
    /// means it would block, `Flow::Eos` that it has ended).
    Produce {
        /// Fresh output slots.
        grants: Vec<Grant>,
        /// New mappings.
        maps: Maps,
    },
    /// More output slots, answering `NeedSlots`.
    Grants {
        /// Fresh output slots.
        grants: Vec<Grant>,
        /// New mappings.
        maps: Maps,
    },
    /// Drop held data.
    Flush,
    /// Change a property.
    SetProperty {
        /// Name.
        name: String,
        /// Value as text.
        value: String,
    },
    /// New caps on the element's pads mid-stream (an upstream caps change).
    SetCaps {
        /// Caps per sink pad.
        sink: Vec<String>,
        /// Caps per src pad.
        src: Vec<String>,
    },
    /// Stop the element and exit.
    Stop,
}

/// New src caps the element announced in-band (`ProcessContext::set_src_caps`).
#[derive(Archive, Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CapsOut {
    /// How many outputs of the same call were pushed before the change.
    pub position: u32,
    /// Src pad.
    pub pad: u32,
    /// The caps, as text (parsed and checked by the host).
    pub caps: String,
}

/// Where an output's bytes are.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputData {
    /// A slot of a shared output arena; the worker's reference moves to the host.
    Slot(Grant),
    /// An input lease handed back (a passthrough): the host re-sends its own buffer.
    Lease(u32),
}

/// One buffer the element pushed.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    /// Src pad.
    pub pad: u32,
    /// The bytes.
    pub data: OutputData,
    /// Offset within the slot or lease.
    pub offset: u64,
    /// Length.
    pub len: u64,
    /// Timing.
    pub meta: Meta,
}

/// An element failure, as `ElementError` carries it.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct WorkerError {
    /// `ErrorKind` as a small number (see `error_kind`).
    pub kind: u8,
    /// Message.
    pub message: String,
    /// Debug detail.
    pub debug: Option<String>,
}

/// Result code of a call.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Fine.
    Ok,
    /// `FlowError::Eos`.
    Eos,
    /// `FlowError::Flushing`.
    Flushing,
    /// `FlowError::NotNegotiated`.
    NotNegotiated,
    /// `FlowError::Error` (detail in `error`).
    Error,
}

/// An element message (a `Structure`) as it crosses: its name apart, because the text
/// form parses back only under a media-type name (`a/b`) and message names are free
/// (`stream-info`).
#[derive(Archive, Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ElementMessage {
    /// The structure's name.
    pub name: String,
    /// Its fields, as the text of a structure named [`MESSAGE_CARRIER`].
    pub fields: String,
}

/// The name the fields of an [`ElementMessage`] travel under.
pub const MESSAGE_CARRIER: &str = "x-parallax/message";

/// Worker to host, through the mailbox.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum FromWorker {
    /// Set up and locked down; here is what is active.
    Ready(Protections),
    /// A call finished.
    Done {
        /// Outcome.
        flow: Flow,
        /// Buffers pushed, in order.
        outputs: Vec<Output>,
        /// Src caps announced, in order, placed among `outputs` by position.
        caps: Vec<CapsOut>,
        /// Warnings (text).
        warnings: Vec<String>,
        /// Element messages, in order.
        messages: Vec<ElementMessage>,
        /// Error detail when `flow` is `Error`.
        error: Option<WorkerError>,
        /// For `Eos`: whether end of stream goes downstream.
        forward_eos: bool,
        /// Extensible metadata of the outputs that have some, by output index.
        extra: Vec<crate::extra_meta::ForOutput>,
    },
    /// The element wants a buffer of `len` bytes and the worker has no slot that big.
    NeedSlots {
        /// Bytes.
        len: u64,
    },
    /// The worker could not set up (bad factory, property, caps).
    SetupFailed(WorkerError),
}

/// Which protections a worker managed to apply (shown by `parallax inspect`).
#[derive(Archive, Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct Protections {
    /// `PR_SET_NO_NEW_PRIVS`.
    pub no_new_privs: bool,
    /// The seccomp filter is installed.
    pub seccomp: bool,
    /// Syscalls on the allow-list.
    pub allowed_syscalls: u32,
    /// Namespaces entered (`user`, `mount`, `net`, `ipc`, `uts`, `pid`).
    pub namespaces: Vec<String>,
    /// Which namespaces were not entered, and why, when some were not.
    pub namespace_warning: Option<String>,
    /// Resource limits set (`as`, `cpu`, `nproc`, `nofile`, `core`, `fsize`).
    pub rlimits: Vec<String>,
    /// File descriptors left open.
    pub open_fds: u32,
    /// Environment variables left.
    pub env_vars: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_round_trips_every_field_and_absence() {
        let full = BufferMeta {
            pts: Some(ClockTime(1)),
            dts: Some(ClockTime(0)),
            duration: Some(ClockTime(u64::MAX)),
            offset: Some(7),
            offset_end: Some(9),
            flags: BufferFlags::from_bits_retain(0b101),
            extra: None,
        };
        let back = Meta::from_meta(&full).to_meta();
        assert_eq!(
            (
                back.pts,
                back.dts,
                back.duration,
                back.offset,
                back.offset_end
            ),
            (
                full.pts,
                full.dts,
                full.duration,
                full.offset,
                full.offset_end
            )
        );
        assert_eq!(back.flags.bits(), 0b101);
        let partial = BufferMeta {
            pts: None,
            dts: Some(ClockTime(5)),
            ..full.clone()
        };
        let back = Meta::from_meta(&partial).to_meta();
        assert_eq!(
            (back.pts, back.dts, back.offset),
            (None, Some(ClockTime(5)), Some(7))
        );
        let none = Meta::from_meta(&BufferMeta::default()).to_meta();
        assert_eq!(
            (none.pts, none.duration, none.offset_end),
            (None, None, None)
        );
    }
}
