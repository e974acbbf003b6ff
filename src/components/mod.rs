//! Widgets shared by the labs.

pub mod capture_actions;
pub mod copy_link;
pub mod hand_off_button;
pub mod hex_view;
pub mod key_value_table;
pub mod lab_tabs;
pub mod send_as_select;
pub mod tree_view;
