//! A G.729 call selected by SDP negotiation: the offer/answer result
//! (`sdp::MediaParams`, payload type 18 with its `annexb` value) builds the
//! media session, which then sends and plays G.729.

use rtp_media::codec::CodecKind;
use rtp_media::jitter::Playout;
use rtp_media::rtp::RtpPacket;
use rtp_media::session::{MediaConfig, MediaOutput, MediaSession, TransmitKind};
use sdp::{Config, Negotiator, SessionDescription};

/// Our answer to a peer offering only G.729 with extra media lines.
fn negotiate(annexb_configured: bool, extra: &str) -> sdp::MediaParams {
    let mut cfg = Config::new("192.0.2.20".parse().unwrap(), 4000);
    cfg.codecs = "g729=1".parse().unwrap();
    cfg.g729_annexb = annexb_configured;
    let offer = SessionDescription::parse(format!(
        "v=0\r\no=peer 7 7 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n\
         m=audio 30000 RTP/AVP 18\r\n{extra}"
    ))
    .unwrap();
    Negotiator::new(cfg, 1000)
        .answer_offer(&offer)
        .unwrap()
        .media
        .expect("audio negotiated")
}

#[test]
fn negotiated_g729_creates_the_g729_codec_with_its_annexb_value() {
    for (configured, extra, annexb) in [
        (false, "", false),
        (true, "", true), // no fmtp means annexb=yes (RFC 4856)
        (true, "a=fmtp:18 annexb=yes\r\n", true),
        (true, "a=fmtp:18 annexb=no\r\n", false),
    ] {
        let params = negotiate(configured, extra);
        assert_eq!(params.codec, sdp::Codec::G729);
        assert_eq!(params.payload_type, 18);
        let cfg = MediaConfig::from_negotiated(&params, "a@example.invalid", 1);
        assert_eq!(cfg.codec, CodecKind::G729);
        assert_eq!(cfg.payload_type, 18);
        assert_eq!(cfg.g729_annexb, annexb, "{extra:?}");

        // Two ends of the call: A sends G.729 to B.
        let mut a = MediaSession::new(cfg.clone());
        let mut b = MediaSession::new(MediaConfig::from_negotiated(
            &params,
            "b@example.invalid",
            2,
        ));
        let n = a.frame_samples();
        assert_eq!(n, 160);
        let mut out = vec![0i16; n];
        let mut played = Vec::new();
        let mut payloads = Vec::new();
        for f in 0..50u64 {
            let now = f * 20;
            let pcm: Vec<i16> = (0..n)
                .map(|i| (((f as usize * n + i) as f64 * 0.07).sin() * 5000.0) as i16)
                .collect();
            a.send_audio(now, &pcm).unwrap();
            while let Some(o) = a.poll_output() {
                if let MediaOutput::Transmit(t) = o {
                    if t.kind == TransmitKind::Rtp {
                        let p = RtpPacket::parse(&t.data).unwrap();
                        payloads.push((p.payload_type(), p.payload().len()));
                        b.receive_rtp(now + 30, &t.data).unwrap();
                    }
                }
            }
            played.push(b.pull_audio(now + 30, &mut out));
        }
        // RFC 3551 4.5.6: PT 18, two 10-octet frames per 20 ms packet.
        assert!(payloads.iter().all(|&(pt, len)| pt == 18 && len == 20));
        let audio = played
            .iter()
            .filter(|k| matches!(k, Playout::Audio | Playout::Stretched))
            .count();
        assert!(audio >= 40, "{audio}");
        assert!(out.iter().any(|&v| v != 0));
    }
}
