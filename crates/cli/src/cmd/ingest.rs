//! `guarantor ingest`: decode one feed (a file, stdin, or a live UDP/TCP stream)
//! and print normalised observations as JSON lines.
//!
//! Rejected records are counted by reason on stderr and, with `--quarantine`,
//! written with their reason, place and bytes (hex) as JSON lines. Exit status:
//! 0 all good, 1 some records rejected, 2 the input could not be read.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, LineWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use feeds::asterix::{AsterixDecoder, AsterixOptions, Framing};
use feeds::source::{self, Ended, Input, SourceConfig};
use feeds::stix::{StixDecoder, StixObject, StixRecord};
use feeds::{DecodeError, Decoder, DecoderConfig, Place, Record, Sink};
use model::{SourceId, Time};
use serde_json::json;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The wire format of the input.
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// The UTC day (YYYY-MM-DD) for formats that carry only a time of day
    /// (ASTERIX, NMEA without tag blocks); default: today (UTC).
    #[arg(long, value_parser = parse_day)]
    pub day: Option<Time>,
    /// Write rejected records (reason, place, bytes in hex) to FILE as JSON lines.
    #[arg(long, value_name = "FILE")]
    pub quarantine: Option<PathBuf>,
    /// Silence after which a UDP input ends and a TCP stream is reported stalled
    /// (`500ms`, `30s`, `5m`).
    #[arg(long, default_value = "30s", value_parser = parse_timeout)]
    pub idle_timeout: std::time::Duration,
    /// A path, `-` (stdin), `udp://127.0.0.1:PORT`, `tcp://HOST:PORT` (connect) or
    /// `tcp-listen://127.0.0.1:PORT` (accept one); port 0 listens on a free port,
    /// printed on stderr.
    pub source: Input,
}

/// The formats `ingest` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// EUROCONTROL ASTERIX CAT048/062/021 (UDP datagrams, or a stream of blocks).
    Asterix,
    /// AIS NMEA 0183 `!AIVDM`/`!AIVDO`.
    Ais,
    /// ADS-B SBS BaseStation text (port 30003).
    Sbs,
    /// Cursor on Target XML events.
    Cot,
    /// STIX 2.1 bundles.
    Stix,
}

fn parse_day(text: &str) -> Result<Time, String> {
    let valid = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    let time = Time::parse_rfc3339(&format!("{text}T00:00:00Z"))
        .ok()
        .filter(|_| valid);
    time.ok_or_else(|| format!("`{text}` is not a day (expected YYYY-MM-DD, e.g. 2025-09-10)"))
}

fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    let d = model::Duration::parse(text).map_err(|e| e.to_string())?;
    let us = u64::try_from(d.us)
        .ok()
        .filter(|us| *us > 0)
        .ok_or("must be positive")?;
    Ok(std::time::Duration::from_micros(us))
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let day = match args.day {
        Some(day) => day,
        // The shell may read the clock; the decoders never do.
        None => today_utc(),
    };
    let config = DecoderConfig {
        source: SourceId::new(format!("{}:{}", format_name(args.format), args.source)),
        day,
    };
    let live = matches!(
        args.source,
        Input::Udp(_) | Input::TcpConnect(_) | Input::TcpListen(_)
    );
    let mut decoder = make_decoder(args.format, config, &args.source);
    let quarantine = match &args.quarantine {
        Some(path) => {
            Some(BufWriter::new(File::create(path).with_context(|| {
                format!("--quarantine {}", path.display())
            })?))
        }
        None => None,
    };
    let stdout: Box<dyn Write> = if live {
        Box::new(LineWriter::new(io::stdout().lock()))
    } else {
        Box::new(BufWriter::new(io::stdout().lock()))
    };
    let mut sink = Output::new(stdout, quarantine, args.format, args.source.to_string());
    let source_config = SourceConfig {
        idle_timeout: args.idle_timeout,
    };
    let mut on_bound = |addr| {
        let scheme = if matches!(args.source, Input::Udp(_)) {
            "udp"
        } else {
            "tcp-listen"
        };
        eprintln!("guarantor ingest: listening on {scheme}://{addr}");
    };
    let read = source::run(
        &args.source,
        &source_config,
        &mut on_bound,
        decoder.as_mut(),
        &mut sink,
    );
    sink.finish()?;
    if let Ok(summary) = &read
        && summary.ended == Ended::Idle
    {
        eprintln!(
            "guarantor ingest: {}: no datagram for {:?}; input ended",
            args.source, args.idle_timeout
        );
    }
    sink.report();
    if let Err(err) = read {
        eprintln!("guarantor ingest: {err}");
        return Ok(ExitCode::from(2));
    }
    Ok(if sink.n_rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn format_name(format: FormatArg) -> &'static str {
    match format {
        FormatArg::Asterix => "asterix",
        FormatArg::Ais => "ais",
        FormatArg::Sbs => "sbs",
        FormatArg::Cot => "cot",
        FormatArg::Stix => "stix",
    }
}

fn make_decoder(format: FormatArg, config: DecoderConfig, input: &Input) -> Box<dyn Decoder> {
    match format {
        FormatArg::Asterix => {
            // UDP carries whole blocks per datagram; files and TCP are byte streams.
            let framing = if matches!(input, Input::Udp(_)) {
                Framing::Datagram
            } else {
                Framing::Stream
            };
            Box::new(AsterixDecoder::with_options(
                config,
                AsterixOptions::default(),
                framing,
            ))
        }
        FormatArg::Ais => Box::new(feeds::ais::AisDecoder::new(config)),
        FormatArg::Sbs => Box::new(feeds::sbs::SbsDecoder::new(config)),
        FormatArg::Cot => Box::new(feeds::cot::CotDecoder::new(&config)),
        FormatArg::Stix => Box::new(StixDecoder::new()),
    }
}

fn today_utc() -> Time {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0);
    Time::from_unix_us(now).start_of_day()
}

/// Writes records as JSON lines and rejections to the quarantine file,
/// counting both; the first write error is kept and reported at the end.
struct Output {
    stdout: Box<dyn Write>,
    quarantine: Option<BufWriter<File>>,
    format: FormatArg,
    input: String,
    n_records: u64,
    n_rejected: u64,
    by_reason: BTreeMap<String, u64>,
    stix_objects: Vec<StixObject>,
    write_error: Option<io::Error>,
}

impl Output {
    fn new(
        stdout: Box<dyn Write>,
        quarantine: Option<BufWriter<File>>,
        format: FormatArg,
        input: String,
    ) -> Output {
        Output {
            stdout,
            quarantine,
            format,
            input,
            n_records: 0,
            n_rejected: 0,
            by_reason: BTreeMap::new(),
            stix_objects: Vec::new(),
            write_error: None,
        }
    }

    fn line(&mut self, value: &serde_json::Value) {
        if self.write_error.is_some() {
            return;
        }
        if let Err(err) = writeln!(self.stdout, "{value}") {
            self.write_error = Some(err);
        }
    }

    fn finish(&mut self) -> Result<()> {
        let flushed = self.stdout.flush();
        if let Some(q) = self.quarantine.as_mut() {
            q.flush().context("writing the quarantine file")?;
        }
        match self.write_error.take().map_or(flushed, Err) {
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("writing to stdout"),
        }
    }

    /// The counts on stderr, and what the STIX objects say about incidents.
    fn report(&self) {
        eprintln!(
            "guarantor ingest: {} from {}: {} records, {} rejected",
            format_name(self.format),
            self.input,
            self.n_records,
            self.n_rejected
        );
        for (reason, n) in &self.by_reason {
            eprintln!("  {n:>8}  {reason}");
        }
        for report in feeds::stix::resolve(&self.stix_objects) {
            eprintln!("guarantor ingest: {report}");
        }
    }
}

impl Sink for Output {
    fn record(&mut self, record: Record) {
        let value = match record {
            Record::Observation(o) => serde_json::to_value(&o),
            Record::VesselStatic(v) => {
                serde_json::to_value(&v).map(|v| json!({ "vessel_static": v }))
            }
            Record::Stix(StixRecord::Object(object)) => {
                let value = json!({ "stix": object.to_json() });
                self.stix_objects.push(*object);
                Ok(value)
            }
            Record::Stix(StixRecord::Note(note)) => {
                eprintln!(
                    "guarantor ingest: {} at {}: note: {}",
                    self.input, note.place, note.message
                );
                return;
            }
            other => {
                eprintln!("guarantor ingest: a record this version cannot print: {other:?}");
                return;
            }
        };
        match value {
            Ok(value) => {
                self.n_records += 1;
                self.line(&value);
            }
            Err(err) => eprintln!("guarantor ingest: a record did not serialise: {err}"),
        }
    }

    fn error(&mut self, error: DecodeError) {
        self.n_rejected += 1;
        *self
            .by_reason
            .entry(reason_kind(&error.reason))
            .or_default() += 1;
        let Some(q) = self.quarantine.as_mut() else {
            return;
        };
        let place = match error.place {
            Place::Byte(byte) => json!({ "byte": byte }),
            Place::Line { line, byte } => json!({ "line": line, "byte": byte }),
        };
        let entry = json!({
            "format": error.format.as_str(),
            "input": self.input,
            "place": place,
            "reason": error.reason,
            "raw_hex": hex(&error.raw),
        });
        if let Err(err) = writeln!(q, "{entry}") {
            self.write_error.get_or_insert(err);
        }
    }
}

/// The stable head of a reason (`point: lat 95 out of range` → `point`), so
/// counts group rejections of one kind whatever the numbers in them.
fn reason_kind(reason: &str) -> String {
    let head = reason.split(':').next().unwrap_or(reason).trim();
    head.chars().take(60).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
