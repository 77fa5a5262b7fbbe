import { readFile, writeFile } from 'node:fs/promises';
import prettier from 'prettier';
import { COMPOSE_SETTINGS, FILE_SETTINGS, SETTINGS } from '../config.js';

export { COMPOSE_SETTINGS };

interface Described {
  readonly description?: string;
  readonly def: { readonly type: string; readonly defaultValue?: unknown };
}

/** Each app setting with its description and default, in the schema's order. */
export function settingsTable(): { name: string; default: string; description: string }[] {
  return Object.entries(SETTINGS.shape).map(([name, schema]) => {
    const { description = '', def } = schema as unknown as Described;
    // Defaults are strings, numbers or flags (shown as the 1/0 the variable takes).
    const fallback = def.type === 'default' ? (def.defaultValue as string | number | boolean) : undefined;
    const shown = typeof fallback === 'boolean' ? (fallback ? '1' : '0') : fallback === '' ? 'empty' : fallback;
    return { name, default: shown === undefined ? '–' : String(shown), description };
  });
}

/** The README's configuration table (between its config markers). */
export function readmeTable(): string {
  const rows = settingsTable().map((row) => {
    const file = (FILE_SETTINGS as readonly string[]).includes(row.name) ? ` (or \`${row.name}_FILE\`)` : '';
    const meaning = row.description.replaceAll('|', '\\|');
    return `| \`${row.name}\`${file} | ${row.default === '–' ? '–' : `\`${row.default}\``} | ${meaning} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** `text` as `# ` comment lines of at most `width` characters. */
const comment = (text: string, width = 100) =>
  text
    .split(' ')
    .reduce<string[]>((lines, word) => {
      const last = lines.at(-1);
      if (last !== undefined && last.length + word.length + 1 <= width - 2) lines[lines.length - 1] = `${last} ${word}`;
      else lines.push(word);
      return lines;
    }, [])
    .map((line) => `# ${line}`);

/** `.env.example`: every variable, commented out at its default. */
export function envExample(): string {
  const lines = [
    '# Copy to .env and adjust; .env is read at start-up and never committed.',
    '# Generated from src/config.ts by `npm run docs:config`: edit the descriptions there.',
    '# Every variable is optional in development (ENVIRONMENT=local). Secrets may',
    `# come from files instead: ${FILE_SETTINGS.map((name) => `${name}_FILE`).join(', ')}.`,
  ];
  for (const row of settingsTable()) {
    lines.push(
      '',
      ...comment(row.description),
      `# ${row.name}=${row.default === '–' || row.default === 'empty' ? '' : row.default}`,
    );
  }
  for (const [name, description] of Object.entries(COMPOSE_SETTINGS))
    lines.push('', ...comment(description), `# ${name}=`);
  return `${lines.join('\n')}\n`;
}

export const README_MARKERS = ['<!-- config:start -->', '<!-- config:end -->'] as const;

/** README.md with its configuration table replaced by the generated one, formatted as `npm run format` would. */
export async function withReadmeTable(readme: string): Promise<string> {
  const [start, end] = README_MARKERS;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} block`);
  const table = (await prettier.format(readmeTable(), { parser: 'markdown' })).trim();
  return `${readme.slice(0, from + start.length)}\n\n${table}\n\n${readme.slice(to)}`;
}

/** `npm run docs:config`: rewrites .env.example and README's table from the config schema. */
async function main(): Promise<void> {
  await writeFile('.env.example', envExample());
  await writeFile('README.md', await withReadmeTable(await readFile('README.md', 'utf8')));
  process.stdout.write('wrote .env.example and the README configuration table\n');
}

if (process.argv[1]?.endsWith('config-docs.ts') || process.argv[1]?.endsWith('config-docs.js')) await main();
