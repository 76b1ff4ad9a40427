//! The authentication headers as typed headers (RFC 3261 sections 20.7,
//! 20.27, 20.28, 20.44, 20.6); the grammar and the digest computation live
//! in [`crate::auth`].

use std::fmt;

use super::{HeaderError, HeaderErrorKind, TypedHeader};
use crate::auth::{self, AuthError, Challenge, Credentials};
use crate::name::HeaderName;

/// Maps an [`AuthError`] to the header error kinds, keeping its offset.
pub(crate) fn header_error(e: &AuthError) -> HeaderError {
    use AuthError::*;
    let (kind, offset) = match e {
        OtherScheme { offset, .. } => (HeaderErrorKind::Expected("the Digest scheme"), *offset),
        Syntax { expected, offset } => (HeaderErrorKind::Expected(expected), *offset),
        UnterminatedQuote { offset } => (HeaderErrorKind::UnterminatedQuote, *offset),
        ControlChar { offset, .. } => (HeaderErrorKind::InvalidToken, *offset),
        UnsupportedAlgorithm { offset, .. } => {
            (HeaderErrorKind::Expected("a supported algorithm"), *offset)
        }
        DuplicateParam { offset, .. }
        | MissingParam { offset, .. }
        | InvalidValue { offset, .. } => (HeaderErrorKind::InvalidParam, *offset),
        _ => (HeaderErrorKind::Expected("a usable Digest value"), 0),
    };
    HeaderError::new(kind, offset)
}

/// Whether the value is well formed although this crate cannot use it (another
/// scheme, an unknown algorithm): RFC 4475 3.3.7 and RFC 7616 section 3.3.
pub(crate) fn well_formed_but_unusable(e: &AuthError) -> bool {
    matches!(
        e,
        AuthError::OtherScheme { .. }
            | AuthError::UnsupportedAlgorithm { .. }
            | AuthError::NoSupportedQop
    )
}

macro_rules! auth_header {
    ($(#[$doc:meta])* $ty:ident, $inner:ty, $name:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $ty(pub $inner);

        impl $ty {
            /// Parses, keeping the full [`AuthError`].
            pub fn parse_auth(value: &str) -> Result<Self, AuthError> {
                <$inner>::parse(value).map($ty)
            }
        }

        impl TypedHeader<'_> for $ty {
            const NAME: HeaderName = $name;
            fn parse(value: &str) -> Result<Self, HeaderError> {
                Self::parse_auth(value).map_err(|e| header_error(&e))
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

auth_header!(
    /// `WWW-Authenticate` (RFC 3261 section 20.44).
    WwwAuthenticate, Challenge, HeaderName::WwwAuthenticate);
auth_header!(
    /// `Proxy-Authenticate` (RFC 3261 section 20.27).
    ProxyAuthenticate, Challenge, HeaderName::ProxyAuthenticate);
auth_header!(
    /// `Authorization` (RFC 3261 section 20.7).
    Authorization, Credentials, HeaderName::Authorization);
auth_header!(
    /// `Proxy-Authorization` (RFC 3261 section 20.28).
    ProxyAuthorization, Credentials, HeaderName::ProxyAuthorization);
auth_header!(
    /// `Authentication-Info` (RFC 3261 section 20.6).
    AuthenticationInfo, auth::AuthenticationInfo, HeaderName::AuthenticationInfo);
