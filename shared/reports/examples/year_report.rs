//! Renders a one-year hourly report (8,760 rows) in all three formats once and
//! prints per-format and total wall time plus peak RSS (`VmHWM`).
//!
//! ```text
//! cargo run --release -p reports --example year_report -- [--out DIR] [--dump report.json] [--seed N] [--fixture year|week]
//! ```
//! `--out` writes `<fixture>-report.{pdf,xlsx,csv}`; `--dump` writes the input
//! `ReportData` as JSON (read by `scripts/xlsx_baseline.py`).

use std::path::PathBuf;
use std::time::Instant;

use reports::{Format, fixtures, render};

struct Args {
    out: Option<PathBuf>,
    dump: Option<PathBuf>,
    seed: u64,
    /// `year` (default) or `week` (fixtures::show_week, for looking at layouts).
    fixture: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        out: None,
        dump: None,
        seed: 2025,
        fixture: "year".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--out" => args.out = Some(value()?.into()),
            "--dump" => args.dump = Some(value()?.into()),
            "--fixture" => args.fixture = value()?,
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// Peak resident set size of this process in KiB, from /proc/self/status.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let started = Instant::now();
    let data = match args.fixture.as_str() {
        "week" => fixtures::show_week(args.seed),
        _ => fixtures::year_hourly(args.seed),
    };
    let fixture_ms = started.elapsed().as_secs_f64() * 1e3;
    if let Some(path) = &args.dump {
        std::fs::write(path, serde_json::to_vec(&data)?)?;
    }

    let render_started = Instant::now();
    let mut outputs = Vec::new();
    for format in Format::ALL {
        let started = Instant::now();
        let bytes = render(format, &data)?;
        let ms = started.elapsed().as_secs_f64() * 1e3;
        println!("{format:<5} {:>9} bytes {ms:>8.1} ms", bytes.len());
        outputs.push((format, bytes));
    }
    let total_ms = render_started.elapsed().as_secs_f64() * 1e3;
    let peak_mib = peak_rss_kib().map_or(f64::NAN, |kib| kib as f64 / 1024.0);
    println!("rows  {:>9}", data.rows.len());
    println!("fixture generation {fixture_ms:.1} ms (not counted)");
    println!("all three formats {total_ms:.1} ms");
    println!("peak RSS (VmHWM) {peak_mib:.1} MiB");

    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)?;
        for (format, bytes) in &outputs {
            std::fs::write(
                dir.join(format!("{}-report.{}", args.fixture, format.extension())),
                bytes,
            )?;
        }
    }
    Ok(())
}
