import { API_NAMES, DATA_NAMES } from './apis.ts';
import { type ApiModel, emitApiTable } from './emit-api-table.ts';
import { emitMessagesFile, GENERATED_HEADER } from './emit-file.ts';
import { emitSchema } from './emit-schema.ts';
import { buildMessage, type MessageModel } from './model.ts';
import { kebab } from './names.ts';
import { readSpec } from './spec.ts';

/** Reads the specs and returns every generated file, by name, in memory. */
export function generate(specsDir: string): Map<string, string> {
  const files = new Map<string, string>();
  const apis: ApiModel[] = [];
  for (const name of API_NAMES) {
    const request = buildMessage(readSpec(specsDir, `${name}Request`));
    const response = buildMessage(readSpec(specsDir, `${name}Response`));
    if (request.kind !== 'request' || response.kind !== 'response' || request.apiKey === null) {
      throw new Error(`${name}: expected a request and a response spec with an API key`);
    }
    if (request.apiKey !== response.apiKey) throw new Error(`${name}: request and response API keys differ`);
    apis.push({ name, apiKey: request.apiKey, request, response });
    files.set(`${kebab(name)}.ts`, emitMessagesFile([request, response], `${name} (API key ${request.apiKey})`));
  }
  const data: MessageModel[] = [];
  for (const name of DATA_NAMES) {
    const msg = buildMessage(readSpec(specsDir, name));
    if (msg.kind !== 'data') throw new Error(`${name}: expected a data spec`);
    data.push(msg);
    files.set(`${kebab(name)}.ts`, emitMessagesFile([msg], `${name} (standalone data, no header)`));
  }
  files.set('api-table.ts', emitApiTable(apis, data, GENERATED_HEADER));
  files.set('schema.ts', emitSchema(apis, data, GENERATED_HEADER));
  return files;
}
