import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fuzzRuns, fuzzSeed, runProperties } from '../helpers/fuzz';

/**
 * CI runs 400 cases per property (about 2 s); HOIST_FUZZ_RUNS=<count> runs more.
 *
 * Randomized tests of the decoders that read what engines send (reliability item 35): the
 * protobuf varint and string field reader and the gRPC request reader of the BuildKit
 * session, the container log frame decoder, and the JSON-lines progress decoder. Each
 * property is given random bytes, truncations of valid input and valid input with a corrupted
 * length field; no case may hang (each must finish within CASE_TIMEOUT_MS, watched from outside
 * its worker thread), throw anything but the decoder's own WireFormatError, or return more
 * than its limits.
 *
 * Runs: 400 cases per property in CI (4 for the 4 MiB one; all eleven take about 2 s on a
 * shared 2-core machine); set HOIST_FUZZ_RUNS=20000 (about 70 s) or any count for a longer
 * search. HOIST_FUZZ_SEED repeats a run; a failure names its seed and case.
 */
const RUNS = fuzzRuns(400);
const CASE_TIMEOUT_MS = 2_000;
const seed = fuzzSeed();

/** Every property, started at once in one worker thread; each test awaits its own. */
const results = runProperties(path.join(__dirname, '..', 'helpers', 'engine-frame-properties.ts'), [
  'varintOnRandomBytes',
  'varintRoundTripAndTruncation',
  'stringFieldOnRandomBytes',
  'stringFieldOnValidTruncatedAndCorruptedMessages',
  'grpcRequestOnRandomBytes',
  'grpcRequestOnValidTruncatedAndCorruptedFrames',
  'logFramesOnRandomBytes',
  'logFramesOnValidTruncatedAndCorruptedStreams',
  'jsonLinesOnRandomBytes',
  'jsonLinesOnValidTruncatedAndCorruptedStreams',
].map((name) => ({ name, runs: RUNS, caseTimeoutMs: CASE_TIMEOUT_MS })).concat(
  // Each case decodes 4 MiB: fewer of them, each allowed longer.
  { name: 'logFramesOfAVeryLongStreamStayWithinTheirLimits', runs: Math.max(2, Math.round(RUNS / 100)), caseTimeoutMs: 10_000 },
), seed);

const property = (name: string) => results.get(name)!;

describe(`engine frame decoders under random input (${RUNS} cases each, seed ${seed})`, () => {
  it('readVarint on random bytes at any offset reads at most 10 bytes within the buffer or throws WireFormatError', () => property('varintOnRandomBytes'));
  it('readVarint round-trips encodeVarint and refuses every truncation of it', () => property('varintRoundTripAndTruncation'));
  it('stringField on random bytes returns a string no longer than the message, undefined, or throws WireFormatError', () => property('stringFieldOnRandomBytes'));
  it('stringField reads valid messages exactly and survives their truncations and corrupted bytes', () => property('stringFieldOnValidTruncatedAndCorruptedMessages'));
  it('decodeUnaryRequest and UnaryRequestReader on random bytes agree in any chunking and never return more than maxMessageBytes', () => property('grpcRequestOnRandomBytes'));
  it('UnaryRequestReader reads valid frames exactly, refuses every truncation and every wrong length prefix', () => property('grpcRequestOnValidTruncatedAndCorruptedFrames'));
  it('LogFrameDecoder on random bytes never throws, keeps within maxBytes and maxLines, and gives the same result in any chunking', () => property('logFramesOnRandomBytes'));
  it('LogFrameDecoder decodes valid frame streams exactly, marks truncations damaged, and stays bounded with corrupted lengths', () => property('logFramesOnValidTruncatedAndCorruptedStreams'));
  it('LogFrameDecoder keeps only the last maxBytes and maxLines of a 4 MiB stream', () => property('logFramesOfAVeryLongStreamStayWithinTheirLimits'));
  it('JsonLinesDecoder on random bytes yields only objects or throws WireFormatError, in any chunking', () => property('jsonLinesOnRandomBytes'));
  it('JsonLinesDecoder reads valid streams exactly, a truncation as its first events, and refuses a line over maxLineBytes', () => property('jsonLinesOnValidTruncatedAndCorruptedStreams'));
});
