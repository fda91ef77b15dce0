import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Mail } from '../checkout/model/mail.js';
import type { Mailer } from '../checkout/ports.js';
import { toMime } from './mime.js';

/**
 * Locally: each mail becomes an `.eml` file a developer opens in any mail client, and a log
 * line with its path. Nothing is sent anywhere.
 */
export class EmlMailer implements Mailer {
  constructor(
    private readonly directory: string,
    private readonly log: (message: string, details: Record<string, unknown>) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(mail: Mail): Promise<{ location: string }> {
    const date = this.now();
    const messageId = `${randomUUID()}@glase-checkout.local`;
    // Made on the first mail, not before: a run that mails nothing leaves no trace.
    await mkdir(this.directory, { recursive: true });
    const name = `${date.toISOString().replace(/[:.]/g, '-')}-${mail.key.replace(/[^A-Za-z0-9-]/g, '_')}.eml`;
    const location = resolve(join(this.directory, name));
    // `wx`: never overwrite; one file per mail.
    await writeFile(location, toMime(mail, { date, messageId }), { flag: 'wx' });
    this.log('mail written', { key: mail.key, location });
    return { location };
  }
}
