//! Fuzz checks for this crate (none yet).

/// The targets of this module.
pub const TARGETS: &[crate::Target] = &[];
