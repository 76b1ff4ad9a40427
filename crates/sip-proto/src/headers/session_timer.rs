//! Session timer headers (RFC 4028 sections 4 and 5).

use std::fmt;

use super::{HeaderError, HeaderErrorKind, Params, TypedHeader, scalar::number, token_params};
use crate::name::HeaderName;

/// Who refreshes the session (RFC 4028 section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refresher {
    /// The caller (UAC of the INVITE).
    Uac,
    /// The callee.
    Uas,
}

/// `Session-Expires: 1800;refresher=uac` (RFC 4028 section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionExpires<'a> {
    /// The session interval in seconds.
    pub delta: u32,
    /// Parameters, including `refresher`.
    pub params: Params<'a>,
}

impl SessionExpires<'_> {
    /// The `refresher` parameter, if it is `uac` or `uas`.
    pub fn refresher(&self) -> Option<Refresher> {
        match self.params.get("refresher").flatten()? {
            r if r.eq_ignore_ascii_case("uac") => Some(Refresher::Uac),
            r if r.eq_ignore_ascii_case("uas") => Some(Refresher::Uas),
            _ => None,
        }
    }
}

fn delta_params<'a>(value: &'a str) -> Result<(u32, Params<'a>), HeaderError> {
    let (t, params) = token_params(value, "delta-seconds")?;
    let delta = number(t).map_err(|e| HeaderError::new(e.kind, value.find(t).unwrap_or(0)))?;
    Ok((delta, params))
}

impl<'a> TypedHeader<'a> for SessionExpires<'a> {
    const NAME: HeaderName = HeaderName::SessionExpires;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let (delta, params) = delta_params(value)?;
        if params.get("refresher").is_some_and(|r| {
            !r.is_some_and(|r| r.eq_ignore_ascii_case("uac") || r.eq_ignore_ascii_case("uas"))
        }) {
            return Err(HeaderError::new(HeaderErrorKind::InvalidParam, 0));
        }
        Ok(SessionExpires { delta, params })
    }
}

impl fmt::Display for SessionExpires<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.delta, self.params)
    }
}

/// `Min-SE: 90` (RFC 4028 section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MinSe<'a> {
    /// The minimum session interval in seconds.
    pub delta: u32,
    /// Extension parameters.
    pub params: Params<'a>,
}

impl<'a> TypedHeader<'a> for MinSe<'a> {
    const NAME: HeaderName = HeaderName::MinSe;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let (delta, params) = delta_params(value)?;
        Ok(MinSe { delta, params })
    }
}

impl fmt::Display for MinSe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.delta, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_expires() {
        let s = SessionExpires::parse("1800;refresher=uas").unwrap();
        assert_eq!((s.delta, s.refresher()), (1800, Some(Refresher::Uas)));
        assert_eq!(s.to_string(), "1800;refresher=uas");
        assert_eq!(SessionExpires::parse("90").unwrap().refresher(), None);
        assert!(SessionExpires::parse("90;refresher=both").is_err());
        assert!(SessionExpires::parse("abc").is_err());
        assert_eq!(MinSe::parse(" 90 ").unwrap().delta, 90);
    }
}
