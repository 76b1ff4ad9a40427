//! Shared inputs for the criterion benchmarks in `benches/benches/`.
//!
//! Benchmark ids follow `group/implementation/input`, with `ours` for our
//! code and the peer crate's name otherwise, so ratios can be read from
//! `target/criterion` mechanically (`scripts/bench-ratios`).

pub mod bcg729;

/// The RTP packet the `rtp_*` benchmarks and `examples/rtp_count.rs` use:
/// a 12-byte header (marker, PCMU, sequence 4242) and 160 payload bytes.
pub fn rtp_packet() -> Vec<u8> {
    let payload: Vec<u8> = (0..160u32).map(|i| (i * 7) as u8).collect();
    rtp_media::rtp::RtpHeader {
        marker: true,
        payload_type: 0,
        sequence: 4242,
        timestamp: 123_456,
        ssrc: 0xDEAD_BEEF,
        ..Default::default()
    }
    .to_vec(&payload)
    .unwrap()
}

/// The work of one iteration of each benchmark of the `rtp_parse`,
/// `rtp_build` and `rtp_build_header` groups, shared by
/// `benches/benches/media.rs` and the instruction counter
/// `examples/rtp_count.rs` so both run the very same code. `#[inline]`:
/// each is compiled into the loop that measures it.
pub mod rtp_work {
    use std::hint::black_box;

    use bytes::Bytes;
    use rtp_media::rtp::{RtpHeader, RtpPacket};
    use webrtc_util::marshal::{Marshal, Unmarshal};

    /// The peer's packet type.
    pub type Theirs = rtp_rs::packet::Packet;

    /// Headers per iteration of `rtp_build_header/*/16x12B`.
    pub const BURST: usize = 16;
    /// The slot each of those headers is written into.
    pub const SLOT: usize = 172;

    /// Our header for the builds: the test packet's fields, the sequence
    /// number hidden from the optimizer.
    #[inline(always)]
    fn ours_header() -> RtpHeader<'static> {
        RtpHeader {
            marker: true,
            payload_type: 0,
            sequence: black_box(4242),
            timestamp: 123_456,
            ssrc: 0xDEAD_BEEF,
            ..Default::default()
        }
    }

    /// Parse, then read sequence, timestamp, SSRC and payload length.
    #[inline]
    pub fn parse_ours(raw: &[u8]) -> (u16, u32, u32, usize) {
        let p = RtpPacket::parse(raw).unwrap();
        (p.sequence(), p.timestamp(), p.ssrc(), p.payload().len())
    }

    /// [`parse_ours`] with the peer (`Packet::unmarshal` from `Bytes`).
    #[inline]
    pub fn parse_rtp(bytes: &Bytes) -> (u16, u32, u32, usize) {
        let mut buf = bytes.clone();
        let p = Theirs::unmarshal(&mut buf).unwrap();
        (
            p.header.sequence_number,
            p.header.timestamp,
            p.header.ssrc,
            p.payload.len(),
        )
    }

    /// Header and `payload` into `out`.
    #[inline]
    pub fn build_ours(payload: &[u8], out: &mut [u8]) -> usize {
        ours_header().write(black_box(payload), out).unwrap()
    }

    /// [`build_ours`] with the peer (`Packet::marshal_to`).
    #[inline]
    pub fn build_rtp(theirs: &Theirs, out: &mut [u8]) -> usize {
        black_box(theirs).marshal_to(out).unwrap()
    }

    /// The payload copy alone: the floor of any builder that copies.
    #[inline]
    pub fn build_copy(payload: &[u8], out: &mut [u8]) -> u8 {
        let p = black_box(payload);
        out[12..12 + p.len()].copy_from_slice(p);
        out[12]
    }

    /// The 12-byte header alone (our zero-copy path: the codec encodes in
    /// place after it).
    #[inline]
    pub fn header_ours(out: &mut [u8]) -> usize {
        ours_header().write_header(out).unwrap()
    }

    /// [`header_ours`] with the peer (`Header::marshal_to`).
    #[inline]
    pub fn header_rtp(theirs: &Theirs, out: &mut [u8]) -> usize {
        black_box(&theirs.header).marshal_to(out).unwrap()
    }

    /// The header [`header16_ours`] starts from.
    pub fn burst_header_ours() -> RtpHeader<'static> {
        RtpHeader {
            marker: false,
            ..ours_header()
        }
    }

    /// The header [`header16_rtp`] starts from.
    pub fn burst_header_rtp(theirs: &Theirs) -> rtp_rs::header::Header {
        let mut h = theirs.header.clone();
        h.marker = false;
        h
    }

    /// A sender's steady state: the headers of [`BURST`] consecutive
    /// packets (sequence +1, timestamp +160 each), each into its own
    /// [`SLOT`] of `slab`.
    #[inline]
    pub fn header16_ours(h: &mut RtpHeader<'_>, slab: &mut [u8]) -> usize {
        let mut n = 0;
        for slot in slab.chunks_exact_mut(SLOT) {
            h.sequence = h.sequence.wrapping_add(1);
            h.timestamp = h.timestamp.wrapping_add(160);
            n += h.write_header(slot).unwrap();
        }
        black_box(&slab);
        n
    }

    /// [`header16_ours`] with the peer: the same fields of its own header
    /// value updated, then `Header::marshal_to`.
    #[inline]
    pub fn header16_rtp(h: &mut rtp_rs::header::Header, slab: &mut [u8]) -> usize {
        let mut n = 0;
        for slot in slab.chunks_exact_mut(SLOT) {
            h.sequence_number = h.sequence_number.wrapping_add(1);
            h.timestamp = h.timestamp.wrapping_add(160);
            n += h.marshal_to(slot).unwrap();
        }
        black_box(&slab);
        n
    }
}

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

/// The `sip_parse` work of each implementation, shared by the criterion
/// benchmark and `examples/parse_count.rs` (instruction counts).
pub mod sip_impls {
    use bytes::Bytes;

    pub fn ours_parse(b: &Bytes) -> sip_proto::Message {
        sip_proto::Message::parse(b.clone()).expect("ours parses")
    }

    pub fn ours_typed(b: &Bytes) -> usize {
        // The core headers are parsed with the message; these read them.
        let m = ours_parse(b);
        let mut n = 0;
        for v in m.vias() {
            n += v.branch().map_or(0, str::len);
        }
        n += m.from_header().expect("from").tag().map_or(0, str::len);
        n += m.to_header().expect("to").tag().map_or(0, str::len);
        n += m.cseq().expect("cseq").seq as usize;
        n += m.call_id().expect("call-id").len();
        for c in m.contacts() {
            n += usize::from(c.addr().is_some());
        }
        n += m.content_length().unwrap_or(0) as usize;
        n
    }

    pub fn rsip_parse(b: &Bytes) -> rsip::SipMessage {
        rsip::SipMessage::try_from(b.clone()).expect("rsip parses")
    }

    pub fn rsip_typed(b: &Bytes) -> usize {
        use rsip::Header;
        use rsip::prelude::*;
        let m = rsip_parse(b);
        let mut n = 0;
        for h in m.headers().iter() {
            match h {
                Header::Via(v) => n += v.typed().expect("via").params.len(),
                Header::From(f) => n += f.typed().expect("from").params.len(),
                Header::To(t) => n += t.typed().expect("to").params.len(),
                Header::CSeq(c) => n += c.typed().expect("cseq").seq as usize,
                Header::CallId(c) => n += c.value().len(),
                // rsip cannot type the `+sip.instance="<urn:...>"` Contact of the INVITE.
                Header::Contact(c) => n += c.typed().map_or(0, |c| c.params.len()),
                Header::ContentLength(l) => n += l.length().expect("length") as usize,
                _ => {}
            }
        }
        n
    }

    /// ezk-sip-types has no whole-message type: assemble it the way its
    /// transport layer does (pull lines, parse the start line, collect headers).
    pub fn ezk_parse(
        b: &Bytes,
    ) -> (
        ezk_sip_types::msg::MessageLine,
        ezk_sip_types::Headers,
        Bytes,
    ) {
        use ezk_sip_types::msg::{Line, MessageLine, PullParser};
        use ezk_sip_types::parse::Parse;
        let mut parser = PullParser::new(b, 0);
        let first = parser.next().expect("start line").expect("complete");
        let first = std::str::from_utf8(first).expect("utf8");
        let (_, line) = MessageLine::parse(b)(first).expect("ezk start line");
        let mut headers = ezk_sip_types::Headers::with_capacity(16);
        for l in parser.by_ref() {
            let l = std::str::from_utf8(l.expect("complete")).expect("utf8");
            let (_, h) = Line::parse(b, l).expect("ezk header line");
            headers.insert(h.name, h.value);
        }
        let body = b.slice(parser.head_end()..);
        (line, headers, body)
    }

    pub fn ezk_typed(b: &Bytes) -> usize {
        use ezk_sip_types::Name;
        use ezk_sip_types::header::typed::*;
        let (_, h, _) = ezk_parse(b);
        let mut n = 0;
        n += h.get::<Vec<Via>>(Name::VIA).expect("via").len();
        n += h
            .get::<FromTo>(Name::FROM)
            .expect("from")
            .tag
            .map_or(0, |t| t.len());
        n += h
            .get::<FromTo>(Name::TO)
            .expect("to")
            .tag
            .map_or(0, |t| t.len());
        n += h.get::<CSeq>(Name::CSEQ).expect("cseq").cseq as usize;
        n += h.get::<CallID>(Name::CALL_ID).expect("call-id").0.len();
        if let Some(c) = h.try_get::<Vec<Contact>>(Name::CONTACT) {
            n += c.expect("contact").len();
        }
        n += h
            .get::<ContentLength>(Name::CONTENT_LENGTH)
            .map_or(0, |c| c.0);
        n
    }
}

/// Two `ua-core` agents wired to each other in memory, for `ua_call` and
/// the `ua_calls`/`ua_memory` examples: each agent's server is the other.
pub mod ua_pair {
    use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

    use ua_core::{
        AccountConfig, AccountId, AgentConfig, CallId, Event, Input, Output, Time, UserAgent,
    };

    /// The caller's address.
    pub const A: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 10), 5060));
    /// The callee's address.
    pub const B: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 20), 5060));

    fn agent(local: SocketAddr, user: &str, peer: SocketAddr) -> UserAgent {
        let account = AccountConfig::new(user, "pw", &format!("example.com; {peer}"));
        UserAgent::new(AgentConfig::new(local, vec![account]), 1).unwrap()
    }

    /// The two agents and the virtual clock. The harness's own work per
    /// message is a match on the destination (no address parsing, no map),
    /// so the measurement is the agents'.
    #[derive(Debug)]
    pub struct Pair {
        /// The caller, at [`A`].
        pub a: UserAgent,
        /// The callee, at [`B`].
        pub b: UserAgent,
        /// The virtual clock.
        pub now: Time,
    }

    impl Pair {
        /// Agent 6001 at A and 6002 at B, at time zero.
        #[allow(clippy::new_without_default)]
        pub fn new() -> Pair {
            Pair {
                a: agent(A, "6001", B),
                b: agent(B, "6002", A),
                now: Time::ZERO,
            }
        }

        /// Both agents.
        pub fn agents(&self) -> [&UserAgent; 2] {
            [&self.a, &self.b]
        }

        /// The agent at `at` (A or B).
        ///
        /// # Panics
        /// If `at` is neither.
        pub fn ua(&mut self, at: SocketAddr) -> &mut UserAgent {
            if at == A {
                &mut self.a
            } else if at == B {
                &mut self.b
            } else {
                panic!("no agent at {at}")
            }
        }

        /// Delivers everything; returns the calls that arrived at B.
        pub fn pump(&mut self) -> Vec<CallId> {
            let mut incoming = Vec::new();
            loop {
                let mut moved = false;
                for at in [A, B] {
                    loop {
                        let (src, dst) = if at == A {
                            (&mut self.a, &mut self.b)
                        } else {
                            (&mut self.b, &mut self.a)
                        };
                        let Some(out) = src.poll_output() else { break };
                        moved = true;
                        match out {
                            Output::Event(Event::IncomingCall { call, .. }) => incoming.push(call),
                            Output::Event(_) | Output::DnsQuery(_) | Output::Close { .. } => {}
                            Output::Transmit(t) => {
                                assert!(t.destination != at, "an agent sent to itself");
                                dst.handle_input(
                                    self.now,
                                    Input::Message {
                                        from: at,
                                        to: t.destination,
                                        transport: t.transport,
                                        data: t.data,
                                    },
                                );
                            }
                        }
                    }
                }
                if !moved {
                    return incoming;
                }
            }
        }

        /// Sets up a call and returns (caller's id, callee's id).
        pub fn establish(&mut self) -> (CallId, CallId) {
            let now = self.now;
            let call = self.a.call(now, AccountId(0), "6002").unwrap();
            let incoming = self.pump()[0];
            self.b.answer(now, incoming);
            self.pump();
            (call, incoming)
        }

        /// One complete call: INVITE, 180, 200, ACK, BYE, 200; then the clock
        /// runs past the transactions' wait states so nothing piles up.
        pub fn full_call(&mut self) {
            let (call, _) = self.establish();
            let now = self.now;
            self.a.hangup(now, call);
            self.pump();
            self.advance(40_000);
        }

        /// Runs the clock past the transactions' wait states (Timers D, J, K, L).
        pub fn advance(&mut self, ms: u64) {
            self.now = Time::from_millis(self.now.as_millis() + ms);
            let now = self.now;
            self.a.handle_timeout(now);
            self.b.handle_timeout(now);
            self.pump();
        }
    }
}

/// The `sdp_parse` inputs and work of each implementation, shared by the
/// criterion benchmark and `examples/sdp_count.rs` (instruction counts).
pub mod sdp_impls {
    use std::hint::black_box;
    use std::io::Cursor;

    use bytes::Bytes;

    /// A typical handset audio offer (about 300 bytes).
    pub const AUDIO_OFFER: &str = "v=0\r\n\
    o=- 3724394400 3724394400 IN IP4 192.0.2.10\r\n\
    s=-\r\n\
    c=IN IP4 192.0.2.10\r\n\
    t=0 0\r\n\
    m=audio 49170 RTP/AVP 0 8 18 101\r\n\
    a=rtpmap:0 PCMU/8000\r\n\
    a=rtpmap:8 PCMA/8000\r\n\
    a=rtpmap:18 G729/8000\r\n\
    a=fmtp:18 annexb=no\r\n\
    a=rtpmap:101 telephone-event/8000\r\n\
    a=fmtp:101 0-15\r\n\
    a=ptime:20\r\n\
    a=maxptime:40\r\n\
    a=sendrecv\r\n";

    /// An offer of about 2 KB with several m-lines: two audio streams, video, and
    /// a disabled stream.
    pub const MULTI_OFFER: &str = "v=0\r\n\
    o=carol 2890844526 2890844527 IN IP4 198.51.100.20\r\n\
    s=Conference call\r\n\
    c=IN IP4 198.51.100.20\r\n\
    b=AS:2048\r\n\
    t=0 0\r\n\
    a=sendrecv\r\n\
    a=tool:handset-bench 1.0\r\n\
    m=audio 49170 RTP/AVP 9 0 8 18 96 97 101\r\n\
    c=IN IP4 198.51.100.21\r\n\
    b=AS:128\r\n\
    a=rtpmap:9 G722/8000\r\n\
    a=rtpmap:0 PCMU/8000\r\n\
    a=rtpmap:8 PCMA/8000\r\n\
    a=rtpmap:18 G729/8000\r\n\
    a=fmtp:18 annexb=no\r\n\
    a=rtpmap:96 opus/48000/2\r\n\
    a=fmtp:96 maxplaybackrate=48000;stereo=1;useinbandfec=1\r\n\
    a=rtpmap:97 G7221/16000\r\n\
    a=fmtp:97 bitrate=32000\r\n\
    a=rtpmap:101 telephone-event/8000\r\n\
    a=fmtp:101 0-15\r\n\
    a=ptime:20\r\n\
    a=maxptime:60\r\n\
    a=rtcp:49171 IN IP4 198.51.100.21\r\n\
    a=ssrc:1399694169 cname:carol@example.com\r\n\
    a=ssrc:1399694169 label:audio-main\r\n\
    a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n\
    a=mid:audio1\r\n\
    a=sendrecv\r\n\
    m=video 51372 RTP/AVP 99 100 120\r\n\
    b=AS:1500\r\n\
    a=rtpmap:99 H264/90000\r\n\
    a=fmtp:99 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1\r\n\
    a=rtpmap:100 H264/90000\r\n\
    a=fmtp:100 profile-level-id=42e01f;packetization-mode=0\r\n\
    a=rtpmap:120 VP8/90000\r\n\
    a=rtcp-fb:99 nack\r\n\
    a=rtcp-fb:99 nack pli\r\n\
    a=rtcp-fb:99 ccm fir\r\n\
    a=rtcp-fb:120 nack\r\n\
    a=rtcp-fb:120 nack pli\r\n\
    a=rtcp:51373 IN IP4 198.51.100.20\r\n\
    a=ssrc:2231627014 cname:carol@example.com\r\n\
    a=ssrc:2231627014 label:video-main\r\n\
    a=ssrc:2231627014 msid:stream0 video0\r\n\
    a=ssrc:2231627014 mslabel:stream0\r\n\
    a=extmap:2 urn:ietf:params:rtp-hdrext:toffset\r\n\
    a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n\
    a=mid:video1\r\n\
    a=framerate:30\r\n\
    a=sendrecv\r\n\
    m=audio 49180 RTP/AVP 0 101\r\n\
    a=rtpmap:0 PCMU/8000\r\n\
    a=rtpmap:101 telephone-event/8000\r\n\
    a=fmtp:101 0-15,16\r\n\
    a=ptime:20\r\n\
    a=ssrc:3735928559 cname:carol@example.com\r\n\
    a=mid:audio2\r\n\
    a=recvonly\r\n\
    m=video 0 RTP/AVP 31\r\n\
    a=rtpmap:31 H261/90000\r\n\
    a=mid:video2\r\n\
    a=inactive\r\n\
    m=audio 49190 RTP/AVP 8 0\r\n\
    a=rtpmap:8 PCMA/8000\r\n\
    a=rtpmap:0 PCMU/8000\r\n\
    a=ptime:30\r\n\
    a=rtcp-mux\r\n\
    a=mid:audio3\r\n\
    a=sendonly\r\n\
    m=audio 49200 RTP/AVP 0 8 101\r\n\
    a=rtpmap:0 PCMU/8000\r\n\
    a=rtpmap:8 PCMA/8000\r\n\
    a=rtpmap:101 telephone-event/8000\r\n\
    a=fmtp:101 0-15\r\n\
    a=ptime:20\r\n\
    a=mid:audio4\r\n\
    a=sendrecv\r\n";

    /// Our parse, then what a user of the result reads: for every media
    /// description its port, protocol, payload types, connection, direction, and
    /// the typed `rtpmap`/`fmtp` attributes resolved to strings. (The parser has
    /// already checked and typed every known attribute while parsing, the work
    /// webrtc-sdp also does eagerly.)
    pub fn ours(input: &Bytes) -> usize {
        let d = sdp::SessionDescription::parse(input.clone()).expect("ours parses");
        let mut n = 0;
        for m in d.media() {
            black_box((m.port(), m.proto(), m.connection(), m.direction()));
            n += m.payload_types().count();
            for r in m.rtpmaps() {
                black_box((r.payload_type, r.encoding, r.clock_rate));
                n += 1;
            }
            for f in m.fmtps() {
                black_box((f.format, f.params));
                n += 1;
            }
        }
        n
    }

    /// webrtc-sdp's full typed parse; the number of media sections.
    pub fn webrtc_sdp(text: &str) -> usize {
        webrtc_sdp::parse_sdp(text, false)
            .map(|s| s.media.len())
            .unwrap_or(0)
    }

    /// The `sdp` crate's parse into `String`s; the number of media
    /// descriptions.
    pub fn sdp(text: &str) -> usize {
        sdp_rs::SessionDescription::unmarshal(&mut Cursor::new(text.as_bytes()))
            .map(|s| s.media_descriptions.len())
            .unwrap_or(0)
    }

    /// The inputs by name.
    pub const ALL: &[(&str, &str)] = &[("audio_offer", AUDIO_OFFER), ("multi_offer", MULTI_OFFER)];
}
