/** DynamoDB's LastEvaluatedKey as an opaque page token for callers, and back. */
export function encodePage(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

export function decodePage(page: string | undefined): Record<string, unknown> | undefined {
  return page ? JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) : undefined;
}
