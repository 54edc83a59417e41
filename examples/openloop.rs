//! Light open-loop load generator for the fairness drill (`scripts/drills.sh fairness`).
//!
//! `scripts/loadgen.py` needs 1,024 Python threads to offer 2x capacity to model a, and on the
//! drill's 2 cores that generator burns about a full core: the drill then measures the load
//! generator's CPU contention with the server rather than the server. This one does the same
//! job on a single-threaded tokio runtime and prints the same JSON summary line.
//!
//! Usage: cargo run --release --example openloop -- --port 18360
//!   --path /v1/models/sentiment-a/predict --data data/zh-reviews.jsonl --rate 2800 --seconds 21
//!   --connections 1024
//!
//! Every scheduled request ends in exactly one outcome:
//!   status N          the server answered with HTTP status N
//!   refused           the connection could not be opened — nothing was sent
//!   lost              sent, but no complete answer came back (reset, closed, timeout)
//!   client_saturated  all --connections were busy, so it was not sent; counted rather than
//!                     delayed so that a slow server cannot quietly lower the offered rate

use std::collections::BTreeMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until, timeout_at};

/// Open-loop HTTP load against a textserve on 127.0.0.1 (loopback only, by design).
#[derive(Parser)]
struct Args {
    #[arg(long)]
    port: u16,
    #[arg(long, default_value = "/v1/predict")]
    path: String,
    #[arg(long, default_value = "data/zh-reviews.jsonl")]
    data: String,
    /// Requests per second, scheduled at exact times i/rate from the start.
    #[arg(long)]
    rate: f64,
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Most connections open at once (reported as "workers", like loadgen.py's threads).
    #[arg(long, default_value_t = 1024)]
    connections: usize,
    /// Seconds a request may take, counted from its scheduled time; bounds the final wait too.
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
}

/// As many bodies as loadgen.py's `predict_bodies`, so both tools cycle through the same
/// amount of distinct text.
const BODIES: usize = 5000;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    ensure!(args.port > 0, "--port must be positive");
    ensure!(
        args.rate.is_finite() && args.rate > 0.0,
        "--rate must be positive"
    );
    ensure!(
        args.seconds.is_finite() && args.seconds > 0.0,
        "--seconds must be positive"
    );
    ensure!(
        args.timeout.is_finite() && args.timeout > 0.0,
        "--timeout must be positive"
    );
    ensure!(args.connections > 0, "--connections must be positive");
    // The path goes verbatim into the request line.
    ensure!(
        args.path.starts_with('/') && !args.path.bytes().any(|b| b.is_ascii_whitespace()),
        "--path must start with / and contain no whitespace"
    );

    let requests = build_requests(&args.path, &load_texts(&args.data)?)?;
    let scheduled = (args.rate * args.seconds).ceil() as u64;
    let shared = Arc::new(Shared {
        // Loopback only: the drills must never point load at another host.
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)),
        timeout: Duration::from_secs_f64(args.timeout),
        requests,
        state: Mutex::new(State {
            idle: Vec::with_capacity(args.connections),
            open: 0,
            tally: Tally {
                latencies: Vec::with_capacity(scheduled.min(10_000_000) as usize),
                ..Tally::default()
            },
        }),
    });

    // Each request task holds a clone of `alive`; recv() returns None once all have finished.
    let (alive, mut all_done) = mpsc::channel::<()>(1);
    let start = Instant::now();
    for i in 0..scheduled {
        let due = start + Duration::from_secs_f64(i as f64 / args.rate);
        if due > Instant::now() {
            sleep_until(due).await;
        }
        let Some(conn) = shared.checkout(args.connections) else {
            continue;
        };
        let body = (i % shared.requests.len() as u64) as usize;
        tokio::spawn(Arc::clone(&shared).send(conn, due, body, alive.clone()));
    }
    drop(alive);
    // Every task is bounded by its own deadline; this only guards against a bug hanging the run.
    let stop = start + Duration::from_secs_f64(args.seconds);
    let drained = timeout_at(
        stop + shared.timeout + Duration::from_secs(1),
        all_done.recv(),
    )
    .await
    .is_ok();
    let elapsed = start.elapsed().as_secs_f64();

    let mut state = shared.lock();
    let tally = &mut state.tally;
    if !drained {
        eprintln!("openloop: requests still outstanding after --timeout; counted as lost");
        tally.lost += scheduled - tally.total();
    }
    let mut outcomes: BTreeMap<String, u64> = tally
        .statuses
        .iter()
        .map(|(status, n)| (format!("status {status}"), *n))
        .collect();
    for (name, n) in [
        ("client_saturated", tally.saturated),
        ("lost", tally.lost),
        ("refused", tally.refused),
    ] {
        if n > 0 {
            outcomes.insert(name.to_owned(), n);
        }
    }
    tally.latencies.sort_by(f64::total_cmp);
    let summary = Summary {
        seconds: round1(elapsed),
        workers: args.connections,
        offered_rate: args.rate,
        requests: tally.total(),
        answered_per_s: round1(tally.latencies.len() as f64 / elapsed),
        outcomes,
        p50_ms: percentile_ms(&tally.latencies, 0.50),
        p99_ms: percentile_ms(&tally.latencies, 0.99),
    };
    let summary = serde_json::to_string(&summary)?;
    println!("{summary}");
    Ok(())
}

/// loadgen.py's summary line, fields in its order, so the drill reads either tool's output.
#[derive(serde::Serialize)]
struct Summary {
    seconds: f64,
    workers: usize,
    offered_rate: f64,
    requests: u64,
    answered_per_s: f64,
    outcomes: BTreeMap<String, u64>,
    p50_ms: Option<f64>,
    p99_ms: Option<f64>,
}

/// The corpus texts in a fixed shuffled order, as loadgen.py's `predict_bodies` takes them
/// (its order is Python's `random.Random(7)`; this is a different but equally fixed one).
fn load_texts(path: &str) -> anyhow::Result<Vec<String>> {
    let file = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let mut texts = Vec::new();
    for (number, line) in file.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{path}:{}: not JSON", number + 1))?;
        let Some(text) = record.get("text").and_then(|t| t.as_str()) else {
            bail!("{path}:{}: no \"text\" string", number + 1);
        };
        texts.push(text.to_owned());
    }
    ensure!(!texts.is_empty(), "{path} holds no texts");
    let mut seed = 7u64;
    for i in (1..texts.len()).rev() {
        // Multiply-shift maps the 64-bit draw onto 0..=i without modulo bias.
        let j = ((u128::from(splitmix64(&mut seed)) * (i as u128 + 1)) >> 64) as usize;
        texts.swap(i, j);
    }
    texts.truncate(BODIES);
    Ok(texts)
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Whole requests, head and body, built once so sending one is a single write of shared bytes.
fn build_requests(path: &str, texts: &[String]) -> anyhow::Result<Vec<Box<[u8]>>> {
    texts
        .iter()
        .map(|text| {
            let body = serde_json::to_string(&serde_json::json!({ "text": text }))?;
            let request = format!(
                "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                body.len()
            );
            Ok(request.into_bytes().into_boxed_slice())
        })
        .collect()
}

struct Shared {
    addr: SocketAddr,
    timeout: Duration,
    requests: Vec<Box<[u8]>>,
    state: Mutex<State>,
}

struct State {
    idle: Vec<Conn>,
    /// Idle plus busy connections, plus those being opened.
    open: usize,
    tally: Tally,
}

#[derive(Default)]
struct Tally {
    statuses: BTreeMap<u16, u64>,
    refused: u64,
    lost: u64,
    saturated: u64,
    /// Seconds from scheduled time to complete answer, one per answered request.
    latencies: Vec<f64>,
}

impl Tally {
    fn total(&self) -> u64 {
        self.statuses.values().sum::<u64>() + self.refused + self.lost + self.saturated
    }
}

enum Outcome {
    Answered(u16, Duration),
    Refused,
    Lost,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking request task must not take the tally down with it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A connection for the next arrival: Some(Some(idle one)), Some(None) to open a new one,
    /// or None (tallied as client_saturated) when all `max` are busy.
    fn checkout(&self, max: usize) -> Option<Option<Conn>> {
        let mut state = self.lock();
        while let Some(conn) = state.idle.pop() {
            if conn.still_open() {
                return Some(Some(conn));
            }
            state.open -= 1;
        }
        if state.open < max {
            state.open += 1;
            Some(None)
        } else {
            state.tally.saturated += 1;
            None
        }
    }

    /// Records the outcome and returns the connection to the pool, or frees its slot.
    fn finish(&self, outcome: Outcome, reusable: Option<Conn>) {
        let mut state = self.lock();
        match outcome {
            Outcome::Answered(status, latency) => {
                *state.tally.statuses.entry(status).or_default() += 1;
                state.tally.latencies.push(latency.as_secs_f64());
            }
            Outcome::Refused => state.tally.refused += 1,
            Outcome::Lost => state.tally.lost += 1,
        }
        match reusable {
            Some(conn) => state.idle.push(conn),
            None => state.open -= 1,
        }
    }

    async fn send(
        self: Arc<Self>,
        conn: Option<Conn>,
        due: Instant,
        body: usize,
        _alive: mpsc::Sender<()>,
    ) {
        let deadline = due + self.timeout;
        let mut conn = match conn {
            Some(conn) => conn,
            None => match timeout_at(deadline, TcpStream::connect(self.addr)).await {
                Ok(Ok(stream)) => Conn::new(stream),
                _ => {
                    self.finish(Outcome::Refused, None);
                    return;
                }
            },
        };
        match timeout_at(deadline, conn.exchange(&self.requests[body])).await {
            Ok(Ok((status, keep_alive))) => {
                let outcome = Outcome::Answered(status, due.elapsed());
                self.finish(outcome, keep_alive.then_some(conn));
            }
            _ => self.finish(Outcome::Lost, None),
        }
    }
}

/// A keep-alive HTTP/1.1 connection; its read buffer lives as long as it does.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

impl Conn {
    fn new(stream: TcpStream) -> Self {
        // Nagle would only matter for a second small write, but requests are one write each.
        let _ = stream.set_nodelay(true);
        Conn {
            stream,
            buf: Vec::with_capacity(4096),
        }
    }

    /// False once the server has closed an idle connection (for instance its header timeout),
    /// so that a request is not sent into a dead socket and miscounted as lost.
    fn still_open(&self) -> bool {
        let mut probe = [0u8; 1];
        matches!(self.stream.try_read(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }

    /// Sends one request; returns the answer's status and whether the connection can be reused.
    async fn exchange(&mut self, request: &[u8]) -> io::Result<(u16, bool)> {
        self.stream.write_all(request).await?;
        let mut scanned = 0;
        let head_end = loop {
            if let Some(i) = find(&self.buf[scanned..], b"\r\n\r\n") {
                break scanned + i + 4;
            }
            scanned = self.buf.len().saturating_sub(3);
            self.fill().await?;
        };
        let (status, framing, mut keep_alive) = parse_head(&self.buf[..head_end])?;
        self.buf.drain(..head_end);
        match framing {
            Framing::Length(length) => self.skip(length).await?,
            Framing::Chunked => self.skip_chunks().await?,
            Framing::UntilClose => {
                while self.stream.read_buf(&mut self.buf).await? > 0 {
                    self.buf.clear();
                }
                keep_alive = false;
            }
        }
        Ok((status, keep_alive))
    }

    async fn fill(&mut self) -> io::Result<()> {
        self.buf.reserve(4096);
        if self.stream.read_buf(&mut self.buf).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }

    async fn skip(&mut self, length: usize) -> io::Result<()> {
        while self.buf.len() < length {
            self.fill().await?;
        }
        self.buf.drain(..length);
        Ok(())
    }

    async fn line(&mut self) -> io::Result<usize> {
        loop {
            if let Some(i) = find(&self.buf, b"\r\n") {
                return Ok(i);
            }
            self.fill().await?;
        }
    }

    /// The server sets Content-Length on its JSON answers; this covers anything streamed.
    async fn skip_chunks(&mut self) -> io::Result<()> {
        loop {
            let end = self.line().await?;
            let size = std::str::from_utf8(&self.buf[..end])
                .ok()
                .and_then(|line| usize::from_str_radix(line.split(';').next()?.trim(), 16).ok())
                .ok_or_else(|| invalid("bad chunk size"))?;
            self.buf.drain(..end + 2);
            if size == 0 {
                break;
            }
            self.skip(size + 2).await?;
        }
        // Trailers, up to the empty line.
        loop {
            let end = self.line().await?;
            self.buf.drain(..end + 2);
            if end == 0 {
                return Ok(());
            }
        }
    }
}

fn parse_head(head: &[u8]) -> io::Result<(u16, Framing, bool)> {
    let head = std::str::from_utf8(head).map_err(|_| invalid("response head is not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid("bad status line"))?;
    let mut keep_alive = version == "HTTP/1.1";
    let (mut length, mut chunked) = (None, false);
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.parse().map_err(|_| invalid("bad Content-Length"))?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked |= value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                if token.eq_ignore_ascii_case("close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case("keep-alive") {
                    keep_alive = true;
                }
            }
        }
    }
    // 1xx, 204 and 304 never have a body; Transfer-Encoding wins over Content-Length
    // (RFC 9112, 6.3).
    let framing = match (status, chunked, length) {
        (100..=199 | 204 | 304, _, _) => Framing::Length(0),
        (_, true, _) => Framing::Chunked,
        (_, false, Some(length)) => Framing::Length(length),
        (_, false, None) => Framing::UntilClose,
    };
    Ok((status, framing, keep_alive))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn invalid(message: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Same index rule as loadgen.py's `percentile`, over sorted seconds.
fn percentile_ms(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let index = last.min((q * sorted.len() as f64) as usize);
    Some(round1(sorted[index] * 1000.0))
}
