//! The IoT lab's own wasm module, loaded by the shell the first time the lab is opened.

fn main() {
    wirelab::labs::mount::<wirelab::iot_lab::IotLab>(wirelab::labs::Lab::Iot);
}
