//! formats_protobuf cases (written with the module).
