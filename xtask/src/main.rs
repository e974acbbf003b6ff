//! Wirelab's developer commands.
fn main() {}
