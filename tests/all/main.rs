//! Parallax integration tests: one binary, one module per area.

mod pipeline_run;
