import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface CheckoutTablesProps {
  readonly encryption: 'aws-owned' | 'customer-managed';
}

/**
 * Products (stock), orders (money and personal data) and idempotency records. The first two
 * survive a `cdk destroy` and an accidental delete; idempotency records expire by TTL.
 * Key names match `lambda/store/schema.ts` (a test checks they agree).
 */
export class CheckoutTables extends Construct {
  readonly products: Table;
  readonly orders: Table;
  readonly idempotency: Table;
  readonly key?: Key;
  static readonly ORDERS_BY_STATUS_INDEX = 'byStatus';
  static readonly ORDERS_BY_LOOKUP_INDEX = 'byLookup';

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

    this.products = new Table(this, 'Products', {
      ...kept,
      partitionKey: { name: 'purchaseToken', type: AttributeType.STRING },
    });
    this.orders = new Table(this, 'Orders', {
      ...kept,
      partitionKey: { name: 'orderId', type: AttributeType.STRING },
    });
    // Orders by status, oldest first: the reconciler and `orders list --status` query it, never scan.
    this.orders.addGlobalSecondaryIndex({
      indexName: CheckoutTables.ORDERS_BY_STATUS_INDEX,
      partitionKey: { name: 'status', type: AttributeType.STRING },
      sortKey: { name: 'createdAt', type: AttributeType.STRING },
    });
    // What finds an order besides its id (e-mail, phone, Glase's references, pending refunds):
    // small `lookup#` items, one index for every kind, so a new kind never needs a new index.
    this.orders.addGlobalSecondaryIndex({
      indexName: CheckoutTables.ORDERS_BY_LOOKUP_INDEX,
      partitionKey: { name: 'lookupKey', type: AttributeType.STRING },
      sortKey: { name: 'lookupAt', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: ['refersTo'],
    });
    this.idempotency = new Table(this, 'Idempotency', {
      billingMode: BillingMode.PAY_PER_REQUEST,
      partitionKey: { name: 'id', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
      ...encryption,
    });
  }
}
