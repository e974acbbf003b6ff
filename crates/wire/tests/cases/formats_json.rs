//! formats_json cases (written with the module).
