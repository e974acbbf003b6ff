//! Which format a run of bytes most likely is, for the Decode tab.
