import type { TSchema } from 'typebox';
import { httpError } from '../errors.ts';

// Options reach a document function as query parameters, multipart text parts or JSON fields.
// Query and multipart values are text; this turns them into what the function's schema
// describes, reading only the schema (never an option's name), so a new function's options work
// in every form without the runtime knowing them:
// - arrays: "A,B" or repeated parts; a JSON array when the text starts with "[" (arrays of objects
//   must be JSON);
// - numbers, integers and booleans from their text; objects from JSON;
// - enum strings matched without regard to case ("tables" is TABLES), in every form.
// Arrays longer than their schema allows are refused here, before any per-item check runs, so a
// 100,000-item list costs a length comparison rather than a quadratic uniqueness test.

interface SchemaShape {
  type?: string | string[];
  items?: SchemaShape;
  anyOf?: SchemaShape[];
  const?: unknown;
  enum?: unknown[];
  maxItems?: number;
  properties?: Record<string, SchemaShape>;
}

/** Option values from text (query or multipart), by name; only names the schema knows are taken. */
export function optionsFromText(schema: TSchema, values: ReadonlyMap<string, string[]>, where: string): Record<string, unknown> {
  const properties = (schema as SchemaShape).properties ?? {};
  const options: Record<string, unknown> = {};
  for (const [name, texts] of values) {
    const property = properties[name];
    if (!property) {
      // Unknown multipart parts are reported by the schema check; unknown query parameters are
      // left alone (proxies and clients add their own).
      if (where === 'body') options[name] = texts[texts.length - 1];
      continue;
    }
    options[name] = fromText(property, texts, `${where}.${name}`);
  }
  return options;
}

/** JSON options: values are already typed; enum case and comma-separated lists are still accepted. */
export function normaliseJsonOptions(schema: TSchema, body: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema as SchemaShape).properties ?? {};
  const options: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    const property = properties[name];
    if (!property) {
      options[name] = value;
      continue;
    }
    if (isArray(property) && typeof value === 'string') options[name] = fromText(property, [value], `body.${name}`);
    else options[name] = canonical(property, value, `body.${name}`);
  }
  return options;
}

function fromText(schema: SchemaShape, texts: string[], path: string): unknown {
  if (isArray(schema)) {
    const items: unknown[] = [];
    for (const text of texts) {
      const trimmed = text.trim();
      if (trimmed.startsWith('[')) {
        const parsed = parseJson(trimmed, path);
        if (!Array.isArray(parsed)) throw invalid(path, 'must be a JSON array');
        items.push(...parsed);
      } else if (schema.items && isObject(schema.items)) {
        throw invalid(path, 'must be a JSON array');
      } else {
        items.push(...trimmed.split(',').map((s) => s.trim()).filter(Boolean).map((s) => scalar(schema.items ?? {}, s)));
      }
      checkLength(schema, items, path);
    }
    return canonical(schema, items, path);
  }
  const text = texts[texts.length - 1]!;
  if (isObject(schema)) return parseJson(text, path);
  return canonical(schema, scalar(schema, text), path);
}

function scalar(schema: SchemaShape, text: string): unknown {
  const types = typesOf(schema);
  if ((types.includes('integer') || types.includes('number')) && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** Enum strings in their canonical case, arrays checked for length first. */
function canonical(schema: SchemaShape, value: unknown, path: string): unknown {
  if (Array.isArray(value)) {
    if (!isArray(schema)) return value;
    checkLength(schema, value, path);
    const items = schema.items;
    return items ? value.map((v) => canonical(items, v, path)) : value;
  }
  if (typeof value !== 'string') return value;
  const members = enumMembers(schema);
  if (!members) return value;
  const wanted = value.trim().toLowerCase();
  return members.find((m) => m.toLowerCase() === wanted) ?? value;
}

function checkLength(schema: SchemaShape, items: unknown[], path: string): void {
  if (schema.maxItems !== undefined && items.length > schema.maxItems) {
    throw invalid(path, `must have at most ${schema.maxItems} items`);
  }
}

function enumMembers(schema: SchemaShape): string[] | null {
  if (schema.enum) return schema.enum.filter((v): v is string => typeof v === 'string');
  if (schema.anyOf?.length && schema.anyOf.every((s) => typeof s.const === 'string')) return schema.anyOf.map((s) => s.const as string);
  return null;
}

function typesOf(schema: SchemaShape): string[] {
  if (schema.anyOf) return schema.anyOf.flatMap(typesOf);
  return schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
}

const isArray = (schema: SchemaShape) => typesOf(schema).includes('array');
const isObject = (schema: SchemaShape) => typesOf(schema).includes('object');

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(path, 'is not valid JSON');
  }
}

function invalid(path: string, message: string) {
  return httpError('VALIDATION_FAILED', `The ${path.split('.')[0]} is not valid.`, { issues: [{ path, message }] });
}
