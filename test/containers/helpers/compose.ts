import { command, type CommandOptions, type CommandResult } from './command.js';
import { docker } from './docker.js';
import { buildEnv } from './images.js';

let composeCli: Promise<string[]> | undefined;

/** Compose v2 (`docker compose`) where it exists (GitHub runners, Docker Desktop), else v1.29's `docker-compose`. */
export function composeCommand(): Promise<string[]> {
  composeCli ??= docker(['compose', 'version'], { check: false, timeoutMs: 20_000 }).then((result) =>
    result.code === 0 ? ['docker', 'compose'] : ['docker-compose'],
  );
  return composeCli;
}

/** The dev container's Compose files, in devcontainer.json's order. */
export const DEV_COMPOSE_FILES = [
  '.devcontainer/compose.project.yml',
  'docker-compose.yml',
  '.devcontainer/docker-compose.dev.yml',
] as const;

/**
 * One Compose project of this run. `files` empty means Compose's own default
 * (docker-compose.yml plus docker-compose.override.yml), as `docker compose up` reads it.
 */
export class ComposeProject {
  constructor(
    readonly name: string,
    readonly files: readonly string[] = [],
    private readonly env: Record<string, string> = {},
  ) {}

  async run(args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
    const [file, ...prefix] = await composeCommand();
    const fileArgs = this.files.flatMap((path) => ['-f', path]);
    return command(file!, [...prefix, '-p', this.name, ...fileArgs, ...args], {
      timeoutMs: 15 * 60_000,
      ...options,
      env: { ...buildEnv(), ...this.env, ...options.env },
    });
  }

  /** The id of the service's container ('' if there is none). */
  async containerId(service: string): Promise<string> {
    return (await this.run(['ps', '-q', service], { timeoutMs: 30_000 })).stdout.trim();
  }

  /** `down -v --rmi local`: containers, networks, volumes and the images it built. */
  async remove(): Promise<void> {
    await this.run(['down', '-v', '--rmi', 'local', '--remove-orphans'], { check: false, timeoutMs: 120_000 });
  }
}
