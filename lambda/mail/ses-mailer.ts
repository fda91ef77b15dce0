import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mail } from '../checkout/model/mail.js';
import type { Mailer } from '../checkout/ports.js';
import { mailbox } from './mime.js';

/**
 * Deployed: Amazon SES (v2 SendEmail, simple content: SES builds the MIME message). The sender
 * must be an identity verified in SES; the stack grants ses:SendEmail on that identity alone.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly options: { readonly configurationSet?: string | undefined } = {},
  ) {}

  async send(mail: Mail): Promise<{ location?: string }> {
    const utf8 = (Data: string) => ({ Data, Charset: 'UTF-8' });
    await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: mail.from,
        // SES wants a display name that is not ASCII as an RFC 2047 encoded-word.
        Destination: { ToAddresses: [mailbox(mail.to.name, mail.to.address)] },
        Content: {
          Simple: {
            Subject: utf8(mail.subject),
            Body: { Text: utf8(mail.text), Html: utf8(mail.html) },
          },
        },
        ...(this.options.configurationSet ? { ConfigurationSetName: this.options.configurationSet } : {}),
      }),
    );
    return {};
  }
}
