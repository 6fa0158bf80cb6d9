import { readFileSync } from 'node:fs';
import type { TestServer } from '../server.js';

/** A response's status and parsed JSON body. */
export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
}

/** GET `path` as `token` (the owner by default) and parse the JSON answer. */
export async function getJson<T = unknown>(
  server: TestServer,
  path: string,
  token?: string,
): Promise<JsonResponse<T>> {
  const res = await server.request(path, token === undefined ? {} : { token });
  return { status: res.status, body: (await res.json()) as T };
}

/** `2026-03-01T00:00:00Z` plus `seconds`: seeds read better with small relative times. */
export function at(seconds: number): Date {
  return new Date(Date.UTC(2026, 2, 1) + seconds * 1000);
}

/**
 * The reference's 200-response example for a list endpoint, as its published API docs show it
 * (checked in under `test/fixtures/reference-api/`, see the README there).
 */
export function referenceExample(list: 'interceptions' | 'sessions'): unknown {
  const file = new URL(`../fixtures/reference-api/${list}.json`, import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * Checks `actual` has every field of the reference example, recursively, with the same JSON
 * type (strings, numbers, booleans, objects, arrays), and says where it does not.
 */
export function missingReferenceFields(actual: unknown, example: unknown, path = '$'): string[] {
  if (example === null) return [];
  if (Array.isArray(example)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array`];
    if (example.length === 0 || actual.length === 0) return [];
    return missingReferenceFields(actual[0], example[0], `${path}[0]`);
  }
  if (typeof example === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return [`${path}: expected an object`];
    if (path.endsWith('.metadata')) return [];
    return Object.entries(example).flatMap(([key, value]) =>
      key in actual
        ? missingReferenceFields((actual as Record<string, unknown>)[key], value, `${path}.${key}`)
        : [`${path}.${key}: missing`],
    );
  }
  return typeof actual === typeof example ? [] : [`${path}: ${typeof actual} instead of ${typeof example}`];
}
