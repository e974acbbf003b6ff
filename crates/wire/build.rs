//! Generates Rust types (prost) for the sample messages in `www/proto/*.proto`, compiling the
//! schemas in-process with protox, so no protoc binary is needed. The Formats lab's tests check
//! the lab's own schema-driven encoder against these generated types byte for byte.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Read when the script runs, not when it was compiled: a build script compiled in another
    // checkout sharing this target directory would otherwise read that checkout's files.
    let proto_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../../www/proto");
    println!("cargo:rerun-if-changed={}", proto_dir.display());
    let mut protos = Vec::new();
    for entry in std::fs::read_dir(&proto_dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|extension| extension == "proto") {
            println!("cargo:rerun-if-changed={}", path.display());
            protos.push(path);
        }
    }
    protos.sort();
    let descriptors = protox::compile(&protos, [&proto_dir])?;
    prost_build::Config::new().compile_fds(descriptors)?;
    Ok(())
}
