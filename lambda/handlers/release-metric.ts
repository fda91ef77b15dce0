import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { RELEASE_VERSION_DIMENSION } from '../../contract/metrics.js';

/**
 * Counts one event against the Lambda version that answered (`$LATEST` locally), for the
 * alarms CodeDeploy watches while a new version takes over: published at once, on its own, so
 * the version dimension never spreads to the function's other metrics.
 */
export function releaseMetric(metrics: Metrics, name: string): void {
  const single = metrics.singleMetric();
  single.addDimension(RELEASE_VERSION_DIMENSION, process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST');
  single.addMetric(name, MetricUnit.Count, 1);
}
