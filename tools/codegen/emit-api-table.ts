import { REQUEST_HEADER_V0, RESPONSE_HEADER_ALWAYS_V0 } from './apis.ts';
import type { MessageModel } from './model.ts';
import { camel, kebab } from './names.ts';
import { isEmpty } from './spec.ts';

/**
 * Emits `api-table.ts`: one descriptor per API (version range, header versions, codecs), the
 * `ApiKey` constants, the key → message types map and the codecs of the standalone data specs.
 */

export interface ApiModel {
  name: string;
  apiKey: number;
  request: MessageModel;
  response: MessageModel;
}

function importBlock(names: string[], from: string): string {
  return `import {\n${names.map((n) => `  ${n},`).join('\n')}\n} from '${from}';`;
}

function codecNames(m: MessageModel): string[] {
  return [`decode${m.name}`, `encode${m.name}`, `sizeOf${m.name}`, `type ${m.name}`, `write${m.name}`];
}

function headerVersionFn(api: ApiModel, kind: 'request' | 'response'): string {
  const flex = api.request.flexible;
  const flexMin = isEmpty(flex) ? -1 : flex.min;
  if (kind === 'response') {
    if (RESPONSE_HEADER_ALWAYS_V0.includes(api.name) || flexMin < 0) return '(_version) => 0';
    return `(version) => (version >= ${flexMin} ? 1 : 0)`;
  }
  const v0 = REQUEST_HEADER_V0[api.name] ?? [];
  let body = flexMin < 0 ? '1' : `version >= ${flexMin} ? 2 : 1`;
  for (const v of v0) body = `version === ${v} ? 0 : ${body}`;
  return flexMin < 0 && v0.length === 0 ? '(_version) => 1' : `(version) => (${body})`;
}

export function emitApiTable(apis: ApiModel[], data: MessageModel[], header: string): string {
  const imports: string[] = [
    "import { createRequire } from 'node:module';",
    "import type { Reader } from '../../primitives/reader.ts';",
    "import type { Writer } from '../../primitives/writer.ts';",
  ];
  // API codecs load on first use (see lazyApi below): only their types are imported here.
  for (const api of apis) {
    imports.push(
      `import type { ${[api.request.name, api.response.name].sort().join(', ')} } from './${kebab(api.name)}.ts';`,
    );
  }
  for (const d of data) imports.push(importBlock(codecNames(d).sort(byName), `./${kebab(d.name)}.ts`));

  const out: string[] = [header, '', ...imports, ''];
  out.push(`/**
 * Everything needed to serve or call one API. Members are declared as methods so that a
 * descriptor for specific message types is assignable to the default \`ApiDescriptor\`.
 */
export interface ApiDescriptor<Req = unknown, Res = unknown> {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** The first flexible version, or -1 if the API has none. */
  readonly flexibleMinVersion: number;
  requestHeaderVersion(version: number): number;
  responseHeaderVersion(version: number): number;
  decodeRequest(r: Reader, version: number): Req;
  sizeOfRequest(m: Req, version: number): number;
  writeRequest(w: Writer, m: Req, version: number): void;
  encodeRequest(m: Req, version: number): Buffer;
  decodeResponse(r: Reader, version: number): Res;
  sizeOfResponse(m: Res, version: number): number;
  writeResponse(w: Writer, m: Res, version: number): void;
  encodeResponse(m: Res, version: number): Buffer;
}

/** What a descriptor knows without its codecs. */
type ApiInfo = Pick<
  ApiDescriptor,
  | 'apiKey'
  | 'name'
  | 'minVersion'
  | 'maxVersion'
  | 'flexibleMinVersion'
  | 'requestHeaderVersion'
  | 'responseHeaderVersion'
>;

const requireCodecs = createRequire(import.meta.url);
/** The codec modules' extension: .ts when running from source, .js when built. */
const CODEC_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/**
 * A descriptor whose codecs load with their module the first time one is called (a synchronous
 * require of the ES module), and then replace the loading stubs. A broker holds only the codecs
 * of the APIs it is asked for: all of them together are most of the code a start loads.
 */
function lazyApi<Req, Res>(info: ApiInfo, file: string, req: string, res: string): ApiDescriptor<Req, Res> {
  const load = (): ApiDescriptor<Req, Res> => {
    const m = requireCodecs(\`./\${file}\${CODEC_EXT}\`) as Record<string, unknown>;
    const codec = (name: string): never => {
      const f = m[name];
      if (typeof f !== 'function') throw new Error(\`\${file}\${CODEC_EXT} has no function \${name}\`);
      return f as never;
    };
    return Object.assign(api, {
      decodeRequest: codec(\`decode\${req}\`),
      sizeOfRequest: codec(\`sizeOf\${req}\`),
      writeRequest: codec(\`write\${req}\`),
      encodeRequest: codec(\`encode\${req}\`),
      decodeResponse: codec(\`decode\${res}\`),
      sizeOfResponse: codec(\`sizeOf\${res}\`),
      writeResponse: codec(\`write\${res}\`),
      encodeResponse: codec(\`encode\${res}\`),
    });
  };
  const api: ApiDescriptor<Req, Res> = {
    ...info,
    decodeRequest: (r, v) => load().decodeRequest(r, v),
    sizeOfRequest: (m, v) => load().sizeOfRequest(m, v),
    writeRequest: (w, m, v) => load().writeRequest(w, m, v),
    encodeRequest: (m, v) => load().encodeRequest(m, v),
    decodeResponse: (r, v) => load().decodeResponse(r, v),
    sizeOfResponse: (m, v) => load().sizeOfResponse(m, v),
    writeResponse: (w, m, v) => load().writeResponse(w, m, v),
    encodeResponse: (m, v) => load().encodeResponse(m, v),
  };
  return api;
}

/** Codecs of a standalone (headerless) data spec. */
export interface DataCodec<T = unknown> {
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  decode(r: Reader, version: number): T;
  sizeOf(m: T, version: number): number;
  write(w: Writer, m: T, version: number): void;
  encode(m: T, version: number): Buffer;
}
`);
  const sorted = [...apis].sort((a, b) => a.apiKey - b.apiKey);
  out.push('/** API keys by name. */');
  out.push('export const ApiKey = {');
  for (const api of sorted) out.push(`  ${api.name}: ${api.apiKey},`);
  out.push('} as const;');
  out.push('export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey];');
  out.push('');
  out.push('/** Request and response types by API key. */');
  out.push('export interface ApiMessages {');
  for (const api of sorted) {
    out.push(`  ${api.apiKey}: { request: ${api.request.name}; response: ${api.response.name} };`);
  }
  out.push('}');
  for (const api of sorted) {
    const req = api.request;
    const res = api.response;
    if (req.valid.min !== res.valid.min || req.valid.max !== res.valid.max) {
      throw new Error(`${api.name}: request and response versions differ`);
    }
    if (req.flexible.min !== res.flexible.min || isEmpty(req.flexible) !== isEmpty(res.flexible)) {
      throw new Error(`${api.name}: request and response flexible versions differ`);
    }
    out.push('');
    out.push(`export const ${camel(api.name)}Api = lazyApi<${req.name}, ${res.name}>(`);
    out.push('  {');
    out.push(`    apiKey: ${api.apiKey},`);
    out.push(`    name: '${api.name}',`);
    out.push(`    minVersion: ${req.valid.min},`);
    out.push(`    maxVersion: ${req.valid.max},`);
    out.push(`    flexibleMinVersion: ${isEmpty(req.flexible) ? -1 : req.flexible.min},`);
    out.push(`    requestHeaderVersion: ${headerVersionFn(api, 'request')},`);
    out.push(`    responseHeaderVersion: ${headerVersionFn(api, 'response')},`);
    out.push('  },');
    out.push(`  '${kebab(api.name)}',`);
    out.push(`  '${req.name}',`);
    out.push(`  '${res.name}',`);
    out.push(');');
  }
  out.push('');
  out.push('/** Every generated API by key. */');
  out.push('export const apiTable: ReadonlyMap<number, ApiDescriptor> = new Map<number, ApiDescriptor>([');
  for (const api of sorted) out.push(`  [${api.apiKey}, ${camel(api.name)}Api],`);
  out.push(']);');
  out.push('');
  out.push('/** The descriptor of an API key, typed with its messages. */');
  out.push(
    "export function getApi<K extends keyof ApiMessages>(key: K): ApiDescriptor<ApiMessages[K]['request'], ApiMessages[K]['response']> {",
  );
  out.push("  return apiTable.get(key) as ApiDescriptor<ApiMessages[K]['request'], ApiMessages[K]['response']>;");
  out.push('}');
  for (const d of data) {
    out.push('');
    out.push(`export const ${camel(d.name)}Codec: DataCodec<${d.name}> = {`);
    out.push(`  name: '${d.name}',`);
    out.push(`  minVersion: ${d.valid.min},`);
    out.push(`  maxVersion: ${d.valid.max},`);
    out.push(`  decode: decode${d.name},`);
    out.push(`  sizeOf: sizeOf${d.name},`);
    out.push(`  write: write${d.name},`);
    out.push(`  encode: encode${d.name},`);
    out.push('};');
  }
  out.push('');
  out.push('/** Every generated standalone data spec. */');
  out.push(`export const dataCodecs: readonly DataCodec[] = [${data.map((d) => `${camel(d.name)}Codec`).join(', ')}];`);
  out.push('');
  return out.join('\n');
}

function byName(a: string, b: string): number {
  const ka = a.replace(/^type /, '');
  const kb = b.replace(/^type /, '');
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
