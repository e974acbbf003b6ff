//! Any format to any other through the document model, with what each step could not carry.
