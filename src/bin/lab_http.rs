//! The Http lab's own wasm module, loaded by the shell the first time the lab is opened.

fn main() {
    wirelab::labs::mount::<wirelab::http_lab::HttpLab>(wirelab::labs::Lab::Http);
}
