//! `cargo xtask bench-formats`: the formats' encode/decode throughput natively and in wasm.

pub fn bench_formats() -> Result<(), String> {
    Err("bench-formats is not written yet".into())
}
