//! Inputs: a file, stdin, or a live stream (UDP datagrams, a TCP connection
//! made or accepted), read with blocking `std::net` I/O in bounded chunks and
//! handed to a [`Decoder`] in order.
//!
//! UDP has no end of stream: a UDP input ends when no datagram has come for
//! the idle timeout. A TCP stream silent that long is *stalled*: an error that
//! names the input and the timeout, after the records already read were emitted.

use std::fmt;
use std::io::{self, Read};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::limits::{source_chunk_bytes_max, udp_datagram_bytes_max};
use crate::{Decoder, Sink};

/// Where bytes come from, as written on a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file path.
    File(PathBuf),
    /// `-`.
    Stdin,
    /// `udp://ADDR:PORT`: bind there and read datagrams (port 0 picks one).
    Udp(SocketAddr),
    /// `tcp://HOST:PORT`: connect and read the stream until the peer closes it.
    TcpConnect(String),
    /// `tcp-listen://ADDR:PORT`: accept one connection and read it to its end.
    TcpListen(SocketAddr),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{text}` is not an input: {reason} (expected a path, `-`, `udp://127.0.0.1:PORT`, `tcp://HOST:PORT` or `tcp-listen://127.0.0.1:PORT`)"
)]
pub struct InputParseError {
    pub text: String,
    pub reason: String,
}

impl FromStr for Input {
    type Err = InputParseError;
    fn from_str(text: &str) -> Result<Input, InputParseError> {
        let err = |reason: &str| InputParseError {
            text: text.to_owned(),
            reason: reason.to_owned(),
        };
        let addr = |rest: &str| rest.parse::<SocketAddr>().map_err(|e| err(&e.to_string()));
        if text == "-" {
            Ok(Input::Stdin)
        } else if let Some(rest) = text.strip_prefix("udp://") {
            addr(rest).map(Input::Udp)
        } else if let Some(rest) = text.strip_prefix("tcp-listen://") {
            addr(rest).map(Input::TcpListen)
        } else if let Some(rest) = text.strip_prefix("tcp://") {
            match rest.rsplit_once(':') {
                Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
                    Ok(Input::TcpConnect(rest.to_owned()))
                }
                _ => Err(err("expected HOST:PORT after tcp://")),
            }
        } else if text.contains("://") {
            Err(err("unknown scheme"))
        } else if text.is_empty() {
            Err(err("empty"))
        } else {
            Ok(Input::File(PathBuf::from(text)))
        }
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::File(path) => write!(f, "{}", path.display()),
            Input::Stdin => f.write_str("stdin"),
            Input::Udp(addr) => write!(f, "udp://{addr}"),
            Input::TcpConnect(target) => write!(f, "tcp://{target}"),
            Input::TcpListen(addr) => write!(f, "tcp-listen://{addr}"),
        }
    }
}

/// How inputs are read.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// Silence after which a UDP input ends and a TCP stream is stalled.
    pub idle_timeout: Duration,
}

/// Why reading ended well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// End of file, or the peer closed the stream.
    EndOfStream,
    /// No datagram for the idle timeout (UDP only).
    Idle,
}

/// What was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub bytes: u64,
    pub chunks: u64,
    pub ended: Ended,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    #[error("{input}: cannot open: {source}")]
    Open { input: String, source: io::Error },
    #[error("{input}: read failed after {bytes} bytes: {source}")]
    Read {
        input: String,
        bytes: u64,
        source: io::Error,
    },
    #[error(
        "{input}: stalled: no bytes for {timeout:?} after {bytes} bytes (raise --idle-timeout if the feed is slow)"
    )]
    Stalled {
        input: String,
        bytes: u64,
        timeout: Duration,
    },
}

/// Reads `input` to its end into `decoder`, then calls `decoder.finish`.
/// `on_bound` is told the local address of a listening socket once bound
/// (so a caller that asked for port 0 can say which port it got).
pub fn run(
    input: &Input,
    config: &SourceConfig,
    on_bound: &mut dyn FnMut(SocketAddr),
    decoder: &mut dyn Decoder,
    sink: &mut dyn Sink,
) -> Result<Summary, SourceError> {
    let name = input.to_string();
    let open = |source: io::Error| SourceError::Open {
        input: name.clone(),
        source,
    };
    let result = match input {
        Input::File(path) => {
            let file = std::fs::File::open(path).map_err(open)?;
            read_stream(&name, file, None, decoder, sink)
        }
        Input::Stdin => read_stream(&name, io::stdin().lock(), None, decoder, sink),
        Input::Udp(addr) => {
            let socket = UdpSocket::bind(addr).map_err(open)?;
            socket
                .set_read_timeout(Some(config.idle_timeout))
                .map_err(open)?;
            on_bound(socket.local_addr().map_err(open)?);
            read_datagrams(&name, &socket, decoder, sink)
        }
        Input::TcpConnect(target) => {
            let stream = TcpStream::connect(target.as_str()).map_err(open)?;
            stream
                .set_read_timeout(Some(config.idle_timeout))
                .map_err(open)?;
            read_stream(&name, stream, Some(config.idle_timeout), decoder, sink)
        }
        Input::TcpListen(addr) => {
            let listener = TcpListener::bind(addr).map_err(open)?;
            on_bound(listener.local_addr().map_err(open)?);
            let (stream, _) = listener.accept().map_err(open)?;
            stream
                .set_read_timeout(Some(config.idle_timeout))
                .map_err(open)?;
            read_stream(&name, stream, Some(config.idle_timeout), decoder, sink)
        }
    };
    // What was read before a failure is still decoded to its end.
    decoder.finish(sink);
    result
}

fn read_stream(
    name: &str,
    mut reader: impl Read,
    timeout: Option<Duration>,
    decoder: &mut dyn Decoder,
    sink: &mut dyn Sink,
) -> Result<Summary, SourceError> {
    let mut buf = vec![0u8; source_chunk_bytes_max];
    let (mut bytes, mut chunks) = (0u64, 0u64);
    loop {
        match reader.read(&mut buf) {
            Ok(0) => {
                return Ok(Summary {
                    bytes,
                    chunks,
                    ended: Ended::EndOfStream,
                });
            }
            Ok(n) => {
                bytes += n as u64;
                chunks += 1;
                decoder.feed(&buf[..n], sink);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => {
                let timeout = timeout.unwrap_or_default();
                return Err(SourceError::Stalled {
                    input: name.to_owned(),
                    bytes,
                    timeout,
                });
            }
            Err(source) => {
                return Err(SourceError::Read {
                    input: name.to_owned(),
                    bytes,
                    source,
                });
            }
        }
    }
}

fn read_datagrams(
    name: &str,
    socket: &UdpSocket,
    decoder: &mut dyn Decoder,
    sink: &mut dyn Sink,
) -> Result<Summary, SourceError> {
    let mut buf = vec![0u8; udp_datagram_bytes_max];
    let (mut bytes, mut chunks) = (0u64, 0u64);
    loop {
        match socket.recv(&mut buf) {
            Ok(n) => {
                bytes += n as u64;
                chunks += 1;
                decoder.feed(&buf[..n], sink);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => {
                return Ok(Summary {
                    bytes,
                    chunks,
                    ended: Ended::Idle,
                });
            }
            Err(source) => {
                return Err(SourceError::Read {
                    input: name.to_owned(),
                    bytes,
                    source,
                });
            }
        }
    }
}

/// Socket read timeouts surface as `WouldBlock` on Unix and `TimedOut` on Windows.
fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_parse() {
        assert_eq!("-".parse::<Input>().unwrap(), Input::Stdin);
        assert_eq!(
            "a/b.cot".parse::<Input>().unwrap(),
            Input::File("a/b.cot".into())
        );
        assert_eq!(
            "udp://127.0.0.1:4000".parse::<Input>().unwrap(),
            Input::Udp("127.0.0.1:4000".parse().unwrap())
        );
        assert_eq!(
            "tcp://tak.example:8087".parse::<Input>().unwrap(),
            Input::TcpConnect("tak.example:8087".into())
        );
        assert_eq!(
            "tcp-listen://127.0.0.1:0".parse::<Input>().unwrap(),
            Input::TcpListen("127.0.0.1:0".parse().unwrap())
        );
        for bad in ["", "udp://nowhere", "tcp://:80", "tcp://host", "ftp://x:1"] {
            assert!(bad.parse::<Input>().is_err(), "{bad}");
        }
    }
}
