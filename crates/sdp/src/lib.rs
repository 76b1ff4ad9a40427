//! SDP for a SIP handset: a zero-copy parser and canonical printer for
//! session descriptions (RFC 8866), and an RFC 3264 offer/answer engine with
//! the handset's codec policy (RFC 3264, RFC 6337, RFC 3551, RFC 4733).
//!
//! Sans-IO: nothing here reads a clock, opens a socket or draws random
//! numbers. Parsed descriptions keep the [`bytes::Bytes`] they came from and
//! hand out `&str` slices of it.
//!
//! ```
//! use sdp::{Config, Negotiator, SessionDescription};
//!
//! let offer = SessionDescription::parse(
//!     "v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\n\
//!      c=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 8 0 101\r\n\
//!      a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n",
//! )?;
//! let mut neg = Negotiator::new(Config::new("192.0.2.20".parse()?, 4000), 42);
//! let answer = neg.answer_offer(&offer)?;
//! let media = answer.media.expect("audio accepted");
//! assert_eq!(media.codec, sdp::Codec::Pcma); // RFC 3264 6.1: the offer's first common codec
//! assert_eq!(media.telephone_event, Some(101));
//! println!("{}", answer.sdp);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Modules, one RFC concept each:
//! - [`session`]: the description and views of its lines (RFC 8866 section 5);
//! - [`parse`]: the parser and its errors (RFC 8866 section 9);
//! - [`print`](mod@print): canonical printing;
//! - [`attributes`]: typed `a=` attributes (rtpmap, fmtp, ptime, direction, ...);
//! - [`codec`]: the codec table (RFC 3551) and the handset's priorities;
//! - [`offer_answer`]: the negotiator (RFC 3264, RFC 6337).

pub mod attributes;
pub mod codec;
pub mod offer_answer;
pub mod parse;
pub mod print;
pub mod session;
mod swar;

pub use attributes::{Direction, EventList, Fmtp, Rtpmap, TypedAttribute};
pub use codec::{Codec, CodecPriorities, FormatKind};
pub use offer_answer::{
    Answer, CodecOrder, Config, Host, MediaParams, NegotiationError, Negotiator,
};
pub use parse::{ParseError, ParseErrorReason};
pub use session::{Attribute, Bandwidth, Connection, Media, Origin, SessionDescription, Timing};
