//! Runs one implementation of the `sdp_parse` benchmark N times, for
//! instruction counts under `valgrind --tool=callgrind`, which do not depend
//! on the load of a shared machine (`scripts/instr-count-sdp` runs N and 2N
//! iterations and divides the difference by N):
//! `sdp_count ours|webrtc-sdp|sdp audio_offer|multi_offer N`.
//!
//! The inputs and the `ours` closure are copies of those in
//! `benches/sdp_parse.rs` (a bench target cannot be imported); keep them in step.

use std::hint::black_box;
use std::io::Cursor;

use bytes::Bytes;

/// A typical handset audio offer (about 300 bytes).
const AUDIO_OFFER: &str = "v=0\r\n\
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
const MULTI_OFFER: &str = "v=0\r\n\
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
fn ours(input: &Bytes) -> usize {
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, imp, input, n] = &args[..] else {
        eprintln!("usage: sdp_count ours|webrtc-sdp|sdp audio_offer|multi_offer N");
        std::process::exit(2);
    };
    let text = match input.as_str() {
        "audio_offer" => AUDIO_OFFER,
        "multi_offer" => MULTI_OFFER,
        _ => panic!("unknown input"),
    };
    let bytes = Bytes::from(text.as_bytes().to_vec());
    let n: usize = n.parse().expect("N");
    let mut acc = 0usize;
    for _ in 0..n {
        acc += match imp.as_str() {
            "ours" => ours(black_box(&bytes)),
            "webrtc-sdp" => webrtc_sdp::parse_sdp(black_box(text), false)
                .map(|s| s.media.len())
                .unwrap_or(0),
            "sdp" => {
                sdp_rs::SessionDescription::unmarshal(&mut Cursor::new(black_box(text.as_bytes())))
                    .map(|s| s.media_descriptions.len())
                    .unwrap_or(0)
            }
            _ => panic!("unknown implementation"),
        };
    }
    println!("{acc}");
}
