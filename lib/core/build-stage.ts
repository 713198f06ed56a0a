import { brand, hasBrand } from './private/brand';
import type { HealthCheckOptions } from './health-check';
import { Protocol } from './port-mapping';

const BUILD_STAGE_SYMBOL = Symbol.for('hoist.BuildStage');

/** Options for {@link BuildStage.from}. */
export interface BuildStageOptions {
  /**
   * Name of the stage, for `copyFromStage` in later stages and for a build `target`.
   *
   * @default - an unnamed stage
   */
  readonly stageName?: string;

  /**
   * Platform of the base image, e.g. "linux/amd64".
   *
   * @default - the builder's platform
   */
  readonly platform?: string;
}

/** Options for copy steps. */
export interface CopyOptions {
  /**
   * Owner of the copied files, e.g. "app:app" or "1000:1000".
   *
   * @default - root
   */
  readonly chown?: string;

  /**
   * Mode of the copied files, e.g. "0644".
   *
   * @default - the mode the files have
   */
  readonly chmod?: string;
}

/** @internal */
export type BuildInstruction =
  | { readonly op: 'arg'; readonly name: string; readonly defaultValue?: string }
  | { readonly op: 'env'; readonly name: string; readonly value: string }
  | { readonly op: 'workdir'; readonly path: string }
  | { readonly op: 'copy'; readonly fromStage?: string; readonly sources: string[]; readonly destination: string; readonly options: CopyOptions }
  | { readonly op: 'run'; readonly command: string }
  | { readonly op: 'run-exec'; readonly argv: string[] }
  | { readonly op: 'user'; readonly user: string }
  | { readonly op: 'expose'; readonly port: number; readonly protocol: Protocol }
  | { readonly op: 'cmd'; readonly argv: string[] }
  | { readonly op: 'entrypoint'; readonly argv: string[] }
  | { readonly op: 'healthcheck'; readonly argv: string[]; readonly options: HealthCheckOptions }
  | { readonly op: 'label'; readonly name: string; readonly value: string };

/**
 * One stage of an image built from typed steps, rendered to a Dockerfile at synth. Each
 * method adds one instruction and returns the stage, so stages read top to bottom like the
 * Dockerfile they become. Values are escaped on rendering; a newline in a one-line
 * instruction is an error at synth, never a second instruction.
 *
 * @example
 * BuildStage.fromImage('debian:bookworm-slim', { stageName: 'build' })
 *   .workdir('/src')
 *   .copyFiles(['requirements.txt'], './')
 *   .run('pip install -r requirements.txt')
 *   .copyFiles(['.'], './');
 */
export class BuildStage {
  /** Whether `x` is a BuildStage, also across duplicate copies of this library. */
  public static isBuildStage(x: any): x is BuildStage {
    return hasBrand(x, BUILD_STAGE_SYMBOL);
  }

  /** Start a stage from a base image, or from an earlier stage's name. */
  public static fromImage(baseImage: string, options: BuildStageOptions = {}): BuildStage {
    return new BuildStage(baseImage, options);
  }

  /** Base image reference or earlier stage name. */
  public readonly baseImage: string;

  /** Stage options. */
  public readonly options: BuildStageOptions;

  /** @internal */
  public readonly _instructions: BuildInstruction[] = [];

  private constructor(baseImage: string, options: BuildStageOptions) {
    brand(this, BUILD_STAGE_SYMBOL);
    this.baseImage = baseImage;
    this.options = options;
  }

  /** Name of the stage, if it has one. */
  public get stageName(): string | undefined {
    return this.options.stageName;
  }

  /** `ARG name[=default]`: a build argument. Never pass secrets as build arguments. */
  public arg(name: string, defaultValue?: string): BuildStage {
    return this.add({ op: 'arg', name, defaultValue });
  }

  /** `ENV name="value"`. */
  public env(name: string, value: string): BuildStage {
    return this.add({ op: 'env', name, value });
  }

  /** `WORKDIR path`. */
  public workdir(path: string): BuildStage {
    return this.add({ op: 'workdir', path });
  }

  /** `COPY sources destination` from the build context. */
  public copyFiles(sources: string[], destination: string, options: CopyOptions = {}): BuildStage {
    return this.add({ op: 'copy', sources, destination, options });
  }

  /** `COPY --from=stage sources destination`: take files from an earlier stage (multi-stage builds). */
  public copyFromStage(stage: string, sources: string[], destination: string, options: CopyOptions = {}): BuildStage {
    return this.add({ op: 'copy', fromStage: stage, sources, destination, options });
  }

  /** `RUN command` in the stage's shell. */
  public run(command: string): BuildStage {
    return this.add({ op: 'run', command });
  }

  /** `RUN ["argv", ...]` without a shell. */
  public runExec(argv: string[]): BuildStage {
    return this.add({ op: 'run-exec', argv });
  }

  /** `USER user`: run later steps and the container as this user. */
  public user(user: string): BuildStage {
    return this.add({ op: 'user', user });
  }

  /** `EXPOSE port/protocol`. */
  public expose(port: number, protocol: Protocol = Protocol.TCP): BuildStage {
    return this.add({ op: 'expose', port, protocol });
  }

  /** `CMD ["argv", ...]`. */
  public cmd(argv: string[]): BuildStage {
    return this.add({ op: 'cmd', argv });
  }

  /** `ENTRYPOINT ["argv", ...]`. */
  public entrypoint(argv: string[]): BuildStage {
    return this.add({ op: 'entrypoint', argv });
  }

  /** `HEALTHCHECK [options] CMD ["argv", ...]`. */
  public healthcheck(argv: string[], options: HealthCheckOptions = {}): BuildStage {
    return this.add({ op: 'healthcheck', argv, options });
  }

  /** `LABEL name="value"`. */
  public label(name: string, value: string): BuildStage {
    return this.add({ op: 'label', name, value });
  }

  private add(instruction: BuildInstruction): BuildStage {
    this._instructions.push(instruction);
    return this;
  }
}
