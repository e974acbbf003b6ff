//! formats_convert cases (written with the module).
