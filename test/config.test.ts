import test from 'ava';
import {
  ConfigError,
  displayValue,
  KNOWN_SETTINGS,
  loadConfig,
  misspelledSettings,
  readFileSettings,
  settingOrigins,
  wantsDevelopmentSecret,
} from '../src/config.js';

const STRONG = 'a'.repeat(48);

test('defaults: port 8000, 30-minute tokens, bcrypt cost 12, host 0.0.0.0', (t) => {
  const config = loadConfig({ DATABASE_URL: 'postgres://u:p@h/db', SECRET_KEY: STRONG });
  t.like(config, { port: 8000, accessTokenExpireMinutes: 30, bcryptRounds: 12, host: '0.0.0.0', environment: 'local' });
  t.true(Object.isFrozen(config));
});

test('every bad variable is named in one error', (t) => {
  const error = t.throws(
    () =>
      loadConfig({ ENVIRONMENT: 'production', PORT: 'eighty', BCRYPT_ROUNDS: '99', ACCESS_TOKEN_EXPIRE_MINUTES: '-5' }),
    { instanceOf: ConfigError },
  );
  for (const name of ['PORT', 'BCRYPT_ROUNDS', 'ACCESS_TOKEN_EXPIRE_MINUTES', 'DATABASE_URL', 'SECRET_KEY']) {
    t.regex(error?.message ?? '', new RegExp(name));
  }
});

test('production refuses the development default and short secrets', (t) => {
  for (const secret of ['dev-only-insecure-secret-change-me', 'changethis', 'short']) {
    const error = t.throws(() =>
      loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://h/db', SECRET_KEY: secret }),
    );
    t.regex(error?.message ?? '', /SECRET_KEY/);
  }
});

test('local accepts a weak secret with a warning, and makes an ephemeral one when unset', (t) => {
  const weak = loadConfig({ ENVIRONMENT: 'local', SECRET_KEY: 'changethis' });
  t.is(weak.secretKey, 'changethis');
  t.regex(weak.warnings.join(), /SECRET_KEY/);
  const unset = loadConfig({}, { randomSecret: () => 'r'.repeat(64) });
  t.is(unset.secretKey, 'r'.repeat(64));
  t.true(unset.secretKeyIsEphemeral);
  t.is(unset.databaseUrl, undefined, 'local without DATABASE_URL means the embedded PostgreSQL');
});

test('NODE_ENV=production implies ENVIRONMENT=production, which needs DATABASE_URL', (t) => {
  const error = t.throws(() => loadConfig({ NODE_ENV: 'production', SECRET_KEY: STRONG }));
  t.regex(error?.message ?? '', /DATABASE_URL: required/);
});

test('the migration command needs no SECRET_KEY even in production', (t) => {
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://h/db' }, { needsSecret: false });
  t.is(config.environment, 'production');
});

test('empty values count as unset, as `FOO=` lines in .env files mean', (t) => {
  t.is(loadConfig({ PORT: '', SECRET_KEY: STRONG }).port, 8000);
});

test('CORS origins are a trimmed, comma-separated list', (t) => {
  t.deepEqual(loadConfig({ CORS_ORIGINS: ' https://a.example , https://b.example,' }).corsOrigins, [
    'https://a.example',
    'https://b.example',
  ]);
});

test('logs are pretty only for a local run outside NODE_ENV=production (no pino-pretty in the image)', (t) => {
  t.is(loadConfig({ SECRET_KEY: STRONG }).log.format, 'pretty');
  t.is(loadConfig({ ENVIRONMENT: 'local', NODE_ENV: 'production', SECRET_KEY: STRONG }).log.format, 'json');
  t.is(loadConfig({ ENVIRONMENT: 'staging', DATABASE_URL: 'postgres://h/db', SECRET_KEY: STRONG }).log.format, 'json');
  t.is(loadConfig({ LOG_FORMAT: 'json', SECRET_KEY: STRONG }).log.format, 'json');
});

test('_FILE variables: read from the file (one trailing newline dropped), like the official images', (t) => {
  const files: Record<string, string> = { '/run/secrets/key': `${STRONG}\n`, '/run/secrets/db': 'postgres://u:p@h/db' };
  const env = readFileSettings(
    { ENVIRONMENT: 'production', SECRET_KEY_FILE: '/run/secrets/key', DATABASE_URL_FILE: '/run/secrets/db' },
    (file) => files[file] ?? '',
  );
  t.like(loadConfig(env), { secretKey: STRONG, databaseUrl: 'postgres://u:p@h/db' });
  t.is(env.SECRET_KEY_FILE, undefined);
});

test('_FILE variables: both X and X_FILE, or an unreadable file, is a start-up error naming them', (t) => {
  const both = t.throws(() => readFileSettings({ SECRET_KEY: STRONG, SECRET_KEY_FILE: '/x' }, () => STRONG), {
    instanceOf: ConfigError,
  });
  t.regex(both?.message ?? '', /SECRET_KEY and SECRET_KEY_FILE/);
  const missing = t.throws(
    () =>
      readFileSettings({ DATABASE_URL_FILE: '/nope' }, () => {
        throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      }),
    { instanceOf: ConfigError },
  );
  t.regex(missing?.message ?? '', /DATABASE_URL_FILE: cannot read \/nope \(ENOENT\)/);
});

test('MIGRATIONS_DATABASE_URL defaults to DATABASE_URL; RUN_MIGRATIONS and TRUST_PROXY parse strictly', (t) => {
  const base = { DATABASE_URL: 'postgres://u:p@pooler/db', SECRET_KEY: STRONG };
  t.like(loadConfig(base), { migrationsDatabaseUrl: 'postgres://u:p@pooler/db', runMigrations: true, trustProxy: 0 });
  t.like(
    loadConfig({ ...base, MIGRATIONS_DATABASE_URL: 'postgres://u:p@direct/db', RUN_MIGRATIONS: '0', TRUST_PROXY: '2' }),
    {
      migrationsDatabaseUrl: 'postgres://u:p@direct/db',
      runMigrations: false,
      trustProxy: 2,
    },
  );
  const error = t.throws(() => loadConfig({ ...base, RUN_MIGRATIONS: 'maybe', TRUST_PROXY: 'true' }), {
    instanceOf: ConfigError,
  });
  t.regex(error?.message ?? '', /RUN_MIGRATIONS must be 1 or 0/);
  t.regex(error?.message ?? '', /TRUST_PROXY must be a whole number/);
});

test('the development key from .data is used only in local without SECRET_KEY; SECRET_KEY always wins', (t) => {
  const kept = 'k'.repeat(64);
  t.like(loadConfig({}, { developmentSecret: kept }), { secretKey: kept, secretKeyIsEphemeral: false });
  t.is(loadConfig({ SECRET_KEY: STRONG }, { developmentSecret: kept }).secretKey, STRONG);
  const error = t.throws(() =>
    loadConfig({ ENVIRONMENT: 'staging', DATABASE_URL: 'postgres://h/db' }, { developmentSecret: kept }),
  );
  t.regex(error?.message ?? '', /SECRET_KEY: required when ENVIRONMENT is staging/);
  t.true(wantsDevelopmentSecret({}));
  t.false(wantsDevelopmentSecret({ SECRET_KEY: STRONG }));
  t.false(wantsDevelopmentSecret({ NODE_ENV: 'production' }));
});

test('errors show the bad value and its origin; secrets by length only, URL passwords masked', (t) => {
  const error = t.throws(
    () =>
      loadConfig(
        { ENVIRONMENT: 'production', PORT: 'eighty', SECRET_KEY: 'hunter2', DATABASE_URL: 'mysql://root:hunter3@h/db' },
        { origins: settingOrigins({}, ['PORT']) },
      ),
    { instanceOf: ConfigError },
  );
  const message = error?.message ?? '';
  t.regex(message, /PORT: PORT must be a whole number \(got "eighty" from \.env\)/);
  t.regex(message, /SECRET_KEY: .*\(got a value of 7 characters \(hidden\) from the environment\)/);
  t.regex(message, /DATABASE_URL: .*\(got "mysql:\/\/root:\*\*\*@h\/db" from the environment\)/);
  t.false(/hunter[23]/.test(message));
  t.is(displayValue('DATABASE_URL', 'app:pw@db:5432/x'), '"app:***@db:5432/x"');
  t.deepEqual(settingOrigins({ SECRET_KEY_FILE: '/run/secrets/key' }, ['SECRET_KEY_FILE']), {
    SECRET_KEY_FILE: '.env',
    SECRET_KEY: 'SECRET_KEY_FILE=/run/secrets/key, set in .env',
  });
});

test('.env names close to a setting get a "did you mean"; known and unrelated names do not', (t) => {
  t.deepEqual(misspelledSettings(['SECRT_KEY', 'secret_key', 'DATABSE_URL', 'PORTT', 'LOG_LEVLE']), [
    '.env sets SECRT_KEY, which the app does not read: did you mean SECRET_KEY?',
    '.env sets secret_key, which the app does not read: did you mean SECRET_KEY?',
    '.env sets DATABSE_URL, which the app does not read: did you mean DATABASE_URL?',
    '.env sets PORTT, which the app does not read: did you mean PORT?',
    '.env sets LOG_LEVLE, which the app does not read: did you mean LOG_LEVEL?',
  ]);
  t.deepEqual(
    misspelledSettings(['SECRET_KEY', 'SECRET_KEY_FILE', 'POSTGRES_PASSWORD', 'API_PORT', 'PATH', 'HOME', 'EDITOR']),
    [],
  );
});

test('every variable docker-compose files and .env.example name is known, so none is reported as a typo', async (t) => {
  const { readFile, readdir } = await import('node:fs/promises');
  const composeFiles = (await readdir('.')).filter((file) => /^docker-compose.*\.ya?ml$/.test(file));
  for (const file of composeFiles) {
    const text = await readFile(file, 'utf8');
    for (const [, name] of text.matchAll(/\$\{([A-Z0-9_]+)/g)) t.true(KNOWN_SETTINGS.has(name!), `${file}: ${name}`);
  }
  const example = await readFile('.env.example', 'utf8');
  for (const [, name] of example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm))
    t.true(KNOWN_SETTINGS.has(name!), `.env.example: ${name}`);
});
