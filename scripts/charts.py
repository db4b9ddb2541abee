#!/usr/bin/env python3
"""SVG charts for BENCHMARKS.md, drawn from the benchmark CSVs.

    python3 scripts/charts.py side-by-side CSV OUT.svg [--before CSV]
    python3 scripts/charts.py codec CSV OUT.svg [--before CSV]
    python3 scripts/charts.py instructions CSV OUT.svg

`side-by-side` reads a `../shared/bench/bench.sh --csv` file and draws, per
workload, each server's requests/s as a fraction of the `ceiling` server's
in the same run (with --before, our server's earlier figure as an outline).
`codec` reads a `scripts/codec_table.py --csv` file and draws, per body,
decode and quick-xml's bare tokenising in MiB/s. `instructions` reads a
`scripts/instructions.py --csv` file and draws, per workload, each
server's instructions per request as a multiple of the first server's
(ours). No plotting library: the
SVG is written by hand, so the script runs wherever python3 does.
"""
import argparse
import csv
import html
import sys

COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#7f7f7f"]
WIDTH, HEIGHT = 760, 360
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 40, 70


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def label(v):
    return f"{v:.0f}" if v >= 10 else f"{v:.2g}"


def nice_max(v):
    """A round axis maximum at or above `v` (5 ticks of a round step)."""
    import math
    step = v / 5
    power = 10 ** math.floor(math.log10(step))
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * power * 5 >= v:
            return m * power * 5
    return v


def svg(title, groups, series, values, y_label, y_max, outlines=None, target_lines=None):
    """A grouped bar chart: `values[(group, series)]` -> height."""
    outlines = outlines or {}
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / len(groups)
    bar_w = group_w * 0.8 / len(series)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="14">{html.escape(title)}</text>',
    ]

    def y(v):
        return TOP + plot_h - plot_h * min(v, y_max) / y_max

    for i in range(6):
        v = y_max * i / 5
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
    out.append(
        f'<text x="14" y="{TOP + plot_h / 2}" transform="rotate(-90 14 {TOP + plot_h / 2})" '
        f'text-anchor="middle">{html.escape(y_label)}</text>'
    )
    for g, group in enumerate(groups):
        x0 = LEFT + g * group_w + group_w * 0.1
        for s, name in enumerate(series):
            v = values.get((group, name))
            if v is None:
                continue
            x = x0 + s * bar_w
            colour = COLOURS[s % len(COLOURS)]
            out.append(
                f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{bar_w * 0.9:.1f}" '
                f'height="{TOP + plot_h - y(v):.1f}" fill="{colour}"><title>{html.escape(name)} '
                f'{html.escape(group)}: {v:.3g}</title></rect>'
            )
            out.append(f'<text x="{x + bar_w * 0.45:.1f}" y="{y(v) - 3:.1f}" text-anchor="middle" font-size="9">{label(v)}</text>')
            before = outlines.get((group, name))
            if before is not None:
                out.append(
                    f'<rect x="{x:.1f}" y="{y(before):.1f}" width="{bar_w * 0.9:.1f}" '
                    f'height="{TOP + plot_h - y(before):.1f}" fill="none" stroke="black" '
                    f'stroke-dasharray="3,2"/>'
                )
        if target_lines and group in target_lines:
            t = target_lines[group]
            out.append(
                f'<line x1="{x0 - 2:.1f}" x2="{x0 + group_w * 0.8 + 2:.1f}" y1="{y(t):.1f}" '
                f'y2="{y(t):.1f}" stroke="black" stroke-width="2"/>'
            )
        out.append(
            f'<text x="{LEFT + g * group_w + group_w / 2:.1f}" y="{TOP + plot_h + 16}" '
            f'text-anchor="middle">{html.escape(group)}</text>'
        )
    legend_y = HEIGHT - 22
    x = LEFT
    for s, name in enumerate(series):
        out.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{COLOURS[s % len(COLOURS)]}"/>')
        out.append(f'<text x="{x + 16}" y="{legend_y}">{html.escape(name)}</text>')
        x += 24 + 7 * len(name)
    if outlines:
        out.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="none" stroke="black" stroke-dasharray="3,2"/>')
        out.append(f'<text x="{x + 16}" y="{legend_y}">before</text>')
        x += 70
    if target_lines:
        out.append(f'<line x1="{x}" x2="{x + 14}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="black" stroke-width="2"/>')
        out.append(f'<text x="{x + 18}" y="{legend_y}">target</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def side_by_side(rows, before_rows):
    groups = list(dict.fromkeys(r["workload"] for r in rows))
    ceiling = {r["workload"]: float(r["rps"]) for r in rows if r["server"] == "ceiling"}
    if not ceiling:
        sys.exit("charts.py: the CSV has no `ceiling` server to divide by")
    series = [s for s in dict.fromkeys(r["server"] for r in rows) if s != "ceiling"]
    values = {(r["workload"], r["server"]): float(r["rps"]) / ceiling[r["workload"]]
              for r in rows if r["server"] != "ceiling"}
    outlines = {}
    if before_rows:
        first = before_rows[0]["server"]
        before_ceiling = {r["workload"]: float(r["rps"]) for r in before_rows if r["server"] == "ceiling"}
        for r in before_rows:
            if r["server"] == first and r["workload"] in before_ceiling:
                outlines[(r["workload"], series[0])] = float(r["rps"]) / before_ceiling[r["workload"]]
    targets = {"tiny": 0.8, "struct": 0.5, "multicall": 0.3, "big": 0.2}
    y_max = nice_max(max(1.0, max(values.values()) * 1.1))
    return svg("requests/s as a fraction of the HTTP ceiling (same run)", groups, series, values,
               "x ceiling", y_max, outlines, {g: t for g, t in targets.items() if g in groups})


def codec(rows, before_rows):
    groups = [r["body"] for r in rows]
    series = ["quick-xml events only", "decode"]
    values = {}
    for r in rows:
        values[(r["body"], "quick-xml events only")] = float(r["floor_mib_s"])
        values[(r["body"], "decode")] = float(r["decode_mib_s"])
    outlines = {(r["body"], "decode"): float(r["decode_mib_s"]) for r in before_rows or []}
    y_max = nice_max(max(values.values()) * 1.1)
    return svg("decode MiB/s (one core) beside quick-xml's bare tokenising", groups, series, values,
               "MiB/s", y_max, outlines)


def instructions(rows):
    groups = list(dict.fromkeys(r["workload"] for r in rows))
    series = list(dict.fromkeys(r["server"] for r in rows))
    ours = {r["workload"]: float(r["instructions_per_request"]) for r in rows if r["server"] == series[0]}
    values = {(r["workload"], r["server"]): float(r["instructions_per_request"]) / ours[r["workload"]]
              for r in rows if r["workload"] in ours}
    y_max = nice_max(max(values.values()) * 1.1)
    return svg(f"instructions per request (callgrind) as a multiple of {series[0]}'s: lower is less work",
               groups, series, values, f"x {series[0]}", y_max)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=["side-by-side", "codec", "instructions"])
    ap.add_argument("csv")
    ap.add_argument("out")
    ap.add_argument("--before")
    args = ap.parse_args()
    rows = read(args.csv)
    before = read(args.before) if args.before else None
    if args.kind == "side-by-side":
        chart = side_by_side(rows, before)
    elif args.kind == "codec":
        chart = codec(rows, before)
    else:
        chart = instructions(rows)
    with open(args.out, "w") as f:
        f.write(chart)


if __name__ == "__main__":
    main()
