//! The Web Worker that encodes and decodes the Formats lab's documents (`net::formats_engine`).

fn main() {
    wirelab::net::formats_engine::serve();
}
