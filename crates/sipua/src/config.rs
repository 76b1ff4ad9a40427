//! `--config FILE`: the handset settings (seed chapter 2.8) as TOML, with
//! the guide's recommended values as defaults. `handset.example.toml`
//! beside this crate documents every key.

use serde::Deserialize;

/// The settings file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Handset {
    pub enable_sip: bool,
    pub sip_server: Option<String>,
    pub sip_server_port: u16,
    pub transport: String,
    pub extension: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub voicemail_address: Option<String>,
    pub standard_hold_signaling: bool,
    pub force_mwi_subscription: bool,
    pub audio_dscp: u8,
    pub call_control_dscp: u8,
    pub g711u_priority: u8,
    pub g711a_priority: u8,
    pub g729_priority: u8,
    pub g722_priority: u8,
    pub override_udp_to_tcp: bool,
}

impl Default for Handset {
    /// The guide's recommended values.
    fn default() -> Self {
        Handset {
            enable_sip: true,
            sip_server: None,
            sip_server_port: 5060,
            transport: "udp".into(),
            extension: None,
            username: None,
            password: None,
            voicemail_address: None,
            standard_hold_signaling: true,
            force_mwi_subscription: true,
            audio_dscp: 46,
            call_control_dscp: 40,
            g711u_priority: 1,
            g711a_priority: 2,
            g729_priority: 0,
            g722_priority: 0,
            override_udp_to_tcp: true,
        }
    }
}

impl Handset {
    /// Reads and checks a file.
    pub fn load(path: &std::path::Path) -> Result<Handset, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--config {}: {e}", path.display()))?;
        Handset::parse(&text).map_err(|e| format!("--config {}: {e}", path.display()))
    }

    /// Parses and checks the text of a file.
    pub fn parse(text: &str) -> Result<Handset, String> {
        let h: Handset = toml::from_str(text).map_err(|e| e.to_string())?;
        if !h.enable_sip {
            return Err("enable_sip is off: nothing to do".into());
        }
        if !["udp", "tcp", "tls"].contains(&h.transport.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "transport {:?}: udp, tcp or tls (the guide recommends udp)",
                h.transport
            ));
        }
        if h.audio_dscp > 63 || h.call_control_dscp > 63 {
            return Err("a DSCP is 0..=63".into());
        }
        Ok(h)
    }

    /// The server list for `sip_server` and `sip_server_port`.
    pub fn servers(&self) -> Option<String> {
        let s = self.sip_server.as_deref()?.trim();
        if s.contains(';') {
            return Some(s.to_string());
        }
        let port = self.sip_server_port;
        Some(match s.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V6(ip)) => format!("{ip}; [{ip}]:{port}"),
            Ok(ip) => format!("{ip}; {ip}:{port}"),
            // A name: SRV then A on the standard port (RFC 3263).
            Err(_) if port == 5060 => s.to_string(),
            Err(_) => format!("{s}; {s}:{port}"),
        })
    }

    /// The codec priorities.
    pub fn codecs(&self) -> sdp::CodecPriorities {
        sdp::CodecPriorities {
            pcmu: self.g711u_priority,
            pcma: self.g711a_priority,
            g729: self.g729_priority,
            g722: self.g722_priority,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_file_parses_to_the_guide_values() {
        let h = Handset::parse(include_str!("../handset.example.toml")).unwrap();
        assert_eq!(h.extension.as_deref(), Some("4107"));
        assert_eq!(h.servers().as_deref(), Some("192.0.2.10; 192.0.2.10:5060"));
        assert_eq!(h.codecs(), sdp::CodecPriorities::default());
        assert_eq!((h.audio_dscp, h.call_control_dscp), (46, 40));
        let defaults = Handset::parse("").unwrap();
        assert_eq!(defaults, Handset::default());
        assert_eq!(defaults.codecs(), sdp::CodecPriorities::default());
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        assert!(
            Handset::parse("sip_servr = \"x\"")
                .unwrap_err()
                .contains("sip_servr")
        );
        assert!(
            Handset::parse("enable_sip = false")
                .unwrap_err()
                .contains("enable_sip")
        );
        assert!(
            Handset::parse("transport = \"sctp\"")
                .unwrap_err()
                .contains("udp, tcp or tls")
        );
        assert_eq!(
            Handset::parse("transport = \"TCP\"").unwrap().transport,
            "TCP"
        );
        let h = Handset::parse("sip_server = \"mitel.test; 127.0.0.1:5071\"").unwrap();
        assert_eq!(h.servers().as_deref(), Some("mitel.test; 127.0.0.1:5071"));
    }
}
