//! Shared inputs for the criterion benchmarks in `benches/benches/`.
//!
//! Benchmark ids follow `group/implementation/input`, with `ours` for our
//! code and the peer crate's name otherwise, so ratios can be read from
//! `target/criterion` mechanically (`scripts/bench-ratios`).

/// SIP messages of the `sip_parse` group, as a handset sees them.
pub mod sip {
    /// An INVITE with an SDP offer, about 1.1 KB.
    pub const INVITE: &[u8] = include_bytes!("../data/invite.sip");

    /// A 200 OK to REGISTER with two bindings.
    pub const REGISTER_200: &[u8] = include_bytes!("../data/register_200.sip");

    /// An MWI NOTIFY (RFC 3842).
    pub const NOTIFY: &[u8] = include_bytes!("../data/notify.sip");

    /// An ACK for a 2xx.
    pub const ACK: &[u8] = include_bytes!("../data/ack.sip");

    /// All inputs by name.
    pub const ALL: &[(&str, &[u8])] = &[
        ("invite", INVITE),
        ("register_200", REGISTER_200),
        ("notify", NOTIFY),
        ("ack", ACK),
    ];
}
