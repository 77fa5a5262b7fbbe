import path from 'node:path';

export interface FailureContext {
  /** Where the server tried to listen. */
  readonly host: string;
  readonly port: number;
  /** DATABASE_URL, when set. */
  readonly databaseUrl?: string;
  /** The local state directory (.data): embedded database, credentials, development key. */
  readonly dataDirectory: string;
}

interface Details {
  code?: string;
  syscall?: string;
  path?: string;
  hostname?: string;
  port?: number;
}

/** The first `code`, `path`, `hostname`… found along an error's `cause` chain. */
function details(error: unknown): Details {
  const found: Details = {};
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const { code, syscall, path: file, hostname, port, cause } = current as Details & { cause?: unknown };
    found.code ??= typeof code === 'string' ? code : undefined;
    found.syscall ??= syscall;
    found.path ??= file;
    found.hostname ??= hostname;
    found.port ??= port;
    current = cause;
  }
  return found;
}

const hostOf = (url: string | undefined) => {
  try {
    return url ? new URL(url).hostname : undefined;
  } catch {
    return undefined;
  }
};

/** What to do next about a start-up failure, or undefined when the message says it all. */
export function nextStep(error: unknown, context: FailureContext): string | undefined {
  const { code, syscall, path: file, hostname } = details(error);
  if (syscall === 'listen' && code === 'EADDRINUSE') {
    return `port ${context.port} is in use (another server, or a second \`npm start\`?): set PORT, e.g. PORT=${context.port + 1} npm start`;
  }
  if (syscall === 'listen' && code === 'EACCES') {
    return `port ${context.port} needs privileges this user lacks: set PORT to 1024 or above`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    const host = hostname ?? hostOf(context.databaseUrl) ?? 'the database host';
    // A one-label name that does not resolve is a Compose service name used outside its network
    // (`db` from docker-compose.yml, most often).
    if (!host.includes('.') && host !== 'localhost') {
      return `the host \`${host}\` exists only inside Compose (a service on its network, like db): unset DATABASE_URL to use the embedded database, or publish the db port and use localhost (docs/containers.md)`;
    }
    return `the database host \`${host}\` from DATABASE_URL cannot be resolved here: check the host name, or unset DATABASE_URL to use the embedded database`;
  }
  if (code === 'ECONNREFUSED' && context.databaseUrl) {
    const url = new URL(context.databaseUrl);
    return `nothing listens on ${url.hostname}:${url.port || 5432} from DATABASE_URL: start PostgreSQL there, or unset DATABASE_URL to use the embedded database`;
  }
  if ((code === 'EACCES' || code === 'EPERM') && file) {
    const relative = path.relative(context.dataDirectory, path.resolve(file));
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
      const shown = path.basename(context.dataDirectory);
      return `${shown} was created by another user (sudo, or a container running as root): remove it (rm -rf ${shown}; the local database goes with it) or take it back (sudo chown -R "$(id -u):$(id -g)" ${shown})`;
    }
  }
  if (code === '28P01') return 'wrong user or password in DATABASE_URL';
  if (code === '3D000') return 'the database named in DATABASE_URL does not exist: create it, or fix the URL';
  return undefined;
}

/** The message for a failed start-up: what went wrong, then what to do next. */
export function describeStartupFailure(error: unknown, context: FailureContext): string {
  const message = error instanceof Error ? error.message : String(error);
  const step = nextStep(error, context);
  return step ? `${message}\n  → ${step}` : message;
}
