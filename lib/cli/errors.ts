/** An error the user can fix: printed as one line without a stack, exit code 2 unless given. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A bad command line: printed with a hint to run --help. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Where in an input file a problem is: 1-based line and column for text, a byte offset for binary. */
export interface InputLocation {
  line?: number;
  column?: number;
}

/** A problem with an input file, located as `file:line:column: message` in the style of compilers. */
export class InputError extends CliError {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(file: string, message: string, location: InputLocation = {}) {
    const where = [file, location.line, location.line !== undefined ? location.column : undefined].filter((part) => part !== undefined).join(':');
    super(`${where}: ${message}`);
    this.name = 'InputError';
    this.file = file;
    this.line = location.line;
    this.column = location.column;
  }
}

/** Shows a piece of input in a message: quoted, shortened, with control characters escaped. */
export function quote(text: string, limit = 24): string {
  const short = text.length > limit ? `${text.slice(0, limit)}…` : text;
  return JSON.stringify(short);
}

/**
 * A file system or stream error in a few words for `cannot read/write PATH: ...`. `missing` is
 * what ENOENT means: a missing file when reading, a missing directory when writing.
 */
export function describeFsError(error: unknown, missing = 'no such file'): string {
  switch ((error as { code?: string }).code) {
    case 'ENOENT':
      return missing;
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EPIPE':
      return 'the reading end of the pipe was closed';
    default: {
      // Node's "ENOTDIR: not a directory, open '/a/b'": the middle part is the reason; the path is already named.
      const message = error instanceof Error ? error.message : String(error);
      return message.replace(/^[A-Z0-9]+: /, '').replace(/, [a-z]+(?: '.*')?$/, '');
    }
  }
}
