//! The core headers, parsed once when a message is parsed and kept as
//! spans into its buffer, so reading them again costs no parsing
//! (DESIGN.md: "the core headers a transaction needs are parsed up front").

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::headers::{CSeq, Contact, DisplayName, FirstParam, NameAddr, Params, Via};
use crate::uri::{Host, SipUri, TelUri, Uri, UriParams};

/// A byte range of the message buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Self {
        // Every transport bounds a message far below 4 GiB.
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    pub(crate) fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The span of `s`, a slice of `base`.
    fn of(base: &[u8], s: &str) -> Span {
        // Empty parts may be static "" rather than slices of the buffer.
        let start = (s.as_ptr() as usize).wrapping_sub(base.as_ptr() as usize);
        if s.is_empty()
            || start
                .checked_add(s.len())
                .is_none_or(|end| end > base.len())
        {
            return Span::default();
        }
        Span::new(start, start + s.len())
    }

    pub(crate) fn of_str(base: &[u8], s: &str) -> Span {
        Self::of(base, s)
    }
}

/// Gives back text for a span; the head of a parsed message is UTF-8.
pub(crate) trait Text {
    fn text(&self, s: Span) -> &str;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum HostSpan {
    Name(Span),
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

impl HostSpan {
    fn of(base: &[u8], h: &Host<'_>) -> Self {
        match h {
            Host::Name(n) => HostSpan::Name(Span::of(base, n)),
            Host::V4(a) => HostSpan::V4(*a),
            Host::V6(a) => HostSpan::V6(*a),
        }
    }

    #[inline(always)]
    fn view<'a>(&self, t: &'a impl Text) -> Host<'a> {
        match *self {
            HostSpan::Name(s) => Host::Name(t.text(s)),
            HostSpan::V4(a) => Host::V4(a),
            HostSpan::V6(a) => Host::V6(a),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum UriSpans {
    Sip {
        secure: bool,
        user: Option<Span>,
        password: Option<Span>,
        host: HostSpan,
        port: Option<u16>,
        params: Span,
        headers: Option<Span>,
    },
    Tel {
        number: Span,
        params: Span,
    },
    Other {
        scheme: Span,
        rest: Span,
    },
}

impl UriSpans {
    pub(crate) fn of(base: &[u8], u: &Uri<'_>) -> Self {
        match u {
            Uri::Sip(s) => UriSpans::Sip {
                secure: s.secure,
                user: s.user.map(|x| Span::of(base, x)),
                password: s.password.map(|x| Span::of(base, x)),
                host: HostSpan::of(base, &s.host),
                port: s.port,
                params: Span::of(base, s.params.0),
                headers: s.headers.map(|x| Span::of(base, x)),
            },
            Uri::Tel(t) => UriSpans::Tel {
                number: Span::of(base, t.number),
                params: Span::of(base, t.params.0),
            },
            Uri::Other { scheme, rest } => UriSpans::Other {
                scheme: Span::of(base, scheme),
                rest: Span::of(base, rest),
            },
        }
    }

    #[inline(always)]
    pub(crate) fn view<'a>(&self, t: &'a impl Text) -> Uri<'a> {
        match *self {
            UriSpans::Sip {
                secure,
                user,
                password,
                host,
                port,
                params,
                headers,
            } => Uri::Sip(SipUri {
                secure,
                user: user.map(|s| t.text(s)),
                password: password.map(|s| t.text(s)),
                host: host.view(t),
                port,
                params: UriParams(t.text(params)),
                headers: headers.map(|s| t.text(s)),
            }),
            UriSpans::Tel { number, params } => Uri::Tel(TelUri {
                number: t.text(number),
                params: UriParams(t.text(params)),
            }),
            UriSpans::Other { scheme, rest } => Uri::Other {
                scheme: t.text(scheme),
                rest: t.text(rest),
            },
        }
    }
}

/// A parsed name-addr as spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct NameAddrSpans {
    pub(crate) display: Option<(bool, Span)>,
    pub(crate) uri: UriSpans,
    pub(crate) bracketed: bool,
    pub(crate) params: Span,
    /// The first parameter of `params` ([`FirstParam::of`] its text).
    pub(crate) first: FirstParam,
}

impl NameAddrSpans {
    pub(crate) fn of(base: &[u8], n: &NameAddr<'_>) -> Self {
        NameAddrSpans {
            display: n.display.map(|d| match d {
                DisplayName::Quoted(q) => (true, Span::of(base, q)),
                DisplayName::Tokens(q) => (false, Span::of(base, q)),
            }),
            uri: UriSpans::of(base, &n.uri),
            bracketed: n.bracketed,
            params: Span::of(base, n.params.0),
            first: FirstParam::of(n.params.0),
        }
    }

    #[inline(always)]
    pub(crate) fn view<'a>(&self, t: &'a impl Text) -> NameAddr<'a> {
        NameAddr {
            display: self.display.map(|(quoted, s)| {
                if quoted {
                    DisplayName::Quoted(t.text(s))
                } else {
                    DisplayName::Tokens(t.text(s))
                }
            }),
            uri: self.uri.view(t),
            bracketed: self.bracketed,
            params: Params(t.text(self.params), self.first),
        }
    }
}

/// A parsed Via as spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ViaSpans {
    pub(crate) protocol: Span,
    pub(crate) version: Span,
    pub(crate) transport: Span,
    pub(crate) host: HostSpan,
    pub(crate) port: Option<u16>,
    pub(crate) params: Span,
    /// The first parameter of `params` ([`FirstParam::of`] its text).
    pub(crate) first: FirstParam,
}

impl ViaSpans {
    pub(crate) fn of(base: &[u8], v: &Via<'_>) -> Self {
        ViaSpans {
            protocol: Span::of(base, v.protocol),
            version: Span::of(base, v.version),
            transport: Span::of(base, v.transport),
            host: HostSpan::of(base, &v.host),
            port: v.port,
            params: Span::of(base, v.params.0),
            first: FirstParam::of(v.params.0),
        }
    }

    #[inline]
    pub(crate) fn view<'a>(&self, t: &'a impl Text) -> Via<'a> {
        Via {
            protocol: t.text(self.protocol),
            version: t.text(self.version),
            transport: t.text(self.transport),
            host: self.host.view(t),
            port: self.port,
            params: Params(t.text(self.params), self.first),
        }
    }
}

/// A parsed Contact value as spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ContactSpans {
    Wildcard,
    Addr(NameAddrSpans),
}

impl ContactSpans {
    pub(crate) fn of(base: &[u8], c: &Contact<'_>) -> Self {
        match c {
            Contact::Wildcard => ContactSpans::Wildcard,
            Contact::Addr(a) => ContactSpans::Addr(NameAddrSpans::of(base, a)),
        }
    }

    #[inline]
    pub(crate) fn view<'a>(&self, t: &'a impl Text) -> Contact<'a> {
        match self {
            ContactSpans::Wildcard => Contact::Wildcard,
            ContactSpans::Addr(a) => Contact::Addr(a.view(t)),
        }
    }
}

/// A list whose first element is stored inline: most messages carry one
/// Via and at most one Contact, which then cost no allocation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct OneOrMore<T> {
    first: Option<T>,
    rest: Vec<T>,
}

impl<T> Default for OneOrMore<T> {
    fn default() -> Self {
        OneOrMore {
            first: None,
            rest: Vec::new(),
        }
    }
}

impl<T> OneOrMore<T> {
    pub(crate) fn push(&mut self, x: T) {
        if self.first.is_none() {
            self.first = Some(x);
        } else {
            self.rest.push(x);
        }
    }

    /// The number of elements.
    pub(crate) fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    /// Keeps the first `n` elements.
    pub(crate) fn truncate(&mut self, n: usize) {
        if n == 0 {
            self.first = None;
        }
        self.rest.truncate(n.saturating_sub(1));
    }

    pub(crate) fn first(&self) -> Option<&T> {
        self.first.as_ref()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.first.iter().chain(self.rest.iter())
    }
}

/// The first value of each single header and every value of the list
/// headers Via and Contact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(crate) struct Core {
    pub(crate) vias: OneOrMore<ViaSpans>,
    pub(crate) contacts: OneOrMore<ContactSpans>,
    pub(crate) from: Option<NameAddrSpans>,
    pub(crate) to: Option<NameAddrSpans>,
    pub(crate) call_id: Option<Span>,
    pub(crate) cseq: Option<CSeq>,
    pub(crate) max_forwards: Option<u32>,
    pub(crate) content_length: Option<u32>,
}
