//! `sipua`: a command-line softphone on the Sans-IO stack.
//!
//! ```text
//! sipua --local 127.0.0.1:5062 --servers "mitel.test; 127.0.0.1:5071" \
//!       --user 4107 --password 1234 register
//! sipua --local 127.0.0.1:5062 --servers "mitel.test; 127.0.0.1:5070" \
//!       --user 4107 call 4108 --hold-for 2
//! ```
//! Prints each event on a line; exits 0 when the goal was reached
//! (registered; a call connected and ended cleanly), 1 otherwise.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use ua_core::registration::RegState;
use ua_core::{AccountConfig, AccountId, AgentConfig, CallState, Event, UserAgent};
use ua_net::Driver;

#[derive(Parser, Debug)]
#[command(version, about = "Command-line SIP softphone (UDP)")]
struct Args {
    /// Local address to bind (use 127.0.0.1 for tests).
    #[arg(long, default_value = "127.0.0.1:5062")]
    local: SocketAddr,
    /// Server list: `"domain; ip1[:port]; ip2[:port]"`.
    #[arg(long)]
    servers: String,
    /// Extension (user part of the address of record).
    #[arg(long)]
    user: String,
    /// Digest user name, when it differs from the extension.
    #[arg(long)]
    auth_user: Option<String>,
    /// Digest password.
    #[arg(long, default_value = "")]
    password: String,
    /// Registration expiry in seconds.
    #[arg(long, default_value_t = 3600)]
    expires: u32,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Register, print the result, unregister.
    Register,
    /// Call a number or SIP URI, keep the call up, hang up.
    Call {
        /// Digits (become sip:digits@domain) or a SIP URI.
        target: String,
        /// Seconds to keep the call up.
        #[arg(long, default_value_t = 1)]
        hold_for: u64,
    },
}

fn config(args: &Args) -> AgentConfig {
    let mut account = AccountConfig::new(&args.user, &args.password, &args.servers);
    account.auth_username = args.auth_user.clone();
    account.expires = args.expires;
    let mut config = AgentConfig::new(args.local, vec![account]);
    config.user_agent = concat!("sipua/", env!("CARGO_PKG_VERSION")).into();
    config
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    let ua = match UserAgent::new(config(&args), seed) {
        Ok(ua) => ua,
        Err(e) => {
            eprintln!("configuration: {e}");
            return ExitCode::from(2);
        }
    };
    let mut driver = match Driver::bind(ua, args.local).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("bind {}: {e}", args.local);
            return ExitCode::from(2);
        }
    };
    let deadline = Instant::now() + Duration::from_secs(args.timeout);
    let ok = match &args.command {
        Command::Register => register(&mut driver, deadline).await,
        Command::Call { target, hold_for } => call(&mut driver, target, *hold_for, deadline).await,
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn events_until(
    driver: &mut Driver,
    deadline: Instant,
    mut done: impl FnMut(&Event) -> Option<bool>,
) -> bool {
    while Instant::now() < deadline {
        let events = match driver.step(Duration::from_millis(200)).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("socket: {e}");
                return false;
            }
        };
        for e in &events {
            println!("{e:?}");
            if let Some(result) = done(e) {
                return result;
            }
        }
    }
    eprintln!("timed out");
    false
}

async fn register(driver: &mut Driver, deadline: Instant) -> bool {
    let now = driver.now();
    if let Err(e) = driver.ua.register(now, AccountId(0)) {
        eprintln!("register: {e}");
        return false;
    }
    events_until(driver, deadline, |e| match e {
        Event::Registration {
            state: RegState::Registered { .. },
            ..
        } => Some(true),
        Event::Registration {
            state: RegState::Failed { .. },
            ..
        }
        | Event::AllServersFailed { .. } => Some(false),
        _ => None,
    })
    .await
}

async fn call(driver: &mut Driver, target: &str, hold_for: u64, deadline: Instant) -> bool {
    let now = driver.now();
    let id = match driver.ua.call(now, AccountId(0), target) {
        Ok(id) => id,
        Err(e) => {
            eprintln!("call: {e}");
            return false;
        }
    };
    let connected = events_until(driver, deadline, |e| match e {
        Event::CallState {
            call,
            state: CallState::Connected,
        } if *call == id => Some(true),
        Event::CallState {
            call,
            state: CallState::Terminated { .. },
        } if *call == id => Some(false),
        _ => None,
    })
    .await;
    if !connected {
        return false;
    }
    let up_until = Instant::now() + Duration::from_secs(hold_for);
    while Instant::now() < up_until {
        if driver.step(Duration::from_millis(100)).await.is_err() {
            return false;
        }
    }
    let now = driver.now();
    driver.ua.hangup(now, id);
    // Wait for the BYE's 200 (or its timeout) so the peer sees a clean end.
    let bye_deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < bye_deadline.min(deadline) {
        match driver.step(Duration::from_millis(100)).await {
            Ok(events) => events.iter().for_each(|e| println!("{e:?}")),
            Err(_) => return false,
        }
        if driver.ua.footprint().0 == 0 {
            break;
        }
    }
    true
}
