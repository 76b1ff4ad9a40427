//! placeholder, filled by the crate's issue
