//! The Security lab's own wasm module, loaded by the shell the first time the lab is opened.

fn main() {
    wirelab::labs::mount::<wirelab::security_lab::SecurityLab>(wirelab::labs::Lab::Security);
}
