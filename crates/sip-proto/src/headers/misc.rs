//! Other headers a handset reads: Reason (RFC 3326), Retry-After (RFC 3261
//! 20.33), Warning (20.43), Date (20.17), Diversion (RFC 5806) and
//! History-Info (RFC 7044).

use std::fmt;

use nom::{Parser, bytes::complete::take_while1, combinator::opt};

use super::{
    HeaderError, HeaderErrorKind, NameAddr, Params, TypedHeader, complete, params, token_params,
};
use crate::grammar::{is_lws, quoted_string, sws};
use crate::name::HeaderName;

/// `Reason: SIP;cause=200;text="Call completed elsewhere"` (RFC 3326 section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reason<'a> {
    /// `SIP`, `Q.850` or another protocol token.
    pub protocol: &'a str,
    /// Parameters `cause` and `text`.
    pub params: Params<'a>,
}

impl<'a> Reason<'a> {
    /// The `cause` parameter.
    pub fn cause(&self) -> Option<u32> {
        self.params.get_u32("cause")
    }

    /// The `text` parameter, still escaped.
    pub fn text(&self) -> Option<&'a str> {
        self.params.get("text").flatten()
    }
}

impl<'a> TypedHeader<'a> for Reason<'a> {
    const NAME: HeaderName = HeaderName::Reason;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let (protocol, params) = token_params(value, "protocol")?;
        Ok(Reason { protocol, params })
    }
}

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.protocol, self.params)
    }
}

/// `Retry-After: 18000;duration=3600` or `120 (I'm in a meeting)` (RFC 3261 section 20.33).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetryAfter<'a> {
    /// Seconds to wait.
    pub delta: u32,
    /// The comment without its parentheses.
    pub comment: Option<&'a str>,
    /// Parameters such as `duration`.
    pub params: Params<'a>,
}

fn comment(i: &str) -> super::PResult<'_, &str> {
    let (rest, _) = nom::character::complete::char('(').parse(i)?;
    let mut depth = 1usize;
    for (k, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok((&rest[k + 1..], &rest[..k]));
                }
            }
            _ => {}
        }
    }
    Err(crate::grammar::nom_err(i, nom::error::ErrorKind::Char))
}

impl<'a> TypedHeader<'a> for RetryAfter<'a> {
    const NAME: HeaderName = HeaderName::RetryAfter;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let (digits, comment, params) = complete(value, "delta-seconds", |i| {
            let (i, _) = sws(i)?;
            let (i, d) = take_while1(|c: char| c.is_ascii_digit()).parse(i)?;
            let (i, _) = sws(i)?;
            let (i, c) = opt(comment).parse(i)?;
            let (i, p) = params(i)?;
            Ok((i, (d, c, p)))
        })?;
        let delta = super::scalar::number(digits)
            .map_err(|e| HeaderError::new(e.kind, value.find(digits).unwrap_or(0)))?;
        Ok(RetryAfter {
            delta,
            comment,
            params,
        })
    }
}

impl fmt::Display for RetryAfter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.delta)?;
        if let Some(c) = self.comment {
            write!(f, " ({c})")?;
        }
        self.params.fmt(f)
    }
}

/// `Warning: 370 devnull "Choose a bigger pipe"` (RFC 3261 section 20.43).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Warning<'a> {
    /// The three-digit warn-code.
    pub code: u16,
    /// warn-agent: hostport or pseudonym.
    pub agent: &'a str,
    /// warn-text, still escaped.
    pub text: &'a str,
}

impl<'a> TypedHeader<'a> for Warning<'a> {
    const NAME: HeaderName = HeaderName::Warning;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let (code, agent, text) = complete(value, "warn-code warn-agent warn-text", |i| {
            let (i, _) = sws(i)?;
            let (i, code) = take_while1(|c: char| c.is_ascii_digit()).parse(i)?;
            let (i, _) = take_while1(is_lws).parse(i)?;
            let (i, agent) = take_while1(|c: char| !is_lws(c) && c != '"' && c != ',').parse(i)?;
            let (i, _) = take_while1(is_lws).parse(i)?;
            let (i, text) = quoted_string(i)?;
            Ok((i, (code, agent, text)))
        })?;
        if code.len() != 3 {
            let at = value.find(code).unwrap_or(0);
            return Err(HeaderError::new(
                HeaderErrorKind::Expected("3-digit warn-code"),
                at,
            ));
        }
        Ok(Warning {
            code: code.parse().unwrap_or(0),
            agent,
            text,
        })
    }
}

impl fmt::Display for Warning<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03} {} \"{}\"", self.code, self.agent, self.text)
    }
}

/// `Date: Sat, 13 Nov 2010 23:29:00 GMT` (RFC 3261 section 20.17, RFC 1123).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Year, e.g. 2010.
    pub year: u16,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
    /// Hour 0-23.
    pub hour: u8,
    /// Minute 0-59.
    pub minute: u8,
    /// Second 0-60 (leap second).
    pub second: u8,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl Date {
    /// Day of week, 0 = Monday (Zeller's congruence on the proleptic Gregorian calendar).
    fn weekday(&self) -> usize {
        let (mut y, mut m) = (i32::from(self.year), i32::from(self.month));
        if m < 3 {
            m += 12;
            y -= 1;
        }
        let h = (i32::from(self.day) + 13 * (m + 1) / 5 + y + y / 4 - y / 100 + y / 400) % 7;
        // h: 0 = Saturday.
        ((h + 5) % 7) as usize
    }
}

impl TypedHeader<'_> for Date {
    const NAME: HeaderName = HeaderName::Date;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        let bad = |what| Err(HeaderError::new(HeaderErrorKind::Expected(what), 0));
        let v = value.trim_matches(is_lws);
        let Some((wkday, rest)) = v.split_once(',') else {
            return bad("wkday \",\"");
        };
        if !WEEKDAYS.contains(&wkday) {
            return bad("wkday");
        }
        let parts: Vec<&str> = rest.split(is_lws).filter(|p| !p.is_empty()).collect();
        let [day, month, year, time, zone] = parts[..] else {
            return bad("DD Mon YYYY HH:MM:SS GMT");
        };
        if zone != "GMT" {
            // RFC 4475 3.1.2.12: only GMT is allowed.
            return bad("GMT");
        }
        let num = |s: &str, n: usize| {
            (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u16>().ok())
                .flatten()
        };
        let t: Vec<&str> = time.split(':').collect();
        let (Some(d), Some(y), [h, mi, s]) = (num(day, 2), num(year, 4), &t[..]) else {
            return bad("DD Mon YYYY HH:MM:SS GMT");
        };
        let (Some(h), Some(mi), Some(s)) = (num(h, 2), num(mi, 2), num(s, 2)) else {
            return bad("HH:MM:SS");
        };
        let Some(m) = MONTHS.iter().position(|&x| x == month) else {
            return bad("month");
        };
        if !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
            return bad("a valid date and time");
        }
        Ok(Date {
            year: y,
            month: m as u8 + 1,
            day: d as u8,
            hour: h as u8,
            minute: mi as u8,
            second: s as u8,
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
            WEEKDAYS[self.weekday()],
            self.day,
            MONTHS[usize::from(self.month.clamp(1, 12)) - 1],
            self.year,
            self.hour,
            self.minute,
            self.second
        )
    }
}

/// One `Diversion` value (RFC 5806 section 3): an address with `reason`,
/// `counter`, `privacy`, ... parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Diversion<'a>(pub NameAddr<'a>);

impl<'a> Diversion<'a> {
    /// The `reason` parameter (`unconditional`, `user-busy`, `no-answer`, ...).
    pub fn reason(&self) -> Option<&'a str> {
        self.0.params.get("reason").flatten()
    }

    /// The `counter` parameter.
    pub fn counter(&self) -> Option<u32> {
        self.0.params.get_u32("counter")
    }
}

impl<'a> TypedHeader<'a> for Diversion<'a> {
    const NAME: HeaderName = HeaderName::Diversion;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        NameAddr::parse(value).map(Diversion)
    }
}

impl fmt::Display for Diversion<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One `History-Info` entry (RFC 7044 section 9): `<uri>;index=1.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HistoryInfo<'a>(pub NameAddr<'a>);

impl<'a> HistoryInfo<'a> {
    /// The `index` parameter.
    pub fn index(&self) -> Option<&'a str> {
        self.0.params.get("index").flatten()
    }
}

impl<'a> TypedHeader<'a> for HistoryInfo<'a> {
    const NAME: HeaderName = HeaderName::HistoryInfo;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let na = NameAddr::parse(value)?;
        if !na.bracketed {
            return Err(HeaderError::new(HeaderErrorKind::Expected("<"), 0));
        }
        Ok(HistoryInfo(na))
    }
}

impl fmt::Display for HistoryInfo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_retry_warning() {
        let r = Reason::parse("SIP ;cause=200 ;text=\"Call completed elsewhere\"").unwrap();
        assert_eq!(
            (r.protocol, r.cause(), r.text()),
            ("SIP", Some(200), Some("Call completed elsewhere"))
        );
        let ra = RetryAfter::parse("18000;duration=3600").unwrap();
        assert_eq!(
            (ra.delta, ra.params.get_u32("duration")),
            (18000, Some(3600))
        );
        let ra = RetryAfter::parse("120 (I'm in a meeting)").unwrap();
        assert_eq!(ra.comment, Some("I'm in a meeting"));
        assert_eq!(
            RetryAfter::parse("18446744073709551617").unwrap_err().kind,
            HeaderErrorKind::NumberTooLarge
        );
        let w = Warning::parse("370 devnull \"Choose a bigger pipe\"").unwrap();
        assert_eq!(
            (w.code, w.agent, w.text),
            (370, "devnull", "Choose a bigger pipe")
        );
        assert!(Warning::parse("1812 overture \"In Progress\"").is_err());
    }

    #[test]
    fn date_gmt_only() {
        let d = Date::parse("Sat, 13 Nov 2010 23:29:00 GMT").unwrap();
        assert_eq!((d.year, d.month, d.day, d.hour), (2010, 11, 13, 23));
        assert_eq!(d.to_string(), "Sat, 13 Nov 2010 23:29:00 GMT");
        // RFC 4475 3.1.2.12
        assert!(Date::parse("Fri, 01 Jan 2010 16:00:00 EST").is_err());
        assert!(Date::parse("garbage").is_err());
    }

    #[test]
    fn diversion_and_history() {
        let d = Diversion::parse("<sip:2000@pbx.example.com>;reason=no-answer;counter=1").unwrap();
        assert_eq!((d.reason(), d.counter()), (Some("no-answer"), Some(1)));
        let h =
            HistoryInfo::parse("<sip:bob@example.com?Reason=SIP%3Bcause%3D302>;index=1.1").unwrap();
        assert_eq!(h.index(), Some("1.1"));
        assert!(HistoryInfo::parse("sip:bob@example.com;index=1").is_err());
    }
}
