//! Test-only elements that run inside workers: a passthrough, an allocating inverter, one
//! that says which process it runs in, a hostile element that attacks at buffer `at`, one
//! that reads and writes files the host opens for it, and a source and a sink that can
//! attack the same way.

use parallax_core::buffer::MetaValue;
use parallax_core::element::TrustLevel;
use parallax_core::files::{self, FileAccess, FileNeed};
use parallax_core::registry::RegisterError;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ElementInfo, ExecutionHints, FlowError,
    PadTemplate, ProcessContext, ProduceContext, ProduceResult, PropSpec, PropertyError, Registry,
    Sink, Source, Structure, Transform, Value,
};

fn unknown(name: &str) -> PropertyError {
    PropertyError::Unknown {
        name: name.into(),
        suggestion: None,
    }
}

fn info(name: &str) -> ElementInfo {
    ElementInfo::new(name, "Filter/Test", "sandbox test element")
        .pad(PadTemplate::sink(Caps::any()))
        .pad(PadTemplate::src(Caps::any()))
        .hints(ExecutionHints {
            trust: TrustLevel::Untrusted,
            ..ExecutionHints::DEFAULT
        })
}

struct Pass;
impl ElementImpl for Pass {
    fn set_property(&mut self, name: &str, _: &Value) -> Result<(), PropertyError> {
        Err(unknown(name))
    }
    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(unknown(name))
    }
}
impl Transform for Pass {
    fn process(
        &mut self,
        _: usize,
        b: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        ctx.push(b);
        Ok(())
    }
}

/// Hands each buffer back with its extensible metadata changed: `count` one more than
/// the input's (1 without), and `blob` bytes of value 7 under `blob` when set.
#[derive(Default)]
struct Meta {
    blob: u64,
}
impl ElementImpl for Meta {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match (name, value) {
            ("blob", Value::UInt(v)) => self.blob = *v,
            _ => return Err(unknown(name)),
        }
        Ok(())
    }
    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "blob" => Ok(Value::UInt(self.blob)),
            _ => Err(unknown(name)),
        }
    }
}
impl Transform for Meta {
    fn process(
        &mut self,
        _: usize,
        mut b: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let extra = b.meta_mut().extra_mut();
        let count = match extra.get("count") {
            Some(MetaValue::Int(n)) => n + 1,
            _ => 1,
        };
        extra.set("count", MetaValue::Int(count));
        if self.blob > 0 {
            extra.set("blob", MetaValue::Bytes(vec![7; self.blob as usize]));
        }
        ctx.push(b);
        Ok(())
    }
}

/// Writes the inverted bytes into a fresh buffer (exercises output slots).
struct Invert;
impl ElementImpl for Invert {
    fn set_property(&mut self, name: &str, _: &Value) -> Result<(), PropertyError> {
        Err(unknown(name))
    }
    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(unknown(name))
    }
}
impl Transform for Invert {
    fn process(
        &mut self,
        _: usize,
        b: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let mut out = ctx.allocate(b.len())?;
        for (o, i) in out.data_mut().iter_mut().zip(b.data()) {
            *o = !i;
        }
        *out.meta_mut() = b.meta().clone();
        ctx.push(out.freeze());
        Ok(())
    }
}

/// Passes each buffer on with the process id it sees (`getpid`, 1 in the worker's own PID
/// namespace) under `pid` in its extensible metadata.
struct WhoAmI;
impl ElementImpl for WhoAmI {
    fn set_property(&mut self, name: &str, _: &Value) -> Result<(), PropertyError> {
        Err(unknown(name))
    }
    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(unknown(name))
    }
}
impl Transform for WhoAmI {
    fn process(
        &mut self,
        _: usize,
        mut b: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let extra = b.meta_mut().extra_mut();
        extra.set("pid", MetaValue::Int(i64::from(std::process::id())));
        ctx.push(b);
        Ok(())
    }
}

#[derive(Default)]
struct Hostile {
    attack: String,
    at: u64,
    seen: u64,
}

impl ElementImpl for Hostile {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match (name, value) {
            ("attack", v) => self.attack = v.to_string(),
            ("at", Value::UInt(n)) => self.at = *n,
            _ => return Err(unknown(name)),
        }
        Ok(())
    }
    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "attack" => Ok(Value::Str(self.attack.clone())),
            "at" => Ok(Value::UInt(self.at)),
            _ => Err(unknown(name)),
        }
    }
    fn set_caps(&mut self, _: &[Caps], _: &[Caps]) -> Result<(), ElementError> {
        // `attack=caps-segv`: dies when caps change after data has flowed.
        if self.attack == "caps-segv" && self.seen > 0 {
            attack("segv");
        }
        Ok(())
    }
}

impl Transform for Hostile {
    fn process(
        &mut self,
        _: usize,
        b: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let now = self.seen;
        self.seen += 1;
        if now == self.at {
            attack(&self.attack);
        }
        ctx.push(b);
        Ok(())
    }
}

/// Bytes per buffer of `sbxsrc`.
pub(crate) const SRC_BYTES: usize = 4096;

/// `num-buffers` buffers of `SRC_BYTES`, buffer i filled with byte i (mod 256) and
/// carrying offset i; attacks when about to produce buffer `at`.
#[derive(Default)]
struct HostileSrc {
    attack: String,
    at: u64,
    num_buffers: u64,
    produced: u64,
}

impl ElementImpl for HostileSrc {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match (name, value) {
            ("attack", v) => self.attack = v.to_string(),
            ("at", Value::UInt(n)) => self.at = *n,
            ("num-buffers", Value::UInt(n)) => self.num_buffers = *n,
            _ => return Err(unknown(name)),
        }
        Ok(())
    }
    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "attack" => Ok(Value::Str(self.attack.clone())),
            "at" => Ok(Value::UInt(self.at)),
            "num-buffers" => Ok(Value::UInt(self.num_buffers)),
            _ => Err(unknown(name)),
        }
    }
}

impl Source for HostileSrc {
    fn produce(&mut self, ctx: &mut ProduceContext<'_>) -> Result<ProduceResult, FlowError> {
        let n = self.produced;
        if n >= self.num_buffers {
            return Ok(ProduceResult::Eos);
        }
        if n == self.at {
            attack(&self.attack);
        }
        let slot = ctx.buffer()?;
        slot.set_len(SRC_BYTES);
        slot.data_mut().fill(n as u8);
        slot.meta_mut().offset = Some(n);
        self.produced += 1;
        Ok(ProduceResult::Produced(SRC_BYTES))
    }
    fn buffer_size(&self) -> usize {
        SRC_BYTES
    }
}

/// Counts buffers and hashes their bytes (FNV-1a), posting `sbxsink-summary` (`buffers`,
/// `fnv`) at end of stream; attacks when buffer `at` arrives.
struct HostileSink {
    attack: String,
    at: u64,
    seen: u64,
    fnv: u64,
}

impl Default for HostileSink {
    fn default() -> Self {
        HostileSink {
            attack: String::new(),
            at: 0,
            seen: 0,
            fnv: FNV_START,
        }
    }
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a over `bytes`, continuing from `hash`.
pub(crate) fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl ElementImpl for HostileSink {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match (name, value) {
            ("attack", v) => self.attack = v.to_string(),
            ("at", Value::UInt(n)) => self.at = *n,
            _ => return Err(unknown(name)),
        }
        Ok(())
    }
    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "attack" => Ok(Value::Str(self.attack.clone())),
            "at" => Ok(Value::UInt(self.at)),
            _ => Err(unknown(name)),
        }
    }
}

impl Sink for HostileSink {
    fn consume(&mut self, buffer: Buffer, _: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let now = self.seen;
        self.seen += 1;
        if now == self.at {
            attack(&self.attack);
        }
        self.fnv = fnv1a(self.fnv, buffer.data());
        Ok(())
    }
    fn eos(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        ctx.post_message(
            Structure::new("sbxsink-summary")
                .with("buffers", self.seen as i64)
                .with("fnv", format!("{:016x}", self.fnv).as_str()),
        );
        Ok(())
    }
}

fn attack(kind: &str) {
    match kind {
        "open" => {
            let _ = std::fs::File::open("/etc/hostname");
        }
        "socket" => {
            let _ = std::net::TcpStream::connect("127.0.0.1:9");
        }
        "execve" => {
            let path = c"/bin/true";
            let argv = [path.as_ptr(), std::ptr::null()];
            // SAFETY: a NUL-terminated path and a NULL-terminated argv; if exec succeeded
            // the process image would be replaced, which is what the test forbids.
            unsafe { libc::execv(path.as_ptr(), argv.as_ptr()) };
        }
        // Truncating the host's stderr (a log file when the host runs with `2> log`): the
        // upper bits make a 64-bit "fd != 2" check pass while the kernel still sees fd 2.
        "truncate-stderr" => {
            // SAFETY: ftruncate takes an fd and a length; the call is expected to trap.
            unsafe { libc::syscall(libc::SYS_ftruncate, 0x1_0000_0002_i64, 0_i64) };
        }
        // SAFETY: the child, if one were created, exits at once.
        "fork" if unsafe { libc::fork() } == 0 => std::process::exit(0),
        "segv" => {
            // SAFETY: deliberately not: this writes through a null pointer to crash.
            unsafe { std::ptr::null_mut::<u8>().write_volatile(1) };
        }
        "abort" => std::process::abort(),
        // A memfd (the one file a worker may create) larger than the `fsize` limit: the
        // kernel answers with SIGXFSZ, a signal PID 1 would ignore.
        "xfsz" => {
            let flags = libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING;
            // SAFETY: a NUL-terminated name and the flags the filter allows.
            let fd = unsafe { libc::memfd_create(c"xfsz".as_ptr(), flags) };
            // SAFETY: sizing the memfd just made; past the limit this raises SIGXFSZ.
            unsafe { libc::ftruncate(fd, 8 << 30) };
        }
        // Not an attack: a library that prints. It must not reach any fd but /dev/null.
        "print" => {
            use std::io::Write;
            let mut out = std::io::stdout();
            let _ = out.write_all(&[b'x'; 200]);
            let _ = out.flush();
        }
        "spin" => loop {
            std::hint::spin_loop();
        },
        _ => {}
    }
}

/// Reads `input` (declared) whole at start and pushes its bytes for every buffer;
/// writes every buffer to `output` (declared); opens `undeclared` at start and `late` at
/// the first buffer without declaring them; segfaults at buffer `crash-at` of each run.
#[derive(Default)]
struct Files {
    input: String,
    output: String,
    undeclared: String,
    late: String,
    crash_at: Option<u64>,
    content: Vec<u8>,
    out: Option<std::fs::File>,
    seen: u64,
}

impl Files {
    fn open(path: &str, access: FileAccess) -> Result<std::fs::File, ElementError> {
        files::open(std::path::Path::new(path), access)
            .map_err(|e| ElementError::resource(format!("could not open {path}: {e}")))
    }
}

impl ElementImpl for Files {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match (name, value) {
            ("input", v) => self.input = v.str_for(name)?.to_owned(),
            ("output", v) => self.output = v.str_for(name)?.to_owned(),
            ("undeclared", v) => self.undeclared = v.str_for(name)?.to_owned(),
            ("late", v) => self.late = v.str_for(name)?.to_owned(),
            ("crash-at", Value::UInt(n)) => self.crash_at = Some(*n),
            _ => return Err(unknown(name)),
        }
        Ok(())
    }
    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "input" => Ok(Value::Str(self.input.clone())),
            "output" => Ok(Value::Str(self.output.clone())),
            "undeclared" => Ok(Value::Str(self.undeclared.clone())),
            "late" => Ok(Value::Str(self.late.clone())),
            "crash-at" => Ok(Value::UInt(self.crash_at.unwrap_or(u64::MAX))),
            _ => Err(unknown(name)),
        }
    }
    fn sandbox_files(&self) -> Vec<FileNeed> {
        let mut needs = Vec::new();
        if !self.input.is_empty() {
            needs.push(FileNeed::read(&self.input));
        }
        if !self.output.is_empty() {
            needs.push(FileNeed::write(&self.output));
        }
        needs
    }
    fn start(&mut self) -> Result<(), ElementError> {
        use std::io::Read;
        self.seen = 0;
        self.content.clear();
        if !self.input.is_empty() {
            Self::open(&self.input, FileAccess::Read)?
                .read_to_end(&mut self.content)
                .map_err(|e| ElementError::resource(e.to_string()))?;
        }
        if !self.output.is_empty() {
            self.out = Some(Self::open(&self.output, FileAccess::Write)?);
        }
        if !self.undeclared.is_empty() {
            Self::open(&self.undeclared, FileAccess::Read)?;
        }
        Ok(())
    }
    fn stop(&mut self) -> Result<(), ElementError> {
        self.out = None;
        Ok(())
    }
}

impl Transform for Files {
    fn process(
        &mut self,
        _: usize,
        b: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        use std::io::Write;
        if self.crash_at == Some(self.seen) {
            attack("segv");
        }
        self.seen += 1;
        if !self.late.is_empty() {
            Self::open(&self.late, FileAccess::Read).map_err(|e| ctx.error(e))?;
        }
        if let Some(out) = self.out.as_mut() {
            out.write_all(b.data())
                .map_err(|e| ctx.error(ElementError::resource(e.to_string())))?;
        }
        if self.content.is_empty() {
            ctx.push(b);
            return Ok(());
        }
        let mut copy = ctx.allocate(self.content.len())?;
        copy.data_mut().copy_from_slice(&self.content);
        ctx.push(copy.freeze());
        Ok(())
    }
}

/// The built-in elements plus the test ones.
pub(crate) fn registry() -> Result<Registry, RegisterError> {
    let mut registry = Registry::new();
    parallax_elements::register_all(&mut registry)?;
    registry.register(info("sbxpass"), || AnyElement::Transform(Box::new(Pass)))?;
    registry.register(info("sbxinvert"), || {
        AnyElement::Transform(Box::new(Invert))
    })?;
    registry.register(info("sbxwhoami"), || {
        AnyElement::Transform(Box::new(WhoAmI))
    })?;
    registry.register(
        info("sbxmeta").property(PropSpec::uint("blob", 0, 0, 1 << 20)),
        || AnyElement::Transform(Box::<Meta>::default()),
    )?;
    registry.register(
        info("sbxhostile")
            .property(PropSpec::string("attack", "none"))
            .property(PropSpec::uint("at", 0, 0, u64::MAX)),
        || AnyElement::Transform(Box::<Hostile>::default()),
    )?;
    registry.register(
        info("sbxfile")
            .property(PropSpec::string("input", ""))
            .property(PropSpec::string("output", ""))
            .property(PropSpec::string("undeclared", ""))
            .property(PropSpec::string("late", ""))
            .property(PropSpec::uint("crash-at", u64::MAX, 0, u64::MAX)),
        || AnyElement::Transform(Box::<Files>::default()),
    )?;
    registry.register(
        ElementInfo::new("sbxsrc", "Source/Test", "sandbox test source")
            .pad(PadTemplate::src(Caps::any()))
            .hints(ExecutionHints {
                trust: TrustLevel::Untrusted,
                ..ExecutionHints::DEFAULT
            })
            .property(PropSpec::string("attack", "none"))
            .property(PropSpec::uint("at", u64::MAX, 0, u64::MAX))
            .property(PropSpec::uint("num-buffers", 10, 0, u64::MAX)),
        || {
            AnyElement::Source(Box::new(HostileSrc {
                at: u64::MAX,
                num_buffers: 10,
                ..HostileSrc::default()
            }))
        },
    )?;
    registry.register(
        ElementInfo::new("sbxsink", "Sink/Test", "sandbox test sink")
            .pad(PadTemplate::sink(Caps::any()))
            .hints(ExecutionHints {
                trust: TrustLevel::Untrusted,
                ..ExecutionHints::DEFAULT
            })
            .property(PropSpec::string("attack", "none"))
            .property(PropSpec::uint("at", u64::MAX, 0, u64::MAX)),
        || {
            AnyElement::Sink(Box::new(HostileSink {
                at: u64::MAX,
                ..HostileSink::default()
            }))
        },
    )?;
    Ok(registry)
}
