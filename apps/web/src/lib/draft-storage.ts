/** The subset of Web Storage the drafts need, so tests can pass a Map-backed fake. */
export type DraftBackend = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface DraftStore {
  load(slug: string): string | null;
  /** Keeps the draft; a draft equal to the starter code is forgotten instead. */
  save(slug: string, code: string, starterCode: string): void;
  clear(slug: string): void;
}

const PREFIX = 'koodi:draft:';

export function draftKey(slug: string): string {
  return `${PREFIX}${slug}`;
}

/** Drafts in localStorage, one per assignment. Storage may be missing or full: the editor keeps working. */
export function createDraftStore(backend: DraftBackend | null): DraftStore {
  const attempt = <T>(fn: (b: DraftBackend) => T, fallback: T): T => {
    if (!backend) return fallback;
    try {
      return fn(backend);
    } catch {
      return fallback;
    }
  };
  return {
    load: (slug) =>
      attempt((b) => {
        const raw = b.getItem(draftKey(slug));
        if (raw === null) return null;
        const parsed: unknown = JSON.parse(raw);
        const code = (parsed as { code?: unknown } | null)?.code;
        return typeof code === 'string' ? code : null;
      }, null),
    save: (slug, code, starterCode) =>
      attempt((b) => {
        if (code === starterCode) b.removeItem(draftKey(slug));
        else b.setItem(draftKey(slug), JSON.stringify({ code, savedAt: new Date().toISOString() }));
      }, undefined),
    clear: (slug) => attempt((b) => b.removeItem(draftKey(slug)), undefined),
  };
}

/** localStorage when the browser allows it (it throws in some privacy modes). */
export function browserDraftBackend(): DraftBackend | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
