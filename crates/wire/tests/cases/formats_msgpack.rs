//! formats_msgpack cases (written with the module).
