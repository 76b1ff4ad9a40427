//! Fuzz checks for `sip-proto`: the message parser and printer, URIs, and
//! the stream framer.

use sip_proto::framer::{Frame, Framer, FramerConfig};
use sip_proto::{Message, Uri};

/// The targets of this module.
pub const TARGETS: &[crate::Target] = &[
    ("sip_message", sip_message),
    ("sip_uri", sip_uri),
    ("sip_framer", sip_framer),
];

/// Parses `data` as a datagram. Whatever parses must print, parse again to
/// an equal message, and print the same bytes again; every typed accessor
/// must return without panicking. An error must point inside the input.
pub fn sip_message(data: &[u8]) {
    match Message::parse(data.to_vec()) {
        Ok(m) => {
            let _ = m.check_all_headers();
            let _ = m.check_mandatory();
            let _ = (
                m.top_via(),
                m.from_header(),
                m.to_header(),
                m.cseq(),
                m.contacts().count(),
            );
            let printed = m.to_bytes();
            let again = match Message::parse(printed.clone()) {
                Ok(a) => a,
                Err(e) => panic!("printed message does not parse: {e}\n{m}"),
            };
            assert_eq!(again, m, "parse(print(m)) != m");
            assert_eq!(again.to_bytes(), printed, "printing is not canonical");
        }
        Err(e) => assert!(
            e.offset <= data.len(),
            "error offset {} beyond {} bytes",
            e.offset,
            data.len()
        ),
    }
}

/// Parses `data` as a URI; what parses prints to text that parses to an
/// equivalent URI.
pub fn sip_uri(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Uri::parse(text) {
        Ok(u) => {
            let printed = u.to_string();
            let again = Uri::parse(&printed)
                .unwrap_or_else(|e| panic!("{printed:?} does not reparse: {e}"));
            assert!(
                u.equivalent(&again) || matches!(u, Uri::Other { .. }),
                "{text:?} != {printed:?}"
            );
            assert_eq!(again.to_string(), printed);
        }
        Err(e) => assert!(e.offset <= text.len()),
    }
}

/// Feeds `data` to a framer in chunks whose sizes come from the first byte.
/// Frames must be the same whatever the chunking, memory stays within the
/// limit, and after an error nothing more comes out.
pub fn sip_framer(data: &[u8]) {
    let Some((&chunk, data)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk % 64) + 1;
    let config = FramerConfig {
        max_message_size: 4096,
        ..FramerConfig::default()
    };
    let run = |step: usize| {
        let mut f = Framer::with_config(config);
        let mut out = Vec::new();
        for piece in data.chunks(step) {
            f.push(piece);
            assert!(
                f.buffered() <= config.max_message_size + step,
                "framer buffers beyond its limit"
            );
            while let Some(frame) = f.next_frame() {
                let failed = frame.is_err();
                out.push(frame);
                if failed {
                    assert!(f.next_frame().is_none(), "frames after an error");
                    return out;
                }
            }
        }
        out
    };
    let whole = run(data.len().max(1));
    let chunked = run(chunk);
    // Chunking may only delay a trailing pong/ping decision, never change messages.
    let msgs = |v: &[Result<Frame, _>]| {
        v.iter()
            .filter_map(|f| match f {
                Ok(Frame::Message(m)) => Some(m.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(msgs(&whole), msgs(&chunked), "messages depend on chunking");
    for m in msgs(&whole) {
        let _ = Message::parse(m);
    }
}
