import * as http from 'node:http';
import { inspect } from 'node:util';
import type { Duplex } from 'node:stream';
import type { IHostConnection } from '../../transport/host-connection';

/**
 * An HTTP agent whose connections are streams to the engine socket opened through a host
 * connection (SSH stream-local forwards, or a local socket). dockerode speaks HTTP through
 * it; keep-alive reuses a stream for the next request, so a run opens few channels.
 */
export class EngineAgent extends http.Agent {
  /**
   * No socket limit: Node counts a socket against maxSockets only once an asynchronous
   * createConnection has answered, so bursts overshoot the limit anyway, and the agent then
   * destroys each overshooting socket when it is freed; an SSH channel only reports 'close'
   * when the server confirms, and until then the agent counts it as busy. Enough of those and
   * every new request waited in the agent's queue, with no socket and so no timeout: applies
   * hung. Without a limit nothing queues; idle streams stay pooled until the run ends.
   */
  constructor(private readonly connection: IHostConnection, private readonly socketPath: string, maxFreeStreams = 256) {
    super({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: maxFreeStreams });
  }

  // docker-modem formats every request's options, agent included, with util.inspect (depth
  // unlimited) even when its debug output is off; the agent reaches the whole SSH client, so
  // that cost seconds per plan. A short description keeps it cheap.
  public [inspect.custom](): string {
    return `EngineAgent(${this.connection.host} ${this.socketPath})`;
  }

  // Node calls createConnection(options, callback); answering through the callback lets the
  // stream open asynchronously.
  public override createConnection(_options: unknown, callback: (error: Error | null, socket?: Duplex) => void): undefined {
    this.connection.openStream(this.socketPath).then((stream) => callback(null, asSocket(stream)), (error: Error) => callback(error));
    return undefined;
  }
}

/**
 * A forwarded stream lacks the socket methods http.Agent calls; give it harmless ones, and a
 * working setTimeout: Node's request timeout is a socket idle timeout, and without one a
 * request the engine never answers would wait forever (the SSH keepalive only catches a host
 * that is gone, not an engine that hangs).
 */
function asSocket(stream: Duplex): Duplex {
  const s = stream as Duplex & Record<string, unknown>;
  for (const method of ['setKeepAlive', 'setNoDelay', 'ref', 'unref']) {
    if (typeof s[method] !== 'function') s[method] = () => stream;
  }
  if (typeof s.setTimeout !== 'function') {
    let idleMs = 0;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      if (timer) clearTimeout(timer);
      // Unref'd: a request in flight keeps the process alive through its SSH channel anyway;
      // the timer alone must not (it kept a failed apply's process around for two minutes).
      timer = idleMs > 0 ? setTimeout(() => stream.emit('timeout'), idleMs).unref() : undefined;
    };
    // As net.Socket does: a callback is added with a timeout and removed with 0 (Node's HTTP
    // client clears its per-request callback that way when the socket goes back to the pool).
    // A stream that ended has nothing left to time out.
    stream.once('close', () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      idleMs = 0;
    });
    s.setTimeout = (ms: number, callback?: () => void) => {
      idleMs = ms;
      if (callback) {
        if (ms === 0) stream.removeListener('timeout', callback);
        else stream.once('timeout', callback);
      }
      arm();
      return stream;
    };
    // Activity either way restarts the clock. Wrapping emit rather than listening for 'data'
    // leaves the stream's flowing mode to the HTTP parser.
    const emit = stream.emit.bind(stream);
    s.emit = (event: string | symbol, ...args: unknown[]) => {
      if (event === 'data' && idleMs > 0) arm();
      if (event === 'close' && timer) clearTimeout(timer);
      return emit(event, ...args);
    };
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    s.write = (...args: unknown[]) => {
      if (idleMs > 0) arm();
      return write(...args);
    };
  }
  return stream;
}
