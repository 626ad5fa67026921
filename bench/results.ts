import type { BigDataResult } from './bigdata.js';
/**
 * The shape of results.json, and the derived figures every report shares: the inertia check
 * against our result and the speed-ups. Reports only format what is computed here.
 */
import type { Dataset } from './datasets.js';
import type { MiniBatchResult } from './minibatch.js';
import { BASELINE, type ImplementationId, type Variant, variantLabel } from './implementations.js';
import { INERTIA_RELATIVE_TOLERANCE, relativeDifference } from './inertia.js';
import type { MachineInfo } from './machine.js';
import { type Measurement, median } from './measure.js';
import type { Section } from './options.js';
import type { PeakEstimate } from './peak.js';
import type { GrowthAxis } from './plan.js';
import type { RepetitionPolicy, StopRule, ThroughputTiming } from './protocol.js';

/** A dataset as the results record it: everything but the values. */
export type DatasetSummary = Omit<Dataset, 'points' | 'init'>;

export interface ComparisonEntry extends Measurement {
  /** Relative difference of `inertia` from the reference entry's. */
  inertiaDifference: number;
  /** Differs from our result beyond float noise: shown as such, never folded into a summary. */
  flagged: boolean;
  /** Median time of TS Elkan in the same row over this one's. */
  speedup: number;
}

export interface ComparisonResult {
  dataset: DatasetSummary;
  stop: StopRule;
  /** Label of the entry whose inertia the others are checked against. */
  reference: string | null;
  entries: ComparisonEntry[];
}

export interface ThreadSeries {
  implementation: ImplementationId;
  points: Array<Measurement & { speedupOverOneThread: number }>;
}

export interface ThreadScalingResult {
  dataset: DatasetSummary;
  stop: StopRule;
  series: ThreadSeries[];
}

export interface GrowthPoint {
  value: number;
  n: number;
  k: number;
  d: number;
  entries: Measurement[];
}

export interface GrowthResult {
  base: { n: number; k: number; d: number };
  stop: StopRule;
  variants: Variant[];
  axes: Array<{ axis: GrowthAxis; points: GrowthPoint[] }>;
}

/** One shape's timed passes and the rate they give, counting 2·n·k·d flops a pass. */
export interface ThroughputEntry extends ThroughputTiming {
  medianMs: number;
  gflops: number;
}

export interface ThroughputRow {
  d: number;
  native: ThroughputEntry | null;
  /** numpy's product on the same n, d and k. */
  numpy: ThroughputEntry | null;
  /** Our GFLOP/s over numpy's. */
  oursOverNumpy: number;
  /** Our GFLOP/s over the machine's float32 peak. */
  fractionOfPeak: number;
}

export interface ThroughputResult {
  k: number;
  threads: number;
  /** n was chosen per d for a pass of about this long. */
  targetMs: number;
  /** Rows of numpy's product per block. */
  blockRows: number;
  peak: PeakEstimate;
  numpy: { version: string; blas: string } | null;
  rows: ThroughputRow[];
  /** The TypeScript backend on one thread, and how many times faster the addon was at the same d. */
  ts: Array<ThroughputEntry & { nativeOverTs: number }>;
  /** Why a column is empty, when one is. */
  notes: string[];
  /** As in Measurement, for the Node.js child and the numpy one. */
  backgroundCores: { node: number; numpy: number | null };
}

export interface EndToEndEntry extends Measurement {
  /** (inertia − ours) / ours: above 0, a worse clustering than ours on the same data. */
  inertiaVsOurs: number;
  /** Its median time over ours. */
  timeVsOurs: number;
}

/** Each library with its defaults, seeding included, on one dataset. */
export interface EndToEndResult {
  dataset: DatasetSummary;
  seed: number;
  entries: EndToEndEntry[];
}

export interface DistanceEntry extends Measurement {
  /** scikit-learn Lloyd's median time in the same row over this one's: above 1, faster than it. */
  vsSklearn: number;
}

export interface DistanceResult {
  dataset: DatasetSummary;
  stop: StopRule;
  entries: DistanceEntry[];
}

export interface CosineEntry extends Measurement {
  /** This fit's median time over the Euclidean fit's in the same row: the cost of metric 'cosine'. */
  vsEuclidean: number;
}

export interface CosineResult {
  dataset: DatasetSummary;
  stop: StopRule;
  entries: CosineEntry[];
}

export interface BenchResults {
  schemaVersion: 1;
  createdAt: string;
  /** The command that reproduces this file. */
  command: string;
  mode: 'default' | 'quick';
  durationSeconds: number;
  sectionSeconds: Partial<Record<Section, number>>;
  machine: MachineInfo;
  repetitions: { comparison: RepetitionPolicy; growth: RepetitionPolicy };
  inertiaTolerance: number;
  notes: string[];
  comparison: ComparisonResult[];
  threadScaling: ThreadScalingResult | null;
  growth: GrowthResult | null;
  throughput: ThroughputResult | null;
  endToEnd: EndToEndResult[];
  distance: DistanceResult[];
  cosine: CosineResult[];
  bigdata: BigDataResult | null;
  /** The minibatch section (bench/minibatch.ts), null when it did not run. */
  miniBatch: MiniBatchResult | null;
}

export function summarizeDataset({ id, title, n, d, k, type, note }: Dataset): DatasetSummary {
  return { id, title, n, d, k, type, ...(note ? { note } : {}) };
}

/** Ours first: native on one thread, else TS Elkan, else any of ours that ran. */
function pickReference(measurements: readonly Measurement[]): Measurement | undefined {
  const ok = measurements.filter((m) => m.status === 'ok');
  return (
    ok.find((m) => m.variant.implementation === 'native-elkan' && m.variant.threads === 1) ??
    ok.find((m) => m.variant.implementation === 'ts-elkan') ??
    ok.find((m) => /^(native|ts)-/.test(m.variant.implementation))
  );
}

export function compareRow(dataset: Dataset, stop: StopRule, measurements: readonly Measurement[]): ComparisonResult {
  const reference = pickReference(measurements);
  const baseline = measurements.find((m) => m.variant.implementation === BASELINE && m.status === 'ok');
  const entries = measurements.map((m): ComparisonEntry => {
    const inertiaDifference = reference && m.status === 'ok' ? relativeDifference(m.inertia, reference.inertia) : NaN;
    return {
      ...m,
      inertiaDifference,
      flagged: inertiaDifference > INERTIA_RELATIVE_TOLERANCE,
      speedup: baseline && m.status === 'ok' ? baseline.medianMs / m.medianMs : NaN,
    };
  });
  return { dataset: summarizeDataset(dataset), stop, reference: reference ? variantLabel(reference.variant) : null, entries };
}

export function threadSeries(implementation: ImplementationId, points: readonly Measurement[]): ThreadSeries {
  const single = points.find((m) => m.variant.threads === 1 && m.status === 'ok');
  return {
    implementation,
    points: points.map((m) => ({ ...m, speedupOverOneThread: single && m.status === 'ok' ? single.medianMs / m.medianMs : NaN })),
  };
}

export function throughputEntry(timing: ThroughputTiming): ThroughputEntry {
  const medianMs = median(timing.timesMs);
  return { ...timing, medianMs, gflops: (2 * timing.n * timing.k * timing.d) / (medianMs * 1e6) };
}

/** Ours is the entry of our defaults; every inertia and time is read against it. */
export function endToEndRow(dataset: Dataset, seed: number, measurements: readonly Measurement[]): EndToEndResult {
  const ours = measurements.find((m) => m.variant.implementation === 'ours-default' && m.status === 'ok');
  const entries = measurements.map((m): EndToEndEntry => ({
    ...m,
    inertiaVsOurs: ours && m.status === 'ok' ? (m.inertia - ours.inertia) / ours.inertia : NaN,
    timeVsOurs: ours && m.status === 'ok' ? m.medianMs / ours.medianMs : NaN,
  }));
  return { dataset: summarizeDataset(dataset), seed, entries };
}

export function cosineRow(dataset: Dataset, stop: StopRule, measurements: readonly Measurement[]): CosineResult {
  const euclidean = measurements.find((m) => m.variant.implementation === 'native-auto' && m.status === 'ok');
  const entries = measurements.map((m): CosineEntry => ({
    ...m,
    vsEuclidean: euclidean && m.status === 'ok' ? m.medianMs / euclidean.medianMs : NaN,
  }));
  return { dataset: summarizeDataset(dataset), stop, entries };
}

export function distanceRow(dataset: Dataset, stop: StopRule, measurements: readonly Measurement[]): DistanceResult {
  const sklearn = measurements.find((m) => m.variant.implementation === 'sklearn-lloyd' && m.status === 'ok');
  const entries = measurements.map((m): DistanceEntry => ({
    ...m,
    vsSklearn: sklearn && m.status === 'ok' ? sklearn.medianMs / m.medianMs : NaN,
  }));
  return { dataset: summarizeDataset(dataset), stop, entries };
}
