//! Prints our answer to an SDP offer read from a file.
//!
//! ```text
//! cargo run -p sdp --example answer -- OFFER_FILE [--codecs pcmu=1,pcma=2,g729=0,g722=0]
//!     [--symmetric] [--offerer-order] [--hold] [--address 192.0.2.20] [--port 4000]
//! ```
//!
//! The answer goes to standard output and a summary of the negotiated media to
//! standard error. On a parse or negotiation error the error is printed and
//! the exit status is 1.

use std::net::IpAddr;
use std::process::ExitCode;

use sdp::{CodecOrder, CodecPriorities, Config, Negotiator, SessionDescription};

const USAGE: &str = "usage: answer OFFER_FILE [--codecs pcmu=1,pcma=2,g729=0,g722=0] \
[--symmetric] [--offerer-order] [--hold] [--address IP] [--port N]";

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let mut config = Config::new(IpAddr::from([192, 0, 2, 20]), 4000);
    let mut hold = false;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--codecs" => {
                config.codecs = value("--codecs")?
                    .parse::<CodecPriorities>()
                    .map_err(|e| e.to_string())?;
            }
            "--symmetric" => config.symmetric_codec = true,
            "--offerer-order" => config.codec_order = CodecOrder::Offerer,
            "--hold" => hold = true,
            "--address" => {
                config.address = value("--address")?
                    .parse()
                    .map_err(|e| format!("--address: {e}"))?;
            }
            "--port" => {
                config.port = value("--port")?
                    .parse()
                    .map_err(|e| format!("--port: {e}"))?;
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}\n{USAGE}")),
            _ if file.is_none() => file = Some(arg),
            _ => return Err(USAGE.to_owned()),
        }
    }
    let file = file.ok_or(USAGE)?;
    let text = std::fs::read(&file).map_err(|e| format!("{file}: {e}"))?;
    let offer = SessionDescription::parse(text).map_err(|e| format!("{file}: {e}"))?;
    let mut negotiator = Negotiator::new(config, 1);
    negotiator.set_hold(hold);
    let answer = negotiator
        .answer_offer(&offer)
        .map_err(|e| format!("{e} (SIP {})", e.sip_status()))?;
    print!("{}", answer.sdp);
    match answer.media {
        Some(m) => eprintln!(
            "negotiated: {} pt {} (ours {}) {} Hz, ptime {} ms, telephone-event {:?}, \
             send to {:?}:{} (rtcp {}), we {}, peer {}",
            m.codec,
            m.payload_type,
            m.local_payload_type,
            m.clock_rate,
            m.ptime,
            m.telephone_event,
            m.remote_host,
            m.remote_port,
            m.remote_rtcp_port,
            m.local_direction,
            m.remote_direction
        ),
        None => eprintln!("negotiated: no active audio stream"),
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
