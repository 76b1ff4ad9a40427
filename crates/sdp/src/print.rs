//! Canonical printing (RFC 8866 section 5 order, CRLF line ends).
//!
//! Session-level lines are printed in the grammar's order (`v o s i u e p c b
//! t r z k a`), then each media description (`m i c b k a`). Fields are joined
//! by single spaces and lines end in CRLF. A missing `s=` prints as `s=-` and a
//! missing `t=` as `t=0 0`, so every printed description is valid SDP and
//! `parse(print(d)) == d`.

use std::fmt::{self, Write};

use bytes::Bytes;

use crate::session::{RawAttribute, RawBandwidth, RawConnection, SessionDescription};

impl SessionDescription {
    /// The canonical text as `Bytes`.
    pub fn to_bytes(&self) -> Bytes {
        Bytes::from(self.to_string())
    }

    fn write_conn(&self, f: &mut impl Write, c: &RawConnection) -> fmt::Result {
        write!(
            f,
            "c={} {} {}\r\n",
            self.text(c.net_type),
            self.text(c.addr_type),
            self.text(c.address)
        )
    }

    fn write_bw(&self, f: &mut impl Write, b: &RawBandwidth) -> fmt::Result {
        write!(f, "b={}:{}\r\n", self.text(b.bw_type), b.value)
    }

    fn write_attr(&self, f: &mut impl Write, a: &RawAttribute) -> fmt::Result {
        f.write_str("a=")?;
        f.write_str(self.text(a.name))?;
        if let Some(v) = a.value() {
            f.write_char(':')?;
            f.write_str(self.text(v))?;
        }
        f.write_str("\r\n")
    }
}

impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v={}\r\n", self.version)?;
        let o = self.origin();
        write!(
            f,
            "o={} {} {} {} {} {}\r\n",
            o.username, o.session_id, o.session_version, o.net_type, o.addr_type, o.address
        )?;
        write!(f, "s={}\r\n", self.session_name())?;
        if let Some(i) = self.information() {
            write!(f, "i={i}\r\n")?;
        }
        if let Some(u) = self.uri() {
            write!(f, "u={u}\r\n")?;
        }
        for e in self.emails() {
            write!(f, "e={e}\r\n")?;
        }
        for p in self.phones() {
            write!(f, "p={p}\r\n")?;
        }
        if let Some(c) = &self.connection {
            self.write_conn(f, c)?;
        }
        for b in self.session_bandwidths.of(&self.bandwidths) {
            self.write_bw(f, b)?;
        }
        if self.first_timing.is_none() {
            f.write_str("t=0 0\r\n")?;
        }
        for t in self.timings() {
            write!(f, "t={} {}\r\n", t.start(), t.stop())?;
            for r in t.repeats() {
                write!(f, "r={r}\r\n")?;
            }
        }
        if let Some(z) = self.zone() {
            write!(f, "z={z}\r\n")?;
        }
        if let Some(k) = self.key() {
            write!(f, "k={k}\r\n")?;
        }
        for a in self.session_attributes.of(&self.attributes) {
            self.write_attr(f, a)?;
        }
        for (m, raw) in self.media().zip(self.media.as_slice()) {
            write!(f, "m={} {}", m.media_type(), m.port())?;
            if let Some(n) = m.port_count() {
                write!(f, "/{n}")?;
            }
            write!(f, " {}", m.proto())?;
            for fmt in m.formats() {
                write!(f, " {fmt}")?;
            }
            f.write_str("\r\n")?;
            if let Some(i) = m.information() {
                write!(f, "i={i}\r\n")?;
            }
            for c in raw.connections.of(&self.connections) {
                self.write_conn(f, c)?;
            }
            for b in raw.bandwidths.of(&self.bandwidths) {
                self.write_bw(f, b)?;
            }
            if let Some(k) = m.key() {
                write!(f, "k={k}\r\n")?;
            }
            for a in raw.attributes.of(&self.attributes) {
                self.write_attr(f, a)?;
            }
        }
        Ok(())
    }
}
