import { type JsonEvent, JsonLinesDecoder, type JsonLinesOptions } from './json-lines-decoder';
import { WireFormatError } from './wire-format-error';

/** Whose stream it is: the host, for messages, and its request timeout, the default idle limit. */
export interface ProgressSource {
  readonly host: string;
  readonly requestTimeoutMs: number;
}

/** Options for {@link followProgress}. */
export interface FollowProgressOptions extends JsonLinesOptions {
  /** Called with each event as it arrives; nothing is kept here, so the caller keeps what it needs. */
  readonly onEvent?: (event: JsonEvent) => void;
  /**
   * How long the engine may send nothing before the stream is given up.
   * @default the engine client's request timeout (120 s unless the host says otherwise)
   */
  readonly idleTimeoutMs?: number;
  /**
   * How long the stream may last in all: only an engine that never ends a stream reaches it.
   * @default 7200000 (two hours)
   */
  readonly maxDurationMs?: number;
  /** Stops following (and destroys the stream) when aborted; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Follows an Engine API progress stream (pull, push, build, import, load) to its end, in
 * place of docker-modem's followProgress, which throws a non-JSON line out of its data
 * handler (an uncaught exception: the process dies), keeps every event and any partial line
 * without limit, and takes a stream that breaks off for a finished one. Here a line is at
 * most `maxLineBytes`, nothing is kept, and the promise rejects, with `what` in front of the
 * reason, when the engine goes silent for `idleTimeoutMs`, the stream outlives
 * `maxDurationMs`, ends without its end, or sends what is not JSON lines.
 * @param what what the stream is doing, for messages: "pulling nginx:1.27 on web-1"
 */
export function followProgress(client: ProgressSource, stream: NodeJS.ReadableStream, what: string, options: FollowProgressOptions = {}): Promise<void> {
  const idleTimeoutMs = options.idleTimeoutMs ?? client.requestTimeoutMs;
  const maxDurationMs = options.maxDurationMs ?? 2 * 60 * 60 * 1000;
  const decoder = new JsonLinesDecoder(options);
  const { signal } = options;
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      stream.removeListener('data', onData);
      if (error) {
        (stream as { destroy?: () => void }).destroy?.();
        reject(error);
      } else {
        resolve();
      }
    };
    const fail = (error: unknown) => {
      if (error instanceof WireFormatError) finish(new Error(`${what}: the engine sent a progress stream Hoist cannot read (${error.message})`));
      else finish(new Error(`${what}: ${(error as Error).message}`));
    };
    const deliver = (events: JsonEvent[]) => {
      for (const event of events) {
        if (done) return;
        options.onEvent?.(event);
      }
    };
    const onData = (chunk: Buffer | string) => {
      idle.refresh();
      try {
        deliver(decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
      } catch (error) {
        fail(error);
      }
    };
    const onAbort = () => finish(signal!.reason instanceof Error ? signal!.reason : new Error(`${what}: stopped`));
    // Unref'd: the stream's own connection keeps the process alive while it is open.
    const idle = setTimeout(() => finish(new Error(`${what}: the engine sent nothing for ${duration(idleTimeoutMs)}; check the engine on ${client.host} and run the command again`)), idleTimeoutMs).unref();
    const deadline = setTimeout(() => finish(new Error(`${what}: the engine's progress stream did not end within ${duration(maxDurationMs)}; stopped`)), maxDurationMs).unref();
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', onData);
    stream.on('end', () => {
      try {
        deliver(decoder.end());
        finish();
      } catch (error) {
        fail(error);
      }
    });
    // Stays attached after the end: a late error must not become an uncaught one.
    stream.on('error', (error: Error) => finish(new Error(`${what}: the stream from the engine failed (${error.message})`)));
    stream.on('close', () => finish(new Error(`${what}: the engine closed the stream before its end`)));
  });
}

function duration(ms: number): string {
  return ms < 60_000 ? `${+(ms / 1000).toFixed(1)} s` : `${+(ms / 60_000).toFixed(1)} min`;
}

/** The error an engine reports inside a progress stream (`errorDetail.message`, else `error`), if the event is one. */
export function progressError(event: JsonEvent): string | undefined {
  const detail = event.errorDetail as { message?: unknown } | undefined;
  if (detail && typeof detail === 'object' && typeof detail.message === 'string' && detail.message) return detail.message;
  if (typeof event.error === 'string' && event.error) return event.error;
  if (event.error !== undefined || event.errorDetail !== undefined) return JSON.stringify(event.errorDetail ?? event.error).slice(0, 500);
  return undefined;
}
