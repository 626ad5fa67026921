/** The few SVG pieces both charts need: escaping, log scales, colours and a legend. */
import type { Variant } from './implementations.js';
import { variantLabel } from './implementations.js';

const FONT = 'font-family="Helvetica, Arial, sans-serif"';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escapeXml(content)}</text>`;
}

export interface LogScale {
  (value: number): number;
  /** Powers of ten within the domain, for ticks. */
  ticks: number[];
}

/**
 * Maps [lo, hi] onto [from, to] logarithmically: the domain widened to whole powers of ten when
 * `snap`, else by a margin of a tenth of the range on each side.
 */
export function logScale(lo: number, hi: number, from: number, to: number, snap = true): LogScale {
  let low = Math.log10(lo);
  let high = Math.log10(hi);
  if (snap) {
    low = Math.floor(low);
    high = Math.max(low + 1, Math.ceil(high));
  } else {
    const margin = Math.max(0.1, (high - low) / 10);
    low -= margin;
    high += margin;
  }
  const scale = ((value: number) => from + ((Math.log10(value) - low) / (high - low)) * (to - from)) as LogScale;
  const first = Math.ceil(low - 1e-9);
  scale.ticks = Array.from({ length: Math.max(0, Math.floor(high + 1e-9) - first + 1) }, (_, i) => 10 ** (first + i));
  return scale;
}

/** 1000 → 1k, 1000000 → 1M: short axis labels for sizes. */
export function compact(value: number): string {
  if (value >= 1e6 && value % 1e6 === 0) return `${value / 1e6}M`;
  if (value >= 1e3 && value % 1e3 === 0) return `${value / 1e3}k`;
  return String(value);
}

export function tickLabel(value: number, unit = ''): string {
  const digits = value >= 1 ? 0 : Math.ceil(-Math.log10(value));
  return `${value.toFixed(digits)}${unit}`;
}

/**
 * Okabe–Ito colours, which stay apart for colour-blind readers; our native backend in blues
 * (lighter on one thread), our TypeScript in greens, the others in warm colours and greys.
 */
export function colourOf({ implementation, threads }: Variant): string {
  switch (implementation) {
    case 'native-elkan':
      return threads === 1 ? '#56B4E9' : '#0072B2';
    case 'native-hamerly':
      return threads === 1 ? '#A6BDDB' : '#1F4E79';
    case 'native-yinyang':
      return threads === 1 ? '#C6DBEF' : '#08306B';
    case 'native-lloyd':
      return threads === 1 ? '#9ECAE1' : '#3F5F8A';
    case 'ts-elkan':
      return '#009E73';
    case 'ts-lloyd':
      return '#8CD3B4';
    case 'ml-kmeans':
      return '#E69F00';
    case 'skmeans':
      return '#D55E00';
    case 'sklearn-elkan':
      return '#CC79A7';
    case 'sklearn-lloyd':
      return '#7F7F7F';
    // Not drawn in today's charts (their sections have tables only), but given colours of their families.
    case 'native-auto':
      return '#08306B';
    case 'native-auto-cosine':
      return '#4292C6';
    case 'ours-default':
      return '#0072B2';
    case 'sklearn-default':
      return '#CC79A7';
    case 'faiss-default':
      return '#F0E442';
  }
}

/** Swatches and labels in rows across `width`; returns the markup and the height it takes. */
export function legend(variants: readonly Variant[], x: number, y: number, width: number): { svg: string; height: number } {
  const itemWidth = 215;
  const perRow = Math.max(1, Math.floor(width / itemWidth));
  const svg = variants
    .map((v, i) => {
      const left = x + (i % perRow) * itemWidth;
      const top = y + Math.floor(i / perRow) * 18;
      return `<rect x="${left}" y="${top}" width="12" height="12" fill="${colourOf(v)}"/>${text(left + 17, top + 10.5, variantLabel(v), 'font-size="12"')}`;
    })
    .join('');
  return { svg, height: Math.ceil(variants.length / perRow) * 18 };
}

/** A complete SVG file: white background, a bold title and a grey subtitle line under it. */
export function document(width: number, height: number, title: string, subtitle: string, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height.toFixed(0)}" viewBox="0 0 ${width} ${height.toFixed(0)}" ${FONT}>`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    text(20, 24, title, 'font-size="16" font-weight="bold"'),
    text(20, 42, subtitle, 'font-size="12" fill="#555555"'),
    body,
    '</svg>',
    '',
  ].join('\n');
}
