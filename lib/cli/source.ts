import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CliError, describeFsError } from './errors.js';

/** An input read chunk by chunk: a file (with its size) or standard input. */
export interface Source {
  /** How messages name it: the path as given, or `<stdin>`. */
  name: string;
  /** Bytes in all, when known (files), for progress and for sizing the parsed array. */
  size: number | undefined;
  /** The bytes, in chunks of about a megabyte; iterate once. */
  chunks: AsyncIterable<Buffer>;
}

const CHUNK_BYTES = 1 << 20;

/** Opens a file for reading; a missing or unreadable file is a CliError naming it. */
export async function fileSource(path: string): Promise<Source> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = info.isFile() ? info.size : Number.NaN;
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${describeFsError(error)}`);
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) yield chunk as Buffer;
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`cannot read ${path}: ${describeFsError(error)}`);
    }
  }
  return { name: path, size: Number.isNaN(size) ? undefined : size, chunks: chunks() };
}

/** Standard input (`-`). */
export function streamSource(stream: Readable, name = '<stdin>'): Source {
  async function* chunks(): AsyncGenerator<Buffer> {
    for await (const chunk of stream) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string | Uint8Array);
  }
  return { name, size: undefined, chunks: chunks() };
}

/** The same source, reporting every chunk's size as it passes (for the progress bar) and stopping on abort. */
export function observeSource(source: Source, onBytes: (bytes: number) => void, signal?: AbortSignal): Source {
  async function* chunks(): AsyncGenerator<Buffer> {
    for await (const chunk of source.chunks) {
      signal?.throwIfAborted();
      onBytes(chunk.length);
      yield chunk;
    }
  }
  return { ...source, chunks: chunks() };
}

/** The first chunk, for sniffing a format, and a source that still yields every byte. */
export async function peekSource(source: Source): Promise<{ head: Buffer; source: Source }> {
  const iterator = source.chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  async function* chunks(): AsyncGenerator<Buffer> {
    if (!first.done) yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head, source: { ...source, chunks: chunks() } };
}
