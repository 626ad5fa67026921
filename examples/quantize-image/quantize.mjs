#!/usr/bin/env node
// Colour quantisation with k-means: every pixel is a point (r, g, b); the k centroids are the
// palette; each pixel is replaced by its centroid. Writes the result as an indexed PNG (a palette
// plus one small index per pixel), a swatch image of the palette, and the palette as JSON.
//
//   node quantize.mjs input.png output.png [--colors 16] [--width 384] [--seed 1]
//        [--resized resized.png] [--palette palette.png] [--palette-json palette.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import { kmeans } from 'elkan-kmeans';
import pngjs from 'pngjs';

const { PNG } = pngjs;

const USAGE = `Usage: node quantize.mjs input.png output.png [options]

  --colors K           palette size, 2 to 256 [default: 16]
  --width W            first shrink the image to W pixels wide (box filter) [default: keep]
  --resized FILE       also write the shrunk original (the "before" picture)
  --palette FILE       write the palette as a PNG of swatches [default: output-palette.png]
  --palette-json FILE  write the palette as JSON [default: output-palette.json]
  --seed N             k-means seed, for the same palette every time [default: 1]
  --help               show this help
`;

function fail(message) {
  process.stderr.write(`quantize: ${message}\n`);
  process.exit(2);
}

function integerOption(text, name, min, max) {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) fail(`--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  return value;
}

/**
 * Shrinks RGBA pixels to `width` columns with a box filter: each output pixel is the area-weighted
 * mean of the source pixels it covers, so no source pixel is skipped. Works on any ratio.
 */
function shrink(image, width) {
  const height = Math.max(1, Math.round((image.height * width) / image.width));
  // Per output index, the source indices it covers and their weights (overlap lengths).
  const spans = (from, to) =>
    Array.from({ length: to }, (_, i) => {
      const start = (i * from) / to;
      const end = ((i + 1) * from) / to;
      const taps = [];
      for (let s = Math.floor(start); s < Math.min(from, Math.ceil(end)); s++) {
        taps.push([s, Math.min(end, s + 1) - Math.max(start, s)]);
      }
      const total = taps.reduce((sum, [, w]) => sum + w, 0);
      return taps.map(([s, w]) => [s, w / total]);
    });
  const across = spans(image.width, width);
  const down = spans(image.height, height);
  // Horizontal pass into floats, then vertical pass into bytes.
  const rows = new Float64Array(image.height * width * 4);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < width; x++) {
      for (const [s, w] of across[x]) {
        for (let c = 0; c < 4; c++) rows[(y * width + x) * 4 + c] += w * image.data[(y * image.width + s) * 4 + c];
      }
    }
  }
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        for (const [s, w] of down[y]) sum += w * rows[(s * width + x) * 4 + c];
        data[(y * width + x) * 4 + c] = Math.round(sum);
      }
    }
  }
  return { width, height, data };
}

/** A PNG chunk: length, type, data, CRC of type and data. */
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * An indexed-colour PNG (colour type 3): the palette once, then each pixel as a 1-, 2-, 4- or
 * 8-bit index, so 16 colours cost half a byte per pixel before compression. pngjs decodes PNGs
 * but only writes true colour, hence this small encoder.
 */
function indexedPng(width, height, indices, palette) {
  const colours = palette.length;
  const depth = colours <= 2 ? 1 : colours <= 4 ? 2 : colours <= 16 ? 4 : 8;
  const perByte = 8 / depth;
  const stride = Math.ceil(width / perByte);
  const raw = Buffer.alloc(height * (stride + 1)); // each row: filter byte 0, then packed indices
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1) + 1;
    for (let x = 0; x < width; x++) {
      raw[row + Math.floor(x / perByte)] |= indices[y * width + x] << (8 - depth * ((x % perByte) + 1));
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = depth;
  header[9] = 3; // colour type: indexed
  const plte = Buffer.from(palette.flatMap((colour) => colour.rgb));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('PLTE', plte),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The palette as a grid of swatches, at most 16 per row. */
function swatches(palette, size = 32) {
  const columns = Math.min(palette.length, 16);
  const rows = Math.ceil(palette.length / columns);
  const width = columns * size;
  const height = rows * size;
  const indices = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = Math.floor(y / size) * columns + Math.floor(x / size);
      indices[y * width + x] = i < palette.length ? i : 0;
    }
  }
  return indexedPng(width, height, indices, palette);
}

const hex = (rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
const kilobytes = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;

async function main() {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        colors: { type: 'string', default: '16' },
        width: { type: 'string' },
        seed: { type: 'string', default: '1' },
        resized: { type: 'string' },
        palette: { type: 'string' },
        'palette-json': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    fail(`${error.message.split('\n')[0]}\n\n${USAGE}`);
  }
  if (args.values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (args.positionals.length !== 2) fail(`give an input and an output PNG\n\n${USAGE}`);
  const [input, output] = args.positionals;
  const k = integerOption(args.values.colors, 'colors', 2, 256);
  const seed = integerOption(args.values.seed, 'seed', 0, 2 ** 32 - 1);
  const stem = output.replace(/\.png$/i, '');
  const palettePath = args.values.palette ?? `${stem}-palette.png`;
  const paletteJsonPath = args.values['palette-json'] ?? `${stem}-palette.json`;

  let image;
  try {
    image = PNG.sync.read(readFileSync(input));
  } catch (error) {
    fail(`cannot read ${input}: ${error.message}`);
  }
  if (args.values.width !== undefined) {
    const width = integerOption(args.values.width, 'width', 1, image.width);
    if (width < image.width) image = shrink(image, width);
  }
  if (args.values.resized) {
    writeFileSync(
      args.values.resized,
      PNG.sync.write(Object.assign(new PNG({ width: image.width, height: image.height }), { data: image.data }), { colorType: 2, deflateLevel: 9 }),
    );
  }

  // The points: one row (r, g, b) per pixel, float32, read in place by the fit.
  const n = image.width * image.height;
  const points = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    points[3 * i] = image.data[4 * i];
    points[3 * i + 1] = image.data[4 * i + 1];
    points[3 * i + 2] = image.data[4 * i + 2];
  }
  if (k > n) fail(`--colors ${k} is more than the ${n} pixels`);
  const started = performance.now();
  const result = await kmeans({ data: points, shape: [n, 3] }, k, { seed });
  const seconds = (performance.now() - started) / 1000;

  // The palette, darkest first (by luma), with how many pixels use each colour.
  const counts = new Array(k).fill(0);
  for (const label of result.labels) counts[label]++;
  const colours = Array.from({ length: k }, (_, c) => {
    const rgb = Array.from(result.centroids.data.subarray(3 * c, 3 * c + 3), (v) => Math.min(255, Math.max(0, Math.round(v))));
    return { cluster: c, rgb, pixels: counts[c] };
  }).sort((a, b) => 0.299 * a.rgb[0] + 0.587 * a.rgb[1] + 0.114 * a.rgb[2] - (0.299 * b.rgb[0] + 0.587 * b.rgb[1] + 0.114 * b.rgb[2]));
  const slot = new Uint8Array(k);
  colours.forEach((colour, i) => {
    slot[colour.cluster] = i;
  });
  const indices = Uint8Array.from(result.labels, (label) => slot[label]);

  // Error of the quantised image against the (shrunk) original, as mean squared error and PSNR.
  let squared = 0;
  for (let i = 0; i < n; i++) {
    const { rgb } = colours[indices[i]];
    for (let c = 0; c < 3; c++) squared += (image.data[4 * i + c] - rgb[c]) ** 2;
  }
  const mse = squared / (3 * n);
  const psnr = 10 * Math.log10((255 * 255) / mse);

  const png = indexedPng(image.width, image.height, indices, colours);
  writeFileSync(output, png);
  writeFileSync(palettePath, swatches(colours));
  const summary = {
    source: basename(input),
    width: image.width,
    height: image.height,
    colors: k,
    seed: result.seed,
    iterations: result.iterations,
    psnr: Number(psnr.toFixed(2)),
  };
  const entries = colours.map(({ rgb, pixels }) => JSON.stringify({ hex: hex(rgb), rgb, pixels, share: Number((pixels / n).toFixed(4)) }));
  // One colour per line: easy to read and to diff.
  writeFileSync(paletteJsonPath, `${JSON.stringify(summary, null, 2).slice(0, -2)},\n  "palette": [\n    ${entries.join(',\n    ')}\n  ]\n}\n`);

  process.stderr.write(
    `${basename(input)}: ${image.width}×${image.height}, ${n} pixels → ${k} colours in ${seconds.toFixed(2)} s ` +
      `(${result.iterations} iterations, ${result.backend} backend, ${result.algorithm}, ${result.threads} threads), ` +
      `PSNR ${psnr.toFixed(1)} dB\n` +
      `wrote ${output} (${kilobytes(png.length)}), ${palettePath}, ${paletteJsonPath}\n`,
  );
}

await main();
