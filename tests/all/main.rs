//! Parallax integration tests: one binary, one module per area.

mod elements_flow;
mod elements_io;
mod errors_runtime;
mod negotiation;
mod pipeline_run;
mod state_control;
