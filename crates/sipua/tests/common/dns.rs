//! A tiny authoritative name server on loopback for the tests: answers
//! SRV and A questions from a fixed table (messages built and parsed with
//! hickory-proto), NXDOMAIN for anything else, and records every question
//! it was asked. Runs on its own thread until dropped.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, SRV};
use hickory_proto::rr::{Name, RData, Record, RecordType};

/// One record of the table.
#[derive(Clone, Debug)]
pub enum Entry {
    /// `name SRV priority weight port target`.
    Srv(&'static str, u16, u16, u16, &'static str),
    /// `name A address`.
    A(&'static str, Ipv4Addr),
}

/// The running server.
pub struct DnsServer {
    pub addr: SocketAddr,
    asked: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DnsServer {
    /// Serves `table` on 127.0.0.1 at a free port.
    pub fn start(table: Vec<Entry>) -> DnsServer {
        let sock = UdpSocket::bind("127.0.0.1:0").expect("dns socket");
        sock.set_read_timeout(Some(Duration::from_millis(100)))
            .expect("timeout");
        let addr = sock.local_addr().expect("addr");
        let asked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (a, st) = (asked.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 1500];
            while !st.load(Ordering::Relaxed) {
                let Ok((n, from)) = sock.recv_from(&mut buf) else {
                    continue;
                };
                let Ok(q) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                let mut r = Message::new();
                r.set_id(q.id())
                    .set_message_type(MessageType::Response)
                    .set_op_code(q.op_code())
                    .set_authoritative(true)
                    .set_recursion_desired(q.recursion_desired())
                    .set_recursion_available(true);
                let mut found = false;
                for query in q.queries() {
                    r.add_query(query.clone());
                    let name = query.name().to_utf8();
                    let name = name.trim_end_matches('.').to_ascii_lowercase();
                    a.lock()
                        .expect("lock")
                        .push(format!("{} {name}", query.query_type()));
                    for e in &table {
                        let record = match (e, query.query_type()) {
                            (Entry::Srv(n, prio, weight, port, target), RecordType::SRV)
                                if *n == name =>
                            {
                                let t = Name::from_ascii(format!("{target}.")).expect("name");
                                RData::SRV(SRV::new(*prio, *weight, *port, t))
                            }
                            (Entry::A(n, ip), RecordType::A) if *n == name => RData::A(A(*ip)),
                            _ => continue,
                        };
                        found = true;
                        r.add_answer(Record::from_rdata(query.name().clone(), 60, record));
                    }
                }
                if !found {
                    r.set_response_code(ResponseCode::NXDomain);
                }
                if let Ok(bytes) = r.to_vec() {
                    let _ = sock.send_to(&bytes, from);
                }
            }
        });
        DnsServer {
            addr,
            asked,
            stop,
            thread: Some(thread),
        }
    }

    /// The questions asked so far, as `TYPE name`.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().expect("lock").clone()
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
