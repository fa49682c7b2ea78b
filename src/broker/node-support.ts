/**
 * The Node.js features a broker needs, checked before it starts so that an old Node fails with a
 * sentence rather than with ERR_REQUIRE_ESM on its first request: the API codecs load on first
 * use through require() of their ES modules (see api-table.ts), which Node enables by default
 * from 22.12 (and 20.19).
 */
export function unsupportedNodeReason(
  features: { require_module?: boolean } = process.features as { require_module?: boolean },
  version: string = process.versions.node,
): string | null {
  if (features.require_module === true) return null;
  return `Samsa needs Node.js >= 22.12 (require() of ES modules); this is Node.js ${version}`;
}
