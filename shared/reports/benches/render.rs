//! Rendering a one-year hourly report (8,760 rows), per format and all three.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use reports::{Format, fixtures, render};

fn render_year(c: &mut Criterion) {
    let data = fixtures::year_hourly(2025);
    let mut group = c.benchmark_group("year_hourly");
    group.sample_size(10);
    for format in Format::ALL {
        group.bench_function(format.extension(), |b| {
            b.iter(|| render(format, black_box(&data)).unwrap())
        });
    }
    group.bench_function("all", |b| {
        b.iter(|| Format::ALL.map(|format| render(format, black_box(&data)).unwrap().len()))
    });
    group.finish();
}

criterion_group!(benches, render_year);
criterion_main!(benches);
