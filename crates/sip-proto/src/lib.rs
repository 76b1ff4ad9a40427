//! A zero-copy RFC 3261 SIP message layer: messages, URIs, typed headers,
//! builders, digest authentication and stream framing.
//!
//! Sans-IO: nothing here reads a clock, opens a socket or draws randomness.
//!
//! ```
//! use sip_proto::{Message, headers::Via};
//! let msg = Message::parse(&b"OPTIONS sip:bob@example.com SIP/2.0\r\n\
//!     Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK776\r\n\
//!     From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\n\
//!     Call-ID: a84b4c76e66710\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n"[..]).unwrap();
//! assert_eq!(msg.top_via().unwrap().branch(), Some("z9hG4bK776"));
//! assert_eq!(msg.get::<Via>().unwrap().unwrap().transport, "UDP");
//! ```

pub mod auth;
pub mod builder;
mod cache;
mod fast;
pub mod framer;
mod grammar;
pub mod headers;
pub mod lint;
pub mod message;
pub mod method;
pub mod name;
mod splice;
pub mod uri;

pub use builder::{MessageBuilder, decimal_text, push_decimal, reason_phrase};
pub use grammar::{unescape, unquote};
pub use headers::{HeaderError, HeaderErrorKind, TypedHeader};
pub use message::{HeaderField, Message, ParseError, ParseErrorKind, ParseOptions};
pub use method::Method;
pub use name::HeaderName;
pub use uri::{Host, SipUri, TelUri, Uri, UriError, UriErrorKind};
