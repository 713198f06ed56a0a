import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The file operations an atomic write uses; a test passes one that fails part-way. */
export interface AtomicWriteFs {
  openSync(file: string, flags: number, mode: number): number;
  fchmodSync(fd: number, mode: number): void;
  writeSync(fd: number, data: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(file: string): void;
}

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /**
   * Permissions of the written file, set exactly (the umask does not narrow them further).
   *
   * @default 0o600
   */
  readonly mode?: number;
  /**
   * The file operations to use; tests pass ones that fail part-way.
   *
   * @default node:fs
   */
  readonly fs?: AtomicWriteFs;
}

// O_EXCL makes the open fail on any existing path, a symlink included; O_NOFOLLOW says the
// same for a symlink in the last component, where the platform has it.
const CREATE_NEW = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0);

/**
 * Replaces `file` with `data` so that a reader sees the old content or the new, never a part.
 *
 * The data goes to a new file beside the target under a name nobody can guess
 * (`.<name>.<random>.tmp`), created with O_CREAT|O_EXCL so no planted file or symlink is
 * followed or reused, with `mode` (0600 unless told otherwise), written in full and synced to
 * disk, then renamed over the target. On any failure the temporary file is removed and the
 * target keeps its old content.
 *
 * @example
 * writeFileAtomic('plan.json', canonicalJsonPretty(plan));
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): void {
  const io = options.fs ?? fs;
  const mode = options.mode ?? 0o600;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(12).toString('hex')}.tmp`);
  const fd = io.openSync(temporary, CREATE_NEW, mode);
  let renamed = false;
  try {
    try {
      io.fchmodSync(fd, mode);
      for (let offset = 0; offset < bytes.length;) {
        offset += io.writeSync(fd, bytes, offset, bytes.length - offset);
      }
      io.fsyncSync(fd);
    } finally {
      io.closeSync(fd);
    }
    io.renameSync(temporary, file);
    renamed = true;
  } finally {
    if (!renamed) {
      try {
        io.unlinkSync(temporary);
      } catch {
        // Already gone; the error that brought us here is the one to report.
      }
    }
  }
  syncDirectory(path.dirname(file));
}

/** Makes the rename itself durable; best effort, since some file systems refuse to sync a directory. */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(directory, 'r');
    fs.fsyncSync(fd);
  } catch {
    // The file is written and renamed; only its survival of a power cut is less certain.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
