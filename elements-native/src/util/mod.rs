//! Small helpers shared by several elements.

pub(crate) mod rng;
