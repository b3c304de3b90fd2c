//! Starts moto server (through `scripts/moto_server.py`) from the project venv when `AWS_ENDPOINT_URL` points at
//! a local address where nothing answers yet.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// The default local endpoint.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:4566";

/// Host and port of an `http://host:port` endpoint.
pub fn host_port(endpoint: &str) -> anyhow::Result<(String, u16)> {
    let rest = endpoint
        .strip_prefix("http://")
        .or_else(|| endpoint.strip_prefix("https://"))
        .unwrap_or(endpoint);
    let authority = rest.split('/').next().unwrap_or(rest);
    let (host, port) = authority
        .rsplit_once(':')
        .with_context(|| format!("endpoint {endpoint} has no port"))?;
    Ok((
        host.to_owned(),
        port.parse()
            .with_context(|| format!("bad port in {endpoint}"))?,
    ))
}

fn is_local(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "::1" | "[::1]") || host.starts_with("127.")
}

fn answers(host: &str, port: u16) -> bool {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map(Iterator::collect)
        .unwrap_or_default();
    addrs
        .iter()
        .any(|a| TcpStream::connect_timeout(a, Duration::from_millis(300)).is_ok())
}

/// The emulator process we started, stopped on drop.
pub struct Emulator {
    child: Option<Child>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Ensures an emulator answers at `endpoint`; starts `moto_server` from `venv` when the
/// address is local and silent.
pub fn ensure(endpoint: &str, venv: &Path, log_dir: &Path) -> anyhow::Result<Emulator> {
    let (host, port) = host_port(endpoint)?;
    if answers(&host, port) {
        return Ok(Emulator { child: None });
    }
    if !is_local(&host) {
        bail!(
            "nothing answers at {endpoint}; start your emulator there or unset AWS_ENDPOINT_URL to use AWS"
        );
    }
    let python: PathBuf = venv.join("bin/python");
    let launcher = venv.parent().unwrap_or(venv).join("scripts/moto_server.py");
    if !venv.join("bin/moto_server").exists() {
        bail!(
            "{} has no moto server: run scripts/setup.sh once to install the local emulator",
            venv.display()
        );
    }
    std::fs::create_dir_all(log_dir)?;
    let log = std::fs::File::create(log_dir.join("moto.log"))?;
    let child = Command::new(&python)
        .arg(&launcher)
        .args(["-H", &host, "-p", &port.to_string()])
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()
        .with_context(|| format!("starting {} {}", python.display(), launcher.display()))?;
    let emulator = Emulator { child: Some(child) };
    let started = Instant::now();
    while !answers(&host, port) {
        if started.elapsed() > Duration::from_secs(30) {
            bail!(
                "moto server did not answer on {host}:{port} within 30 s; see {}",
                log_dir.join("moto.log").display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    tracing::info!(endpoint, "started moto server");
    Ok(emulator)
}

/// One message the emulator's SES accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMail {
    /// As the emulator lists them: the envelope recipients and the `To`
    /// header's addresses (so an address may appear twice).
    pub to: Vec<String>,
    /// The raw MIME message.
    pub raw: String,
}

/// Every message the emulator's SES accepted, oldest first (moto's
/// `/moto-api/data.json`; only an emulator keeps sent mail).
pub async fn sent_mail(endpoint: &str) -> anyhow::Result<Vec<SentMail>> {
    let url = format!("{}/moto-api/data.json", endpoint.trim_end_matches('/'));
    let resp = reqwest::get(&url)
        .await
        .with_context(|| format!("reading {url}; is `venue-analytics up` running?"))?;
    if !resp.status().is_success() {
        bail!(
            "{url} answered {}: only the local emulator keeps sent mail (on AWS, look in the recipients' inboxes)",
            resp.status()
        );
    }
    let data: serde_json::Value = resp.json().await.context("parsing the emulator's state")?;
    Ok(data["ses"]["RawMessage"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|m| SentMail {
            to: m["destinations"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|d| d.as_str().map(str::to_owned))
                .collect(),
            raw: m["raw_data"].as_str().unwrap_or_default().to_owned(),
        })
        .collect())
}
