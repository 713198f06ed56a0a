import { Transform } from 'node:stream';

/**
 * A pass-through that fails once more than `maxBytes` have gone through it, for engine
 * streams read to their end (archives of small files): an engine that sends more, or never
 * stops, is an error naming `what` rather than memory filling up.
 */
export function byteLimit(maxBytes: number, what: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new Error(`${what} is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB; the engine sent more than Hoist reads`));
      else callback(null, chunk);
    },
  });
}
