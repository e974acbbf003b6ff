//! The Sockets lab's own wasm module, loaded by the shell the first time the lab is opened.

fn main() {
    wirelab::labs::mount::<wirelab::sockets_lab::SocketsLab>(wirelab::labs::Lab::Sockets);
}
