//! The Formats lab's own wasm module, loaded by the shell the first time the lab is opened.

fn main() {
    wirelab::labs::mount::<wirelab::formats_lab::FormatsLab>(wirelab::labs::Lab::Formats);
}
