//! (issue 14, helper E: a lab's state in a compressed URL fragment)
