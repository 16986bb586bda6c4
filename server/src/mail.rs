//! Sending mail: the port (`Mailer`) and its two adapters. SMTP through lettre when
//! `CAREMARKET_SMTP_URL` is set (TLS as the URL says); otherwise each message is written as an
//! `.eml` file under `data/mail/`, which anyone trying CareMarket can open in a mail program.
//! What to send, and when, is the outbox's business (`domain::mail`).
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

/// One message, as the outbox hands it over.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Worth trying again later: the server could not be reached, or refused for now.
    #[error("{0}")]
    Transient(String),
    /// Trying again will not help: the address or the message was refused as it is.
    #[error("{0}")]
    Permanent(String),
}

#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: &Outgoing) -> Result<(), MailError>;
    /// Where mail goes, for the log and `caremarket mail`.
    fn describe(&self) -> String;
}

/// The mail settings: `CAREMARKET_SMTP_URL`, `CAREMARKET_MAIL_FROM`, `CAREMARKET_SMTP_CA_FILE`.
#[derive(Debug, Clone, PartialEq)]
pub struct MailConfig {
    /// `smtp://user:password@host:587?tls=required` (STARTTLS), `smtps://host` (TLS from the
    /// start) or `smtp://host:25` (no TLS: a relay on this machine only).
    pub smtp_url: Option<String>,
    pub from: String,
    /// A certificate authority to trust besides the public ones (a council's own mail server).
    pub extra_root_certificate: Option<PathBuf>,
}

/// The adapter the settings ask for.
pub fn from_config(config: &MailConfig, data_dir: &std::path::Path) -> Result<std::sync::Arc<dyn Mailer>, String> {
    let from: Mailbox =
        config.from.parse().map_err(|_| format!("CAREMARKET_MAIL_FROM must be an address like CareMarket <care@example.org>, not {:?}", config.from))?;
    Ok(match &config.smtp_url {
        Some(url) => std::sync::Arc::new(SmtpMailer::new(url, from, config.extra_root_certificate.as_deref())?),
        None => std::sync::Arc::new(FileMailer { directory: data_dir.join("mail"), from }),
    })
}

fn message(from: &Mailbox, mail: &Outgoing) -> Result<Message, MailError> {
    let to: Mailbox = mail.to.parse().map_err(|_| MailError::Permanent(format!("not an email address: {}", mail.to)))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&mail.subject)
        .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
        .map_err(|error| MailError::Permanent(error.to_string()))
}

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    shown: String,
}

/// When TLS starts, as the URL says (lettre's own reading of it).
#[derive(Debug, Clone, Copy, PartialEq)]
enum TlsMode {
    /// `smtps://`: TLS from the start.
    Wrapper,
    /// `?tls=required`: STARTTLS, or nothing is sent.
    Required,
    /// `?tls=opportunistic`: STARTTLS when the server offers it.
    Opportunistic,
    /// Plain `smtp://`: a relay on this machine.
    None,
}

impl TlsMode {
    fn of(url: &url::Url) -> Self {
        if url.scheme() == "smtps" {
            return Self::Wrapper;
        }
        match url.query_pairs().find(|(name, _)| name == "tls").map(|(_, value)| value.into_owned()).as_deref() {
            Some("required") => Self::Required,
            Some("opportunistic") => Self::Opportunistic,
            _ => Self::None,
        }
    }
}

impl SmtpMailer {
    pub fn new(address: &str, from: Mailbox, extra_root_certificate: Option<&std::path::Path>) -> Result<Self, String> {
        let invalid = |error: &dyn std::fmt::Display| format!("CAREMARKET_SMTP_URL is not a mail server address ({error})");
        let mut url = url::Url::parse(address).map_err(|error| invalid(&error))?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(address).map_err(|error| invalid(&error))?;
        if let Some(path) = extra_root_certificate {
            let mode = TlsMode::of(&url);
            if mode == TlsMode::None {
                return Err("CAREMARKET_SMTP_CA_FILE is set but CAREMARKET_SMTP_URL asks for no TLS: add ?tls=required (STARTTLS) or use smtps://".into());
            }
            let pem = std::fs::read(path).map_err(|error| format!("cannot read CAREMARKET_SMTP_CA_FILE {}: {error}", path.display()))?;
            let certificate = Certificate::from_pem(&pem).map_err(|error| format!("CAREMARKET_SMTP_CA_FILE is not a PEM certificate: {error}"))?;
            let host = url.host_str().ok_or_else(|| invalid(&"no host"))?.to_string();
            let parameters = TlsParameters::builder(host).add_root_certificate(certificate).build_rustls().map_err(|error| invalid(&error))?;
            // The URL chose when TLS starts; the certificate only changes whom it trusts.
            builder = builder.tls(match mode {
                TlsMode::Wrapper => Tls::Wrapper(parameters),
                TlsMode::Required => Tls::Required(parameters),
                TlsMode::Opportunistic | TlsMode::None => Tls::Opportunistic(parameters),
            });
        }
        let _ = url.set_password(None);
        Ok(Self { transport: builder.build(), from, shown: url.to_string() })
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &Outgoing) -> Result<(), MailError> {
        let message = message(&self.from, mail)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(error) if error.is_permanent() => Err(MailError::Permanent(error.to_string())),
            Err(error) => Err(MailError::Transient(error.to_string())),
        }
    }

    fn describe(&self) -> String {
        format!("the mail server at {}", self.shown)
    }
}

/// Mail written to files, one `.eml` per message: the embedded default.
pub struct FileMailer {
    directory: PathBuf,
    from: Mailbox,
}

#[async_trait::async_trait]
impl Mailer for FileMailer {
    async fn send(&self, mail: &Outgoing) -> Result<(), MailError> {
        let bytes = message(&self.from, mail)?.formatted();
        let directory = self.directory.clone();
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&directory)?;
            let name = format!("{}-{}.eml", chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"), uuid::Uuid::new_v4().simple());
            // Written whole, then renamed: a reader never finds half a message.
            let partial = directory.join(format!(".{name}.partial"));
            std::fs::write(&partial, bytes)?;
            std::fs::rename(partial, directory.join(name))
        })
        .await
        .map_err(|error| MailError::Transient(error.to_string()))?
        .map_err(|error| MailError::Transient(format!("cannot write mail to {}: {error}", self.directory.display())))
    }

    fn describe(&self) -> String {
        format!("files in {}", self.directory.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_starts_when_the_url_says() {
        let mode = |address: &str| TlsMode::of(&url::Url::parse(address).expect("a URL"));
        assert_eq!(mode("smtps://mail.example.org"), TlsMode::Wrapper);
        assert_eq!(mode("smtp://user:secret@mail.example.org:587?tls=required"), TlsMode::Required);
        assert_eq!(mode("smtp://mail.example.org:587?tls=opportunistic"), TlsMode::Opportunistic);
        assert_eq!(mode("smtp://localhost:25"), TlsMode::None);
    }

    #[test]
    fn a_certificate_for_a_server_without_tls_is_refused_and_passwords_are_never_shown() {
        let certificate = std::env::temp_dir().join(format!("caremarket-ca-{}.pem", uuid::Uuid::new_v4().simple()));
        std::fs::write(&certificate, "not read: the URL is refused first").expect("written");
        let from: Mailbox = "care@example.org".parse().expect("an address");
        let refused = SmtpMailer::new("smtp://localhost:25", from.clone(), Some(&certificate)).err().expect("refused");
        std::fs::remove_file(&certificate).expect("removed");
        assert!(refused.contains("asks for no TLS"), "{refused}");
        let mailer = SmtpMailer::new("smtp://user:secret@mail.example.org:587?tls=required", from, None).expect("a mailer");
        assert!(!mailer.describe().contains("secret"), "{}", mailer.describe());
    }
}
