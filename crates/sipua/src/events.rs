//! How events are printed: short human-readable lines (the default), or
//! with `--events json` one JSON object per line with an `"event"` field:
//!
//! | event | fields |
//! |---|---|
//! | `registering` | `server` |
//! | `registered` | `server` (host:port), `expires` |
//! | `registration_failed` | `server`, `code`, `reason` |
//! | `unregistering`, `unregistered` | `server` |
//! | `failover` | `from`, `to` |
//! | `failback` | `to` |
//! | `all_servers_failed` | |
//! | `incoming_call` | `call`, `from`, `display`, `pai`, `called` |
//! | `call_state` | `call`, `state` (calling, incoming, ringing, early, connected, terminated), `code`, `reason` |
//! | `media` | `call`, `codec`, `payload_type`, `remote`, `ptime`, `telephone_event` (the negotiated stream) |
//! | `rtp_started` | `call`, `local`, `remote`, `dscp` |
//! | `rtp_failed` | `call`, `error` |
//! | `dtmf_received` | `call`, `digit`, `duration` (ms) |
//! | `call_stats` | `call`, `packets_sent`, `packets_received`, `lost`, `jitter` (ms), `final` |

use std::sync::OnceLock;

use serde_json::{Value, json};
use ua_core::registration::RegState;
use ua_core::{CallState, Event};
use ua_net::{MediaEvent, NetEvent};

static JSON: OnceLock<bool> = OnceLock::new();

/// Chooses JSON lines (once, at start-up).
pub fn set_json(on: bool) {
    let _ = JSON.set(on);
}

/// Whether events are printed as JSON.
pub fn json() -> bool {
    JSON.get().copied().unwrap_or(false)
}

fn codec_name(c: sdp::Codec) -> &'static str {
    match c {
        sdp::Codec::Pcmu => "PCMU",
        sdp::Codec::Pcma => "PCMA",
        sdp::Codec::G722 => "G722",
        sdp::Codec::G729 => "G729",
    }
}

/// The JSON object for an event (`None` for events with no JSON form).
pub fn to_json(e: &NetEvent) -> Option<Value> {
    Some(match e {
        NetEvent::Agent(a) => match a {
            Event::Registration {
                server, state: st, ..
            } => {
                let server = server.to_string();
                match st {
                    RegState::Registering => json!({"event": "registering", "server": server}),
                    RegState::Registered { expires, .. } => {
                        json!({"event": "registered", "server": server, "expires": expires})
                    }
                    RegState::Failed { status, reason } => json!({
                        "event": "registration_failed", "server": server,
                        "code": status, "reason": reason,
                    }),
                    RegState::Unregistering => {
                        json!({"event": "unregistering", "server": server})
                    }
                    RegState::Unregistered => json!({"event": "unregistered", "server": server}),
                }
            }
            Event::Failover { from, to, .. } => {
                json!({"event": "failover", "from": from.to_string(), "to": to.to_string()})
            }
            Event::Failback { to, .. } => json!({"event": "failback", "to": to.to_string()}),
            Event::AllServersFailed { .. } => json!({"event": "all_servers_failed"}),
            Event::IncomingCall {
                call,
                from,
                display_name,
                asserted_identity,
                called,
                ..
            } => json!({
                "event": "incoming_call", "call": call.0, "from": from,
                "display": display_name, "pai": asserted_identity, "called": called,
            }),
            Event::CallState { call, state } => {
                let (name, code, reason) = match state {
                    CallState::Calling => ("calling", None, None),
                    CallState::Incoming => ("incoming", None, None),
                    CallState::Ringing => ("ringing", Some(180), None),
                    CallState::EarlyMedia => ("early", Some(183), None),
                    CallState::Connected => ("connected", Some(200), None),
                    CallState::Terminated { status, reason } => {
                        ("terminated", Some(*status), Some(reason.as_str()))
                    }
                };
                json!({
                    "event": "call_state", "call": call.0, "state": name,
                    "code": code, "reason": reason,
                })
            }
            Event::Media { call, params } => {
                let remote = match &params.remote_host {
                    sdp::Host::Ip(ip) => {
                        std::net::SocketAddr::new(*ip, params.remote_port).to_string()
                    }
                    sdp::Host::Name(n) => format!("{n}:{}", params.remote_port),
                };
                json!({
                    "event": "media", "call": call.0, "codec": codec_name(params.codec),
                    "payload_type": params.payload_type, "remote": remote,
                    "ptime": params.ptime, "telephone_event": params.telephone_event,
                })
            }
        },
        NetEvent::Media(m) => match m {
            MediaEvent::Started {
                call,
                local,
                remote,
                dscp,
                ..
            } => json!({
                "event": "rtp_started", "call": call.0, "local": local.to_string(),
                "remote": remote.map(|r| r.to_string()), "dscp": if *dscp { Some(46) } else { None },
            }),
            MediaEvent::Failed { call, error } => {
                json!({"event": "rtp_failed", "call": call.0, "error": error})
            }
            MediaEvent::DtmfReceived {
                call,
                digit,
                duration_ms,
            } => json!({
                "event": "dtmf_received", "call": call.0,
                "digit": digit.to_string(), "duration": duration_ms,
            }),
            MediaEvent::Stats { call, stats } | MediaEvent::Stopped { call, stats } => json!({
                "event": "call_stats", "call": call.0,
                "packets_sent": stats.packets_sent, "packets_received": stats.packets_received,
                "lost": stats.lost, "jitter": stats.jitter_ms,
                "final": matches!(m, MediaEvent::Stopped { .. }),
            }),
        },
    })
}

/// Prints an event: a JSON line with `--events json`, else a short line.
pub fn print(e: &NetEvent) {
    if json() {
        if let Some(v) = to_json(e) {
            println!("{v}");
        }
        return;
    }
    match e {
        NetEvent::Agent(_) => {
            if let Some(line) = to_json(e).as_ref().and_then(text) {
                println!("{line}");
            }
        }
        NetEvent::Media(m) => match m {
            MediaEvent::Started {
                call,
                codec,
                payload_type,
                local,
                remote,
                dscp,
            } => println!(
                "call {}: RTP {local} -> {} ({}, payload type {payload_type}{})",
                call.0,
                remote.map_or("(no address)".to_string(), |r| r.to_string()),
                codec_name(*codec),
                if *dscp { ", DSCP 46" } else { "" }
            ),
            MediaEvent::DtmfReceived {
                call,
                digit,
                duration_ms,
            } => println!("call {}: DTMF {digit} received ({duration_ms} ms)", call.0),
            MediaEvent::Stats { .. } => {}
            MediaEvent::Stopped { call, stats } => println!(
                "call {}: RTP sent {}, received {}, lost {}, jitter {} ms",
                call.0, stats.packets_sent, stats.packets_received, stats.lost, stats.jitter_ms
            ),
            MediaEvent::Failed { call, error } => {
                println!("call {}: media failed: {error}", call.0)
            }
        },
    }
}

/// The short line for an agent event, from its JSON form (one source of
/// truth for the fields).
fn text(v: &Value) -> Option<String> {
    let s = |k: &str| match &v[k] {
        Value::String(x) => x.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let call = || format!("call {}", s("call"));
    Some(match v["event"].as_str()? {
        "registering" => format!("registering at {}", s("server")),
        "registered" => format!("registered at {} for {} s", s("server"), s("expires")),
        "registration_failed" => format!(
            "registration failed at {}: {} {}",
            s("server"),
            s("code"),
            s("reason")
        ),
        "unregistering" => format!("unregistering at {}", s("server")),
        "unregistered" => format!("unregistered at {}", s("server")),
        "failover" => format!("failover from {} to {}", s("from"), s("to")),
        "failback" => format!("failback to {}", s("to")),
        "all_servers_failed" => "no server answered".into(),
        "incoming_call" => {
            let from = match s("display").as_str() {
                "" => s("from"),
                d => format!("\"{d}\" <{}>", s("from")),
            };
            let pai = match s("pai").as_str() {
                "" => String::new(),
                p => format!(" (asserted {p})"),
            };
            format!("{}: incoming from {from}{pai} to {}", call(), s("called"))
        }
        "call_state" if v["state"] == "terminated" => {
            format!("{}: terminated ({} {})", call(), s("code"), s("reason"))
        }
        "call_state" => format!("{}: {}", call(), s("state")),
        "media" => format!(
            "{}: media {} (payload type {}) to {}, ptime {} ms{}",
            call(),
            s("codec"),
            s("payload_type"),
            s("remote"),
            s("ptime"),
            match s("telephone_event").as_str() {
                "" => String::new(),
                pt => format!(", telephone-event {pt}"),
            }
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ua_core::{AccountId, CallId};

    #[test]
    fn events_have_the_documented_names_and_fields() {
        let e = NetEvent::Agent(Event::Registration {
            account: AccountId(0),
            server: "127.0.0.1:5060".parse().unwrap(),
            state: RegState::Failed {
                status: 403,
                reason: "Forbidden".into(),
            },
        });
        let v = to_json(&e).unwrap();
        assert_eq!(v["event"], "registration_failed");
        assert_eq!(v["code"], 403);
        assert_eq!(v["server"], "127.0.0.1:5060");
        assert_eq!(
            text(&v).unwrap(),
            "registration failed at 127.0.0.1:5060: 403 Forbidden"
        );
        let e = NetEvent::Agent(Event::CallState {
            call: CallId(1),
            state: CallState::EarlyMedia,
        });
        assert_eq!(to_json(&e).unwrap()["state"], "early");
        assert_eq!(text(&to_json(&e).unwrap()).unwrap(), "call 1: early");
        let e = NetEvent::Agent(Event::CallState {
            call: CallId(2),
            state: CallState::Terminated {
                status: 486,
                reason: "Busy Here".into(),
            },
        });
        assert_eq!(
            text(&to_json(&e).unwrap()).unwrap(),
            "call 2: terminated (486 Busy Here)"
        );
        let e = NetEvent::Media(MediaEvent::DtmfReceived {
            call: CallId(1),
            digit: '#',
            duration_ms: 100,
        });
        let line = to_json(&e).unwrap().to_string();
        assert!(
            text(&to_json(&e).unwrap()).is_none(),
            "media events have their own lines"
        );
        assert!(!line.contains('\n'));
        assert_eq!(serde_json::from_str::<Value>(&line).unwrap()["digit"], "#");
    }
}
