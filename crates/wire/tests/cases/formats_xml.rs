//! formats_xml cases (written with the module).
