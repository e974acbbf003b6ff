//! Widgets shared by the labs.

pub mod hex_view;
pub mod key_value_table;
pub mod tree_view;
