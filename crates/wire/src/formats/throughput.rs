//! Encode and decode throughput per format, measured the same way natively and in wasm (the
//! clock is passed in), so `cargo xtask bench-formats` can report a fair wasm/native ratio.
