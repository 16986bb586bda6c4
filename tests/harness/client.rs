use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, header};
use std::collections::HashMap;
use tower::ServiceExt;

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> Option<&str> {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok())
    }

    /// The message of a server-function error carried back in the redirect (JavaScript off),
    /// as the page would show it.
    pub fn redirected_error(&self) -> Option<app::UiError> {
        let location = self.location()?;
        let encoded = location.split("__err=").nth(1)?.split('&').next()?;
        let json = base64_url_decode(&percent_decode(encoded))?;
        serde_json::from_slice(&json).ok()
    }

    pub fn contains(&self, text: &str) -> bool {
        self.body.contains(text)
    }

    /// The page's text as read aloud: tags and comments gone, spaces collapsed.
    pub fn text(&self) -> String {
        let mut text = String::new();
        let mut in_tag = false;
        for c in self.body.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The text of the first `<h1>`.
    pub fn heading(&self) -> String {
        self.body.split("<h1").nth(1).and_then(|rest| rest.split_once('>')).and_then(|(_, rest)| rest.split("</h1>").next()).unwrap_or_default().to_string()
    }
}

/// A browser without JavaScript: keeps cookies, sends forms with the CSRF token it was given.
pub struct Client {
    router: Router,
    pub cookies: HashMap<String, String>,
    /// The network address this client appears to come from.
    pub address: String,
    /// The page last fetched: sent as the Referer of the next form, as a browser would.
    last_page: String,
}

impl Client {
    pub fn new(router: Router) -> Self {
        Self { router, cookies: HashMap::new(), address: "203.0.113.10".into(), last_page: "/".into() }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let request = self.request("GET", path).body(Body::empty()).expect("request");
        self.last_page = path.to_string();
        self.send(request).await
    }

    /// Calls a server function the way the hydrated app does (JSON, no HTML redirects).
    pub async fn api_get(&mut self, path: &str) -> Reply {
        let mut request = self.request("GET", path).body(Body::empty()).expect("request");
        request.headers_mut().insert(header::ACCEPT, "application/json".parse().expect("header"));
        self.send(request).await
    }

    /// Posts a form, adding the CSRF token from this client's cookie (fetching a page first
    /// if this client has none yet), as a page of ours would.
    pub async fn post_form<K: AsRef<str>, V: AsRef<str>>(&mut self, path: &str, fields: &[(K, V)]) -> Reply {
        let all = self.with_token(fields).await;
        self.post(path, &all, "text/html,application/xhtml+xml").await
    }

    /// Calls a state-changing server function the way the hydrated app does: the form with
    /// this client's CSRF token, answered in JSON with the real status (no redirects).
    pub async fn api_post<K: AsRef<str>, V: AsRef<str>>(&mut self, path: &str, fields: &[(K, V)]) -> Reply {
        let all = self.with_token(fields).await;
        self.post(path, &all, "application/json").await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let fields: Vec<(String, String)> = fields.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect();
        self.post(path, &fields, "text/html,application/xhtml+xml").await
    }

    /// The fields with this client's CSRF token first (fetching a page for one if it has none).
    async fn with_token<K: AsRef<str>, V: AsRef<str>>(&mut self, fields: &[(K, V)]) -> Vec<(String, String)> {
        if !self.cookies.contains_key("cm_csrf") {
            let page = self.last_page.clone();
            self.get(&page).await;
        }
        let token = self.cookies.get("cm_csrf").cloned().unwrap_or_default();
        let mut all = vec![("csrf_token".to_string(), token)];
        all.extend(fields.iter().map(|(name, value)| (name.as_ref().to_string(), value.as_ref().to_string())));
        all
    }

    async fn post(&mut self, path: &str, fields: &[(String, String)], accept: &str) -> Reply {
        let body = serde_urlencoded::to_string(fields).expect("form encodes");
        let mut request = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::REFERER, format!("http://caremarket.test{}", self.last_page))
            .body(Body::from(body))
            .expect("request");
        request.headers_mut().insert(header::ACCEPT, accept.parse().expect("header"));
        self.send(request).await
    }

    /// Sends a prepared request (for tests that need unusual headers).
    pub fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "caremarket.test")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header("x-forwarded-for", self.address.as_str());
        if !cookie.is_empty() {
            builder = builder.header(header::COOKIE, cookie);
        }
        builder
    }

    pub async fn send(&mut self, request: Request<Body>) -> Reply {
        // A page that never finishes should fail its test, not stall the whole suite.
        let uri = request.uri().clone();
        let exchange = async {
            let response = self.router.clone().oneshot(request).await.expect("router answers");
            let (parts, body) = response.into_parts();
            (parts, to_bytes(body, 16 * 1024 * 1024).await.expect("body"))
        };
        let (parts, bytes) =
            tokio::time::timeout(std::time::Duration::from_secs(60), exchange).await.unwrap_or_else(|_| panic!("{uri} did not answer within 60 seconds"));
        for value in parts.headers.get_all(header::SET_COOKIE) {
            let Some((pair, attributes)) = value.to_str().ok().map(|v| v.split_once(';').unwrap_or((v, ""))) else { continue };
            let Some((name, value)) = pair.split_once('=') else { continue };
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        Reply { status: parts.status.as_u16(), headers: parts.headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Reply {
        self.post_form("/api/sign-in", &[("email", email), ("password", password)]).await
    }

    pub fn session(&self) -> Option<&String> {
        self.cookies.get("cm_session")
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// URL-safe base64 (with or without padding), as server functions encode errors in URLs.
fn base64_url_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' | b'+' => Some(62),
        b'_' | b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(value).collect::<Option<_>>()?;
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &d)| n | (u32::from(d) << (18 - 6 * i)));
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    Some(out)
}
