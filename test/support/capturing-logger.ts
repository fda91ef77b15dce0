import { Logger } from '@aws-lambda-powertools/logger';

type LogItem = Parameters<Logger['printLog']>[1];

/** A Powertools Logger that keeps every line it would print, exactly as it would print it. */
export class CapturingLogger extends Logger {
  readonly lines: string[] = [];

  constructor() {
    super({ serviceName: 'glase-checkout', logLevel: 'DEBUG' });
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    this.lines.push(JSON.stringify(log.getAttributes()));
  }
}
