/** The command line of `npm run bench -- …`. */
import { existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FASHION_MNIST_DIR } from './endtoend-data.js';
import { type FolderDataset, REPORT_DATASETS, threadCounts } from './plan.js';

export type Section = 'compare' | 'threads' | 'growth' | 'throughput' | 'endtoend' | 'distance' | 'cosine' | 'bigdata' | 'minibatch';
const SECTIONS: readonly Section[] = ['compare', 'threads', 'growth', 'throughput', 'endtoend', 'distance', 'cosine', 'bigdata', 'minibatch'];

export interface BenchOptions {
  quick: boolean;
  out: string;
  folders: FolderDataset[];
  /** --data: the end-to-end section takes its folders from it too. */
  dataDir: string | null;
  fashionMnistDir: string;
  threads: number[];
  pythonCandidates: string[];
  sections: Section[];
  /** --bigdata-shape: the bigdata section's n, d and k instead of its default (or --quick) ones. */
  bigdataShape: { n: number; d: number; k: number } | null;
}

/**
 * Where a quick run writes unless told: never bench/results, whose files are the committed report
 * that docs/benchmarks.md quotes, and which a smoke run would silently replace.
 */
const QUICK_OUT = join(tmpdir(), 'elkan-kmeans-bench-quick');

export const USAGE = `Usage: npm run bench -- [options]

  --quick            tiny sizes and one repetition: a smoke run of every section (< 1 minute)
  --out DIR          where results.json, results.md, speedup.svg and growth.svg go (default bench/results;
                     with --quick, ${QUICK_OUT})
  --data DIR         also compare on dataset folders of DIR (X.f32 + meta.json), e.g. ../shared/data;
                     the endtoend and cosine sections also run on its bigann10k_sift (and letter)
  --datasets LIST    which folders of DIR the comparison runs on, as name or name:k, comma-separated
                     (default ${REPORT_DATASETS.map(({ name, k }) => `${name}:${k}`).join(',')})
  --fashion-mnist DIR
                     the Fashion-MNIST IDX files of the endtoend section (default ${FASHION_MNIST_DIR},
                     Debian's dataset-fashion-mnist; without them, a synthetic stand-in that says so)
  --threads LIST     thread counts for the thread sweep, comma-separated; the largest is "all threads"
                     (default 1, 2, 4, … and the ${availableParallelism()} cores of this machine)
  --python PATH      the Python with scikit-learn (default: python3, else /usr/bin/python3)
  --no-python        leave scikit-learn out
  --bigdata-shape N,D,K
                     the bigdata section's size (default 10000000,32,1000; with --quick 20000,32,20)
  --sections LIST    any of ${SECTIONS.join(',')} (default all); a single section
                     wants its own --out: the files hold only the sections that ran
  --help             this text
`;

function positiveIntegers(text: string, flag: string): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`${flag} takes positive integers, not "${text}".`);
  return values;
}

function parseFolders(dir: string, list: string | undefined): FolderDataset[] {
  const entries = list
    ? list.split(',').map((entry) => {
        const [name, k] = entry.trim().split(':');
        const known = REPORT_DATASETS.find((d) => d.name === name);
        if (k === undefined && !known) throw new Error(`--datasets: give k for ${name}, as ${name}:k.`);
        return { name, k: k === undefined ? known!.k : positiveIntegers(k, '--datasets k')[0] };
      })
    : REPORT_DATASETS;
  for (const { name } of entries) {
    if (!existsSync(join(dir, name, 'X.f32'))) throw new Error(`--data: ${join(dir, name)} holds no X.f32.`);
  }
  return entries.map(({ name, k }) => ({ dir: join(dir, name), k }));
}

function bigdataShape(text: string): { n: number; d: number; k: number } {
  const values = positiveIntegers(text, '--bigdata-shape');
  if (values.length !== 3 || values[2] > values[0]) throw new Error(`--bigdata-shape takes N,D,K with K ≤ N, not "${text}".`);
  return { n: values[0], d: values[1], k: values[2] };
}

/** Parsed options, or the usage text when --help was asked for. */
export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      data: { type: 'string' },
      datasets: { type: 'string' },
      'fashion-mnist': { type: 'string' },
      threads: { type: 'string' },
      python: { type: 'string' },
      'no-python': { type: 'boolean', default: false },
      sections: { type: 'string' },
      'bigdata-shape': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (values.datasets && !values.data) throw new Error('--datasets needs --data DIR.');
  const sections = values.sections ? values.sections.split(',').map((s) => s.trim()) : [...SECTIONS];
  const unknown = sections.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`--sections: unknown ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}.`);
  return {
    quick: values.quick,
    out: resolve(values.out ?? (values.quick ? QUICK_OUT : join(__dirname, 'results'))),
    folders: values.data ? parseFolders(resolve(values.data), values.datasets) : [],
    dataDir: values.data ? resolve(values.data) : null,
    fashionMnistDir: resolve(values['fashion-mnist'] ?? FASHION_MNIST_DIR),
    threads: values.threads ? [...new Set(positiveIntegers(values.threads, '--threads'))].sort((a, b) => a - b) : threadCounts(availableParallelism()),
    pythonCandidates: values['no-python'] ? [] : values.python ? [values.python] : ['python3', '/usr/bin/python3'],
    sections: sections as Section[],
    bigdataShape: values['bigdata-shape'] ? bigdataShape(values['bigdata-shape']) : null,
  };
}
