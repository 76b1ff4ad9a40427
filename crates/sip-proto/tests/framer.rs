//! Stream framing against the shared corpora (RFC 4475 torture messages,
//! real-world messages, PROTOS c07-sip), read at test time from
//! `$SIP_CORPUS_DIR` or `/work/shared/corpus`. Missing corpora skip.

use std::path::PathBuf;

use bytes::Bytes;
use sip_proto::framer::{Frame, Framer, FramerConfig, FramerError};

fn corpus(sub: &str) -> Option<PathBuf> {
    let root = std::env::var_os("SIP_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/corpus"));
    let dir = root.join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("corpus {} not found, skipping", dir.display());
        None
    }
}

fn read(sub: &str, name: &str) -> Option<Vec<u8>> {
    corpus(sub).map(|d| std::fs::read(d.join(name)).expect("corpus file"))
}

/// All frames from `data` pushed in chunks of the given sizes (cycled).
fn frame(data: &[u8], sizes: &[usize]) -> (Vec<Result<Frame, FramerError>>, Framer) {
    let mut f = Framer::new();
    let mut out = Vec::new();
    let mut pos = 0;
    let mut k = 0;
    while pos < data.len() {
        let n = sizes[k % sizes.len()].min(data.len() - pos);
        f.push(&data[pos..pos + n]);
        out.extend(f.frames());
        pos += n;
        k += 1;
    }
    (out, f)
}

fn msg(b: &[u8]) -> Result<Frame, FramerError> {
    Ok(Frame::Message(Bytes::copy_from_slice(b)))
}

/// RFC 4475 section 3.1.1 messages whose Content-Length is right: each is
/// exactly one message on a stream.
const RFC4475_WHOLE: &[&str] = &[
    "wsinv.dat",
    "intmeth.dat",
    "esc01.dat",
    "escnull.dat",
    "esc02.dat",
    "lwsdisp.dat",
    "longreq.dat",
    "semiuri.dat",
    "transports.dat",
    "mpart01.dat",
    "unreason.dat",
    "noreason.dat",
    "regaut01.dat",
];

#[test]
fn rfc4475_valid_messages_frame_whole() {
    let Some(_) = corpus("rfc4475") else { return };
    for name in RFC4475_WHOLE {
        let data = read("rfc4475", name).unwrap();
        for sizes in [&[usize::MAX][..], &[1], &[7, 1, 64]] {
            let (frames, f) = frame(&data, sizes);
            assert_eq!(frames, vec![msg(&data)], "{name} {sizes:?}");
            assert!(f.is_idle(), "{name}");
        }
    }
}

#[test]
fn rfc4475_pipelined_with_keepalives() {
    let Some(_) = corpus("rfc4475") else { return };
    let mut stream = Vec::new();
    let mut expected = Vec::new();
    for (i, name) in RFC4475_WHOLE.iter().enumerate() {
        let data = read("rfc4475", name).unwrap();
        match i % 3 {
            0 => {
                stream.extend_from_slice(b"\r\n\r\n");
                expected.push(Ok(Frame::Ping));
            }
            1 => {
                stream.extend_from_slice(b"\r\n");
                expected.push(Ok(Frame::Pong));
            }
            _ => {}
        }
        stream.extend_from_slice(&data);
        expected.push(msg(&data));
    }
    for sizes in [&[usize::MAX][..], &[1], &[3, 5, 11, 2], &[1000]] {
        assert_eq!(frame(&stream, sizes).0, expected, "{sizes:?}");
    }
}

#[test]
fn rfc4475_framing_errors() {
    let Some(_) = corpus("rfc4475") else { return };
    let get = |n| read("rfc4475", n).unwrap();
    // 3.1.2.3 Negative Content-Length: close the connection.
    let (frames, f) = frame(&get("ncl.dat"), &[usize::MAX]);
    assert!(
        matches!(
            frames.as_slice(),
            [Err(FramerError::InvalidContentLength {
                reason: "negative",
                ..
            })]
        ),
        "{frames:?}"
    );
    assert!(f.error().is_some());
    // 3.3.9 Multiple Content-Length values: a framing error.
    let (frames, _) = frame(&get("mcl01.dat"), &[usize::MAX]);
    assert!(
        matches!(
            frames.as_slice(),
            [Err(FramerError::ConflictingContentLength {
                first: 13,
                second: 5,
                ..
            })]
        ),
        "{frames:?}"
    );
    // 3.1.2.2 Content-Length larger than the message: on TCP, wait.
    let data = get("clerr.dat");
    let (frames, f) = frame(&data, &[usize::MAX]);
    assert!(frames.is_empty());
    assert_eq!(f.buffered(), data.len());
    assert!(f.error().is_none());
    // 3.4.1 RFC 2543 style without Content-Length: an error on streams.
    let (frames, _) = frame(&get("inv2543.dat"), &[usize::MAX]);
    assert_eq!(
        frames,
        vec![Err(FramerError::MissingContentLength { offset: 0 })]
    );
    // 3.1.1.8 Trailing octets: only Content-Length bytes are the message.
    let data = get("dblreq.dat");
    let head = data.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let (frames, _) = frame(&data, &[usize::MAX]);
    assert_eq!(frames.first(), Some(&msg(&data[..head])));
}

/// Every message a framer yields is the next stretch of the input after
/// skipped keep-alives; nothing panics; the buffer stays below the limit.
fn check_invariants(data: &[u8], config: FramerConfig, sizes: &[usize]) {
    let mut f = Framer::with_config(config);
    let mut pos = 0;
    let mut k = 0;
    let mut emitted: u64 = 0;
    while pos < data.len() {
        let n = sizes[k % sizes.len()].min(data.len() - pos);
        f.push(&data[pos..pos + n]);
        pos += n;
        k += 1;
        while let Some(r) = f.next_frame() {
            if let Ok(Frame::Message(m)) = r {
                assert!(m.len() <= config.max_message_size);
                let start = usize::try_from(f.stream_offset()).unwrap() - m.len();
                assert_eq!(&data[start..start + m.len()], &m[..]);
                emitted += m.len() as u64;
            }
        }
        assert!(f.buffered() < config.max_message_size);
    }
    assert!(emitted <= data.len() as u64);
}

#[test]
fn all_corpus_files_keep_the_invariants() {
    let mut count = 0;
    for sub in ["rfc4475", "realworld", "protos-c07-sip"] {
        let Some(dir) = corpus(sub) else { continue };
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("dat" | "sip")))
            .collect();
        names.sort();
        for path in names {
            let data = std::fs::read(&path).unwrap();
            // Twice in a row, to frame past the first message.
            let doubled = [&data[..], &data[..]].concat();
            check_invariants(&doubled, FramerConfig::default(), &[usize::MAX]);
            check_invariants(&doubled, FramerConfig::default(), &[97, 13]);
            let small = FramerConfig {
                max_message_size: 512,
                ..FramerConfig::default()
            };
            check_invariants(&doubled, small, &[200]);
            count += 1;
        }
    }
    eprintln!("checked {count} corpus files");
}

#[test]
fn realworld_quirks() {
    let Some(_) = corpus("realworld") else { return };
    let get = |n| read("realworld", n).unwrap();
    // Truncated messages: the framer waits for the rest.
    for name in ["kam-no_eom_reply.sip", "kam-short_nonce.sip"] {
        let data = get(name);
        let (frames, f) = frame(&data, &[usize::MAX]);
        assert!(frames.is_empty(), "{name}");
        assert_eq!(f.buffered(), data.len(), "{name}");
    }
    // Bare LF line ends; Content-Length 0 and one stray LF after it, which
    // is skipped as a keep-alive byte.
    let data = get("kam-register.sip");
    let (frames, f) = frame(&data, &[1]);
    assert_eq!(frames, vec![msg(&data[..data.len() - 1])]);
    assert!(f.is_idle());
    // Two extra bytes (CRLF) after the message are a pong on a stream once
    // the next message starts.
    let data = get("ss-cisco-200-options-sdp.sip");
    let stream = [&data[..], &data[..]].concat();
    let (frames, _) = frame(&stream, &[usize::MAX]);
    assert_eq!(
        frames,
        vec![
            msg(&data[..data.len() - 2]),
            Ok(Frame::Pong),
            msg(&data[..data.len() - 2])
        ]
    );
    // No Content-Length (fine over UDP, not on a stream).
    let (frames, _) = frame(&get("ss-xpro-register-digest.sip"), &[usize::MAX]);
    assert!(matches!(
        frames.as_slice(),
        [Err(FramerError::MissingContentLength { offset: 0 })]
    ));
}

#[test]
fn protos_reference_case() {
    let Some(data) = read("protos-c07-sip", "case-0000.sip") else {
        return;
    };
    let (frames, f) = frame(&data, &[1]);
    assert_eq!(frames, vec![msg(&data)]);
    assert!(f.is_idle());
}
