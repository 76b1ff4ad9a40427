//! Event notification headers (RFC 6665 sections 8.2.1, 8.2.2, 8.2.3).

use std::fmt;

use super::{HeaderError, Params, TypedHeader, token_params};
use crate::name::HeaderName;

/// `Event: message-summary;id=1` (RFC 6665 section 8.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Event<'a> {
    /// The event package, with any template (`presence.winfo`).
    pub package: &'a str,
    /// Parameters such as `id`.
    pub params: Params<'a>,
}

impl<'a> Event<'a> {
    /// The `id` parameter, which tells subscriptions of one dialog apart.
    pub fn id(&self) -> Option<&'a str> {
        self.params.get("id").flatten()
    }
}

impl<'a> TypedHeader<'a> for Event<'a> {
    const NAME: HeaderName = HeaderName::Event;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let (package, params) = token_params(value, "event type")?;
        Ok(Event { package, params })
    }
}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.package, self.params)
    }
}

/// One event type of `Allow-Events` (RFC 6665 section 8.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AllowEvents<'a>(pub &'a str);

impl<'a> TypedHeader<'a> for AllowEvents<'a> {
    const NAME: HeaderName = HeaderName::AllowEvents;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let (t, p) = token_params(value, "event type")?;
        if !p.is_empty() {
            return Err(HeaderError::new(super::HeaderErrorKind::Trailing, t.len()));
        }
        Ok(AllowEvents(t))
    }
}

impl fmt::Display for AllowEvents<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// `Subscription-State: active;expires=3600` (RFC 6665 section 8.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubscriptionState<'a> {
    /// `active`, `pending`, `terminated` or an extension.
    pub state: &'a str,
    /// `expires`, `reason`, `retry-after`, ...
    pub params: Params<'a>,
}

impl<'a> SubscriptionState<'a> {
    /// Whether the state is `state`, case-insensitively.
    pub fn is(&self, state: &str) -> bool {
        self.state.eq_ignore_ascii_case(state)
    }

    /// The `expires` parameter in seconds.
    pub fn expires(&self) -> Option<u32> {
        self.params.get_u32("expires")
    }

    /// The `reason` parameter.
    pub fn reason(&self) -> Option<&'a str> {
        self.params.get("reason").flatten()
    }

    /// The `retry-after` parameter in seconds.
    pub fn retry_after(&self) -> Option<u32> {
        self.params.get_u32("retry-after")
    }
}

impl<'a> TypedHeader<'a> for SubscriptionState<'a> {
    const NAME: HeaderName = HeaderName::SubscriptionState;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let (state, params) = token_params(value, "substate-value")?;
        Ok(SubscriptionState { state, params })
    }
}

impl fmt::Display for SubscriptionState<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.state, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_and_state() {
        let e = Event::parse("message-summary ; id=7").unwrap();
        assert_eq!((e.package, e.id()), ("message-summary", Some("7")));
        let s = SubscriptionState::parse("terminated;reason=timeout;retry-after=30").unwrap();
        assert!(s.is("TERMINATED"));
        assert_eq!((s.reason(), s.retry_after()), (Some("timeout"), Some(30)));
        assert_eq!(
            SubscriptionState::parse("active;expires=3600")
                .unwrap()
                .expires(),
            Some(3600)
        );
        assert!(Event::parse("").is_err());
        assert_eq!(AllowEvents::parse("talk").unwrap().0, "talk");
    }
}
