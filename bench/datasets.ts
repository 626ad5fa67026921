/**
 * The benchmark's data: seeded Gaussian blobs generated on the spot (no files needed), or a folder
 * of the raw float32 format of ../shared/data (X.f32 + meta.json). Each dataset comes with its
 * initial centres, drawn once and given to every implementation.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Random } from '../lib/core/random.js';
import type { DatasetFiles, ElementType } from './protocol.js';

export type Floats = Float32Array | Float64Array;

/** n points around `blobs` centres drawn uniformly in [-10, 10]^d, each coordinate N(0, spread²) off its centre. */
export interface BlobsSpec {
  kind: 'blobs';
  n: number;
  d: number;
  k: number;
  blobs: number;
  spread: number;
  seed: number;
  /** float32 points are drawn in float64 and rounded once. */
  type: ElementType;
}

/** A folder holding X.f32 (raw little-endian float32, n × d row-major) and meta.json with n and d. */
export interface FolderSpec {
  kind: 'folder';
  dir: string;
  k: number;
}

export type DatasetSpec = BlobsSpec | FolderSpec;

export interface Dataset {
  /** Unique and file-name safe. */
  id: string;
  /** For tables and charts. */
  title: string;
  n: number;
  d: number;
  k: number;
  type: ElementType;
  points: Floats;
  /** k × d initial centres in the points' element type. */
  init: Floats;
}

/** Spread 4 around centres in [-10, 10]^d overlaps the blobs enough for dozens of iterations. */
const DEFAULT_SPREAD = 4;
const DATA_SEED = 20240601;
const INIT_SEED = 7;

export function blobs(n: number, d: number, k: number, blobCount = k, type: ElementType = 'float64'): BlobsSpec {
  return { kind: 'blobs', n, d, k, blobs: blobCount, spread: DEFAULT_SPREAD, seed: DATA_SEED, type };
}

/** The first n points of a spec are the same whatever its n, so a small draw can stand for a larger one. */
export function generateBlobs({ n, d, blobs: count, spread, seed, type }: BlobsSpec): Floats {
  const rng = new Random(seed);
  const centres = Float64Array.from({ length: count * d }, () => rng.nextDouble() * 20 - 10);
  const points = type === 'float32' ? new Float32Array(n * d) : new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.nextIndex(count);
    for (let j = 0; j < d; j += 2) {
      // Box-Muller gives two independent normals per pair of uniforms; 1 - u keeps the log finite.
      const radius = spread * Math.sqrt(-2 * Math.log(1 - rng.nextDouble()));
      const angle = 2 * Math.PI * rng.nextDouble();
      points[i * d + j] = centres[c * d + j] + radius * Math.cos(angle);
      if (j + 1 < d) points[i * d + j + 1] = centres[c * d + j + 1] + radius * Math.sin(angle);
    }
  }
  return points;
}

interface FolderMeta {
  name?: string;
  n: number;
  d: number;
}

function readMeta(dir: string): FolderMeta {
  return JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as FolderMeta;
}

export function folderShape(dir: string): { n: number; d: number } {
  const { n, d } = readMeta(dir);
  return { n, d };
}

function readFolder(dir: string): { name: string; n: number; d: number; points: Float32Array } {
  const meta = readMeta(dir);
  const bytes = readFileSync(join(dir, 'X.f32'));
  if (bytes.byteLength !== meta.n * meta.d * 4) {
    throw new Error(`${dir}/X.f32 has ${bytes.byteLength} bytes; meta.json says ${meta.n} × ${meta.d} float32 values.`);
  }
  // Copied out so that the array is aligned whatever the buffer's offset.
  const points = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { name: meta.name ?? basename(dir), n: meta.n, d: meta.d, points };
}

/**
 * k rows drawn with the package's seeded generator, skipping rows equal to one already drawn (real
 * data repeats rows; two equal centres would make the implementations' tie rules decide the result).
 */
export function initialCentres(points: Floats, n: number, d: number, k: number, seed = INIT_SEED): Floats {
  const rng = new Random(seed);
  const centres = points instanceof Float32Array ? new Float32Array(k * d) : new Float64Array(k * d);
  const drawnRows = new Set<number>();
  const drawnValues = new Set<string>();
  let chosen = 0;
  for (let attempt = 0; chosen < k; attempt++) {
    if (attempt > 100 * k) throw new Error(`Could not draw ${k} distinct rows; the data has too few distinct points.`);
    const row = rng.nextIndex(n);
    if (drawnRows.has(row)) continue;
    drawnRows.add(row);
    const values = points.subarray(row * d, (row + 1) * d);
    const key = values.join(',');
    if (drawnValues.has(key)) continue;
    drawnValues.add(key);
    centres.set(values, chosen * d);
    chosen++;
  }
  return centres;
}

const thousands = (x: number): string => x.toLocaleString('en-US').replace(/,/g, ' ');

export function loadDataset(spec: DatasetSpec): Dataset {
  if (spec.kind === 'blobs') {
    const { n, d, k, type } = spec;
    const points = generateBlobs(spec);
    return {
      id: `blobs-${n}x${d}-k${k}${type === 'float32' ? '-f32' : ''}`,
      title: `blobs ${thousands(n)} × ${d}, k = ${k}`,
      n, d, k, type, points, init: initialCentres(points, n, d, k),
    };
  }
  const { name, n, d, points } = readFolder(spec.dir);
  const { k } = spec;
  return {
    id: `${name}-k${k}`,
    title: `${name} ${thousands(n)} × ${d}, k = ${k}`,
    n, d, k, type: 'float32', points, init: initialCentres(points, n, d, k),
  };
}

/** Writes the points and initial centres where the measuring processes read them. */
export function writeDataset(dataset: Dataset, dir: string): DatasetFiles {
  const points = join(dir, `${dataset.id}.points.bin`);
  const init = join(dir, `${dataset.id}.init.bin`);
  writeFileSync(points, dataset.points);
  writeFileSync(init, dataset.init);
  const { n, d, k, type } = dataset;
  return { points, init, n, d, k, type };
}
