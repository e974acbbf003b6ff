//! Generates the Rust types of Wirelab's sample Protobuf schema (`www/proto/wirelab.proto`) for
//! the `/protobuf` endpoint, compiling the schema in-process with protox (no protoc needed).

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Read when the script runs, not when it was compiled: a build script compiled in another
    // checkout sharing this target directory would otherwise read that checkout's files.
    let proto_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../../www/proto");
    let proto = proto_dir.join("wirelab.proto");
    println!("cargo:rerun-if-changed={}", proto.display());
    let descriptors = protox::compile([&proto], [&proto_dir])?;
    prost_build::Config::new().compile_fds(descriptors)?;
    Ok(())
}
