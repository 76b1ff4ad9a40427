//! G.729 Annex A encoder (placeholder; implemented separately).
