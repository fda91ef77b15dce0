import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLES, type TableShape } from '../../contract/tables.js';

export interface CheckoutTablesProps {
  readonly encryption: 'aws-owned' | 'customer-managed';
  /** Warm throughput per table (write units a second), for a planned drop. */
  readonly warmWrites?: {
    readonly products?: number;
    readonly orders?: number;
    readonly idempotency?: number;
  };
}

/**
 * Products (stock), orders (money and personal data) and idempotency records, shaped as
 * contract/tables.ts says (DynamoDB Local's tables are built from the same). All three survive
 * a `cdk destroy`, a replacement and an accidental delete; idempotency records expire by TTL.
 */
export class CheckoutTables extends Construct {
  readonly products: Table;
  readonly orders: Table;
  readonly idempotency: Table;
  readonly key?: Key;

  constructor(scope: Construct, id: string, props: CheckoutTablesProps) {
    super(scope, id);
    if (props.encryption === 'customer-managed') {
      this.key = new Key(this, 'TablesKey', {
        description: 'glase-checkout: encrypts products, orders and idempotency tables',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    const encryption = this.key
      ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: this.key }
      : { encryption: TableEncryption.DEFAULT }; // AWS-owned key
    const kept = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...encryption,
    };

    const warm = (writeUnitsPerSecond: number | undefined) =>
      writeUnitsPerSecond ? { warmThroughput: { writeUnitsPerSecond } } : {};
    this.products = shaped(
      new Table(this, 'Products', {
        ...kept,
        ...keyOf(TABLES.products),
        ...warm(props.warmWrites?.products),
      }),
      TABLES.products,
    );
    this.orders = shaped(
      new Table(this, 'Orders', { ...kept, ...keyOf(TABLES.orders), ...warm(props.warmWrites?.orders) }),
      TABLES.orders,
    );
    // Not just expiring request records: the per-shopper counters of unpaid orders and the
    // sent-mail log live here too. Losing it would let one shopper hold more than the limit
    // and mail every shopper of the last 30 days again, so it is kept like the others.
    this.idempotency = new Table(this, 'Idempotency', {
      ...kept,
      ...keyOf(TABLES.idempotency),
      ...warm(props.warmWrites?.idempotency),
      timeToLiveAttribute: TABLES.idempotency.expiresAt,
    });
  }
}

function keyOf(shape: TableShape) {
  return { partitionKey: { name: shape.key, type: AttributeType.STRING } };
}

/**
 * The table's indexes as the contract shapes them. Orders by status: the reconciler and `orders
 * list --status` query it, never scan. Orders by lookup key: what finds an order besides its id.
 */
function shaped(table: Table, shape: TableShape): Table {
  for (const index of shape.indexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partition, type: AttributeType.STRING },
      sortKey: { name: index.sort, type: AttributeType.STRING },
      ...(index.projection === 'all'
        ? {}
        : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection] }),
    });
  }
  return table;
}
