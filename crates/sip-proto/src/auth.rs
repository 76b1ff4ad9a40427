//! Digest access authentication for SIP (RFC 3261 section 22, RFC 2617,
//! RFC 7616, RFC 8760).
//!
//! Everything here is Sans-IO and deterministic: the caller passes in the
//! client nonce (`cnonce`) and the nonce count, so the same inputs always give
//! the same bytes out.
//!
//! * [`Challenge`] is the value of a `WWW-Authenticate` / `Proxy-Authenticate`
//!   header (RFC 3261 section 25 `challenge`, RFC 7616 section 3.3).
//! * [`Credentials`] is the value of an `Authorization` /
//!   `Proxy-Authorization` header (RFC 3261 section 25 `credentials`,
//!   RFC 7616 section 3.4). [`Challenge::respond`] builds one (client side);
//!   [`Credentials::verify`] checks one (server side).
//! * [`AuthenticationInfo`] is the value of an `Authentication-Info` header
//!   (RFC 2617 section 3.2.3, RFC 7616 section 3.5).
//! * [`NonceTracker`] keeps the nonce count per realm and decides whether a
//!   new challenge is a stale-nonce retry or a rejection.
//! * [`select_challenge`] picks the first supported challenge among several
//!   header values (RFC 7616 section 3.7, RFC 8760 section 2.4).
//!
//! Secrets ([`Password`], [`Ha1`]) never appear in `Debug` output.
//!
//! Parsing is tolerant where real peers deviate (unquoted values, odd
//! whitespace, line folding, empty list elements, upper-case names) and every
//! rejection is a typed [`AuthError`] carrying the byte offset in the header
//! value where the problem is.

use std::fmt::{self, Write as _};

use md5::Md5;
use sha2::{Digest, Sha256, Sha512_256};

/// Most realms a [`NonceTracker`] remembers; the oldest is dropped beyond
/// that so a hostile peer cannot grow it without bound.
pub const MAX_TRACKED_REALMS: usize = 16;

/// Why an authentication header value could not be parsed or used.
///
/// Offsets are byte offsets into the header value that was passed in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum AuthError {
    /// The scheme is not `Digest` (RFC 3261 section 22.4: SIP uses only
    /// Digest; `Basic` MUST NOT be accepted). The UA should skip this
    /// challenge.
    #[error("authentication scheme {scheme:?} at byte {offset} is not Digest")]
    OtherScheme {
        /// The scheme token as received.
        scheme: String,
        /// Where the scheme starts.
        offset: usize,
    },
    /// The text does not follow the grammar.
    #[error("{expected} expected at byte {offset}")]
    Syntax {
        /// What the parser was looking for.
        expected: &'static str,
        /// Where it was looking.
        offset: usize,
    },
    /// A quoted-string has no closing quote.
    #[error("quoted-string opened at byte {offset} is not terminated")]
    UnterminatedQuote {
        /// Where the opening quote is.
        offset: usize,
    },
    /// A control character appears where RFC 3261 section 25 does not allow
    /// one.
    #[error("control character 0x{byte:02x} at byte {offset}")]
    ControlChar {
        /// The offending byte.
        byte: u8,
        /// Where it is.
        offset: usize,
    },
    /// The `algorithm` is not one this crate implements (RFC 7616 section
    /// 3.3: such a challenge SHOULD be ignored and another one used).
    #[error("unsupported digest algorithm {name:?} at byte {offset}")]
    UnsupportedAlgorithm {
        /// The algorithm token as received.
        name: String,
        /// Where the value starts.
        offset: usize,
    },
    /// A parameter that may appear once appears again.
    #[error("parameter {name:?} at byte {offset} appears twice")]
    DuplicateParam {
        /// The parameter name (lower case).
        name: String,
        /// Where the second occurrence starts.
        offset: usize,
    },
    /// A required parameter is absent.
    #[error("required parameter {name:?} is missing (parameter list ends at byte {offset})")]
    MissingParam {
        /// The parameter name.
        name: &'static str,
        /// End of the parameter list (or 0 when not parsing text).
        offset: usize,
    },
    /// A parameter value is malformed.
    #[error("invalid {name} value at byte {offset}: {reason}")]
    InvalidValue {
        /// The parameter name.
        name: &'static str,
        /// Where the value starts.
        offset: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The challenge lists `qop` options but none is `auth` or `auth-int`
    /// (RFC 7616 section 3.3: unknown options are ignored, which leaves
    /// nothing to answer with).
    #[error("the challenge offers no supported qop option")]
    NoSupportedQop,
    /// None of the challenges given to [`select_challenge`] is usable.
    #[error("none of the {count} challenges is a supported Digest challenge")]
    NoUsableChallenge {
        /// How many header values were examined.
        count: usize,
    },
    /// A locally supplied value cannot be carried in a header (CR, LF or
    /// another control character, or a method that is not a token).
    #[error("{what} contains a character that cannot be sent in the header")]
    UnsendableValue {
        /// Which input.
        what: &'static str,
    },
    /// A precomputed H(A1) does not have the length of the algorithm's hash.
    #[error("precomputed H(A1) has {got} hex digits, {algorithm} needs {expected}")]
    BadHa1 {
        /// The algorithm of the credentials.
        algorithm: Algorithm,
        /// Hex digits expected.
        expected: usize,
        /// Hex digits supplied.
        got: usize,
    },
    /// The credentials carry a hashed username (RFC 7616 section 3.4.4), so
    /// a password alone is not enough: the verifier must look the user up by
    /// the hash and supply the precomputed H(A1).
    #[error("credentials use userhash; verification needs the precomputed H(A1)")]
    UserhashNeedsHa1,
}

// ---------------------------------------------------------------------------
// Algorithms and hashing
// ---------------------------------------------------------------------------

/// A digest algorithm from the IANA "Hash Algorithms for HTTP Digest
/// Authentication" registry (RFC 7616 section 6.1), usable in SIP per
/// RFC 8760 section 2.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// `MD5` (RFC 2617; the default when `algorithm` is absent).
    Md5,
    /// `MD5-sess` (RFC 2617 section 3.2.2.2).
    Md5Sess,
    /// `SHA-256` (RFC 7616, RFC 8760).
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
    /// `SHA-512-256`, i.e. SHA-512/256 (RFC 7616, RFC 8760).
    Sha512_256,
    /// `SHA-512-256-sess`.
    Sha512_256Sess,
}

impl Algorithm {
    /// All supported algorithms.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::Md5,
        Algorithm::Md5Sess,
        Algorithm::Sha256,
        Algorithm::Sha256Sess,
        Algorithm::Sha512_256,
        Algorithm::Sha512_256Sess,
    ];

    /// Parses an algorithm token, case-insensitively (RFC 3261 section 25:
    /// tokens are case-insensitive unless stated otherwise).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(name))
    }

    /// The registry name, e.g. `SHA-256-sess`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
            Algorithm::Sha512_256 => "SHA-512-256",
            Algorithm::Sha512_256Sess => "SHA-512-256-sess",
        }
    }

    /// Whether this is a `-sess` variant, whose A1 mixes in the nonce and
    /// cnonce (RFC 7616 section 3.4.2).
    pub fn is_session(self) -> bool {
        matches!(
            self,
            Algorithm::Md5Sess | Algorithm::Sha256Sess | Algorithm::Sha512_256Sess
        )
    }

    /// Number of lowercase hex digits of a digest (RFC 7616 section 3.2).
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => 32,
            _ => 64,
        }
    }

    /// `H(data)`: the lowercase hex digest of `parts` joined by `:`
    /// (RFC 7616 section 3.3; KD(secret, data) is `H(secret ":" data)`, so
    /// it is this function with the secret as first part).
    pub fn hash_hex(self, parts: &[&[u8]]) -> String {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => joined_hex::<Md5>(parts),
            Algorithm::Sha256 | Algorithm::Sha256Sess => joined_hex::<Sha256>(parts),
            Algorithm::Sha512_256 | Algorithm::Sha512_256Sess => joined_hex::<Sha512_256>(parts),
        }
    }

    /// The hashed username `H(unq(username) ":" unq(realm))` of RFC 7616
    /// section 3.4.4.
    pub fn userhash(self, username: &str, realm: &str) -> String {
        self.hash_hex(&[username.as_bytes(), realm.as_bytes()])
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn joined_hex<D: Digest>(parts: &[&[u8]]) -> String {
    let mut d = D::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            d.update(b":");
        }
        d.update(p);
    }
    to_hex(&d.finalize())
}

fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    s
}

/// Compares two hex strings case-insensitively without an early exit, so the
/// time taken does not reveal how many leading digits matched.
fn hex_eq(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| {
        acc | (x.to_ascii_lowercase() ^ y.to_ascii_lowercase())
    }) == 0
}

/// Quality of protection (RFC 2617 section 3.2.1, RFC 7616 section 3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Qop {
    /// `auth`: authentication only.
    Auth,
    /// `auth-int`: authentication and integrity of the body; A2 includes
    /// `H(entity-body)` (RFC 7616 section 3.4.3).
    AuthInt,
}

impl Qop {
    /// Parses `auth` / `auth-int`, case-insensitively.
    pub fn from_name(name: &str) -> Option<Qop> {
        if name.eq_ignore_ascii_case("auth") {
            Some(Qop::Auth)
        } else if name.eq_ignore_ascii_case("auth-int") {
            Some(Qop::AuthInt)
        } else {
            None
        }
    }

    /// The token, `auth` or `auth-int`.
    pub fn as_str(self) -> &'static str {
        match self {
            Qop::Auth => "auth",
            Qop::AuthInt => "auth-int",
        }
    }
}

impl fmt::Display for Qop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The nonce count `nc` (RFC 7616 section 3.4): the number of requests sent
/// with one nonce, printed as exactly 8 lowercase hex digits (section 3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NonceCount(pub u32);

impl NonceCount {
    /// The count of the first request with a fresh nonce, `00000001`.
    pub const FIRST: NonceCount = NonceCount(1);

    /// Parses exactly 8 hex digits (RFC 7616 section 3.5).
    pub fn parse(s: &str) -> Option<NonceCount> {
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(s, 16).ok().map(NonceCount)
    }
}

impl fmt::Display for NonceCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0)
    }
}

// ---------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------

/// A user's password. Its `Debug` output is `Password(***)` and it has no
/// `Display`, so it cannot leak into logs by accident.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(password: impl Into<String>) -> Password {
        Password(password.into())
    }

    /// The password text, for hashing. Named so that uses stand out.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Password {
        Password::new(s)
    }
}

impl From<String> for Password {
    fn from(s: String) -> Password {
        Password::new(s)
    }
}

/// A precomputed `H(username ":" realm ":" password)` in hex (RFC 7616
/// section 3.6: a server needs only H(A1), not the password). It is as
/// sensitive as the password for its realm, so `Debug` hides it too.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Ha1(String);

impl Ha1 {
    /// Wraps a hex H(A1) (any case; stored lowercase).
    pub fn from_hex(hex: impl Into<String>) -> Ha1 {
        let mut s: String = hex.into();
        s.make_ascii_lowercase();
        Ha1(s)
    }

    /// Computes H(A1) for the non-session form of `algorithm`.
    pub fn compute(algorithm: Algorithm, username: &str, realm: &str, password: &Password) -> Ha1 {
        Ha1(algorithm.hash_hex(&[
            username.as_bytes(),
            realm.as_bytes(),
            password.expose().as_bytes(),
        ]))
    }

    /// The hex text, for storage. Named so that uses stand out.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Ha1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ha1(***)")
    }
}

/// What proves the user's identity: the password, or the precomputed H(A1)
/// for the algorithm in use.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Secret {
    /// The cleartext password.
    Password(Password),
    /// `H(username ":" realm ":" password)`, hashed with the same algorithm
    /// family as the challenge (for `-sess` algorithms: the non-session
    /// hash, RFC 7616 section 3.4.2).
    Ha1(Ha1),
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Secret::Password(_) => f.write_str("Secret::Password(***)"),
            Secret::Ha1(_) => f.write_str("Secret::Ha1(***)"),
        }
    }
}

impl From<Password> for Secret {
    fn from(p: Password) -> Secret {
        Secret::Password(p)
    }
}

impl From<Ha1> for Secret {
    fn from(h: Ha1) -> Secret {
        Secret::Ha1(h)
    }
}

impl Secret {
    /// The non-session H(A1) for `username` in `realm`.
    fn base_ha1(
        &self,
        algorithm: Algorithm,
        username: &str,
        realm: &str,
    ) -> Result<String, AuthError> {
        match self {
            Secret::Password(p) => Ok(Ha1::compute(algorithm, username, realm, p).0),
            Secret::Ha1(h) => {
                let got = h.0.len();
                if got != algorithm.hex_len() || !h.0.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(AuthError::BadHa1 {
                        algorithm,
                        expected: algorithm.hex_len(),
                        got,
                    });
                }
                Ok(h.0.clone())
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The digest computation (RFC 7616 sections 3.4.1 - 3.4.3, 3.5)
// ---------------------------------------------------------------------------

/// The inputs of one request-digest / response-digest computation.
struct DigestCalc<'a> {
    algorithm: Algorithm,
    nonce: &'a str,
    cnonce: Option<&'a str>,
    qop: Option<Qop>,
    nc: Option<NonceCount>,
    /// The method for `response`, empty for `rspauth` (A2 = ":" uri).
    a2_method: &'a str,
    uri: &'a str,
    body: &'a [u8],
}

impl DigestCalc<'_> {
    fn compute(&self, base_ha1: &str) -> Result<String, AuthError> {
        let alg = self.algorithm;
        // RFC 7616 section 3.4.2: the -sess A1 is H(base) ":" nonce ":" cnonce.
        let ha1 = if alg.is_session() {
            let cnonce = self.cnonce.ok_or(AuthError::MissingParam {
                name: "cnonce",
                offset: 0,
            })?;
            alg.hash_hex(&[
                base_ha1.as_bytes(),
                self.nonce.as_bytes(),
                cnonce.as_bytes(),
            ])
        } else {
            base_ha1.to_owned()
        };
        // RFC 7616 section 3.4.3; RFC 3261 section 22.4 item 7 / RFC 8760
        // section 2.6 item 7: an empty body hashes as H("").
        let ha2 = match self.qop {
            Some(Qop::AuthInt) => {
                let hbody = alg.hash_hex(&[self.body]);
                alg.hash_hex(&[
                    self.a2_method.as_bytes(),
                    self.uri.as_bytes(),
                    hbody.as_bytes(),
                ])
            }
            _ => alg.hash_hex(&[self.a2_method.as_bytes(), self.uri.as_bytes()]),
        };
        match self.qop {
            // RFC 7616 section 3.4.1.
            Some(qop) => {
                let nc = self.nc.ok_or(AuthError::MissingParam {
                    name: "nc",
                    offset: 0,
                })?;
                let cnonce = self.cnonce.ok_or(AuthError::MissingParam {
                    name: "cnonce",
                    offset: 0,
                })?;
                let nc = nc.to_string();
                Ok(alg.hash_hex(&[
                    ha1.as_bytes(),
                    self.nonce.as_bytes(),
                    nc.as_bytes(),
                    cnonce.as_bytes(),
                    qop.as_str().as_bytes(),
                    ha2.as_bytes(),
                ]))
            }
            // RFC 2617 section 3.2.2.1: the RFC 2069 compatible form.
            None => Ok(alg.hash_hex(&[ha1.as_bytes(), self.nonce.as_bytes(), ha2.as_bytes()])),
        }
    }
}

// ---------------------------------------------------------------------------
// Tokenizer for auth-param lists (RFC 3261 section 25, RFC 7235 section 2.1)
// ---------------------------------------------------------------------------

/// One `name=value` pair as parsed, before interpretation.
struct RawParam<'a> {
    name: &'a str,
    name_offset: usize,
    value: String,
    value_offset: usize,
    quoted: bool,
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
        )
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_byte)
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor { text, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skips LWS. Line breaks are treated as whitespace: a header value
    /// handed over by the message parser may still contain folding.
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\r' | b'\n') = self.peek() {
            self.pos += 1;
        }
    }

    fn token(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(is_token_byte) {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    /// A quoted-string starting at the opening quote; returns the unquoted
    /// text with quoted-pairs resolved and line folds removed.
    fn quoted(&mut self) -> Result<String, AuthError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            let Some(b) = self.peek() else {
                return Err(AuthError::UnterminatedQuote { offset: open });
            };
            match b {
                b'"' => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(&self.text[run..self.pos]);
                    match self.text.as_bytes().get(self.pos + 1) {
                        None => return Err(AuthError::UnterminatedQuote { offset: open }),
                        // RFC 3261 section 25: CR and LF cannot be escaped.
                        Some(b'\r' | b'\n') => {
                            return Err(AuthError::Syntax {
                                expected: "escapable character after backslash (not CR or LF)",
                                offset: self.pos + 1,
                            });
                        }
                        Some(&c) if c.is_ascii() => {
                            out.push(char::from(c));
                            self.pos += 2;
                            run = self.pos;
                        }
                        // quoted-pair covers %x00-7F only; keep the
                        // non-ASCII character itself, drop the backslash.
                        Some(_) => {
                            self.pos += 1;
                            run = self.pos;
                        }
                    }
                }
                b'\r' | b'\n' => {
                    // Folding inside a quoted-string (qdtext includes LWS):
                    // drop the line break, keep the whitespace after it.
                    out.push_str(&self.text[run..self.pos]);
                    if b == b'\r' {
                        self.pos += 1;
                    }
                    if self.peek() == Some(b'\n') {
                        self.pos += 1;
                    }
                    if !matches!(self.peek(), Some(b' ' | b'\t')) {
                        return Err(AuthError::Syntax {
                            expected: "whitespace after a line break (folding)",
                            offset: self.pos,
                        });
                    }
                    run = self.pos;
                }
                b'\t' => self.pos += 1,
                c if c < 0x20 || c == 0x7f => {
                    return Err(AuthError::ControlChar {
                        byte: c,
                        offset: self.pos,
                    });
                }
                _ => self.pos += 1,
            }
        }
    }

    /// An unquoted value. Tolerant: besides tokens it accepts any visible
    /// character except `,` and `"`, because real servers send values such
    /// as base64 nonces without quotes.
    fn bare_value(&mut self) -> &'a str {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b > 0x20 && b != 0x7f && b != b',' && b != b'"')
        {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    /// `auth-param *(COMMA auth-param)` up to the end of the text. Empty list
    /// elements are tolerated (RFC 7230 section 7).
    fn params(&mut self) -> Result<Vec<RawParam<'a>>, AuthError> {
        let mut out = Vec::new();
        loop {
            self.skip_ws();
            while self.peek() == Some(b',') {
                self.pos += 1;
                self.skip_ws();
            }
            if self.peek().is_none() {
                return Ok(out);
            }
            let name_offset = self.pos;
            let name = self.token();
            if name.is_empty() {
                return Err(AuthError::Syntax {
                    expected: "parameter name",
                    offset: name_offset,
                });
            }
            self.skip_ws();
            if self.peek() != Some(b'=') {
                return Err(AuthError::Syntax {
                    expected: "'=' after parameter name",
                    offset: self.pos,
                });
            }
            self.pos += 1;
            self.skip_ws();
            let value_offset = self.pos;
            let (value, quoted) = if self.peek() == Some(b'"') {
                (self.quoted()?, true)
            } else {
                let v = self.bare_value();
                if v.is_empty() {
                    return Err(AuthError::Syntax {
                        expected: "parameter value",
                        offset: value_offset,
                    });
                }
                (v.to_owned(), false)
            };
            out.push(RawParam {
                name,
                name_offset,
                value,
                value_offset,
                quoted,
            });
            self.skip_ws();
            match self.peek() {
                None => return Ok(out),
                Some(b',') => self.pos += 1,
                Some(_) => {
                    return Err(AuthError::Syntax {
                        expected: "',' between parameters",
                        offset: self.pos,
                    });
                }
            }
        }
    }

    /// The leading `Digest` scheme and the whitespace after it.
    fn digest_scheme(&mut self) -> Result<(), AuthError> {
        self.skip_ws();
        let offset = self.pos;
        let scheme = self.token();
        if scheme.is_empty() {
            return Err(AuthError::Syntax {
                expected: "authentication scheme",
                offset,
            });
        }
        if !scheme.eq_ignore_ascii_case("Digest") {
            return Err(AuthError::OtherScheme {
                scheme: scheme.to_owned(),
                offset,
            });
        }
        // `"Digest" LWS digest-cln`: whitespace must separate scheme and
        // parameters.
        match self.peek() {
            None | Some(b' ' | b'\t' | b'\r' | b'\n') => Ok(()),
            Some(_) => Err(AuthError::Syntax {
                expected: "whitespace after the Digest scheme",
                offset: self.pos,
            }),
        }
    }
}

/// A parameter this crate does not interpret, kept verbatim (RFC 7616
/// section 3.3: unknown parameters are ignored, but a proxy or a model may
/// want to see them).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuthParam {
    /// The name as received.
    pub name: String,
    /// The value, unquoted.
    pub value: String,
    /// Whether the value was a quoted-string (and is printed as one).
    pub quoted: bool,
}

impl AuthParam {
    fn from_raw(p: RawParam<'_>) -> AuthParam {
        AuthParam {
            name: p.name.to_owned(),
            value: p.value,
            quoted: p.quoted,
        }
    }
}

/// Tracks which known parameters were seen, to reject duplicates.
struct Seen<const N: usize>([bool; N]);

impl<const N: usize> Seen<N> {
    fn mark(&mut self, i: usize, p: &RawParam<'_>) -> Result<(), AuthError> {
        if std::mem::replace(&mut self.0[i], true) {
            return Err(AuthError::DuplicateParam {
                name: p.name.to_ascii_lowercase(),
                offset: p.name_offset,
            });
        }
        Ok(())
    }
}

fn find_name(names: &[&str], name: &str) -> Option<usize> {
    names.iter().position(|n| n.eq_ignore_ascii_case(name))
}

fn parse_algorithm(p: &RawParam<'_>) -> Result<Algorithm, AuthError> {
    Algorithm::from_name(p.value.trim()).ok_or_else(|| AuthError::UnsupportedAlgorithm {
        name: p.value.clone(),
        offset: p.value_offset,
    })
}

fn parse_bool(p: &RawParam<'_>) -> bool {
    // RFC 7616 section 3.3: "anything other than true" is false.
    p.value.trim().eq_ignore_ascii_case("true")
}

fn parse_nc(p: &RawParam<'_>) -> Result<NonceCount, AuthError> {
    NonceCount::parse(p.value.trim()).ok_or(AuthError::InvalidValue {
        name: "nc",
        offset: p.value_offset,
        reason: "not exactly 8 hex digits",
    })
}

fn parse_message_qop(p: &RawParam<'_>) -> Result<Qop, AuthError> {
    Qop::from_name(p.value.trim()).ok_or(AuthError::InvalidValue {
        name: "qop",
        offset: p.value_offset,
        reason: "neither auth nor auth-int",
    })
}

fn check_hex(p: &RawParam<'_>, name: &'static str) -> Result<String, AuthError> {
    if p.value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(p.value.clone())
    } else {
        Err(AuthError::InvalidValue {
            name,
            offset: p.value_offset,
            reason: "not hexadecimal",
        })
    }
}

// ---------------------------------------------------------------------------
// Printing helpers
// ---------------------------------------------------------------------------

/// Writes `"value"`, escaping `"` and `\` and control characters as
/// quoted-pairs. CR and LF cannot be escaped (RFC 3261 section 25) and are
/// dropped so a value can never inject a header line.
fn write_quoted(f: &mut fmt::Formatter<'_>, value: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in value.chars() {
        match c {
            '\r' | '\n' => {}
            '"' | '\\' => {
                f.write_char('\\')?;
                f.write_char(c)?;
            }
            c if c != '\t' && (c < ' ' || c == '\x7f') => {
                f.write_char('\\')?;
                f.write_char(c)?;
            }
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// Writes `, name=value` (or `name=value` for the first parameter).
struct ParamWriter<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    first: bool,
}

impl<'a, 'b> ParamWriter<'a, 'b> {
    fn new(f: &'a mut fmt::Formatter<'b>) -> Self {
        ParamWriter { f, first: true }
    }

    fn sep(&mut self, name: &str) -> fmt::Result {
        if !self.first {
            self.f.write_str(", ")?;
        }
        self.first = false;
        self.f.write_str(name)?;
        self.f.write_char('=')
    }

    fn quoted(&mut self, name: &str, value: &str) -> fmt::Result {
        self.sep(name)?;
        write_quoted(self.f, value)
    }

    fn bare(&mut self, name: &str, value: impl fmt::Display) -> fmt::Result {
        self.sep(name)?;
        write!(self.f, "{value}")
    }

    fn extra(&mut self, params: &[AuthParam]) -> fmt::Result {
        for p in params {
            if !is_token(&p.name) {
                // Cannot be printed as a parameter name; never produced by
                // the parser.
                continue;
            }
            if p.quoted || !is_token(&p.value) {
                self.quoted(&p.name, &p.value)?;
            } else {
                self.bare(&p.name, &p.value)?;
            }
        }
        Ok(())
    }
}

fn has_unsendable(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && c != '\t')
}

// ---------------------------------------------------------------------------
// Challenge
// ---------------------------------------------------------------------------

/// A Digest challenge: the value of `WWW-Authenticate` or
/// `Proxy-Authenticate` (RFC 3261 section 25 `challenge`, RFC 7616 section
/// 3.3, RFC 8760 section 2.7).
///
/// `Display` prints the canonical form, which [`Challenge::parse`] reads
/// back to an equal value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Challenge {
    /// `realm` (required).
    pub realm: String,
    /// `domain`: the space-separated URIs of the protection space; empty
    /// when absent.
    pub domain: Vec<String>,
    /// `nonce` (required).
    pub nonce: String,
    /// `opaque`, echoed unchanged in the credentials.
    pub opaque: Option<String>,
    /// `stale=true`: the nonce expired but the credentials were right; retry
    /// without asking the user again (RFC 7616 section 3.3).
    pub stale: bool,
    /// `algorithm`; `None` means absent, which means MD5.
    pub algorithm: Option<Algorithm>,
    /// `qop` options, known ones only and in the server's order; `None` when
    /// the parameter is absent (RFC 2069 compatibility), `Some(vec![])` when
    /// it lists only options this crate does not know.
    pub qop: Option<Vec<Qop>>,
    /// `userhash=true` (RFC 7616 section 3.4.4).
    pub userhash: bool,
    /// Other parameters (e.g. `charset`), in order.
    pub params: Vec<AuthParam>,
}

/// How a client answers a challenge: which `qop` to choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DigestPolicy {
    /// When the challenge offers both `auth` and `auth-int`, use `auth-int`
    /// (default: `auth`, which every server accepts).
    pub prefer_auth_int: bool,
    /// When the challenge has no `qop`, answer with `qop=auth` as RFC 8760
    /// section 2.6 item 8 makes it the default, instead of the RFC 2069 form
    /// (default: RFC 2069 form, which RFC 2617 section 3.2.2 requires).
    pub assume_auth_when_qop_absent: bool,
}

/// The client's side of one answer to a challenge.
#[derive(Debug, Clone, Copy)]
pub struct DigestInput<'a> {
    /// The user name in the challenge's realm.
    pub username: &'a str,
    /// The password or precomputed H(A1).
    pub secret: &'a Secret,
    /// The request method, e.g. `REGISTER`.
    pub method: &'a str,
    /// The digest-uri: the Request-URI of the request (RFC 3261 section
    /// 22.4 item 3).
    pub uri: &'a str,
    /// The message body, hashed for `auth-int` (empty when there is none).
    pub body: &'a [u8],
    /// The client nonce, chosen by the caller from its seeded randomness.
    /// For `-sess` algorithms A1 mixes in this cnonce (RFC 7616 section
    /// 3.4.2 "cnonce-prime"), so a client reusing a nonce should keep the
    /// cnonce of its first answer to it.
    pub cnonce: &'a str,
    /// The nonce count for this request, e.g. from [`NonceTracker::next_nc`].
    pub nc: NonceCount,
}

impl Challenge {
    /// A challenge for a server to send: `qop="auth"`, the given algorithm
    /// (RFC 3261 section 22.4 item 8: servers MUST send `qop`).
    pub fn new(
        realm: impl Into<String>,
        nonce: impl Into<String>,
        algorithm: Algorithm,
    ) -> Challenge {
        Challenge {
            realm: realm.into(),
            domain: Vec::new(),
            nonce: nonce.into(),
            opaque: None,
            stale: false,
            algorithm: Some(algorithm),
            qop: Some(vec![Qop::Auth]),
            userhash: false,
            params: Vec::new(),
        }
    }

    /// The algorithm in effect (MD5 when the parameter is absent).
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm.unwrap_or(Algorithm::Md5)
    }

    /// Parses a `WWW-Authenticate` / `Proxy-Authenticate` value such as
    /// `Digest realm="atlanta.com", nonce="84a4cc6f", qop="auth"`.
    ///
    /// Non-Digest schemes give [`AuthError::OtherScheme`]; an unknown
    /// algorithm gives [`AuthError::UnsupportedAlgorithm`] so the caller can
    /// move on to the next challenge.
    ///
    /// # Errors
    ///
    /// Any [`AuthError`] parse variant, with the byte offset in `value`;
    /// [`AuthError::MissingParam`] when `realm` or `nonce` is absent.
    pub fn parse(value: &str) -> Result<Challenge, AuthError> {
        const NAMES: [&str; 8] = [
            "realm",
            "domain",
            "nonce",
            "opaque",
            "stale",
            "algorithm",
            "qop",
            "userhash",
        ];
        let mut cur = Cursor::new(value);
        cur.digest_scheme()?;
        let raw = cur.params()?;
        let end = cur.pos;
        let mut seen = Seen([false; NAMES.len()]);
        let mut realm = None;
        let mut nonce = None;
        let mut ch = Challenge {
            realm: String::new(),
            domain: Vec::new(),
            nonce: String::new(),
            opaque: None,
            stale: false,
            algorithm: None,
            qop: None,
            userhash: false,
            params: Vec::new(),
        };
        for p in raw {
            let Some(i) = find_name(&NAMES, p.name) else {
                ch.params.push(AuthParam::from_raw(p));
                continue;
            };
            seen.mark(i, &p)?;
            match i {
                0 => realm = Some(p.value),
                1 => {
                    ch.domain = p
                        .value
                        .split_ascii_whitespace()
                        .map(str::to_owned)
                        .collect()
                }
                2 => nonce = Some(p.value),
                3 => ch.opaque = Some(p.value),
                4 => ch.stale = parse_bool(&p),
                5 => ch.algorithm = Some(parse_algorithm(&p)?),
                6 => {
                    // RFC 7616 section 3.3: unrecognized options MUST be
                    // ignored. Tolerate an unquoted single token too.
                    let mut list = Vec::new();
                    for q in p.value.split(',').filter_map(|t| Qop::from_name(t.trim())) {
                        if !list.contains(&q) {
                            list.push(q);
                        }
                    }
                    ch.qop = Some(list);
                }
                _ => ch.userhash = parse_bool(&p),
            }
        }
        ch.realm = realm.ok_or(AuthError::MissingParam {
            name: "realm",
            offset: end,
        })?;
        ch.nonce = nonce.ok_or(AuthError::MissingParam {
            name: "nonce",
            offset: end,
        })?;
        Ok(ch)
    }

    /// Picks the qop to answer with, per `policy`.
    fn choose_qop(&self, policy: &DigestPolicy) -> Result<Option<Qop>, AuthError> {
        match &self.qop {
            // RFC 3261 section 22.4 item 8: -sess needs a cnonce, and a
            // cnonce needs qop; RFC 8760 makes auth the default.
            None if policy.assume_auth_when_qop_absent || self.algorithm().is_session() => {
                Ok(Some(Qop::Auth))
            }
            None => Ok(None),
            Some(list) => {
                let preferred = if policy.prefer_auth_int {
                    Qop::AuthInt
                } else {
                    Qop::Auth
                };
                if list.contains(&preferred) {
                    Ok(Some(preferred))
                } else {
                    list.first()
                        .copied()
                        .map(Some)
                        .ok_or(AuthError::NoSupportedQop)
                }
            }
        }
    }

    /// Answers this challenge: computes the response (RFC 7616 section
    /// 3.4.1, or the RFC 2069 form of RFC 2617 section 3.2.2.1 when no qop
    /// applies) and returns the credentials to send in `Authorization` (for
    /// a 401) or `Proxy-Authorization` (for a 407).
    ///
    /// `opaque` is echoed; with `userhash=true` the username is sent hashed
    /// (RFC 7616 section 3.4.4). `cnonce` and `nc` are only sent when a qop
    /// is used (RFC 2617 section 3.2.2).
    ///
    /// # Errors
    ///
    /// [`AuthError::NoSupportedQop`] when the challenge lists only unknown
    /// qop options, [`AuthError::UnsendableValue`] when an input holds a
    /// control character (or the method is not a token), and
    /// [`AuthError::BadHa1`] for a precomputed H(A1) of the wrong length.
    pub fn respond(
        &self,
        input: &DigestInput<'_>,
        policy: &DigestPolicy,
    ) -> Result<Credentials, AuthError> {
        for (what, v) in [
            ("username", input.username),
            ("uri", input.uri),
            ("cnonce", input.cnonce),
        ] {
            if has_unsendable(v) {
                return Err(AuthError::UnsendableValue { what });
            }
        }
        if !is_token(input.method) {
            return Err(AuthError::UnsendableValue { what: "method" });
        }
        let algorithm = self.algorithm();
        let qop = self.choose_qop(policy)?;
        let (cnonce, nc) = match qop {
            Some(_) => (Some(input.cnonce), Some(input.nc)),
            None => (None, None),
        };
        let base = input
            .secret
            .base_ha1(algorithm, input.username, &self.realm)?;
        let response = DigestCalc {
            algorithm,
            nonce: &self.nonce,
            cnonce,
            qop,
            nc,
            a2_method: input.method,
            uri: input.uri,
            body: input.body,
        }
        .compute(&base)?;
        let username = if self.userhash {
            algorithm.userhash(input.username, &self.realm)
        } else {
            input.username.to_owned()
        };
        Ok(Credentials {
            username,
            realm: self.realm.clone(),
            nonce: self.nonce.clone(),
            uri: input.uri.to_owned(),
            response,
            algorithm: Some(algorithm),
            cnonce: cnonce.map(str::to_owned),
            opaque: self.opaque.clone(),
            qop,
            nc,
            userhash: self.userhash,
            params: Vec::new(),
        })
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Digest ")?;
        let mut w = ParamWriter::new(f);
        w.quoted("realm", &self.realm)?;
        if !self.domain.is_empty() {
            w.quoted("domain", &self.domain.join(" "))?;
        }
        w.quoted("nonce", &self.nonce)?;
        if let Some(o) = &self.opaque {
            w.quoted("opaque", o)?;
        }
        if self.stale {
            w.bare("stale", "TRUE")?;
        }
        if let Some(a) = self.algorithm {
            w.bare("algorithm", a)?;
        }
        if let Some(list) = &self.qop {
            let joined: Vec<&str> = list.iter().map(|q| q.as_str()).collect();
            w.quoted("qop", &joined.join(","))?;
        }
        if self.userhash {
            w.bare("userhash", "true")?;
        }
        w.extra(&self.params)
    }
}

impl std::str::FromStr for Challenge {
    type Err = AuthError;

    fn from_str(s: &str) -> Result<Challenge, AuthError> {
        Challenge::parse(s)
    }
}

/// Picks the challenge to answer among the values of several
/// `WWW-Authenticate` (or `Proxy-Authenticate`) headers, in message order.
///
/// RFC 7616 section 3.7 and RFC 8760 section 2.4: the server lists its
/// challenges most preferred first and the client uses the topmost one it
/// supports, ignoring those it does not understand (other schemes, unknown
/// algorithms, malformed values). `accept` expresses local policy (for
/// example only realms we have credentials for, or no MD5); pass
/// `|_| true` for none.
///
/// # Errors
///
/// [`AuthError::NoUsableChallenge`] when no value is a supported, accepted
/// Digest challenge.
pub fn select_challenge<'a, I, F>(values: I, mut accept: F) -> Result<Challenge, AuthError>
where
    I: IntoIterator<Item = &'a str>,
    F: FnMut(&Challenge) -> bool,
{
    let mut count = 0;
    for v in values {
        count += 1;
        match Challenge::parse(v) {
            Ok(ch) if accept(&ch) => return Ok(ch),
            _ => {}
        }
    }
    Err(AuthError::NoUsableChallenge { count })
}

// ---------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------

/// Digest credentials: the value of `Authorization` or
/// `Proxy-Authorization` (RFC 3261 section 25 `credentials`, RFC 7616
/// section 3.4).
///
/// `Display` prints the canonical form
/// `Digest username="..", realm="..", nonce="..", uri="..", response="..",
/// algorithm=MD5, cnonce="..", opaque="..", qop=auth, nc=00000001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Credentials {
    /// `username` (or its hash when `userhash` is set).
    pub username: String,
    /// `realm`.
    pub realm: String,
    /// `nonce` from the challenge.
    pub nonce: String,
    /// `uri`: the digest-uri, the Request-URI (always quoted in SIP, RFC
    /// 3261 section 22.4 item 2).
    pub uri: String,
    /// `response`: the request-digest in hex (may be empty before any
    /// challenge, RFC 8760 section 2.7).
    pub response: String,
    /// `algorithm`; `None` when absent (MD5).
    pub algorithm: Option<Algorithm>,
    /// `cnonce`.
    pub cnonce: Option<String>,
    /// `opaque`, echoed from the challenge.
    pub opaque: Option<String>,
    /// `qop` applied; `None` for the RFC 2069 form.
    pub qop: Option<Qop>,
    /// `nc`.
    pub nc: Option<NonceCount>,
    /// `userhash=true`: `username` is `H(username ":" realm)`.
    pub userhash: bool,
    /// Other parameters, in order.
    pub params: Vec<AuthParam>,
}

impl Credentials {
    /// The algorithm in effect (MD5 when the parameter is absent).
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm.unwrap_or(Algorithm::Md5)
    }

    /// Parses an `Authorization` / `Proxy-Authorization` value.
    ///
    /// `username`, `realm`, `nonce`, `uri` and `response` are required
    /// (RFC 2617 section 3.2.2); when `qop` is present so must be `cnonce`
    /// and `nc` (RFC 7616 section 3.4). `username*` (RFC 7616 section 3.4)
    /// is kept as an unknown parameter and does not replace `username`;
    /// both together are an error.
    ///
    /// # Errors
    ///
    /// Any [`AuthError`] parse variant, with the byte offset in `value`.
    pub fn parse(value: &str) -> Result<Credentials, AuthError> {
        const NAMES: [&str; 11] = [
            "username",
            "realm",
            "nonce",
            "uri",
            "response",
            "algorithm",
            "cnonce",
            "opaque",
            "qop",
            "nc",
            "userhash",
        ];
        let mut cur = Cursor::new(value);
        cur.digest_scheme()?;
        let raw = cur.params()?;
        let end = cur.pos;
        let mut seen = Seen([false; NAMES.len()]);
        let mut req: [Option<String>; 5] = Default::default();
        let mut c = Credentials {
            username: String::new(),
            realm: String::new(),
            nonce: String::new(),
            uri: String::new(),
            response: String::new(),
            algorithm: None,
            cnonce: None,
            opaque: None,
            qop: None,
            nc: None,
            userhash: false,
            params: Vec::new(),
        };
        for p in raw {
            let Some(i) = find_name(&NAMES, p.name) else {
                c.params.push(AuthParam::from_raw(p));
                continue;
            };
            seen.mark(i, &p)?;
            match i {
                4 => req[4] = Some(check_hex(&p, "response")?),
                0..=3 => req[i] = Some(p.value),
                5 => c.algorithm = Some(parse_algorithm(&p)?),
                6 => c.cnonce = Some(p.value),
                7 => c.opaque = Some(p.value),
                8 => c.qop = Some(parse_message_qop(&p)?),
                9 => c.nc = Some(parse_nc(&p)?),
                _ => c.userhash = parse_bool(&p),
            }
        }
        // RFC 7616 section 3.4: username and username* together are an
        // error.
        let star = c
            .params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case("username*"));
        if let (Some(_), Some(p)) = (&req[0], star) {
            return Err(AuthError::DuplicateParam {
                name: p.name.to_ascii_lowercase(),
                offset: end,
            });
        }
        let [username, realm, nonce, uri, response] = req;
        let missing = |name| AuthError::MissingParam { name, offset: end };
        c.username = username.ok_or(missing("username"))?;
        c.realm = realm.ok_or(missing("realm"))?;
        c.nonce = nonce.ok_or(missing("nonce"))?;
        c.uri = uri.ok_or(missing("uri"))?;
        c.response = response.ok_or(missing("response"))?;
        if c.qop.is_some() {
            if c.cnonce.is_none() {
                return Err(missing("cnonce"));
            }
            if c.nc.is_none() {
                return Err(missing("nc"));
            }
        }
        Ok(c)
    }

    /// The base H(A1) for these credentials.
    fn base_ha1(&self, secret: &Secret) -> Result<String, AuthError> {
        if self.userhash && matches!(secret, Secret::Password(_)) {
            return Err(AuthError::UserhashNeedsHa1);
        }
        secret.base_ha1(self.algorithm(), &self.username, &self.realm)
    }

    fn calc<'a>(&'a self, a2_method: &'a str, body: &'a [u8]) -> DigestCalc<'a> {
        DigestCalc {
            algorithm: self.algorithm(),
            nonce: &self.nonce,
            cnonce: self.cnonce.as_deref(),
            qop: self.qop,
            nc: self.nc,
            a2_method,
            uri: &self.uri,
            body,
        }
    }

    /// The response value these credentials should carry for a request with
    /// `method` and `body` (server side, RFC 7616 section 3.6).
    ///
    /// # Errors
    ///
    /// As [`Credentials::verify`].
    pub fn expected_response(
        &self,
        secret: &Secret,
        method: &str,
        body: &[u8],
    ) -> Result<String, AuthError> {
        let base = self.base_ha1(secret)?;
        self.calc(method, body).compute(&base)
    }

    /// Checks the `response` (server side, RFC 7616 section 3.6): `Ok(true)`
    /// when it proves knowledge of the secret, `Ok(false)` when it does not,
    /// an error when the credentials cannot be checked at all (which
    /// deserves a 400, RFC 2617 section 3.2.2).
    ///
    /// This checks the digest only. The caller still checks that `realm`
    /// and `nonce` are ones it issued and still accepts, that `nc` grew
    /// (replay), that `uri` matches the Request-URI (RFC 8760 section 2.6
    /// item 6), and that `opaque` is the one it sent.
    ///
    /// # Errors
    ///
    /// [`AuthError::UserhashNeedsHa1`] for hashed usernames with a password
    /// secret, [`AuthError::BadHa1`] for an H(A1) of the wrong length,
    /// [`AuthError::MissingParam`] when a `-sess` algorithm or a qop lacks
    /// `cnonce` / `nc` (only possible for hand-built credentials).
    pub fn verify(&self, secret: &Secret, method: &str, body: &[u8]) -> Result<bool, AuthError> {
        let expected = self.expected_response(secret, method, body)?;
        Ok(hex_eq(&expected, &self.response))
    }

    /// The `rspauth` a server puts in `Authentication-Info` for a request
    /// that carried these credentials (RFC 7616 section 3.5: as `response`
    /// but with A2 = `":" uri [":" H(response-body)]`).
    ///
    /// # Errors
    ///
    /// As [`Credentials::verify`].
    pub fn rspauth(&self, secret: &Secret, response_body: &[u8]) -> Result<String, AuthError> {
        let base = self.base_ha1(secret)?;
        self.calc("", response_body).compute(&base)
    }

    /// The `Authentication-Info` a server sends on success: `rspauth`, and
    /// `qop`, `cnonce`, `nc` echoed from these credentials (RFC 7616 section
    /// 3.5), plus an optional `nextnonce`.
    ///
    /// # Errors
    ///
    /// As [`Credentials::verify`].
    pub fn authentication_info(
        &self,
        secret: &Secret,
        response_body: &[u8],
        nextnonce: Option<String>,
    ) -> Result<AuthenticationInfo, AuthError> {
        Ok(AuthenticationInfo {
            nextnonce,
            qop: self.qop,
            rspauth: Some(self.rspauth(secret, response_body)?),
            cnonce: self.cnonce.clone(),
            nc: self.nc,
            params: Vec::new(),
        })
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Digest ")?;
        let mut w = ParamWriter::new(f);
        w.quoted("username", &self.username)?;
        w.quoted("realm", &self.realm)?;
        w.quoted("nonce", &self.nonce)?;
        w.quoted("uri", &self.uri)?;
        w.quoted("response", &self.response)?;
        if let Some(a) = self.algorithm {
            w.bare("algorithm", a)?;
        }
        if let Some(c) = &self.cnonce {
            w.quoted("cnonce", c)?;
        }
        if let Some(o) = &self.opaque {
            w.quoted("opaque", o)?;
        }
        if let Some(q) = self.qop {
            w.bare("qop", q)?;
        }
        if let Some(nc) = self.nc {
            w.bare("nc", nc)?;
        }
        if self.userhash {
            w.bare("userhash", "true")?;
        }
        w.extra(&self.params)
    }
}

impl std::str::FromStr for Credentials {
    type Err = AuthError;

    fn from_str(s: &str) -> Result<Credentials, AuthError> {
        Credentials::parse(s)
    }
}

// ---------------------------------------------------------------------------
// Authentication-Info
// ---------------------------------------------------------------------------

/// The value of `Authentication-Info` (RFC 2617 section 3.2.3, RFC 7616
/// section 3.5, RFC 3261 section 25 `ainfo`). It has no scheme token.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AuthenticationInfo {
    /// `nextnonce`: the nonce to use for the next request.
    pub nextnonce: Option<String>,
    /// `qop` the server applied.
    pub qop: Option<Qop>,
    /// `rspauth`: the server's proof (mutual authentication), in hex.
    pub rspauth: Option<String>,
    /// `cnonce` of the request being answered.
    pub cnonce: Option<String>,
    /// `nc` of the request being answered.
    pub nc: Option<NonceCount>,
    /// Other parameters, in order.
    pub params: Vec<AuthParam>,
}

impl AuthenticationInfo {
    /// Parses an `Authentication-Info` value such as
    /// `nextnonce="47364c23432d2e131a5fb210812c", qop=auth, rspauth="..."`.
    ///
    /// # Errors
    ///
    /// Any [`AuthError`] parse variant, with the byte offset in `value`.
    pub fn parse(value: &str) -> Result<AuthenticationInfo, AuthError> {
        const NAMES: [&str; 5] = ["nextnonce", "qop", "rspauth", "cnonce", "nc"];
        let mut cur = Cursor::new(value);
        let raw = cur.params()?;
        let mut seen = Seen([false; NAMES.len()]);
        let mut info = AuthenticationInfo::default();
        for p in raw {
            let Some(i) = find_name(&NAMES, p.name) else {
                info.params.push(AuthParam::from_raw(p));
                continue;
            };
            seen.mark(i, &p)?;
            match i {
                0 => info.nextnonce = Some(p.value),
                1 => info.qop = Some(parse_message_qop(&p)?),
                2 => info.rspauth = Some(check_hex(&p, "rspauth")?),
                3 => info.cnonce = Some(p.value),
                _ => info.nc = Some(parse_nc(&p)?),
            }
        }
        Ok(info)
    }

    /// Checks `rspauth` against the credentials the client sent (client
    /// side mutual authentication, RFC 7616 section 3.5). `Ok(false)` when
    /// `rspauth` is absent or wrong.
    ///
    /// # Errors
    ///
    /// As [`Credentials::verify`].
    pub fn verify_rspauth(
        &self,
        sent: &Credentials,
        secret: &Secret,
        response_body: &[u8],
    ) -> Result<bool, AuthError> {
        let Some(rspauth) = &self.rspauth else {
            return Ok(false);
        };
        let expected = match secret {
            // The client knows its own real username even when it sent the
            // hash; the hash is only on the wire.
            Secret::Password(_) if sent.userhash => return Err(AuthError::UserhashNeedsHa1),
            _ => sent.rspauth(secret, response_body)?,
        };
        Ok(hex_eq(&expected, rspauth))
    }
}

impl fmt::Display for AuthenticationInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut w = ParamWriter::new(f);
        if let Some(n) = &self.nextnonce {
            w.quoted("nextnonce", n)?;
        }
        if let Some(q) = self.qop {
            w.bare("qop", q)?;
        }
        if let Some(r) = &self.rspauth {
            w.quoted("rspauth", r)?;
        }
        if let Some(c) = &self.cnonce {
            w.quoted("cnonce", c)?;
        }
        if let Some(nc) = self.nc {
            w.bare("nc", nc)?;
        }
        w.extra(&self.params)
    }
}

impl std::str::FromStr for AuthenticationInfo {
    type Err = AuthError;

    fn from_str(s: &str) -> Result<AuthenticationInfo, AuthError> {
        AuthenticationInfo::parse(s)
    }
}

// ---------------------------------------------------------------------------
// Nonce-count tracking
// ---------------------------------------------------------------------------

/// What a client should do with a new challenge (RFC 7616 sections 3.3 and
/// 3.6), as decided by [`NonceTracker::on_challenge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChallengeVerdict {
    /// First challenge for this realm on this request: answer it with the
    /// stored (or newly asked for) credentials.
    Answer,
    /// `stale=true` after we had answered: the nonce expired but the
    /// password was right. Retry with the new nonce without asking the user.
    RetryStale,
    /// We had answered this realm and the server challenged again without
    /// `stale=true`: the username or password is wrong. Do not retry with
    /// the same credentials (that would loop); report the failure.
    CredentialsRejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct NonceEntry {
    realm: String,
    nonce: String,
    count: u32,
}

/// Nonce counts per realm (RFC 7616 section 3.4 `nc`): each request sent
/// with the same nonce counts up from `00000001`; a new nonce for a realm
/// starts again at 1. Bounded to [`MAX_TRACKED_REALMS`] realms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct NonceTracker {
    // Oldest first; a Vec keeps the state hashable and ordered.
    entries: Vec<NonceEntry>,
}

impl NonceTracker {
    /// An empty tracker.
    pub fn new() -> NonceTracker {
        NonceTracker::default()
    }

    fn slot(&mut self, realm: &str) -> Option<&mut NonceEntry> {
        self.entries.iter_mut().find(|e| e.realm == realm)
    }

    /// Makes `nonce` the current nonce of `realm`, resetting the count when
    /// it is new.
    fn set_nonce(&mut self, realm: &str, nonce: &str) {
        if let Some(e) = self.slot(realm) {
            if e.nonce != nonce {
                e.nonce = nonce.to_owned();
                e.count = 0;
            }
            return;
        }
        if self.entries.len() >= MAX_TRACKED_REALMS {
            self.entries.remove(0);
        }
        self.entries.push(NonceEntry {
            realm: realm.to_owned(),
            nonce: nonce.to_owned(),
            count: 0,
        });
    }

    /// The `nc` to send with the next request using `nonce` in `realm`:
    /// 1 for a nonce not seen before, then 2, 3, ... (saturating at
    /// `ffffffff`).
    pub fn next_nc(&mut self, realm: &str, nonce: &str) -> NonceCount {
        self.set_nonce(realm, nonce);
        let e = self.entries.iter_mut().find(|e| e.realm == realm);
        match e {
            Some(e) => {
                e.count = e.count.saturating_add(1);
                NonceCount(e.count)
            }
            // set_nonce just inserted it; keep a total fallback anyway.
            None => NonceCount::FIRST,
        }
    }

    /// The current nonce of `realm` and the last `nc` sent with it (0 when
    /// none was sent yet).
    pub fn current(&self, realm: &str) -> Option<(&str, NonceCount)> {
        self.entries
            .iter()
            .find(|e| e.realm == realm)
            .map(|e| (e.nonce.as_str(), NonceCount(e.count)))
    }

    /// Records a challenge and decides what to do with it.
    ///
    /// `answered_realm` says whether the challenged request already carried
    /// credentials for this challenge's realm. A rejected realm is
    /// forgotten; otherwise the challenge's nonce becomes current (count
    /// reset when it is new).
    pub fn on_challenge(
        &mut self,
        challenge: &Challenge,
        answered_realm: bool,
    ) -> ChallengeVerdict {
        if answered_realm && !challenge.stale {
            self.forget(&challenge.realm);
            return ChallengeVerdict::CredentialsRejected;
        }
        self.set_nonce(&challenge.realm, &challenge.nonce);
        if answered_realm {
            ChallengeVerdict::RetryStale
        } else {
            ChallengeVerdict::Answer
        }
    }

    /// Applies `nextnonce` from an `Authentication-Info` received for
    /// `realm` (RFC 7616 section 3.5: the client SHOULD use it next).
    pub fn on_authentication_info(&mut self, realm: &str, info: &AuthenticationInfo) {
        if let Some(n) = &info.nextnonce {
            self.set_nonce(realm, n);
        }
    }

    /// Drops what is known about `realm`.
    pub fn forget(&mut self, realm: &str) {
        self.entries.retain(|e| e.realm != realm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pw(s: &str) -> Secret {
        Secret::Password(Password::new(s))
    }

    fn input<'a>(
        username: &'a str,
        secret: &'a Secret,
        method: &'a str,
        uri: &'a str,
        cnonce: &'a str,
    ) -> DigestInput<'a> {
        DigestInput {
            username,
            secret,
            method,
            uri,
            body: b"",
            cnonce,
            nc: NonceCount::FIRST,
        }
    }

    // RFC 2617 section 3.5.
    const RFC2617_CHALLENGE: &str = "Digest\r\n        realm=\"testrealm@host.com\",\r\n        qop=\"auth,auth-int\",\r\n        nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n        opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";

    #[test]
    fn rfc2617_example() {
        let ch = Challenge::parse(RFC2617_CHALLENGE).unwrap();
        assert_eq!(ch.realm, "testrealm@host.com");
        assert_eq!(ch.qop, Some(vec![Qop::Auth, Qop::AuthInt]));
        assert_eq!(ch.algorithm, None);
        let secret = pw("Circle Of Life");
        let c = ch
            .respond(
                &input("Mufasa", &secret, "GET", "/dir/index.html", "0a4f113b"),
                &DigestPolicy::default(),
            )
            .unwrap();
        assert_eq!(c.response, "6629fae49393a05397450978507c4ef1");
        assert_eq!(c.qop, Some(Qop::Auth));
        assert_eq!(
            c.to_string(),
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", \
             response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, \
             cnonce=\"0a4f113b\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", \
             qop=auth, nc=00000001"
        );
        // The RFC's own Authorization header, parsed and verified.
        let theirs = Credentials::parse(
            "Digest username=\"Mufasa\",\r\n realm=\"testrealm@host.com\",\r\n \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n uri=\"/dir/index.html\",\r\n \
             qop=auth,\r\n nc=00000001,\r\n cnonce=\"0a4f113b\",\r\n \
             response=\"6629fae49393a05397450978507c4ef1\",\r\n \
             opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        )
        .unwrap();
        assert!(theirs.verify(&secret, "GET", b"").unwrap());
        assert!(!theirs.verify(&pw("circle of life"), "GET", b"").unwrap());
        assert!(!theirs.verify(&secret, "POST", b"").unwrap());
        let ha1 = Secret::Ha1(Ha1::compute(
            Algorithm::Md5,
            "Mufasa",
            "testrealm@host.com",
            &Password::new("Circle Of Life"),
        ));
        assert!(theirs.verify(&ha1, "GET", b"").unwrap());
        // The round trip of our own output.
        assert_eq!(Credentials::parse(&c.to_string()).unwrap(), c);
    }

    // RFC 7616 section 3.9.1.
    fn rfc7616_challenge(alg: &str) -> String {
        format!(
            "Digest\n    realm=\"http-auth@example.org\",\n    qop=\"auth, auth-int\",\n    \
             algorithm={alg},\n    nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\n    \
             opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
        )
    }

    const RFC7616_CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

    #[test]
    fn rfc7616_md5_and_sha256() {
        let secret = pw("Circle of Life");
        for (alg, expected) in [
            ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
            (
                "SHA-256",
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            ),
        ] {
            let ch = Challenge::parse(&rfc7616_challenge(alg)).unwrap();
            let c = ch
                .respond(
                    &input("Mufasa", &secret, "GET", "/dir/index.html", RFC7616_CNONCE),
                    &DigestPolicy::default(),
                )
                .unwrap();
            assert_eq!(c.response, expected, "{alg}");
            assert_eq!(
                c.opaque.as_deref(),
                Some("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")
            );
            assert!(c.verify(&secret, "GET", b"").unwrap());
        }
    }

    #[test]
    fn rfc7616_sha512_256_userhash() {
        // RFC 7616 section 3.9.2. The hex values printed there do not follow
        // from the section's own formulas (RFC errata 4897 reports it), so
        // the expected values below were computed independently with
        // Python's hashlib sha512_256 from the formulas of sections 3.4.1,
        // 3.4.2 and 3.4.4 (A1 uses the real username; only the wire carries
        // the hash).
        let username = "J\u{e4}s\u{f8}n Doe";
        assert_eq!(
            Algorithm::Sha512_256.userhash(username, "api@example.org"),
            "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b"
        );
        let ch = Challenge::parse(
            "Digest realm=\"api@example.org\", qop=\"auth\", algorithm=SHA-512-256, \
             nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\", \
             opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\", charset=UTF-8, userhash=true",
        )
        .unwrap();
        assert!(ch.userhash);
        assert_eq!(ch.params[0].name, "charset");
        let secret = pw("Secret, or not?");
        let c = ch
            .respond(
                &input(
                    username,
                    &secret,
                    "GET",
                    "/doe.json",
                    "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v",
                ),
                &DigestPolicy::default(),
            )
            .unwrap();
        assert_eq!(
            c.username,
            "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b"
        );
        assert!(c.userhash);
        assert_eq!(
            c.response,
            "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5"
        );
        // A server holding H(A1) verifies it; a bare password cannot be
        // matched to a hashed username.
        let ha1 = Secret::Ha1(Ha1::compute(
            Algorithm::Sha512_256,
            username,
            "api@example.org",
            &Password::new("Secret, or not?"),
        ));
        assert!(c.verify(&ha1, "GET", b"").unwrap());
        assert_eq!(
            c.verify(&secret, "GET", b""),
            Err(AuthError::UserhashNeedsHa1)
        );
    }

    #[test]
    fn auth_int_and_empty_body() {
        let ch = Challenge::parse(RFC2617_CHALLENGE).unwrap();
        let secret = pw("Circle Of Life");
        let policy = DigestPolicy {
            prefer_auth_int: true,
            ..DigestPolicy::default()
        };
        let mut inp = input(
            "Mufasa",
            &secret,
            "INVITE",
            "sip:bob@biloxi.com",
            "0a4f113b",
        );
        inp.body = b"v=0\r\n";
        let c = ch.respond(&inp, &policy).unwrap();
        assert_eq!(c.qop, Some(Qop::AuthInt));
        // Independent computation of RFC 2617 section 3.2.2.3 A2.
        let a = Algorithm::Md5;
        let ha1 = a.hash_hex(&[b"Mufasa", b"testrealm@host.com", b"Circle Of Life"]);
        let hbody = a.hash_hex(&[b"v=0\r\n"]);
        let ha2 = a.hash_hex(&[b"INVITE", b"sip:bob@biloxi.com", hbody.as_bytes()]);
        let expect = a.hash_hex(&[
            ha1.as_bytes(),
            b"dcd98b7102dd2f0e8b11d0f600bfb0c093",
            b"00000001",
            b"0a4f113b",
            b"auth-int",
            ha2.as_bytes(),
        ]);
        assert_eq!(c.response, expect);
        assert!(c.verify(&secret, "INVITE", b"v=0\r\n").unwrap());
        assert!(!c.verify(&secret, "INVITE", b"v=1\r\n").unwrap());
        // RFC 3261 section 22.4 item 7: H("") for an empty body.
        assert_eq!(a.hash_hex(&[b""]), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            Algorithm::Sha256.hash_hex(&[b""]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        inp.body = b"";
        let c = ch.respond(&inp, &policy).unwrap();
        assert!(c.verify(&secret, "INVITE", b"").unwrap());
        // Only auth-int offered: used even with the default policy.
        let ch2 = Challenge::parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"").unwrap();
        let c = ch2.respond(&inp, &DigestPolicy::default()).unwrap();
        assert_eq!(c.qop, Some(Qop::AuthInt));
    }

    #[test]
    fn md5_sess_and_sha256_sess() {
        let secret = pw("Circle Of Life");
        for alg in [
            Algorithm::Md5Sess,
            Algorithm::Sha256Sess,
            Algorithm::Sha512_256Sess,
        ] {
            let ch = Challenge::parse(&format!(
                "Digest realm=\"biloxi.com\", nonce=\"abc\", qop=\"auth\", algorithm={alg}"
            ))
            .unwrap();
            assert_eq!(ch.algorithm, Some(alg));
            let c = ch
                .respond(
                    &input("bob", &secret, "REGISTER", "sip:biloxi.com", "xyz"),
                    &DigestPolicy::default(),
                )
                .unwrap();
            // RFC 7616 section 3.4.2 by hand.
            let base = alg.hash_hex(&[b"bob", b"biloxi.com", b"Circle Of Life"]);
            let ha1 = alg.hash_hex(&[base.as_bytes(), b"abc", b"xyz"]);
            let ha2 = alg.hash_hex(&[b"REGISTER", b"sip:biloxi.com"]);
            let expect = alg.hash_hex(&[
                ha1.as_bytes(),
                b"abc",
                b"00000001",
                b"xyz",
                b"auth",
                ha2.as_bytes(),
            ]);
            assert_eq!(c.response, expect, "{alg}");
            assert_eq!(c.response.len(), alg.hex_len());
            assert!(c.verify(&secret, "REGISTER", b"").unwrap());
            assert!(c.to_string().contains(&format!("algorithm={alg},")));
            // The server can verify from the stored non-session H(A1).
            let ha1 = Secret::Ha1(Ha1::from_hex(base.to_uppercase()));
            assert!(c.verify(&ha1, "REGISTER", b"").unwrap());
            // H(A1) of the wrong length is an error, not a mismatch.
            let short = Secret::Ha1(Ha1::from_hex("abcd"));
            assert!(matches!(
                c.verify(&short, "REGISTER", b""),
                Err(AuthError::BadHa1 { .. })
            ));
        }
        // -sess without qop still sends qop=auth (RFC 3261 section 22.4
        // item 8: a cnonce needs qop).
        let ch = Challenge::parse("Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess").unwrap();
        let c = ch
            .respond(
                &input("u", &secret, "REGISTER", "sip:r", "c"),
                &DigestPolicy::default(),
            )
            .unwrap();
        assert_eq!(c.qop, Some(Qop::Auth));
        assert_eq!(c.cnonce.as_deref(), Some("c"));
    }

    #[test]
    fn no_qop_rfc2069_form() {
        let ch = Challenge::parse(
            "Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"",
        )
        .unwrap();
        assert_eq!(ch.qop, None);
        let secret = pw("Circle Of Life");
        let c = ch
            .respond(
                &input("Mufasa", &secret, "GET", "/dir/index.html", "ignored"),
                &DigestPolicy::default(),
            )
            .unwrap();
        let a = Algorithm::Md5;
        let ha1 = a.hash_hex(&[b"Mufasa", b"testrealm@host.com", b"Circle Of Life"]);
        let ha2 = a.hash_hex(&[b"GET", b"/dir/index.html"]);
        let expect = a.hash_hex(&[
            ha1.as_bytes(),
            b"dcd98b7102dd2f0e8b11d0f600bfb0c093",
            ha2.as_bytes(),
        ]);
        assert_eq!(c.response, expect);
        assert_eq!((c.qop, c.cnonce.as_deref(), c.nc), (None, None, None));
        let text = c.to_string();
        assert!(
            !text.contains("cnonce") && !text.contains("nc=") && !text.contains("qop"),
            "{text}"
        );
        assert!(
            Credentials::parse(&text)
                .unwrap()
                .verify(&secret, "GET", b"")
                .unwrap()
        );
        // RFC 8760 policy: qop=auth even though the challenge has none.
        let policy = DigestPolicy {
            assume_auth_when_qop_absent: true,
            ..DigestPolicy::default()
        };
        let c = ch
            .respond(
                &input("Mufasa", &secret, "GET", "/dir/index.html", "cn"),
                &policy,
            )
            .unwrap();
        assert_eq!(c.qop, Some(Qop::Auth));
        assert!(c.verify(&secret, "GET", b"").unwrap());
    }

    #[test]
    fn sip_example_challenge() {
        // RFC 3261 style; stale and algorithm unquoted and upper case.
        let ch = Challenge::parse(
            "Digest realm=\"atlanta.com\", domain=\"sip:boxesbybob.com\", qop=\"auth\", \
             nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", opaque=\"\", stale=FALSE, algorithm=MD5",
        )
        .unwrap();
        assert_eq!(ch.realm, "atlanta.com");
        assert_eq!(ch.domain, vec!["sip:boxesbybob.com".to_owned()]);
        assert_eq!(ch.opaque.as_deref(), Some(""));
        assert!(!ch.stale);
        assert_eq!(ch.algorithm, Some(Algorithm::Md5));
        // Round trip through the canonical form.
        assert_eq!(Challenge::parse(&ch.to_string()).unwrap(), ch);
        let secret = pw("pw");
        let c = ch
            .respond(
                &input("alice", &secret, "INVITE", "sip:bob@biloxi.com", "c1"),
                &DigestPolicy::default(),
            )
            .unwrap();
        // opaque="" is echoed.
        assert!(c.to_string().contains("opaque=\"\""), "{c}");
    }

    #[test]
    fn challenge_edge_cases() {
        // Escaped quotes and backslashes in a quoted-string.
        let ch = Challenge::parse(r#"Digest realm="a \"quoted\" realm \\ x", nonce="n""#).unwrap();
        assert_eq!(ch.realm, r#"a "quoted" realm \ x"#);
        assert_eq!(Challenge::parse(&ch.to_string()).unwrap(), ch);
        // Odd whitespace, tabs, folding, upper-case names and scheme,
        // empty list elements, unquoted values.
        let ch = Challenge::parse(
            "  DIGEST\t REALM = \"r\" ,,\r\n\tNONCE=abc/def== ,  QOP = auth , STALE = True,Algorithm=sha-256 ,",
        )
        .unwrap();
        assert_eq!(ch.realm, "r");
        assert_eq!(ch.nonce, "abc/def==");
        assert_eq!(ch.qop, Some(vec![Qop::Auth]));
        assert!(ch.stale);
        assert_eq!(ch.algorithm, Some(Algorithm::Sha256));
        // Folding inside a quoted string keeps the whitespace, drops the
        // line break.
        let ch = Challenge::parse("Digest realm=\"a\r\n b\", nonce=\"n\"").unwrap();
        assert_eq!(ch.realm, "a b");
        // Unknown qop options are ignored; unknown params kept.
        let ch = Challenge::parse(
            "Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf,auth\", foo=bar, baz=\"q x\"",
        )
        .unwrap();
        assert_eq!(ch.qop, Some(vec![Qop::Auth]));
        assert_eq!(
            ch.params,
            vec![
                AuthParam {
                    name: "foo".into(),
                    value: "bar".into(),
                    quoted: false
                },
                AuthParam {
                    name: "baz".into(),
                    value: "q x".into(),
                    quoted: true
                },
            ]
        );
        assert_eq!(Challenge::parse(&ch.to_string()).unwrap(), ch);
        // Only unknown qop options: parsed, but cannot be answered.
        let ch = Challenge::parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\"").unwrap();
        assert_eq!(ch.qop, Some(vec![]));
        let secret = pw("p");
        assert_eq!(
            ch.respond(
                &input("u", &secret, "REGISTER", "sip:r", "c"),
                &DigestPolicy::default()
            ),
            Err(AuthError::NoSupportedQop)
        );
    }

    #[test]
    fn challenge_errors() {
        let e = |s: &str| Challenge::parse(s).unwrap_err();
        assert_eq!(
            e("Digest realm=\"r\""),
            AuthError::MissingParam {
                name: "nonce",
                offset: 16
            }
        );
        assert_eq!(
            e("Digest nonce=\"n\""),
            AuthError::MissingParam {
                name: "realm",
                offset: 16
            }
        );
        assert_eq!(
            e("Basic realm=\"r\""),
            AuthError::OtherScheme {
                scheme: "Basic".into(),
                offset: 0
            }
        );
        assert!(matches!(e("NTLM"), AuthError::OtherScheme { .. }));
        assert_eq!(
            e("Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5"),
            AuthError::UnsupportedAlgorithm {
                name: "AKAv1-MD5".into(),
                offset: 39
            }
        );
        assert_eq!(
            e("Digest realm=\"r, nonce=\"n\""),
            AuthError::Syntax {
                expected: "',' between parameters",
                offset: 24
            }
        );
        assert_eq!(
            e("Digest realm=\"r"),
            AuthError::UnterminatedQuote { offset: 13 }
        );
        assert_eq!(
            e("Digest realm=\"r\\"),
            AuthError::UnterminatedQuote { offset: 13 }
        );
        assert_eq!(
            e("Digest realm"),
            AuthError::Syntax {
                expected: "'=' after parameter name",
                offset: 12
            }
        );
        assert_eq!(
            e("Digest realm="),
            AuthError::Syntax {
                expected: "parameter value",
                offset: 13
            }
        );
        assert_eq!(
            e("Digest =x"),
            AuthError::Syntax {
                expected: "parameter name",
                offset: 7
            }
        );
        assert_eq!(
            e(""),
            AuthError::Syntax {
                expected: "authentication scheme",
                offset: 0
            }
        );
        assert_eq!(
            e("Digest,realm=\"r\""),
            AuthError::Syntax {
                expected: "whitespace after the Digest scheme",
                offset: 6
            }
        );
        assert_eq!(
            e("Digest realm=\"r\", nonce=\"n\", Realm=\"s\""),
            AuthError::DuplicateParam {
                name: "realm".into(),
                offset: 29
            }
        );
        assert_eq!(
            e("Digest realm=\"a\x01\""),
            AuthError::ControlChar {
                byte: 1,
                offset: 15
            }
        );
        assert_eq!(
            e("Digest realm=\"a\r\nb\""),
            AuthError::Syntax {
                expected: "whitespace after a line break (folding)",
                offset: 17
            }
        );
        assert_eq!(
            e("Digest realm=\"a\\\r\n b\""),
            AuthError::Syntax {
                expected: "escapable character after backslash (not CR or LF)",
                offset: 16
            }
        );
        assert_eq!(
            e("Digest realm=\"r\" nonce=\"n\""),
            AuthError::Syntax {
                expected: "',' between parameters",
                offset: 17
            }
        );
        // Messages say what and where.
        assert_eq!(
            e("Digest realm=\"r\"").to_string(),
            "required parameter \"nonce\" is missing (parameter list ends at byte 16)"
        );
    }

    #[test]
    fn credentials_parse_and_errors() {
        let c = Credentials::parse(
            "digest USERNAME=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b\", uri=sip:bob@biloxi.com, \
             response=\"245F23415F11432B3434341C022\", x-foo=1",
        )
        .unwrap();
        assert_eq!(c.uri, "sip:bob@biloxi.com");
        assert_eq!(c.algorithm(), Algorithm::Md5);
        assert_eq!(c.params.len(), 1);
        let e = |s: &str| Credentials::parse(s).unwrap_err();
        assert_eq!(
            e("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\""),
            AuthError::MissingParam {
                name: "response",
                offset: 50
            }
        );
        assert!(matches!(
            e("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"zz\""),
            AuthError::InvalidValue {
                name: "response",
                offset: 61,
                ..
            }
        ));
        assert!(matches!(
            e(
                "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"\", qop=auth, cnonce=\"c\", nc=1"
            ),
            AuthError::InvalidValue { name: "nc", .. }
        ));
        assert_eq!(
            e(
                "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"\", qop=auth, nc=00000001"
            ),
            AuthError::MissingParam {
                name: "cnonce",
                offset: 86
            }
        );
        assert!(matches!(
            e(
                "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"\", qop=auth-conf"
            ),
            AuthError::InvalidValue { name: "qop", .. }
        ));
        // username and username* together (RFC 7616 section 3.4).
        assert!(matches!(
            e("Digest username=\"a\", username*=UTF-8''a, realm=\"r\", nonce=\"n\", uri=\"u\", response=\"\""),
            AuthError::DuplicateParam { ref name, .. } if name == "username*"
        ));
        // FromStr.
        let c: Credentials =
            "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"\""
                .parse()
                .unwrap();
        assert_eq!(c.username, "a");
        // Empty response (RFC 8760: before any challenge) is accepted.
        let c = Credentials::parse(
            "Digest username=\"a\", realm=\"r\", nonce=\"\", uri=\"sip:r\", response=\"\"",
        )
        .unwrap();
        assert_eq!(c.response, "");
        assert!(!c.verify(&pw("x"), "REGISTER", b"").unwrap());
    }

    #[test]
    fn authentication_info() {
        let secret = pw("Circle Of Life");
        let ch = Challenge::parse(RFC2617_CHALLENGE).unwrap();
        let c = ch
            .respond(
                &input("Mufasa", &secret, "GET", "/dir/index.html", "0a4f113b"),
                &DigestPolicy::default(),
            )
            .unwrap();
        let info = c
            .authentication_info(&secret, b"", Some("next1".into()))
            .unwrap();
        let text = info.to_string();
        assert!(
            text.starts_with("nextnonce=\"next1\", qop=auth, rspauth=\""),
            "{text}"
        );
        assert!(text.ends_with("cnonce=\"0a4f113b\", nc=00000001"), "{text}");
        let parsed = AuthenticationInfo::parse(&text).unwrap();
        assert_eq!(parsed, info);
        assert!(parsed.verify_rspauth(&c, &secret, b"").unwrap());
        assert!(!parsed.verify_rspauth(&c, &pw("nope"), b"").unwrap());
        // rspauth uses A2 = ":" uri.
        let a = Algorithm::Md5;
        let ha1 = a.hash_hex(&[b"Mufasa", b"testrealm@host.com", b"Circle Of Life"]);
        let ha2 = a.hash_hex(&[b"", b"/dir/index.html"]);
        let expect = a.hash_hex(&[
            ha1.as_bytes(),
            b"dcd98b7102dd2f0e8b11d0f600bfb0c093",
            b"00000001",
            b"0a4f113b",
            b"auth",
            ha2.as_bytes(),
        ]);
        assert_eq!(parsed.rspauth.as_deref(), Some(expect.as_str()));
        let info = AuthenticationInfo::parse("NextNonce=\"47364c23432d2e131a5fb210812c\"").unwrap();
        assert_eq!(
            info.nextnonce.as_deref(),
            Some("47364c23432d2e131a5fb210812c")
        );
        assert_eq!(
            AuthenticationInfo::parse("").unwrap(),
            AuthenticationInfo::default()
        );
        assert!(matches!(
            AuthenticationInfo::parse("rspauth=\"xyz\""),
            Err(AuthError::InvalidValue {
                name: "rspauth",
                offset: 8,
                ..
            })
        ));
        assert!(matches!(
            AuthenticationInfo::parse("nc=00000001, nc=00000002"),
            Err(AuthError::DuplicateParam { offset: 13, .. })
        ));
    }

    #[test]
    fn select_first_supported() {
        let values = [
            "Basic realm=\"x\"",
            "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512",
            "Digest realm=\"r\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\"",
            "Digest realm=\"r\", nonce=\"n2\", algorithm=MD5, qop=\"auth\"",
        ];
        let ch = select_challenge(values, |_| true).unwrap();
        assert_eq!(ch.algorithm, Some(Algorithm::Sha256));
        // Local policy: only MD5.
        let ch = select_challenge(values, |c| c.algorithm() == Algorithm::Md5).unwrap();
        assert_eq!(ch.nonce, "n2");
        assert_eq!(
            select_challenge(values[..2].iter().copied(), |_| true),
            Err(AuthError::NoUsableChallenge { count: 2 })
        );
    }

    #[test]
    fn nonce_tracker() {
        let mut t = NonceTracker::new();
        assert_eq!(t.next_nc("r", "n1"), NonceCount(1));
        assert_eq!(t.next_nc("r", "n1"), NonceCount(2));
        assert_eq!(t.next_nc("other", "x"), NonceCount(1));
        assert_eq!(t.next_nc("r", "n1"), NonceCount(3));
        assert_eq!(t.current("r"), Some(("n1", NonceCount(3))));
        // A new nonce resets the count.
        assert_eq!(t.next_nc("r", "n2"), NonceCount(1));
        assert_eq!(NonceCount(3).to_string(), "00000003");
        // First challenge: answer. Then stale: retry with the new nonce.
        let mut ch = Challenge::new("r", "n3", Algorithm::Md5);
        assert_eq!(t.on_challenge(&ch, false), ChallengeVerdict::Answer);
        assert_eq!(t.current("r"), Some(("n3", NonceCount(0))));
        assert_eq!(t.next_nc("r", "n3"), NonceCount(1));
        ch.nonce = "n4".into();
        ch.stale = true;
        assert_eq!(t.on_challenge(&ch, true), ChallengeVerdict::RetryStale);
        assert_eq!(t.next_nc("r", "n4"), NonceCount(1));
        // Challenged again without stale after answering: wrong password.
        ch.stale = false;
        assert_eq!(
            t.on_challenge(&ch, true),
            ChallengeVerdict::CredentialsRejected
        );
        assert_eq!(t.current("r"), None);
        // nextnonce.
        t.on_authentication_info(
            "other",
            &AuthenticationInfo {
                nextnonce: Some("y".into()),
                ..Default::default()
            },
        );
        assert_eq!(t.current("other"), Some(("y", NonceCount(0))));
        // Bounded.
        for i in 0..100 {
            t.next_nc(&format!("realm{i}"), "n");
        }
        assert_eq!(t.entries.len(), MAX_TRACKED_REALMS);
        // Saturates rather than wrapping to 0.
        let mut t = NonceTracker::new();
        t.set_nonce("r", "n");
        t.entries[0].count = u32::MAX;
        assert_eq!(t.next_nc("r", "n"), NonceCount(u32::MAX));
    }

    #[test]
    fn secrets_are_hidden() {
        let p = Password::new("Circle Of Life");
        assert_eq!(format!("{p:?}"), "Password(***)");
        let s = Secret::Password(p.clone());
        assert!(!format!("{s:?}").contains("Circle"));
        assert!(!format!("{s:#?}").contains("Circle"));
        let h = Ha1::compute(Algorithm::Md5, "u", "r", &p);
        assert_eq!(format!("{h:?}"), "Ha1(***)");
        let inp = input("Mufasa", &s, "GET", "/", "c");
        assert!(!format!("{inp:?}").contains("Circle"));
    }

    #[test]
    fn respond_rejects_injection() {
        let ch = Challenge::new("r", "n", Algorithm::Sha256);
        let secret = pw("p");
        for (inp, what) in [
            (
                input("a\r\nVia: x", &secret, "REGISTER", "sip:r", "c"),
                "username",
            ),
            (input("a", &secret, "REGISTER", "sip:r\n", "c"), "uri"),
            (input("a", &secret, "REG ISTER", "sip:r", "c"), "method"),
            (input("a", &secret, "REGISTER", "sip:r", "c\0"), "cnonce"),
        ] {
            assert_eq!(
                ch.respond(&inp, &DigestPolicy::default()),
                Err(AuthError::UnsendableValue { what })
            );
        }
        // A struct built by hand never prints a line break.
        let mut c = ch
            .respond(
                &input("a\"b\\", &secret, "REGISTER", "sip:r", "c"),
                &DigestPolicy::default(),
            )
            .unwrap();
        assert!(c.to_string().starts_with(r#"Digest username="a\"b\\""#));
        c.realm = "x\r\ny".into();
        assert!(!c.to_string().contains('\n'));
    }

    fn token_strategy() -> impl Strategy<Value = String> {
        "[A-Za-z0-9.!%*_+`'~-]{1,12}"
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        // Printable text including quotes, backslashes, tabs, non-ASCII.
        "[ -~\t\u{e4}\u{20ac}]{0,20}"
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC*", t in any::<String>()) {
            for v in [&s, &t] {
                let _ = Challenge::parse(v);
                let _ = Credentials::parse(v);
                let _ = AuthenticationInfo::parse(v);
            }
        }

        #[test]
        fn parsing_never_panics_on_near_valid(
            prefix in "(Digest |digest\t|)",
            body in "([a-z]{1,6}[ \t]*=[ \t]*(\"([^\"\\\\]|\\\\.){0,8}\"?|[a-zA-Z0-9/=]{0,6})[ ,\r\n]{0,3}){0,6}",
        ) {
            let s = format!("{prefix}{body}");
            let _ = Challenge::parse(&s);
            let _ = Credentials::parse(&s);
            let _ = AuthenticationInfo::parse(&s);
        }

        #[test]
        fn challenge_round_trip(
            realm in text_strategy(),
            nonce in text_strategy(),
            opaque in proptest::option::of(text_strategy()),
            stale in any::<bool>(),
            alg in proptest::option::of(proptest::sample::select(Algorithm::ALL.to_vec())),
            qop in proptest::option::of(proptest::sample::subsequence(vec![Qop::Auth, Qop::AuthInt], 0..=2)),
            extra in proptest::collection::vec((token_strategy(), text_strategy(), any::<bool>()), 0..3),
        ) {
            let params = extra
                .into_iter()
                .filter(|(n, _, _)| find_name(&["realm", "domain", "nonce", "opaque", "stale", "algorithm", "qop", "userhash"], n).is_none())
                .map(|(name, value, quoted)| {
                    let quoted = quoted || !is_token(&value);
                    AuthParam { name, value, quoted }
                })
                .collect();
            let ch = Challenge {
                realm, domain: vec![], nonce, opaque, stale, algorithm: alg, qop,
                userhash: false, params,
            };
            let text = ch.to_string();
            prop_assert_eq!(Challenge::parse(&text), Ok(ch), "{}", text);
        }

        #[test]
        fn respond_verify_round_trip(
            user in text_strategy(),
            password in text_strategy(),
            realm in text_strategy(),
            nonce in text_strategy(),
            cnonce in text_strategy(),
            body in proptest::collection::vec(any::<u8>(), 0..40),
            alg in proptest::sample::select(Algorithm::ALL.to_vec()),
            auth_int in any::<bool>(),
            nc in 1u32..,
        ) {
            let mut ch = Challenge::new(realm, nonce, alg);
            ch.qop = Some(vec![Qop::Auth, Qop::AuthInt]);
            let secret = pw(&password);
            let inp = DigestInput {
                username: &user, secret: &secret, method: "INVITE", uri: "sip:x@y",
                body: &body, cnonce: &cnonce, nc: NonceCount(nc),
            };
            let policy = DigestPolicy { prefer_auth_int: auth_int, ..Default::default() };
            let c = ch.respond(&inp, &policy).unwrap();
            let parsed = Credentials::parse(&c.to_string()).unwrap();
            prop_assert_eq!(&parsed, &c);
            prop_assert!(parsed.verify(&secret, "INVITE", &body).unwrap());
        }
    }
}
