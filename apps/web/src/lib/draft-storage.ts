/** The subset of Web Storage the drafts need, so tests can pass a Map-backed fake. */
export type DraftBackend = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface DraftStore {
  load(slug: string): string | null;
  /** Keeps the draft; a draft equal to the starter code is forgotten instead. */
  save(slug: string, code: string, starterCode: string): void;
  clear(slug: string): void;
  /**
   * Keeps `code` aside before an earlier submission replaces it in the editor, so the student
   * can go back to it; one per assignment, the latest wins.
   */
  keepAside(slug: string, code: string): void;
  loadAside(slug: string): string | null;
  clearAside(slug: string): void;
}

const PREFIX = 'koodi:draft:';

const ASIDE_PREFIX = 'koodi:draft-aside:';

export function draftKey(slug: string): string {
  return `${PREFIX}${slug}`;
}

export function asideKey(slug: string): string {
  return `${ASIDE_PREFIX}${slug}`;
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
  const read = (key: string) =>
    attempt((b) => {
      const raw = b.getItem(key);
      if (raw === null) return null;
      const parsed: unknown = JSON.parse(raw);
      const code = (parsed as { code?: unknown } | null)?.code;
      return typeof code === 'string' ? code : null;
    }, null);
  return {
    load: (slug) => read(draftKey(slug)),
    save: (slug, code, starterCode) =>
      attempt((b) => {
        if (code === starterCode) b.removeItem(draftKey(slug));
        else b.setItem(draftKey(slug), JSON.stringify({ code, savedAt: new Date().toISOString() }));
      }, undefined),
    clear: (slug) => attempt((b) => b.removeItem(draftKey(slug)), undefined),
    keepAside: (slug, code) =>
      attempt(
        (b) =>
          b.setItem(asideKey(slug), JSON.stringify({ code, savedAt: new Date().toISOString() })),
        undefined,
      ),
    loadAside: (slug) => read(asideKey(slug)),
    clearAside: (slug) => attempt((b) => b.removeItem(asideKey(slug)), undefined),
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
