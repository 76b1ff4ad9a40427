//! `sipua demo`: two user agents in this process on loopback UDP, no
//! server. A calls B straight at `sip:b@127.0.0.1:PORT`, B answers, A plays
//! a tone that B records, B sends RFC 4733 digits that A reports, A hangs
//! up. Then the checks: the tone arrived (Goertzel filter at the tone's
//! frequency against a control frequency), the digits arrived in order, the
//! BYE ended both sides cleanly. Exit 0 only when every check holds.

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use clap::Args as ClapArgs;
use ua_core::{AccountConfig, AccountId, AgentConfig, CallId, CallState, Event, UserAgent};
use ua_net::audio::{Capture, NullSink, Silence, Tone, goertzel_power, mean_power};
use ua_net::{CallAudio, Driver, MediaEvent, NetEvent};

use crate::exit;

/// Options of `sipua demo`.
#[derive(ClapArgs, Debug)]
pub struct DemoArgs {
    /// The codec both agents offer: pcmu, pcma, g722 or g729.
    #[arg(long, default_value = "pcmu")]
    codec: String,
    /// Tone frequency (Hz) A plays.
    #[arg(long, default_value_t = 1000.0)]
    tone: f64,
    /// How long A plays it (ms).
    #[arg(long, default_value_t = 1000)]
    tone_ms: u64,
    /// The digits B sends.
    #[arg(long, default_value = "159#")]
    digits: String,
}

/// A free even/odd UDP port pair on loopback (RTP, RTCP), found by binding.
fn free_rtp_base() -> std::io::Result<u16> {
    for _ in 0..64 {
        let s = UdpSocket::bind("127.0.0.1:0")?;
        let p = s.local_addr()?.port();
        if p % 2 != 0 || p == u16::MAX - 1 {
            continue;
        }
        if UdpSocket::bind(("127.0.0.1", p + 1)).is_ok() {
            return Ok(p);
        }
    }
    Err(std::io::Error::other("no free RTP port pair on 127.0.0.1"))
}

fn free_udp_port() -> std::io::Result<u16> {
    Ok(UdpSocket::bind("127.0.0.1:0")?.local_addr()?.port())
}

struct Side {
    name: &'static str,
    driver: Driver,
    events: Vec<NetEvent>,
}

impl Side {
    async fn step(&mut self, wait: Duration) -> std::io::Result<()> {
        let events = self.driver.step(wait).await?;
        for e in &events {
            describe(self.name, e);
        }
        self.events.extend(events);
        Ok(())
    }
}

fn say(who: &str, what: impl std::fmt::Display) {
    println!("{who}: {what}");
}

/// One line per interesting event.
fn describe(who: &str, e: &NetEvent) {
    match e {
        NetEvent::Agent(Event::IncomingCall { from, called, .. }) => {
            say(who, format_args!("incoming call from {from} to {called}"))
        }
        NetEvent::Agent(Event::CallState { state, .. }) => match state {
            CallState::Terminated { status, reason } => {
                say(who, format_args!("call ended: {status} {reason}"))
            }
            s => say(who, format_args!("call {s:?}").to_string().to_lowercase()),
        },
        NetEvent::Agent(Event::Media { params, .. }) => say(
            who,
            format_args!(
                "negotiated {:?} pt {} ptime {} ms, telephone-event {:?}",
                params.codec, params.payload_type, params.ptime, params.telephone_event
            ),
        ),
        NetEvent::Media(m) => match m {
            MediaEvent::Started {
                local,
                remote,
                dscp,
                ..
            } => say(
                who,
                format_args!(
                    "RTP {local} -> {}{}",
                    remote.map_or("?".into(), |r| r.to_string()),
                    if *dscp { " (DSCP 46)" } else { "" }
                ),
            ),
            MediaEvent::DtmfReceived {
                digit, duration_ms, ..
            } => say(
                who,
                format_args!("DTMF received: {digit} ({duration_ms} ms)"),
            ),
            MediaEvent::Stopped { stats, .. } => say(
                who,
                format_args!(
                    "RTP stopped: sent {} received {} lost {} jitter {} ms",
                    stats.packets_sent, stats.packets_received, stats.lost, stats.jitter_ms
                ),
            ),
            MediaEvent::Failed { error, .. } => say(who, format_args!("media failed: {error}")),
            MediaEvent::Stats { .. } => {}
        },
        _ => {}
    }
}

async fn side(
    name: &'static str,
    user: &str,
    port: u16,
    peer: SocketAddr,
    media_base: u16,
    codecs: sdp::CodecPriorities,
    seed: u64,
) -> Result<Side, (u8, String)> {
    let local = SocketAddr::from(([127, 0, 0, 1], port));
    let account = AccountConfig::new(user, "", &format!("demo.invalid; {peer}"));
    let mut config = AgentConfig::new(local, vec![account]);
    config.media_port_base = media_base;
    config.codecs = codecs;
    config.user_agent = concat!("sipua-demo/", env!("CARGO_PKG_VERSION")).into();
    let ua = UserAgent::new(config, seed).map_err(|e| (exit::USAGE, e.to_string()))?;
    let driver = Driver::bind(ua, local)
        .await
        .map_err(|e| (exit::NETWORK, format!("bind {local}: {e}")))?;
    Ok(Side {
        name,
        driver,
        events: Vec::new(),
    })
}

/// Steps both agents until `done` holds or `limit` passes.
async fn run_until(
    a: &mut Side,
    b: &mut Side,
    limit: Duration,
    mut done: impl FnMut(&Side, &Side) -> bool,
) -> Result<bool, String> {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if done(a, b) {
            return Ok(true);
        }
        a.step(Duration::from_millis(2))
            .await
            .map_err(|e| format!("A socket: {e}"))?;
        b.step(Duration::from_millis(2))
            .await
            .map_err(|e| format!("B socket: {e}"))?;
    }
    Ok(done(a, b))
}

fn has(s: &Side, f: impl Fn(&NetEvent) -> bool) -> bool {
    s.events.iter().any(f)
}

fn state_is(e: &NetEvent, id: CallId, f: impl Fn(&CallState) -> bool) -> bool {
    matches!(e, NetEvent::Agent(Event::CallState { call, state }) if *call == id && f(state))
}

/// The tone analysis of what B heard.
pub struct ToneCheck {
    /// Milliseconds of received audio dominated by the tone.
    pub tone_ms: u64,
    /// Mean share of those blocks' power at the tone (0.5 for a pure sine).
    pub ratio: f64,
    /// Mean share at the control frequency.
    pub control: f64,
}

/// Cuts `samples` into 20 ms blocks; a block carries the tone when it is
/// above -40 dBFS and more than 35 % of its power (70 % of the ideal
/// 0.5) is at `freq`.
pub fn analyse(samples: &[i16], rate: u32, freq: f64, control: f64) -> ToneCheck {
    let block = (rate / 50).max(1) as usize;
    let (mut n, mut ratio, mut ctl) = (0u64, 0.0, 0.0);
    for b in samples.chunks_exact(block) {
        let p = mean_power(b);
        if p < 1e-4 {
            continue;
        }
        let r = goertzel_power(b, rate, freq) / p;
        if r > 0.35 {
            n += 1;
            ratio += r;
            ctl += goertzel_power(b, rate, control) / p;
        }
    }
    let d = n.max(1) as f64;
    ToneCheck {
        tone_ms: n * 20,
        ratio: ratio / d,
        control: ctl / d,
    }
}

/// Runs the demo; returns the exit code.
pub async fn run(args: &DemoArgs, global: &crate::Args) -> u8 {
    match demo(args, global.trace.as_deref()).await {
        Ok(true) => {
            println!("demo: all checks passed");
            exit::OK
        }
        Ok(false) => {
            println!("demo: FAILED");
            exit::CALL
        }
        Err((code, e)) => {
            eprintln!("demo: {e}");
            code
        }
    }
}

async fn demo(args: &DemoArgs, trace: Option<&std::path::Path>) -> Result<bool, (u8, String)> {
    let codec = match args.codec.to_ascii_lowercase().as_str() {
        "pcmu" => sdp::Codec::Pcmu,
        "pcma" => sdp::Codec::Pcma,
        "g722" => sdp::Codec::G722,
        "g729" => sdp::Codec::G729,
        other => {
            return Err((
                exit::USAGE,
                format!("--codec {other}: expected pcmu, pcma, g722 or g729"),
            ));
        }
    };
    let digits: String = args
        .digits
        .chars()
        .filter(|c| "0123456789*#ABCDabcd".contains(*c))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let mut codecs = sdp::CodecPriorities {
        pcmu: 0,
        pcma: 0,
        g729: 0,
        g722: 0,
    };
    codecs.set(codec, 1);
    let net = |e: std::io::Error| (exit::NETWORK, format!("loopback ports: {e}"));
    let (pa, pb) = (free_udp_port().map_err(net)?, free_udp_port().map_err(net)?);
    let (ma, mb) = (free_rtp_base().map_err(net)?, free_rtp_base().map_err(net)?);
    let addr_a = SocketAddr::from(([127, 0, 0, 1], pa));
    let addr_b = SocketAddr::from(([127, 0, 0, 1], pb));
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    let mut a = side("A", "a", pa, addr_b, ma, codecs, seed).await?;
    let mut b = side("B", "b", pb, addr_a, mb, codecs, seed ^ 0xB).await?;
    if let Some(path) = trace {
        // A's trace holds the whole exchange: every message is to or from A.
        a.driver
            .trace_to(path)
            .map_err(|e| (exit::USAGE, format!("--trace {}: {e}", path.display())))?;
    }
    println!(
        "demo: A sip:a@{addr_a} (RTP {ma}), B sip:b@{addr_b} (RTP {mb}), codec {codec:?}, no server"
    );
    let fail = |e: String| (exit::NETWORK, e);

    // A calls B.
    let target = format!("sip:b@{addr_b}");
    say("A", format_args!("calling {target}"));
    let now = a.driver.now();
    let call_a = a
        .driver
        .ua
        .call(now, AccountId(0), &target)
        .map_err(|e| (exit::CALL, format!("call: {e}")))?;
    a.driver.set_audio(
        call_a,
        CallAudio {
            source: Box::new(Tone::new(args.tone, -6.0).for_ms(args.tone_ms)),
            sink: Box::new(NullSink),
        },
    );
    let ok = run_until(&mut a, &mut b, Duration::from_secs(5), |_, b| {
        has(b, |e| {
            matches!(e, NetEvent::Agent(Event::IncomingCall { .. }))
        })
    })
    .await
    .map_err(fail)?;
    if !ok {
        println!("check: B saw the INVITE: FAILED");
        return Ok(false);
    }
    let call_b = b
        .events
        .iter()
        .find_map(|e| match e {
            NetEvent::Agent(Event::IncomingCall { call, .. }) => Some(*call),
            _ => None,
        })
        .expect("seen above");

    // B answers and records.
    let capture = Capture::new();
    b.driver.set_audio(
        call_b,
        CallAudio {
            source: Box::new(Silence),
            sink: Box::new(capture.clone()),
        },
    );
    say("B", "answering");
    let now = b.driver.now();
    if !b.driver.ua.answer(now, call_b) {
        println!("check: B answers: FAILED");
        return Ok(false);
    }
    let up = |s: &Side, id| has(s, |e| state_is(e, id, |st| *st == CallState::Connected));
    let started = |s: &Side| {
        has(s, |e| {
            matches!(e, NetEvent::Media(MediaEvent::Started { .. }))
        })
    };
    let ok = run_until(&mut a, &mut b, Duration::from_secs(5), |a, b| {
        up(a, call_a) && up(b, call_b) && started(a) && started(b)
    })
    .await
    .map_err(fail)?;
    if !ok {
        println!("check: call connected with media on both sides: FAILED");
        return Ok(false);
    }
    say(
        "A",
        format_args!("playing {} Hz for {} ms", args.tone, args.tone_ms),
    );
    // The tone plays from the start of A's media; wait for it and a margin.
    run_until(
        &mut a,
        &mut b,
        Duration::from_millis(args.tone_ms + 300),
        |_, _| false,
    )
    .await
    .map_err(fail)?;

    // B sends DTMF to A.
    say("B", format_args!("sending DTMF {digits}"));
    if !b.driver.send_dtmf(call_b, &digits, 100) {
        println!("check: B's media runs for DTMF: FAILED");
        return Ok(false);
    }
    let received = |a: &Side| -> String {
        a.events
            .iter()
            .filter_map(|e| match e {
                NetEvent::Media(MediaEvent::DtmfReceived { digit, .. }) => Some(*digit),
                _ => None,
            })
            .collect()
    };
    let want = digits.len();
    run_until(
        &mut a,
        &mut b,
        Duration::from_millis(1500 + 300 * want as u64),
        |a, _| received(a).len() >= want,
    )
    .await
    .map_err(fail)?;
    // A short settle so that a duplicate report would show.
    run_until(&mut a, &mut b, Duration::from_millis(200), |_, _| false)
        .await
        .map_err(fail)?;

    // A hangs up.
    say("A", "hanging up");
    let now = a.driver.now();
    a.driver.ua.hangup(now, call_a);
    let ended = |s: &Side, id| {
        has(s, |e| {
            state_is(e, id, |st| {
                matches!(st, CallState::Terminated { status: 200, .. })
            })
        })
    };
    let stopped = |s: &Side| {
        has(s, |e| {
            matches!(e, NetEvent::Media(MediaEvent::Stopped { .. }))
        })
    };
    let bye_ok = run_until(&mut a, &mut b, Duration::from_secs(5), |a, b| {
        ended(a, call_a) && ended(b, call_b) && stopped(a) && stopped(b)
    })
    .await
    .map_err(fail)?;
    // Let the BYE's transaction settle so B's 200 is not retransmitted into a closed socket.
    run_until(&mut a, &mut b, Duration::from_millis(100), |_, _| false)
        .await
        .map_err(fail)?;

    // The checks.
    let mut all = true;
    let (rate, heard) = capture.samples();
    let control = if (args.tone - 1500.0).abs() < 100.0 {
        700.0
    } else {
        1500.0
    };
    let t = analyse(&heard, rate, args.tone, control);
    let tone_ok = t.tone_ms * 10 >= args.tone_ms * 6 && t.ratio > 0.35 && t.control < 0.02;
    all &= tone_ok;
    println!(
        "check: tone {} Hz arrived at B: {} ms of {} ms, power share {:.2} (> 0.35), control {} Hz {:.4} (< 0.02): {}",
        args.tone,
        t.tone_ms,
        args.tone_ms,
        t.ratio,
        control,
        t.control,
        if tone_ok { "ok" } else { "FAILED" }
    );
    let got = received(&a);
    let dtmf_ok = got == digits;
    all &= dtmf_ok;
    println!(
        "check: DTMF from B arrived at A in order: sent {digits:?}, received {got:?}: {}",
        if dtmf_ok { "ok" } else { "FAILED" }
    );
    all &= bye_ok;
    println!(
        "check: BYE clean (both calls ended 200, both RTP streams stopped): {}",
        if bye_ok { "ok" } else { "FAILED" }
    );
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_finds_a_tone_in_silence_and_not_noise() {
        let mut pcm = vec![0i16; 8000];
        let mut tone = Tone::new(1000.0, -10.0);
        use ua_net::audio::AudioSource;
        tone.fill(8000, &mut pcm[1920..5920]);
        let t = analyse(&pcm, 8000, 1000.0, 1500.0);
        assert_eq!(t.tone_ms, 500);
        assert!(
            t.ratio > 0.45 && t.control < 0.001,
            "{} {}",
            t.ratio,
            t.control
        );
        let t = analyse(&pcm, 8000, 440.0, 1500.0);
        assert_eq!(t.tone_ms, 0);
    }
}
