//! (issue 14, helper D: HAR 1.2 export and import)
