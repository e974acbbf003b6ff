//! Widgets shared by the labs.

pub mod decode_as_button;
pub mod hash_this_button;
pub mod hex_view;
pub mod key_value_table;
pub mod send_as_select;
pub mod tree_view;
