//! Dialogs (RFC 3261 section 12): creation on either side, the route set,
//! the remote target, CSeq bookkeeping, requests within a dialog and target
//! refresh.
//!
//! A [`Dialog`] is plain owned data (`Clone + Eq + Hash + Debug`): the
//! values are kept as header text so the state can be hashed and compared,
//! and messages are built with [`sip_proto::MessageBuilder`].

use std::fmt;

use sip_proto::TypedHeader;
use sip_proto::headers::{Contact, DisplayName, RecordRoute, Route};
use sip_proto::{HeaderName, Message, MessageBuilder, Method, Uri};

/// The identifier of a dialog (RFC 3261 section 12): Call-ID and the two tags.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DialogId {
    /// The Call-ID.
    pub call_id: String,
    /// Our tag (From of our requests, To of the peer's).
    pub local_tag: String,
    /// The peer's tag.
    pub remote_tag: String,
}

impl fmt::Display for DialogId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{};local={};remote={}",
            self.call_id, self.local_tag, self.remote_tag
        )
    }
}

/// Early (created by a provisional response) or confirmed (by a 2xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DialogState {
    /// Created by a 101-199 response with a To tag (section 12.1).
    Early,
    /// Created or confirmed by a 2xx.
    Confirmed,
}

/// Why a dialog could not be created or a request did not fit it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum DialogError {
    /// A header the dialog needs is missing or malformed.
    #[error("missing or malformed {0} header")]
    Header(HeaderName),
    /// The response carries no To tag, so it cannot create a dialog.
    #[error("response without a To tag creates no dialog")]
    NoRemoteTag,
    /// The response is not 101-299.
    #[error("status {0} creates no dialog")]
    Status(u16),
    /// The message belongs to another dialog.
    #[error("message does not belong to this dialog")]
    Mismatch,
    /// A request with a CSeq not above the last one (section 12.2.2: answer 500).
    #[error("CSeq {got} is not above {last}: out of order")]
    OutOfOrder {
        /// The CSeq received.
        got: u32,
        /// The last CSeq seen from the peer.
        last: u32,
    },
    /// Our CSeq space is exhausted (section 8.1.1.5 keeps it below 2**31).
    #[error("local CSeq exhausted")]
    CSeqExhausted,
}

/// A dialog, from our side.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dialog {
    /// Call-ID and tags.
    pub id: DialogId,
    /// Early or confirmed.
    pub state: DialogState,
    /// The CSeq of the last request we sent in the dialog.
    pub local_seq: u32,
    /// The CSeq of the last request the peer sent, once it sent one.
    pub remote_seq: Option<u32>,
    /// Our URI (From of our requests), as written.
    pub local_uri: String,
    /// The peer's URI (To of our requests), as written.
    pub remote_uri: String,
    /// Where requests go: the peer's Contact URI.
    pub remote_target: String,
    /// Route header values for our requests, in order (section 12.1.1/12.1.2).
    pub route_set: Vec<String>,
    /// Whether the dialog was set up over TLS with a SIPS Request-URI.
    pub secure: bool,
}

fn uri_text_of(value: &str) -> String {
    // Keep only the URI of a name-addr: route sets and targets are URIs.
    match sip_proto::headers::NameAddr::parse(value) {
        Ok(na) => crate::text::uri_string(&na.uri),
        Err(_) => value.to_string(),
    }
}

fn contact_uri(msg: &Message) -> Result<String, DialogError> {
    match msg.contacts().next() {
        Some(Contact::Addr(a)) => Ok(crate::text::uri_string(&a.uri)),
        _ => Err(DialogError::Header(HeaderName::Contact)),
    }
}

fn record_route(msg: &Message) -> Result<Vec<String>, DialogError> {
    msg.get_all::<RecordRoute>()
        .map(|r| {
            r.map(|r| crate::text::bracketed(&r.uri))
                .map_err(|_| DialogError::Header(HeaderName::RecordRoute))
        })
        .collect()
}

fn uri_part(na: &sip_proto::headers::NameAddr<'_>) -> String {
    // Display name and URI without parameters: the tags live in the id.
    // (Kept for the whole call: allocated at about its size.)
    let display = match na.display {
        Some(DisplayName::Quoted(q)) => q.len() + 3,
        Some(DisplayName::Tokens(t)) => t.split_whitespace().map(|w| w.len() + 1).sum(),
        None => 0,
    };
    let mut s = String::with_capacity(display + crate::text::uri_len(&na.uri) + 2);
    match na.display {
        Some(DisplayName::Quoted(q)) => {
            s.push('"');
            s.push_str(q);
            s.push_str("\" ");
        }
        Some(DisplayName::Tokens(t)) => {
            for (k, word) in t.split_whitespace().enumerate() {
                if k > 0 {
                    s.push(' ');
                }
                s.push_str(word);
            }
            s.push(' ');
        }
        None => {}
    }
    s.push('<');
    crate::text::push_uri(&mut s, &na.uri);
    s.push('>');
    s
}

impl Dialog {
    /// The UAC side (section 12.1.2): `request` is the INVITE (or SUBSCRIBE,
    /// REFER) we sent, `response` a 101-299 response to it with a To tag.
    /// The route set is the response's Record-Route in reverse order; the
    /// remote target is its Contact.
    pub fn from_uac_response(request: &Message, response: &Message) -> Result<Dialog, DialogError> {
        let status = response.status().ok_or(DialogError::Status(0))?;
        if !(101..300).contains(&status) {
            return Err(DialogError::Status(status));
        }
        let from = request
            .from_header()
            .ok_or(DialogError::Header(HeaderName::From))?;
        let to = response
            .to_header()
            .ok_or(DialogError::Header(HeaderName::To))?;
        let remote_tag = to.tag().ok_or(DialogError::NoRemoteTag)?;
        let local_tag = from.tag().ok_or(DialogError::Header(HeaderName::From))?;
        let call_id = request
            .call_id()
            .ok_or(DialogError::Header(HeaderName::CallId))?;
        let cseq = request
            .cseq()
            .ok_or(DialogError::Header(HeaderName::CSeq))?;
        let mut route_set = record_route(response)?;
        route_set.reverse();
        let secure = request.request_uri().is_some_and(|u| u.scheme() == "sips");
        Ok(Dialog {
            id: DialogId {
                call_id: call_id.to_string(),
                local_tag: local_tag.to_string(),
                remote_tag: remote_tag.to_string(),
            },
            state: if status < 200 {
                DialogState::Early
            } else {
                DialogState::Confirmed
            },
            local_seq: cseq.seq,
            remote_seq: None,
            local_uri: uri_part(&from),
            remote_uri: uri_part(&to),
            // A provisional response may lack Contact; the Request-URI stays the target then.
            remote_target: contact_uri(response)
                .or_else(|e| request.request_uri_str().map(str::to_string).ok_or(e))?,
            route_set,
            secure,
        })
    }

    /// The UAS side (section 12.1.1): `request` is the dialog-creating
    /// request we received and `local_tag` the tag we put in our response.
    /// The route set is the request's Record-Route in order; the remote
    /// target is its Contact. `local_seq` is where our own CSeq starts.
    pub fn from_uas_request(
        request: &Message,
        local_tag: &str,
        local_seq: u32,
    ) -> Result<Dialog, DialogError> {
        let from = request
            .from_header()
            .ok_or(DialogError::Header(HeaderName::From))?;
        let to = request
            .to_header()
            .ok_or(DialogError::Header(HeaderName::To))?;
        let remote_tag = from.tag().ok_or(DialogError::Header(HeaderName::From))?;
        let call_id = request
            .call_id()
            .ok_or(DialogError::Header(HeaderName::CallId))?;
        let cseq = request
            .cseq()
            .ok_or(DialogError::Header(HeaderName::CSeq))?;
        let secure = request.request_uri().is_some_and(|u| u.scheme() == "sips");
        Ok(Dialog {
            id: DialogId {
                call_id: call_id.to_string(),
                local_tag: local_tag.to_string(),
                remote_tag: remote_tag.to_string(),
            },
            state: DialogState::Confirmed,
            local_seq,
            remote_seq: Some(cseq.seq),
            local_uri: uri_part(&to),
            remote_uri: uri_part(&from),
            remote_target: contact_uri(request)?,
            route_set: record_route(request)?,
            secure,
        })
    }

    /// Whether `msg` belongs to this dialog: a request from the peer
    /// carries our tag in To and theirs in From; a response to our request
    /// the other way round (section 12.2).
    pub fn matches(&self, msg: &Message) -> bool {
        let (Some(call_id), Some(from), Some(to)) =
            (msg.call_id(), msg.from_header(), msg.to_header())
        else {
            return false;
        };
        let (local, remote) = if msg.is_request() {
            (to.tag(), from.tag())
        } else {
            (from.tag(), to.tag())
        };
        call_id == self.id.call_id
            && local == Some(&*self.id.local_tag)
            && remote == Some(&*self.id.remote_tag)
    }

    /// A 2xx confirms an early dialog. RFC 3261 section 13.2.2.4: the route
    /// set and remote target are taken from the 2xx.
    pub fn confirm(&mut self, response: &Message) -> Result<(), DialogError> {
        if !self.matches(response) {
            return Err(DialogError::Mismatch);
        }
        if self.state == DialogState::Early {
            let mut route_set = record_route(response)?;
            route_set.reverse();
            self.route_set = route_set;
        }
        if let Ok(target) = contact_uri(response) {
            self.remote_target = target;
        }
        self.state = DialogState::Confirmed;
        Ok(())
    }

    /// Checks a request from the peer against the dialog (section 12.2.2):
    /// its CSeq must be above the last one (ACK and CANCEL excepted), and a
    /// target refresh request (re-INVITE, UPDATE) updates the remote target.
    pub fn receive_request(&mut self, request: &Message) -> Result<(), DialogError> {
        if !self.matches(request) {
            return Err(DialogError::Mismatch);
        }
        let cseq = request
            .cseq()
            .ok_or(DialogError::Header(HeaderName::CSeq))?;
        let exempt = matches!(cseq.method, Method::Ack | Method::Cancel);
        match self.remote_seq {
            Some(last) if !exempt && cseq.seq <= last => {
                return Err(DialogError::OutOfOrder {
                    got: cseq.seq,
                    last,
                });
            }
            _ if !exempt => self.remote_seq = Some(cseq.seq),
            _ => {}
        }
        if matches!(cseq.method, Method::Invite | Method::Update)
            && let Ok(target) = contact_uri(request)
        {
            self.remote_target = target;
        }
        Ok(())
    }

    /// Starts a request within the dialog (section 12.2.1.1): CSeq is one
    /// above the last, From/To/Call-ID carry the dialog, and the
    /// Request-URI and Route follow the route set (loose routing when its
    /// first entry has `lr`, else the strict-routing rewrite). The caller
    /// adds Via (with a new branch), Max-Forwards, Contact and a body.
    pub fn request(&mut self, method: Method) -> Result<MessageBuilder, DialogError> {
        if method == Method::Ack || method == Method::Cancel {
            // ACK for a 2xx reuses the INVITE's CSeq (section 13.2.2.4): see `ack`.
            return Ok(self.build(method.clone(), self.local_seq, method));
        }
        if self.local_seq >= (1 << 31) - 1 {
            return Err(DialogError::CSeqExhausted);
        }
        self.local_seq += 1;
        Ok(self.build(method.clone(), self.local_seq, method))
    }

    /// The ACK for a 2xx to the INVITE whose CSeq is `invite_seq` (section
    /// 13.2.2.4): same CSeq number, method ACK, built like any request of
    /// the dialog.
    pub fn ack(&self, invite_seq: u32) -> MessageBuilder {
        self.build(Method::Ack, invite_seq, Method::Ack)
    }

    fn build(&self, method: Method, seq: u32, cseq_method: Method) -> MessageBuilder {
        // Without a route set the remote target is the Request-URI, used
        // as it is (no copy).
        let b = if self.route_set.is_empty() {
            MessageBuilder::request_str(&method, &self.remote_target)
        } else {
            let (ruri, routes) = self.target_and_routes();
            let mut b = MessageBuilder::request_str(&method, &ruri);
            for r in &routes {
                b = b.header_str(HeaderName::Route, r);
            }
            b
        };
        let mut digits = [0; 20];
        let seq = sip_proto::decimal_text(seq.into(), &mut digits);
        b.header_parts(
            HeaderName::From,
            &[&self.local_uri, ";tag=", &self.id.local_tag],
        )
        .header_parts(
            HeaderName::To,
            &[&self.remote_uri, ";tag=", &self.id.remote_tag],
        )
        .header_str(HeaderName::CallId, &self.id.call_id)
        .header_parts(HeaderName::CSeq, &[seq, " ", cseq_method.as_str()])
    }

    /// Request-URI and Route values (section 12.2.1.1).
    pub fn target_and_routes(&self) -> (String, Vec<String>) {
        let Some(first) = self.route_set.first() else {
            return (self.remote_target.clone(), Vec::new());
        };
        let loose = route_uri(first).is_some_and(|u| u.as_sip().is_some_and(|s| s.lr()));
        if loose {
            return (self.remote_target.clone(), self.route_set.clone());
        }
        // Strict routing: the first route becomes the Request-URI (without
        // parameters not allowed there), the remote target goes last.
        let ruri = uri_text_of(first);
        let ruri = ruri.split('?').next().unwrap_or(&ruri).to_string();
        let mut routes: Vec<String> = self.route_set[1..].to_vec();
        routes.push(format!("<{}>", self.remote_target));
        (ruri, routes)
    }
}

fn route_uri(v: &str) -> Option<Uri<'_>> {
    Route::parse(v).ok().map(|r| r.0.uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_part_writes_what_format_wrote() {
        for v in [
            "\"Bob \\\"B\\\"\" <sip:bob@biloxi.com;transport=tcp>;tag=1",
            "Bob   Smith <sips:bob:pw@192.0.2.4:5061;lr?x=y>",
            "<tel:+1-555;phone-context=x>",
            "sip:alice@[2001:db8::1]:5060",
            "A <urn:service:sos>",
        ] {
            let na = sip_proto::headers::NameAddr::parse(v).unwrap();
            let old = match na.display {
                Some(DisplayName::Quoted(q)) => format!("\"{q}\" <{}>", na.uri),
                Some(DisplayName::Tokens(t)) => format!(
                    "{} <{}>",
                    t.split_whitespace().collect::<Vec<_>>().join(" "),
                    na.uri
                ),
                None => format!("<{}>", na.uri),
            };
            let new = uri_part(&na);
            assert_eq!(new, old, "{v}");
            assert!(new.capacity() <= new.len() + 32, "{v}");
        }
    }

    fn msg(text: &str) -> Message {
        Message::parse(text.replace('\n', "\r\n").into_bytes()).expect("test message parses")
    }

    /// RFC 3261 section 24.2 style: Alice calls Bob through two
    /// record-routing proxies.
    fn invite() -> Message {
        msg("INVITE sip:bob@biloxi.com SIP/2.0
Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8
Max-Forwards: 70
To: Bob <sip:bob@biloxi.com>
From: Alice <sip:alice@atlanta.com>;tag=1928301774
Call-ID: a84b4c76e66710
CSeq: 314159 INVITE
Contact: <sip:alice@pc33.atlanta.com>
Content-Length: 0

")
    }

    fn ok_with_routes(status: &str) -> Message {
        msg(&format!(
            "SIP/2.0 {status}
Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8
Record-Route: <sip:p2.biloxi.com;lr>
Record-Route: <sip:p1.atlanta.com;lr>
To: Bob <sip:bob@biloxi.com>;tag=a6c85cf
From: Alice <sip:alice@atlanta.com>;tag=1928301774
Call-ID: a84b4c76e66710
CSeq: 314159 INVITE
Contact: <sip:bob@192.0.2.4>
Content-Length: 0

"
        ))
    }

    #[test]
    fn uac_dialog_from_2xx() {
        let d = Dialog::from_uac_response(&invite(), &ok_with_routes("200 OK")).unwrap();
        assert_eq!(d.state, DialogState::Confirmed);
        assert_eq!(
            d.id,
            DialogId {
                call_id: "a84b4c76e66710".into(),
                local_tag: "1928301774".into(),
                remote_tag: "a6c85cf".into()
            }
        );
        assert_eq!(d.remote_target, "sip:bob@192.0.2.4");
        // Reverse order on the UAC side (12.1.2).
        assert_eq!(
            d.route_set,
            ["<sip:p1.atlanta.com;lr>", "<sip:p2.biloxi.com;lr>"]
        );
        assert_eq!((d.local_seq, d.remote_seq), (314159, None));
        assert_eq!(d.local_uri, "Alice <sip:alice@atlanta.com>");
        assert_eq!(d.remote_uri, "Bob <sip:bob@biloxi.com>");
    }

    #[test]
    fn in_dialog_request_loose_routing() {
        let mut d = Dialog::from_uac_response(&invite(), &ok_with_routes("200 OK")).unwrap();
        let bye = d
            .request(Method::Bye)
            .unwrap()
            .header(
                HeaderName::Via,
                "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds10",
            )
            .header(HeaderName::MaxForwards, 70)
            .build()
            .unwrap();
        assert_eq!(bye.request_uri_str(), Some("sip:bob@192.0.2.4"));
        let routes: Vec<&str> = bye.values(HeaderName::Route).collect();
        assert_eq!(
            routes,
            ["<sip:p1.atlanta.com;lr>", "<sip:p2.biloxi.com;lr>"]
        );
        assert_eq!(bye.cseq().unwrap().seq, 314160);
        assert_eq!(bye.from_header().unwrap().tag(), Some("1928301774"));
        assert_eq!(bye.to_header().unwrap().tag(), Some("a6c85cf"));
        assert!(d.matches(&msg("SIP/2.0 200 OK
Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds10
To: Bob <sip:bob@biloxi.com>;tag=a6c85cf
From: Alice <sip:alice@atlanta.com>;tag=1928301774
Call-ID: a84b4c76e66710
CSeq: 314160 BYE
Content-Length: 0

")));
        // The ACK for the 2xx keeps the INVITE's CSeq.
        let ack = d
            .ack(314159)
            .header(HeaderName::Via, "SIP/2.0/UDP h;branch=z9hG4bK1")
            .build()
            .unwrap();
        assert_eq!(
            ack.cseq().unwrap(),
            sip_proto::headers::CSeq {
                seq: 314159,
                method: Method::Ack
            }
        );
    }

    #[test]
    fn strict_route_rewrites_request_uri() {
        let mut d = Dialog::from_uac_response(&invite(), &ok_with_routes("200 OK")).unwrap();
        d.route_set = vec![
            "<sip:strict.example.com>".into(),
            "<sip:p2.biloxi.com;lr>".into(),
        ];
        let (ruri, routes) = d.target_and_routes();
        assert_eq!(ruri, "sip:strict.example.com");
        assert_eq!(routes, ["<sip:p2.biloxi.com;lr>", "<sip:bob@192.0.2.4>"]);
    }

    #[test]
    fn uas_dialog_and_cseq_ordering() {
        let mut req = invite().to_bytes().to_vec();
        let text = String::from_utf8(req.clone()).unwrap().replace(
            "Max-Forwards: 70\r\n",
            "Max-Forwards: 70\r\nRecord-Route: <sip:p1.atlanta.com;lr>\r\nRecord-Route: <sip:p2.biloxi.com;lr>\r\n",
        );
        req = text.into_bytes();
        let req = Message::parse(req).unwrap();
        let mut d = Dialog::from_uas_request(&req, "a6c85cf", 1).unwrap();
        assert_eq!(
            d.route_set,
            ["<sip:p1.atlanta.com;lr>", "<sip:p2.biloxi.com;lr>"],
            "in order on the UAS side"
        );
        assert_eq!(d.remote_target, "sip:alice@pc33.atlanta.com");
        assert_eq!(d.id.local_tag, "a6c85cf");
        let in_dialog = |seq: u32, method: &str, contact: &str| {
            msg(&format!(
                "{method} sip:bob@192.0.2.4 SIP/2.0
Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK{seq}
To: Bob <sip:bob@biloxi.com>;tag=a6c85cf
From: Alice <sip:alice@atlanta.com>;tag=1928301774
Call-ID: a84b4c76e66710
CSeq: {seq} {method}
Contact: <{contact}>
Content-Length: 0

"
            ))
        };
        // ACK keeps the INVITE's number and is exempt from ordering.
        d.receive_request(&in_dialog(314159, "ACK", "sip:alice@pc33.atlanta.com"))
            .unwrap();
        // A re-INVITE refreshes the target.
        d.receive_request(&in_dialog(314160, "INVITE", "sip:alice@198.51.100.7"))
            .unwrap();
        assert_eq!(d.remote_target, "sip:alice@198.51.100.7");
        // Lower or equal CSeq: 500 per 12.2.2.
        assert_eq!(
            d.receive_request(&in_dialog(314160, "BYE", "sip:x@y")),
            Err(DialogError::OutOfOrder {
                got: 314160,
                last: 314160
            })
        );
        // Another dialog's request does not match.
        let other = String::from_utf8(in_dialog(314161, "BYE", "sip:x@y").to_bytes().to_vec())
            .unwrap()
            .replace("tag=a6c85cf", "tag=zzz");
        assert_eq!(
            d.receive_request(&Message::parse(other.into_bytes()).unwrap()),
            Err(DialogError::Mismatch)
        );
        // Our own CSeq starts where the caller said.
        assert_eq!(
            d.request(Method::Bye)
                .unwrap()
                .build()
                .unwrap()
                .cseq()
                .unwrap()
                .seq,
            2
        );
    }

    #[test]
    fn early_dialog_confirmed_by_2xx_takes_its_route_set() {
        let ringing = msg("SIP/2.0 180 Ringing
Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8
Record-Route: <sip:early.example.com;lr>
To: Bob <sip:bob@biloxi.com>;tag=a6c85cf
From: Alice <sip:alice@atlanta.com>;tag=1928301774
Call-ID: a84b4c76e66710
CSeq: 314159 INVITE
Content-Length: 0

");
        let mut d = Dialog::from_uac_response(&invite(), &ringing).unwrap();
        assert_eq!(d.state, DialogState::Early);
        assert_eq!(
            d.remote_target, "sip:bob@biloxi.com",
            "no Contact yet: the Request-URI"
        );
        d.confirm(&ok_with_routes("200 OK")).unwrap();
        assert_eq!(d.state, DialogState::Confirmed);
        assert_eq!(
            d.route_set,
            ["<sip:p1.atlanta.com;lr>", "<sip:p2.biloxi.com;lr>"]
        );
        assert_eq!(d.remote_target, "sip:bob@192.0.2.4");
    }

    #[test]
    fn responses_that_create_no_dialog() {
        let no_tag = String::from_utf8(ok_with_routes("200 OK").to_bytes().to_vec())
            .unwrap()
            .replace(";tag=a6c85cf", "");
        assert_eq!(
            Dialog::from_uac_response(&invite(), &Message::parse(no_tag.into_bytes()).unwrap()),
            Err(DialogError::NoRemoteTag)
        );
        assert_eq!(
            Dialog::from_uac_response(&invite(), &ok_with_routes("486 Busy Here")),
            Err(DialogError::Status(486))
        );
        assert_eq!(
            Dialog::from_uac_response(&invite(), &ok_with_routes("100 Trying")),
            Err(DialogError::Status(100))
        );
    }

    #[test]
    fn state_is_hashable_and_comparable() {
        use std::collections::hash_map::DefaultHasher;
        use std::hash::{Hash, Hasher};
        let d = Dialog::from_uac_response(&invite(), &ok_with_routes("200 OK")).unwrap();
        let e = d.clone();
        let h = |x: &Dialog| {
            let mut s = DefaultHasher::new();
            x.hash(&mut s);
            s.finish()
        };
        assert_eq!(d, e);
        assert_eq!(h(&d), h(&e));
    }
}
