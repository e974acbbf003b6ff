//! Rust types for `www/proto/wirelab.proto`, generated at build time by prost-build (see build.rs).
//! The Formats lab encodes through the schema at run time; these types are the reference its
//! tests and benchmarks compare against.

include!(concat!(env!("OUT_DIR"), "/wirelab.rs"));
