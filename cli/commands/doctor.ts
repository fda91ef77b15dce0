import type { Command } from 'commander';
import { RefusedError } from '../../lambda/checkout/model/errors.js';
import { session, show } from '../session.js';

/** `doctor`: is this shop ready for Glase? */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check this shop is ready for Glase: tables, secrets, Glase credentials, the API, the lookup index (deployed: alarm subscription, SES, settings drift); print the URL to give Glase and the dashboard',
    )
    .action(async (_flags, command: Command) =>
      session(command, async (connection, options) => {
        const { diagnose } = await import('../doctor.js');
        const diagnosis = await diagnose(connection);
        show(options, diagnosis, () =>
          [
            ...diagnosis.checks.map(
              (check) => `${check.ok ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(11)} ${check.detail}`,
            ),
            ...(diagnosis.createPurchaseUrl
              ? [
                  '',
                  'give Glase this createPurchase URL (it is a secret: share it only with Glase):',
                  `  ${diagnosis.createPurchaseUrl}`,
                ]
              : []),
            ...(diagnosis.dashboardUrl ? ['', `dashboard: ${diagnosis.dashboardUrl}`] : []),
          ].join('\n'),
        );
        if (!diagnosis.ok)
          throw new RefusedError(`${diagnosis.checks.filter((check) => !check.ok).length} check(s) failed`);
      }),
    );
}
