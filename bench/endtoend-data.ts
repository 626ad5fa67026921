/**
 * Data shaped like what k-means is run on with its defaults: synthetic embedding-like unit vectors,
 * and Fashion-MNIST's images read from Debian's dataset-fashion-mnist (or a synthetic stand-in of
 * the same shape and value range where it is not installed). Seeded and generated on the spot.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Random } from '../lib/core/random.js';

/** Where Debian's dataset-fashion-mnist installs the four IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
const FASHION_MNIST_FILES = ['train-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte.gz'];
const FASHION_MNIST_SIDE = 28;

/** Standard normal draws, two per pair of uniforms (Box-Muller), from the package's generator. */
class Normal {
  private spare: number | null = null;

  constructor(private readonly rng: Random) {}

  next(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    // 1 - u keeps the log finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.rng.nextDouble()));
    const angle = 2 * Math.PI * this.rng.nextDouble();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}

function normalise(row: Float64Array): void {
  let sum = 0;
  for (const x of row) sum += x * x;
  const scale = 1 / Math.sqrt(sum);
  for (let j = 0; j < row.length; j++) row[j] *= scale;
}

/**
 * n unit vectors in d dimensions around `directions` random unit directions: a direction plus
 * Gaussian noise of expected norm `noise`, normalised (noise 1 puts a point at cosine about 0.7 to
 * its direction, as sentence embeddings of one topic are). Directions are drawn with weights
 * falling as 1/rank^0.8, so that some topics are common and many rare.
 */
export function embeddingLike(n: number, d: number, directions: number, noise: number, seed: number): Float32Array {
  const rng = new Random(seed);
  const normal = new Normal(rng);
  const centres = Array.from({ length: directions }, () => {
    const row = Float64Array.from({ length: d }, () => normal.next());
    normalise(row);
    return row;
  });
  const cumulative = new Float64Array(directions);
  for (let j = 0, total = 0; j < directions; j++) cumulative[j] = total += (j + 1) ** -0.8;
  const points = new Float32Array(n * d);
  const row = new Float64Array(d);
  const sigma = noise / Math.sqrt(d);
  for (let i = 0; i < n; i++) {
    const u = rng.nextDouble() * cumulative[directions - 1];
    let j = 0;
    while (j < directions - 1 && cumulative[j] <= u) j++;
    for (let c = 0; c < d; c++) row[c] = centres[j][c] + sigma * normal.next();
    normalise(row);
    points.set(row, i * d);
  }
  return points;
}

/** The images of one IDX file (big-endian header: magic 0x803, count, rows, columns; then bytes). */
function readIdxImages(path: string): { count: number; pixels: Uint8Array } {
  const bytes = gunzipSync(readFileSync(path));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [magic, count, rows, columns] = [0, 4, 8, 12].map((offset) => view.getUint32(offset));
  if (magic !== 0x803 || rows !== FASHION_MNIST_SIDE || columns !== FASHION_MNIST_SIDE || bytes.byteLength !== 16 + count * rows * columns) {
    throw new Error(`${path} is not a file of 28 × 28 IDX images.`);
  }
  return { count, pixels: bytes.subarray(16) };
}

export function hasFashionMnist(dir: string): boolean {
  return FASHION_MNIST_FILES.every((file) => existsSync(join(dir, file)));
}

/** The first n of Fashion-MNIST's 70 000 images (training set, then test set), pixel values 0–255 as float32. */
export function fashionMnist(dir: string, n: number): Float32Array {
  const d = FASHION_MNIST_SIDE * FASHION_MNIST_SIDE;
  const points = new Float32Array(n * d);
  let filled = 0;
  for (const file of FASHION_MNIST_FILES) {
    if (filled === n) break;
    const { count, pixels } = readIdxImages(join(dir, file));
    const taken = Math.min(count, n - filled);
    points.set(pixels.subarray(0, taken * d), filled * d);
    filled += taken;
  }
  if (filled < n) throw new Error(`${dir} holds ${filled} images, fewer than ${n}.`);
  return points;
}

/**
 * A stand-in of Fashion-MNIST's shape and value range: 28 × 28 images of `prototypes` smooth
 * shapes (a few Gaussian bumps each), each point one of them at a random brightness, shifted by up
 * to two pixels, with pixel noise, clipped to 0–255 and rounded as pixels are.
 */
export function imageLike(n: number, prototypes: number, seed: number): Float32Array {
  const side = FASHION_MNIST_SIDE;
  const d = side * side;
  const rng = new Random(seed);
  const normal = new Normal(rng);
  const shapes = Array.from({ length: prototypes }, () => {
    const image = new Float64Array(d);
    const bumps = 2 + rng.nextIndex(4);
    for (let b = 0; b < bumps; b++) {
      const [cy, cx] = [6 + rng.nextDouble() * 16, 6 + rng.nextDouble() * 16];
      const [sy, sx] = [2 + rng.nextDouble() * 6, 2 + rng.nextDouble() * 6];
      const height = 120 + rng.nextDouble() * 135;
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) image[y * side + x] += height * Math.exp(-(((y - cy) / sy) ** 2 + ((x - cx) / sx) ** 2) / 2);
      }
    }
    return image;
  });
  const points = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const shape = shapes[rng.nextIndex(prototypes)];
    const brightness = 0.6 + 0.6 * rng.nextDouble();
    const [dy, dx] = [rng.nextIndex(5) - 2, rng.nextIndex(5) - 2];
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const [sy, sx] = [y - dy, x - dx];
        const base = sy >= 0 && sy < side && sx >= 0 && sx < side ? shape[sy * side + sx] : 0;
        const value = brightness * base + 20 * normal.next();
        points[i * d + y * side + x] = Math.round(Math.min(255, Math.max(0, value)));
      }
    }
  }
  return points;
}
