//! Shared inputs for the criterion benchmarks in `benches/benches/`.
//!
//! Benchmark ids follow `group/implementation/input`, with `ours` for our
//! code and the peer crate's name otherwise, so ratios can be read from
//! `target/criterion` mechanically (`scripts/bench-ratios`).

/// SIP messages of the `sip_parse` group, as a handset sees them.
pub mod sip {
    /// An INVITE with an SDP offer, about 1.1 KB.
    pub const INVITE: &[u8] = b"INVITE sip:6002@pbx.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---5b5a6b7d0f6e0a52;rport\r\n\
Max-Forwards: 70\r\n\
Contact: <sip:6001@192.0.2.10:5060;transport=udp>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"\r\n\
To: <sip:6002@pbx.example.com>\r\n\
From: \"Extension 6001\" <sip:6001@pbx.example.com>;tag=4e3d2b1c\r\n\
Call-ID: 9f1c6d3e2b7a4c58a0d1e2f3a4b5c6d7@192.0.2.10\r\n\
CSeq: 2 INVITE\r\n\
Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE, UPDATE, PRACK\r\n\
Content-Type: application/sdp\r\n\
Supported: replaces, timer, 100rel\r\n\
User-Agent: Handset/1.0 (MiVoice profile)\r\n\
Session-Expires: 1800;refresher=uac\r\n\
Min-SE: 90\r\n\
P-Preferred-Identity: \"Extension 6001\" <sip:6001@pbx.example.com>\r\n\
Content-Length: 410\r\n\
\r\n\
v=0\r\n\
o=- 3914567823 3914567823 IN IP4 192.0.2.10\r\n\
s=handset\r\n\
c=IN IP4 192.0.2.10\r\n\
t=0 0\r\n\
m=audio 40000 RTP/AVP 0 8 18 9 101\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:18 G729/8000\r\n\
a=fmtp:18 annexb=no\r\n\
a=rtpmap:9 G722/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-15\r\n\
a=ptime:20\r\n\
a=maxptime:40\r\n\
a=sendrecv\r\n\
a=rtcp:40001 IN IP4 192.0.2.10\r\n\
a=ssrc:2864434397 cname:6001@192.0.2.10\r\n\
a=x-handset-padding:0123456789abcdef0123456789abcdef01234\r\n";

    /// A 200 OK to REGISTER with two bindings.
    pub const REGISTER_200: &[u8] = b"SIP/2.0 200 OK\r\n\
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---1f2e3d4c5b6a7980;rport=5060;received=192.0.2.10\r\n\
From: <sip:6001@pbx.example.com>;tag=8a7b6c5d\r\n\
To: <sip:6001@pbx.example.com>;tag=as5f2e1d0c\r\n\
Call-ID: 2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e@192.0.2.10\r\n\
CSeq: 3 REGISTER\r\n\
Contact: <sip:6001@192.0.2.10:5060>;expires=3600, <sip:6001@198.51.100.7:5060>;expires=120\r\n\
Date: Mon, 30 Nov 2026 06:00:00 GMT\r\n\
Server: MiVoice Business\r\n\
Content-Length: 0\r\n\r\n";

    /// An MWI NOTIFY (RFC 3842).
    pub const NOTIFY: &[u8] = b"NOTIFY sip:6001@192.0.2.10:5060 SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK9a8b7c6d5e\r\n\
Max-Forwards: 70\r\n\
From: <sip:6001@pbx.example.com>;tag=srv42\r\n\
To: <sip:6001@pbx.example.com>;tag=cli17\r\n\
Call-ID: mwi-6001-77@192.0.2.1\r\n\
CSeq: 12 NOTIFY\r\n\
Contact: <sip:pbx@192.0.2.1:5060>\r\n\
Event: message-summary\r\n\
Subscription-State: active;expires=3400\r\n\
Content-Type: application/simple-message-summary\r\n\
Content-Length: 70\r\n\r\n\
Messages-Waiting: yes\r\n\
Message-Account: sip:6000@pbx.example.com\r\n\
Voice-Message: 2/8\r\n";

    /// An ACK for a 2xx.
    pub const ACK: &[u8] = b"ACK sip:6002@192.0.2.11:5060 SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---ab12cd34ef56;rport\r\n\
Max-Forwards: 70\r\n\
To: <sip:6002@pbx.example.com>;tag=9c8b7a\r\n\
From: \"Extension 6001\" <sip:6001@pbx.example.com>;tag=4e3d2b1c\r\n\
Call-ID: 9f1c6d3e2b7a4c58a0d1e2f3a4b5c6d7@192.0.2.10\r\n\
CSeq: 2 ACK\r\n\
Content-Length: 0\r\n\r\n";

    /// All inputs by name.
    pub const ALL: &[(&str, &[u8])] = &[
        ("invite", INVITE),
        ("register_200", REGISTER_200),
        ("notify", NOTIFY),
        ("ack", ACK),
    ];
}
