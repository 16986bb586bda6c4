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

impl SmtpMailer {
    pub fn new(url: &str, from: Mailbox, extra_root_certificate: Option<&std::path::Path>) -> Result<Self, String> {
        let invalid = |error: &dyn std::fmt::Display| format!("CAREMARKET_SMTP_URL is not a mail server address ({error})");
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|error| invalid(&error))?;
        if let Some(path) = extra_root_certificate {
            let pem = std::fs::read(path).map_err(|error| format!("cannot read CAREMARKET_SMTP_CA_FILE {}: {error}", path.display()))?;
            let certificate = Certificate::from_pem(&pem).map_err(|error| format!("CAREMARKET_SMTP_CA_FILE is not a PEM certificate: {error}"))?;
            let host = url::Url::parse(url).ok().and_then(|url| url.host_str().map(str::to_string)).ok_or_else(|| invalid(&"no host"))?;
            let parameters = TlsParameters::builder(host).add_root_certificate(certificate).build_rustls().map_err(|error| invalid(&error))?;
            // The URL chose when TLS starts; only the certificates it trusts change.
            let tls = if url.starts_with("smtps:") {
                Tls::Wrapper(parameters)
            } else if url.contains("tls=opportunistic") {
                Tls::Opportunistic(parameters)
            } else {
                Tls::Required(parameters)
            };
            builder = builder.tls(tls);
        }
        let shown = url::Url::parse(url).map(|mut url| {
            let _ = url.set_password(None);
            url.to_string()
        });
        Ok(Self { transport: builder.build(), from, shown: shown.unwrap_or_else(|_| "SMTP".into()) })
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
