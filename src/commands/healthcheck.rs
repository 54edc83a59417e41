//! `textserve healthcheck`: asks a running server whether it is ready, for container health
//! checks with no curl in the image.

use clap::Args;

use std::net::IpAddr;

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// The address the server binds; 0.0.0.0 and :: are asked on loopback.
    #[arg(long, env = "TEXTSERVE_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// The port the server binds.
    #[arg(long, env = "TEXTSERVE_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Give up after this many milliseconds.
    #[arg(long, default_value_t = 2000)]
    pub timeout_ms: u64,
}

/// GET /health/ready over plain HTTP/1.1 on loopback: what a container's HEALTHCHECK needs,
/// without shipping curl in the image.
pub fn healthcheck(args: HealthcheckArgs) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};

    let host = match args.host {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let address = SocketAddr::new(host, args.port);
    let timeout = std::time::Duration::from_millis(args.timeout_ms.max(1));
    let mut stream = TcpStream::connect_timeout(&address, timeout)
        .map_err(|e| anyhow::anyhow!("no server on {address}: {e}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let request =
        format!("GET /health/ready HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    // The status line and the small JSON body fit well within this; no more is read.
    let mut response = Vec::with_capacity(1024);
    stream.take(64 * 1024).read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let status = response
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .unwrap_or("");
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").trim();
    if status == "200" {
        println!("ready: {body}");
        Ok(())
    } else {
        anyhow::bail!("not ready ({address} answered {status:?}): {body}")
    }
}
