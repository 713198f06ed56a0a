import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';

/** Runs a command in a running container through the Engine API; stdout as bytes, exit code. */
export async function execIn(docker: Docker, container: string, argv: string[]): Promise<{ stdout: Buffer; stderr: string; exitCode: number | null }> {
  const exec = await docker.getContainer(container).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  docker.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  const { ExitCode } = await exec.inspect();
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), exitCode: ExitCode };
}
