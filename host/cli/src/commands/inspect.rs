//! `parallax inspect [ELEMENT] [--json]`.

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use parallax::core::ElementOrigin;
use parallax::core::property::{Mutability, PropKind, PropSpec};
use parallax::core::registry::ElementInfo;
use parallax::sandbox::isolate::wants_isolation;
use serde_json::{Value as Json, json};

/// Options of `inspect`.
#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The element to describe; without it, every element is listed.
    element: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
    /// Start a sandboxed worker once and report which protections this kernel lets it
    /// apply (with ELEMENT: a worker for that element; with `--pipeline`: which elements
    /// of that pipeline run in which worker process).
    #[arg(long)]
    sandbox: bool,
    /// With `--sandbox`: the pipeline whose isolation to show, e.g.
    /// `--pipeline 'filesrc location=a.ivf ! dav1ddec ! fakesink' --isolate '*dec*'`.
    #[arg(long, value_name = "PIPELINE", requires = "sandbox")]
    pipeline: Option<String>,
    #[command(flatten)]
    isolation: super::run::IsolateArgs,
}

pub(crate) fn inspect(elements: &super::Elements, args: InspectArgs) -> anyhow::Result<ExitCode> {
    if let Some(text) = &args.pipeline {
        print_workers(elements, text, &args)?;
        return Ok(ExitCode::SUCCESS);
    }
    let registry = &elements.registry;
    match &args.element {
        None if args.json => {
            let all: Vec<Json> = registry.iter().map(|f| info_json(f.info())).collect();
            println!("{}", serde_json::to_string_pretty(&all)?);
        }
        None => {
            let width = registry
                .iter()
                .map(|f| f.info().name.len())
                .max()
                .unwrap_or(0);
            for factory in registry.iter() {
                let info = factory.info();
                println!(
                    "{:width$}  {:<20} {}",
                    info.name, info.klass, info.description
                );
            }
            let wasm = registry
                .iter()
                .filter(|f| f.info().origin != ElementOrigin::Native)
                .count();
            println!(
                "\nTotal: {} elements ({} native, {wasm} wasm)",
                registry.len(),
                registry.len() - wasm
            );
            if !elements.plugin_lines.is_empty() {
                println!("\nPlugins:");
                for line in &elements.plugin_lines {
                    println!("  {line}");
                }
            }
        }
        Some(name) => {
            let Some(factory) = registry.get(name) else {
                match registry.suggest(name) {
                    Some(s) => bail!("no element '{name}' (did you mean '{s}'?)"),
                    None => bail!("no element '{name}'; `parallax inspect` lists them all"),
                }
            };
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&info_json(factory.info()))?
                );
            } else {
                print_info(factory.info());
                if args.sandbox || wants_isolation(factory.info()) {
                    print_protections(factory)?;
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
    }
    if args.sandbox {
        let Some(identity) = registry.get("identity") else {
            bail!("no identity element to start a worker with");
        };
        print_protections(identity)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Prepares `text` with the chosen isolation (nothing runs) and prints which elements
/// share which worker process.
fn print_workers(elements: &super::Elements, text: &str, args: &InspectArgs) -> anyhow::Result<()> {
    let mut pipeline = elements.parse(text, "<--pipeline>")?;
    pipeline.set_isolation(args.isolation.isolation())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async { pipeline.prepare() })?;
    let groups = pipeline.worker_groups();
    let graph = pipeline.graph();
    let bins: Vec<&str> = graph
        .node_ids()
        .map(|id| graph.node(id))
        .filter(|node| parallax::sandbox::isolate::is_bin(node.factory.info()))
        .map(|node| node.name.as_str())
        .collect();
    if groups.is_empty() {
        println!("Every element runs in-process.");
    } else {
        println!("Worker processes ({}):", groups.len());
    }
    for (i, group) in groups.iter().enumerate() {
        let kind = if group.is_shared() {
            format!(
                "shared by pattern '{}', one thread per element",
                group.label()
            )
        } else {
            "one element".to_owned()
        };
        println!(
            "  worker {}  {}  ({kind})",
            i + 1,
            group.members().join(", ")
        );
    }
    for bin in bins {
        println!(
            "{bin}: a bin, in-process; the elements it builds are isolated by the same \
             rules when it builds them"
        );
    }
    Ok(())
}

/// Starts a worker for `factory` and prints what it locked down.
fn print_protections(factory: &parallax::core::ElementFactory) -> anyhow::Result<()> {
    let config = std::sync::Arc::new(parallax::sandbox::SandboxConfig::default());
    let protections = parallax::sandbox::probe(factory.clone(), config)
        .context("cannot start a sandboxed worker")?;
    println!("\nSandbox protections (a worker started now):");
    for line in protections.to_string().lines() {
        println!("  {line}");
    }
    Ok(())
}

fn mutability(m: Mutability) -> &'static str {
    match m {
        Mutability::Construct => "construct only",
        Mutability::Ready => "changeable while not running",
        Mutability::Playing => "changeable while running",
    }
}

fn kind_json(kind: &PropKind) -> Json {
    match kind {
        PropKind::Bool => json!({"type": "bool"}),
        PropKind::Int { min, max } => json!({"type": "int", "min": min, "max": max}),
        PropKind::UInt { min, max } => json!({"type": "uint", "min": min, "max": max}),
        PropKind::Double { min, max } => json!({"type": "double", "min": min, "max": max}),
        PropKind::Str => json!({"type": "string"}),
        PropKind::Path => json!({"type": "path"}),
        PropKind::Enum(values) => json!({
            "type": "enum",
            "values": values.iter().map(|v| json!({"nick": v.nick, "value": v.value, "doc": v.doc})).collect::<Vec<_>>(),
        }),
        PropKind::Caps => json!({"type": "caps"}),
        PropKind::Fraction => json!({"type": "fraction"}),
        other => json!({"type": other.to_string()}),
    }
}

fn origin_json(origin: &ElementOrigin) -> Json {
    match origin {
        ElementOrigin::Component {
            path,
            version,
            hash,
        } => json!({
            "path": path.display().to_string(),
            "version": version,
            "sha256": hash,
        }),
        _ => Json::Null,
    }
}

fn property_json(spec: &PropSpec) -> Json {
    json!({
        "name": spec.name,
        "kind": kind_json(&spec.kind),
        "default": spec.default.to_string(),
        "doc": spec.doc,
        "mutability": mutability(spec.mutability),
        "readable": spec.readable,
        "writable": spec.writable,
    })
}

fn info_json(info: &ElementInfo) -> Json {
    let h = &info.hints;
    json!({
        "name": info.name,
        "world": info.origin.world(),
        "origin": origin_json(&info.origin),
        "klass": info.klass,
        "description": info.description,
        "rank": format!("{:?}", info.rank).to_lowercase(),
        "pads": info.pad_templates.iter().map(|t| json!({
            "name": t.name,
            "direction": t.direction.to_string(),
            "presence": t.presence.to_string(),
            "caps": t.caps.to_string(),
        })).collect::<Vec<_>>(),
        "properties": info.properties.iter().map(property_json).collect::<Vec<_>>(),
        "isolated-by-default": wants_isolation(info),
        "hints": {
            "trust": format!("{:?}", h.trust),
            "processing": format!("{:?}", h.processing),
            "latency": format!("{:?}", h.latency),
            "crash_safe": h.crash_safe,
            "uses_native_code": h.uses_native_code,
            "memory": format!("{:?}", h.memory),
            "affinity": format!("{:?}", h.affinity),
            "rt_safe": h.is_rt_safe(),
        },
    })
}

fn print_info(info: &ElementInfo) {
    println!("Factory Details:");
    println!("  Name           {}", info.name);
    match &info.origin {
        ElementOrigin::Component {
            path,
            version,
            hash,
        } => {
            println!("  World          wasm (untrusted, sandboxed component)");
            println!("  File           {}", path.display());
            println!("  Version        {version}");
            println!("  SHA-256        {hash}");
        }
        _ if wants_isolation(info) => println!(
            "  World          native code, isolated by default (seccomp-sandboxed worker \
             process; `run --no-isolate` keeps it in-process)"
        ),
        _ => println!("  World          native (trusted, in-process)"),
    }
    println!("  Klass          {}", info.klass);
    println!("  Description    {}", info.description);
    println!("  Rank           {:?}", info.rank);
    println!("\nPad Templates:");
    for t in &info.pad_templates {
        println!(
            "  {} template: '{}'",
            t.direction.to_string().to_uppercase(),
            t.name
        );
        println!("    Availability: {}", t.presence);
        println!("    Capabilities: {}", t.caps);
    }
    println!("\nExecution hints:");
    let h = &info.hints;
    println!(
        "  trust {:?}, processing {:?}, latency {:?}",
        h.trust, h.processing, h.latency
    );
    println!(
        "  crash-safe {}, native code {}, memory {:?}, affinity {:?}, rt-safe {}",
        h.crash_safe,
        h.uses_native_code,
        h.memory,
        h.affinity,
        h.is_rt_safe()
    );
    println!("\nElement Properties:");
    if info.properties.is_empty() {
        println!("  none");
    }
    for spec in &info.properties {
        println!("  {:<20} : {}", spec.name, spec.doc);
        let access = match (spec.readable, spec.writable) {
            (true, true) => "readable, writable",
            (true, false) => "read-only",
            _ => "write-only",
        };
        println!("  {:<20}   {}, {access}", "", mutability(spec.mutability));
        println!("  {:<20}   {} Default: {}", "", spec.kind, spec.default);
    }
}
