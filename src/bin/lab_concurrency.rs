//! The Concurrency lab's own wasm module, loaded by the shell the first time the lab is opened.

fn main() {
    wirelab::labs::mount::<wirelab::concurrency_lab::ConcurrencyLab>(wirelab::labs::Lab::Concurrency);
}
