//! Parses the benchmark INVITE many times: `valgrind --tool=callgrind` on
//! this counts instructions per parse independently of machine load.
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let msg = bytes::Bytes::from_static(include_bytes!("../../../benches/data/invite.sip"));
    let mut total = 0;
    for _ in 0..n {
        let m = sip_proto::Message::parse(std::hint::black_box(msg.clone())).unwrap();
        total += m.header_count();
    }
    println!("{total}");
}
