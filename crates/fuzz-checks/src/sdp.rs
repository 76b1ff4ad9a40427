//! Fuzz checks for the `sdp` crate.

use sdp::SessionDescription;

/// The targets of this module.
pub const TARGETS: &[crate::Target] = &[("sdp_parse", sdp_parse)];

/// Parses `data` as SDP. Whatever parses must print, parse again to an equal
/// description, and print the same text again (printing is canonical). A
/// parse error must name a line inside the input. Panics when a property fails.
pub fn sdp_parse(data: &[u8]) {
    match SessionDescription::parse(data.to_vec()) {
        Ok(d) => {
            let printed = d.to_bytes();
            let again = match SessionDescription::parse(printed.clone()) {
                Ok(a) => a,
                Err(e) => panic!("printed SDP does not parse: {e}\n{d}"),
            };
            assert_eq!(again, d, "parse(print(s)) != s");
            assert_eq!(again.to_bytes(), printed, "printing is not canonical");
        }
        Err(e) => {
            let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
            assert!(
                e.line <= lines,
                "error line {} beyond {lines} lines",
                e.line
            );
        }
    }
}
