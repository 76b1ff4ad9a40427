//! Two drivers on loopback, no server: a call whose media runs on real
//! sockets. The caller's tone reaches the callee's capture, the callee's
//! RFC 4733 digits reach the caller, the RTP and SIP sockets carry their
//! DSCP, and the media stops with the call.

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use ua_core::{AccountConfig, AccountId, AgentConfig, CallState, Event, UserAgent};
use ua_net::audio::{Capture, NullSink, Silence, Tone, goertzel_power, mean_power};
use ua_net::{CallAudio, Driver, MediaEvent, NetEvent};

fn free_pair() -> u16 {
    loop {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        let p = s.local_addr().unwrap().port();
        if p.is_multiple_of(2) && p < 65534 && UdpSocket::bind(("127.0.0.1", p + 1)).is_ok() {
            return p;
        }
    }
}

async fn driver(user: &str, peer: SocketAddr, seed: u64) -> Driver {
    let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
    let local = probe.local_addr().unwrap();
    drop(probe);
    let account = AccountConfig::new(user, "", &format!("test.invalid; {peer}"));
    let mut config = AgentConfig::new(local, vec![account]);
    config.media_port_base = free_pair();
    Driver::bind(UserAgent::new(config, seed).unwrap(), local)
        .await
        .unwrap()
}

async fn pump(
    a: &mut Driver,
    b: &mut Driver,
    ea: &mut Vec<NetEvent>,
    eb: &mut Vec<NetEvent>,
    ms: u64,
) {
    let until = Instant::now() + Duration::from_millis(ms);
    while Instant::now() < until {
        ea.extend(a.step(Duration::from_millis(2)).await.unwrap());
        eb.extend(b.step(Duration::from_millis(2)).await.unwrap());
    }
}

fn ended(ev: &[NetEvent], id: ua_core::CallId) -> bool {
    ev.iter().any(|e| {
        matches!(e, NetEvent::Agent(Event::CallState {
            call,
            state: CallState::Terminated { status: 200, .. },
        }) if *call == id)
    })
}

fn stopped(ev: &[NetEvent], id: ua_core::CallId) -> bool {
    ev.iter()
        .any(|e| matches!(e, NetEvent::Media(MediaEvent::Stopped { call, .. }) if *call == id))
}

#[tokio::test]
async fn call_carries_a_tone_one_way_and_dtmf_the_other() {
    // B only answers and is hung up on: its account's server is never used.
    let unused: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let mut b = driver("b", unused, 2).await;
    let mut a = driver("a", b.local_addr(), 1).await;
    let (mut ea, mut eb) = (Vec::new(), Vec::new());

    let now = a.now();
    let target = format!("sip:b@{}", b.local_addr());
    let call_a = a.ua.call(now, AccountId(0), &target).unwrap();
    a.set_audio(
        call_a,
        CallAudio {
            source: Box::new(Tone::new(1000.0, -6.0).for_ms(600)),
            sink: Box::new(NullSink),
        },
    );
    pump(&mut a, &mut b, &mut ea, &mut eb, 200).await;
    let call_b = eb
        .iter()
        .find_map(|e| match e {
            NetEvent::Agent(Event::IncomingCall { call, .. }) => Some(*call),
            _ => None,
        })
        .expect("B rings");
    let capture = Capture::new();
    b.set_audio(
        call_b,
        CallAudio {
            source: Box::new(Silence),
            sink: Box::new(capture.clone()),
        },
    );
    let now = b.now();
    assert!(b.ua.answer(now, call_b));
    pump(&mut a, &mut b, &mut ea, &mut eb, 900).await;
    assert!(a.media_running(call_a) && b.media_running(call_b));
    for ev in [&ea, &eb] {
        assert!(
            ev.iter()
                .any(|e| matches!(e, NetEvent::Media(MediaEvent::Started { dscp: true, .. }))),
            "RTP started with DSCP 46: {ev:?}"
        );
    }
    assert_eq!(a.sip_dscp(), Some(40), "SIP carries the agent's DSCP 40");

    assert!(b.send_dtmf(call_b, "7*", 80));
    pump(&mut a, &mut b, &mut ea, &mut eb, 800).await;
    let digits: String = ea
        .iter()
        .filter_map(|e| match e {
            NetEvent::Media(MediaEvent::DtmfReceived { digit, .. }) => Some(*digit),
            _ => None,
        })
        .collect();
    assert_eq!(digits, "7*");
    let stats = b.call_stats(call_b).unwrap();
    assert!(
        stats.packets_received > 40 && stats.packets_sent > 40,
        "{stats:?}"
    );

    let now = a.now();
    assert!(a.ua.hangup(now, call_a));
    pump(&mut a, &mut b, &mut ea, &mut eb, 300).await;
    assert!(ended(&ea, call_a) && ended(&eb, call_b));
    assert!(stopped(&ea, call_a) && stopped(&eb, call_b));
    assert!(!a.media_running(call_a) && !b.media_running(call_b));

    let (rate, heard) = capture.samples();
    assert_eq!(rate, 8000);
    let loud: Vec<i16> = heard
        .chunks_exact(160)
        .filter(|c| mean_power(c) > 1e-3)
        .flatten()
        .copied()
        .collect();
    assert!(
        loud.len() >= 160 * 20,
        "at least 400 ms of tone, got {} samples",
        loud.len()
    );
    let tone = &loud[..160 * 20];
    let share = goertzel_power(tone, 8000, 1000.0) / mean_power(tone);
    assert!(share > 0.4, "1 kHz share {share}");
}
