//! The loopback capture and tshark check that the peer tests (baresip.rs,
//! linphone.rs) run on every SIP message sipua sends (issue 7, test 6) is
//! able to fail: three datagrams sent on loopback under capture, one
//! well-formed OPTIONS, one with a header line without a colon, one with a
//! broken status line, must come out as one clean message, one flagged
//! frame and one payload not dissected as SIP.
//!
//! Skips, saying why, when tshark or dumpcap is absent (`scripts/test`
//! installs Debian's `tshark`).

mod common;

use common::interop::test_dir;
use common::tshark::{Capture, have_tshark, sip_check};
use std::net::UdpSocket;

#[test]
fn the_capture_check_flags_malformed_sip_and_keeps_good_sip() {
    if !have_tshark() {
        return;
    }
    let dir = test_dir("tshark-check");
    let from = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = UdpSocket::bind("127.0.0.1:0").unwrap();
    let (a, b) = (
        from.local_addr().unwrap().port(),
        to.local_addr().unwrap().port(),
    );
    let mut cap = Capture::start(&dir, &[a, b]);
    let msg = |first: &str, header: &str| {
        format!(
            "{first}\r\nVia: SIP/2.0/UDP 127.0.0.1:{a};branch=z9hG4bKcheck{n}\r\n\
             From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: check-{n}\r\n\
             CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n{header}Content-Length: 0\r\n\r\n",
            n = first.len() + header.len()
        )
    };
    let good = msg(&format!("OPTIONS sip:b@127.0.0.1:{b} SIP/2.0"), "");
    let no_colon = msg(
        &format!("OPTIONS sip:b@127.0.0.1:{b} SIP/2.0"),
        "Subject just words\r\n",
    );
    let bad_status = msg("SIP/2.0 2x0 OK", "");
    for m in [&good, &no_colon, &bad_status] {
        from.send_to(m.as_bytes(), ("127.0.0.1", b)).unwrap();
    }
    let pcap = cap.stop();
    let check = sip_check(&pcap, &[a, b]);
    eprintln!("{check:#?}");
    assert_eq!(
        check.sent_from(a).len(),
        2,
        "the two OPTIONS are SIP, the broken status line is not: {check:#?}"
    );
    assert_eq!(
        check.flagged.len(),
        1,
        "only the header without a colon is flagged: {check:#?}"
    );
    assert_eq!(check.flagged[0].0, a);
    assert_eq!(
        check.undissected,
        vec![a],
        "the broken status line is a payload tshark did not take as SIP"
    );
    std::fs::remove_dir_all(&dir).ok();
}
