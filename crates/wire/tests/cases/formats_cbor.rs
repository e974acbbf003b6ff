//! formats_cbor cases (written with the module).
