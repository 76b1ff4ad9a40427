//! Runs one implementation of the `sip_parse` benchmark N times, for
//! instruction counts under `valgrind --tool=callgrind`, which do not
//! depend on the load of a shared machine:
//! `parse_count ours|rsip|ezk-sip-types parse|typed invite|register_200|notify|ack N`.

use std::hint::black_box;

use benches::sip_impls::*;
use bytes::Bytes;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, imp, what, input, n] = &args[..] else {
        eprintln!("usage: parse_count IMPL parse|typed INPUT N");
        std::process::exit(2);
    };
    let msg = benches::sip::ALL
        .iter()
        .find(|(name, _)| name == input)
        .expect("input")
        .1;
    let b = Bytes::from_static(msg);
    let n: usize = n.parse().expect("N");
    let mut acc = 0usize;
    for _ in 0..n {
        acc += match (imp.as_str(), what.as_str()) {
            ("ours", "parse") => ours_parse(black_box(&b)).header_count(),
            ("ours", "typed") => ours_typed(black_box(&b)),
            ("rsip", "parse") => rsip::prelude::HasHeaders::headers(&rsip_parse(black_box(&b)))
                .iter()
                .count(),
            ("rsip", "typed") => rsip_typed(black_box(&b)),
            ("ezk-sip-types", "parse") => ezk_parse(black_box(&b)).2.len(),
            ("ezk-sip-types", "typed") => ezk_typed(black_box(&b)),
            _ => panic!("unknown implementation or mode"),
        };
    }
    println!("{acc}");
}
