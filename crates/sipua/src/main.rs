//! `sipua`: a command-line softphone on the Sans-IO stack.
//!
//! ```text
//! sipua demo                      # two agents on loopback: tone, DTMF, hang-up, checks
//! sipua --local 127.0.0.1:5062 --servers "mitel.test; 127.0.0.1:5071" \
//!       --user 4107 --password 1234 register
//! sipua --local 127.0.0.1:5062 --servers "mitel.test; 127.0.0.1:5070" \
//!       --user 4107 call 4108 --hold-for 2 --play tone.wav --record heard.wav --dtmf 123
//! sipua --local 127.0.0.1:5080 answer --record heard.wav          # no server: calls straight to --local
//! sipua --local 127.0.0.1:5082 call sip:b@127.0.0.1:5080 --events json --trace a.pcap
//! sipua --config handset.toml register --duration 60                # see handset.example.toml
//! sipua parse invite.sip capture.pcap   # the lint: every message must parse (pcap: UDP and TCP)
//! ```
//! Prints each event on a line (`--events json`: one JSON object per line,
//! see the `events` module); `--trace FILE.pcap` writes the SIP messages as
//! pcap; `-v` logs the stack's internals on stderr; Ctrl-C hangs up or
//! unregisters and exits.
//!
//! Exit codes:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | the goal was reached (registered; a call connected and ended cleanly; every demo check held; every message parsed) |
//! | 1 | `parse`: a message did not parse |
//! | 2 | usage or configuration error (bad option, missing `--servers`/`--user`, a server list that does not parse) |
//! | 3 | registration failed (refused, e.g. 403, or no server answered) |
//! | 4 | the call failed (refused, not answered, no common codec; a demo check failed) |
//! | 5 | network: a socket could not be bound or used |

mod config;
mod demo;
mod events;
mod lint;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use ua_core::registration::RegState;
use ua_core::{AccountConfig, AccountId, AgentConfig, CallState, Event, UserAgent};
use ua_net::audio::{AudioSink, AudioSource, NullSink, Silence, WavSink, WavSource};
use ua_net::{CallAudio, Driver, MediaEvent, NetEvent};

/// How events are printed.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum EventFormat {
    /// Short human-readable lines.
    Text,
    /// One JSON object per line with an "event" field.
    Json,
}

/// Exit codes (see the crate documentation).
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// `parse`: a message did not parse.
    pub const PARSE: u8 = 1;
    /// Usage or configuration.
    pub const USAGE: u8 = 2;
    /// Registration failed.
    pub const REGISTRATION: u8 = 3;
    /// Call failed.
    pub const CALL: u8 = 4;
    /// Network (bind, socket).
    pub const NETWORK: u8 = 5;
}

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Command-line SIP softphone (SIP over UDP and TCP)",
    after_help = "Exit codes: 0 ok, 1 parse found a bad message, 2 usage/config, 3 registration failed, 4 call failed, 5 network."
)]
struct Args {
    /// Local address to bind (use 127.0.0.1 for tests).
    #[arg(long, default_value = "127.0.0.1:5062", global = true)]
    local: SocketAddr,
    /// Server list: `"domain; ip1[:port]; ip2[:port]"`.
    #[arg(long, visible_alias = "server", global = true)]
    servers: Option<String>,
    /// Extension (user part of the address of record).
    #[arg(long, global = true)]
    user: Option<String>,
    /// Digest user name, when it differs from the extension.
    #[arg(long, global = true)]
    auth_user: Option<String>,
    /// Digest password.
    #[arg(long, global = true)]
    password: Option<String>,
    /// SIP domain of the address of record, replacing the one of --servers
    /// (then --servers may list only addresses).
    #[arg(long, global = true)]
    domain: Option<String>,
    /// Transport to the servers: udp, tcp or tls; default: the --config
    /// file's, else udp. With tls the server's certificate must name the
    /// SIP domain (RFC 5922) and be signed by --tls-ca (else the system's
    /// roots); with --tls-cert/--tls-key the --local port takes TLS.
    #[arg(long, global = true)]
    transport: Option<String>,
    /// PEM file of the CA certificates to trust for --transport tls.
    #[arg(long, global = true)]
    tls_ca: Option<PathBuf>,
    /// PEM certificate chain we present on incoming TLS connections.
    #[arg(long, global = true, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, global = true, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Send DNS questions (RFC 3263 SRV, A, AAAA for a --servers domain
    /// without addresses) to this name server (ADDR:PORT) instead of the
    /// system's.
    #[arg(long, global = true)]
    dns: Option<SocketAddr>,
    /// Handset settings file (TOML, keys of the guide's chapter 2.8; see
    /// handset.example.toml). Command-line options override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Registration expiry in seconds.
    #[arg(long, default_value_t = 3600, global = true)]
    expires: u32,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 30, global = true)]
    timeout: u64,
    /// First RTP port (each call takes the next even port; RTCP on +1).
    #[arg(long, default_value_t = 40000, global = true)]
    media_port: u16,
    /// Codec priorities, e.g. `pcmu=1,pcma=2,g729=0,g722=0` (0 disables).
    #[arg(long, global = true)]
    codecs: Option<String>,
    /// Event output: text lines or JSON lines (see the events module).
    #[arg(long, value_enum, default_value = "text", global = true)]
    events: EventFormat,
    /// Write every SIP message sent and received to this pcap file
    /// (Wireshark opens it; with -vv the messages are also logged as text).
    #[arg(long, global = true)]
    trace: Option<PathBuf>,
    /// Log the stack's internals on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Two user agents in this process on loopback: A calls B, plays a
    /// tone, B records it and sends DTMF, A hangs up; then the checks.
    Demo(demo::DemoArgs),
    /// Register and print the result. Without --duration the binding is
    /// left to lapse at its expiry (one REGISTER exchange); with it, stay
    /// registered (refreshing) that long, or until Ctrl-C, then unregister.
    Register {
        /// Register once and exit (the default).
        #[arg(long, conflicts_with = "duration")]
        once: bool,
        /// Stay registered this many seconds, then unregister.
        #[arg(long)]
        duration: Option<u64>,
    },
    /// Answer calls arriving at --local (straight, or through --servers:
    /// then register first and unregister at the end) at once,
    /// play/record, until --count calls have ended.
    Answer {
        /// Answer at once (the only mode for now; accepted for scripts).
        #[arg(long)]
        auto: bool,
        /// WAV file to send (else silence).
        #[arg(long)]
        play: Option<PathBuf>,
        /// WAV file to write what we receive to (NAME-2.wav ... for later calls).
        #[arg(long)]
        record: Option<PathBuf>,
        /// How many calls to answer before exiting.
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// Hang up each answered call after this many seconds (else the caller does).
        #[arg(long)]
        hangup_after: Option<u64>,
    },
    /// Lint SIP messages: each FILE is one message or a pcap capture (UDP
    /// datagrams, TCP streams framed by Content-Length). Prints OK or ERR
    /// with the reason per message; exit 1 if any failed.
    Parse {
        /// Message files or pcap captures.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Call a number or SIP URI, keep the call up, hang up.
    Call {
        /// Digits (become sip:digits@domain) or a SIP URI.
        target: String,
        /// Seconds to keep the call up.
        #[arg(long, visible_alias = "hangup-after", default_value_t = 1)]
        hold_for: u64,
        /// WAV file to send (else silence).
        #[arg(long)]
        play: Option<PathBuf>,
        /// WAV file to write what we receive to.
        #[arg(long)]
        record: Option<PathBuf>,
        /// RFC 4733 digits to send once the call is up.
        #[arg(long)]
        dtmf: Option<String>,
    },
}

/// Parses `pcmu=1,pcma=2,g729=0,g722=0`.
pub fn parse_codecs(s: &str) -> Result<sdp::CodecPriorities, String> {
    let mut p = sdp::CodecPriorities {
        pcmu: 0,
        pcma: 0,
        g729: 0,
        g722: 0,
    };
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (name, prio) = match item.split_once('=') {
            Some((n, v)) => (
                n.trim(),
                v.trim()
                    .parse::<u8>()
                    .map_err(|_| format!("codec priority `{item}`: expected NAME=0..255"))?,
            ),
            None => (item, 1),
        };
        let codec = match name.to_ascii_lowercase().as_str() {
            "pcmu" | "g711u" | "ulaw" => sdp::Codec::Pcmu,
            "pcma" | "g711a" | "alaw" => sdp::Codec::Pcma,
            "g729" | "g729a" => sdp::Codec::G729,
            "g722" => sdp::Codec::G722,
            other => return Err(format!("unknown codec `{other}` (pcmu, pcma, g729, g722)")),
        };
        p.set(codec, prio);
    }
    if [p.pcmu, p.pcma, p.g729, p.g722].iter().all(|&x| x == 0) {
        return Err("no codec enabled".into());
    }
    Ok(p)
}

fn config(
    args: &Args,
    file: &config::Handset,
    servers: &str,
    user: &str,
) -> Result<AgentConfig, String> {
    let password = args
        .password
        .clone()
        .or_else(|| file.password.clone())
        .unwrap_or_default();
    let mut account = AccountConfig::new(user, &password, servers);
    account.auth_username = args.auth_user.clone().or_else(|| file.username.clone());
    account.expires = args.expires;
    let mut config = AgentConfig::new(args.local, vec![account]);
    config.user_agent = concat!("sipua/", env!("CARGO_PKG_VERSION")).into();
    config.media_port_base = args.media_port;
    config.layer.dscp = file.call_control_dscp;
    config.layer.size_rule.keep_udp = file.override_udp_to_tcp;
    config.codecs = match &args.codecs {
        Some(c) => parse_codecs(c)?,
        None => file.codecs(),
    };
    Ok(config)
}

fn init_logs(verbose: u8) {
    if verbose == 0 {
        return;
    }
    let level = match verbose {
        1 => tracing_subscriber::filter::LevelFilter::INFO,
        2 => tracing_subscriber::filter::LevelFilter::DEBUG,
        _ => tracing_subscriber::filter::LevelFilter::TRACE,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .init();
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    init_logs(args.verbose);
    events::set_json(args.events == EventFormat::Json);
    ExitCode::from(run(args).await)
}

static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether Ctrl-C was pressed: the command then hangs up its calls or
/// unregisters and exits.
fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::Relaxed)
}

async fn run(args: Args) -> u8 {
    tokio::spawn(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("interrupted: ending cleanly");
            INTERRUPTED.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    });
    if let Command::Demo(d) = &args.command {
        return demo::run(d, &args).await;
    }
    if let Command::Parse { files } = &args.command {
        return if lint::run(files) {
            exit::OK
        } else {
            exit::PARSE
        };
    }
    let file = match &args.config {
        Some(path) => match config::Handset::load(path) {
            Ok(h) => h,
            Err(e) => {
                eprintln!("configuration: {e}");
                return exit::USAGE;
            }
        },
        None => config::Handset::default(),
    };
    // No server: a call goes straight to the target's host:port, and
    // `answer` takes calls that arrive at --local.
    // With a server, `answer` registers first so that calls reach us
    // through it, and unregisters at the end.
    let via_server = args.servers.is_some() || file.servers().is_some();
    let servers = args
        .servers
        .clone()
        .or_else(|| file.servers())
        .or_else(|| match &args.command {
            Command::Call { target, .. } => direct_server(target),
            Command::Answer { .. } => Some(format!("{}; {}", args.local.ip(), args.local)),
            _ => None,
        });
    let user = args
        .user
        .clone()
        .or_else(|| file.extension.clone())
        .or_else(|| match &args.command {
            Command::Register { .. } => None,
            _ => Some("sipua".into()),
        });
    let transport = args.transport.as_deref().unwrap_or(&file.transport);
    let transport = match transport.to_ascii_lowercase().as_str() {
        "udp" => ua_core::Transport::Udp,
        "tcp" => ua_core::Transport::Tcp,
        "tls" => ua_core::Transport::Tls,
        other => {
            eprintln!("usage: --transport {other}: udp, tcp or tls");
            return exit::USAGE;
        }
    };
    let servers = match (&args.domain, servers) {
        (Some(d), Some(list)) => Some(with_domain(d, &list)),
        // `--server 127.0.0.1:5060` alone: an outbound proxy; the domain
        // is the call target's host, else the address itself.
        (None, Some(list)) if via_server && first_is_address(&list) => {
            let domain = match &args.command {
                Command::Call { target, .. } => target_host(target),
                _ => None,
            }
            .unwrap_or_else(|| address_host(&list));
            Some(with_domain(&domain, &list))
        }
        (_, list) => list,
    };
    let (Some(servers), Some(user)) = (servers, user) else {
        eprintln!(
            "usage: --servers \"domain; ip[:port]\" and --user are needed for this command \
             (a call without --servers needs a target sip:user@ip:port)"
        );
        return exit::USAGE;
    };
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    let ua = match config(&args, &file, &servers, &user)
        .map(|mut c| {
            c.accounts[0].transport = transport;
            c
        })
        .and_then(|c| UserAgent::new(c, seed).map_err(|e| e.to_string()))
    {
        Ok(ua) => ua,
        Err(e) => {
            eprintln!("configuration: {e}");
            return exit::USAGE;
        }
    };
    let mut driver = match Driver::bind(ua, args.local).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("network: cannot bind {}: {e} — check --local", args.local);
            return exit::NETWORK;
        }
    };
    if transport == ua_core::Transport::Tls || args.tls_cert.is_some() {
        match tls_setup(&args, &servers) {
            Ok(tls) => driver.set_tls(tls),
            Err(e) => {
                eprintln!("TLS: {e}");
                return exit::USAGE;
            }
        }
    }
    driver.set_audio_dscp(file.audio_dscp);
    if let Some(server) = args.dns {
        driver.set_dns_server(server);
    }
    if let Some(path) = &args.trace
        && let Err(e) = driver.trace_to(path)
    {
        eprintln!("--trace {}: {e}", path.display());
        return exit::USAGE;
    }
    let deadline = Instant::now() + Duration::from_secs(args.timeout);
    match &args.command {
        Command::Register { duration, .. } => {
            let code = register(&mut driver, deadline).await;
            match duration {
                Some(secs) if code == exit::OK => stay_registered(&mut driver, *secs).await,
                _ => code,
            }
        }
        Command::Call {
            target,
            hold_for,
            play,
            record,
            dtmf,
        } => {
            let audio = match call_audio(play.as_deref(), record.as_deref()) {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("{e}");
                    return exit::USAGE;
                }
            };
            let opts = CallOpts {
                hold_for: *hold_for,
                audio,
                dtmf: dtmf.clone(),
            };
            call(&mut driver, target, opts, deadline).await
        }
        Command::Answer {
            play,
            record,
            count,
            hangup_after,
            ..
        } => {
            let opts = AnswerOpts {
                play: play.clone(),
                record: record.clone(),
                count: (*count).max(1),
                hangup_after: *hangup_after,
            };
            if via_server {
                let code = register(&mut driver, deadline).await;
                if code != exit::OK {
                    return code;
                }
            }
            let code = answer(&mut driver, opts, deadline).await;
            if via_server {
                unregister(&mut driver).await;
            }
            code
        }
        Command::Demo(_) | Command::Parse { .. } => unreachable!("handled above"),
    }
}

/// TLS from the options: the SIP domain of `servers` is the name the
/// server's certificate must carry.
fn tls_setup(args: &Args, servers: &str) -> Result<ua_net::stream::TlsSetup, String> {
    let read = |p: &PathBuf| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let domain = servers
        .split(';')
        .map(str::trim)
        .next()
        .filter(|d| !d.is_empty())
        .ok_or("--servers names no domain")?;
    let roots = args.tls_ca.as_ref().map(read).transpose()?;
    let identity = match (&args.tls_cert, &args.tls_key) {
        (Some(c), Some(k)) => Some((read(c)?, read(k)?)),
        _ => None,
    };
    ua_net::stream::TlsSetup::new(
        domain,
        roots.as_deref(),
        identity.as_ref().map(|(c, k)| (c.as_slice(), k.as_slice())),
    )
}

/// The server list `list` with its domain replaced by `domain`: `"d; a1;
/// a2"` becomes `"domain; a1; a2"`, and a bare address list `"a1; a2"` (or
/// one address) gets `domain` in front.
fn with_domain(domain: &str, list: &str) -> String {
    let mut parts: Vec<&str> = list
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let first_is_address = parts
        .first()
        .is_some_and(|p| p.parse::<SocketAddr>().is_ok() || p.parse::<std::net::IpAddr>().is_ok());
    if !first_is_address && !parts.is_empty() {
        parts.remove(0);
    }
    std::iter::once(domain)
        .chain(parts)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether a server list starts with an address (no domain first).
fn first_is_address(list: &str) -> bool {
    let first = list.split(';').map(str::trim).next().unwrap_or("");
    first.parse::<SocketAddr>().is_ok() || first.parse::<std::net::IpAddr>().is_ok()
}

/// The IP of the first address of `list`, as a domain.
fn address_host(list: &str) -> String {
    let first = list.split(';').map(str::trim).next().unwrap_or("");
    match first.parse::<SocketAddr>() {
        Ok(sa) => sa.ip().to_string(),
        Err(_) => first.to_string(),
    }
}

/// The host of a SIP URI target (`sip:4108@mitel.test:5060` gives
/// `mitel.test`); `None` for digits or an IPv6 reference.
fn target_host(target: &str) -> Option<String> {
    let rest = target
        .strip_prefix("sip:")
        .or_else(|| target.strip_prefix("sips:"))?;
    let hostport = rest.rsplit('@').next()?.split([';', '?']).next()?;
    let host = hostport.split(':').next()?;
    (!host.is_empty() && !host.starts_with('[')).then(|| host.to_string())
}

/// `"host; host:port"` for a target `sip:user@host:port` (an IP address).
fn direct_server(target: &str) -> Option<String> {
    let rest = target
        .strip_prefix("sip:")
        .or_else(|| target.strip_prefix("sips:"))?;
    let hostport = rest.rsplit('@').next()?.split(';').next()?;
    let addr: SocketAddr = hostport
        .parse()
        .or_else(|_| format!("{hostport}:5060").parse())
        .ok()?;
    Some(format!("{}; {addr}", addr.ip()))
}

struct AnswerOpts {
    play: Option<PathBuf>,
    record: Option<PathBuf>,
    count: u32,
    hangup_after: Option<u64>,
}

/// The recording path of the `n`-th answered call: the path itself for the
/// first, `NAME-n.wav` after.
fn nth_path(p: &std::path::Path, n: u32) -> PathBuf {
    if n <= 1 {
        return p.to_path_buf();
    }
    let stem = p.file_stem().map_or("call".into(), |s| s.to_string_lossy());
    p.with_file_name(format!("{stem}-{n}.wav"))
}

/// Answers incoming calls at once until `count` of them have ended.
async fn answer(driver: &mut Driver, opts: AnswerOpts, deadline: Instant) -> u8 {
    let mut answered = 0u32;
    let mut ended = 0u32;
    let mut up: Vec<(ua_core::CallId, Instant)> = Vec::new();
    let mut mine: Vec<ua_core::CallId> = Vec::new();
    while Instant::now() < deadline {
        if interrupted() {
            let now = driver.now();
            for (call, _) in &up {
                driver.ua.hangup(now, *call);
            }
            let until = Instant::now() + Duration::from_millis(500);
            while Instant::now() < until {
                match driver.step(Duration::from_millis(50)).await {
                    Ok(events) => events.iter().for_each(events::print),
                    Err(_) => break,
                }
            }
            return exit::OK;
        }
        let events = match driver.step(Duration::from_millis(100)).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("network: socket {}: {e}", driver.local_addr());
                return exit::NETWORK;
            }
        };
        for e in &events {
            events::print(e);
            match e {
                NetEvent::Agent(Event::IncomingCall { call, .. }) if answered < opts.count => {
                    answered += 1;
                    let record = opts.record.as_deref().map(|p| nth_path(p, answered));
                    match call_audio(opts.play.as_deref(), record.as_deref()) {
                        Ok(a) => driver.set_audio(*call, a),
                        Err(e) => {
                            eprintln!("{e}");
                            return exit::USAGE;
                        }
                    }
                    let now = driver.now();
                    driver.ua.answer(now, *call);
                    mine.push(*call);
                }
                NetEvent::Agent(Event::IncomingCall { call, .. }) => {
                    let now = driver.now();
                    driver.ua.reject(now, *call, 486);
                }
                NetEvent::Agent(Event::CallState {
                    call,
                    state: CallState::Connected,
                }) => up.push((*call, Instant::now())),
                NetEvent::Agent(Event::CallState {
                    call,
                    state: CallState::Terminated { .. },
                }) if mine.contains(call) => {
                    ended += 1;
                }
                _ => {}
            }
        }
        if let Some(after) = opts.hangup_after {
            let now = driver.now();
            for (call, since) in &up {
                if since.elapsed() >= Duration::from_secs(after) {
                    driver.ua.hangup(now, *call);
                }
            }
            up.retain(|(_, since)| since.elapsed() < Duration::from_secs(after));
        }
        if ended >= opts.count {
            // Let the last BYE's 200 go out and the media report its end.
            let until = Instant::now() + Duration::from_millis(300);
            while Instant::now() < until {
                match driver.step(Duration::from_millis(50)).await {
                    Ok(events) => events.iter().for_each(events::print),
                    Err(_) => break,
                }
            }
            return exit::OK;
        }
    }
    eprintln!("answer: {answered} call(s) answered, {ended} ended before --timeout");
    exit::CALL
}

fn call_audio(
    play: Option<&std::path::Path>,
    record: Option<&std::path::Path>,
) -> Result<CallAudio, String> {
    let source: Box<dyn AudioSource> = match play {
        Some(p) => {
            Box::new(WavSource::open(p).map_err(|e| format!("--play {}: {e}", p.display()))?)
        }
        None => Box::new(Silence),
    };
    let sink: Box<dyn AudioSink> = match record {
        Some(p) => Box::new(WavSink::create(p)),
        None => Box::new(NullSink),
    };
    Ok(CallAudio { source, sink })
}

async fn events_until(
    driver: &mut Driver,
    deadline: Instant,
    mut done: impl FnMut(&NetEvent) -> Option<u8>,
) -> u8 {
    while Instant::now() < deadline && !interrupted() {
        let events = match driver.step(Duration::from_millis(200)).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("network: socket {}: {e}", driver.local_addr());
                return exit::NETWORK;
            }
        };
        // Every event of the batch is printed, even after the one that ends the wait.
        let mut result = None;
        for e in &events {
            events::print(e);
            if result.is_none() {
                result = done(e);
            }
        }
        if let Some(r) = result {
            return r;
        }
    }
    u8::MAX
}

/// The server a registration failure came from, for the error line.
fn describe_failure(status: u16, reason: &str, server: std::net::SocketAddr) -> String {
    let hint = match status {
        401 | 403 | 407 => "check --user/--auth-user/--password",
        404 => "check --user (the extension) and the domain in --servers",
        408 => "check --servers (is the registrar up and reachable?)",
        _ => "check the server's configuration for this extension",
    };
    format!("registration failed: {status} {reason} from {server} — {hint}")
}

async fn register(driver: &mut Driver, deadline: Instant) -> u8 {
    let now = driver.now();
    if let Err(e) = driver.ua.register(now, AccountId(0)) {
        eprintln!("register: {e}");
        return exit::USAGE;
    }
    let mut failure = None;
    let code = events_until(driver, deadline, |e| match e {
        NetEvent::Agent(Event::Registration {
            state: RegState::Registered { .. },
            ..
        }) => Some(exit::OK),
        NetEvent::Agent(Event::Registration {
            state: RegState::Failed { status, reason },
            server,
            ..
        }) => {
            failure = Some(describe_failure(*status, reason, *server));
            // A server that did not answer (408: timeout or transport
            // error) is failed over: the agent tries the next one and says
            // AllServersFailed when none is left. Any other failure is final.
            (*status != 408).then_some(exit::REGISTRATION)
        }
        NetEvent::Agent(Event::AllServersFailed { .. }) => Some(exit::REGISTRATION),
        _ => None,
    })
    .await;
    match code {
        // The binding is left in place (it lapses at its expiry): one
        // REGISTER exchange, as a registrar's log of a check shows it.
        exit::OK => exit::OK,
        exit::REGISTRATION => {
            eprintln!(
                "{}",
                failure.unwrap_or_else(|| {
                    "registration failed: no server answered — check --servers".into()
                })
            );
            exit::REGISTRATION
        }
        u8::MAX => {
            eprintln!("registration failed: no final answer in time — check --servers");
            exit::REGISTRATION
        }
        other => other,
    }
}

/// Keeps the registration (the agent refreshes it) for `secs` seconds or
/// until Ctrl-C, then unregisters.
async fn stay_registered(driver: &mut Driver, secs: u64) -> u8 {
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until && !interrupted() {
        match driver.step(Duration::from_millis(100)).await {
            Ok(events) => events.iter().for_each(events::print),
            Err(e) => {
                eprintln!("network: {e}");
                return exit::NETWORK;
            }
        }
    }
    unregister(driver).await;
    exit::OK
}

/// Removes the binding, waiting (at most 5 s) for the registrar's answer.
async fn unregister(driver: &mut Driver) {
    let now = driver.now();
    if driver.ua.unregister(now, AccountId(0)).is_ok() {
        let _ = events_until(driver, Instant::now() + Duration::from_secs(5), |e| {
            matches!(
                e,
                NetEvent::Agent(Event::Registration {
                    state: RegState::Unregistered | RegState::Failed { .. },
                    ..
                })
            )
            .then_some(exit::OK)
        })
        .await;
    }
}

struct CallOpts {
    hold_for: u64,
    audio: CallAudio,
    dtmf: Option<String>,
}

async fn call(driver: &mut Driver, target: &str, opts: CallOpts, deadline: Instant) -> u8 {
    let now = driver.now();
    let id = match driver.ua.call(now, AccountId(0), target) {
        Ok(id) => id,
        Err(e) => {
            eprintln!("call failed: {e} — check the target and --servers");
            return exit::CALL;
        }
    };
    driver.set_audio(id, opts.audio);
    let mut ended = None;
    let connected = events_until(driver, deadline, |e| match e {
        NetEvent::Agent(Event::CallState {
            call,
            state: CallState::Connected,
        }) if *call == id => Some(exit::OK),
        NetEvent::Agent(Event::CallState {
            call,
            state: CallState::Terminated { status, reason },
        }) if *call == id => {
            ended = Some(format!("call failed: {status} {reason}"));
            Some(exit::CALL)
        }
        _ => None,
    })
    .await;
    match connected {
        exit::OK => {}
        u8::MAX => {
            if interrupted() {
                eprintln!("call failed: interrupted before the answer");
            } else {
                eprintln!("call failed: not answered in time");
            }
            // CANCEL (or 480/BYE) and give it a moment to go out and be answered.
            let now = driver.now();
            driver.ua.hangup(now, id);
            let until = Instant::now() + Duration::from_millis(500);
            while Instant::now() < until {
                match driver.step(Duration::from_millis(50)).await {
                    Ok(events) => events.iter().for_each(events::print),
                    Err(_) => break,
                }
            }
            return exit::CALL;
        }
        exit::CALL => {
            eprintln!("{}", ended.unwrap_or_default());
            return exit::CALL;
        }
        other => return other,
    }
    let mut dtmf = opts.dtmf;
    let up_until = Instant::now() + Duration::from_secs(opts.hold_for);
    while Instant::now() < up_until && !interrupted() {
        if let Some(d) = &dtmf
            && driver.media_running(id)
        {
            driver.send_dtmf(id, d, 100);
            dtmf = None;
        }
        match driver.step(Duration::from_millis(100)).await {
            Ok(events) => {
                for e in &events {
                    events::print(e);
                    if let NetEvent::Agent(Event::CallState {
                        call,
                        state: CallState::Terminated { .. },
                    }) = e
                        && *call == id
                    {
                        // The far end hung up first: still a clean call.
                        return exit::OK;
                    }
                }
            }
            Err(e) => {
                eprintln!("network: {e}");
                return exit::NETWORK;
            }
        }
    }
    let now = driver.now();
    driver.ua.hangup(now, id);
    // Wait for the BYE's 200 (or its timeout) so the peer sees a clean end,
    // and for the media to stop (its final RTCP, the recording closed).
    // At least a second for that, whatever --timeout leaves.
    let bye_deadline = Instant::now() + Duration::from_secs(5);
    let bye_deadline = bye_deadline.min(deadline.max(Instant::now() + Duration::from_secs(1)));
    let mut media_stopped = !driver.media_running(id);
    while Instant::now() < bye_deadline {
        match driver.step(Duration::from_millis(100)).await {
            Ok(events) => {
                for e in &events {
                    events::print(e);
                    if matches!(e, NetEvent::Media(MediaEvent::Stopped { call, .. }) if *call == id)
                    {
                        media_stopped = true;
                    }
                }
            }
            Err(e) => {
                eprintln!("network: {e}");
                return exit::NETWORK;
            }
        }
        if driver.ua.footprint().0 == 0 && media_stopped {
            break;
        }
    }
    exit::OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_replaces_or_prefixes_the_server_list() {
        assert_eq!(
            with_domain("mitel.test", "example.com; 127.0.0.1:5060; 127.0.0.1:5061"),
            "mitel.test; 127.0.0.1:5060; 127.0.0.1:5061"
        );
        assert_eq!(
            with_domain("mitel.test", "127.0.0.1:5060"),
            "mitel.test; 127.0.0.1:5060"
        );
        assert_eq!(with_domain("mitel.test", "pbx.example"), "mitel.test");
    }

    #[test]
    fn a_lone_server_address_takes_the_targets_domain() {
        assert!(first_is_address("127.0.0.1:5060"));
        assert!(!first_is_address("mitel.test; 127.0.0.1:5060"));
        assert_eq!(
            target_host("sip:4108@mitel.test").as_deref(),
            Some("mitel.test")
        );
        assert_eq!(
            target_host("sip:4108@pbx.example:5080;transport=tcp").as_deref(),
            Some("pbx.example")
        );
        assert_eq!(target_host("4108"), None);
        assert_eq!(address_host("127.0.0.1:5060"), "127.0.0.1");
    }

    #[test]
    fn codec_priorities_parse() {
        let p = parse_codecs("pcmu=1,pcma=2,g729=0,g722=3").unwrap();
        assert_eq!((p.pcmu, p.pcma, p.g729, p.g722), (1, 2, 0, 3));
        assert!(parse_codecs("opus=1").is_err());
        assert!(parse_codecs("pcmu=0").is_err());
    }
}
