//! The Web Worker that indexes big JSON and XML bodies for the tree view (`net::indexer`).

fn main() {
    wirelab::net::indexer::serve();
}
