/** The floor as a process (bench/floor.ts), configured by the same variables as the API. */
import { createFloor } from './floor.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const floor = createFloor({
  databaseUrl: env('DATABASE_URL'),
  secretKey: env('SECRET_KEY'),
  poolMax: Number(env('DB_POOL_MAX')),
  applicationName: env('APPLICATION_NAME'),
});
floor.server.listen(Number(env('PORT')), '127.0.0.1');

process.on('SIGTERM', () => {
  void floor.close().then(() => process.exit(0));
});
