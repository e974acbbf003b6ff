//! Widgets shared by the labs.

pub mod hex_view;
