//! ITU-T G.729 Annex A (CS-ACELP, 8 kbit/s, 10 ms frames of 80 samples).
//!
//! Bit-exact fixed-point implementation: every computation follows the
//! arithmetic sequence of the Recommendation (its fixed-point C description
//! is normative), expressed with the operators of [`basic_op`].
//!
//! | module | what | reference |
//! |---|---|---|
//! | [`basic_op`] | ITU fixed-point operators, per-instance overflow flag | G.729 §5, basic operators |
//! | [`tables`] | constant tables and `#define`s (generated) | G.729 / Annex A tables |
//! | [`encoder`] | the Annex A encoder | G.729 §3, Annex A A.3 |
pub mod basic_op;
pub mod encoder;
pub mod tables;
