//! CANCEL on the client side (RFC 3261 section 9.1).
//!
//! A CANCEL is a non-INVITE client transaction of its own, sharing the
//! branch of the INVITE it cancels (sections 9.1, 17.1.3). The layer's
//! [`cancel`](super::TransactionLayer::cancel) builds it from the INVITE as
//! sent, sends it to the INVITE's destination over the INVITE's transport,
//! and holds it back while no provisional response has arrived.

use sip_proto::{HeaderName, Message, MessageBuilder, Method};

/// A request that travels hop by hop with `invite` (sections 9.1 and
/// 17.1.1.3): its Request-URI, Call-ID, From, single top Via, Route values
/// and CSeq number, method `method`, and the To value `to`.
pub(crate) fn hop_by_hop(invite: &Message, method: Method, to: &str) -> Option<Message> {
    let uri = invite.request_uri_str()?;
    let seq = invite.cseq()?.seq;
    let mut b = MessageBuilder::request(&method, uri)
        .header(HeaderName::Via, invite.values(HeaderName::Via).next()?);
    for route in invite.values(HeaderName::Route) {
        b = b.header(HeaderName::Route, route);
    }
    b.header(HeaderName::MaxForwards, invite.max_forwards().unwrap_or(70))
        .header(HeaderName::From, invite.values(HeaderName::From).next()?)
        .header(HeaderName::To, to)
        .header(HeaderName::CallId, invite.call_id()?)
        .header(HeaderName::CSeq, format_args!("{seq} {method}"))
        .build()
        .ok()
}

/// The CANCEL for `invite` (section 9.1): Request-URI, Call-ID, To, From
/// and the CSeq number identical to the INVITE, a single Via equal to its
/// top Via, its Route values, CSeq method CANCEL, and no Require or
/// Proxy-Require.
pub fn build_cancel(invite: &Message) -> Option<Message> {
    hop_by_hop(
        invite,
        Method::Cancel,
        invite.values(HeaderName::To).next()?,
    )
}
