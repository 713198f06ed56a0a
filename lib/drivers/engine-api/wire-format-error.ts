/**
 * Why bytes from an engine (a protobuf message, a gRPC frame, a progress line) could not be
 * read. `too-large` means a length or size was over the limit the reader was given, before
 * the bytes were kept; `malformed` means they do not follow the format (truncated, an invalid
 * field, a varint longer than 10 bytes). The message describes the bytes, never quotes them
 * at length: they came from the engine and may hold anything.
 */
export class WireFormatError extends Error {
  public override readonly name = 'WireFormatError';

  constructor(public readonly reason: 'malformed' | 'too-large', message: string) {
    super(message);
  }
}
