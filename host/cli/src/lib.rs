//! Parallax: a streaming media pipeline engine. This crate is the embedding facade and
//! the `parallax` command.

pub use parallax_core as core;
pub use parallax_engine::*;
