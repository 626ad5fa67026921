import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Matrix } from '../types.js';
import { CliError, describeFsError } from './errors.js';
import type { ParsedPoints } from './parsed.js';

/** The image formats read through sharp, by extension; the same ones are written by --quantize. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;

export function isImagePath(path: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

/** The part of sharp the command line uses, typed here so that the package builds without sharp installed. */
interface SharpImage {
  metadata(): Promise<{ hasAlpha?: boolean }>;
  toColourspace(space: string): SharpImage;
  ensureAlpha(): SharpImage;
  removeAlpha(): SharpImage;
  raw(options: { depth: 'uchar' }): SharpImage;
  toBuffer(options: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }>;
  toFile(path: string): Promise<unknown>;
}
type Sharp = (input: string | Buffer, options?: { raw: { width: number; height: number; channels: 4 } }) => SharpImage;

/** How sharp is loaded; tests replace it to see what a user without sharp sees. */
export type SharpImporter = () => Promise<unknown>;

// A variable, not a literal, so that TypeScript neither needs sharp's types nor turns the import
// into a require() of a module that the package does not depend on.
const SHARP = 'sharp';
export const importSharp: SharpImporter = () => import(SHARP);

/**
 * sharp, an optional peer dependency: loaded only when an image is read or written, so that the
 * package installs and runs without it. Missing, it is a one-line error that says how to add it.
 */
export async function loadSharp(why: string, importer: SharpImporter = importSharp): Promise<Sharp> {
  let module: unknown;
  try {
    module = await importer();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
      throw new CliError(`${why} needs the optional package sharp, which is not installed; add it with: npm install sharp`);
    }
    // Installed but broken (a libvips binary for another platform): sharp's own message says what to do.
    throw new CliError(`${why} needs sharp, which failed to load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const loaded = module as { default?: Sharp } & Sharp;
  return typeof loaded.default === 'function' ? loaded.default : loaded;
}

/** An image's pixels: RGBA bytes (alpha added as 255 where the file has none) and whether the file had alpha. */
export interface DecodedImage {
  width: number;
  height: number;
  rgba: Buffer;
  hasAlpha: boolean;
}

/** Reads an image as RGBA bytes, 8 bits per channel, in sRGB (greyscale and palette images too). */
export async function readImage(path: string, importer?: SharpImporter): Promise<DecodedImage> {
  // The file's own problems first, worded as for every other input, and before sharp is needed.
  try {
    if ((await stat(path)).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${describeFsError(error)}`);
  }
  const sharp = await loadSharp(`reading ${path}`, importer);
  try {
    const hasAlpha = (await sharp(path).metadata()).hasAlpha === true;
    const { data, info } = await sharp(path).toColourspace('srgb').ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, rgba: data, hasAlpha };
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new CliError(`cannot read ${path}: ${code ? describeFsError(error) : (error as Error).message.split('\n')[0]}`);
  }
}

/** The pixels as points: one row (r, g, b) per pixel, row by row from the top left; alpha is not a feature. */
export function imagePoints(image: DecodedImage, path: string): ParsedPoints {
  const n = image.width * image.height;
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    data[3 * i] = image.rgba[4 * i];
    data[3 * i + 1] = image.rgba[4 * i + 1];
    data[3 * i + 2] = image.rgba[4 * i + 2];
  }
  return {
    data,
    n,
    d: 3,
    columns: ['r', 'g', 'b'],
    description: `${extname(path).slice(1).toUpperCase()} image, ${image.width} × ${image.height}, RGB`,
  };
}

/**
 * Writes the image with every pixel's RGB replaced by its centroid, rounded and clamped to 0–255;
 * alpha stays as it was (and is dropped where the format or the input has none). The format is
 * the path's extension.
 */
export async function writeQuantized(path: string, image: DecodedImage, labels: Int32Array, centroids: Matrix, importer?: SharpImporter): Promise<void> {
  const sharp = await loadSharp(`writing ${path}`, importer);
  const k = centroids.shape[0];
  const palette = new Uint8Array(k * 3);
  // Uint8Array's conversion would wrap out-of-range values; clamp, then round half up.
  for (let i = 0; i < k * 3; i++) palette[i] = Math.min(255, Math.max(0, Math.round(centroids.data[i])));
  const out = Buffer.from(image.rgba);
  for (let i = 0; i < labels.length; i++) {
    const c = 3 * labels[i];
    out[4 * i] = palette[c];
    out[4 * i + 1] = palette[c + 1];
    out[4 * i + 2] = palette[c + 2];
  }
  const raw = sharp(out, { raw: { width: image.width, height: image.height, channels: 4 } });
  try {
    await (image.hasAlpha ? raw : raw.removeAlpha()).toFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new CliError(`cannot write ${path}: ${code ? describeFsError(error, 'no such directory') : (error as Error).message.split('\n')[0]}`, 1);
  }
}
