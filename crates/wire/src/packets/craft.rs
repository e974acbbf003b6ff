//! (issue 14, helper B: packets crafted layer by layer)
