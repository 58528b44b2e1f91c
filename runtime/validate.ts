import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { httpError, type ValidationIssue } from './errors.ts';

export type Check<T = unknown> = (value: unknown, where: string) => T;

// MUST be called at boot only: compiling is the expensive part, checking is cheap.
export function compileCheck<T = unknown>(schema: TSchema, options: { coerce?: boolean } = {}): Check<T> {
  const validator = Compile(schema);
  return (value, where) => {
    const candidate = options.coerce ? validator.Convert(value) : value;
    if (validator.Check(candidate)) return candidate as T;
    throw httpError('VALIDATION_FAILED', `The ${where} is not valid.`, { issues: issuesOf(validator, candidate, where) });
  };
}

function issuesOf(validator: ReturnType<typeof Compile>, value: unknown, where: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of validator.Errors(value)) {
    // Unions report one failure per branch plus the union itself; the union line is the useful one.
    if (error.keyword === 'const' || error.keyword === 'boolean') continue;
    let path = `${where}${error.instancePath.replace(/\//g, '.')}`;
    let message = error.message;
    if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperties?: string[] }).additionalProperties ?? [];
      message = `unknown field(s): ${extra.join(', ')}`;
    } else if (error.keyword === 'required') {
      const missing = (error.params as { requiredProperties?: string[] }).requiredProperties ?? [];
      if (missing.length) message = `missing required field(s): ${missing.join(', ')}`;
    } else if (error.keyword === 'anyOf') {
      message = 'is not one of the allowed values';
    }
    const key = `${path}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, message });
    if (issues.length >= 20) break;
  }
  if (issues.length === 0) issues.push({ path: where, message: 'is not valid' });
  return issues;
}
