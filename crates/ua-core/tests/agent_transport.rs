//! The agent's inputs besides datagrams: DNS answers (RFC 3263 server
//! location as outputs and inputs), stream bytes in any chunking (RFC 3261
//! section 18.3 framing, RFC 5626 keep-alive), closed connections and
//! transport errors (section 18.4, failover).

use std::net::SocketAddr;

use bytes::Bytes;
use sip_proto::{Message, MessageBuilder, Method};
use ua_core::{
    AccountConfig, AccountId, AgentConfig, DnsAnswer, DnsKind, DnsQuery, Event, Input, Output,
    RegState, SrvRecord, Time, Transport, UserAgent,
};

const UA: &str = "192.0.2.10:5060";
const ACC: AccountId = AccountId(0);

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn agent(servers: &str, transport: Transport) -> UserAgent {
    let mut account = AccountConfig::new("6001", "1234", servers);
    account.transport = transport;
    UserAgent::new(AgentConfig::new(sa(UA), vec![account]), 3).unwrap()
}

#[derive(Default)]
struct Seen {
    sent: Vec<(SocketAddr, Transport, Bytes)>,
    queries: Vec<DnsQuery>,
    events: Vec<Event>,
    closed: Vec<String>,
}

fn drain(ua: &mut UserAgent) -> Seen {
    let mut s = Seen::default();
    while let Some(o) = ua.poll_output() {
        match o {
            Output::Transmit(t) => s.sent.push((t.destination, t.transport, t.data)),
            Output::Event(e) => s.events.push(e),
            Output::DnsQuery(q) => s.queries.push(q),
            Output::Close { reason, .. } => s.closed.push(reason),
        }
    }
    s
}

fn srv(priority: u16, port: u16, target: &str) -> SrvRecord {
    SrvRecord {
        priority,
        weight: 0,
        port,
        target: target.to_string(),
    }
}

fn registered(events: &[Event]) -> Option<SocketAddr> {
    events.iter().find_map(|e| match e {
        Event::Registration {
            server,
            state: RegState::Registered { .. },
            ..
        } => Some(*server),
        _ => None,
    })
}

fn ok_to(register: &[u8]) -> Message {
    let req = Message::parse(Bytes::copy_from_slice(register)).unwrap();
    assert_eq!(req.method(), Some(&Method::Register));
    MessageBuilder::response_to(&req, 200, "", Some("reg"))
        .header(
            sip_proto::HeaderName::Contact,
            format!("<sip:6001@{UA}>;expires=600"),
        )
        .build()
        .unwrap()
}

#[test]
fn domain_only_account_is_resolved_with_srv_then_a_and_fails_over_on_transport_error() {
    let mut ua = agent("example.com", Transport::Udp);
    let now = Time::ZERO;
    ua.register(now, ACC).unwrap();
    let s = drain(&mut ua);
    assert!(
        s.sent.is_empty(),
        "nothing is sent before the servers are known"
    );
    let q = &s.queries[..];
    assert_eq!(q.len(), 1);
    assert_eq!(
        (q[0].name.as_str(), q[0].kind),
        ("_sip._udp.example.com", DnsKind::Srv)
    );

    let answer = DnsAnswer::Srv(vec![
        srv(20, 5080, "backup.example.com."),
        srv(10, 5060, "pbx.example.com."),
    ]);
    ua.handle_input(
        now,
        Input::Dns {
            id: q[0].id,
            answer,
        },
    );
    let s = drain(&mut ua);
    assert_eq!(s.queries.len(), 1);
    assert_eq!(
        (s.queries[0].name.as_str(), s.queries[0].kind),
        ("pbx.example.com", DnsKind::A)
    );
    // A stale id changes nothing.
    ua.handle_input(
        now,
        Input::Dns {
            id: 999,
            answer: DnsAnswer::Failed,
        },
    );
    assert!(drain(&mut ua).queries.is_empty());

    let id = s.queries[0].id;
    ua.handle_input(
        now,
        Input::Dns {
            id,
            answer: DnsAnswer::Addresses(vec!["192.0.2.31".parse().unwrap()]),
        },
    );
    let s = drain(&mut ua);
    assert_eq!(s.queries[0].name, "backup.example.com");
    let id = s.queries[0].id;
    ua.handle_input(
        now,
        Input::Dns {
            id,
            answer: DnsAnswer::Addresses(vec!["192.0.2.32".parse().unwrap()]),
        },
    );
    let s = drain(&mut ua);
    assert!(s.queries.is_empty());
    assert_eq!(s.sent.len(), 1, "REGISTER to the priority-10 server");
    assert_eq!(s.sent[0].0, sa("192.0.2.31:5060"));
    assert_eq!(ua.current_server(ACC), Some(sa("192.0.2.31:5060")));

    // ICMP unreachable from the primary: the REGISTER fails at once and the
    // account moves to the next server found.
    ua.handle_input(
        now,
        Input::TransportError {
            destination: sa("192.0.2.31:5060"),
            transport: Transport::Udp,
        },
    );
    let s = drain(&mut ua);
    assert!(
        s.events
            .iter()
            .any(|e| matches!(e, Event::Failover { to, .. } if *to == sa("192.0.2.32:5080"))),
        "{:?}",
        s.events
    );
    assert_eq!(s.sent.len(), 1);
    assert_eq!(s.sent[0].0, sa("192.0.2.32:5080"));
}

#[test]
fn nothing_resolvable_is_reported() {
    let mut ua = agent("nowhere.example", Transport::Tcp);
    ua.register(Time::ZERO, ACC).unwrap();
    let q = drain(&mut ua).queries;
    assert_eq!(q[0].name, "_sip._tcp.nowhere.example");
    ua.handle_input(
        Time::ZERO,
        Input::Dns {
            id: q[0].id,
            answer: DnsAnswer::Failed,
        },
    );
    let q = drain(&mut ua).queries;
    assert_eq!(
        (q[0].name.as_str(), q[0].kind),
        ("nowhere.example", DnsKind::A)
    );
    ua.handle_input(
        Time::ZERO,
        Input::Dns {
            id: q[0].id,
            answer: DnsAnswer::Failed,
        },
    );
    let q = drain(&mut ua).queries;
    assert_eq!(q[0].kind, DnsKind::Aaaa);
    ua.handle_input(
        Time::ZERO,
        Input::Dns {
            id: q[0].id,
            answer: DnsAnswer::Failed,
        },
    );
    let s = drain(&mut ua);
    assert!(s.sent.is_empty());
    assert!(
        s.events
            .iter()
            .any(|e| matches!(e, Event::AllServersFailed { .. }))
    );
}

#[test]
fn an_ip_literal_domain_needs_no_dns() {
    let mut ua = agent("192.0.2.40", Transport::Udp);
    ua.register(Time::ZERO, ACC).unwrap();
    let s = drain(&mut ua);
    assert!(s.queries.is_empty());
    assert_eq!(s.sent[0].0, sa("192.0.2.40:5060"));
}

#[test]
fn tcp_responses_arrive_in_any_chunking_and_pings_get_pongs() {
    let server = sa("192.0.2.50:5060");
    let mut ua = agent("example.com; 192.0.2.50", Transport::Tcp);
    ua.register(Time::ZERO, ACC).unwrap();
    let s = drain(&mut ua);
    let (dst, transport, register) = s.sent[0].clone();
    assert_eq!((dst, transport), (server, Transport::Tcp));
    assert!(
        std::str::from_utf8(&register)
            .unwrap()
            .contains("SIP/2.0/TCP")
    );

    // A keep-alive ping, then the 200 OK split in three reads, the cut
    // inside the header section and inside the Content-Length value.
    let ok = ok_to(&register).to_bytes();
    let text = std::str::from_utf8(&ok).unwrap();
    let cut = text.find("Content-Length: ").unwrap() + 16;
    let mut stream = b"\r\n\r\n".to_vec();
    stream.extend_from_slice(&ok);
    let pieces = [&stream[..10], &stream[10..cut + 4], &stream[cut + 4..]];
    let mut pongs = 0;
    let mut events = Vec::new();
    for p in pieces {
        ua.handle_input(
            Time::ZERO,
            Input::Stream {
                from: server,
                to: sa(UA),
                transport: Transport::Tcp,
                data: Bytes::copy_from_slice(p),
            },
        );
        let s = drain(&mut ua);
        pongs += s.sent.iter().filter(|(_, _, d)| &d[..] == b"\r\n").count();
        events.extend(s.events);
    }
    assert_eq!(pongs, 1);
    assert_eq!(registered(&events), Some(server));
}

#[test]
fn unframeable_stream_is_closed_and_a_closed_connection_fails_its_transactions() {
    let server = sa("192.0.2.50:5060");
    let mut ua = agent("example.com; 192.0.2.50; 192.0.2.51", Transport::Tcp);
    // A message without Content-Length cannot be framed on a stream.
    ua.handle_input(
        Time::ZERO,
        Input::Stream {
            from: server,
            to: sa(UA),
            transport: Transport::Tcp,
            data: Bytes::from_static(b"OPTIONS sip:6001@192.0.2.10 SIP/2.0\r\nCall-ID: x\r\n\r\n"),
        },
    );
    let s = drain(&mut ua);
    assert_eq!(s.closed.len(), 1, "{:?}", s.closed);
    assert!(s.closed[0].contains("Content-Length"));

    // The REGISTER's connection closes before an answer: fail over.
    ua.register(Time::ZERO, ACC).unwrap();
    drain(&mut ua);
    ua.handle_input(
        Time::ZERO,
        Input::StreamClosed {
            from: server,
            to: sa(UA),
            transport: Transport::Tcp,
        },
    );
    let s = drain(&mut ua);
    assert!(
        s.events.iter().any(|e| matches!(e, Event::Failover { .. })),
        "{:?}",
        s.events
    );
    assert_eq!(s.sent[0].0, sa("192.0.2.51:5060"));
}

/// RFC 3261 section 19.1.1: a TCP account's Contact (in REGISTER and in
/// INVITE) says `transport=tcp`, so the registrar and the far end reach us
/// over TCP; a UDP account's says nothing (UDP is the default).
#[test]
fn contact_names_tcp_for_a_tcp_account_and_nothing_for_udp() {
    for (transport, want) in [
        (Transport::Tcp, format!("<sip:6001@{UA};transport=tcp>")),
        (Transport::Udp, format!("<sip:6001@{UA}>")),
    ] {
        let mut ua = agent("example.com; 192.0.2.50", transport);
        ua.register(Time::ZERO, ACC).unwrap();
        ua.call(Time::ZERO, ACC, "6002").unwrap();
        let s = drain(&mut ua);
        assert_eq!(s.sent.len(), 2, "REGISTER and INVITE");
        for (_, t, data) in &s.sent {
            assert_eq!(*t, transport);
            let m = Message::parse(data.clone()).unwrap();
            let contact = m.values(sip_proto::HeaderName::Contact).next().unwrap();
            assert!(contact.starts_with(&want), "{contact} for {transport:?}");
        }
    }
}

/// On IPv6 our address is a bracketed reference in Via sent-by, Contact
/// and Call-ID (RFC 3261 section 25.1 `IPv6reference`): the REGISTER
/// parses and names `[2001:db8::10]:5060`.
#[test]
fn an_ipv6_local_address_is_bracketed_in_via_and_contact() {
    let account = AccountConfig::new("6001", "1234", "example.com; [2001:db8::50]:5060");
    let local: SocketAddr = "[2001:db8::10]:5060".parse().unwrap();
    let mut ua = UserAgent::new(AgentConfig::new(local, vec![account]), 3).unwrap();
    ua.register(Time::ZERO, ACC).unwrap();
    let s = drain(&mut ua);
    let (dst, _, data) = &s.sent[0];
    assert_eq!(*dst, sa("[2001:db8::50]:5060"));
    let m = Message::parse(data.clone()).unwrap();
    let via = m.top_via().unwrap();
    assert_eq!(via.host.to_string(), "[2001:db8::10]");
    assert_eq!(via.port, Some(5060));
    let contact = m.values(sip_proto::HeaderName::Contact).next().unwrap();
    assert!(
        contact.starts_with("<sip:6001@[2001:db8::10]:5060>"),
        "{contact}"
    );
}
