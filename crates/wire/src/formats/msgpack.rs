//! msgpack: decoding with a byte map of the input, and encoding with a byte map of the output.

use super::{Decoded, Encoded, FormatError, Node};

pub fn decode(bytes: &[u8]) -> Result<Decoded, FormatError> {
    let _ = bytes;
    Err(FormatError::general("not written yet"))
}

pub fn encode(document: &Node) -> Encoded {
    let _ = document;
    todo!("helper")
}
