import { readFileSync } from 'node:fs';

/** The package's version, read where it sits next to both cli/ and dist/. */
function version(): string {
  try {
    return (
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}

export const PROGRAM_VERSION = version();
