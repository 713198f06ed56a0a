import type Docker from 'dockerode';
import type { LogFollowOptions } from '../engine-driver';
import { LogFrameDecoder, type LogFrameOptions, type LogText } from './log-frames';
import { LogLineSplitter } from './log-line-stream';

/** Options for {@link readContainerLogs}. */
export interface ContainerLogsOptions extends LogFrameOptions {
  /**
   * Lines the engine is asked for (its `tail`).
   * @default 10
   */
  readonly tail?: number;
  /**
   * How long the read may take in all; what has arrived by then is returned.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * The most bytes read from the engine; the read stops there. An engine asked for ten lines
   * sends a few kilobytes; this bounds one that sends more.
   * @default 8388608
   */
  readonly maxInputBytes?: number;
}

/**
 * The last lines a container printed (stdout and stderr), read through the Engine API's logs
 * endpoint as a stream so that neither its size nor its duration is up to the engine: the
 * read stops at `maxInputBytes` or `timeoutMs` with what it has (`truncated` then says so),
 * and the frames are decoded by {@link LogFrameDecoder} within its limits. dockerode's own
 * `logs()` without `follow` gathers the whole answer in memory first, so it is not used.
 * Rejects only when the engine refuses (no such container) or the connection fails.
 */
export function readContainerLogs(container: Docker.Container, options: ContainerLogsOptions = {}): Promise<LogText> {
  const decoder = new LogFrameDecoder(options);
  const maxInputBytes = options.maxInputBytes ?? 8 * 1024 * 1024;
  const abort = new AbortController();
  return new Promise<LogText>((resolve, reject) => {
    let done = false;
    let cut = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) {
        reject(error);
        return;
      }
      resolve(decoder.end(cut));
    };
    const stop = () => {
      cut = true;
      finish();
      abort.abort();
    };
    const timer = setTimeout(stop, options.timeoutMs ?? 10_000);
    (container.modem as { dial(options: object, callback: (error: Error | null, stream?: NodeJS.ReadableStream) => void): void }).dial({
      path: `/containers/${encodeURIComponent(container.id)}/logs?`,
      method: 'GET',
      options: { stdout: true, stderr: true, tail: options.tail ?? 10 },
      abortSignal: abort.signal,
      isStream: true,
      statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
    }, (error, stream) => {
      if (error || !stream) {
        finish(error ?? new Error('the engine answered the logs request without a body'));
        return;
      }
      let read = 0;
      stream.on('data', (chunk: Buffer) => {
        if (done) return;
        const room = maxInputBytes - read;
        read += chunk.length;
        decoder.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        if (read >= maxInputBytes) stop();
      });
      stream.on('end', () => finish());
      // A connection that breaks off mid-answer still leaves what arrived worth showing.
      stream.on('error', () => {
        cut = true;
        finish();
      });
      stream.on('close', () => {
        cut = true;
        finish();
      });
    });
  });
}

/**
 * Follows a container's log through the Engine API, line by line with the engine's
 * timestamps, until the engine ends the stream (the container stopped, or without `follow`
 * the last line was sent) or `options.signal` aborts. Rejects only when the engine refuses.
 */
export function followContainerLogs(container: Docker.Container, options: LogFollowOptions & { readonly tty: boolean }): Promise<void> {
  const splitter = new LogLineSplitter(options.onLine, { tty: options.tty });
  return new Promise<void>((resolve, reject) => {
    if (options.signal.aborted) {
      resolve();
      return;
    }
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      options.signal.removeEventListener('abort', onAbort);
      splitter.end();
      if (error && !options.signal.aborted) reject(error);
      else resolve();
    };
    const abort = new AbortController();
    const onAbort = () => {
      abort.abort();
      finish();
    };
    options.signal.addEventListener('abort', onAbort);
    (container.modem as { dial(options: object, callback: (error: Error | null, stream?: NodeJS.ReadableStream) => void): void }).dial({
      path: `/containers/${encodeURIComponent(container.id)}/logs?`,
      method: 'GET',
      options: {
        stdout: true, stderr: true, timestamps: true, follow: options.follow,
        ...(options.tail !== undefined ? { tail: options.tail } : {}),
        ...(options.since !== undefined ? { since: options.since } : {}),
      },
      abortSignal: abort.signal,
      isStream: true,
      statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
    }, (error, stream) => {
      if (error || !stream) {
        finish(error ?? new Error('the engine answered the logs request without a body'));
        return;
      }
      stream.on('data', (chunk: Buffer) => {
        if (!done) splitter.push(chunk);
      });
      stream.on('end', () => finish());
      stream.on('close', () => finish());
      stream.on('error', () => finish());
    });
  });
}
