//! Protobuf, with a schema and without one.
//!
//! With a schema: `.proto` text compiled in-process (protox, `schema.rs`), documents encoded
//! following proto3's canonical JSON mapping (`encode.rs`), and bytes decoded back (`decode.rs`),
//! each with a byte map. Encoding and mapping share one walker: the encoder writes the bytes,
//! then the decoder's walker reads them back against the schema to map them, naming paths with
//! the source document's keys. Decoded documents use JSON names (`timestampMs`) and, as proto3
//! JSON does, leave out fields that are not on the wire (proto3 does not send default values).
//! Groups (proto2) are not supported, and well-known types (`google.protobuf.Timestamp`, ...) are
//! plain messages, not their JSON forms.
//!
//! Without a schema: [`schemaless`] reads field numbers, wire types and every plausible reading
//! of each value (also reachable as `wire::protowire`, its name in the payload views).
//!
//! `wire.rs` holds what both read the same way: limits, field keys, wire types, varints.

mod decode;
mod encode;
mod schema;
pub mod schemaless;
mod wire;

pub use decode::decode;
pub use encode::encode;
pub use schema::Schema;
