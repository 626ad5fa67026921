/**
 * The benchmark's data: seeded Gaussian blobs generated on the spot (no files needed), or a folder
 * of the raw float32 format of ../shared/data (X.f32 + meta.json), or the end-to-end section's
 * embedding-like vectors and Fashion-MNIST (endtoend-data.ts). Each dataset comes with its
 * initial centres, drawn once and given to every implementation that is given centres.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Random } from '../lib/core/random.js';
import { FASHION_MNIST_DIR, embeddingLike, fashionMnist, hasFashionMnist, imageLike } from './endtoend-data.js';
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

/** Synthetic embedding-like unit vectors, float32 (endtoend-data.ts). */
export interface EmbeddingSpec {
  kind: 'embedding';
  n: number;
  d: number;
  k: number;
  directions: number;
  noise: number;
  seed: number;
}

/** The first n images of Fashion-MNIST in `dir`, or a synthetic stand-in where it is not there. */
export interface FashionMnistSpec {
  kind: 'fashion-mnist';
  dir: string;
  n: number;
  k: number;
}

export type DatasetSpec = BlobsSpec | FolderSpec | EmbeddingSpec | FashionMnistSpec;

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
  /** What the reader should know about where the data came from, when there is something. */
  note?: string;
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
      n,
      d,
      k,
      type,
      points,
      init: initialCentres(points, n, d, k),
    };
  }
  if (spec.kind === 'embedding') {
    const { n, d, k, directions, noise, seed } = spec;
    const points = embeddingLike(n, d, directions, noise, seed);
    return {
      id: `embedding-${n}x${d}-k${k}`,
      title: `synthetic embedding-like ${thousands(n)} × ${d}, k = ${k}`,
      n,
      d,
      k,
      type: 'float32',
      points,
      init: initialCentres(points, n, d, k),
      note: `unit vectors around ${directions} random directions (cosine about ${(1 / Math.sqrt(1 + noise * noise)).toFixed(2)} to their own), generated, not real embeddings`,
    };
  }
  if (spec.kind === 'fashion-mnist') {
    const { dir, n, k } = spec;
    const d = 784;
    if (hasFashionMnist(dir)) {
      const points = fashionMnist(dir, n);
      return {
        id: `fashion-mnist-${n}-k${k}`,
        title: `Fashion-MNIST ${thousands(n)} × ${d}, k = ${k}`,
        n,
        d,
        k,
        type: 'float32',
        points,
        init: initialCentres(points, n, d, k),
        note: `Zalando's images (training set, then test set), pixel values 0–255, read from ${dir}`,
      };
    }
    const points = imageLike(n, 50, DATA_SEED);
    return {
      id: `fashion-mnist-standin-${n}-k${k}`,
      title: `synthetic stand-in for Fashion-MNIST ${thousands(n)} × ${d}, k = ${k}`,
      n,
      d,
      k,
      type: 'float32',
      points,
      init: initialCentres(points, n, d, k),
      note:
        `${dir} holds no Fashion-MNIST${dir === FASHION_MNIST_DIR ? ' (Debian: apt-get install dataset-fashion-mnist)' : ''}: ` +
        '28 × 28 images of 50 generated shapes, pixel values 0–255, in its place',
    };
  }
  const { name, n, d, points } = readFolder(spec.dir);
  const { k } = spec;
  return {
    id: `${name}-k${k}`,
    title: `${name} ${thousands(n)} × ${d}, k = ${k}`,
    n,
    d,
    k,
    type: 'float32',
    points,
    init: initialCentres(points, n, d, k),
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
