//! Canonical printing (RFC 8866 section 5 order, CRLF line ends).
//!
//! Session-level lines are printed in the grammar's order (`v o s i u e p c b
//! t r z k a`), then each media description (`m i c b k a`). Fields are joined
//! by single spaces and lines end in CRLF. A missing `s=` prints as `s=-` and a
//! missing `t=` as `t=0 0`, so every printed description is valid SDP and
//! `parse(print(d)) == d`.

use std::fmt;

use bytes::Bytes;

use crate::session::{RawAttribute, RawBandwidth, RawConnection, SessionDescription, Span};

/// The printed text, appended piece by piece (no formatting machinery:
/// this runs for every offer and answer a user agent sends).
pub(crate) struct Out(pub(crate) String);

impl Out {
    pub(crate) fn s(&mut self, s: &str) -> &mut Self {
        self.0.push_str(s);
        self
    }

    /// `s` then CRLF.
    pub(crate) fn line(&mut self, s: &str) -> &mut Self {
        self.0.push_str(s);
        self.0.push_str("\r\n");
        self
    }

    /// A number in decimal.
    #[inline(always)]
    pub(crate) fn n(&mut self, v: u64) -> &mut Self {
        // Most numbers in a description are below 100 (payload types,
        // address bytes, packet times): written inline, the digits known
        // to the compiler as ASCII (one byte each, no encoding).
        if v < 10 {
            self.0.push(char::from(b'0' + v as u8));
        } else if v < 100 {
            self.0.push(char::from(b'0' + (v / 10) as u8));
            self.0.push(char::from(b'0' + (v % 10) as u8));
        } else {
            self.n_long(v);
        }
        self
    }

    /// [`Out::n`] from 100 on.
    #[inline(never)]
    fn n_long(&mut self, v: u64) {
        // two digits a step: the o= line's session id and version run to
        // twenty digits
        const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
            2021222324252627282930313233343536373839\
            4041424344454647484950515253545556575859\
            6061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899";
        let mut digits = [0u8; 20];
        let mut k = digits.len();
        let mut v = v;
        while v >= 100 {
            let r = (v % 100) as usize * 2;
            v /= 100;
            k -= 2;
            digits[k..k + 2].copy_from_slice(&PAIRS[r..r + 2]);
        }
        if v >= 10 {
            let r = v as usize * 2;
            k -= 2;
            digits[k..k + 2].copy_from_slice(&PAIRS[r..r + 2]);
        } else {
            k -= 1;
            digits[k] = b'0' + v as u8;
        }
        self.0.reserve(digits.len() - k);
        for &d in &digits[k..] {
            // (`min`: the compiler then knows each is one byte of ASCII.)
            self.0.push(char::from(d.min(b'9')));
        }
    }

    /// An address as `Display` writes it; IPv4 without the formatting
    /// machinery (dotted decimal, no leading zeros).
    pub(crate) fn ip(&mut self, a: std::net::IpAddr) -> &mut Self {
        match a {
            std::net::IpAddr::V4(v4) => {
                let [a, b, c, d] = v4.octets();
                self.n(a.into())
                    .s(".")
                    .n(b.into())
                    .s(".")
                    .n(c.into())
                    .s(".")
                    .n(d.into())
            }
            std::net::IpAddr::V6(v6) => {
                use std::fmt::Write as _;
                let _ = write!(self.0, "{v6}");
                self
            }
        }
    }
}

impl SessionDescription {
    /// The canonical text as `Bytes`.
    pub fn to_bytes(&self) -> Bytes {
        Bytes::from(self.print())
    }

    /// The canonical text.
    fn print(&self) -> String {
        // The text it was parsed from is about as long as the canonical one.
        let mut o = Out(String::with_capacity(self.buf.len() + 32));
        // One UTF-8 check for the whole buffer; spans are then sliced from it.
        let whole = self.whole();
        let p = Printer { sdp: self, whole };
        p.write(&mut o);
        o.0
    }
}

/// A description and its text, checked once.
struct Printer<'a> {
    sdp: &'a SessionDescription,
    whole: &'a str,
}

impl<'a> Printer<'a> {
    /// The text of a span, as `SessionDescription::text` gives it.
    fn t(&self, s: Span) -> &'a str {
        if self.whole.len() == self.sdp.buf.len() {
            self.whole
                .get(s.start as usize..s.end as usize)
                .unwrap_or("")
        } else {
            // Not UTF-8 as a whole (the parser never makes such a description).
            self.sdp.text(s)
        }
    }

    fn write_conn(&self, f: &mut Out, c: &RawConnection) {
        f.s("c=")
            .s(self.t(c.net_type))
            .s(" ")
            .s(self.t(c.addr_type))
            .s(" ")
            .line(self.t(c.address));
    }

    fn write_bw(&self, f: &mut Out, b: &RawBandwidth) {
        f.s("b=").s(self.t(b.bw_type)).s(":").n(b.value).s("\r\n");
    }

    fn write_attr(&self, f: &mut Out, a: &RawAttribute) {
        f.s("a=").s(self.t(a.name));
        if let Some(v) = a.value() {
            f.s(":").s(self.t(v));
        }
        f.s("\r\n");
    }

    fn write(&self, f: &mut Out) {
        let d = self.sdp;
        f.s("v=").n(d.version.into()).s("\r\n");
        let o = &d.origin;
        f.s("o=")
            .s(self.t(o.username))
            .s(" ")
            .s(self.t(o.session_id))
            .s(" ")
            .s(self.t(o.session_version))
            .s(" ")
            .s(self.t(o.net_type))
            .s(" ")
            .s(self.t(o.addr_type))
            .s(" ")
            .line(self.t(o.address));
        f.s("s=").line(d.session_name.map_or("-", |s| self.t(s)));
        if let Some(i) = d.information {
            f.s("i=").line(self.t(i));
        }
        if let Some(u) = d.uri {
            f.s("u=").line(self.t(u));
        }
        for &e in &d.emails {
            f.s("e=").line(self.t(e));
        }
        for &p in &d.phones {
            f.s("p=").line(self.t(p));
        }
        if let Some(c) = &d.connection {
            self.write_conn(f, c);
        }
        for b in d.session_bandwidths.of(&d.net_lines) {
            self.write_bw(f, &RawBandwidth::from_line(b));
        }
        if d.first_timing.is_none() {
            f.s("t=0 0\r\n");
        }
        for t in d.first_timing.iter().chain(d.timings.iter()) {
            f.s("t=").n(t.start).s(" ").n(t.stop).s("\r\n");
            for &r in t.repeats.of(&d.repeats) {
                f.s("r=").line(self.t(r));
            }
        }
        if let Some(z) = d.zone {
            f.s("z=").line(self.t(z));
        }
        if let Some(k) = d.key {
            f.s("k=").line(self.t(k));
        }
        for a in d.session_attributes.of(&d.attributes) {
            self.write_attr(f, a);
        }
        for m in d.media.as_slice() {
            f.s("m=").s(self.t(m.media)).s(" ").n(m.port.into());
            if let Some(n) = m.port_count {
                f.s("/").n(n.into());
            }
            f.s(" ").s(self.t(m.proto));
            for fmt in self.t(m.formats).split_ascii_whitespace() {
                f.s(" ").s(fmt);
            }
            f.s("\r\n");
            if let Some(i) = m.information {
                f.s("i=").line(self.t(i));
            }
            for c in m.connections.of(&d.net_lines) {
                self.write_conn(f, c);
            }
            for b in m.bandwidths.of(&d.net_lines) {
                self.write_bw(f, &RawBandwidth::from_line(b));
            }
            if let Some(k) = m.key {
                f.s("k=").line(self.t(k));
            }
            for a in m.attributes.of(&d.attributes) {
                self.write_attr(f, a);
            }
        }
    }
}

impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.print())
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use super::*;

    /// The printer as it was, with `write!`: the new one must match it byte for byte.
    fn reference(d: &SessionDescription) -> String {
        let mut f = String::new();
        let conn = |f: &mut String, c: &RawConnection| {
            let _ = write!(
                f,
                "c={} {} {}\r\n",
                d.text(c.net_type),
                d.text(c.addr_type),
                d.text(c.address)
            );
        };
        let bw = |f: &mut String, b: &RawBandwidth| {
            let _ = write!(f, "b={}:{}\r\n", d.text(b.bw_type), b.value);
        };
        let attr = |f: &mut String, a: &RawAttribute| {
            f.push_str("a=");
            f.push_str(d.text(a.name));
            if let Some(v) = a.value() {
                f.push(':');
                f.push_str(d.text(v));
            }
            f.push_str("\r\n");
        };
        let _ = write!(f, "v={}\r\n", d.version);
        let o = d.origin();
        let _ = write!(
            f,
            "o={} {} {} {} {} {}\r\n",
            o.username, o.session_id, o.session_version, o.net_type, o.addr_type, o.address
        );
        let _ = write!(f, "s={}\r\n", d.session_name());
        if let Some(i) = d.information() {
            let _ = write!(f, "i={i}\r\n");
        }
        if let Some(u) = d.uri() {
            let _ = write!(f, "u={u}\r\n");
        }
        for e in d.emails() {
            let _ = write!(f, "e={e}\r\n");
        }
        for p in d.phones() {
            let _ = write!(f, "p={p}\r\n");
        }
        if let Some(c) = &d.connection {
            conn(&mut f, c);
        }
        for b in d.session_bandwidths.of(&d.net_lines) {
            bw(&mut f, &RawBandwidth::from_line(b));
        }
        if d.first_timing.is_none() {
            f.push_str("t=0 0\r\n");
        }
        for t in d.timings() {
            let _ = write!(f, "t={} {}\r\n", t.start(), t.stop());
            for r in t.repeats() {
                let _ = write!(f, "r={r}\r\n");
            }
        }
        if let Some(z) = d.zone() {
            let _ = write!(f, "z={z}\r\n");
        }
        if let Some(k) = d.key() {
            let _ = write!(f, "k={k}\r\n");
        }
        for a in d.session_attributes.of(&d.attributes) {
            attr(&mut f, a);
        }
        for (m, raw) in d.media().zip(d.media.as_slice()) {
            let _ = write!(f, "m={} {}", m.media_type(), m.port());
            if let Some(n) = m.port_count() {
                let _ = write!(f, "/{n}");
            }
            let _ = write!(f, " {}", m.proto());
            for fmt in m.formats() {
                let _ = write!(f, " {fmt}");
            }
            f.push_str("\r\n");
            if let Some(i) = m.information() {
                let _ = write!(f, "i={i}\r\n");
            }
            for c in raw.connections.of(&d.net_lines) {
                conn(&mut f, c);
            }
            for b in raw.bandwidths.of(&d.net_lines) {
                bw(&mut f, &RawBandwidth::from_line(b));
            }
            if let Some(k) = m.key() {
                let _ = write!(f, "k={k}\r\n");
            }
            for a in raw.attributes.of(&d.attributes) {
                attr(&mut f, a);
            }
        }
        f
    }

    #[test]
    fn decimal_writer_matches_display() {
        let mut values = vec![0, u64::MAX, u64::MAX - 1];
        let mut p = 1u64;
        while let Some(next) = p.checked_mul(10) {
            values.extend([p - 1, p, p + 1]);
            p = next;
        }
        values.extend([p - 1, p, p + 1]);
        values.extend((0..1000).map(|i| i * 7919 % 100_003));
        for v in values {
            let mut o = Out(String::new());
            o.s("x").n(v);
            assert_eq!(o.0, format!("x{v}"));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

        /// Any description that parses prints as the formatting printer printed it.
        #[test]
        fn prints_as_before(
            head in "v=0\r\no=[a-z-]{1,5} [0-9]{1,20} [0-9]{1,20} IN IP[46] [a-z0-9.:]{1,12}\r\ns=[ -~]{0,8}\r\n",
            lines in proptest::collection::vec(
                "(i=[ -~]{1,6}|c=IN IP4 [0-9.]{1,15}(/[0-9]{1,3})?|b=[A-Z]{1,4}:[0-9]{1,20}|t=[0-9]{1,12} [0-9]{1,12}|r=[0-9]{1,6} [0-9]{1,6} 0|a=[a-z-]{1,8}(:[ -~]{0,10})?|m=(audio|video) [0-9]{1,5}(/[0-9]{1,2})? RTP/AVP( [0-9]{1,3}){1,4}|k=[a-z]{1,5})\r\n",
                0..16,
            ),
        ) {
            let text = format!("{head}{}", lines.concat());
            if let Ok(d) = SessionDescription::parse(Bytes::from(text)) {
                proptest::prop_assert_eq!(d.to_string(), reference(&d));
            }
        }
    }

    mod rfc4317 {
        include!("../tests/data/rfc4317.rs");
    }

    #[test]
    fn prints_as_the_formatting_printer_did() {
        let mut texts: Vec<&str> = rfc4317::EXAMPLES.iter().map(|e| e.2).collect();
        let more = [
            "v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\n",
            "v=0\r\no=carol 28908445260 2890844527 IN IP4 198.51.100.20\r\ns=Call\r\n\
             i=info\r\nu=http://x/y\r\ne=a@b\r\np=+1 555\r\nc=IN IP4 198.51.100.20/127\r\n\
             b=AS:2048\r\nb=X-YZ:18446744073709551615\r\nt=3034423619 3042462419\r\n\
             r=604800 3600 0 90000\r\nt=0 0\r\nz=2882844526 -1h 2898848070 0\r\nk=prompt\r\n\
             a=sendrecv\r\na=tool:x y\r\nm=audio 49170/2 RTP/AVP 9 0 101\r\ni=main\r\n\
             c=IN IP4 198.51.100.21\r\nb=AS:128\r\nk=clear:abc\r\na=rtpmap:9 G722/8000\r\n\
             a=fmtp:101 0-15\r\na=rtcp-mux\r\nm=video 0 RTP/AVP 31\r\nm=audio 65535 RTP/SAVP 0\r\n",
        ];
        texts.extend(more);
        for text in texts {
            let d = SessionDescription::parse(Bytes::copy_from_slice(text.as_bytes())).unwrap();
            assert_eq!(d.to_bytes(), reference(&d).as_bytes(), "{text}");
            assert_eq!(d.to_string(), reference(&d));
        }
    }
}
