/** The results as tables: aligned plain text for the terminal, Markdown for results.md. */
import { IMPLEMENTATIONS, variantLabel } from './implementations.js';
import type { Measurement } from './measure.js';
import type {
  BenchResults,
  ComparisonResult,
  CosineResult,
  DistanceResult,
  EndToEndResult,
  GrowthResult,
  ThreadScalingResult,
  ThroughputResult,
} from './results.js';

export type Format = 'text' | 'markdown';

/** Other processes' CPU use (in cores) during a measurement from which its time is marked as suspect. */
export const BUSY_CORES = 0.25;
const BUSY_MARK = '†';

interface Table {
  headers: string[];
  /** Columns after the first are numbers, right-aligned. */
  rows: string[][];
}

function renderTable({ headers, rows }: Table, format: Format): string {
  if (format === 'markdown') {
    const line = (cells: string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
    return [line(headers), `|${headers.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map(line)].join('\n');
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 10) return `${value.toFixed(0)} ms`;
  return `${value.toFixed(2)} ms`;
}

/** Median with the range beside it, in the median's unit. */
function timeRange(m: Measurement): string {
  if (m.status !== 'ok') return '–';
  const seconds = m.medianMs >= 1000;
  const bare = (v: number): string => (seconds ? (v / 1000).toFixed(2) : v >= 10 ? v.toFixed(0) : v.toFixed(2));
  return `${ms(m.medianMs)} (${bare(m.minMs)}–${bare(m.maxMs)})${busyMark(m)}`;
}

function busyMark(m: Measurement): string {
  return m.backgroundCores >= BUSY_CORES ? ` ${BUSY_MARK}` : '';
}

function factor(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

function iterations(m: Measurement): string {
  if (m.status !== 'ok') return '–';
  return m.converged ? String(m.iterations) : `${m.iterations} (cap)`;
}

function stopRule({ tolerance, maxIterations }: { tolerance: number; maxIterations: number }): string {
  return tolerance === 0
    ? `tolerance 0 (until no centre moves), at most ${maxIterations} iterations`
    : `tolerance ${tolerance} (scikit-learn's), at most ${maxIterations} iterations`;
}

function comparisonTable(row: ComparisonResult): Table {
  return {
    headers: ['implementation', 'reps', 'time: median (min–max)', 'iterations', 'per iteration', 'inertia', 'vs ours', 'peak RSS', 'speed-up vs TS Elkan'],
    rows: row.entries.map((e) => {
      if (e.status !== 'ok') return [e.label, '–', `${e.status}: ${e.note ?? ''}`, '–', '–', '–', '–', '–', '–'];
      const check =
        e.label === row.reference
          ? 'reference'
          : e.flagged
            ? `FLAGGED ${e.inertiaDifference.toExponential(1)}`
            : `ok (${e.inertiaDifference.toExponential(0)})`;
      return [
        e.label,
        String(e.timesMs.length),
        timeRange(e),
        iterations(e),
        ms(e.msPerIteration),
        e.inertia.toPrecision(8),
        check,
        `${e.peakRssMiB.toFixed(0)} MiB`,
        `${factor(e.speedup)}${e.flagged ? ' ⚠' : ''}`,
      ];
    }),
  };
}

function threadTable(result: ThreadScalingResult): Table {
  return {
    headers: ['implementation', 'threads', 'time: median (min–max)', 'iterations', 'speed-up over 1 thread', 'efficiency'],
    rows: result.series.flatMap((series) =>
      series.points.map((p) => [
        IMPLEMENTATIONS[series.implementation].label,
        String(p.variant.threads),
        p.status === 'ok' ? timeRange(p) : `${p.status}: ${p.note ?? ''}`,
        iterations(p),
        factor(p.speedupOverOneThread),
        Number.isFinite(p.speedupOverOneThread) ? `${((100 * p.speedupOverOneThread) / p.variant.threads).toFixed(0)} %` : '–',
      ]),
    ),
  };
}

/** log(t2/t1) / log(x2/x1) between the ends of an axis: 1 means time per iteration grows in proportion. */
function growthExponent(points: ReadonlyArray<{ value: number; m: Measurement | undefined }>): number {
  const ok = points.filter((p) => p.m?.status === 'ok');
  if (ok.length < 2) return NaN;
  const first = ok[0];
  const last = ok[ok.length - 1];
  return Math.log(last.m!.msPerIteration / first.m!.msPerIteration) / Math.log(last.value / first.value);
}

function growthTables(result: GrowthResult): Array<{ title: string; table: Table; exponents: string }> {
  return result.axes.map(({ axis, points }) => {
    const labels = result.variants.map(variantLabel);
    const table: Table = {
      headers: ['n × d, k', ...labels.map((l) => `${l} per iteration`), 'iterations'],
      rows: points.map((p) => [
        `${p.n} × ${p.d}, k = ${p.k}`,
        ...p.entries.map((m) => (m.status === 'ok' ? `${ms(m.msPerIteration)}${busyMark(m)}` : m.status)),
        String(Math.max(...p.entries.map((m) => m.iterations))),
      ]),
    };
    const exponents = labels.map((label, i) => `${label} ${growthExponent(points.map((p) => ({ value: p.value, m: p.entries[i] }))).toFixed(2)}`).join(', ');
    return { title: `time per iteration as ${axis} grows`, table, exponents };
  });
}

function gflops(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function percent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(100 * fraction).toFixed(fraction < 0.1 ? 1 : 0)} %` : '–';
}

/** The busy mark for a figure taken while other processes used this many cores. */
function busy(backgroundCores: number | null): string {
  return backgroundCores !== null && backgroundCores >= BUSY_CORES ? ` ${BUSY_MARK}` : '';
}

function throughputTables(result: ThroughputResult): { native: Table; ts: Table } {
  const native: Table = {
    headers: ['d', 'n', 'k', 'ours: one pass', 'ours GFLOP/s', 'numpy GFLOP/s', 'ours/numpy', '% of peak'],
    rows: result.rows.map((r) => [
      String(r.d),
      r.native ? String(r.native.n) : '–',
      String(result.k),
      r.native ? ms(r.native.medianMs) : '–',
      `${gflops(r.native?.gflops)}${busy(result.backgroundCores.node)}`,
      `${gflops(r.numpy?.gflops)}${busy(result.backgroundCores.numpy)}`,
      factor(r.oursOverNumpy),
      percent(r.fractionOfPeak),
    ]),
  };
  const ts: Table = {
    headers: ['d', 'n', 'k', 'one pass', 'GFLOP/s', 'native is faster by'],
    rows: result.ts.map((e) => [
      String(e.d),
      String(e.n),
      String(e.k),
      ms(e.medianMs),
      `${gflops(e.gflops)}${busy(result.backgroundCores.node)}`,
      factor(e.nativeOverTs),
    ]),
  };
  return { native, ts };
}

function peakLine({ peak }: ThroughputResult): string {
  if (peak.gflops === null) return `Peak: unknown (${peak.basis}).`;
  return (
    `Peak: ${peak.gflops.toFixed(0)} GFLOP/s = ${peak.cores} core${peak.cores === 1 ? '' : 's'} × ${peak.fmaUnits} FMA units × ` +
    `${peak.lanes} float32 lanes × 2 flops × ${peak.clockMHz!.toFixed(0)} MHz; clock from ${peak.clockSource}; ${peak.basis}.`
  );
}

function signedPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '–';
  const digits = Math.abs(fraction) < 0.001 ? 3 : 2;
  return `${fraction >= 0 ? '+' : '−'}${Math.abs(100 * fraction).toFixed(digits)} %`;
}

function endToEndTable(row: EndToEndResult): Table {
  return {
    headers: ['implementation', 'reps', 'time: median (min–max)', 'time vs ours', 'iterations', 'inertia', 'vs ours', 'peak RSS'],
    rows: row.entries.map((e) => {
      const label = e.algorithm ? `${e.label} ('auto' → ${e.algorithm})` : e.label;
      if (e.status !== 'ok') return [label, '–', `${e.status}: ${e.note ?? ''}`, '–', '–', '–', '–', '–'];
      const fixed = e.variant.implementation === 'faiss-default' ? `${e.iterations} (fixed)` : iterations(e);
      return [
        label,
        String(e.timesMs.length),
        timeRange(e),
        factor(e.timeVsOurs),
        fixed,
        e.inertia.toPrecision(8),
        e.variant.implementation === 'ours-default' ? 'reference' : signedPercent(e.inertiaVsOurs),
        `${e.peakRssMiB.toFixed(0)} MiB`,
      ];
    }),
  };
}

/**
 * Fits from the same centres at a fixed iteration cap, one entry a line, with the row's own ratio
 * column: scikit-learn Lloyd's time over each (long Lloyd fits), or each over the Euclidean fit's
 * (cosine). `arrow` says whose label names the algorithm an 'auto' took.
 */
function fixedFitTable<E extends Measurement>(entries: readonly E[], ratioHeader: string, ratio: (e: E) => number, arrow: (e: E) => boolean): Table {
  return {
    headers: ['implementation', 'reps', 'time: median (min–max)', 'iterations', 'per iteration', ratioHeader, 'inertia (own)', 'peak RSS'],
    rows: entries.map((e) => {
      const label = e.algorithm && arrow(e) ? `${e.label} (→ ${e.algorithm})` : e.label;
      if (e.status !== 'ok') return [label, '–', `${e.status}: ${e.note ?? ''}`, '–', '–', '–', '–', '–'];
      return [
        label,
        String(e.timesMs.length),
        timeRange(e),
        iterations(e),
        ms(e.msPerIteration),
        factor(ratio(e)),
        e.reportedInertia === null ? '–' : e.reportedInertia.toPrecision(8),
        `${e.peakRssMiB.toFixed(0)} MiB`,
      ];
    }),
  };
}

const distanceTable = (row: DistanceResult): Table =>
  fixedFitTable(
    row.entries,
    'scikit-learn Lloyd / this',
    (e) => e.vsSklearn,
    (e) => e.variant.implementation === 'native-auto',
  );

const cosineTable = (row: CosineResult): Table =>
  fixedFitTable(
    row.entries,
    'this / euclidean',
    (e) => e.vsEuclidean,
    () => true,
  );

/** The end-to-end section's rows the distance section's issue names: ours and scikit-learn's defaults. */
function defaultFitsTable(rows: readonly EndToEndResult[]): Table {
  return {
    headers: ['default fit (end-to-end section)', 'elkan-kmeans', 'scikit-learn', 'scikit-learn / ours'],
    rows: rows.map((row) => {
      const find = (id: string) => row.entries.find((e) => e.variant.implementation === id && e.status === 'ok');
      const [ours, sklearn] = [find('ours-default'), find('sklearn-default')];
      return [row.dataset.title, ours ? ms(ours.medianMs) : '–', sklearn ? ms(sklearn.medianMs) : '–', factor(sklearn?.timeVsOurs ?? NaN)];
    }),
  };
}

function flaggedNotes(results: BenchResults): string[] {
  return results.comparison.flatMap((row) =>
    row.entries
      .filter((e) => e.flagged)
      .map(
        (e) =>
          `${e.label} on ${row.dataset.title}: inertia ${e.inertia.toPrecision(10)} differs from ours by ${e.inertiaDifference.toExponential(1)} (relative); its speed-up is not comparable.`,
      ),
  );
}

/** How many measurements ran while other processes kept the machine busy. */
function busyNote(results: BenchResults): string[] {
  const all: Measurement[] = [
    ...results.comparison.flatMap((row) => row.entries),
    ...(results.threadScaling?.series.flatMap((s) => s.points) ?? []),
    ...(results.growth?.axes.flatMap((a) => a.points.flatMap((p) => p.entries)) ?? []),
    ...results.endToEnd.flatMap((row) => row.entries),
    ...results.distance.flatMap((row) => row.entries),
    ...results.cosine.flatMap((row) => row.entries),
  ].filter((m) => m.status === 'ok');
  const busy = all.filter((m) => m.backgroundCores >= BUSY_CORES);
  if (busy.length === 0) return [];
  const worst = Math.max(...busy.map((m) => m.backgroundCores));
  return [
    `${BUSY_MARK} ${busy.length} of ${all.length} measurements ran while other processes used ${BUSY_CORES} cores or more (up to ${worst.toFixed(2)}); those times are pessimistic (backgroundCores in results.json).`,
  ];
}

/** Every section present in `results`, as one document. */
export function formatReport(results: BenchResults, format: Format): string {
  const heading = (level: number, text: string): string => {
    if (format === 'markdown') return `${'#'.repeat(level)} ${text}`;
    return level === 2 ? `\n${text.toUpperCase()}` : text;
  };
  const parts: string[] = [];
  if (results.comparison.length > 0) {
    parts.push(heading(2, 'Comparison'));
    for (const row of results.comparison) {
      parts.push(heading(3, `${row.dataset.title} (${row.dataset.type}) · ${stopRule(row.stop)}`), renderTable(comparisonTable(row), format));
    }
    const flagged = flaggedNotes(results);
    if (flagged.length > 0) parts.push(`Flagged results:\n${flagged.map((f) => `- ${f}`).join('\n')}`);
  }
  if (results.threadScaling) {
    const { dataset, stop } = results.threadScaling;
    parts.push(heading(2, `Thread scaling: ${dataset.title} · ${stopRule(stop)}`), renderTable(threadTable(results.threadScaling), format));
  }
  if (results.growth) {
    const { base, stop } = results.growth;
    parts.push(heading(2, `Growth: ${stop.maxIterations} iterations from n = ${base.n}, k = ${base.k}, d = ${base.d}, one axis at a time`));
    for (const { title, table, exponents } of growthTables(results.growth)) {
      parts.push(heading(3, title), renderTable(table, format), `Growth exponent, first to last point: ${exponents}.`);
    }
  }
  if (results.throughput) {
    const t = results.throughput;
    const { native, ts } = throughputTables(t);
    parts.push(
      heading(2, `Throughput of the nearest-centre step: predict, float32, k = ${t.k}, ${t.threads} threads`),
      `One pass of the public \`predict\` assigns every point of float32 blobs to the nearest of k centres (k of the points) and counts 2·n·k·d flops; n is chosen per d for a pass of about ${ms(t.targetMs)}. ` +
        `numpy: its float32 \`X @ C.T\` on the same shapes, ${t.blockRows} rows at a time, the product alone (no norms, no arg-min)` +
        `${t.numpy ? `, numpy ${t.numpy.version} on ${t.numpy.blas}` : ''}.`,
      renderTable(native, format),
      peakLine(t),
    );
    if (t.ts.length > 0) parts.push(heading(3, 'The TypeScript backend, one thread'), renderTable(ts, format));
    if (t.notes.length > 0) parts.push(t.notes.map((n) => `- ${n}`).join('\n'));
  }
  if (results.endToEnd.length > 0) {
    const { seed } = results.endToEnd[0];
    parts.push(
      heading(2, `End to end: every library with its defaults, seeding included, seed ${seed}`),
      "`kmeans(points, k, { seed })` against scikit-learn's `KMeans(n_clusters=k, n_init=1, random_state=seed)` and FAISS's " +
        "`faiss.Kmeans(d, k, seed=seed)` (train, then a search for every point's label), all on all threads; inertia of each one's " +
        'centres on the full data, evaluated the same way in float64. "vs ours" above 0 is a worse clustering.',
    );
    for (const row of results.endToEnd) {
      parts.push(heading(3, `${row.dataset.title} (${row.dataset.type})`));
      if (row.dataset.note) parts.push(`Data: ${row.dataset.note}.`);
      parts.push(renderTable(endToEndTable(row), format));
    }
  }
  if (results.distance.length > 0) {
    parts.push(
      heading(2, 'Long Lloyd fits, where nearly every distance is computed'),
      'Float32 blobs (as many blobs as centres), the same initial centres for everyone, tolerance 0 and a fixed iteration count, all on all threads; ' +
        "each library's own inertia. Ours computes its all-pairs steps (Lloyd's assignment, the first pass of Elkan and Hamerly, Hamerly's rescans) through the distance filter.",
    );
    for (const row of results.distance) {
      parts.push(heading(3, `${row.dataset.title} (${row.dataset.type}) · ${stopRule(row.stop)}`), renderTable(distanceTable(row), format));
    }
    if (results.endToEnd.length > 0)
      parts.push('The default fits, seeding included, from the end-to-end section:', renderTable(defaultFitsTable(results.endToEnd.slice(0, 2)), format));
  }
  if (results.cosine.length > 0) {
    parts.push(
      heading(2, 'Cosine k-means against Euclidean'),
      "`algorithm: 'auto'` with `metric: 'cosine'` and with the default `'euclidean'`, on the same points from the same initial centres, " +
        'one thread, tolerance 0 and a fixed iteration cap; each fit\'s own inertia (the cosine one is Σ 2 − 2 cos). "this / euclidean" is the cost of ' +
        'normalising the points once and the centres at every update.',
    );
    for (const row of results.cosine) {
      parts.push(heading(3, `${row.dataset.title} (${row.dataset.type}) · ${stopRule(row.stop)}`), renderTable(cosineTable(row), format));
    }
  }
  if (results.bigdata) {
    const { spec, data, threads, entries } = results.bigdata;
    parts.push(
      heading(2, `Big data: ${spec.n} × ${spec.d} float32, k = ${spec.k}, every library with its defaults, ${threads} threads`),
      `Data: ${data}. Ours: a default fit (init 'auto' and tolerance ${spec.tolerance}; the seeding it chose is in the notes); ` +
        "scikit-learn's MiniBatchKMeans and FAISS's Kmeans with their defaults. Inertia: of each one's centroids over the full data, evaluated the same way in float64.",
      renderTable(
        {
          headers: ['implementation', 'fit time', 'CPU time of the process', 'iterations', 'peak RSS', 'inertia', 'vs ours', 'notes'],
          rows: entries.map((e) => [
            e.call,
            e.status === 'ok' ? `${e.seconds.toFixed(1)} s` : e.status,
            e.status === 'ok' ? `${e.cpuSeconds.toFixed(1)} s` : '',
            e.status === 'ok' ? String(e.iterations) : '',
            e.status === 'ok' ? `${e.peakRssMiB.toFixed(0)} MiB` : '',
            Number.isFinite(e.inertia) ? e.inertia.toPrecision(8) : '',
            Number.isFinite(e.inertia) && Number.isFinite(entries[0].inertia)
              ? `${(((e.inertia - entries[0].inertia) / entries[0].inertia) * 100).toFixed(2)}%`
              : '',
            e.note ?? '',
          ]),
        },
        format,
      ),
    );
  }
  if (results.miniBatch) {
    const m = results.miniBatch;
    const full = m.rows.find((row) => row.implementation.startsWith('ours kmeans'));
    parts.push(
      heading(2, `Mini-batch k-means: ${m.n} × ${m.d} float32 blobs, k = ${m.k}, batch ${m.batchSize}, one thread`),
      "`miniBatchKMeansSync(points, k, { batchSize, seed, threads: 1 })` against our default exact fit and scikit-learn's " +
        "`MiniBatchKMeans(n_clusters=k, batch_size, n_init=1, random_state=seed)`, each with its own seeding; inertia of each one's " +
        'centres over all points, in float64. "vs full" is the inertia over the full fit\'s.',
      renderTable(
        {
          headers: ['implementation', 'CPU s', 'wall s', 'steps', 'inertia', 'vs full', 'speed-up'],
          rows: m.rows.map((row) => [
            row.implementation,
            row.cpuSeconds.toFixed(2),
            row.wallSeconds.toFixed(2),
            String(row.steps),
            row.inertia.toPrecision(8),
            full ? `${((row.inertia / full.inertia - 1) * 100).toFixed(2)} %` : '',
            full ? `${(full.cpuSeconds / row.cpuSeconds).toFixed(1)}×` : '',
          ]),
        },
        format,
      ),
    );
    if (m.notes.length > 0) parts.push(m.notes.map((n) => `- ${n}`).join('\n'));
  }
  const notes = [...results.notes, ...busyNote(results)];
  if (notes.length > 0) parts.push(heading(2, 'Notes'), notes.map((n) => `- ${n}`).join('\n'));
  return `${parts.join('\n\n')}\n`;
}
