//! The WebSocket lab's own wasm module, loaded by the shell the first time the lab is opened.

fn main() {
    wirelab::labs::mount::<wirelab::ws_lab::WsLab>(wirelab::labs::Lab::WebSocket);
}
