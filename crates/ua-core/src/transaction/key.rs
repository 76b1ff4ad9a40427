//! Transaction identifiers (RFC 3261 sections 17.1.3 and 17.2.3) and the
//! branch generator (section 8.1.1.7).

use std::cmp::Ordering;
use std::sync::Arc;

use sip_proto::headers::Via;
use sip_proto::{Message, Method};

/// The RFC 3261 branch prefix (section 8.1.1.7).
pub const MAGIC_COOKIE: &str = "z9hG4bK";

/// Identifies one transaction of a [`TransactionLayer`](super::TransactionLayer).
///
/// Client and server transactions live in separate name spaces: a UA that
/// sends a request to itself has both, with the same branch.
///
/// Ordered as the fields are (client keys first); see the `Ord` impl.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TxKey {
    /// A client transaction: the branch of the top Via of the request it
    /// sent and the request method (section 17.1.3; the method tells a
    /// CANCEL from the INVITE it cancels).
    Client {
        /// The branch parameter (shared: keys are copied into every output
        /// and index of the layer and the agent).
        branch: Arc<str>,
        /// The method of the request (never ACK).
        method: Method,
    },
    /// A server transaction.
    Server(ServerKey),
}

impl TxKey {
    /// The client key of a request about to be sent, or `None` if its top
    /// Via lacks a branch.
    pub fn client_for_request(req: &Message) -> Option<TxKey> {
        let method = req.method()?.clone();
        let branch = Arc::from(req.top_via()?.branch()?);
        Some(TxKey::Client { branch, method })
    }

    /// The client key a response matches (section 17.1.3): the branch of
    /// its top Via and the method of its CSeq.
    pub fn client_for_response(resp: &Message) -> Option<TxKey> {
        let branch = Arc::from(resp.top_via()?.branch()?);
        let method = resp.cseq()?.method;
        Some(TxKey::Client { branch, method })
    }

    /// The server key of a received request (section 17.2.3); `None` when
    /// the headers the match needs are missing.
    pub fn server_for_request(req: &Message) -> Option<TxKey> {
        ServerKey::for_request(req, None).map(TxKey::Server)
    }

    /// Whether this is a server transaction key.
    pub fn is_server(&self) -> bool {
        matches!(self, TxKey::Server(_))
    }

    /// The method of the request that created the transaction.
    pub fn method(&self) -> &Method {
        match self {
            TxKey::Client { method, .. } => method,
            TxKey::Server(
                ServerKey::Rfc3261 { method, .. } | ServerKey::Rfc2543 { method, .. },
            ) => method,
        }
    }
}

/// Two shared strings in their order; the same allocation is equal without
/// reading it.
fn arc_cmp(a: &Arc<str>, b: &Arc<str>) -> Ordering {
    if Arc::ptr_eq(a, b) {
        Ordering::Equal
    } else {
        a.cmp(b)
    }
}

/// The order the fields give (what `derive` would write), with one
/// shortcut: the layer looks its keys up with clones of the keys it holds,
/// so most comparisons are of a branch with itself, decided by the pointer
/// instead of a `memcmp`.
impl Ord for TxKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (
                TxKey::Client {
                    branch: a,
                    method: m,
                },
                TxKey::Client {
                    branch: b,
                    method: n,
                },
            ) => arc_cmp(a, b).then_with(|| m.cmp(n)),
            (TxKey::Client { .. }, TxKey::Server(_)) => Ordering::Less,
            (TxKey::Server(_), TxKey::Client { .. }) => Ordering::Greater,
            (
                TxKey::Server(ServerKey::Rfc3261 {
                    branch: a,
                    sent_by: (h, p),
                    method: m,
                }),
                TxKey::Server(ServerKey::Rfc3261 {
                    branch: b,
                    sent_by: (i, q),
                    method: n,
                }),
            ) => arc_cmp(a, b)
                .then_with(|| arc_cmp(h, i))
                .then_with(|| p.cmp(q))
                .then_with(|| m.cmp(n)),
            (TxKey::Server(a), TxKey::Server(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for TxKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A key as the layer's map orders it, borrowed: a response finds its
/// client transaction without its branch copied into a new key.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum KeyRef<'a> {
    /// A client key's branch and method.
    Client(&'a str, &'a Method),
    /// A server key.
    Server(&'a ServerKey),
}

/// What the map's keys are looked up by: a [`TxKey`] or a [`KeyRef`],
/// ordered as [`TxKey`]'s `Ord` orders the keys (branch, then method, for
/// a client key; client keys first; server keys as `ServerKey` orders them).
pub(crate) trait AsKeyRef {
    fn key_ref(&self) -> KeyRef<'_>;
}

impl AsKeyRef for TxKey {
    #[inline]
    fn key_ref(&self) -> KeyRef<'_> {
        match self {
            TxKey::Client { branch, method } => KeyRef::Client(branch, method),
            TxKey::Server(s) => KeyRef::Server(s),
        }
    }
}

impl AsKeyRef for KeyRef<'_> {
    #[inline]
    fn key_ref(&self) -> KeyRef<'_> {
        *self
    }
}

impl PartialEq for dyn AsKeyRef + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.key_ref() == other.key_ref()
    }
}

impl Eq for dyn AsKeyRef + '_ {}

impl PartialOrd for dyn AsKeyRef + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for dyn AsKeyRef + '_ {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key_ref().cmp(&other.key_ref())
    }
}

impl<'a> std::borrow::Borrow<dyn AsKeyRef + 'a> for TxKey {
    fn borrow(&self) -> &(dyn AsKeyRef + 'a) {
        self
    }
}

/// The id of a server transaction (section 17.2.3).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServerKey {
    /// The branch carries the magic cookie: branch, sent-by and method
    /// (ACK counts as INVITE).
    Rfc3261 {
        /// The branch parameter.
        branch: Arc<str>,
        /// sent-by host (lower case) and port as written.
        sent_by: (Arc<str>, Option<u16>),
        /// The method of the request that created the transaction.
        method: Method,
    },
    /// An RFC 2543 client (no magic cookie): Request-URI, To tag (not for
    /// the INVITE family, whose ACK carries the tag the server chose),
    /// From tag, Call-ID, CSeq number, method and the top Via.
    Rfc2543 {
        /// The Request-URI as written.
        request_uri: String,
        /// The To tag, for non-INVITE methods.
        to_tag: Option<String>,
        /// The From tag.
        from_tag: Option<String>,
        /// The Call-ID.
        call_id: String,
        /// The CSeq number.
        cseq: u32,
        /// The method (ACK counts as INVITE).
        method: Method,
        /// The top Via as printed canonically.
        top_via: String,
    },
}

fn sent_by(via: &Via<'_>) -> (Arc<str>, Option<u16>) {
    (crate::text::host_key_arc(&via.host), via.port)
}

impl ServerKey {
    /// The key of `req`, with its method replaced by `as_method` if given
    /// (section 9.2 matches a CANCEL as if it were the cancelled request).
    pub fn for_request(req: &Message, as_method: Option<Method>) -> Option<ServerKey> {
        let via = req.top_via()?;
        let mut method = as_method.or_else(|| req.method().cloned())?;
        if method == Method::Ack {
            method = Method::Invite;
        }
        if via.has_rfc3261_branch() {
            return Some(ServerKey::Rfc3261 {
                branch: Arc::from(via.branch()?),
                sent_by: sent_by(&via),
                method,
            });
        }
        let cseq = req.cseq()?;
        let to_tag = if method == Method::Invite {
            None
        } else {
            req.to_header()?.tag().map(str::to_owned)
        };
        Some(ServerKey::Rfc2543 {
            request_uri: req.request_uri_str()?.to_owned(),
            to_tag,
            from_tag: req.from_header()?.tag().map(str::to_owned),
            call_id: req.call_id()?.to_owned(),
            cseq: cseq.seq,
            method,
            top_via: via.to_string(),
        })
    }

    /// Whether the key came from an RFC 2543 request (no magic cookie).
    pub fn is_rfc2543(&self) -> bool {
        matches!(self, ServerKey::Rfc2543 { .. })
    }
}

/// A deterministic branch generator: SplitMix64 over a caller-given seed.
///
/// Branches must be unique across space and time (section 8.1.1.7); the
/// uniqueness across devices comes from the seed, which the driver draws
/// from a real entropy source once. Same seed, same branches: replayable.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BranchGenerator {
    state: u64,
}

impl BranchGenerator {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        BranchGenerator { state: seed }
    }

    /// The next 64 pseudo-random bits (SplitMix64).
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A fresh branch: the magic cookie and 16 hex digits.
    pub fn next_branch(&mut self) -> String {
        let mut s = String::with_capacity(MAGIC_COOKIE.len() + 16);
        self.push_branch(&mut s);
        s
    }

    /// [`next_branch`](Self::next_branch) appended to `s`.
    pub(crate) fn push_branch(&mut self, s: &mut String) {
        s.push_str(MAGIC_COOKIE);
        crate::agent::push_hex(s, self.next_u64(), 16);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The borrowed form orders keys as `TxKey` does (what `Borrow`
    /// requires), and finds in a map the key equal to it.
    #[test]
    fn key_refs_order_as_keys() {
        let methods = [
            Method::Invite,
            Method::Ack,
            Method::Bye,
            Method::from_token("FOO"),
            Method::from_token("BAR"),
        ];
        let texts = [
            "",
            "z9hG4bK1",
            "z9hG4bK10",
            "z9hG4bK2",
            "Z9hG4bK1",
            "a",
            "b.example",
        ];
        let mut keys = Vec::new();
        for m in &methods {
            for b in texts {
                keys.push(TxKey::Client {
                    branch: Arc::from(b),
                    method: m.clone(),
                });
                for h in ["a", "b.example"] {
                    for port in [None, Some(5060), Some(1)] {
                        keys.push(TxKey::Server(ServerKey::Rfc3261 {
                            branch: Arc::from(b),
                            sent_by: (Arc::from(h), port),
                            method: m.clone(),
                        }));
                    }
                }
                keys.push(TxKey::Server(ServerKey::Rfc2543 {
                    request_uri: b.to_owned(),
                    to_tag: None,
                    from_tag: Some(b.to_owned()),
                    call_id: "c".to_owned(),
                    cseq: 1,
                    method: m.clone(),
                    top_via: b.to_owned(),
                }));
            }
        }
        let map: std::collections::BTreeMap<TxKey, usize> = keys
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, k)| (k, i))
            .collect();
        for a in &keys {
            for b in &keys {
                assert_eq!(a.cmp(b), a.key_ref().cmp(&b.key_ref()), "{a:?} {b:?}");
            }
            let probe = match a {
                TxKey::Client { branch, method } => KeyRef::Client(branch, method),
                TxKey::Server(s) => KeyRef::Server(s),
            };
            let found = map.get_key_value(&probe as &dyn AsKeyRef);
            assert_eq!(found.map(|(k, _)| k), Some(a));
        }
    }

    fn parse(s: &str) -> Message {
        Message::parse(s.replace('\n', "\r\n").into_bytes()).unwrap()
    }

    const INVITE: &str = "INVITE sip:bob@biloxi.com SIP/2.0
Via: SIP/2.0/UDP PC33.atlanta.com;branch=z9hG4bKkjshdyff
To: Bob <sip:bob@biloxi.com>
From: Alice <sip:alice@atlanta.com>;tag=88sja8x
Call-ID: 987asjd97y7atg
CSeq: 986759 INVITE

";

    #[test]
    fn order_is_the_fields_order() {
        // The reference: what a derived Ord gives, on owned copies.
        fn fields(k: &TxKey) -> (u8, String, String, Option<u16>, Method, String) {
            match k {
                TxKey::Client { branch, method } => (
                    0,
                    branch.to_string(),
                    String::new(),
                    None,
                    method.clone(),
                    String::new(),
                ),
                TxKey::Server(ServerKey::Rfc3261 {
                    branch,
                    sent_by,
                    method,
                }) => (
                    1,
                    branch.to_string(),
                    sent_by.0.to_string(),
                    sent_by.1,
                    method.clone(),
                    String::new(),
                ),
                TxKey::Server(k @ ServerKey::Rfc2543 { .. }) => (
                    2,
                    String::new(),
                    String::new(),
                    None,
                    Method::Invite,
                    format!("{k:?}"),
                ),
            }
        }
        let shared: Arc<str> = Arc::from("z9hG4bKb");
        let mut keys = Vec::new();
        for branch in [
            shared.clone(),
            shared,
            Arc::from("z9hG4bKa"),
            Arc::from("z9hG4bKb"),
        ] {
            for method in [Method::Invite, Method::Bye] {
                keys.push(TxKey::Client {
                    branch: branch.clone(),
                    method: method.clone(),
                });
                for host in ["a.example", "b.example"] {
                    for port in [None, Some(5060)] {
                        keys.push(TxKey::Server(ServerKey::Rfc3261 {
                            branch: branch.clone(),
                            sent_by: (Arc::from(host), port),
                            method: method.clone(),
                        }));
                    }
                }
            }
        }
        let req = parse(&INVITE.replace("z9hG4bKkjshdyff", "old"));
        keys.push(TxKey::server_for_request(&req).unwrap());
        for a in &keys {
            for b in &keys {
                let want = match (a, b) {
                    (
                        TxKey::Server(x @ ServerKey::Rfc2543 { .. }),
                        TxKey::Server(y @ ServerKey::Rfc2543 { .. }),
                    ) => x.cmp(y),
                    _ => fields(a).cmp(&fields(b)),
                };
                assert_eq!(a.cmp(b), want, "{a:?} vs {b:?}");
                assert_eq!(a.cmp(b) == std::cmp::Ordering::Equal, a == b);
            }
        }
    }

    #[test]
    fn ack_and_cancel_keys() {
        let inv = parse(INVITE);
        let ack = parse(
            &INVITE
                .replace("INVITE sip", "ACK sip")
                .replace("986759 INVITE", "986759 ACK"),
        );
        let cancel = parse(
            &INVITE
                .replace("INVITE sip", "CANCEL sip")
                .replace("986759 INVITE", "986759 CANCEL"),
        );
        let k = TxKey::server_for_request(&inv).unwrap();
        assert_eq!(TxKey::server_for_request(&ack), Some(k.clone()));
        assert_ne!(TxKey::server_for_request(&cancel), Some(k.clone()));
        assert_eq!(
            ServerKey::for_request(&cancel, Some(Method::Invite)).map(TxKey::Server),
            Some(k.clone())
        );
        // sent-by host compares case-insensitively.
        let other = parse(&INVITE.replace("PC33.atlanta.com", "pc33.ATLANTA.com"));
        assert_eq!(TxKey::server_for_request(&other), Some(k));
    }

    #[test]
    fn rfc2543_keys() {
        let old = INVITE.replace(";branch=z9hG4bKkjshdyff", "");
        let inv = parse(&old);
        let ack = parse(
            &old.replace("INVITE sip", "ACK sip")
                .replace("986759 INVITE", "986759 ACK")
                .replace("<sip:bob@biloxi.com>\n", "<sip:bob@biloxi.com>;tag=x\n"),
        );
        let k = TxKey::server_for_request(&inv).unwrap();
        assert!(matches!(&k, TxKey::Server(s) if s.is_rfc2543()));
        assert_eq!(TxKey::server_for_request(&ack), Some(k.clone()));
        let bye = parse(
            &old.replace("INVITE sip", "BYE sip")
                .replace("986759 INVITE", "986760 BYE"),
        );
        assert_ne!(TxKey::server_for_request(&bye), Some(k));
    }

    #[test]
    fn branches_are_deterministic_and_distinct() {
        let mut a = BranchGenerator::new(1);
        let mut b = BranchGenerator::new(1);
        let x = a.next_branch();
        assert_eq!(x, b.next_branch());
        assert!(x.starts_with(MAGIC_COOKIE) && x.len() == 23);
        assert_ne!(x, a.next_branch());
    }
}
