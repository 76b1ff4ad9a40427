//! Client registration (RFC 3261 section 10.2) with digest authentication
//! (section 22), 423 Interval Too Brief, refresh before expiry and
//! unregistration.
//!
//! [`Registration`] is a Sans-IO state machine for one binding of one
//! account at one registrar. It builds each REGISTER (the caller adds Via
//! and sends it through a client transaction) and reads the final
//! responses and transaction timeouts. Time arrives as [`Time`]; the cnonce
//! comes from a seed the caller gives.

use sip_proto::auth::{
    ChallengeVerdict, DigestInput, DigestPolicy, NonceTracker, Password, Secret,
};
use std::time::Duration;

use sip_proto::headers::{Contact, Expires, MinExpires};
use sip_proto::{HeaderName, Message, MessageBuilder, Method, Uri};

use crate::time::Time;

/// How to register one binding.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegistrationConfig {
    /// The Request-URI: the registrar's domain, e.g. `sip:pbx.example.com`.
    pub registrar: String,
    /// The address of record (To and From), e.g. `sip:6001@pbx.example.com`.
    pub aor: String,
    /// Our Contact URI, e.g. `sip:6001@192.0.2.10:5060`.
    pub contact: String,
    /// Contact parameters to add, e.g. `;+sip.instance="<urn:uuid:...>"`.
    pub contact_params: String,
    /// The expiry we ask for, in seconds (the handset default is 3600).
    pub expires: u32,
    /// The digest user name (defaults to the extension, may differ).
    pub auth_username: String,
    /// The digest password.
    pub password: Password,
    /// How many challenges one REGISTER may meet before we give up (bounds
    /// challenge loops).
    pub max_challenges: u8,
}

impl RegistrationConfig {
    /// A configuration with the handset defaults: 3600 s, two challenges.
    pub fn new(
        registrar: &str,
        aor: &str,
        contact: &str,
        auth_username: &str,
        password: &str,
    ) -> Self {
        RegistrationConfig {
            registrar: registrar.to_string(),
            aor: aor.to_string(),
            contact: contact.to_string(),
            contact_params: String::new(),
            expires: 3600,
            auth_username: auth_username.to_string(),
            password: Password::new(password),
            max_challenges: 2,
        }
    }
}

/// Where a registration stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RegState {
    /// No binding, nothing in flight.
    Unregistered,
    /// A REGISTER is in flight.
    Registering,
    /// The registrar granted the binding until `until`.
    Registered {
        /// Granted expiry in seconds.
        expires: u32,
        /// When the binding lapses.
        until: Time,
    },
    /// The registrar refused us, or did not answer.
    Failed {
        /// The status code (408 for a timeout or transport error).
        status: u16,
        /// The reason phrase.
        reason: String,
    },
    /// A REGISTER with `Expires: 0` is in flight.
    Unregistering,
}

/// What the caller must do after an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegAction {
    /// Nothing.
    None,
    /// Send this REGISTER (add Via and Max-Forwards; a new client transaction).
    Send(MessageBuilder),
    /// The state changed; see [`Registration::state`].
    Changed(RegState),
}

/// One binding's registration state machine.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Registration {
    config: RegistrationConfig,
    state: RegState,
    call_id: String,
    from_tag: String,
    cseq: u32,
    /// The expiry asked for in the REGISTER in flight.
    asking: u32,
    nonces: NonceTracker,
    /// The last challenge answered, and whether it came in a 407.
    challenge: Option<(sip_proto::auth::Challenge, bool)>,
    challenges: u8,
    cnonce_state: u64,
    refresh_at: Option<Time>,
}

impl Registration {
    /// A registration that has not started. `call_id` and `from_tag` stay
    /// the same for every REGISTER of the binding (section 10.2); `seed`
    /// feeds the cnonces.
    pub fn new(config: RegistrationConfig, call_id: &str, from_tag: &str, seed: u64) -> Self {
        let asking = config.expires;
        Registration {
            config,
            state: RegState::Unregistered,
            call_id: call_id.to_string(),
            from_tag: from_tag.to_string(),
            cseq: 0,
            asking,
            nonces: NonceTracker::new(),
            challenge: None,
            challenges: 0,
            cnonce_state: seed,
            refresh_at: None,
        }
    }

    /// The current state.
    pub fn state(&self) -> &RegState {
        &self.state
    }

    /// The Call-ID of the binding's REGISTERs.
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// Starts (or restarts) registration.
    pub fn register(&mut self) -> MessageBuilder {
        self.asking = self.config.expires;
        self.challenges = 0;
        self.state = RegState::Registering;
        self.refresh_at = None;
        self.build(self.asking)
    }

    /// Removes the binding (`Expires: 0`, section 10.2.2).
    pub fn unregister(&mut self) -> MessageBuilder {
        self.asking = 0;
        self.challenges = 0;
        self.state = RegState::Unregistering;
        self.refresh_at = None;
        self.build(0)
    }

    /// When the binding must be refreshed.
    pub fn poll_timeout(&self) -> Option<Time> {
        self.refresh_at
    }

    /// Refreshes the binding when its time has come.
    pub fn handle_timeout(&mut self, now: Time) -> RegAction {
        match self.refresh_at {
            Some(at) if now >= at => {
                self.refresh_at = None;
                RegAction::Send(self.register())
            }
            _ => RegAction::None,
        }
    }

    /// The REGISTER's client transaction timed out (Timer F) or hit a
    /// transport error: the registration failed with 408; failover is the
    /// caller's decision.
    pub fn on_transaction_failure(&mut self) -> RegAction {
        self.fail(408, "Request Timeout")
    }

    fn fail(&mut self, status: u16, reason: &str) -> RegAction {
        self.state = RegState::Failed {
            status,
            reason: reason.to_string(),
        };
        self.refresh_at = None;
        RegAction::Changed(self.state.clone())
    }

    /// A final response to our REGISTER.
    pub fn on_response(&mut self, now: Time, response: &Message) -> RegAction {
        let Some(status) = response.status() else {
            return RegAction::None;
        };
        if response.call_id() != Some(&*self.call_id)
            || response.cseq().is_none_or(|c| c.seq != self.cseq)
        {
            // Not the answer to the REGISTER in flight.
            return RegAction::None;
        }
        match status {
            100..=199 => RegAction::None,
            200..=299 => {
                self.challenges = 0;
                if self.asking == 0 {
                    self.state = RegState::Unregistered;
                    return RegAction::Changed(self.state.clone());
                }
                let granted = self.granted_expiry(response);
                if granted == 0 {
                    return self.fail(status, "binding not granted");
                }
                self.state = RegState::Registered {
                    expires: granted,
                    until: now.saturating_add(Duration::from_secs(granted.into())),
                };
                self.refresh_at =
                    Some(now.saturating_add(Duration::from_secs(refresh_after(granted).into())));
                RegAction::Changed(self.state.clone())
            }
            401 | 407 => self.on_challenge(status, response),
            423 => match response.get::<MinExpires>().and_then(Result::ok) {
                // Section 10.2.8: retry with at least Min-Expires.
                Some(MinExpires(min)) if min > self.asking && self.challenges < 8 => {
                    self.asking = min;
                    self.challenges += 1;
                    RegAction::Send(self.build(min))
                }
                _ => self.fail(423, response.reason().unwrap_or("Interval Too Brief")),
            },
            _ => self.fail(status, response.reason().unwrap_or("")),
        }
    }

    fn on_challenge(&mut self, status: u16, response: &Message) -> RegAction {
        let proxy = status == 407;
        let name = if proxy {
            HeaderName::ProxyAuthenticate
        } else {
            HeaderName::WwwAuthenticate
        };
        let challenge = sip_proto::auth::select_challenge(response.values(name), |_| true);
        let Ok(challenge) = challenge else {
            return self.fail(status, "no usable digest challenge");
        };
        let answered = self
            .challenge
            .as_ref()
            .is_some_and(|(c, p)| *p == proxy && c.realm == challenge.realm && self.challenges > 0);
        match self.nonces.on_challenge(&challenge, answered) {
            ChallengeVerdict::CredentialsRejected => {
                return self.fail(status, "credentials rejected");
            }
            ChallengeVerdict::Answer | ChallengeVerdict::RetryStale => {}
        }
        if self.challenges >= self.config.max_challenges {
            return self.fail(status, "too many challenges");
        }
        self.challenges += 1;
        self.challenge = Some((challenge, proxy));
        RegAction::Send(self.build(self.asking))
    }

    /// The expiry the registrar granted our contact (section 10.2.4): the
    /// `expires` of our Contact in the 2xx, else its Expires header, else
    /// what we asked for (MiVoice answers with neither).
    fn granted_expiry(&self, response: &Message) -> u32 {
        let ours = Uri::parse(&self.config.contact).ok();
        let from_contact = response.contacts().find_map(|c| match (&c, &ours) {
            (Contact::Addr(a), Some(u)) if a.uri.equivalent(u) => c.expires(),
            _ => None,
        });
        from_contact
            .or_else(|| response.get::<Expires>().and_then(Result::ok).map(|e| e.0))
            .unwrap_or(self.asking)
    }

    fn next_cnonce(&mut self) -> String {
        // splitmix64: deterministic from the caller's seed.
        self.cnonce_state = self.cnonce_state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.cnonce_state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        format!("{:016x}", z ^ (z >> 31))
    }

    fn build(&mut self, expires: u32) -> MessageBuilder {
        self.cseq += 1;
        let mut b = MessageBuilder::request(&Method::Register, &self.config.registrar)
            .header(
                HeaderName::From,
                format_args!("<{}>;tag={}", self.config.aor, self.from_tag),
            )
            .header(HeaderName::To, format_args!("<{}>", self.config.aor))
            .header(HeaderName::CallId, &self.call_id)
            .header(HeaderName::CSeq, format_args!("{} REGISTER", self.cseq))
            .header(
                HeaderName::Contact,
                format_args!("<{}>{}", self.config.contact, self.config.contact_params),
            )
            .header(HeaderName::Expires, expires);
        if let Some((challenge, proxy)) = self.challenge.clone() {
            let cnonce = self.next_cnonce();
            let nc = self.nonces.next_nc(&challenge.realm, &challenge.nonce);
            let secret = Secret::Password(self.config.password.clone());
            let input = DigestInput {
                username: &self.config.auth_username,
                secret: &secret,
                method: "REGISTER",
                uri: &self.config.registrar,
                body: b"",
                cnonce: &cnonce,
                nc,
            };
            if let Ok(creds) = challenge.respond(&input, &DigestPolicy::default()) {
                let name = if proxy {
                    HeaderName::ProxyAuthorization
                } else {
                    HeaderName::Authorization
                };
                b = b.header(name, creds);
            }
        }
        b
    }
}

/// When to refresh a binding granted for `granted` seconds: well before it
/// lapses — at half the interval for short ones, else 60 s before expiry,
/// never later than 90 % of it.
pub fn refresh_after(granted: u32) -> u32 {
    if granted <= 120 {
        (granted / 2).max(1)
    } else {
        (granted - 60).min(granted / 10 * 9).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sip_proto::auth::{Challenge, Credentials};
    use sip_proto::headers::Authorization;
    use sip_proto::{MessageBuilder, TypedHeader};

    fn config() -> RegistrationConfig {
        RegistrationConfig::new(
            "sip:pbx.example.com",
            "sip:6001@pbx.example.com",
            "sip:6001@192.0.2.10:5060",
            "6001",
            "secret",
        )
    }

    fn send(action: RegAction) -> Message {
        match action {
            RegAction::Send(b) => finish(b),
            other => panic!("expected a REGISTER, got {other:?}"),
        }
    }

    fn finish(b: MessageBuilder) -> Message {
        b.header(
            HeaderName::Via,
            "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKtest;rport",
        )
        .header(HeaderName::MaxForwards, 70)
        .build()
        .expect("REGISTER builds")
    }

    /// A registrar's answer: `extra` headers, To tagged.
    fn answer(req: &Message, status: u16, extra: &[(HeaderName, String)]) -> Message {
        let mut b = MessageBuilder::response_to(req, status, "", Some("srv1"));
        for (n, v) in extra {
            b = b.header(*n, v);
        }
        b.build().unwrap()
    }

    fn challenge(nonce: &str, stale: bool) -> (HeaderName, String) {
        let mut c = Challenge::new("pbx", nonce, sip_proto::auth::Algorithm::Md5);
        c.qop = Some(vec![sip_proto::auth::Qop::Auth]);
        c.stale = stale;
        (HeaderName::WwwAuthenticate, c.to_string())
    }

    /// The registrar checks the credentials the way a server would.
    fn verify(req: &Message, password: &str) -> bool {
        let Some(v) = req.values(HeaderName::Authorization).next() else {
            return false;
        };
        let creds: Credentials = Authorization::parse(v).unwrap().0;
        creds
            .verify(&Secret::Password(Password::new(password)), "REGISTER", b"")
            .unwrap()
    }

    #[test]
    fn register_with_digest_then_refresh() {
        let mut r = Registration::new(config(), "reg-1@192.0.2.10", "t1", 42);
        let first = finish(r.register());
        assert_eq!(first.request_uri_str(), Some("sip:pbx.example.com"));
        assert_eq!(first.values(HeaderName::Expires).next(), Some("3600"));
        assert!(first.values(HeaderName::Authorization).next().is_none());
        // 401 with a qop=auth challenge: answered once, with nc=00000001.
        let second =
            send(r.on_response(Time::ZERO, &answer(&first, 401, &[challenge("n1", false)])));
        assert_eq!(
            second.cseq().unwrap().seq,
            first.cseq().unwrap().seq + 1,
            "new CSeq (10.2.4)"
        );
        assert_eq!(
            second.call_id(),
            first.call_id(),
            "same Call-ID for the binding"
        );
        assert!(verify(&second, "secret"));
        assert!(
            second
                .values(HeaderName::Authorization)
                .next()
                .unwrap()
                .contains("nc=00000001")
        );
        // 200 OK with neither Expires nor a contact expires (MiVoice): we keep 3600.
        let now = Time::from_millis(1000);
        let ok = answer(
            &second,
            200,
            &[(HeaderName::Contact, "<sip:6001@192.0.2.10:5060>".into())],
        );
        assert_eq!(
            r.on_response(now, &ok),
            RegAction::Changed(RegState::Registered {
                expires: 3600,
                until: Time::from_millis(3_601_000)
            })
        );
        // Refresh at 90 % of the interval, reusing the nonce with nc incremented.
        assert_eq!(r.poll_timeout(), Some(Time::from_millis(1000 + 3_240_000)));
        assert_eq!(r.handle_timeout(Time::from_millis(2000)), RegAction::None);
        let refresh = send(r.handle_timeout(Time::from_millis(3_241_000)));
        assert!(verify(&refresh, "secret"));
        assert!(
            refresh
                .values(HeaderName::Authorization)
                .next()
                .unwrap()
                .contains("nc=00000002")
        );
    }

    #[test]
    fn granted_expiry_from_contact_param_or_expires_header() {
        let mut r = Registration::new(config(), "c", "t", 1);
        let req = finish(r.register());
        let ok = answer(
            &req,
            200,
            &[(
                HeaderName::Contact,
                "<sip:other@198.51.100.1>;expires=30, <sip:6001@192.0.2.10:5060>;expires=120"
                    .into(),
            )],
        );
        assert!(matches!(
            r.on_response(Time::ZERO, &ok),
            RegAction::Changed(RegState::Registered { expires: 120, .. })
        ));
        assert_eq!(
            r.poll_timeout(),
            Some(Time::from_millis(60_000)),
            "half of a short interval"
        );
        let req = finish(r.register());
        let ok = answer(&req, 200, &[(HeaderName::Expires, "1800".into())]);
        assert!(matches!(
            r.on_response(Time::ZERO, &ok),
            RegAction::Changed(RegState::Registered { expires: 1800, .. })
        ));
    }

    #[test]
    fn interval_too_brief_retries_with_min_expires() {
        let mut cfg = config();
        cfg.expires = 60;
        let mut r = Registration::new(cfg, "c", "t", 1);
        let req = finish(r.register());
        let again = send(r.on_response(
            Time::ZERO,
            &answer(&req, 423, &[(HeaderName::MinExpires, "300".into())]),
        ));
        assert_eq!(again.values(HeaderName::Expires).next(), Some("300"));
        let ok = answer(&again, 200, &[]);
        assert!(matches!(
            r.on_response(Time::ZERO, &ok),
            RegAction::Changed(RegState::Registered { expires: 300, .. })
        ));
    }

    #[test]
    fn wrong_password_fails_without_a_retry_storm() {
        let mut r = Registration::new(config(), "c", "t", 7);
        let first = finish(r.register());
        let second =
            send(r.on_response(Time::ZERO, &answer(&first, 401, &[challenge("n1", false)])));
        // The registrar rejects the credentials with a fresh, non-stale challenge.
        let verdict = r.on_response(Time::ZERO, &answer(&second, 401, &[challenge("n2", false)]));
        assert!(
            matches!(
                verdict,
                RegAction::Changed(RegState::Failed { status: 401, .. })
            ),
            "{verdict:?}"
        );
        // 403 ends it too.
        let mut r = Registration::new(config(), "c", "t", 7);
        let first = finish(r.register());
        assert!(matches!(
            r.on_response(Time::ZERO, &answer(&first, 403, &[])),
            RegAction::Changed(RegState::Failed { status: 403, .. })
        ));
    }

    #[test]
    fn stale_nonce_is_retried_once_without_failure() {
        let mut r = Registration::new(config(), "c", "t", 7);
        let first = finish(r.register());
        let second =
            send(r.on_response(Time::ZERO, &answer(&first, 401, &[challenge("n1", false)])));
        let third =
            send(r.on_response(Time::ZERO, &answer(&second, 401, &[challenge("n2", true)])));
        assert!(verify(&third, "secret"));
        assert!(
            third
                .values(HeaderName::Authorization)
                .next()
                .unwrap()
                .contains("nonce=\"n2\"")
        );
    }

    #[test]
    fn unregister_and_timeouts() {
        let mut r = Registration::new(config(), "c", "t", 1);
        let req = finish(r.register());
        r.on_response(Time::ZERO, &answer(&req, 200, &[]));
        let bye = finish(r.unregister());
        assert_eq!(bye.values(HeaderName::Expires).next(), Some("0"));
        assert_eq!(
            r.on_response(Time::ZERO, &answer(&bye, 200, &[])),
            RegAction::Changed(RegState::Unregistered)
        );
        assert_eq!(r.poll_timeout(), None);
        let _ = finish(r.register());
        assert_eq!(
            r.on_transaction_failure(),
            RegAction::Changed(RegState::Failed {
                status: 408,
                reason: "Request Timeout".into()
            })
        );
        // A stale response (old CSeq) is ignored.
        assert_eq!(
            r.on_response(Time::ZERO, &answer(&req, 200, &[])),
            RegAction::None
        );
    }

    #[test]
    fn refresh_schedule() {
        assert_eq!(refresh_after(3600), 3240);
        assert_eq!(refresh_after(600), 540);
        assert_eq!(refresh_after(120), 60);
        assert_eq!(refresh_after(1), 1);
    }

    #[test]
    fn deterministic_from_the_seed() {
        let run = || {
            let mut r = Registration::new(config(), "c", "t", 99);
            let first = finish(r.register());
            send(r.on_response(Time::ZERO, &answer(&first, 401, &[challenge("n1", false)])))
                .to_bytes()
        };
        assert_eq!(run(), run());
    }
}
