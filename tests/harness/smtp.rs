//! The SMTP server the test script starts (`tests/mail/smtp_sink.py`: aiosmtpd on loopback,
//! STARTTLS required, its URL in `CAREMARKET_TEST_SMTP`), and what it received: each message
//! is a JSON file in `CAREMARKET_TEST_SMTP_DIR`, beside the certificate authority to trust.
use server::mail::MailConfig;
use std::path::PathBuf;

fn setting(name: &str) -> String {
    std::env::var(name).ok().filter(|value| !value.is_empty()).unwrap_or_else(|| {
        panic!(
            "mail tests need a real SMTP server: run .ci/test, or start tests/mail/smtp_sink.py --out DIR (from tests/mail/.venv \
             after .ci/setup --test) and set CAREMARKET_TEST_SMTP to the URL it prints and CAREMARKET_TEST_SMTP_DIR to DIR ({name} is not set)"
        )
    })
}

fn directory() -> PathBuf {
    PathBuf::from(setting("CAREMARKET_TEST_SMTP_DIR"))
}

/// Settings for the test server: STARTTLS required, its throwaway authority trusted.
pub fn settings() -> MailConfig {
    MailConfig {
        smtp_url: Some(format!("{}?tls=required", setting("CAREMARKET_TEST_SMTP"))),
        from: "CareMarket <care@caremarket.test>".into(),
        extra_root_certificate: Some(directory().join("ca.pem")),
    }
}

/// One message as the server received it.
#[derive(Debug, serde::Deserialize)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    /// Whether it came over TLS (after STARTTLS).
    pub tls: bool,
    /// The message as sent: headers, then the body.
    pub content: String,
}

impl Received {
    /// The message with quoted-printable undone (soft line breaks and `=XX`), to read links in.
    pub fn decoded(&self) -> String {
        let joined = self.content.replace("=\r\n", "");
        let mut text = String::with_capacity(joined.len());
        let mut rest = joined.as_str();
        while let Some(at) = rest.find('=') {
            text.push_str(&rest[..at]);
            match rest.get(at + 1..at + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                Some(byte) => {
                    text.push(char::from(byte));
                    rest = &rest[at + 3..];
                }
                None => {
                    text.push('=');
                    rest = &rest[at + 1..];
                }
            }
        }
        text.push_str(rest);
        text
    }

    /// A header's value, unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.content.split("\r\n\r\n").next().unwrap_or_default().replace("\r\n ", " ");
        head.lines().find_map(|line| line.split_once(':').filter(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.trim().to_string()))
    }
}

/// Everything the server has received for `address` so far.
pub fn received_by(address: &str) -> Vec<Received> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(directory())
        .expect("the SMTP server's directory")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|path| serde_json::from_slice::<Received>(&std::fs::read(path).ok()?).ok())
        .filter(|received| received.rcpt_tos.iter().any(|to| to.eq_ignore_ascii_case(address)))
        .collect()
}
