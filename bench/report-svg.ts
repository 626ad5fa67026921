/**
 * The charts, drawn as plain SVG: speed-up over TS Elkan by dataset and implementation (grouped
 * horizontal bars on a log scale, from the 1× line), and time per iteration along each growth axis.
 */
import { type Variant, variantLabel } from './implementations.js';
import type { ComparisonResult, GrowthResult } from './results.js';
import { colourOf, compact, document, legend, logScale, text, tickLabel } from './svg.js';

const WIDTH = 980;
const LABEL_WIDTH = 190;
const PLOT_LEFT = LABEL_WIDTH + 20;
const PLOT_RIGHT = WIDTH - 110;
const BAR = 14;
const BAR_GAP = 4;
const LEGEND_TOP = 62;

function distinctVariants(variants: Iterable<Variant>): Variant[] {
  const seen = new Map<string, Variant>();
  for (const v of variants) seen.set(`${v.implementation}@${v.threads}`, v);
  return [...seen.values()];
}

function shortStop({ tolerance, maxIterations }: { tolerance: number; maxIterations: number }): string {
  return tolerance === 0 ? `exact convergence or ${maxIterations} iterations` : `tolerance ${tolerance}, ≤ ${maxIterations} iterations`;
}

export function speedupChart(rows: readonly ComparisonResult[], machine: string): string {
  const measured = rows.flatMap((r) => r.entries.filter((e) => Number.isFinite(e.speedup)).map((e) => e.speedup));
  const x = logScale(Math.min(0.5, ...measured) / 1.2, Math.max(2, ...measured) * 1.2, PLOT_LEFT, PLOT_RIGHT);
  const variants = distinctVariants(rows.flatMap((r) => r.entries.map((e) => e.variant)));
  const title = 'k-means speed-up over our TypeScript Elkan (log scale), same data and initial centres';
  const key = legend(variants, PLOT_LEFT, LEGEND_TOP, PLOT_RIGHT - PLOT_LEFT);
  const defs =
    '<defs><pattern id="flagged" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
    '<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#C00000" stroke-width="3"/></pattern></defs>';

  const parts: string[] = [defs, key.svg];
  let y = LEGEND_TOP + key.height + 34;
  const plotTop = y - 8;
  for (const row of rows) {
    parts.push(text(20, y + 2, `${row.dataset.title} (${row.dataset.type}) · ${shortStop(row.stop)}`, 'font-size="13" font-weight="bold"'));
    y += 10;
    for (const entry of row.entries) {
      const middle = y + BAR / 2;
      parts.push(text(PLOT_LEFT - 8, middle + 4, entry.label, 'font-size="11" text-anchor="end"'));
      if (!Number.isFinite(entry.speedup)) {
        parts.push(text(x(1) + 6, middle + 4, entry.status === 'ok' ? 'no TS Elkan in this row' : entry.status, 'font-size="11" fill="#777777"'));
      } else {
        const end = x(entry.speedup);
        const left = Math.min(end, x(1));
        const fill = entry.flagged ? 'url(#flagged)' : colourOf(entry.variant);
        const stroke = entry.flagged ? ` stroke="${colourOf(entry.variant)}" stroke-width="2"` : '';
        parts.push(`<rect x="${left.toFixed(1)}" y="${y}" width="${Math.max(1, Math.abs(end - x(1))).toFixed(1)}" height="${BAR}" fill="${fill}"${stroke}/>`);
        const value = `${entry.speedup >= 10 ? entry.speedup.toFixed(0) : entry.speedup.toFixed(1)}×${entry.flagged ? ' inertia ≠ ours' : ''}`;
        parts.push(text(Math.max(end, x(1)) + 5, middle + 4, value, `font-size="11"${entry.flagged ? ' fill="#C00000"' : ''}`));
      }
      y += BAR + BAR_GAP;
    }
    y += 22;
  }
  const plotBottom = y - 16;
  const grid = x.ticks.map((t) => {
    const at = x(t).toFixed(1);
    const strong = t === 1 ? 'stroke="#333333" stroke-width="1.5"' : 'stroke="#dddddd"';
    return `<line x1="${at}" y1="${plotTop}" x2="${at}" y2="${plotBottom}" ${strong}/>${text(x(t), plotBottom + 16, tickLabel(t, '×'), 'font-size="11" text-anchor="middle"')}`;
  });
  parts.splice(1, 0, ...grid);
  parts.push(text(x(1), plotBottom + 32, '1× = TS Elkan; hatched: final inertia differs from ours', 'font-size="11" text-anchor="middle" fill="#555555"'));
  return document(WIDTH, plotBottom + 44, title, machine, parts.join('\n'));
}

const PANEL = { left: 75, width: 270, height: 230, gap: 40 };

export function growthChart(growth: GrowthResult, machine: string): string {
  const { n, k, d } = growth.base;
  const title = `Time per iteration as one of n, k, d grows from n = ${n}, k = ${k}, d = ${d} (log–log)`;
  const key = legend(growth.variants, PANEL.left, LEGEND_TOP, WIDTH - PANEL.left);
  const top = LEGEND_TOP + key.height + 20;
  const parts: string[] = [key.svg];
  const times = growth.axes.flatMap((a) => a.points.flatMap((p) => p.entries.filter((m) => m.status === 'ok').map((m) => m.msPerIteration)));
  growth.axes.forEach(({ axis, points }, panel) => {
    const left = PANEL.left + panel * (PANEL.width + PANEL.gap);
    const values = points.map((p) => p.value);
    const x = logScale(Math.min(...values), Math.max(...values), left, left + PANEL.width, false);
    const y = logScale(Math.min(...times), Math.max(...times), top + PANEL.height, top);
    parts.push(`<rect x="${left}" y="${top}" width="${PANEL.width}" height="${PANEL.height}" fill="none" stroke="#999999"/>`);
    for (const t of y.ticks) {
      parts.push(`<line x1="${left}" y1="${y(t).toFixed(1)}" x2="${left + PANEL.width}" y2="${y(t).toFixed(1)}" stroke="#eeeeee"/>`);
      if (panel === 0) parts.push(text(left - 6, y(t) + 4, tickLabel(t, ' ms'), 'font-size="11" text-anchor="end"'));
    }
    if (panel === 0) {
      const middle = top + PANEL.height / 2;
      parts.push(text(16, middle, 'time per iteration', `font-size="12" text-anchor="middle" transform="rotate(-90 16 ${middle})"`));
    }
    for (const v of values) parts.push(text(x(v), top + PANEL.height + 15, compact(v), 'font-size="11" text-anchor="middle"'));
    parts.push(text(left + PANEL.width / 2, top + PANEL.height + 34, axis, 'font-size="13" font-weight="bold" text-anchor="middle"'));
    growth.variants.forEach((variant, i) => {
      const dots = points
        .map((p) => ({ value: p.value, m: p.entries[i] }))
        .filter((p) => p.m.status === 'ok')
        .map((p) => [x(p.value), y(p.m.msPerIteration)] as const);
      const colour = colourOf(variant);
      parts.push(`<polyline points="${dots.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
      parts.push(
        ...dots.map(([a, b]) => `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="3.5" fill="${colour}"><title>${variantLabel(variant)}</title></circle>`),
      );
    });
  });
  return document(WIDTH, top + PANEL.height + 50, title, machine, parts.join('\n'));
}
