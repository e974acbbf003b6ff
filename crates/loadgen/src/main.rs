//! The load generator behind `cargo xtask bench-server` (written by the benchmark work).

fn main() {}
