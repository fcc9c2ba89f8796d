//! A small SMTP server of the tests' own on 127.0.0.1: it takes every
//! message (RFC 5321's MAIL, RCPT, DATA) and keeps it to be read. It can be
//! stopped (connections refused) and started again on the same port.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    pub to: Vec<String>,
    /// The header lines, as sent.
    pub headers: String,
    /// The text, dot-stuffing undone.
    pub body: String,
}

impl Received {
    /// The value of the header `name` (the first one).
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.headers
            .lines()
            .find(|line| line.to_ascii_lowercase().starts_with(&prefix))
            .map(|line| line[prefix.len()..].trim().to_owned())
    }
}

pub struct SmtpServer {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SmtpServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("smtp bind");
        let addr = listener.local_addr().expect("smtp addr");
        let received = Arc::default();
        let task = Some(tokio::spawn(serve(listener, Arc::clone(&received))));
        Self {
            addr,
            received,
            task,
        }
    }

    /// `smtp://127.0.0.1:port`: plain SMTP, as the panel's configuration takes it.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().expect("smtp messages").clone()
    }

    /// Waits up to `secs` for a message to `to`; the newest one.
    pub async fn wait_for(&self, to: &str, secs: u64) -> Option<Received> {
        self.wait_for_body(to, "", secs).await
    }

    /// Waits up to `secs` for a message to `to` whose body contains
    /// `marker` (a link's path, say); the newest one.
    pub async fn wait_for_body(&self, to: &str, marker: &str, secs: u64) -> Option<Received> {
        for _ in 0..secs * 10 {
            let found = self.messages().into_iter().rev().find(|m| {
                m.to.iter().any(|t| t.eq_ignore_ascii_case(to)) && m.body.contains(marker)
            });
            if found.is_some() {
                return found;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        None
    }

    /// Stops listening: connections are refused until [`Self::resume`].
    pub fn halt(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn resume(&mut self) {
        let listener = TcpListener::bind(self.addr).await.expect("smtp rebind");
        self.task = Some(tokio::spawn(serve(listener, Arc::clone(&self.received))));
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.halt();
    }
}

/// The text of a message as its `Content-Transfer-Encoding` says
/// (RFC 2045: quoted-printable or base64; anything else as it came).
fn decode(message: &Received) -> String {
    use base64::Engine as _;
    let encoding = message
        .header("Content-Transfer-Encoding")
        .unwrap_or_default()
        .to_ascii_lowercase();
    match encoding.as_str() {
        "quoted-printable" => {
            let joined = message.body.replace("=\n", "");
            let mut bytes = Vec::with_capacity(joined.len());
            let mut rest = joined.as_bytes();
            while let Some((&first, tail)) = rest.split_first() {
                match (
                    first,
                    tail.get(..2).and_then(|hex| std::str::from_utf8(hex).ok()),
                ) {
                    (b'=', Some(hex)) if u8::from_str_radix(hex, 16).is_ok() => {
                        bytes.push(u8::from_str_radix(hex, 16).unwrap_or_default());
                        rest = &tail[2..];
                    }
                    _ => {
                        bytes.push(first);
                        rest = tail;
                    }
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
        "base64" => {
            let compact: String = message.body.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(compact)
                .unwrap_or_default();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        _ => message.body.clone(),
    }
}

async fn serve(listener: TcpListener, received: Arc<Mutex<Vec<Received>>>) {
    while let Ok((stream, _)) = listener.accept().await {
        let received = Arc::clone(&received);
        tokio::spawn(async move {
            let _ = session(stream, received).await;
        });
    }
}

async fn session(
    stream: tokio::net::TcpStream,
    received: Arc<Mutex<Vec<Received>>>,
) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    writer.write_all(b"220 test SMTP ready\r\n").await?;
    let mut to = Vec::new();
    while let Some(line) = lines.next_line().await? {
        let command = line.to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if command.starts_with("HELO") {
            b"250 test\r\n"
        } else if command.starts_with("MAIL FROM") {
            to.clear();
            b"250 OK\r\n"
        } else if command.starts_with("RCPT TO") {
            let address = line[8..].trim().trim_start_matches(':').trim();
            let address = address.split_whitespace().next().unwrap_or_default();
            let address = address.trim_matches(|c| c == '<' || c == '>').to_owned();
            // An address that does not exist here, for good (RFC 5321's 550).
            if address.starts_with("nobody.here@") {
                b"550 no such mailbox\r\n"
            } else {
                to.push(address);
                b"250 OK\r\n"
            }
        } else if command.starts_with("DATA") {
            writer.write_all(b"354 go on\r\n").await?;
            let mut data = Vec::new();
            while let Some(line) = lines.next_line().await? {
                if line == "." {
                    break;
                }
                data.push(line.strip_prefix('.').map_or(line.clone(), str::to_owned));
            }
            let text = data.join("\n");
            let (headers, body) = text.split_once("\n\n").unwrap_or((&text, ""));
            let mut message = Received {
                to: std::mem::take(&mut to),
                headers: headers.to_owned(),
                body: body.to_owned(),
            };
            message.body = decode(&message);
            received.lock().expect("smtp messages").push(message);
            b"250 kept\r\n"
        } else if command.starts_with("QUIT") {
            writer.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"250 OK\r\n"
        };
        writer.write_all(reply).await?;
    }
    Ok(())
}
