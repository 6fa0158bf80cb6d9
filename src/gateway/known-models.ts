import type { Provider } from './provider.js';

/** What makes a model known, read again only when one of them changes. */
export interface KnownModelSources {
  /** Model names the price package prices (read once: the package's data does not change at run time). */
  packageIds: () => readonly string[];
  /** The owner's price overrides' models, and a value that changes whenever they do. */
  overrides?: { overrideModels(): readonly string[]; readonly version: number } | undefined;
  /** The provider instances (a new map after every reload), whose allowlists count. */
  providers?: () => ReadonlyMap<string, Pick<Provider, 'models'>>;
}

/** How a model is known: named as such, or a dated snapshot (`-20250929`) of a named one. */
export type ModelKnowledge = 'listed' | 'dated' | undefined;

/** `-20250929`, `-2024-08-06`: a dated snapshot of a model the book prices under its base id. */
const DATED_SUFFIX = /-(?:\d{8}|\d{4}-\d{2}-\d{2})$/;

/**
 * Which model names may be a metric label: those the price book prices (the package's model
 * names, a dated snapshot of one, or an owner override's model) and those in any provider
 * instance's model allowlist, exactly as listed. Anything else a client sends is `other`, so
 * made-up names never make series. The set is built once and rebuilt only when the overrides
 * or the instances change; a request costs one or two Set lookups, never a walk of the book.
 */
export class KnownModels {
  private names = new Set<string>();
  private builtFor: { version: number | undefined; providers: unknown } | undefined;
  private readonly packageIds: readonly string[];

  constructor(private readonly sources: KnownModelSources) {
    this.packageIds = sources.packageIds();
  }

  /** `listed` when `model` is priced or allowlisted by that name, `dated` for a dated snapshot of one. */
  knows(model: string): ModelKnowledge {
    this.refresh();
    if (this.names.has(model)) return 'listed';
    const base = model.replace(DATED_SUFFIX, '');
    return base !== model && this.names.has(base) ? 'dated' : undefined;
  }

  private refresh(): void {
    const version = this.sources.overrides?.version;
    const providers = this.sources.providers?.();
    if (this.builtFor && this.builtFor.version === version && this.builtFor.providers === providers) return;
    const names = new Set<string>(this.packageIds);
    for (const model of this.sources.overrides?.overrideModels() ?? []) names.add(model);
    for (const provider of providers?.values() ?? [])
      for (const model of provider.models ?? []) names.add(model);
    this.names = names;
    this.builtFor = { version, providers };
  }
}
