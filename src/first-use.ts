/**
 * A package required where it is first used, not when the bundle starts: a short run never pays for what
 * only some inputs need (a binary capture's parser, a user registry's pattern check). createRequire
 * comes from node:module, which loads Node's ES module loader (~5 M instructions), so it is loaded here too.
 */
export function requireAtFirstUse<T>(id: string): T {
  return process.getBuiltinModule('node:module').createRequire(import.meta.url)(id) as T;
}
