//! Digest authentication through the public API: a whole client/server
//! exchange, and the authentication headers found in the shared real-world
//! and RFC 4475 corpora (read at test time from `$SIP_CORPUS_DIR` or
//! `/work/shared/corpus`; missing corpora skip).

use std::path::PathBuf;

use sip_proto::auth::{
    Algorithm, AuthError, AuthenticationInfo, Challenge, ChallengeVerdict, Credentials,
    DigestInput, DigestPolicy, Ha1, NonceCount, NonceTracker, Password, Qop, Secret,
    select_challenge,
};

/// The values of header `name` in a raw message, unfolded (RFC 3261 section
/// 7.3.1), with CRLF or bare LF line ends.
fn header_values(raw: &[u8], name: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let head = head.split("\n\n").next().unwrap_or("");
    let mut lines: Vec<String> = Vec::new();
    for line in head.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with([' ', '\t']) {
            if let Some(last) = lines.last_mut() {
                last.push(' ');
                last.push_str(line.trim());
            }
        } else {
            lines.push(line.to_owned());
        }
    }
    lines
        .iter()
        .skip(1)
        .filter_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
        .collect()
}

fn corpus_file(sub: &str, name: &str) -> Option<Vec<u8>> {
    let root = std::env::var_os("SIP_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/corpus"));
    let path = root.join(sub).join(name);
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(_) => {
            eprintln!("{} not found, skipping", path.display());
            None
        }
    }
}

#[test]
fn realworld_challenges() {
    let Some(m) = corpus_file("realworld", "sipx-401-subscribe.sip") else {
        return;
    };
    // sipX: no qop, opaque; answered in the RFC 2069 form with opaque echoed.
    let ch = Challenge::parse(&header_values(&m, "www-authenticate")[0]).unwrap();
    assert_eq!(ch.realm, "example.com");
    assert_eq!(ch.opaque.as_deref(), Some("change4"));
    assert_eq!(ch.qop, None);
    let secret = Secret::Password(Password::new("1234"));
    let c = ch
        .respond(
            &DigestInput {
                username: "111",
                secret: &secret,
                method: "SUBSCRIBE",
                uri: "sip:111@example.com",
                body: b"",
                cnonce: "unused",
                nc: NonceCount::FIRST,
            },
            &DigestPolicy::default(),
        )
        .unwrap();
    assert_eq!(c.qop, None);
    assert!(c.to_string().contains("opaque=\"change4\""));
    // The matching request from the same trace parses.
    let m = corpus_file("realworld", "sipx-pingtel-subscribe-mwi-auth.sip").unwrap();
    let sent = Credentials::parse(&header_values(&m, "authorization")[0]).unwrap();
    assert_eq!(
        (sent.username.as_str(), sent.nonce.as_str()),
        ("111", ch.nonce.as_str())
    );
    assert_eq!(sent.response, "feaa478e10ee7d3ef6037746696bace6");

    // Nokia: a folded WWW-Authenticate with qop and a base64 nonce; a
    // Proxy-Authenticate with two algorithms, which is refused.
    let m = corpus_file("realworld", "sofia-nokia-401-register-folded-auth.sip").unwrap();
    let ch = Challenge::parse(&header_values(&m, "www-authenticate")[0]).unwrap();
    assert_eq!(ch.nonce, "MjAwMS0wMS0yMSAxNTowODo1OA==");
    assert_eq!(ch.qop, Some(vec![Qop::Auth]));
    let proxy = &header_values(&m, "proxy-authenticate")[0];
    assert!(matches!(
        Challenge::parse(proxy),
        Err(AuthError::DuplicateParam { ref name, .. }) if name == "algorithm"
    ));

    // Microsoft OCS: only Kerberos and NTLM, nothing to answer.
    let m = corpus_file("realworld", "sofia-ocs-401-kerberos-ntlm.sip").unwrap();
    let values = header_values(&m, "www-authenticate");
    assert!(matches!(
        Challenge::parse(&values[0]),
        Err(AuthError::OtherScheme { ref scheme, offset: 0 }) if scheme == "Kerberos"
    ));
    assert_eq!(
        select_challenge(values.iter().map(String::as_str), |_| true),
        Err(AuthError::NoUsableChallenge { count: 2 })
    );

    // Asterisk 407s.
    for (file, realm, nonce) in [
        ("ss-asterisk-407-invite.sip", "asterisk", "15aeff81"),
        ("ss-asterisk-407-no-via.sip", "sip.blueface.ie", "789f00ab"),
    ] {
        let m = corpus_file("realworld", file).unwrap();
        let ch = Challenge::parse(&header_values(&m, "proxy-authenticate")[0]).unwrap();
        assert_eq!((ch.realm.as_str(), ch.nonce.as_str()), (realm, nonce));
    }
}

#[test]
fn realworld_credentials() {
    let Some(_) = corpus_file("realworld", "kam-nmr.sip") else {
        return;
    };
    let creds = |file: &str, header: &str| {
        let m = corpus_file("realworld", file).unwrap();
        Credentials::parse(&header_values(&m, header)[0])
    };
    // algorithm="MD5" quoted (a common deviation) is accepted.
    let c = creds("kam-invite00.sip", "proxy-authorization").unwrap();
    assert_eq!(c.algorithm, Some(Algorithm::Md5));
    assert_eq!(c.uri, "sip:jiri@bat.iptel.org");
    // No spaces after commas.
    let c = creds("kam-nmr.sip", "proxy-authorization").unwrap();
    assert_eq!(c.uri, "sip:**@backup01.sipphone.com");
    // Lower-case algorithm token.
    let c = creds("ss-cisco7960-ack-proxy-auth.sip", "proxy-authorization").unwrap();
    assert_eq!(c.algorithm, Some(Algorithm::Md5));
    // opaque="" kept as present and empty.
    let c = creds("ss-minisipserver-ack.sip", "proxy-authorization").unwrap();
    assert_eq!(c.opaque.as_deref(), Some(""));
    // Unusual order.
    let c = creds("ss-xpro-register-digest.sip", "authorization").unwrap();
    assert_eq!(c.username, "aaronxten");
    // Pingtel omits username: required by RFC 2617.
    assert!(matches!(
        creds("kam-pingtel.sip", "authorization"),
        Err(AuthError::MissingParam {
            name: "username",
            ..
        })
    ));
    // Truncated inside the nonce.
    assert!(matches!(
        creds("kam-short_nonce.sip", "authorization"),
        Err(AuthError::UnterminatedQuote { .. })
    ));
    // Ekiga's single quotes are not quoting: the quote characters stay part
    // of the values, and a response in quotes is not hexadecimal (a
    // registrar answers 400).
    assert!(matches!(
        creds("ss-ekiga-register-bad-contact.sip", "authorization"),
        Err(AuthError::InvalidValue {
            name: "response",
            offset: 137,
            ..
        })
    ));
}

#[test]
fn rfc4475_unknown_authorization_scheme() {
    // RFC 4475 section 3.3.7.
    let Some(m) = corpus_file("rfc4475", "regaut01.dat") else {
        return;
    };
    let v = &header_values(&m, "authorization")[0];
    assert_eq!(
        Credentials::parse(v),
        Err(AuthError::OtherScheme {
            scheme: "NoOneKnowsThisScheme".into(),
            offset: 0
        })
    );
}

/// A registrar and a UA, through printed header values only.
#[test]
fn client_server_exchange() {
    let realm = "pbx.example.com";
    let password = Password::new("s3cret");
    let stored = Secret::Ha1(Ha1::compute(Algorithm::Sha256, "2001", realm, &password));
    let client_secret = Secret::Password(password);

    // The server offers SHA-256 first, then MD5 (RFC 8760 section 2.3).
    let mut sha = Challenge::new(realm, "nonce-1", Algorithm::Sha256);
    sha.opaque = Some("op".into());
    let md5 = Challenge::new(realm, "nonce-1", Algorithm::Md5);
    let headers = [sha.to_string(), md5.to_string()];

    // The UA picks the first it supports, and answers.
    let mut tracker = NonceTracker::new();
    let ch = select_challenge(headers.iter().map(String::as_str), |_| true).unwrap();
    assert_eq!(ch, sha);
    assert_eq!(tracker.on_challenge(&ch, false), ChallengeVerdict::Answer);
    let answer = |ch: &Challenge, tracker: &mut NonceTracker, cnonce: &str| {
        let nc = tracker.next_nc(&ch.realm, &ch.nonce);
        ch.respond(
            &DigestInput {
                username: "2001",
                secret: &client_secret,
                method: "REGISTER",
                uri: "sip:pbx.example.com",
                body: b"",
                cnonce,
                nc,
            },
            &DigestPolicy::default(),
        )
        .unwrap()
        .to_string()
    };
    let header = answer(&ch, &mut tracker, "c1");
    assert!(
        header.contains("algorithm=SHA-256, cnonce=\"c1\", opaque=\"op\", qop=auth, nc=00000001")
    );

    // The server verifies from the stored H(A1) and confirms.
    let got = Credentials::parse(&header).unwrap();
    assert!(got.verify(&stored, "REGISTER", b"").unwrap());
    assert!(!got.verify(&stored, "INVITE", b"").unwrap());
    let info = got
        .authentication_info(&stored, b"", Some("nonce-2".into()))
        .unwrap()
        .to_string();

    // The UA checks the server's proof and moves to the next nonce.
    let info = AuthenticationInfo::parse(&info).unwrap();
    let sent = Credentials::parse(&header).unwrap();
    assert!(info.verify_rspauth(&sent, &client_secret, b"").unwrap());
    tracker.on_authentication_info(realm, &info);
    let mut next = ch.clone();
    next.nonce = "nonce-2".into();
    let header = answer(&next, &mut tracker, "c2");
    assert!(header.contains("nc=00000001"));
    let header = answer(&next, &mut tracker, "c3");
    assert!(header.contains("nc=00000002"));
    assert!(
        Credentials::parse(&header)
            .unwrap()
            .verify(&stored, "REGISTER", b"")
            .unwrap()
    );

    // Later the nonce expires: stale=true, retry without asking the user.
    let mut stale = Challenge::new(realm, "nonce-3", Algorithm::Sha256);
    stale.stale = true;
    let stale = Challenge::parse(&stale.to_string()).unwrap();
    assert_eq!(
        tracker.on_challenge(&stale, true),
        ChallengeVerdict::RetryStale
    );
    assert!(answer(&stale, &mut tracker, "c4").contains("nc=00000001"));
    // A wrong password gets a fresh, non-stale challenge: stop.
    let again = Challenge::new(realm, "nonce-4", Algorithm::Sha256);
    assert_eq!(
        tracker.on_challenge(&again, true),
        ChallengeVerdict::CredentialsRejected
    );
}
