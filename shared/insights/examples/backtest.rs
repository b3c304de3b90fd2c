//! Run the sales-forecast backtest on simulated shows and print the report.
//!
//! `cargo run --release -p insights --example backtest [n_shows]`

#![allow(clippy::print_stdout)]

use insights::forecast::backtest::backtest;

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500);
    let started = std::time::Instant::now();
    let report = backtest(n, &[0.25, 0.5, 0.75]);
    println!(
        "{} simulated shows, {} sold out ({:.1?})",
        report.simulated_shows,
        report.sold_out_shows,
        started.elapsed()
    );
    println!("cutoff  shows   MAPE  medAPE  cover80  sellouts(proj)  sellout-MAE-h  brier");
    for c in &report.cutoffs {
        println!(
            "{:>6.2} {:>6} {:>6.1}% {:>6.1}% {:>7.1}%  {:>6} ({:>4})  {:>13}  {:.3}",
            c.cutoff,
            c.shows,
            c.mape * 100.0,
            c.median_ape * 100.0,
            c.coverage80 * 100.0,
            c.sell_outs,
            c.sell_outs_projected,
            c.sell_out_time_mae_hours
                .map_or("-".into(), |h| format!("{h:.1}")),
            c.sell_out_brier,
        );
    }
}
