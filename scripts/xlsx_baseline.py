#!/usr/bin/env python3
"""Baseline for the Rust XLSX renderer: Python XlsxWriter writing the same
8,760 hourly rows plus a KPI summary sheet, in memory.

Input: the ReportData JSON dumped by
`cargo run --release -p reports --example year_report -- --dump FILE`.
Prints wall time (JSON load excluded) and peak RSS (ru_maxrss) as
`key value` lines that scripts/bench-reports.sh reads.
"""

import io
import json
import resource
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import xlsxwriter

HEADERS = [
    "Start (venue time)", "Start (UTC)", "Revenue", "Tickets sold", "Orders", "Tickets / hour",
    "Scans admitted", "Scans rejected", "Duplicate scans", "Page views", "Cart adds", "Checkouts", "Abandons",
]
COUNT_FIELDS = [
    "ticketsSold", "orders", None, "scansAdmitted", "scansRejected", "scansDuplicate",
    "pageViews", "cartAdds", "cartCheckouts", "cartAbandons",
]
KPIS = [
    ("Revenue", "revenue", "money"), ("Tickets sold", "ticketsSold", "count"), ("Orders", "orders", "count"),
    ("Average order value", "averageOrderValue", "money"),
    ("Sales velocity (tickets/hour)", "salesVelocityPerHour", "decimal"),
    ("Page views", "pageViews", "count"), ("Cart adds", "cartAdds", "count"),
    ("Conversion rate", "conversionRate", "percent"), ("Scans admitted", "scansAdmitted", "count"),
    ("Attendance rate", "attendanceRate", "percent"), ("Scans rejected", "scansRejected", "count"),
    ("Duplicate scans", "scansDuplicate", "count"), ("Cart checkouts", "cartCheckouts", "count"),
    ("Cart abandons", "cartAbandons", "count"),
]


def parse_utc(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def write_workbook(data):
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    header = workbook.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#2F5D8A", "bottom": 1})
    fmt = {
        "money": workbook.add_format({"num_format": '"$"#,##0.00;-"$"#,##0.00'}),
        "count": workbook.add_format({"num_format": "#,##0"}),
        "decimal": workbook.add_format({"num_format": "#,##0.00"}),
        "percent": workbook.add_format({"num_format": "0.0%"}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm", "align": "left"}),
    }
    tz = ZoneInfo(data["timezone"])

    summary = workbook.add_worksheet("Summary")
    summary.set_column(0, 0, 30)
    summary.set_column(1, 1, 20)
    summary.write(0, 0, data["title"], workbook.add_format({"bold": True, "font_size": 16}))
    summary.write(2, 0, "Venue")
    summary.write(2, 1, data["venueName"])
    summary.write(4, 0, "Metric", header)
    summary.write(4, 1, "Value", header)
    for i, (label, key, kind) in enumerate(KPIS, start=5):
        value = data["kpis"][key]
        summary.write(i, 0, label)
        if value is None:
            summary.write(i, 1, "n/a")
        else:
            summary.write_number(i, 1, value / 100 if kind == "money" else value, fmt[kind])

    sheet = workbook.add_worksheet("Hourly")
    for col, title in enumerate(HEADERS):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, 15)
    for r, row in enumerate(data["rows"], start=1):
        utc = parse_utc(row["bucketStart"])
        sheet.write_datetime(r, 0, utc.astimezone(tz).replace(tzinfo=None), fmt["datetime"])
        sheet.write_datetime(r, 1, utc.replace(tzinfo=None), fmt["datetime"])
        sheet.write_number(r, 2, row["revenue"] / 100, fmt["money"])
        for col, key in enumerate(COUNT_FIELDS, start=3):
            if key is None:
                sheet.write_number(r, col, float(row["ticketsSold"]), fmt["decimal"])
            else:
                sheet.write_number(r, col, row[key], fmt["count"])
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(data["rows"]), len(HEADERS) - 1)
    workbook.close()
    return out.getvalue()


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: xlsx_baseline.py REPORT.json")
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
    started = time.perf_counter()
    xlsx = write_workbook(data)
    elapsed_ms = (time.perf_counter() - started) * 1e3
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"rows {len(data['rows'])}")
    print(f"xlsx_bytes {len(xlsx)}")
    print(f"xlsx_ms {elapsed_ms:.1f}")
    print(f"peak_rss_mib {peak_kib / 1024:.1f}")
    print(f"xlsxwriter_version {xlsxwriter.__version__}")


if __name__ == "__main__":
    main()
